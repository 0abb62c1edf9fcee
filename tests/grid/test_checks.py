"""Grid errors (islands, zero ratings, impedances and lengths, no external grid, malformed pandapower JSON) and grid
notes (no profiles, ``scaling`` 0, growth that acts on nothing): exit 2 naming segment, element and field, or a
note of the tool; never exit 0 with a wrong answer, never exit 1, never a raw Python warning."""

from __future__ import annotations

import ast
import json
import logging
import shutil
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandapower as pp
import pandas as pd
import pytest
import yaml
from click.testing import CliRunner, Result
from pandapower.auxiliary import pandapowerNet

import energyhub
from energyhub.cli import cli
from energyhub.errors import InputError
from energyhub.grid.build import build_grid
from energyhub.grid.checks import GridError
from energyhub.grid.network import TieSpec, merge_segments
from energyhub.grid.segments import read_pandapower_json, segment_from_shapes
from energyhub.grid.timeaxis import N_REFERENCE_STEPS
from energyhub.scenario.data import load

SMALL_DIR = Path(__file__).resolve().parents[1] / "data" / "small"
NetEdit = Callable[[pandapowerNet], None]


def tiny_net() -> pandapowerNet:
    """The small scenario's grid: HV Station -(Trafo 110/10)- Bus 1 - Bus 2 - Bus 3 - Bus 4, Bus 2 - Bus 5."""
    return read_pandapower_json(SMALL_DIR / "tiny_grid.json")


