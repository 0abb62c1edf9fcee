"""Batteries never charge and discharge in the same step where burning energy would pay (hand-solved optima).

A plain horizon of n hourly steps weighs every step by 8760/n (see test_components.py). The battery below has
charge efficiency 0.8 and discharge efficiency 1.0: charging c MW and discharging 0.8·c MW in the same step
keeps its state of charge and burns 0.2·c MW, at most 1 MW with 5 MW of power.
"""

from __future__ import annotations

import numpy as np
import pytest
from _model_helpers import OPTIONS, hub, make_data, no_grid, one_branch, run

from energyhub.model.build import build_model
from energyhub.model.sizes import RELAXED_COMMITMENT, relax_operation
from energyhub.results.extract import to_dataset
from energyhub.solve.highs import solve

REL = 1e-7
LOSSY = {"type": "battery", "name": "bat", "hub": "h", "charge_efficiency": 0.8, "discharge_efficiency": 1.0,
         "energy_mwh": {"existing": 5.0}, "power_mw": {"existing": 5.0}}


def _flows(hm, res, n: int) -> tuple[np.ndarray, np.ndarray]:  # type: ignore[no-untyped-def]
    keys = [("bat", t) for t in range(n)]
    return res.values(hm.m.bat_ch_mw, keys), res.values(hm.m.bat_dis_mw, keys)


def test_curtailment_cost_does_not_make_the_battery_burn_pv() -> None:
    """PV 10 MW at t0 and 0 at t1, demand 0 then 2 MW, no export, import 50 EUR/MWh, curtailment 100 EUR/MWh.

    The battery covers t1's 2 MW (cheaper than importing at 50): it discharges 2 MW at t1, so it charges
    2/0.8 = 2.5 MW at t0, and 10 − 2.5 = 7.5 MW are curtailed at 100 EUR/MWh: 750 EUR per horizon, × 4380.
    Without the binary it would charge 3.25 MW at t0 and burn the excess by charging 3 MW and discharging 5 MW
    at t1 (curtailing only 6.75 MW): the state of charge carries the burn to a step without PV, so every step of
    the horizon needs the binary, not only the PV step.
    """
    data = make_data(2, [hub("h", export_mw=0.0, pv={"capacity_mw": 10.0, "profile_pu": 1.0})],
                     assets=[LOSSY],
                     series={"hubs.h.demand_mw": [0.0, 2.0], "hubs.h.pv.profile_pu": [1.0, 0.0],
                             "markets.NL.energy_price_eur_per_mwh": 50.0},
                     economics={"curtailment_eur_per_mwh": 100.0})
    hm, res = run(data)
    assert res.objective_eur == pytest.approx(750.0 * 4380, rel=REL)
    ch, dis = _flows(hm, res, 2)
    assert ch == pytest.approx([2.5, 0.0], abs=1e-6)
    assert dis == pytest.approx([0.0, 2.0], abs=1e-6)
    assert (np.minimum(ch, dis) <= 1e-9).all()
    ds = to_dataset(hm, res)
    assert ds.curtailed_mw.sel(hub="h").to_numpy() == pytest.approx([7.5, 0.0], abs=1e-6)
    assert hm.info["no_dumping_pairs"] == 2


def test_overload_relief_does_not_make_the_battery_burn_imports() -> None:
    """A branch with 3 MW base flow and a 2 MW limit, PTDF +1 at the hub (withdrawal lowers the flow), demand 0.

    Importing 1 MW would relieve the 1 MW overload, but the hub cannot consume it: the only honest optimum pays
    the overload, 1 MW × 5000 EUR/MWh per step (× 8760). Burning the import in the battery (charge 5, discharge
    4 MW at once) would cost 10 EUR/MWh × 1 MW instead. The import price is positive and curtailment free, so
    the overload is the only reason consumption pays here.
    """
    data = make_data(1, [hub("h", export_mw=0.0)], assets=[LOSSY],
                     markets=[{"zone": "NL", "energy_price_eur_per_mwh": 10.0}])
    hm, res = run(data, one_branch(data, 2.0, 3.0, [1.0]))
    assert res.objective_eur == pytest.approx(5000.0 * 8760, rel=REL)
    assert res.value(hm.m.imp_mw["h", 0]) == pytest.approx(0.0, abs=1e-6)
    ch, dis = _flows(hm, res, 1)
    assert min(ch[0], dis[0]) <= 1e-9


def test_must_run_biogas_does_not_make_the_battery_burn_its_output() -> None:
    """A 1 MW engine (min load 50 %, min up 2 h, no fuel or O&M cost); demand 1 MW then 0; no export.

    Prices 200 then 10 EUR/MWh. The battery has power (5 MW) but no energy (0 MWh), so it can store nothing. On
    the 2-step cyclic horizon a start means on in both steps, and at t1 the engine's ≥ 0.5 MW has nowhere to go:
    the engine stays off and t0 imports 1 MW at 200 EUR: 200 per horizon, × 4380. Burning the 0.5 MW in the
    battery (charge 2.5, discharge 2 MW at once) would make the engine's free power usable at t0 (cost 0).
    """
    empty = {**LOSSY, "energy_mwh": {"existing": 0.0}}
    data = make_data(2, [hub("h", export_mw=0.0)], assets=[
        empty, {"type": "biogas", "name": "gas", "hub": "h", "unit_mw": 1.0, "units": {"existing": 1},
                "biogas_supply_mwh_per_day": 100.0, "min_load_frac": 0.5, "min_up_h": 2.0}],
        series={"hubs.h.demand_mw": [1.0, 0.0], "markets.NL.energy_price_eur_per_mwh": [200.0, 10.0]})
    hm, res = run(data)
    assert res.objective_eur == pytest.approx(200.0 * 4380, rel=REL)
    assert res.values(hm.m.gas_on, [("gas", 0), ("gas", 1)]) == pytest.approx([0.0, 0.0], abs=1e-6)
    assert hm.info["no_dumping_pairs"] == 2
    ch, dis = _flows(hm, res, 2)
    assert (np.minimum(ch, dis) <= 1e-9).all()


