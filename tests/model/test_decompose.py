"""The decomposed full-horizon dispatch (:mod:`energyhub.decompose`): calendar-month windows, solved apart, stitched.

Every scenario here is sized on typical days, then dispatched twice: in monthly windows (``dispatch_windows:
month``) and as one model (``none``), both with the same sizes (the sizing is the same, deterministic solve).
"""

from __future__ import annotations

import gc
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import xarray as xr
import yaml
from _model_helpers import OPTIONS, hub, make_data, no_grid, one_branch
from click.testing import CliRunner

from energyhub.cli import cli
from energyhub.decompose import DecomposedRun, expected_work, hardest_first, month_windows, size_and_dispatch
from energyhub.model.core import HubModel
from energyhub.model.inputs import GridInputs
from energyhub.results.extract import to_dataset
from energyhub.results.kpis import capacities, costs_eur
from energyhub.scenario.data import ScenarioData
from energyhub.solve.highs import SolveResult
from energyhub.solve.workflow import solve_scenario

ROOT = Path(__file__).resolve().parents[2]
SMALL = ROOT / "tests" / "data" / "small"

#: two windows: 2030-01-25 .. 01-31 (168 h) and 02-01 .. 02-07 (168 h)
START, HOURS = "2030-01-25 00:00", 24 * 14
HOD, DAY = np.arange(HOURS) % 24, np.arange(HOURS) // 24
PRICE = 40.0 + 30.0 * np.sin((HOD - 8) / 24 * 2 * np.pi) + 5.0 * (DAY % 3)
DEMAND = 2.0 + np.sin((HOD - 10) / 24 * 2 * np.pi) + 0.5 * (DAY >= 7)
PV = np.clip(np.sin((HOD - 6) / 12 * np.pi), 0.0, None)

# variable O&M: hydrogen beyond the demand is not free to make (no tie with curtailing PV when the branch binds)
ELECTROLYSER = {"type": "electrolyser", "name": "ely", "hub": "h", "stack_mw": 0.5, "stacks": {"max": 4},
                "capex_eur_per_mw": 1e5, "min_load_frac": 0.2, "variable_om_eur_per_mwh": 1.0}
# lossless battery (η = 1, no self-discharge): soc[t] − soc[t−1] = −p_mw[t] × 1 h, checkable step by step
BATTERY = {"type": "battery", "name": "bat", "hub": "h", "charge_efficiency": 1.0, "discharge_efficiency": 1.0,
           "energy_mwh": {"max": 20.0, "capex_eur_per_mwh": 2e4}, "power_mw": {"max": 5.0, "capex_eur_per_mw": 1e4}}
TANK = {"type": "h2_storage", "name": "tank", "hub": "h", "capacity_kg": {"max": 2000.0, "capex_eur_per_kg": 50.0}}


def scenario(assets: list[dict], windows: str, tariffs: dict[str, float], price: np.ndarray = PRICE,
             demand: Any = DEMAND, start: str = START, hours: int = HOURS, pv_mw: float = 3.0) -> ScenarioData:
    h = hub("h", import_mw=10.0, export_mw=5.0, h2_demand_kg_per_h=10.0, tariffs=tariffs,
            pv={"capacity_mw": pv_mw, "profile_pu": 0.0})
    return make_data(hours, [h], assets=assets, start=start,
                     series={"markets.NL.energy_price_eur_per_mwh": price[:hours],
                             "markets.NL.export_price_eur_per_mwh": 0.8 * price[:hours],  # exporting beats curtailing
                             "hubs.h.demand_mw": demand, "hubs.h.pv.profile_pu": PV[:hours]},
                     time={"aggregation": {"typical_periods": 3, "hours_per_period": 24,
                                           "dispatch_windows": windows}})


def decomposed(data: ScenarioData, grid: GridInputs | None = None, **kw: Any) -> DecomposedRun:
    return size_and_dispatch(data, grid or no_grid(data), OPTIONS, **kw)


def monolithic(data: ScenarioData, grid: GridInputs | None = None) -> tuple[HubModel, SolveResult]:
    return solve_scenario(data, grid or no_grid(data), OPTIONS)


def feeder(data: ScenarioData) -> GridInputs:
    """One branch the hub's export loads (PTDF 1), limit 4 MW, a base flow of 1-3 MW that differs by month: PV
    export above the headroom is curtailed in some hours of each month."""
    base = 2.0 + np.sin((HOD - 12) / 24 * 2 * np.pi) * np.where(DAY < 7, 0.5, 1.0)
    return one_branch(data, 4.0, base, [1.0])


