"""Schema of biogas engines (``type: biogas``); biogas is a carrier that links can carry (MW of fuel)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from energyhub.scenario.types import AssetBase, Efficiency, EnergySize, Fraction, Name, NonNeg, Positive, UnitCount


class BiogasAsset(AssetBase):
    type: Literal["biogas"]
    hub: Name
    unit_mw: Positive = Field(description="Electrical rating of one engine.")
    units: UnitCount
    capex_eur_per_mw: NonNeg = 0.0
    electrical_efficiency: Efficiency = 0.4
    heat_efficiency: Fraction = Field(
        0.0, description="CHP heat per MWh of biogas burnt (MW_th per MW of fuel), usable where the hub has a heat "
        "demand; 0: no heat used."
    )
    biogas_supply_mwh_per_day: NonNeg = Field(description="Biogas (fuel energy) produced per day, evenly.")
    storage_mwh: EnergySize = EnergySize()
    min_load_frac: float = Field(0.4, ge=0, lt=1)
    min_up_h: NonNeg = 0.0
    min_down_h: NonNeg = 0.0
    start_cost_eur: NonNeg = Field(0.0, description="Per start of one engine.")
    fuel_cost_eur_per_mwh: NonNeg = Field(0.0, description="Per MWh of biogas burnt.")
    variable_om_eur_per_mwh: NonNeg = Field(0.0, description="Per MWh of electricity.")


    def problems(self, where: str, segments: set[str]) -> list[str]:
        if self.electrical_efficiency + self.heat_efficiency > 1.0 + 1e-9:
            return [f"{where}.heat_efficiency: electrical_efficiency + heat_efficiency exceed 1; lower heat_efficiency"]
        if self.units.upper == 0:
            return [f"{where}.units.max: the biogas asset can have no unit; set units.max ≥ 1 or remove it"]
        return []

ASSETS = (BiogasAsset,)

#: Carriers links can carry, with the unit of their capacity field (``capacity_<unit>``).
LINK_CARRIERS = {"biogas": "mw"}

#: Position of these asset types in the `Asset` union (and in the documentation).
ORDER = 40
