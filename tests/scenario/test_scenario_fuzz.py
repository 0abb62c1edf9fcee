"""Random mutations of the valid scenario: ``validate`` either accepts them (exit 0) or rejects them with exit 2
and one ``error: `` message naming the scenario file or a series file; never exit 1, never a traceback.

Cases hypothesis found that crashed (exit 1) are kept as explicit regression tests at the end of this module.
"""

from __future__ import annotations

import copy
import math
import os
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scenario_helpers import DATA_FILES, SCENARIO_NAME, SMALL, Case, assert_input_error, copy_data_files, fixture_data

PathT = tuple[str | int, ...]
#: More examples for a deeper search: ENERGYHUB_FUZZ_EXAMPLES=3000 pytest tests/scenario/test_scenario_fuzz.py
FUZZ_EXAMPLES = int(os.environ.get("ENERGYHUB_FUZZ_EXAMPLES", "150"))


def all_paths(node: Any, prefix: PathT = ()) -> list[PathT]:
    """Every path to a dict key or list item in the parsed YAML."""
    paths: list[PathT] = []
    if isinstance(node, dict):
        items: list[tuple[str | int, Any]] = list(node.items())
    elif isinstance(node, list):
        items = list(enumerate(node))
    else:
        return paths
    for key, child in items:
        paths.append((*prefix, key))
        paths += all_paths(child, (*prefix, key))
    return paths


def parent_of(data: Any, path: PathT) -> Any:
    node = data
    for part in path[:-1]:
        node = node[part]
    return node


text = st.text(st.characters(codec="utf-8"), max_size=12)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.sampled_from([-1, -0.5, 0, 1e308, -1e308, 10**30, math.inf, -math.inf, math.nan]),
    st.floats(allow_nan=True, allow_infinity=True),
    text,
    st.sampled_from(
        [
            "profiles_hourly.csv#pv_pu",
            "profiles_hourly.csv#",
            "#pv_pu",
            "nope.csv#a",
            "prices_demand_15min.csv#time",
            "tiny_grid.json#bus",
            "scenario.yaml#name",
            "x.parquet#a",
            "tiny/Bus 3",
            "firm",
            "time_block",
            "battery",
            "2030-01-07 00:00",
            "1h",
            "15min",
            "hengelo",
            "NL",
        ]
    ),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(text, inner, max_size=3)),
    max_leaves=6,
)


@st.composite
def mutations(draw: st.DrawFn) -> dict[str, Any]:
    """The fixture with one to three random edits."""
    data = fixture_data()
    for _ in range(draw(st.integers(1, 3))):
        paths = all_paths(data)
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent = parent_of(data, path)
        key = path[-1]
        op = draw(st.sampled_from(["delete", "set", "rename", "duplicate"]))
        if op == "delete":
            del parent[key]
        elif op == "set":
            parent[key] = draw(values)
        elif op == "rename" and isinstance(parent, dict):
            new_key = draw(st.one_of(text, st.sampled_from(sorted(parent))))
            parent[new_key] = parent.pop(key)
        elif op == "duplicate" and isinstance(parent, list):
            parent.insert(int(key), copy.deepcopy(parent[int(key)]))
        else:
            parent[key] = draw(values)
    return data


@pytest.fixture(scope="module")
def fuzz_case(tmp_path_factory: pytest.TempPathFactory) -> Case:
    folder = tmp_path_factory.mktemp("fuzz")
    copy_data_files(folder)
    return Case(folder)


@settings(max_examples=FUZZ_EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=mutations())
def test_mutated_scenario_is_valid_or_a_clear_input_error(fuzz_case: Case, data: dict[str, Any]) -> None:
    result = fuzz_case.write(data).validate()
    out = result.output
    assert result.exit_code in (0, 2), f"exit {result.exit_code} for\n{data}\n{out}"
    assert "Traceback" not in out
    if result.exit_code == 0:
        assert out.startswith("scenario ")
        return
    assert out.startswith("error: "), out
    named = [str(fuzz_case.scenario), *(str((fuzz_case.folder / n).resolve()) for n in DATA_FILES)]
    first_line = out.splitlines()[0]
    assert any(name in first_line for name in named), out