# --------------------------------------------------------------------------------------------------- exact
@pytest.fixture(scope="module", params=["copper plate", "one branch"])
def uncoupled(request: pytest.FixtureRequest) -> tuple[DecomposedRun, HubModel, SolveResult]:
    """No storage, no start costs, no contracted capacity: nothing couples the two months but the sizes."""
    tariffs = {"monthly_peak_eur_per_kw": 3.0, "energy_eur_per_mwh": 1.5}
    pv_mw = 6.0 if request.param == "one branch" else 3.0
    windowed = scenario([ELECTROLYSER], "month", tariffs, pv_mw=pv_mw)
    whole = scenario([ELECTROLYSER], "none", tariffs, pv_mw=pv_mw)
    if request.param == "one branch":
        run = decomposed(windowed, feeder(windowed))
        hm, res = monolithic(whole, feeder(whole))
        assert float(to_dataset(hm, res)["curtailed_mw"].sum()) > 1.0  # the branch binds
    else:
        run = decomposed(windowed)
        hm, res = monolithic(whole)
    return run, hm, res


def test_months_of_the_horizon() -> None:
    data = scenario([], "month", {})
    assert month_windows(data) == [("2030-01", 0, 168), ("2030-02", 168, 336)]


def test_uncoupled_windows_equal_the_monolithic_dispatch(
    uncoupled: tuple[DecomposedRun, HubModel, SolveResult],
) -> None:
    """Monthly peak (within a month), capex split by window share, the electrolyser's commitment per step: the
    stitched dispatch is the monolithic one, cost by cost and step by step (to solver tolerance)."""
    run, hm, res = uncoupled
    mono_costs = costs_eur(hm, res)
    stitched = run.stitched.costs_eur
    assert stitched["total"] == pytest.approx(res.objective_eur, rel=1e-7)
    assert stitched["monthly_peak"] > 0 and stitched["capex"] > 0  # the couplings that do not cross a boundary
    for category in set(mono_costs) | set(stitched):
        assert stitched.get(category, 0.0) == pytest.approx(mono_costs.get(category, 0.0), rel=1e-7, abs=1e-4), \
            category
    # each window carries its share (1/2) of the year's capex
    assert [o.costs_eur["capex"] for o in run.outcomes] == pytest.approx([mono_costs["capex"] / 2] * 2, rel=1e-9)
    mono_ds = to_dataset(hm, res)
    for name in ("import_mw", "export_mw", "p_mw", "units_on", "h2_shortfall_kg_per_h"):
        np.testing.assert_allclose(run.stitched.dataset[name].to_numpy(), mono_ds[name].to_numpy(), atol=1e-6,
                                   err_msg=name)
    assert run.stitched.capacities == pytest.approx(capacities(hm, res))


def test_contracted_capacity_is_the_largest_windows_charged_once() -> None:
    """Demand 2 MW in January, 3 MW in February; contracted capacity 20 EUR/kW/yr, nothing else to choose.

    Each window contracts its own peak at half the annual tariff: January 2 MW (2 × 20,000 × 1/2 = 20,000 EUR),
    February 3 MW (30,000 EUR). The stitched dispatch needs 3 MW all year: 3 × 20,000 = 60,000 EUR, charged once,
    which is the monolithic optimum's charge too.
    """
    demand = np.where(np.arange(HOURS) < 168, 2.0, 3.0)
    tariffs = {"contracted_eur_per_kw_year": 20.0}
    data = scenario([], "month", tariffs, demand=demand)
    data.series["hubs.h.h2_demand_kg_per_h"] = np.zeros(HOURS)
    data.series["hubs.h.pv.profile_pu"] = np.zeros(HOURS)
    run = decomposed(data)
    assert [o.capacities["h.contracted_import_mw"] for o in run.outcomes] == pytest.approx([2.0, 3.0])
    assert [o.costs_eur["contracted_capacity"] for o in run.outcomes] == pytest.approx([20_000.0, 30_000.0])
    assert run.stitched.capacities["h.contracted_import_mw"] == pytest.approx(3.0)
    assert run.stitched.costs_eur["contracted_capacity"] == pytest.approx(60_000.0)
    mono = scenario([], "none", tariffs, demand=demand)
    mono.series.update({k: data.series[k] for k in ("hubs.h.h2_demand_kg_per_h", "hubs.h.pv.profile_pu")})
    hm, res = monolithic(mono)
    assert costs_eur(hm, res)["contracted_capacity"] == pytest.approx(60_000.0)
    assert run.stitched.costs_eur["total"] == pytest.approx(res.objective_eur, rel=1e-7)


