"""Nothing lost: kill the sweep process or a worker mid-run, then resume; no partial point, no temp dir remains."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import psutil
from sweep_helpers import HERE, PRICE
from toy_backend import TOY

POINTS = 10
TIMEOUT_S = 60.0


def _command(scenario: Path, out: Path, workers: int, solver: str = "slow_backend:SlowToy") -> list[str]:
    return [
        sys.executable, "-m", "energyhub", "sweep", str(scenario), "--param", f"{PRICE}=lin:10:100:{POINTS}",
        "--solver", solver, "--workers", str(workers), "--out", str(out), "--no-progress",
    ]  # fmt: skip


def _start(command: list[str]) -> subprocess.Popen[str]:
    """The sweep as a user starts it from a terminal: with Ctrl-C's default action even when this test runs in a
    background job of a non-interactive shell (which starts with SIGINT ignored, inherited by every child)."""
    env = {**os.environ, "PYTHONPATH": str(HERE), "SWEEP_TEST_DELAY_S": "0.3"}
    return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=_default_ctrl_c)


def _default_ctrl_c() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _finished(out: Path) -> int:
    root = out / "points"
    return sum(1 for p in root.iterdir() if not p.name.startswith(".")) if root.is_dir() else 0


def _wait_for(condition: object, what: str) -> None:
    deadline = time.monotonic() + TIMEOUT_S
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def _workers(process: subprocess.Popen[str]) -> list[psutil.Process]:
    children = psutil.Process(process.pid).children(recursive=True)
    return [c for c in children if "spawn_main" in " ".join(c.cmdline())]


def _assert_complete(out: Path) -> None:
    table = pd.read_csv(out / "sweep.csv")
    assert len(table) == POINTS and (table.status == "optimal").all()
    assert not [p for p in (out / "points").iterdir() if p.name.startswith(".")]  # no temporary left
    assert {p.name for p in out.iterdir() if p.name.startswith(".")} <= {".lock", ".energyhub.json"}


def test_sigkill_sweep_then_kill_worker_then_resume(scenario: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = _start(_command(scenario, out, workers=2))
    _wait_for(lambda: _finished(out) >= 2, "two points")
    workers = _workers(first)
    first.send_signal(signal.SIGKILL)
    first.communicate(timeout=TIMEOUT_S)
    psutil.wait_procs(workers, timeout=10)  # they die with their parent (PR_SET_PDEATHSIG)
    assert 2 <= _finished(out) < POINTS and not (out / "sweep.csv").exists()

    second = _start(_command(scenario, out, workers=2))  # resume; one of its workers is killed on the way
    done_before = _finished(out)
    _wait_for(lambda: _finished(out) > done_before or second.poll() is not None, "a resumed point")
    victims = _workers(second)
    if victims and second.poll() is None:
        victims[0].kill()
    stdout, stderr = second.communicate(timeout=TIMEOUT_S)
    assert second.returncode == 0, stderr
    assert f"{POINTS} points: {POINTS} solved, 0 failed" in stdout
    _assert_complete(out)


def test_ctrl_c_then_resume(scenario: Path, tmp_path: Path) -> None:
    """Ctrl-C of a serial sweep (``--workers 1``, in-process): the point being solved is dropped, none is partial."""
    out = tmp_path / "out"
    first = _start(_command(scenario, out, workers=1))
    _wait_for(lambda: _finished(out) >= 1, "one point")
    workers = _workers(first)
    first.send_signal(signal.SIGINT)
    _, stderr = first.communicate(timeout=TIMEOUT_S)
    assert first.returncode == 1, stderr
    assert "interrupted:" in stderr and "run the same command again to resume" in stderr
    psutil.wait_procs(workers, timeout=10)
    assert not [p for p in (out / "points").iterdir() if p.name.startswith(".")]  # no temporary left

    second = _start(_command(scenario, out, workers=1, solver=TOY))
    stdout, stderr = second.communicate(timeout=TIMEOUT_S)
    assert second.returncode == 0, stderr
    assert "from an earlier run" in stdout
    _assert_complete(out)
