"""Heat in the live sweep: the capex fields heat declares in the registry change in place and equal a cold solve;
a capex field the asset's type does not have is refused (the worker then rebuilds)."""

from __future__ import annotations

import copy
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from sweep_helpers import SMALL

from energyhub.scenario.load import parse_scenario, read_yaml
from energyhub.scenario.schema import Scenario
from energyhub.sweep.live import MAPPED, LiveModel
from energyhub.sweep.params import apply_values
from energyhub.sweep.points import PipelineBackend

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")
HP_CAPEX = "assets.hp-boekelo.power_mw.capex_eur_per_mw"


@pytest.fixture(scope="module")
def heat(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small scenario on 2 days, hourly, no typical periods, with a heat demand at boekelo, a heat pump (to be
    sized) and a gas boiler."""
    folder = tmp_path_factory.mktemp("heat")
    for item in SMALL.parent.iterdir():
        if item.suffix in (".csv", ".json"):
            shutil.copy(item, folder / item.name)
    hourly = (SMALL.parent / "profiles_hourly.csv").read_text().splitlines()  # one row per step, no time column
    (folder / "profiles_hourly.csv").write_text("\n".join(hourly[:49]) + "\n")
    data = yaml.safe_load(SMALL.read_text(encoding="utf-8"))
    data["time"]["periods"] = 48
    data["time"].pop("aggregation", None)
    next(h for h in data["hubs"] if h["name"] == "boekelo")["heat_demand_mw_th"] = 1.0
    data["assets"] += [
        {"name": "hp-boekelo", "type": "heat_pump", "hub": "boekelo", "cop": 3.0,
         "power_mw": {"max": 1.0, "capex_eur_per_mw": 50000.0}},
        {"name": "boiler-boekelo", "type": "gas_boiler", "hub": "boekelo", "power_mw_th": {"existing": 2.0},
         "fuel_price_eur_per_mwh": 40.0},
    ]
    (folder / "scenario.yaml").write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return folder / "scenario.yaml"


def _scenario(path: Path, values: dict[str, Any]) -> Scenario:
    raw = read_yaml(path)
    data = copy.deepcopy(raw)
    apply_values(data, values, parse_scenario(raw, path))
    return parse_scenario(data, path)


def test_heat_capex_changes_in_place(heat: Path) -> None:
    """Cheap (5,000 EUR/MW) and dear (50 MEUR/MW) heat pumps: each re-solved point equals a cold solve."""
    assert "assets.<heat_pump>.power_mw.capex_eur_per_mw" in MAPPED
    model = PipelineBackend().build(_scenario(heat, {}), heat)
    assert isinstance(model, LiveModel)
    model.solve()
    sizes = []
    for capex in (5000.0, 50_000_000.0):
        scenario = _scenario(heat, {HP_CAPEX: capex})
        assert model.apply({HP_CAPEX: capex})
        model.set_scenario(scenario, heat)
        live, _ = model.solve()
        cold, _ = PipelineBackend().solve(scenario, heat)
        assert live["objective_eur"] == pytest.approx(cold["objective_eur"], rel=max(cold["mip_gap"], 1e-6))
        assert live["costs_eur"]["total"] == pytest.approx(live["objective_eur"], rel=1e-9)
        sizes.append(live["capacities"]["hp-boekelo"]["power_mw"])
    assert sizes[0] > sizes[1]  # the price matters


def test_a_live_field_the_asset_type_lacks_is_refused(heat: Path) -> None:
    model = PipelineBackend().build(_scenario(heat, {}), heat)
    assert model is not None
    assert not model.apply({"assets.boiler-boekelo.power_mw.capex_eur_per_mw": 1.0})  # a gas boiler has power_mw_th
    assert model.apply({"assets.boiler-boekelo.power_mw_th.capex_eur_per_mw": 1.0})
