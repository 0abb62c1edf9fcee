"""Inputs that used to be repaired, ignored or misread silently, or that ended in exit 1 (issue 10, items 4, 5, 10
and 12): each is now exit 2 with a message naming the file, the field and the fix, from ``validate`` and ``solve``.

Each test starts from the valid fixture ``tests/data/small`` (copied to a temporary folder) and breaks one thing.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from click.testing import CliRunner, Result
from pydantic import BaseModel, ValidationError
from scenario_helpers import Case, assert_input_error

from energyhub.cli import cli
from energyhub.scenario import schema
from energyhub.scenario.load import MAX_DEPTH

QUARTER_HOURLY = "prices_demand_15min.csv"
HOURLY = "profiles_hourly.csv"
VERBS = ["validate", "solve"]


def run(case: Case, verb: str) -> Result:
    """``energyhub VERB scenario.yaml`` in-process; ``solve`` writes to ``case.folder/out``."""
    extra = ["--out", str(case.folder / "out"), "--quiet"] if verb == "solve" else []
    return CliRunner().invoke(cli, [verb, str(case.scenario), *extra])


def assert_refused(case: Case, verb: str, file: Path, *fragments: str) -> str:
    """Exit 2 naming ``file`` and the fragments; ``solve`` wrote nothing."""
    out = assert_input_error(run(case, verb), file, *fragments)
    assert not (case.folder / "out").exists()
    return out


def quarter_hourly(case: Case) -> Path:
    return case.file(QUARTER_HOURLY).resolve()


# ------------------------------------------------------------------------------------ item 4: gaps and offsets
# prices_demand_15min.csv: header, then 2030-01-07 00:00, 00:15, …: line k (0-based) holds data row k, time (k-1)·15 min
@pytest.mark.parametrize("verb", VERBS)
def test_missing_quarter_hour_names_file_column_and_timestamp(case: Case, verb: str) -> None:
    case.edit_csv(QUARTER_HOURLY, lambda lines: lines[:10] + lines[11:])  # drop 02:15 (data row 10)
    assert_refused(
        case, verb, quarter_hourly(case), "column 'time': no row for 2030-01-07 02:15:00", "gaps are not filled in"
    )


def test_missing_hour_names_its_first_quarter(case: Case) -> None:
    """A spring daylight-saving gap: the local hour 02:00-02:45 is missing."""
    case.edit_csv(QUARTER_HOURLY, lambda lines: lines[:9] + lines[13:])  # drop 02:00, 02:15, 02:30, 02:45
    out = assert_refused(case, "validate", quarter_hourly(case), "no row for 2030-01-07 02:00:00", "daylight saving")
    assert "rows 9 and 10 are 2030-01-07 01:45:00 and 2030-01-07 03:00:00" in out


@pytest.mark.parametrize("verb", VERBS)
def test_repeated_hour_is_an_error(case: Case, verb: str) -> None:
    """An autumn daylight-saving repeat: the local hour 02:00-02:45 comes twice."""
    case.edit_csv(QUARTER_HOURLY, lambda lines: lines[:13] + lines[9:13] + lines[13:])
    assert_refused(case, verb, quarter_hourly(case), "column 'time': 2030-01-07 02:00:00 (row 14) repeats row 10")


def test_duplicated_timestamp_is_an_error(case: Case) -> None:
    case.edit_csv(QUARTER_HOURLY, lambda lines: lines[:11] + lines[10:])
    assert_refused(case, "validate", quarter_hourly(case), "2030-01-07 02:15:00 appears twice (rows 11 and 12)")


def test_timestamps_out_of_order(case: Case) -> None:
    case.edit_csv(QUARTER_HOURLY, lambda lines: [*lines[:10], lines[11], lines[10], *lines[12:]])
    assert_refused(
        case, "validate", quarter_hourly(case), "2030-01-07 02:15:00 is row 12, after 2030-01-07 02:30:00 (row 11)",
        "sort the rows by time",
    )


def test_unevenly_spaced_timestamps(case: Case) -> None:
    def shift(lines: list[str]) -> list[str]:
        lines[10] = lines[10].replace("02:15", "02:20")
        return lines

    case.edit_csv(QUARTER_HOURLY, shift)
    assert_refused(case, "validate", quarter_hourly(case), "not one step of 15 min apart")


@pytest.mark.parametrize("offset", ["+01:00", "+0100", "Z", "-05:00"])
@pytest.mark.parametrize("verb", VERBS)
def test_utc_offsets_are_refused(case: Case, verb: str, offset: str) -> None:
    """Scenario time is local standard time; an offset would need a conversion the scenario cannot specify."""
    def with_offset(lines: list[str]) -> list[str]:
        return [lines[0]] + [f"{ln[:10]}T{ln[11:16]}{offset}{ln[16:]}" for ln in lines[1:]]

    case.edit_csv(QUARTER_HOURLY, with_offset)
    assert_refused(
        case, verb, quarter_hourly(case), "column 'time' row 2 (data row 1)", "has a UTC offset", "local standard time"
    )


def test_mixed_offsets_across_daylight_saving_are_refused(case: Case) -> None:
    def summer_time(lines: list[str]) -> list[str]:
        return [lines[0]] + [f"{ln[:16]}{'+01:00' if k < 20 else '+02:00'}{ln[16:]}" for k, ln in enumerate(lines[1:])]

    case.edit_csv(QUARTER_HOURLY, summer_time)
    assert_refused(case, "validate", quarter_hourly(case), "has a UTC offset")


def test_file_step_that_does_not_fit_the_model(case: Case, data: dict[str, Any]) -> None:
    """A 45-min file against a 1-h model: no whole number of file steps per model step; refused, not smeared."""
    stamps = pd.date_range("2030-01-07 00:00", periods=300, freq="45min")
    pd.DataFrame({"time": stamps.strftime("%Y-%m-%d %H:%M"), "mw": 1.0}).to_csv(case.file("odd.csv"), index=False)
    data["hubs"][0]["demand_mw"] = "odd.csv#mw"
    assert_refused(
        case.write(data), "validate", case.file("odd.csv").resolve(), "the file's step of 45 min", "does not fit"
    )


def test_file_on_a_shifted_grid_is_refused(case: Case, data: dict[str, Any]) -> None:
    data["time"]["start"] = "2030-01-07 00:05"
    assert_refused(case.write(data), "validate", quarter_hourly(case), "does not fit the model's steps")


def test_empty_timestamp_names_the_row(case: Case) -> None:
    def blank(lines: list[str]) -> list[str]:
        lines[3] = "," + lines[3].split(",", 1)[1]
        return lines

    case.edit_csv(QUARTER_HOURLY, blank)
    assert_refused(case, "validate", quarter_hourly(case), "column 'time' row 4 (data row 3) has no timestamp")


# ------------------------------------------------------------------------------------ item 5: fields that do nothing
@pytest.mark.parametrize(
    ("hub", "changes", "field", "expected"),
    [
        (0, {"firm_hours": [1, 2]}, "hubs[0].connection.firm_hours", "applies only to right 'time_block'"),
        (1, {"right": "time_duration", "firm_share": 0.5}, "hubs[1].connection.firm_hours", "right 'time_duration'"),
        (0, {"firm_share": 0.5}, "hubs[0].connection.firm_share", "applies only to right 'time_duration'"),
        (1, {"firm_share": 0.5}, "hubs[1].connection.firm_share", "does nothing for right 'time_block'"),
        (0, {"non_firm_frac": 0.5}, "hubs[0].connection", "non_firm_frac does nothing for right 'firm'"),
        (0, {"non_firm_frac": 0.0}, "hubs[0].connection", "non_firm_frac does nothing for right 'firm'"),
    ],
    ids=["hours-on-firm", "hours-on-duration", "share-on-firm", "share-on-block", "frac-on-firm", "zero-frac-on-firm"],
)
def test_contract_fields_that_cannot_apply(
    case: Case, data: dict[str, Any], hub: int, changes: dict[str, Any], field: str, expected: str
) -> None:
    data["hubs"][hub]["connection"].update(changes)
    assert_refused(case.write(data), "validate", case.scenario, f"{field}: ", expected)


def test_hub_naming_a_group_that_does_not_list_it(case: Case, data: dict[str, Any]) -> None:
    data["groups"][0]["hubs"] = ["hengelo"]
    data["groups"][0]["hubs"].append("hengelo-2")  # the group still needs two members: add a third hub
    third = {**data["hubs"][0], "name": "hengelo-2"}
    third["connection"] = {**third["connection"], "group": "park-twente"}
    data["hubs"].append(third)
    out = assert_refused(
        case.write(data),
        "validate",
        case.scenario,
        "hubs[1].connection.group: hub 'boekelo' names group 'park-twente', but groups[0].hubs does not list it",
    )
    assert "hubs[2]" not in out


@pytest.mark.parametrize("named", [None, "other-park"], ids=["no-group", "another-group"])
def test_group_listing_a_hub_of_no_or_another_group(case: Case, data: dict[str, Any], named: str | None) -> None:
    """Decided: membership is written on both sides and both must agree (one group per connection at most)."""
    data["hubs"][1]["connection"]["group"] = named
    if named is not None:
        data["groups"].append({"name": named, "hubs": ["boekelo", "hengelo"], "import_mw": 1.0, "export_mw": 1.0})
    names = "no group" if named is None else f"group '{named}'"
    assert_refused(
        case.write(data),
        "validate",
        case.scenario,
        f"groups[0].hubs[1]: hub 'boekelo' is listed, but hubs[1].connection.group names {names}",
    )


@pytest.mark.parametrize(
    ("path", "value", "field"),
    [
        (("hubs", 0, "connection", "import_mw"), True, "hubs[0].connection.import_mw"),
        (("hubs", 0, "demand_mw"), True, "hubs[0].demand_mw"),
        (("hubs", 0, "h2_demand_kg_per_h"), False, "hubs[0].h2_demand_kg_per_h"),
        (("hubs", 1, "connection", "firm_hours"), [0, True], "hubs[1].connection.firm_hours[1]"),
        (("grid", "voltage_band_pu"), [0.9, True], "grid.voltage_band_pu[1]"),
        (("assets", 1, "stacks", "max"), True, "assets[1].stacks.max"),
        (("time", "periods"), True, "time.periods"),
        (("version",), True, "version"),
    ],
)
def test_booleans_are_not_numbers(
    case: Case, data: dict[str, Any], path: tuple[str | int, ...], value: Any, field: str
) -> None:
    node: Any = data
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    shown = "false" if value is False else "true"
    assert_refused(case.write(data), "validate", case.scenario, f"{field}: ", f"(got {shown})")


def _models() -> list[type[BaseModel]]:
    """Every model of the scenario format, reached from ``Scenario``."""
    seen: list[type[BaseModel]] = []
    todo: list[Any] = [schema.Scenario, *schema.ASSET_TYPES.values()]
    while todo:
        item = todo.pop()
        if isinstance(item, type) and issubclass(item, BaseModel):
            if item in seen:
                continue
            seen.append(item)
            todo += [f.annotation for f in item.model_fields.values()]
        else:
            todo += list(getattr(item, "__args__", ()))
    return seen


def _number_fields() -> list[tuple[type[BaseModel], str, Any]]:
    """(model, field, a sample of the field's shape): every field that holds numbers, in every model."""
    fields = []
    for model in _models():
        for name, info in model.model_fields.items():
            text = str(info.annotation)
            if "bool" in text or not any(k in text for k in ("float", "int", "Literal[1]")):
                continue
            shape = [0.0, 0.0] if "list" in text or "tuple" in text else 0.0
            fields.append((model, name, shape))
    return fields


def _errors_at(model: type[BaseModel], name: str, value: Any) -> list[dict[str, Any]]:
    with pytest.raises(ValidationError) as caught:
        model.model_validate({name: value})
    return [e for e in caught.value.errors() if e["loc"] and e["loc"][0] == name and e["type"] != "missing"]


NUMBER_FIELDS = _number_fields()


def test_the_class_check_sees_the_number_fields() -> None:
    names = {(m.__name__, f) for m, f, _ in NUMBER_FIELDS}
    assert {("ConnectionSpec", "import_mw"), ("HubSpec", "demand_mw"), ("UnitCount", "max"),
            ("GridSpec", "voltage_band_pu"), ("ConnectionSpec", "firm_hours"), ("Scenario", "version")} <= names
    assert len(NUMBER_FIELDS) > 60


@pytest.mark.parametrize(
    ("model", "name", "shape"), NUMBER_FIELDS, ids=[f"{m.__name__}.{f}" for m, f, _ in NUMBER_FIELDS]
)
def test_no_number_field_of_any_model_takes_a_boolean_or_an_absurd_magnitude(
    model: type[BaseModel], name: str, shape: Any
) -> None:
    """The rule holds as a class (the ``Strict`` base), not field by field: every number field of every model."""
    for value in (True, False, 1e12, -1e12, "1e308"):
        sample = [value, value] if isinstance(shape, list) else value
        assert _errors_at(model, name, sample), f"{model.__name__}.{name} accepted {sample!r}"


def test_boolean_fields_and_solver_options_still_take_booleans(case: Case, data: dict[str, Any]) -> None:
    data["assets"][0]["build_or_not"] = False
    data["links"][0]["bidirectional"] = False
    data["solver"]["options"]["mip_detect_symmetry"] = True
    assert case.write(data).validate().exit_code == 0


# ------------------------------------------------------------------------------------ item 10: files outside
SECRET = "s3cret-value-from-outside"


def _outside_file(case: Case) -> Path:
    """A CSV beside (not inside) the scenario's folder whose header and cells must never be echoed."""
    outside = case.folder.parent / f"{case.folder.name}-outside.csv"
    outside.write_text(f"{SECRET}\n{SECRET}\n", encoding="utf-8")
    return outside


@pytest.mark.parametrize("how", ["dotdot", "absolute", "symlink", "symlinked-folder"])
@pytest.mark.parametrize("verb", VERBS)
def test_series_outside_the_scenario_folder_is_refused_without_echo(
    case: Case, data: dict[str, Any], how: str, verb: str
) -> None:
    outside = _outside_file(case)
    if how == "dotdot":
        ref = f"../{outside.name}"
    elif how == "absolute":
        ref = str(outside)
    elif how == "symlink":
        os.symlink(outside, case.file("inside.csv"))
        ref = "inside.csv"
    else:
        os.symlink(outside.parent, case.file("shared"))
        ref = f"shared/{outside.name}"
    data["hubs"][0]["demand_mw"] = f"{ref}#nope"
    expected = f"hubs[0].demand_mw: series file '{ref}' lies outside the scenario's folder"
    out = assert_refused(case.write(data), verb, case.scenario, expected)
    assert SECRET not in out


def test_series_in_a_subfolder_is_read(case: Case, data: dict[str, Any]) -> None:
    (case.folder / "data").mkdir()
    case.file(HOURLY).rename(case.folder / "data" / HOURLY)
    for hub in data["hubs"]:
        if isinstance(hub.get("h2_demand_kg_per_h"), str):
            hub["h2_demand_kg_per_h"] = hub["h2_demand_kg_per_h"].replace(HOURLY, f"data/{HOURLY}")
        for kind in ("pv", "wind"):
            if hub.get(kind):
                hub[kind]["profile_pu"] = hub[kind]["profile_pu"].replace(HOURLY, f"data/{HOURLY}")
    result = case.write(data).validate()
    assert result.exit_code == 0, result.output


# ------------------------------------------------------------------------------------ item 12: absurd magnitudes
@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("1e308", "the largest magnitude a scenario accepts"),  # a string to PyYAML, a number to pydantic
        ("1.0e+308", "the largest magnitude a scenario accepts"),
        ("-1.0e+308", "the largest magnitude a scenario accepts"),
        ("1" + "0" * 400, "Input should be a valid number"),  # an integer that no float holds
    ],
    ids=["1e308", "float", "negative", "huge-int"],
)
@pytest.mark.parametrize("verb", VERBS)
def test_absurd_constant_demand(case: Case, verb: str, written: str, expected: str) -> None:
    text = case.scenario.read_text(encoding="utf-8")
    case.write_text(text.replace("demand_mw: prices_demand_15min.csv#demand_hengelo", f"demand_mw: {written}", 1))
    assert_refused(case, verb, case.scenario, "hubs[0].demand_mw: ", expected)


