"""Heat end to end: a heat demand and a COP read from a CSV, aggregated to typical periods, solved, extracted and
exported, all picked up from the component registry."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from test_pipeline_cli import invoke, open_nc, read_json, scenario_copy

from energyhub.results.export import export_result

pytestmark = pytest.mark.filterwarnings("ignore:.*no profiles found:UserWarning")
N_STEPS = 168


def add_heat(data: dict[str, Any], folder: Path) -> None:
    """Boekelo gets a heat demand (1 MW_th by night, 2 by day) and a heat pump with a COP of 3 by day, 2 by night,
    a gas boiler, a thermal store and CHP heat from its biogas engine."""
    hours = np.arange(N_STEPS) % 24
    day = (hours >= 7) & (hours < 19)
    pd.DataFrame({"heat_mw_th": np.where(day, 2.0, 1.0), "cop": np.where(day, 3.0, 2.0)}).to_csv(
        folder / "heat.csv", index=False)
    boekelo = next(h for h in data["hubs"] if h["name"] == "boekelo")
    boekelo["heat_demand_mw_th"] = "heat.csv#heat_mw_th"
    next(a for a in data["assets"] if a["type"] == "biogas")["heat_efficiency"] = 0.4
    data["assets"] += [
        {"name": "hp-boekelo", "type": "heat_pump", "hub": "boekelo", "cop": "heat.csv#cop",
         "power_mw": {"max": 1.0, "capex_eur_per_mw": 500000}},
        {"name": "boiler-boekelo", "type": "gas_boiler", "hub": "boekelo", "power_mw_th": {"existing": 3.0},
         "fuel_price_eur_per_mwh": 40.0},
        {"name": "tank-boekelo", "type": "thermal_store", "hub": "boekelo", "energy_mwh_th": {"existing": 4.0},
         "loss_pct_per_day": 5.0},
    ]


def test_heat_scenario_solves_and_exports(tmp_path: Path) -> None:
    run = invoke("solve", scenario_copy(tmp_path / "scenario", add_heat), tmp_path / "out")
    assert run.exit_code == 0, run.output
    ds = open_nc(run.out / "results.nc")
    demand = ds["heat_demand_mw_th"].sel(hub="boekelo").to_numpy()
    hours = pd.DatetimeIndex(ds["time"].values).hour
    assert demand == pytest.approx(np.where((hours >= 7) & (hours < 19), 2.0, 1.0))
    heat = ds["heat_mw_th"].fillna(0.0).sum("asset").to_numpy()
    assert (heat >= demand - 1e-6).all()  # the heat balance holds in the full-horizon dispatch
    hp = ds["heat_mw_th"].sel(asset="hp-boekelo").to_numpy()
    el = -ds["p_mw"].sel(asset="hp-boekelo").to_numpy()
    assert hp == pytest.approx(np.where((hours >= 7) & (hours < 19), 3.0, 2.0) * el, abs=1e-6)  # COP series
    summary = read_json(run.out / "summary.json")
    assert summary["kpis"]["heat_demand_mwh_th"] == pytest.approx(float(demand.sum()), rel=1e-6)
    assert "hp-boekelo" in summary["capacities"] and "power_mw" in summary["capacities"]["hp-boekelo"]
    tables = export_result(run.out, "csv", tmp_path / "export")
    dispatch = pd.read_csv(tables / "asset_dispatch.csv")
    assert "heat_mw_th" in dispatch.columns
    assert "heat_level_mwh_th" in pd.read_csv(tables / "asset_storage.csv").columns
    assert (tables / "hub_heat.csv").is_file()
