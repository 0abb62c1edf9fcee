"""Fixture generator: small but realistic solve, baseline and sweep directories that follow the output contract.

A week of hourly steps, 3 hubs, 5 assets, 20 branches (16 lines, 4 trafos), 15 buses. The numbers are made up but
shaped like a congested MV grid: an evening load peak and a PV noon peak push a few branches over 100 % before, and
the hub assets bring them back under the limit after.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import xarray as xr

START = "2030-06-03"  # a Monday
N_STEPS = 168
HUBS = ("hengelo", "enschede", "gronau")
ASSETS = {  # name: (type, hub)
    "bat_hengelo": ("battery", "hengelo"),
    "ely_enschede": ("electrolyser", "enschede"),
    "h2s_enschede": ("h2_storage", "enschede"),
    "bio_gronau": ("biogas", "gronau"),
    "bat_gronau": ("battery", "gronau"),
}
N_BRANCHES = 20
N_BUSES = 15
LIMIT_PCT = 100.0


def _var(dims: tuple[str, ...], values: np.ndarray, units: str, long_name: str) -> xr.Variable:
    return xr.Variable(dims, values, attrs={"units": units, "long_name": long_name})


def _daily(hours: np.ndarray, peak_hour: float, width_h: float) -> np.ndarray:
    return np.exp(-0.5 * ((hours % 24 - peak_hour) / width_h) ** 2)


def make_loading(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Branch loading before and after in % (time × branch): a few branches congest at evening and noon peaks."""
    hours = np.arange(N_STEPS, dtype=float)
    base = rng.uniform(25, 70, N_BRANCHES)
    evening = rng.uniform(0, 45, N_BRANCHES) * (np.arange(N_BRANCHES) % 3 == 0)
    noon = rng.uniform(0, 55, N_BRANCHES) * (np.arange(N_BRANCHES) % 4 == 1)
    weekday = 1.0 + 0.15 * (hours // 24 == 2)  # Wednesday is the worst day
    before = (
        base[None, :]
        + evening[None, :] * (_daily(hours, 19, 2.0) * weekday)[:, None]
        + noon[None, :] * (_daily(hours, 13, 2.5) * weekday)[:, None]
        + rng.normal(0, 2.0, (N_STEPS, N_BRANCHES))
    )
    after = np.where(before > 95.0, 95.0 + 0.1 * (before - 95.0), before) - rng.uniform(0, 3, before.shape)
    return before, after


def make_results(rng: np.random.Generator, with_hydrogen: bool = True) -> xr.Dataset:
    """A results.nc dataset following the contract."""
    time = pd.date_range(START, periods=N_STEPS, freq="h")
    hours = np.arange(N_STEPS, dtype=float)
    assets = list(ASSETS)
    branches = [f"line_{i}" for i in range(N_BRANCHES - 4)] + [f"trafo_{i}" for i in range(4)]
    buses = [f"bus_{i}" for i in range(N_BUSES)]
    n_h = len(HUBS)
    demand = 6.0 + 3.0 * _daily(hours, 19, 3.0)[:, None] * np.array([1.0, 1.4, 0.8])[None, :]
    pv = 8.0 * _daily(hours, 13, 2.5)[:, None] * np.array([1.0, 0.6, 1.3])[None, :]
    wind = rng.uniform(0, 3, (N_STEPS, n_h))
    battery = 4.0 * np.sin(2 * np.pi * (hours - 10) / 24)
    electrolyser = -3.0 * _daily(hours, 13, 3.0) - 0.5
    p_mw = np.column_stack([battery, electrolyser, np.zeros(N_STEPS), 1.5 + 0 * hours, battery / 2])
    soc = np.full((N_STEPS, len(assets)), np.nan)
    soc[:, 0] = 10 - np.cumsum(battery) * 0.95
    soc[:, 4] = 5 - np.cumsum(battery / 2) * 0.95
    soc[:, 3] = 20 + 2 * np.sin(2 * np.pi * hours / 24)
    h2 = np.full((N_STEPS, len(assets)), np.nan)
    h2[:, 2] = 500 + np.cumsum(-p_mw[:, 1]) * 18 - hours * 8
    net = demand - pv - wind - np.column_stack([battery, p_mw[:, 1], p_mw[:, 3] + battery / 2])
    before, after = make_loading(rng)
    vm_before = 1.0 + rng.normal(0, 0.02, (N_STEPS, N_BUSES))
    hub_vars = {
        "import_mw": (np.clip(net, 0, None), "MW", "grid import at the hub connection"),
        "export_mw": (np.clip(-net, 0, None), "MW", "grid export at the hub connection"),
        "demand_mw": (demand, "MW", "electricity demand"),
        "pv_mw": (pv, "MW", "PV generation"),
        "wind_mw": (wind, "MW", "wind generation"),
        "curtailed_mw": (np.clip(pv - 9.0, 0, None), "MW", "curtailed generation"),
        "shed_mw": (np.zeros((N_STEPS, n_h)), "MW", "load shed"),
        "import_limit_mw": (np.full((N_STEPS, n_h), 10.0), "MW", "import limit (GTV, time-dependent)"),
        "export_limit_mw": (np.full((N_STEPS, n_h), 8.0), "MW", "export limit (GTV, time-dependent)"),
        "price_eur_per_mwh": (60 + 30 * _daily(hours, 19, 3)[:, None] + np.zeros((1, n_h)), "EUR/MWh", "price"),
    }
    data_vars: dict[str, xr.Variable] = {
        "p_mw": _var(("time", "asset"), p_mw, "MW", "net electrical output of the asset"),
        "soc_mwh": _var(("time", "asset"), soc, "MWh", "state of charge"),
        "flow_mw": _var(("time", "branch"), after * 0.2, "MW", "DC branch flow after"),
        "loading_ac_before_pct": _var(("time", "branch"), before, "%", "AC loading before"),
        "loading_ac_after_pct": _var(("time", "branch"), after, "%", "AC loading after"),
        "vm_before_pu": _var(("time", "bus"), vm_before, "pu", "voltage magnitude before"),
        "vm_after_pu": _var(("time", "bus"), vm_before * 0.99 + 0.01, "pu", "voltage magnitude after"),
    }
    if with_hydrogen:
        data_vars["h2_level_kg"] = _var(("time", "asset"), h2, "kg", "hydrogen storage level")
    for name, (values, units, long_name) in hub_vars.items():
        data_vars[name] = _var(("time", "hub"), values, units, long_name)
    coords = {
        "time": time,
        "asset": assets,
        "hub": list(HUBS),
        "branch": branches,
        "bus": buses,
        "asset_type": ("asset", [ASSETS[a][0] for a in assets]),
        "asset_hub": ("asset", [ASSETS[a][1] for a in assets]),
        "branch_kind": ("branch", ["line"] * (N_BRANCHES - 4) + ["trafo"] * 4),
    }
    return xr.Dataset(data_vars, coords=coords, attrs={"limit_pct": LIMIT_PCT})


def make_summary(ds: xr.Dataset) -> dict[str, Any]:
    """A summary.json dictionary consistent with ``ds``."""
    before, after = ds["loading_ac_before_pct"].values, ds["loading_ac_after_pct"].values
    return {
        "scenario": "twente-small",
        "status": "optimal",
        "objective_eur": 1234567.8,
        "mip_gap": 0.0008,
        "timings_s": {"load": 1.2, "build": 3.4, "handover": 0.5, "solve": 12.3, "extract": 0.4, "ac_check": 2.1,
                      "total": 19.9},
        "capacities": {
            "bat_hengelo": {"energy_mwh": 16.0, "power_mw": 4.0},
            "ely_enschede": {"stacks": 3, "power_mw": 3.0},
            "h2s_enschede": {"capacity_kg": 1200.0},
            "bio_gronau": {"units": 2, "power_mw": 1.5, "storage_mwh": 24.0},
            "bat_gronau": {"energy_mwh": 8.0, "power_mw": 2.0},
            "trafo_upgrade_hengelo": {"built": 0, "added_mva": 0.0},
        },
        "costs_eur": {"capex_annualised": 850000.0, "fixed_om": 120000.0, "energy": 310000.0, "grid_tariffs": 95000.0,
                      "export_revenue": -60000.0, "fuel": 40000.0, "start": 1200.0, "co2": 8000.0, "penalties": 0.0},
        "kpis": {
            "overloaded_branch_hours_before": float((before > LIMIT_PCT).sum()),
            "overloaded_branch_hours_after": float((after > LIMIT_PCT).sum()),
            "max_loading_pct_before": float(before.max()),
            "max_loading_pct_after": float(after.max()),
            "overload_mwh_after": 0.0,
            "curtailed_mwh": float(ds["curtailed_mw"].sum()),
            "shed_mwh": 0.0,
            "h2_produced_kg": 5400.0,
            "h2_shortfall_kg": 0.0,
            "grid_import_mwh": float(ds["import_mw"].sum()),
            "grid_export_mwh": float(ds["export_mw"].sum()),
            "peak_import_mw": {hub: float(ds["import_mw"].sel(hub=hub).max()) for hub in HUBS},
            "co2_t": 42.0,
        },
        "hubs": {hub: {"import_mw": 10.0, "export_mw": 8.0} for hub in HUBS},
        "scenario_brief": {
            "horizon": "2030-06-03 to 2030-06-09", "resolution": "1h", "segments": ["twente-mv-ring"],
            "hubs": list(HUBS), "assets": {a: t for a, (t, _) in ASSETS.items()},
        },
    }


def write_solve_dir(path: Path, seed: int = 1, with_hydrogen: bool = True) -> Path:
    """Write summary.json and results.nc into ``path``."""
    path.mkdir(parents=True, exist_ok=True)
    ds = make_results(np.random.default_rng(seed), with_hydrogen=with_hydrogen)
    ds.to_netcdf(path / "results.nc", engine="h5netcdf")
    (path / "summary.json").write_text(json.dumps(make_summary(ds), indent=2), encoding="utf-8")
    return path


def write_baseline_dir(path: Path, seed: int = 1) -> Path:
    """Write baseline.nc and baseline.json into ``path``."""
    path.mkdir(parents=True, exist_ok=True)
    ds = make_results(np.random.default_rng(seed))
    before = ds["loading_ac_before_pct"]
    base = xr.Dataset(
        {
            "loading_dc_pct": (("time", "branch"), before.values * 1.04, {"units": "%", "long_name": "DC loading"}),
            "loading_ac_pct": (("time", "branch"), before.values, {"units": "%", "long_name": "AC loading"}),
            "vm_pu": (("time", "bus"), ds["vm_before_pu"].values, {"units": "pu", "long_name": "voltage"}),
        },
        coords={"time": ds["time"], "branch": ds["branch"], "bus": ds["bus"], "branch_kind": ds["branch_kind"]},
        attrs={"limit_pct": LIMIT_PCT},
    )
    base.to_netcdf(path / "baseline.nc", engine="h5netcdf")
    worst = before.max("time").to_series().sort_values(ascending=False).head(10)
    top = [
        {"branch": str(b), "max_loading_pct": float(v), "overloaded_hours": int((before.sel(branch=b) > 100).sum()),
         "worst_time": str(before.sel(branch=b).idxmax("time").values)}
        for b, v in worst.items()
    ]
    summary = {"scenario": "twente-small", "totals": {"overloaded_branch_hours": float((before > 100).sum()),
                                                      "limit_pct": LIMIT_PCT}, "top_branches": top}
    (path / "baseline.json").write_text(json.dumps(summary, indent=2), encoding="utf-8")
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
def solve_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A solve result directory (read-only for tests: copy it before writing into it)."""
    return write_solve_dir(tmp_path_factory.mktemp("solve"))


@pytest.fixture(scope="session")
def baseline_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A baseline result directory."""
    return write_baseline_dir(tmp_path_factory.mktemp("baseline"))


@pytest.fixture(scope="session")
def sweep_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A sweep result directory over two parameters."""
    return write_sweep_dir(tmp_path_factory.mktemp("sweep"))


@pytest.fixture(scope="session")
def solve_report(solve_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """report.html of a copy of the solve directory with ``--week 2030-06-05`` (for the HTML and browser tests)."""
    from energyhub.results.report import write_report

    directory = tmp_path_factory.mktemp("report") / "solve"
    shutil.copytree(solve_dir, directory)
    return write_report(directory, week="2030-06-05")


@pytest.fixture
def make_dir(tmp_path: Path) -> Callable[..., Path]:
    """Factory: ``make_dir(kind, **options)`` writes a fresh directory of that kind under ``tmp_path``."""
    writers: dict[str, Callable[..., Path]] = {
        "solve": write_solve_dir, "baseline": write_baseline_dir, "sweep": write_sweep_dir,
    }

    def make(kind: str, **options: Any) -> Path:
        return writers[kind](tmp_path / kind, **options)

    return make
