"""Property tests on random small scenarios: hub energy balance and battery state of charge hold."""

from __future__ import annotations

import numpy as np
from _model_helpers import hub, make_data, run
from hypothesis import given, settings
from hypothesis import strategies as st

from energyhub.results.extract import to_dataset

N = 6
profile = st.lists(st.floats(0.0, 5.0, allow_nan=False), min_size=N, max_size=N)
prices = st.lists(st.floats(-20.0, 150.0, allow_nan=False), min_size=N, max_size=N)


@settings(max_examples=8, deadline=None)
@given(demand=profile, price=prices, pv=st.floats(0.0, 4.0), eta=st.floats(0.7, 1.0),
       import_mw=st.floats(0.5, 6.0), sd=st.floats(0.0, 20.0))
def test_energy_balance_and_soc(demand: list[float], price: list[float], pv: float, eta: float,
                                import_mw: float, sd: float) -> None:
    data = make_data(
        N, [hub("h", import_mw=import_mw, export_mw=3.0, pv={"capacity_mw": pv, "profile_pu": 0.5})],
        assets=[{"type": "battery", "name": "bat", "hub": "h", "charge_efficiency": eta,
                 "discharge_efficiency": eta, "self_discharge_pct_per_day": sd,
                 "energy_mwh": {"max": 8.0, "capex_eur_per_mwh": 10.0},
                 "power_mw": {"max": 3.0, "capex_eur_per_mw": 10.0}}],
        series={"hubs.h.demand_mw": demand, "markets.NL.energy_price_eur_per_mwh": price},
    )
    hm, res = run(data)
    ds = to_dataset(hm, res)
    h = ds.sel(hub="h")
    supply = h.import_mw - h.export_mw + h.generation_used_mw + h.shed_mw + ds.p_mw.sel(asset="bat")
    np.testing.assert_allclose(supply.to_numpy(), h.demand_mw.to_numpy(), atol=1e-6)
    assert (h.shed_mw <= h.demand_mw + 1e-9).all()
    assert (h.import_mw <= import_mw + 1e-6).all()
    soc = ds.soc_mwh.sel(asset="bat").to_numpy()
    e_cap = res.value(hm.m.bat_e_mwh["bat"])
    assert (soc >= -1e-6).all() and (soc <= e_cap + 1e-6).all()
    ch = res.values(hm.m.bat_ch_mw, [("bat", t) for t in range(N)])
    dis = res.values(hm.m.bat_dis_mw, [("bat", t) for t in range(N)])
    keep = (1 - sd / 100) ** (1 / 24)
    np.testing.assert_allclose(soc, keep * np.roll(soc, 1) + eta * ch - dis / eta, atol=1e-6)
    # anti-dumping binary exists exactly when some price is negative
    assert hasattr(hm.m, "bat_charging") == (min(price) < 0)
    if min(price) < 0:
        assert (np.minimum(ch, dis) <= 1e-6).all()
