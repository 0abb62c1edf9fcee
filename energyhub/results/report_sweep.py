"""Report section of a sweep directory: how capacities, costs and congestion move with the swept parameters.

One figure of line plots per numeric parameter, and, for two or more parameters, a tornado chart of the objective
around a base point (the centre of a product grid, or the common point of a one-at-a-time sweep).

``sweep.csv`` has one row per point. Columns are read by name: ``status``, ``objective_eur``, ``mip_gap``,
``cap.<asset>.<quantity>``, ``cost.<category>``/``costs_eur.<category>``, ``kpi.<name>``, ``timings_s.<step>``
(or ``time.*``/``timing.*``) and an identifier (``point``, ``id`` or ``point_id``) are outputs; every other column
is a swept parameter named by its dotted path in the scenario.
"""

from __future__ import annotations

import pandas as pd

from energyhub.results import report_plots as plots
from energyhub.results.report_inputs import ResultDir
from energyhub.results.report_sections import (
    SWEEP_MAX_METRICS,
    SWEEP_TABLE_ROWS,
    Block,
    Section,
    figure,
    note,
    table,
)

OUTPUT_PREFIXES = ("cap.", "cost.", "costs_eur.", "kpi.", "timings_s.", "timing.", "time.")
OUTPUT_COLUMNS = frozenset({"status", "objective_eur", "mip_gap", "point", "id", "point_id", "message", "error", "mode",
                            "reason"})


def parameter_columns(points: pd.DataFrame) -> list[str]:
    """The swept parameters: every column that is not an output or an identifier."""
    return [str(c) for c in points.columns
            if str(c) not in OUTPUT_COLUMNS and not str(c).startswith(OUTPUT_PREFIXES)]


CONGESTION_KPIS = ("kpi.overloaded_branch_hours_after", "kpi.max_loading_pct_after", "kpi.overload_mwh_after")
OBJECTIVE = "objective_eur"


def metric_columns(points: pd.DataFrame) -> list[str]:
    """Numeric outputs worth plotting, constant ones dropped, in the order: objective, sizes (``cap.``), congestion
    KPIs, costs (``cost.``, without the total that repeats the objective), other KPIs; at most SWEEP_MAX_METRICS."""
    def varies(column: str) -> bool:
        return pd.api.types.is_numeric_dtype(points[column]) and points[column].nunique(dropna=True) > 1

    columns = [str(c) for c in points.columns]
    groups = [
        [c for c in columns if c == OBJECTIVE],
        [c for c in columns if c.startswith("cap.")],
        [c for c in CONGESTION_KPIS if c in columns],
        [c for c in columns if c.startswith(("cost.", "costs_eur.")) and c.split(".", 1)[1] != "total"],
        [c for c in columns if c.startswith("kpi.") and c not in CONGESTION_KPIS],
    ]
    return [c for group in groups for c in group if varies(c)][:SWEEP_MAX_METRICS]


