"""The sweep on the real model: cold points equal ``energyhub solve``; re-solved points equal cold solves."""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import xarray as xr
from sweep_helpers import CAPEX, IMPORT, SMALL, run_cli

from energyhub import pipeline
from energyhub.scenario.load import load_scenario, parse_scenario, read_yaml
from energyhub.scenario.schema import Scenario
from energyhub.sweep.live import LiveModel
from energyhub.sweep.params import apply_values
from energyhub.sweep.points import PipelineBackend

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


@pytest.fixture(scope="module")
def short(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small scenario on 3 days (2 typical days for sizing, then the full horizon): the same model, faster."""
    folder = tmp_path_factory.mktemp("short")
    for item in SMALL.parent.iterdir():
        if item.suffix in (".csv", ".json"):
            shutil.copy(item, folder / item.name)
    hourly = (SMALL.parent / "profiles_hourly.csv").read_text().splitlines()  # one row per step, no time column
    (folder / "profiles_hourly.csv").write_text("\n".join(hourly[:73]) + "\n")
    text = SMALL.read_text().replace("periods: 168 ", "periods: 72 ")
    text = text.replace("typical_periods: 3", "typical_periods: 2")
    assert "periods: 72 " in text and "typical_periods: 2" in text
    (folder / "scenario.yaml").write_text(text)
    return folder / "scenario.yaml"


@pytest.fixture(scope="module")
def straddling(short: Path) -> Path:
    """The 3-day scenario moved 23 days on, to 30 January - 1 February (its timestamped series with it): its
    dispatch runs in two monthly windows (the default ``dispatch_windows: month``), January's 48 h and February's
    24 h."""
    folder = short.parent / "straddling"
    shutil.copytree(short.parent, folder, ignore=shutil.ignore_patterns("straddling"))
    prices = pd.read_csv(folder / "prices_demand_15min.csv", parse_dates=["time"])
    prices["time"] += pd.Timedelta(days=23)
    prices.to_csv(folder / "prices_demand_15min.csv", index=False, date_format="%Y-%m-%d %H:%M")
    path = folder / "scenario.yaml"
    text = path.read_text().replace("start: 2030-01-07 00:00", "start: 2030-01-30 00:00")
    assert "start: 2030-01-30 00:00" in text
    path.write_text(text)
    return path


def _scenario(path: Path, values: dict[str, Any]) -> Scenario:
    raw = read_yaml(path)
    data = copy.deepcopy(raw)
    apply_values(data, values, parse_scenario(raw, path))
    return parse_scenario(data, path)


def _same_point(live: dict[str, Any], cold: dict[str, Any]) -> None:
    """Objectives within the MIP gap; the summary describes the same scenario and adds up.

    The gap is the scenario's ``solver.mip_gap`` (1 %): the sizing stage may stop at any solution within it (a
    re-solve often at the previous point's, given as its start), and the reported objective is the full-horizon
    dispatch of that sizing.
    """
    gap = max(load_scenario(SMALL).solver.mip_gap or 0.0, live["mip_gap"], cold["mip_gap"], 1e-6)
    assert live["status"] == cold["status"] == "optimal"
    assert live["objective_eur"] == pytest.approx(cold["objective_eur"], rel=gap)
    assert live["costs_eur"]["total"] == pytest.approx(live["objective_eur"], rel=1e-9, abs=1e-3)
    assert live["hubs"] == cold["hubs"]
    assert live["scenario_brief"] == cold["scenario_brief"]
    assert set(live["kpis"]) == set(cold["kpis"])


def test_cold_point_equals_energyhub_solve(short: Path) -> None:
    """The cold path is ``energyhub solve``: same summary (but timings) and dataset, also with a reused grid."""
    single, single_ds = pipeline.solve(short, pipeline.Timings())
    backend = PipelineBackend()
    scenario = load_scenario(short)
    for _ in range(2):  # the second point reuses the first one's grid
        summary, dataset = backend.solve(scenario, short)
        for key in single:
            if key not in ("timings_s", "solver_timings_s"):
                assert summary[key] == single[key], key
        xr.testing.assert_identical(dataset, single_ds)
    assert "grid" not in summary["timings_s"]


def test_resolved_points_equal_cold_solves(short: Path) -> None:
    """A capex, a connection import_mw and a penalty changed in place; each point checked against a cold solve."""
    backend, cold = PipelineBackend(), PipelineBackend()
    values: dict[str, Any] = {}
    model = backend.build(_scenario(short, values), short)
    assert isinstance(model, LiveModel)
    _same_point(model.solve()[0], cold.solve(_scenario(short, values), short)[0])
    steps = [
        {CAPEX: 1000.0},  # cheap storage: the optimum changes
        {IMPORT: 2.0},  # below the contracted capacity: binding
        {CAPEX: 1000.0, IMPORT: 3.0},
        {"economics.overload_penalty_eur_per_mwh": 2000.0},
    ]
    objectives = []
    for change in steps:
        values.update(change)
        scenario = _scenario(short, values)
        assert model.apply(change)
        model.set_scenario(scenario, short)
        live, dataset = model.solve()
        reference, _ = cold.solve(scenario, short)
        _same_point(live, reference)
        assert live["timings_s"]["build"] == 0.0
        assert "loading_ac_after_pct" in dataset
        objectives.append(live["objective_eur"])
    assert len({round(o) for o in objectives}) >= 3, objectives  # the changes matter


def test_structural_changes_are_refused(short: Path) -> None:
    model = PipelineBackend().build(load_scenario(short), short)
    assert model is not None
    assert not model.apply({"hubs.boekelo.connection.import_mw": 3.0})  # no contracted tariff: cap_mw is fixed
    assert not model.apply({"markets.NL.co2_price_eur_per_t": 50.0})  # not mapped
    assert not model.apply({"assets.battery-hengelo.energy_mwh.max": 10.0})


def test_cli_sweep_on_the_real_model(short: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run_cli(str(short), "--param", f"{CAPEX}=50000,150000,300000", "--out", str(out), "--workers", "1")
    assert result.exit_code == 0, result.output
    modes = []
    for point in sorted((out / "points").iterdir()):
        record = json.loads((point / "point.json").read_text())
        modes.append(record["mode"])
        assert (point / "results.nc").is_file()
    assert sorted(modes) == ["cold", "resolve", "resolve"]
    with xr.open_dataset(out / "sweep.nc") as ds:
        assert np.isfinite(ds["objective_eur"]).all()


def test_live_model_dispatches_in_the_windows_of_energyhub_solve(straddling: Path) -> None:
    """With the dispatch in monthly windows the live model keeps the sizing only (no full-horizon model) and
    dispatches each point in the same windows as ``energyhub solve`` (its cold path), before and after a change
    in place; the windows are built from the point's scenario (its import limit binds in them)."""
    backend, cold = PipelineBackend(), PipelineBackend()
    model = backend.build(load_scenario(straddling), straddling)
    assert isinstance(model, LiveModel)
    assert model.windows and model.final is None and model.sizing is not None
    objectives = []
    for values in ({}, {IMPORT: 2.0}):
        scenario = _scenario(straddling, values)
        if values:
            assert model.apply(values)
            model.set_scenario(scenario, straddling)
        live, dataset = model.solve()
        reference, _ = cold.solve(scenario, straddling)
        for summary in (live, reference):
            assert summary["dispatch"]["decomposition"] == "month"
            assert [w["label"] for w in summary["dispatch"]["windows"]] == ["2030-01", "2030-02"]
            assert [w["steps"] for w in summary["dispatch"]["windows"]] == [48, 24]
        _same_point(live, reference)
        assert dataset.sizes["time"] == 72 and "loading_ac_after_pct" in dataset
        objectives.append(live["objective_eur"])
    assert objectives[1] > objectives[0]  # the import limit below the contracted capacity binds: dearer
