"""Scenario format v1: the pydantic models of a scenario YAML file.

Every quantity carries its unit in its name (``import_mw``, ``capex_eur_per_mwh``, ``kwh_per_kg``). A time series
field (type :data:`Series`) is either a constant or a reference ``file.csv#column`` / ``file.parquet#column``
relative to the scenario file. Sizes of assets are ranges on the *total* capacity: ``existing`` is already built
and costs nothing, capacity above it costs ``capex_…`` and is annualised over ``lifetime_years``.

The format is documented with an annotated example in ``docs/scenario-format.md``; ``energyhub schema`` exports
it as JSON Schema.
"""

from __future__ import annotations

import types
from datetime import datetime
from functools import cache
from typing import Annotated, Any, Literal, Self, Union, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

#: The largest magnitude of any number in a scenario, in its own unit (1e9 MW, EUR, kg, …): far above anything a
#: hub study needs, far below what overflows or what HiGHS reads as infinite (1e20). Checked for every number field
#: and every series value.
MAX_MAGNITUDE = 1e9

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


# --------------------------------------------------------------------------------------------------- time
class Aggregation(Strict):
    """Representative-period aggregation (tsam) for sizing; sizes are then checked in a full-horizon dispatch."""

    typical_periods: int = Field(12, ge=1, le=366, description="Number of typical periods.")
    hours_per_period: int = Field(24, ge=1, le=168, description="Length of one typical period in hours.")
    method: Literal["hierarchical", "k_means", "k_medoids"] = "hierarchical"
    check_full_horizon: bool = Field(True, description="Re-dispatch the whole horizon with the sizes fixed.")
    relax_commitment: bool = Field(
        True,
        description="Size with the hour-by-hour on/off of stacks and engines relaxed (sizes stay integer); the "
        "full-horizon dispatch keeps every integer.",
    )
    link_storage: bool = Field(
        True,
        description="Link storage levels across typical periods (inter-period state of charge, Kotzur et al. "
        "2018): a store may carry energy from one day of the horizon to another in the sizing; false keeps each "
        "store cyclic within each typical period.",
    )
    dispatch_windows: Literal["month", "none"] = Field(
        "month",
        description="How the full-horizon dispatch is solved: 'month' splits it into calendar months solved "
        "independently and in parallel, storage levels at the month boundaries taken from the sizing; 'none' "
        "solves it as one model.",
    )


class TimeSpec(Strict):
    start: datetime = Field(description="First time step (local standard time, no DST), e.g. 2030-01-01 00:00.")
    periods: int = Field(ge=1, le=366 * 96, description="Number of time steps.")
    resolution: Literal["15min", "1h"] = Field("1h", description="Model time-step length.")
    aggregation: Aggregation | None = None

    @property
    def step_min(self) -> int:
        return 15 if self.resolution == "15min" else 60

    @property
    def step_h(self) -> float:
        return self.step_min / 60.0

    @model_validator(mode="after")
    def _aggregation_fits(self) -> Self:
        if self.aggregation is not None:
            steps = self.aggregation.hours_per_period * 60 // self.step_min
            if self.periods < steps * self.aggregation.typical_periods:
                raise ValueError(
                    f"aggregation needs at least typical_periods × hours_per_period = "
                    f"{self.aggregation.typical_periods * self.aggregation.hours_per_period} h of horizon; "
                    f"the horizon has {self.periods * self.step_h:g} h: lower typical_periods or drop aggregation"
                )
        return self


# --------------------------------------------------------------------------------------------------- grid
class Growth(Strict):
    """Scale factors from the segment's reference year to the study year."""

    load: NonNeg = 1.0
    pv: NonNeg = 1.0
    wind: NonNeg = 1.0


class SegmentSpec(Strict):
    name: Name
    source: str = Field(
        description="A folder name in networks/, a pandapower JSON path (relative to the scenario), "
        "or 'simbench:<code>'."
    )
    zone: Name = Field(description="Price zone of the segment, e.g. NL or DE.")
    growth: Growth = Growth()


class TieSpec(Strict):
    """A what-if electrical tie between buses of two segments (not the default: see DOMAIN notes)."""

    name: Name
    from_bus: str = Field(description="'segment/bus name'.")
    to_bus: str = Field(description="'segment/bus name'.")
    length_km: Positive
    std_type: str | None = Field(None, description="pandapower line standard type; default by voltage.")
    max_i_ka: Positive | None = None


class GridSpec(Strict):
    segments: list[SegmentSpec] = Field(min_length=1)
    ties: list[TieSpec] = []
    flow_model: Literal["dc", "transport", "copperplate"] = Field(
        "dc", description="dc: PTDF flows; transport: flows free within limits; copperplate: no branch limits."
    )
    loading_limit_pct: float = Field(100.0, gt=0, le=200, description="Branch loading limit, % of rating.")
    dc_margin_pct: float = Field(5.0, ge=0, lt=50, description="Safety margin on DC flows for AC effects, %.")
    base_flow: Literal["ac", "dc"] = Field(
        "ac",
        description="dc flow model: branch flows without hub assets from the AC power flow (ac: the PTDF carries "
        "only the hubs' change) or from the DC flow (dc: pure PTDF model).",
    )
    voltage_band_pu: tuple[VoltagePu, VoltagePu] = Field(
        (0.9, 1.1), description="Allowed bus voltage band (AC check), [low, high] with low below high."
    )

    @model_validator(mode="after")
    def _band_ordered(self) -> Self:
        low, high = self.voltage_band_pu
        if low >= high:
            raise ValueError(f"voltage_band_pu: the low end {low:g} must be below the high end {high:g}")
        return self


