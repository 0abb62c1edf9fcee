"""Write a result directory atomically: ``summary.json`` and ``results.nc`` appear together or not at all.

Both files are written into a temporary sibling directory, which then replaces ``out_dir`` by rename (an
existing ``out_dir`` is moved aside first and removed afterwards).
"""

from __future__ import annotations

import json
import math
import shutil
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from energyhub.errors import InputError


def _jsonable(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, np.generic):
        obj = obj.item()
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    return obj


def _plain(obj: Any) -> Any:
    """JSON-ready values: numpy scalars to Python, timestamps to ISO text, non-finite floats to null."""
    if isinstance(obj, dict):
        return {str(k): _plain(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_plain(v) for v in obj]
    if isinstance(obj, pd.Timestamp | np.datetime64):
        return f"{pd.Timestamp(obj):%Y-%m-%d %H:%M}"
    return _jsonable(obj)


#: Files that mark a directory as an energyhub result directory, which a new run may replace.
RESULT_MARKERS = ("summary.json", "baseline.json")


def check_replaceable(out_dir: Path) -> None:
    """Raise :class:`InputError` unless ``out_dir`` is new, empty, or an earlier result directory.

    A result directory is replaced as a whole, so pointing ``--out`` at a folder holding anything else (the
    scenario's own folder, a home directory) must never delete it. Called before the work starts.
    """
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise InputError(f"--out {out_dir}: is a file; give a directory (it is created)")
    if out_dir.is_dir() and any(out_dir.iterdir()) and not any((out_dir / m).is_file() for m in RESULT_MARKERS):
        raise InputError(
            f"--out {out_dir}: the folder exists, is not empty and is not an energyhub result directory (it holds "
            f"no {' or '.join(RESULT_MARKERS)}); a result directory is replaced as a whole, so choose a new or "
            "empty folder"
        )


def write_dir(out_dir: Path, json_files: dict[str, Any], netcdf_files: dict[str, xr.Dataset]) -> Path:
    """Write JSON and netCDF (h5netcdf) files into ``out_dir`` atomically: all of them appear, or none.

    Everything is written into a temporary sibling directory that then replaces ``out_dir`` by rename (an
    existing ``out_dir`` is moved aside first and removed afterwards); on any error, or Ctrl-C, the temporary
    directory is removed and an existing ``out_dir`` is left as it was.
    """
    out_dir = Path(out_dir)
    check_replaceable(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", suffix=".tmp", dir=out_dir.parent))
    try:
        for name, content in json_files.items():
            text = json.dumps(_plain(content), indent=2, allow_nan=False) + "\n"
            (tmp / name).write_text(text, encoding="utf-8")
        for name, dataset in netcdf_files.items():
            dataset.to_netcdf(tmp / name, engine="h5netcdf")
        old = None
        if out_dir.exists():
            old = out_dir.with_name(f".{out_dir.name}.old-{tmp.name}")
            out_dir.rename(old)
        tmp.rename(out_dir)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out_dir


def write_results(out_dir: Path, summary: dict[str, Any], dataset: xr.Dataset) -> Path:
    """Write ``summary.json`` and ``results.nc`` into ``out_dir`` atomically; return ``out_dir``."""
    return write_dir(out_dir, {"summary.json": summary}, {"results.nc": dataset})
