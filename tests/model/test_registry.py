"""The component registry is complete and consistent, and no module outside a component names an asset type."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

from energyhub.model.registry import component_of, components, outputs
from energyhub.scenario.schema import ASSET_TYPES

PACKAGE = Path(__file__).resolve().parents[2] / "energyhub"


def test_every_asset_type_has_exactly_one_component() -> None:
    for tag in ASSET_TYPES:
        owners = [c.name for c in components() if tag in c.asset_types]
        assert len(owners) == 1, (tag, owners)
        assert component_of(tag) is not None


def test_sizes_carriers_and_outputs_are_unambiguous() -> None:
    size_vars = [s.var for c in components() for s in c.sizes]
    assert len(size_vars) == len(set(size_vars))
    constraints = [k.constraint for c in components() for k in c.carriers]
    assert len(constraints) == len(set(constraints))
    declared = {(o.name, o.dim, o.units) for c in components() for o in c.outputs}
    assert len(declared) == len(outputs())  # a name shared by components means the same variable


def _component_files() -> set[Path]:
    model = {Path(importlib.import_module(c.build.__module__).__file__ or "") for c in components() if c.assets}
    return model | set((PACKAGE / "scenario" / "components").glob("*.py"))


def test_no_module_outside_a_component_names_an_asset_type() -> None:
    tags = "|".join(map(re.escape, ASSET_TYPES))
    quoted = re.compile(rf"""["'](?:{tags})["']""")
    allowed = _component_files()
    offenders = [f"{path.relative_to(PACKAGE)}: {match.group(0)}" for path in sorted(PACKAGE.rglob("*.py"))
                 if path not in allowed for match in quoted.finditer(path.read_text(encoding="utf-8"))]
    assert offenders == []
