"""The model's time steps: weights, cyclic segments, hour of day and month of each step.

A model is built over ``n`` steps of ``step_h`` hours. Steps are grouped into cyclic *segments*: the whole
horizon (one segment) or each representative period (one segment per typical period). Storage levels and
unit-commitment windows wrap around within their segment. ``weight[t]`` scales the operating cost of step ``t``
to one year: 8760 h / horizon h for a plain horizon, occurrences × 8760 h / horizon h for a typical period.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

HOURS_PER_YEAR = 8760.0


@dataclass
class TimeGrid:
    """Time structure of one model.

    Attributes:
        step_h: length of a step, h.
        weight: annual scaling of each step's operating cost and energy (n,), dimensionless.
        hour: hour of day of each step (n,), 0-23.
        month: month group of each step (n,), 0-based consecutive ids for the monthly-peak tariff.
        months_per_year: annual scaling of the monthly-peak charge: 12 / number of month groups.
        segment_start: first step of each cyclic segment (S,), ascending, first = 0.
        times: the timestamps of a plain horizon, or None for typical periods.
    """

    step_h: float
    weight: np.ndarray
    hour: np.ndarray
    month: np.ndarray
    months_per_year: float
    segment_start: np.ndarray
    times: pd.DatetimeIndex | None = None

    @property
    def n(self) -> int:
        return len(self.weight)

    @property
    def steps(self) -> range:
        return range(self.n)

    @property
    def n_months(self) -> int:
        return int(self.month.max()) + 1 if self.n else 0

    def segment_bounds(self) -> list[tuple[int, int]]:
        """(start, stop) of each cyclic segment."""
        stops = [*self.segment_start[1:].tolist(), self.n]
        return list(zip(self.segment_start.tolist(), stops, strict=True))

    def lag(self, lag_steps: int) -> np.ndarray:
        """Index of the step ``lag_steps`` before each step, wrapping within its segment (n,)."""
        out = np.empty(self.n, dtype=np.int64)
        for start, stop in self.segment_bounds():
            idx = np.arange(start, stop)
            out[start:stop] = start + (idx - start - lag_steps) % (stop - start)
        return out

    def prev(self) -> np.ndarray:
        """The previous step of each step, cyclic within its segment."""
        return self.lag(1)

    def segment_length_min(self) -> int:
        return int(min(stop - start for start, stop in self.segment_bounds()))


def horizon_grid(times: pd.DatetimeIndex, step_h: float) -> TimeGrid:
    """One cyclic segment over the whole horizon, each step weighted 8760 h / horizon h."""
    n = len(times)
    weight = np.full(n, HOURS_PER_YEAR / (n * step_h))
    ym = np.asarray(times.year, dtype=np.int64) * 12 + np.asarray(times.month, dtype=np.int64)
    _, month = np.unique(ym, return_inverse=True)
    n_months = int(month.max()) + 1
    return TimeGrid(
        step_h=step_h,
        weight=weight,
        hour=np.asarray(times.hour, dtype=np.int64),
        month=month.astype(np.int64),
        months_per_year=12.0 / n_months,
        segment_start=np.array([0], dtype=np.int64),
        times=times,
    )
