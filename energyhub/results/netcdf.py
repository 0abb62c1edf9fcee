"""How energyhub writes netCDF files (``results.nc``, ``baseline.nc``, sweep points, ``sweep.nc``): compressed.

Every numeric data variable is compressed with zlib (level :data:`ZLIB_LEVEL`) after HDF5's byte shuffle, the
filters every netCDF4/HDF5 reader decodes. Time series (float variables with a ``time`` dimension: MW, MWh, %,
p.u., kg/h) are stored as float32: seven significant digits, 0.1 kW on a 1 GW quantity, far below the model's
tolerances and the data's precision. What stays float64: every variable without a ``time`` dimension (sizes,
limits, per-branch summaries: few numbers, and sizes are what the objective is made of) and :data:`KEEP_FLOAT64`
(``weight``, the annual scaling of each step that multiplies every operating cost). Coordinates are not changed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

ZLIB_LEVEL = 4
#: Time series kept in float64 (see the module docstring).
KEEP_FLOAT64 = frozenset({"weight"})


def _encoding(var: xr.DataArray, name: str) -> dict[str, Any]:
    if var.dtype.kind not in "fiub" or var.ndim == 0:
        return {}
    encoding: dict[str, Any] = {"zlib": True, "complevel": ZLIB_LEVEL, "shuffle": True}
    if var.dtype.kind == "f" and "time" in var.dims and name not in KEEP_FLOAT64:
        encoding["dtype"] = np.dtype("float32")
    return encoding


def netcdf_encoding(dataset: xr.Dataset) -> dict[str, dict[str, Any]]:
    """The per-variable encoding energyhub writes ``dataset`` with."""
    return {str(name): enc for name, var in dataset.data_vars.items() if (enc := _encoding(var, str(name)))}


def write_netcdf(dataset: xr.Dataset, path: Path) -> None:
    """Write ``dataset`` to ``path`` (netCDF4 via h5netcdf) with :func:`netcdf_encoding`."""
    dataset.to_netcdf(path, engine="h5netcdf", encoding=netcdf_encoding(dataset))
