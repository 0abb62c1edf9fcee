"""How energyhub writes netCDF files (``results.nc``, ``baseline.nc``, sweep points, ``sweep.nc``): compressed.

Every numeric data variable is compressed with zlib (level :data:`ZLIB_LEVEL`) after HDF5's byte shuffle, the
filters every netCDF4/HDF5 reader decodes. Time series (float variables with a ``time`` dimension: MW, MWh, %,
p.u., kg/h) are stored as float32: seven significant digits, 0.1 kW on a 1 GW quantity, far below the model's
tolerances and the data's precision. The network's time series (a ``branch`` or ``bus`` dimension: flows, loadings,
voltages; nine tenths of a year's file) keep :data:`NETWORK_MANTISSA_BITS` of float32's 23 mantissa bits (rounded to
nearest): a relative error below 2^-17 = 7.6e-6 (0.0008 percentage points of loading at 100 %, 8e-6 p.u. of
voltage), which zlib then compresses well. What stays float64: every variable without a ``time`` dimension (sizes,
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
#: Mantissa bits kept of the network's float32 time series (see the module docstring).
NETWORK_MANTISSA_BITS = 16
NETWORK_DIMS = frozenset({"branch", "bus"})


def _is_series(var: xr.DataArray, name: str) -> bool:
    return var.dtype.kind == "f" and "time" in var.dims and name not in KEEP_FLOAT64


def round_mantissa(values: np.ndarray, bits: int) -> np.ndarray:
    """``values`` as float32 with ``bits`` mantissa bits kept, rounded to nearest (ties to even); NaN and
    infinities unchanged."""
    single = np.asarray(values, dtype=np.float32)
    raw = single.copy().view(np.uint32)
    drop = np.uint32(23 - bits)
    raw += ((raw >> drop) & np.uint32(1)) + (np.uint32(1) << (drop - np.uint32(1))) - np.uint32(1)
    raw &= ~((np.uint32(1) << drop) - np.uint32(1))
    return np.where(np.isfinite(single), raw.view(np.float32), single)


def _rounded(dataset: xr.Dataset) -> xr.Dataset:
    """The dataset with the network's time series rounded to :data:`NETWORK_MANTISSA_BITS` (a shallow copy)."""
    names = [str(n) for n, v in dataset.data_vars.items() if _is_series(v, str(n)) and NETWORK_DIMS & set(v.dims)]
    if not names:
        return dataset
    out = dataset.copy()
    for name in names:
        out[name] = out[name].copy(data=round_mantissa(out[name].values, NETWORK_MANTISSA_BITS))
    return out


def _encoding(var: xr.DataArray, name: str) -> dict[str, Any]:
    if var.dtype.kind not in "fiub" or var.ndim == 0:
        return {}
    encoding: dict[str, Any] = {"zlib": True, "complevel": ZLIB_LEVEL, "shuffle": True}
    if _is_series(var, name):
        encoding["dtype"] = np.dtype("float32")
    return encoding


def netcdf_encoding(dataset: xr.Dataset) -> dict[str, dict[str, Any]]:
    """The per-variable encoding energyhub writes ``dataset`` with."""
    return {str(name): enc for name, var in dataset.data_vars.items() if (enc := _encoding(var, str(name)))}


def write_netcdf(dataset: xr.Dataset, path: Path) -> None:
    """Write ``dataset`` to ``path`` (netCDF4 via h5netcdf) with :func:`netcdf_encoding`."""
    _rounded(dataset).to_netcdf(path, engine="h5netcdf", encoding=netcdf_encoding(dataset))