def small_copy(folder: Path, edit_net: NetEdit | None = None, edit_scenario: Callable[[dict], None] | None = None
               ) -> Path:
    """The small scenario in ``folder``, its grid JSON and scenario changed by the edits."""
    shutil.copytree(SMALL_DIR, folder, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    if edit_net is not None:
        net = tiny_net()
        edit_net(net)
        pp.to_json(net, str(folder / "tiny_grid.json"))
    path = folder / "scenario.yaml"
    if edit_scenario is not None:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        edit_scenario(data)
        path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def run(*args: str) -> Result:
    result = CliRunner().invoke(cli, list(args))
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


def set_value(table: str, row: int, column: str, value: object) -> NetEdit:
    def edit(net: pandapowerNet) -> None:
        net[table].at[net[table].index[row], column] = value

    return edit


def set_values(*edits: NetEdit) -> NetEdit:
    def edit(net: pandapowerNet) -> None:
        for e in edits:
            e(net)

    return edit


def no_ext_grid(net: pandapowerNet) -> None:
    net.ext_grid.drop(net.ext_grid.index, inplace=True)


def cut_bus_5(net: pandapowerNet) -> None:
    """Line 4 (Bus 2 - Bus 5) out of service: Bus 5 with 'Load Gronau' and 'Wind Farm' is an island."""
    net.line.loc[net.line["name"] == "Line 4", "in_service"] = False


def open_switch_to_bus_5(net: pandapowerNet) -> None:
    """The same island made by an open line switch on Line 4."""
    line = int(net.line.index[net.line["name"] == "Line 4"][0])
    pp.create_switch(net, bus=int(net.line.at[line, "from_bus"]), element=line, et="l", closed=False, name="S4")


BAD_GRIDS: dict[str, tuple[NetEdit, str]] = {
    "zero max_i_ka": (set_value("line", 1, "max_i_ka", 0.0), "line 'Line 2': max_i_ka is 0"),
    "zero df": (set_value("line", 1, "df", 0.0), "line 'Line 2': df is 0"),
    "zero parallel": (set_value("line", 2, "parallel", 0), "line 'Line 3': parallel is 0"),
    "zero length": (set_value("line", 0, "length_km", 0.0), "line 'Line 1': length_km is 0"),
    "zero impedance": (
        set_values(set_value("line", 3, "r_ohm_per_km", 0.0), set_value("line", 3, "x_ohm_per_km", 0.0)),
        "line 'Line 4': r_ohm_per_km 0, x_ohm_per_km 0, c_nf_per_km 273",
    ),
    "vkr_percent above vk_percent": (set_value("trafo", 0, "vkr_percent", 20.0),
                                     "trafo 'Trafo 110/10': vkr_percent 20 with vk_percent 12"),
    "zero sn_mva": (set_value("trafo", 0, "sn_mva", 0.0), "trafo 'Trafo 110/10': sn_mva is 0"),
    "zero trafo df": (set_value("trafo", 0, "df", 0.0), "trafo 'Trafo 110/10': df is 0"),
    "zero vk_percent": (set_value("trafo", 0, "vk_percent", 0.0), "trafo 'Trafo 110/10': vk_percent is 0"),
    "zero bus voltage": (set_value("bus", 2, "vn_kv", 0.0), "bus 'Bus 2': vn_kv is 0"),
    "zero external grid voltage": (set_value("ext_grid", 0, "vm_pu", 0.0), "ext_grid 'Grid Twente': vm_pu is 0"),
    "load that is not a number": (set_value("load", 0, "p_mw", float("nan")), "load 'Load Hengelo': p_mw is nan"),
    "no external grid": (no_ext_grid, "no in-service external grid (net.ext_grid"),
    "external grid out of service": (set_value("ext_grid", 0, "in_service", False), "no in-service external grid"),
    "island with a load": (cut_bus_5, "bus 'Bus 5' (load 'Load Gronau', sgen 'Wind Farm')"),
    "island behind an open switch": (open_switch_to_bus_5, "1 bus with loads or generators has no path to an "),
}


@pytest.mark.parametrize("case", list(BAD_GRIDS))
def test_merge_refuses_grids_it_cannot_model(case: str) -> None:
    edit, expected = BAD_GRIDS[case]
    net = tiny_net()
    edit(net)
    segment = segment_from_shapes(net, None, "tiny", origin=Path("tiny_grid.json"))
    with pytest.raises(GridError) as err:
        merge_segments([segment])
    assert [p.segment for p in err.value.problems] == ["tiny"]
    assert expected in err.value.problems[0].text


@pytest.mark.parametrize("verb", ["validate", "solve"])
@pytest.mark.parametrize("case", ["zero max_i_ka", "zero impedance", "zero length", "no external grid",
                                  "zero vk_percent", "island with a load", "zero bus voltage"])
def test_cli_exits_2_naming_segment_element_and_field(tmp_path: Path, verb: str, case: str) -> None:
    edit, expected = BAD_GRIDS[case]
    scenario = small_copy(tmp_path / "sc", edit)
    out = tmp_path / "out"
    result = run(verb, str(scenario), *(["--out", str(out), "--quiet"] if verb == "solve" else []))
    assert result.exit_code == 2, result.output
    assert result.output.startswith(f"error: {scenario}: grid.segments[0] (tiny: tiny_grid.json): ")
    assert expected in result.output.splitlines()[0]
    assert not out.exists()


def test_hub_on_an_empty_island_is_an_error(tmp_path: Path) -> None:
    """A bus with nothing on it and no connection is left out of the model, but a hub there would import from
    nowhere (before: 'optimal')."""

    def add_bus(net: pandapowerNet) -> None:
        pp.create_bus(net, vn_kv=10.0, name="Bus 6")

    def move_hub(data: dict) -> None:
        data["hubs"][1]["bus"] = "tiny/Bus 6"

    scenario = small_copy(tmp_path / "sc", add_bus, move_hub)
    result = run("solve", str(scenario), "--out", str(tmp_path / "out"), "--quiet")
    assert result.exit_code == 2, result.output
    assert f"error: {scenario}: hubs[1].bus: bus 'tiny/Bus 6' has no path to an external grid" in result.output


def test_hub_on_an_out_of_service_bus_is_an_error(tmp_path: Path) -> None:
    def bus_5_out(net: pandapowerNet) -> None:
        cut_bus_5(net)
        net.bus.loc[net.bus["name"] == "Bus 5", "in_service"] = False

    scenario = small_copy(tmp_path / "sc", bus_5_out)
    result = run("validate", str(scenario))
    assert result.exit_code == 2, result.output
    assert "hubs[1].bus: bus 'tiny/Bus 5' has no path to an external grid (it is out of service" in result.output


def test_unsupplied_buses_without_elements_are_left_out_with_a_note() -> None:
    """The documented rule: an in-service bus without supply and without loads/generators is fine (a note), and so
    is an out-of-service bus with its elements (pandapower ignores both)."""
    net = tiny_net()
    empty = pp.create_bus(net, vn_kv=10.0, name="Spare 1")
    out = pp.create_bus(net, vn_kv=10.0, name="Spare 2", in_service=False)
    pp.create_load(net, out, p_mw=1.0, name="Load on a bus out of service")
    grid = merge_segments([segment_from_shapes(net, None, "tiny", origin=Path("tiny_grid.json"))])
    supplied = dict(zip(grid.bus_names, grid.bus_supplied, strict=True))
    assert not supplied["tiny/Spare 1"] and not supplied["tiny/Spare 2"]
    assert sum(supplied.values()) == 6
    assert grid.notes == ["1 in-service bus without a path to an external grid carries no load or generator and is "
                          "left out of the model: 'tiny/Spare 1'"]
    assert empty in grid.net.bus.index


def test_a_tie_supplies_a_segment_without_external_grid() -> None:
    """A segment without an external grid of its own is fine when a tie connects it to one that has."""
    fed = segment_from_shapes(tiny_net(), None, "a", origin=Path("a.json"))
    net_b = tiny_net()
    no_ext_grid(net_b)
    unfed = segment_from_shapes(net_b, None, "b", origin=Path("b.json"))
    with pytest.raises(GridError, match="segment 'b': 3 buses with loads or generators have no path"):
        merge_segments([fed, unfed])
    grid = merge_segments([fed, unfed], [TieSpec("ab", "a/Bus 4", "b/Bus 4", 1.0)])
    assert grid.bus_supplied.all() and grid.n_bus == 12


def edit_json(text: str, table: str, column: str, row: str, value: object) -> str:
    """Change one cell of a table in pandapower's JSON (tables are DataFrame JSON strings in 'split' orient)."""
    data = json.loads(text)
    frame = json.loads(data["_object"][table]["_object"])
    frame["data"][frame["index"].index(int(row))][frame["columns"].index(column)] = value
    data["_object"][table]["_object"] = json.dumps(frame)
    return json.dumps(data)


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("table", "element table 'line' is a str, not a table"),
        ("bus", "line 'Line 3': to_bus 99 is not a bus of the grid"),
        ("number", "line 'Line 2': max_i_ka is 'lots'; it must be a number"),
        ("column", "table 'trafo' lacks the columns ['sn_mva']"),
    ],
)
@pytest.mark.parametrize("verb", ["validate", "solve"])
def test_malformed_pandapower_json_exits_2_naming_file_and_field(tmp_path: Path, verb: str, case: str,
                                                                  expected: str) -> None:
    """JSON that pandapower reads but whose tables energyhub cannot use (before: exit 1 'unexpected')."""
    scenario = small_copy(tmp_path / "sc")
    grid_file = tmp_path / "sc" / "tiny_grid.json"
    text = grid_file.read_text()
    if case == "table":
        data = json.loads(text)
        data["_object"]["line"] = "garbage"
        text = json.dumps(data)
    elif case == "bus":
        text = edit_json(text, "line", "to_bus", "2", 99)
    elif case == "number":
        text = edit_json(text, "line", "max_i_ka", "1", "lots")
    else:
        data = json.loads(text)
        frame = json.loads(data["_object"]["trafo"]["_object"])
        col = frame["columns"].index("sn_mva")
        frame["columns"].pop(col)
        for row in frame["data"]:
            row.pop(col)
        data["_object"]["trafo"]["_object"] = json.dumps(frame)
        data["_object"]["trafo"]["dtype"].pop("sn_mva", None)
        text = json.dumps(data)
    grid_file.write_text(text)
    out = tmp_path / "out"
    result = run(verb, str(scenario), *(["--out", str(out), "--quiet"] if verb == "solve" else []))
    assert result.exit_code == 2, result.output
    assert result.output.startswith(f"error: {scenario}: grid.segments[0].source: {grid_file}: {expected}"), (
        result.output
    )
    assert not out.exists()


