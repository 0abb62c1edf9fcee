"""Fast AC power flow against pandapower.runpp on sampled steps (0.1 pp loading, 1e-4 pu voltage)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from grid_helpers import branch_results, run, set_elements

from energyhub.grid.ac import AcSolver
from energyhub.grid.network import ModelGrid
from energyhub.grid.timeaxis import reference_year_index

GROWTH = {"twente": (1.15, 1.6, 1.3), "muensterland": (1.0, 1.0, 1.0)}


@pytest.mark.parametrize("name", ["twente", "muensterland"])
def test_ac_matches_runpp_on_sampled_steps(grids: dict[str, ModelGrid], name: str) -> None:
    grid = grids[name]
    rng = np.random.default_rng(7)
    times = reference_year_index(2030, 60)[np.sort(rng.choice(8760, 96, replace=False))]
    load_p, load_q, sgen_p = grid.element_values(times, 60, *GROWTH[name])
    extra = np.zeros((len(times), grid.n_bus))
    extra[:, grid.n_bus - 1] = rng.uniform(-3, 3, len(times))  # a hub at the last bus
    result = AcSolver(grid).solve(load_p, load_q, sgen_p, extra)
    assert result.converged.all()
    net0 = (grid.net.load.copy(), grid.net.sgen.copy())
    try:
        for k in rng.choice(len(times), 4, replace=False):
            bus_of_extra = grid.net.bus.index[grid.n_bus - 1]
            sgen_extra = np.r_[sgen_p[k], extra[k, -1]]
            import pandapower as pp

            idx = pp.create_sgen(grid.net, bus_of_extra, p_mw=0.0, name="test hub")
            try:
                set_elements(grid, load_p[k], load_q[k], sgen_extra)
                run(grid, ac=True)
                ref = branch_results(grid, "loading_percent", "loading_percent")
                assert np.abs(result.loading_pct[k] - ref).max() < 0.1
                assert np.abs(result.vm_pu[k] - grid.net.res_bus.vm_pu.to_numpy()).max() < 1e-4
            finally:
                grid.net.sgen.drop(index=idx, inplace=True)
    finally:
        grid.net.load, grid.net.sgen = net0


def test_non_converged_steps_are_flagged_not_filled(grids: dict[str, ModelGrid]) -> None:
    grid = grids["twente"]
    times = pd.DatetimeIndex(["2030-06-01 12:00", "2030-06-01 13:00"])
    load_p, load_q, sgen_p = grid.element_values(times, 60)
    load_p[1] *= 400.0  # far beyond any feasible operating point
    load_q[1] *= 400.0
    result = AcSolver(grid).solve(load_p, load_q, sgen_p)
    assert result.converged.tolist() == [True, False]
    assert np.isnan(result.loading_pct[1]).all() and np.isnan(result.vm_pu[1]).all()
    assert np.isfinite(result.loading_pct[0]).all()
