"""Sweep parameters: the VALUES syntax and dotted PATHs into a scenario.

VALUES (one parameter's values):

* ``10,20,40`` — a list; each item is an integer, a float, ``true``/``false`` or else a string;
* ``lin:START:STOP:N`` — N evenly spaced values from START to STOP, both included (``lin:0:100:5`` → 0, 25, 50, 75,
  100);
* ``log:START:STOP:N`` — N log-spaced values from START to STOP, both included and > 0 (``log:1:1000:4`` → 1, 10,
  100, 1000).

Generated values are rounded to 12 significant digits so that ids and coordinates are stable.

PATH is a dotted path into the scenario. List items are addressed by their ``name`` (hubs, assets, groups, links,
``grid.segments``, ``grid.ties``), markets by their ``zone``, other lists by a 0-based index:
``hubs.hengelo.connection.import_mw``, ``assets.battery-hengelo.energy_mwh.capex_eur_per_mwh``,
``markets.NL.co2_price_eur_per_t``, ``assets.electrolyser-hengelo.part_load.0.kwh_per_kg``.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
from pydantic import BaseModel

from energyhub.errors import InputError
from energyhub.scenario.references import unknown
from energyhub.scenario.schema import ASSET_TYPES, Scenario

ParamValue = bool | int | float | str

#: The key that names the items of a list, by the list's path (everything else is addressed by index).
LIST_KEYS: dict[str, tuple[str, str]] = {
    "hubs": ("name", "hub"),
    "assets": ("name", "asset"),
    "groups": ("name", "group"),
    "links": ("name", "link"),
    "markets": ("zone", "market zone"),
    "grid.segments": ("name", "segment"),
    "grid.ties": ("name", "tie"),
}
_INT = re.compile(r"^[+-]?\d+$")
_RANGE = re.compile(r"^(lin|log):(.*)$")


@dataclass(frozen=True)
class Param:
    """One swept parameter: its dotted path and its values, in the user's order."""

    path: str
    values: tuple[ParamValue, ...]


# --------------------------------------------------------------------------------------------------- values
def parse_scalar(text: str) -> ParamValue:
    """``'4'`` → 4, ``'2.5'`` → 2.5, ``'true'`` → True, anything else stays a string."""
    text = text.strip()
    if _INT.match(text):
        return int(text)
    if text.lower() in ("true", "false"):
        return text.lower() == "true"
    try:
        value = float(text)
    except ValueError:
        return text
    return value if math.isfinite(value) else text


def _round(value: float) -> float:
    return float(f"{value:.12g}")


def _parse_range(kind: str, body: str, where: str) -> list[ParamValue]:
    parts = body.split(":")
    usage = f"'{kind}:START:STOP:N', e.g. '{kind}:1:1000:4'"
    if len(parts) != 3:
        raise InputError(f"{where}: a range is {usage}; got '{kind}:{body}'")
    try:
        start, stop = float(parts[0]), float(parts[1])
        count = int(parts[2])
    except ValueError:
        raise InputError(f"{where}: a range is {usage} with numbers START, STOP and an integer N") from None
    if count < 1:
        raise InputError(f"{where}: the number of points N must be ≥ 1 (got {count})")
    if kind == "log":
        if start <= 0 or stop <= 0:
            raise InputError(f"{where}: a log range needs START and STOP > 0 (got {start:g}, {stop:g})")
        values = np.geomspace(start, stop, count) if count > 1 else np.array([start])
    else:
        values = np.linspace(start, stop, count)
    return [_round(float(v)) for v in values]


def parse_values(text: Any, where: str) -> tuple[ParamValue, ...]:
    """Parse VALUES (a string in the syntax above, or an already-parsed YAML list or scalar)."""
    if isinstance(text, list):
        values: list[ParamValue] = [parse_scalar(v) if isinstance(v, str) else v for v in text]
    elif isinstance(text, bool | int | float):
        values = [text]
    elif isinstance(text, str) and (match := _RANGE.match(text.strip())):
        values = _parse_range(match.group(1), match.group(2), where)
    elif isinstance(text, str):
        values = [parse_scalar(v) for v in text.split(",")]
    else:
        raise InputError(f"{where}: values must be a list or a string like '10,20,40' or 'lin:0:100:5'")
    for value in values:
        if not isinstance(value, bool | int | float | str) or value == "":
            raise InputError(f"{where}: empty or unsupported value {value!r}; give numbers like '10,20,40'")
    if not values:
        raise InputError(f"{where}: no values")
    repeated = sorted({repr(v) for v in values if values.count(v) > 1})
    if repeated:
        raise InputError(f"{where}: repeated value(s) {', '.join(repeated)}; each value must appear once")
    return tuple(values)


def parse_param(text: str) -> Param:
    """Parse one ``--param PATH=VALUES`` option."""
    path, sep, values = text.partition("=")
    path = path.strip()
    if not sep or not path or not values.strip():
        raise InputError(f"--param '{text}': expected PATH=VALUES, e.g. hubs.hengelo.connection.import_mw=2,4,6")
    return Param(path, parse_values(values, f"--param {path}"))


