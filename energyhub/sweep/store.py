"""The sweep directory: manifest, lock, one directory per finished point, written atomically.

Layout::

    DIR/sweep.json                 manifest: scenario (path, name, sha256), parameters, zip, points
    DIR/points/<id>/point.json     the point's values, status, objective, mode and timings (always)
    DIR/points/<id>/summary.json   the solve summary (solved points)
    DIR/points/<id>/results.nc     the result dataset (solved points whose solver returns one)
    DIR/points/<id>/failed.json    status and reason (failed points)
    DIR/sweep.csv, DIR/sweep.nc    the collected results, written when every point is done

A point directory is written by :func:`energyhub.outdir.atomic_dir` (under ``DIR/points/.<id>.energyhub-tmp-…``,
renamed into place): a point either exists completely or not at all, whatever kills the process. Left-over
temporaries are removed when a sweep starts and ends. The sweep directory and every point hold energyhub's marker
file (``.energyhub.json``).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from energyhub.errors import InputError
from energyhub.outdir import (
    OLD_TAG,
    TargetExists,
    atomic_dir,
    atomic_file,
    clean_stale_in,
    marker_data,
    temp_name,
    write_marker,
)
from energyhub.results.netcdf import write_netcdf
from energyhub.sweep.points import PointResult
from energyhub.sweep.spec import Point, SweepSpec

MANIFEST = "sweep.json"
POINTS = "points"
FORMAT_VERSION = 1


def _json_default(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return str(value)


def dumps(data: Any) -> str:
    """JSON text of results and manifests (datetimes as ISO text, numpy scalars as numbers)."""
    return json.dumps(data, indent=2, default=_json_default, allow_nan=True)


def scenario_hash(data: dict[str, Any]) -> str:
    """sha256 of the scenario's data in canonical JSON (comments and key order do not matter)."""
    text = json.dumps(data, sort_keys=True, default=_json_default)
    return hashlib.sha256(text.encode()).hexdigest()


def write_text_atomic(path: Path, text: str) -> None:
    """Write a file under a temporary name in the same directory and rename it into place."""
    with atomic_file(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


# --------------------------------------------------------------------------------------------------- manifest
def manifest(spec: SweepSpec, points: list[Point]) -> dict[str, Any]:
    """What identifies a sweep: the scenario's content, the parameters and their values, zip or product."""
    return {
        "format": FORMAT_VERSION,
        "scenario": {
            "path": str(spec.scenario_path),
            "name": spec.data.get("name"),
            "sha256": scenario_hash(spec.data),
        },
        "zip": spec.zip,
        "params": [{"path": p.path, "values": list(p.values)} for p in spec.params],
        "points": [{"id": p.id, "values": p.values} for p in points],
    }


def _describe(man: dict[str, Any]) -> str:
    params = ", ".join(f"{p['path']} ({len(p['values'])} values)" for p in man.get("params", []))
    kind = "zipped" if man.get("zip") else "product"
    return f"scenario '{man.get('scenario', {}).get('name')}', {kind} of {params}"


def prepare(out: Path, spec: SweepSpec, points: list[Point]) -> bool:
    """Create ``out`` or check that it holds the same sweep; True when resuming."""
    new = manifest(spec, points)
    path = out / MANIFEST
    if path.is_file():
        old = json.loads(path.read_text(encoding="utf-8"))
        same = (
            old.get("scenario", {}).get("sha256") == new["scenario"]["sha256"]
            and old.get("params") == json.loads(dumps(new["params"]))
            and old.get("zip") == new["zip"]
        )
        if not same:
            raise InputError(
                f"{out} holds another sweep ({_describe(old)}); this command sweeps {_describe(new)}"
                f"{' with a changed scenario file' if old.get('params') == json.loads(dumps(new['params'])) else ''}. "
                "Give another --out directory, or delete this one to start over."
            )
        if marker_data(out) is None:  # a sweep directory of an energyhub before the marker file
            write_marker(out, "sweep", [MANIFEST])
        return True
    if out.exists() and (not out.is_dir() or any(p.name != ".lock" for p in out.iterdir())):
        raise InputError(f"{out} exists and is not a sweep directory (no {MANIFEST}); give a new or empty --out")
    (out / POINTS).mkdir(parents=True, exist_ok=True)
    write_marker(out, "sweep", [MANIFEST])
    write_text_atomic(path, dumps(new) + "\n")
    return False


@contextlib.contextmanager
def locked(out: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``out`` for the sweep's lifetime: two sweeps never share a directory."""
    out.mkdir(parents=True, exist_ok=True)
    with open(out / ".lock", "w", encoding="utf-8") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise InputError(f"{out}: another sweep is running in this directory") from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


# --------------------------------------------------------------------------------------------------- points
def point_dir(out: Path, point_id: str) -> Path:
    return out / POINTS / point_id


def finished_ids(out: Path) -> set[str]:
    """Ids of the points written completely (renamed into place)."""
    root = out / POINTS
    if not root.is_dir():
        return set()
    return {p.name for p in root.iterdir() if not p.name.startswith(".") and (p / "point.json").is_file()}


def read_point(out: Path, point_id: str) -> dict[str, Any]:
    """``point.json`` of a finished point."""
    data: dict[str, Any] = json.loads((point_dir(out, point_id) / "point.json").read_text(encoding="utf-8"))
    return data


def failed_ids(out: Path) -> set[str]:
    """Ids of the finished points that failed."""
    return {i for i in finished_ids(out) if (point_dir(out, i) / "failed.json").is_file()}


def remove_point(out: Path, point_id: str) -> None:
    """Delete a finished point (to retry a failed one): renamed away first, so it vanishes at once."""
    target = point_dir(out, point_id)
    trash = temp_name(target, OLD_TAG)
    os.replace(target, trash)
    shutil.rmtree(trash, ignore_errors=True)


def clean_tmp(out: Path) -> int:
    """Remove the temporaries of killed writers (:func:`energyhub.outdir.temp_name`) in ``out`` and its points;
    the number removed. Called with the sweep's lock held, so no live writer's temporary is touched."""
    return clean_stale_in(out, include_live=True) + clean_stale_in(out / POINTS, include_live=True)


def point_record(point: Point, result: PointResult) -> dict[str, Any]:
    """The human-readable ``point.json``."""
    return {
        "id": point.id,
        "values": point.values,
        "status": result.status,
        "failed": result.failed,
        "objective_eur": result.objective_eur,
        "mip_gap": result.mip_gap,
        "mode": result.mode,
        "timings_s": result.timings_s,
        "reason": result.reason,
    }


def write_point(out: Path, point: Point, result: PointResult) -> bool:
    """Write a point atomically; False when another writer finished it first (its result is kept)."""
    try:
        with atomic_dir(point_dir(out, point.id), "sweep-point", replace=False) as tmp:
            (tmp / "point.json").write_text(dumps(point_record(point, result)) + "\n", encoding="utf-8")
            if result.failed:
                failure = {"id": point.id, "values": point.values, "status": result.status, "reason": result.reason}
                (tmp / "failed.json").write_text(dumps(failure) + "\n", encoding="utf-8")
            if result.summary:
                (tmp / "summary.json").write_text(dumps(result.summary) + "\n", encoding="utf-8")
            if result.dataset is not None and not result.failed:
                write_netcdf(result.dataset, tmp / "results.nc")
    except TargetExists:
        return False
    return True