@pytest.mark.parametrize("verb", VERBS)
def test_absurd_size(case: Case, data: dict[str, Any], verb: str) -> None:
    data["assets"][0]["energy_mwh"]["max"] = 1e308
    assert_refused(case.write(data), verb, case.scenario, "assets[0].energy_mwh.max: 1e+308 is beyond 1e+09")


@pytest.mark.parametrize(
    ("band", "expected"),
    [
        ([1.1, 0.9], "grid: voltage_band_pu: the low end 1.1 must be below the high end 0.9"),
        ([0.9, 1e6], "grid.voltage_band_pu[1]: Input should be less than or equal to 1.5"),
        ([0.0, 1.1], "grid.voltage_band_pu[0]: Input should be greater than or equal to 0.5"),
    ],
    ids=["reversed", "absurd-high", "zero-low"],
)
def test_voltage_band_within_physics(case: Case, data: dict[str, Any], band: list[float], expected: str) -> None:
    data["grid"]["voltage_band_pu"] = band
    assert_refused(case.write(data), "validate", case.scenario, expected)


@pytest.mark.parametrize("verb", VERBS)
def test_too_many_units(case: Case, data: dict[str, Any], verb: str) -> None:
    data["assets"][1]["stacks"]["max"] = 10**6
    assert_refused(case.write(data), verb, case.scenario, "assets[1].stacks.max: ", "1000")


