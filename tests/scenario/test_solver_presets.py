"""HiGHS presets in ``solvers/*.opt``: readable, only known options, and the scenario's overrides win."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from scenario_helpers import Case

from energyhub.errors import InputError
from energyhub.scenario.load import SOLVERS_DIR
from energyhub.scenario.schema import SolverSpec
from energyhub.solve.options import ALLOWED_OPTIONS, check_options, read_preset, resolve_options
from energyhub.validate import validate_scenario

PRESETS = sorted(SOLVERS_DIR.glob("*.opt"))


def test_presets_are_shipped() -> None:
    assert {p.stem for p in PRESETS} >= {"default", "fast", "tight"}


@pytest.mark.parametrize("preset", PRESETS, ids=[p.stem for p in PRESETS])
def test_preset_is_readable_and_known(preset: Path) -> None:
    options = read_preset(preset)
    assert options, f"{preset} sets no option"
    assert set(options) <= ALLOWED_OPTIONS
    check_options(options, str(preset))  # HiGHS accepts every value too


def test_preset_values_are_typed() -> None:
    options = read_preset(SOLVERS_DIR / "tight.opt")
    assert options["mip_rel_gap"] == pytest.approx(0.001)
    assert options["time_limit"] == 3600 and isinstance(options["time_limit"], int)
    assert options["presolve"] == "on"


def _preset_dir(tmp_path: Path, text: str) -> Path:
    folder = tmp_path / "solvers"
    folder.mkdir()
    shutil.copy(SOLVERS_DIR / "default.opt", folder / "default.opt")
    (folder / "custom.opt").write_text(text, encoding="utf-8")
    return folder


def test_unknown_option_in_preset_names_the_file(tmp_path: Path) -> None:
    folder = _preset_dir(tmp_path, "# a typo\nmip_rel_gap = 0.01\ntime_limt = 60\n")
    with pytest.raises(InputError) as info:
        resolve_options(SolverSpec(preset="custom"), folder)
    message = str(info.value)
    assert message.startswith(f"{folder / 'custom.opt'}: unknown HiGHS option 'time_limt'")
    assert "did you mean 'time_limit'?" in message


def test_malformed_preset_line_names_file_and_line(tmp_path: Path) -> None:
    folder = _preset_dir(tmp_path, "threads = 2\npresolve on\n")
    with pytest.raises(InputError, match=r"custom\.opt: line 2: expected 'name = value', got 'presolve on'"):
        read_preset(folder / "custom.opt")


def test_missing_preset_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="solver preset file does not exist"):
        read_preset(tmp_path / "none.opt")


def test_scenario_overrides_win_over_the_preset() -> None:
    preset = read_preset(SOLVERS_DIR / "fast.opt")
    spec = SolverSpec(
        preset="fast", time_limit_s=42, mip_gap=0.05, threads=3, options={"presolve": "off", "random_seed": 7}
    )
    options = resolve_options(spec, SOLVERS_DIR)
    assert (preset["time_limit"], preset["mip_rel_gap"], preset["threads"], preset["presolve"]) != (42, 0.05, 3, "off")
    assert options["time_limit"] == 42.0
    assert options["mip_rel_gap"] == 0.05
    assert options["threads"] == 3
    assert options["presolve"] == "off"
    assert options["random_seed"] == 7
    assert options["mip_heuristic_effort"] == preset["mip_heuristic_effort"]  # untouched preset options stay


def test_named_field_wins_over_pass_through_option() -> None:
    spec = SolverSpec(preset="default", time_limit_s=10, options={"time_limit": 999.0})
    assert resolve_options(spec, SOLVERS_DIR)["time_limit"] == 10.0


def test_without_overrides_the_preset_is_used_as_is() -> None:
    assert resolve_options(SolverSpec(preset="tight"), SOLVERS_DIR) == read_preset(SOLVERS_DIR / "tight.opt")


def test_bad_preset_in_a_scenario_names_the_preset_file(case: Case, tmp_path: Path) -> None:
    """Through ``validate_scenario``: the preset file, not the scenario, is named when the preset itself is wrong."""
    folder = _preset_dir(tmp_path, "mip_rel_gap = 0.01\nbogus_option = 1\n")
    case.write_text(case.scenario.read_text(encoding="utf-8").replace("preset: fast", "preset: custom"))
    with pytest.raises(InputError) as info:
        validate_scenario(case.scenario, folder)
    assert str(info.value).startswith(f"{folder / 'custom.opt'}: unknown HiGHS option 'bogus_option'")
