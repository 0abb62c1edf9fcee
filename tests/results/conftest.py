"""Result directories for the export and report tests.

Solve and baseline directories are the **real** outputs of ``energyhub solve`` and ``energyhub baseline`` on
tests/data/small/scenario.yaml (run once per session by ``small_runs``), so the tests see
exactly the files users get. Variants are derived from them: ``congested`` raises the AC loading before by 25 %
so that branches overload (the small scenario has no AC overload), ``with_hydrogen=False`` drops the hydrogen
variables. Sweep directories stay synthetic (there is no sweep of the small scenario yet).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import xarray as xr

SMALL = Path(__file__).parents[1] / "data" / "small" / "scenario.yaml"


@dataclass(frozen=True)
class SmallRuns:
    """``energyhub solve`` and ``energyhub baseline`` of tests/data/small, run once per session (read-only)."""

    solve_dir: Path
    baseline_dir: Path
    solve: subprocess.CompletedProcess[str]
    baseline: subprocess.CompletedProcess[str]


def energyhub(*args: str) -> list[str]:
    """The command line of ``energyhub ARGS`` with this interpreter."""
    return [sys.executable, "-m", "energyhub", *args]


@pytest.fixture(scope="session")
def small_runs(tmp_path_factory: pytest.TempPathFactory) -> SmallRuns:
    """Solve and baseline of the small scenario through the command line, both at once (~10 s)."""
    root = tmp_path_factory.mktemp("small")
    commands = {"solve": energyhub("solve", str(SMALL), "--out", str(root / "solve"), "--quiet"),
                "baseline": energyhub("baseline", str(SMALL), "--out", str(root / "baseline"), "--quiet")}
    running = {k: subprocess.Popen(c, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
               for k, c in commands.items()}
    done = {}
    for key, process in running.items():
        out, err = process.communicate(timeout=300)
        done[key] = subprocess.CompletedProcess(commands[key], process.returncode, out, err)
    for key, result in done.items():
        assert result.returncode == 0, f"energyhub {key} failed:\n{result.stdout}\n{result.stderr}"
    return SmallRuns(root / "solve", root / "baseline", done["solve"], done["baseline"])


CONGESTION_FACTOR = 1.25
HYDROGEN_VARS = ("h2_level_kg", "h2_kg_per_h", "h2_demand_kg_per_h", "h2_shortfall_kg_per_h")


def _rewrite_nc(file: Path, change: Callable[[xr.Dataset], xr.Dataset]) -> None:
    with xr.open_dataset(file, engine="h5netcdf") as ds:
        new = change(ds.load())
    file.unlink()
    new.to_netcdf(file, engine="h5netcdf")


def congest(ds: xr.Dataset) -> xr.Dataset:
    """Scale the AC loading before (so some branch-hours exceed 100 %), keep its attributes."""
    out = ds.copy()
    out["loading_ac_before_pct"] = ds["loading_ac_before_pct"] * CONGESTION_FACTOR
    out["loading_ac_before_pct"].attrs = dict(ds["loading_ac_before_pct"].attrs)
    return out


def write_solve_dir(path: Path, runs: SmallRuns, with_hydrogen: bool = True, congested: bool = False) -> Path:
    """A copy of the real solve directory, optionally without hydrogen variables or with congestion before."""
    shutil.copytree(runs.solve_dir, path)
    if not with_hydrogen:
        _rewrite_nc(path / "results.nc", lambda ds: ds.drop_vars([v for v in HYDROGEN_VARS if v in ds]))
    if congested:
        _rewrite_nc(path / "results.nc", congest)
        summary = json.loads((path / "summary.json").read_text())
        with xr.open_dataset(path / "results.nc", engine="h5netcdf") as ds:
            before = ds["loading_ac_before_pct"].load()
        summary["kpis"]["overloaded_branch_hours_before"] = float((before > 100.0).sum())
        summary["kpis"]["max_loading_pct_before"] = float(before.max())
        (path / "summary.json").write_text(json.dumps(summary, indent=2))
    return path


def write_baseline_dir(path: Path, runs: SmallRuns, congested: bool = False) -> Path:
    """A copy of the real baseline directory; ``congested``: AC loading × 1.25 and the ``ac`` block of
    baseline.json recomputed from it by the pipeline's own ``congestion_kpis`` (so ``ac.top`` lists branches)."""
    from energyhub.grid.baseline import congestion_kpis
    from energyhub.results.write import _plain

    shutil.copytree(runs.baseline_dir, path)
    if congested:
        def scale(ds: xr.Dataset) -> xr.Dataset:
            out = ds.copy()
            out["loading_ac_pct"] = ds["loading_ac_pct"] * CONGESTION_FACTOR
            out["loading_ac_pct"].attrs = dict(ds["loading_ac_pct"].attrs)
            return out

        _rewrite_nc(path / "baseline.nc", scale)
        with xr.open_dataset(path / "baseline.nc", engine="h5netcdf") as ds:
            ds = ds.load()
        summary = json.loads((path / "baseline.json").read_text())
        kpis = congestion_kpis(ds["loading_ac_pct"].values, summary["limit_pct"], ds["branch_limit_mva"].values,
                               summary["ac"]["step_h"], pd.DatetimeIndex(ds["time"].values),
                               [str(b) for b in ds["branch"].values])
        kpis.pop("branches")
        summary["ac"] = kpis
        (path / "baseline.json").write_text(json.dumps(_plain(summary), indent=2))
    return path


