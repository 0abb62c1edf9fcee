"""Biogas engines: aggregated unit commitment with integers, biogas storage and the hub biogas balance.

Per biogas asset g (set ``GAS``) with unit rating U (MW electric), efficiency η and step t:

* ``built[g]`` integer in [max(min, existing), max]; ``on[g,t]`` integer, ``on ≤ built``;
* ``start[g,t] ≥ on[t] − on[prev(t)]``, ``start ≥ 0`` (continuous: at an optimum it equals max(0, Δon), which is
  integral; the minimum up/down rows only bound it from above);
* ``min_load_frac·U·on ≤ p_mw[g,t] ≤ U·on``;
* minimum up time (L_up = ⌈min_up_h/Δt⌉ steps): ``Σ_{k=0}^{L_up−1} start[t−k] ≤ on[t]`` — every unit started in
  the last L_up steps is still on;
* minimum down time (L_dn = ⌈min_down_h/Δt⌉ steps): ``Σ_{k=0}^{L_dn−1} start[t−k] ≤ built − on[t−L_dn]`` — a unit
  started in the last L_dn steps was off at t − L_dn (it must have been off for L_dn steps before its start);
* indices wrap around within the cyclic segment (the horizon, or each typical period); L is capped at the
  segment length. In a window of a decomposed dispatch nothing wraps: the first step counts no start, and sums
  and down times reaching back before the window's first step are cut there.

Biogas balance per hub with biogas assets or links (MW of fuel), with per-asset storage ``gas_level_mwh[g,t] ≤
gas_sto_mwh[g]``:

    supply_h + Σ links in − Σ links out − Σ_g p[g,t]/η_g − Σ_g (level[g,t] − level[g,prev(t)])/Δt ≥ 0

where supply_h = Σ_g biogas_supply_mwh_per_day/24 (spread evenly) and the slack is spilled (flared) biogas.
Costs: start cost per start, fuel cost per MWh of biogas burnt, variable O&M per MWh electric, capex per MW on
U·(built − existing), storage capex per MWh.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pyomo.environ as pyo

from energyhub.model import costs, linking, rows
from energyhub.model.battery import P_MW, size_bounds
from energyhub.model.core import HubModel
from energyhub.model.electrolyser import UNITS_ON
from energyhub.model.registry import Carrier, Component, LiveCapex, Output, PerUnit, Size, State, Values
from energyhub.model.sizes import fix_given, flow_limit
from energyhub.scenario.components.biogas import BiogasAsset

#: Biogas (MW of fuel): Σ supply terms − storage charging ≥ −supply; the slack is flared biogas.
BIOGAS = Carrier("biogas", "MW", "gas_balance", ">=", "biogas balance of hub {0}")


def add(hm: HubModel) -> None:
    """Engines, commitment, minimum up/down times and storage."""
    assets: list[BiogasAsset] = hm.assets_of("biogas")
    if not assets:
        return
    m = hm.m
    spec = {g.name: g for g in assets}
    names = list(spec)
    m.GAS = pyo.Set(initialize=names, ordered=True)
    lo, hi = {}, {}
    for g, s in spec.items():
        lo[g], hi[g] = size_bounds(s.units, False)
    m.gas_built = pyo.Var(m.GAS, domain=pyo.NonNegativeIntegers, bounds=lambda _m, g: (lo[g], hi[g]))
    fix_given(hm, m.gas_built)
    for g in names:
        if hi[g] - lo[g] < 0.5 and not m.gas_built[g].fixed:
            m.gas_built[g].fix(lo[g])
    hm.step_var("gas_on", m.GAS, hi, domain=pyo.NonNegativeIntegers)
    hm.step_var("gas_start", m.GAS, hi)
    hm.step_var("gas_p_mw", m.GAS, {g: hi[g] * spec[g].unit_mw for g in names})
    flow_limit(hm, "gas_on_limit", m.gas_on, m.gas_built, names)
    # p − U·on ≤ 0; f·U·on − p ≤ 0 (a running engine is at least at its minimum load)
    rows.per_step(hm, "gas_p_max", names, [(m.gas_p_mw, 1.0), (m.gas_on, {g: -spec[g].unit_mw for g in names})], "<=")
    low = [g for g in names if spec[g].min_load_frac > 0]
    rows.per_step(hm, "gas_p_min", low, [(m.gas_on, {g: spec[g].min_load_frac * spec[g].unit_mw for g in low}),
                                         (m.gas_p_mw, -1.0)], "<=")
    _add_commitment(hm, spec)
    _add_storage(hm, spec)
    _add_costs(hm, assets)


def window_steps(hours: float, step_h: float, segment_len: int) -> int:
    """Number of steps of a minimum up/down time, capped at the segment length."""
    return min(math.ceil(hours / step_h - 1e-9), segment_len)


def _add_commitment(hm: HubModel, spec: dict[str, BiogasAsset]) -> None:
    m, steps, tg = hm.m, hm.steps, hm.time
    prev = tg.prev()
    # a window's first step has no step before it: no start is counted there (the previous window's last step
    # is decided in parallel; the error is at most one start per unit and window)
    # on[t] − on[prev] − start[t] ≤ 0 (the rows in the order of the asset set, then of the steps)
    first = [g for g in m.GAS for t in steps if prev[t] >= 0]
    at = np.concatenate([np.flatnonzero(prev >= 0) for _ in m.GAS]).astype(np.int64)
    here = rows.grid_pos(m.gas_on, first, at)
    rows.declare(hm, "gas_start_def", (first, at), [
        rows.term(m.gas_on, here, 1.0), rows.term(m.gas_on, rows.grid_pos(m.gas_on, first, prev[at]), -1.0),
        rows.term(m.gas_start, rows.grid_pos(m.gas_start, first, at), -1.0),
    ], "<=")
    seg = tg.segment_length_min()
    up = {g: window_steps(s.min_up_h, tg.step_h, seg) for g, s in spec.items()}
    dn = {g: window_steps(s.min_down_h, tg.step_h, seg) for g, s in spec.items()}
    lags = {k: tg.lag(k) for k in {*range(max([*up.values(), *dn.values(), 1]) + 1)}}

    def started(g: str, t: int, length: int) -> object:
        return sum(m.gas_start[g, int(lags[k][t])] for k in range(length) if lags[k][t] >= 0)

    m.gas_min_up = pyo.Constraint(
        [g for g in spec if up[g] > 1], steps, rule=lambda _m, g, t: started(g, t, up[g]) <= m.gas_on[g, t]
    )
    # in a window, a down time reaching back before its first step is not enforced (the state there is unknown)
    m.gas_min_down = pyo.Constraint(
        [(g, t) for g in spec if dn[g] > 1 for t in steps if lags[dn[g]][t] >= 0],
        rule=lambda _m, g, t: started(g, t, dn[g]) <= m.gas_built[g] - m.gas_on[g, int(lags[dn[g]][t])],
    )


def _add_storage(hm: HubModel, spec: dict[str, BiogasAsset]) -> None:
    m = hm.m
    stores = [g for g, s in spec.items() if s.storage_mwh.upper > 0]
    bounds = {g: size_bounds(spec[g].storage_mwh, False) for g in stores}
    m.gas_sto_mwh = pyo.Var(stores, bounds=lambda _m, g: bounds[g])
    fix_given(hm, m.gas_sto_mwh)
    hm.step_var("gas_level_mwh", stores, {g: bounds[g][1] for g in stores})
    flow_limit(hm, "gas_level_limit", m.gas_level_mwh, m.gas_sto_mwh, stores)
    hm.info["gas_stores"] = stores
    linking.declare(hm, "gas_level_mwh", "gas_sto_mwh", "gas_level_limit", dict.fromkeys(stores, 1.0))
    for g in stores:
        sto = spec[g].storage_mwh
        costs.add_capex(hm, spec[g], m.gas_sto_mwh[g], sto.capex_eur_per_mwh, sto.existing,
                        f"assets.{g}.storage_mwh.capex_eur_per_mwh")


def _add_costs(hm: HubModel, assets: list[BiogasAsset]) -> None:
    m = hm.m
    step_cost = hm.step_cost()
    for g in assets:
        keys = [(g.name, t) for t in hm.steps]
        hm.add_term("electricity", g.hub, 1.0, m.gas_p_mw, g.name)
        hm.add_term(BIOGAS.name, g.hub, -1.0 / g.electrical_efficiency, m.gas_p_mw, g.name)
        costs.add_capex(hm, g, m.gas_built[g.name], g.capex_eur_per_mw * g.unit_mw, g.units.existing,
                        f"assets.{g.name}.capex_eur_per_mw")
        hm.add_cost("start", m.gas_start, keys, hm.time.weight, param=f"assets.{g.name}.start_cost_eur",
                    param_value=g.start_cost_eur)
        hm.add_cost("fuel", m.gas_p_mw, keys, step_cost / g.electrical_efficiency,
                    param=f"assets.{g.name}.fuel_cost_eur_per_mwh", param_value=g.fuel_cost_eur_per_mwh)
        hm.add_cost("variable_om", m.gas_p_mw, keys, step_cost,
                    param=f"assets.{g.name}.variable_om_eur_per_mwh", param_value=g.variable_om_eur_per_mwh)


def add_balance(hm: HubModel) -> None:
    """Supply and storage terms of the biogas balance of every hub with biogas assets (MW of fuel); the balance
    itself is built by :mod:`energyhub.model.balances`."""
    m, dt = hm.m, hm.time.step_h
    assets: list[BiogasAsset] = hm.assets_of("biogas")
    hubs = sorted({g.hub for g in assets})
    if not hubs:
        return
    prev = hm.time.storage_prev()
    supply = {h: sum(g.biogas_supply_mwh_per_day / 24.0 for g in assets if g.hub == h) for h in hubs}
    stores = hm.info.get("gas_stores", [])
    at_hub = {h: [g.name for g in assets if g.hub == h and g.name in stores] for h in hubs}

    for h in hubs:
        for g in at_hub[h]:  # −(level[t] − level[prev])/Δt: −level[t]/Δt + level[prev]/Δt, or + initial/Δt
            hm.add_term(BIOGAS.name, h, -1.0 / dt, m.gas_level_mwh, g)
            hm.add_term(BIOGAS.name, h, 1.0 / dt, m.gas_level_mwh, g, steps=prev)
            initial = hm.initial_state("gas_level_mwh", g)
            if initial:
                hm.add_rhs(BIOGAS.name, h, np.where(prev < 0, -initial * (1.0 / dt), 0.0))
        hm.add_rhs(BIOGAS.name, h, np.full(hm.time.n, -supply[h]))


def extract(hm: HubModel, values: Values) -> dict[str, dict[str, np.ndarray]]:
    """Electric output, running engines and biogas storage level per asset."""
    m = hm.m
    out: dict[str, dict[str, np.ndarray]] = {"p_mw": {}, "units_on": {}, "gas_level_mwh": {}}
    for a in hm.assets_of("biogas"):
        out["p_mw"][a.name] = values(m.gas_p_mw, a.name)
        out["units_on"][a.name] = values(m.gas_on, a.name)
        if a.name in hm.info.get("gas_stores", []):
            out["gas_level_mwh"][a.name] = values(m.gas_level_mwh, a.name)
    return out


def must_run(hm: HubModel, hub: str) -> bool:
    """A biogas engine at ``hub`` that may have to stay on at min load: a minimum up time over one step, a minimum
    down time over one step (stopping between two runs may be forbidden) or a start cost (stopping costs)."""
    step_h = hm.time.step_h

    def over_one_step(hours: float) -> bool:
        return math.ceil(hours / step_h - 1e-9) > 1

    return any(
        g.hub == hub and g.min_load_frac > 0
        and (over_one_step(g.min_up_h) or over_one_step(g.min_down_h) or g.start_cost_eur > 0)
        for g in hm.assets_of("biogas")
    )


def priced_sizes(asset: Any) -> list[tuple[str, float, float]]:
    """Engines priced per engine (capex per MW × unit rating) and the biogas store per MWh."""
    return [("units", asset.capex_eur_per_mw * asset.unit_mw, asset.units.existing),
            ("storage_mwh", asset.storage_mwh.capex_eur_per_mwh, asset.storage_mwh.existing)]


def build(hm: HubModel) -> None:
    """Engines, commitment and storage, then their biogas balance terms."""
    add(hm)
    add_balance(hm)


COMPONENTS = (
    Component(
        "biogas", 50, build, assets=(BiogasAsset,), carriers=(BIOGAS,), states=(State("gas_level_mwh", "MWh"),),
        sizes=(Size("gas_built", "units", "Units (count)"), Size("gas_sto_mwh", "storage_mwh", "Storage (MWh)")),
        per_unit=(PerUnit("units", "unit_mw", "power_mw", "Power (MW)"),),
        outputs=(P_MW, UNITS_ON,
                 Output("gas_level_mwh", "asset", "MWh", "biogas storage level", "asset_storage", storage=True)),
        extract=extract,
        cost_categories={"start": "engine starts", "fuel": "fuel (biogas burnt)"},
        meaning={
            "gas_min_up": "biogas {0}: min_up_h",
            "gas_min_down": "biogas {0}: min_down_h",
            "gas_p_min": "biogas {0}: minimum load",
            "gas_built": "units range of biogas asset {0}",
            "gas_on_limit": "biogas {0}: running engines ≤ built units",
            "gas_level_limit": "biogas {0}: storage level ≤ storage_mwh",
            "gas_on": "running engines of biogas asset {0} (at most the built units)",
            "gas_level_mwh": "biogas storage level of {0} (at most storage_mwh)",
        },
        live_capex=(LiveCapex("storage_mwh.capex_eur_per_mwh", "storage_mwh.existing"),),
        priced_sizes=priced_sizes, must_run=must_run,
    ),
)
