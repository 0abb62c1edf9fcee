"""Build the synthetic Twente segment (networks/twente/): run with the venv python from the repo root.

    python networks/build_twente.py

Synthetic but plausible, see networks/README.md: one TenneT 110 kV feeding point at Hengelo, three 110/10 kV
stations (Hengelo Twentekanaal, Enschede Marssteden, Almelo XL Businesspark), two 10 kV cable rings per
station, each operated open at a normally-open point (a line with an open switch), business-park loads and
PV parks. Profile shapes are SimBench's (1-MV-comm--2-no_sw, 2016, 29 Feb dropped). Deterministic.
"""

from __future__ import annotations

import itertools
import warnings
from pathlib import Path

import numpy as np
import pandapower as pp
import pandas as pd

from energyhub.grid.segments import Segment, save_segment, segment_from_shapes
from energyhub.grid.simbench_source import reference_year_shapes

OUT = Path(__file__).resolve().parent / "twente"
SHAPE_SOURCE = "1-MV-comm--2-no_sw"
CABLE = "NA2XS2Y 1x240 RM/25 6/10 kV"  # 0.421 kA: 7.3 MVA at 10 kV
CABLE_SMALL = "NA2XS2Y 1x150 RM/25 6/10 kV"  # 0.319 kA: 5.5 MVA
LINE_110 = "243-AL1/39-ST1A 110.0"
COS_PHI = 0.95

# station, 110 kV line length from Hengelo TenneT (km), transformers (name, std type), rings (park names)
STATIONS = [
    ("Hengelo Twentekanaal", 2.5, [("T1", "40 MVA 110/10 kV")], ["Hengelo Twentekanaal", "Hengelo Havengebied"]),
    ("Enschede Marssteden", 8.0, [("T1", "25 MVA 110/10 kV"), ("T2", "25 MVA 110/10 kV")],
     ["Enschede Marssteden", "Enschede Kennispark"]),
    ("Almelo XL Businesspark", 11.0, [("T1", "25 MVA 110/10 kV")], ["Almelo XL Businesspark", "Almelo Twentepoort"]),
]
# Per ring node (6 per ring): load peak MW and profile, PV park MWp (0 = none). Rings differ by a rotation.
NODE_LOADS = [(2.6, "G3-A"), (1.8, "G1-A"), (2.2, "G3-M"), (1.6, "G4-A"), (2.4, "G0-A"), (1.4, "G6-A")]
NODE_PV_MWP = [0.0, 6.0, 0.0, 0.0, 9.0, 1.5]
PV_SHAPES = ["PV2", "PV5", "PV8"]
CABLE_KM = [1.2, 0.8, 0.9, 0.7, 1.1, 1.0, 0.6]  # station-n1, n1-n2, n2-n3, n3-n4 (NOP), n4-n5, n5-n6, n6-station


def build_net() -> pp.pandapowerNet:
    """The static Twente grid with ``profile_p``/``profile_q``/``kind`` columns on loads and sgens."""
    net = pp.create_empty_network(name="twente (synthetic, energyhub)", sn_mva=1.0)
    tennet = pp.create_bus(net, 110.0, name="Hengelo TenneT 110kV")
    pp.create_ext_grid(net, tennet, vm_pu=1.02, name="Hengelo TenneT 380/110kV")
    loads: list[tuple[int, float, str, str]] = []
    sgens: list[tuple[int, float, str, str, str]] = []
    for s_idx, (station, km_110, trafos, rings) in enumerate(STATIONS):
        hv = pp.create_bus(net, 110.0, name=f"{station} 110kV")
        pp.create_line(net, tennet, hv, km_110, LINE_110, name=f"Hengelo TenneT - {station} 110kV")
        mv = pp.create_bus(net, 10.0, name=f"{station} 10kV")
        for t_name, t_type in trafos:
            pp.create_transformer(net, hv, mv, t_type, name=f"{station} {t_name} 110/10kV")
        for r_idx, park in enumerate(rings):
            rot = (s_idx * 2 + r_idx) % 6
            nodes = [pp.create_bus(net, 10.0, name=f"{park} {k + 1} 10kV") for k in range(6)]
            _ring(net, mv, nodes, park)
            for k, bus in enumerate(nodes):
                p_mw, profile = NODE_LOADS[(k + rot) % 6]
                loads.append((bus, p_mw, profile, f"{park} {k + 1} bedrijven"))
                pv = NODE_PV_MWP[(k + rot) % 6]
                if pv:
                    sgens.append((bus, pv, PV_SHAPES[(k + s_idx) % 3], "pv", f"{park} {k + 1} zonnepark"))
                sgens.append((bus, 0.4, PV_SHAPES[k % 3], "pv", f"{park} {k + 1} PV daken"))
    almelo = int(net.bus.index[net.bus["name"] == "Almelo XL Businesspark 10kV"][0])
    sgens.append((almelo, 9.0, "WP5", "wind", "Almelo windpark Bornerbroek"))
    for bus, p_mw, profile, name in loads:
        idx = pp.create_load(net, bus, p_mw=p_mw, q_mvar=p_mw * np.tan(np.arccos(COS_PHI)), name=name)
        net.load.at[idx, "profile_p"] = f"load:{profile}_pload"
        net.load.at[idx, "profile_q"] = f"load:{profile}_pload"  # constant power factor
    for bus, p_mw, profile, kind, name in sgens:
        idx = pp.create_sgen(net, bus, p_mw=p_mw, name=name, type=kind.upper())
        net.sgen.at[idx, "profile_p"] = f"renewables:{profile}"
        net.sgen.at[idx, "kind"] = kind
    return net


def _ring(net: pp.pandapowerNet, station_bus: int, nodes: list[int], park: str) -> None:
    """A 10 kV cable ring station-n1-...-n6-station, open between n3 and n4 (normally-open point)."""
    chain = [station_bus, *nodes, station_bus]
    for k, (a, b) in enumerate(itertools.pairwise(chain)):
        std = CABLE if k in (0, 6) else CABLE_SMALL
        line = pp.create_line(net, a, b, CABLE_KM[k], std, name=f"{park} kabel {k + 1}")
        if k == 3:
            pp.create_switch(net, b, line, et="l", closed=False, name=f"{park} NOP")


def profile_shapes() -> pd.DataFrame:
    """SimBench profile shapes on the reference year (needs the simbench package; 5 s)."""
    import simbench as sb

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        net = sb.get_simbench_net(SHAPE_SOURCE)
    return reference_year_shapes(net.profiles)


def main() -> None:
    net = build_net()
    shapes = profile_shapes()
    used = sorted(set(net.load["profile_p"]) | set(net.load["profile_q"]) | set(net.sgen["profile_p"]))
    shapes = shapes[used]
    segment: Segment = segment_from_shapes(net, shapes, "twente", origin=OUT)
    save_segment(segment, OUT, shapes)
    print(f"wrote {OUT}: {len(net.bus)} buses, {len(net.line)} lines, {len(net.trafo)} trafos, "
          f"{len(net.load)} loads, {len(net.sgen)} sgens")


if __name__ == "__main__":
    main()
