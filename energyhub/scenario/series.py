"""Time-series references: ``file.csv#column`` / ``file.parquet#column`` or a constant.

A file either has a ``time`` column (timestamps; the series must cover the scenario's horizon and is resampled
to the model resolution: mean power when coarsening, held when refining) or none (then it must have exactly one
row per model time step). Values must be numeric and finite; errors name the file, the column and the row.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from energyhub.errors import InputError
from energyhub.scenario.references import closest


def model_times(start: pd.Timestamp, periods: int, step_min: int) -> pd.DatetimeIndex:
    return pd.date_range(start, periods=periods, freq=f"{step_min}min")


@dataclass
class SeriesReader:
    """Reads series for one scenario, caching files so that many columns of one file are read once."""

    scenario_file: Path
    times: pd.DatetimeIndex
    step_min: int
    _files: dict[Path, pd.DataFrame] = field(default_factory=dict)

    def read(self, ref: float | str, where: str) -> np.ndarray:
        """The series at model resolution (length = number of time steps) for the field at ``where``."""
        if not isinstance(ref, str):
            return np.full(len(self.times), float(ref))
        file_part, sep, column = ref.partition("#")
        if not sep or not column or not file_part:
            raise InputError(
                f"{self.scenario_file}: {where}: '{ref}' is not a number or a series reference; "
                "expected 'file.csv#column' or 'file.parquet#column'"
            )
        path = (self.scenario_file.parent / file_part).resolve()
        frame = self._frame(path, where)
        if column not in frame.columns:
            raise InputError(
                f"{path}: no column '{column}'{closest(column, map(str, frame.columns))} (referenced by {where}); "
                f"columns are: {', '.join(map(str, frame.columns))}"
            )
        return self._align(frame[column], path, column, where)

    def _frame(self, path: Path, where: str) -> pd.DataFrame:
        if path not in self._files:
            self._files[path] = _read_table(path, where, self.scenario_file)
        return self._files[path]

    def _align(self, column: pd.Series, path: Path, name: str, where: str) -> np.ndarray:
        values = pd.to_numeric(column, errors="coerce")
        bad = values.isna() | ~np.isfinite(values.to_numpy(dtype=float, na_value=np.nan))
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0])
            raise InputError(
                f"{path}: column '{name}' row {row + 2} (data row {row + 1}): value {column.iloc[row]!r} is not "
                f"a finite number (referenced by {where}); fill it in"
            )
        if not isinstance(column.index, pd.DatetimeIndex):
            if len(values) != len(self.times):
                raise InputError(
                    f"{path}: column '{name}' has {len(values)} rows but the scenario has {len(self.times)} time "
                    f"steps (referenced by {where}); give one row per step or add a 'time' column"
                )
            return values.to_numpy(dtype=float)
        return self._resample(values, path, name, where)

    def _resample(self, values: pd.Series, path: Path, name: str, where: str) -> np.ndarray:
        index = values.index
        assert isinstance(index, pd.DatetimeIndex)
        if not index.is_monotonic_increasing or index.has_duplicates:
            raise InputError(f"{path}: the 'time' column must increase strictly (referenced by {where})")
        step = pd.Timedelta(minutes=self.step_min)
        src_step = index[1] - index[0] if len(index) > 1 else step
        start, end = self.times[0], self.times[-1] + step
        if index[0] > start or index[-1] + src_step < end:
            raise InputError(
                f"{path}: column '{name}' covers {index[0]} to {index[-1] + src_step} but the scenario runs "
                f"from {start} to {end} (referenced by {where}); extend the series or shorten time.periods"
            )
        if src_step < step:  # coarsen: mean power over each model step
            binned = values[(index >= start) & (index < end)].resample(step, origin=start).mean()
            return binned.reindex(self.times).to_numpy(dtype=float)
        return values.reindex(self.times, method="ffill").to_numpy(dtype=float)


def _read_table(path: Path, where: str, scenario_file: Path) -> pd.DataFrame:
    if not path.is_file():
        raise InputError(f"{scenario_file}: {where}: series file {path} does not exist")
    try:
        if path.suffix == ".parquet":
            frame = pd.read_parquet(path)
        elif path.suffix == ".csv":
            frame = pd.read_csv(path)
        else:
            raise InputError(f"{scenario_file}: {where}: {path.name} must end in .csv or .parquet")
    except InputError:
        raise
    except Exception as exc:  # a parser's own error: report it as the user's file problem
        raise InputError(f"{path}: cannot be read as a table ({type(exc).__name__}: {exc})") from None
    if "time" in frame.columns:
        try:
            with warnings.catch_warnings():  # pandas warns before it fails on a value it cannot parse
                warnings.simplefilter("ignore", UserWarning)
                frame.index = pd.DatetimeIndex(pd.to_datetime(frame.pop("time")))
        except (ValueError, TypeError) as exc:
            raise InputError(f"{path}: column 'time' holds a value that is not a timestamp ({exc})") from None
    return frame
