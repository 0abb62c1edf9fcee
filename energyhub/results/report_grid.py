"""Report sections about the grid: congestion before and after, and hub exchange against contracted capacity."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from energyhub.results import report_plots as plots
from energyhub.results.export import baseline_top_table, baseline_totals, hour_spans
from energyhub.results.report_inputs import ResultDir, limit_pct, present, step_hours
from energyhub.results.report_sections import TOP_BRANCHES, Block, Section, figure, fmt, note, table


def _loadings(result: ResultDir) -> tuple[xr.DataArray | None, xr.DataArray | None, xr.Dataset | None]:
    """(before, after, dataset) branch loadings in %; a baseline directory has only ``before``."""
    ds = result.results
    if ds is not None:
        before = ds["loading_ac_before_pct"] if present(ds, "loading_ac_before_pct") else None
        after = ds["loading_ac_after_pct"] if present(ds, "loading_ac_after_pct") else None
        return before, after, ds
    base = result.baseline
    if base is not None:
        for name in ("loading_ac_pct", "loading_dc_pct"):
            if present(base, name):
                return base[name], None, base
    return None, None, None


def congested_branches(before: xr.DataArray, after: xr.DataArray | None, limit: float, step_h: float,
                       kinds: dict[str, str]) -> pd.DataFrame:
    """The branches with the highest loading before: peak, hours over the limit, when they congest."""
    peak = before.max("time").to_series().sort_values(ascending=False).head(TOP_BRANCHES)
    rows = []
    for branch in peak.index:
        one = before.sel(branch=branch).to_series()
        over = one[one > limit]
        row: dict[str, Any] = {"Branch": branch, "Kind": kinds.get(str(branch), ""),
                               "Max before (%)": float(peak[branch])}
        if after is not None:
            row["Max after (%)"] = float(after.sel(branch=branch).max())
        row["Hours over limit before (h)"] = len(over) * step_h
        if after is not None:
            row["Hours over limit after (h)"] = int((after.sel(branch=branch) > limit).sum()) * step_h
        row["Worst moment"] = f"{one.idxmax():%a %Y-%m-%d %H:%M}"
        row["Congested hours of day"] = _hours_of_day(over.index)
        rows.append(row)
    return pd.DataFrame(rows)


def _hours_of_day(index: pd.Index) -> str:
    return hour_spans(list(pd.DatetimeIndex(index).hour)) if len(index) else "none"


def congestion_section(result: ResultDir) -> Section:
    """Congestion before and after: heatmap, duration curves, most congested branches."""
    title = "Congestion without hub assets" if result.kind == "baseline" else "Congestion before and after"
    section = Section("congestion", title)
    before, after, ds = _loadings(result)
    if before is None or ds is None:
        section.blocks.append(note("No branch loading variables: congestion section skipped."))
        return section
    summary = result.summary or result.baseline_summary or {}
    limit, step_h = limit_pct(ds, summary), step_hours(ds)
    kinds = {str(b): str(k) for b, k in zip(ds["branch"].values, ds["branch_kind"].values, strict=True)} \
        if "branch_kind" in ds.coords else {}
    cards = _congestion_cards(before, after, limit, step_h)
    overload = (result.summary.get("kpis") or {}).get("overload_mwh_after")
    if result.kind == "solve" and isinstance(overload, int | float):
        cards.append(("Overload in the optimisation", fmt(overload, 1, "MWh"), "DC flow above the limits, after"))
    section.blocks.append(Block("cards", cards=cards))
    if after is None and result.kind == "solve":
        section.blocks.append(note("No loading_ac_after_pct in results.nc: only the loading before is shown."))
    panels = [("Before: AC loading without the hub assets", before)]
    if after is not None:
        panels.append(("After: AC loading with the optimised hub dispatch", after))
    shown = min(plots.HEATMAP_MAX_BRANCHES, before.sizes["branch"])
    section.blocks.append(figure("heatmap", plots.to_data_uri(plots.loading_heatmap(panels, limit)),
                                 f"Branch loading over the horizon, the {shown} most loaded of "
                                 f"{before.sizes['branch']} branches; red above the limit of {limit:.0f} %."))
    top = congested_branches(before, after, limit, step_h, kinds)
    fig = plots.duration_curves(before, after, limit, step_h, [str(b) for b in top["Branch"]])
    section.blocks.append(figure("duration", plots.to_data_uri(fig),
                                 "Loading duration curves: how many hours a loading is reached or exceeded."))
    section.blocks.append(Block("text", text=f"The {len(top)} branches with the highest loading before:"))
    section.blocks.append(table(top, {c: 0 if "(h)" in c else 1 for c in top.columns}, name="top-branches"))
    if result.kind == "baseline" and result.baseline_summary:
        section.blocks.extend(_baseline_json_blocks(result.baseline_summary))
    return section


def _congestion_cards(before: xr.DataArray, after: xr.DataArray | None, limit: float,
                      step_h: float) -> list[tuple[str, str, str]]:
    def hours(loading: xr.DataArray) -> float:
        return float((loading > limit).sum()) * step_h

    def branches(loading: xr.DataArray) -> int:
        return int((loading > limit).any("time").sum())

    if after is None:
        return [("Overloaded branch-hours", fmt(hours(before), 0, "h"), f"loading above {limit:.0f} %"),
                ("Overloaded branches", fmt(branches(before)), f"of {before.sizes['branch']}"),
                ("Highest loading", fmt(float(before.max()), 1, "%"), "AC")]
    return [
        ("Overloaded branch-hours", f"{fmt(hours(before), 0)} → {fmt(hours(after), 0)} h", "before → after"),
        ("Overloaded branches", f"{branches(before)} → {branches(after)}", f"of {before.sizes['branch']}"),
        ("Highest loading", f"{fmt(float(before.max()), 1)} → {fmt(float(after.max()), 1)} %", "before → after"),
    ]


def _baseline_json_blocks(summary: dict[str, Any]) -> list[Block]:
    blocks: list[Block] = []
    totals = baseline_totals(summary)
    totals = totals[~totals["key"].isin(["limit_pct", "step_h"])]
    if not totals.empty:
        labels = {"overloaded_steps": "Steps with an overload", "overloaded_h_any_branch": "Hours with an overload (h)",
                  "energy_above_limit_mwh": "Energy above the limits (MWh)", "nan_steps": "Steps not converged",
                  "overloaded_branch_hours": "Overloaded branch-hours (h)"}
        wide = totals.assign(key=totals["key"].map(lambda k: labels.get(k, k)))
        wide = wide.pivot_table(index="key", columns="flow", values="value", sort=False).reset_index()
        wide = wide.rename(columns={"key": "Total", "ac": "AC", "dc": "DC", "": "Value"})
        for column in wide.columns[1:]:
            wide[column] = [fmt(v, 1 if "(" in str(k) else 0) for k, v in zip(wide["Total"], wide[column], strict=True)]
        blocks.append(Block("text", text="Totals of the baseline run (baseline.json), AC power flow and DC "
                                         "approximation:"))
        blocks.append(table(wide, name="baseline-totals"))
    top = baseline_top_table(summary)
    if top is not None:
        blocks.append(Block("text", text="Most congested branches as listed in baseline.json:"))
        blocks.append(table(top, name="baseline-top"))
    elif "ac" in summary:
        blocks.append(note("baseline.json lists no congested branch: no branch exceeds the limit in any step."))
    return blocks


# ------------------------------------------------------------------------------------------------------------ hubs
def hubs_section(result: ResultDir) -> Section:
    """Hub import and export against the contracted transport capacity (GTV)."""
    section = Section("hubs", "Hub import and export against contracted capacity")
    ds = result.results
    if ds is None or not (present(ds, "import_mw") and present(ds, "export_mw")):
        section.blocks.append(note("No import_mw/export_mw in results.nc: hub exchange skipped."))
        return section
    contracted = _contracted(result.summary)
    caps = result.summary.get("capacities") or {}
    rows = [_hub_row(ds.sel(hub=hub), contracted.get(str(hub), (None, None)),
                     (caps.get(str(hub)) or {}).get("contracted_import_mw"), step_hours(ds))
            for hub in ds["hub"].values]
    frame = pd.DataFrame(rows)
    section.blocks.append(table(frame, {c: 0 if "(h)" in c or "(MWh)" in c else 1 for c in frame.columns},
                                name="hubs"))
    section.blocks.append(figure("hub-exchange", plots.to_data_uri(plots.hub_exchange(ds, contracted, {
        str(h): float(v["contracted_import_mw"]) for h, v in caps.items()
        if isinstance(v, dict) and isinstance(v.get("contracted_import_mw"), int | float)})),
                                 "Import (up) and export (down) per hub; dotted red: transport capacity of the "
                                 "connection (GTV); dashed: import capacity contracted by the optimisation."))
    return section


def _contracted(summary: dict[str, Any]) -> dict[str, tuple[float | None, float | None]]:
    out: dict[str, tuple[float | None, float | None]] = {}
    for hub, limits in (summary.get("hubs") or {}).items():
        if isinstance(limits, dict):
            out[str(hub)] = (limits.get("import_mw"), limits.get("export_mw"))
    return out


def _hub_row(one: xr.Dataset, gtv: tuple[float | None, float | None], contracted_import: float | None,
             step_h: float) -> dict[str, Any]:
    gtv_import, gtv_export = gtv
    imports, exports = one["import_mw"].values, one["export_mw"].values
    cap = contracted_import if contracted_import is not None else gtv_import
    if "import_limit_mw" in one:
        limit = one["import_limit_mw"].values
    else:
        limit = np.full_like(imports, np.nan if cap is None else float(cap))
    at_limit = np.isfinite(limit) & (imports >= 0.99 * limit - 1e-9) & (limit > 0)
    peak_import, peak_export = float(np.nanmax(imports)), float(np.nanmax(exports))
    return {
        "Hub": str(one["hub"].values),
        "GTV import (MW)": gtv_import,
        "Contracted import (MW)": contracted_import,
        "Peak import (MW)": peak_import,
        "Use of contracted import (%)": 100 * peak_import / cap if cap else None,
        "Hours at import limit (h)": float(at_limit.sum()) * step_h,
        "GTV export (MW)": gtv_export,
        "Peak export (MW)": peak_export,
        "Use of GTV export (%)": 100 * peak_export / gtv_export if gtv_export else None,
        "Imported (MWh)": float(np.nansum(imports)) * step_h,
        "Exported (MWh)": float(np.nansum(exports)) * step_h,
    }
