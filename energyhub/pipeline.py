"""The pipeline, stage by stage: scenario -> grid -> model -> solve -> AC check -> results.

Every verb of the command line is one function here, and every stage is timed separately (``timings_s`` in each
summary): load, grid, build, handover, solve, extract, ac_check, write, total.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import xarray as xr

from energyhub.grid.ac import AcResult, AcSolver
from energyhub.grid.baseline import baseline_dataset, congestion_kpis
from energyhub.grid.build import (
    FixedElements,
    build_grid,
    fixed_elements,
    hub_bus_positions,
    hub_own_output_mw,
    to_bus_matrix,
)
from energyhub.grid.network import ModelGrid
from energyhub.scenario.data import ScenarioData, load
from energyhub.scenario.load import SOLVERS_DIR

if TYPE_CHECKING:
    from energyhub.decompose import DecomposedRun
    from energyhub.model.build import Component
    from energyhub.model.core import HubModel
    from energyhub.model.inputs import GridInputs
    from energyhub.solve.highs import SolveResult

log = logging.getLogger(__name__)
Progress = Callable[[str], None]


@dataclass
class Timings:
    """Wall-clock seconds per pipeline stage."""

    seconds: dict[str, float] = field(default_factory=dict)
    _start: float = field(default_factory=time.perf_counter)

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        t0 = time.perf_counter()
        log.info("%s …", name)
        try:
            yield
        finally:
            self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - t0

    def total(self) -> dict[str, float]:
        stages = {k: round(v, 3) for k, v in self.seconds.items()}
        return {**stages, "total": round(time.perf_counter() - self._start, 3)}


@dataclass
class Prepared:
    """A scenario with its grid and the grid's fixed injections: what every verb starts from."""

    data: ScenarioData
    grid: ModelGrid
    fixed: FixedElements
    hub_bus: np.ndarray

    def fixed_injections_mw(self) -> np.ndarray:
        return self.grid.injections_from_elements(self.fixed.load_p_mw, self.fixed.sgen_p_mw)

    def hub_injections_mw(self, per_hub_mw: np.ndarray) -> np.ndarray:
        """Hub net injections into the grid (T × H, export positive) as bus injections (T × n_bus)."""
        return to_bus_matrix(per_hub_mw, self.hub_bus, self.grid.n_bus)

    _solver: AcSolver | None = field(default=None, repr=False)
    _before: tuple[bytes, AcResult] | None = field(default=None, repr=False)

    def ac(self, per_hub_mw: np.ndarray) -> AcResult:
        """AC power flow of every step with the hubs' net injections ``per_hub_mw`` (T × H, export positive)."""
        if self._solver is None:
            self._solver = AcSolver(self.grid)
        return self._solver.solve(
            self.fixed.load_p_mw, self.fixed.load_q_mvar, self.fixed.sgen_p_mw, self.hub_injections_mw(per_hub_mw)
        )

    def ac_before(self) -> AcResult:
        """AC power flow without hub assets (each hub's own demand, PV and wind), kept for the same series."""
        own_mw = hub_own_output_mw(self.data)
        key = own_mw.tobytes()
        if self._before is None or self._before[0] != key:
            self._before = (key, self.ac(own_mw))
        return self._before[1]


def prepare(path: Path, timings: Timings, solvers_dir: Path = SOLVERS_DIR) -> Prepared:
    """Load and validate the scenario, then build its grid."""
    with timings.stage("load"):
        data = load(path, solvers_dir)
    return prepare_data(data, timings)


def nonconverged_times(data: ScenarioData, ac: AcResult) -> list[str]:
    return [f"{t:%Y-%m-%d %H:%M}" for t in data.times[~ac.converged]]


