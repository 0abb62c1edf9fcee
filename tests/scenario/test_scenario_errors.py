"""One test per class of bad input: exit code 2, the file and the field path named, no traceback.

Each test starts from the valid fixture ``tests/data/small`` (copied to a temporary folder), breaks one thing and
runs ``energyhub validate``.
"""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest
from scenario_helpers import Case, assert_input_error

HOURLY = "profiles_hourly.csv"
QUARTER_HOURLY = "prices_demand_15min.csv"


def set_at(data: dict[str, Any], path: str, value: Any) -> None:
    """Set ``data`` at a dotted path with list indices, e.g. ``assets.0.energy_mwh.max``."""
    *head, last = path.split(".")
    node: Any = data
    for part in head:
        node = node[int(part)] if isinstance(node, list) else node[part]
    if isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value


def write_set(case: Case, data: dict[str, Any], path: str, value: Any) -> Case:
    set_at(data, path, value)
    return case.write(data)


# ------------------------------------------------------------------------------------------------ YAML level
def test_yaml_syntax_error_names_the_line(case: Case) -> None:
    lines = case.scenario.read_text(encoding="utf-8").splitlines()
    number = next(i for i, line in enumerate(lines, start=1) if line.strip().startswith("periods:"))
    lines[number - 1] = "  periods: [168"  # an unclosed flow sequence
    case.write_text("\n".join(lines) + "\n")
    out = assert_input_error(case.validate(), case.scenario, "YAML syntax error at line")
    reported = int(out.split("YAML syntax error at line ", 1)[1].split(",", 1)[0])
    assert number <= reported <= number + 1  # the parser notices at the bracket's line or the next one


def test_yaml_bad_indentation_names_the_line(case: Case) -> None:
    text = case.scenario.read_text(encoding="utf-8").replace("  resolution: 1h\n", "    resolution: 1h\n", 1)
    number = text.splitlines().index("    resolution: 1h") + 1
    case.write_text(text)
    assert_input_error(case.validate(), case.scenario, f"YAML syntax error at line {number},")


def test_duplicate_yaml_key_is_rejected_with_both_lines(case: Case) -> None:
    lines = case.scenario.read_text(encoding="utf-8").splitlines()
    first = next(i for i, line in enumerate(lines) if line.startswith("  periods: 168"))
    lines.insert(first + 1, "  periods: 24")
    case.write_text("\n".join(lines) + "\n")
    assert_input_error(
        case.validate(),
        case.scenario,
        f"line {first + 2}",
        f"duplicate key 'periods' (first on line {first + 1})",
    )


def test_duplicate_key_inside_a_list_item_is_rejected(case: Case) -> None:
    text = case.scenario.read_text(encoding="utf-8")
    text = text.replace("    hub: hengelo\n    energy_mwh:", "    hub: hengelo\n    hub: boekelo\n    energy_mwh:", 1)
    case.write_text(text)
    assert_input_error(case.validate(), case.scenario, "duplicate key 'hub'")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "a scenario must be a YAML mapping"),
        ("- just\n- a list\n", "a scenario must be a YAML mapping"),
        ("\xff\xfe not text", "YAML"),
    ],
    ids=["empty", "list", "binary"],
)
def test_non_mapping_documents_are_rejected(case: Case, text: str, expected: str) -> None:
    if text.startswith("\xff"):
        case.scenario.write_bytes(b"\xff\xfe\x00 not utf-8")
        expected = "cannot be read as UTF-8 text"
    else:
        case.write_text(text)
    assert_input_error(case.validate(), case.scenario, expected)


# ------------------------------------------------------------------------------------------------ structure
@pytest.mark.parametrize(
    ("path", "key", "misspelt", "expected"),
    [
        (
            "hubs.0.connection",
            "import_mw",
            "improt_mw",
            "hubs[0].connection.improt_mw: unknown key (did you mean 'import_mw'?)",
        ),
        ("assets.0.energy_mwh", "max", "maximum", "assets[0].energy_mwh.maximum: unknown key (did you mean 'max'?)"),
        ("assets.3", "unit_mw", "unit_mv", "assets[3].unit_mv: unknown key (did you mean 'unit_mw'?)"),
        ("time", "resolution", "resolutoin", "time.resolutoin: unknown key (did you mean 'resolution'?)"),
        ("solver", "time_limit_s", "time_limit", "solver.time_limit: unknown key (did you mean 'time_limit_s'?)"),
        ("", "markets", "markts", "markts: unknown key (did you mean 'markets'?)"),
    ],
    ids=["connection", "asset-size", "asset", "time", "solver", "top-level"],
)
def test_misspelt_key_suggests_the_closest(
    case: Case, data: dict[str, Any], path: str, key: str, misspelt: str, expected: str
) -> None:
    node: Any = data
    for part in filter(None, path.split(".")):
        node = node[int(part)] if isinstance(node, list) else node[part]
    node[misspelt] = node.pop(key)
    out = assert_input_error(case.write(data).validate(), case.scenario, expected)
    if key in ("import_mw", "unit_mw", "markets"):  # required: its absence is reported too
        prefix = f"{path.replace('.0', '[0]').replace('.3', '[3]')}." if path else ""
        assert f"{prefix}{key}: required field is missing" in out


