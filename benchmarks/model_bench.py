"""Time build, hand-over, solve and extract of the energyhub model on synthetic scenarios.

Synthetic grid: 100 branches, base flows with a daily shape plus noise (a few % of steps over the limit on some
branches), PTDF columns with |entries| up to 0.9 on ~20 branches per hub (its feeder path) and ~0 elsewhere.
Each hub: demand, PV, a sizeable battery, an electrolyser (0-4 stacks of 2 MW, min load 20 %) with a hydrogen
store and demand; every other hub has a biogas engine. Medians of ``--runs`` runs.

    /work/venv/bin/python benchmarks/model_bench.py --hours 168 720 --hubs 1 4 10 --runs 3
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from energyhub.model.build import build_model
from energyhub.model.inputs import GridInputs
from energyhub.results.extract import to_dataset
from energyhub.scenario.data import ScenarioData
from energyhub.scenario.schema import Scenario
from energyhub.solve.highs import solve

N_BRANCH = 100


def scenario(n_hubs: int, hours: int) -> Scenario:
    hubs, assets = [], []
    for i in range(n_hubs):
        name = f"hub{i}"
        hubs.append({"name": name, "bus": f"seg/b{i}", "demand_mw": 0.0, "h2_demand_kg_per_h": 30.0,
                     "connection": {"import_mw": 8.0, "export_mw": 6.0},
                     "tariffs": {"monthly_peak_eur_per_kw": 3.0}, "pv": {"capacity_mw": 6.0, "profile_pu": 0.0}})
        assets.append({"type": "battery", "name": f"{name}-bat", "hub": name,
                       "energy_mwh": {"max": 40.0, "capex_eur_per_mwh": 250e3},
                       "power_mw": {"max": 10.0, "capex_eur_per_mw": 100e3}, "lifetime_years": 15})
        assets.append({"type": "electrolyser", "name": f"{name}-ely", "hub": name, "stack_mw": 2.0,
                       "stacks": {"max": 4}, "capex_eur_per_mw": 1.0e6, "min_load_frac": 0.2})
        assets.append({"type": "h2_storage", "name": f"{name}-tank", "hub": name,
                       "capacity_kg": {"max": 5000.0, "capex_eur_per_kg": 500.0}})
        if i % 2 == 1:
            assets.append({"type": "biogas", "name": f"{name}-gas", "hub": name, "unit_mw": 1.0,
                           "units": {"max": 2}, "capex_eur_per_mw": 8e5, "biogas_supply_mwh_per_day": 30.0,
                           "min_load_frac": 0.4, "min_up_h": 3.0, "start_cost_eur": 50.0})
    return Scenario.model_validate({
        "name": f"bench-{n_hubs}x{hours}", "time": {"start": "2030-01-01", "periods": hours},
        "grid": {"segments": [{"name": "seg", "source": "x", "zone": "NL"}]},
        "markets": [{"zone": "NL", "energy_price_eur_per_mwh": 0.0, "co2_price_eur_per_t": 80.0}],
        "hubs": hubs, "assets": assets,
    })


def make_inputs(n_hubs: int, hours: int, seed: int = 0) -> tuple[ScenarioData, GridInputs]:
    rng = np.random.default_rng(seed)
    times = pd.date_range("2030-01-01", periods=hours, freq="h")
    hod = np.asarray(times.hour)
    doy = np.asarray(times.dayofyear)
    solar = np.clip(np.sin((hod - 6) / 12 * np.pi), 0, None) * (0.6 + 0.4 * np.cos((doy - 172) / 365 * 2 * np.pi))
    price = 70 + 30 * np.sin((hod - 8) / 24 * 2 * np.pi) - 40 * solar + rng.normal(0, 12, hours)
    sc = scenario(n_hubs, hours)
    series = {
        "markets.NL.energy_price_eur_per_mwh": price,
        "markets.NL.export_price_eur_per_mwh": price,
        "markets.NL.grid_energy_tariff_eur_per_mwh": np.full(hours, 5.0),
        "markets.NL.co2_intensity_t_per_mwh": np.full(hours, 0.3),
    }
    for i in range(n_hubs):
        series[f"hubs.hub{i}.demand_mw"] = 3 + 2 * np.sin((hod - 10) / 24 * 2 * np.pi) + rng.normal(0, 0.3, hours)
        series[f"hubs.hub{i}.demand_mw"] = np.clip(series[f"hubs.hub{i}.demand_mw"], 0, None)
        series[f"hubs.hub{i}.h2_demand_kg_per_h"] = np.full(hours, 30.0)
        series[f"hubs.hub{i}.pv.profile_pu"] = solar
    ptdf = np.zeros((N_BRANCH, n_hubs))
    for i in range(n_hubs):
        path = rng.choice(N_BRANCH, 20, replace=False)
        ptdf[path, i] = rng.uniform(-0.9, 0.9, 20)
    ptdf += rng.normal(0, 1e-4, ptdf.shape) * (ptdf == 0)
    limit = rng.uniform(15, 40, N_BRANCH)
    shape = (0.55 + 0.35 * np.sin((hod - 18) / 24 * 2 * np.pi))[:, None] - 0.3 * solar[:, None]
    base = limit[None, :] * (shape * rng.uniform(0.6, 1.1, N_BRANCH)[None, :] + rng.normal(0, 0.05, (hours, N_BRANCH)))
    data = ScenarioData(sc, Path("bench.yaml"), times, series)
    grid = GridInputs([f"seg/l{b}" for b in range(N_BRANCH)], limit, base, ptdf, [f"hub{i}" for i in range(n_hubs)])
    return data, grid


def one_run(n_hubs: int, hours: int, gap: float, time_limit: float) -> dict[str, float]:
    data, grid = make_inputs(n_hubs, hours)
    hm = build_model(data, grid)
    res = solve(hm, {"mip_rel_gap": gap, "threads": 2, "time_limit": time_limit}, progress=lambda _m: None)
    to_dataset(hm, res)
    return {"build": res.timings_s["build"], "handover": res.timings_s["handover"], "solve": res.timings_s["solve"],
            "extract": res.timings_s["extract"], "cols": res.compiled.n_cols, "rows": len(res.compiled.rows),
            "net_rows": hm.info.get("network_rows", 0), "net_pairs": hm.info.get("network_pairs_total", 0),
            "gap": res.mip_gap, "status": res.status}  # type: ignore[dict-item]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--hours", type=int, nargs="+", default=[168, 720])
    ap.add_argument("--hubs", type=int, nargs="+", default=[1, 4, 10])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--gap", type=float, default=0.01)
    ap.add_argument("--time-limit", type=float, default=600.0)
    args = ap.parse_args()
    print("| horizon h | hubs | columns | rows | branch rows kept | build s | hand-over s | solve s | extract s "
          "| gap | status |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for hours in args.hours:
        for n_hubs in args.hubs:
            runs = [one_run(n_hubs, hours, args.gap, args.time_limit) for _ in range(args.runs)]
            med = {k: statistics.median(float(r[k]) for r in runs) for k in ("build", "handover", "solve", "extract")}
            r0 = runs[0]
            kept = f"{r0['net_rows']:,} / {r0['net_pairs']:,}"
            print(f"| {hours} | {n_hubs} | {r0['cols']:,} | {r0['rows']:,} | {kept} | {med['build']:.2f} | "
                  f"{med['handover']:.2f} | {med['solve']:.2f} | {med['extract']:.2f} | {r0['gap']:.2%} | "
                  f"{r0['status']} |", flush=True)


if __name__ == "__main__":
    main()
