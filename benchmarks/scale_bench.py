"""Scaling out: the whole ``energyhub solve`` pipeline of one scenario with a dask LocalCluster of 1 worker, then 2.

For a scenario file (default: the regional study), in one run: ``energyhub.pipeline.solve`` with an
:class:`energyhub.pipeline.Execution` pointing at a fresh ``distributed.LocalCluster(n_workers=k,
threads_per_worker=1, processes=True)`` for each ``k`` of ``--workers`` (default 1 2), then writing the result
directory as the CLI does. Printed: a table of the stage times (load, grid, AC, sizing build / hand-over / HiGHS,
the dispatch stage's wall time, the windows' summed build / hand-over / HiGHS / extract, extract, write, total),
the speed-up of the parallel stage (dispatch wall time) and of the whole run against the first ``k``, the
objectives (they must agree within the gap), and the peak resident memory of this process plus its cluster's
processes (:mod:`memory`). ``--compare-monolithic`` also solves the scenario with ``dispatch_windows: none`` (one
model for the whole horizon, in this process) and prints the stitched-vs-monolithic objective difference in %.

    python benchmarks/scale_bench.py                                  # the regional study (a long run)
    python benchmarks/scale_bench.py --compare-monolithic --json /tmp/scale.json
    python benchmarks/scale_bench.py --cut 2030-01-29 96 2            # a quick check: 4 days, 2 typical days

Before the timed runs an untimed warm-up loads the scenario and builds its grid (imports and first calls). Each
configuration runs once: on the full study the stages take minutes, far above the run-to-run noise.

``--cut START HOURS TYPICAL_DAYS`` solves the scenario cut to ``HOURS`` hourly steps from ``START``, sized on
``TYPICAL_DAYS`` typical days (written to a temporary folder with copies of the files the scenario reads).
"""

from __future__ import annotations

import argparse
import json
import logging
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from memory import PeakMemory  # benchmarks/memory.py

from energyhub import pipeline
from energyhub.scenario.data import ScenarioData, load
from energyhub.scenario.load import SOLVERS_DIR

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ROOT / "scenarios" / "twente-muensterland-regional-2030.yaml"

#: (row label, where the figure is: "t" timings_s, "s" solver_timings_s, "d" summary["dispatch"])
STAGES: list[tuple[str, str, str]] = [
    ("load", "t", "load"),
    ("grid", "t", "grid"),
    ("AC (base flows + check)", "t", "ac_check"),
    ("sizing build", "s", "sizing.build"),
    ("sizing hand-over", "s", "sizing.handover"),
    ("sizing HiGHS", "s", "sizing.solve"),
    ("dispatch wall (parallel stage)", "t", "dispatch_wall"),
    ("windows build (summed)", "s", "windows.build"),
    ("windows hand-over (summed)", "s", "windows.handover"),
    ("windows HiGHS (summed)", "s", "windows.solve"),
    ("windows extract (summed)", "s", "windows.extract"),
    ("dispatch build (one model)", "s", "build"),
    ("dispatch hand-over (one model)", "s", "handover"),
    ("dispatch HiGHS (one model)", "s", "solve"),
    ("extract", "t", "extract"),
    ("write", "t", "write"),
    ("total", "t", "total"),
]


@dataclass
class Measured:
    """One pipeline run: its label, the summary's timings, objective, gap, status, peak memory."""

    label: str
    timings_s: dict[str, float] = field(default_factory=dict)
    solver_timings_s: dict[str, float] = field(default_factory=dict)
    objective_eur: float = float("nan")
    mip_gap: float = float("nan")
    status: str = ""
    windows: int = 0
    peak_gib: float = float("nan")

    def figure(self, where: str, key: str) -> float | None:
        source = self.timings_s if where == "t" else self.solver_timings_s
        return source.get(key)


