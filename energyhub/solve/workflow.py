"""Build and solve a scenario, with or without representative periods.

Without ``time.aggregation``: build the full horizon and solve. With it: build on typical periods (sizing),
solve, read the sizes; then, if ``check_full_horizon``, rebuild the full horizon with those sizes fixed and
dispatch it. The returned model and result are those of the last solve; sizing timings are kept under
``sizing.*`` in the result's timings.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from energyhub.model.aggregate import aggregate
from energyhub.model.build import Component, build_model
from energyhub.model.core import HubModel
from energyhub.model.inputs import GridInputs
from energyhub.model.registry import components
from energyhub.model.sizes import RELAXED_COMMITMENT, relax_operation, size_vars
from energyhub.scenario.data import ScenarioData
from energyhub.solve.highs import (
    SOLVED,
    CompiledModel,
    Progress,
    SolveResult,
    compile_model,
    configure,
    run_compiled,
    set_start,
    solve,
)
from energyhub.solve.options import OptionValue

log = logging.getLogger(__name__)


def solve_scenario(
    data: ScenarioData,
    grid: GridInputs,
    options: dict[str, OptionValue] | None = None,
    *,
    log_file: Path | None = None,
    progress: Progress | None = None,
    extra: Sequence[Component] = (),
) -> tuple[HubModel, SolveResult]:
    """The model and solve result of ``data`` (sizing on typical periods first if configured); ``extra``
    components are passed to every :func:`~energyhub.model.build.build_model` (the sizing and the dispatch)."""
    say = progress or (lambda msg: log.info("%s", msg))
    spec = data.scenario.time.aggregation
    if spec is None:
        say(f"building the model: {len(data.times)} steps, {len(data.scenario.hubs)} hubs")
        return solve_lazily(lambda info: build_model(data, grid, extra=extra, info=info), options,
                            log_file=log_file, progress=say)
    sizing, sized = solve_sizing(data, grid, options, log_file=log_file, progress=say, extra=extra)
    if not spec.check_full_horizon:
        return sizing, sized
    sizes = sizes_of(sizing, sized)
    say(f"dispatching the full horizon ({len(data.times)} steps) with the sizes fixed")
    hm, result = solve_lazily(lambda info: build_model(data, grid, fixed_sizes=sizes, extra=extra, info=info),
                              options, log_file=log_file, progress=say)
    for key, value in sized.timings_s.items():
        result.timings_s[f"sizing.{key}"] = value
    hm.info["sizing_objective_eur"] = sized.objective_eur
    return hm, result


def solve_lazily(
    build: Callable[[dict[str, Any]], HubModel],
    options: dict[str, OptionValue] | None = None,
    *,
    log_file: Path | None = None,
    progress: Progress | None = None,
) -> tuple[HubModel, SolveResult]:
    """Solve ``build(info)`` with the components' lazy binaries (:attr:`Component.lazy_binaries`, e.g. a battery's
    charge/discharge exclusivity) relaxed to continuous first; only if that solution violates what they enforce,
    solve again in the same HiGHS instance with them binary, started from the first solution's integers and the
    binaries it implies.

    Exact within the gap: the relaxed model is a relaxation of the full one, so a solution that violates nothing is
    feasible for the full model and no worse than its bound allows. Hand-over happens once; solve times add up.
    """
    say = progress or (lambda msg: log.info("%s", msg))
    hm = build({})
    lazy = [c.lazy_binaries for c in components() if c.lazy_binaries is not None]
    lazy_vars = [var for name, _, _ in lazy if (var := getattr(hm.m, name, None)) is not None]
    if not lazy_vars:
        return hm, solve(hm, options, log_file=log_file, progress=say)
    t0 = time.perf_counter()
    compiled = compile_model(hm)
    t_handover = time.perf_counter() - t0
    options = configure(compiled, options, log_file, say)
    cols = np.asarray([c for var in lazy_vars for v in var.values() if (c := compiled.column(v)) is not None],
                      dtype=np.int32)
    _integrality(compiled, cols, 0)
    res = run_compiled(hm, compiled, options, t_handover=t_handover, progress=say)

    def values(var: Any, key: Any) -> Any:
        return res.values(var, [(key, t) for t in hm.steps])

    violated = sum(len(steps) for _, check, _ in lazy for steps in check(hm, values).values())
    if res.status not in SOLVED or not violated:
        return hm, res
    say(f"re-solving with exclusivity binaries: {violated} steps charged and discharged at once")
    start = _integer_values(res, skip=set(cols.tolist()))
    for _, _, implied in lazy:
        start.update(implied(hm, values))
    _integrality(compiled, cols, 1)
    set_start(hm, compiled, start)
    again = run_compiled(hm, compiled, options, t_handover=t_handover, progress=say)
    again.timings_s["solve"] += res.timings_s["solve"]
    return hm, again


def _integrality(compiled: CompiledModel, cols: np.ndarray, kind: int) -> None:
    compiled.highs.changeColsIntegrality(len(cols), cols, np.full(len(cols), kind, dtype=np.uint8))


def _integer_values(res: SolveResult, skip: set[int]) -> dict[tuple[str, Any], float]:
    """The integer columns of a solution (but ``skip``) by (component name, index), rounded."""
    return {(v.parent_component().name, v.index()): float(round(res.x[j]))
            for j, v in enumerate(res.compiled.columns) if v.is_integer() and j not in skip}


def solve_sizing(
    data: ScenarioData,
    grid: GridInputs,
    options: dict[str, OptionValue] | None = None,
    *,
    log_file: Path | None = None,
    progress: Progress | None = None,
    extra: Sequence[Component] = (),
    before_run: Callable[[], None] | None = None,
) -> tuple[HubModel, SolveResult]:
    """Build and solve the sizing model on typical periods (``time.aggregation``); ``before_run`` as for
    :func:`~energyhub.solve.highs.solve`."""
    say = progress or (lambda msg: log.info("%s", msg))
    spec = data.scenario.time.aggregation
    assert spec is not None
    say(f"sizing on {spec.typical_periods} typical periods of {spec.hours_per_period} h")
    sizing = build_sizing(data, grid, say, extra=extra)
    return sizing, solve(sizing, options, log_file=log_file, progress=say, before_run=before_run)



def sizes_of(hm: HubModel, res: SolveResult) -> dict[str, float]:
    """Every size decision of a solved model by name (see :func:`energyhub.model.sizes.size_vars`)."""
    return {name: res.value(var) for name, var in size_vars(hm).items()}


def build_sizing(data: ScenarioData, grid: GridInputs, say: Progress | None = None,
                 info: dict | None = None, extra: Sequence[Component] = ()) -> HubModel:
    """The sizing model on typical periods (``time.aggregation``), its commitment relaxed if configured
    (``info`` and ``extra`` as in :func:`~energyhub.model.build.build_model`)."""
    spec = data.scenario.time.aggregation
    assert spec is not None
    tg, series, agg_grid = aggregate(data, grid, spec)
    if spec.relax_commitment:
        info = {**(info or {}), RELAXED_COMMITMENT: True}
    sizing = build_model(data, agg_grid, time_grid=tg, series=series, info=info, extra=extra)
    if spec.relax_commitment:
        relaxed = relax_operation(sizing)
        if say is not None:
            say(f"sizing with the commitment of {relaxed} per-step integers relaxed")
    return sizing
