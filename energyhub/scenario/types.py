"""The building blocks of scenario models, shared by :mod:`energyhub.scenario.schema` and the component schema
modules in :mod:`energyhub.scenario.components`: the strict base model, annotated field types (identifiers, series,
efficiencies) and size ranges of assets."""

from __future__ import annotations

from typing import Annotated, ClassVar, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

Name = Annotated[
    str,
    Field(
        pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]*$",
        max_length=64,
        description="An identifier: letters, digits, '-' and '_' (no dots: names appear in dotted sweep paths).",
    ),
]
Series = Annotated[
    float | str,
    Field(
        description="A constant, or a time series 'file.csv#column' / 'file.parquet#column' relative to the "
        "scenario file.",
        union_mode="left_to_right",
    ),
]
NonNeg = Annotated[float, Field(ge=0)]
Positive = Annotated[float, Field(gt=0)]
Efficiency = Annotated[float, Field(gt=0, le=1, description="A fraction in (0, 1].")]
Fraction = Annotated[float, Field(ge=0, le=1)]
Lifetime = Annotated[int, Field(ge=1, le=100, description="Economic lifetime in years.")]
FixedOm = Annotated[float, Field(ge=0, le=100, description="Fixed O&M per year, % of capex.")]


class Strict(BaseModel):
    """Base of every scenario model: unknown keys are errors (with the closest known key suggested); numbers must
    be finite (YAML's .nan and .inf are rejected)."""

    model_config = ConfigDict(extra="forbid", validate_default=True, allow_inf_nan=False)


class _Size(Strict):
    existing: NonNeg = Field(0.0, description="Already built; costs no capex.")
    min: NonNeg = Field(0.0, description="Smallest total capacity (if built, with build_or_not).")
    max: NonNeg | None = Field(None, description="Largest total capacity; default: existing (not extendable).")

    @property
    def upper(self) -> float:
        return self.existing if self.max is None else self.max

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.max is not None and self.max < max(self.min, self.existing):
            raise ValueError(f"max ({self.max:g}) is below min ({self.min:g}) or existing ({self.existing:g})")
        return self


class PowerSize(_Size):
    capex_eur_per_mw: NonNeg = 0.0


class EnergySize(_Size):
    capex_eur_per_mwh: NonNeg = 0.0


class MassSize(_Size):
    capex_eur_per_kg: NonNeg = 0.0


class UnitCount(Strict):
    existing: int = Field(0, ge=0)
    min: int = Field(0, ge=0)
    max: int | None = Field(None, ge=0, description="Default: existing.")

    @property
    def upper(self) -> int:
        return self.existing if self.max is None else self.max

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.max is not None and self.max < max(self.min, self.existing):
            raise ValueError(f"max ({self.max}) is below min ({self.min}) or existing ({self.existing})")
        return self


class AssetBase(Strict):
    """Base of every asset schema class; ``type`` is the discriminator tag (a ``Literal`` in each subclass).

    ``SERIES_FIELDS`` names the fields of type :data:`Series` that are read as time series
    (``assets.<name>.<field>``); ``hub`` is the hub an asset sits at (``None``: not at a hub, e.g. a reinforcement).
    """

    SERIES_FIELDS: ClassVar[tuple[str, ...]] = ()
    type: str
    name: Name
    lifetime_years: Lifetime = 20
    fixed_om_pct_per_year: FixedOm = 0.0

    def problems(self, where: str, segments: set[str]) -> list[str]:
        """Checks of this asset beyond its fields (``where`` is ``assets[i]``; ``segments``: the grid's segments)."""
        return []

    @property
    def at_hub(self) -> str | None:
        """The hub of the asset, or None."""
        hub = getattr(self, "hub", None)
        return None if hub is None else str(hub)

    @property
    def at_branch(self) -> str | None:
        """The grid branch the asset acts on ('segment/branch name'), or None."""
        branch = getattr(self, "branch", None)
        return None if branch is None else str(branch)
