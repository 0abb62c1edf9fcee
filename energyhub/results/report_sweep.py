"""Report section of a sweep directory: how capacities, costs and KPIs move with the swept parameters.

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
OUTPUT_COLUMNS = frozenset({"status", "objective_eur", "mip_gap", "point", "id", "point_id", "message", "error"})


def parameter_columns(points: pd.DataFrame) -> list[str]:
    """The swept parameters: every column that is not an output or an identifier."""
    return [str(c) for c in points.columns
            if str(c) not in OUTPUT_COLUMNS and not str(c).startswith(OUTPUT_PREFIXES)]


def metric_columns(points: pd.DataFrame) -> list[str]:
    """Numeric outputs worth plotting: objective, capacities, costs, KPIs (not timings); constant ones dropped."""
    wanted = [c for c in points.columns if c == "objective_eur" or str(c).startswith(OUTPUT_PREFIXES[:4])]
    return [str(c) for c in wanted
            if pd.api.types.is_numeric_dtype(points[c]) and points[c].nunique(dropna=True) > 1][:SWEEP_MAX_METRICS]


def sweep_section(result: ResultDir) -> Section:
    """Line plots of each metric against the parameters (1-2 parameters) or a table (more)."""
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
    elif 1 <= len(numeric) <= 2:
        for x in numeric:
            series = next((p for p in numeric if p != x), None)
            fig = plots.sweep_lines(points, x, series, metrics)
            section.blocks.append(figure(f"sweep-{x}", plots.to_data_uri(fig),
                                         f"Objective, capacities and KPIs against {x}"
                                         + (f", one line per value of {series}." if series else ".")))
    else:
        section.blocks.append(note(f"{len(numeric)} numeric parameters vary: results are shown as a table, "
                                   "not as line plots."))
    shown = points[[*params, *(c for c in points.columns if c not in params and not _timing(str(c)))]]
    if len(shown) > SWEEP_TABLE_ROWS:
        section.blocks.append(note(f"Table limited to the first {SWEEP_TABLE_ROWS} of {len(shown)} points; "
                                   "see sweep.csv for all."))
    section.blocks.append(table(shown.head(SWEEP_TABLE_ROWS), name="sweep-points"))
    return section


def _timing(column: str) -> bool:
    return column.startswith(("timings_s.", "timing.", "time."))