# --------------------------------------------------------------------------------------------------- coupled
COUPLED_TARIFFS = {"monthly_peak_eur_per_kw": 3.0}
#: Stitched-over-monolithic cost, at most. The stitched dispatch is a feasible dispatch of the monolithic model
#: (its levels are continuous and the year closes on itself; no biogas, so no start or down time is lost at a
#: boundary), so it cannot cost less; it costs more only because the boundary levels are fixed at the sizing's
#: guide levels instead of chosen with the whole horizon in view. Issue 11's target for the reference study is
#: 0.5 %; here it is measured at 0.028 %.
COUPLED_TOLERANCE = 0.005


@pytest.fixture(scope="module")
def coupled() -> tuple[DecomposedRun, HubModel, SolveResult]:
    run = decomposed(scenario([ELECTROLYSER, BATTERY, TANK], "month", COUPLED_TARIFFS))
    hm, res = monolithic(scenario([ELECTROLYSER, BATTERY, TANK], "none", COUPLED_TARIFFS))
    return run, hm, res


def test_coupled_windows_within_tolerance_of_the_monolithic_dispatch(
    coupled: tuple[DecomposedRun, HubModel, SolveResult],
) -> None:
    """A battery and a hydrogen store carry energy across the boundary: mono ≤ stitched ≤ mono × (1 + 0.5 %).

    The lower bound failed before the end-level shortfall was scaled to a year: a window ended its hydrogen store
    short of the next window's start at 15 EUR/kg (not × 8760/336), which conjured hydrogen at the boundary for
    less than it costs to make, and the stitched cost came out *below* the optimum (by 0.15 % with a 95 %
    efficient battery).
    """
    run, hm, res = coupled
    stitched = run.stitched.costs_eur
    assert stitched.get("end_level_shortfall", 0.0) == pytest.approx(0.0, abs=1e-6)
    assert res.objective_eur * (1 - 1e-7) <= stitched["total"] <= res.objective_eur * (1 + COUPLED_TOLERANCE)
    assert run.stitched.capacities == pytest.approx(capacities(hm, res))  # same sizing, same sizes
    assert run.stitched.capacities["bat.energy_mwh"] > 0 and run.stitched.capacities["tank.capacity_kg"] > 0


def test_windows_keep_the_sizings_hydrogen_store(coupled: tuple[DecomposedRun, HubModel, SolveResult]) -> None:
    """The tank is a size the dispatch does not decide again (not in ``FREE_IN_DISPATCH``: in a window, at its share
    of the annual capex, it would buy a store for its own month that the stitched year then pays in full; on the
    reference study +1.06 %). Every window and the stitched dispatch hold the sizing's tank, its levels fit in it,
    and the stitched capex is the full annual capex of the sizes.

    Capex at the defaults (6 %, 20 years: annuity a = 0.06 / (1 − 1.06⁻²⁰) = 0.0872 per year, no fixed O&M):
    a × (1e5 EUR/MW × 0.5 MW × stacks + 2e4 EUR/MWh × E + 1e4 EUR/MW × P + 50 EUR/kg × tank), all existing 0."""
    run = coupled[0]
    caps = run.stitched.capacities
    sized = run.tasks[0].sizes["tank.capacity_kg"]
    assert [o.capacities["tank.capacity_kg"] for o in run.outcomes] == pytest.approx([sized] * len(run.outcomes))
    assert caps["tank.capacity_kg"] == pytest.approx(sized)
    assert all("tank.capacity_kg" not in o.free_size_costs for o in run.outcomes)
    assert float(run.stitched.dataset["h2_level_kg"].sel(asset="tank").max()) <= caps["tank.capacity_kg"] + 1e-6
    a = 0.06 / (1.0 - 1.06 ** -20)
    capex = a * (1e5 * 0.5 * caps["ely.stacks"] + 2e4 * caps["bat.energy_mwh"] + 1e4 * caps["bat.power_mw"]
                 + 50.0 * caps["tank.capacity_kg"])
    assert run.stitched.costs_eur["capex"] == pytest.approx(capex, rel=1e-7)


