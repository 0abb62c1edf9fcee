"""Fixtures for scenario tests; the helpers themselves are in ``scenario_helpers.py``."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from scenario_helpers import SCENARIO_NAME, SMALL, Case, copy_data_files, fixture_data


@pytest.fixture
def case(tmp_path: Path) -> Case:
    """The valid fixture copied to ``tmp_path`` (rewrite the scenario with ``case.write(data)``)."""
    copy_data_files(tmp_path)
    shutil.copy(SMALL / SCENARIO_NAME, tmp_path / SCENARIO_NAME)
    return Case(tmp_path)


@pytest.fixture
def data() -> dict[str, Any]:
    """The valid scenario as a mutable dict."""
    return fixture_data()
