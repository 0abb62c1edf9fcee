"""Representative periods: identical days aggregate exactly, day types carry their weights, sizes carry to the
full run."""

from __future__ import annotations

import numpy as np
import pytest
from _model_helpers import OPTIONS, hub, make_data, no_grid, run

from energyhub.model.aggregate import aggregate, overload_groups
from energyhub.model.inputs import GridInputs
from energyhub.solve.workflow import build_sizing, solve_scenario


def test_identical_days_aggregate_exactly() -> None:
    """Six identical days (price 10 at night, 100 by day): 2 typical days reproduce the full-horizon optimum.

    The battery is sized on the typical periods, then the full horizon is dispatched with that size fixed: both
    objectives equal the plain full-horizon optimum.
    """
    hours = np.arange(24 * 6) % 24
    price = np.where((hours >= 8) & (hours < 20), 100.0, 10.0)
    assets = [{"type": "battery", "name": "bat", "hub": "h", "energy_mwh": {"max": 20.0, "capex_eur_per_mwh": 1e4},
               "power_mw": {"max": 5.0, "capex_eur_per_mw": 1e3}}]
    series = {"hubs.h.demand_mw": 2.0, "markets.NL.energy_price_eur_per_mwh": price}
    plain = make_data(24 * 6, [hub("h", export_mw=0.0)], assets=assets, series=series)
    _, ref = run(plain)
    agg = make_data(24 * 6, [hub("h", export_mw=0.0)], assets=assets, series=series,
                    time={"aggregation": {"typical_periods": 2, "hours_per_period": 24}})
    hm, res = solve_scenario(agg, no_grid(agg), OPTIONS)
    assert res.objective_eur == pytest.approx(ref.objective_eur, rel=1e-6)
    assert hm.info["sizing_objective_eur"] == pytest.approx(ref.objective_eur, rel=1e-6)
    assert hm.m.bat_e_mwh["bat"].fixed


def test_two_day_types_with_known_weights() -> None:
    """Three days of type A (10 EUR/MWh from 20:00 to 08:00, 100 by day) and one day of type B (flat 50).

    Demand 2 MW flat, no export; a battery (η = 1) of at most 20 MWh at 200,000 EUR/MWh over 10 years at 0 %:
    20,000 EUR per MWh and year; power free. Each step weighs 8760/96 = 91.25 h per step-hour.
    A day without battery: 12 cheap hours × 2 MW × 10 + 12 dear hours × 2 MW × 100 = 2640 EUR; a B day 2400 EUR.
    A full battery shifts 20 MWh from 100 to 10 EUR on every A day: −1800 EUR per A day, nothing on B days.
    Per MWh and year: 90 × 3 days × 91.25 = 24,637.5 EUR > 20,000, so the battery is 20 MWh (with wrong, equal
    weights of A and B it would save 90 × 2 × 91.25 = 16,425 < 20,000 and stay unbuilt).
    Sizing objective: (3 × 840 + 2400) × 91.25 + 20 × 20,000 = 848,950 EUR/yr; the typical days carry 3 and 1
    days of weight. The full-horizon dispatch (days A A A B, cyclic) also moves 20 MWh charged at 10 EUR in the
    evening of the third day into the B day (50 EUR): 800 EUR less per horizon, 775,950 EUR/yr.
    """
    hours = np.arange(24 * 4) % 24
    day_a = np.where((hours >= 8) & (hours < 20), 100.0, 10.0)
    price = np.where(np.arange(24 * 4) < 72, day_a, 50.0)
    assets = [{"type": "battery", "name": "bat", "hub": "h", "charge_efficiency": 1.0, "discharge_efficiency": 1.0,
               "energy_mwh": {"max": 20.0, "capex_eur_per_mwh": 200_000.0}, "power_mw": {"max": 5.0},
               "lifetime_years": 10}]
    data = make_data(24 * 4, [hub("h", export_mw=0.0, demand_mw=2.0)], assets=assets,
                     series={"markets.NL.energy_price_eur_per_mwh": price}, economics={"discount_rate": 0.0},
                     time={"aggregation": {"typical_periods": 2, "hours_per_period": 24}})
    sizing = build_sizing(data, no_grid(data))
    sizing_price = sizing.series["markets.NL.energy_price_eur_per_mwh"]
    type_b = np.isclose(sizing_price, 50.0)
    assert sizing.time.weight[type_b].sum() == pytest.approx(24 * 91.25, rel=1e-9)
    assert sizing.time.weight[~type_b].sum() == pytest.approx(3 * 24 * 91.25, rel=1e-9)
    hm, res = solve_scenario(data, no_grid(data), OPTIONS)
    assert hm.info["sizing_objective_eur"] == pytest.approx(848_950.0, rel=1e-7)
    assert res.objective_eur == pytest.approx(848_950.0 - 800 * 91.25, rel=1e-7)
    assert res.value(hm.m.bat_e_mwh["bat"]) == pytest.approx(20.0, abs=1e-6)


