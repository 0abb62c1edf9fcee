"""Build small scenarios for model tests directly from dicts and arrays (no files)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from energyhub.model.build import build_model
from energyhub.model.core import HubModel
from energyhub.model.inputs import GridInputs
from energyhub.scenario.components import HUB_SERIES
from energyhub.scenario.data import ScenarioData
from energyhub.scenario.schema import Scenario
from energyhub.solve.highs import SolveResult, solve

OPTIONS: dict[str, Any] = {"mip_rel_gap": 1e-9, "threads": 1, "time_limit": 60.0, "random_seed": 1}


def hub(name: str, import_mw: float = 100.0, export_mw: float = 100.0, bus: str = "seg/b1", **kw: Any) -> dict:
    conn = {"import_mw": import_mw, "export_mw": export_mw, **kw.pop("connection", {})}
    return {"name": name, "bus": bus, "connection": conn, **kw}


def make_data(
    periods: int,
    hubs: list[dict],
    assets: list[dict] | None = None,
    series: dict[str, Any] | None = None,
    markets: list[dict] | None = None,
    start: str = "2030-01-01 00:00",
    resolution: str = "1h",
    **extra: Any,
) -> ScenarioData:
    """A ScenarioData of a scenario dict; ``series`` overrides any series key with an array."""
    zones = list(dict.fromkeys(str(m["zone"]) for m in markets)) if markets else ["NL"]
    raw = {
        "name": "test",
        "time": {"start": start, "periods": periods, "resolution": resolution, **extra.pop("time", {})},
        "grid": {"segments": [{"name": "seg", "source": "x", "zone": zones[0]}],
                 "dc_margin_pct": 0.0, **extra.pop("grid", {})},
        "markets": markets or [{"zone": "NL", "energy_price_eur_per_mwh": 0.0}],
        "hubs": hubs,
        "assets": assets or [],
        **extra,
    }
    for z in zones[1:]:
        raw["grid"]["segments"].append({"name": f"seg{z}", "source": "x", "zone": z})
    scenario = Scenario.model_validate(raw)
    step = scenario.time.step_min
    times = pd.date_range(pd.Timestamp(start), periods=periods, freq=f"{step}min")
    data: dict[str, np.ndarray] = {}
    for m in scenario.markets:
        for f in ("energy_price_eur_per_mwh", "grid_energy_tariff_eur_per_mwh", "co2_intensity_t_per_mwh"):
            data[f"markets.{m.zone}.{f}"] = np.full(periods, float(getattr(m, f)))
        exp = m.export_price_eur_per_mwh
        data[f"markets.{m.zone}.export_price_eur_per_mwh"] = (
            data[f"markets.{m.zone}.energy_price_eur_per_mwh"] if exp is None else np.full(periods, float(exp))
        )
    for h in scenario.hubs:
        data[f"hubs.{h.name}.demand_mw"] = np.full(periods, float(h.demand_mw))
        data[f"hubs.{h.name}.h2_demand_kg_per_h"] = np.full(periods, float(h.h2_demand_kg_per_h))
        for name in HUB_SERIES:  # demands components add to hubs (e.g. heat), constants here
            data[f"hubs.{h.name}.{name}"] = np.full(periods, float(getattr(h, name)))
        for kind in ("pv", "wind"):
            gen = getattr(h, kind)
            if gen is not None:
                data[f"hubs.{h.name}.{kind}.profile_pu"] = np.full(periods, float(gen.profile_pu))
    for a in scenario.assets:
        for name in a.SERIES_FIELDS:
            data[f"assets.{a.name}.{name}"] = np.full(periods, float(getattr(a, name)))
    for key, value in (series or {}).items():
        arr = np.asarray(value, dtype=float)
        data[key] = arr if arr.shape == (periods,) else np.full(periods, float(arr))
    return ScenarioData(scenario, Path("test.yaml"), times, data)


def no_grid(data: ScenarioData) -> GridInputs:
    return GridInputs.empty([h.name for h in data.scenario.hubs], len(data.times))


def one_branch(data: ScenarioData, limit_mw: float, base_flow_mw: Any, ptdf: list[float]) -> GridInputs:
    """One branch 'seg/line' with the given PTDF per hub (MW flow per MW injected)."""
    n = len(data.times)
    base = np.broadcast_to(np.asarray(base_flow_mw, dtype=float), (n,)).reshape(n, 1)
    return GridInputs(["seg/line"], np.array([limit_mw]), base, np.array([ptdf]),
                      [h.name for h in data.scenario.hubs])


def run(data: ScenarioData, grid: GridInputs | None = None, **kw: Any) -> tuple[HubModel, SolveResult]:
    hm = build_model(data, grid if grid is not None else no_grid(data), **kw)
    return hm, solve(hm, OPTIONS)
