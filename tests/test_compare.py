"""``energyhub compare`` on a one-cable study solved by hand (tests/compare_helpers.py explains every number).

Cheap battery (110,000 + 110,000 = 220,000 EUR over 15 years: 21,195 EUR/year) against the cable (600,000 EUR
over 40 years: 34,967 EUR/year):

* optimum = hubs only = 766,500 + 21,195 = 787,695 EUR/year (the battery);
* reinforcement only = 766,500 + 34,967 = 801,467 EUR/year (the cable);
* as is = 766,500 + 24,090,000 = 24,856,500 EUR/year (the overload penalty), 2 AC overloaded branch-hours;
* value of the hub assets = 801,467 − 787,695 = 13,772 EUR/year; reinforcement capex avoided 600,000 EUR
  (34,967 EUR/year); 2 branch-hours relieved for 220,000 EUR: 9.09 branch-hours per MEUR.

Dear battery (220,000 + 330,000 = 550,000 EUR: 52,988 EUR/year): the optimum is the cable (801,467), hubs only
the battery (819,488), and the hub assets are worth 0.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from compare_helpers import (
    CABLE_CAPEX_EUR,
    CABLE_EUR_PER_YEAR,
    CHEAP,
    DEAR,
    ENERGY_EUR,
    ENERGY_MWH,
    OVERLOAD_EUR,
    POWER_MW,
    battery_eur_per_year,
    battery_investment_eur,
    write_cable_study,
)

from energyhub.compare import ALTERNATIVES, run_compare, without_hub_assets
from energyhub.results.report_inputs import load_result_dir
from energyhub.scenario.load import load_scenario

# the hand-made grid has no profiles parquet beside it: its (absent) loads are static, on purpose
pytestmark = pytest.mark.filterwarnings("ignore:.*no profiles found:UserWarning")
SMALL = Path(__file__).resolve().parent / "data" / "small" / "scenario.yaml"


def compared(tmp_path: Path, capex: tuple[float, float]) -> tuple[dict[str, Any], Path]:
    out = tmp_path / "out"
    run = run_compare(write_cable_study(tmp_path / "study", capex), out)
    return run.comparison, out


def test_cheap_battery_is_worth_the_cable_minus_its_cost(tmp_path: Path) -> None:
    result, out = compared(tmp_path, CHEAP)
    alts = result["alternatives"]
    battery = ENERGY_EUR + battery_eur_per_year(CHEAP)
    cable = ENERGY_EUR + CABLE_EUR_PER_YEAR
    expected = {"optimum": battery, "reinforcement-only": cable, "hubs-only": battery,
                "as-is": ENERGY_EUR + OVERLOAD_EUR}
    for name, cost in expected.items():
        assert alts[name]["cost_eur_per_year"] == pytest.approx(cost, rel=1e-6), name
    assert result["value_of_hub_assets_eur_per_year"] == pytest.approx(cable - battery, rel=1e-4)
    assert result["value_of_hub_assets_eur_per_year"] == pytest.approx(13_771.6, abs=1.0)
    assert result["reinforcement_capex_avoided_eur"] == pytest.approx(CABLE_CAPEX_EUR)
    assert result["reinforcement_capex_avoided_eur_per_year"] == pytest.approx(CABLE_EUR_PER_YEAR)
    assert [alts[n]["overloaded_branch_hours_ac"] for n in ALTERNATIVES] == [0, 0, 0, 2]
    assert result["congestion_relieved_branch_hours"] == 2
    assert result["congestion_relieved_branch_hours_per_meur_invested"] == pytest.approx(
        2 / battery_investment_eur(CHEAP) * 1e6, rel=1e-6)
    assert alts["optimum"]["built"]["battery"] == pytest.approx({"power_mw": POWER_MW, "energy_mwh": ENERGY_MWH})
    assert set(alts["reinforcement-only"]["built"]) == {"cable-2"}
    assert alts["as-is"]["built"] == {}
    assert alts["as-is"]["overload_mwh_dc"] == pytest.approx(2 * 1.1)  # over the horizon (four hours)
    for name in ALTERNATIVES:  # ordinary result directories
        assert (out / name / "summary.json").is_file() and (out / name / "results.nc").is_file()
        timings = json.loads((out / name / "summary.json").read_text())["timings_s"]
        assert ("grid" in timings) == (name == "optimum")  # the grid is prepared once and reused
    on_disk = json.loads((out / "comparison.json").read_text())
    assert on_disk["value_of_hub_assets_eur_per_year"] == pytest.approx(result["value_of_hub_assets_eur_per_year"])
    # the report finds the comparison from the compare directory and from its optimum/
    assert load_result_dir(out).comparison == on_disk == load_result_dir(out / "optimum").comparison
    assert load_result_dir(out / "hubs-only").comparison is None


def test_the_hub_pays_the_battery_and_the_grid_operator_saves_the_cable(tmp_path: Path) -> None:
    """The battery does not lower the hub's energy bill (lossless, flat price): its 220,000 EUR never pay back for
    the hub (NPV −220,000 EUR, no payback), while the grid operator avoids the 600,000 EUR cable."""
    result, out = compared(tmp_path, CHEAP)
    summary = json.loads((out / "optimum" / "summary.json").read_text())
    battery = summary["finance"]["assets"]["battery"]
    assert battery["investment_eur"] == pytest.approx(battery_investment_eur(CHEAP))
    assert battery["annuity_eur_per_year"] == pytest.approx(battery_eur_per_year(CHEAP))
    assert battery["lifetime_years"] == 15
    returns = summary["finance"]["hub_returns"]["park"]
    assert returns == result["hub_returns"]["park"]
    assert returns["annual_saving_eur_per_year"] == pytest.approx(0.0, abs=1e-3)
    assert returns["npv_eur"] == pytest.approx(-battery_investment_eur(CHEAP), rel=1e-6)
    assert returns["simple_payback_years"] is None
    assert returns["annual_cost_with_assets_eur_per_year"] == pytest.approx(ENERGY_EUR + battery_eur_per_year(CHEAP))
    assert returns["annual_cost_without_assets_eur_per_year"] == pytest.approx(ENERGY_EUR)
    grid = json.loads((out / "reinforcement-only" / "summary.json").read_text())["finance"]["actors"]
    assert grid["grid_operator"]["investment_eur"] == pytest.approx(CABLE_CAPEX_EUR)
    assert grid["grid_operator"]["reinforcements_eur_per_year"] == pytest.approx(CABLE_EUR_PER_YEAR)


def test_dear_battery_leaves_the_cable_as_the_optimum(tmp_path: Path) -> None:
    result, _out = compared(tmp_path, DEAR)
    alts = result["alternatives"]
    cable = ENERGY_EUR + CABLE_EUR_PER_YEAR
    assert alts["optimum"]["cost_eur_per_year"] == pytest.approx(cable, rel=1e-6)
    assert alts["reinforcement-only"]["cost_eur_per_year"] == pytest.approx(cable, rel=1e-6)
    assert alts["hubs-only"]["cost_eur_per_year"] == pytest.approx(ENERGY_EUR + battery_eur_per_year(DEAR), rel=1e-6)
    assert result["value_of_hub_assets_eur_per_year"] == pytest.approx(0.0, abs=1e-3)
    assert result["reinforcement_capex_avoided_eur"] == pytest.approx(0.0)
    assert set(alts["optimum"]["built"]) == {"cable-2"}


def test_cli_in_two_processes_gives_the_same_figures(tmp_path: Path) -> None:
    scenario = write_cable_study(tmp_path / "study", CHEAP)
    out = tmp_path / "out"
    command = [sys.executable, "-m", "energyhub", "compare", str(scenario), "--out", str(out), "--workers", "2",
               "--quiet"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "value of the hub assets          13,772 EUR/year" in done.stdout
    result = json.loads((out / "comparison.json").read_text())
    assert result["alternatives"]["as-is"]["cost_eur_per_year"] == pytest.approx(ENERGY_EUR + OVERLOAD_EUR)
    refused = subprocess.run([*command[:4], str(scenario), "--out", str(tmp_path / "study"), "--quiet"],
                             capture_output=True, text=True, timeout=120)
    assert refused.returncode == 2 and "not an energyhub compare directory" in refused.stderr
    missing = subprocess.run([*command[:4], str(tmp_path / "none.yaml"), "--out", str(tmp_path / "new")],
                             capture_output=True, text=True, timeout=120)
    assert missing.returncode == 2 and "none.yaml: no such file" in missing.stderr
    assert not (tmp_path / "new").exists()  # nothing written


def test_without_hub_assets_holds_every_size_at_existing() -> None:
    base = load_scenario(SMALL)
    changed = without_hub_assets(base)
    sizes = {a.name: a for a in changed.assets}
    assert sizes["battery-hengelo"].energy_mwh.upper == 0 and sizes["battery-hengelo"].energy_mwh.min == 0
    assert sizes["electrolyser-hengelo"].stacks.upper == 0
    assert sizes["h2-store-hengelo"].capacity_kg.upper == 100
    assert sizes["biogas-boekelo"].units.upper == 1 and sizes["biogas-boekelo"].storage_mwh.upper == 5
    assert sizes["cable-line-2"] == {a.name: a for a in base.assets}["cable-line-2"]
    assert base.assets[0].energy_mwh.upper == 20  # the loaded scenario is unchanged


def test_an_alternative_s_error_names_it_and_keeps_its_exit_code() -> None:
    from energyhub.compare import _naming
    from energyhub.errors import InfeasibleError

    expected = r"^alternative 'as-is' \(nothing built.*\): hydrogen demand"
    with pytest.raises(InfeasibleError, match=expected), _naming("as-is"):
        raise InfeasibleError("hydrogen demand cannot be met")