def baseline(path: Path, timings: Timings) -> tuple[dict[str, Any], xr.Dataset]:
    """The congestion picture without hub assets: fixed grid plus each hub's own demand, PV and wind."""
    prep = prepare(path, timings)
    data, grid = prep.data, prep.grid
    own_mw = hub_own_output_mw(data)
    with timings.stage("dc_flows"):
        inj = prep.fixed_injections_mw() + prep.hub_injections_mw(own_mw)
        dc_pct = grid.dc_loading_pct(inj)
    with timings.stage("ac_check"):
        ac = prep.ac_before()
    spec = data.scenario.grid
    dataset = baseline_dataset(grid, data.times, dc_pct, ac, inj)
    dataset = dataset.rename({"dc_loading_pct": "loading_dc_pct", "ac_loading_pct": "loading_ac_pct"})
    dataset.attrs.update({"scenario": data.scenario.name, "limit_pct": spec.loading_limit_pct})
    args = (spec.loading_limit_pct, grid.branch_limit_mva, data.step_h, data.times, grid.branch_names)
    ac_kpis = congestion_kpis(ac.loading_pct, *args, vm_pu=ac.vm_pu, bus_names=grid.bus_names,
                              v_band_pu=spec.voltage_band_pu)
    dc_kpis = congestion_kpis(dc_pct, *args)
    dataset = dataset.merge(_per_element(ac_kpis, "ac")).merge(_per_element(dc_kpis, "dc"))
    summary: dict[str, Any] = {
        "scenario": data.scenario.name,
        "kind": "baseline",
        "limit_pct": spec.loading_limit_pct,
        "voltage_band_pu": list(spec.voltage_band_pu),
        "ac": ac_kpis,
        "dc": dc_kpis,
        "timings_s": timings.total(),
    }
    return summary, dataset


def _per_element(kpis: dict[str, Any], flow: str) -> xr.Dataset:
    """Move the per-branch (and per-bus) tables of :func:`congestion_kpis` into dataset variables."""
    units = {"overloaded_h": "h", "worst_loading_pct": "%", "energy_above_limit_mwh": "MWh", "below_h": "h",
             "above_h": "h", "min_vm_pu": "p.u.", "max_vm_pu": "p.u."}
    out = xr.Dataset()
    for table, dim in (("branches", "branch"), ("buses", "bus")):
        frame = kpis.pop(table, None)
        if frame is None:
            continue
        for column, unit in units.items():
            if column in frame:
                out[f"{flow}_{column}"] = ((dim,), frame[column].to_numpy(float), {"units": unit})
    return out


def _over_hours(loading_pct: np.ndarray, limit_pct: float, step_h: float) -> float:
    """Branch-hours above the limit (NaN steps, not converged, count as not overloaded)."""
    return float(np.sum(np.nan_to_num(loading_pct, nan=0.0) > limit_pct + 1e-6) * step_h)


def _nested_capacities(flat: dict[str, float]) -> dict[str, dict[str, float]]:
    """``{"a.power_mw": 1.0}`` -> ``{"a": {"power_mw": 1.0}}``; solver noise below 1e-9 (and -0.0) becomes 0.0."""
    out: dict[str, dict[str, float]] = {}
    for key, value in flat.items():
        asset, _, quantity = key.rpartition(".")
        out.setdefault(asset, {})[quantity] = 0.0 if abs(value) < 1e-9 else value
    return out


def _max_converged(loading_pct: np.ndarray) -> float:
    """The largest loading of the steps whose AC power flow converged; NaN (null in summary.json) when none did
    (the non-converged steps are listed beside it), without numpy's all-NaN warning."""
    finite = loading_pct[np.isfinite(loading_pct)]
    return float(finite.max()) if finite.size else float("nan")


