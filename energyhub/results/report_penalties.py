"""Report section on what the optimum leaves undone: curtailed energy, hydrogen shortfall, shed load and the overload
it accepts, each with its amount (``summary.json`` ``kpis``), its cost (``costs_eur``), where and when it happens
(``results.nc``).

Amounts per hub, branch or month are the KPI split in proportion to Σ x[t] × weight[t] of ``results.nc``: every
time step carries the same factor (step length × horizon scaling) for all elements, so the parts add up to the KPI.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd
import xarray as xr

from energyhub.results import report_plots as plots
from energyhub.results.report_inputs import ResultDir, present
from energyhub.results.report_sections import Block, Section, figure, fmt, note, table

WHERE_TOP = 3
DAILY_UP_TO_DAYS = 62


@dataclass(frozen=True)
class Penalty:
    """One quantity the objective penalises: its KPI, cost category and time series."""

    label: str
    kpi: str
    unit: str
    category: str
    variable: str
    why: str


PENALTIES = (
    Penalty("Curtailed energy", "curtailed_mwh", "MWh", "curtailment", "curtailed_mw",
            "PV and wind not used or exported"),
    Penalty("Hydrogen shortfall", "h2_shortfall_kg", "kg", "h2_shortfall", "h2_shortfall_kg_per_h",
            "hydrogen demand not met"),
    Penalty("Shed load", "shed_mwh", "MWh", "voll", "shed_mw", "demand not served, at the value of lost load"),
    Penalty("Penalised overload", "overload_mwh_after", "MWh", "overload", "overload_mw",
            "DC flow above branch limits that the optimisation accepts at a penalty"),
)


def amount(summary: dict[str, Any], penalty: Penalty) -> float | None:
    """The KPI of ``penalty`` from summary.json, or None when absent."""
    value = (summary.get("kpis") or {}).get(penalty.kpi)
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def cost(summary: dict[str, Any], penalty: Penalty) -> float | None:
    """The annual cost of ``penalty`` (``costs_eur``), or None when absent."""
    value = (summary.get("costs_eur") or {}).get(penalty.category)
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _weighted(ds: xr.Dataset, name: str) -> xr.DataArray:
    """x[t, element] × weight[t] (weight 1 when results.nc has none)."""
    weight = ds["weight"] if present(ds, "weight") else 1.0
    return ds[name].fillna(0.0) * weight


def shares_by_element(ds: xr.Dataset, name: str) -> pd.Series:
    """Each element's share (0-1) of the variable's weighted total, largest first; empty when the total is 0."""
    weighted = _weighted(ds, name)
    element = next(str(d) for d in weighted.dims if d != "time")
    per_element = weighted.sum("time").to_series()
    total = float(per_element.sum())
    if total <= 0:
        return pd.Series(dtype=float)
    return (per_element[per_element > 0] / total).sort_values(ascending=False).rename_axis(element)


def by_period(ds: xr.Dataset, name: str, total: float) -> pd.Series:
    """``total`` split over calendar days (horizons up to 62 days) or months, in proportion to the weighted series."""
    weighted = _weighted(ds, name).sum([d for d in ds[name].dims if d != "time"]).to_series()
    times = pd.DatetimeIndex(weighted.index)
    freq = "D" if len(times) and times[-1] - times[0] <= pd.Timedelta(days=DAILY_UP_TO_DAYS) else "M"
    monthly = weighted.groupby(times.to_period(freq)).sum()
    whole = float(monthly.sum())
    return monthly * (total / whole) if whole > 0 else monthly * 0.0


def where_text(shares: pd.Series, total: float, unit: str) -> str:
    """``"hengelo 1,200.0 MWh (80 %), boekelo …"`` for the largest parts, or ``"-"``."""
    if shares.empty or total <= 0:
        return "-"
    parts = [f"{element} {fmt(total * share, 1, unit)} ({100 * share:.0f} %)"
             for element, share in shares.head(WHERE_TOP).items()]
    more = len(shares) - WHERE_TOP
    return ", ".join(parts) + (f" and {more} more" if more > 0 else "")


def penalties_section(result: ResultDir) -> Section:
    """Cards and a table of the four penalised quantities with costs, where they occur, and a monthly plot."""
    section = Section("penalties", "Curtailment, hydrogen shortfall, shed load and overload")
    summary, ds = result.summary, result.results
    shown = [p for p in PENALTIES if amount(summary, p) is not None or cost(summary, p) is not None]
    if not shown:
        section.blocks.append(note("No curtailment, shortfall, shed-load or overload KPIs in summary.json: "
                                   "section skipped."))
        return section
    total_cost = (summary.get("costs_eur") or {}).get("total")
    section.blocks.append(Block("text", text=(
        "What the optimum leaves unserved or above the limits, over the modelled horizon, and what the objective "
        "charges for it per year. Non-zero amounts are choices of the optimisation: serving them would cost more "
        "than the penalty.")))
    section.blocks.append(Block("cards", cards=[
        (p.label, fmt(amount(summary, p), 1, p.unit), f"cost {fmt(cost(summary, p), 0, 'EUR/year')}")
        for p in shown]))
    rows = []
    periods: list[tuple[str, str, pd.Series]] = []
    for penalty in shown:
        value, money = amount(summary, penalty), cost(summary, penalty)
        has_series = ds is not None and present(ds, penalty.variable)
        shares = shares_by_element(ds, penalty.variable) if has_series and ds is not None else pd.Series(dtype=float)
        rows.append({
            "Quantity": penalty.label, "Amount": value, "Unit": penalty.unit, "Cost (EUR/year)": money,
            "Share of total cost (%)": 100 * money / total_cost if money is not None and total_cost else None,
            "Where": where_text(shares, value or 0.0, penalty.unit) if has_series else "not in results.nc",
            "Meaning": penalty.why,
        })
        if has_series and ds is not None and value:
            periods.append((penalty.label, penalty.unit, by_period(ds, penalty.variable, value)))
    frame = pd.DataFrame(rows)
    section.blocks.append(table(frame, {"Amount": 1, "Cost (EUR/year)": 0, "Share of total cost (%)": 1},
                                name="penalties"))
    if periods:
        section.blocks.append(figure("penalties", plots.to_data_uri(plots.penalty_months(periods)),
                                     "When they occur: amount per calendar day (horizons up to 62 days) or month; "
                                     "the bars add up to the amounts in the table."))
    else:
        section.blocks.append(note("Nothing curtailed, short, shed or overloaded: nothing to plot over time."))
    return section

