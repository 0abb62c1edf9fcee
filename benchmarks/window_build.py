"""Time the build and hand-over of each monthly window of a scenario, one window after another in this process.

The scenario is sized as ``energyhub solve`` sizes it (typical periods); its 12 window tasks are then built
(``build_model``) and handed over (``compile_model``) in turn, without solving them, and each window's model is
dropped before the next. ``--collect`` runs each window as :func:`energyhub.decompose.solve_window` does since
issue 11's third round (cyclic collector paused, one ``gc.collect()`` at the window's end, imports frozen);
without it the collector runs as Python's defaults have it. Medians over ``--runs`` passes over the windows.

    python benchmarks/window_build.py scenarios/twente-muensterland-2030.yaml --runs 3 --collect
    # the code of another commit (from a worktree of it), same script:
    (cd /tmp/old && PYTHONPATH=/tmp/old python /path/to/benchmarks/window_build.py /path/to/scenario.yaml --runs 3)
"""

from __future__ import annotations

import argparse
import gc
import statistics
import time
from pathlib import Path

from energyhub.decompose import make_tasks
from energyhub.model.build import build_model
from energyhub.pipeline import Timings, model_inputs, prepare
from energyhub.scenario.load import SOLVERS_DIR
from energyhub.solve.highs import compile_model
from energyhub.solve.options import resolve_options
from energyhub.solve.workflow import sizes_of, solve_sizing


def one_pass(tasks: list, collect: bool) -> dict[str, float]:
    """Build and hand over every window once; seconds summed over the windows."""
    total = {"build": 0.0, "handover": 0.0, "collect": 0.0}
    for task in tasks:
        if collect:
            gc.disable()
        t0 = time.perf_counter()
        hm = build_model(task.data, task.grid, time_grid=task.time_grid, series=task.series,
                         fixed_sizes=task.sizes, info=dict(task.info), extra=task.extra)
        t1 = time.perf_counter()
        compiled = compile_model(hm)
        t2 = time.perf_counter()
        del hm, compiled
        if collect:
            gc.enable()
            gc.collect()
        total["build"] += t1 - t0
        total["handover"] += t2 - t1
        total["collect"] += time.perf_counter() - t2
    return total


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("scenario", type=Path)
    ap.add_argument("--runs", type=int, default=3, help="passes over the windows (default 3)")
    ap.add_argument("--collect", action="store_true", help="collector paused per window, one collection after it")
    args = ap.parse_args()
    prep = prepare(args.scenario, Timings())
    inputs = model_inputs(prep, Timings())
    options = resolve_options(prep.data.scenario.solver, SOLVERS_DIR, prep.data.path)
    sizing, sized = solve_sizing(prep.data, inputs, options, progress=lambda _m: None)
    tasks = make_tasks(prep.data, inputs, sizing, sized, sizes_of(sizing, sized), {**options, "threads": 1})
    del sizing, sized
    if args.collect:
        gc.collect()
        gc.freeze()  # as a worker process does after its imports
    passes = [one_pass(tasks, args.collect) for _ in range(args.runs)]
    n = len(tasks)
    for key in ("build", "handover", "collect"):
        med = statistics.median(p[key] for p in passes)
        print(f"{key:9s} {med:7.2f} s for {n} windows, {med / n:.3f} s per window (median of {args.runs})")


if __name__ == "__main__":
    main()
