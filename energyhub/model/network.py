"""Branch limits: DC (PTDF) flows with screening, the transport model, or none (copper plate).

``dc``: the flow on branch b in step t is ``f[b,t] = base[t,b] + Σ_h ptdf[b,h]·(exp_mw[h,t] − imp_mw[h,t])`` (a hub
*injects* its export and *withdraws* its import). Limits, with overload slack ``ovl_mw[b,t] ≥ 0`` priced at
``overload_penalty_eur_per_mwh``:

    f[b,t] ≤ L[b] + ΔL[b]·build[r] + ovl[b,t]        (upper row)
   −f[b,t] ≤ L[b] + ΔL[b]·build[r] + ovl[b,t]        (lower row)

Screening: a row is only built when the worst-case flow in its direction, given each hub's import and export
bounds in that step, can exceed the unreinforced limit L[b] (with 1e-6 MW tolerance). Skipped rows cannot bind,
so the optimum is unchanged. The argument holds only for the bounds screened at: a sweep's live model screens at
the largest connection limits of the sweep (``hm.info[SCREEN_AT]``) and, before a re-solve with a bound changed in
place, checks :func:`screening_holds` (else it rebuilds). ``transport``: branch flows are variables within
±limit (+ slack) and Kirchhoff's current law holds at every non-slack bus:
``Σ_b inc[n,b]·f[b,t] = base_inj[t,n] + hub injections at n``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyomo.environ as pyo

from energyhub.model import rows
from energyhub.model.core import HubModel
from energyhub.model.inputs import GridInputs
from energyhub.model.registry import Component

PTDF_EPS = 1e-9
SCREEN_TOL_MW = 1e-6


#: ``hm.info`` key: ``{(hub, "import_mw" | "export_mw"): MW}``, connection limits to screen at instead of the
#: scenario's when larger (a sweep's largest values, so that raising a limit in place keeps every row it needs).
SCREEN_AT = "screen_connection_mw"
#: ``hm.info`` key: ``(imp, exp, upper, lower)`` of :func:`screened_at_build`; ``upper``/``lower`` (T × B) are the
#: masks of the rows the ``dc`` flow model builds.
SCREENED = "screened_rows"


def hub_injection_bounds(hm: HubModel, reach: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Largest import and export of each hub per step (T × H), from the variable bounds; with ``reach`` raised to
    the limits of ``hm.info[SCREEN_AT]`` (× the transport right's availability) where those are larger."""
    m = hm.m
    n, hubs = hm.time.n, hm.grid.hub_names
    imp = np.zeros((n, len(hubs)))
    exp = np.zeros((n, len(hubs)))
    wider: dict[tuple[str, str], float] = hm.info.get(SCREEN_AT, {}) if reach else {}
    avail = hm.info.get("availability", {})
    imp_of, exp_of = hm.members(m.imp_mw), hm.members(m.exp_mw)
    for j, h in enumerate(hubs):
        if h in hm.hubs:
            imp[:, j] = [imp_of[h, t].ub for t in hm.steps]
            exp[:, j] = [exp_of[h, t].ub for t in hm.steps]
            a = np.asarray(avail.get(h, np.ones(n)), dtype=float)
            imp[:, j] = np.maximum(imp[:, j], wider.get((h, "import_mw"), 0.0) * a)
            exp[:, j] = np.maximum(exp[:, j], wider.get((h, "export_mw"), 0.0) * a)
    return imp, exp


def screened_at_build(hm: HubModel) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The injection bounds screened at (with reach) and the masks of the rows that can bind, computed once per
    build: the battery's exclusivity binaries (:func:`energyhub.model.market.dumping_pays`) and the DC rows both
    need them, and no component changes the import/export bounds after the connection declares them."""
    if SCREENED not in hm.info:
        imp, exp = hub_injection_bounds(hm)
        hm.info[SCREENED] = (imp, exp, *rows_that_can_bind(hm.grid, imp, exp))
    return hm.info[SCREENED]


def rows_that_can_bind(grid: GridInputs, imp_mw: np.ndarray, exp_mw: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Masks (T × B) of the upper / lower limit rows that can bind when each hub imports at most ``imp_mw`` and
    exports at most ``exp_mw`` (T × H, hubs in ``grid.hub_names`` order)."""
    imp, exp = imp_mw, exp_mw
    ptdf = grid.ptdf_hub  # B × H
    pos, neg = np.clip(ptdf, 0, None), np.clip(ptdf, None, 0)
    # max of ptdf·(e − i) over e ∈ [0, E], i ∈ [0, I]: positive ptdf → ptdf·E, negative → −ptdf·I
    f_max = grid.base_flow_mw + exp @ pos.T - imp @ neg.T
    f_min = grid.base_flow_mw + exp @ neg.T - imp @ pos.T
    limit = grid.limit_mw[None, :]
    return f_max > limit + SCREEN_TOL_MW, f_min < -limit - SCREEN_TOL_MW


