"""Storage linked across typical periods: inter-period levels (Kotzur et al. 2018, Applied Energy 213, 123-135).

With ``time.aggregation.link_storage`` the sizing on typical periods carries stored energy from one original
period of the horizon to the next, so that a store may move energy between days (or seasons). The storage
components declare their states (:func:`declare`: battery, hydrogen store, biogas store, thermal store); on a
linked time grid (``TimeGrid.link_storage``) their levels ``x[k,t]`` become *intra-period* levels: relative to
the level at the start of the typical period, starting from 0 (``TimeGrid.storage_prev`` gives ``-1`` at a
period's first step, where the initial state is 0) and bounded by ``[−X̄, X̄]`` (X̄ = largest size).
:func:`add` then replaces each state's level limit ``x[k,t] ≤ cap[k]`` by, per key k, typical period c
(steps t ∈ c, N steps each), original period d = 0..D−1 represented by c(d):

* inter-period level ``s[k,d] ∈ [0, X̄]``: the level at the start of original period d;
* ``s[k,(d+1) mod D] = κ_k^N · s[k,d] + x[k, last(c(d))]`` (κ_k = keep factor per step; cyclic over the horizon);
* ``x̲[k,c] ≤ x[k,t] ≤ x̄[k,c]`` for t ∈ c (the intra-period range of c);
* ``s[k,d] + x̄[k,c(d)] ≤ cap[k]`` and ``κ_k^N · s[k,d] + x̲[k,c(d)] ≥ 0``.

The true level at the end of step τ (1..N) of period d is ``κ^τ·s[k,d] + x[k,t]``; the two bound rows are
Kotzur's simplification: exact for lossless stores (κ = 1), and for self-discharging ones conservative, since
``κ^N·s ≤ κ^τ·s ≤ s``: they may forbid levels up to ``(1 − κ^N)·s`` inside the limits, never allow one outside.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pyomo.environ as pyo

from energyhub.model.core import HubModel
from energyhub.model.registry import Component


@dataclass(frozen=True)
class LinkedState:
    """A storage state a component declares: level ``var_name[key, t]`` ≤ size ``cap_name[key]`` (as the rows
    ``limit_name``, or as a variable bound where the size is fixed), level kept by ``keep[key]`` per step."""

    var_name: str
    cap_name: str
    limit_name: str
    keep: dict[Any, float]


def declare(hm: HubModel, var_name: str, cap_name: str, limit_name: str, keep: dict[Any, float]) -> None:
    """Declare a storage state of a component (every key of ``keep`` is one store)."""
    hm.info.setdefault("linked_states", []).append(LinkedState(var_name, cap_name, limit_name, dict(keep)))


def states(hm: HubModel) -> list[LinkedState]:
    """The declared storage states of ``hm`` (with at least one store)."""
    return [s for s in hm.info.get("linked_states", []) if s.keep]


def inter_name(var_name: str) -> str:
    """Name of the inter-period level variable of state ``var_name``."""
    return f"{var_name}_inter"


def linked(hm: HubModel) -> bool:
    """Whether ``hm`` links its storage across typical periods."""
    return bool(hm.time.link_storage and hm.time.period_assignment is not None)


def add(hm: HubModel) -> None:
    """Inter-period levels of every declared state (nothing unless the time grid links storage)."""
    if not linked(hm):
        return
    for state in states(hm):
        _link(hm, state)


def _link(hm: HubModel, state: LinkedState) -> None:
    m, tg = hm.m, hm.time
    assert tg.period_assignment is not None
    level, cap = getattr(m, state.var_name), getattr(m, state.cap_name)
    if hasattr(m, state.limit_name):
        m.del_component(state.limit_name)
    keys = list(state.keep)
    bounds = tg.segment_bounds()
    per = bounds[0][1] - bounds[0][0]
    if any(stop - start != per for start, stop in bounds):
        raise ValueError("linked storage needs typical periods of equal length")
    segment = np.repeat(np.arange(len(bounds)), per)
    last = tg.last_steps()
    assignment = [int(c) for c in tg.period_assignment]
    days = range(len(assignment))
    x_max = {k: float(level[k, 0].ub) for k in keys}
    for k in keys:
        for t in tg.steps:
            level[k, t].setlb(-x_max[k])
    decay = {k: state.keep[k] ** per for k in keys}

    def cap_of(k: Any) -> Any:
        return float(cap[k].value) if cap[k].fixed else cap[k]

    inter = pyo.Var(keys, days, bounds=lambda _m, k, d: (0.0, x_max[k]))
    hi = pyo.Var(keys, range(len(bounds)), bounds=lambda _m, k, c: (-x_max[k], x_max[k]))
    lo = pyo.Var(keys, range(len(bounds)), bounds=lambda _m, k, c: (-x_max[k], x_max[k]))
    name = state.var_name
    m.add_component(inter_name(name), inter)
    m.add_component(f"{name}_intra_max", hi)
    m.add_component(f"{name}_intra_min", lo)
    m.add_component(f"{name}_intra_hi", pyo.Constraint(
        keys, tg.steps, rule=lambda _m, k, t: level[k, t] <= hi[k, int(segment[t])]))
    m.add_component(f"{name}_intra_lo", pyo.Constraint(
        keys, tg.steps, rule=lambda _m, k, t: level[k, t] >= lo[k, int(segment[t])]))
    m.add_component(f"{name}_inter_next", pyo.Constraint(
        keys, days, rule=lambda _m, k, d: inter[k, (d + 1) % len(assignment)]
        == decay[k] * inter[k, d] + level[k, int(last[assignment[d]])]))
    m.add_component(f"{name}_inter_hi", pyo.Constraint(
        keys, days, rule=lambda _m, k, d: inter[k, d] + hi[k, assignment[d]] <= cap_of(k)))
    m.add_component(f"{name}_inter_lo", pyo.Constraint(
        keys, days, rule=lambda _m, k, d: decay[k] * inter[k, d] + lo[k, assignment[d]] >= 0.0))


def level_before(hm: HubModel, values: Any, var_name: str, key: Any, step: int) -> float:
    """The level of ``var_name[key]`` just before horizon step ``step``, from a solved linked sizing:
    ``κ^τ·s[d] + x[c(d), τ−1]`` for step τ of original period d (``s[d]`` at a period's first step).

    ``values(var_data)`` reads a solution value (e.g. :meth:`SolveResult.value`).
    """
    tg = hm.time
    assert tg.period_assignment is not None
    state = next(s for s in states(hm) if s.var_name == var_name)
    bounds = tg.segment_bounds()
    per = bounds[0][1] - bounds[0][0]
    days = len(tg.period_assignment)
    day, tau = min(step // per, days), step % per if step // per < days else 0
    inter = getattr(hm.m, inter_name(var_name))
    start_level = float(values(inter[key, day % days]))
    if tau == 0:
        return start_level
    first = bounds[int(tg.period_assignment[day])][0]
    intra = float(values(getattr(hm.m, var_name)[key, first + tau - 1]))
    return state.keep[key] ** tau * start_level + intra


#: After every storage component and the balances, before the window boundaries.
COMPONENTS = (Component("linking", 1050, add),)
