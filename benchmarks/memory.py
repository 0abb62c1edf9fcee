"""Peak resident memory of this process and its worker processes, sampled while a block runs.

``resource.getrusage`` reports each process's own lifetime peak (and of children only once they are reaped), so a
row of a benchmark that runs after a bigger one would inherit the bigger one's peak. :class:`PeakMemory` instead
samples, every ``interval_s``, the resident set size of this process plus every live descendant (local worker
processes, a dask LocalCluster's nanny and worker processes) and keeps the largest sum. Workers of a remote dask
scheduler are not seen.
"""

from __future__ import annotations

import threading
from types import TracebackType

import psutil

GIB = 1024.0**3


def _tree_rss_bytes(proc: psutil.Process) -> int:
    total = 0
    for p in [proc, *proc.children(recursive=True)]:
        try:
            total += p.memory_info().rss
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
    return total


class PeakMemory:
    """``with PeakMemory() as peak: ...`` then ``peak.gib``: the largest resident set of the process tree."""

    def __init__(self, interval_s: float = 0.1) -> None:
        self.interval_s = interval_s
        self.peak_bytes = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._proc = psutil.Process()

    def _sample(self) -> None:
        while True:
            self.peak_bytes = max(self.peak_bytes, _tree_rss_bytes(self._proc))
            if self._stop.wait(self.interval_s):
                return

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self._stop.set()
        self._thread.join()
        self.peak_bytes = max(self.peak_bytes, _tree_rss_bytes(self._proc))

    @property
    def gib(self) -> float:
        return self.peak_bytes / GIB
