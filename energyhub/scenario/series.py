"""Time-series references: ``file.csv#column`` / ``file.parquet#column`` or a constant.

A file either has a ``time`` column (timestamps in local standard time without an offset, evenly spaced with no
step missing or repeated; the series must cover the scenario's horizon and is resampled to the model resolution:
mean power when coarsening, held when refining) or none (then it must have exactly one row per model time step).
Values must be numeric, finite and of a sane magnitude; errors name the file, the column and the row.

A reference must name a file inside the scenario's folder (its folder or below, after following symbolic links):
a scenario is input from other people and must not make energyhub read, and echo in its messages, other files.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from energyhub.errors import InputError
from energyhub.scenario.references import closest
from energyhub.scenario.types import MAX_MAGNITUDE

#: A UTC offset or 'Z' at the end of a timestamp ('2030-01-07 00:00+01:00', '2030-01-07T00:00Z').
_OFFSET = re.compile(r"[T ]\d{1,2}:\d\d(?::\d\d(?:\.\d+)?)?\s*(?:Z|UTC|[+-]\d\d(?::?\d\d)?)$", re.IGNORECASE)
_LOCAL_TIME_HINT = (
    "scenario time is local standard time without daylight saving (UTC+1 all year for NL and DE): a file in local "
    "time with daylight saving misses an hour in spring and repeats one in autumn"
)


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
        path = self._inside_folder(file_part, where)
        frame = self._frame(path, where)
        if column not in frame.columns:
            raise InputError(
                f"{path}: no column '{column}'{closest(column, map(str, frame.columns))} (referenced by {where}); "
                f"columns are: {', '.join(map(str, frame.columns))}"
            )
        return self._align(frame[column], path, column, where)

    def _inside_folder(self, file_part: str, where: str) -> Path:
        """The referenced file, resolved; refused when it lies outside the scenario's folder."""
        folder = self.scenario_file.parent.resolve()
        path = (folder / file_part).resolve()
        if not path.is_relative_to(folder):
            raise InputError(
                f"{self.scenario_file}: {where}: series file '{file_part}' lies outside the scenario's folder "
                f"{folder} (a '..', an absolute path or a symbolic link leading out); a scenario may only read "
                "files in its own folder and below: copy the file there"
            )
        return path

    def _frame(self, path: Path, where: str) -> pd.DataFrame:
        if path not in self._files:
            frame = _read_table(path, where, self.scenario_file)
            if isinstance(frame.index, pd.DatetimeIndex):
                _check_steps(frame.index, path, where)
            self._files[path] = frame
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
        huge = np.abs(values.to_numpy(dtype=float)) > MAX_MAGNITUDE
        if huge.any():
            row = int(np.flatnonzero(huge)[0])
            raise InputError(
                f"{path}: column '{name}' row {row + 2} (data row {row + 1}): value {values.iloc[row]:g} is beyond "
                f"{MAX_MAGNITUDE:g}, the largest magnitude a scenario accepts (referenced by {where}); check the unit"
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
        step = pd.Timedelta(minutes=self.step_min)
        src_step = index[1] - index[0] if len(index) > 1 else step
        start, end = self.times[0], self.times[-1] + step
        if (step % src_step if src_step < step else src_step % step) or (start - index[0]) % src_step:
            raise InputError(
                f"{path}: column '{name}': the file's step of {_span(src_step)} (from its first two rows) does not "
                f"fit the model's steps of {_span(step)} from {start} (referenced by {where}); give the series in "
                "steps that divide or are whole multiples of the model's step, on timestamps of the model's grid"
            )
        if index[0] > start or index[-1] + src_step < end:
            raise InputError(
                f"{path}: column '{name}' covers {index[0]} to {index[-1] + src_step} but the scenario runs "
                f"from {start} to {end} (referenced by {where}); extend the series or shorten time.periods"
            )
        if src_step < step:  # coarsen: mean power over each model step
            binned = values[(index >= start) & (index < end)].resample(step, origin=start).mean()
            return binned.reindex(self.times).to_numpy(dtype=float)
        return values.reindex(self.times, method="ffill").to_numpy(dtype=float)


def _span(delta: pd.Timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    return f"{minutes} min" if minutes < 60 or minutes % 60 else f"{minutes // 60} h"


def _check_steps(index: pd.DatetimeIndex, path: Path, where: str) -> None:
    """Timestamps increase by one step throughout (taken from the first two rows): no gap, repeat or disorder.

    The whole file is checked, not only the horizon: a daylight-saving gap in March also means that every summer
    timestamp of the file is an hour off local standard time.
    """
    if len(index) < 2:
        return
    diffs = np.diff(index.to_numpy())
    step = diffs[0]
    bad = np.flatnonzero(diffs != step) if step > np.timedelta64(0) else np.array([0])
    if not bad.size:
        return
    k = int(bad[0])  # rows k and k+1 of the data (spreadsheet rows k+2 and k+3)
    before, after = index[k], index[k + 1]
    rows = f"rows {k + 2} and {k + 3}"
    if after == before:
        problem = f"{after} appears twice ({rows}); remove the repeated row"
    elif after < before and (earlier := np.flatnonzero(index[: k + 1] == after)).size:
        problem = f"{after} (row {k + 3}) repeats row {int(earlier[0]) + 2}; remove the repeated rows"
    elif after < before:
        problem = f"{after} (row {k + 3}) comes before {before} (row {k + 2}); sort the rows by time"
    elif (later := np.flatnonzero(index[k + 2 :] == before + pd.Timedelta(step))).size:
        row = k + 2 + int(later[0]) + 2
        problem = f"{before + pd.Timedelta(step)} is row {row}, after {after} (row {k + 3}); sort the rows by time"
    elif (after - before) % pd.Timedelta(step) == pd.Timedelta(0):
        problem = (
            f"no row for {before + pd.Timedelta(step)} (the file's step is {_span(pd.Timedelta(step))}, and {rows} "
            f"are {before} and {after}); add the missing rows: gaps are not filled in"
        )
    else:
        problem = (
            f"{rows} ({before} and {after}) are not one step of {_span(pd.Timedelta(step))} apart (the step of the "
            "file's first two rows); give evenly spaced timestamps"
        )
    raise InputError(f"{path}: column 'time': {problem} (referenced by {where}); {_LOCAL_TIME_HINT}")


def _parse_time(raw: pd.Series, path: Path) -> pd.DatetimeIndex:
    """Timestamps without a UTC offset; refused (naming the row) when they carry one."""
    if isinstance(raw.dtype, pd.DatetimeTZDtype):
        raise InputError(
            f"{path}: column 'time' has timestamps with the time zone {raw.dtype.tz}; {_LOCAL_TIME_HINT}: store "
            "timestamps in local standard time without a time zone"
        )
    if raw.dtype == object:
        texts = raw.map(lambda v: v.strip() if isinstance(v, str) else "")
        with_offset = np.flatnonzero(texts.str.contains(_OFFSET).to_numpy(dtype=bool))
        if with_offset.size:
            row = int(with_offset[0])
            raise InputError(
                f"{path}: column 'time' row {row + 2} (data row {row + 1}): timestamp {texts.iloc[row]!r} has a UTC "
                f"offset; {_LOCAL_TIME_HINT}: convert the timestamps to local standard time and drop the offset"
            )
    try:
        with warnings.catch_warnings():  # pandas warns before it fails on a value it cannot parse
            warnings.simplefilter("ignore")
            index = pd.DatetimeIndex(pd.to_datetime(raw))
    except (ValueError, TypeError, OverflowError) as exc:
        raise InputError(f"{path}: column 'time' holds a value that is not a timestamp ({exc})") from None
    if index.tz is not None:  # offsets pandas found that the pattern above did not
        raise InputError(f"{path}: column 'time' has timestamps with a UTC offset; {_LOCAL_TIME_HINT}")
    if index.hasnans:
        row = int(np.flatnonzero(index.isna())[0])
        raise InputError(f"{path}: column 'time' row {row + 2} (data row {row + 1}) has no timestamp; fill it in")
    return index


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
        frame.index = _parse_time(frame.pop("time"), path)
    return frame