def test_stitched_levels_are_continuous(coupled: tuple[DecomposedRun, HubModel, SolveResult]) -> None:
    """A window ends at the level the next starts from; the stitched levels follow the storage dynamics across
    each boundary and around the year (cyclic, as the monolithic model): soc[t] − soc[t−1] = −p_mw[t] × 1 h
    (lossless battery) and level[t] − level[t−1] = −h2_kg_per_h[t] × 1 h (tank)."""
    run = coupled[0]
    ds = run.stitched.dataset
    assert ds.sizes["time"] == HOURS
    first = [task.start for task in run.tasks]
    assert first == [0, 168]
    for var, flow, asset, state in (("soc_mwh", "p_mw", "bat", "bat_soc_mwh"),
                                    ("h2_level_kg", "h2_kg_per_h", "tank", "h2s_level_kg")):
        level = ds[var].sel(asset=asset).to_numpy()
        change = -ds[flow].sel(asset=asset).to_numpy()
        np.testing.assert_allclose(level - np.roll(level, 1), change, atol=1e-6, err_msg=var)
        for k, task in enumerate(run.tasks):  # the window ends at the next window's start level
            nxt = run.tasks[(k + 1) % len(run.tasks)]
            target = nxt.info["initial_state"][state][asset]
            assert task.info["final_state"][state][0][asset] == pytest.approx(target)
            assert level[task.stop - 1] == pytest.approx(target, abs=1e-6)


def test_a_start_in_a_windows_first_step_is_free() -> None:
    """The stated approximation of unit commitment at a boundary, by hand.

    Demand 1 MW; electricity free except the first four hours of February (500 EUR/MWh); one 1 MW biogas engine
    (efficiency 0.4, fuel 50 EUR/MWh: 125 EUR per MWh electric; start 1,000 EUR). The engine runs those four
    hours: 4 MWh electric = 10 MWh of fuel = 500 EUR, plus one start in the monolithic model: 1,500 EUR per
    horizon, × 8760/336 = 39,107.14 EUR/yr. The February window starts with the engine running in its first step,
    which counts no start: 500 × 8760/336 = 13,035.71 EUR/yr, one start cost (26,071.43 EUR/yr) less.
    """
    price = np.where((np.arange(HOURS) >= 168) & (np.arange(HOURS) < 172), 500.0, 0.0)
    engine = {"type": "biogas", "name": "gas", "hub": "h", "unit_mw": 1.0, "units": {"existing": 1, "max": 1},
              "electrical_efficiency": 0.4, "biogas_supply_mwh_per_day": 240.0, "min_load_frac": 0.4,
              "start_cost_eur": 1000.0, "fuel_cost_eur_per_mwh": 50.0}

    def data_of(windows: str) -> ScenarioData:
        return make_data(HOURS, [hub("h", import_mw=10.0, export_mw=0.0, demand_mw=1.0)], assets=[engine],
                         start=START, series={"markets.NL.energy_price_eur_per_mwh": price},
                         time={"aggregation": {"typical_periods": 3, "hours_per_period": 24,
                                               "dispatch_windows": windows}})

    weight = 8760 / HOURS
    run = decomposed(data_of("month"))
    hm, res = monolithic(data_of("none"))
    assert res.objective_eur == pytest.approx(1500.0 * weight, rel=1e-7)
    assert costs_eur(hm, res)["start"] == pytest.approx(1000.0 * weight, rel=1e-7)
    assert run.stitched.costs_eur["start"] == pytest.approx(0.0, abs=1e-6)
    assert run.stitched.costs_eur["total"] == pytest.approx(500.0 * weight, rel=1e-7)
    np.testing.assert_allclose(run.stitched.dataset["units_on"].sel(asset="gas").to_numpy()[166:174],
                               [0, 0, 1, 1, 1, 1, 0, 0], atol=1e-6)


