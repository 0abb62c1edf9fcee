"""PTDF against pandapower's DC power flow (1e-6 MW)."""

from __future__ import annotations

import copy
import importlib.util
from pathlib import Path

import numpy as np
import pytest
from grid_helpers import branch_results, run, set_elements

from energyhub.grid.network import ModelGrid, TieSpec, merge_segments
from energyhub.grid.segments import Segment

TOL_MW = 1e-6


def _check_random(grid: ModelGrid, seed: int, n: int = 3) -> None:
    rng = np.random.default_rng(seed)
    net = grid.net
    p_load0, q_load0, p_sgen0 = (net.load.p_mw.copy(), net.load.q_mvar.copy(), net.sgen.p_mw.copy())
    try:
        for _ in range(n):
            load_p = rng.uniform(0, 3, len(net.load))
            sgen_p = rng.uniform(0, 6, len(net.sgen))
            set_elements(grid, load_p, net.load.q_mvar.to_numpy(), sgen_p)
            run(grid, ac=False)
            inj = grid.injections_from_elements(load_p[None], sgen_p[None])
            flows = grid.dc_flows_mw(inj)[0]
            ref = branch_results(grid, "p_from_mw", "p_hv_mw")
            assert np.abs(flows - ref).max() < TOL_MW
    finally:
        set_elements(grid, p_load0.to_numpy(), q_load0.to_numpy(), p_sgen0.to_numpy())


@pytest.mark.parametrize("name", ["twente", "muensterland"])
def test_ptdf_matches_rundcpp_on_shipped_segment(grids: dict[str, ModelGrid], name: str) -> None:
    grid = grids[name]
    assert grid.ptdf.shape == (grid.n_branch, grid.n_bus)
    _check_random(grid, seed=1)


def test_ptdf_profile_step_matches_rundcpp(grids: dict[str, ModelGrid]) -> None:
    import pandas as pd

    grid = grids["muensterland"]
    times = pd.DatetimeIndex(["2030-03-12 13:00"])
    load_p, load_q, sgen_p = grid.element_values(times, 60)
    set_elements(grid, load_p[0], load_q[0], sgen_p[0])
    run(grid, ac=False)
    flows = grid.dc_flows_mw(grid.bus_injections_mw(times, 60))[0]
    assert np.abs(flows - branch_results(grid, "p_from_mw", "p_hv_mw")).max() < TOL_MW
    assert (np.abs(flows) > grid.branch_limit_mva).any() or np.abs(flows).max() > 0


def test_several_external_grids_are_fixed_angle_references(grids: dict[str, ModelGrid]) -> None:
    grid = grids["muensterland"]
    assert len(grid.net.ext_grid) == 3
    ref_buses = [grid.net.bus.index.get_loc(b) for b in grid.net.ext_grid.bus]
    assert np.all(grid.ptdf[:, ref_buses] == 0.0)


def test_merged_segments_with_tie_match_rundcpp(segments: dict[str, Segment]) -> None:
    segs = [copy.deepcopy(segments["twente"]), copy.deepcopy(segments["muensterland"])]
    first_hv = str(segs[1].net.bus.loc[segs[1].net.bus.vn_kv == 110.0, "name"].iloc[0])
    tie = TieSpec("Enschede-Gronau", "twente/Enschede Marssteden 110kV", f"muensterland/{first_hv}", 12.0)
    grid = merge_segments(segs, [tie])
    assert "tie/Enschede-Gronau" in grid.branch_names
    assert "twente/Hengelo Twentekanaal 10kV" in grid.bus_names
    assert len(set(grid.branch_names)) == grid.n_branch
    _check_random(grid, seed=2, n=2)


def test_open_line_switch_takes_line_out(grids: dict[str, ModelGrid]) -> None:
    grid = grids["twente"]
    nop_lines = grid.net.switch.loc[~grid.net.switch.closed.astype(bool), "element"]
    assert len(nop_lines) == 6
    names = set(grid.net.line.loc[nop_lines, "name"])
    assert names.isdisjoint(grid.branch_names)


def test_open_switch_convention_differs_from_pandapower_by_less_than_documented() -> None:
    """networks/README.md ("Open switches"): taking an open line out instead of keeping it live from its closed end
    (pandapower) changes AC loadings on twente by less than 0.15 percentage points (measured 0.149 over 1,000 steps)."""
    script = Path(__file__).resolve().parents[2] / "networks" / "measure_open_switches.py"
    spec = importlib.util.spec_from_file_location("measure_open_switches", script)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    result = module.measure("twente", 4, {"load": 1.0, "pv": 1.0, "wind": 1.0})
    assert result["open_lines"] == 6
    assert 0.0 < result["max_difference_pp"] < 0.15
    assert 0.0 < result["max_open_line_loading_pct_in_pandapower"] < 0.16
