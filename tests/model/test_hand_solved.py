"""More hand-solved cases: annuity with interest, minimum down time, biogas storage and links, bidirectional links,
15-minute steps, curtailment cost and build-or-not. Each optimum is worked out in the docstring.

A plain horizon of n steps of Δt hours weighs each step by 8760/(n·Δt): an optimum of C EUR over the horizon is
C × 8760/(n·Δt) EUR per year.
"""

from __future__ import annotations

import pytest
from _model_helpers import hub, make_data, run

REL = 1e-7


def battery(**kw: object) -> dict:
    base = {"type": "battery", "name": "bat", "hub": "h", "charge_efficiency": 1.0, "discharge_efficiency": 1.0,
            "energy_mwh": {"existing": 0.0}, "power_mw": {"existing": 0.0}}
    base.update(kw)
    return base


def test_annuity_with_interest_and_fixed_om() -> None:
    """Import limit 1 MW, demand 0 then 2 MW at 10 EUR/MWh: a 1 MWh / 1 MW battery is needed (as in
    test_components). Capex 1000 EUR/MWh + 500 EUR/MW = 1500 EUR over 10 years at 5 %:
    annuity = r·(1+r)^n / ((1+r)^n − 1) = 0.05 × 1.6288946 / 0.6288946 = 0.1295046 per year → 194.26 EUR/yr;
    fixed O&M 2 % of 1500 = 30 EUR/yr; energy 2 MWh × 10 × 4380 = 87,600 EUR/yr.
    """
    growth = 1.05 ** 10
    factor = 0.05 * growth / (growth - 1.0)
    assert factor == pytest.approx(0.1295046, abs=1e-7)
    data = make_data(2, [hub("h", import_mw=1.0, export_mw=0.0)],
                     assets=[battery(energy_mwh={"max": 10.0, "capex_eur_per_mwh": 1000.0},
                                     power_mw={"max": 10.0, "capex_eur_per_mw": 500.0}, lifetime_years=10,
                                     fixed_om_pct_per_year=2.0)],
                     series={"hubs.h.demand_mw": [0.0, 2.0], "markets.NL.energy_price_eur_per_mwh": 10.0},
                     economics={"discount_rate": 0.05})
    hm, res = run(data)
    assert res.objective_eur == pytest.approx(87_600.0 + 1500.0 * factor + 30.0, rel=REL)
    assert res.value(hm.m.bat_e_mwh["bat"]) == pytest.approx(1.0, abs=1e-6)


@pytest.mark.parametrize(("min_down_h", "cost"), [(0.0, 120.0), (1.0, 120.0), (2.0, 160.0)])
def test_biogas_minimum_down_time(min_down_h: float, cost: float) -> None:
    """A 1 MW engine (min load 50 %, O&M 50 EUR/MWh), demand 1 MW, prices 200, 10, 200, 10; no export; cyclic.

    Free (or 1 h, one step: no row): on at t0 and t2 only: 50 + 10 + 50 + 10 = 120 EUR. With 2 h of minimum down
    time a stop must last two steps, which a 4-step cycle with two runs cannot fit; one run of t0 alone costs
    50 + 10 + 200 + 10 = 270, t0-t1 290; never stopping costs 50 + (0.5 × 50 + 0.5 × 10) + 50 + 30 = 160.
    """
    data = make_data(4, [hub("h", export_mw=0.0, demand_mw=1.0)],
                     assets=[{"type": "biogas", "name": "gas", "hub": "h", "unit_mw": 1.0,
                              "units": {"existing": 1}, "biogas_supply_mwh_per_day": 100.0,
                              "min_load_frac": 0.5, "min_down_h": min_down_h, "variable_om_eur_per_mwh": 50.0}],
                     series={"markets.NL.energy_price_eur_per_mwh": [200.0, 10.0, 200.0, 10.0]})
    hm, res = run(data)
    assert res.objective_eur == pytest.approx(cost * 8760 / 4, rel=REL)
    on = res.values(hm.m.gas_on, [("gas", t) for t in range(4)])
    assert on == pytest.approx([1.0, 0.0, 1.0, 0.0] if cost == 120.0 else [1.0] * 4, abs=1e-6)


