"""Schema of electrolysers (``type: electrolyser``)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from energyhub.scenario.types import AssetBase, Name, NonNeg, Positive, Strict, UnitCount


class PartLoadPoint(Strict):
    load_frac: Annotated[float, Field(gt=0, le=1)]
    kwh_per_kg: Positive


class ElectrolyserAsset(AssetBase):
    type: Literal["electrolyser"]
    hub: Name
    stack_mw: Positive = Field(description="Electrical rating of one stack.")
    stacks: UnitCount
    capex_eur_per_mw: NonNeg = 0.0
    kwh_per_kg: Positive = Field(55.0, description="Electricity per kg of hydrogen at full load.")
    min_load_frac: float = Field(0.1, ge=0, lt=1, description="Minimum load of a running stack.")
    part_load: list[PartLoadPoint] | None = Field(
        None, description="Optional efficiency curve; must give a concave hydrogen output."
    )
    variable_om_eur_per_mwh: NonNeg = 0.0


    def problems(self, where: str, segments: set[str]) -> list[str]:
        if not self.part_load:
            return []
        points = sorted(self.part_load, key=lambda p: p.load_frac)
        fracs = [p.load_frac for p in points]
        if len(set(fracs)) != len(fracs):
            return [f"{where}.part_load: two points have the same load_frac"]
        if fracs[-1] != 1.0:
            return [f"{where}.part_load: the curve must end at load_frac 1.0 (full load, kwh_per_kg there)"]
        # hydrogen output per MW of stack at each point, with the origin: must be concave (non-increasing slopes)
        xs = [0.0, *fracs]
        ys = [0.0, *(1000.0 * f / p.kwh_per_kg for f, p in zip(fracs, points, strict=True))]
        slopes = [(ys[k + 1] - ys[k]) / (xs[k + 1] - xs[k]) for k in range(len(xs) - 1)]
        if any(slopes[k + 1] > slopes[k] + 1e-9 for k in range(len(slopes) - 1)):
            return [
                f"{where}.part_load: the curve gives a non-concave hydrogen output (efficiency must not rise "
                "with load); use kwh_per_kg that do not fall as load_frac rises"
            ]
        return []

ASSETS = (ElectrolyserAsset,)

#: Position of these asset types in the `Asset` union (and in the documentation).
ORDER = 20
