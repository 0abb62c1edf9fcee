"""The one atomic-directory writer of energyhub: result, baseline, export and sweep-point directories.

Every directory energyhub writes holds a marker file, :data:`MARKER` (``.energyhub.json``: the writer, the kind of
directory and the files written). A directory is only ever replaced when it holds that marker and nothing that
energyhub did not write, so ``--out`` pointing at the scenario's own folder, a home directory or a result directory
a user added notes to is refused (exit 2) and nothing is deleted.

A directory is written under a temporary sibling named ``.<name>.energyhub-tmp-<pid>-<random>`` that is renamed
into place at the end: the directory appears complete or not at all. A writer killed half-way leaves that sibling
behind; the next writer of the same target removes it (the name says energyhub made it and which process did; a
sibling of a process that still runs is left alone). The replaced directory is renamed to
``.<name>.energyhub-old-<pid>-<random>`` first and removed afterwards, with the same clean-up.

:func:`check_target` is called before any work: a target under a file, on a read-only path or holding other
files is refused before the solve starts.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

from energyhub import __version__
from energyhub.errors import InputError

MARKER = ".energyhub.json"
TMP_TAG = "energyhub-tmp"
OLD_TAG = "energyhub-old"
#: Files energyhub adds to a finished result directory later (``energyhub report``) besides those of its marker.
LATER_FILES = ("report.html",)


#: The kinds of energyhub directory a writer of a kind may replace (default: its own kind only).
REPLACES = {"solve": ("solve", "baseline"), "baseline": ("solve", "baseline")}


class TargetExists(Exception):
    """``atomic_dir(..., replace=False)``: another writer finished the target first."""


def marker_data(path: Path) -> dict[str, object] | None:
    """The marker of an energyhub directory, or None when ``path`` is not one."""
    try:
        data = json.loads((path / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("writer") == "energyhub" else None


def _ours(entry: Path, listed: set[str]) -> bool:
    """Whether energyhub wrote ``entry`` of a marked directory (its marker lists it, or it is a later addition)."""
    name = entry.name
    if name == MARKER or name in listed or name in LATER_FILES or _parse_temp_name(name) is not None:
        return True
    if name.startswith(".report.") and name.endswith(".html.tmp"):
        return True
    return entry.is_dir() and not entry.is_symlink() and marker_data(entry) is not None  # e.g. export-csv/


def foreign_entries(path: Path) -> list[str]:
    """Names in the energyhub directory ``path`` that energyhub did not write (sorted)."""
    data = marker_data(path) or {}
    files = data.get("files")
    listed = {str(f) for f in files} if isinstance(files, list) else set()
    return sorted(e.name for e in path.iterdir() if not _ours(e, listed))


def _nearest_existing(path: Path) -> Path:
    path = Path(os.path.abspath(path))
    while not path.exists() and not path.is_symlink():
        path = path.parent
    return path


def check_writable(target: Path, option: str = "--out") -> None:
    """Refuse a target that is a file, lies under a file or on a path where energyhub cannot create a directory.
    Leaves nothing behind (a probe directory is made and removed)."""
    target = Path(target)
    if target.exists() and not target.is_dir():
        raise InputError(f"{option} {target}: is a file; give a directory (it is created)")
    anchor = _nearest_existing(target.parent)
    if not anchor.is_dir():
        raise InputError(f"{option} {target}: {anchor} is a file, so no directory can be made under it; "
                         "give a directory path")
    try:
        probe = anchor / f".{target.name}.{TMP_TAG}-{os.getpid()}-probe{uuid.uuid4().hex[:8]}"
        probe.mkdir()
        probe.rmdir()
    except OSError as exc:
        raise InputError(f"{option} {target}: cannot write in {anchor} ({exc.strerror or exc}); give a "
                         "writable directory") from None


def check_target(target: Path, option: str = "--out", kinds: tuple[str, ...] = ("solve", "baseline"),
                 what: str = "result directory") -> None:
    """Raise :class:`InputError` unless ``target`` can be written and replaced: new, empty, or an energyhub
    directory of one of ``kinds`` holding nothing energyhub did not write. Writes nothing."""
    target = Path(target)
    check_writable(target, option)
    if not target.is_dir() or not any(target.iterdir()):
        return
    data = marker_data(target)
    if data is None:
        raise InputError(
            f"{option} {target}: the folder exists, is not empty and is not an energyhub {what} (it holds "
            f"no {MARKER}, which energyhub writes into every directory it makes); a {what} is replaced "
            "as a whole, so choose a new or empty folder"
        )
    if data.get("kind") not in kinds:
        raise InputError(f"{option} {target}: is an energyhub {data.get('kind')} directory, which this command does "
                         f"not replace; choose a new or empty folder")
    foreign = foreign_entries(target)
    if foreign:
        shown = ", ".join(foreign[:5]) + (", …" if len(foreign) > 5 else "")
        raise InputError(f"{option} {target}: holds files energyhub did not write ({shown}); a {what} is "
                         "replaced as a whole, so move them out or choose a new or empty folder")


# ------------------------------------------------------------------------------------------------------ temporaries
def temp_name(target: Path, tag: str = TMP_TAG) -> Path:
    """A sibling of ``target`` named so that :func:`clean_stale` recognises it: ``.<name>.<tag>-<pid>-<hex>``."""
    return target.with_name(f".{target.name}.{tag}-{os.getpid()}-{uuid.uuid4().hex[:8]}")


def _parse_temp_name(name: str) -> tuple[str, int] | None:
    """``(target name, pid)`` of a temporary name made by :func:`temp_name`, else None."""
    for tag in (TMP_TAG, OLD_TAG):
        head, sep, tail = name.rpartition(f".{tag}-")
        pid, _, rest = tail.partition("-")
        if sep and head.startswith(".") and pid.isdigit() and rest:
            return head[1:], int(pid)
    return None


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return False  # this process makes a new temporary per write: an older one of ours is stale
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def clean_stale(target: Path, include_live: bool = False) -> int:
    """Remove the temporaries energyhub left beside ``target`` (killed writers); the number removed.

    Only names made by :func:`temp_name` for this target are touched; those of a process that still runs are kept
    unless ``include_live`` (a caller holding a lock on the directory).
    """
    parent = target.parent
    if not parent.is_dir():
        return 0
    removed = 0
    for entry in parent.glob(f".{target.name}.energyhub-*"):
        parsed = _parse_temp_name(entry.name)
        if parsed is None or parsed[0] != target.name or (not include_live and _alive(parsed[1])):
            continue
        _remove(entry)
        removed += 1
    return removed


def clean_stale_in(folder: Path, include_live: bool = False) -> int:
    """:func:`clean_stale` for every target in ``folder`` (a sweep's ``points/``)."""
    if not folder.is_dir():
        return 0
    targets = {parsed[0] for e in folder.iterdir() if (parsed := _parse_temp_name(e.name)) is not None}
    return sum(clean_stale(folder / name, include_live) for name in targets)


def _remove(entry: Path) -> None:
    if entry.is_dir() and not entry.is_symlink():
        shutil.rmtree(entry, ignore_errors=True)
    else:
        entry.unlink(missing_ok=True)


def write_marker(folder: Path, kind: str, files: list[str] | None = None) -> None:
    """Mark ``folder`` as written by energyhub (``kind``: solve, baseline, export, sweep, sweep-point)."""
    names = sorted(p.name for p in folder.iterdir() if p.name != MARKER) if files is None else files
    data = {"writer": "energyhub", "version": __version__, "kind": kind, "files": names}
    (folder / MARKER).write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


# ------------------------------------------------------------------------------------------------------ the writer
@contextlib.contextmanager
def atomic_dir(target: Path, kind: str, *, replace: bool = True) -> Iterator[Path]:
    """Yield an empty temporary sibling of ``target`` to fill; on success it becomes ``target``, on any error or
    Ctrl-C it vanishes and an existing ``target`` is left as it was.

    ``replace``: an existing ``target`` (checked with :func:`check_target` for ``kind``) is replaced; otherwise the
    first writer wins and :class:`TargetExists` is raised when ``target`` exists (sweep points).
    """
    target = Path(target)
    if replace:
        check_target(target, kinds=REPLACES.get(kind, (kind,)))
    clean_stale(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = temp_name(target)
    tmp.mkdir()
    try:
        yield tmp
        write_marker(tmp, kind)
        if replace:
            _replace(tmp, target)
        else:
            _place(tmp, target)
    finally:
        _remove(tmp)


def _place(tmp: Path, target: Path) -> None:
    try:
        os.rename(tmp, target)  # atomic; fails when ``target`` exists and is not empty
    except OSError:
        if target.is_dir():
            raise TargetExists(str(target)) from None
        raise


def _replace(tmp: Path, target: Path) -> None:
    if not target.exists():
        tmp.rename(target)
        return
    old = temp_name(target, OLD_TAG)
    target.rename(old)
    try:
        tmp.rename(target)
    except OSError:
        old.rename(target)
        raise
    _remove(old)


@contextlib.contextmanager
def atomic_file(path: Path) -> Iterator[Path]:
    """Yield a temporary sibling name of the file ``path``; on success it replaces ``path``, else it vanishes."""
    clean_stale(path)
    tmp = temp_name(path)
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