@pytest.mark.parametrize(("power_mw", "expected_eur"), [(1.0, 91_250.0), (0.125, 3_704_750.0)])
def test_a_window_reaches_its_end_level_or_pays_for_the_shortfall_as_unmet_demand(
    power_mw: float, expected_eur: float,
) -> None:
    """The first day of a two-day horizon as a window: a lossless 10 MWh battery starts empty and must end at
    5 MWh; electricity costs 100 EUR/MWh, nothing else happens. Each step weighs 8760 / 48 = 182.5.

    * 1 MW of battery power: charge 5 MWh from the grid, 5 × 100 × 182.5 = 91,250 EUR/yr (before the shortfall
      was scaled to a year, ending 5 MWh short at 10,000 EUR/MWh = 50,000 was cheaper, and chosen);
    * 0.125 MW: 24 h × 0.125 = 3 MWh charged (54,750 EUR/yr), 2 MWh short at VOLL scaled like a step's unmet
      demand: 2 × 10,000 × 182.5 = 3,650,000; together 3,704,750 EUR/yr.
    """
    from energyhub.model.build import build_model
    from energyhub.model.timegrid import horizon_grid
    from energyhub.solve.highs import solve

    battery = {"type": "battery", "name": "bat", "hub": "h", "charge_efficiency": 1.0, "discharge_efficiency": 1.0,
               "energy_mwh": {"existing": 10.0, "max": 10.0}, "power_mw": {"existing": power_mw, "max": power_mw}}
    data = make_data(48, [hub("h", import_mw=5.0, export_mw=0.0)], assets=[battery],
                     series={"markets.NL.energy_price_eur_per_mwh": 100.0})
    window = horizon_grid(data.times, data.step_h).window(0, 24)
    series = {key: value[:24] for key, value in data.series.items()}
    day = ScenarioData(data.scenario, data.path, data.times[:24], series)
    info = {"initial_state": {"bat_soc_mwh": {"bat": 0.0}}, "final_state": {"bat_soc_mwh": ({"bat": 5.0}, 10_000.0)}}
    hm = build_model(day, no_grid(day), time_grid=window, series=series, info=info)
    res = solve(hm, OPTIONS)
    assert res.objective_eur == pytest.approx(expected_eur, rel=1e-9)
    assert res.value(hm.m.bat_soc_mwh["bat", 23]) == pytest.approx(min(5.0, 24 * power_mw))


# --------------------------------------------------------------------------------------------------- resume
def test_resume_reuses_finished_windows_and_not_a_changed_scenarios(tmp_path: Path) -> None:
    data = scenario([ELECTROLYSER, BATTERY], "month", COUPLED_TARIFFS)
    first = decomposed(data, checkpoint_dir=tmp_path)
    assert not any(o.resumed for o in first.outcomes)
    assert len(list(tmp_path.glob("window-*.json"))) == 2
    again = decomposed(data, checkpoint_dir=tmp_path)
    assert all(o.resumed for o in again.outcomes)
    assert [w["resumed"] for w in again.stitched.windows] == [True, True]
    assert again.stitched.costs_eur["total"] == pytest.approx(first.stitched.costs_eur["total"], rel=1e-12)
    xr.testing.assert_allclose(again.stitched.dataset["soc_mwh"], first.stitched.dataset["soc_mwh"])
    lines: list[str] = []
    changed = decomposed(scenario([ELECTROLYSER, BATTERY], "month", COUPLED_TARIFFS, price=PRICE + 7.0),
                         checkpoint_dir=tmp_path, progress=lines.append)
    assert not any(o.resumed for o in changed.outcomes)
    assert any(line.startswith("2 window checkpoint(s) in") and "not reused, solved again" in line for line in lines)
    assert changed.stitched.costs_eur["total"] != pytest.approx(first.stitched.costs_eur["total"], rel=1e-6)


def test_a_run_killed_after_one_window_solves_only_the_other(tmp_path: Path) -> None:
    """Killed while February was being solved: its checkpoint's JSON (written last) is missing. The next run takes
    January from the checkpoint, says so, and solves February."""
    data = scenario([ELECTROLYSER, BATTERY], "month", COUPLED_TARIFFS)
    first = decomposed(data, checkpoint_dir=tmp_path)
    (february,) = tmp_path.glob("window-01-*.json")
    february.unlink()
    lines: list[str] = []
    again = decomposed(data, checkpoint_dir=tmp_path, progress=lines.append)
    assert [o.resumed for o in again.outcomes] == [True, False]
    assert any(line.startswith("window 1/2 (2030-01) resumed from checkpoint") for line in lines)
    assert any(line.startswith("resuming: 1 of 2 windows finished in an earlier run (2030-01)") for line in lines)
    assert any(line.startswith("window 2/2 (2030-02) solved in") for line in lines)
    assert again.stitched.costs_eur["total"] == pytest.approx(first.stitched.costs_eur["total"], rel=1e-9)


