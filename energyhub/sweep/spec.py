"""What to sweep: the scenario, the parameters, product or zip; the points, their ids and their order.

A sweep file (``energyhub sweep SWEEP.yaml --out DIR``) is a YAML mapping::

    scenario: ../scenarios/twente.yaml        # relative to the sweep file
    zip: false                                # optional; true pairs the i-th values of every parameter
    params:
      hubs.hengelo.connection.import_mw: [2, 4, 6]
      assets.battery-hengelo.energy_mwh.capex_eur_per_mwh: "lin:100000:300000:3"

A YAML file whose top level has the key ``scenario`` (and no ``time``) is a sweep file; anything else is a
scenario.
"""

from __future__ import annotations

import copy
import hashlib
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from energyhub.errors import InputError
from energyhub.scenario.load import SOLVERS_DIR, parse_scenario, read_yaml
from energyhub.scenario.references import closest
from energyhub.scenario.schema import Scenario
from energyhub.sweep.params import Param, ParamValue, apply_values, check_path, parse_values

SWEEP_KEYS = ("scenario", "zip", "params")
#: The most points a sweep runs without ``--max-points``: every point is validated before the first solve and each
#: is a full solve, so a larger grid is more often a typo (``lin:0:1:100000``) than a plan.
MAX_POINTS = 1000


@dataclass(frozen=True)
class Point:
    """One point of a sweep: a stable id and the value of every swept path."""

    id: str
    values: dict[str, ParamValue]


@dataclass
class SweepSpec:
    """A scenario file plus the parameters to sweep over it."""

    scenario_path: Path
    params: list[Param]
    zip: bool = False
    data: dict[str, Any] = field(default_factory=dict)  # the scenario file's raw YAML data

    @property
    def paths(self) -> list[str]:
        return [p.path for p in self.params]


def is_sweep_file(data: Any) -> bool:
    """A sweep file names its scenario at the top level; a scenario file has ``time``."""
    return isinstance(data, dict) and isinstance(data.get("scenario"), str) and "time" not in data


def read_sweep_file(path: Path, data: Any) -> tuple[Path, list[Param], bool]:
    """The scenario path (resolved against the sweep file), parameters and zip flag of a sweep file."""
    unknown_keys = [k for k in data if k not in SWEEP_KEYS]
    if unknown_keys:
        key = str(unknown_keys[0])
        raise InputError(f"{path}: unknown key '{key}'{closest(key, SWEEP_KEYS)}; a sweep file has {SWEEP_KEYS}")
    params_data = data.get("params")
    if not isinstance(params_data, dict) or not params_data:
        raise InputError(f"{path}: params: give a mapping PATH: VALUES with at least one parameter")
    zipped = data.get("zip", False)
    if not isinstance(zipped, bool):
        raise InputError(f"{path}: zip: must be true or false (got {zipped!r})")
    params = [Param(str(k), parse_values(v, f"{path}: params.{k}")) for k, v in params_data.items()]
    return (path.parent / data["scenario"]).resolve(), params, zipped


def make_spec(path: Path, params: list[Param], zipped: bool) -> SweepSpec:
    """Read a scenario or sweep file and combine it with command-line parameters."""
    data = read_yaml(path)
    if is_sweep_file(data):
        if params:
            raise InputError(f"{path} is a sweep file: give the parameters there, not with --param")
        path, params, file_zip = read_sweep_file(path, data)
        zipped = zipped or file_zip
        data = read_yaml(path)
    if not params:
        raise InputError("no parameters to sweep: give --param PATH=VALUES (or a sweep file)")
    repeated = sorted({p.path for p in params if [q.path for q in params].count(p.path) > 1})
    if repeated:
        raise InputError(f"parameter {repeated[0]} is given twice; give each path once")
    if not isinstance(data, dict):
        raise InputError(f"{path}: a scenario must be a YAML mapping")
    return SweepSpec(path, params, zipped, data)


# --------------------------------------------------------------------------------------------------- points
def point_count(spec: SweepSpec) -> int:
    """How many points the sweep has, without making them (zip: the common length; product: the product)."""
    if spec.zip:
        return max((len(p.values) for p in spec.params), default=0)
    return math.prod(len(p.values) for p in spec.params)


def check_point_count(spec: SweepSpec, max_points: int | None) -> int:
    """Refuse a sweep above ``max_points`` (default :data:`MAX_POINTS`) before any work; the number of points."""
    count = point_count(spec)
    cap = MAX_POINTS if max_points is None else max_points
    if count > cap:
        sizes = " x ".join(f"{p.path} ({len(p.values)})" for p in spec.params)
        raise InputError(
            f"this sweep has {count:,} points ({'zipped' if spec.zip else 'product'}: {sizes}), more than the "
            f"{cap:,} that run without confirmation; check the parameter values, or give --max-points {count} to run "
            "it"
        )
    return count


def point_id(values: dict[str, ParamValue]) -> str:
    """A stable 12-hex-digit hash of a point's parameter values (independent of parameter order)."""
    text = json.dumps(sorted((k, repr(v)) for k, v in values.items()))
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def _snake(params: list[Param]) -> list[tuple[ParamValue, ...]]:
    """The product of the values in boustrophedon order: neighbours differ in one value by one step."""
    rows: list[tuple[ParamValue, ...]] = [()]
    for param in params:
        grown: list[tuple[ParamValue, ...]] = []
        for i, row in enumerate(rows):
            values = param.values if i % 2 == 0 else tuple(reversed(param.values))
            grown += [(*row, v) for v in values]
        rows = grown
    return rows


def make_points(spec: SweepSpec) -> list[Point]:
    """Every point of the sweep, in solve order (neighbouring values together, for good warm starts)."""
    if spec.zip:
        lengths = {p.path: len(p.values) for p in spec.params}
        if len(set(lengths.values())) > 1:
            shown = ", ".join(f"{k}: {n}" for k, n in lengths.items())
            raise InputError(f"--zip needs the same number of values for every parameter; got {shown}")
        rows = list(zip(*(p.values for p in spec.params), strict=True))
    else:
        rows = _snake(spec.params)
    points = []
    for row in rows:
        values = dict(zip(spec.paths, row, strict=True))
        points.append(Point(point_id(values), values))
    return points


# --------------------------------------------------------------------------------------------------- checks
def point_scenario(
    data: dict[str, Any], path: Path, values: dict[str, ParamValue], base: Scenario, solvers_dir: Path = SOLVERS_DIR
) -> Scenario:
    """Apply a point's values to a copy of the scenario data and validate it."""
    copied = copy.deepcopy(data)
    apply_values(copied, values, base)
    return parse_scenario(copied, path, solvers_dir)


def validate_spec(spec: SweepSpec, points: list[Point], solvers_dir: Path = SOLVERS_DIR) -> Scenario:
    """Check every path, then every point, before anything is solved; return the base scenario."""
    base = parse_scenario(spec.data, spec.scenario_path, solvers_dir)
    for param in spec.params:
        check_path(spec.data, param.path, base)
    for point in points:
        try:
            point_scenario(spec.data, spec.scenario_path, point.values, base, solvers_dir)
        except InputError as exc:
            shown = ", ".join(f"{k}={v!r}" for k, v in point.values.items())
            raise InputError(f"sweep point {shown} is not a valid scenario:\n{exc}") from None
    return base
