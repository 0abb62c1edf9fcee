"""Load and check a result directory (solve, baseline or sweep) for the export and report commands.

Everything that reads files written by ``solve``, ``baseline`` and ``sweep`` lives here, so that the writers and the
report only see a :class:`ResultDir`. A directory without its main files, or with an unreadable or truncated file,
raises :class:`~energyhub.errors.InputError` (exit code 2) with a message naming what is missing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
import xarray as xr

from energyhub.errors import InputError

Kind = Literal["solve", "baseline", "sweep"]

SOLVE_FILES = ("summary.json", "results.nc")
BASELINE_FILES = ("baseline.json", "baseline.nc")
SWEEP_FILES = ("sweep.csv",)
COMPARISON_FILE = "comparison.json"  # a compare directory: optimum/, reinforcement-only/, … (energyhub.compare)
DEFAULT_LIMIT_PCT = 100.0


@dataclass
class ResultDir:
    """The contents of one result directory; absent parts are ``None`` and explained in ``notes``."""

    path: Path
    kind: Kind
    summary: dict[str, Any] = field(default_factory=dict)
    results: xr.Dataset | None = None
    baseline_summary: dict[str, Any] | None = None
    baseline: xr.Dataset | None = None
    sweep_points: pd.DataFrame | None = None
    sweep: xr.Dataset | None = None
    point_summaries: dict[str, dict[str, Any]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    comparison: dict[str, Any] | None = None  # comparison.json of ``energyhub compare`` (its optimum is loaded)

    @property
    def scenario(self) -> str:
        """The scenario name, from whichever summary the directory has, else the directory's name."""
        for source in (self.summary, self.baseline_summary or {}):
            if isinstance(source.get("scenario"), str):
                return str(source["scenario"])
        if self.point_summaries:
            first = next(iter(self.point_summaries.values()))
            if isinstance(first.get("scenario"), str):
                return f"{first['scenario']} (sweep)"
        return self.path.resolve().name


def load_result_dir(path: Path) -> ResultDir:
    """Detect the kind of result directory at ``path`` and load it; raise ``InputError`` if it is not usable."""
    if not path.exists():
        raise InputError(f"result directory {path} does not exist")
    if not path.is_dir():
        raise InputError(f"{path} is not a directory: pass the directory that solve, baseline or sweep wrote (--out)")
    if (path / COMPARISON_FILE).is_file():
        result = _load_solve(path / "optimum")
        result.comparison = read_json(path / COMPARISON_FILE)
        return result
    if (path / "summary.json").exists() or (path / "results.nc").exists():
        result = _load_solve(path)
        if path.resolve().name == "optimum" and (path.resolve().parent / COMPARISON_FILE).is_file():
            result.comparison = read_json(path.resolve().parent / COMPARISON_FILE)
        return result
    if (path / "sweep.csv").exists():
        return _load_sweep(path)
    if (path / "baseline.json").exists() or (path / "baseline.nc").exists():
        return _load_baseline(path, kind="baseline")
    raise InputError(
        f"{path} is not an energyhub result directory: it has none of summary.json + results.nc (solve), "
        "baseline.json + baseline.nc (baseline) or sweep.csv (sweep). Run 'energyhub solve|baseline|sweep … "
        f"--out {path}' first."
    )


def _require(path: Path, names: tuple[str, ...], what: str) -> None:
    missing = [name for name in names if not (path / name).is_file()]
    if missing:
        raise InputError(f"{path} is an incomplete {what} directory: missing {', '.join(missing)}")


def read_json(file: Path) -> dict[str, Any]:
    """Read a JSON object from ``file``; unreadable, truncated or non-object content is an ``InputError``."""
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"{file} is unreadable or truncated: {exc}") from exc
    if not isinstance(data, dict):
        raise InputError(f"{file} should hold a JSON object, found {type(data).__name__}")
    return data


