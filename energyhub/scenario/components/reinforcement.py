"""Schema of grid reinforcements (``type: reinforcement``)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from energyhub.scenario.types import AssetBase, Lifetime, NonNeg, Positive


class ReinforcementAsset(AssetBase):
    type: Literal["reinforcement"]
    branch: str = Field(description="'segment/branch name' of a line or transformer.")
    added_mva: Positive = Field(description="Rating added if built.")
    capex_eur: NonNeg
    lifetime_years: Lifetime = 40


    def problems(self, where: str, segments: set[str]) -> list[str]:
        seg_name = self.branch.split("/", 1)[0]
        if "/" not in self.branch or seg_name not in segments:
            return [f"{where}.branch: '{self.branch}' must be 'segment/branch name' of a known segment"]
        return []

ASSETS = (ReinforcementAsset,)

#: Position of these asset types in the `Asset` union (and in the documentation).
ORDER = 50
