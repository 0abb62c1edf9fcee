"""``grid.ptdf_tolerance``: tiny PTDF entries leave the branch rows, and the rows' limits tighten by the most those
entries can add, so that every solution holds with the full PTDF (worked out by hand).

One branch, limit 4 MW, no base flow. Hub ``a`` (PTDF 1.0) has 6 MW of PV and sells at 50 EUR/MWh; hub ``b``
(PTDF 5e-4, import and export bounds 10 MW) has nothing to trade, so its net injection is 0 in every solution.

* Full PTDF (tolerance 0): ``exp_a + 5e-4·(exp_b − imp_b) ≤ 4`` and ``exp_b = imp_b``: ``a`` exports 4 MW.
* Tolerance 1e-3: ``b``'s entry is left out, and the row holds ``exp_a + 5e-4 × 10 ≤ 4`` (``b`` could export up
  to 10 MW): ``a`` exports 3.995 MW, a limit 0.005 MW tighter, and the row has one hub term instead of two.
"""

from __future__ import annotations

import numpy as np
import pytest
from _model_helpers import OPTIONS, hub, make_data, one_branch

from energyhub.model.build import build_model
from energyhub.scenario.data import ScenarioData
from energyhub.solve.highs import compile_model, solve

HOURS = 2


def data(tolerance: float) -> ScenarioData:
    hubs = [hub("a", import_mw=10.0, export_mw=10.0, pv={"capacity_mw": 6.0, "profile_pu": 1.0}),
            hub("b", import_mw=10.0, export_mw=10.0)]
    return make_data(HOURS, hubs, grid={"ptdf_tolerance": tolerance},
                     markets=[{"zone": "NL", "energy_price_eur_per_mwh": 50.0}])


@pytest.mark.parametrize(("tolerance", "export_mw", "terms"), [(0.0, 4.0, 4), (1e-3, 3.995, 2)])
def test_left_out_entries_tighten_the_limit_by_the_most_they_can_add(
    tolerance: float, export_mw: float, terms: int
) -> None:
    d = data(tolerance)
    hm = build_model(d, one_branch(d, 4.0, 0.0, [1.0, 5e-4]))
    res = solve(hm, OPTIONS)
    assert res.status == "optimal"
    exported = np.array([res.value(hm.m.exp_mw["a", t]) for t in range(HOURS)])
    np.testing.assert_allclose(exported, export_mw, atol=1e-7)
    # the upper row of hour 0: the hubs' exp and imp columns, plus the overload slack
    compiled = compile_model(hm)
    lp = compiled.highs.getLp()
    i = next(k for k, (con, _) in enumerate(compiled.rows) if con.name == "branch_upper[0,0]")
    starts, index = np.asarray(lp.a_matrix_.start_), np.asarray(lp.a_matrix_.index_)
    in_row = sum(int(np.count_nonzero(index[starts[j]:starts[j + 1]] == i)) for j in range(lp.num_col_))
    assert in_row == terms + 1


def test_no_entry_below_the_tolerance_changes_nothing() -> None:
    """The shipped grids have no PTDF entry in (1e-9, 1e-3]: the default tolerance leaves their rows exact."""
    exact, default = data(0.0), data(1e-3)
    results = []
    for d in (exact, default):
        hm = build_model(d, one_branch(d, 4.0, 0.0, [1.0, 0.2]))
        results.append(solve(hm, OPTIONS).objective_eur)
    assert results[1] == pytest.approx(results[0], rel=1e-12)
