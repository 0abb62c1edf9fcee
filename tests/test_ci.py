"""CI's test passes (.ci/test-passes, called by .ci/run): fast tests first, then slow ones, each with its ten slowest
tests listed; "no tests collected" (pytest exit 5) is not a failure. Run with a stand-in ``python`` that records
its arguments and exits as told, so that no test runs twice."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
STAND_IN = """#!/usr/bin/env bash
echo "$*" >> "$CALLS"
case "$*" in *"not slow"*) exit "$FAST_RC";; *) exit "$SLOW_RC";; esac
"""


def passes(tmp_path: Path, fast_rc: int, slow_rc: int) -> tuple[int, list[str]]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "python").write_text(STAND_IN)
    (bin_dir / "python").chmod(0o755)
    calls = tmp_path / "calls"
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}", "CALLS": str(calls),
           "FAST_RC": str(fast_rc), "SLOW_RC": str(slow_rc)}
    done = subprocess.run([str(ROOT / ".ci" / "test-passes")], env=env, capture_output=True, text=True, check=False)
    return done.returncode, calls.read_text().splitlines()


@pytest.mark.parametrize(("fast_rc", "slow_rc", "expected"), [(0, 0, 0), (0, 5, 0), (1, 0, 1), (0, 1, 1), (5, 5, 0)])
def test_fast_then_slow_with_durations(tmp_path: Path, fast_rc: int, slow_rc: int, expected: int) -> None:
    rc, calls = passes(tmp_path, fast_rc, slow_rc)
    assert calls == ["-m pytest -m not slow --durations=10", "-m pytest -m slow --durations=10"]
    assert rc == expected


def test_ci_runs_the_passes_and_the_readme_says_so() -> None:
    assert ".ci/test-passes" in (ROOT / ".ci" / "run").read_text()
    readme = (ROOT / "README.md").read_text()
    assert 'pip install -e ".[dev]" && python -m pytest' in readme
    assert 'python -m pytest -m "not slow"' in readme and "python -m pytest -m slow" in readme
