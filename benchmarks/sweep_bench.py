"""Sweep benchmark: a 20-point sweep, cold builds versus re-solves, 1 versus 2 workers; medians of repeats.

    python benchmarks/sweep_bench.py [--solver toy|pipeline|module:attr] [--scenario FILE] [--param PATH=VALUES]
                                     [--periods N] [--repeats 3]

Defaults: the toy stand-in LP on tests/data/small/scenario.yaml with 4 weeks of hourly steps, sweeping the battery
energy capex over 20 values (the LP changes its optimal battery, so warm starts matter). With ``--solver pipeline``
and the reference study's scenario and parameter, the same numbers are measured on the real model. Wall times
include starting the worker processes (``--workers 1`` runs in-process).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from energyhub.sweep.params import parse_param
from energyhub.sweep.run import SweepOptions, run_sweep
from energyhub.sweep.spec import make_spec

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_PARAM = "assets.battery-hengelo.energy_mwh.capex_eur_per_mwh=lin:1000:96000:20"


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--solver", default="toy", help="toy | pipeline | module:attr (default toy)")
    parser.add_argument("--scenario", type=Path, default=ROOT / "tests" / "data" / "small" / "scenario.yaml")
    parser.add_argument("--param", default=DEFAULT_PARAM, help="PATH=VALUES (default: 20 battery capex values)")
    parser.add_argument("--periods", type=int, default=672, help="time.periods override (0: keep the scenario's)")
    parser.add_argument("--repeats", type=int, default=3)
    return parser.parse_args()


def _one(args: argparse.Namespace, workers: int, resolve: bool) -> float:
    spec = make_spec(args.scenario, [parse_param(args.param)], False)
    if args.periods:
        spec.data["time"]["periods"] = args.periods
    options = SweepOptions(workers=workers, backend=args.solver, resolve=resolve, progress=False)
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        report = run_sweep(spec, Path(tmp) / "out", options)
        seconds = time.perf_counter() - start
    assert report.failed == 0, f"{report.failed} points failed"
    return seconds


def main() -> None:
    """Print a Markdown table of median wall times."""
    args = _arguments()
    print(f"solver {args.solver}, {args.param}, periods {args.periods or 'as in scenario'}, {args.repeats} repeats")
    print("| workers | cold (s) | re-solve (s) | re-solve / cold |")
    print("|---|---|---|---|")
    for workers in (1, 2):
        cold = statistics.median(_one(args, workers, False) for _ in range(args.repeats))
        warm = statistics.median(_one(args, workers, True) for _ in range(args.repeats))
        print(f"| {workers} | {cold:.2f} | {warm:.2f} | {warm / cold:.0%} |", flush=True)


if __name__ == "__main__":
    main()
