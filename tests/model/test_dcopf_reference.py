"""One-step dispatch against pandapower's DC OPF (``pandapower.rundcopp``) on a 3-bus meshed net.

The equivalence: pandapower dispatches an external grid (cost c0 per MW) and two generators (costs c1, c2,
0..pmax) to meet fixed loads L within line limits. In energyhub each generator is a hub at its bus with local
generation of capacity pmax (profile 1, free curtailment), no import and an export right of pmax, in its own
price zone with export price c0 − c_g: exporting one MW displaces one MW of the external grid. The loads are
fixed injections, so they enter the base flow (PTDF × −L); the external grid is the PTDF reference bus. Then
pandapower's cost = c0·ΣL + Σ_g (c_g − c0)·p_g, and energyhub's objective per hour (objective / 8760 for a
single-step horizon) = −Σ_g (c0 − c_g)·p_g, so the two differ by the constant c0·ΣL. Line limits: pandapower
limits the DC flow to max_loading_percent/100 × √3 × vn_kv × max_i_ka MW; the model gets the same limit with
loading_limit_pct = 100 and dc_margin_pct = 0. The PTDF is measured here with rundcpp by injecting 1 MW at each
bus in turn (independent of energyhub.grid).
"""

from __future__ import annotations

import copy
import math

import numpy as np
import pandapower as pp
import pytest
from _model_helpers import hub, make_data, run

from energyhub.model.inputs import GridInputs

C0, COSTS, PMAX, LOADS = 50.0, {1: 20.0, 2: 30.0}, {1: 40.0, 2: 40.0}, {1: 10.0, 2: 50.0}


def make_net() -> pp.pandapowerNet:
    net = pp.create_empty_network()
    buses = [pp.create_bus(net, vn_kv=20.0) for _ in range(3)]
    for a, b, km in [(0, 1, 2.0), (1, 2, 1.0), (0, 2, 3.0)]:
        pp.create_line_from_parameters(net, buses[a], buses[b], length_km=km, r_ohm_per_km=0.1,
                                       x_ohm_per_km=0.4, c_nf_per_km=0.0, max_i_ka=0.3, max_loading_percent=100.0)
    eg = pp.create_ext_grid(net, buses[0], min_p_mw=-500.0, max_p_mw=500.0)
    pp.create_poly_cost(net, eg, "ext_grid", cp1_eur_per_mw=C0)
    for k in (1, 2):
        g = pp.create_gen(net, buses[k], p_mw=0.0, min_p_mw=0.0, max_p_mw=PMAX[k], controllable=True)
        pp.create_poly_cost(net, g, "gen", cp1_eur_per_mw=COSTS[k])
        pp.create_load(net, buses[k], p_mw=LOADS[k], controllable=False)
    return net


def ptdf_and_base(net: pp.pandapowerNet) -> tuple[np.ndarray, np.ndarray]:
    """PTDF (lines × buses) by 1 MW perturbations; base flow with the loads only (gens off)."""
    dc = copy.deepcopy(net)
    dc.gen["in_service"] = False
    pp.rundcpp(dc, numba=False)
    base = dc.res_line.p_from_mw.to_numpy().copy()
    ptdf = np.zeros((len(dc.line), len(dc.bus)))
    for k in dc.bus.index:
        sg = pp.create_sgen(dc, k, p_mw=1.0)
        pp.rundcpp(dc, numba=False)
        ptdf[:, k] = dc.res_line.p_from_mw.to_numpy() - base
        dc.sgen.drop(sg, inplace=True)
    return ptdf, base


def test_single_step_matches_dc_opf() -> None:
    net = make_net()
    pp.rundcopp(net)
    opf_cost = float(net.res_cost)
    ptdf, base = ptdf_and_base(net)
    limit = np.sqrt(3) * 20.0 * 0.3 * np.ones(3)
    hubs = [hub(f"g{k}", import_mw=0.0, export_mw=PMAX[k], bus="seg/b1" if k == 1 else "segZ2/b2",
                pv={"capacity_mw": PMAX[k], "profile_pu": 1.0}) for k in (1, 2)]
    markets = [{"zone": f"Z{k}", "energy_price_eur_per_mwh": 0.0, "export_price_eur_per_mwh": C0 - COSTS[k]}
               for k in (1, 2)]
    data = make_data(1, hubs, markets=markets, grid={"loading_limit_pct": 100.0},
                     economics={"overload_penalty_eur_per_mwh": 1e6})
    grid = GridInputs(["l0", "l1", "l2"], limit, base.reshape(1, 3), ptdf[:, [1, 2]], ["g1", "g2"])
    hm, res = run(data, grid)
    ours = res.objective_eur / 8760.0 + C0 * sum(LOADS.values())
    assert ours == pytest.approx(opf_cost, rel=1e-6)
    # the line limit binds (otherwise the test would not test the network)
    gens = net.res_gen.p_mw.to_numpy()
    assert not math.isclose(float(gens.sum()), sum(PMAX.values()))
    assert hm.info["network_rows"] > 0
