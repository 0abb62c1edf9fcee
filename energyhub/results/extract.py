"""Turn a solved HubModel into an ``xarray.Dataset`` (dims ``time``, ``hub``, ``asset``, ``branch``, ``link``).

Sign convention of ``p_mw`` per asset: positive = electricity delivered to the hub (battery discharge − charge,
biogas output, −electrolyser consumption). Branch flows are recomputed as ``base + PTDF × (export − import)``
so that they hold for every flow model; ``loading_pct`` is |flow| / rating. Units are in each variable's
``attrs["units"]``. The AC check adds its own variables later (``xr.merge``).
"""

from __future__ import annotations

import time as _time
from typing import Any

import numpy as np
import xarray as xr

from energyhub.model.core import HubModel
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
    """Branch limits including the reinforcements that were built (B,)."""
    limit = hm.grid.limit_mw.copy()
    for b, extra in hm.info.get("reinforcement_by_branch", {}).items():
        limit[b] += sum(mva * round(res.value(hm.m.reinf_build[r])) for r, mva in extra)
    return limit


def _hub_vars(hm: HubModel, res: SolveResult) -> dict[str, xr.DataArray]:
    m, steps, hubs = hm.m, hm.steps, hm.hubs
    get = {name: np.stack([_series(res, getattr(m, name), h, steps) for h in hubs], axis=1)
           for name in ("imp_mw", "exp_mw", "gen_mw", "shed_mw")}
    avail = np.stack([hm.info["generation_available_mw"][h] for h in hubs], axis=1)
    demand = np.stack([hm.hub_series(h, "demand_mw") for h in hubs], axis=1)
    price = np.stack([hm.market_series(hm.hub_zone(h), "energy_price_eur_per_mwh") for h in hubs], axis=1)
    h2_demand = np.stack([hm.hub_series(h, "h2_demand_kg_per_h") for h in hubs], axis=1)
    short = np.zeros_like(h2_demand)
    for j, h in enumerate(hubs):
        if h in hm.info.get("h2_hubs", []):
            short[:, j] = _series(res, m.h2_short_kg_per_h, h, steps)
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
        "h2_demand_kg_per_h": _da(h2_demand, d, "kg/h", "hydrogen demand"),
        "h2_shortfall_kg_per_h": _da(short, d, "kg/h", "unmet hydrogen demand"),
    }


def _asset_vars(hm: HubModel, res: SolveResult, assets: list[str]) -> dict[str, xr.DataArray]:
    m, steps = hm.m, hm.steps
    shape = (hm.time.n, len(assets))
    arrays = {k: np.full(shape, np.nan) for k in ("p_mw", "soc_mwh", "h2_kg_per_h", "h2_level_kg",
                                                   "gas_level_mwh", "units_on")}
    col = {a: j for j, a in enumerate(assets)}
    for a in hm.assets_of("battery"):
        dis, ch = _series(res, m.bat_dis_mw, a.name, steps), _series(res, m.bat_ch_mw, a.name, steps)
        arrays["p_mw"][:, col[a.name]] = dis - ch
        arrays["soc_mwh"][:, col[a.name]] = _series(res, m.bat_soc_mwh, a.name, steps)
    for a in hm.assets_of("electrolyser"):
        arrays["p_mw"][:, col[a.name]] = -_series(res, m.ely_p_mw, a.name, steps)
        arrays["h2_kg_per_h"][:, col[a.name]] = _series(res, m.ely_h2_kg_per_h, a.name, steps)
        arrays["units_on"][:, col[a.name]] = _series(res, m.ely_run, a.name, steps)
    for a in hm.assets_of("biogas"):
        arrays["p_mw"][:, col[a.name]] = _series(res, m.gas_p_mw, a.name, steps)
        arrays["units_on"][:, col[a.name]] = _series(res, m.gas_on, a.name, steps)
        if a.name in hm.info.get("gas_stores", []):
            arrays["gas_level_mwh"][:, col[a.name]] = _series(res, m.gas_level_mwh, a.name, steps)
    for a in hm.assets_of("h2_storage"):
        dis, ch = _series(res, m.h2s_dis, a.name, steps), _series(res, m.h2s_ch, a.name, steps)
        arrays["h2_kg_per_h"][:, col[a.name]] = dis - ch
        arrays["h2_level_kg"][:, col[a.name]] = _series(res, m.h2s_level_kg, a.name, steps)
    d = (TIME, ASSET)
    units = {"p_mw": "MW", "soc_mwh": "MWh", "h2_kg_per_h": "kg/h", "h2_level_kg": "kg", "gas_level_mwh": "MWh",
             "units_on": "1"}
    text = {"p_mw": "electricity to the hub (+) or from it (−)", "soc_mwh": "battery state of charge",
            "h2_kg_per_h": "hydrogen produced (electrolyser) or released from storage (+)",
            "h2_level_kg": "hydrogen storage level", "gas_level_mwh": "biogas storage level",
            "units_on": "running stacks / engines"}
    return {k: _da(v, d, units[k], text[k]) for k, v in arrays.items()}


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


def _link_vars(hm: HubModel, res: SolveResult) -> dict[str, xr.DataArray]:
    m, steps = hm.m, hm.steps
    links = hm.scenario.links
    flow = np.zeros((hm.time.n, len(links)))
    for j, lk in enumerate(links):
        flow[:, j] = _series(res, m.link_fwd, lk.name, steps)
        if lk.bidirectional:
            flow[:, j] -= _series(res, m.link_bwd, lk.name, steps)
    return {"link_flow": _da(flow, (TIME, LINK), "kg/h (hydrogen) or MW (biogas)", "from_hub → to_hub (+)")}


def to_dataset(hm: HubModel, res: SolveResult) -> xr.Dataset:
    """Dispatch, storage levels, flows and prices of a solved model."""
    t0 = _time.perf_counter()
    specs = [a for a in hm.scenario.assets if a.type != "reinforcement"]
    assets = [a.name for a in specs]
    variables: dict[str, xr.DataArray] = {}
    variables.update(_hub_vars(hm, res))
    variables.update(_asset_vars(hm, res, assets))
    variables.update(_branch_vars(hm, res))
    variables.update(_link_vars(hm, res))
    variables["weight"] = _da(hm.time.weight, (TIME,), "1", "annual scaling of each step")
    coords = {TIME: _time_coord(hm), HUB: hm.hubs, ASSET: assets, BRANCH: list(hm.grid.branch_names),
              LINK: [lk.name for lk in hm.scenario.links],
              "link_carrier": (LINK, [str(lk.carrier) for lk in hm.scenario.links]),
              "asset_type": (ASSET, [str(a.type) for a in specs]),
              "asset_hub": (ASSET, [str(getattr(a, "hub", "")) for a in specs])}
    ds = xr.Dataset(variables, coords=coords, attrs={"scenario": hm.scenario.name, "step_h": hm.time.step_h,
                                                     "status": res.status})
    res.timings_s["extract"] = _time.perf_counter() - t0
    return ds
