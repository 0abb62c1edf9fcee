"""KPIs on a hand-made grid whose overloaded transformer and hours are known in advance."""

from __future__ import annotations

import numpy as np
import pandapower as pp
import pandas as pd
import pytest

from energyhub.grid.ac import AcSolver
from energyhub.grid.baseline import baseline_dataset, congestion_kpis
from energyhub.grid.network import merge_segments
from energyhub.grid.segments import Segment
from energyhub.grid.timeaxis import N_REFERENCE_STEPS

# Load at the 10 kV side of one 25 MVA transformer, hours 0..5: overloaded (DC, lossless) only in hours
# 3 (30 MW = 120 %) and 4 (27.5 MW = 110 %).
LOAD_MW = np.array([10.0, 20.0, 22.0, 30.0, 27.5, 5.0])


def _tiny_grid() -> Segment:
    net = pp.create_empty_network(sn_mva=1.0)
    hv = pp.create_bus(net, 110.0, name="Station 110kV")
    mv = pp.create_bus(net, 10.0, name="Station 10kV")
    park = pp.create_bus(net, 10.0, name="Park 10kV")
    pp.create_ext_grid(net, hv, vm_pu=1.0, name="TSO")
    pp.create_transformer(net, hv, mv, "25 MVA 110/10 kV", name="T1")
    pp.create_line(net, mv, park, 0.5, "NA2XS2Y 1x240 RM/25 6/10 kV", name="cables", parallel=8)
    pp.create_load(net, park, p_mw=1.0, name="park load")
    n = N_REFERENCE_STEPS
    return Segment("tiny", net, np.ones((n, 1)), np.zeros((n, 1)), np.zeros((n, 0)), [])


def test_kpis_find_the_overloaded_transformer_hours_and_energy() -> None:
    grid = merge_segments([_tiny_grid()])
    times = pd.date_range("2030-01-10", periods=6, freq="h")
    inj = grid.injections_from_elements(LOAD_MW[:, None], np.zeros((6, 0)))
    dc = grid.dc_loading_pct(inj)
    kpis = congestion_kpis(dc, 100.0, grid.branch_limit_mva, 1.0, pd.DatetimeIndex(times), grid.branch_names)
    trafo = kpis["branches"].loc["tiny/T1"]
    assert trafo["overloaded_h"] == 2.0
    # by hand: (30 - 25) MW + (27.5 - 25) MW over one hour each = 7.5 MWh
    assert trafo["energy_above_limit_mwh"] == pytest.approx(7.5, abs=1e-9)
    assert trafo["worst_loading_pct"] == pytest.approx(120.0, abs=1e-9)
    assert trafo["worst_time"] == pd.Timestamp("2030-01-10 03:00")
    assert kpis["overloaded_steps"] == 2
    assert [t["branch"] for t in kpis["top"]] == ["tiny/T1"]
    assert kpis["top"][0]["steps_by_hour_of_day"][3:5] == [1, 1]
    assert kpis["branches"].drop("tiny/T1")["overloaded_h"].sum() == 0


def test_ac_baseline_of_tiny_grid_flags_the_same_hours() -> None:
    grid = merge_segments([_tiny_grid()])
    times = pd.DatetimeIndex(pd.date_range("2030-01-10", periods=6, freq="h"))
    ac = AcSolver(grid).solve(LOAD_MW[:, None], np.zeros((6, 1)), np.zeros((6, 0)))
    trafo = grid.branch_names.index("tiny/T1")
    assert np.flatnonzero(ac.loading_pct[:, trafo] > 100.0).tolist() == [3, 4]
    vm = ac.vm_pu
    kpis = congestion_kpis(
        ac.loading_pct, 100.0, grid.branch_limit_mva, 1.0, times, grid.branch_names, vm, grid.bus_names,
        v_band_pu=(0.95, 1.05),
    )
    assert kpis["buses"].loc["tiny/Station 110kV", "below_h"] == 0
    inj = grid.injections_from_elements(LOAD_MW[:, None], np.zeros((6, 0)))
    ds = baseline_dataset(grid, times, grid.dc_loading_pct(inj), ac, inj)
    assert set(ds.dims) == {"time", "branch", "bus"}
    assert ds["ac_loading_pct"].attrs["units"] == "%"
    assert ds["ac_loading_pct"].sel(branch="tiny/T1").values[3] > 100.0


def test_kpis_skip_and_list_nan_steps() -> None:
    loading = np.array([[50.0], [np.nan], [150.0]])
    times = pd.DatetimeIndex(pd.date_range("2030-01-01", periods=3, freq="15min"))
    kpis = congestion_kpis(loading, 100.0, np.array([10.0]), 0.25, times, ["b"])
    assert kpis["nan_steps"] == [times[1]]
    assert kpis["branches"].at["b", "overloaded_h"] == 0.25
    assert kpis["branches"].at["b", "energy_above_limit_mwh"] == pytest.approx(0.5 * 10.0 * 0.25)
