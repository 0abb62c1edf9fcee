"""Representative periods: a horizon of identical days aggregates exactly, and sizes carry to the full run."""

from __future__ import annotations

import numpy as np
import pytest
from _model_helpers import OPTIONS, hub, make_data, no_grid, run

from energyhub.solve.workflow import solve_scenario


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
