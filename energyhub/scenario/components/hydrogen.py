"""Schema of hydrogen stores (``type: h2_storage``); hydrogen is a carrier that links can carry (kg/h)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from energyhub.scenario.types import AssetBase, MassSize, Name, Positive


class H2StorageAsset(AssetBase):
    type: Literal["h2_storage"]
    hub: Name
    capacity_kg: MassSize
    max_flow_kg_per_h: Positive | None = Field(None, description="Charge and discharge rate limit.")


    def problems(self, where: str, segments: set[str]) -> list[str]:
        if self.capacity_kg.upper == 0:
            return [f"{where}.capacity_kg.max: the storage can hold nothing; set max > 0 or remove it"]
        return []

ASSETS = (H2StorageAsset,)

#: Carriers links can carry, with the unit of their capacity field (``capacity_<unit>``).
LINK_CARRIERS = {"hydrogen": "kg_per_h"}

#: Position of these asset types in the `Asset` union (and in the documentation).
ORDER = 30
