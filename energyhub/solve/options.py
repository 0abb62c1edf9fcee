"""HiGHS options: presets in ``solvers/*.opt`` plus the scenario's overrides, checked against HiGHS itself."""

from __future__ import annotations

from pathlib import Path

import highspy

from energyhub.errors import InputError
from energyhub.scenario.references import closest
from energyhub.scenario.schema import SolverSpec

OptionValue = bool | int | float | str


def read_preset(path: Path) -> dict[str, OptionValue]:
    """Parse a HiGHS options file (``name = value`` lines, ``#`` comments)."""
    if not path.is_file():
        raise InputError(f"{path}: solver preset file does not exist")
    options: dict[str, OptionValue] = {}
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        name, sep, value = (part.strip() for part in line.partition("="))
        if not sep or not name or not value:
            raise InputError(f"{path}: line {number}: expected 'name = value', got '{raw.strip()}'")
        options[name] = parse_value(value)
    return options


def parse_value(text: str) -> OptionValue:
    """A HiGHS option value from text (an option file, the command line): bool, int, float or string."""
    lowered = text.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def _known_options() -> set[str]:
    return {n for n in dir(highspy.Highs().getOptions()) if not n.startswith("_")}


def check_options(options: dict[str, OptionValue], where: str) -> None:
    """Reject unknown HiGHS option names and values HiGHS refuses, naming the option."""
    known = _known_options()
    highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    for name, value in options.items():
        if name not in known:
            raise InputError(f"{where}: unknown HiGHS option '{name}'{closest(name, known)}")
        if highs.setOptionValue(name, value) != highspy.HighsStatus.kOk:
            _, current = highs.getOptionValue(name)
            raise InputError(
                f"{where}: HiGHS refuses {name} = {value!r}; expected a value like {current!r} "
                f"(see the HiGHS options reference)"
            )


def resolve_options(spec: SolverSpec, solvers_dir: Path, scenario_file: Path | None = None) -> dict[str, OptionValue]:
    """Preset, then the scenario's named overrides, then its pass-through options; all checked.

    Errors in the overrides name ``scenario_file`` (when given) and the field ``solver.options``.
    """
    preset_path = solvers_dir / f"{spec.preset}.opt"
    options = read_preset(preset_path)
    check_options(options, str(preset_path))
    overrides: dict[str, OptionValue] = dict(spec.options)
    if spec.time_limit_s is not None:
        overrides["time_limit"] = float(spec.time_limit_s)
    if spec.mip_gap is not None:
        overrides["mip_rel_gap"] = float(spec.mip_gap)
    if spec.threads is not None:
        overrides["threads"] = int(spec.threads)
    check_options(overrides, f"{scenario_file}: solver.options" if scenario_file else "solver.options")
    options.update(overrides)
    return options
