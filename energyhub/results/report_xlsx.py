"""The Excel workbook of ``energyhub export --format xlsx``: a summary sheet for a study plus data sheets.

The ``summary`` sheet holds what a consultant pastes into a feasibility study: the scenario in brief, the sized
assets with units, costs by category and the key KPIs before and after. Data sheets follow.

Excel holds at most 1,048,576 rows and 16,384 columns per sheet. A full year of 15-minute steps for 100 branches is
3.5 million rows in long format, so time series go to **wide sheets, one per variable** (``time`` down, one column
per asset, hub, branch or bus): 35,136 rows for a year at 15 minutes. A sheet that would still overflow is split
into ``<name>_1``, ``<name>_2``… by rows (and by columns beyond 16,383 elements). The small tables (capacities,
costs, KPIs, hubs, run, sweep points) are written in the same long layout as the CSV export.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from energyhub import __version__
from energyhub.model.registry import size_labels
from energyhub.results.report_inputs import ResultDir

log = logging.getLogger(__name__)
MAX_ROWS = 1_048_576
MAX_COLS = 16_384
SHEET_NAME_MAX = 31
TIME_FORMAT = "yyyy-mm-dd hh:mm"
SMALL_TABLES = ("capacities", "costs", "kpis", "hubs", "run", "baseline_totals", "baseline_top_branches",
                "input_baseline_totals", "input_baseline_top_branches", "sweep_points")
HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
SECTION_FONT = Font(bold=True, size=12, color="1F4E79")
#: Capacity quantity -> column label, from the component registry (sizes and per-unit capacities).
QUANTITY_LABELS = size_labels()
KPI_PAIRS = (
    ("Overloaded branch-hours (h)", "overloaded_branch_hours"),
    ("Maximum branch loading (%)", "max_loading_pct"),
)


def write_workbook(result: ResultDir, tables: dict[str, pd.DataFrame], path: Path) -> Path:
    """Write the workbook to ``path`` (the caller makes it atomic) and return ``path``."""
    book = Workbook(write_only=True)
    try:
        used: set[str] = set()
        summary = book.create_sheet("summary")
        used.add("summary")
        contents: list[tuple[str, str]] = []
        for name in SMALL_TABLES:
            if name in tables:
                contents += [(sheet, TABLE_NOTES.get(name.removeprefix("input_"), ""))
                             for sheet in _write_long(book, name, tables[name], used)]
        prefixes = {"solve": (("", ""), ("input_", "baseline, ")), "baseline": (("", "baseline, "),),
                    "sweep": (("sweep_", ""),)}[result.kind]
        datasets = [ds for ds in ((result.results, result.baseline) if result.kind == "solve" else
                                  (result.baseline, result.sweep)) if ds is not None]
        for ds, (prefix, label) in zip(datasets, prefixes, strict=False):
            contents += _write_dataset(book, ds, used, tables, prefix, label)
        _write_summary(summary, result, tables, contents)
        book.save(path)
    except BaseException:
        _discard(book)
        raise
    return path


TABLE_NOTES = {
    "capacities": "sized assets, one column per quantity", "costs": "annual costs by category (EUR/year)",
    "kpis": "KPIs over the horizon", "hubs": "grid connection (GTV), contracted import and peak per hub",
    "run": "status, objective, timings, model size", "baseline_totals": "baseline totals (baseline.json)",
    "baseline_top_branches": "most congested branches (baseline.json)", "sweep_points": "one row per point",
}


def _discard(book: Workbook) -> None:
    """Close the write-only sheets' XML writers of a workbook that will not be saved.

    Otherwise their generators are closed by the garbage collector, and lxml prints one 'Exception ignored'
    traceback per sheet on stderr, burying the real error.
    """
    for sheet in book.worksheets:
        writer = getattr(sheet, "_writer", None)
        rows = getattr(sheet, "_rows", None)
        for generator in (rows, getattr(writer, "xf", None)):
            try:
                if generator is not None and hasattr(generator, "close"):
                    generator.close()
            except Exception:  # best effort: the original error is what matters
                pass


# ----------------------------------------------------------------------------------------------------- data sheets
def _unique_sheet(base: str, used: set[str], part: int | None = None) -> str:
    suffix = "" if part is None else f"_{part}"
    name = base[: SHEET_NAME_MAX - len(suffix)] + suffix
    counter = 2
    while name in used:
        tail = f"~{counter}{suffix}"
        name = base[: SHEET_NAME_MAX - len(tail)] + tail
        counter += 1
    used.add(name)
    return name


def _blocks(total: int, size: int) -> list[tuple[int, int]]:
    return [(start, min(start + size, total)) for start in range(0, max(total, 1), size)]


def _cell_value(value: Any) -> Any:
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, np.datetime64 | pd.Timestamp):
        return pd.Timestamp(value).to_pydatetime()
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value


def _header_row(sheet: WriteOnlyWorksheet, labels: Iterable[Any]) -> list[Any]:
    cells = []
    for label in labels:
        cell = WriteOnlyCell(sheet, value=str(label))
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = HEADER_FILL
        cells.append(cell)
    return cells


def set_widths(sheet: WriteOnlyWorksheet, widths: dict[str, float]) -> None:
    """Column widths (in characters); must be set before the first row of a write-only sheet."""
    dimensions = sheet.column_dimensions  # type: ignore[attr-defined]  # exists at run time, missing in the stubs
    for column, width in widths.items():
        dimensions[column].width = width


def _write_long(book: Workbook, name: str, table: pd.DataFrame, used: set[str]) -> list[str]:
    names = []
    rows = _blocks(len(table), MAX_ROWS - 1)
    for part, (start, stop) in enumerate(rows, start=1):
        sheet = book.create_sheet(_unique_sheet(name, used, part if len(rows) > 1 else None))
        sheet.freeze_panes = "A2"
        sheet.append(_header_row(sheet, table.columns))
        for record in table.iloc[start:stop].itertuples(index=False):
            sheet.append([_time_cell(sheet, v) for v in record])
        names.append(sheet.title)
    return names


def _time_cell(sheet: WriteOnlyWorksheet, value: Any) -> Any:
    value = _cell_value(value)
    if isinstance(value, datetime):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = TIME_FORMAT
        return cell
    return value


def wide_variables(ds: xr.Dataset) -> list[str]:
    """Variables that go to a wide sheet: dims exactly (``time``, element)."""
    return [str(n) for n, v in ds.data_vars.items() if v.ndim == 2 and v.dims[0] == "time"]


def _write_dataset(book: Workbook, ds: xr.Dataset, used: set[str], tables: dict[str, pd.DataFrame], prefix: str,
                   label: str) -> list[tuple[str, str]]:
    """Wide sheets for the (time, element) variables; the other families as their long tables."""
    from energyhub.results.export import dataset_families

    names: list[tuple[str, str]] = []
    wide = wide_variables(ds)
    for name in wide:
        var = ds[name]
        log.info("xlsx: %s (%d × %d)", f"{prefix}{name}", *var.shape)
        text = f"{label}{var.attrs.get('long_name') or var.attrs.get('description') or ''}"
        unit = var.attrs.get("units")
        names += [(sheet, f"{text} ({unit})" if unit else text) for sheet in _write_wide(book, var, used, prefix)]
    for family, members in dataset_families(ds, prefix).items():
        rest = [m for m in members if m not in wide]
        if not rest:
            continue
        table = tables[family] if family in tables and rest == members else ds[rest].to_dataframe().reset_index()
        names += [(sheet, f"{label}{', '.join(rest)}") for sheet in _write_long(book, family, table, used)]
    return names


def _write_wide(book: Workbook, var: xr.DataArray, used: set[str], prefix: str = "") -> list[str]:
    element_dim = str(var.dims[1])
    times = pd.DatetimeIndex(var["time"].values).to_pydatetime()
    elements = [str(e) for e in var[element_dim].values]
    values = var.values
    row_blocks = _blocks(len(times), MAX_ROWS - 1)
    col_blocks = _blocks(len(elements), MAX_COLS - 1)
    names = []
    for part, (rows, cols) in enumerate(((r, c) for r in row_blocks for c in col_blocks), start=1):
        split = len(row_blocks) * len(col_blocks) > 1
        sheet = book.create_sheet(_unique_sheet(prefix + str(var.name), used, part if split else None))
        sheet.freeze_panes = "B2"
        set_widths(sheet, {"A": 17})
        sheet.append(_header_row(sheet, ["time", *elements[cols[0] : cols[1]]]))
        for i in range(*rows):
            row = values[i, cols[0] : cols[1]]
            sheet.append([_time_cell(sheet, times[i]), *(_cell_value(v) for v in row)])
        names.append(sheet.title)
    return names


# ---------------------------------------------------------------------------------------------------- summary sheet
def _write_summary(sheet: WriteOnlyWorksheet, result: ResultDir, tables: dict[str, pd.DataFrame],
                   contents: list[tuple[str, str]]) -> None:
    set_widths(sheet, dict(zip("ABCDEFGHIJ", (34, 18, 16, 16, 16, 16, 16, 16, 16, 16), strict=True)))
    for row in _summary_rows(sheet, result, tables, contents):
        sheet.append(row)


def _title(sheet: WriteOnlyWorksheet, text: str, font: Font = SECTION_FONT) -> list[Any]:
    cell = WriteOnlyCell(sheet, value=text)
    cell.font = font
    return [cell]


def _numbers(sheet: WriteOnlyWorksheet, values: Iterable[Any], fmt: str = "#,##0.0") -> list[Any]:
    cells: list[Any] = []
    for value in values:
        value = _cell_value(value)
        if isinstance(value, int | float) and not isinstance(value, bool):
            cell = WriteOnlyCell(sheet, value=value)
            cell.number_format = fmt
            cell.alignment = Alignment(horizontal="right")
            cells.append(cell)
        else:
            cells.append(value)
    return cells


def _summary_rows(sheet: WriteOnlyWorksheet, result: ResultDir, tables: dict[str, pd.DataFrame],
                  contents: list[tuple[str, str]]) -> Iterator[list[Any]]:
    yield _title(sheet, f"energyhub result: {result.scenario}", Font(bold=True, size=16, color="1F4E79"))
    yield [f"{result.kind} directory {result.path.name}; exported {datetime.now():%Y-%m-%d %H:%M} "
           f"by energyhub {__version__}"]
    summary = result.summary
    if summary:
        yield ["Status", str(summary.get("status", "n/a"))]
        yield ["Objective (EUR)", *_numbers(sheet, [summary.get("objective_eur")], "#,##0")]
        yield ["MIP gap (%)", *_numbers(sheet, [100 * float(summary.get("mip_gap") or 0.0)], "0.00")]
    yield from _brief_rows(sheet, summary.get("scenario_brief") or {})
    yield from _capacity_rows(sheet, tables.get("capacities"))
    yield from _cost_rows(sheet, tables.get("costs"))
    yield from _kpi_rows(sheet, summary.get("kpis") or {})
    for note in result.notes:
        yield [note]
    yield []
    yield _title(sheet, "Data sheets")
    yield ["Time series are wide: one sheet per variable, time down, one column per element; the unit is in the "
           "sheet name (p_mw = MW) and below. Sheets over Excel's 1,048,576 rows are split into _1, _2…"]
    yield _header_row(sheet, ["Sheet", "Content"])
    yield from ([name, text] for name, text in contents)


def _brief_rows(sheet: WriteOnlyWorksheet, brief: dict[str, Any]) -> Iterator[list[Any]]:
    if not brief:
        return
    yield []
    yield _title(sheet, "Scenario in brief")
    for key, value in brief.items():
        yield [str(key).replace("_", " "), brief_text(value)]


def brief_text(value: Any) -> str:
    """A one-line rendering of a free-form scenario-brief value."""
    if isinstance(value, dict):
        return "; ".join(f"{k}: {brief_text(v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(brief_text(v) for v in value)
    return str(value)


def _capacity_rows(sheet: WriteOnlyWorksheet, table: pd.DataFrame | None) -> Iterator[list[Any]]:
    if table is None or table.empty:
        return
    quantities = [c for c in table.columns if c not in ("asset", "asset_type", "asset_hub")]
    yield []
    yield _title(sheet, "Sized assets")
    yield _header_row(sheet, ["Asset", "Type", "Hub", *(QUANTITY_LABELS.get(q, q) for q in quantities)])
    for record in table.to_dict("records"):
        yield [record["asset"], record["asset_type"], record["asset_hub"],
               *_numbers(sheet, (record.get(q) for q in quantities), "#,##0.0##")]


def _cost_rows(sheet: WriteOnlyWorksheet, table: pd.DataFrame | None) -> Iterator[list[Any]]:
    if table is None or table.empty:
        return
    yield []
    yield _title(sheet, "Annual costs by category (EUR per year: capex annualised, operation scaled to a year)")
    yield _header_row(sheet, ["Category", "Cost (EUR)", "Share (%)"])
    for record in table.to_dict("records"):
        yield [str(record["category"]).replace("_", " "), *_numbers(sheet, [record["cost_eur"]], "#,##0"),
               *_numbers(sheet, [record["share_pct"]], "0.0")]
    total = WriteOnlyCell(sheet, value="Total")
    total.font = Font(bold=True)
    yield [total, *_numbers(sheet, [float(table["cost_eur"].sum())], "#,##0")]


def _kpi_rows(sheet: WriteOnlyWorksheet, kpis: dict[str, Any]) -> Iterator[list[Any]]:
    if not kpis:
        return
    yield []
    yield _title(sheet, "Key KPIs (energy over the modelled horizon)")
    yield _header_row(sheet, ["KPI", "Before", "After"])
    paired = set()
    for label, stem in KPI_PAIRS:
        before, after = kpis.get(f"{stem}_before"), kpis.get(f"{stem}_after")
        if before is not None or after is not None:
            paired.update({f"{stem}_before", f"{stem}_after"})
            yield [label, *_numbers(sheet, [before, after])]
    for name, value in kpis.items():
        if name in paired:
            continue
        if isinstance(value, dict):
            for hub, v in value.items():
                yield [f"{name} [{hub}]", None, *_numbers(sheet, [v])]
        elif isinstance(value, list):
            yield [f"{name} (count)", None, *_numbers(sheet, [len(value)], "0")]
        elif isinstance(value, int | float | str) and not isinstance(value, bool):
            yield [name, None, *_numbers(sheet, [value])]
