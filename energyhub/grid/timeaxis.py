"""The 15-minute reference year that every profile is stored on, and mapping model time steps onto it.

A reference year has 365 days at 15-minute resolution: 35,040 rows, row 0 = 1 January 00:00. Profiles are
*shapes* on this axis; a scenario's time steps (any year, any resolution) are mapped to rows by month, day,
hour and minute, with 29 February read as 28 February.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

STEPS_PER_HOUR = 4
STEP_MIN = 15
N_REFERENCE_STEPS = 365 * 24 * STEPS_PER_HOUR  # 35,040

# Day of year (0-based) of the first day of each month in a 365-day year.
_MONTH_START_DAY = np.cumsum([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30])


def reference_positions(times: pd.DatetimeIndex) -> np.ndarray:
    """Rows of the 15-minute reference year for ``times`` (int64 array of the same length).

    Timestamps are matched by month, day, hour and minute (minutes floored to the quarter hour); the year is
    ignored and 29 February is read as 28 February. Time-zone-aware timestamps are used as given (local wall
    time); convert them first if the profiles are in another zone.
    """
    month = np.asarray(times.month, dtype=np.int64)
    day = np.asarray(times.day, dtype=np.int64)
    day = np.where((month == 2) & (day == 29), 28, day)
    day_of_year = _MONTH_START_DAY[month - 1] + day - 1
    quarter = np.asarray(times.hour, dtype=np.int64) * STEPS_PER_HOUR + np.asarray(times.minute) // STEP_MIN
    return np.asarray(day_of_year * 24 * STEPS_PER_HOUR + quarter, dtype=np.int64)


def sample(profile_15min: np.ndarray, times: pd.DatetimeIndex, resolution_min: int) -> np.ndarray:
    """Mean of a 15-minute reference-year profile over each model step starting at ``times``.

    ``profile_15min`` has 35,040 rows (any trailing columns). ``resolution_min`` must be a positive multiple
    of 15: a 60-minute step starting at 10:00 averages the rows of 10:00, 10:15, 10:30 and 10:45. Steps
    running past 31 December 23:45 wrap to 1 January. Returns ``len(times)`` rows.
    """
    if resolution_min <= 0 or resolution_min % STEP_MIN:
        raise ValueError(f"resolution_min must be a positive multiple of 15, got {resolution_min}")
    if profile_15min.shape[0] != N_REFERENCE_STEPS:
        raise ValueError(f"profile has {profile_15min.shape[0]} rows, expected {N_REFERENCE_STEPS}")
    start = reference_positions(times)
    n_sub = resolution_min // STEP_MIN
    total = np.zeros((len(start), *profile_15min.shape[1:]), dtype=np.float64)
    for k in range(n_sub):
        total += profile_15min[(start + k) % N_REFERENCE_STEPS]
    return total / n_sub


def reference_year_index(year: int = 2030, resolution_min: int = 60) -> pd.DatetimeIndex:
    """Time steps of one non-leap-aware year at ``resolution_min`` (8,760 hourly steps for any year).

    For a leap year the 29 February steps are dropped so that a year always has 365 days.
    """
    index = pd.date_range(f"{year}-01-01", f"{year + 1}-01-01", freq=f"{resolution_min}min", inclusive="left")
    keep = ~((index.month == 2) & (index.day == 29))
    return pd.DatetimeIndex(index[keep])
