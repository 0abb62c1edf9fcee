"""Energy markets: zone prices, export revenue, grid energy tariffs and CO2 of imported electricity.

Per hub h in zone z and step t, scaled by ``step_h × weight[t]``:

* ``energy``: price_z[t] × imp_mw[h,t]
* ``grid_energy_tariff``: zone tariff_z[t] × imp_mw[h,t]; ``hub_energy_tariff``: the hub's tariff × imp_mw[h,t]
* ``co2``: co2_intensity_z[t] × co2_price_z × imp_mw[h,t]
* ``export_revenue``: −export_price_z[t] × exp_mw[h,t]
"""

from __future__ import annotations

import numpy as np

from energyhub.model.core import HubModel
from energyhub.model.registry import Component


def import_cost_eur_per_mwh(hm: HubModel, hub: str) -> np.ndarray:
    """Total marginal cost of one MWh imported by ``hub`` in each step (before step weighting)."""
    zone = hm.hub_zone(hub)
    market = hm.scenario.market(zone)
    tariff = hm.scenario.hub(hub).tariffs.energy_eur_per_mwh
    return (
        hm.market_series(zone, "energy_price_eur_per_mwh")
        + hm.market_series(zone, "grid_energy_tariff_eur_per_mwh")
        + hm.market_series(zone, "co2_intensity_t_per_mwh") * market.co2_price_eur_per_t
        + tariff
    )


def needs_no_dumping(hm: HubModel) -> bool:
    """True when some step pays for consuming energy (negative import cost or negative export price).

    Then lossy storage could burn energy by charging and discharging at once, and batteries get a binary.
    """
    for hub in hm.hubs:
        zone = hm.hub_zone(hub)
        if (import_cost_eur_per_mwh(hm, hub) < 0).any():
            return True
        if (hm.market_series(zone, "export_price_eur_per_mwh") < 0).any():
            return True
    return False


def add(hm: HubModel) -> None:
    """Cost terms of imports and exports at every hub."""
    m = hm.m
    step_cost = hm.step_cost()
    for hub in hm.hubs:
        zone = hm.hub_zone(hub)
        market = hm.scenario.market(zone)
        keys = [(hub, t) for t in hm.steps]
        parts = {
            "energy": hm.market_series(zone, "energy_price_eur_per_mwh"),
            "grid_energy_tariff": hm.market_series(zone, "grid_energy_tariff_eur_per_mwh"),
            "co2": hm.market_series(zone, "co2_intensity_t_per_mwh") * market.co2_price_eur_per_t,
        }
        for category, price in parts.items():
            hm.add_cost(category, m.imp_mw, keys, price * step_cost)
        tariff = hm.scenario.hub(hub).tariffs.energy_eur_per_mwh
        hm.add_cost("hub_energy_tariff", m.imp_mw, keys, step_cost, param=f"hubs.{hub}.tariffs.energy",
                    param_value=tariff)
        export = hm.market_series(zone, "export_price_eur_per_mwh")
        hm.add_cost("export_revenue", m.exp_mw, keys, -export * step_cost)


COMPONENTS = (
    Component("market", 20, add, cost_categories={
        "energy": "energy bought", "grid_energy_tariff": "zone grid energy tariff", "co2": "CO2 of imports",
        "hub_energy_tariff": "hub energy tariff", "export_revenue": "energy sold (negative)"}),
)
