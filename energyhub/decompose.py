"""The full-horizon dispatch decomposed in time: calendar months solved independently, in parallel, then stitched.

After the sizing on typical periods (``time.aggregation``) every size is fixed, and what couples the hours of a
year is little: storage levels, the monthly import peak (within a month only), the contracted capacity (one per
hub and year) and unit commitment across a boundary. With ``time.aggregation.dispatch_windows: month`` the
dispatch is therefore solved as one model per calendar month (:func:`dispatch_in_windows`):

* each window is a non-cyclic model of its steps (:meth:`energyhub.model.timegrid.TimeGrid.window`) with the
  horizon's step weights, its share of the year's fixed costs, and the transport-right availability chosen over
  the whole horizon;
* storage levels at the window boundaries come from the sizing: with storage linked across typical periods
  (``link_storage``) the level before the boundary step, from the inter-period level of its day
  (:func:`energyhub.model.linking.level_before`); else the level at the start of day ``d`` is the level at the
  end of the typical period that represents ``d`` (cyclic typical periods start where they end). A window
  starts at its guide level and ends at the next window's (the last at the first's: the year is cyclic, as the
  monolithic model is), so the stitched levels are continuous (:mod:`energyhub.model.boundary`);
* the contracted capacity (:data:`energyhub.model.sizes.FREE_IN_DISPATCH`) is decided per window at its share of
  the annual tariff; the stitched dispatch holds with the largest of them, and that is what is charged
  (:func:`stitch`);
* a unit started in the first step of a window pays no start cost; minimum down times are not enforced across a
  boundary (at most one start per unit and window).

Windows run through :func:`energyhub.parallel.run_tasks` (local processes or a dask cluster). Each finished window
is kept in a checkpoint folder, so that a run killed during the dispatch resumes without solving finished windows
again (the sizing is solved again; it is deterministic, and the checkpoints are keyed by everything a window is
built from).
"""

from __future__ import annotations

import gc
import hashlib
import itertools
import json
import logging
import pickle
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import numpy as np
import xarray as xr

from energyhub.model import linking, network
from energyhub.model.build import Component, build_model, gc_disabled
from energyhub.model.connection import availability, injection_limits_mw
from energyhub.model.core import HubModel
from energyhub.model.inputs import GridInputs
from energyhub.model.registry import states
from energyhub.model.sizes import FREE_IN_DISPATCH, free_size_costs
from energyhub.model.timegrid import TimeGrid, horizon_grid
from energyhub.parallel import Workers, run_tasks
from energyhub.results.extract import to_dataset
from energyhub.results.kpis import capacities, costs_eur, kpis
from energyhub.scenario.data import ScenarioData
from energyhub.solve.highs import SolveResult
from energyhub.solve.options import OptionValue
from energyhub.solve.workflow import solve_lazily

log = logging.getLogger(__name__)
Progress = Callable[[str], None]


@dataclass
class WindowTask:
    """Everything one window is built from (picklable: it travels to a worker process)."""

    index: int
    label: str
    start: int
    stop: int
    data: ScenarioData
    grid: GridInputs
    series: dict[str, np.ndarray]
    time_grid: TimeGrid
    sizes: dict[str, float]
    info: dict[str, Any]
    options: dict[str, OptionValue]
    checkpoint: Path | None = None
    extra: tuple[Component, ...] = ()


@dataclass
class WindowOutcome:
    """A solved window: its dataset (window steps), costs and capacities, and how it went."""

    index: int
    status: str
    objective_eur: float
    mip_gap: float
    dataset: xr.Dataset
    costs_eur: dict[str, float]
    capacities: dict[str, float]
    timings_s: dict[str, float]
    model_size: dict[str, int]
    resumed: bool = False
    #: per size left free in the dispatch, its cost per unit in this window by category (:func:`free_size_costs`)
    free_size_costs: dict[str, dict[str, float]] = field(default_factory=dict)