def test_resumed_with_another_worker_count(tmp_path: Path) -> None:
    """Windows solved serially (the scenario's threads) are reused by a run on 2 workers (1 thread per window)."""
    data = scenario([ELECTROLYSER, BATTERY], "month", COUPLED_TARIFFS)
    first = decomposed(data, checkpoint_dir=tmp_path)
    again = size_and_dispatch(data, no_grid(data), {**OPTIONS, "threads": 2}, checkpoint_dir=tmp_path)
    assert all(o.resumed for o in again.outcomes)
    assert again.stitched.costs_eur["total"] == pytest.approx(first.stitched.costs_eur["total"], rel=1e-12)


def test_two_local_workers_give_the_serial_result(coupled: tuple[DecomposedRun, HubModel, SolveResult]) -> None:
    serial = coupled[0]
    parallel = decomposed(scenario([ELECTROLYSER, BATTERY, TANK], "month", COUPLED_TARIFFS), workers=2)
    assert parallel.stitched.costs_eur == pytest.approx(serial.stitched.costs_eur, rel=1e-6, abs=1e-3)
    for name in ("import_mw", "soc_mwh", "h2_level_kg"):
        np.testing.assert_allclose(parallel.stitched.dataset[name].to_numpy(),
                                   serial.stitched.dataset[name].to_numpy(), atol=1e-5, err_msg=name)


def test_dask_local_cluster_gives_the_serial_result(coupled: tuple[DecomposedRun, HubModel, SolveResult]) -> None:
    """The windows on a dask scheduler (``--scheduler``): failed with 'No clients found' before ``as_completed``
    was given the (non-default) client's loop."""
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, protocol="tcp",
                                  host="127.0.0.1", dashboard_address=None) as cluster:
        on_dask = decomposed(scenario([ELECTROLYSER, BATTERY, TANK], "month", COUPLED_TARIFFS),
                             scheduler=cluster.scheduler_address)
    assert on_dask.stitched.costs_eur == pytest.approx(coupled[0].stitched.costs_eur, rel=1e-6, abs=1e-3)


def test_each_window_is_reclaimed_in_one_collection() -> None:
    """A window's Pyomo model is held together by reference cycles. It is solved with the cyclic collector paused
    (no collection traverses it while it lives) and reclaimed by one collection at the window's end, timed as
    ``collect``: after the dispatch no window's model is alive and the collector runs again."""
    run = decomposed(scenario([ELECTROLYSER, BATTERY, TANK], "month", COUPLED_TARIFFS))
    assert gc.isenabled()
    assert all(w["timings_s"]["collect"] >= 0.0 for w in run.stitched.windows)
    assert run.stitched.timings_s["collect"] == pytest.approx(sum(w["timings_s"]["collect"]
                                                                  for w in run.stitched.windows), abs=0.01)
    windows_alive = [o for o in gc.get_objects() if isinstance(o, HubModel) and "initial_state" in o.info]
    assert windows_alive == []


def test_the_window_with_more_rows_that_can_bind_starts_first() -> None:
    """PTDF 0.5, limit 4 MW, import ≤ 10 and export ≤ 5 MW: a row can bind where base + 2.5 > 4 (upper) or
    base − 5 < −4 (lower). January's base flow of 1.2 MW allows neither, February's 2 MW every upper row: 168 rows
    then, and the model's screening keeps exactly those."""
    data = scenario([ELECTROLYSER], "month", {}, pv_mw=6.0)
    grid = one_branch(data, 4.0, np.where(DAY < 7, 1.2, 2.0), [0.5])
    run = decomposed(data, grid)
    assert [expected_work(t) for t in run.tasks] == [168, 168 + 168]
    assert [o.model_size["network_rows"] for o in run.outcomes] == [0, 168]
    assert hardest_first(run.tasks) == [1, 0]


