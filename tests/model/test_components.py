"""Hand-solvable cases, one per component; each optimum is worked out by hand in the test.

A plain horizon of n hourly steps weighs every step by 8760/n (operating costs are annualised), so an optimum
of C EUR over the horizon is an objective of C × 8760/n EUR per year.
"""

from __future__ import annotations

import numpy as np
import pytest
from _model_helpers import hub, make_data, one_branch, run

from energyhub.errors import InfeasibleError
from energyhub.model.build import build_model
from energyhub.solve.highs import solve

REL = 1e-7


def battery(name: str = "bat", hub_name: str = "h", **kw: object) -> dict:
    base = {"type": "battery", "name": name, "hub": hub_name, "charge_efficiency": 1.0,
            "discharge_efficiency": 1.0, "energy_mwh": {"existing": 0.0}, "power_mw": {"existing": 0.0}}
    base.update(kw)
    return base


def test_battery_arbitrage_between_two_prices() -> None:
    """Prices 10 then 100 EUR/MWh, demand 1 MW, a 2 MWh / 2 MW battery with 90 % each way, no export.

    Round trip 0.81: covering 1 MW at t1 needs 1/0.81 = 1.2346 MW charged at t0 (≤ 2 MW, SOC rise 1.11 ≤ 2 MWh);
    marginal cost 10/0.81 = 12.3 < 100, so t0 imports 1 + 1/0.81 at 10 EUR and t1 nothing.
    """
    data = make_data(2, [hub("h", export_mw=0.0, demand_mw=1.0)],
                     assets=[battery(energy_mwh={"existing": 2.0}, power_mw={"existing": 2.0},
                                     charge_efficiency=0.9, discharge_efficiency=0.9)],
                     series={"markets.NL.energy_price_eur_per_mwh": [10.0, 100.0]})
    hm, res = run(data)
    expected = 10.0 * (1.0 + 1.0 / 0.81) * 8760 / 2
    assert res.status == "optimal"
    assert res.objective_eur == pytest.approx(expected, rel=REL)
    assert res.values(hm.m.imp_mw, [("h", 0), ("h", 1)]) == pytest.approx([1 + 1 / 0.81, 0.0], abs=1e-6)


@pytest.mark.parametrize(("price", "runs"), [(100.0, True), (200.0, False)])
def test_electrolyser_runs_at_minimum_load_or_stays_off(price: float, runs: bool) -> None:
    """One 10 MW stack, min load 50 %, 50 kWh/kg (20 kg/MWh); demand 50 kg/h needs only 2.5 MW < 5 MW min load.

    Run at min load: 5 MW × price, surplus 50 kg vented. Stay off: 50 kg × 15 EUR/kg = 750 EUR shortfall.
    At 100 EUR/MWh running costs 500 < 750; at 200 EUR/MWh it costs 1000 > 750.
    """
    data = make_data(1, [hub("h", h2_demand_kg_per_h=50.0)],
                     assets=[{"type": "electrolyser", "name": "ely", "hub": "h", "stack_mw": 10.0,
                              "stacks": {"existing": 1}, "kwh_per_kg": 50.0, "min_load_frac": 0.5}],
                     markets=[{"zone": "NL", "energy_price_eur_per_mwh": price, "export_price_eur_per_mwh": 0.0}])
    hm, res = run(data)
    assert res.status == "optimal"
    cost = 5.0 * price if runs else 50.0 * 15.0
    assert res.objective_eur == pytest.approx(cost * 8760, rel=REL)
    assert res.value(hm.m.ely_p_mw["ely", 0]) == pytest.approx(5.0 if runs else 0.0, abs=1e-6)


