"""Where a window of a decomposed dispatch ends: storage levels at its last step meet a target level.

The windows of a decomposed full-horizon dispatch (:mod:`energyhub.solve.decompose`) are solved independently,
each starting from a given level (:meth:`HubModel.initial_state`) and ending at the level the next window starts
from, so that the stitched levels are continuous. Per state ``var[key]`` with target ``L``:

    var[key, last] + short[var, key] = L,   0 ≤ short ≤ L,   cost: penalty × short

``short`` is a soft escape for a target the window cannot reach (priced like unmet demand: VOLL per MWh, the
hydrogen shortfall price per kg, times the step weight that scales the horizon to a year); a window may end
*above* nothing: ending higher than the target would let energy vanish between windows. The targets are
``hm.info["final_state"][var_name] = (targets by key, penalty per unit)``.
"""

from __future__ import annotations

import pyomo.environ as pyo

from energyhub.model.core import HubModel
from energyhub.model.registry import Component


def add(hm: HubModel) -> None:
    """End-level rows of every state with targets (nothing for cyclic time grids)."""
    final = hm.info.get("final_state", {})
    if hm.time.cyclic or not final:
        return
    m, last = hm.m, hm.time.n - 1
    keys = [(name, key) for name, (targets, _) in final.items() if hasattr(m, name) for key in targets]
    if not keys:
        return
    target = {(name, key): max(float(final[name][0][key]), 0.0) for name, key in keys}
    m.end_short = pyo.Var(keys, bounds=lambda _m, name, key: (0.0, target[name, key]))
    m.end_level = pyo.Constraint(
        keys, rule=lambda _m, name, key: getattr(m, name)[key, last] + m.end_short[name, key] == target[name, key]
    )
    for name, key in keys:  # scaled to a year like every energy of the window (weight 1 for a year's horizon)
        hm.add_cost("end_level_shortfall", m.end_short, [(name, key)], [final[name][1] * hm.time.weight[last]])


COMPONENTS = (Component("boundary", 1100, add, cost_categories={"end_level_shortfall": "storage below the level the "
                                                                "next window starts from"}),)