def ac_before_after(
    prep: Prepared, hub_export_mw: np.ndarray, rating_scale: np.ndarray
) -> tuple[xr.Dataset, dict[str, Any]]:
    """AC loading and voltages without hub assets and with the optimal hub exchange, and their KPIs.

    ``rating_scale`` (per branch) is the rating after / before the chosen reinforcements: loading after is
    taken of the reinforced rating (the reinforcement's effect on impedances is neglected).
    """
    data, grid = prep.data, prep.grid
    spec = data.scenario.grid
    before = prep.ac_before()
    after = prep.ac(hub_export_mw)
    after.loading_pct = after.loading_pct / rating_scale
    limit, step_h = spec.loading_limit_pct, data.step_h
    kpis = {
        "overloaded_branch_hours_before": _over_hours(before.loading_pct, limit, step_h),
        "overloaded_branch_hours_after": _over_hours(after.loading_pct, limit, step_h),
        "max_loading_pct_before": _max_converged(before.loading_pct) if grid.n_branch else 0.0,
        "max_loading_pct_after": _max_converged(after.loading_pct) if grid.n_branch else 0.0,
        "ac_nonconverged_steps_before": nonconverged_times(data, before),
        "ac_nonconverged_steps_after": nonconverged_times(data, after),
    }
    tb, tbus = ("time", "branch"), ("time", "bus")
    ds = xr.Dataset(
        {
            "loading_ac_before_pct": (tb, before.loading_pct, {"units": "%", "long_name": "AC loading, no assets"}),
            "loading_ac_after_pct": (tb, after.loading_pct, {"units": "%", "long_name": "AC loading, optimum"}),
            "vm_before_pu": (tbus, before.vm_pu, {"units": "p.u.", "long_name": "AC voltage, no assets"}),
            "vm_after_pu": (tbus, after.vm_pu, {"units": "p.u.", "long_name": "AC voltage, optimum"}),
        },
        coords={"time": data.times, "branch": grid.branch_names, "bus": grid.bus_names,
                "branch_kind": ("branch", np.asarray(grid.branch_kind, dtype=str))},
    )
    return ds, kpis


def model_inputs(prep: Prepared, timings: Timings) -> GridInputs:
    """The grid as the model sees it (:func:`energyhub.model.inputs.model_grid_inputs`); the AC power flow without
    hub assets, which anchors the base flows, is run (and timed) only when needed."""
    from energyhub.model.inputs import model_grid_inputs

    def ac_loading_pct() -> np.ndarray:
        with timings.stage("ac_check"):
            return np.asarray(prep.ac_before().loading_pct)

    return model_grid_inputs(prep.data, prep.grid, prep.fixed_injections_mw(), prep.hub_bus,
                             hub_own_output_mw(prep.data), ac_loading_pct)


@dataclass
class Execution:
    """Where the parallel stages run (the decomposed dispatch): local worker processes or a dask scheduler, and
    the folder that keeps finished windows for a resumed run."""

    workers: int = 1
    scheduler: str | None = None
    checkpoint_dir: Path | None = None


def decomposed(data: ScenarioData) -> bool:
    """Whether the full-horizon dispatch is solved in monthly windows (``time.aggregation.dispatch_windows``)."""
    from energyhub.decompose import month_windows

    spec = data.scenario.time.aggregation
    return (spec is not None and spec.check_full_horizon and spec.dispatch_windows == "month"
            and len(month_windows(data)) > 1)


def solve_prepared(
    prep: Prepared, timings: Timings, progress: Progress | None = None, log_file: Path | None = None,
    execution: Execution | None = None, extra: Sequence[Component] = (),
) -> tuple[dict[str, Any], xr.Dataset]:
    """Build, solve, extract and AC-check a prepared scenario (HiGHS's log appended to ``log_file`` if given;
    ``extra``: model components added to every build, see :func:`energyhub.model.build.build_model`)."""
    from energyhub.solve.options import resolve_options
    from energyhub.solve.workflow import solve_scenario

    data = prep.data
    options = resolve_options(data.scenario.solver, SOLVERS_DIR, data.path)
    inputs = model_inputs(prep, timings)
    if decomposed(data):
        return solve_in_windows(prep, inputs, options, timings, progress, execution or Execution(), log_file, extra)
    hm, res = solve_scenario(data, inputs, options, log_file=log_file, progress=progress, extra=extra)
    for key in ("build", "handover", "solve"):
        timings.seconds[key] = res.timings_s.get(key, 0.0) + res.timings_s.get(f"sizing.{key}", 0.0)
    return finish_solved(prep, inputs, hm, res, timings)