# --------------------------------------------------------------------------------------------------- markets
class MarketSpec(Strict):
    zone: Name
    energy_price_eur_per_mwh: Series
    export_price_eur_per_mwh: Series | None = Field(None, description="Default: the energy price.")
    grid_energy_tariff_eur_per_mwh: Series = 0.0
    co2_intensity_t_per_mwh: Series = 0.0
    co2_price_eur_per_t: NonNeg = 0.0


# --------------------------------------------------------------------------------------------------- hubs
class ConnectionSpec(Strict):
    """The hub's grid connection: contracted transport capacity (GTV) and the kind of transport right."""

    import_mw: NonNeg = Field(description="Contracted offtake capacity (GTV afname).")
    export_mw: NonNeg = Field(description="Contracted feed-in capacity (GTV invoeding).")
    right: Literal["firm", "time_duration", "time_block"] = "firm"
    firm_share: Fraction | None = Field(
        None, description="time_duration: share of the hours in which the full capacity is firm."
    )
    firm_hours: list[Annotated[int, Field(ge=0, le=23)]] | None = Field(
        None, description="time_block: hours of the day (0-23) in which the full capacity is firm."
    )
    non_firm_frac: Fraction = Field(0.0, description="Share of the capacity left in non-firm hours.")
    group: Name | None = Field(None, description="A group contract (groups[].name) shared with other hubs.")

    @field_validator("firm_share", "firm_hours")
    @classmethod
    def _only_for_its_right(cls, value: Any, info: ValidationInfo) -> Any:
        right = info.data.get("right")
        wanted = "time_duration" if info.field_name == "firm_share" else "time_block"
        if value is not None and right is not None and right != wanted:
            raise ValueError(
                f"{info.field_name} applies only to right '{wanted}' and does nothing for right '{right}'; "
                f"remove it or set right: {wanted}"
            )
        return value

    @model_validator(mode="after")
    def _right_fields(self) -> Self:
        if self.right == "time_duration" and self.firm_share is None:
            raise ValueError("right 'time_duration' needs firm_share (the firm share of hours, 0-1)")
        if self.right == "time_block" and not self.firm_hours:
            raise ValueError("right 'time_block' needs firm_hours (hours of the day 0-23)")
        if self.right == "firm" and "non_firm_frac" in self.model_fields_set:
            raise ValueError(
                "non_firm_frac does nothing for right 'firm' (every hour is firm); remove it or choose right "
                "'time_duration' or 'time_block'"
            )
        return self


class TariffSpec(Strict):
    contracted_eur_per_kw_year: NonNeg = Field(0.0, description="Per kW of contracted import per year.")
    monthly_peak_eur_per_kw: NonNeg = Field(0.0, description="Per kW of each month's import peak.")
    energy_eur_per_mwh: NonNeg = Field(0.0, description="Per MWh imported.")
    fixed_eur_per_year: NonNeg = 0.0


class GenerationSpec(Strict):
    capacity_mw: NonNeg
    profile_pu: Series = Field(description="Output per unit of capacity, 0-1.")


class HubSpec(Strict):
    name: Name
    bus: str = Field(description="Grid bus as 'segment/bus name'.")
    connection: ConnectionSpec
    tariffs: TariffSpec = TariffSpec()
    demand_mw: Series = 0.0
    h2_demand_kg_per_h: Series = 0.0
    pv: GenerationSpec | None = None
    wind: GenerationSpec | None = None

    @property
    def segment(self) -> str:
        return self.bus.split("/", 1)[0]


class GroupSpec(Strict):
    """A group transport agreement: several hubs share one contracted capacity."""

    name: Name
    hubs: list[Name] = Field(min_length=2)
    import_mw: NonNeg
    export_mw: NonNeg


# --------------------------------------------------------------------------------------------------- assets
#: The most identical units (electrolyser stacks, biogas engines) of one asset: each is a variable per time step.
MAX_UNITS = 1000


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


class _Asset(Strict):
    name: Name
    lifetime_years: Lifetime = 20
    fixed_om_pct_per_year: FixedOm = 0.0


class BatteryAsset(_Asset):
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


class PartLoadPoint(Strict):
    load_frac: Annotated[float, Field(gt=0, le=1)]
    kwh_per_kg: Positive


class ElectrolyserAsset(_Asset):
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


class H2StorageAsset(_Asset):
    type: Literal["h2_storage"]
    hub: Name
    capacity_kg: MassSize
    max_flow_kg_per_h: Positive | None = Field(None, description="Charge and discharge rate limit.")