def add(hm: HubModel) -> None:
    """Branch flow limits according to ``grid.flow_model``."""
    model = hm.scenario.grid.flow_model
    if model == "copperplate" or hm.grid.n_branches == 0:
        hm.info["network_rows"] = 0
        return
    if model == "transport":
        _add_transport(hm)
        return
    _add_dc(hm)


def screening_holds(hm: HubModel) -> bool:
    """Whether the rows built still cover every row that can bind at the current bounds of ``imp_mw``/``exp_mw``
    (after they were changed in place, as a sweep's live model does); always true without screening."""
    if SCREENED not in hm.info:
        return True
    _, _, built_upper, built_lower = hm.info[SCREENED]
    upper, lower = rows_that_can_bind(hm.grid, *hub_injection_bounds(hm, reach=False))
    return not (upper & ~built_upper).any() and not (lower & ~built_lower).any()


def left_out_flow(grid: GridInputs, imp_mw: np.ndarray, exp_mw: np.ndarray,
                  tol: float) -> tuple[np.ndarray, np.ndarray]:
    """The most and the least (T × B) that the PTDF entries with ``|ptdf| ≤ tol`` can add to a branch flow when
    each hub imports at most ``imp_mw`` and exports at most ``exp_mw`` (T × H: the bounds screened at,
    :func:`hub_injection_bounds`).

    Rows leave those entries out (``grid.ptdf_tolerance``: in a meshed grid every hub has a tiny share in every
    branch, and those shares make every row dense) and carry the most they can add as a constant instead: the
    upper row holds ``f_kept + most ≤ L``, the lower row ``−f_kept − least ≤ L``, so that every solution also
    holds with the full PTDF. The cost is a limit tighter by at most ``tol × Σ_h max(import, export)``.
    """
    small = np.where(np.abs(grid.ptdf_hub) <= tol, grid.ptdf_hub, 0.0)  # B × H
    if not small.any():
        zero = np.zeros_like(grid.base_flow_mw)
        return zero, zero
    pos, neg = np.clip(small, 0, None), np.clip(small, None, 0)
    return exp_mw @ pos.T - imp_mw @ neg.T, exp_mw @ neg.T - imp_mw @ pos.T


def _branch_rows(hm: HubModel, name: str, keys: list[tuple[int, int]], hub_terms: dict[int, list[tuple[float, str]]],
                 sign: float, offset_mw: np.ndarray) -> None:
    """The rows ``sign·Σ_h k_h·(exp_h − imp_h) − ovl − Σ_r ΔL_r·build_r ≤ L − offset`` of the branches and steps
    ``keys`` (``offset`` the base flow and the worst flow of the hubs left out, in the row's direction): per row the
    hubs' terms, then the overload, then the reinforcements (as the sum reads)."""
    m, grid = hm.m, hm.grid
    t_of = np.fromiter((t for t, _ in keys), dtype=np.int64, count=len(keys))
    b_of = np.fromiter((b for _, b in keys), dtype=np.int64, count=len(keys))
    flows: list[rows.Term] = []
    reinforcements: list[rows.Term] = []
    extra = hm.info.get("branch_limit_extra", {})
    offset = offset_mw[t_of, b_of]
    rhs = grid.limit_mw[b_of].astype(float) - offset
    for b in sorted(set(b_of.tolist())):
        at = np.flatnonzero(b_of == b)
        for k, h in hub_terms[b]:
            hub = [h] * len(at)
            flows.append(rows.term(m.exp_mw, rows.grid_pos(m.exp_mw, hub, t_of[at]), sign * k, rows=at))
            flows.append(rows.term(m.imp_mw, rows.grid_pos(m.imp_mw, hub, t_of[at]), -(sign * k), rows=at))
        minus_limit = -float(grid.limit_mw[b])  # −L − Σ ΔL·build over the fixed builds (summed as the walk sums)
        for var, mva in extra.get(b, []):
            if var.fixed:
                minus_limit += -mva * var.value
                rhs[at] = -(offset[at] + minus_limit)
                continue
            comp = var.parent_component()
            pos = rows.key_pos(comp, [var.index()])[0] if comp.is_indexed() else 0
            reinforcements.append(rows.term(comp, np.full(len(at), pos), -mva, rows=at))
    overload = rows.term(m.ovl_mw, rows.key_pos(m.ovl_mw, keys), -1.0)
    rows.declare(hm, name, (t_of, b_of), [*flows, overload, *reinforcements], "<=", rhs)