def _contract(summary: dict[str, Any], data: ScenarioData, solve_timings: dict[str, float]) -> dict[str, Any]:
    """The summary.json layout documented in docs/outputs.md."""
    sc = data.scenario
    summary["objective_eur"] = summary.pop("objective_eur_per_year")
    summary["capacities"] = _nested_capacities(summary["capacities"])
    summary["solver_timings_s"] = {k: round(v, 3) for k, v in solve_timings.items()}
    summary["hubs"] = {h.name: {"import_mw": h.connection.import_mw, "export_mw": h.connection.export_mw}
                       for h in sc.hubs}
    summary["scenario_brief"] = {
        "name": sc.name,
        "description": sc.description,
        "start": f"{data.times[0]:%Y-%m-%d %H:%M}",
        "periods": sc.time.periods,
        "resolution": sc.time.resolution,
        "segments": [f"{s.name} ({s.source}, {s.zone})" for s in sc.grid.segments],
        "flow_model": sc.grid.flow_model,
        "hubs": [h.name for h in sc.hubs],
        "assets": {a.name: a.type for a in sc.assets},
    }
    return summary


def solve_in_windows(
    prep: Prepared, inputs: GridInputs, options: dict[str, Any], timings: Timings, progress: Progress | None,
    execution: Execution, log_file: Path | None = None, extra: Sequence[Component] = (),
) -> tuple[dict[str, Any], xr.Dataset]:
    """Size on typical periods, dispatch the horizon in monthly windows (:mod:`energyhub.decompose`), stitch,
    and AC-check the stitched dispatch (HiGHS's log of the sizing appended to ``log_file``)."""
    from energyhub.decompose import size_and_dispatch

    run = size_and_dispatch(prep.data, inputs, options, workers=execution.workers, scheduler=execution.scheduler,
                            checkpoint_dir=execution.checkpoint_dir, progress=progress, log_file=log_file,
                            extra=extra)
    return finish_windows(prep, inputs, run, timings, execution)


def finish_windows(prep: Prepared, inputs: GridInputs, run: DecomposedRun, timings: Timings,
                   execution: Execution) -> tuple[dict[str, Any], xr.Dataset]:
    """Summary and dataset of a dispatch in windows (:func:`solve_in_windows`, and the sweep's live models), with
    the AC check of the stitched dispatch."""
    from energyhub.decompose import decided_again, stitched_kpis

    data = prep.data
    sized, stitched = run.sized, run.stitched
    timings.seconds["dispatch_wall"] = run.dispatch_wall_s
    solver_timings = {f"sizing.{k}": v for k, v in sized.timings_s.items()}
    solver_timings.update({f"windows.{k}": v for k, v in stitched.timings_s.items()})
    for key in ("build", "handover", "solve"):
        timings.seconds[key] = sized.timings_s.get(key, 0.0) + stitched.timings_s.get(key, 0.0)
    dataset = stitched.dataset
    with timings.stage("extract"):
        summary: dict[str, Any] = {
            "scenario": data.scenario.name,
            "status": stitched.status,
            "objective_eur_per_year": stitched.costs_eur["total"],
            "mip_gap": stitched.mip_gap,
            "model_size": stitched.model_size,
            "capacities": stitched.capacities,
            "costs_eur": stitched.costs_eur,
            "kpis": stitched_kpis(data, inputs, dataset),
        }
    summary["dispatch"] = {
        "decomposition": "month",
        "workers": execution.scheduler or execution.workers,
        "sizing_objective_eur": sized.objective_eur,
        # the sizes each window decided again (FREE_IN_DISPATCH): the sizing's value and the stitched one
        "decided_again": {key: {"sizing": run.tasks[0].sizes.get(key, 0.0), "dispatch": stitched.capacities[key]}
                          for key in decided_again(run.outcomes)},
        "sum_of_windows_objective_eur": float(sum(w["objective_eur"] for w in stitched.windows)),
        "end_level_shortfall_eur": stitched.costs_eur.get("end_level_shortfall", 0.0),
        "wall_s": round(timings.seconds["dispatch_wall"], 3),
        "windows": stitched.windows,
    }
    with timings.stage("ac_check"):
        scale = dataset["limit_mw"].to_numpy() / np.maximum(inputs.limit_mw, 1e-12)
        export_mw = (dataset["export_mw"] - dataset["import_mw"]).transpose("time", "hub").to_numpy()
        ac_ds, ac_kpis = ac_before_after(prep, export_mw, scale)
    dataset = xr.merge([dataset, ac_ds], compat="override", join="left")
    summary["kpis"].update(ac_kpis)
    summary = _contract(summary, data, solver_timings)
    summary["finance"] = stitched_finance(data, inputs, dataset, summary)
    dataset.attrs.update({"limit_pct": data.scenario.grid.loading_limit_pct})
    return summary, dataset


