"""The sizing decisions of a model by name, to report them and to fix them for a full-horizon dispatch.

Names carry units: ``<asset>.<suffix>`` for every size a component declares in the registry
(:class:`energyhub.model.registry.Size`: ``energy_mwh``, ``stacks``, ``built``, …) and ``<hub>.contracted_import_mw``.
"""

from __future__ import annotations

from collections.abc import Sequence
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
#: (Leaving the reinforcement binaries free too made the reference dispatch several times slower. Leaving the
#: hydrogen stores free found the full-horizon store on a six-week case, but the reference year dispatched as one
#: model then had no solution within 600 s, and in monthly windows it cost 1.06 % more: benchmarks/README.md.)
FREE_IN_DISPATCH = ("contracted_import_mw",)


def fixed_in_dispatch(name: str) -> bool:
    """Whether the size ``name`` is fixed at its sizing value in the full-horizon dispatch."""
    return name.rpartition(".")[2] not in FREE_IN_DISPATCH


def free_size_costs(hm: HubModel) -> dict[str, dict[str, float]]:
    """The cost per unit of every size left free in a dispatch (:data:`FREE_IN_DISPATCH`, not fixed), by cost
    category: ``{"hengelo.contracted_import_mw": {"contracted_capacity": 30000.0}}`` in EUR per unit and year, times
    the model's ``annual_share`` (a window of a decomposed dispatch pays its share); ``{}`` for a free size that
    costs nothing."""
    free = {id(var): name for name, var in size_vars(hm).items() if not var.fixed and not fixed_in_dispatch(name)}
    out: dict[str, dict[str, float]] = {name: {} for name in free.values()}
    for category, terms in hm.cost_terms.items():
        for coef, var in terms:
            name = free.get(id(var))
            if name is not None:
                out[name][category] = out[name].get(category, 0.0) + coef
    return out


def _fix(var: Any, value: float) -> None:
    """Fix one size VarData at ``value``: integers rounded, continuous sizes clipped to their bounds."""
    var.fix(round(value) if var.is_integer() else min(max(value, var.lb or 0.0), var.ub or value))


def fix_sizes(hm: HubModel, sizes: dict[str, float]) -> None:
    """Fix the named size variables (integers rounded) so that only dispatch remains to decide; the sizes in
    :data:`FREE_IN_DISPATCH` stay free."""
    for name, var in size_vars(hm).items():
        if name in sizes and fixed_in_dispatch(name):
            _fix(var, float(sizes[name]))


#: ``hm.info`` key of the sizes given to :func:`energyhub.model.build.build_model` (``fixed_sizes``), by name.
GIVEN_SIZES = "given_sizes"


def fix_given(hm: HubModel, var: Any) -> None:
    """Fix the entries of the indexed size variable ``var`` (already on ``hm.m``) that the build was given
    (``hm.info[GIVEN_SIZES]``), as :func:`fix_sizes` does, so that the component declaring ``var`` sees them fixed
    while it builds (e.g. :func:`flow_limit` makes bounds of them, not rows). Every component calls this right
    after declaring a size variable; :func:`fix_sizes` after the build is the catch-all."""
    given: dict[str, float] = hm.info.get(GIVEN_SIZES) or {}
    if not given:
        return
    suffix = dict(size_var_names())[var.local_name]
    for key in var:
        name = f"{key}.{suffix}"
        if name in given and fixed_in_dispatch(name):
            _fix(var[key], float(given[name]))


def flow_limit(hm: HubModel, name: str, flow: Any, size: Any, keys: Sequence[Any]) -> None:
    """``flow[k,t] ≤ size[k]`` for every key k and step t: where ``size[k]`` is fixed, as the upper bound of
    ``flow[k,t]`` (the lower of its bound and the size); elsewhere as the rows ``name`` (a constraint indexed by
    the keys with a free size and the steps: empty when every size is fixed, but always on ``hm.m``)."""
    m, steps = hm.m, hm.steps
    flow_of = hm.members(flow)
    for k in keys:
        if size[k].fixed:
            cap = float(size[k].value)
            for t in steps:
                v = flow_of[k, t]
                ub = v.ub
                if ub is None or ub > cap:
                    v.setub(cap)
    free = [k for k in keys if not size[k].fixed]
    m.add_component(name, pyo.Constraint(free, steps, rule=lambda _m, k, t: flow[k, t] <= size[k]))


#: ``hm.info`` key: True when the build's per-step integers will be relaxed after it (:func:`relax_operation`, the
#: sizing with ``time.aggregation.relax_commitment``). A component may then build the exact projection of its
#: relaxed rows instead (e.g. a battery's exclusivity: ``ch + dis ≤ P̄`` instead of the binary and its two rows).
RELAXED_COMMITMENT = "relaxed_commitment"


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
