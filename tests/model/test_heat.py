"""Heat, hand-solved: each optimum is worked out by hand in the test (see tests/model/test_components.py).

A plain horizon of n hourly steps weighs every step by 8760/n, so C EUR over the horizon is C × 8760/n EUR/yr.
"""

from __future__ import annotations

import numpy as np
import pytest
from _model_helpers import hub, make_data, run

from energyhub.errors import InfeasibleError, InputError
from energyhub.model.build import build_model
from energyhub.model.inputs import GridInputs
from energyhub.results.extract import to_dataset
from energyhub.results.kpis import capacities, kpis

REL = 1e-7


def gas_boiler(fuel: float = 40.0, efficiency: float = 1.0, co2: float = 0.0, **kw: object) -> dict:
    return {"type": "gas_boiler", "name": "gb", "hub": "h", "power_mw_th": {"existing": 5.0},
            "efficiency": efficiency, "fuel_price_eur_per_mwh": fuel, "co2_intensity_t_per_mwh": co2, **kw}


def test_e_boiler_runs_only_in_cheap_hours_with_a_store() -> None:
    """Prices 10, 100, 10, 100 EUR/MWh, heat demand 1 MW_th; a 3 MW e-boiler (η 0.95) and a 2 MWh_th store losing
    24 %/day (keep = 0.76^(1/24) per hour); no gas boiler, no export.

    Heating at 100 costs 100/0.95 per MWh_th; storing an hour costs a loss of 1 − keep ≈ 1.1 %: store. In each cheap
    hour the boiler covers that hour (1) and the next (1/keep stored, so that keep × 1/keep = 1 is left):
    el = (1 + 1/keep)/0.95 = 2.12 MW ≤ 3 MW. The store is empty after each expensive hour (cyclic). Cost over the
    horizon 2 × 10 × (1 + 1/keep)/0.95 EUR.
    """
    keep = 0.76 ** (1 / 24)
    data = make_data(4, [hub("h", export_mw=0.0, heat_demand_mw_th=1.0)],
                     assets=[{"type": "e_boiler", "name": "eb", "hub": "h", "power_mw": {"existing": 3.0},
                              "efficiency": 0.95},
                             {"type": "thermal_store", "name": "tank", "hub": "h", "energy_mwh_th": {"existing": 2.0},
                              "loss_pct_per_day": 24.0}],
                     series={"markets.NL.energy_price_eur_per_mwh": [10.0, 100.0, 10.0, 100.0]})
    hm, res = run(data)
    el = (1 + 1 / keep) / 0.95
    assert res.status == "optimal"
    assert res.objective_eur == pytest.approx(2 * 10.0 * el * 8760 / 4, rel=REL)
    assert res.values(hm.m.eb_el_mw, [("eb", t) for t in range(4)]) == pytest.approx([el, 0, el, 0], abs=1e-6)
    assert res.values(hm.m.ts_level_mwh, [("tank", t) for t in range(4)]) == pytest.approx(
        [1 / keep, 0, 1 / keep, 0], abs=1e-6)


@pytest.mark.parametrize(("price", "heat_pump_runs"), [(120.0, True), (150.0, False)])
def test_heat_pump_against_a_gas_boiler(price: float, heat_pump_runs: bool) -> None:
    """Heat demand 3 MW_th; a 1 MW_el heat pump with COP 3 against a gas boiler (η 0.9, gas 30 EUR/MWh,
    0.2 t CO2/MWh at 50 EUR/t).

    Gas heat costs (30 + 0.2 × 50)/0.9 = 44.44 EUR/MWh_th; heat-pump heat costs price/3: 40 at 120 EUR/MWh (the
    pump runs at 1 MW: 120 EUR), 50 at 150 EUR/MWh (the boiler runs: 3 × 44.44 = 133.33 EUR).
    """
    data = make_data(1, [hub("h", export_mw=0.0, heat_demand_mw_th=3.0)],
                     assets=[{"type": "heat_pump", "name": "hp", "hub": "h", "power_mw": {"existing": 1.0}, "cop": 3.0},
                             gas_boiler(fuel=30.0, efficiency=0.9, co2=0.2)],
                     markets=[{"zone": "NL", "energy_price_eur_per_mwh": price, "co2_price_eur_per_t": 50.0}])
    hm, res = run(data)
    gas_per_mwh_th = (30.0 + 0.2 * 50.0) / 0.9
    cost = price * 1.0 if heat_pump_runs else 3.0 * gas_per_mwh_th
    assert res.objective_eur == pytest.approx(cost * 8760, rel=REL)
    assert res.value(hm.m.hp_el_mw["hp", 0]) == pytest.approx(1.0 if heat_pump_runs else 0.0, abs=1e-6)
    assert res.value(hm.m.gb_heat_mw["gb", 0]) == pytest.approx(0.0 if heat_pump_runs else 3.0, abs=1e-6)