def test_unknown_key_without_close_match_lists_known_keys(case: Case, data: dict[str, Any]) -> None:
    data["economics"]["zzz"] = 1
    out = assert_input_error(case.write(data).validate(), case.scenario, "economics.zzz: unknown key; known keys:")
    assert "discount_rate" in out and "voll_eur_per_mwh" in out


@pytest.mark.parametrize(
    ("path", "value", "field", "expected"),
    [
        ("time.periods", "many", "time.periods", "valid integer"),
        ("hubs.0.connection.import_mw", [1, 2], "hubs[0].connection.import_mw", "valid number"),
        ("assets.0.build_or_not", "perhaps", "assets[0].build_or_not", "valid boolean"),
        ("grid.flow_model", "ac", "grid.flow_model", "'dc', 'transport' or 'copperplate'"),
        ("time.start", "next monday", "time.start", "datetime"),
        ("time.start", 0, "time.start", "as a date and time, e.g. 2030-01-01 00:00, not a number"),
        ("time.start", "2030-01-01T00:00:00+01:00", "time.start", "without a time zone"),
        ("hubs.0.demand_mw", {"file": "x.csv"}, "hubs[0].demand_mw", "valid number"),
        ("assets.1.type", "fuel_cell", "assets[1].type", "'battery'"),
        ("hubs", {"name": "x"}, "hubs", "valid list"),
        ("solver.options", ["presolve"], "solver.options", "valid dictionary"),
    ],
    ids=["int", "float", "bool", "literal", "datetime", "datetime-number", "datetime-zone", "series", "asset-type",
         "list", "dict"],
)
def test_wrong_type(case: Case, data: dict[str, Any], path: str, value: Any, field: str, expected: str) -> None:
    out = assert_input_error(write_set(case, data, path, value).validate(), case.scenario, f"{field}: ", expected)
    assert out.count("\n") <= 10  # a short message, not a dump


@pytest.mark.parametrize(
    ("path", "value", "field"),
    [
        ("assets.0.energy_mwh.max", -1, "assets[0].energy_mwh.max"),
        ("assets.0.power_mw.capex_eur_per_mw", -150000, "assets[0].power_mw.capex_eur_per_mw"),
        ("assets.1.capex_eur_per_mw", -5, "assets[1].capex_eur_per_mw"),
        ("assets.1.stack_mw", 0, "assets[1].stack_mw"),
        ("assets.3.units.max", -1, "assets[3].units.max"),
        ("assets.4.capex_eur", -400000, "assets[4].capex_eur"),
        ("hubs.0.connection.export_mw", -2, "hubs[0].connection.export_mw"),
        ("hubs.0.tariffs.monthly_peak_eur_per_kw", -2.5, "hubs[0].tariffs.monthly_peak_eur_per_kw"),
        ("links.0.capacity_kg_per_h", -40, "links[0].capacity_kg_per_h"),
        ("economics.voll_eur_per_mwh", -1, "economics.voll_eur_per_mwh"),
        ("groups.0.import_mw", -5, "groups[0].import_mw"),
    ],
)
def test_negative_sizes_and_costs(case: Case, data: dict[str, Any], path: str, value: float, field: str) -> None:
    assert_input_error(write_set(case, data, path, value).validate(), case.scenario, f"{field}: ", f"(got {value})")


def test_max_below_min_is_rejected(case: Case, data: dict[str, Any]) -> None:
    set_at(data, "assets.0.energy_mwh.max", 1)
    assert_input_error(case.write(data).validate(), case.scenario, "assets[0].energy_mwh: max (1) is below min (2)")


