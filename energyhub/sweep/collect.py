"""Collect finished points into ``sweep.csv`` (one row per point) and ``sweep.nc`` (sweep dimensions added).

CSV columns: ``point_id``, one column per parameter (named by its dotted path), ``status``, ``objective_eur``,
``mip_gap``, ``mode`` (cold or resolve), ``reason`` (failed points), ``cap.<asset>.<quantity_unit>``,
``cost.<category>``, ``kpi.<name>`` (hub dicts as ``kpi.<name>.<hub>``) and ``time.<stage>_s``.

netCDF: every variable of the points' ``results.nc`` plus the numeric summary columns above as variables, with one
dimension per parameter (a product sweep) or a ``point`` dimension with the parameters as coordinates (zipped).
Failed points are NaN, with their ``status``.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from energyhub.outdir import atomic_file
from energyhub.results.netcdf import write_netcdf
from energyhub.sweep.spec import Point, SweepSpec
from energyhub.sweep.store import point_dir, read_point

FIXED_COLUMNS = ("status", "objective_eur", "mip_gap", "mode", "reason")


def _stage(name: str) -> str:
    return name if name.endswith("_s") else f"{name}_s"


def flatten_summary(summary: dict[str, Any]) -> dict[str, Any]:
    """The summary's capacities, costs, KPIs and timings as flat ``cap.``/``cost.``/``kpi.``/``time.`` columns."""
    row: dict[str, Any] = {}
    for asset, quantities in (summary.get("capacities") or {}).items():
        for unit, value in (quantities or {}).items():
            row[f"cap.{asset}.{unit}"] = value
    for category, value in (summary.get("costs_eur") or {}).items():
        row[f"cost.{category}"] = value
    for name, value in (summary.get("kpis") or {}).items():
        if isinstance(value, dict):
            row.update({f"kpi.{name}.{hub}": v for hub, v in value.items()})
        else:
            row[f"kpi.{name}"] = value
    return row


def point_row(out: Path, point: Point) -> dict[str, Any]:
    """One CSV row of a finished point."""
    record = read_point(out, point.id)
    row: dict[str, Any] = {"point_id": point.id, **point.values}
    row.update({k: record.get(k) for k in FIXED_COLUMNS})
    summary_file = point_dir(out, point.id) / "summary.json"
    if summary_file.is_file() and not record.get("failed"):
        row.update(flatten_summary(json.loads(summary_file.read_text(encoding="utf-8"))))
    for stage, seconds in (record.get("timings_s") or {}).items():
        row[f"time.{_stage(stage)}"] = seconds
    return row


def _table_order(spec: SweepSpec, points: list[Point]) -> list[Point]:
    """Points in reading order: the product's nested order (last parameter fastest), or the zip's order."""
    if spec.zip:
        return points
    rank = {values: i for i, values in enumerate(itertools.product(*(p.values for p in spec.params)))}
    return sorted(points, key=lambda p: rank[tuple(p.values[k] for k in spec.paths)])


def sweep_table(out: Path, spec: SweepSpec, points: list[Point]) -> pd.DataFrame:
    """All points as a table (the content of ``sweep.csv``)."""
    rows = [point_row(out, p) for p in _table_order(spec, points)]
    table = pd.DataFrame(rows)
    head = ["point_id", *spec.paths, *FIXED_COLUMNS]
    rest = sorted(c for c in table.columns if c not in head)
    return table.reindex(columns=head + rest)


def _point_dataset(out: Path, row: dict[str, Any], paths: list[str]) -> xr.Dataset:
    results = point_dir(out, str(row["point_id"])) / "results.nc"
    if results.is_file() and row.get("objective_eur") is not None:
        with xr.open_dataset(results, engine="h5netcdf") as opened:
            ds = opened.load()
    else:
        ds = xr.Dataset()
    for name, value in row.items():
        if name in paths or name in ("point_id", "reason"):
            continue
        if name in ("status", "mode"):
            ds[name] = str(value)
        elif isinstance(value, int | float | np.number) and not isinstance(value, bool):
            ds[name] = float(value)
    ds = ds.expand_dims(point=1)
    ds = ds.assign_coords(point_id=("point", [str(row["point_id"])]))
    return ds.assign_coords({p: ("point", [row[p]]) for p in paths})


def sweep_dataset(out: Path, spec: SweepSpec, table: pd.DataFrame) -> xr.Dataset:
    """All points as one dataset with the sweep dimensions (the content of ``sweep.nc``)."""
    rows = [{str(k): v for k, v in r.items()} for r in table.replace({np.nan: None}).to_dict("records")]
    parts = [_point_dataset(out, row, spec.paths) for row in rows]
    combined = xr.concat(
        parts, dim="point", join="outer", data_vars="all", coords="different", compat="equals", fill_value=np.nan
    )
    combined = combined.assign_coords(point=np.arange(combined.sizes["point"]))
    if not spec.zip:
        if len(spec.paths) == 1:
            combined = combined.swap_dims(point=spec.paths[0]).drop_vars("point")
        else:
            combined = combined.drop_vars("point").set_index(point=spec.paths).unstack("point")
        combined = combined.reindex({p.path: list(p.values) for p in spec.params})
        combined = combined.transpose(*spec.paths, ...)
    combined.attrs.update(
        {"scenario": str(spec.data.get("name")), "sweep_params": json.dumps(spec.paths), "sweep_zip": int(spec.zip)}
    )
    return combined


def write_outputs(out: Path, spec: SweepSpec, points: list[Point]) -> tuple[Path, Path]:
    """Write ``sweep.csv`` and ``sweep.nc`` atomically (temporary name, then rename)."""
    table = sweep_table(out, spec, points)
    csv_path, nc_path = out / "sweep.csv", out / "sweep.nc"
    with atomic_file(csv_path) as tmp_csv:
        table.to_csv(tmp_csv, index=False)
    with atomic_file(nc_path) as tmp_nc:
        write_netcdf(sweep_dataset(out, spec, table), tmp_nc)
    return csv_path, nc_path