def test_biogas_storage_sizing_and_link() -> None:
    """Hub a produces 1 MW of biogas (24 MWh/day) and has no engine; a biogas link (1 EUR/MWh) carries it to hub b,
    whose 1 MW engine (η 0.5, no import) must cover 1 MW of demand at t1 (VOLL 1000 EUR/MWh).

    The engine needs 2 MW of fuel at t1: 1 MW arriving at t1 and 1 MWh that arrived at t0 and was stored at b.
    Storage 1 MWh at 1000 EUR/MWh over 10 years at 0 %: 100 EUR/yr. Link 2 MWh × 1 EUR × 4380 = 8760 EUR/yr.
    Total 8860 EUR/yr (shedding even 0.5 MW would cost 0.5 × 1000 × 4380).
    """
    data = make_data(
        2, [hub("a", import_mw=0.0, export_mw=0.0), hub("b", import_mw=0.0, export_mw=0.0)],
        assets=[{"type": "biogas", "name": "ga", "hub": "a", "unit_mw": 1.0, "units": {"existing": 0},
                 "biogas_supply_mwh_per_day": 24.0, "min_load_frac": 0.0},
                {"type": "biogas", "name": "gb", "hub": "b", "unit_mw": 1.0, "units": {"existing": 1},
                 "biogas_supply_mwh_per_day": 0.0, "min_load_frac": 0.0, "electrical_efficiency": 0.5,
                 "storage_mwh": {"max": 10.0, "capex_eur_per_mwh": 1000.0}, "lifetime_years": 10}],
        series={"hubs.b.demand_mw": [0.0, 1.0]},
        links=[{"name": "pipe", "carrier": "biogas", "from_hub": "a", "to_hub": "b", "capacity_mw": 10.0,
                "cost_eur_per_mwh": 1.0, "bidirectional": False}],
        economics={"discount_rate": 0.0, "voll_eur_per_mwh": 1000.0})
    hm, res = run(data)
    assert res.objective_eur == pytest.approx(8860.0, rel=REL)
    assert res.value(hm.m.gas_sto_mwh["gb"]) == pytest.approx(1.0, abs=1e-6)
    assert res.values(hm.m.link_fwd, [("pipe", 0), ("pipe", 1)]) == pytest.approx([1.0, 1.0], abs=1e-6)
    assert res.values(hm.m.gas_p_mw, [("gb", 0), ("gb", 1)]) == pytest.approx([0.0, 1.0], abs=1e-6)


@pytest.mark.parametrize("bidirectional", [True, False])
def test_bidirectional_hydrogen_link(bidirectional: bool) -> None:
    """The link is declared from nl to de, but the electrolyser is in de (50 EUR/MWh, 20 kg/MWh) and the demand
    (100 kg/h) in nl. Both ways: 5 MW × 50 + 100 kg × 1 EUR/kg = 350 EUR/h, carried backwards. One way only:
    100 kg/h short at 20 EUR/kg = 2000 EUR/h.
    """
    data = make_data(1, [hub("nl", h2_demand_kg_per_h=100.0), hub("de", bus="segDE/b2")],
                     assets=[{"type": "electrolyser", "name": "ely", "hub": "de", "stack_mw": 10.0,
                              "stacks": {"existing": 1}, "kwh_per_kg": 50.0, "min_load_frac": 0.0}],
                     markets=[{"zone": "NL", "energy_price_eur_per_mwh": 100.0, "export_price_eur_per_mwh": 0.0},
                              {"zone": "DE", "energy_price_eur_per_mwh": 50.0, "export_price_eur_per_mwh": 0.0}],
                     links=[{"name": "pipe", "carrier": "hydrogen", "from_hub": "nl", "to_hub": "de",
                             "capacity_kg_per_h": 150.0, "cost_eur_per_kg": 1.0, "bidirectional": bidirectional}],
                     economics={"h2_shortfall_eur_per_kg": 20.0})
    hm, res = run(data)
    assert res.objective_eur == pytest.approx((350.0 if bidirectional else 2000.0) * 8760, rel=REL)
    if bidirectional:
        assert res.value(hm.m.link_bwd["pipe", 0]) == pytest.approx(100.0, abs=1e-6)
        assert res.value(hm.m.link_fwd["pipe", 0]) == pytest.approx(0.0, abs=1e-6)


