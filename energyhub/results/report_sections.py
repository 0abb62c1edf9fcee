"""Sections of the HTML report: each builder turns a loaded result directory into a :class:`Section` of blocks.

Blocks are plain data (text, KPI cards, tables, figures, notes); ``templates/report.html.j2`` lays them out. A
section whose data are absent shows a one-line note instead of failing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
import xarray as xr

from energyhub.errors import InputError
from energyhub.results import report_plots as plots
from energyhub.results.export import capacities_table, costs_table
from energyhub.results.report_inputs import ResultDir, limit_pct, present, step_hours
from energyhub.results.report_xlsx import QUANTITY_LABELS, brief_text

BlockKind = Literal["text", "cards", "table", "figure", "note"]
TOP_BRANCHES = 10
SWEEP_TABLE_ROWS = 200
SWEEP_MAX_METRICS = 12


@dataclass
class Block:
    """One piece of a section: ``kind`` says which fields are used."""

    kind: BlockKind
    text: str = ""
    name: str = ""
    columns: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    numeric: list[bool] = field(default_factory=list)
    cards: list[tuple[str, str, str]] = field(default_factory=list)
    uri: str = ""


@dataclass
class Section:
    """A titled part of the report with an anchor ``id``."""

    id: str
    title: str
    blocks: list[Block] = field(default_factory=list)


def fmt(value: Any, digits: int = 1, unit: str = "") -> str:
    """A number with thousands separators and its unit; ``n/a`` for missing values."""
    if value is None or (isinstance(value, float) and not np.isfinite(value)):
        return "n/a"
    if isinstance(value, bool | str):
        return str(value)
    text = f"{int(value):,}" if isinstance(value, int | np.integer) else f"{float(value):,.{digits}f}"
    return f"{text} {unit}".rstrip()


def table(frame: pd.DataFrame, digits: dict[str, int] | None = None, name: str = "") -> Block:
    """A table block from a data frame; numeric columns are formatted and right-aligned."""
    digits = digits or {}
    numeric = [pd.api.types.is_numeric_dtype(frame[c]) and not pd.api.types.is_bool_dtype(frame[c])
               for c in frame.columns]
    rows = [
        [fmt(v, digits.get(str(c), 1)) if num and not pd.isna(v) else ("" if pd.isna(v) else str(v))
         for c, v, num in zip(frame.columns, record, numeric, strict=True)]
        for record in frame.itertuples(index=False)
    ]
    return Block("table", name=name, columns=[str(c) for c in frame.columns], rows=rows, numeric=numeric)


def figure(name: str, uri: str, caption: str) -> Block:
    """A figure block (``name`` identifies the plot in tests)."""
    return Block("figure", name=name, uri=uri, text=caption)


def note(text: str) -> Block:
    """A one-line note, e.g. why a part of a section is skipped."""
    return Block("note", text=text)


# ------------------------------------------------------------------------------------------------------- scenario
def scenario_section(result: ResultDir) -> Section:
    """The scenario in brief: headline cards, run facts and the free-form brief."""
    section = Section("scenario", "Scenario in brief")
    summary, kpis = result.summary, result.summary.get("kpis") or {}
    if result.kind == "solve":
        costs = summary.get("costs_eur") or {}
        total = costs.get("total") if isinstance(costs.get("total"), int | float) else summary.get("objective_eur")
        if not isinstance(total, int | float):
            total = float(costs_table(summary)["cost_eur"].sum())
        section.blocks.append(Block("cards", cards=[
            ("Total cost", fmt(total / 1e3, 0, "kEUR/year"), "annualised capex + operation"),
            ("Overloaded branch-hours", f"{fmt(kpis.get('overloaded_branch_hours_before'), 0)} → "
             f"{fmt(kpis.get('overloaded_branch_hours_after'), 0)} h", "before → after"),
            ("Highest branch loading", f"{fmt(kpis.get('max_loading_pct_before'), 1)} → "
             f"{fmt(kpis.get('max_loading_pct_after'), 1)} %", "before → after (AC)"),
            ("Hydrogen produced", fmt(kpis.get("h2_produced_kg"), 0, "kg"), "over the horizon"),
        ]))
    facts = _run_facts(result)
    brief = {k: v for k, v in (summary.get("scenario_brief") or {}).items()
             if not (k == "name" and v == result.scenario)}
    facts += [(str(k).replace("_", " ").capitalize(), brief_text(v)) for k, v in brief.items()]
    section.blocks.append(table(pd.DataFrame(facts, columns=["Item", "Value"])))
    section.blocks.extend(note(n) for n in result.notes)
    return section


def _run_facts(result: ResultDir) -> list[tuple[str, str]]:
    summary = result.summary
    facts = [("Scenario", result.scenario), ("Result directory", f"{result.path.name} ({result.kind})")]
    if summary:
        facts += [("Solver status", str(summary.get("status", "n/a"))),
                  ("Objective", fmt(summary.get("objective_eur"), 0, "EUR/year")),
                  ("MIP gap", fmt(100 * float(summary.get("mip_gap") or 0.0), 2, "%"))]
        timings = summary.get("timings_s") or {}
        if timings:
            facts.append(("Run time", ", ".join(f"{k} {fmt(v, 1, 's')}" for k, v in timings.items())))
        size = summary.get("model_size") or {}
        if size:
            facts.append(("Optimisation model", ", ".join(f"{fmt(v)} {str(k).replace('_', ' ')}"
                                                          for k, v in size.items())))
    base = result.baseline_summary or {}
    if result.kind == "baseline" and base:
        if isinstance(base.get("limit_pct"), int | float):
            facts.append(("Branch loading limit", fmt(base["limit_pct"], 0, "%")))
        band = base.get("voltage_band_pu")
        if isinstance(band, list) and len(band) == 2:
            facts.append(("Voltage band", f"{band[0]} to {band[1]} p.u."))
        timings = base.get("timings_s") or {}
        if timings:
            facts.append(("Run time", ", ".join(f"{k} {fmt(v, 1, 's')}" for k, v in timings.items())))
    ds = result.results if result.results is not None else result.baseline
    if ds is not None and "time" in ds.dims and ds.sizes["time"]:
        times = pd.DatetimeIndex(ds["time"].values)
        facts.append(("Time steps", f"{len(times):,} × {fmt(step_hours(ds), 2, 'h')}, {times[0]:%Y-%m-%d %H:%M} "
                                    f"to {times[-1]:%Y-%m-%d %H:%M}"))
        plurals = {"hub": "hubs", "asset": "assets", "branch": "branches", "bus": "buses"}
        sizes = ", ".join(f"{ds.sizes[d]} {plural}" for d, plural in plurals.items() if d in ds.dims)
        facts.append(("Elements", sizes))
    return facts


# ---------------------------------------------------------------------------------------------------------- assets
def assets_section(result: ResultDir) -> Section:
    """Sized assets with units, and the costs they bring."""
    section = Section("assets", "Sized assets")
    caps = capacities_table(result.summary, result.results)
    if caps.empty:
        section.blocks.append(note("No capacities in summary.json: nothing was sized."))
        return section
    caps = caps.rename(columns={"asset": "Asset", "asset_type": "Type", "asset_hub": "Hub", **QUANTITY_LABELS})
    section.blocks.append(Block("text", text="Capacities chosen by the optimisation. Empty cells do not apply to "
                                             "the asset type."))
    section.blocks.append(table(caps, digits={v: 1 for v in QUANTITY_LABELS.values()}, name="capacities"))
    return section


def costs_section(result: ResultDir) -> Section:
    """Cost breakdown by category: bar chart and table with shares."""
    section = Section("costs", "Cost breakdown")
    costs = costs_table(result.summary)
    if costs.empty:
        section.blocks.append(note("No costs_eur in summary.json: cost breakdown skipped."))
        return section
    labels = [str(c).replace("_", " ") for c in costs["category"]]
    section.blocks.append(figure("costs", plots.to_data_uri(plots.cost_bars(labels, costs["cost_eur"].tolist())),
                                 "Annual costs by category (EUR per year): capital costs annualised, operating "
                                 "costs scaled to a year; negative values are revenues."))
    shown = pd.DataFrame({"Category": labels, "Cost (EUR/year)": costs["cost_eur"],
                          "Share (%)": costs["share_pct"]})
    total = pd.DataFrame({"Category": ["Total"], "Cost (EUR/year)": [costs["cost_eur"].sum()], "Share (%)": [100.0]})
    section.blocks.append(table(pd.concat([shown, total], ignore_index=True), {"Cost (EUR/year)": 0}, name="costs"))
    return section


# ---------------------------------------------------------------------------------------------------------- weeks
def week_window(times: pd.DatetimeIndex, start: pd.Timestamp) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The 7 days from ``start``, clipped to the horizon."""
    return max(start, times[0]), min(start + pd.Timedelta(days=7), times[-1] + pd.Timedelta(seconds=1))


