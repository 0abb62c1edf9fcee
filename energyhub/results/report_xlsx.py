"""The Excel workbook of ``energyhub export --format xlsx``: a summary sheet for a study plus data sheets.

The ``summary`` sheet holds what a consultant pastes into a feasibility study: the scenario in brief, the sized
assets with units, costs by category and the key KPIs before and after. Data sheets follow.

Excel holds at most 1,048,576 rows and 16,384 columns per sheet. A full year of 15-minute steps for 100 branches is
3.5 million rows in long format, so time series go to **wide sheets, one per variable** (``time`` down, one column
per asset, hub, branch or bus): 35,136 rows for a year at 15 minutes. A sheet that would still overflow is split
into ``<name>_1``, ``<name>_2``… by rows (and by columns beyond 16,383 elements). The small tables (capacities,
costs, KPIs, hubs, run, sweep points) are written in the same long layout as the CSV export.

Speed: a year of the reference study is 13.7 million numbers. The workbook is written by XlsxWriter (constant-memory
mode): styles, the summary, the small tables and the header row of each wide sheet. The numbers of a wide sheet are
added afterwards as the sheet's ``<sheetData>`` rows, formatted a whole row at a time by one ``str.format`` call
instead of one Python call per cell (cells as XlsxWriter writes them: ``<c r="B2"><v>1.5</v></c>``, the time as an
Excel serial date with the time style); per-cell writing took 4-5 minutes, this takes well under one.
"""

from __future__ import annotations

import contextlib
import logging
import os
import posixpath
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import numpy as np
import pandas as pd
import xarray as xr
import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.utility import xl_col_to_name, xl_rowcol_to_cell
from xlsxwriter.worksheet import Worksheet

from energyhub import __version__
from energyhub.model.registry import size_labels
from energyhub.results.families import dataset_families
from energyhub.results.report_inputs import ResultDir

log = logging.getLogger(__name__)
MAX_ROWS = 1_048_576
MAX_COLS = 16_384
SHEET_NAME_MAX = 31
TIME_FORMAT = "yyyy-mm-dd hh:mm"
EXCEL_EPOCH = pd.Timestamp("1899-12-30")
ROWS_PER_CHUNK = 1024
SMALL_TABLES = ("capacities", "costs", "kpis", "hubs", "run", "baseline_totals", "baseline_top_branches",
                "input_baseline_totals", "input_baseline_top_branches", "sweep_points")
BRAND = "#1F4E79"
STYLES: dict[str, dict[str, Any]] = {
    "header": {"bold": True, "font_color": "#FFFFFF", "bg_color": BRAND},
    "title": {"bold": True, "font_size": 16, "font_color": BRAND},
    "section": {"bold": True, "font_size": 12, "font_color": BRAND},
    "bold": {"bold": True},
    "time": {"num_format": TIME_FORMAT},
}
#: Capacity quantity -> column label, from the component registry (sizes and per-unit capacities).
QUANTITY_LABELS = size_labels()
KPI_PAIRS = (
    ("Overloaded branch-hours (h)", "overloaded_branch_hours"),
    ("Maximum branch loading (%)", "max_loading_pct"),
)
NON_FINITE_CELL = re.compile(r'<c r="[A-Z]+[0-9]+"><v>(?:nan|-?inf)</v></c>')


@dataclass(frozen=True)
class Styled:
    """A cell value with a style: a key of :data:`STYLES` or ``num:<Excel number format>``."""

    value: Any
    style: str


@dataclass(frozen=True)
class Grid:
    """The numbers of one wide sheet, added to the saved workbook by :func:`splice_grids`."""

    sheet: str
    label: str
    times_serial: np.ndarray  # Excel serial date of each row
    values: np.ndarray  # rows × columns, float


