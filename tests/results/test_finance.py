"""The ``finance`` block of summary.json on the real solve of tests/data/small: it adds up to ``costs_eur``.

Every figure is recomputed here from ``capacities`` and the scenario file (capex × (size − existing), the annuity
at ``economics.discount_rate``), and the hubs' bills and the actors' totals are checked against the model's own
cost categories.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from energyhub.results.finance import BILL, hub_returns, present_value_factor


def annuity(rate: float, years: int) -> float:
    return rate / (1.0 - (1.0 + rate) ** -years)


@pytest.fixture(scope="module")
def summary(solve_dir: Path) -> dict:
    return json.loads((solve_dir / "summary.json").read_text())


def test_asset_investment_is_capex_times_the_size_above_existing(summary: dict) -> None:
    caps, assets = summary["capacities"], summary["finance"]["assets"]
    stacks = caps["electrolyser-hengelo"]["stacks"]
    store_kg = caps["h2-store-hengelo"]["capacity_kg"]
    battery = caps["battery-hengelo"]
    expected = {  # capex fields of tests/data/small/scenario.yaml
        "electrolyser-hengelo": 1_200_000 * 1.0 * stacks,
        "h2-store-hengelo": 600 * (store_kg - 100),
        "battery-hengelo": 250_000 * battery["energy_mwh"] + 150_000 * battery["power_mw"],
        "biogas-boekelo": 900_000 * 0.5 * (caps["biogas-boekelo"]["units"] - 1)
        + 2000 * (caps["biogas-boekelo"]["storage_mwh"] - 5),
        "cable-line-2": 400_000 * caps["cable-line-2"]["built"],
    }
    lifetimes = {"electrolyser-hengelo": 20, "h2-store-hengelo": 20, "battery-hengelo": 15, "biogas-boekelo": 20,
                 "cable-line-2": 40}
    for name, investment in expected.items():
        assert assets[name]["investment_eur"] == pytest.approx(investment, abs=1e-3), name
        assert assets[name]["lifetime_years"] == lifetimes[name]
        assert assets[name]["annuity_eur_per_year"] == pytest.approx(investment * annuity(0.05, lifetimes[name]),
                                                                     abs=1e-3)
    assert expected["electrolyser-hengelo"] > 0  # the small study builds a stack: the check is not all zeros
    total = sum(a["annuity_eur_per_year"] for a in assets.values())
    assert total == pytest.approx(summary["costs_eur"]["capex"], rel=1e-9)
    om = sum(a["fixed_om_eur_per_year"] for a in assets.values())
    assert om == pytest.approx(summary["costs_eur"]["fixed_om"], rel=1e-9)


def test_hub_bills_add_up_to_the_cost_categories(summary: dict) -> None:
    hubs, costs = summary["finance"]["hubs"], summary["costs_eur"]
    for category in BILL:
        billed = sum(h["bill_eur_per_year"][category] for h in hubs.values())
        assert billed == pytest.approx(costs.get(category, 0.0), rel=1e-6, abs=1e-3), category
    assert hubs["hengelo"]["bill_eur_per_year"]["monthly_peak"] > 0  # priced at hengelo only
    assert hubs["boekelo"]["bill_eur_per_year"]["monthly_peak"] == 0
    assert hubs["hengelo"]["assets"] == ["battery-hengelo", "electrolyser-hengelo", "h2-store-hengelo"]


def test_actors_pay_the_whole_objective(summary: dict) -> None:
    actors, costs = summary["finance"]["actors"], summary["costs_eur"]
    hub, grid = actors["hub_companies"], actors["grid_operator"]
    paid = hub["total_eur_per_year"] + grid["reinforcements_eur_per_year"] + grid["overload_penalty_eur_per_year"]
    assert paid == pytest.approx(costs["total"], rel=1e-9)
    assert grid["tariffs_received_eur_per_year"] == pytest.approx(
        sum(costs[c] for c in ("grid_energy_tariff", "hub_energy_tariff", "contracted_capacity", "monthly_peak",
                               "fixed_tariff")))


def test_hub_returns_by_hand() -> None:
    """One battery of 100,000 EUR over 10 years at 5 % saving 20,000 EUR a year before 1,000 EUR fixed O&M:
    NPV = −100,000 + 19,000 × 7.7217 = 46,713 EUR; simple payback 100,000 / 19,000 = 5.26 years."""
    with_assets = {"discount_rate": 0.05,
                   "assets": {"b": {"investment_eur": 100_000.0, "lifetime_years": 10}},
                   "hubs": {"h": {"assets": ["b"], "investment_eur": 100_000.0, "fixed_om_eur_per_year": 1000.0,
                                  "bill_total_eur_per_year": 50_000.0, "annual_cost_eur_per_year": 63_950.5}}}
    without = {"hubs": {"h": {"bill_total_eur_per_year": 70_000.0, "annual_cost_eur_per_year": 70_000.0}}}
    out = hub_returns(with_assets, without)["h"]
    assert present_value_factor(0.05, 10) == pytest.approx(7.721735, rel=1e-6)
    assert out["annual_saving_eur_per_year"] == pytest.approx(19_000.0)
    assert out["npv_eur"] == pytest.approx(-100_000 + 19_000 * 7.721735, rel=1e-6)
    assert out["simple_payback_years"] == pytest.approx(100_000 / 19_000)
    assert out["annual_cost_without_assets_eur_per_year"] == 70_000.0
