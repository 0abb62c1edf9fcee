"""Scenario format v1: the pydantic models of a scenario YAML file.

Every quantity carries its unit in its name (``import_mw``, ``capex_eur_per_mwh``, ``kwh_per_kg``). A time series
field (type :data:`Series`) is either a constant or a reference ``file.csv#column`` / ``file.parquet#column``
relative to the scenario file. Sizes of assets are ranges on the *total* capacity: ``existing`` is already built
and costs nothing, capacity above it costs ``capex_…`` and is annualised over ``lifetime_years``.

The format is documented with an annotated example in ``docs/scenario-format.md``; ``energyhub schema`` exports
it as JSON Schema.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, Literal, Self, Union

from pydantic import Field, ValidationInfo, create_model, field_validator, model_validator

from energyhub.scenario.components import ASSET_CLASSES, HUB_FIELDS, LINK_CARRIERS
from energyhub.scenario.types import (  # noqa: F401  (re-exported: the scenario's building blocks)
    MAX_MAGNITUDE,
    MAX_UNITS,
    AssetBase,
    Efficiency,
    EnergySize,
    Fraction,
    Lifetime,
    MassSize,
    Name,
    NonNeg,
    Positive,
    PowerSize,
    Series,
    Strict,
    UnitCount,
    VoltagePu,
)


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
        False,
        description="Link storage levels across typical periods (inter-period state of charge, Kotzur et al. "
        "2018): a store may carry energy from one day of the horizon to another in the sizing (seasonal storage); "
        "false keeps each store cyclic within each typical period. Off by default: it made the reference study's "
        "sizing about 8x slower for the same answer (its stores work within the day).",
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

    @field_validator("start", mode="before")
    @classmethod
    def _a_date_and_time(cls, value: Any) -> Any:
        if isinstance(value, int | float):  # pydantic would read a number as seconds since 1970 in UTC
            raise ValueError("give the first time step as a date and time, e.g. 2030-01-01 00:00, not a number")
        return value

    @field_validator("start")
    @classmethod
    def _no_time_zone(cls, value: datetime) -> datetime:
        if value.tzinfo is not None:
            raise ValueError("give the first time step in local standard time without a time zone, e.g. "
                             "2030-01-01 00:00 (the series are read as local standard time, no DST)")
        return value

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
    ptdf_tolerance: float = Field(
        1e-3, ge=0, le=0.05,
        description="dc flow model: PTDF entries (MW of branch flow per MW a hub injects) at most this large are "
        "left out of the branch rows, and each row's limit is tightened by the most those entries can add, so "
        "that every solution still holds with the full PTDF. 0 keeps every entry.",
    )
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


class HubBase(Strict):
    """A hub; components add fields (e.g. a heat demand) through the schema registry (:class:`HubSpec`)."""

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


if TYPE_CHECKING:
    class HubSpec(HubBase):
        def __getattr__(self, name: str) -> Any: ...  # fields added by components
else:
    HubSpec = create_model("HubSpec", __base__=HubBase, __module__=__name__,
                           __doc__="A hub: its bus, connection, demands and local generation.", **HUB_FIELDS)


class GroupSpec(Strict):
    """A group transport agreement: several hubs share one contracted capacity."""

    name: Name
    hubs: list[Name] = Field(min_length=2)
    import_mw: NonNeg
    export_mw: NonNeg


# --------------------------------------------------------------------------------------------------- assets
# --------------------------------------------------------------------------------------------------- assets
#: Asset classes by their ``type`` tag, from the schema registry (:mod:`energyhub.scenario.components`).
ASSET_TYPES: dict[str, type[AssetBase]] = dict(ASSET_CLASSES)

if TYPE_CHECKING:
    Asset = AssetBase
else:
    Asset = Annotated[Union[tuple(ASSET_TYPES.values())], Field(discriminator="type")]  # noqa: UP007


# --------------------------------------------------------------------------------------------------- links
if TYPE_CHECKING:
    LinkCarrier = str
else:
    LinkCarrier = Literal[tuple(LINK_CARRIERS)]


class LinkSpec(Strict):
    """Hydrogen or biogas transport between two hubs (pipeline, trailer): the default cross-border coupling."""

    name: Name
    carrier: LinkCarrier
    from_hub: Name
    to_hub: Name
    capacity_kg_per_h: Positive | None = Field(None, description="hydrogen links.")
    capacity_mw: Positive | None = Field(None, description="links of carriers in MW (biogas fuel energy, heat).")
    cost_eur_per_kg: NonNeg = Field(0.0, description="hydrogen links, per kg carried.")
    cost_eur_per_mwh: NonNeg = Field(0.0, description="links of carriers in MW, per MWh carried.")
    bidirectional: bool = True

    @model_validator(mode="after")
    def _capacity_unit(self) -> Self:
        if getattr(self, f"capacity_{self.unit}") is None:
            raise ValueError(f"a {self.carrier} link needs capacity_{self.unit}")
        if self.from_hub == self.to_hub:
            raise ValueError("from_hub and to_hub are the same hub")
        return self

    @property
    def unit(self) -> str:
        """The unit of the carried quantity per hour: ``kg_per_h`` or ``mw`` (from the carrier's registry entry)."""
        return LINK_CARRIERS[self.carrier]

    @property
    def capacity(self) -> float:
        value = getattr(self, f"capacity_{self.unit}")
        assert value is not None
        return float(value)

    @property
    def cost_field(self) -> str:
        """The name of the per-quantity cost field: ``cost_eur_per_kg`` or ``cost_eur_per_mwh``."""
        return "cost_eur_per_kg" if self.unit == "kg_per_h" else "cost_eur_per_mwh"

    @property
    def unit_cost(self) -> float:
        return float(getattr(self, self.cost_field))


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