def write_sweep_dir(path: Path, n_params: int = 2) -> Path:
    """Write sweep.csv, sweep.nc and points/<id>/summary.json for a grid over ``n_params`` parameters."""
    path.mkdir(parents=True, exist_ok=True)
    axes = {
        "assets.bat_hengelo.capex_eur_per_mwh": [150000.0, 250000.0, 350000.0],
        "hubs.hengelo.import_mw": [8.0, 12.0],
        "prices.scale": [0.8, 1.2],
    }
    names = list(axes)[:n_params]
    grid = pd.MultiIndex.from_product([axes[n] for n in names], names=names).to_frame(index=False)
    rows = []
    for i, (_, point) in enumerate(grid.iterrows()):
        capex = float(point.iloc[0]) / 1000.0
        gtv = float(point.get("hubs.hengelo.import_mw", 10.0))
        energy = max(2.0, 40.0 - capex / 10.0 - gtv)
        rows.append({
            "point": f"p{i:03d}", **point.to_dict(), "status": "optimal",
            "objective_eur": 1.0e6 + capex * 800 + 5e3 * (12 - gtv),
            "cap.bat_hengelo.energy_mwh": energy, "cap.bat_hengelo.power_mw": energy / 4,
            "kpi.overloaded_branch_hours_after": max(0.0, 20 - energy), "kpi.max_loading_pct_after": 95 + 30 / energy,
            "timings_s.solve": 3.0 + i, "timings_s.total": 5.0 + i,
        })
    table = pd.DataFrame(rows)
    table.to_csv(path / "sweep.csv", index=False)
    dims = names
    shape = [len(axes[n]) for n in names]
    sweep = xr.Dataset(
        {"objective_eur": (dims, table["objective_eur"].to_numpy().reshape(shape), {"units": "EUR",
                                                                                 "long_name": "objective"})},
        coords={n: axes[n] for n in names},
    )
    sweep.to_netcdf(path / "sweep.nc", engine="h5netcdf")
    for row in rows:
        point_dir = path / "points" / str(row["point"])
        point_dir.mkdir(parents=True, exist_ok=True)
        (point_dir / "summary.json").write_text(json.dumps({"scenario": "twente-small", "status": "optimal"}))
    return path


@pytest.fixture(scope="session")
def solve_dir(small_runs: SmallRuns) -> Path:
    """The real solve result directory (read-only for tests: copy it before writing into it)."""
    return small_runs.solve_dir


@pytest.fixture(scope="session")
def baseline_dir(small_runs: SmallRuns) -> Path:
    """The real baseline result directory (read-only)."""
    return small_runs.baseline_dir