class BiogasAsset(_Asset):
    type: Literal["biogas"]
    hub: Name
    unit_mw: Positive = Field(description="Electrical rating of one engine.")
    units: UnitCount
    capex_eur_per_mw: NonNeg = 0.0
    electrical_efficiency: Efficiency = 0.4
    biogas_supply_mwh_per_day: NonNeg = Field(description="Biogas (fuel energy) produced per day, evenly.")
    storage_mwh: EnergySize = EnergySize()
    min_load_frac: float = Field(0.4, ge=0, lt=1)
    min_up_h: NonNeg = 0.0
    min_down_h: NonNeg = 0.0
    start_cost_eur: NonNeg = Field(0.0, description="Per start of one engine.")
    fuel_cost_eur_per_mwh: NonNeg = Field(0.0, description="Per MWh of biogas burnt.")
    variable_om_eur_per_mwh: NonNeg = Field(0.0, description="Per MWh of electricity.")


class ReinforcementAsset(_Asset):
    type: Literal["reinforcement"]
    branch: str = Field(description="'segment/branch name' of a line or transformer.")
    added_mva: Positive = Field(description="Rating added if built.")
    capex_eur: NonNeg
    lifetime_years: Lifetime = 40


Asset = Annotated[
    BatteryAsset | ElectrolyserAsset | H2StorageAsset | BiogasAsset | ReinforcementAsset,
    Field(discriminator="type"),
]


# --------------------------------------------------------------------------------------------------- links
class LinkSpec(Strict):
    """Hydrogen or biogas transport between two hubs (pipeline, trailer): the default cross-border coupling."""

    name: Name
    carrier: Literal["hydrogen", "biogas"]
    from_hub: Name
    to_hub: Name
    capacity_kg_per_h: Positive | None = Field(None, description="hydrogen links.")
    capacity_mw: Positive | None = Field(None, description="biogas links (fuel energy).")
    cost_eur_per_kg: NonNeg = Field(0.0, description="hydrogen links, per kg carried.")
    cost_eur_per_mwh: NonNeg = Field(0.0, description="biogas links, per MWh carried.")
    bidirectional: bool = True

    @model_validator(mode="after")
    def _capacity_unit(self) -> Self:
        if self.carrier == "hydrogen" and self.capacity_kg_per_h is None:
            raise ValueError("a hydrogen link needs capacity_kg_per_h")
        if self.carrier == "biogas" and self.capacity_mw is None:
            raise ValueError("a biogas link needs capacity_mw")
        if self.from_hub == self.to_hub:
            raise ValueError("from_hub and to_hub are the same hub")
        return self

    @property
    def capacity(self) -> float:
        value = self.capacity_kg_per_h if self.carrier == "hydrogen" else self.capacity_mw
        assert value is not None
        return value

    @property
    def unit_cost(self) -> float:
        return self.cost_eur_per_kg if self.carrier == "hydrogen" else self.cost_eur_per_mwh


# --------------------------------------------------------------------------------------------------- rest
class Economics(Strict):
    discount_rate: float = Field(0.06, ge=0, le=0.5)
    voll_eur_per_mwh: NonNeg = Field(10_000.0, description="Value of lost load (load shedding).")
    h2_shortfall_eur_per_kg: NonNeg = Field(15.0, description="Price of unmet hydrogen demand.")
    overload_penalty_eur_per_mwh: NonNeg = Field(5_000.0, description="Penalty on branch overload slack.")
    curtailment_eur_per_mwh: NonNeg = Field(0.0, description="Cost of curtailing local PV and wind.")


class SolverSpec(Strict):
    preset: str = Field("default", description="A preset file solvers/<preset>.opt.")
    time_limit_s: Positive | None = None
    mip_gap: float | None = Field(None, ge=0, le=1)
    threads: int | None = Field(None, ge=1, le=64)
    options: dict[str, bool | int | float | str] = Field({}, description="Further HiGHS options, by name.")


class Scenario(Strict):
    version: Literal[1] = 1
    name: Name
    description: str = ""
    time: TimeSpec
    grid: GridSpec
    markets: list[MarketSpec] = Field(min_length=1)
    hubs: list[HubSpec] = []
    groups: list[GroupSpec] = []
    assets: list[Asset] = []
    links: list[LinkSpec] = []
    economics: Economics = Economics()
    solver: SolverSpec = SolverSpec()

    def hub(self, name: str) -> HubSpec:
        return next(h for h in self.hubs if h.name == name)

    def market(self, zone: str) -> MarketSpec:
        return next(m for m in self.markets if m.zone == zone)

    def segment(self, name: str) -> SegmentSpec:
        return next(s for s in self.grid.segments if s.name == name)

    def hub_zone(self, hub: HubSpec) -> str:
        return self.segment(hub.segment).zone


#: Asset classes by their ``type`` tag.
ASSET_TYPES: dict[str, type[Strict]] = {
    "battery": BatteryAsset,
    "electrolyser": ElectrolyserAsset,
    "h2_storage": H2StorageAsset,
    "biogas": BiogasAsset,
    "reinforcement": ReinforcementAsset,
}