def test_electrolyser_part_load_curve() -> None:
    """Part load: at 50 % load 45 kWh/kg (better than 55 at full load); output bound through both points.

    One 10 MW stack: h2 at 5 MW = 5000/45 = 111.1 kg/h, at 10 MW = 10000/55 = 181.8 kg/h. Demand 111.1 kg/h is
    met exactly at 5 MW (cheaper than any higher load). Price 10 EUR/MWh → 50 EUR per hour.
    """
    demand = 5000.0 / 45.0
    data = make_data(1, [hub("h", h2_demand_kg_per_h=demand)],
                     assets=[{"type": "electrolyser", "name": "ely", "hub": "h", "stack_mw": 10.0,
                              "stacks": {"existing": 1}, "kwh_per_kg": 55.0, "min_load_frac": 0.2,
                              "part_load": [{"load_frac": 0.5, "kwh_per_kg": 45.0}]}],
                     markets=[{"zone": "NL", "energy_price_eur_per_mwh": 10.0, "export_price_eur_per_mwh": 0.0}])
    hm, res = run(data)
    assert res.value(hm.m.ely_p_mw["ely", 0]) == pytest.approx(5.0, abs=1e-6)
    assert res.objective_eur == pytest.approx(50.0 * 8760, rel=REL)


@pytest.mark.parametrize(("min_up_h", "cost"), [(0.0, 80.0), (2.0, 100.0)])
def test_biogas_minimum_up_time(min_up_h: float, cost: float) -> None:
    """A 1 MW engine (min load 50 %, O&M 50 EUR/MWh), demand 1 MW, prices 10, 200, 10, 10; no export.

    Without a minimum up time it runs only at t1: 10 + 50 + 10 + 10 = 80 EUR. With 2 h it must stay on a second
    step at ≥ 0.5 MW: that step costs 0.5 × 50 + 0.5 × 10 = 30 instead of 10, so 100 EUR.
    """
    data = make_data(4, [hub("h", export_mw=0.0, demand_mw=1.0)],
                     assets=[{"type": "biogas", "name": "gas", "hub": "h", "unit_mw": 1.0,
                              "units": {"existing": 1}, "biogas_supply_mwh_per_day": 100.0,
                              "min_load_frac": 0.5, "min_up_h": min_up_h, "variable_om_eur_per_mwh": 50.0}],
                     series={"markets.NL.energy_price_eur_per_mwh": [10.0, 200.0, 10.0, 10.0]})
    hm, res = run(data)
    assert res.objective_eur == pytest.approx(cost * 8760 / 4, rel=REL)
    on = res.values(hm.m.gas_on, [("gas", t) for t in range(4)])
    assert on.sum() == pytest.approx(1.0 if min_up_h == 0 else 2.0)


def test_connection_limit_forces_a_battery() -> None:
    """Import limit 1 MW, demand 0 then 2 MW at 10 EUR/MWh: 1 MW must come from a battery charged at t0.

    Sizes E = 1 MWh, P = 1 MW; capex 1000 EUR/MWh + 500 EUR/MW over 10 years at 0 %: 100 + 50 EUR/yr.
    Energy: 2 MWh × 10 EUR × 4380 = 87,600 EUR/yr. Total 87,750.
    """
    data = make_data(2, [hub("h", import_mw=1.0, export_mw=0.0)],
                     assets=[battery(energy_mwh={"max": 10.0, "capex_eur_per_mwh": 1000.0},
                                     power_mw={"max": 10.0, "capex_eur_per_mw": 500.0}, lifetime_years=10)],
                     series={"hubs.h.demand_mw": [0.0, 2.0],
                             "markets.NL.energy_price_eur_per_mwh": 10.0},
                     economics={"discount_rate": 0.0})
    hm, res = run(data)
    assert res.objective_eur == pytest.approx(87_750.0, rel=REL)
    assert res.value(hm.m.bat_e_mwh["bat"]) == pytest.approx(1.0, abs=1e-6)
    assert res.value(hm.m.bat_p_mw["bat"]) == pytest.approx(1.0, abs=1e-6)