class Styles:
    """XlsxWriter formats by key, made on first use."""

    def __init__(self, book: xlsxwriter.Workbook) -> None:
        self.book = book
        self._formats: dict[str, Format] = {}

    def __getitem__(self, key: str) -> Format:
        if key not in self._formats:
            if key.startswith("num:"):
                spec: dict[str, Any] = {"num_format": key.removeprefix("num:"), "align": "right"}
            else:
                spec = STYLES[key]
            self._formats[key] = self.book.add_format(spec)
        return self._formats[key]


def write_workbook(result: ResultDir, tables: dict[str, pd.DataFrame], path: Path) -> Path:
    """Write the workbook to ``path`` (the caller makes it atomic) and return ``path``."""
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True, "tmpdir": str(path.parent)})
    styles = Styles(book)
    time_style = styles["time"]  # the style of the grids' time cells; XlsxWriter numbers it on close
    grids: list[Grid] = []
    try:
        used: set[str] = set()
        summary = _add_sheet(book, "summary", used)
        contents: list[tuple[str, str]] = []
        for name in SMALL_TABLES:
            if name in tables:
                contents += [(sheet, TABLE_NOTES.get(name.removeprefix("input_"), ""))
                             for sheet in _write_long(book, styles, name, tables[name], used)]
        prefixes = {"solve": (("", ""), ("input_", "baseline, ")), "baseline": (("", "baseline, "),),
                    "sweep": (("sweep_", ""),)}[result.kind]
        datasets = [ds for ds in ((result.results, result.baseline) if result.kind == "solve" else
                                  (result.baseline, result.sweep)) if ds is not None]
        for ds, (prefix, label) in zip(datasets, prefixes, strict=False):
            contents += _write_dataset(book, styles, ds, used, tables, prefix, label, grids)
        _write_summary(summary, styles, result, tables, contents)
    except BaseException:
        with contextlib.suppress(Exception):  # close the sheets' temporary files; the caller discards the file
            book.close()
        raise
    book.close()
    splice_grids(path, grids, time_style.xf_index)
    return path


def _add_sheet(book: xlsxwriter.Workbook, name: str, used: set[str]) -> Worksheet:
    used.add(name.lower())
    return book.add_worksheet(name)


TABLE_NOTES = {
    "capacities": "sized assets, one column per quantity", "costs": "annual costs by category (EUR/year)",
    "kpis": "KPIs over the horizon", "hubs": "grid connection (GTV), contracted import and peak per hub",
    "run": "status, objective, timings, model size", "baseline_totals": "baseline totals (baseline.json)",
    "baseline_top_branches": "most congested branches (baseline.json)", "sweep_points": "one row per point",
}


# ----------------------------------------------------------------------------------------------------- data sheets
def _unique_sheet(base: str, used: set[str], part: int | None = None) -> str:
    """A sheet name of at most 31 characters, unique in ``used`` (Excel compares names case-insensitively)."""
    suffix = "" if part is None else f"_{part}"
    name = base[: SHEET_NAME_MAX - len(suffix)] + suffix
    counter = 2
    while name.lower() in used:
        tail = f"~{counter}{suffix}"
        name = base[: SHEET_NAME_MAX - len(tail)] + tail
        counter += 1
    used.add(name.lower())
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


def write_cells(sheet: Worksheet, styles: Styles, row: int, values: Iterable[Any]) -> None:
    """One row of plain or :class:`Styled` values; empty values leave the cell empty (or styled, if a style)."""
    for col, item in enumerate(values):
        style = styles[item.style] if isinstance(item, Styled) else None
        value = _cell_value(item.value if isinstance(item, Styled) else item)
        if value is None or value == "":
            if style is not None:
                sheet.write_blank(row, col, None, style)
        elif isinstance(value, datetime):
            sheet.write_datetime(row, col, value.replace(tzinfo=None), style or styles["time"])
        elif isinstance(value, bool):
            sheet.write_boolean(row, col, value, style)
        elif isinstance(value, int | float):
            sheet.write_number(row, col, value, style)
        else:
            sheet.write_string(row, col, str(value), style)


def _header(labels: Iterable[Any]) -> list[Styled]:
    return [Styled(str(label), "header") for label in labels]


