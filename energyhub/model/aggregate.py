"""Representative periods (tsam) for sizing: cluster the model's series into typical periods with weights.

Every series of the scenario (prices, demands, profiles, tariffs) and the base flow of every branch a hub can
affect (|PTDF| > 1e-3) are clustered together, period by period (``hours_per_period``), into
``typical_periods`` medoid (hierarchical, k_medoids) or centroid (k_means) periods; only whole periods of the
horizon are used. Each step of typical period p gets the weight ``count_p × 8760 h / covered hours``.
Approximations, stated in docs/model.md: storage and unit commitment are cyclic within each typical period;
all typical periods form one "month" for the monthly-peak tariff (its peak is charged 12 times a year); the
base flows of branches no hub affects are set to their mean (they only shift the overload cost).
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd
import tsam

from energyhub.model.inputs import GridInputs
from energyhub.model.timegrid import HOURS_PER_YEAR, TimeGrid
from energyhub.scenario.data import ScenarioData
from energyhub.scenario.schema import Aggregation

_METHOD: dict[str, Literal["hierarchical", "kmeans", "kmedoids"]] = {
    "hierarchical": "hierarchical",
    "k_means": "kmeans",
    "k_medoids": "kmedoids",
}
AFFECTS = 1e-3


def aggregate(data: ScenarioData, grid: GridInputs, spec: Aggregation) -> tuple[TimeGrid, dict, GridInputs]:
    """Typical periods of ``data``'s series and ``grid``'s base flows: (time grid, series, grid inputs)."""
    step_h = data.step_h
    per = round(spec.hours_per_period / step_h)
    n_full = (len(data.times) // per) * per
    times = data.times[:n_full]
    frame = pd.DataFrame({k: v[:n_full] for k, v in data.series.items()}, index=times)
    affected: list[int] = (
        np.flatnonzero((np.abs(grid.ptdf_hub) > AFFECTS).any(axis=1)).tolist() if grid.n_branches else []
    )
    for b in affected:
        frame[f"__flow{b}"] = grid.base_flow_mw[:n_full, b]
    varying = [c for c in frame.columns if np.ptp(frame[c].to_numpy()) > 1e-12]
    result = tsam.aggregate(
        frame[varying] if varying else frame.iloc[:, :1],
        spec.typical_periods,
        period_duration=spec.hours_per_period,
        temporal_resolution=step_h,
        cluster=tsam.ClusterConfig(method=_METHOD[spec.method]),
        preserve_column_means=False,
    )
    reps = result.cluster_representatives.sort_index()
    clusters = sorted(result.cluster_counts)
    counts = np.array([result.cluster_counts[c] for c in clusters], dtype=float)
    n = len(clusters) * per

    def column(name: str) -> np.ndarray:
        if name in reps.columns:
            values = reps[name].to_numpy(dtype=float).reshape(len(clusters), per)
            return values.reshape(-1)
        return np.full(n, float(frame[name].iloc[0]))

    series = {k: column(k) for k in data.series}
    base = np.tile(grid.base_flow_mw[:n_full].mean(axis=0), (n, 1))
    for b in affected:
        base[:, b] = column(f"__flow{b}")
    weight = np.repeat(counts, per) * HOURS_PER_YEAR / (n_full * step_h)
    start_hour = times[0].hour + times[0].minute / 60.0
    hour = ((start_hour + np.tile(np.arange(per), len(clusters)) * step_h) % 24).astype(np.int64)
    tg = TimeGrid(step_h=step_h, weight=weight, hour=hour, month=np.zeros(n, dtype=np.int64),
                  months_per_year=12.0, segment_start=np.arange(0, n, per, dtype=np.int64))
    return tg, series, grid.with_base_flow(base)