def most_congested_week(loading: xr.DataArray, limit: float) -> pd.Timestamp:
    """Start (a midnight) of the 7-day window with the most overload before; the worst loading breaks ties."""
    excess = (loading - limit).clip(min=0).sum("branch").to_series()
    worst = loading.max("branch").to_series()
    daily = (excess + 1e-6 * worst).resample("D").sum()
    if len(daily) <= 7:
        return pd.Timestamp(daily.index[0])
    windows = daily.rolling(7).sum().shift(-6).dropna()
    return pd.Timestamp(str(windows.idxmax()))


def parse_week(week: str, times: pd.DatetimeIndex) -> pd.Timestamp:
    """Check ``--week YYYY-MM-DD`` against the horizon; raise ``InputError`` with the horizon when outside."""
    try:
        start = pd.Timestamp(pd.to_datetime(week, format="%Y-%m-%d"))
    except ValueError as exc:
        raise InputError(f"--week {week!r} is not a date in the form YYYY-MM-DD") from exc
    if start > times[-1] or start + pd.Timedelta(days=7) <= times[0]:
        raise InputError(f"--week {week} is outside the horizon {times[0]:%Y-%m-%d} to {times[-1]:%Y-%m-%d}")
    return start


def dispatch_section(result: ResultDir, week: str | None) -> Section:
    """Dispatch, hub exchange and storage levels for the most congested week and the chosen one."""
    section = Section("dispatch", "Dispatch and storage levels")
    ds = result.results
    assert ds is not None
    times = pd.DatetimeIndex(ds["time"].values)
    limit = limit_pct(ds, result.summary)
    starts: list[tuple[str, pd.Timestamp]] = []
    if present(ds, "loading_ac_before_pct"):
        starts.append(("Most congested week", most_congested_week(ds["loading_ac_before_pct"], limit)))
    else:
        section.blocks.append(note("No loading_ac_before_pct: the most congested week cannot be found."))
    if week is not None:
        starts.append(("Chosen week", parse_week(week, times)))
    elif starts:
        section.blocks.append(note("No --week given: only the most congested week is shown."))
    panels = [p for p, var in (("assets", "p_mw"), ("hubs", "import_mw"), ("loading", "loading_ac_before_pct"))
              if present(ds, var)]
    levels = [name for name, _ in plots.storage_levels()]
    if any(present(ds, name) for name in levels):
        panels.insert(min(2, len(panels)), "storage")
    else:
        section.blocks.append(note(f"No storage levels ({', '.join(levels)}): storage panel skipped."))
    if not panels:
        section.blocks.append(note("No dispatch variables in results.nc: section skipped."))
        return section
    for index, (label, start) in enumerate(starts):
        begin, end = week_window(times, start)
        chunk = ds.sel(time=slice(begin, end - pd.Timedelta(seconds=1)))
        fig = plots.week_dispatch(chunk, limit, panels)
        caption = f"{label}: {begin:%a %Y-%m-%d} to {end - pd.Timedelta(seconds=1):%a %Y-%m-%d}."
        if "storage" in panels:
            caption += " Storage levels drawn: " + (", ".join(plots.storage_labels(chunk)) or "none") + "."
        section.blocks.append(figure(f"week-{index}", plots.to_data_uri(fig), caption))
    return section