def _write_long(book: xlsxwriter.Workbook, styles: Styles, name: str, table: pd.DataFrame,
                used: set[str]) -> list[str]:
    names = []
    rows = _blocks(len(table), MAX_ROWS - 1)
    for part, (start, stop) in enumerate(rows, start=1):
        title = _unique_sheet(name, used, part if len(rows) > 1 else None)
        sheet = book.add_worksheet(title)
        sheet.freeze_panes(1, 0)
        write_cells(sheet, styles, 0, _header(table.columns))
        for offset, record in enumerate(table.iloc[start:stop].itertuples(index=False), start=1):
            write_cells(sheet, styles, offset, record)
        names.append(title)
    return names


def wide_variables(ds: xr.Dataset) -> list[str]:
    """Variables that go to a wide sheet: dims exactly (``time``, element)."""
    return [str(n) for n, v in ds.data_vars.items() if v.ndim == 2 and v.dims[0] == "time"]


def _write_dataset(book: xlsxwriter.Workbook, styles: Styles, ds: xr.Dataset, used: set[str],
                   tables: dict[str, pd.DataFrame], prefix: str, label: str,
                   grids: list[Grid]) -> list[tuple[str, str]]:
    """Wide sheets for the (time, element) variables; the other families as their long tables."""
    names: list[tuple[str, str]] = []
    wide = wide_variables(ds)
    for name in wide:
        var = ds[name]
        text = f"{label}{var.attrs.get('long_name') or var.attrs.get('description') or ''}"
        unit = var.attrs.get("units")
        names += [(sheet, f"{text} ({unit})" if unit else text)
                  for sheet in _write_wide(book, styles, var, used, grids, prefix)]
    for family, members in dataset_families(ds, prefix).items():
        rest = [m for m in members if m not in wide]
        if not rest:
            continue
        table = tables[family] if family in tables and rest == members else ds[rest].to_dataframe().reset_index()
        log.info("xlsx: %s (%d rows)", family, len(table))
        names += [(sheet, f"{label}{', '.join(rest)}") for sheet in _write_long(book, styles, family, table, used)]
    return names


def excel_serial(times: np.ndarray) -> np.ndarray:
    """Times as Excel serial dates (days since 1899-12-30, the 1900 date system for dates after February 1900)."""
    return np.asarray((pd.DatetimeIndex(times).tz_localize(None) - EXCEL_EPOCH) / pd.Timedelta(days=1), dtype=float)


def _write_wide(book: xlsxwriter.Workbook, styles: Styles, var: xr.DataArray, used: set[str], grids: list[Grid],
                prefix: str = "") -> list[str]:
    """The sheets of one (time, element) variable: header row now, the numbers later as a :class:`Grid`."""
    element_dim = str(var.dims[1])
    serial = excel_serial(var["time"].values)
    elements = [str(e) for e in var[element_dim].values]
    values = np.asarray(var.values, dtype=float)
    row_blocks = _blocks(len(serial), MAX_ROWS - 1)
    col_blocks = _blocks(len(elements), MAX_COLS - 1)
    names = []
    for part, (rows, cols) in enumerate(((r, c) for r in row_blocks for c in col_blocks), start=1):
        split = len(row_blocks) * len(col_blocks) > 1
        title = _unique_sheet(prefix + str(var.name), used, part if split else None)
        sheet = book.add_worksheet(title)
        sheet.freeze_panes(1, 1)
        sheet.set_column(0, 0, 17, styles["time"])
        write_cells(sheet, styles, 0, _header(["time", *elements[cols[0] : cols[1]]]))
        grids.append(Grid(title, f"{prefix}{var.name}", serial[rows[0] : rows[1]],
                          values[rows[0] : rows[1], cols[0] : cols[1]]))
        names.append(title)
    return names


