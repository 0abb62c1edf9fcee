"""Fixtures of the sweep tests; the helpers themselves are in ``sweep_helpers.py``."""

from __future__ import annotations

from pathlib import Path

import pytest
from sweep_helpers import SMALL


@pytest.fixture
def scenario() -> Path:
    return SMALL
