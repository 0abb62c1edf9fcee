"""Summary figures of a solved model: capacities, annual costs by category, and KPIs.

Energy KPIs are totals over the modelled horizon (for representative periods: weighted by their occurrences, so
again over the original horizon). Costs are annual (EUR per year), as in the objective. ``summary["kpis"]`` is
a flat dict that later stages (the AC check) extend.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import xarray as xr

from energyhub.model.core import HubModel
from energyhub.model.registry import component_of, components
from energyhub.model.sizes import size_vars
from energyhub.solve.highs import SolveResult


def capacities(hm: HubModel, res: SolveResult) -> dict[str, float]:
    """Every size decision, keys with units (``hengelo-battery.energy_mwh``), plus the power of counted units
    (electrolyser stacks, biogas engines: ``power_mw``) and a reinforcement's added rating (``added_mva``)."""
    out = {name: round(res.value(var), 9) for name, var in size_vars(hm).items()}
    for asset in hm.scenario.assets:
        component = component_of(asset.type)
        for unit in component.per_unit if component is not None else ():
            if f"{asset.name}.{unit.count}" in out:
                per_unit = float(getattr(asset, unit.field))
                out[f"{asset.name}.{unit.key}"] = round(out[f"{asset.name}.{unit.count}"] * per_unit, 9)
    return out


def costs_eur(hm: HubModel, res: SolveResult) -> dict[str, float]:
    """Annual cost by category (EUR per year); ``total`` equals the objective."""
    out: dict[str, float] = {}
    for category in sorted({*hm.cost_terms, *hm.cost_const}):
        terms = hm.cost_terms.get(category, [])
        value = float(sum(c * res.value(v) for c, v in terms)) + hm.cost_const.get(category, 0.0)
        out[category] = value
    out["total"] = float(sum(out.values()))
    return out


def _horizon_sum(ds: xr.Dataset, name: str, hm: HubModel) -> xr.DataArray:
    """Σ_t x[t] × Δt × occurrences[t] over the original horizon."""
    factor = ds["weight"] * hm.data.horizon_h / 8760.0 * hm.time.step_h
    return (ds[name].fillna(0.0) * factor).sum("time")


def kpis(hm: HubModel, res: SolveResult, ds: xr.Dataset) -> dict[str, Any]:
    """Energy, grid and CO2 figures over the horizon, and those of every component in the registry."""
    co2 = 0.0
    for h in hm.hubs:
        intensity = hm.market_series(hm.hub_zone(h), "co2_intensity_t_per_mwh")
        imp = ds["import_mw"].sel(hub=h).to_numpy()
        co2 += float(np.sum(imp * intensity * ds["weight"].to_numpy()) * hm.data.horizon_h / 8760.0 * hm.time.step_h)
    out: dict[str, Any] = {
        "overload_mwh_after": float(_horizon_sum(ds, "overload_mw", hm).sum()),
        "curtailed_mwh": float(_horizon_sum(ds, "curtailed_mw", hm).sum()),
        "shed_mwh": float(_horizon_sum(ds, "shed_mw", hm).sum()),
    }
    for component in components():
        if component.kpis is not None and component.writes_outputs(hm.scenario):
            out.update(component.kpis(hm, lambda name: _horizon_sum(ds, name, hm)))
    return out | {
        "grid_import_mwh": float(_horizon_sum(ds, "import_mw", hm).sum()),
        "grid_export_mwh": float(_horizon_sum(ds, "export_mw", hm).sum()),
        "peak_import_mw": {h: float(ds["import_mw"].sel(hub=h).max()) for h in hm.hubs},
        "co2_t": co2,
    }


def summary(hm: HubModel, res: SolveResult, ds: xr.Dataset) -> dict[str, Any]:
    """The ``summary.json`` content: status, objective, gap, timings, capacities, costs and KPIs."""
    return {
        "scenario": hm.scenario.name,
        "status": res.status,
        "objective_eur_per_year": res.objective_eur,
        "mip_gap": res.mip_gap,
        "timings_s": dict(res.timings_s),
        "model_size": {"columns": res.compiled.n_cols, "rows": len(res.compiled.rows),
                       "network_rows": hm.info.get("network_rows", 0)},
        "capacities": capacities(hm, res),
        "costs_eur": costs_eur(hm, res),
        "kpis": kpis(hm, res, ds),
    }
