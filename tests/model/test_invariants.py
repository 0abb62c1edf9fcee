"""Property tests on random small scenarios, checked against an independent formulation of the same problem.

One hub with demand, PV, an import and an export limit, a sizable lossy battery with self-discharge, prices that
may be negative and a curtailment cost that may be positive. The same problem is written here directly as arrays
for ``scipy.optimize.milp`` (not through energyhub's model code), with the battery's charge/discharge binary in
*every* step. The model adds that binary only where dumping energy can pay (energyhub.model.market.dumping_pays);
equal optima confirm that the binaries it leaves out never change the optimum. The dispatch returned by the model
is also checked against the problem's own equations (balance, state of charge, bounds).
"""

from __future__ import annotations

import numpy as np
import pytest
from _model_helpers import hub, make_data, run
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import lil_matrix

from energyhub.results.extract import to_dataset

N = 6
E_MAX, P_MAX, CAPEX_E, CAPEX_P, LIFETIME = 8.0, 3.0, 10.0, 10.0, 10
VOLL = 10_000.0
profile = st.lists(st.floats(0.0, 5.0, allow_nan=False), min_size=N, max_size=N)
prices = st.lists(st.floats(-20.0, 150.0, allow_nan=False), min_size=N, max_size=N)


def independent_optimum(demand: np.ndarray, price: np.ndarray, pv_mw: np.ndarray, eta: float, import_mw: float,
                        export_mw: float, sd_pct: float, curtailment: float) -> float:
    """min Σ_t w·(price·(imp − exp) + VOLL·shed + curt·(pv − gen)) + (capex_E·E + capex_P·P)/lifetime.

    Columns per step t: imp, exp, gen, shed, ch, dis, soc, z (z binary: charging); then E, P.
    """
    w = 8760.0 / N
    k = (1 - sd_pct / 100) ** (1 / 24)
    per = 8
    n_col = per * N + 2
    col_e, col_p = per * N, per * N + 1

    def c(t: int, j: int) -> int:
        return per * t + j

    cost = np.zeros(n_col)
    lower, upper = np.zeros(n_col), np.zeros(n_col)
    integrality = np.zeros(n_col)
    for t in range(N):
        cost[[c(t, 0), c(t, 1), c(t, 2), c(t, 3)]] = w * price[t], -w * price[t], -w * curtailment, w * VOLL
        upper[[c(t, j) for j in range(per)]] = [import_mw, export_mw, pv_mw[t], demand[t], P_MAX, P_MAX, E_MAX, 1]
        integrality[c(t, 7)] = 1
    cost[col_e], cost[col_p] = CAPEX_E / LIFETIME, CAPEX_P / LIFETIME
    upper[col_e], upper[col_p] = E_MAX, P_MAX
    const = w * curtailment * float(pv_mw.sum())
    rows, lo, hi = lil_matrix((7 * N, n_col)), [], []
    for t in range(N):
        r = 7 * t
        for j, coef in zip((0, 1, 2, 3, 4, 5), (1, -1, 1, 1, -1, 1), strict=True):  # balance
            rows[r, c(t, j)] = coef
        lo.append(demand[t]), hi.append(demand[t])
        rows[r + 1, c(t, 6)] = 1.0  # soc[t] − k·soc[t−1] − η·ch + dis/η = 0 (cyclic)
        rows[r + 1, c((t - 1) % N, 6)] -= k
        rows[r + 1, c(t, 4)], rows[r + 1, c(t, 5)] = -eta, 1 / eta
        lo.append(0.0), hi.append(0.0)
        for j, (col, size) in enumerate(((4, col_p), (5, col_p), (6, col_e))):  # ch, dis ≤ P; soc ≤ E
            rows[r + 2 + j, c(t, col)], rows[r + 2 + j, size] = 1.0, -1.0
            lo.append(-np.inf), hi.append(0.0)
        rows[r + 5, c(t, 4)], rows[r + 5, c(t, 7)] = 1.0, -P_MAX  # ch ≤ P̄·z
        lo.append(-np.inf), hi.append(0.0)
        rows[r + 6, c(t, 5)], rows[r + 6, c(t, 7)] = 1.0, P_MAX  # dis ≤ P̄·(1 − z)
        lo.append(-np.inf), hi.append(P_MAX)
    res = milp(cost, constraints=LinearConstraint(rows.tocsr(), lo, hi), bounds=Bounds(lower, upper),
               integrality=integrality, options={"mip_rel_gap": 1e-9})
    assert res.status == 0, res.message
    return float(res.fun) + const


@settings(max_examples=10, deadline=None)
@given(demand=profile, price=prices, pv=st.floats(0.0, 4.0), eta=st.floats(0.7, 1.0),
       import_mw=st.floats(0.5, 6.0), export_mw=st.floats(0.0, 3.0), sd=st.floats(0.0, 20.0),
       curtailment=st.sampled_from([0.0, 0.0, 40.0]))
def test_model_matches_an_independent_formulation(demand: list[float], price: list[float], pv: float, eta: float,
                                                  import_mw: float, export_mw: float, sd: float,
                                                  curtailment: float) -> None:
    pv_profile = np.array([0.0, 0.3, 1.0, 1.0, 0.3, 0.0])
    data = make_data(
        N, [hub("h", import_mw=import_mw, export_mw=export_mw, pv={"capacity_mw": pv, "profile_pu": 0.5})],
        assets=[{"type": "battery", "name": "bat", "hub": "h", "charge_efficiency": eta,
                 "discharge_efficiency": eta, "self_discharge_pct_per_day": sd, "lifetime_years": LIFETIME,
                 "energy_mwh": {"max": E_MAX, "capex_eur_per_mwh": CAPEX_E},
                 "power_mw": {"max": P_MAX, "capex_eur_per_mw": CAPEX_P}}],
        series={"hubs.h.demand_mw": demand, "markets.NL.energy_price_eur_per_mwh": price,
                "markets.NL.export_price_eur_per_mwh": price, "hubs.h.pv.profile_pu": pv_profile},
        economics={"discount_rate": 0.0, "voll_eur_per_mwh": VOLL, "curtailment_eur_per_mwh": curtailment},
    )
    hm, res = run(data)
    expected = independent_optimum(np.asarray(demand), np.asarray(price), pv * pv_profile, eta, import_mw,
                                   export_mw, sd, curtailment)
    assert res.objective_eur == pytest.approx(expected, rel=1e-6, abs=1e-3)

    ds = to_dataset(hm, res)
    h = ds.sel(hub="h")
    supply = h.import_mw - h.export_mw + h.generation_used_mw + h.shed_mw + ds.p_mw.sel(asset="bat")
    np.testing.assert_allclose(supply.to_numpy(), h.demand_mw.to_numpy(), atol=1e-6)
    assert (h.import_mw <= import_mw + 1e-6).all() and (h.export_mw <= export_mw + 1e-6).all()
    soc = ds.soc_mwh.sel(asset="bat").to_numpy()
    ch = res.values(hm.m.bat_ch_mw, [("bat", t) for t in range(N)])
    dis = res.values(hm.m.bat_dis_mw, [("bat", t) for t in range(N)])
    keep = (1 - sd / 100) ** (1 / 24)
    np.testing.assert_allclose(soc, keep * np.roll(soc, 1) + eta * ch - dis / eta, atol=1e-6)
    if hasattr(hm.m, "bat_charging"):  # where the binary is, the battery never does both
        assert (np.minimum(ch, dis) <= 1e-6).all()