def read_netcdf(file: Path) -> xr.Dataset:
    """Read a whole netCDF file into memory; an unreadable or truncated file is an ``InputError``."""
    try:
        with xr.open_dataset(file, engine="h5netcdf") as ds:
            return descriptive_coords(ds.load())
    except Exception as exc:  # h5py/h5netcdf raise OSError, ValueError, KeyError… for damaged files
        raise InputError(f"{file} is unreadable or truncated ({type(exc).__name__}: {exc})") from exc


def descriptive_coords(ds: xr.Dataset) -> xr.Dataset:
    """Text labels along one element dimension (``branch_kind(branch)``) are coordinates, not data."""
    labels = [str(n) for n, v in ds.data_vars.items()
              if v.ndim == 1 and v.dims[0] != "time" and v.dtype.kind in "USO"]
    return ds.set_coords(labels) if labels else ds


def read_csv(file: Path) -> pd.DataFrame:
    """Read a CSV table; an unreadable or empty file is an ``InputError``."""
    try:
        table = pd.read_csv(file)
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise InputError(f"{file} is unreadable or truncated: {exc}") from exc
    if table.empty:
        raise InputError(f"{file} has no rows: the sweep wrote no points")
    return table


def _load_solve(path: Path) -> ResultDir:
    _require(path, SOLVE_FILES, "solve result")
    result = ResultDir(path=path, kind="solve", summary=read_json(path / "summary.json"))
    result.results = read_netcdf(path / "results.nc")
    if (path / "baseline.json").is_file() and (path / "baseline.nc").is_file():
        result.baseline_summary = read_json(path / "baseline.json")
        result.baseline = read_netcdf(path / "baseline.nc")
    return result


def _load_baseline(path: Path, kind: Kind) -> ResultDir:
    _require(path, BASELINE_FILES, "baseline result")
    result = ResultDir(path=path, kind=kind, baseline_summary=read_json(path / "baseline.json"))
    result.baseline = read_netcdf(path / "baseline.nc")
    result.notes.append("Baseline directory: no assets were sized, so only the congestion sections are shown.")
    return result


def _load_sweep(path: Path) -> ResultDir:
    result = ResultDir(path=path, kind="sweep", sweep_points=read_csv(path / "sweep.csv"))
    if (path / "sweep.nc").is_file():
        result.sweep = read_netcdf(path / "sweep.nc")
    else:
        result.notes.append("sweep.nc is absent: only the per-point table sweep.csv is used.")
    points = path / "points"
    if points.is_dir():
        for summary in sorted(points.glob("*/summary.json")):
            result.point_summaries[summary.parent.name] = read_json(summary)
    return result


def present(ds: xr.Dataset | None, name: str) -> bool:
    """Whether ``ds`` has variable ``name`` with at least one finite value."""
    if ds is None or name not in ds.data_vars or ds[name].size == 0:
        return False
    values = ds[name].values
    if not np.issubdtype(values.dtype, np.number):
        return True
    return bool(np.isfinite(values).any())


def limit_pct(ds: xr.Dataset | None, summary: dict[str, Any] | None = None) -> float:
    """The branch loading limit in %: a ``limit_pct`` variable or attribute, else the summary's, else 100 %."""
    if ds is not None and "limit_pct" in ds.data_vars and ds["limit_pct"].size >= 1:
        return float(np.nanmax(ds["limit_pct"].values))
    if ds is not None and "limit_pct" in ds.attrs:
        return float(np.asarray(ds.attrs["limit_pct"]).max())
    for source in (summary or {}, (summary or {}).get("totals", {})):
        if isinstance(source, dict) and isinstance(source.get("limit_pct"), int | float):
            return float(source["limit_pct"])
    return DEFAULT_LIMIT_PCT


def step_hours(ds: xr.Dataset) -> float:
    """The time step of ``ds`` in hours (1.0 when there is a single step)."""
    times = pd.DatetimeIndex(ds["time"].values)
    if len(times) < 2:
        return 1.0
    return float(pd.Series(times).diff().dropna().median() / pd.Timedelta(hours=1))
