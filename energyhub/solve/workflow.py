"""Build and solve a scenario, with or without representative periods.

Without ``time.aggregation``: build the full horizon and solve. With it: build on typical periods (sizing),
solve, read the sizes; then, if ``check_full_horizon``, rebuild the full horizon with those sizes fixed and
dispatch it. The returned model and result are those of the last solve; sizing timings are kept under
``sizing.*`` in the result's timings.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

from energyhub.model.aggregate import aggregate
from energyhub.model.build import Component, build_model
from energyhub.model.core import HubModel
from energyhub.model.inputs import GridInputs
from energyhub.model.sizes import relax_operation, size_vars
from energyhub.scenario.data import ScenarioData
from energyhub.solve.highs import Progress, SolveResult, solve
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
        hm = build_model(data, grid, extra=extra)
        return hm, solve(hm, options, log_file=log_file, progress=say)
    sizing, sized = solve_sizing(data, grid, options, log_file=log_file, progress=say, extra=extra)
    if not spec.check_full_horizon:
        return sizing, sized
    sizes = sizes_of(sizing, sized)
    say(f"dispatching the full horizon ({len(data.times)} steps) with the sizes fixed")
    hm = build_model(data, grid, fixed_sizes=sizes, extra=extra)
    result = solve(hm, options, log_file=log_file, progress=say)
    for key, value in sized.timings_s.items():
        result.timings_s[f"sizing.{key}"] = value
    hm.info["sizing_objective_eur"] = sized.objective_eur
    return hm, result


def solve_sizing(
    data: ScenarioData,
    grid: GridInputs,
    options: dict[str, OptionValue] | None = None,
    *,
    log_file: Path | None = None,
    progress: Progress | None = None,
    extra: Sequence[Component] = (),
) -> tuple[HubModel, SolveResult]:
    """Build and solve the sizing model on typical periods (``time.aggregation``)."""
    say = progress or (lambda msg: log.info("%s", msg))
    spec = data.scenario.time.aggregation
    assert spec is not None
    say(f"sizing on {spec.typical_periods} typical periods of {spec.hours_per_period} h")
    sizing = build_sizing(data, grid, say, extra=extra)
    return sizing, solve(sizing, options, log_file=log_file, progress=say)


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
    sizing = build_model(data, agg_grid, time_grid=tg, series=series, info=info, extra=extra)
    if spec.relax_commitment:
        relaxed = relax_operation(sizing)
        if say is not None:
            say(f"sizing with the commitment of {relaxed} per-step integers relaxed")
    return sizing
