"""Electrolysers: an integer number of built stacks and of running stacks per step (no big-M).

Per electrolyser e (set ``ELY``) with stack rating S (MW) and step t:

* ``built[e] ∈ {max(min, existing), …, max}`` (integer), ``run[e,t] ∈ {0, …, max}`` (integer), ``run ≤ built``;
* ``min_load_frac·S·run[e,t] ≤ p_mw[e,t] ≤ S·run[e,t]``: a running stack is at least at minimum load;
* hydrogen ``h2_kg_per_h[e,t] = p·1000/kwh_per_kg`` (constant efficiency), or with ``part_load`` the concave
  piecewise-linear upper bounds ``h2 ≤ a_k·p + b_k·S·run`` through the points (load_frac, kwh_per_kg) and the full-
  load point (1, kwh_per_kg); equal loading of the running stacks is optimal for a concave curve, so the bound
  is exact for the aggregated stacks;
* when ``min_load_frac = 0`` and there is no part-load curve, ``run`` is continuous (integrality cannot matter).

Electricity ``−p`` enters the hub's electricity balance, ``h2`` its hydrogen balance. Costs: capex per MW on
``S·(built − existing)``, variable O&M per MWh.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyomo.environ as pyo

from energyhub.errors import InputError
from energyhub.model import costs, rows
from energyhub.model.battery import P_MW, size_bounds
from energyhub.model.core import HubModel
from energyhub.model.registry import Component, HorizonSum, Output, PerUnit, Size, Values
from energyhub.model.sizes import fix_given, flow_limit
from energyhub.scenario.components.electrolyser import ElectrolyserAsset


def part_load_segments(e: ElectrolyserAsset) -> list[tuple[float, float]]:
    """(a_k kg/h per MW, b_k kg/h per MW of running stack capacity) of the hydrogen output bounds."""
    points = {1.0: e.kwh_per_kg}
    for p in e.part_load or []:
        points[p.load_frac] = p.kwh_per_kg
    loads = sorted(points)
    h2 = [f * 1000.0 / points[f] for f in loads]  # kg/h per MW of stack at load f
    if len(loads) == 1:
        return [(h2[0] / loads[0], 0.0)]
    segs = []
    for i in range(len(loads) - 1):
        a = (h2[i + 1] - h2[i]) / (loads[i + 1] - loads[i])
        segs.append((a, h2[i] - a * loads[i]))
    if any(segs[k + 1][0] > segs[k][0] + 1e-9 for k in range(len(segs) - 1)):
        raise InputError(
            f"assets '{e.name}'.part_load: the hydrogen output is not concave in the load (efficiency must not "
            "improve faster at higher loads); adjust the kwh_per_kg points"
        )
    return segs


def add(hm: HubModel) -> None:
    """All electrolysers of the scenario."""
    elys: list[ElectrolyserAsset] = hm.assets_of("electrolyser")
    if not elys:
        return
    m, steps = hm.m, hm.steps
    spec = {e.name: e for e in elys}
    names = list(spec)
    m.ELY = pyo.Set(initialize=names, ordered=True)
    lo, hi = {}, {}
    for e, s in spec.items():
        lo[e], hi[e] = size_bounds(s.stacks, False)
    m.ely_built = pyo.Var(m.ELY, domain=pyo.NonNegativeIntegers, bounds=lambda _m, e: (lo[e], hi[e]))
    fix_given(hm, m.ely_built)
    discrete = {e: s.min_load_frac > 0 or bool(s.part_load) for e, s in spec.items()}
    m.ely_run = pyo.Var(
        m.ELY, steps, bounds=lambda _m, e, t: (0.0, hi[e]),
        domain=lambda _m, e, t: pyo.NonNegativeIntegers if discrete[e] else pyo.NonNegativeReals,
    )
    hm.step_var("ely_p_mw", m.ELY, {e: hi[e] * spec[e].stack_mw for e in names})
    m.ely_h2_kg_per_h = pyo.Var(m.ELY, steps, bounds=(0.0, None))
    for e in names:
        if hi[e] - lo[e] < 0.5 and not m.ely_built[e].fixed:
            m.ely_built[e].fix(lo[e])
    flow_limit(hm, "ely_run_limit", m.ely_run, m.ely_built, names)
    # p − S·run ≤ 0; f·S·run − p ≤ 0 (a running stack is at least at its minimum load)
    rows.per_step(hm, "ely_p_max", names, [(m.ely_p_mw, 1.0), (m.ely_run, {e: -spec[e].stack_mw for e in names})],
                  "<=")
    low = [e for e in names if spec[e].min_load_frac > 0]
    rows.per_step(hm, "ely_p_min", low, [(m.ely_run, {e: spec[e].min_load_frac * spec[e].stack_mw for e in low}),
                                         (m.ely_p_mw, -1.0)], "<=")
    _add_conversion(hm, spec)
    _add_costs_and_terms(hm, elys)


def _add_conversion(hm: HubModel, spec: dict[str, ElectrolyserAsset]) -> None:
    m, steps = hm.m, hm.steps
    linear = [e for e, s in spec.items() if not s.part_load]
    curved = {e: part_load_segments(s) for e, s in spec.items() if s.part_load}
    rows.per_step(hm, "ely_h2_linear", linear,  # h2 − 1000/kwh_per_kg · p = 0
                  [(m.ely_h2_kg_per_h, 1.0), (m.ely_p_mw, {e: -(1000.0 / spec[e].kwh_per_kg) for e in linear})], "==")
    keys = [(e, k) for e, segs in curved.items() for k in range(len(segs))]

    def rule(_m: pyo.ConcreteModel, e: str, k: int, t: int) -> object:
        a, b = curved[e][k]
        return m.ely_h2_kg_per_h[e, t] <= a * m.ely_p_mw[e, t] + b * spec[e].stack_mw * m.ely_run[e, t]

    m.ely_h2_curve = pyo.Constraint(keys, steps, rule=rule)


def _add_costs_and_terms(hm: HubModel, elys: list[ElectrolyserAsset]) -> None:
    m = hm.m
    step_cost = hm.step_cost()
    for e in elys:
        hm.add_term("electricity", e.hub, -1.0, m.ely_p_mw, e.name)
        hm.add_term("hydrogen", e.hub, 1.0, m.ely_h2_kg_per_h, e.name)
        costs.add_capex(hm, e, m.ely_built[e.name], e.capex_eur_per_mw * e.stack_mw, e.stacks.existing,
                        f"assets.{e.name}.capex_eur_per_mw")
        hm.add_cost("variable_om", m.ely_p_mw, [(e.name, t) for t in hm.steps], step_cost,
                    param=f"assets.{e.name}.variable_om_eur_per_mwh", param_value=e.variable_om_eur_per_mwh)


def extract(hm: HubModel, values: Values) -> dict[str, dict[str, np.ndarray]]:
    """Electricity drawn (negative), hydrogen produced and running stacks per electrolyser."""
    m = hm.m
    out: dict[str, dict[str, np.ndarray]] = {"p_mw": {}, "h2_kg_per_h": {}, "units_on": {}}
    for a in hm.assets_of("electrolyser"):
        out["p_mw"][a.name] = -values(m.ely_p_mw, a.name)
        out["h2_kg_per_h"][a.name] = values(m.ely_h2_kg_per_h, a.name)
        out["units_on"][a.name] = values(m.ely_run, a.name)
    return out


def kpis(hm: HubModel, total: HorizonSum) -> dict[str, Any]:
    """Hydrogen produced by the electrolysers over the horizon (kg)."""
    names = [a.name for a in hm.assets_of("electrolyser")]
    return {"h2_produced_kg": float(total("h2_kg_per_h").sel(asset=names).sum()) if names else 0.0}


#: Hydrogen produced (electrolyser) or released from storage (+), kg/h.
H2_KG_PER_H = Output("h2_kg_per_h", "asset", "kg/h", "hydrogen produced (electrolyser) or released from storage (+)",
                     "asset_dispatch")
#: Running units of an asset with unit commitment (stacks, engines).
UNITS_ON = Output("units_on", "asset", "1", "running stacks / engines", "asset_dispatch")

def priced_sizes(asset: Any) -> list[tuple[str, float, float]]:
    """Stacks priced per stack: capex per MW × stack rating."""
    return [("stacks", asset.capex_eur_per_mw * asset.stack_mw, float(asset.stacks.existing))]


COMPONENTS = (
    Component(
        "electrolyser", 40, add, assets=(ElectrolyserAsset,), priced_sizes=priced_sizes,
        sizes=(Size("ely_built", "stacks", "Stacks (count)"),),
        per_unit=(PerUnit("stacks", "stack_mw", "power_mw", "Power (MW)"),),
        outputs=(P_MW, H2_KG_PER_H, UNITS_ON), extract=extract, kpis=kpis,
        cost_categories={"variable_om": "variable operation and maintenance"},
        meaning={
            "ely_p_min": "electrolyser {0}: minimum load of running stacks",
            "ely_p_max": "electrolyser {0}: stack rating",
            "ely_run_limit": "electrolyser {0}: running stacks ≤ built stacks",
            "ely_built": "stacks range of electrolyser {0}",
            "ely_run": "running stacks of electrolyser {0} (at most the built stacks)",
        },
    ),
)
