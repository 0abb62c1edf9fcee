"""The command line: exit codes, messages and output of ``validate`` and ``schema``."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import energyhub.validate
from energyhub import __version__
from energyhub.cli import cli

SMALL = Path(__file__).resolve().parent / "data" / "small"


@pytest.fixture
def small(tmp_path: Path) -> Path:
    """A copy of the small valid scenario folder; returns the scenario file."""
    folder = tmp_path / "small"
    shutil.copytree(SMALL, folder, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    return folder / "scenario.yaml"


def _snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns) for p in folder.rglob("*")}


def test_validate_valid_fixture_prints_summary(small: Path) -> None:
    result = CliRunner().invoke(cli, ["validate", str(small)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "scenario small-twente: valid"
    assert "2030-01-07 00:00 + 168 × 1h (168 h), aggregated to 3 × 24 h" in lines[1]
    assert "tiny (tiny_grid.json, NL)" in result.output
    assert "hubs      hengelo, boekelo" in result.output
    assert "1 battery, 1 biogas, 1 electrolyser, 1 h2_storage, 1 reinforcement" in result.output
    assert "h2-pipe (hydrogen)" in result.output
    assert "preset fast" in result.output


def test_validate_writes_nothing(small: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    workdir = tmp_path / "cwd"
    workdir.mkdir()
    monkeypatch.chdir(workdir)
    before = _snapshot(tmp_path)
    result = CliRunner().invoke(cli, ["validate", str(small)])
    assert result.exit_code == 0, result.output
    assert _snapshot(tmp_path) == before
    assert list(workdir.iterdir()) == []


def test_validate_as_a_real_subprocess(small: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "energyhub", "validate", small.name],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=small.parent,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("scenario small-twente: valid\n")
    assert "Traceback" not in proc.stderr


def test_validate_missing_file_exits_2(tmp_path: Path) -> None:
    missing = tmp_path / "nothing.yaml"
    result = CliRunner().invoke(cli, ["validate", str(missing)])
    assert result.exit_code == 2
    assert result.output.startswith(f"error: {missing}: no such file")


@pytest.mark.parametrize(
    "args",
    [["validate"], ["validate", "a.yaml", "b.yaml"], ["no-such-command"], ["validate", "--bogus", "a.yaml"]],
    ids=["no-argument", "two-arguments", "unknown-command", "unknown-option"],
)
def test_usage_errors_exit_2(args: list[str]) -> None:
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2
    assert "Usage:" in result.output and "Error:" in result.output
    assert "Traceback" not in result.output


def test_validate_directory_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["validate", str(tmp_path)])
    assert result.exit_code == 2
    assert "is a directory" in result.output


def test_unexpected_error_exits_1_with_debug_hint(small: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(path: Path) -> str:
        raise RuntimeError("kaputt")

    monkeypatch.setattr(energyhub.validate, "validate_scenario", boom)
    result = CliRunner().invoke(cli, ["validate", str(small)])
    assert result.exit_code == 1
    assert result.output.startswith("error: unexpected RuntimeError: kaputt\n")
    assert "energyhub --debug" in result.output
    assert "Traceback" not in result.output

    debug = CliRunner().invoke(cli, ["--debug", "validate", str(small)])
    assert debug.exit_code == 1
    assert "Traceback (most recent call last)" in debug.output
    assert "RuntimeError: kaputt" in debug.output


def test_schema_prints_json_schema() -> None:
    result = CliRunner().invoke(cli, ["schema"])
    assert result.exit_code == 0, result.output
    schema = json.loads(result.output)
    assert schema["title"] == "Scenario"
    assert set(schema["required"]) == {"name", "time", "grid", "markets"}
    assert schema["additionalProperties"] is False
    assert "BatteryAsset" in schema["$defs"]


def test_schema_out_writes_the_same_schema(tmp_path: Path) -> None:
    out = tmp_path / "scenario.schema.json"
    result = CliRunner().invoke(cli, ["schema", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert result.output == f"wrote {out}\n"
    printed = CliRunner().invoke(cli, ["schema"]).output
    assert json.loads(out.read_text(encoding="utf-8")) == json.loads(printed)


def test_version() -> None:
    result = CliRunner().invoke(cli, ["--version"])
    assert result.exit_code == 0
    assert __version__ in result.output
