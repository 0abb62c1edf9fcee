"""``energyhub export``: tidy tables of a result directory as CSV, Parquet or an Excel workbook.

Time series leave in long format, one table per variable family (``asset_dispatch``, ``asset_storage``,
``hub_exchange``, ``hub_balance``, ``branch_loading``, ``bus_voltage``, …) with a ``time`` column, the element column
(``asset``, ``hub``, ``branch`` or ``bus``), its descriptive coordinates and one value column per variable whose name
carries the unit (``p_mw``, ``loading_ac_after_pct``). Run data leave as small tables (``capacities``, ``costs``,
``kpis``, ``hubs``, ``run``). The export is written by :func:`energyhub.outdir.atomic_dir` (a temporary sibling with
energyhub's marker, renamed into place), so a failed or interrupted export never leaves a half-written result.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
import xarray as xr

from energyhub.errors import InputError
from energyhub.model.registry import components
from energyhub.outdir import atomic_dir, check_target
from energyhub.results.families import DROP_ALL_NAN, dataset_families
from energyhub.results.families import FAMILIES as FAMILIES  # importable from here as before
from energyhub.results.report_inputs import ResultDir, load_result_dir
from energyhub.results.report_xlsx import write_workbook

log = logging.getLogger(__name__)
Format = Literal["csv", "parquet", "xlsx"]
FORMATS: tuple[Format, ...] = ("csv", "parquet", "xlsx")
MANIFEST = "export.json"

UNIT_SUFFIXES = {
    "_mwh_th": "MWh_th", "_mw_th": "MW_th",
    "_eur_per_mwh": "EUR/MWh", "_eur": "EUR", "_mwh": "MWh", "_mw": "MW", "_mva": "MVA", "_kg": "kg", "_pct": "%",
    "_pu": "pu", "_t": "t", "_s": "s", "_h": "h",
}


def unit_of(name: str) -> str:
    """The unit encoded in a name (``p_mw`` -> ``MW``, ``max_loading_pct_after`` -> ``%``), or ``''`` for counts."""
    stem = name.removesuffix("_before").removesuffix("_after")
    for suffix, unit in UNIT_SUFFIXES.items():
        if stem.endswith(suffix):
            return unit
    if stem.endswith("_hours"):
        return "h"
    return "steps" if stem.endswith("_steps") else ""


# ---------------------------------------------------------------------------------------------- time-series tables
def long_table(ds: xr.Dataset, names: list[str], drop_all_nan: bool = False) -> pd.DataFrame:
    """One long table of ``names`` (same dims): index columns, descriptive coordinates, then the values."""
    table = ds[names].to_dataframe().reset_index()
    dims = [str(d) for d in ds[names[0]].dims]
    coords = [c for c in table.columns if c not in dims and c not in names]
    table = table[dims + coords + names]
    if drop_all_nan:
        table = table.dropna(subset=names, how="all").reset_index(drop=True)
    return table


def static_columns(ds: xr.Dataset, names: list[str]) -> list[str]:
    """Names of ``ds`` that have no time dimension (they go to a small long table, not a time series)."""
    return [n for n in names if "time" not in ds[n].dims]


def series_tables(ds: xr.Dataset, prefix: str = "") -> dict[str, pd.DataFrame]:
    """All time-series tables of ``ds``, keyed by family name."""
    return {
        family: long_table(ds, names, drop_all_nan=family.removeprefix(prefix) in DROP_ALL_NAN)
        for family, names in dataset_families(ds, prefix).items()
    }


# ------------------------------------------------------------------------------------------------------ run tables
def capacities_table(summary: dict[str, Any], ds: xr.Dataset | None) -> pd.DataFrame:
    """Sized assets, one row each, one column per quantity with its unit (``energy_mwh``, ``stacks``…)."""
    hubs_ = hub_names(summary, ds)
    capacities = {k: v for k, v in (summary.get("capacities") or {}).items() if k not in hubs_}
    types = _asset_coord(ds, "asset_type")
    hubs = _asset_coord(ds, "asset_hub")
    rows = [
        {"asset": asset, "asset_type": types.get(asset, infer_asset_type(sizes)), "asset_hub": hubs.get(asset, ""),
         **{str(k): v for k, v in sizes.items()}}
        for asset, sizes in capacities.items()
        if isinstance(sizes, dict)
    ]
    table = pd.DataFrame(rows, columns=None if rows else ["asset", "asset_type", "asset_hub"])
    for column in table.columns[3:]:
        values = [sizes[column] for sizes in capacities.values() if isinstance(sizes, dict) and column in sizes]
        counts = column in COUNT_QUANTITIES and all(_is_number(v) and float(v).is_integer() for v in values)
        if values and (counts or all(isinstance(v, int) and not isinstance(v, bool) for v in values)):
            table[column] = table[column].round().astype("Int64")
    return table


#: Capacity quantities that are counts (integers): the sizes that per-unit capacities multiply.
COUNT_QUANTITIES = frozenset(unit.count for c in components() for unit in c.per_unit)


def hub_names(summary: dict[str, Any], ds: xr.Dataset | None = None) -> set[str]:
    """The hubs of a run (``capacities`` also holds per-hub sizes such as ``contracted_import_mw``)."""
    names = {str(h) for h in (summary.get("hubs") or {})}
    names |= {str(h) for h in ((summary.get("kpis") or {}).get("peak_import_mw") or {})}
    if ds is not None and "hub" in ds.coords:
        names |= {str(h) for h in ds["hub"].values}
    assets = (summary.get("scenario_brief") or {}).get("assets") or {}
    return names - set(assets) if isinstance(assets, dict) else names


def infer_asset_type(sizes: dict[str, Any]) -> str:
    """Guess an asset's type from the quantities sized for it (used when results.nc does not name it): the first
    component of the registry whose first size is among them."""
    keys = set(sizes)
    for component in components():
        if component.sizes and component.sizes[0].suffix in keys and len(component.asset_types) == 1:
            return component.asset_types[0]
    return ""


def _asset_coord(ds: xr.Dataset | None, name: str) -> dict[str, str]:
    if ds is None or name not in ds.coords or "asset" not in ds.coords:
        return {}
    return {str(a): str(v) for a, v in zip(ds["asset"].values, ds[name].values, strict=True)}


def costs_table(summary: dict[str, Any]) -> pd.DataFrame:
    """Annual costs by category (negative entries are revenues) with their share of the total.

    ``costs_eur.total`` of summary.json is the sum of the categories (= the objective); it is left out here, and
    shown as a total row by the workbook and the report.
    """
    costs = {k: float(v) for k, v in (summary.get("costs_eur") or {}).items() if _is_number(v) and k != "total"}
    table = pd.DataFrame({"category": list(costs), "cost_eur": list(costs.values())})
    total = table["cost_eur"].sum()
    table["share_pct"] = 100.0 * table["cost_eur"] / total if total else np.nan
    return table


def kpis_table(summary: dict[str, Any]) -> pd.DataFrame:
    """KPIs in long form: ``kpi``, ``hub`` (empty for system-wide KPIs), ``value``, ``unit``."""
    rows: list[dict[str, Any]] = []
    for name, value in (summary.get("kpis") or {}).items():
        if isinstance(value, dict):
            rows.extend({"kpi": name, "hub": hub, "value": float(v), "unit": unit_of(name)}
                        for hub, v in value.items() if _is_number(v))
        elif _is_number(value):
            rows.append({"kpi": name, "hub": "", "value": float(value), "unit": unit_of(name)})
        elif isinstance(value, list):  # e.g. ac_nonconverged_steps_*: the steps themselves are in the run table
            rows.append({"kpi": name, "hub": "", "value": float(len(value)), "unit": "steps"})
    return pd.DataFrame(rows, columns=["kpi", "hub", "value", "unit"])


def hubs_table(summary: dict[str, Any]) -> pd.DataFrame:
    """Per hub: the grid connection's transport capacity (GTV, from the scenario), the import capacity the
    optimisation contracted (``capacities.<hub>.contracted_import_mw``, at most the GTV) and the peak import."""
    caps = summary.get("capacities") or {}
    peaks = (summary.get("kpis") or {}).get("peak_import_mw") or {}
    rows = [
        {"hub": hub, "gtv_import_mw": limits.get("import_mw"), "gtv_export_mw": limits.get("export_mw"),
         "contracted_import_mw": (caps.get(hub) or {}).get("contracted_import_mw"), "peak_import_mw": peaks.get(hub)}
        for hub, limits in (summary.get("hubs") or {}).items()
        if isinstance(limits, dict)
    ]
    return pd.DataFrame(rows, columns=["hub", "gtv_import_mw", "gtv_export_mw", "contracted_import_mw",
                                       "peak_import_mw"])


def run_table(summary: dict[str, Any]) -> pd.DataFrame:
    """Run metadata as key/value rows: scenario, status, objective, MIP gap, timings."""
    rows: list[dict[str, Any]] = []
    for key in ("scenario", "status", "objective_eur", "mip_gap"):
        if key in summary:
            rows.append({"key": key, "value": str(summary[key])})
    for group in ("timings_s", "solver_timings_s", "model_size"):
        for step, value in (summary.get(group) or {}).items():
            rows.append({"key": f"{group}.{step}", "value": str(value)})
    for name, value in (summary.get("kpis") or {}).items():
        if isinstance(value, str):  # e.g. "ac_check": "skipped: …"
            rows.append({"key": f"kpis.{name}", "value": value})
        elif isinstance(value, list) and value:
            rows.append({"key": f"kpis.{name}", "value": ", ".join(map(str, value))})
    return pd.DataFrame(rows, columns=["key", "value"])


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def baseline_top_table(baseline_summary: dict[str, Any]) -> pd.DataFrame | None:
    """The most congested branches of baseline.json (``ac.top`` and ``dc.top``, a ``flow`` column says which).

    Older files with a top-level list of records are read as that list. The 24 counts per hour of day and 12 per
    month become text (``"17-20 h"``, ``"Jan, Feb"``) so that the table stays flat.
    """
    frames = []
    for flow in ("ac", "dc"):
        part = baseline_summary.get(flow)
        top = part.get("top") if isinstance(part, dict) else None
        if isinstance(top, list) and top:
            frames.append(pd.DataFrame([{"flow": flow, **_flat_top(r)} for r in top if isinstance(r, dict)]))
    if frames:
        return pd.concat(frames, ignore_index=True)
    for value in baseline_summary.values():
        if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            return pd.json_normalize(value)
    return None


MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _flat_top(record: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in record.items():
        if key == "steps_by_hour_of_day" and isinstance(value, list):
            out["congested_hours_of_day"] = hour_spans([h for h, n in enumerate(value) if n])
        elif key == "steps_by_month" and isinstance(value, list):
            out["congested_months"] = ", ".join(MONTHS[m] for m, n in enumerate(value[:12]) if n) or "none"
        elif isinstance(value, list | dict):
            out[key] = json.dumps(value)
        else:
            out[key] = value
    return out


def hour_spans(hours: list[int]) -> str:
    """Hours of day as spans: [17, 18, 19, 23] -> ``"17-20 h, 23-24 h"``."""
    spans: list[tuple[int, int]] = []
    for hour in sorted(set(hours)):
        if spans and hour == spans[-1][1] + 1:
            spans[-1] = (spans[-1][0], hour)
        else:
            spans.append((hour, hour))
    return ", ".join(f"{a:02d}-{b + 1:02d} h" for a, b in spans) or "none"


def baseline_totals(baseline_summary: dict[str, Any]) -> pd.DataFrame:
    """Scalar totals of baseline.json (``ac``/``dc`` blocks, older ``totals``) as ``flow, key, value`` rows."""
    rows: list[dict[str, Any]] = []
    for flow in ("ac", "dc", "totals"):
        part = baseline_summary.get(flow)
        if not isinstance(part, dict):
            continue
        for key, value in part.items():
            if _is_number(value):
                rows.append({"flow": "" if flow == "totals" else flow, "key": key, "value": float(value)})
            elif key == "nan_steps" and isinstance(value, list):
                rows.append({"flow": flow, "key": "nan_steps", "value": float(len(value))})
    return pd.DataFrame(rows, columns=["flow", "key", "value"])


def build_tables(result: ResultDir) -> dict[str, pd.DataFrame]:
    """Every table of the export, in the order they are written."""
    tables: dict[str, pd.DataFrame] = {}
    if result.kind == "solve":
        tables["run"] = run_table(result.summary)
        tables["capacities"] = capacities_table(result.summary, result.results)
        tables["costs"] = costs_table(result.summary)
        tables["kpis"] = kpis_table(result.summary)
        tables["hubs"] = hubs_table(result.summary)
    if result.results is not None:
        tables.update(series_tables(result.results))
    if result.baseline is not None:
        tables.update(series_tables(result.baseline, prefix="" if result.kind == "baseline" else "input_"))
    if result.baseline_summary is not None:
        prefix = "" if result.kind == "baseline" else "input_"
        totals = baseline_totals(result.baseline_summary)
        if not totals.empty:
            tables[f"{prefix}baseline_totals"] = totals
        top = baseline_top_table(result.baseline_summary)
        if top is not None:
            tables[f"{prefix}baseline_top_branches"] = top
    if result.sweep_points is not None:
        tables["sweep_points"] = result.sweep_points
    if result.sweep is not None:
        tables.update(series_tables(result.sweep, prefix="sweep_"))
    return tables


# ---------------------------------------------------------------------------------------------------------- writing
def check_out_dir(out: Path) -> None:
    """Refuse a target that cannot be written or is not an earlier export (it may hold the user's files)."""
    check_target(out, kinds=("export",), what="export")


def write_tables(tables: dict[str, pd.DataFrame], folder: Path, fmt: Format) -> list[str]:
    """Write one file per table into ``folder``; return the file names."""
    names = []
    for index, (name, table) in enumerate(tables.items(), start=1):
        log.info("%s: %s (%d rows × %d columns) [%d/%d]", fmt, name, *table.shape, index, len(tables))
        if fmt == "csv":
            table.to_csv(folder / f"{name}.csv", index=False, date_format="%Y-%m-%dT%H:%M:%S")
            names.append(f"{name}.csv")
        else:
            _parquet_safe(table).to_parquet(folder / f"{name}.parquet", index=False)
            names.append(f"{name}.parquet")
    return names


def _parquet_safe(table: pd.DataFrame) -> pd.DataFrame:
    """Object columns holding mixed types (e.g. numbers and text in one column) become text for Arrow."""
    out = table.copy()
    for column in out.columns:
        if out[column].dtype == object and out[column].map(type).nunique() > 1:
            out[column] = out[column].map(lambda v: None if v is None or v is np.nan else str(v))
    return out


def export_result(directory: Path, fmt: Format, out: Path | None = None) -> Path:
    """Export the result directory ``directory`` as ``fmt`` into ``out`` (default ``DIR/export-<fmt>``)."""
    if fmt not in FORMATS:
        raise InputError(f"unknown export format {fmt!r}: choose one of {', '.join(FORMATS)}")
    out = out if out is not None else directory / f"export-{fmt}"
    check_out_dir(out)
    result = load_result_dir(directory)
    log.info("export: %s directory %s as %s", result.kind, directory, fmt)
    tables = build_tables(result)
    with atomic_dir(out, "export") as tmp:
        if fmt == "xlsx":
            files = [write_workbook(result, tables, tmp / f"{_safe_name(result.scenario)}.xlsx").name]
        else:
            files = write_tables(tables, tmp, fmt)
        manifest = {"source": str(directory.resolve()), "kind": result.kind, "format": fmt, "files": files,
                    "tables": {name: list(map(str, t.columns)) for name, t in tables.items()}, "notes": result.notes}
        (tmp / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return out


def _safe_name(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in name) or "energyhub"
