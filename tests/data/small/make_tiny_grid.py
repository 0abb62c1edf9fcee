"""Write ``tiny_grid.json``: a tiny synthetic 110/10 kV grid for the small test scenario.

An external grid at 110 kV, one 110/10 kV transformer and five 10 kV buses in a radial cable feeder with a
spur, two named loads and two named static generators (PV and wind). Every bus, line and transformer has a
unique name; scenarios refer to buses as ``tiny/<bus name>`` and to branches as ``tiny/<line name>``.

Run from anywhere: ``python tests/data/small/make_tiny_grid.py`` (overwrites the JSON beside this script).
"""

from __future__ import annotations

from pathlib import Path

import pandapower as pp

OUT = Path(__file__).resolve().parent / "tiny_grid.json"


def make_tiny_grid() -> pp.pandapowerNet:
    net = pp.create_empty_network(name="tiny", f_hz=50.0)
    hv = pp.create_bus(net, vn_kv=110.0, name="HV Station")
    mv = [pp.create_bus(net, vn_kv=10.0, name=f"Bus {i}") for i in range(1, 6)]
    pp.create_ext_grid(net, hv, vm_pu=1.0, name="Grid Twente")
    pp.create_transformer(net, hv, mv[0], std_type="25 MVA 110/10 kV", name="Trafo 110/10")
    cable = "NA2XS2Y 1x185 RM/25 12/20 kV"
    for i, (a, b, km) in enumerate([(0, 1, 1.2), (1, 2, 0.8), (2, 3, 1.5), (1, 4, 2.0)], start=1):
        pp.create_line(net, mv[a], mv[b], length_km=km, std_type=cable, name=f"Line {i}")
    pp.create_load(net, mv[2], p_mw=3.0, q_mvar=0.6, name="Load Hengelo")
    pp.create_load(net, mv[4], p_mw=2.0, q_mvar=0.4, name="Load Gronau")
    pp.create_sgen(net, mv[3], p_mw=4.0, name="PV Park", type="PV")
    pp.create_sgen(net, mv[4], p_mw=3.0, name="Wind Farm", type="WP")
    net.sgen["kind"] = ["pv", "wind"]
    return net


if __name__ == "__main__":
    grid = make_tiny_grid()
    pp.runpp(grid)  # a sanity check that the grid solves
    pp.to_json(grid, str(OUT))
    print(f"wrote {OUT}: {len(grid.bus)} buses, {len(grid.line)} lines, {len(grid.trafo)} trafo")
