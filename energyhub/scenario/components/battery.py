"""Schema of batteries (``type: battery``)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from energyhub.scenario.types import AssetBase, Efficiency, EnergySize, Name, NonNeg, Positive, PowerSize


class BatteryAsset(AssetBase):
    type: Literal["battery"]
    hub: Name
    energy_mwh: EnergySize
    power_mw: PowerSize
    charge_efficiency: Efficiency = 0.95
    discharge_efficiency: Efficiency = 0.95
    self_discharge_pct_per_day: float = Field(0.0, ge=0, lt=100)
    min_duration_h: NonNeg | None = Field(None, description="Lower bound on energy / power.")
    max_duration_h: Positive | None = Field(None, description="Upper bound on energy / power.")
    build_or_not: bool = Field(False, description="Binary build decision: either nothing new or at least min.")


    def problems(self, where: str, segments: set[str]) -> list[str]:
        problems = []
        lo, hi = self.min_duration_h, self.max_duration_h
        if lo is not None and hi is not None and lo > hi:
            problems.append(f"{where}.min_duration_h: {lo:g} h is above max_duration_h {hi:g} h")
        if self.build_or_not and self.energy_mwh.min <= self.energy_mwh.existing:
            problems.append(
                f"{where}.energy_mwh.min: build_or_not needs a minimum size above the existing "
                f"{self.energy_mwh.existing:g} MWh (the size built if the battery is built)"
            )
        return problems

ASSETS = (BatteryAsset,)

#: Position of these asset types in the `Asset` union (and in the documentation).
ORDER = 10