def test_validate_says_when_scaling_0_leaves_growth_nothing_to_act_on(tmp_path: Path) -> None:
    """Generators with scaling 0 make growth.pv (1.5 in the small scenario) do nothing: validate says so."""

    def scaling_0(net: pandapowerNet) -> None:
        net.sgen["scaling"] = 0.0

    scenario = small_copy(tmp_path / "sc", scaling_0)
    result = run("validate", str(scenario))
    assert result.exit_code == 0, result.output
    grid_file = tmp_path / "sc" / "tiny_grid.json"
    notes = [line.removeprefix("  note      ") for line in result.output.splitlines() if line.startswith("  note")]
    assert notes == [
        f"{grid_file}: no profiles found; every load and sgen is held at its static p_mw/q_mvar in every time step",
        f"{grid_file}: 2 sgen rows have scaling 0 (PV Park, Wind Farm): energyhub takes p_mw × scaling, so they are "
        "0 in every step and growth.pv and growth.wind cannot change them; set scaling to 1 if they should count",
        f"{scenario}: grid.segments[0].growth.pv is 1.5 but segment 'tiny' has no in-service pv generators "
        "(sgen kind 'pv') with a power other than 0: the factor changes nothing",
    ]
    assert "Warning" not in result.output and ".py" not in result.output


