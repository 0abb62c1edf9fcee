"""Write a result directory atomically: ``summary.json`` and ``results.nc`` appear together or not at all.

Both files are written by :func:`energyhub.outdir.atomic_dir` (a temporary sibling, energyhub's marker file, then a
rename); ``results.nc`` is compressed (:func:`energyhub.results.netcdf.write_netcdf`).
"""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from energyhub.outdir import atomic_dir, check_target
from energyhub.results.netcdf import write_netcdf


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


def check_replaceable(out_dir: Path) -> None:
    """Raise :class:`InputError` unless ``out_dir`` can be written: new, empty, or an earlier solve or baseline
    directory holding only what energyhub wrote (:func:`energyhub.outdir.check_target`). Called before any work."""
    check_target(Path(out_dir))


def write_dir(out_dir: Path, json_files: dict[str, Any], netcdf_files: dict[str, xr.Dataset],
              kind: str = "solve", files: dict[str, Path] | None = None) -> Path:
    """Write JSON and netCDF (h5netcdf, compressed) files into ``out_dir`` atomically: all of them appear, or none.

    :func:`energyhub.outdir.atomic_dir` writes them into a temporary sibling with energyhub's marker that then
    replaces ``out_dir``; on any error, or Ctrl-C, an existing ``out_dir`` is left as it was.
    """
    out_dir = Path(out_dir)
    with atomic_dir(out_dir, kind) as tmp:
        for name, content in json_files.items():
            text = json.dumps(_plain(content), indent=2, allow_nan=False) + "\n"
            (tmp / name).write_text(text, encoding="utf-8")
        for name, dataset in netcdf_files.items():
            write_netcdf(dataset, tmp / name)
        for name, source in (files or {}).items():  # e.g. highs.log, written by energyhub beside the solve
            shutil.copyfile(source, tmp / name)
    return out_dir


def write_results(out_dir: Path, summary: dict[str, Any], dataset: xr.Dataset,
                  files: dict[str, Path] | None = None) -> Path:
    """Write ``summary.json``, ``results.nc`` (and ``files``) into ``out_dir`` atomically; return ``out_dir``."""
    return write_dir(out_dir, {"summary.json": summary}, {"results.nc": dataset}, files=files)