@dataclass
class Stitched:
    """The windows' results put together over the horizon."""

    dataset: xr.Dataset
    costs_eur: dict[str, float]
    capacities: dict[str, float]
    status: str
    mip_gap: float
    windows: list[dict[str, Any]] = field(default_factory=list)
    timings_s: dict[str, float] = field(default_factory=dict)
    model_size: dict[str, int] = field(default_factory=dict)


# --------------------------------------------------------------------------------------------------- windows
def month_windows(data: ScenarioData) -> list[tuple[str, int, int]]:
    """(label, start, stop) of each calendar month of the horizon."""
    ym = np.asarray(data.times.year, dtype=np.int64) * 12 + np.asarray(data.times.month, dtype=np.int64) - 1
    cuts = [0, *np.flatnonzero(np.diff(ym)) + 1, len(ym)]
    return [(f"{ym[a] // 12:04d}-{ym[a] % 12 + 1:02d}", int(a), int(b)) for a, b in itertools.pairwise(cuts)]


def guide_levels(sizing: HubModel, sized: SolveResult, steps: list[int]) -> dict[str, list[dict]]:
    """Storage levels at the given horizon steps, from the sizing on typical periods.

    Linked storage (``time.aggregation.link_storage``): the level just before a step of original period ``d`` is
    the sizing's inter-period level ``s[d]`` there, decayed and plus the intra-period level of the typical period
    that represents ``d`` (:func:`energyhub.model.linking.level_before`). Not linked: the level at the start of
    ``d`` is the sizing's level at the end of that typical period (``TimeGrid.period_assignment``): a cyclic
    typical period starts where it ends.
    """
    tg = sizing.time
    assignment = tg.period_assignment
    if assignment is None or not len(assignment):
        raise ValueError("guide levels need a sizing on typical periods")
    if linking.linked(sizing):
        return _linked_guide_levels(sizing, sized, steps)
    per = int(tg.segment_bounds()[0][1])  # steps per typical period
    last = tg.last_steps()
    out: dict[str, list[dict]] = {}
    for state in states():
        name = state.var
        var = getattr(sizing.m, name, None)
        if var is None:
            continue
        keys = list(dict.fromkeys(k[0] for k in var))
        levels = []
        for step in steps:
            period = int(assignment[min(step // per, len(assignment) - 1)])
            levels.append({k: max(sized.value(var[k, int(last[period])]), 0.0) for k in keys})
        out[name] = levels
    return out


def _linked_guide_levels(sizing: HubModel, sized: SolveResult, steps: list[int]) -> dict[str, list[dict]]:
    """Guide levels of a linked sizing: the levels just before the given horizon steps (at least 0)."""
    out: dict[str, list[dict]] = {}
    for state in linking.states(sizing):
        out[state.var_name] = [
            {k: max(linking.level_before(sizing, sized.value, state.var_name, k, step), 0.0) for k in state.keep}
            for step in steps
        ]
    return out


def _penalties(data: ScenarioData) -> dict[str, float]:
    """Price of one unit of a missed end level, by state: like unmet demand of the stored carrier."""
    economics = data.scenario.economics
    return {s.var: float(getattr(economics, s.penalty)) for s in states()}


def make_tasks(
    data: ScenarioData,
    grid: GridInputs,
    sizing: HubModel,
    sized: SolveResult,
    sizes: dict[str, float],
    options: dict[str, OptionValue],
    checkpoint_dir: Path | None = None,
) -> list[WindowTask]:
    """One task per calendar month, with guide levels at the boundaries and the year's availability."""
    full_tg = horizon_grid(data.times, data.step_h)
    full = HubModel(data=data, grid=grid, time=full_tg, series=data.series)
    avail = {f"hubs.{h.name}.availability": availability(full, h) for h in data.scenario.hubs}
    windows = month_windows(data)
    starts = [start for _, start, _ in windows]
    guides = guide_levels(sizing, sized, starts)
    penalty = _penalties(data)
    tasks = []
    for k, (label, start, stop) in enumerate(windows):
        nxt = (k + 1) % len(windows)
        info = {
            "initial_state": {name: levels[k] for name, levels in guides.items()},
            "final_state": {name: (levels[nxt], penalty[name]) for name, levels in guides.items()},
        }
        part = slice(start, stop)
        series = {key: np.asarray(v[part]) for key, v in {**data.series, **avail}.items()}
        window_data = ScenarioData(data.scenario, data.path, data.times[part], {k2: series[k2] for k2 in data.series})
        window_grid = grid.with_base_flow(
            grid.base_flow_mw[part], None if grid.bus_injection_mw is None else grid.bus_injection_mw[part]
        )
        task = WindowTask(k, label, start, stop, window_data, window_grid, series, full_tg.window(start, stop),
                          dict(sizes), info, dict(options))
        if checkpoint_dir is not None:
            task.checkpoint = checkpoint_dir / f"window-{k:02d}-{_task_key(task)}"
        tasks.append(task)
    return tasks


def _task_key(task: WindowTask) -> str:
    """A digest of everything the window's model is built from (checkpoints are reused only on a match).

    HiGHS's thread count is left out: it changes how a window is solved, not what (one thread per window when
    parallel, the scenario's otherwise), so a run resumed with another ``--workers`` still reuses its windows.
    """
    digest = hashlib.sha256()
    digest.update(task.data.scenario.model_dump_json().encode())
    hooks = [f"{f.__module__}.{f.__qualname__}" for f in task.extra]
    digest.update(pickle.dumps((task.start, task.stop, sorted(task.sizes.items()), task.info,
                                sorted((k, v) for k, v in task.options.items() if k != "threads"), hooks,
                                FREE_IN_DISPATCH)))
    for key in sorted(task.series):
        digest.update(key.encode())
        digest.update(np.ascontiguousarray(task.series[key], dtype=float).tobytes())
    digest.update(np.ascontiguousarray(task.grid.base_flow_mw).tobytes())
    return digest.hexdigest()[:16]


def expected_work(task: WindowTask) -> int:
    """How hard a window is expected to be, to start the hardest first: the network rows its screening will keep
    (:func:`energyhub.model.network.rows_that_can_bind` at each hub's connection limits × transport-right
    availability), plus its steps.

    Congestion is what makes a window's MILP hard: on the regional study the window with the most such rows
    (December, 3,352) took 53 s and the others 7-18 s. Started last, it finishes alone and the second worker idles.
    """
    grid, n = task.grid, task.stop - task.start
    if task.data.scenario.grid.flow_model != "dc" or grid.n_branches == 0 or not grid.hub_names:
        return n
    specs = {h.name: h for h in task.data.scenario.hubs}
    imp, exp = np.zeros((n, len(grid.hub_names))), np.zeros((n, len(grid.hub_names)))
    for j, hub in enumerate(grid.hub_names):
        if hub in specs:
            avail = np.asarray(task.series.get(f"hubs.{hub}.availability", np.ones(n)), dtype=float)
            imp[:, j], exp[:, j] = injection_limits_mw(specs[hub], avail)
    upper, lower = network.rows_that_can_bind(grid, imp, exp)
    return int(upper.sum() + lower.sum()) + n


def hardest_first(tasks: Sequence[WindowTask]) -> list[int]:
    """Task indices by :func:`expected_work`, largest first (ties: calendar order): longest-processing-time-first
    scheduling, so that no long window starts last."""
    work = [expected_work(t) for t in tasks]
    return sorted(range(len(tasks)), key=lambda i: (-work[i], i))


# --------------------------------------------------------------------------------------------------- one window
def solve_window(task: WindowTask) -> WindowOutcome:
    """Build, solve and extract one window (runs in a worker process); reuse its checkpoint if there is one."""
    if task.checkpoint is not None:
        saved = _load_checkpoint(task)
        if saved is not None:
            return saved
    with gc_disabled():  # no collection while the window's model lives: it would traverse it again and again
        outcome = _solve_window(task)
    t0 = time.perf_counter()
    gc.collect()  # one collection reclaims the window's model (a Pyomo model is held together by cycles)
    outcome.timings_s["collect"] = round(time.perf_counter() - t0, 3)
    if task.checkpoint is not None:
        _save_checkpoint(task, outcome)
    return outcome


def _solve_window(task: WindowTask) -> WindowOutcome:
    hm, res = solve_lazily(
        lambda info: build_model(task.data, task.grid, time_grid=task.time_grid, series=task.series,
                                 fixed_sizes=task.sizes, info={**task.info, **info}, extra=task.extra),
        task.options, progress=lambda _msg: None,
    )
    t0 = time.perf_counter()
    dataset, costs, caps = to_dataset(hm, res), costs_eur(hm, res), capacities(hm, res)
    timings = {**res.timings_s, "extract": time.perf_counter() - t0}
    outcome = WindowOutcome(
        index=task.index,
        status=res.status,
        objective_eur=res.objective_eur,
        mip_gap=res.mip_gap,
        dataset=dataset,
        costs_eur=costs,
        capacities=caps,
        timings_s={key: round(value, 3) for key, value in timings.items()},
        model_size={"columns": res.compiled.n_cols, "rows": len(res.compiled.rows),
                    "integers": sum(1 for v in res.compiled.columns if v.is_integer()),
                    "network_rows": int(hm.info.get("network_rows", 0))},
        free_size_costs=free_size_costs(hm),
    )
    return outcome


def _save_checkpoint(task: WindowTask, outcome: WindowOutcome) -> None:
    assert task.checkpoint is not None
    task.checkpoint.parent.mkdir(parents=True, exist_ok=True)
    meta = {k: getattr(outcome, k) for k in ("index", "status", "objective_eur", "mip_gap", "costs_eur",
                                             "capacities", "timings_s", "model_size", "free_size_costs")}
    tmp_nc = task.checkpoint.with_suffix(".nc.tmp")
    outcome.dataset.to_netcdf(tmp_nc, engine="h5netcdf")
    tmp_nc.rename(task.checkpoint.with_suffix(".nc"))
    tmp_json = task.checkpoint.with_suffix(".json.tmp")
    tmp_json.write_text(json.dumps(meta), encoding="utf-8")
    tmp_json.rename(task.checkpoint.with_suffix(".json"))  # written last: marks the checkpoint complete


def _load_checkpoint(task: WindowTask) -> WindowOutcome | None:
    assert task.checkpoint is not None
    meta_file, nc_file = task.checkpoint.with_suffix(".json"), task.checkpoint.with_suffix(".nc")
    if not (meta_file.is_file() and nc_file.is_file()):
        return None
    try:
        meta = json.loads(meta_file.read_text(encoding="utf-8"))
        with xr.open_dataset(nc_file, engine="h5netcdf") as saved:
            dataset = saved.load()
    except (OSError, ValueError):
        return None
    return WindowOutcome(dataset=dataset, resumed=True, **meta)


def resume_notes(tasks: list[WindowTask]) -> list[str]:
    """What a resumed run takes from its checkpoint folder, and why it cannot take the rest."""
    folders = {t.checkpoint.parent for t in tasks if t.checkpoint is not None}
    if not folders:
        return []
    (folder,) = folders
    saved = {p.with_suffix("") for p in folder.glob("window-*.json")} if folder.is_dir() else set()
    if not saved:
        return []
    ours = {t.checkpoint for t in tasks}
    reused = sorted(f"{t.label}" for t in tasks if t.checkpoint in saved)
    stale = len(saved - ours)
    notes = []
    if reused:
        notes.append(f"resuming: {len(reused)} of {len(tasks)} windows finished in an earlier run "
                     f"({', '.join(reused)}) are taken from {folder}")
    if stale:
        notes.append(f"{stale} window checkpoint(s) in {folder} are from a run with another scenario, other sizes "
                     "or boundary levels from the sizing, or other solver options: not reused, solved again")
    return notes


# --------------------------------------------------------------------------------------------------- stitching
def dispatch_in_windows(
    tasks: list[WindowTask],
    *,
    workers: int = 1,
    scheduler: str | None = None,
    progress: Progress | None = None,
    pool: Workers | None = None,
) -> list[WindowOutcome]:
    """Solve every window (in parallel where asked, on ``pool`` if it is started) and report each as it
    finishes."""
    say = progress or (lambda msg: log.info("%s", msg))
    t0 = time.perf_counter()
    where = f"dask scheduler {scheduler}" if scheduler else f"{min(workers, len(tasks))} worker process(es)"
    say(f"dispatching {len(tasks)} monthly windows on {where}")
    for line in resume_notes(tasks):
        say(line)

    def done(i: int, out: WindowOutcome) -> None:
        how = "resumed from checkpoint" if out.resumed else f"solved in {out.timings_s.get('solve', 0.0):.1f} s"
        say(f"window {i + 1}/{len(tasks)} ({tasks[i].label}) {how}: {out.status}, "
            f"{out.objective_eur:,.0f} EUR/yr share, gap {out.mip_gap:.2%} [{time.perf_counter() - t0:.0f} s]")

    order = hardest_first(tasks) if scheduler is not None or workers > 1 else None
    if pool is not None:
        return pool.run(solve_window, tasks, on_done=done, order=order)
    return run_tasks(solve_window, tasks, workers=workers, scheduler=scheduler, on_done=done, order=order)


def decided_again(outcomes: Sequence[WindowOutcome]) -> list[str]:
    """The sizes the windows decided for themselves (:data:`~energyhub.model.sizes.FREE_IN_DISPATCH`), sorted."""
    return sorted({key for o in outcomes for key in o.free_size_costs})


def stitch(data: ScenarioData, tasks: list[WindowTask], outcomes: list[WindowOutcome]) -> Stitched:
    """The horizon's dataset, costs and capacities from its windows.

    Costs add up (each window carries its share of the year's fixed costs), except those of the sizes each window
    decides for itself (:data:`~energyhub.model.sizes.FREE_IN_DISPATCH`: the contracted capacity):
    the stitched dispatch needs the largest any window chose, and pays for it in full. Each window's
    cost of such a size is linear, ``c_w × s_w`` with ``c_w`` its share of the annual cost per unit (the shares
    sum to 1), so the stitched cost is ``Σ_w c_w × max_w s_w``: every window's term is raised by
    ``c_w × (max − s_w)``.
    """
    dataset = xr.concat([o.dataset for o in outcomes], dim="time", data_vars="minimal", coords="minimal",
                        compat="override", join="override", combine_attrs="override")
    costs: dict[str, float] = {}
    for outcome in outcomes:
        for category, value in outcome.costs_eur.items():
            if category != "total":
                costs[category] = costs.get(category, 0.0) + value
    caps = dict(outcomes[0].capacities)
    for key in decided_again(outcomes):
        caps[key] = max(o.capacities.get(key, 0.0) for o in outcomes)
        for o in outcomes:
            for category, per_unit in o.free_size_costs.get(key, {}).items():
                costs[category] = costs.get(category, 0.0) + per_unit * (caps[key] - o.capacities.get(key, 0.0))
    costs["total"] = float(sum(costs.values()))
    statuses = {o.status for o in outcomes}
    status = "optimal" if statuses == {"optimal"} else "time_limit_feasible"
    windows = [
        {"label": t.label, "start": f"{data.times[t.start]:%Y-%m-%d %H:%M}", "steps": t.stop - t.start,
         "status": o.status, "objective_eur": o.objective_eur, "mip_gap": o.mip_gap, "timings_s": o.timings_s,
         "model_size": o.model_size, "resumed": o.resumed}
        for t, o in zip(tasks, outcomes, strict=True)
    ]
    timings = {key: float(sum(o.timings_s.get(key, 0.0) for o in outcomes))
               for key in ("build", "handover", "solve", "extract", "collect")}
    size = {key: int(sum(o.model_size.get(key, 0) for o in outcomes)) for key in ("columns", "rows", "network_rows")}
    dataset.attrs["status"] = status
    return Stitched(dataset, costs, caps, status, max(o.mip_gap for o in outcomes), windows, timings, size)


@dataclass
class DecomposedRun:
    """A sizing on typical periods followed by the dispatch in windows, stitched."""

    sizing: HubModel
    sized: SolveResult
    tasks: list[WindowTask]
    outcomes: list[WindowOutcome]
    stitched: Stitched
    dispatch_wall_s: float


def size_and_dispatch(
    data: ScenarioData,
    grid: GridInputs,
    options: dict[str, OptionValue],
    *,
    workers: int = 1,
    scheduler: str | None = None,
    checkpoint_dir: Path | None = None,
    progress: Progress | None = None,
    log_file: Path | None = None,
    extra: Sequence[Component] = (),
) -> DecomposedRun:
    """Size on typical periods, then dispatch the horizon in monthly windows (one thread each when parallel).

    ``extra`` model components (:func:`energyhub.model.build.build_model`) go into the sizing and every window;
    with worker processes they must be picklable (module-level functions).
    """
    from energyhub.solve.workflow import solve_sizing

    say = progress or (lambda msg: log.info("%s", msg))
    # local workers start while HiGHS solves the sizing (after its hand-over), not while the sizing is built
    with Workers(workers, scheduler) as pool:
        sizing, sized = solve_sizing(data, grid, options, progress=say, log_file=log_file, extra=extra,
                                     before_run=pool.start)
        return dispatch_sized(data, grid, options, sizing, sized, workers=workers, scheduler=scheduler,
                              checkpoint_dir=checkpoint_dir, progress=say, pool=pool, extra=extra)


def dispatch_sized(
    data: ScenarioData,
    grid: GridInputs,
    options: dict[str, OptionValue],
    sizing: HubModel,
    sized: SolveResult,
    *,
    workers: int = 1,
    scheduler: str | None = None,
    checkpoint_dir: Path | None = None,
    progress: Progress | None = None,
    pool: Workers | None = None,
    extra: Sequence[Component] = (),
) -> DecomposedRun:
    """The horizon's dispatch of a solved sizing, in monthly windows (one thread each when parallel), stitched.

    :func:`size_and_dispatch` after its sizing, and the sweep's live models (:mod:`energyhub.sweep.live`) after
    re-solving theirs."""
    from energyhub.solve.workflow import sizes_of

    parallel = scheduler is not None or workers > 1
    window_options = {**options, "threads": 1} if parallel else dict(options)
    tasks = make_tasks(data, grid, sizing, sized, sizes_of(sizing, sized), window_options, checkpoint_dir)
    for task in tasks:
        task.extra = tuple(extra)
    t0 = time.perf_counter()
    outcomes = dispatch_in_windows(tasks, workers=workers, scheduler=scheduler, progress=progress, pool=pool)
    wall = time.perf_counter() - t0
    return DecomposedRun(sizing, sized, tasks, outcomes, stitch(data, tasks, outcomes), wall)


def stitched_kpis(data: ScenarioData, grid: GridInputs, dataset: xr.Dataset) -> dict[str, Any]:
    """Energy, hydrogen, grid and CO2 figures of the stitched horizon (as for a monolithic dispatch)."""
    full = HubModel(data=data, grid=grid, time=horizon_grid(data.times, data.step_h), series=data.series)
    return kpis(full, cast(Any, None), dataset)
