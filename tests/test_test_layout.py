"""The test tree collects in any subset of its folders (``pytest tests/sweep tests/scenario``).

Test folders have no ``__init__.py``: pytest puts each folder on ``sys.path`` and imports its modules by their bare
names. Every ``conftest.py`` is imported as ``conftest``, so a test that imports helpers ``from conftest`` gets
whichever folder's conftest was imported first; helpers live in modules with names unique in the whole tree.
"""

from __future__ import annotations

import ast
from collections import Counter
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def _modules() -> list[Path]:
    return [p for p in TESTS.rglob("*.py") if "data" not in p.relative_to(TESTS).parts]


def _imported_names(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
        elif isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
    return names


def test_no_module_imports_conftest() -> None:
    offenders = [str(p.relative_to(TESTS)) for p in _modules() if "conftest" in _imported_names(p)]
    assert offenders == [], f"import helpers from a module with a unique name, not from conftest: {offenders}"


def test_helper_module_names_are_unique() -> None:
    names = Counter(p.stem for p in _modules() if p.name != "conftest.py")
    clashes = sorted(name for name, count in names.items() if count > 1)
    assert clashes == [], f"test modules and helpers that share a name clash on sys.path: {clashes}"
