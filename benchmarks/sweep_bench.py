"""Sweep benchmark: cold builds versus re-solves, 1 versus 2 workers; medians of repeats.

    python benchmarks/sweep_bench.py [--solver pipeline|toy|module:attr] [--scenario FILE] [--param PATH=VALUES]
                                     [--periods N] [--repeats 3] [--single] [--sizing-only]
                                     [--workers 1 2]

Defaults: the real model (``--solver pipeline``) on tests/data/small/scenario.yaml as it is, sweeping the battery
energy capex over 12 values from 1,000 to 300,000 EUR/MWh. Wall times of the whole ``run_sweep`` include starting
the worker processes (``--workers 1`` runs in-process). Per point: the median ``point.json`` time of the first
point of each worker (built cold) and of the other points (re-solved, or cold without re-solves). ``--single``
adds the median wall time of ``energyhub solve`` of the scenario in a fresh process and its in-process pipeline
time (``timings_s.total``), the reference of the issue's target (a point after the first ≤ 30 % of it).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from energyhub.sweep.params import parse_param
from energyhub.sweep.run import SweepOptions, run_sweep
from energyhub.sweep.spec import make_spec

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "sweep"))  # --solver toy: the tests' stand-in LP, tests/sweep/toy_backend.py
DEFAULT_PARAM = "assets.battery-hengelo.energy_mwh.capex_eur_per_mwh=lin:1000:300000:12"


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--solver", default="pipeline", help="pipeline | toy | module:attr (default pipeline)")
    parser.add_argument("--scenario", type=Path, default=ROOT / "tests" / "data" / "small" / "scenario.yaml")
    parser.add_argument("--param", default=DEFAULT_PARAM, help="PATH=VALUES (default: 12 battery capex values)")
    parser.add_argument("--periods", type=int, default=0, help="time.periods override (0: keep the scenario's)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--single", action="store_true", help="also time `energyhub solve` of the scenario")
    parser.add_argument("--sizing-only", action="store_true",
                        help="time.aggregation.check_full_horizon: false (the sizing problem on typical periods)")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    return parser.parse_args()


def _one(args: argparse.Namespace, workers: int, resolve: bool) -> tuple[float, list[float], list[float]]:
    """Wall time of the sweep, and the point times of the workers' first points and of the others."""
    spec = make_spec(args.scenario, [parse_param(args.param)], False)
    if args.periods:
        spec.data["time"]["periods"] = args.periods
    if args.sizing_only:
        spec.data["time"]["aggregation"]["check_full_horizon"] = False
    backend = "toy_backend:ToyBackend" if args.solver == "toy" else args.solver
    options = SweepOptions(workers=workers, backend=backend, resolve=resolve, progress=False)
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        report = run_sweep(spec, Path(tmp) / "out", options)
        seconds = time.perf_counter() - start
        records = [json.loads(f.read_text()) for f in (Path(tmp) / "out" / "points").glob("*/point.json")]
    assert report.failed == 0, f"{report.failed} points failed"
    first = [float(r["timings_s"]["point"]) for r in records if resolve and r["mode"] == "cold"]
    rest = [float(r["timings_s"]["point"]) for r in records if not (resolve and r["mode"] == "cold")]
    return seconds, first, rest


def _single(args: argparse.Namespace) -> tuple[float, float]:
    """Median wall time of `energyhub solve` in a fresh process and its in-process total (timings_s.total)."""
    walls, totals = [], []
    for _ in range(args.repeats):
        with tempfile.TemporaryDirectory() as tmp:
            start = time.perf_counter()
            subprocess.run([sys.executable, "-m", "energyhub", "solve", str(args.scenario), "--out", tmp],
                           check=True, capture_output=True)
            walls.append(time.perf_counter() - start)
            totals.append(json.loads((Path(tmp) / "summary.json").read_text())["timings_s"]["total"])
    return statistics.median(walls), statistics.median(totals)


def main() -> None:
    """Print Markdown tables of median wall times and point times."""
    args = _arguments()
    print(f"solver {args.solver}, {args.param}, periods {args.periods or 'as in scenario'}, {args.repeats} repeats")
    if args.single:
        wall, total = _single(args)
        print(f"energyhub solve: {wall:.2f} s wall (fresh process), {total:.2f} s pipeline (timings_s.total)")
    print("| workers | cold sweep (s) | re-solve sweep (s) | re-solve / cold | cold point (s) "
          "| first point (s) | re-solved point (s) |")
    print("|---|---|---|---|---|---|---|")
    for workers in args.workers:
        cold = [_one(args, workers, False) for _ in range(args.repeats)]
        warm = [_one(args, workers, True) for _ in range(args.repeats)]
        cold_s = statistics.median(c[0] for c in cold)
        warm_s = statistics.median(w[0] for w in warm)
        cold_pt = statistics.median(p for c in cold for p in c[2])
        first_pt = statistics.median(p for w in warm for p in w[1]) if any(w[1] for w in warm) else float("nan")
        warm_pt = statistics.median(p for w in warm for p in w[2])
        print(f"| {workers} | {cold_s:.2f} | {warm_s:.2f} | {warm_s / cold_s:.0%} | {cold_pt:.2f} | {first_pt:.2f} "
              f"| {warm_pt:.2f} |", flush=True)


if __name__ == "__main__":
    main()