# --------------------------------------------------------------------------------------------------- paths
def _list_model(annotation: Any) -> type[BaseModel] | None:
    """The pydantic model of a ``list[Model]`` annotation (first model found), else None."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _list_model(arg)
        if found is not None:
            return found
    return None


def _is_list(annotation: Any) -> bool:
    origin = getattr(annotation, "__origin__", None)
    if origin in (list, tuple):
        return True
    return any(_is_list(a) for a in getattr(annotation, "__args__", ()) if a is not type(None))


def valid_paths(scenario: Scenario) -> list[str]:
    """Every dotted path that a sweep may set in this scenario (values, not sections)."""
    return list(_paths(type(scenario), scenario, ""))


def _paths(model: type[BaseModel], obj: Any, prefix: str) -> Iterator[str]:
    for key, field in model.model_fields.items():
        path = f"{prefix}{key}"
        value = getattr(obj, key, None) if obj is not None else None
        sub = _list_model(field.annotation)
        if _is_list(field.annotation):
            yield from _list_paths(path, value, sub)
        elif sub is not None:
            yield from _paths(type(value) if isinstance(value, BaseModel) else sub, value, f"{path}.")
        else:
            yield path


def _list_paths(path: str, items: Any, sub: type[BaseModel] | None) -> Iterator[str]:
    key = LIST_KEYS.get(path, ("", ""))[0]
    for i, item in enumerate(items or []):
        label = getattr(item, key) if key else str(i)
        if isinstance(item, BaseModel):
            yield from _paths(type(item), item, f"{path}.{label}.")
        else:
            yield f"{path}.{label}"


@dataclass(frozen=True)
class _Slot:
    """Where a path points in the raw scenario dict: the container and its key or index."""

    container: dict[str, Any] | list[Any]
    key: str | int


def _model_of_item(list_path: str, item: Any, model: type[BaseModel] | None) -> type[BaseModel] | None:
    if list_path == "assets" and isinstance(item, dict):
        return ASSET_TYPES.get(str(item.get("type")))
    return model


def _find_item(items: list[Any], list_path: str, part: str, full: str) -> int:
    """The index of the item named ``part`` in a list (by name, zone or index)."""
    key, kind = LIST_KEYS.get(list_path, ("", ""))
    if key:
        names = [str(item.get(key)) for item in items if isinstance(item, dict)]
        if part not in names:
            raise InputError(f"{full}: {unknown(kind, part, names)}")
        return names.index(part)
    if not part.isdigit() or int(part) >= len(items):
        raise InputError(f"{full}: '{part}' is not an index of {list_path} (0 to {len(items) - 1})")
    return int(part)


def _fail_key(full: str, scenario: Scenario) -> InputError:
    hint = difflib.get_close_matches(full, valid_paths(scenario), n=1, cutoff=0.5)
    suggestion = f" (did you mean '{hint[0]}'?)" if hint else ""
    return InputError(f"{full}: no such parameter in the scenario{suggestion}")


def resolve(data: dict[str, Any], path: str, scenario: Scenario) -> _Slot:
    """Find the value at ``path`` in a raw scenario dict, creating absent sections (call it on a copy)."""
    parts = path.split(".")
    node: Any = data
    model: type[BaseModel] | None = Scenario
    walked: list[str] = []
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        list_path = ".".join(walked)
        if isinstance(node, list):
            index = _find_item(node, list_path, part, path)
            if last:
                return _Slot(node, index)
            node, model = node[index], _model_of_item(list_path, node[index], model)
        else:
            field = model.model_fields.get(part) if model is not None else None
            if field is None or not isinstance(node, dict):
                raise _fail_key(path, scenario)
            sub = _list_model(field.annotation)
            if last:
                if sub is not None or _is_list(field.annotation):
                    raise InputError(f"{path}: is a section or list, not a value{_deeper_hint(path, scenario)}")
                return _Slot(node, part)
            if node.get(part) is None:
                if _is_list(field.annotation):
                    raise _fail_key(path, scenario)
                node[part] = {}  # a section the scenario leaves out (e.g. economics): created on the copy
            node, model = node[part], sub
        walked.append(part)
    raise _fail_key(path, scenario)  # pragma: no cover - the loop always returns


def _deeper_hint(path: str, scenario: Scenario) -> str:
    below = [p for p in valid_paths(scenario) if p.startswith(path + ".")]
    return f" (did you mean '{below[0]}'?)" if below else ""


def apply_values(data: dict[str, Any], values: dict[str, ParamValue], scenario: Scenario) -> None:
    """Set each path of ``values`` in the raw scenario dict ``data`` (in place; give it a copy)."""
    for path, value in values.items():
        slot = resolve(data, path, scenario)
        if isinstance(slot.container, list):
            slot.container[int(slot.key)] = value
        else:
            slot.container[str(slot.key)] = value


def check_path(data: dict[str, Any], path: str, scenario: Scenario) -> None:
    """Raise an :class:`InputError` naming the closest valid path when ``path`` does not lead to a value."""
    import copy

    resolve(copy.deepcopy(data), path, scenario)
