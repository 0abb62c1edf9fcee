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
import xarray as xr


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


def write_results(out_dir: Path, summary: dict[str, Any], dataset: xr.Dataset) -> Path:
    """Write ``summary.json`` and ``results.nc`` (h5netcdf) into ``out_dir`` atomically; return ``out_dir``."""
    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", suffix=".tmp", dir=out_dir.parent))
    try:
        (tmp / "summary.json").write_text(json.dumps(_jsonable(summary), indent=2, allow_nan=False) + "\n",
                                          encoding="utf-8")
        dataset.to_netcdf(tmp / "results.nc", engine="h5netcdf")
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
