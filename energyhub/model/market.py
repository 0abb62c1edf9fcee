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


PTDF_EPS = 1e-9


def dumping_pays(hm: HubModel) -> dict[str, np.ndarray]:
    """Per hub, the steps (mask, n) in which consuming one more MWh at the hub can lower the cost.

    A battery that charges and discharges in the same step consumes energy (its losses) at its hub and nothing
    else: that can only pay where extra consumption at the hub is worth something. Electricity enters a hub's
    balance only at that hub (links carry hydrogen and biogas), so these are all the ways, per step t:

    * the import cost (price + tariffs + CO2) is negative: more import earns money;
    * the export price is negative: less export saves money;
    * curtailment has a cost and local PV/wind is available: consuming it avoids curtailment;
    * a network row that screening keeps can be relieved by withdrawal at the hub (an upper row of a branch
      with PTDF > 0, a lower row with PTDF < 0), e.g. export congestion from the grid's own generation: the
      overload penalty falls (whatever its value, as a sweep may change it in place); with ``transport``
      flows every step of a hub on a grid with branches (flows are free, any branch may be relieved);
    * a biogas engine at the hub can be forced to run (min load > 0 and a minimum up or down time over one step or
      a start cost): its min-load output must go somewhere.

    Hydrogen and biogas shortfalls, VOLL, capacity and peak tariffs all price *less* supply or *more* import,
    never more consumption. Storage moves energy between steps of its cyclic segment, so batteries get their
    binary in every step of a segment holding such a step (:func:`energyhub.model.battery.dumping_steps`).
    """
    n = hm.time.n
    out: dict[str, np.ndarray] = {}
    relief = _overload_relief(hm)
    curt = hm.scenario.economics.curtailment_eur_per_mwh
    available = hm.info.get("generation_available_mw", {})
    for hub in hm.hubs:
        zone = hm.hub_zone(hub)
        pays = import_cost_eur_per_mwh(hm, hub) < 0
        pays |= hm.market_series(zone, "export_price_eur_per_mwh") < 0
        if curt > 0:
            pays |= np.asarray(available.get(hub, np.zeros(n))) > 0
        pays |= relief.get(hub, np.zeros(n, dtype=bool))
        if _must_run(hm, hub):
            pays |= True
        out[hub] = np.asarray(pays, dtype=bool)
    return out


def _overload_relief(hm: HubModel) -> dict[str, np.ndarray]:
    """Per hub, the steps in which more withdrawal at the hub relieves a branch row of the network model."""
    from energyhub.model import network

    grid, model = hm.grid, hm.scenario.grid.flow_model
    n = hm.time.n
    if model == "copperplate" or grid.n_branches == 0:
        return {}
    if model == "transport":
        return {h: np.ones(n, dtype=bool) for h in hm.hubs}
    _, _, upper, lower = network.screened_at_build(hm)
    out: dict[str, np.ndarray] = {}
    for h in [h for h in hm.hubs if h in grid.hub_names]:
        col = grid.ptdf_hub[:, grid.hub_names.index(h)]
        relieves_upper = np.any(upper & (col > PTDF_EPS)[None, :], axis=1)
        relieves_lower = np.any(lower & (col < -PTDF_EPS)[None, :], axis=1)
        out[h] = np.asarray(relieves_upper | relieves_lower, dtype=bool)
    return out


def _must_run(hm: HubModel, hub: str) -> bool:
    """Whether some asset at ``hub`` may have to produce when nothing wants its output (its component's
    :attr:`~energyhub.model.registry.Component.must_run`)."""
    from energyhub.model.registry import components

    return any(c.must_run is not None and c.must_run(hm, hub) for c in components())


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