def base_point(points: pd.DataFrame, params: list[str]) -> dict[str, object]:
    """The point the others vary around: per parameter its most frequent value (the base of a one-at-a-time
    sweep), or, where all values are equally frequent (a product grid), the middle one (lower middle of an even
    count)."""
    base: dict[str, object] = {}
    for param in params:
        counts = points[param].value_counts(dropna=True)
        top = counts[counts == counts.max()]
        if len(top) == 1 and len(counts) > 1:
            base[param] = top.index[0]
        else:
            ordered = sorted(counts.index)
            base[param] = ordered[(len(ordered) - 1) // 2]
    return base


def slice_through(points: pd.DataFrame, params: list[str], base: dict[str, object], x: str) -> pd.DataFrame:
    """The points where every parameter but ``x`` is at its base value."""
    mask = pd.Series(True, index=points.index)
    for param in params:
        if param != x:
            mask &= points[param] == base[param]
    return points[mask]


def is_product(points: pd.DataFrame, params: list[str]) -> bool:
    """Whether the points are the full Cartesian product of the parameters' values."""
    size = 1
    for param in params:
        size *= points[param].nunique(dropna=True)
    return size == len(points.drop_duplicates(subset=params))


def tornado_rows(points: pd.DataFrame, params: list[str], base: dict[str, object]) -> pd.DataFrame | None:
    """Per parameter: the objective at its lowest and highest value with the others at the base; None when the
    base point or the objective is missing. Sorted by swing, largest first."""
    if OBJECTIVE not in points or not pd.api.types.is_numeric_dtype(points[OBJECTIVE]):
        return None
    at_base = points
    for param in params:
        at_base = at_base[at_base[param] == base[param]]
    objectives = at_base[OBJECTIVE].dropna()
    if objectives.empty:
        return None
    base_objective = float(objectives.iloc[0])
    rows = []
    for param in params:
        line = slice_through(points, params, base, param).dropna(subset=[OBJECTIVE]).sort_values(param)
        if len(line) < 2:
            continue
        low, high = line.iloc[0], line.iloc[-1]
        rows.append({"Parameter": param, "Low value": low[param], "High value": high[param],
                     "Objective at low (EUR)": float(low[OBJECTIVE]), "Base objective (EUR)": base_objective,
                     "Objective at high (EUR)": float(high[OBJECTIVE]),
                     "Swing (EUR)": abs(float(high[OBJECTIVE]) - float(low[OBJECTIVE]))})
    if not rows:
        return None
    return pd.DataFrame(rows).sort_values("Swing (EUR)", ascending=False, kind="stable").reset_index(drop=True)


def sweep_section(result: ResultDir) -> Section:
    """Line plots of sizes, costs and congestion against each parameter, a tornado of the objective, the table."""
    section = Section("sweep", "Sweep: how results move with the parameters")
    points = result.sweep_points
    if points is None:
        section.blocks.append(note("No sweep.csv: sweep section skipped."))
        return section
    params, metrics = parameter_columns(points), metric_columns(points)
    statuses = points["status"].value_counts().to_dict() if "status" in points else {}
    summary = ", ".join(f"{n} {s}" for s, n in statuses.items()) or "status not reported"
    section.blocks.append(Block("text", text=f"{len(points)} points over {len(params)} parameter(s) "
                                             f"({', '.join(params) or 'none found'}); {summary}."))
    numeric = [p for p in params if pd.api.types.is_numeric_dtype(points[p]) and points[p].nunique() > 1]
    if not metrics:
        section.blocks.append(note("No numeric objective, capacity or KPI columns vary: nothing to plot."))
    elif numeric:
        section.blocks.extend(_line_blocks(points, numeric, metrics))
        section.blocks.extend(_tornado_blocks(points, numeric))
    shown = points[[*params, *(c for c in points.columns if c not in params and not _timing(str(c)))]]
    if len(shown) > SWEEP_TABLE_ROWS:
        section.blocks.append(note(f"Table limited to the first {SWEEP_TABLE_ROWS} of {len(shown)} points; "
                                   "see sweep.csv for all."))
    section.blocks.append(table(shown.head(SWEEP_TABLE_ROWS), name="sweep-points"))
    return section


def _line_blocks(points: pd.DataFrame, numeric: list[str], metrics: list[str]) -> list[Block]:
    """One figure per parameter: every metric against it (one line per value of the other parameter of a
    two-parameter grid; otherwise the others held at the base point)."""
    blocks: list[Block] = []
    two_way = len(numeric) == 2 and is_product(points, numeric)
    base = base_point(points, numeric)
    for x in numeric:
        if len(numeric) == 1 or two_way:
            series = next((p for p in numeric if p != x), None)
            data, how = points, (f", one line per value of {series}." if series else ".")
        else:
            series, data = None, slice_through(points, numeric, base, x)
            held = ", ".join(f"{p} = {base[p]}" for p in numeric if p != x)
            how = f"; the other parameters at the base point ({held})."
        if data[x].nunique() < 2:
            blocks.append(note(f"{x}: fewer than two points with the other parameters at the base point: no plot."))
            continue
        fig = plots.sweep_lines(data, x, series, metrics)
        blocks.append(figure(f"sweep-{x}", plots.to_data_uri(fig),
                             f"Objective, sizes, congestion and costs against {x}{how}"))
    return blocks


def _tornado_blocks(points: pd.DataFrame, numeric: list[str]) -> list[Block]:
    """The tornado chart and its table, for two or more parameters around a base point."""
    if len(numeric) < 2:
        return []
    base = base_point(points, numeric)
    rows = tornado_rows(points, numeric, base)
    if rows is None:
        return [note("No point at the base values of all parameters: no tornado chart.")]
    fig = plots.tornado(rows["Parameter"].tolist(), rows["Objective at low (EUR)"].tolist(),
                        rows["Objective at high (EUR)"].tolist(), float(rows["Base objective (EUR)"].iloc[0]),
                        [f"{v:g}" if isinstance(v, float) else str(v) for v in rows["Low value"]],
                        [f"{v:g}" if isinstance(v, float) else str(v) for v in rows["High value"]])
    held = ", ".join(f"{p} = {base[p]}" for p in numeric)
    return [
        figure("sweep-tornado", plots.to_data_uri(fig),
               f"Tornado: the objective at the lowest and highest value of each parameter, the others at the base "
               f"point ({held}); largest swing on top."),
        table(rows, {c: 0 for c in rows.columns if "(EUR)" in c}, name="sweep-tornado"),
    ]


def _timing(column: str) -> bool:
    return column.startswith(("timings_s.", "timing.", "time."))
