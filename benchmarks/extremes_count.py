"""How many days the sizing on typical periods gets: typical days plus extreme days (tsam "new_cluster").

Runs only the aggregation (no model, no solve) of the reference study, the regional study and a
``model_bench.py``-like synthetic case (10 hubs, a year, 100 branches), and prints per case the typical periods
asked for, the extreme-period columns handed to tsam (hub demand peaks; branch overloads, one per group of branches:
:func:`energyhub.model.aggregate.overload_groups`) and the periods the sizing ends up with.

    python benchmarks/extremes_count.py
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np
import pandas as pd

from energyhub.model import aggregate as agg
from energyhub.model.inputs import GridInputs
from energyhub.pipeline import Timings, model_inputs, prepare
from energyhub.scenario.data import ScenarioData

ROOT = Path(__file__).resolve().parents[1]


def count(name: str, data: ScenarioData, grid: GridInputs) -> None:
    spec = data.scenario.time.aggregation
    assert spec is not None
    affected = agg._affected_branches(data, grid)
    n = (len(data.times) // round(spec.hours_per_period / data.step_h)) * round(spec.hours_per_period / data.step_h)
    frame = pd.DataFrame({f"__flow{b}": grid.base_flow_mw[:n, b] for b in affected}, index=data.times[:n])
    for h in data.scenario.hubs:
        frame[f"hubs.{h.name}.demand_mw"] = data.series[f"hubs.{h.name}.demand_mw"][:n]
    frame = frame[[c for c in frame.columns if np.ptp(frame[c].to_numpy()) > 1e-12]]
    ext = agg._extremes(frame, grid, affected, data)
    over = sum(1 for b in affected if grid.base_flow_mw[:, b].max() > grid.limit_mw[b])
    over += sum(1 for b in affected if grid.base_flow_mw[:, b].min() < -grid.limit_mw[b])
    tg, _, _ = agg.aggregate(data, grid, spec)
    print(f"| {name} | {len(data.scenario.hubs)} | {len(affected)} | {over} | {len(ext.max_value)} + "
          f"{len(ext.min_value)} | {spec.typical_periods} | {len(tg.segment_start)} |", flush=True)


def main() -> None:
    print("| case | hubs | branches seen | overloaded (branch, direction) | extreme columns (max + min) | "
          "typical periods | periods in the sizing |")
    print("|---|---|---|---|---|---|---|")
    for scenario in ("twente-muensterland-2030.yaml", "twente-muensterland-regional-2030.yaml"):
        prep = prepare(ROOT / "scenarios" / scenario, Timings())
        count(scenario, prep.data, model_inputs(prep, Timings()))
    import model_bench

    data, grid = model_bench.make_inputs(10, 8760, typical_periods=12)
    count("model_bench 10 hubs, year", data, grid)


if __name__ == "__main__":
    main()
