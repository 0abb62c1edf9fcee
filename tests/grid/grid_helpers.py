"""Reference power flows with pandapower for the grid tests."""

from __future__ import annotations

import warnings

import numpy as np
import pandapower as pp

from energyhub.grid.network import ModelGrid


def set_elements(grid: ModelGrid, load_p: np.ndarray, load_q: np.ndarray, sgen_p: np.ndarray) -> None:
    grid.net.load["p_mw"] = load_p
    grid.net.load["q_mvar"] = load_q
    grid.net.sgen["p_mw"] = sgen_p


def branch_results(grid: ModelGrid, column_line: str, column_trafo: str) -> np.ndarray:
    kind = np.asarray(grid.branch_kind)
    out = np.empty(grid.n_branch)
    out[kind == "line"] = grid.net.res_line.loc[grid.branch_element[kind == "line"], column_line].to_numpy()
    out[kind == "trafo"] = grid.net.res_trafo.loc[grid.branch_element[kind == "trafo"], column_trafo].to_numpy()
    return out


def run(grid: ModelGrid, ac: bool) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if ac:
            pp.runpp(grid.net, numba=False, calculate_voltage_angles=True)
        else:
            pp.rundcpp(grid.net, numba=False)
