"""Sweeps end to end with the toy LP: outputs, failures, equality with single solves, resume, dask."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
import xarray as xr
from sweep_helpers import CAPEX, IMPORT, PRICE, run_cli
from toy_backend import TOY, ToyBackend, hand_objective

from energyhub.scenario.load import load_scenario
from energyhub.sweep.params import Param
from energyhub.sweep.run import SweepOptions, run_sweep
from energyhub.sweep.spec import make_points, make_spec, point_scenario

NO_BATTERY = "1000000000"  # capex per MWh at which the toy builds no battery: optimum by hand


def test_product_sweep_outputs(scenario: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    args = ["--param", f"{PRICE}=40,80", "--param", f"{IMPORT}=0.5,2,4", "--param", f"{CAPEX}={NO_BATTERY}"]
    result = run_cli(str(scenario), *args, "--solver", TOY, "--workers", "2", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "6 points: 4 solved, 2 failed" in result.output

    table = pd.read_csv(out / "sweep.csv")
    assert list(table.columns[:4]) == ["point_id", PRICE, IMPORT, CAPEX]
    assert list(zip(table[PRICE], table[IMPORT], strict=True)) == [
        (40, 0.5),
        (40, 2),
        (40, 4),
        (80, 0.5),
        (80, 2),
        (80, 4),
    ]
    ok = table[table.status == "optimal"]
    for _, row in ok.iterrows():  # p · (d_hengelo + d_boekelo) · 168 h, both demands 1 MW (series → toy default)
        assert row.objective_eur == pytest.approx(hand_objective(row[PRICE], [1.0, 1.0], 168.0))
    assert {"cap.battery-hengelo.energy_mwh", "kpi.import_mwh.hengelo", "kpi.battery_mwh_total", "time.solve_s"} <= set(
        table.columns
    )
    failed = table[table.status != "optimal"]
    assert set(failed[IMPORT]) == {0.5} and set(failed.status) == {"infeasible"}
    assert failed.reason.str.contains("demand exceeds the import limit").all()
    for point_id in failed.point_id:
        record = json.loads((out / "points" / point_id / "failed.json").read_text())
        assert record["status"] == "infeasible" and record["values"][IMPORT] == 0.5

    with xr.open_dataset(out / "sweep.nc") as ds:
        assert ds["import_mw"].dims == (PRICE, IMPORT, CAPEX, "hub", "time")
        assert ds["objective_eur"].sel({PRICE: 80, IMPORT: 4.0}).item() == pytest.approx(80 * 2 * 168)
        assert ds["objective_eur"].sel({IMPORT: 0.5}).isnull().all()
        assert (ds["status"].sel({IMPORT: 0.5}) == "infeasible").all()
        assert float(ds["import_mw"].sel({PRICE: 40, IMPORT: 2.0, "hub": "hengelo"}).mean()) == pytest.approx(1.0)
    assert not [p for p in (out / "points").iterdir() if p.name.startswith(".")]  # no temporary left


def test_zip_sweep_has_point_dimension(scenario: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    args = ["--param", f"{PRICE}=40,60,80", "--param", f"{IMPORT}=2,3,4", "--zip", "--workers", "1"]
    result = run_cli(str(scenario), *args, "--solver", TOY, "--out", str(out))
    assert result.exit_code == 0, result.output
    with xr.open_dataset(out / "sweep.nc") as ds:
        assert ds["objective_eur"].dims == ("point",)
        assert list(ds[PRICE].values) == [40, 60, 80] and list(ds[IMPORT].values) == [2, 3, 4]


def test_sweep_points_equal_single_solves(scenario: Path, tmp_path: Path) -> None:
    """Re-solved points (battery arbitrage included, so the LP is not trivial) equal cold single solves."""
    spec = make_spec(scenario, [Param(PRICE, (40, 80)), Param(CAPEX, (1000.0, 20000.0, 80000.0))], False)
    report = run_sweep(spec, tmp_path / "out", SweepOptions(workers=1, backend=TOY, progress=False))
    assert report.failed == 0
    table = pd.read_csv(tmp_path / "out" / "sweep.csv").set_index("point_id")
    assert (table["mode"] == "resolve").sum() >= 3  # one worker: most points re-solve its live model
    base = load_scenario(scenario)
    batteries = set()
    for point in make_points(spec):
        summary, _ = ToyBackend().solve(point_scenario(spec.data, scenario, point.values, base), scenario)
        assert table.loc[point.id, "objective_eur"] == pytest.approx(summary["objective_eur"], rel=1e-9)
        batteries.add(round(summary["capacities"]["battery-hengelo"]["energy_mwh"], 6))
    assert len(batteries) > 1  # the swept capex changes the optimal battery


def test_resume_and_refuse_other_sweep(scenario: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    args = [str(scenario), "--param", f"{PRICE}=40,80", "--solver", TOY, "--workers", "1", "--out", str(out)]
    assert run_cli(*args).exit_code == 0
    again = run_cli(*args)
    assert again.exit_code == 0 and "(0 computed now, 2 from an earlier run)" in again.output
    other = run_cli(str(scenario), "--param", f"{PRICE}=40,90", "--solver", TOY, "--out", str(out))
    assert other.exit_code == 2
    assert "holds another sweep (scenario 'small-twente', product of markets.NL" in other.output
    not_sweep = tmp_path / "busy"
    not_sweep.mkdir()
    (not_sweep / "x.txt").write_text("x")
    busy = run_cli(str(scenario), "--param", f"{PRICE}=40", "--solver", TOY, "--out", str(not_sweep))
    assert busy.exit_code == 2 and "is not a sweep directory" in busy.output


def test_retry_failed(scenario: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    args = [str(scenario), "--param", f"{IMPORT}=0.5,2", "--solver", TOY, "--workers", "1", "--out", str(out)]
    assert "1 failed" in run_cli(*args).output
    again = run_cli(*args, "--retry-failed")
    assert again.exit_code == 0 and "(1 computed now, 1 from an earlier run)" in again.output


def test_dask_local_cluster(scenario: Path, tmp_path: Path) -> None:
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, protocol="tcp", host="127.0.0.1", dashboard_address=":0"
    ) as cluster:
        spec = make_spec(scenario, [Param(PRICE, (40, 60, 80)), Param(IMPORT, (0.5, 2))], False)
        options = SweepOptions(scheduler=cluster.scheduler_address, backend=TOY, progress=False)
        report = run_sweep(spec, tmp_path / "out", options)
    assert (report.total, report.failed, report.computed) == (6, 3, 6)
    table = pd.read_csv(tmp_path / "out" / "sweep.csv")
    assert table.loc[table[IMPORT] == 2, "objective_eur"].tolist() == pytest.approx([40 * 336, 60 * 336, 80 * 336])


def test_bad_scheduler_address(scenario: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("distributed")
    monkeypatch.setattr("energyhub.parallel.CONNECT_TIMEOUT_S", 1.0)
    result = run_cli(
        str(scenario),
        "--param",
        f"{PRICE}=40",
        "--solver",
        TOY,
        "--scheduler",
        "tcp://127.0.0.1:1",
        "--out",
        str(tmp_path / "o"),
    )
    assert result.exit_code == 2 and "cannot connect to a dask scheduler" in result.output
