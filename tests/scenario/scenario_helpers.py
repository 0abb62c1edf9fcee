"""Helpers for scenario tests: copy the small valid fixture to a temporary folder, mutate it, run validate.

The fixture is ``tests/data/small/`` (scenario.yaml, its two series CSVs and the tiny pandapower grid).
A test takes its parsed YAML (a plain dict), changes it, writes it back beside copies of the series files and
runs ``energyhub validate`` in-process through click's ``CliRunner``.
"""

from __future__ import annotations

import copy
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from click.testing import CliRunner, Result

from energyhub.cli import cli

SMALL = Path(__file__).resolve().parents[1] / "data" / "small"
SCENARIO_NAME = "scenario.yaml"
DATA_FILES = ("prices_demand_15min.csv", "profiles_hourly.csv", "tiny_grid.json")


@cache
def _parsed_fixture() -> dict[str, Any]:
    data = yaml.safe_load((SMALL / SCENARIO_NAME).read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def fixture_data() -> dict[str, Any]:
    """A fresh deep copy of the valid scenario as parsed YAML."""
    return copy.deepcopy(_parsed_fixture())


def copy_data_files(folder: Path) -> None:
    """Copy the series files and the grid of the fixture into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in DATA_FILES:
        shutil.copy(SMALL / name, folder / name)


def dump(data: Any) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def run_validate(path: Path) -> Result:
    """``energyhub validate PATH`` in-process; stdout and stderr together in ``result.output``."""
    return CliRunner().invoke(cli, ["validate", str(path)])


@dataclass
class Case:
    """A scenario folder in a temporary directory: ``scenario`` plus copies of the fixture's data files."""

    folder: Path

    @property
    def scenario(self) -> Path:
        return self.folder / SCENARIO_NAME

    def file(self, name: str) -> Path:
        return self.folder / name

    def write(self, data: Any) -> Case:
        self.scenario.write_text(dump(data), encoding="utf-8")
        return self

    def write_text(self, text: str) -> Case:
        self.scenario.write_text(text, encoding="utf-8")
        return self

    def edit_csv(self, name: str, edit: Callable[[list[str]], list[str]]) -> Path:
        """Rewrite the lines of a copied CSV (header included) with ``edit``."""
        path = self.file(name)
        lines = path.read_text(encoding="utf-8").splitlines()
        path.write_text("\n".join(edit(lines)) + "\n", encoding="utf-8")
        return path

    def validate(self) -> Result:
        return run_validate(self.scenario)


def assert_input_error(result: Result, file: Path, *fragments: str) -> str:
    """Exit code 2, one 'error: ' message naming ``file`` and every fragment, no traceback; returns the output."""
    out = result.output
    assert result.exit_code == 2, f"exit code {result.exit_code}, output:\n{out}"
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit), out
    assert out.startswith("error: "), out
    assert str(file) in out, f"{file} not named in:\n{out}"
    for fragment in fragments:
        assert fragment in out, f"{fragment!r} not in:\n{out}"
    assert "Traceback" not in out, out
    return out
