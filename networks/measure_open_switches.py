"""Measure what energyhub's open-switch convention changes against pandapower's, on a shipped segment.

energyhub takes a line or transformer with an open line/trafo switch out of the model (``in_service`` false).
pandapower keeps such a line live from its closed end: it carries its own charging current, which loads the
line itself and, as reactive power, the cables and transformer upstream. This script runs ``pandapower.runpp``
on both versions of the grid for evenly spaced steps of the reference year and reports the largest difference
in loading (percentage points) of the branches both versions have, and the loading pandapower gives the open
lines themselves. Figures are quoted in ``networks/README.md``.

Run from the repository root: ``python networks/measure_open_switches.py twente --steps 365``
"""

from __future__ import annotations

import argparse
import copy
import logging
import warnings
from pathlib import Path

import numpy as np
import pandapower as pp
from pandapower.auxiliary import pandapowerNet

from energyhub.grid.merge import open_switched_branches
from energyhub.grid.segments import Segment, load_segment
from energyhub.grid.timeaxis import N_REFERENCE_STEPS


def loadings(net: pandapowerNet) -> tuple[np.ndarray, np.ndarray]:
    """Line and trafo loading in percent after a power flow (NaN for out-of-service elements)."""
    return net.res_line["loading_percent"].to_numpy(float), net.res_trafo["loading_percent"].to_numpy(float)


def set_step(net: pandapowerNet, segment: Segment, step: int, growth: dict[str, float]) -> None:
    kind = np.asarray(segment.sgen_kind)
    sgen_growth = np.where(kind == "pv", growth["pv"], np.where(kind == "wind", growth["wind"], 1.0))
    net.load["p_mw"] = segment.load_p_mw[step] * growth["load"]
    net.load["q_mvar"] = segment.load_q_mvar[step] * growth["load"]
    net.sgen["p_mw"] = segment.sgen_p_mw[step] * sgen_growth


def measure(name: str, n_steps: int, growth: dict[str, float]) -> dict[str, float | int | str]:
    segment = load_segment(name, name, Path.cwd())
    as_pandapower = copy.deepcopy(segment.net)
    as_energyhub = copy.deepcopy(segment.net)
    open_switched_branches(as_energyhub)
    open_lines = as_pandapower.line["in_service"].to_numpy(bool) & ~as_energyhub.line["in_service"].to_numpy(bool)
    both_lines = as_energyhub.line["in_service"].to_numpy(bool)
    worst_pp, worst_open_pct, worst_step, worst_branch = 0.0, 0.0, -1, ""
    names = [f"line {n}" for n in as_energyhub.line["name"]] + [f"trafo {n}" for n in as_energyhub.trafo["name"]]
    for step in np.linspace(0, N_REFERENCE_STEPS - 1, n_steps).astype(int):
        results = []
        for net in (as_pandapower, as_energyhub):
            set_step(net, segment, int(step), growth)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                pp.runpp(net, numba=False, calculate_voltage_angles=True)
            results.append(loadings(net))
        (line_pp, trafo_pp), (line_eh, trafo_eh) = results
        diff = np.r_[np.where(both_lines, np.abs(line_pp - line_eh), 0.0), np.abs(trafo_pp - trafo_eh)]
        if diff.max() > worst_pp:
            worst_pp, worst_step, worst_branch = float(diff.max()), int(step), names[int(diff.argmax())]
        worst_open_pct = max(worst_open_pct, float(line_pp[open_lines].max()))
    return {"max_difference_pp": worst_pp, "at_reference_step": worst_step, "on_branch": worst_branch,
            "max_open_line_loading_pct_in_pandapower": worst_open_pct, "open_lines": int(open_lines.sum())}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("segment", help="a folder name under networks/, e.g. twente")
    parser.add_argument("--steps", type=int, default=365, help="evenly spaced 15-min steps of the reference year")
    parser.add_argument("--growth", type=float, nargs=3, default=(1.0, 1.0, 1.0), metavar=("LOAD", "PV", "WIND"))
    args = parser.parse_args()
    logging.getLogger("pandapower").setLevel(logging.ERROR)  # its numba notice
    growth = dict(zip(("load", "pv", "wind"), args.growth, strict=True))
    for key, value in measure(args.segment, args.steps, growth).items():
        print(f"{key:42s} {value:.4g}" if isinstance(value, float) else f"{key:42s} {value}")


if __name__ == "__main__":
    main()
