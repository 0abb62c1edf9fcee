"""The pipeline, stage by stage: scenario -> grid -> model -> solve -> AC check -> results.

Every verb of the command line is one function here, and every stage is timed separately (``timings_s`` in each
summary): load, grid, build, handover, solve, extract, ac_check, write, total.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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

log = logging.getLogger(__name__)


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

    def ac(self, solver: AcSolver, per_hub_mw: np.ndarray) -> AcResult:
        return solver.solve(
            self.fixed.load_p_mw, self.fixed.load_q_mvar, self.fixed.sgen_p_mw, self.hub_injections_mw(per_hub_mw)
        )


def prepare(path: Path, timings: Timings, solvers_dir: Path = SOLVERS_DIR) -> Prepared:
    """Load and validate the scenario, then build its grid."""
    with timings.stage("load"):
        data = load(path, solvers_dir)
    with timings.stage("grid"):
        grid = build_grid(data)
        fixed = fixed_elements(data, grid)
    return Prepared(data, grid, fixed, hub_bus_positions(data, grid))


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
        ac = prep.ac(AcSolver(grid), own_mw)
    spec = data.scenario.grid
    dataset = baseline_dataset(grid, data.times, dc_pct, ac, inj)
    dataset.attrs.update({"scenario": data.scenario.name, "limit_pct": spec.loading_limit_pct})
    args = (spec.loading_limit_pct, grid.branch_limit_mva, data.step_h, data.times, grid.branch_names)
    summary: dict[str, Any] = {
        "scenario": data.scenario.name,
        "kind": "baseline",
        "limit_pct": spec.loading_limit_pct,
        "ac": congestion_kpis(ac.loading_pct, *args, vm_pu=ac.vm_pu, bus_names=grid.bus_names,
                              v_band_pu=spec.voltage_band_pu),
        "dc": congestion_kpis(dc_pct, *args),
        "nonconverged_steps": nonconverged_times(data, ac),
    }
    return summary, dataset
