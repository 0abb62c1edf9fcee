"""Sizes given to ``build_model(fixed_sizes=...)`` are fixed as each component declares them
(:func:`energyhub.model.sizes.fix_given`), so that every per-step "flow ≤ size" limit becomes a variable bound
(:func:`energyhub.model.sizes.flow_limit`) instead of one singleton row per (asset, step), with the same optimum.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from _model_helpers import OPTIONS, hub, make_data, no_grid
from pyomo.repn import generate_standard_repn

from energyhub.errors import InfeasibleError
from energyhub.model.build import build_model
from energyhub.model.core import HubModel
from energyhub.model.sizes import fix_sizes, size_vars
from energyhub.model.timegrid import horizon_grid
from energyhub.pipeline import Timings, model_inputs, prepare
from energyhub.scenario.data import ScenarioData
from energyhub.solve.highs import compile_model, solve

SMALL = Path(__file__).parents[1] / "data" / "small" / "scenario.yaml"
STEPS = 6

ASSETS = [
    {"type": "battery", "name": "bat", "hub": "h", "energy_mwh": {"max": 20.0}, "power_mw": {"max": 5.0}},
    {"type": "electrolyser", "name": "ely", "hub": "h", "stack_mw": 1.0, "stacks": {"max": 4}, "min_load_frac": 0.2},
    {"type": "h2_storage", "name": "tank", "hub": "h", "capacity_kg": {"max": 2000.0}, "max_flow_kg_per_h": 50.0},
    {"type": "biogas", "name": "gas", "hub": "h", "unit_mw": 0.5, "units": {"max": 3}, "min_load_frac": 0.5,
     "biogas_supply_mwh_per_day": 24.0, "storage_mwh": {"max": 30.0}},
    {"type": "e_boiler", "name": "eb", "hub": "h", "power_mw": {"max": 3.0}},
    {"type": "heat_pump", "name": "hp", "hub": "h", "power_mw": {"max": 2.0}, "cop": 3.0},
    {"type": "thermal_store", "name": "ts", "hub": "h", "energy_mwh_th": {"max": 10.0}, "max_power_mw_th": 2.0},
    {"type": "gas_boiler", "name": "gb", "hub": "h", "power_mw_th": {"max": 4.0}, "fuel_price_eur_per_mwh": 40.0},
]
SIZES = {"bat.energy_mwh": 8.0, "bat.power_mw": 2.0, "ely.stacks": 2.0, "tank.capacity_kg": 500.0,
         "gas.units": 2.0, "gas.storage_mwh": 12.0, "eb.power_mw": 1.5, "hp.power_mw": 0.5,
         "ts.energy_mwh_th": 4.0, "gb.power_mw_th": 3.0}
#: row family of "flow[k,t] ≤ size[k]" -> (flow variable, size name)
LIMITS = {
    "bat_ch_limit": ("bat_ch_mw", "bat.power_mw"),
    "bat_dis_limit": ("bat_dis_mw", "bat.power_mw"),
    "bat_soc_limit": ("bat_soc_mwh", "bat.energy_mwh"),
    "ely_run_limit": ("ely_run", "ely.stacks"),
    "h2s_level_limit": ("h2s_level_kg", "tank.capacity_kg"),
    "gas_on_limit": ("gas_on", "gas.units"),
    "gas_level_limit": ("gas_level_mwh", "gas.storage_mwh"),
    "eb_limit": ("eb_el_mw", "eb.power_mw"),
    "hp_limit": ("hp_el_mw", "hp.power_mw"),
    "ts_level_limit": ("ts_level_mwh", "ts.energy_mwh_th"),
    "gb_limit": ("gb_heat_mw", "gb.power_mw_th"),
}


def every_asset() -> ScenarioData:
    """Every asset with a per-step limit by its size, all sizes decisions."""
    return make_data(STEPS, [hub("h", h2_demand_kg_per_h=10.0, heat_demand_mw_th=1.0)], assets=ASSETS)


def rows_by_family(hm: HubModel) -> Counter[str]:
    return Counter(con.parent_component().name for con, _ in compile_model(hm).rows)


def test_without_sizes_every_limit_is_a_row_per_step() -> None:
    """The control: with the sizes free (sizing), each family has one row per step."""
    rows = rows_by_family(build_model(every_asset(), no_grid(every_asset())))
    assert {family: rows[family] for family in LIMITS} == dict.fromkeys(LIMITS, STEPS)


def test_given_sizes_make_bounds_not_rows() -> None:
    data = every_asset()
    hm = build_model(data, no_grid(data), fixed_sizes=SIZES, info={"initial_state": {"bat_soc_mwh": {"bat": 1.0}}})
    rows = rows_by_family(hm)
    assert {family: rows[family] for family in LIMITS} == dict.fromkeys(LIMITS, 0)
    for family, (flow, size) in LIMITS.items():
        assert hasattr(hm.m, family)  # an empty family still exists (code may look it up)
        key = size.partition(".")[0]
        ubs = [getattr(hm.m, flow)[key, t].ub for t in range(STEPS)]
        assert ubs == [SIZES[size]] * STEPS, family
    assert all(var.fixed and var.value == SIZES[name] for name, var in size_vars(hm).items() if name in SIZES)


def test_given_sizes_are_fixed_as_fix_sizes_fixes_them() -> None:
    """Integers rounded, continuous sizes clipped to their range (20 MWh at most), the contracted import free; a
    flow's bound is never raised above its own (the tank's level ≤ 2000 kg stays, given 5000 kg)."""
    data = make_data(STEPS, [hub("h", h2_demand_kg_per_h=10.0, tariffs={"contracted_eur_per_kw_year": 30.0})],
                     assets=ASSETS[:3])
    sizes = {"bat.energy_mwh": 50.0, "bat.power_mw": 2.0, "ely.stacks": 2.4, "tank.capacity_kg": 5000.0,
             "h.contracted_import_mw": 3.0}
    hm = build_model(data, no_grid(data), fixed_sizes=sizes)
    m = hm.m
    assert (m.bat_e_mwh["bat"].value, m.ely_built["ely"].value) == (20.0, 2)
    assert m.bat_soc_mwh["bat", 0].ub == 20.0 and m.ely_run["ely", 3].ub == 2
    assert m.h2s_level_kg["tank", 0].ub == 2000.0
    assert not m.cap_mw["h"].fixed


def small_sizes() -> dict[str, float]:
    return {"battery-hengelo.energy_mwh": 6.0, "battery-hengelo.power_mw": 2.0, "electrolyser-hengelo.stacks": 2.0,
            "h2-store-hengelo.capacity_kg": 400.0, "biogas-boekelo.units": 2.0, "biogas-boekelo.storage_mwh": 10.0,
            "cable-line-2.built": 0.0, "hengelo.contracted_import_mw": 3.0}


@pytest.fixture(scope="module")
def small() -> tuple[HubModel, HubModel]:
    """The small scenario's full week with given sizes: built with them (bounds), and the old way (built with the
    sizes free, rows for every limit, then fixed)."""
    prep = prepare(SMALL, Timings())
    inputs = model_inputs(prep, Timings())
    new = build_model(prep.data, inputs, fixed_sizes=small_sizes())
    old = build_model(prep.data, inputs)
    fix_sizes(old, small_sizes())
    return new, old


def test_bounds_keep_the_optimum_of_the_small_scenario(small: tuple[HubModel, HubModel]) -> None:
    new, old = small
    new_rows, old_rows = rows_by_family(new), rows_by_family(old)
    limits = ["bat_ch_limit", "bat_dis_limit", "bat_soc_limit", "ely_run_limit", "h2s_level_limit", "gas_on_limit",
              "gas_level_limit"]
    assert [new_rows[f] for f in limits] == [0] * len(limits)
    assert [old_rows[f] for f in limits] == [168] * len(limits)
    res_new, res_old = solve(new, OPTIONS), solve(old, OPTIONS)
    assert res_new.status == res_old.status == "optimal"
    assert res_new.objective_eur == pytest.approx(res_old.objective_eur, rel=1e-6)


def test_a_size_bound_in_conflict_is_diagnosed_in_scenario_terms() -> None:
    """A window that starts with 10 MWh in a battery given 2 MWh / 1 MW: after its first hour at least 9 MWh remain,
    above the 2 MWh now held as the state of charge's bound (no row): the message names the bound's meaning."""
    data = make_data(2, [hub("h")], assets=[{**ASSETS[0], "charge_efficiency": 1.0, "discharge_efficiency": 1.0}])
    hm = build_model(data, no_grid(data), time_grid=horizon_grid(data.times, data.step_h).window(0, 2),
                     fixed_sizes={"bat.energy_mwh": 2.0, "bat.power_mw": 1.0},
                     info={"initial_state": {"bat_soc_mwh": {"bat": 10.0}}})
    assert rows_by_family(hm)["bat_soc_limit"] == 0
    with pytest.raises(InfeasibleError, match=r"state of charge of battery bat \(at most energy_mwh\)"):
        solve(hm, {"presolve": "off", "threads": 1})


@pytest.mark.parametrize("power_mw", [2.0, 0.0])
def test_anti_dumping_big_m_is_the_given_power(power_mw: float) -> None:
    """Price −10 EUR/MWh, demand 1 MW, no export, a battery (80 % round trip, at most 5 MW) given ``power_mw``: the
    exclusivity rows are ``ch ≤ P·z``, ``dis ≤ P·(1 − z)`` with P the given power, not 5 MW, and a battery given
    no power gets no binary. Either way it cannot burn energy: import = demand, −10 × 8760 EUR/yr."""
    data = make_data(1, [hub("h", demand_mw=1.0, export_mw=0.0)],
                     assets=[{**ASSETS[0], "charge_efficiency": 0.8, "discharge_efficiency": 1.0}],
                     series={"markets.NL.energy_price_eur_per_mwh": -10.0})
    hm = build_model(data, no_grid(data), fixed_sizes={"bat.energy_mwh": 4.0, "bat.power_mw": power_mw})
    m = hm.m
    if power_mw > 0:
        ch = generate_standard_repn(m.bat_ch_excl["bat", 0].body)
        coefs = {v.name: c for v, c in zip(ch.linear_vars, ch.linear_coefs, strict=True)}
        assert coefs == {"bat_ch_mw[bat,0]": 1.0, "bat_charging[bat,0]": -power_mw}
    else:
        assert not hasattr(m, "bat_charging") and hm.info["no_dumping_pairs"] == 0
    res = solve(hm, OPTIONS)
    assert res.objective_eur == pytest.approx(-10.0 * 8760, rel=1e-7)
    assert res.value(m.imp_mw["h", 0]) == pytest.approx(1.0)