@pytest.mark.parametrize(
    ("path", "value", "field"),
    [
        ("assets.0.charge_efficiency", 0, "assets[0].charge_efficiency"),
        ("assets.0.discharge_efficiency", 1.2, "assets[0].discharge_efficiency"),
        ("assets.0.charge_efficiency", -0.5, "assets[0].charge_efficiency"),
        ("assets.3.electrical_efficiency", 1.01, "assets[3].electrical_efficiency"),
        ("assets.1.part_load.0.load_frac", 0, "assets[1].part_load[0].load_frac"),
    ],
    ids=["zero", "above-one", "negative", "biogas", "part-load-frac"],
)
def test_efficiency_outside_zero_one(case: Case, data: dict[str, Any], path: str, value: float, field: str) -> None:
    out = assert_input_error(write_set(case, data, path, value).validate(), case.scenario, f"{field}: ")
    assert ("greater than 0" in out) if value <= 0 else ("less than or equal to 1" in out)


def test_efficiency_of_one_is_allowed(case: Case, data: dict[str, Any]) -> None:
    set_at(data, "assets.0.charge_efficiency", 1)
    result = write_set(case, data, "assets.3.electrical_efficiency", 1.0).validate()
    assert result.exit_code == 0, result.output


# ------------------------------------------------------------------------------------------------ references
@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        ("assets.0.hub", "hengel", "assets[0].hub: unknown hub 'hengel' (did you mean 'hengelo'?)"),
        ("links.0.to_hub", "enschede", "links[0].to_hub: unknown hub 'enschede'"),
        ("groups.0.hubs.1", "boekel", "groups[0].hubs[1]: unknown hub 'boekel' (did you mean 'boekelo'?)"),
        ("hubs.0.bus", "tin/Bus 3", "hubs[0].bus: unknown segment 'tin' (did you mean 'tiny'?)"),
        ("hubs.0.bus", "Bus 3", "hubs[0].bus: 'Bus 3' is not of the form 'segment/bus name'"),
        ("assets.4.branch", "big/Line 2", "assets[4].branch: 'big/Line 2' must be 'segment/branch name'"),
        ("grid.segments.0.zone", "DE", "grid.segments[0].zone: unknown price zone 'DE'"),
        ("hubs.1.connection.group", "park", "hubs[1].connection.group: unknown group 'park'"),
        ("solver.preset", "fsat", "solver.preset: unknown solver preset 'fsat' (did you mean 'fast'?)"),
    ],
    ids=["asset-hub", "link-hub", "group-hub", "segment", "no-segment", "branch-segment", "zone", "group", "preset"],
)
def test_unknown_reference(case: Case, data: dict[str, Any], path: str, value: str, expected: str) -> None:
    assert_input_error(write_set(case, data, path, value).validate(), case.scenario, expected)


@pytest.mark.parametrize(
    ("section", "index", "name", "expected"),
    [
        ("hubs", 1, "hengelo", "hubs[1].name: duplicate name 'hengelo' (also hubs[0])"),
        ("assets", 2, "battery-hengelo", "assets[2].name: duplicate name 'battery-hengelo' (also assets[0])"),
    ],
)
def test_duplicate_names(case: Case, data: dict[str, Any], section: str, index: int, name: str, expected: str) -> None:
    data[section][index]["name"] = name
    assert_input_error(case.write(data).validate(), case.scenario, expected)


@pytest.mark.parametrize(
    ("index", "name", "expected"),
    [
        (0, "hengelo", "assets[0].name: 'hengelo' is also the name of hubs[0]; assets and hubs share the capacities "
                       "of summary.json, so give the asset a name no hub has (e.g. 'battery-hengelo')"),
        (4, "boekelo", "assets[4].name: 'boekelo' is also the name of hubs[1];"),
    ],
    ids=["battery", "reinforcement"],
)
def test_asset_named_like_a_hub(case: Case, data: dict[str, Any], index: int, name: str, expected: str) -> None:
    """summary.json keys capacities by asset and by hub in one mapping: an asset may not take a hub's name."""
    data["assets"][index]["name"] = name
    assert_input_error(case.write(data).validate(), case.scenario, expected)


def test_duplicate_link_and_market_zone(case: Case, data: dict[str, Any]) -> None:
    data["links"].append(dict(data["links"][0]))
    data["markets"].append(dict(data["markets"][0]))
    out = assert_input_error(case.write(data).validate(), case.scenario, "2 problems")
    assert "links[1].name: duplicate name 'h2-pipe' (also links[0])" in out
    assert "markets: zone 'NL' is defined 2 times" in out


