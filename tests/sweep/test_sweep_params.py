"""VALUES syntax, dotted paths, product vs zip, and validation of every point before solving (exit 2)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sweep_helpers import CAPEX, IMPORT, PRICE, run_cli
from toy_backend import TOY

from energyhub.errors import InputError
from energyhub.sweep.params import Param, parse_param, parse_values
from energyhub.sweep.spec import make_points, make_spec, point_id


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("10,20,40", (10, 20, 40)),
        ("1.5, 2", (1.5, 2)),
        ("lin:0:100:5", (0.0, 25.0, 50.0, 75.0, 100.0)),
        ("log:1:1000:4", (1.0, 10.0, 100.0, 1000.0)),
        ("lin:3:3:1", (3.0,)),
        ("true,false", (True, False)),
        ("15min,1h", ("15min", "1h")),
    ],
)
def test_values(text: str, expected: tuple[object, ...]) -> None:
    assert parse_values(text, "x") == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("lin:0:100", "a range is 'lin:START:STOP:N'"),
        ("log:0:10:3", "START and STOP > 0"),
        ("lin:0:1:0", "N must be ≥ 1"),
        ("lin:a:1:2", "numbers START, STOP"),
        ("1,2,1", "repeated value(s) 1"),
        ("1,,2", "empty or unsupported value"),
    ],
)
def test_bad_values(text: str, message: str) -> None:
    with pytest.raises(InputError, match="x: ") as err:
        parse_values(text, "x")
    assert message in str(err.value)


def test_param_needs_equals() -> None:
    with pytest.raises(InputError, match="expected PATH=VALUES"):
        parse_param("hubs.hengelo.connection.import_mw")


def test_product_is_snake_ordered(scenario: Path) -> None:
    spec = make_spec(scenario, [Param(PRICE, (1, 2)), Param(IMPORT, (3, 4, 5))], False)
    rows = [tuple(p.values.values()) for p in make_points(spec)]
    assert rows == [(1, 3), (1, 4), (1, 5), (2, 5), (2, 4), (2, 3)]  # neighbours differ in one step


def test_zip_pairs_values(scenario: Path) -> None:
    spec = make_spec(scenario, [Param(PRICE, (1, 2)), Param(IMPORT, (3, 4))], True)
    assert [tuple(p.values.values()) for p in make_points(spec)] == [(1, 3), (2, 4)]
    bad = make_spec(scenario, [Param(PRICE, (1, 2)), Param(IMPORT, (3, 4, 5))], True)
    with pytest.raises(InputError, match=f"same number of values for every parameter; got {PRICE}: 2, {IMPORT}: 3"):
        make_points(bad)


def test_point_id_is_stable_and_order_free() -> None:
    assert point_id({"a": 1, "b": 2.5}) == point_id({"b": 2.5, "a": 1})
    assert point_id({"a": 1}) != point_id({"a": 1.0}) != point_id({"a": 2})
    assert len(point_id({"a": 1})) == 12


@pytest.mark.parametrize(
    ("param", "message"),
    [
        ("hubs.hengelo2.connection.import_mw=1,2", "unknown hub 'hengelo2' (did you mean 'hengelo'?)"),
        ("assets.battery-hengel.energy_mwh.capex_eur_per_mwh=1", "unknown asset 'battery-hengel' (did you mean"),
        ("markets.DE.co2_price_eur_per_t=1", "unknown market zone 'DE'; expected one of: 'NL'"),
        ("hubs.hengelo.connection.import_kw=1", f"no such parameter in the scenario (did you mean '{IMPORT}'?)"),
        ("hubs.hengelo.connection=1", "is a section or list, not a value (did you mean 'hubs.hengelo.connection."),
        ("economics.voll_eur_per_mwh=-5", "economics.voll_eur_per_mwh: Input should be greater than or equal to 0"),
        (f"{IMPORT}=2,-1", f"sweep point {IMPORT}=-1 is not a valid scenario"),
        ("assets.electrolyser-hengelo.stacks.max=2.5", "stacks.max"),
    ],
)
def test_invalid_params_exit_2_before_solving(scenario: Path, tmp_path: Path, param: str, message: str) -> None:
    out = tmp_path / "out"
    result = run_cli(str(scenario), "--param", param, "--solver", TOY, "--out", str(out))
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert not (out / "points").exists()  # nothing was started


def test_absent_section_can_be_swept(scenario: Path, tmp_path: Path) -> None:
    """A path into a section the scenario leaves out (hub tariffs of boekelo) is created on the copy."""
    spec = make_spec(scenario, [parse_param("hubs.boekelo.tariffs.energy_eur_per_mwh=1,2")], False)
    from energyhub.sweep.spec import validate_spec

    validate_spec(spec, make_points(spec))


def test_sweep_file(scenario: Path, tmp_path: Path) -> None:
    sweep_file = tmp_path / "sweep.yaml"
    sweep_file.write_text(
        f"scenario: {scenario}\nzip: true\nparams:\n  {PRICE}: [40, 80]\n  {CAPEX}: 'lin:1e9:2e9:2'\n",
        encoding="utf-8",
    )
    spec = make_spec(sweep_file, [], False)
    assert spec.zip and spec.scenario_path == scenario
    assert [p.values for p in spec.params] == [(40, 80), (1e9, 2e9)]
    sweep_file.write_text(f"scenario: {scenario}\nparam: {{}}\n", encoding="utf-8")
    result = run_cli(str(sweep_file), "--out", str(tmp_path / "o"))
    assert result.exit_code == 2 and "unknown key 'param' (did you mean 'params'?)" in result.output


def test_no_params(scenario: Path, tmp_path: Path) -> None:
    result = run_cli(str(scenario), "--out", str(tmp_path / "o"))
    assert result.exit_code == 2 and "no parameters to sweep" in result.output
