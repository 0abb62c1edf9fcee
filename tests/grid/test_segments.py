"""Loading segments, the reference-year time axis and bad input."""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np
import pandapower as pp
import pandas as pd
import pytest

from energyhub.errors import InputError
from energyhub.grid.segments import Segment, load_segment, reference_positions, sample
from energyhub.grid.timeaxis import N_REFERENCE_STEPS


@pytest.mark.parametrize("name", ["twente", "muensterland"])
def test_shipped_segment_loads_fast_and_complete(name: str) -> None:
    start = time.perf_counter()
    seg = load_segment(name, name, Path.cwd())
    assert time.perf_counter() - start < 3.0  # benchmark: about 0.1-0.4 s
    net = seg.net
    for table in ("bus", "line", "trafo", "load", "sgen"):
        names = net[table]["name"]
        assert names.is_unique and (names.astype(str).str.len() > 0).all()
    assert seg.load_p_mw.shape == (N_REFERENCE_STEPS, len(net.load))
    assert seg.sgen_p_mw.shape == (N_REFERENCE_STEPS, len(net.sgen))
    assert set(seg.sgen_kind) <= {"pv", "wind", "other"}
    assert np.isfinite(seg.load_p_mw).all() and seg.load_p_mw.max() > 0


def test_twente_is_named_after_its_places(segments: dict[str, Segment]) -> None:
    names = set(segments["twente"].net.bus["name"])
    assert {"Hengelo Twentekanaal 10kV", "Enschede Marssteden 10kV", "Almelo XL Businesspark 10kV"} <= names
    assert 40 <= len(names) <= 120
    kinds = segments["twente"].sgen_kind
    assert "pv" in kinds and "wind" in kinds


def test_pv_profiles_are_zero_at_night(segments: dict[str, Segment]) -> None:
    seg = segments["twente"]
    pv = seg.sgen_p_mw[:, np.asarray(seg.sgen_kind) == "pv"]
    midnight = reference_positions(pd.DatetimeIndex(pd.date_range("2030-01-01", periods=365, freq="D")))
    assert np.abs(pv[midnight]).max() < 1e-6


def test_reference_positions() -> None:
    times = pd.DatetimeIndex(["2030-01-01 00:00", "2030-12-31 23:45", "2028-02-29 10:15", "2028-02-28 10:15",
                              "2028-03-01 00:00"])
    pos = reference_positions(times)
    assert pos.tolist() == [0, N_REFERENCE_STEPS - 1, 58 * 96 + 41, 58 * 96 + 41, 59 * 96]


def test_sample_means_quarter_hours() -> None:
    profile = np.arange(N_REFERENCE_STEPS, dtype=float)[:, None]
    times = pd.DatetimeIndex(["2030-01-01 10:00", "2030-12-31 23:00"])
    out = sample(profile, times, 60)
    assert out[:, 0].tolist() == [(40 + 41 + 42 + 43) / 4, (35036 + 35037 + 35038 + 35039) / 4]
    assert sample(profile, times, 15)[:, 0].tolist() == [40, 35036]


def test_unknown_network_name_lists_available(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="twente") as err:
        load_segment("nowhere", "x", tmp_path)
    assert "nowhere" in str(err.value)


def test_json_that_is_not_a_grid_names_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "grid.json"
    bad.write_text(json.dumps({"hello": "world"}))
    with pytest.raises(InputError, match=r"grid\.json"):
        load_segment(str(bad), "x", tmp_path)
    garbage = tmp_path / "broken.json"
    garbage.write_text("{not json")
    with pytest.raises(InputError, match=r"broken\.json"):
        load_segment("broken.json", "x", tmp_path)


def test_unknown_simbench_code_suggests_close_codes(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="1-HV-mixed--2-no_sw"):
        load_segment("simbench:1-HV-mixd--2-no_sw", "x", tmp_path)


def test_plain_json_without_profiles_notes_and_holds_static_values(tmp_path: Path) -> None:
    """No profiles: a note of the tool on the segment (never a Python warning: pytest runs with -W error)."""
    net = pp.create_empty_network()
    a = pp.create_bus(net, 10.0, name="a")
    b = pp.create_bus(net, 10.0, name="b")
    pp.create_ext_grid(net, a, name="grid")
    pp.create_line(net, a, b, 1.0, "NA2XS2Y 1x240 RM/25 6/10 kV", name="l")
    pp.create_load(net, b, p_mw=2.0, q_mvar=0.5, name="load", scaling=0.5)
    pp.create_sgen(net, b, p_mw=1.0, name="pv")
    path = tmp_path / "small.json"
    pp.to_json(net, str(path))
    seg = load_segment(str(path), "small", tmp_path)
    assert seg.notes == [f"{path}: no profiles found; every load and sgen is held at its static p_mw/q_mvar "
                         "in every time step"]
    assert np.all(seg.load_p_mw == 1.0) and np.all(seg.load_q_mvar == 0.25)
    assert seg.sgen_kind == ["other"]
