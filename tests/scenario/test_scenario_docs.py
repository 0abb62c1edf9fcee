"""docs/scenario-format.md stays in sync with the schema and with the fixture it shows as its example."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel
from scenario_helpers import fixture_data

from energyhub.scenario.load import _inner_model
from energyhub.scenario.schema import ASSET_TYPES, Scenario

DOC = Path(__file__).resolve().parents[2] / "docs" / "scenario-format.md"


def doc_text() -> str:
    return DOC.read_text(encoding="utf-8")


def all_models() -> set[type[BaseModel]]:
    """Every pydantic model reachable from :class:`Scenario` (asset types included)."""
    found: set[type[BaseModel]] = set()
    todo: list[type[BaseModel]] = [Scenario, *ASSET_TYPES.values()]
    while todo:
        model = todo.pop()
        if model in found:
            continue
        found.add(model)
        for field in model.model_fields.values():
            inner = _inner_model(field.annotation)
            if inner is not None:
                todo.append(inner)
    return found


def test_every_field_is_documented() -> None:
    text = doc_text()
    missing = sorted(
        f"{model.__name__}.{name}" for model in all_models() for name in model.model_fields if f"`{name}`" not in text
    )
    assert missing == []


def test_the_annotated_example_is_the_fixture() -> None:
    section = doc_text().split("## Complete annotated example", 1)[1]
    blocks = re.findall(r"```yaml\n(.*?)```", section, flags=re.DOTALL)
    assert len(blocks) == 1
    example: Any = yaml.safe_load(blocks[0])
    assert example == fixture_data()