# --------------------------------------------------------------------------------------------------- CLI
def two_month_small(folder: Path) -> Path:
    """tests/data/small on 2030-01-31 and 2030-02-01 (two one-day windows), its series in one hourly CSV."""
    raw = yaml.safe_load((SMALL / "scenario.yaml").read_text(encoding="utf-8"))
    hours = 48
    raw["time"] = {"start": "2030-01-31 00:00", "periods": hours, "resolution": "1h",
                   "aggregation": {"typical_periods": 2, "hours_per_period": 24, "check_full_horizon": True}}
    hod = np.arange(hours) % 24
    series = {
        "price": 50.0 + 25.0 * np.sin((hod - 8) / 24 * 2 * np.pi),
        "demand_hengelo": 1.6 + 0.4 * np.sin((hod - 10) / 24 * 2 * np.pi),
        "demand_boekelo": np.full(hours, 0.8),
        "h2": np.full(hours, 5.0),
        "pv": np.clip(np.sin((hod - 6) / 12 * np.pi), 0.0, None),
        "wind": np.full(hours, 0.3),
    }
    times = [f"2030-01-31 {h:02d}:00" if h < 24 else f"2030-02-01 {h - 24:02d}:00" for h in range(hours)]
    lines = ["time," + ",".join(series)]
    lines += [f"{t}," + ",".join(f"{series[k][i]:.4f}" for k in series) for i, t in enumerate(times)]
    (folder / "series.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    raw["markets"][0]["energy_price_eur_per_mwh"] = "series.csv#price"
    hengelo, boekelo = raw["hubs"]
    hengelo.update(demand_mw="series.csv#demand_hengelo", h2_demand_kg_per_h="series.csv#h2")
    hengelo["pv"]["profile_pu"] = "series.csv#pv"
    boekelo["demand_mw"] = "series.csv#demand_boekelo"
    boekelo["wind"]["profile_pu"] = "series.csv#wind"
    (folder / "tiny_grid.json").write_bytes((SMALL / "tiny_grid.json").read_bytes())
    path = folder / "scenario.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    return path


def test_cli_solves_in_windows_with_two_workers(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = two_month_small(tmp_path)
    out = tmp_path / "out"
    with caplog.at_level("INFO", logger="energyhub"):
        result = CliRunner().invoke(cli, ["solve", str(path), "--out", str(out), "--workers", "2"])
    assert result.exit_code == 0, result.output
    progress = [r.getMessage() for r in caplog.records if r.getMessage().startswith("window ")]
    assert len(progress) == 2 and {p.split(" ")[1] for p in progress} == {"1/2", "2/2"}
    assert any("(2030-01)" in p for p in progress) and any("(2030-02)" in p for p in progress)
    assert not (tmp_path / ".out.windows").exists()
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    dispatch = summary["dispatch"]
    assert dispatch["decomposition"] == "month" and dispatch["workers"] == 2
    assert [w["label"] for w in dispatch["windows"]] == ["2030-01", "2030-02"]
    assert [w["steps"] for w in dispatch["windows"]] == [24, 24]
    for window in dispatch["windows"]:
        assert window["timings_s"]["solve"] >= 0 and window["timings_s"]["build"] > 0
        assert window["timings_s"]["extract"] > 0
        assert window["model_size"]["integers"] > 0  # the biogas engine's and the electrolyser's commitment
        assert window["resumed"] is False
    assert summary["timings_s"]["dispatch_wall"] > 0
    # the sizes every window decided again, the stitched one as reported in capacities
    again = dispatch["decided_again"]
    assert set(again) == {"hengelo.contracted_import_mw"}  # the only size a window decides
    for key, value in again.items():
        owner, _, size = key.rpartition(".")
        assert value["dispatch"] == pytest.approx(summary["capacities"][owner][size]), key
    # the finance block (missing before: `energyhub compare` failed on a dispatch in windows): the hubs' bills
    # add up to the stitched costs of the categories they share, the contracted capacity the largest window's
    bills = [h["bill_eur_per_year"] for h in summary["finance"]["hubs"].values()]
    for category in ("energy", "export_revenue", "contracted_capacity", "monthly_peak", "hub_energy_tariff"):
        assert sum(b[category] for b in bills) == pytest.approx(summary["costs_eur"][category], rel=1e-6), category
    assert summary["finance"]["hubs"]["hengelo"]["bill_eur_per_year"]["contracted_capacity"] == pytest.approx(
        30_000.0 * summary["capacities"]["hengelo"]["contracted_import_mw"])
    assert summary["solver_timings_s"]["windows.solve"] == pytest.approx(
        sum(w["timings_s"]["solve"] for w in dispatch["windows"]), abs=2e-3)