@pytest.fixture(scope="session")
def congested_dir(small_runs: SmallRuns, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real solve directory with overloads before (loading_ac_before_pct × 1.25)."""
    return write_solve_dir(tmp_path_factory.mktemp("congested") / "solve", small_runs, congested=True)


@pytest.fixture(scope="session")
def sweep_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A synthetic sweep result directory over two parameters."""
    return write_sweep_dir(tmp_path_factory.mktemp("sweep"))


@pytest.fixture(scope="session")
def solve_report(congested_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """report.html of a copy of the congested solve directory with ``--week 2030-01-09`` (HTML, browser tests)."""
    from energyhub.results.report import write_report

    directory = tmp_path_factory.mktemp("report") / "solve"
    shutil.copytree(congested_dir, directory)
    return write_report(directory, week="2030-01-09")


@pytest.fixture
def make_dir(tmp_path: Path, small_runs: SmallRuns) -> Callable[..., Path]:
    """Factory: ``make_dir(kind, **options)`` writes a fresh directory of that kind under ``tmp_path``."""

    def make(kind: str, **options: Any) -> Path:
        if kind == "solve":
            return write_solve_dir(tmp_path / kind, small_runs, **options)
        if kind == "baseline":
            return write_baseline_dir(tmp_path / kind, small_runs, **options)
        return write_sweep_dir(tmp_path / kind, **options)

    return make


# economics and limits under which the small scenario's optimum curtails, falls short of hydrogen, sheds load and
# accepts overload: each penalty is cheaper than avoiding it (VOLL 60 EUR/MWh, hydrogen 1 EUR/kg, overload
# 20 EUR/MWh at a 60 % loading limit, 12 MW of PV behind a 0.5 MW export connection)
PENALISED = {"economics": {"voll_eur_per_mwh": 60.0, "h2_shortfall_eur_per_kg": 1.0,
                           "overload_penalty_eur_per_mwh": 20.0, "curtailment_eur_per_mwh": 2.0},
             "loading_limit_pct": 60, "pv_mw": 12.0, "export_mw": 0.5}


def penalised_scenario(folder: Path) -> Path:
    """A copy of tests/data/small with :data:`PENALISED` applied (data files alongside, as the YAML expects)."""
    import yaml

    shutil.copytree(SMALL.parent, folder)
    path = folder / SMALL.name
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data.setdefault("economics", {}).update(PENALISED["economics"])
    data["grid"]["loading_limit_pct"] = PENALISED["loading_limit_pct"]
    hengelo = next(h for h in data["hubs"] if h["name"] == "hengelo")
    hengelo["pv"]["capacity_mw"] = PENALISED["pv_mw"]
    hengelo["connection"]["export_mw"] = PENALISED["export_mw"]
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def penalised_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``energyhub solve`` of the penalised small scenario (every penalty non-zero; read-only)."""
    root = tmp_path_factory.mktemp("penalised")
    scenario = penalised_scenario(root / "scenario")
    subprocess.run(energyhub("solve", str(scenario), "--out", str(root / "solve"), "--quiet"), check=True,
                   capture_output=True, text=True, timeout=300)
    return root / "solve"


SWEEP_PARAMS = {"assets.electrolyser-hengelo.capex_eur_per_mw": "300000,1200000,2000000",
                "assets.biogas-boekelo.fuel_cost_eur_per_mwh": "10,60"}


@pytest.fixture(scope="session")
def real_sweep_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``energyhub sweep`` of the small scenario over :data:`SWEEP_PARAMS` (6 points, ~30 s; read-only)."""
    out = tmp_path_factory.mktemp("real-sweep") / "sweep"
    options = [arg for path, values in SWEEP_PARAMS.items() for arg in ("--param", f"{path}={values}")]
    subprocess.run(energyhub("sweep", str(SMALL), *options, "--workers", "1", "--no-progress", "--out", str(out)),
                   check=True, capture_output=True, text=True, timeout=600)
    return out
