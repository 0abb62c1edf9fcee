"""Turn a solved HubModel into an ``xarray.Dataset`` (dims ``time``, ``hub``, ``asset``, ``branch``, ``link``).

The hub, branch and grid-exchange variables are the system's; every other variable is declared by a component of
the registry (:class:`energyhub.model.registry.Output`) and filled by its ``extract``. Sign convention of ``p_mw``
per asset: positive = electricity delivered to the hub (battery discharge − charge, biogas output, −electrolyser
consumption). Branch flows are recomputed as ``base + PTDF × (export − import)``
so that they hold for every flow model; ``loading_pct`` is |flow| / rating. Units are in each variable's
``attrs["units"]``. The AC check adds its own variables later (``xr.merge``).
"""

from __future__ import annotations

import time as _time
from typing import Any

import numpy as np
import xarray as xr

from energyhub.model.core import HubModel
from energyhub.model.registry import components, outputs
from energyhub.solve.highs import SolveResult

TIME, HUB, ASSET, BRANCH, LINK = "time", "hub", "asset", "branch", "link"


def _series(res: SolveResult, var: Any, key: Any, steps: range) -> np.ndarray:
    return res.values(var, [(key, t) for t in steps])


def _da(values: np.ndarray, dims: tuple[str, ...], units: str, description: str) -> xr.DataArray:
    return xr.DataArray(values, dims=dims, attrs={"units": units, "long_name": description,
                                                  "description": description})


def _time_coord(hm: HubModel) -> Any:
    return hm.time.times if hm.time.times is not None else np.arange(hm.time.n)


def hub_net_import_mw(hm: HubModel, res: SolveResult) -> np.ndarray:
    """Import − export per step and hub (T × H) in the hub order of the grid inputs."""
    m = hm.m
    out = np.zeros((hm.time.n, len(hm.grid.hub_names)))
    for j, h in enumerate(hm.grid.hub_names):
        if h in hm.hubs:
            out[:, j] = _series(res, m.imp_mw, h, hm.steps) - _series(res, m.exp_mw, h, hm.steps)
    return out


def effective_limit_mw(hm: HubModel, res: SolveResult) -> np.ndarray:
    """Branch limits including what components add in the solution (built reinforcements) (B,)."""
    limit = hm.grid.limit_mw.copy()
    for component in components():
        if component.branch_limit_mw is not None:
            limit = limit + component.branch_limit_mw(hm, res.value)
    return limit


def _hub_vars(hm: HubModel, res: SolveResult) -> dict[str, xr.DataArray]:
    m, steps, hubs = hm.m, hm.steps, hm.hubs
    get = {name: np.stack([_series(res, getattr(m, name), h, steps) for h in hubs], axis=1)
           for name in ("imp_mw", "exp_mw", "gen_mw", "shed_mw")}
    avail = np.stack([hm.info["generation_available_mw"][h] for h in hubs], axis=1)
    demand = np.stack([hm.hub_series(h, "demand_mw") for h in hubs], axis=1)
    price = np.stack([hm.market_series(hm.hub_zone(h), "energy_price_eur_per_mwh") for h in hubs], axis=1)
    d = (TIME, HUB)
    return {
        "import_mw": _da(get["imp_mw"], d, "MW", "import from the grid"),
        "export_mw": _da(get["exp_mw"], d, "MW", "export to the grid"),
        "demand_mw": _da(demand, d, "MW", "electricity demand"),
        "shed_mw": _da(get["shed_mw"], d, "MW", "load shed"),
        "generation_available_mw": _da(avail, d, "MW", "local PV + wind before curtailment"),
        "generation_used_mw": _da(get["gen_mw"], d, "MW", "local PV + wind used"),
        "curtailed_mw": _da(np.maximum(avail - get["gen_mw"], 0.0), d, "MW", "local PV + wind curtailed"),
        "price_eur_per_mwh": _da(price, d, "EUR/MWh", "zone energy price"),
    }


def _component_vars(hm: HubModel, res: SolveResult, elements: dict[str, list[str]]) -> dict[str, xr.DataArray]:
    """Every output the registry's components declare for this scenario: NaN for assets without it (storage levels
    of non-storage assets), 0 for hubs and links."""
    declared = outputs(hm.scenario)
    arrays = {name: np.full((hm.time.n, len(elements[o.dim])), np.nan if o.dim == ASSET else 0.0)
              for name, o in declared.items()}
    col = {dim: {e: j for j, e in enumerate(names)} for dim, names in elements.items()}

    def values(var: Any, key: Any) -> np.ndarray:
        return _series(res, var, key, hm.steps)

    for component in components():
        if component.extract is None or not component.writes_outputs(hm.scenario):
            continue
        for name, by_element in component.extract(hm, values).items():
            dim = declared[name].dim
            for element, series in by_element.items():
                arrays[name][:, col[dim][element]] = series
    return {name: _da(arrays[name], (TIME, o.dim), o.units, o.description) for name, o in declared.items()}


def _branch_vars(hm: HubModel, res: SolveResult) -> dict[str, xr.DataArray]:
    grid = hm.grid
    flows = grid.base_flow_mw - hub_net_import_mw(hm, res) @ grid.ptdf_hub.T
    limit = effective_limit_mw(hm, res)
    rating = np.asarray(grid.rating_mva) + (limit - grid.limit_mw) / grid.limit_factor
    d = (TIME, BRANCH)
    return {
        "flow_mw": _da(flows, d, "MW", "DC branch flow"),
        "loading_pct": _da(100.0 * np.abs(flows) / np.maximum(rating, 1e-9), d, "%", "DC loading of the rating"),
        "overload_mw": _da(np.maximum(np.abs(flows) - limit, 0.0), d, "MW", "DC flow above the limit"),
        "limit_mw": _da(limit, (BRANCH,), "MW", "flow limit incl. reinforcements"),
        "base_flow_mw": _da(grid.base_flow_mw, d, "MW", "DC flow without the hubs"),
    }


def to_dataset(hm: HubModel, res: SolveResult) -> xr.Dataset:
    """Dispatch, storage levels, flows and prices of a solved model."""
    t0 = _time.perf_counter()
    specs = [a for a in hm.scenario.assets if a.at_branch is None]  # assets with dispatch (not reinforcements)
    assets = [a.name for a in specs]
    elements = {ASSET: assets, HUB: hm.hubs, LINK: [lk.name for lk in hm.scenario.links]}
    variables: dict[str, xr.DataArray] = {}
    variables.update(_hub_vars(hm, res))
    variables.update(_component_vars(hm, res, elements))
    variables.update(_branch_vars(hm, res))
    variables["weight"] = _da(hm.time.weight, (TIME,), "1", "annual scaling of each step")
    coords = {TIME: _time_coord(hm), HUB: hm.hubs, ASSET: assets, BRANCH: list(hm.grid.branch_names),
              LINK: [lk.name for lk in hm.scenario.links],
              "link_carrier": (LINK, [str(lk.carrier) for lk in hm.scenario.links]),
              "asset_type": (ASSET, [str(a.type) for a in specs]),
              "asset_hub": (ASSET, [a.at_hub or "" for a in specs])}
    ds = xr.Dataset(variables, coords=coords, attrs={"scenario": hm.scenario.name, "step_h": hm.time.step_h,
                                                     "status": res.status})
    res.timings_s["extract"] = _time.perf_counter() - t0
    return ds