def test_many_branches_aggregate_without_a_pandas_warning() -> None:
    """150 branches a hub affects are clustered with the series in one frame (no fragmented-frame warning,
    which pytest turns into an error): their typical base flows are those of the days they stand for."""
    n, branches = 48, 150
    data = make_data(n, [hub("h", demand_mw=1.0)], time={"aggregation": {"typical_periods": 2,
                                                                          "hours_per_period": 24}})
    base = np.outer(np.repeat([1.0, 2.0], 24), np.arange(1, branches + 1))  # day 2 twice day 1, per branch
    grid = GridInputs([f"seg/b{b}" for b in range(branches)], np.full(branches, 1e3), base,
                      np.full((branches, 1), -0.5), ["h"])
    tg, _, agg = aggregate(data, grid, data.scenario.time.aggregation)  # type: ignore[arg-type]
    assert sorted(set(np.round(agg.base_flow_mw[:, 0], 9))) == [1.0, 2.0]
    assert agg.base_flow_mw[:, branches - 1] == pytest.approx(agg.base_flow_mw[:, 0] * branches)
    assert tg.weight.sum() == pytest.approx(8760.0)


def test_one_extreme_period_per_group_of_branches() -> None:
    """Six days, three branches a hub affects, each overloaded on one day (limit 10 MW):

    * ``a`` (PTDF +0.5) peaks at 12 MW on day 1, ``b`` (PTDF +0.4) at 15 MW on day 3: the hub relieves both by
      taking power, one group; its worst overload is ``b``'s (150 % against 120 %), so day 3 is kept and day 1
      is not (its 12 MW is averaged away);
    * ``c`` (PTDF −0.5) peaks at 11 MW on day 4: the hub relieves it by feeding power, a group of its own.

    One typical day (the medoid of days 0, 1, 2 and 5) plus two extreme days, one per group (per branch it would
    be three, and day 1 would be kept).
    """
    n = 24 * 6
    day = np.repeat(np.arange(6), 24)
    base = np.column_stack([np.where(day == k, peak, 5.0 + 0.1 * day) for k, peak in ((1, 12.0), (3, 15.0),
                                                                                        (4, 11.0))])
    data = make_data(n, [hub("h", demand_mw=1.0)], time={"aggregation": {"typical_periods": 1,
                                                                          "hours_per_period": 24}})
    grid = GridInputs(["seg/a", "seg/b", "seg/c"], np.full(3, 10.0), base, np.array([[0.5], [0.4], [-0.5]]), ["h"])
    assert overload_groups(grid, [0, 1, 2]) == {(0, 1): [(0, 1), (1, 1)], (0, -1): [(2, 1)]}
    tg, _, agg = aggregate(data, grid, data.scenario.time.aggregation)  # type: ignore[arg-type]
    assert len(tg.segment_start) == 3
    assert tg.period_assignment is not None
    assert len(set(tg.period_assignment[[0, 1, 2, 5]].tolist())) == 1
    assert agg.base_flow_mw[:, 1].max() == pytest.approx(15.0)
    assert agg.base_flow_mw[:, 2].max() == pytest.approx(11.0)
    assert agg.base_flow_mw[:, 0].max() < 12.0


def test_typical_periods_keep_night_hours_exactly_zero() -> None:
    """PV that is 0 at night on every day is 0 at night on every typical day, not tsam's round-off.

    Twenty days of a sine-shaped PV profile (0 from 18:00 to 06:00) scaled per day, four typical days. Before the
    round-off was removed, some night hours came out as 1e-16-ish values: as upper bounds of PV output, HiGHS
    warned of excessively small column bounds (450 of them in the 10-hub, 8760 h sizing of model_bench).
    """
    rng = np.random.default_rng(1)
    days = 20
    hours = np.arange(24 * days) % 24
    sun = np.clip(np.sin((hours - 6) / 12 * np.pi), 0.0, None) * np.repeat(rng.uniform(0.2, 1.0, days), 24)
    demand = 2.0 + rng.uniform(0.0, 1.0, 24 * days)
    data = make_data(24 * days, [hub("h", export_mw=0.0, pv={"capacity_mw": 3.0, "profile_pu": 0.5})],
                     series={"hubs.h.pv.profile_pu": sun, "hubs.h.demand_mw": demand},
                     time={"aggregation": {"typical_periods": 4, "hours_per_period": 24}})
    sizing = build_sizing(data, no_grid(data))
    pv = sizing.series["hubs.h.pv.profile_pu"]
    night = (sizing.time.hour < 6) | (sizing.time.hour >= 18)
    assert night.sum() == 12 * len(pv) // 24
    assert np.all(pv[night] == 0.0)
    assert np.all(pv[~night & (sizing.time.hour != 6)] > 0.01)
