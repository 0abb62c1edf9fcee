"""Heat: a hub heat demand met by electric boilers, heat pumps, thermal stores, gas boilers and biogas CHP heat.

Heat is a carrier (MW_th). Per hub h with a heat demand or a heat asset and step t (constraint ``heat_balance``):

    Σ_e η_e·eb_el_mw[e,t] + Σ_p COP_p[t]·hp_el_mw[p,t] + Σ_s (ts_dis_mw − ts_ch_mw)[s,t] + Σ_g gb_heat_mw[g,t]
      + Σ_c (η_th,c / η_el,c)·gas_p_mw[c,t] + Σ links in − Σ links out  ≥  heat_demand_mw_th[h,t]

The inequality lets surplus heat (CHP heat nobody needs) be dumped. Per asset:

* electric boiler e (``type: e_boiler``): size ``eb_p_mw[e]`` (MW electric, capex per MW above existing),
  ``0 ≤ eb_el_mw[e,t] ≤ eb_p_mw[e]``; electricity ``−eb_el_mw`` in the hub's electricity balance;
* heat pump p (``heat_pump``): size ``hp_p_mw[p]`` (MW_el), ``0 ≤ hp_el_mw[p,t] ≤ hp_p_mw[p]``, heat
  ``COP[t]·hp_el_mw`` (``cop`` a constant or a series); electricity ``−hp_el_mw``;
* thermal store s (``thermal_store``): size ``ts_e_mwh[s]`` (MWh_th), ``0 ≤ ts_level_mwh[s,t] ≤ ts_e_mwh[s]``,
  ``0 ≤ ts_ch_mw, ts_dis_mw ≤ max_power_mw_th`` and
  ``level[t] = keep·level[prev(t)] + (ch[t] − dis[t])·Δt`` with ``keep = (1 − loss_pct_per_day/100)^(Δt/24)``
  (cyclic within each segment of the time grid, as the battery);
* gas boiler g (``gas_boiler``): size ``gb_p_mw_th[g]`` (MW_th), ``0 ≤ gb_heat_mw[g,t] ≤ gb_p_mw_th[g]``; fuel
  ``gb_heat_mw/η_g`` costs ``fuel_price_eur_per_mwh`` (category ``fuel``) and
  ``co2_intensity_t_per_mwh × co2_price_eur_per_t`` of the hub's zone (category ``co2``) per MWh of gas;
* biogas CHP c with ``heat_efficiency > 0``: heat ``η_th/η_el × gas_p_mw`` (its fuel ``gas_p_mw/η_el`` times
  ``heat_efficiency``), at no extra cost.

Costs of operation are scaled by ``step_h × weight`` as every other; capex as :func:`energyhub.model.costs.add_capex`.
A hub with a heat demand and no heat source is an input error.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyomo.environ as pyo

from energyhub.errors import InputError
from energyhub.model import costs, linking
from energyhub.model.battery import P_MW, size_bounds
from energyhub.model.core import HubModel
from energyhub.model.registry import Carrier, Component, HorizonSum, LiveCapex, Output, Size, State, Values
from energyhub.model.sizes import fix_given, flow_limit
from energyhub.scenario.components.heat import (
    ElectricBoilerAsset,
    GasBoilerAsset,
    HeatPumpAsset,
    ThermalStoreAsset,
)
from energyhub.scenario.schema import Scenario

#: Heat (MW_th): Σ heat supply ≥ heat demand; a surplus is dumped.
HEAT = Carrier("heat", "MW_th", "heat_balance", ">=",
               "heat balance of hub {0} (the heat demand must be met by the hub's heat assets)")
ELECTRICITY = "electricity"
HEAT_TYPES = ("e_boiler", "heat_pump", "thermal_store", "gas_boiler")


def add(hm: HubModel) -> None:
    """Heat demand, heat assets and CHP heat (their balance is built with every carrier's)."""
    demand = {h: hm.hub_series(h, "heat_demand_mw_th") for h in hm.hubs}
    for h in hm.hubs:
        if demand[h].any():
            hm.add_rhs(HEAT.name, h, demand[h])
    _add_e_boilers(hm)
    _add_heat_pumps(hm)
    _add_stores(hm)
    _add_gas_boilers(hm)
    _add_chp(hm)
    _check_supplied(hm, demand)


def _converter(hm: HubModel, assets: list[Any], size_field: str, names: tuple[str, str, str]) -> None:
    """Size ``size[a]`` (bounded by the asset's ``size_field`` range), flow ``flow[a,t]`` and ``flow ≤ size``, on
    ``hm.m`` under ``names`` (size, flow, limit rows)."""
    m, keys = hm.m, [a.name for a in assets]
    size_name, flow_name, limit_name = names
    bounds = {a.name: size_bounds(getattr(a, size_field), False) for a in assets}
    m.add_component(size_name, pyo.Var(keys, bounds=lambda _m, n: bounds[n]))
    fix_given(hm, getattr(m, size_name))
    m.add_component(flow_name, pyo.Var(keys, hm.steps, bounds=lambda _m, n, t: (0.0, bounds[n][1])))
    flow_limit(hm, limit_name, getattr(m, flow_name), getattr(m, size_name), keys)


def _add_e_boilers(hm: HubModel) -> None:
    assets: list[ElectricBoilerAsset] = hm.assets_of("e_boiler")
    if not assets:
        return
    m = hm.m
    _converter(hm, assets, "power_mw", ("eb_p_mw", "eb_el_mw", "eb_limit"))
    for a in assets:
        hm.add_term(ELECTRICITY, a.hub, -1.0, m.eb_el_mw, a.name)
        hm.add_term(HEAT.name, a.hub, a.efficiency, m.eb_el_mw, a.name)
        costs.add_capex(hm, a, m.eb_p_mw[a.name], a.power_mw.capex_eur_per_mw, a.power_mw.existing,
                        f"assets.{a.name}.power_mw.capex_eur_per_mw")


def _add_heat_pumps(hm: HubModel) -> None:
    assets: list[HeatPumpAsset] = hm.assets_of("heat_pump")
    if not assets:
        return
    m = hm.m
    _converter(hm, assets, "power_mw", ("hp_p_mw", "hp_el_mw", "hp_limit"))
    for a in assets:
        cop = hm.asset_series(a.name, "cop")
        hm.add_term(ELECTRICITY, a.hub, -1.0, m.hp_el_mw, a.name)
        hm.add_term(HEAT.name, a.hub, np.asarray(cop, dtype=float), m.hp_el_mw, a.name)  # COP[t] × el[t]
        costs.add_capex(hm, a, m.hp_p_mw[a.name], a.power_mw.capex_eur_per_mw, a.power_mw.existing,
                        f"assets.{a.name}.power_mw.capex_eur_per_mw")


def _add_stores(hm: HubModel) -> None:
    assets: list[ThermalStoreAsset] = hm.assets_of("thermal_store")
    if not assets:
        return
    m, steps, dt = hm.m, hm.steps, hm.time.step_h
    prev = hm.time.storage_prev()
    spec = {a.name: a for a in assets}
    names = list(spec)
    bounds = {n: size_bounds(spec[n].energy_mwh_th, False) for n in names}
    flow = {n: (0.0, spec[n].max_power_mw_th) for n in names}
    keep = {n: (1.0 - spec[n].loss_pct_per_day / 100.0) ** (dt / 24.0) for n in names}
    m.ts_e_mwh = pyo.Var(names, bounds=lambda _m, n: bounds[n])
    fix_given(hm, m.ts_e_mwh)
    m.ts_ch_mw = pyo.Var(names, steps, bounds=lambda _m, n, t: flow[n])
    m.ts_dis_mw = pyo.Var(names, steps, bounds=lambda _m, n, t: flow[n])
    m.ts_level_mwh = pyo.Var(names, steps, bounds=lambda _m, n, t: (0.0, bounds[n][1]))
    flow_limit(hm, "ts_level_limit", m.ts_level_mwh, m.ts_e_mwh, names)
    m.ts_dynamics = pyo.Constraint(
        names, steps,
        rule=lambda _m, n, t: m.ts_level_mwh[n, t]
        == keep[n] * (m.ts_level_mwh[n, int(prev[t])] if prev[t] >= 0 else hm.initial_state("ts_level_mwh", n))
        + dt * (m.ts_ch_mw[n, t] - m.ts_dis_mw[n, t]),
    )
    linking.declare(hm, "ts_level_mwh", "ts_e_mwh", "ts_level_limit", keep)
    for a in assets:
        hm.add_term(HEAT.name, a.hub, 1.0, m.ts_dis_mw, a.name)
        hm.add_term(HEAT.name, a.hub, -1.0, m.ts_ch_mw, a.name)
        size = a.energy_mwh_th
        costs.add_capex(hm, a, m.ts_e_mwh[a.name], size.capex_eur_per_mwh, size.existing,
                        f"assets.{a.name}.energy_mwh_th.capex_eur_per_mwh")


def _add_gas_boilers(hm: HubModel) -> None:
    assets: list[GasBoilerAsset] = hm.assets_of("gas_boiler")
    if not assets:
        return
    m = hm.m
    _converter(hm, assets, "power_mw_th", ("gb_p_mw_th", "gb_heat_mw", "gb_limit"))
    step_cost = hm.step_cost()
    for a in assets:
        keys = [(a.name, t) for t in hm.steps]
        hm.add_term(HEAT.name, a.hub, 1.0, m.gb_heat_mw, a.name)
        fuel_per_heat = step_cost / a.efficiency
        hm.add_cost("fuel", m.gb_heat_mw, keys, fuel_per_heat, param=f"assets.{a.name}.fuel_price_eur_per_mwh",
                    param_value=a.fuel_price_eur_per_mwh)
        co2_price = hm.scenario.market(hm.hub_zone(a.hub)).co2_price_eur_per_t
        hm.add_cost("co2", m.gb_heat_mw, keys, fuel_per_heat * a.co2_intensity_t_per_mwh * co2_price)
        costs.add_capex(hm, a, m.gb_p_mw_th[a.name], a.power_mw_th.capex_eur_per_mw, a.power_mw_th.existing,
                        f"assets.{a.name}.power_mw_th.capex_eur_per_mw")


def _chp(hm: HubModel) -> list[Any]:
    """Biogas assets whose CHP heat is used."""
    return [g for g in hm.assets_of("biogas") if g.heat_efficiency > 0]


def _add_chp(hm: HubModel) -> None:
    for g in _chp(hm):
        hm.add_term(HEAT.name, g.hub, g.heat_efficiency / g.electrical_efficiency, hm.m.gas_p_mw, g.name)


def _check_supplied(hm: HubModel, demand: dict[str, np.ndarray]) -> None:
    for i, hub in enumerate(hm.scenario.hubs):
        bal = hm.balances.get(HEAT.name, {}).get(hub.name)
        if demand[hub.name].any() and (bal is None or not bal.terms):
            raise InputError(
                f"{hm.data.path}: hubs[{i}].heat_demand_mw_th: hub '{hub.name}' has a heat demand but no heat "
                f"source; add an asset of type {', '.join(HEAT_TYPES[:2])} or gas_boiler with hub: {hub.name}, "
                "or a heat link to it"
            )


# ------------------------------------------------------------------------------------------------- results
def extract(hm: HubModel, values: Values) -> dict[str, dict[str, np.ndarray]]:
    """Heat delivered (+) per heat asset and CHP, electricity drawn, store levels and the hub heat demand."""
    m = hm.m
    heat: dict[str, np.ndarray] = {}
    p_mw: dict[str, np.ndarray] = {}
    level: dict[str, np.ndarray] = {}
    for a in hm.assets_of("e_boiler"):
        p_mw[a.name] = -values(m.eb_el_mw, a.name)
        heat[a.name] = -a.efficiency * p_mw[a.name]
    for a in hm.assets_of("heat_pump"):
        p_mw[a.name] = -values(m.hp_el_mw, a.name)
        heat[a.name] = -hm.asset_series(a.name, "cop") * p_mw[a.name]
    for a in hm.assets_of("thermal_store"):
        heat[a.name] = values(m.ts_dis_mw, a.name) - values(m.ts_ch_mw, a.name)
        level[a.name] = values(m.ts_level_mwh, a.name)
    for a in hm.assets_of("gas_boiler"):
        heat[a.name] = values(m.gb_heat_mw, a.name)
    for g in _chp(hm):
        heat[g.name] = g.heat_efficiency / g.electrical_efficiency * values(m.gas_p_mw, g.name)
    demand = {h: hm.hub_series(h, "heat_demand_mw_th") for h in hm.hubs}
    return {"heat_mw_th": heat, "p_mw": p_mw, "heat_level_mwh_th": level, "heat_demand_mw_th": demand}


def kpis(hm: HubModel, total: HorizonSum) -> dict[str, Any]:
    """Heat demand, heat from gas boilers and their CO2 over the horizon."""
    boilers = hm.assets_of("gas_boiler")
    heat = total("heat_mw_th")
    by_boiler = {a.name: float(heat.sel(asset=a.name)) for a in boilers}
    return {
        "heat_demand_mwh_th": float(total("heat_demand_mw_th").sum()),
        "heat_from_gas_boilers_mwh_th": float(sum(by_boiler.values())),
        "gas_boiler_co2_t": float(sum(by_boiler[a.name] / a.efficiency * a.co2_intensity_t_per_mwh for a in boilers)),
    }


def used(scenario: Scenario) -> bool:
    """Whether the scenario has heat at all (else no heat variables are written to the results)."""
    return (any(a.type in HEAT_TYPES for a in scenario.assets)
            or any(getattr(a, "heat_efficiency", 0.0) > 0 for a in scenario.assets)
            or any(h.heat_demand_mw_th != 0.0 for h in scenario.hubs))


COMPONENTS = (
    Component(
        "heat", 75, add, assets=(ElectricBoilerAsset, HeatPumpAsset, ThermalStoreAsset, GasBoilerAsset),
        carriers=(HEAT,), states=(State("ts_level_mwh", "MWh_th"),),
        sizes=(Size("eb_p_mw", "power_mw", "Power (MW)"), Size("hp_p_mw", "power_mw", "Power (MW)"),
               Size("ts_e_mwh", "energy_mwh_th", "Energy (MWh_th)"),
               Size("gb_p_mw_th", "power_mw_th", "Heat output (MW_th)")),
        outputs=(P_MW,
                 Output("heat_mw_th", "asset", "MW_th", "heat delivered to the hub (+) or stored (−)",
                        "asset_dispatch"),
                 Output("heat_level_mwh_th", "asset", "MWh_th", "thermal store level", "asset_storage", storage=True),
                 Output("heat_demand_mw_th", "hub", "MW_th", "heat demand", "hub_heat")),
        extract=extract, outputs_when=used, kpis=kpis,
        cost_categories={"fuel": "fuel (gas boilers)", "co2": "CO2 of gas boilers"},
        meaning={
            "eb_limit": "electric boiler {0}: electricity ≤ power_mw",
            "hp_limit": "heat pump {0}: electricity ≤ power_mw",
            "gb_limit": "gas boiler {0}: heat ≤ power_mw_th",
            "ts_dynamics": "heat level of thermal store {0}",
            "ts_level_limit": "thermal store {0}: level ≤ energy_mwh_th",
            "eb_p_mw": "power_mw range of electric boiler {0}",
            "hp_p_mw": "power_mw range of heat pump {0}",
            "ts_e_mwh": "energy_mwh_th range of thermal store {0}",
            "gb_p_mw_th": "power_mw_th range of gas boiler {0}",
            "eb_el_mw": "electricity of electric boiler {0} (at most power_mw)",
            "hp_el_mw": "electricity of heat pump {0} (at most power_mw)",
            "gb_heat_mw": "heat of gas boiler {0} (at most power_mw_th)",
            "ts_level_mwh": "level of thermal store {0} (at most energy_mwh_th)",
            "ts_ch_mw": "charging of thermal store {0} (at most max_power_mw_th)",
            "ts_dis_mw": "discharging of thermal store {0} (at most max_power_mw_th)",
        },
        live_capex=(LiveCapex("power_mw.capex_eur_per_mw", "power_mw.existing"),
                    LiveCapex("energy_mwh_th.capex_eur_per_mwh", "energy_mwh_th.existing"),
                    LiveCapex("power_mw_th.capex_eur_per_mw", "power_mw_th.existing")),
    ),
)