# -------------------------------------------------------------------------------------------- numbers of wide sheets
def grid_rows(grid: Grid, time_style: int) -> Iterator[str]:
    """The ``<row>`` elements of a grid from spreadsheet row 2 on, in chunks; empty cells for NaN and ±inf."""
    letters = [xl_col_to_name(col) for col in range(1, grid.values.shape[1] + 1)]
    template = (f'<row r="{{0}}"><c r="A{{0}}" s="{time_style}"><v>{{1!r}}</v></c>'
                + "".join(f'<c r="{letter}{{0}}"><v>{{{k}!r}}</v></c>' for k, letter in enumerate(letters, start=2))
                + "</row>")
    fill = template.format
    finite = np.isfinite(grid.values).all(axis=1)
    for start, stop in _blocks(len(grid.times_serial), ROWS_PER_CHUNK):
        times = grid.times_serial[start:stop].tolist()
        values = grid.values[start:stop].tolist()
        parts = []
        for offset, (time, row) in enumerate(zip(times, values, strict=True)):
            text = fill(start + offset + 2, time, *row)
            parts.append(text if finite[start + offset] else NON_FINITE_CELL.sub("", text))
        yield "".join(parts)


def sheet_members(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> its XML member in the package, read from ``xl/workbook.xml`` and its relationships."""
    main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    rel_id = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
    rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): str(r.get("Target")) for r in rels}
    workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    return {str(s.get("name")): posixpath.normpath(posixpath.join("xl", targets[s.get(rel_id)]))
            for s in workbook.iter(f"{main}sheet")}


def splice_grids(path: Path, grids: list[Grid], time_style: int) -> None:
    """Add the numbers of the wide sheets to the saved workbook ``path`` (rewritten via a temporary file)."""
    if not grids:
        return
    tmp = path.with_name(f".{path.name}.grids")
    try:
        with zipfile.ZipFile(path) as source, \
                zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as target:
            members = sheet_members(source)
            by_member = {members[g.sheet]: g for g in grids}
            done = 0
            for info in source.infolist():
                grid = by_member.get(info.filename)
                if grid is None:
                    target.writestr(info, source.read(info.filename))
                    continue
                done += 1
                log.info("xlsx: %s (%d × %d) [%d/%d]", grid.sheet, *grid.values.shape, done, len(grids))
                _write_grid_sheet(target, info.filename, source.read(info.filename).decode("utf-8"), grid,
                                  time_style)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _write_grid_sheet(target: zipfile.ZipFile, member: str, xml: str, grid: Grid, time_style: int) -> None:
    head, close, tail = xml.partition("</sheetData>")
    if not close:
        raise ValueError(f"{member} has no </sheetData>: not a worksheet written by XlsxWriter")
    last = xl_rowcol_to_cell(len(grid.times_serial), grid.values.shape[1])
    head = re.sub(r'<dimension ref="[^"]*"/>', f'<dimension ref="A1:{last}"/>', head, count=1)
    large = grid.values.size * 40 > zipfile.ZIP64_LIMIT
    with target.open(member, "w", force_zip64=large) as out:
        out.write(head.encode("utf-8"))
        for chunk in grid_rows(grid, time_style):
            out.write(chunk.encode("utf-8"))
        out.write((close + tail).encode("utf-8"))


# ---------------------------------------------------------------------------------------------------- summary sheet
def _write_summary(sheet: Worksheet, styles: Styles, result: ResultDir, tables: dict[str, pd.DataFrame],
                   contents: list[tuple[str, str]]) -> None:
    for column, width in enumerate((34, 18, 16, 16, 16, 16, 16, 16, 16, 16)):
        sheet.set_column(column, column, width)
    for index, row in enumerate(_summary_rows(result, tables, contents)):
        write_cells(sheet, styles, index, row)


def _title(text: str, style: str = "section") -> list[Any]:
    return [Styled(text, style)]


def _numbers(values: Iterable[Any], fmt: str = "#,##0.0") -> list[Any]:
    cells: list[Any] = []
    for value in values:
        value = _cell_value(value)
        if isinstance(value, int | float) and not isinstance(value, bool):
            cells.append(Styled(value, f"num:{fmt}"))
        else:
            cells.append(value)
    return cells


def _summary_rows(result: ResultDir, tables: dict[str, pd.DataFrame],
                  contents: list[tuple[str, str]]) -> Iterator[list[Any]]:
    yield _title(f"energyhub result: {result.scenario}", "title")
    yield [f"{result.kind} directory {result.path.name}; exported {datetime.now():%Y-%m-%d %H:%M} "
           f"by energyhub {__version__}"]
    summary = result.summary
    if summary:
        yield ["Status", str(summary.get("status", "n/a"))]
        yield ["Objective (EUR)", *_numbers([summary.get("objective_eur")], "#,##0")]
        yield ["MIP gap (%)", *_numbers([100 * float(summary.get("mip_gap") or 0.0)], "0.00")]
    yield from _brief_rows(summary.get("scenario_brief") or {})
    yield from _capacity_rows(tables.get("capacities"))
    yield from _cost_rows(tables.get("costs"))
    yield from _kpi_rows(summary.get("kpis") or {})
    for note in result.notes:
        yield [note]
    yield []
    yield _title("Data sheets")
    yield ["Time series are wide: one sheet per variable, time down, one column per element; the unit is in the "
           "sheet name (p_mw = MW) and below. Sheets over Excel's 1,048,576 rows are split into _1, _2…"]
    yield _header(["Sheet", "Content"])
    yield from ([name, text] for name, text in contents)


def _brief_rows(brief: dict[str, Any]) -> Iterator[list[Any]]:
    if not brief:
        return
    yield []
    yield _title("Scenario in brief")
    for key, value in brief.items():
        yield [str(key).replace("_", " "), brief_text(value)]


def brief_text(value: Any) -> str:
    """A one-line rendering of a free-form scenario-brief value."""
    if isinstance(value, dict):
        return "; ".join(f"{k}: {brief_text(v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(brief_text(v) for v in value)
    return str(value)


def _capacity_rows(table: pd.DataFrame | None) -> Iterator[list[Any]]:
    if table is None or table.empty:
        return
    quantities = [c for c in table.columns if c not in ("asset", "asset_type", "asset_hub")]
    yield []
    yield _title("Sized assets")
    yield _header(["Asset", "Type", "Hub", *(QUANTITY_LABELS.get(q, q) for q in quantities)])
    for record in table.to_dict("records"):
        yield [record["asset"], record["asset_type"], record["asset_hub"],
               *_numbers((record.get(q) for q in quantities), "#,##0.0##")]


def _cost_rows(table: pd.DataFrame | None) -> Iterator[list[Any]]:
    if table is None or table.empty:
        return
    yield []
    yield _title("Annual costs by category (EUR per year: capex annualised, operation scaled to a year)")
    yield _header(["Category", "Cost (EUR)", "Share (%)"])
    for record in table.to_dict("records"):
        yield [str(record["category"]).replace("_", " "), *_numbers([record["cost_eur"]], "#,##0"),
               *_numbers([record["share_pct"]], "0.0")]
    yield [Styled("Total", "bold"), *_numbers([float(table["cost_eur"].sum())], "#,##0")]


def _kpi_rows(kpis: dict[str, Any]) -> Iterator[list[Any]]:
    if not kpis:
        return
    yield []
    yield _title("Key KPIs (energy over the modelled horizon)")
    yield _header(["KPI", "Before", "After"])
    paired = set()
    for label, stem in KPI_PAIRS:
        before, after = kpis.get(f"{stem}_before"), kpis.get(f"{stem}_after")
        if before is not None or after is not None:
            paired.update({f"{stem}_before", f"{stem}_after"})
            yield [label, *_numbers([before, after])]
    for name, value in kpis.items():
        if name in paired:
            continue
        if isinstance(value, dict):
            for hub, v in value.items():
                yield [f"{name} [{hub}]", None, *_numbers([v])]
        elif isinstance(value, list):
            yield [f"{name} (count)", None, *_numbers([len(value)], "0")]
        elif isinstance(value, int | float | str) and not isinstance(value, bool):
            yield [name, None, *_numbers([value])]
