"""Build the Münsterland segment (networks/muensterland/) from SimBench: run with the venv python.

    python networks/build_muensterland.py

Source: SimBench ``1-HV-mixed--2-no_sw`` (German 110 kV benchmark grid, mixed rural/urban, scenario 2 = 2034,
no switches), converted by :func:`energyhub.grid.simbench_source.convert_simbench` (see networks/README.md).
Names stay SimBench's; only the segment prefix ``muensterland/`` is added when segments are merged.
"""

from __future__ import annotations

from pathlib import Path

from energyhub.grid.segments import save_segment
from energyhub.grid.simbench_source import convert_simbench

CODE = "1-HV-mixed--2-no_sw"
OUT = Path(__file__).resolve().parent / "muensterland"


def main() -> None:
    segment, shapes = convert_simbench(CODE, "muensterland")
    used = sorted(
        {*segment.net.load["profile_p"], *segment.net.load["profile_q"], *segment.net.sgen["profile_p"]} - {""}
    )
    segment.net.name = f"muensterland (SimBench {CODE})"
    save_segment(segment, OUT, shapes[used])
    net = segment.net
    print(f"wrote {OUT}: {len(net.bus)} buses, {len(net.line)} lines, {len(net.trafo)} trafos, "
          f"{len(net.load)} loads, {len(net.sgen)} sgens, {len(net.ext_grid)} external grids")


if __name__ == "__main__":
    main()