def test_heat_pump_cop_series_and_sizing() -> None:
    """COP 3 then 1.5 (a series), price 120 EUR/MWh, heat demand 3 MW_th, gas heat 44.44 EUR/MWh_th as above; the
    pump is sized (0 to 5 MW_el, capex 8760 EUR/MW over 10 years at 0 %: 876 EUR/MW/yr); each step weighs 4380.

    t0: pump heat costs 40 < 44.44, so 1 MW_el; t1: 80 > 44.44, so the boiler. A pump of 1 MW: capex 876 EUR/yr;
    it saves 4.44 EUR/MWh_th × 3 MWh_th × 4380 = 58,400 EUR/yr, so it is built at exactly 1 MW.
    Objective: (120 + 3 × 44.44) × 4380 + 876.
    """
    data = make_data(2, [hub("h", export_mw=0.0, heat_demand_mw_th=3.0)],
                     assets=[{"type": "heat_pump", "name": "hp", "hub": "h", "lifetime_years": 10,
                              "power_mw": {"max": 5.0, "capex_eur_per_mw": 8760.0}},
                             gas_boiler(fuel=30.0, efficiency=0.9, co2=0.2)],
                     series={"assets.hp.cop": [3.0, 1.5]},
                     markets=[{"zone": "NL", "energy_price_eur_per_mwh": 120.0, "co2_price_eur_per_t": 50.0}],
                     economics={"discount_rate": 0.0})
    hm, res = run(data)
    gas_per_mwh_th = (30.0 + 0.2 * 50.0) / 0.9
    assert res.objective_eur == pytest.approx((120.0 + 3 * gas_per_mwh_th) * 4380 + 876.0, rel=REL)
    assert res.value(hm.m.hp_p_mw["hp"]) == pytest.approx(1.0, abs=1e-6)
    ds = to_dataset(hm, res)
    assert ds["heat_mw_th"].sel(asset="hp").to_numpy() == pytest.approx([3.0, 0.0], abs=1e-6)
    assert ds["heat_mw_th"].sel(asset="gb").to_numpy() == pytest.approx([0.0, 3.0], abs=1e-6)
    assert ds["p_mw"].sel(asset="hp").to_numpy() == pytest.approx([-1.0, 0.0], abs=1e-6)
    assert capacities(hm, res)["hp.power_mw"] == pytest.approx(1.0, abs=1e-6)
    figures = kpis(hm, res, ds)
    assert figures["heat_demand_mwh_th"] == pytest.approx(6.0)
    assert figures["heat_from_gas_boilers_mwh_th"] == pytest.approx(3.0, abs=1e-6)
    assert figures["gas_boiler_co2_t"] == pytest.approx(3.0 / 0.9 * 0.2, abs=1e-6)


@pytest.mark.parametrize(("heat_efficiency", "boiler_mw_th"), [(0.0, 1.0), (0.4, 0.6)])
def test_chp_heat_displaces_the_gas_boiler(heat_efficiency: float, boiler_mw_th: float) -> None:
    """A 0.4 MW_el biogas engine (η_el 0.4, 24 MWh/day = 1 MW of free fuel), electricity worth nothing (price and
    export price 0); heat demand 1 MW_th from a gas boiler (η 1, 40 EUR/MWh).

    Without CHP heat the boiler delivers 1 MW_th: 40 EUR. With heat_efficiency 0.4 the engine at full load (1 MW of
    fuel) delivers 0.4 MW_th at no cost and the boiler only 0.6 MW_th: 24 EUR.
    """
    data = make_data(1, [hub("h", heat_demand_mw_th=1.0)],
                     assets=[{"type": "biogas", "name": "chp", "hub": "h", "unit_mw": 0.4, "units": {"existing": 1},
                              "electrical_efficiency": 0.4, "heat_efficiency": heat_efficiency,
                              "biogas_supply_mwh_per_day": 24.0},
                             gas_boiler()],
                     markets=[{"zone": "NL", "energy_price_eur_per_mwh": 0.0, "export_price_eur_per_mwh": 0.0}])
    hm, res = run(data)
    assert res.objective_eur == pytest.approx(40.0 * boiler_mw_th * 8760, rel=REL)
    assert res.value(hm.m.gb_heat_mw["gb", 0]) == pytest.approx(boiler_mw_th, abs=1e-6)


def test_heat_demand_without_a_heat_source_is_an_input_error() -> None:
    data = make_data(1, [hub("h", heat_demand_mw_th=1.0)])
    grid = GridInputs.empty(["h"], 1)
    with pytest.raises(InputError, match=r"hubs\[0\]\.heat_demand_mw_th: hub 'h' has a heat demand but no heat"):
        build_model(data, grid)


def test_a_scenario_without_heat_has_no_heat_rows_or_results() -> None:
    data = make_data(1, [hub("h", demand_mw=1.0)])
    hm, res = run(data)
    assert not hasattr(hm.m, "heat_balance")
    ds = to_dataset(hm, res)
    assert "heat_mw_th" not in ds and "heat_demand_mw_th" not in ds
    assert "heat_demand_mwh_th" not in kpis(hm, res, ds)
    assert np.isfinite(res.objective_eur)


def test_unmet_heat_demand_is_explained_in_scenario_terms() -> None:
    """3 MW_th of heat demand against a 1 MW_th gas boiler that cannot grow: infeasible, and the diagnosis names the
    hub's heat balance and the boiler's limit (phrases from the heat component's registry entry)."""
    data = make_data(1, [hub("h", heat_demand_mw_th=3.0)], assets=[gas_boiler(power_mw_th={"existing": 1.0})])
    with pytest.raises(InfeasibleError) as err:
        run(data)
    assert "heat balance of hub h" in str(err.value)
    assert "gas boiler gb" in str(err.value)