def stitched_finance(data: ScenarioData, inputs: GridInputs, dataset: xr.Dataset,
                     summary: dict[str, Any]) -> dict[str, Any]:
    """The ``finance`` block of a dispatch stitched from windows, as :func:`finish_solved` writes it for one model
    (the hubs' bills from the stitched dispatch over the horizon; ``energyhub compare`` and the report need it)."""
    from energyhub.model.core import HubModel
    from energyhub.model.timegrid import horizon_grid
    from energyhub.results import finance

    full = HubModel(data=data, grid=inputs, time=horizon_grid(data.times, data.step_h), series=data.series)
    bills = finance.hub_bills(full, dataset, summary["capacities"])
    return finance.finance_summary(data.scenario, summary, bills)


def solve(path: Path, timings: Timings, progress: Progress | None = None, log_file: Path | None = None,
          execution: Execution | None = None) -> tuple[dict[str, Any], xr.Dataset]:
    """``energyhub solve``: the whole pipeline for one scenario file (HiGHS's log appended to ``log_file``)."""
    summary, dataset = solve_prepared(prepare(path, timings), timings, progress, log_file, execution)
    summary["timings_s"] = timings.total()
    return summary, dataset


# --------------------------------------------------------------------------------------------------- sweeps
def grid_key(data: ScenarioData) -> str:
    """What :func:`prepare_data` builds the grid from: grid section, time, hub buses, reinforced branches."""
    import json


    sc = data.scenario
    parts = {
        "path": str(data.path.resolve()),
        "grid": sc.grid.model_dump(mode="json"),
        "time": sc.time.model_dump(mode="json"),
        "buses": [(h.name, h.bus) for h in sc.hubs],
        "branches": [(a.name, a.at_branch) for a in sc.assets if a.at_branch is not None],
    }
    return json.dumps(parts, sort_keys=True, default=str)


def prepare_data(data: ScenarioData, timings: Timings, reuse: Prepared | None = None) -> Prepared:
    """:func:`prepare` for an already loaded scenario; the grid of ``reuse`` is taken when it was built from the
    same grid, time and hub buses (:func:`grid_key`), else the grid is built."""
    if reuse is not None and grid_key(reuse.data) == grid_key(data):
        return Prepared(data, reuse.grid, reuse.fixed, reuse.hub_bus, reuse._solver, reuse._before)
    with timings.stage("grid"):
        grid = build_grid(data)
        fixed = fixed_elements(data, grid)
    return Prepared(data, grid, fixed, hub_bus_positions(data, grid))


def finish_solved(
    prep: Prepared, inputs: GridInputs, hm: HubModel, res: SolveResult, timings: Timings
) -> tuple[dict[str, Any], xr.Dataset]:
    """Extract, summarise and AC-check a solved model of ``prep`` (the tail of :func:`solve_prepared`, and of a
    sweep's live model re-solve)."""
    from energyhub.results import finance
    from energyhub.results.extract import hub_net_import_mw, to_dataset
    from energyhub.results.kpis import summary as model_summary

    data = prep.data
    with timings.stage("extract"):
        dataset = to_dataset(hm, res)
        summary = model_summary(hm, res, dataset)
    full_horizon = hm.time.n == len(data.times)
    if full_horizon:
        with timings.stage("ac_check"):
            scale = dataset["limit_mw"].to_numpy() / np.maximum(inputs.limit_mw, 1e-12)
            ac_ds, ac_kpis = ac_before_after(prep, -hub_net_import_mw(hm, res), scale)
        dataset = xr.merge([dataset, ac_ds], compat="override", join="left")
        summary["kpis"].update(ac_kpis)
    else:
        summary["kpis"]["ac_check"] = "skipped: typical periods only (set time.aggregation.check_full_horizon)"
    summary = _contract(summary, data, res.timings_s)
    bills = finance.hub_bills(hm, dataset, summary["capacities"])
    summary["finance"] = finance.finance_summary(data.scenario, summary, bills)
    dataset.attrs.update({"limit_pct": data.scenario.grid.loading_limit_pct})
    return summary, dataset