def test_monthly_peak_tariff_shaves_the_peak() -> None:
    """Demand 1 then 3 MW, a 2 MWh / 1 MW battery, 2 EUR/kW per month of peak import.

    Shaving to 2 + 2 MW saves 1 MW × 1000 kW/MW × 2 EUR × 12 months = 24,000 EUR/yr. Cost: energy 4 MWh × 10 ×
    4380 = 175,200 plus peak 2000 kW × 2 × 12 = 48,000: 223,200.
    """
    data = make_data(2, [hub("h", export_mw=0.0, tariffs={"monthly_peak_eur_per_kw": 2.0})],
                     assets=[battery(energy_mwh={"existing": 2.0}, power_mw={"existing": 1.0})],
                     series={"hubs.h.demand_mw": [1.0, 3.0], "markets.NL.energy_price_eur_per_mwh": 10.0})
    hm, res = run(data)
    assert res.objective_eur == pytest.approx(223_200.0, rel=REL)
    assert res.values(hm.m.imp_mw, [("h", 0), ("h", 1)]) == pytest.approx([2.0, 2.0], abs=1e-6)


def test_contracted_capacity_tariff() -> None:
    """Contracted capacity priced at 10 EUR/kW/yr: with demand 2 MW flat the contract is 2 MW = 20,000 EUR/yr."""
    data = make_data(2, [hub("h", import_mw=5.0, demand_mw=2.0, tariffs={"contracted_eur_per_kw_year": 10.0})])
    hm, res = run(data)
    assert res.value(hm.m.cap_mw["h"]) == pytest.approx(2.0, abs=1e-6)
    assert res.objective_eur == pytest.approx(20_000.0, rel=REL)


@pytest.mark.parametrize(("capex_eur", "reinforce"), [(1000.0, True), (2000.0, False)])
def test_reinforcement_against_battery(capex_eur: float, reinforce: bool) -> None:
    """A branch limited to 1 MW carries the hub's import (PTDF −1: flow = import); demand 0 then 2 MW.

    Battery (E = 1 MWh, P = 1 MW): 150 EUR/yr (see the connection test). Reinforcement (+1 MVA) over 10 years at
    0 %: capex/10 = 100 EUR/yr (cheaper, built) or 200 EUR/yr (dearer, battery instead). Energy 87,600 EUR/yr.
    """
    data = make_data(2, [hub("h", export_mw=0.0)],
                     assets=[battery(energy_mwh={"max": 10.0, "capex_eur_per_mwh": 1000.0},
                                     power_mw={"max": 10.0, "capex_eur_per_mw": 500.0}, lifetime_years=10),
                             {"type": "reinforcement", "name": "cable", "branch": "seg/line", "added_mva": 1.0,
                              "capex_eur": capex_eur, "lifetime_years": 10}],
                     series={"hubs.h.demand_mw": [0.0, 2.0], "markets.NL.energy_price_eur_per_mwh": 10.0},
                     economics={"discount_rate": 0.0})
    hm, res = run(data, one_branch(data, 1.0, 0.0, [-1.0]))
    assert res.objective_eur == pytest.approx(87_600.0 + (100.0 if reinforce else 150.0), rel=REL)
    assert res.value(hm.m.reinf_build["cable"]) == pytest.approx(1.0 if reinforce else 0.0)