def test_many_problems_are_capped(case: Case, data: dict[str, Any]) -> None:
    for i in range(10):
        data["economics"][f"extra_{i}"] = i
    out = assert_input_error(case.write(data).validate(), case.scenario, "10 problems", "… and 2 more")
    assert out.count("unknown key") == 8


# ------------------------------------------------------------------------------------------------ semantic rules
def test_time_duration_right_needs_firm_share(case: Case, data: dict[str, Any]) -> None:
    connection = data["hubs"][1]["connection"]
    connection["right"] = "time_duration"
    del connection["firm_hours"]  # a time_block field, an error of its own on a time_duration right
    assert_input_error(
        case.write(data).validate(), case.scenario, "hubs[1].connection: right 'time_duration' needs firm_share"
    )
    connection["firm_share"] = 0.85  # and with it, the hub is valid
    assert case.write(data).validate().exit_code == 0


def test_time_block_right_needs_firm_hours(case: Case, data: dict[str, Any]) -> None:
    data["hubs"][1]["connection"]["firm_hours"] = [24]
    assert_input_error(case.write(data).validate(), case.scenario, "hubs[1].connection.firm_hours[0]: ", "(got 24)")


def test_non_concave_part_load_is_rejected(case: Case, data: dict[str, Any]) -> None:
    # efficiency rising with load (kWh/kg falling): hydrogen output per MW is convex, not concave
    data["assets"][1]["part_load"] = [{"load_frac": 0.2, "kwh_per_kg": 62}, {"load_frac": 1.0, "kwh_per_kg": 55}]
    assert_input_error(case.write(data).validate(), case.scenario, "assets[1].part_load: ", "non-concave")


@pytest.mark.parametrize(
    ("points", "expected"),
    [
        ([{"load_frac": 0.2, "kwh_per_kg": 50}, {"load_frac": 0.8, "kwh_per_kg": 55}], "must end at load_frac 1.0"),
        ([{"load_frac": 1.0, "kwh_per_kg": 50}, {"load_frac": 1.0, "kwh_per_kg": 55}], "same load_frac"),
    ],
    ids=["no-full-load", "repeated"],
)
def test_malformed_part_load_is_rejected(
    case: Case, data: dict[str, Any], points: list[dict[str, float]], expected: str
) -> None:
    data["assets"][1]["part_load"] = points
    assert_input_error(case.write(data).validate(), case.scenario, "assets[1].part_load: ", expected)


def test_unknown_highs_option_names_scenario_and_field(case: Case, data: dict[str, Any]) -> None:
    data["solver"]["options"]["mip_rel_gpa"] = 0.1
    assert_input_error(
        case.write(data).validate(),
        case.scenario,
        "solver.options: unknown HiGHS option 'mip_rel_gpa' (did you mean 'mip_rel_gap'?)",
    )


def test_highs_option_value_refused(case: Case, data: dict[str, Any]) -> None:
    data["solver"]["options"]["presolve"] = "sometimes"
    assert_input_error(case.write(data).validate(), case.scenario, "solver.options: HiGHS refuses presolve")


# ------------------------------------------------------------------------------------------------ series
def test_missing_series_file(case: Case) -> None:
    case.file(HOURLY).unlink()
    assert_input_error(
        case.validate(), case.scenario, "hubs[0].h2_demand_kg_per_h: series file", f"{HOURLY} does not exist"
    )


def test_series_file_with_wrong_suffix(case: Case, data: dict[str, Any]) -> None:
    write_set(case, data, "hubs.0.demand_mw", "demand.xlsx#a")
    case.file("demand.xlsx").write_text("a\n1\n", encoding="utf-8")
    assert_input_error(case.validate(), case.scenario, "hubs[0].demand_mw: demand.xlsx must end in .csv or .parquet")


def test_malformed_series_reference(case: Case, data: dict[str, Any]) -> None:
    write_set(case, data, "hubs.0.demand_mw", "profiles_hourly.csv")
    assert_input_error(
        case.validate(), case.scenario, "hubs[0].demand_mw: 'profiles_hourly.csv' is not a number or a series reference"
    )


def test_missing_column_suggests_the_closest(case: Case, data: dict[str, Any]) -> None:
    write_set(case, data, "hubs.0.pv.profile_pu", f"{HOURLY}#pvpu")
    assert_input_error(
        case.validate(),
        case.file(HOURLY).resolve(),
        "no column 'pvpu' (did you mean 'pv_pu'?)",
        "referenced by hubs[0].pv.profile_pu",
    )