YAML_FRAGMENTS = [
    "? [a, b]\n: 1",
    "x: {? {k: 1}: 2}",
    "1: 2",
    "null: x",
    "time: !!python/object:os.system {}",
    "name: !!binary aGVsbG8=",
    "a: &x [*x]",
    "  - {",
    "\t- tab",
    "key: 'unterminated",
    "%YAML 1.1",
    "---",
    "...",
    "<<: {name: merged}",
    "name: ",
]


@settings(max_examples=FUZZ_EXAMPLES // 2, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    line=st.integers(0, 160),
    fragment=st.one_of(st.sampled_from(YAML_FRAGMENTS), text),
    indent=st.sampled_from(["", "  ", "    ", "      "]),
)
def test_inserted_yaml_text_is_valid_or_a_clear_input_error(
    fuzz_case: Case, line: int, fragment: str, indent: str
) -> None:
    """Raw text edits reach what dict mutations cannot: tags, anchors, complex keys, broken syntax."""
    lines = (SMALL / SCENARIO_NAME).read_text(encoding="utf-8").splitlines()
    lines.insert(min(line, len(lines)), indent + fragment)
    result = fuzz_case.write_text("\n".join(lines) + "\n").validate()
    assert result.exit_code in (0, 2), (
        f"exit {result.exit_code} for line {line}: {indent + fragment!r}\n{result.output}"
    )
    assert "Traceback" not in result.output
    if result.exit_code == 2:
        assert result.output.startswith("error: "), result.output


# ------------------------------------------------------------------------------------------------ found by fuzzing
def test_top_level_unknown_key(case: Case) -> None:
    """Crashed with 'zip() argument 2 is shorter than argument 1' while looking for the closest key."""
    data = fixture_data()
    data["descriptoin"] = data.pop("description")
    assert_input_error(
        case.write(data).validate(), case.scenario, "descriptoin: unknown key (did you mean 'description'?)"
    )


def test_series_given_a_mapping_names_the_field_once(case: Case) -> None:
    """A Series (float | str) reported twice, as 'demand_mw.float' and 'demand_mw.str'."""
    data = fixture_data()
    data["hubs"][0]["demand_mw"] = {"file": "x.csv"}
    out = assert_input_error(case.write(data).validate(), case.scenario, "hubs[0].demand_mw: ")
    assert ".float" not in out and ".str" not in out


def test_unparsable_timestamp(case: Case) -> None:
    """pandas' 'Could not infer format' UserWarning before the parse error ended as exit 1 under -W error."""
    case.edit_csv("prices_demand_15min.csv", lambda lines: [lines[0], "soon" + lines[1][16:], *lines[2:]])
    assert_input_error(case.validate(), (case.folder / "prices_demand_15min.csv").resolve(), "column 'time'")


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_non_finite_constant_is_rejected(case: Case, value: float) -> None:
    data = fixture_data()
    data["hubs"][1]["demand_mw"] = value
    assert_input_error(case.write(data).validate(), case.scenario, "hubs[1].demand_mw: ")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("? [a, b]\n: 1\n", "YAML syntax error at line 157, column 3: a key must be a plain name"),
        ("x: {? {k: 1}: 2}\n", "YAML syntax error at line 157, column 7: a key must be a plain name"),
        ("z: !!python/object:os.system {}\n", "could not determine a constructor"),
    ],
    ids=["list-key", "mapping-key", "python-tag"],
)
def test_complex_yaml_keys_and_tags(case: Case, text: str, expected: str) -> None:
    """A complex mapping key crashed the duplicate-key check with 'unhashable type: list' (exit 1)."""
    original = case.scenario.read_text(encoding="utf-8")
    assert original.count("\n") == 156  # the appended line is line 157
    case.write_text(original + text)
    assert_input_error(case.validate(), case.scenario, expected)