def test_profile_gaps_are_an_error_naming_the_column(tmp_path: Path) -> None:
    """A profile with a gap (NaN) would make every value of its element NaN: refused, naming file and column."""
    net = tiny_net()
    net.load["profile_p"] = ["shape_a", ""]
    shapes = pd.DataFrame({"shape_a": np.ones(N_REFERENCE_STEPS)})
    shapes.loc[100, "shape_a"] = np.nan
    with pytest.raises(InputError, match=r"^p\.parquet: profile column 'shape_a' \(the profile_p of 'Load Hengelo'\)"):
        segment_from_shapes(net, shapes, "tiny", origin=Path("p.parquet"))


def test_scaling_is_folded_into_p_mw() -> None:
    net = tiny_net()
    net.sgen["scaling"] = [0.5, 0.0]
    segment = segment_from_shapes(net, None, "tiny", origin=Path("tiny_grid.json"))
    assert segment.sgen_p_mw[0].tolist() == [2.0, 0.0]
    assert segment.net.sgen["scaling"].tolist() == [1.0, 1.0]


def test_solve_logs_grid_notes_through_the_energyhub_logger(caplog: pytest.LogCaptureFixture) -> None:
    """The note on a grid without profiles reaches solve/baseline as a log line of the tool, not a UserWarning
    (pytest turns warnings into errors, so a warning would fail this test)."""
    data = load(SMALL_DIR / "scenario.yaml")
    with caplog.at_level(logging.WARNING, logger="energyhub.grid"):
        grid = build_grid(data)
    assert [r.name for r in caplog.records] == ["energyhub.grid"]
    assert caplog.records[0].getMessage() == grid.notes[0]
    assert "no profiles found" in grid.notes[0]
    caplog.clear()
    build_grid(data, log_notes=False)
    assert caplog.records == []


def test_grid_modules_import_each_other_only_at_module_level() -> None:
    """No import cycle hidden behind a function-local import (issue 13): every ``energyhub`` import of a grid
    module is at module level, and the module-level imports among grid modules form no cycle."""
    grid_dir = Path(energyhub.__file__).parent / "grid"
    graph: dict[str, set[str]] = {}
    for path in sorted(grid_dir.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        module = f"energyhub.grid.{path.stem}"
        graph[module] = {
            node.module for node in tree.body if isinstance(node, ast.ImportFrom) and node.module
            and node.module.startswith("energyhub.grid.")
        }
        local = [
            node.module if isinstance(node, ast.ImportFrom) else node.names[0].name
            for func in ast.walk(tree) if isinstance(func, ast.FunctionDef)
            for node in ast.walk(func) if isinstance(node, ast.Import | ast.ImportFrom)
        ]
        assert not [m for m in local if m and m.startswith("energyhub")], (module, local)

    def reaches(start: str, target: str, seen: set[str]) -> bool:
        return any(m == target or (m not in seen and reaches(m, target, seen | {m})) for m in graph.get(start, ()))

    assert [m for m in graph if reaches(m, m, set())] == []

