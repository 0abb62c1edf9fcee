"""Solver options a scenario may set (issue 10 item 9, item 13): none that reads or writes a file or redirects
HiGHS's output, and every other option HiGHS has, checked against HiGHS itself."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import highspy
import pytest
from scenario_helpers import Case, fixture_data

from energyhub.errors import InputError
from energyhub.scenario.load import SOLVERS_DIR
from energyhub.scenario.schema import SolverSpec
from energyhub.solve.options import ALLOWED_OPTIONS, CUTOFF_OPTIONS, FILE_OPTIONS, resolve_options


def highs_option_names(tmp_path: Path) -> set[str]:
    """Every option HiGHS lists in an options file (its non-advanced options)."""
    highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    path = tmp_path / "options.txt"
    highs.writeOptions(str(path))
    lines = path.read_text(encoding="utf-8").splitlines()
    return {line.split("=")[0].strip() for line in lines if "=" in line and not line.startswith("#")}


def test_every_highs_option_is_either_allowed_or_refused_as_touching_files(tmp_path: Path) -> None:
    """A HiGHS upgrade that adds an option fails here until it is classified (it might write a file)."""
    names = highs_option_names(tmp_path)
    assert len(names) >= 90
    assert names - ALLOWED_OPTIONS - FILE_OPTIONS - CUTOFF_OPTIONS == set()
    assert not ALLOWED_OPTIONS & (FILE_OPTIONS | CUTOFF_OPTIONS)
    highs = highspy.Highs()
    classified = ALLOWED_OPTIONS | FILE_OPTIONS | CUTOFF_OPTIONS
    assert [n for n in classified if highs.getOptionType(n)[0] != highspy.HighsStatus.kOk] == []


def _validate_with(case: Case, options: dict[str, Any]) -> Any:
    data = fixture_data()
    data.setdefault("solver", {})["options"] = options
    return case.write(data).validate()


@pytest.mark.parametrize("name", sorted(FILE_OPTIONS - {"output_flag", "log_to_console", "write_solution_style",
                                                        "glpsol_cost_row_location", "mip_min_logging_interval",
                                                        "mip_improving_solution_report_sparse"}))
def test_validate_refuses_an_option_that_touches_files(case: Case, tmp_path: Path, name: str) -> None:
    highs = highspy.Highs()
    _, kind = highs.getOptionType(name)
    target = tmp_path / "victim.txt"
    value: Any = str(target) if kind == highspy.HighsOptionType.kString else True
    result = _validate_with(case, {name: value})
    assert result.exit_code == 2, result.output
    assert f"HiGHS option '{name}' reads or writes files" in result.output
    assert str(case.scenario) in result.output
    assert not target.exists()


def test_output_options_are_refused_too(case: Case) -> None:
    result = _validate_with(case, {"log_to_console": True})
    assert result.exit_code == 2, result.output
    assert "'log_to_console' reads or writes files or redirects HiGHS's output" in result.output


@pytest.mark.parametrize(("name", "value"), [("mip_lp_solver", "simplex"), ("mip_ipm_solver", "ipx"),
                                             ("mip_allow_restart", False), ("iis_time_limit", 10.0),
                                             ("mip_root_presolve_only", True)])
def test_valid_highs_options_missing_from_getoptions_are_accepted(name: str, value: Any) -> None:
    """These are HiGHS options that ``dir(Highs().getOptions())`` does not list; HiGHS itself accepts them."""
    options = resolve_options(SolverSpec(preset="default", options={name: value}), SOLVERS_DIR)
    assert options[name] == value


def test_an_advanced_option_highs_knows_is_refused_as_not_allowed() -> None:
    with pytest.raises(InputError, match="HiGHS option 'log_dev_level' is not among the options a scenario may set"):
        resolve_options(SolverSpec(preset="default", options={"log_dev_level": 3}), SOLVERS_DIR)


def test_unknown_option_suggests_the_closest_allowed_name() -> None:
    with pytest.raises(InputError, match="unknown HiGHS option 'mip_lp_solvr' \\(did you mean 'mip_lp_solver'\\?\\)"):
        resolve_options(SolverSpec(preset="default", options={"mip_lp_solvr": "simplex"}), SOLVERS_DIR)


def test_a_preset_may_not_touch_files_either(tmp_path: Path) -> None:
    folder = tmp_path / "solvers"
    folder.mkdir()
    (folder / "custom.opt").write_text(f"solution_file = {tmp_path / 'x.sol'}\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"custom\.opt: HiGHS option 'solution_file' reads or writes files"):
        resolve_options(SolverSpec(preset="custom"), folder)


@pytest.mark.parametrize("name", sorted(CUTOFF_OPTIONS))
def test_options_that_stop_short_of_the_optimum_are_refused(name: str) -> None:
    with pytest.raises(InputError, match=f"HiGHS option '{name}' makes HiGHS stop short of the optimum"):
        resolve_options(SolverSpec(preset="default", options={name: 1e6}), SOLVERS_DIR)