def test_series_of_the_wrong_length(case: Case) -> None:
    case.edit_csv(HOURLY, lambda lines: lines[:101])  # header + 100 rows for 168 steps
    assert_input_error(
        case.validate(),
        case.file(HOURLY).resolve(),
        "has 100 rows but the scenario has 168 time steps",
        "referenced by hubs[0].h2_demand_kg_per_h",
    )


@pytest.mark.parametrize("bad", ["", "abc", "nan", "inf", "1,5"])
def test_non_numeric_or_nan_value_names_the_row(case: Case, bad: str) -> None:
    def spoil(lines: list[str]) -> list[str]:
        cells = lines[11].split(",")  # data row 10 of profiles_hourly.csv: pv_pu,wind_pu,h2_kg_per_h
        cells[2] = f'"{bad}"' if "," in bad else bad
        lines[11] = ",".join(cells)
        return lines

    case.edit_csv(HOURLY, spoil)
    assert_input_error(
        case.validate(),
        case.file(HOURLY).resolve(),
        "column 'h2_kg_per_h' row 12 (data row 11)",
        "is not a finite number",
        "referenced by hubs[0].h2_demand_kg_per_h",
    )


def test_nan_in_a_timed_series_names_the_row(case: Case) -> None:
    def spoil(lines: list[str]) -> list[str]:
        lines[5] = lines[5].rsplit(",", 1)[0] + ","  # empty demand_boekelo in data row 5
        return lines

    case.edit_csv(QUARTER_HOURLY, spoil)
    assert_input_error(case.validate(), case.file(QUARTER_HOURLY).resolve(), "column 'demand_boekelo' row 6")


def test_bad_timestamp_is_rejected(case: Case) -> None:
    case.edit_csv(QUARTER_HOURLY, lambda lines: [lines[0], "yesterday" + lines[1][16:], *lines[2:]])
    assert_input_error(case.validate(), case.file(QUARTER_HOURLY).resolve(), "column 'time' holds a value")


def test_time_range_not_covered(case: Case, data: dict[str, Any]) -> None:
    write_set(case, data, "time.start", "2030-01-10 00:00")
    assert_input_error(
        case.validate(),
        case.file(QUARTER_HOURLY).resolve(),
        "column 'price_nl' covers 2030-01-07 00:00:00 to 2030-01-15 00:00:00",
        "scenario runs from 2030-01-10 00:00:00 to 2030-01-17 00:00:00",
        "referenced by markets[0].energy_price_eur_per_mwh",
    )


def test_series_starting_after_the_horizon(case: Case, data: dict[str, Any]) -> None:
    write_set(case, data, "time.start", "2030-01-06 23:00")
    assert_input_error(case.validate(), case.file(QUARTER_HOURLY).resolve(), "scenario runs from 2030-01-06 23:00")


def test_profile_outside_zero_one(case: Case) -> None:
    case.edit_csv(HOURLY, lambda lines: [lines[0], "1.5" + lines[1][3:], *lines[2:]])
    assert_input_error(case.validate(), case.scenario, "hubs[0].pv.profile_pu: value 1.5 at time step 0")


def test_negative_demand_series(case: Case, data: dict[str, Any]) -> None:
    write_set(case, data, "hubs.1.demand_mw", -1.0)
    assert_input_error(case.validate(), case.scenario, "hubs[1].demand_mw: value -1 at time step 0")


# ------------------------------------------------------------------------------------------------ as a real process
def test_error_as_a_real_subprocess(case: Case, data: dict[str, Any]) -> None:
    tariffs = data["hubs"][0]["tariffs"]
    tariffs["monthly_peak_eur_per_kwh"] = tariffs.pop("monthly_peak_eur_per_kw")
    case.write(data)
    proc = subprocess.run(
        [sys.executable, "-m", "energyhub", "validate", str(case.scenario)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=case.folder,
        check=False,
    )
    assert proc.returncode == 2, proc.stderr
    assert proc.stdout == ""
    errors = [line for line in proc.stderr.splitlines() if line.startswith("error: ")]
    assert errors == [
        f"error: {case.scenario}: hubs[0].tariffs.monthly_peak_eur_per_kwh: unknown key "
        "(did you mean 'monthly_peak_eur_per_kw'?)"
    ]
    assert "Traceback" not in proc.stderr
