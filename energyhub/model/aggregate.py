"""Representative periods (tsam) for sizing: cluster the model's series into typical periods with weights.

Every series of the scenario (prices, demands, profiles, tariffs) and the base flow of every branch a hub can
affect (|PTDF| > 1e-3) or that can be reinforced (and, for ``flow_model: transport``, the fixed bus injections its
balances need) are clustered together, period by period (``hours_per_period``), into
``typical_periods`` medoid (hierarchical, k_medoids) or centroid (k_means) periods; only whole periods of the
horizon are used. The periods holding each hub's peak demand and the worst overload of each group of overloaded
branches (:func:`overload_groups`) are kept as extra periods (tsam extreme periods, "new_cluster"). Each step of
typical period p gets the weight ``count_p × 8760 h / covered hours``; ``TimeGrid.period_assignment`` keeps the
typical period of each original period, for storage linked across periods (``link_storage``,
:mod:`energyhub.model.linking`).
Approximations, stated in docs/model.md: unit commitment (and storage, unless linked) is cyclic within each
typical period;
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
    affected = _affected_branches(data, grid)
    injections = _transport_injections(data, grid)
    columns = {k: v[:n_full] for k, v in data.series.items()}
    columns.update({f"__flow{b}": grid.base_flow_mw[:n_full, b] for b in affected})
    if injections is not None:
        columns.update({f"__inj{n}": injections[:n_full, n] for n in range(injections.shape[1])})
    frame = pd.DataFrame(columns, index=times)  # in one go: column inserts fragment the frame (PerformanceWarning)
    varying = [c for c in frame.columns if np.ptp(frame[c].to_numpy()) > 1e-12]
    result = tsam.aggregate(
        frame[varying] if varying else frame.iloc[:, :1],
        spec.typical_periods,
        period_duration=spec.hours_per_period,
        temporal_resolution=step_h,
        cluster=tsam.ClusterConfig(method=_METHOD[spec.method]),
        extremes=_extremes(frame[varying], grid, affected, data),
        preserve_column_means=False,
        # medoids and centroids are the data up to rounding: no warning for a 1e-13 excess of a 1000 EUR price
        numerical_tolerance=1e-9 * max(1.0, float(np.abs(frame.to_numpy()).max(initial=0.0))),
    )
    reps = result.cluster_representatives.sort_index()
    clusters = sorted(result.cluster_counts)
    counts = np.array([result.cluster_counts[c] for c in clusters], dtype=float)
    n = len(clusters) * per

    def column(name: str) -> np.ndarray:
        if name in reps.columns:
            return _without_noise(reps[name].to_numpy(dtype=float))
        return np.full(n, float(frame[name].iloc[0]))

    series = {k: column(k) for k in data.series}
    base = np.tile(grid.base_flow_mw[:n_full].mean(axis=0), (n, 1))
    for b in affected:
        base[:, b] = column(f"__flow{b}")
    inj = None
    if injections is not None:
        inj = np.column_stack([column(f"__inj{n}") for n in range(injections.shape[1])]).reshape(n, -1)
    weight = np.repeat(counts, per) * HOURS_PER_YEAR / (n_full * step_h)
    start_hour = times[0].hour + times[0].minute / 60.0
    hour = ((start_hour + np.tile(np.arange(per), len(clusters)) * step_h) % 24).astype(np.int64)
    position = {c: i for i, c in enumerate(clusters)}
    assignment = np.array([position[c] for c in result.cluster_assignments], dtype=np.int64)
    tg = TimeGrid(step_h=step_h, weight=weight, hour=hour, month=np.zeros(n, dtype=np.int64),
                  months_per_year=12.0, segment_start=np.arange(0, n, per, dtype=np.int64),
                  period_assignment=assignment, link_storage=spec.link_storage)
    return tg, series, grid.with_base_flow(base, inj)


def _without_noise(values: np.ndarray) -> np.ndarray:
    """``values`` with the round-off of tsam's normalisation (e.g. 2e-16 MW for a night-time PV hour) set to 0:
    as a variable's upper bound, HiGHS warns of such bounds as excessively small."""
    scale = max(1.0, float(np.abs(values).max(initial=0.0)))
    return np.where(np.abs(values) < 1e-12 * scale, 0.0, values)


def _transport_injections(data: ScenarioData, grid: GridInputs) -> np.ndarray | None:
    """The fixed bus injections (T × N) the ``transport`` flow model balances at every bus, else None."""
    if data.scenario.grid.flow_model != "transport" or grid.bus_injection_mw is None or not grid.n_branches:
        return None
    return np.asarray(grid.bus_injection_mw, dtype=float)


def _affected_branches(data: ScenarioData, grid: GridInputs) -> list[int]:
    """Branches whose flows the sizing must see over time: those a hub affects and those that can be reinforced."""
    if not grid.n_branches:
        return []
    by_hub = set(np.flatnonzero((np.abs(grid.ptdf_hub) > AFFECTS).any(axis=1)).tolist())
    reinforced = {grid.branch_index(a.at_branch) for a in data.scenario.assets if a.at_branch is not None}
    return sorted(by_hub | reinforced)


def _extremes(frame: pd.DataFrame, grid: GridInputs, affected: list[int], data: ScenarioData) -> tsam.ExtremeConfig:
    """Keep the periods with each hub's peak demand and, per group of overloaded branches
    (:func:`overload_groups`), the period of the group's worst overload: typical periods average peaks away, and
    peaks are what connection limits, peak tariffs and branch limits are about. One period per group rather
    than per branch: branches the same hub relieves the same way peak together (a feeder's sections, a
    transformer and its cable), so one period stands for them all."""
    columns = set(frame.columns)
    max_value = [c for c in (f"hubs.{h.name}.demand_mw" for h in data.scenario.hubs) if c in columns]
    min_value: list[str] = []
    seen = [b for b in affected if f"__flow{b}" in columns]
    for members in overload_groups(grid, seen).values():
        worst, direction = max(members, key=lambda pair: _loading(grid, *pair))
        (max_value if direction > 0 else min_value).append(f"__flow{worst}")
    return tsam.ExtremeConfig(method="new_cluster", max_value=max_value, min_value=min_value)


def _loading(grid: GridInputs, branch: int, direction: int) -> float:
    """The branch's worst base flow in ``direction`` (+1: positive flow, −1: negative) relative to its limit."""
    flow = direction * grid.base_flow_mw[:, branch]
    return float(flow.max()) / max(float(grid.limit_mw[branch]), 1e-9)


def overload_groups(grid: GridInputs, branches: list[int]) -> dict[tuple[int, int], list[tuple[int, int]]]:
    """The (branch, direction) pairs overloaded in their base flow (direction +1: positive flow over the limit,
    −1: negative), grouped by what relieves them: key (hub, action) with hub the index of the hub with the
    largest |PTDF| on the branch (−1: no hub affects it, e.g. a branch that can only be reinforced) and action
    the direction of the overload times the sign of that hub's PTDF entry: one group holds the branches that hub
    relieves by the same action (+1: taking power, −1: feeding power; for hub-less branches the flow direction).
    """
    groups: dict[tuple[int, int], list[tuple[int, int]]] = {}
    for b in branches:
        row = np.abs(grid.ptdf_hub[b]) if grid.ptdf_hub.shape[1] else np.zeros(1)
        hub = int(np.argmax(row)) if row.max() > AFFECTS else -1
        sign = 1 if hub < 0 or grid.ptdf_hub[b, hub] > 0 else -1
        for direction in (1, -1):
            if _loading(grid, b, direction) > 1.0:
                groups.setdefault((hub, direction * sign), []).append((b, direction))
    return groups
