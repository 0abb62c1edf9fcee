"""Size of a results.nc written plainly (float64, uncompressed, as before issue 12 item 4) and as energyhub writes it.

    python benchmarks/netcdf_size.py DIR/results.nc

Reads the file, writes both versions into a temporary directory and prints the sizes, the ratio and the largest
difference relative to each variable's largest value (the float32 and mantissa rounding of docs/outputs.md).
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import xarray as xr

from energyhub.results.netcdf import write_netcdf


def main(source: Path) -> None:
    with xr.open_dataset(source, engine="h5netcdf") as opened:
        dataset = opened.load()
    dataset = dataset.map(lambda v: v.astype("float64") if v.dtype == np.float32 else v)
    for var in dataset.variables.values():
        var.encoding = {}
    with tempfile.TemporaryDirectory(prefix="energyhub-netcdf-") as tmp:
        plain, packed = Path(tmp) / "plain.nc", Path(tmp) / "packed.nc"
        dataset.to_netcdf(plain, engine="h5netcdf")
        start = time.perf_counter()
        write_netcdf(dataset, packed)
        seconds = time.perf_counter() - start
        a, b = plain.stat().st_size, packed.stat().st_size
        print(f"{source}: plain {a / 1e6:.1f} MB, energyhub {b / 1e6:.1f} MB: {a / b:.1f}x smaller "
              f"(written in {seconds:.1f} s)")
        worst = 0.0
        with xr.open_dataset(packed, engine="h5netcdf") as back:
            for name, var in dataset.data_vars.items():
                if var.dtype.kind == "f" and np.isfinite(var.values).any():
                    scale = float(np.nanmax(np.abs(var.values)))
                    if scale:
                        diff = np.abs(var.values - back[name].values.astype(float))
                        worst = max(worst, float(np.nanmax(diff)) / scale)
        print(f"largest difference relative to a variable's largest value: {worst:.1e}")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
