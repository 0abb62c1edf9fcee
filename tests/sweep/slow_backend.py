"""A toy backend that takes a while per point, so that tests can interrupt a sweep in the middle."""

from __future__ import annotations

import os
import time
from pathlib import Path

from toy_backend import ToyBackend, ToyModel

from energyhub.scenario.schema import Scenario
from energyhub.sweep.points import Solved

DELAY_S = float(os.environ.get("SWEEP_TEST_DELAY_S", "0.4"))


class SlowModel(ToyModel):
    """The toy model, sleeping before each solve."""

    def solve(self) -> Solved:
        time.sleep(DELAY_S)
        return super().solve()


class SlowToy(ToyBackend):
    """The toy backend with :class:`SlowModel`."""

    def solve(self, scenario: Scenario, path: Path) -> Solved:
        return SlowModel(scenario).solve()

    def build(self, scenario: Scenario, path: Path) -> SlowModel:
        return SlowModel(scenario)