def test_branch_limit_relieved_by_battery_and_screening() -> None:
    """Base flow 1.5 MW, limit 2 MW, PTDF −0.5 (1 MW of import adds 0.5 MW): import ≤ 1 MW in every step.

    Demand 0 then 2 MW: as in the connection test the battery is 1 MWh / 1 MW, total 87,750 EUR/yr. With the
    hub's import bound at 1 MW the worst-case flow is 1.5 + 0.5 = 2 ≤ 2 MW: screening drops every row.
    """
    assets = [battery(energy_mwh={"max": 10.0, "capex_eur_per_mwh": 1000.0},
                      power_mw={"max": 10.0, "capex_eur_per_mw": 500.0}, lifetime_years=10)]
    series = {"hubs.h.demand_mw": [0.0, 2.0], "markets.NL.energy_price_eur_per_mwh": 10.0}
    data = make_data(2, [hub("h", export_mw=0.0)], assets=assets, series=series, economics={"discount_rate": 0.0})
    hm, res = run(data, one_branch(data, 2.0, 1.5, [-0.5]))
    assert res.objective_eur == pytest.approx(87_750.0, rel=REL)
    assert hm.info["network_rows"] == 2
    tight = make_data(2, [hub("h", import_mw=1.0, export_mw=0.0)], assets=assets, series=series,
                      economics={"discount_rate": 0.0})
    hm2, res2 = run(tight, one_branch(tight, 2.0, 1.5, [-0.5]))
    assert hm2.info["network_rows"] == 0
    assert res2.objective_eur == pytest.approx(87_750.0, rel=REL)


def test_group_contract_caps_the_sum_of_imports() -> None:
    """Two hubs of 1.5 MW demand, each with a 2 MW GTV but a 2 MW group contract: 1 MW shed at VOLL 1000.

    Cost per hour: 2 MW × 10 + 1 MW × 1000 = 1020 EUR.
    """
    hubs = [hub("a", demand_mw=1.5, import_mw=2.0, connection={"group": "g"}),
            hub("b", demand_mw=1.5, import_mw=2.0, connection={"group": "g"})]
    data = make_data(1, hubs, groups=[{"name": "g", "hubs": ["a", "b"], "import_mw": 2.0, "export_mw": 2.0}],
                     markets=[{"zone": "NL", "energy_price_eur_per_mwh": 10.0}],
                     economics={"voll_eur_per_mwh": 1000.0})
    _, res = run(data)
    assert res.objective_eur == pytest.approx(1020.0 * 8760, rel=REL)


def test_time_block_right() -> None:
    """GTV 2 MW firm only in hour 0, 25 % otherwise; demand 0 then 2 MW; prices 10 then 5; 5 MWh/5 MW battery.

    Unrestricted the hub would import 2 MW at t1 (cheaper). With the right, t1 imports ≤ 0.5 MW and the battery
    supplies 1.5 MW charged at t0: (1.5 × 10 + 0.5 × 5) × 4380 EUR/yr.
    """
    data = make_data(2, [hub("h", import_mw=2.0, export_mw=0.0,
                             connection={"right": "time_block", "firm_hours": [0], "non_firm_frac": 0.25})],
                     assets=[battery(energy_mwh={"existing": 5.0}, power_mw={"existing": 5.0})],
                     series={"hubs.h.demand_mw": [0.0, 2.0], "markets.NL.energy_price_eur_per_mwh": [10.0, 5.0]})
    hm, res = run(data)
    assert res.objective_eur == pytest.approx(17.5 * 4380, rel=REL)
    assert res.values(hm.m.imp_mw, [("h", 0), ("h", 1)]) == pytest.approx([1.5, 0.5], abs=1e-6)


def test_time_duration_right_picks_most_loaded_steps() -> None:
    """firm_share 0.5 over 2 steps: the non-firm step is the one with the higher baseline loading (t1)."""
    data = make_data(2, [hub("h", import_mw=2.0, connection={"right": "time_duration", "firm_share": 0.5,
                                                             "non_firm_frac": 0.0})])
    hm, _ = run(data, one_branch(data, 10.0, [1.0, 5.0], [-1.0]))
    assert hm.info["availability"]["h"] == pytest.approx([1.0, 0.0])


