"""Output directories: energyhub replaces only what it wrote, checks --out before any work, and cleans up the
temporaries a killed writer left (issue 10 items 8 and 11)."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from energyhub import outdir, pipeline
from energyhub.cli import cli
from energyhub.outdir import MARKER, atomic_dir, temp_name

SMALL_DIR = Path(__file__).resolve().parent / "data" / "small"
pytestmark = pytest.mark.filterwarnings("ignore:.*no profiles found:UserWarning")


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, [*args, "--quiet"] if args[0] in ("solve", "baseline") else list(args))


def no_work(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make any solve or baseline fail loudly: a refusal must come before the work."""

    def forbidden(*_: object, **__: object) -> None:
        raise AssertionError("the work started before --out was checked")

    monkeypatch.setattr(pipeline, "solve", forbidden)
    monkeypatch.setattr(pipeline, "baseline", forbidden)


def files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def dead_pid() -> int:
    """A process id that no process has (the highest pid the kernel hands out, plus one)."""
    return int(Path("/proc/sys/kernel/pid_max").read_text()) + 1


# ------------------------------------------------------------------------------------- item 8: what is replaced
@pytest.mark.parametrize("verb", ["solve", "baseline"])
def test_scenario_folder_with_a_summary_json_is_never_replaced(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                              verb: str) -> None:
    """A folder holding a summary.json (the scenario's own folder, a user's notes) is not energyhub's: exit 2
    before any work, every file kept."""
    folder = tmp_path / "study"
    shutil.copytree(SMALL_DIR, folder, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    (folder / "summary.json").write_text('{"mine": true}')
    before = files(folder)
    no_work(monkeypatch)
    result = run(verb, str(folder / "scenario.yaml"), "--out", str(folder))
    assert result.exit_code == 2, result.output
    assert f"no {MARKER}" in result.output and "choose a new or empty folder" in result.output
    assert files(folder) == before


def test_result_directory_with_a_users_file_is_refused_and_kept(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    with atomic_dir(out, "solve") as tmp:
        (tmp / "summary.json").write_text("{}")
    (out / "notes.txt").write_text("precious")
    no_work(monkeypatch)
    result = run("solve", str(SMALL_DIR / "scenario.yaml"), "--out", str(out))
    assert result.exit_code == 2, result.output
    assert "holds files energyhub did not write (notes.txt)" in result.output
    assert (out / "notes.txt").read_text() == "precious" and (out / "summary.json").read_text() == "{}"


def test_a_sweep_directory_is_not_replaced_by_a_solve(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "sweep"
    out.mkdir()
    outdir.write_marker(out, "sweep", ["sweep.json"])
    (out / "sweep.json").write_text("{}")
    no_work(monkeypatch)
    result = run("solve", str(SMALL_DIR / "scenario.yaml"), "--out", str(out))
    assert result.exit_code == 2, result.output
    assert "is an energyhub sweep directory" in result.output
    assert (out / "sweep.json").is_file()


def test_every_directory_energyhub_writes_holds_its_marker(tmp_path: Path) -> None:
    """solve and export (baseline and sweep points use the same writer) mark their directories."""
    out = tmp_path / "out"
    solved = run("solve", str(SMALL_DIR / "scenario.yaml"), "--out", str(out))
    assert solved.exit_code == 0, solved.output
    marker = json.loads((out / MARKER).read_text())
    assert marker["writer"] == "energyhub" and marker["kind"] == "solve"
    assert marker["files"] == ["highs.log", "results.nc", "summary.json"]
    assert "MIP has" in (out / "highs.log").read_text()  # HiGHS's log: inside --out, nowhere else
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
    exported = run("export", str(out), "--format", "csv", "--quiet")
    assert exported.exit_code == 0, exported.output
    assert json.loads((out / "export-csv" / MARKER).read_text())["kind"] == "export"
    # a second solve replaces the directory with its export (energyhub wrote both)
    again = run("solve", str(SMALL_DIR / "scenario.yaml"), "--out", str(out))
    assert again.exit_code == 0, again.output
    assert sorted(p.name for p in out.iterdir()) == [MARKER, "highs.log", "results.nc", "summary.json"]


# --------------------------------------------------------------------------- item 11: checked before any work
@pytest.mark.parametrize("verb", ["solve", "baseline"])
def test_out_under_a_file_exits_2_before_any_work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                  verb: str) -> None:
    (tmp_path / "a-file").write_text("x")
    no_work(monkeypatch)
    result = run(verb, str(SMALL_DIR / "scenario.yaml"), "--out", str(tmp_path / "a-file" / "out"))
    assert result.exit_code == 2, result.output
    assert "a-file is a file" in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file"]


def test_out_on_a_read_only_path_exits_2_before_any_work(monkeypatch: pytest.MonkeyPatch) -> None:
    """/proc refuses new directories, even to root (chmod cannot make a read-only folder for root)."""
    no_work(monkeypatch)
    result = run("solve", str(SMALL_DIR / "scenario.yaml"), "--out", "/proc/energyhub-out")
    assert result.exit_code == 2, result.output
    assert "cannot write in /proc" in result.output and "give a writable directory" in result.output


def test_export_and_sweep_check_their_out_before_any_work(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("x")
    target = str(tmp_path / "a-file" / "out")
    exported = run("export", str(tmp_path), "--format", "csv", "--out", target)
    swept = run("sweep", str(SMALL_DIR / "scenario.yaml"), "--param", "solver.mip_gap=0.01,0.02", "--out", target)
    for result in (exported, swept):
        assert result.exit_code == 2, result.output
    assert "a-file is a file" in swept.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file"]


# ------------------------------------------------------------------------------- item 11: a killed writer
def test_a_rerun_removes_the_temporaries_a_killed_writer_left(tmp_path: Path) -> None:
    """A kill during writing leaves ``.out.energyhub-tmp-<pid>-…`` (and, between the renames, ``…-old-…``): the
    next solve into the same --out removes them, and nothing else beside it."""
    out = tmp_path / "out"
    stale = out.with_name(f".out.energyhub-tmp-{dead_pid()}-0badc0de")
    old = out.with_name(f".out.energyhub-old-{dead_pid()}-0badc0de")
    for folder in (stale, old):
        folder.mkdir()
        (folder / "results.nc").write_bytes(b"\x89HDF partial")
    users = [tmp_path / ".out.notes", tmp_path / ".other.energyhub-tmp-1-x"]
    for path in users:
        path.write_text("not for this --out")
    result = run("solve", str(SMALL_DIR / "scenario.yaml"), "--out", str(out))
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["out", *(p.name for p in users)])


def test_a_temporary_of_a_running_writer_is_left_alone(tmp_path: Path) -> None:
    target = tmp_path / "out"
    live = temp_name(target)  # this process is running, but its own older temporaries are stale
    live.mkdir()
    parent = target.with_name(f".out.energyhub-tmp-{os.getppid()}-12345678")
    parent.mkdir()
    assert outdir.clean_stale(target) == 1
    assert not live.exists() and parent.is_dir()
