"""The MIP's LP algorithm chosen by the model's structure (:func:`energyhub.solve.highs.lp_algorithm`).

Rows coupling many columns (a branch row that every hub of a meshed grid enters) send a MIP's LPs to HiGHS's
interior point (HiPO): on such sizings dual simplex did not finish the root LP in 600 s (benchmarks/README.md).
Real HiGHS on a tiny model: twelve hubs behind ten branches (every hub in every branch row), each with a battery
it may build (a MIP), a flat price so that no battery pays off; the optimum is the energy bill, worked out by hand
below, whichever algorithm runs.
"""

from __future__ import annotations

import numpy as np
import pytest
from _model_helpers import hub, make_data, no_grid

from energyhub.model.build import build_model
from energyhub.model.inputs import GridInputs
from energyhub.scenario.data import ScenarioData
from energyhub.solve.highs import HIPO_FROM_COUPLING_SHARE, compile_model, lp_algorithm, solve

HUBS = 12
PRICE_EUR_PER_MWH = 50.0
DEMAND_MW = 1.0


def twelve_hubs() -> ScenarioData:
    hubs = [hub(f"h{i}", demand_mw=DEMAND_MW) for i in range(HUBS)]
    assets = [{"type": "battery", "name": f"bat{i}", "hub": f"h{i}", "build_or_not": True,
               "energy_mwh": {"min": 1.0, "max": 10.0, "capex_eur_per_mwh": 1e4},
               "power_mw": {"max": 5.0, "capex_eur_per_mw": 1e3}} for i in range(HUBS)]
    return make_data(24, hubs, assets=assets, markets=[{"zone": "NL", "energy_price_eur_per_mwh": PRICE_EUR_PER_MWH}])


def test_rows_coupling_every_hub_choose_hipo_with_the_same_optimum() -> None:
    data = twelve_hubs()
    branches = 10  # every hub in every branch row, and these rows 19 % of all
    grid = GridInputs([f"seg/l{b}" for b in range(branches)], np.full(branches, 100.0), np.zeros((24, branches)),
                      np.full((branches, HUBS), 0.5), [h.name for h in data.scenario.hubs])
    compiled = compile_model(build_model(data, grid))
    assert compiled.n_integer >= HUBS  # the build decisions, and the charge/discharge exclusivity per step
    assert compiled.coupling_share >= HIPO_FROM_COUPLING_SHARE
    assert lp_algorithm(compiled, {})["mip_lp_solver"] == "hipo"
    assert lp_algorithm(compiled, {"mip_lp_solver": "simplex"}) == {"mip_lp_solver": "simplex"}  # the user's

    said: list[str] = []
    chosen = solve(build_model(data, grid), {"threads": 1}, progress=said.append)
    simplex = solve(build_model(data, grid), {"threads": 1, "mip_lp_solver": "simplex"})
    assert any("interior point (HiPO)" in msg for msg in said)
    bill = HUBS * DEMAND_MW * PRICE_EUR_PER_MWH * 8760  # one flat day stands for the year; no battery pays off
    assert chosen.objective_eur == pytest.approx(bill, rel=1e-9)
    assert simplex.objective_eur == pytest.approx(bill, rel=1e-9)


def test_a_model_without_rows_coupling_many_columns_keeps_the_options() -> None:
    data = twelve_hubs()
    compiled = compile_model(build_model(data, no_grid(data)))
    assert compiled.coupling_share == 0.0
    assert lp_algorithm(compiled, {"threads": 1}) == {"threads": 1}