def test_quarter_hour_steps() -> None:
    """Four 15-minute steps (one hour), prices 10, 10, 100, 100, demand 1 MW, no export; battery 0.5 MWh / 1 MW.

    Each step moves 0.25 MWh at 1 MW: charge 1 MW at t0 and t1 (0.5 MWh), discharge 1 MW at t2 and t3: import
    2, 2, 0, 0 MW, i.e. 0.5 + 0.5 MWh at 10 EUR = 10 EUR per hour, × 8760 = 87,600 EUR/yr. (Were steps taken as
    hours, 1 MW for a step would fill 1 MWh, and the 0.5 MWh battery could cover only half of t2.)
    """
    data = make_data(4, [hub("h", export_mw=0.0, demand_mw=1.0)], resolution="15min",
                     assets=[battery(energy_mwh={"existing": 0.5}, power_mw={"existing": 1.0})],
                     series={"markets.NL.energy_price_eur_per_mwh": [10.0, 10.0, 100.0, 100.0]})
    hm, res = run(data)
    assert res.objective_eur == pytest.approx(87_600.0, rel=REL)
    assert res.values(hm.m.imp_mw, [("h", t) for t in range(4)]) == pytest.approx([2.0, 2.0, 0.0, 0.0], abs=1e-6)
    assert res.values(hm.m.bat_soc_mwh, [("bat", t) for t in range(4)]) == pytest.approx([0.25, 0.5, 0.25, 0.0],
                                                                                         abs=1e-6)


def test_curtailment_cost() -> None:
    """PV 5 MW, demand 0, export limit 2 MW at price 0: 3 MW are curtailed at 30 EUR/MWh = 90 EUR/h."""
    data = make_data(1, [hub("h", export_mw=2.0, pv={"capacity_mw": 5.0, "profile_pu": 1.0})],
                     markets=[{"zone": "NL", "energy_price_eur_per_mwh": 10.0, "export_price_eur_per_mwh": 0.0}],
                     economics={"curtailment_eur_per_mwh": 30.0})
    hm, res = run(data)
    assert res.objective_eur == pytest.approx(90.0 * 8760, rel=REL)
    assert res.value(hm.m.gen_mw["h", 0]) == pytest.approx(2.0, abs=1e-6)


@pytest.mark.parametrize(("voll", "built"), [(10.0, False), (20.0, True)])
def test_build_or_not(voll: float, built: bool) -> None:
    """Import limit 1 MW, demand 0 then 2 MW at 10 EUR/MWh: 1 MWh must be stored or shed at t1.

    Build-or-not with min 2 MWh: 1 MWh is not an option. Built: 2 MWh × 10,000 EUR/MWh/yr (100,000 over 10
    years at 0 %) + 1 MW × 50 + energy 2 MWh × 10 × 4380 = 107,650 EUR/yr. Not built: 1 MWh × 10 × 4380 +
    1 MWh shed × VOLL × 4380: 87,600 at VOLL 10 (not built), 131,400 at VOLL 20 (built). (Without build-or-not the
    battery would be 1 MWh: 97,650.)
    """
    data = make_data(2, [hub("h", import_mw=1.0, export_mw=0.0)],
                     assets=[battery(energy_mwh={"min": 2.0, "max": 10.0, "capex_eur_per_mwh": 100_000.0},
                                     power_mw={"max": 10.0, "capex_eur_per_mw": 500.0}, lifetime_years=10,
                                     build_or_not=True)],
                     series={"hubs.h.demand_mw": [0.0, 2.0], "markets.NL.energy_price_eur_per_mwh": 10.0},
                     economics={"discount_rate": 0.0, "voll_eur_per_mwh": voll})
    hm, res = run(data)
    assert res.objective_eur == pytest.approx(107_650.0 if built else 87_600.0, rel=REL)
    assert res.value(hm.m.bat_build["bat"]) == pytest.approx(1.0 if built else 0.0, abs=1e-6)
    assert res.value(hm.m.bat_e_mwh["bat"]) == pytest.approx(2.0 if built else 0.0, abs=1e-6)
