"""The model's base flows: anchored on the AC power flow (``grid.base_flow: ac``) or pure DC (``dc``)."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
import yaml

from energyhub.grid.build import hub_own_output_mw
from energyhub.pipeline import Prepared, Timings, model_inputs, prepare

SMALL = Path(__file__).parents[1] / "data" / "small" / "scenario.yaml"


def _prepared(tmp_path: Path, base_flow: str) -> Prepared:
    raw = yaml.safe_load(SMALL.read_text())
    raw["grid"]["base_flow"] = base_flow
    for item in SMALL.parent.iterdir():
        if item.name != SMALL.name:
            shutil.copy(item, tmp_path / item.name)  # a symbolic link would lead out of the folder
    path = tmp_path / "scenario.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False))
    return prepare(path, Timings())


def test_ac_base_flow_reproduces_the_ac_flow_without_assets(tmp_path: Path) -> None:
    prep = _prepared(tmp_path, "ac")
    inputs = model_inputs(prep, Timings())
    own_mw = hub_own_output_mw(prep.data)
    model_before = inputs.base_flow_mw + own_mw @ inputs.ptdf_hub.T  # the model's flow at the hubs' own output
    ac = prep.ac_before()
    assert ac.converged.all()
    ac_mva = ac.loading_pct / 100.0 * inputs.rating_mva
    np.testing.assert_allclose(np.abs(model_before), ac_mva, rtol=1e-9, atol=1e-9)
    dc_before = prep.grid.dc_flows_mw(prep.fixed_injections_mw()) + own_mw @ inputs.ptdf_hub.T
    signs_agree = np.sign(model_before) == np.sign(dc_before)
    assert signs_agree[np.abs(dc_before) > 1e-9].all()
    # AC differs from DC by losses and reactive flow: the anchoring is not a no-op on this grid
    assert np.abs(np.abs(model_before) - np.abs(dc_before)).max() > 0.01


def test_dc_base_flow_is_the_ptdf_flow_of_the_fixed_elements(tmp_path: Path) -> None:
    prep = _prepared(tmp_path, "dc")
    inputs = model_inputs(prep, Timings())
    expected = prep.grid.dc_flows_mw(prep.fixed_injections_mw())
    np.testing.assert_allclose(inputs.base_flow_mw, expected, rtol=0, atol=1e-12)


@pytest.mark.parametrize("sign", [1.0, -1.0])
def test_anchoring_keeps_the_dc_flow_where_ac_did_not_converge(sign: float) -> None:
    from energyhub.model.inputs import GridInputs, ac_anchored_base_flow

    inputs = GridInputs(["b"], np.array([10.0]), np.array([[sign * 4.0], [sign * 6.0]]), np.array([[0.5]]), ["h"],
                        rating_mva=np.array([20.0]))
    own = np.array([[2.0], [2.0]])  # hub exports 2 MW: DC flow before = base + 0.5 × 2
    loading = np.array([[30.0], [np.nan]])  # step 0: AC 6 MVA; step 1: not converged
    base = ac_anchored_base_flow(inputs, own, loading)
    np.testing.assert_allclose(base[:, 0] + 0.5 * 2.0, [np.sign(sign * 4.0 + 1.0) * 6.0, sign * 6.0 + 1.0])