def cut_scenario(path: Path, start: str, hours: int, typical_days: int, folder: Path) -> Path:
    """The scenario at ``path`` on ``hours`` hourly steps from ``start``, sized on ``typical_days`` days, written
    into ``folder`` with copies of the files it reads (a scenario reads files in its own folder only)."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    base = path.resolve().parent

    def copy_files(value: Any) -> None:
        if isinstance(value, dict | list):
            for item in value.values() if isinstance(value, dict) else value:
                copy_files(item)
        elif isinstance(value, str) and value and not Path(value).is_absolute():
            file = value.partition("#")[0]
            if (base / file).is_file() and not (folder / file).exists():
                (folder / file).parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(base / file, folder / file)

    copy_files(raw)
    aggregation = dict(raw["time"].get("aggregation") or {})
    aggregation.update(typical_periods=typical_days, hours_per_period=24, check_full_horizon=True)
    raw["time"] = {**raw["time"], "start": start, "periods": hours, "resolution": "1h", "aggregation": aggregation}
    raw["name"] = f"{raw['name']}-cut"
    out = folder / f"{path.stem}-cut.yaml"
    out.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    return out


def monolithic(data: ScenarioData) -> ScenarioData:
    """The same scenario with its full-horizon dispatch solved as one model (``dispatch_windows: none``)."""
    sc = data.scenario
    assert sc.time.aggregation is not None, "--compare-monolithic needs a scenario with time.aggregation"
    aggregation = sc.time.aggregation.model_copy(update={"dispatch_windows": "none"})
    scenario = sc.model_copy(update={"time": sc.time.model_copy(update={"aggregation": aggregation})})
    return ScenarioData(scenario, data.path, data.times, data.series)


def measure(label: str, solve: Callable[[pipeline.Timings], tuple[dict[str, Any], Any]], out: Path) -> Measured:
    """Run ``solve`` and write its result directory as ``energyhub solve`` does, under :class:`PeakMemory`."""
    from energyhub.results.write import write_results

    timings = pipeline.Timings()
    with PeakMemory() as peak:
        summary, dataset = solve(timings)
        with timings.stage("write"):
            write_results(out, summary, dataset)
    dispatch = summary.get("dispatch") or {}
    return Measured(label, timings.total(), dict(summary.get("solver_timings_s", {})), summary["objective_eur"],
                    summary["mip_gap"], summary["status"], len(dispatch.get("windows", [])), peak.gib)


def with_cluster(path: Path, workers: int, out: Path, say: Callable[[str], None]) -> Measured:
    """The pipeline with the dispatch windows on a fresh LocalCluster of ``workers`` single-threaded processes."""
    from distributed import LocalCluster

    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None,
                      silence_logs=logging.ERROR) as cluster:
        execution = pipeline.Execution(workers=workers, scheduler=cluster.scheduler_address)
        say(f"LocalCluster of {workers} worker(s) at {cluster.scheduler_address}")
        return measure(f"{workers} dask worker{'s' if workers > 1 else ''}",
                       lambda t: pipeline.solve(path, t, progress=say, execution=execution), out)


def without_windows(path: Path, out: Path, say: Callable[[str], None]) -> Measured:
    """The pipeline with ``dispatch_windows: none``: the full horizon dispatched as one model."""

    def solve(timings: pipeline.Timings) -> tuple[dict[str, Any], Any]:
        with timings.stage("load"):
            data = monolithic(load(path, SOLVERS_DIR))
        summary, dataset = pipeline.solve_prepared(pipeline.prepare_data(data, timings), timings, progress=say)
        return summary, dataset

    return measure("monolithic", solve, out)


def warm_up(path: Path, say: Callable[[str], None]) -> None:
    """Untimed: load the scenario, build its grid and import the model and solver modules, so that the first timed
    run does not pay the imports and first calls the later ones do not."""
    import energyhub.decompose  # noqa: F401  (pyomo, highspy, xarray)

    t0 = time.perf_counter()
    pipeline.prepare(path, pipeline.Timings())
    say(f"warm-up (load, grid, imports, untimed): {time.perf_counter() - t0:.1f} s")


def _cell(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


def table(runs: list[Measured]) -> str:
    lines = ["| stage (s) | " + " | ".join(r.label for r in runs) + " |", "|---" * (len(runs) + 1) + "|"]
    for label, where, key in STAGES:
        cells = [r.figure(where, key) for r in runs]
        if all(c is None for c in cells):
            continue
        lines.append(f"| {label} | " + " | ".join(_cell(c) for c in cells) + " |")
    lines.append("| windows | " + " | ".join(str(r.windows) if r.windows else "one model" for r in runs) + " |")
    lines.append("| objective EUR/yr | " + " | ".join(f"{r.objective_eur:,.0f}" for r in runs) + " |")
    lines.append("| gap | " + " | ".join(f"{r.mip_gap:.2%}" for r in runs) + " |")
    lines.append("| status | " + " | ".join(r.status for r in runs) + " |")
    lines.append("| peak memory GiB | " + " | ".join(f"{r.peak_gib:.2f}" for r in runs) + " |")
    return "\n".join(lines)


def verdicts(scaled: list[Measured], mono: Measured | None) -> list[str]:
    """Speed-ups against the first run, objective agreement, and the stitched-vs-monolithic difference."""
    first = scaled[0]
    out = []
    for run in scaled[1:]:
        wall_a, wall_b = first.timings_s.get("dispatch_wall"), run.timings_s.get("dispatch_wall")
        if wall_a and wall_b:
            out.append(f"speed-up of the parallel stage (dispatch wall), {run.label} against {first.label}: "
                       f"{wall_a / wall_b:.2f}x")
        out.append(f"speed-up of the whole run: {first.timings_s['total'] / run.timings_s['total']:.2f}x")
        diff = abs(run.objective_eur - first.objective_eur) / max(abs(first.objective_eur), 1e-9)
        gap = max(run.mip_gap, first.mip_gap)
        out.append(f"objectives {run.label} / {first.label} differ by {diff:.4%} "
                   f"({'within' if diff <= gap + 1e-9 else 'NOT within'} the gap {gap:.2%})")
    if mono is not None:
        for run in scaled:
            diff = (run.objective_eur - mono.objective_eur) / max(abs(mono.objective_eur), 1e-9)
            out.append(f"stitched ({run.label}) vs monolithic objective: {diff:+.3%} "
                       f"(monolithic gap {mono.mip_gap:.2%})")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("scenario", type=Path, nargs="?", default=DEFAULT)
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2], help="LocalCluster sizes, in turn (1 2)")
    ap.add_argument("--compare-monolithic", action="store_true",
                    help="also solve with dispatch_windows: none and print the objective difference")
    ap.add_argument("--cut", nargs=3, metavar=("START", "HOURS", "TYPICAL_DAYS"),
                    help="solve the scenario cut to HOURS hourly steps from START on TYPICAL_DAYS typical days")
    ap.add_argument("--json", type=Path, help="also write every run's figures here")
    ap.add_argument("--quiet", action="store_true", help="no progress lines")
    args = ap.parse_args()
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(message)s", datefmt="%H:%M:%S")
    logging.getLogger("pandapower").setLevel(logging.ERROR)

    def say(msg: str) -> None:
        if not args.quiet:
            print(f"  {time.strftime('%H:%M:%S')} {msg}", file=sys.stderr, flush=True)

    with tempfile.TemporaryDirectory(prefix="scale-bench-") as tmp:
        folder = Path(tmp)
        path = args.scenario
        if args.cut:
            start, hours, typical = args.cut
            path = cut_scenario(path, start, int(hours), int(typical), folder)
            say(f"cut scenario: {path}")
        warm_up(path, say)
        runs = [with_cluster(path, k, folder / f"out-{k}", say) for k in args.workers]
        mono = without_windows(path, folder / "out-mono", say) if args.compare_monolithic else None
    print(f"{args.scenario}" + (f" cut to {args.cut[1]} h from {args.cut[0]}, {args.cut[2]} typical days"
                                if args.cut else ""))
    print(table([*runs, *([mono] if mono else [])]))
    for line in verdicts(runs, mono):
        print(f"- {line}")
    if args.json:
        args.json.write_text(json.dumps([asdict(r) for r in [*runs, *([mono] if mono else [])]], indent=1))


if __name__ == "__main__":
    main()