@pytest.mark.parametrize("verb", VERBS)
def test_absurd_series_value_names_file_column_and_row(case: Case, verb: str) -> None:
    def spoil(lines: list[str]) -> list[str]:
        cells = lines[5].split(",")
        cells[2] = "1e308"  # demand_hengelo, data row 5
        lines[5] = ",".join(cells)
        return lines

    case.edit_csv(QUARTER_HOURLY, spoil)
    assert_refused(
        case, verb, quarter_hourly(case), "column 'demand_hengelo' row 6 (data row 5): value 1e+308 is beyond 1e+09"
    )


@pytest.mark.parametrize("style", ["flow", "block"])
@pytest.mark.parametrize("verb", VERBS)
def test_deeply_nested_yaml(case: Case, verb: str, style: str) -> None:
    depth = 5000 if style == "flow" else MAX_DEPTH + 5
    if style == "flow":
        tail = "x: " + "[" * depth + "]" * depth + "\n"
    else:
        tail = "x:\n" + "".join("  " * i + f"k{i}:\n" for i in range(1, depth)) + "  " * depth + "v: 1\n"
    case.write_text(case.scenario.read_text(encoding="utf-8") + tail)
    assert_refused(case, verb, case.scenario, f"nesting deeper than {MAX_DEPTH} levels")


def test_nesting_within_the_limit_is_only_an_unknown_key(case: Case) -> None:
    tail = "x: " + "[" * (MAX_DEPTH - 2) + "]" * (MAX_DEPTH - 2) + "\n"
    case.write_text(case.scenario.read_text(encoding="utf-8") + tail)
    assert_refused(case, "validate", case.scenario, "x: unknown key")
