"""The model's time steps: weights, cyclic segments, hour of day and month of each step.

A model is built over ``n`` steps of ``step_h`` hours. Steps are grouped into *segments*: the whole horizon (one
segment), each representative period (one segment per typical period), or one time window of a decomposed
dispatch. In a cyclic grid, storage levels and unit-commitment windows wrap around within their segment; in a
non-cyclic grid (a window) the step before a segment's first step is outside the model: :meth:`TimeGrid.prev` and
:meth:`TimeGrid.lag` return ``-1`` there and the components use the window's initial state instead.
``weight[t]`` scales the operating cost of step ``t`` to one year: 8760 h / horizon h for a plain horizon (and
for each of its windows), occurrences × 8760 h / horizon h for a typical period. ``annual_share`` is the share of
the year's fixed costs (annualised capex, fixed O&M, capacity tariffs) that one model carries: 1, or the window's
share of the horizon, so that the windows of a decomposed dispatch add up to one year.
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
        segment_start: first step of each segment (S,), ascending, first = 0.
        times: the timestamps of a plain horizon or window, or None for typical periods.
        cyclic: whether segments wrap around (False: a window with a given initial state).
        annual_share: share of the year's fixed costs carried by this model (1, or a window's share).
        period_assignment: typical periods only: the segment (typical period) of each original period of the
            horizon, in time order (for storage levels between periods and for the guide levels of windows).
        link_storage: typical periods only: storage levels are linked across periods
            (:mod:`energyhub.model.linking`): within a period they start from 0 instead of wrapping around.
    """

    step_h: float
    weight: np.ndarray
    hour: np.ndarray
    month: np.ndarray
    months_per_year: float
    segment_start: np.ndarray
    times: pd.DatetimeIndex | None = None
    cyclic: bool = True
    annual_share: float = 1.0
    period_assignment: np.ndarray | None = None
    link_storage: bool = False

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
        """Index of the step ``lag_steps`` before each step (n,): wrapping within its segment when cyclic, else
        ``-1`` for steps before the segment's start."""
        out = np.empty(self.n, dtype=np.int64)
        for start, stop in self.segment_bounds():
            idx = np.arange(start, stop)
            if self.cyclic:
                out[start:stop] = start + (idx - start - lag_steps) % (stop - start)
            else:
                out[start:stop] = np.where(idx - lag_steps >= start, idx - lag_steps, -1)
        return out

    def prev(self) -> np.ndarray:
        """The previous step of each step: cyclic within its segment, or ``-1`` at a window's first step."""
        return self.lag(1)

    def storage_prev(self) -> np.ndarray:
        """The previous step of each step for storage levels: :meth:`prev`, but ``-1`` at each segment's first
        step when storage is linked across typical periods (the intra-period level starts from 0 there)."""
        out = self.prev()
        if self.link_storage:
            out[self.segment_start] = -1
        return out

    def last_steps(self) -> np.ndarray:
        """The last step of each segment (S,)."""
        return np.asarray([stop - 1 for _, stop in self.segment_bounds()], dtype=np.int64)

    def window(self, start: int, stop: int) -> TimeGrid:
        """Steps ``start:stop`` of a plain horizon as a non-cyclic model of their own.

        Weights and the monthly-peak scaling stay those of the horizon (the window's costs are its share of the
        year's); month ids are renumbered from 0; ``annual_share`` is the window's share of the horizon.
        """
        if len(self.segment_start) != 1 or self.times is None:
            raise ValueError("only a plain horizon (one segment, with timestamps) splits into windows")
        month = self.month[start:stop]
        return TimeGrid(
            step_h=self.step_h,
            weight=self.weight[start:stop].copy(),
            hour=self.hour[start:stop].copy(),
            month=(month - month.min()).astype(np.int64),
            months_per_year=self.months_per_year,
            segment_start=np.array([0], dtype=np.int64),
            times=self.times[start:stop],
            cyclic=False,
            annual_share=(stop - start) / self.n * self.annual_share,
        )

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