def test_no_binary_where_dumping_cannot_pay() -> None:
    """Positive prices, free curtailment, no network row that withdrawal relieves: the model stays an LP."""
    data = make_data(2, [hub("h", export_mw=0.0, pv={"capacity_mw": 10.0, "profile_pu": 1.0})], assets=[LOSSY],
                     series={"hubs.h.demand_mw": [0.0, 2.0], "markets.NL.energy_price_eur_per_mwh": 50.0})
    hm, _ = run(data)
    assert hm.info["no_dumping_pairs"] == 0
    assert not hasattr(hm.m, "bat_charging")
    relieving = make_data(1, [hub("h", export_mw=0.0)], assets=[LOSSY],
                          markets=[{"zone": "NL", "energy_price_eur_per_mwh": 10.0}])
    hm2, _ = run(relieving, one_branch(relieving, 2.0, 3.0, [-1.0]))  # withdrawal *raises* this flow
    assert hm2.info["no_dumping_pairs"] == 0


def test_minimum_down_time_does_not_make_the_battery_burn_biogas() -> None:
    """The engine of the test above with a 2 h minimum down time instead of a minimum up time; demand 1, 0, 1, 0 MW
    at prices 200, 10, 200, 10; the battery stores nothing.

    Running at t0 and t2 needs a stop of two steps in between, which the 4-step cycle lacks; staying on at t1
    leaves ≥ 0.5 MW with nowhere to go. So the engine runs in one of the two dear steps, and the other imports
    1 MW at 200 EUR: 200 per horizon, × 2190. Burning t1's and t3's output in the battery would cost 0.
    """
    empty = {**LOSSY, "energy_mwh": {"existing": 0.0}}
    data = make_data(4, [hub("h", export_mw=0.0)], assets=[
        empty, {"type": "biogas", "name": "gas", "hub": "h", "unit_mw": 1.0, "units": {"existing": 1},
                "biogas_supply_mwh_per_day": 100.0, "min_load_frac": 0.5, "min_down_h": 2.0}],
        series={"hubs.h.demand_mw": [1.0, 0.0, 1.0, 0.0],
                "markets.NL.energy_price_eur_per_mwh": [200.0, 10.0, 200.0, 10.0]})
    hm, res = run(data)
    assert res.objective_eur == pytest.approx(200.0 * 2190, rel=REL)
    assert res.values(hm.m.gas_on, [("gas", t) for t in range(4)]).sum() == pytest.approx(1.0, abs=1e-6)
    assert hm.info["no_dumping_pairs"] == 4


def test_a_relaxed_sizing_builds_the_projection_of_the_relaxed_binary() -> None:
    """One cyclic hourly step: PV 10 MW, demand 0, no export, curtailment 100 EUR/MWh; the lossy battery (5 MW,
    η_ch 0.8, η_dis 1.0) keeps its level only if it discharges 0.8·ch, so charging and discharging at once is the
    only way to absorb PV: it burns 0.2·ch.

    - with the binary (a dispatch): ch = dis = 0, 10 MW curtailed: 1,000 EUR per step;
    - with the binary relaxed to [0, 1] (a sizing with ``relax_commitment``): ch + dis ≤ 5 MW with dis = 0.8·ch
      gives ch = 5/1.8 = 2.778 MW, 0.556 MW burnt, 9.444 MW curtailed: 944.44 EUR per step;
    - with no exclusivity at all it would be ch = 5, dis = 4, 9 MW curtailed: 900 EUR per step.

    The relaxed build has one row ``ch + dis ≤ 5`` and no binary; its optimum is the relaxed binary's. A plain
    hourly horizon of one step weighs it by 8760.
    """
    data = make_data(1, [hub("h", export_mw=0.0, pv={"capacity_mw": 10.0, "profile_pu": 1.0})], assets=[LOSSY],
                     economics={"curtailment_eur_per_mwh": 100.0})
    dispatch, res = run(data)
    assert res.objective_eur == pytest.approx(1000.0 * 8760, rel=REL)
    assert hasattr(dispatch.m, "bat_charging")  # the binary where it is kept

    projected, res_p = run(data, info={RELAXED_COMMITMENT: True})
    assert not hasattr(projected.m, "bat_charging") and len(projected.m.bat_excl_relaxed) == 1
    assert res_p.objective_eur == pytest.approx(100.0 * (10.0 - 0.2 * 5.0 / 1.8) * 8760, rel=REL)
    ch, dis = _flows(projected, res_p, 1)
    assert ch == pytest.approx([5.0 / 1.8], abs=1e-6) and dis == pytest.approx([4.0 / 1.8], abs=1e-6)

    relaxed = build_model(data, no_grid(data))  # the binary built, then relaxed to [0, 1]
    assert relax_operation(relaxed) == 1
    assert solve(relaxed, OPTIONS).objective_eur == pytest.approx(res_p.objective_eur, rel=REL)
