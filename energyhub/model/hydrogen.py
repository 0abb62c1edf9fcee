"""Hydrogen at each hub: storage, demand with priced shortfall, and the hub hydrogen balance.

Per hydrogen store s (set ``H2S``) and step t: size ``h2s_kg[s]`` (capex per kg above existing), level
``h2s_level_kg[s,t] ≤ h2s_kg[s]``, charge/discharge ``h2s_ch/h2s_dis[s,t] ∈ [0, max_flow_kg_per_h]`` and
``level[t] = level[prev(t)] + (ch[t] − dis[t])·Δt`` (cyclic, lossless;
in a window the level before its first step is the window's initial level; linked across typical periods:
:mod:`energyhub.model.linking`).

Balance per hub h with any hydrogen term or demand (kg/h):

    Σ electrolysers h2 + Σ stores (dis − ch) + Σ links in − Σ links out + shortfall[h,t] ≥ demand[h,t]

The inequality lets surplus hydrogen be vented at no cost. ``shortfall ∈ [0, demand]`` costs
``h2_shortfall_eur_per_kg`` per kg.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyomo.environ as pyo

from energyhub.model import costs, linking, rows
from energyhub.model.battery import size_bounds
from energyhub.model.core import HubModel
from energyhub.model.electrolyser import H2_KG_PER_H
from energyhub.model.registry import Carrier, Component, HorizonSum, LiveCapex, Output, Size, State, Values
from energyhub.model.sizes import fix_given, flow_limit
from energyhub.scenario.components.hydrogen import H2StorageAsset

#: Hydrogen (kg/h): Σ supply terms + shortfall ≥ demand; a surplus is vented at no cost.
HYDROGEN = Carrier("hydrogen", "kg/h", "h2_balance", ">=",
                   "hydrogen balance of hub {0} (demand must be met or shortfall is capped at demand)")


def add(hm: HubModel) -> None:
    """Hydrogen stores, shortfall and the demand side of the balances."""
    _add_storage(hm)
    m, steps = hm.m, hm.steps
    demand = {h: hm.hub_series(h, "h2_demand_kg_per_h") for h in hm.hubs}
    hubs = [h for h in hm.hubs if hm.has_balance(HYDROGEN.name, h) or demand[h].any()]
    hm.info["h2_hubs"] = hubs
    if not hubs:
        return
    hm.step_var("h2_short_kg_per_h", hubs, {h: np.asarray(demand[h], dtype=float) for h in hubs})
    price = hm.scenario.economics.h2_shortfall_eur_per_kg
    for h in hubs:
        hm.add_cost("h2_shortfall", m.h2_short_kg_per_h, [(h, t) for t in steps], hm.step_cost(),
                    param="economics.h2_shortfall_eur_per_kg", param_value=price)
        hm.add_term(HYDROGEN.name, h, 1.0, m.h2_short_kg_per_h, h)
        hm.add_rhs(HYDROGEN.name, h, demand[h])


def _add_storage(hm: HubModel) -> None:
    stores: list[H2StorageAsset] = hm.assets_of("h2_storage")
    if not stores:
        return
    m, dt = hm.m, hm.time.step_h
    spec = {s.name: s for s in stores}
    names = list(spec)
    m.H2S = pyo.Set(initialize=names, ordered=True)
    bounds = {s: size_bounds(spec[s].capacity_kg, False) for s in names}
    m.h2s_kg = pyo.Var(m.H2S, bounds=lambda _m, s: bounds[s])
    fix_given(hm, m.h2s_kg)
    flow = {s: (0.0, spec[s].max_flow_kg_per_h) for s in names}
    hm.step_var("h2s_ch", m.H2S, {s: flow[s][1] for s in names})
    hm.step_var("h2s_dis", m.H2S, {s: flow[s][1] for s in names})
    hm.step_var("h2s_level_kg", m.H2S, {s: bounds[s][1] for s in names})
    flow_limit(hm, "h2s_level_limit", m.h2s_level_kg, m.h2s_kg, names)
    # level[t] − level[prev] − Δt·ch[t] + Δt·dis[t] = 0, or = the initial level in a window's first step
    lossless, dt_of = dict.fromkeys(names, 1.0), dict.fromkeys(names, dt)
    rows.storage_levels(hm, "h2s_dynamics", m.h2s_level_kg, m.h2s_ch, m.h2s_dis, lossless, dt_of, dt_of)
    linking.declare(hm, "h2s_level_kg", "h2s_kg", "h2s_level_limit", dict.fromkeys(names, 1.0))
    for s in stores:
        hm.add_term(HYDROGEN.name, s.hub, 1.0, m.h2s_dis, s.name)
        hm.add_term(HYDROGEN.name, s.hub, -1.0, m.h2s_ch, s.name)
        costs.add_capex(hm, s, m.h2s_kg[s.name], s.capacity_kg.capex_eur_per_kg, s.capacity_kg.existing,
                        f"assets.{s.name}.capacity_kg.capex_eur_per_kg")


def extract(hm: HubModel, values: Values) -> dict[str, dict[str, np.ndarray]]:
    """Hydrogen released (+) or stored (−) and level per store; demand and shortfall per hub."""
    m = hm.m
    out: dict[str, dict[str, np.ndarray]] = {"h2_kg_per_h": {}, "h2_level_kg": {}, "h2_demand_kg_per_h": {},
                                             "h2_shortfall_kg_per_h": {}}
    for a in hm.assets_of("h2_storage"):
        out["h2_kg_per_h"][a.name] = values(m.h2s_dis, a.name) - values(m.h2s_ch, a.name)
        out["h2_level_kg"][a.name] = values(m.h2s_level_kg, a.name)
    for h in hm.hubs:
        out["h2_demand_kg_per_h"][h] = hm.hub_series(h, "h2_demand_kg_per_h")
    for h in hm.info.get("h2_hubs", []):
        out["h2_shortfall_kg_per_h"][h] = values(m.h2_short_kg_per_h, h)
    return out


def kpis(hm: HubModel, total: HorizonSum) -> dict[str, Any]:
    """Unmet hydrogen demand over the horizon (kg)."""
    return {"h2_shortfall_kg": float(total("h2_shortfall_kg_per_h").sum())}


COMPONENTS = (
    Component(
        "hydrogen", 70, add, assets=(H2StorageAsset,), carriers=(HYDROGEN,),
        states=(State("h2s_level_kg", "kg", "h2_shortfall_eur_per_kg"),),
        sizes=(Size("h2s_kg", "capacity_kg", "Capacity (kg)"),),
        outputs=(H2_KG_PER_H,
                 Output("h2_level_kg", "asset", "kg", "hydrogen storage level", "asset_storage", storage=True),
                 Output("h2_demand_kg_per_h", "hub", "kg/h", "hydrogen demand", "hub_hydrogen"),
                 Output("h2_shortfall_kg_per_h", "hub", "kg/h", "unmet hydrogen demand", "hub_hydrogen")),
        extract=extract, kpis=kpis,
        cost_categories={"h2_shortfall": "unmet hydrogen demand"},
        live_capex=(LiveCapex("capacity_kg.capex_eur_per_kg", "capacity_kg.existing"),),
        live_penalties={"economics.h2_shortfall_eur_per_kg": "h2_shortfall"},
        meaning={
            "h2s_dynamics": "level of hydrogen store {0}",
            "h2s_level_limit": "hydrogen store {0}: level ≤ capacity_kg",
            "h2s_level_kg": "level of hydrogen store {0} (at most capacity_kg)",
            "h2s_kg": "capacity_kg range of hydrogen store {0}",
        },
    ),
)
