"""Checks that need the whole scenario: unique names and references between sections.

Each check returns messages of the form ``field.path: what is wrong; what is expected``. References into the grid
(bus and branch names) are checked once the grid is loaded (:mod:`energyhub.grid`).
"""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path

from energyhub.scenario.schema import Scenario


def closest(name: str, choices: Iterable[str]) -> str:
    """A ' (did you mean X?)' hint, or '' when nothing is close."""
    match = difflib.get_close_matches(name, list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{match[0]}'?)" if match else ""


def unknown(kind: str, name: str, choices: Iterable[str]) -> str:
    choices = sorted(set(choices))
    listing = ", ".join(f"'{c}'" for c in choices[:12]) + (" …" if len(choices) > 12 else "")
    return f"unknown {kind} '{name}'{closest(name, choices)}; expected one of: {listing or 'none defined'}"


def _duplicates(section: str, names: list[str]) -> Iterator[str]:
    for name, count in Counter(names).items():
        if count > 1:
            first = names.index(name)
            second = names.index(name, first + 1)
            yield f"{section}[{second}].name: duplicate name '{name}' (also {section}[{first}]); names must be unique"


def _hub_name_clashes(scenario: Scenario) -> Iterator[str]:
    """Assets named like a hub: both name entries of ``capacities`` in summary.json (``<asset>.energy_mwh`` beside
    ``<hub>.contracted_import_mw``), which would run together under one key."""
    hub_index = {h.name: j for j, h in reversed(list(enumerate(scenario.hubs)))}
    taken = set(hub_index) | {a.name for a in scenario.assets}
    for i, asset in enumerate(scenario.assets):
        if asset.name in hub_index:
            suggestion = f"{asset.type}-{asset.name}"
            example = f" (e.g. '{suggestion}')" if suggestion not in taken else ""
            yield (
                f"assets[{i}].name: '{asset.name}' is also the name of hubs[{hub_index[asset.name]}]; assets and hubs "
                f"share the capacities of summary.json, so give the asset a name no hub has{example}"
            )


def check_references(scenario: Scenario, solvers_dir: Path) -> list[str]:
    """Every problem between sections of a scenario, as messages naming the field path."""
    problems: list[str] = []
    problems += _duplicates("grid.segments", [s.name for s in scenario.grid.segments])
    problems += _duplicates("grid.ties", [t.name for t in scenario.grid.ties])
    problems += _duplicates("hubs", [h.name for h in scenario.hubs])
    problems += _duplicates("groups", [g.name for g in scenario.groups])
    problems += _duplicates("assets", [a.name for a in scenario.assets])
    problems += _duplicates("links", [link.name for link in scenario.links])
    problems += _hub_name_clashes(scenario)
    zones = [m.zone for m in scenario.markets]
    for zone, count in Counter(zones).items():
        if count > 1:
            problems.append(f"markets: zone '{zone}' is defined {count} times; one market per zone")
    segments = {s.name for s in scenario.grid.segments}
    hubs = {h.name for h in scenario.hubs}
    groups = {g.name for g in scenario.groups}
    for i, seg in enumerate(scenario.grid.segments):
        if seg.zone not in zones:
            problems.append(f"grid.segments[{i}].zone: {unknown('price zone', seg.zone, zones)} (markets[].zone)")
    for i, tie in enumerate(scenario.grid.ties):
        for end in ("from_bus", "to_bus"):
            seg_name = getattr(tie, end).split("/", 1)[0]
            if seg_name not in segments:
                problems.append(f"grid.ties[{i}].{end}: {unknown('segment', seg_name, segments)}")
    for i, hub in enumerate(scenario.hubs):
        if "/" not in hub.bus:
            problems.append(f"hubs[{i}].bus: '{hub.bus}' is not of the form 'segment/bus name'")
        elif hub.segment not in segments:
            problems.append(f"hubs[{i}].bus: {unknown('segment', hub.segment, segments)}")
        group = hub.connection.group
        if group is not None and group not in groups:
            problems.append(f"hubs[{i}].connection.group: {unknown('group', group, groups)} (groups[].name)")
    for i, grp in enumerate(scenario.groups):
        for j, member in enumerate(grp.hubs):
            if member not in hubs:
                problems.append(f"groups[{i}].hubs[{j}]: {unknown('hub', member, hubs)}")
    problems += _check_group_members(scenario)
    problems += _check_assets(scenario, hubs, segments)
    for i, link in enumerate(scenario.links):
        for end in ("from_hub", "to_hub"):
            if getattr(link, end) not in hubs:
                problems.append(f"links[{i}].{end}: {unknown('hub', getattr(link, end), hubs)}")
    presets = sorted(p.stem for p in solvers_dir.glob("*.opt"))
    if scenario.solver.preset not in presets:
        choice = unknown("solver preset", scenario.solver.preset, presets)
        problems.append(f"solver.preset: {choice} (files *.opt in {solvers_dir})")
    return problems


def _check_group_members(scenario: Scenario) -> list[str]:
    """A group's members are written twice, in ``groups[].hubs`` and in each member's ``connection.group``: both
    must agree, so that no hub is in a group by one half only, and no hub is in two groups (one GTO per connection)."""
    problems: list[str] = []
    hub_index = {h.name: i for i, h in enumerate(scenario.hubs)}
    group_index = {g.name: j for j, g in enumerate(scenario.groups)}
    for i, hub in enumerate(scenario.hubs):
        in_group = group_index.get(hub.connection.group or "")
        if in_group is not None and hub.name not in scenario.groups[in_group].hubs:
            problems.append(
                f"hubs[{i}].connection.group: hub '{hub.name}' names group '{hub.connection.group}', but "
                f"groups[{in_group}].hubs does not list it; add '{hub.name}' there or remove connection.group"
            )
    for j, grp in enumerate(scenario.groups):
        for k, member in enumerate(grp.hubs):
            at = hub_index.get(member)
            if at is None:  # an unknown hub: reported above
                continue
            named = scenario.hubs[at].connection.group
            if named != grp.name:
                names = "no group" if named is None else f"group '{named}'"
                problems.append(
                    f"groups[{j}].hubs[{k}]: hub '{member}' is listed, but hubs[{at}].connection.group names {names}; "
                    f"set it to '{grp.name}' (a hub is in one group at most)"
                )
    return problems


def _check_assets(scenario: Scenario, hubs: set[str], segments: set[str]) -> list[str]:
    problems: list[str] = []
    for i, asset in enumerate(scenario.assets):
        where = f"assets[{i}]"
        hub = asset.at_hub
        if hub is not None and hub not in hubs:
            problems.append(f"{where}.hub: {unknown('hub', hub, hubs)}")
        problems += asset.problems(where, segments)
    return problems
