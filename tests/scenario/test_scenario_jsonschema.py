"""``energyhub schema``: valid JSON Schema that accepts every shipped scenario and rejects invalid ones."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped]
import pytest
import yaml
from click.testing import CliRunner
from scenario_helpers import fixture_data

from energyhub.cli import cli

REPO = Path(__file__).resolve().parents[2]
ALL_YAML = sorted([*REPO.glob("scenarios/*.yaml"), *REPO.glob("tests/data/**/*.yaml")])
#: Top-level sections that make a YAML file a scenario (the required ones, and the version tag)
SCENARIO_KEYS = {"version", "time", "grid", "markets"}


def _top_keys(path: Path) -> set[str]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return set(data) if isinstance(data, dict) else set()


#: Scenario files, and the other YAML files (e.g. scenarios/assumptions.yaml) that are listed, not skipped silently
SHIPPED = [p for p in ALL_YAML if _top_keys(p) & SCENARIO_KEYS]
OTHER_YAML = [p for p in ALL_YAML if p not in SHIPPED]


@cache
def printed_schema() -> dict[str, Any]:
    result = CliRunner().invoke(cli, ["schema"])
    assert result.exit_code == 0, result.output
    schema = json.loads(result.output)
    assert isinstance(schema, dict)
    return schema


def json_ready(data: Any) -> Any:
    """YAML data as JSON would carry it (timestamps as strings), as an editor's schema checker sees it."""
    return json.loads(json.dumps(data, default=str))


@cache
def validator() -> jsonschema.protocols.Validator:
    schema = printed_schema()
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def test_schema_is_valid_json_schema() -> None:
    schema = printed_schema()
    jsonschema.validators.validator_for(schema).check_schema(schema)
    assert schema["properties"]["version"]["const"] == 1


def test_shipped_scenarios_are_found() -> None:
    assert REPO / "tests/data/small/scenario.yaml" in SHIPPED


@pytest.mark.parametrize("path", OTHER_YAML, ids=[str(p.relative_to(REPO)) for p in OTHER_YAML])
def test_other_yaml_files_are_not_scenarios(path: Path) -> None:
    """YAML files without any scenario section (data, assumptions) are reported here rather than dropped."""
    assert not _top_keys(path) & SCENARIO_KEYS
    assert not (_top_keys(path) & {"name", "hubs", "assets"}) >= {"name", "hubs"}  # not a scenario missing its time


@pytest.mark.parametrize("path", SHIPPED, ids=[str(p.relative_to(REPO)) for p in SHIPPED])
def test_schema_accepts_shipped_scenario(path: Path) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator().iter_errors(json_ready(data))]
    assert errors == []


@pytest.mark.parametrize(
    ("path", "value", "where"),
    [
        (("hubs", 0, "connection", "improt_mw"), 4.0, ["hubs", 0, "connection"]),
        (("assets", 0, "charge_efficiency"), 1.5, ["assets", 0]),  # a oneOf over asset types: reported at the asset
        (("time", "resolution"), "30min", ["time", "resolution"]),
        (("solver", "threads"), 0, ["solver", "threads"]),
        (("grid", "segments"), [], ["grid", "segments"]),
    ],
    ids=["unknown-key", "efficiency", "literal", "range", "empty-list"],
)
def test_schema_rejects_invalid_scenario(path: tuple[str | int, ...], value: Any, where: list[str | int]) -> None:
    data: Any = fixture_data()
    node = data
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    errors = list(validator().iter_errors(json_ready(data)))
    assert errors, "the schema accepted an invalid scenario"
    assert any(list(e.absolute_path)[: len(where)] == where for e in errors), [list(e.absolute_path) for e in errors]


def test_schema_rejects_missing_required_section() -> None:
    data = fixture_data()
    del data["markets"]
    messages = [e.message for e in validator().iter_errors(json_ready(data))]
    assert "'markets' is a required property" in messages


def test_shipped_schema_file_is_up_to_date() -> None:
    """docs/scenario.schema.json (what the shipped scenarios' yaml-language-server line points editors at) is the
    schema ``energyhub schema`` prints; regenerate with ``energyhub schema --out docs/scenario.schema.json``."""
    shipped = json.loads((Path(__file__).parents[2] / "docs" / "scenario.schema.json").read_text(encoding="utf-8"))
    assert shipped == printed_schema()