def _limit_expr(hm: HubModel, b: int) -> Any:
    """L[b] plus the reinforcements built on branch b."""
    extra = hm.info.get("branch_limit_extra", {}).get(b, [])
    return float(hm.grid.limit_mw[b]) + sum(mva * var for var, mva in extra)


def _add_dc(hm: HubModel) -> None:
    m, grid = hm.m, hm.grid
    imp, exp, upper, lower = screened_at_build(hm)  # the reach screened at: the screening and the left-out flow
    pairs = sorted({(int(t), int(b)) for t, b in zip(*np.nonzero(upper | lower), strict=True)})
    hm.info["network_rows"] = int(upper.sum() + lower.sum())
    hm.info["network_pairs_total"] = int(2 * upper.size)
    m.ovl_mw = pyo.Var(pairs, bounds=(0.0, None))
    col = {h: j for j, h in enumerate(grid.hub_names)}
    tol = max(hm.scenario.grid.ptdf_tolerance, PTDF_EPS)
    hub_terms = {
        b: [(float(grid.ptdf_hub[b, col[h]]), h) for h in hm.hubs if abs(grid.ptdf_hub[b, col[h]]) > tol]
        for b in {b for _, b in pairs}
    }
    most, least = left_out_flow(grid, imp, exp, tol)
    base = grid.base_flow_mw
    up_keys = [(t, b) for t, b in pairs if upper[t, b]]
    lo_keys = [(t, b) for t, b in pairs if lower[t, b]]
    # f + most − ovl ≤ L (+ reinforcements); −f − least − ovl ≤ L (+ reinforcements)
    _branch_rows(hm, "branch_upper", up_keys, hub_terms, 1.0, base + most)
    _branch_rows(hm, "branch_lower", lo_keys, hub_terms, -1.0, -base - least)
    step_cost = hm.step_cost()
    hm.add_cost("overload", m.ovl_mw, pairs, [step_cost[t] for t, _ in pairs],
                param="economics.overload_penalty_eur_per_mwh",
                param_value=hm.scenario.economics.overload_penalty_eur_per_mwh)


def _add_transport(hm: HubModel) -> None:
    m, grid = hm.m, hm.grid
    if grid.incidence is None or grid.bus_injection_mw is None or grid.hub_bus is None:
        raise ValueError("flow_model 'transport' needs incidence, bus_injection_mw and hub_bus in GridInputs")
    inc = np.asarray(grid.incidence, dtype=float)
    branches = list(range(grid.n_branches))
    m.flow_mw = pyo.Var(branches, hm.steps)
    m.ovl_mw = pyo.Var(hm.steps, branches, bounds=(0.0, None))
    limits = {b: _limit_expr(hm, b) for b in branches}
    m.branch_upper = pyo.Constraint(hm.steps, branches,
                                    rule=lambda _m, t, b: m.flow_mw[b, t] - m.ovl_mw[t, b] <= limits[b])
    m.branch_lower = pyo.Constraint(hm.steps, branches,
                                    rule=lambda _m, t, b: -m.flow_mw[b, t] - m.ovl_mw[t, b] <= limits[b])
    hubs_at: dict[int, list[str]] = {}
    for h, bus in zip(grid.hub_names, grid.hub_bus, strict=True):
        hubs_at.setdefault(int(bus), []).append(h)
    buses = [n for n in range(inc.shape[0]) if n not in set(grid.slack_buses)]
    arcs = {n: [(float(inc[n, b]), b) for b in branches if inc[n, b] != 0] for n in buses}

    def kcl(_m: pyo.ConcreteModel, n: int, t: int) -> object:
        out = sum(k * m.flow_mw[b, t] for k, b in arcs[n])
        hub = sum(m.exp_mw[h, t] - m.imp_mw[h, t] for h in hubs_at.get(n, []))
        return out - hub == float(grid.bus_injection_mw[t, n])  # type: ignore[index]

    m.kcl = pyo.Constraint(buses, hm.steps, rule=kcl)
    keys = [(t, b) for t in hm.steps for b in branches]
    step_cost = hm.step_cost()
    hm.add_cost("overload", m.ovl_mw, keys, [step_cost[t] for t, _ in keys],
                param="economics.overload_penalty_eur_per_mwh",
                param_value=hm.scenario.economics.overload_penalty_eur_per_mwh)


COMPONENTS = (
    Component("network", 90, add, cost_categories={"overload": "branch overload penalty"},
              meaning={"branch_upper": "limit of branch {1}",
                       "branch_lower": "limit of branch {1} (reverse direction)"},
              live_penalties={"economics.overload_penalty_eur_per_mwh": "overload"}),
)
