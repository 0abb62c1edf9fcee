"""Read a scenario file: safe YAML, pydantic validation, cross-references, with messages a user can act on."""

from __future__ import annotations

from collections.abc import Hashable
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from energyhub.errors import InputError
from energyhub.scenario.references import check_references, closest
from energyhub.scenario.schema import ASSET_TYPES, Scenario

#: Folder of the shipped solver presets (``solvers/`` beside the package).
SOLVERS_DIR = Path(__file__).resolve().parents[2] / "solvers"
MAX_MESSAGES = 8
#: Deepest nesting of mappings and lists in a scenario file (a scenario needs about 6; Python's recursion ends
#: near 1000, which would turn a deeply nested file into an unexpected error).
MAX_DEPTH = 50


class _UniqueKeyLoader(yaml.SafeLoader):
    """A safe loader that rejects duplicate keys instead of silently keeping the last one, and nesting deeper than
    :data:`MAX_DEPTH`."""

    _depth = 0

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                problem = f"nesting deeper than {MAX_DEPTH} levels of mappings and lists"
                raise yaml.composer.ComposerError(None, None, problem, self.peek_event().start_mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _construct_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if not isinstance(key, Hashable):  # a complex key ('? [a, b]'): YAML allows it, a scenario does not
            raise yaml.constructor.ConstructorError(
                None, None, "a key must be a plain name, not a list or mapping", key_node.start_mark
            )
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key '{key}' (first on line {seen[key] + 1})", key_node.start_mark
            )
        seen[key] = key_node.start_mark.line
    return loader.construct_mapping(node, deep=deep)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def read_yaml(path: Path) -> Any:
    """Parse a YAML file safely; syntax errors name the line."""
    if not path.is_file():
        raise InputError(f"{path}: no such file; give the path of a scenario YAML file")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot be read as UTF-8 text ({exc})") from None
    try:
        return yaml.load(text, Loader=_UniqueKeyLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "unknown position"
        raise InputError(f"{path}: YAML syntax error at {where}: {exc.problem or exc}") from None
    except yaml.YAMLError as exc:
        raise InputError(f"{path}: YAML error: {exc}") from None


#: pydantic's labels of plain union members (``Series`` is ``float | str``): not part of the user's path
_UNION_LABELS = frozenset({"float", "str", "int", "bool"})


def field_path(loc: tuple[int | str, ...], last_is_key: bool = False) -> str:
    """``('assets', 2, '<type tag>', 'power_mw', 'max')`` -> ``assets[2].power_mw.max``.

    ``last_is_key``: the last part is a key the user wrote (an unknown key), never a union label.
    """
    out = ""
    for i, part in enumerate(loc):
        if isinstance(part, int):
            out += f"[{part}]"
        elif i > 0 and isinstance(loc[i - 1], int) and loc[0] == "assets" and i == 2:
            continue  # the discriminator tag of an asset (its type tag) is not part of the user's path
        elif "[" in part or "," in part:
            continue  # pydantic's union member labels, e.g. 'function-after[...]'
        elif part in _UNION_LABELS and not (last_is_key and i == len(loc) - 1):
            continue  # pydantic's labels of plain union members, e.g. 'float' and 'str' of a Series
        else:
            out += f".{part}" if out else part
    return out or "(top level)"


def _model_at(loc: tuple[int | str, ...]) -> type[BaseModel] | None:
    """The pydantic model that holds the field at ``loc`` (to suggest known keys)."""
    model: type[BaseModel] | None = Scenario
    if len(loc) < 2:
        return model  # an unknown key at the top level
    for prev, part in zip((None, *loc[:-2]), loc[:-1], strict=True):
        if isinstance(part, int) or model is None:
            continue
        if prev is not None and loc[0] == "assets" and isinstance(prev, int):
            model = ASSET_TYPES.get(part)  # the discriminator tag after assets[i]
            continue
        field = model.model_fields.get(part)
        model = _inner_model(field.annotation) if field else None
    return model


def _inner_model(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _inner_model(arg)
        if found is not None:
            return found
    return None


def _message(err: Any) -> str:
    loc = tuple(err["loc"])
    kind = err["type"]
    path = field_path(loc, last_is_key=kind == "extra_forbidden")
    if kind == "extra_forbidden":
        model = _model_at(loc)
        known = list(model.model_fields) if model else []
        hint = closest(str(loc[-1]), known) or (f"; known keys: {', '.join(known)}" if known else "")
        return f"{path}: unknown key{hint}"
    got = err.get("input")
    shown = "" if isinstance(got, dict | list) or got is None else f" (got {got!r})"
    text = err["msg"].removeprefix("Value error, ")
    if kind == "missing":
        return f"{path}: required field is missing"
    if kind == "union_tag_invalid":
        return f"{path}.type: {text}"
    return f"{path}: {text}{shown}"


def format_validation_error(path: Path, exc: ValidationError) -> str:
    """One line per problem (the first few), each naming the field path."""
    seen: list[str] = []
    for err in exc.errors():
        msg = _message(err)
        # a union of float|str reports both alternatives; keep the first message per field path
        if not any(m.split(":", 1)[0] == msg.split(":", 1)[0] for m in seen):
            seen.append(msg)
    return _join(path, seen)


def _join(path: Path, messages: list[str]) -> str:
    shown = messages[:MAX_MESSAGES]
    more = f"\n  … and {len(messages) - MAX_MESSAGES} more" if len(messages) > MAX_MESSAGES else ""
    if len(shown) == 1:
        return f"{path}: {shown[0]}"
    return f"{path}: {len(messages)} problems\n  " + "\n  ".join(shown) + more


def parse_scenario(data: Any, path: Path, solvers_dir: Path = SOLVERS_DIR) -> Scenario:
    """Validate already-parsed YAML data as a scenario (used by sweeps on modified copies)."""
    if not isinstance(data, dict):
        raise InputError(f"{path}: a scenario must be a YAML mapping with keys name, time, grid, markets, …")
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        raise InputError(format_validation_error(path, exc)) from None
    problems = check_references(scenario, solvers_dir)
    if problems:
        raise InputError(_join(path, problems))
    return scenario


def load_scenario(path: Path, solvers_dir: Path = SOLVERS_DIR) -> Scenario:
    """Read and validate a scenario file (structure and references; series and grid come later)."""
    return parse_scenario(read_yaml(path), path, solvers_dir)
