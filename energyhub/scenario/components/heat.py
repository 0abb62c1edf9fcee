"""Schema of heat: a hub heat demand, electric boilers, heat pumps, thermal stores and gas boilers.

Heat is a carrier (MW_th) with a balance at every hub that has a heat demand or a heat asset; links may carry it
(``capacity_mw``, ``cost_eur_per_mwh``). Hubs gain the field ``heat_demand_mw_th`` (a series, default 0) through
``HUB_FIELDS``. Biogas CHP heat is the biogas asset's ``heat_efficiency``.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from energyhub.scenario.types import AssetBase, Efficiency, EnergySize, Name, NonNeg, Positive, PowerSize, Series


class ElectricBoilerAsset(AssetBase):
    """An electric (resistance or electrode) boiler: heat = efficiency × electricity."""

    type: Literal["e_boiler"]
    hub: Name
    power_mw: PowerSize = Field(description="Electrical input rating (MW).")
    efficiency: Efficiency = Field(0.99, description="Heat out per electricity in.")


class HeatPumpAsset(AssetBase):
    """A heat pump: heat = COP × electricity, the COP a constant or a series (e.g. by source temperature)."""

    SERIES_FIELDS = ("cop",)
    type: Literal["heat_pump"]
    hub: Name
    power_mw: PowerSize = Field(description="Electrical input rating (MW_el).")
    cop: Series = Field(3.0, description="Coefficient of performance: MW_th per MW_el (constant or series, ≥ 0).")


class ThermalStoreAsset(AssetBase):
    """A heat store (hot water tank, steam accumulator): level losses per day, no charge/discharge losses."""

    type: Literal["thermal_store"]
    hub: Name
    energy_mwh_th: EnergySize = Field(description="Storage capacity (MWh_th); capex per MWh_th.")
    loss_pct_per_day: float = Field(0.0, ge=0, lt=100, description="Share of the level lost per day, %.")
    max_power_mw_th: Positive | None = Field(None, description="Charge and discharge limit (MW_th); default none.")


class GasBoilerAsset(AssetBase):
    """A natural-gas boiler, the fallback heat source: fuel = heat / efficiency, CO2 priced at the zone's price."""

    type: Literal["gas_boiler"]
    hub: Name
    power_mw_th: PowerSize = Field(description="Heat output rating (MW_th).")
    efficiency: Efficiency = Field(0.9, description="Heat out per fuel in.")
    fuel_price_eur_per_mwh: NonNeg = Field(description="Per MWh of gas burnt.")
    co2_intensity_t_per_mwh: NonNeg = Field(0.202, description="t CO2 per MWh of gas burnt (natural gas: 0.202).")


ASSETS = (ElectricBoilerAsset, HeatPumpAsset, ThermalStoreAsset, GasBoilerAsset)

#: Position of these asset types in the `Asset` union (and in the documentation).
ORDER = 60

#: Every hub may have a heat demand.
HUB_FIELDS = {"heat_demand_mw_th": (Series, Field(0.0, description="Heat demand (MW_th), constant or series."))}
HUB_SERIES = ("heat_demand_mw_th",)

#: Links may carry heat (capacity_mw, cost_eur_per_mwh).
LINK_CARRIERS = {"heat": "mw"}
