"""Grid benchmarks: segment loading, PTDF, full-year AC check, pandapower reference (medians).

    python benchmarks/grid_bench.py [--runs 3]
"""

from __future__ import annotations

import argparse
import statistics
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandapower as pp

from energyhub.grid.ac import AcSolver
from energyhub.grid.network import ModelGrid, merge_segments
from energyhub.grid.ptdf import compute_ptdf
from energyhub.grid.segments import load_segment
from energyhub.grid.timeaxis import reference_year_index

SEGMENTS = {"twente": (1.15, 1.6, 1.3), "muensterland": (1.0, 1.0, 1.0)}


def median_s(fn: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def runpp_per_step_s(grid: ModelGrid, load_p: np.ndarray, load_q: np.ndarray, sgen_p: np.ndarray) -> float:
    """Median seconds of one pandapower.runpp step (numba unavailable here) over a sample of steps."""
    per_step = []
    for k in range(load_p.shape[0]):
        grid.net.load["p_mw"], grid.net.load["q_mvar"], grid.net.sgen["p_mw"] = load_p[k], load_q[k], sgen_p[k]
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            pp.runpp(grid.net, numba=False)
        per_step.append(time.perf_counter() - start)
    return statistics.median(per_step)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print("| segment | buses | branches | load (s) | PTDF (s) | AC 8760 h (s) | AC 35040 x 15 min (s) "
          "| runpp per step (ms) | runpp loop, year hourly (s, extrapolated) |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name, growth in SEGMENTS.items():
        load_s = median_s(lambda name=name: load_segment(name, name, Path.cwd()), args.runs)
        grid = merge_segments([load_segment(name, name, Path.cwd())])
        ptdf_s = median_s(lambda grid=grid: compute_ptdf(grid.net), args.runs)
        hourly = reference_year_index(2030, 60)
        quarter = reference_year_index(2030, 15)
        values_h = grid.element_values(hourly, 60, *growth)
        values_q = grid.element_values(quarter, 15, *growth)
        solver = AcSolver(grid)
        ac_h = median_s(lambda s=solver, v=values_h: s.solve(*v), args.runs)
        ac_q = median_s(lambda s=solver, v=values_q: s.solve(*v), max(1, args.runs - 1))
        sample = np.arange(0, 8760, 8760 // 40)
        per_step = runpp_per_step_s(grid, *(v[sample] for v in values_h))
        print(f"| {name} | {grid.n_bus} | {grid.n_branch} | {load_s:.2f} | {ptdf_s:.3f} | {ac_h:.2f} | {ac_q:.2f} "
              f"| {per_step * 1e3:.1f} | {per_step * 8760:.0f} |")


if __name__ == "__main__":
    main()