def test_hydrogen_link_across_the_border() -> None:
    """Electrolyser in NL (50 EUR/MWh), demand 100 kg/h in DE (100 EUR/MWh, no electrolyser), link 1 EUR/kg.

    20 kg/MWh: 5 MW in NL = 250 EUR/h, link 100 kg × 1 = 100 EUR/h: 350 EUR/h < shortfall 1500 EUR/h.
    """
    data = make_data(1, [hub("nl"), hub("de", bus="segDE/b2", h2_demand_kg_per_h=100.0)],
                     assets=[{"type": "electrolyser", "name": "ely", "hub": "nl", "stack_mw": 10.0,
                              "stacks": {"existing": 1}, "kwh_per_kg": 50.0, "min_load_frac": 0.0}],
                     markets=[{"zone": "NL", "energy_price_eur_per_mwh": 50.0, "export_price_eur_per_mwh": 0.0},
                              {"zone": "DE", "energy_price_eur_per_mwh": 100.0, "export_price_eur_per_mwh": 0.0}],
                     links=[{"name": "pipe", "carrier": "hydrogen", "from_hub": "nl", "to_hub": "de",
                             "capacity_kg_per_h": 150.0, "cost_eur_per_kg": 1.0}])
    hm, res = run(data)
    assert res.objective_eur == pytest.approx(350.0 * 8760, rel=REL)
    assert res.value(hm.m.link_fwd["pipe", 0]) == pytest.approx(100.0, abs=1e-6)


def test_hydrogen_storage_shifts_production() -> None:
    """Electricity 10 then 100 EUR/MWh, demand 20 kg/h in both steps, electrolyser 10 MW at 50 kWh/kg, store.

    Producing 40 kg at t0 (2 MW × 10 EUR = 20 EUR) and storing 20 kg (capex 0) beats 1 MW at 100 EUR at t1.
    """
    data = make_data(2, [hub("h", h2_demand_kg_per_h=20.0)],
                     assets=[{"type": "electrolyser", "name": "ely", "hub": "h", "stack_mw": 10.0,
                              "stacks": {"existing": 1}, "kwh_per_kg": 50.0, "min_load_frac": 0.0},
                             {"type": "h2_storage", "name": "tank", "hub": "h", "capacity_kg": {"max": 100.0}}],
                     series={"markets.NL.energy_price_eur_per_mwh": [10.0, 100.0],
                             "markets.NL.export_price_eur_per_mwh": 0.0})
    hm, res = run(data)
    assert res.objective_eur == pytest.approx(20.0 * 4380, rel=REL)
    assert res.value(hm.m.h2s_kg["tank"]) >= 20.0 - 1e-6


def test_infeasible_battery_durations_are_diagnosed() -> None:
    """A fixed 10 MWh / 1 MW battery with max_duration_h 2 cannot exist: the message names it."""
    data = make_data(1, [hub("h")], assets=[battery(energy_mwh={"existing": 10.0}, power_mw={"existing": 1.0},
                                                    max_duration_h=2.0)])
    hm = build_model(data, __import__("_model_helpers").no_grid(data))
    hm.m.bat_e_mwh["bat"].unfix()
    hm.m.bat_e_mwh["bat"].setlb(10.0)
    with pytest.raises(InfeasibleError, match="battery bat"):
        solve(hm, {"presolve": "off"})


def test_negative_prices_get_anti_dumping_binary() -> None:
    """With a negative price the battery gets a charge/discharge binary and cannot burn energy in losses.

    Price −10 EUR/MWh, demand 1 MW, no export, battery 80 % round trip: without the binary it could charge and
    discharge at once to import more than the demand. With it, import = demand = 1 MW: −10 EUR per hour.
    """
    data = make_data(1, [hub("h", demand_mw=1.0, export_mw=0.0)],
                     assets=[battery(energy_mwh={"existing": 5.0}, power_mw={"existing": 5.0},
                                     charge_efficiency=0.8, discharge_efficiency=1.0)],
                     series={"markets.NL.energy_price_eur_per_mwh": -10.0})
    hm, res = run(data)
    assert hasattr(hm.m, "bat_charging")
    assert res.objective_eur == pytest.approx(-10.0 * 8760, rel=REL)
    assert np.isclose(res.value(hm.m.imp_mw["h", 0]), 1.0)
