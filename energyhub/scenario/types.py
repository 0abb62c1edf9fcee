"""The building blocks of scenario models, shared by :mod:`energyhub.scenario.schema` and the component schema
modules in :mod:`energyhub.scenario.components`: the strict base model, annotated field types (identifiers, series,
efficiencies) and size ranges of assets."""

from __future__ import annotations

import types
from functools import cache
from typing import Annotated, Any, ClassVar, Literal, Self, Union, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

#: The largest magnitude of any number in a scenario, in its own unit (1e9 MW, EUR, kg, …): far above anything a
#: hub study needs, far below what overflows or what HiGHS reads as infinite (1e20). Checked for every number field
#: and every series value.
MAX_MAGNITUDE = 1e9
#: The most identical units (electrolyser stacks, biogas engines) of one asset: each is a variable per time step.
MAX_UNITS = 1000

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
VoltagePu = Annotated[float, Field(ge=0.5, le=1.5, description="A bus voltage, per unit of nominal.")]
FixedOm = Annotated[float, Field(ge=0, le=100, description="Fixed O&M per year, % of capex.")]


def _numeric(annotation: Any) -> bool:
    """Whether a field's type holds numbers (int or float, in a union, list or tuple) and does not take booleans."""
    args, origin = get_args(annotation), get_origin(annotation)
    if annotation is bool or (origin is Literal and any(isinstance(a, bool) for a in args)):
        return False
    if annotation in (int, float) or (origin is Literal and any(isinstance(a, int) for a in args)):
        return True
    if origin in (Union, types.UnionType, list, tuple, Annotated):
        kinds = [a for a in args if a is not Ellipsis]
        return not any(a is bool for a in kinds) and any(_numeric(a) for a in kinds)
    return False


@cache
def _numeric_fields(model: type[BaseModel]) -> frozenset[str]:
    return frozenset(name for name, field in model.model_fields.items() if _numeric(field.annotation))


class _Boolean:
    """A boolean met where a number belongs: no number type accepts it, and pydantic's message shows it as written
    (``Input should be a valid number (got true)``). pydantic itself would read ``true`` as 1."""

    def __init__(self, value: bool) -> None:
        self.value = value

    def __repr__(self) -> str:
        return "true" if self.value else "false"


def _mark_booleans(value: Any) -> Any:
    if isinstance(value, bool):
        return _Boolean(value)
    if isinstance(value, list | tuple):
        return [_mark_booleans(item) for item in value]
    return value


def _sane_magnitude(value: Any) -> None:
    if isinstance(value, int | float) and not isinstance(value, bool) and abs(value) > MAX_MAGNITUDE:
        raise ValueError(
            f"{value:g} is beyond {MAX_MAGNITUDE:g}, the largest magnitude a scenario accepts; check the unit"
        )
    if isinstance(value, list | tuple):
        for item in value:
            _sane_magnitude(item)


class Strict(BaseModel):
    """Base of every scenario model: unknown keys are errors (with the closest known key suggested); numbers must
    be finite (YAML's .nan and .inf are rejected), at most :data:`MAX_MAGNITUDE` in size and never booleans
    (pydantic would read ``true`` as 1): checked here for every number field of every model, present and future."""

    model_config = ConfigDict(extra="forbid", validate_default=True, allow_inf_nan=False)

    @model_validator(mode="before")
    @classmethod
    def _booleans_are_not_numbers(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        numeric = _numeric_fields(cls)
        return {key: _mark_booleans(value) if key in numeric else value for key, value in data.items()}

    @field_validator("*", mode="after")
    @classmethod
    def _numbers_of_sane_magnitude(cls, value: Any, info: ValidationInfo) -> Any:
        if info.field_name in _numeric_fields(cls):
            _sane_magnitude(value)
        return value


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
    existing: int = Field(0, ge=0, le=MAX_UNITS)
    min: int = Field(0, ge=0, le=MAX_UNITS)
    max: int | None = Field(None, ge=0, le=MAX_UNITS, description="Default: existing.")

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
