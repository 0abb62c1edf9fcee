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

import pyomo.environ as pyo

from energyhub.model import costs, linking
from energyhub.model.battery import size_bounds
from energyhub.model.core import HubModel
from energyhub.scenario.schema import H2StorageAsset


def add(hm: HubModel) -> None:
    """Hydrogen stores, shortfall and balances."""
    _add_storage(hm)
    m, steps = hm.m, hm.steps
    demand = {h: hm.hub_series(h, "h2_demand_kg_per_h") for h in hm.hubs}
    hubs = [h for h in hm.hubs if hm.h2_terms.get(h) or demand[h].any()]
    hm.info["h2_hubs"] = hubs
    if not hubs:
        return
    m.h2_short_kg_per_h = pyo.Var(hubs, steps, bounds=lambda _m, h, t: (0.0, float(demand[h][t])))
    price = hm.scenario.economics.h2_shortfall_eur_per_kg
    for h in hubs:
        hm.add_cost("h2_shortfall", m.h2_short_kg_per_h, [(h, t) for t in steps], hm.step_cost(),
                    param="economics.h2_shortfall_eur_per_kg", param_value=price)
    terms = hm.h2_terms

    def rule(_m: pyo.ConcreteModel, h: str, t: int) -> object:
        supply = sum(c * var[key, t] for c, var, key in terms.get(h, []))
        return supply + m.h2_short_kg_per_h[h, t] >= float(demand[h][t])

    m.h2_balance = pyo.Constraint(hubs, steps, rule=rule)


def _add_storage(hm: HubModel) -> None:
    stores: list[H2StorageAsset] = hm.assets_of("h2_storage")
    if not stores:
        return
    m, steps, dt = hm.m, hm.steps, hm.time.step_h
    prev = hm.time.storage_prev()
    spec = {s.name: s for s in stores}
    names = list(spec)
    m.H2S = pyo.Set(initialize=names, ordered=True)
    bounds = {s: size_bounds(spec[s].capacity_kg, False) for s in names}
    m.h2s_kg = pyo.Var(m.H2S, bounds=lambda _m, s: bounds[s])
    flow = {s: (0.0, spec[s].max_flow_kg_per_h) for s in names}
    m.h2s_ch = pyo.Var(m.H2S, steps, bounds=lambda _m, s, t: flow[s])
    m.h2s_dis = pyo.Var(m.H2S, steps, bounds=lambda _m, s, t: flow[s])
    m.h2s_level_kg = pyo.Var(m.H2S, steps, bounds=lambda _m, s, t: (0.0, bounds[s][1]))
    m.h2s_level_limit = pyo.Constraint(
        m.H2S, steps, rule=lambda _m, s, t: m.h2s_level_kg[s, t] <= m.h2s_kg[s]
    )
    m.h2s_dynamics = pyo.Constraint(
        m.H2S, steps,
        rule=lambda _m, s, t: m.h2s_level_kg[s, t]
        == (m.h2s_level_kg[s, int(prev[t])] if prev[t] >= 0 else hm.initial_state("h2s_level_kg", s))
        + dt * (m.h2s_ch[s, t] - m.h2s_dis[s, t]),
    )
    linking.declare(hm, "h2s_level_kg", "h2s_kg", "h2s_level_limit", dict.fromkeys(names, 1.0))
    for s in stores:
        hm.h2_terms[s.hub] += [(1.0, m.h2s_dis, s.name), (-1.0, m.h2s_ch, s.name)]
        costs.add_capex(hm, s, m.h2s_kg[s.name], s.capacity_kg.capex_eur_per_kg, s.capacity_kg.existing,
                        f"assets.{s.name}.capacity_kg.capex_eur_per_kg")
