"""results.nc and baseline.nc are compressed, with float32 time series (issue 12 item 4; docs/outputs.md)."""

from __future__ import annotations

from pathlib import Path

import h5py
import numpy as np
import pytest
import xarray as xr

from energyhub.results.netcdf import KEEP_FLOAT64, NETWORK_MANTISSA_BITS, round_mantissa, write_netcdf


@pytest.mark.parametrize("name", ["solve/results.nc", "baseline/baseline.nc"])
def test_written_files_are_compressed_with_float32_series(solve_dir: Path, name: str) -> None:
    path = solve_dir.parent / name
    with h5py.File(path, "r") as h5, xr.open_dataset(path, engine="h5netcdf") as ds:
        series = [str(n) for n, v in ds.data_vars.items() if v.dtype.kind == "f" and "time" in v.dims]
        assert len(series) >= 3
        for var in series:
            expected = np.float64 if var in KEEP_FLOAT64 else np.float32
            assert h5[var].dtype == expected, var
            assert h5[var].compression == "gzip" and h5[var].shuffle, var
        sizes = [str(n) for n, v in ds.data_vars.items() if v.dtype.kind == "f" and "time" not in v.dims]
        for var in sizes:
            assert h5[var].dtype == np.float64, var


def test_the_precision_kept_is_the_documented_one(tmp_path: Path) -> None:
    """Hub and asset series: float32 exactly; network series: relative error below 2^-(bits+1); sizes: float64."""
    rng = np.random.default_rng(0)
    flows = rng.normal(0.0, 30.0, (48, 5))
    flows[3, 2] = np.nan
    dataset = xr.Dataset(
        {"flow_mw": (("time", "branch"), flows), "import_mw": (("time", "hub"), rng.uniform(0, 5, (48, 2))),
         "energy_mwh": (("asset",), np.array([1.0 / 3.0])), "weight": (("time",), np.full(48, 1.0 / 7.0))},
        coords={"time": np.arange(48), "branch": list("abcde"), "hub": ["h", "g"], "asset": ["bat"]},
    )
    write_netcdf(dataset, tmp_path / "x.nc")
    with xr.open_dataset(tmp_path / "x.nc", engine="h5netcdf") as back:
        assert back["energy_mwh"].item() == 1.0 / 3.0 and back["weight"].values[0] == 1.0 / 7.0
        np.testing.assert_array_equal(back["import_mw"].values, dataset["import_mw"].values.astype(np.float32))
        got = back["flow_mw"].values.astype(float)
        assert np.isnan(got[3, 2])
        relative = np.abs(got - flows) / np.abs(flows)
        assert np.nanmax(relative) <= 2.0 ** -(NETWORK_MANTISSA_BITS + 1) + 2.0 ** -24


def test_round_mantissa_rounds_to_nearest_and_keeps_special_values() -> None:
    values = np.array([1.0, 1.0 + 2.0 ** -20, 1.0 + 2.0 ** -16 - 2.0 ** -20, np.nan, np.inf, -2.5, 0.0])
    got = round_mantissa(values, 16)
    assert got[0] == 1.0 and got[1] == 1.0  # 2^-20 is below half a unit of the 16th bit: rounded down
    assert got[2] == np.float32(1.0 + 2.0 ** -16)  # just below one unit of the 16th bit: rounded up
    assert np.isnan(got[3]) and got[4] == np.inf and got[5] == -2.5 and got[6] == 0.0
