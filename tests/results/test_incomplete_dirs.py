"""Exports and reports of a missing or incomplete directory fail with exit 2 and say what is missing."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from energyhub.cli import cli

COMMANDS = (["report"], ["export", "--format", "csv"])


def run(command: list[str], directory: Path) -> tuple[int, str]:
    result = CliRunner().invoke(cli, [command[0], str(directory), *command[1:]])
    return result.exit_code, result.output


def truncate(file: Path) -> None:
    data = file.read_bytes()
    file.write_bytes(data[: len(data) // 2])


@pytest.mark.parametrize("command", COMMANDS)
def test_missing_directory(tmp_path: Path, command: list[str]) -> None:
    code, output = run(command, tmp_path / "nowhere")
    assert code == 2 and "does not exist" in output


@pytest.mark.parametrize("command", COMMANDS)
def test_empty_directory_names_the_expected_files(tmp_path: Path, command: list[str]) -> None:
    code, output = run(command, tmp_path)
    assert code == 2
    for name in ("summary.json", "results.nc", "baseline.json", "sweep.csv"):
        assert name in output


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize(
    ("kind", "damage", "message"),
    [
        ("solve", "results.nc:delete", "missing results.nc"),
        ("solve", "summary.json:delete", "missing summary.json"),
        ("solve", "results.nc:truncate", "results.nc is unreadable or truncated"),
        ("solve", "summary.json:truncate", "summary.json is unreadable or truncated"),
        ("baseline", "baseline.nc:delete", "missing baseline.nc"),
        ("baseline", "baseline.json:truncate", "baseline.json is unreadable or truncated"),
        ("sweep", "sweep.csv:empty", "sweep.csv is unreadable or truncated"),
        ("sweep", "sweep.nc:truncate", "sweep.nc is unreadable or truncated"),
    ],
)
def test_incomplete_directory(make_dir: Callable[..., Path], command: list[str], kind: str, damage: str,
                              message: str) -> None:
    directory = make_dir(kind)
    name, how = damage.split(":")
    if how == "delete":
        (directory / name).unlink()
    elif how == "empty":
        (directory / name).write_text("")
    else:
        truncate(directory / name)
    code, output = run(command, directory)
    assert code == 2, output
    assert message in output
    assert not (directory / "report.html").exists() and not (directory / "export-csv").exists()


def test_a_file_instead_of_a_directory(tmp_path: Path) -> None:
    file = tmp_path / "summary.json"
    file.write_text("{}")
    code, output = run(["report"], file)
    assert code == 2 and "is a file" in output


def test_solve_dir_without_optional_variables(make_dir: Callable[..., Path]) -> None:
    import xarray as xr

    directory = make_dir("solve")
    ds = xr.open_dataset(directory / "results.nc", engine="h5netcdf").load()
    keep = ["loading_ac_before_pct"]
    (directory / "results.nc").unlink()
    ds[keep].to_netcdf(directory / "results.nc", engine="h5netcdf")
    code, output = run(["report"], directory)
    assert code == 0, output
    html = (directory / "report.html").read_text(encoding="utf-8")
    for note in ("No loading_ac_after_pct", "No import_mw/export_mw", "No storage levels"):
        assert note in html
    shutil.rmtree(directory)
