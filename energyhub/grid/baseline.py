"""Congestion of the grid without any hub: KPIs per branch and a dataset of DC and AC loadings and voltages.

Pure functions on plain arrays (and a :class:`ModelGrid`); the CLI ``energyhub baseline`` wraps them.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from energyhub.grid.ac import AcResult, AcSolver
from energyhub.grid.network import ModelGrid

__all__ = ["baseline_dataset", "congestion_kpis", "run_baseline"]


def congestion_kpis(
    loading_pct: np.ndarray,
    limit_pct: float,
    branch_limit_mva: np.ndarray,
    step_h: float,
    times: pd.DatetimeIndex,
    branch_names: list[str],
    vm_pu: np.ndarray | None = None,
    bus_names: list[str] | None = None,
    v_band_pu: tuple[float, float] = (0.9, 1.1),
    top_n: int = 10,
) -> dict[str, Any]:
    """Congestion KPIs of a loading time series (T × B, percent of each branch's limit).

    Per branch: ``overloaded_h`` (steps above ``limit_pct`` × ``step_h``), ``worst_loading_pct``, ``worst_time``
    and ``energy_above_limit_mwh`` = Σ max(0, loading − limit_pct)/100 × branch_limit_mva × step_h (the MVA
    above the limit, counted as MW, times the step). Steps with NaN (not converged) are not counted and are
    listed in ``nan_steps``. With ``vm_pu`` (T × N): per bus hours below/above ``v_band_pu``.
    ``top`` lists the ``top_n`` branches with the most overloaded hours (then worst loading), each with
    the first and last congested step and the hours of day in which it congests.
    """
    loading = np.asarray(loading_pct, dtype=np.float64)
    excess_pct = np.clip(np.nan_to_num(loading, nan=0.0) - limit_pct, 0.0, None)
    over = excess_pct > 0
    overloaded_h = over.sum(axis=0) * step_h
    energy_mwh = (excess_pct / 100.0 * branch_limit_mva).sum(axis=0) * step_h
    finite = np.isfinite(loading)
    has_any = finite.any(axis=0)
    worst = np.where(has_any, np.nanmax(np.where(finite, loading, -np.inf), axis=0), np.nan)
    worst_step = np.argmax(np.where(finite, loading, -np.inf), axis=0)
    branches = pd.DataFrame(
        {
            "overloaded_h": overloaded_h,
            "worst_loading_pct": worst,
            "worst_time": times[worst_step],
            "energy_above_limit_mwh": energy_mwh,
            "limit_mva": branch_limit_mva,
        },
        index=pd.Index(branch_names, name="branch"),
    )
    result: dict[str, Any] = {
        "limit_pct": limit_pct,
        "step_h": step_h,
        "branches": branches,
        "overloaded_steps": int(over.any(axis=1).sum()),
        "overloaded_h_any_branch": float(over.any(axis=1).sum() * step_h),
        "energy_above_limit_mwh": float(energy_mwh.sum()),
        "nan_steps": list(times[np.asarray(~finite.all(axis=1), dtype=bool)]) if loading.size else [],
        "top": _top_branches(branches, over, times, top_n),
    }
    if vm_pu is not None:
        result["buses"] = _voltage_kpis(vm_pu, v_band_pu, step_h, bus_names)
    return result


def _top_branches(branches: pd.DataFrame, over: np.ndarray, times: pd.DatetimeIndex, n: int) -> list[dict]:
    ranked = branches[branches["overloaded_h"] > 0].sort_values(
        ["overloaded_h", "worst_loading_pct"], ascending=False
    )
    top = []
    position = {name: i for i, name in enumerate(branches.index)}
    overloaded_h = branches["overloaded_h"].to_numpy(float)
    worst = branches["worst_loading_pct"].to_numpy(float)
    for name in ranked.index[:n]:
        col = position[name]
        steps = np.flatnonzero(over[:, col])
        hours = np.bincount(np.asarray(times[steps].hour), minlength=24)
        months = np.bincount(np.asarray(times[steps].month) - 1, minlength=12)
        top.append(
            {
                "branch": name,
                "overloaded_h": float(overloaded_h[col]),
                "worst_loading_pct": float(worst[col]),
                "worst_time": branches.at[name, "worst_time"],
                "first_time": times[steps[0]],
                "last_time": times[steps[-1]],
                "steps_by_hour_of_day": hours.tolist(),
                "steps_by_month": months.tolist(),
            }
        )
    return top


def _voltage_kpis(
    vm_pu: np.ndarray, band: tuple[float, float], step_h: float, bus_names: list[str] | None
) -> pd.DataFrame:
    vm = np.asarray(vm_pu, dtype=np.float64)
    names = bus_names if bus_names is not None else [str(i) for i in range(vm.shape[1])]
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a bus whose AC flow converged in no step: NaN, not a warning
        return pd.DataFrame(
            {
                "below_h": (vm < band[0]).sum(axis=0) * step_h,
                "above_h": (vm > band[1]).sum(axis=0) * step_h,
                "min_vm_pu": np.nanmin(vm, axis=0) if vm.size else np.nan,
                "max_vm_pu": np.nanmax(vm, axis=0) if vm.size else np.nan,
            },
            index=pd.Index(names, name="bus"),
        )


def baseline_dataset(
    grid: ModelGrid,
    times: pd.DatetimeIndex,
    dc_loading_pct: np.ndarray,
    ac: AcResult,
    injections_mw: np.ndarray | None = None,
) -> xr.Dataset:
    """Dataset with dims ``time``, ``branch``, ``bus``: DC/AC loading, AC voltages, limits; units in attrs."""
    coords = {"time": times, "branch": grid.branch_names, "bus": grid.bus_names}
    ds = xr.Dataset(
        {
            "dc_loading_pct": (("time", "branch"), dc_loading_pct, {"units": "%", "long_name": "DC loading"}),
            "ac_loading_pct": (("time", "branch"), ac.loading_pct, {"units": "%", "long_name": "AC loading"}),
            "vm_pu": (("time", "bus"), ac.vm_pu, {"units": "p.u.", "long_name": "AC voltage magnitude"}),
            "ac_converged": (("time",), ac.converged, {"long_name": "AC power flow converged"}),
            "branch_limit_mva": (("branch",), grid.branch_limit_mva, {"units": "MVA"}),
            "branch_kind": (("branch",), np.asarray(grid.branch_kind, dtype=str)),
        },
        coords=coords,
    )
    if injections_mw is not None:
        ds["p_inj_mw"] = (("time", "bus"), injections_mw, {"units": "MW", "long_name": "fixed net injection"})
    return ds


def run_baseline(
    grid: ModelGrid,
    times: pd.DatetimeIndex,
    resolution_min: int,
    growth_load: np.ndarray | float = 1.0,
    growth_pv: np.ndarray | float = 1.0,
    growth_wind: np.ndarray | float = 1.0,
) -> xr.Dataset:
    """DC and AC baseline of ``grid`` at ``times`` with the given growth factors (per segment)."""
    load_p, load_q, sgen_p = grid.element_values(times, resolution_min, growth_load, growth_pv, growth_wind)
    inj = grid.injections_from_elements(load_p, sgen_p)
    ac = AcSolver(grid).solve(load_p, load_q, sgen_p)
    ds = baseline_dataset(grid, times, grid.dc_loading_pct(inj), ac, inj)
    ds.attrs.update({"resolution_min": resolution_min, "segments": ", ".join(grid.segment_names)})
    return ds
