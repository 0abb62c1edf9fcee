"""Time build, hand-over, solve and extract of the energyhub model on synthetic scenarios, run as a user would.

Synthetic grid: 100 branches, base flows with a daily shape plus noise (a few % of steps over the limit on some
branches), PTDF columns with |entries| up to 0.9 on ~20 branches per hub (its feeder path) and ~0 elsewhere.
Each hub: demand, PV, a sizeable battery, an electrolyser (0-4 stacks of 2 MW, min load 20 %) with a hydrogen
store and demand; every other hub has a biogas engine.

Horizons up to ``--aggregate-above`` hours (default 336, two weeks) are one full-horizon MILP. Longer horizons use
the scenario's representative-period option, as a user would: ``time.aggregation`` with ``--typical-periods``
days of 24 h (capped at half the days of the horizon), ``relax_commitment`` and ``check_full_horizon`` on, i.e.
sizing on typical days (commitment relaxed), then the full-horizon dispatch with the sizes fixed and every integer,
solved as ``energyhub solve`` does: in calendar-month windows (``dispatch_windows: month``,
:func:`energyhub.decompose.size_and_dispatch`) on ``--workers`` local processes or a dask ``--scheduler``, or as
one model when the horizon lies in one month (:func:`energyhub.solve.workflow.solve_scenario`).

Build, hand-over and HiGHS times are reported per stage (sizing / dispatch; for a dispatch in windows, summed over
its windows, and the wall time of the whole parallel dispatch stage beside them), medians of ``--runs`` runs after
an untimed warm-up run; gap and status are those of the median-HiGHS-time run (the dispatch's gap: the largest
window's). Peak memory: the largest resident set of this process plus its worker processes during the run (sampled,
:mod:`memory`; remote dask workers are not seen), median over runs.

    python benchmarks/model_bench.py --hours 168 --hubs 1 4 10 20 --runs 3
    python benchmarks/model_bench.py --hours 720 --hubs 1 4 10 20 --runs 1
    python benchmarks/model_bench.py --hours 8760 --hubs 1 4 10 20 --runs 1 --workers 2

``--json FILE`` keeps every run's stages, ``--table-from FILE`` prints the table of such a file again,
``--highs-log DIR`` writes HiGHS's log per run (the sizing's; windows run quietly, as in ``energyhub solve``),
``--highs-option NAME=VALUE`` passes a further HiGHS option.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import energyhub.solve.highs as highs_mod
import energyhub.solve.workflow as workflow
from energyhub.decompose import DecomposedRun, size_and_dispatch
from energyhub.errors import EnergyhubError, NoSolutionError
from energyhub.model.core import HubModel
from energyhub.model.inputs import GridInputs
from energyhub.pipeline import decomposed
from energyhub.results.extract import to_dataset
from energyhub.scenario.data import ScenarioData
from energyhub.scenario.load import SOLVERS_DIR
from energyhub.scenario.schema import Scenario
from energyhub.solve.highs import CompiledModel, SolveResult
from energyhub.solve.options import OptionValue, parse_value, read_preset

sys.path.insert(0, str(Path(__file__).resolve().parent))
from memory import PeakMemory  # benchmarks/memory.py

N_BRANCH = 100


def scenario(n_hubs: int, hours: int, typical_periods: int | None = None,
             ptdf_tolerance: float | None = None) -> Scenario:
    """The synthetic scenario; with ``typical_periods``, sizing on that many typical days (``time.aggregation``);
    ``ptdf_tolerance``: ``grid.ptdf_tolerance`` (default: the scenario's default)."""
    hubs, assets = [], []
    for i in range(n_hubs):
        name = f"hub{i}"
        hubs.append({"name": name, "bus": f"seg/b{i}", "demand_mw": 0.0, "h2_demand_kg_per_h": 30.0,
                     "connection": {"import_mw": 8.0, "export_mw": 6.0},
                     "tariffs": {"monthly_peak_eur_per_kw": 3.0}, "pv": {"capacity_mw": 6.0, "profile_pu": 0.0}})
        assets.append({"type": "battery", "name": f"{name}-bat", "hub": name,
                       "energy_mwh": {"max": 40.0, "capex_eur_per_mwh": 250e3},
                       "power_mw": {"max": 10.0, "capex_eur_per_mw": 100e3}, "lifetime_years": 15})
        assets.append({"type": "electrolyser", "name": f"{name}-ely", "hub": name, "stack_mw": 2.0,
                       "stacks": {"max": 4}, "capex_eur_per_mw": 1.0e6, "min_load_frac": 0.2})
        assets.append({"type": "h2_storage", "name": f"{name}-tank", "hub": name,
                       "capacity_kg": {"max": 5000.0, "capex_eur_per_kg": 500.0}})
        if i % 2 == 1:
            assets.append({"type": "biogas", "name": f"{name}-gas", "hub": name, "unit_mw": 1.0,
                           "units": {"max": 2}, "capex_eur_per_mw": 8e5, "biogas_supply_mwh_per_day": 30.0,
                           "min_load_frac": 0.4, "min_up_h": 3.0, "start_cost_eur": 50.0})
    time_spec: dict[str, Any] = {"start": "2030-01-01", "periods": hours}
    if typical_periods is not None:
        time_spec["aggregation"] = {"typical_periods": typical_periods, "hours_per_period": 24,
                                    "check_full_horizon": True, "relax_commitment": True}
    return Scenario.model_validate({
        "name": f"bench-{n_hubs}x{hours}", "time": time_spec,
        "grid": {"segments": [{"name": "seg", "source": "x", "zone": "NL"}],
                 **({} if ptdf_tolerance is None else {"ptdf_tolerance": ptdf_tolerance})},
        "markets": [{"zone": "NL", "energy_price_eur_per_mwh": 0.0, "co2_price_eur_per_t": 80.0}],
        "hubs": hubs, "assets": assets,
    })


def make_inputs(n_hubs: int, hours: int, seed: int = 0, typical_periods: int | None = None,
                ptdf_tolerance: float | None = None) -> tuple[ScenarioData, GridInputs]:
    rng = np.random.default_rng(seed)
    times = pd.date_range("2030-01-01", periods=hours, freq="h")
    hod = np.asarray(times.hour)
    doy = np.asarray(times.dayofyear)
    solar = np.clip(np.sin((hod - 6) / 12 * np.pi), 0, None) * (0.6 + 0.4 * np.cos((doy - 172) / 365 * 2 * np.pi))
    price = 70 + 30 * np.sin((hod - 8) / 24 * 2 * np.pi) - 40 * solar + rng.normal(0, 12, hours)
    sc = scenario(n_hubs, hours, typical_periods, ptdf_tolerance)
    series = {
        "markets.NL.energy_price_eur_per_mwh": price,
        "markets.NL.export_price_eur_per_mwh": price,
        "markets.NL.grid_energy_tariff_eur_per_mwh": np.full(hours, 5.0),
        "markets.NL.co2_intensity_t_per_mwh": np.full(hours, 0.3),
    }
    for i in range(n_hubs):
        series[f"hubs.hub{i}.demand_mw"] = 3 + 2 * np.sin((hod - 10) / 24 * 2 * np.pi) + rng.normal(0, 0.3, hours)
        series[f"hubs.hub{i}.demand_mw"] = np.clip(series[f"hubs.hub{i}.demand_mw"], 0, None)
        series[f"hubs.hub{i}.h2_demand_kg_per_h"] = np.full(hours, 30.0)
        series[f"hubs.hub{i}.pv.profile_pu"] = solar
    ptdf = np.zeros((N_BRANCH, n_hubs))
    for i in range(n_hubs):
        path = rng.choice(N_BRANCH, 20, replace=False)
        ptdf[path, i] = rng.uniform(-0.9, 0.9, 20)
    ptdf += rng.normal(0, 1e-4, ptdf.shape) * (ptdf == 0)
    limit = rng.uniform(15, 40, N_BRANCH)
    shape = (0.55 + 0.35 * np.sin((hod - 18) / 24 * 2 * np.pi))[:, None] - 0.3 * solar[:, None]
    base = limit[None, :] * (shape * rng.uniform(0.6, 1.1, N_BRANCH)[None, :] + rng.normal(0, 0.05, (hours, N_BRANCH)))
    data = ScenarioData(sc, Path("bench.yaml"), times, series)
    grid = GridInputs([f"seg/l{b}" for b in range(N_BRANCH)], limit, base, ptdf, [f"hub{i}" for i in range(n_hubs)])
    return data, grid


@dataclass
class Stage:
    """One solve of :func:`solve_scenario` (the sizing or the dispatch): its model, times and outcome."""

    steps: int = 0
    cols: int = 0
    rows: int = 0
    integers: int = 0
    net_rows: int = 0
    net_pairs: int = 0
    build: float = 0.0
    handover: float = 0.0
    solve: float = 0.0
    gap: float = float("nan")
    objective: float = float("nan")
    status: str = ""


@dataclass
class Run:
    """One run: the sizing (typical days) if any, the dispatch (one model, or windows summed), and the whole.

    ``windows``: dispatch windows (0: one model); ``dispatch_wall``: wall time of the dispatch in windows (their
    parallel stage, with process start-up and hand-over of the tasks); ``peak_gib``: peak resident memory.
    """

    sizing: Stage | None = None
    dispatch: Stage = field(default_factory=Stage)
    extract: float = float("nan")
    wall: float = 0.0
    windows: int = 0
    dispatch_wall: float = float("nan")
    peak_gib: float = float("nan")

    @property
    def stages(self) -> list[Stage]:
        return [s for s in (self.sizing, self.dispatch) if s is not None]

    def total(self, key: str) -> float:
        return sum(float(getattr(s, key)) for s in self.stages)


@contextmanager
def recording(stages: list[Stage]) -> Iterator[None]:
    """Record every solve :func:`solve_scenario` makes (sizing and dispatch), also one that raises.

    Wraps the two ways ``energyhub.solve.workflow`` solves a model (``solve``, and ``solve_lazily`` with lazy
    exclusivity binaries, which may call ``solve``: only the outer call is a stage) and ``compile_model`` (the
    hand-over inside either), so a solve that ends without a solution still reports its build and hand-over times.
    A window of a dispatch in windows solved in this process is not recorded (it is reported by its outcome).
    """
    originals: dict[str, Any] = {"solve": workflow.solve, "solve_lazily": workflow.solve_lazily,
                                 "compile_model": workflow.compile_model}
    orig_highs_compile: Callable[[HubModel], CompiledModel] = highs_mod.compile_model
    depth = [0]

    def compile_model(hm: HubModel) -> CompiledModel:
        t0 = time.perf_counter()
        compiled = orig_highs_compile(hm)
        if depth[0] == 0:
            return compiled
        st = stages[-1]
        st.steps, st.build = hm.time.n, hm.timings_s.get("build", 0.0)
        st.net_rows, st.net_pairs = int(hm.info.get("network_rows", 0)), int(hm.info.get("network_pairs_total", 0))
        st.handover = time.perf_counter() - t0
        st.cols, st.rows = compiled.n_cols, len(compiled.rows)
        st.integers = sum(1 for v in compiled.columns if v.is_integer())
        return compiled

    def stage(orig: Callable[..., Any]) -> Callable[..., Any]:
        def run(*args: Any, **kw: Any) -> Any:
            if depth[0] > 0:  # solve_lazily calling solve: the same stage
                return orig(*args, **kw)
            st = Stage()
            stages.append(st)
            t0 = time.perf_counter()
            depth[0] += 1
            try:
                out = orig(*args, **kw)
            except EnergyhubError as exc:
                st.solve = time.perf_counter() - t0 - st.handover - st.build
                st.status = "time_limit_no_solution" if isinstance(exc, NoSolutionError) else type(exc).__name__
                raise
            finally:
                depth[0] -= 1
            res: SolveResult = out if isinstance(out, SolveResult) else out[1]
            st.handover, st.solve = res.timings_s["handover"], res.timings_s["solve"]
            st.gap, st.objective, st.status = res.mip_gap, res.objective_eur, res.status
            return out

        return run

    workflow.solve, workflow.solve_lazily = stage(originals["solve"]), stage(originals["solve_lazily"])
    workflow.compile_model = highs_mod.compile_model = compile_model
    try:
        yield
    finally:
        workflow.solve, workflow.solve_lazily = originals["solve"], originals["solve_lazily"]
        workflow.compile_model, highs_mod.compile_model = originals["compile_model"], orig_highs_compile


def typical_days(hours: int, aggregate_above: int, typical_periods: int) -> int | None:
    """Typical days for a horizon of ``hours`` (None: full-horizon MILP)."""
    if hours <= aggregate_above:
        return None
    return max(1, min(typical_periods, hours // 24 // 2))


@dataclass
class Where:
    """Where the dispatch windows run: ``workers`` local processes, or a dask ``scheduler`` address."""

    workers: int = 1
    scheduler: str | None = None

    def __str__(self) -> str:
        return self.scheduler or f"{self.workers} worker{'s' if self.workers > 1 else ''}"


def windows_stage(steps: int, dec: DecomposedRun) -> Stage:
    """The dispatch in windows as one stage: sizes and times summed over the windows, the largest gap."""
    st = dec.stitched
    return Stage(steps=steps, cols=st.model_size["columns"], rows=st.model_size["rows"],
                 integers=sum(o.model_size.get("integers", 0) for o in dec.outcomes),
                 net_rows=st.model_size["network_rows"], build=st.timings_s["build"],
                 handover=st.timings_s["handover"], solve=st.timings_s["solve"], gap=st.mip_gap,
                 objective=st.costs_eur["total"], status=st.status)


def one_run(n_hubs: int, hours: int, options: dict[str, OptionValue], typical: int | None,
            log_file: Path | None = None, where: Where | None = None, ptdf_tolerance: float | None = None) -> Run:
    """Solve one synthetic scenario as ``energyhub solve`` would (without the AC check and the writing)."""
    where = where or Where()
    data, grid = make_inputs(n_hubs, hours, typical_periods=typical, ptdf_tolerance=ptdf_tolerance)
    stages: list[Stage] = []
    run = Run()
    in_windows = typical is not None and decomposed(data)
    t0 = time.perf_counter()
    with PeakMemory() as peak:
        try:
            if in_windows:
                with recording(stages):  # the sizing: the windows run in workers (or quietly in this process)
                    dec = size_and_dispatch(data, grid, options, workers=where.workers, scheduler=where.scheduler,
                                            log_file=log_file, progress=lambda _m: None)
                stages.append(windows_stage(hours, dec))
                run.windows, run.dispatch_wall = len(dec.outcomes), dec.dispatch_wall_s
                run.extract = dec.stitched.timings_s.get("extract", float("nan"))
            else:
                with recording(stages):
                    hm, res = workflow.solve_scenario(data, grid, options, log_file=log_file,
                                                      progress=lambda _m: None)
                t1 = time.perf_counter()
                to_dataset(hm, res)
                run.extract = time.perf_counter() - t1
        except EnergyhubError as exc:
            print(f"  {hours} h x {n_hubs} hubs: {exc}", file=sys.stderr, flush=True)
    run.wall = time.perf_counter() - t0
    run.peak_gib = peak.gib
    if typical is not None:
        run.sizing = stages[0] if stages else Stage(status="not run")
        run.dispatch = stages[1] if len(stages) > 1 else Stage(status="not run")
    elif stages:
        run.dispatch = stages[0]
    return run


def _med(values: list[float]) -> float:
    finite = [v for v in values if np.isfinite(v)]
    return statistics.median(finite) if finite else float("nan")


def _pair(sizing: float | None, dispatch: float, fmt: str) -> str:
    d = "–" if not np.isfinite(dispatch) else format(dispatch, fmt)
    if sizing is None:
        return d
    s = "–" if not np.isfinite(sizing) else format(sizing, fmt)
    return f"{s} / {d}"


def _ran(st: Stage | None) -> bool:
    return st is not None and st.status != "not run"


def row(hours: int, n_hubs: int, typical: int | None, runs: list[Run], time_limit: float) -> str:
    """One table row: medians over ``runs`` of each time; model size, gap and status of the median run."""
    agg = typical is not None
    rep = sorted(runs, key=lambda r: r.total("solve"))[len(runs) // 2]  # the median run by HiGHS time

    def med(stage: str, key: str) -> float:
        return _med([float(getattr(getattr(r, stage), key)) for r in runs if _ran(getattr(r, stage))])

    def size(st: Stage | None, key: str) -> float:
        return float(getattr(st, key)) if st is not None and _ran(st) else float("nan")

    def cell(key: str, fmt: str) -> str:
        return _pair(med("sizing", key) if agg else None, med("dispatch", key), fmt)

    def gap(st: Stage) -> str:
        return f"{st.gap:.2%}" if np.isfinite(st.gap) and st.status.startswith(("optimal", "time_limit_f")) else "–"

    def status(st: Stage) -> str:
        limited = st.status.startswith("time_limit")
        return f"{st.status} ({st.solve:.0f} s, limit {time_limit:g} s)" if limited else st.status

    overhead = _med([r.total("build") + r.total("handover") for r in runs])
    highs = _med([r.total("solve") for r in runs])
    mode = f"{typical} typical days ({rep.sizing.steps if rep.sizing else 0} h)" if agg else "full horizon"
    dispatch = f"{rep.windows} windows" if rep.windows else "one model"
    wall_windows = _med([r.dispatch_wall for r in runs if r.windows])
    dispatch_wall = f"{wall_windows:.1f}" if np.isfinite(wall_windows) else "–"
    peak = _med([r.peak_gib for r in runs])
    cols = _pair(size(rep.sizing, "cols") if agg else None, size(rep.dispatch, "cols"), ",.0f")
    ints = _pair(size(rep.sizing, "integers") if agg else None, size(rep.dispatch, "integers"), ",.0f")
    extract = _med([r.extract for r in runs])
    gaps = f"{gap(rep.sizing)} / {gap(rep.dispatch)}" if rep.sizing else gap(rep.dispatch)
    states = f"{status(rep.sizing)} / {status(rep.dispatch)}" if rep.sizing else status(rep.dispatch)
    ratio = f"{overhead / highs:.0%}" if highs > 0 else "–"
    return (f"| {hours} | {n_hubs} | {mode} | {dispatch} | {cols} | {ints} | {cell('build', '.2f')} | "
            f"{cell('handover', '.2f')} | {cell('solve', '.2f')} | {dispatch_wall} | {_pair(None, extract, '.2f')} | "
            f"{_med([r.wall for r in runs]):.1f} | {ratio} | {peak:.2f} | {gaps} | {states} |")


HEADER = ("| horizon h | hubs | sizing on | dispatch | columns | integer columns | build s | hand-over s | HiGHS s "
          "| dispatch wall s | extract s | wall s | (build + hand-over) / HiGHS | peak memory GiB | gap | status |\n"
          + "|---" * 16 + "|")


def table_from(path: Path, time_limit: float) -> str:
    """The table of the runs saved with ``--json`` (time limit of the file, else ``time_limit``)."""
    groups: dict[tuple[int, int, int | None, float], list[Run]] = {}
    for d in json.loads(path.read_text()):
        run = Run(sizing=Stage(**d["sizing"]) if d["sizing"] else None, dispatch=Stage(**d["dispatch"]),
                  extract=d["extract"], wall=d["wall"], windows=d.get("windows", 0),
                  dispatch_wall=d.get("dispatch_wall", float("nan")), peak_gib=d.get("peak_gib", float("nan")))
        key = (d["hours"], d["hubs"], d["typical_days"], d.get("time_limit", time_limit))
        groups.setdefault(key, []).append(run)
    return "\n".join([HEADER] + [row(h, n, t, runs, limit) for (h, n, t, limit), runs in groups.items()])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--hours", type=int, nargs="+", default=[168, 720, 8760])
    ap.add_argument("--hubs", type=int, nargs="+", default=[1, 4, 10, 20])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--gap", type=float, default=0.01, help="mip_rel_gap (default 0.01)")
    ap.add_argument("--time-limit", type=float, default=600.0, help="HiGHS time limit per solve, s (default 600)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--ptdf-tolerance", type=float, default=None,
                    help="grid.ptdf_tolerance of the synthetic scenarios (default: the scenario default, 1e-3; "
                    "0 keeps the tiny entries every hub has in every branch: dense rows)")
    ap.add_argument("--aggregate-above", type=int, default=336,
                    help="horizons longer than this (h) size on typical days (default 336)")
    ap.add_argument("--typical-periods", type=int, default=24,
                    help="typical days for sizing, capped at half the days of the horizon (default 24)")
    ap.add_argument("--json", type=Path, help="also write every run's stage times here")
    ap.add_argument("--highs-option", action="append", default=[], metavar="NAME=VALUE",
                    help="a further HiGHS option (repeatable), e.g. mip_lp_solver=ipm")
    ap.add_argument("--highs-log", type=Path, help="write HiGHS logs into this folder (one per run)")
    ap.add_argument("--table-from", type=Path, help="print the table of a --json file instead of measuring")
    ap.add_argument("--workers", type=int, default=1,
                    help="local worker processes for the dispatch windows (default 1: in this process)")
    ap.add_argument("--scheduler", metavar="ADDRESS",
                    help="solve the dispatch windows on a dask scheduler, e.g. tcp://host:8786 (memory of its "
                         "workers not measured)")
    args = ap.parse_args()
    if args.table_from:
        print(table_from(args.table_from, args.time_limit))
        return
    # the shipped default preset, as a scenario without solver settings gets it, then the benchmark's settings
    options: dict[str, OptionValue] = {**read_preset(SOLVERS_DIR / "default.opt"), "mip_rel_gap": args.gap,
                                       "threads": args.threads, "time_limit": args.time_limit}
    for item in args.highs_option:
        name, _, value = item.partition("=")
        options[name] = parse_value(value)
    where = Where(args.workers, args.scheduler)
    one_run(1, 168, options, None)  # warm-up (imports, first xarray and HiGHS calls), not reported
    print("Cells 'a / b': sizing on typical days / full-horizon dispatch with the sizes fixed (in windows: summed "
          f"over the windows, solved on {where}).")
    print(HEADER, flush=True)
    raw: list[dict[str, Any]] = []
    if args.highs_log:
        args.highs_log.mkdir(parents=True, exist_ok=True)
    for hours in args.hours:
        for n_hubs in args.hubs:
            typical = typical_days(hours, args.aggregate_above, args.typical_periods)
            runs = []
            for k in range(args.runs):
                log = args.highs_log / f"{hours}h-{n_hubs}hubs-run{k + 1}.log" if args.highs_log else None
                run = one_run(n_hubs, hours, options, typical, log, where, args.ptdf_tolerance)
                parts = [f"{name} build {st.build:.2f} s, hand-over {st.handover:.2f} s, HiGHS {st.solve:.1f} s, "
                         f"{st.status}, gap {st.gap:.2%}" for name, st in (("sizing", run.sizing),
                                                                           ("dispatch", run.dispatch)) if st]
                if run.windows:
                    parts.append(f"{run.windows} windows in {run.dispatch_wall:.1f} s wall")
                print(f"  {hours} h x {n_hubs} hubs, run {k + 1}: wall {run.wall:.1f} s, peak {run.peak_gib:.2f} GiB; "
                      + "; ".join(parts), file=sys.stderr, flush=True)
                runs.append(run)
                raw.append({"hours": hours, "hubs": n_hubs, "typical_days": typical, "run": k,
                            "time_limit": args.time_limit, "where": str(where), **asdict(run)})
            print(row(hours, n_hubs, typical, runs, args.time_limit), flush=True)
    if args.json:
        args.json.write_text(json.dumps(raw, indent=1, default=float))


if __name__ == "__main__":
    main()
