"""The sizing decisions of a model by name, to report them and to fix them for a full-horizon dispatch.

Names carry units: ``<asset>.<suffix>`` for every size a component declares in the registry
(:class:`energyhub.model.registry.Size`: ``energy_mwh``, ``stacks``, ``built``, …) and ``<hub>.contracted_import_mw``.
"""

from __future__ import annotations

from typing import Any

import pyomo.environ as pyo

from energyhub.model.core import HubModel
from energyhub.model.registry import components

#: The hub's contracted import capacity (a system size: the grid connection, not a component).
HUB_SIZES: list[tuple[str, str]] = [("cap_mw", "contracted_import_mw")]


def size_var_names() -> list[tuple[str, str]]:
    """(Pyomo variable name, size suffix) of every indexed size variable: the registry's, then the hubs'."""
    return [(s.var, s.suffix) for c in components() for s in c.sizes] + HUB_SIZES


def size_vars(hm: HubModel) -> dict[str, Any]:
    """Every size VarData by its name."""
    out: dict[str, Any] = {}
    for comp_name, suffix in size_var_names():
        comp = getattr(hm.m, comp_name, None)
        if comp is None:
            continue
        for key in comp:
            out[f"{key}.{suffix}"] = comp[key]
    return out


#: Size suffixes left free in the full-horizon dispatch after sizing on typical periods: one continuous variable
#: per hub that typical periods judge worst (the contracted peak), cheap to decide again with every hour in view.
#: (Leaving the reinforcement binaries free too made the reference dispatch several times slower.)
FREE_IN_DISPATCH = ("contracted_import_mw",)


def fixed_in_dispatch(name: str) -> bool:
    """Whether the size ``name`` is fixed at its sizing value in the full-horizon dispatch."""
    return name.rpartition(".")[2] not in FREE_IN_DISPATCH


def fix_sizes(hm: HubModel, sizes: dict[str, float]) -> None:
    """Fix the named size variables (integers rounded) so that only dispatch remains to decide; the sizes in
    :data:`FREE_IN_DISPATCH` stay free."""
    for name, var in size_vars(hm).items():
        if name in sizes and fixed_in_dispatch(name):
            value = float(sizes[name])
            var.fix(round(value) if var.is_integer() else min(max(value, var.lb or 0.0), var.ub or value))


def relax_operation(hm: HubModel) -> int:
    """Make every per-step integer variable (running stacks, engines on, starts, battery mode) continuous.

    Used for the sizing run on typical periods: sizes stay integer (stacks, engines, build decisions), the
    hour-by-hour commitment becomes its linear relaxation. The sizes are then checked in the full-horizon
    dispatch, which keeps every integer. Returns the number of variables relaxed.
    """
    relaxed = 0
    for var in hm.m.component_objects(pyo.Var, active=True):
        for index, v in var.items():
            per_step = isinstance(index, tuple) and len(index) >= 2  # (asset, step): sizes have one index
            if per_step and v.is_integer() and not v.fixed:
                lb, ub = v.lb, v.ub
                v.domain = pyo.NonNegativeReals if (lb is None or lb >= 0) else pyo.Reals
                v.setlb(lb)
                v.setub(ub)
                relaxed += 1
    return relaxed
