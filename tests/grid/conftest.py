"""Shared fixtures: the shipped segments, loaded once per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

from energyhub.grid.network import ModelGrid, merge_segments
from energyhub.grid.segments import Segment, load_segment

SHIPPED = ["twente", "muensterland"]


@pytest.fixture(scope="session")
def segments() -> dict[str, Segment]:
    return {name: load_segment(name, name, Path.cwd()) for name in SHIPPED}


@pytest.fixture(scope="session")
def grids(segments: dict[str, Segment]) -> dict[str, ModelGrid]:
    return {name: merge_segments([seg]) for name, seg in segments.items()}
