"""``energyhub export``: tables, units in column names, round trip against results.nc, atomic writing."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr
from click.testing import CliRunner

from energyhub.cli import cli
from energyhub.results import export as export_module
from energyhub.results.export import export_result

FORMATS = ("csv", "parquet", "xlsx")
TIME_VARS = ("p_mw", "soc_mwh", "h2_level_kg", "gas_level_mwh", "h2_kg_per_h", "units_on", "import_mw", "export_mw",
             "demand_mw", "generation_used_mw", "loading_ac_before_pct", "loading_ac_after_pct", "loading_pct",
             "flow_mw", "overload_mw", "vm_before_pu", "vm_after_pu", "price_eur_per_mwh", "link_flow")


def read_tables(folder: Path, fmt: str) -> dict[str, pd.DataFrame]:
    """Read every table of a csv/parquet export back."""
    if fmt == "csv":
        return {f.stem: pd.read_csv(f, parse_dates=["time"] if "time" in pd.read_csv(f, nrows=0).columns else False)
                for f in folder.glob("*.csv")}
    return {f.stem: pd.read_parquet(f) for f in folder.glob("*.parquet")}


def from_long(tables: dict[str, pd.DataFrame], var: str, element: str) -> pd.DataFrame:
    """The (time × element) grid of ``var`` from whichever long table holds it."""
    holder = next(t for t in tables.values() if var in t.columns)
    return holder.pivot(index="time", columns=element, values=var)


@pytest.mark.parametrize("fmt", FORMATS)
def test_round_trip_equals_results_nc(solve_dir: Path, tmp_path: Path, fmt: str) -> None:
    out = export_result(solve_dir, fmt, tmp_path / "out")  # type: ignore[arg-type]
    ds = xr.open_dataset(solve_dir / "results.nc", engine="h5netcdf").load()
    workbook = next(out.glob("*.xlsx"), None)
    tables = read_tables(out, fmt) if fmt != "xlsx" else {}
    sheets = pd.read_excel(workbook, sheet_name=list(TIME_VARS), index_col=0, engine="openpyxl") if workbook else {}
    for var in TIME_VARS:
        element = str(ds[var].dims[1])
        expected = ds[var].to_pandas()
        got = sheets[var] if workbook else from_long(tables, var, element)
        got = got.reindex(index=expected.index, columns=expected.columns)
        assert pd.DatetimeIndex(got.index).equals(pd.DatetimeIndex(expected.index)), var
        # results.nc keeps time series as float32; a CSV holds their shortest decimal form (float32-exact)
        rtol = 1e-12 if expected.dtypes.eq(np.float64).all() else 1e-6
        np.testing.assert_allclose(got.to_numpy(dtype=float), expected.to_numpy(dtype=float), rtol=rtol,
                                   equal_nan=True, err_msg=f"{fmt}: {var}")


@pytest.mark.parametrize("fmt", ("csv", "parquet"))
def test_tables_are_long_with_units_in_column_names(solve_dir: Path, tmp_path: Path, fmt: str) -> None:
    tables = read_tables(export_result(solve_dir, fmt, tmp_path / "out"), fmt)  # type: ignore[arg-type]
    assert {"asset_dispatch", "asset_storage", "hub_exchange", "hub_balance", "hub_hydrogen", "branch_loading",
            "branches", "bus_voltage", "link_flow", "time_weight", "capacities", "costs", "kpis", "hubs",
            "run"} <= set(tables)
    assert list(tables["asset_dispatch"].columns) == ["time", "asset", "asset_type", "asset_hub", "p_mw",
                                                      "h2_kg_per_h", "units_on"]
    assert list(tables["branch_loading"].columns)[:3] == ["time", "branch", "branch_kind"]
    assert len(tables["branch_loading"]) == 168 * 5
    assert list(tables["branches"].columns) == ["branch", "branch_kind", "limit_mw"]
    storage = tables["asset_storage"]  # storage assets only (the electrolyser has no level)
    assert set(storage["asset"]) == {"battery-hengelo", "biogas-boekelo", "h2-store-hengelo"}
    types = tables["asset_dispatch"].drop_duplicates("asset").set_index("asset")
    assert types.loc["electrolyser-hengelo", "asset_type"] == "electrolyser"
    assert types.loc["biogas-boekelo", "asset_hub"] == "boekelo"
    summary = json.loads((solve_dir / "summary.json").read_text())
    caps = tables["capacities"].set_index("asset")
    assert set(caps.index) == set(summary["scenario_brief"]["assets"])  # hubs are not assets
    assert caps.loc["biogas-boekelo", "storage_mwh"] == summary["capacities"]["biogas-boekelo"]["storage_mwh"]
    assert caps.loc["cable-line-2", "asset_type"] == "reinforcement"
    costs = tables["costs"].set_index("category")
    assert "total" not in costs.index
    np.testing.assert_allclose(costs["cost_eur"].sum(), summary["objective_eur"], rtol=1e-9)
    np.testing.assert_allclose(costs["share_pct"].sum(), 100.0)
    assert costs.loc["export_revenue", "cost_eur"] < 0
    hubs = tables["hubs"].set_index("hub")
    assert hubs.loc["hengelo", "gtv_import_mw"] == summary["hubs"]["hengelo"]["import_mw"]
    assert hubs.loc["hengelo", "contracted_import_mw"] == summary["capacities"]["hengelo"]["contracted_import_mw"]
    kpis = tables["kpis"]
    peak = kpis[(kpis["kpi"] == "peak_import_mw") & (kpis["hub"] == "boekelo")]
    assert peak["unit"].item() == "MW"
    assert kpis.loc[kpis["kpi"] == "max_loading_pct_before", "unit"].item() == "%"
    assert kpis.loc[kpis["kpi"] == "ac_nonconverged_steps_after", "unit"].item() == "steps"
    run = tables["run"].set_index("key")["value"]
    assert {"timings_s.total", "solver_timings_s.solve", "model_size.columns"} <= set(run.index)


def test_workbook_has_summary_and_data_sheets(solve_dir: Path, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    workbook = next(export_result(solve_dir, "xlsx", tmp_path / "out").glob("*.xlsx"))
    book = load_workbook(workbook, read_only=True)
    assert book.sheetnames[0] == "summary"
    assert {"capacities", "costs", "kpis", "p_mw", "loading_ac_after_pct", "vm_after_pu"} <= set(book.sheetnames)
    text = [str(c) for row in book["summary"].iter_rows(values_only=True) for c in row if c is not None]
    for expected in ("Scenario in brief", "Sized assets", "Energy (MWh)", "Annual costs by category", "Key KPIs",
                     "Overloaded branch-hours (h)", "battery-hengelo", "Total", "ac_nonconverged_steps_after (count)"):
        assert any(t.startswith(expected) for t in text), expected
    book.close()


def test_excel_rows_are_split_beyond_the_sheet_limit(solve_dir: Path, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from energyhub.results import report_xlsx

    monkeypatch.setattr(report_xlsx, "MAX_ROWS", 101)  # 100 data rows per sheet: 168 steps need two
    workbook = next(export_result(solve_dir, "xlsx", tmp_path / "out").glob("*.xlsx"))
    sheets = pd.read_excel(workbook, sheet_name=["p_mw_1", "p_mw_2"], index_col=0, engine="openpyxl")
    first, second = sheets["p_mw_1"], sheets["p_mw_2"]
    assert len(first) == 100 and len(second) == 68
    expected = xr.open_dataset(solve_dir / "results.nc", engine="h5netcdf")["p_mw"].to_pandas()
    np.testing.assert_allclose(pd.concat([first, second]).to_numpy(dtype=float), expected.to_numpy())


@pytest.mark.parametrize("kind", ("baseline", "sweep"))
def test_baseline_and_sweep_export(make_dir: Callable[..., Path], tmp_path: Path, kind: str) -> None:
    directory = make_dir(kind)
    tables = read_tables(export_result(directory, "parquet", tmp_path / "out"), "parquet")
    if kind == "baseline":
        assert {"baseline_branch_loading", "baseline_bus_voltage", "baseline_branches", "baseline_buses",
                "baseline_totals"} <= set(tables)
        assert "loading_dc_pct" in tables["baseline_branch_loading"].columns
        assert "baseline_top_branches" not in tables  # nothing is congested in the small scenario
    else:
        assert len(tables["sweep_points"]) == 6
        assert "objective_eur" in tables["sweep_objective_eur"].columns
    export_result(directory, "xlsx", tmp_path / "xlsx")


def test_congested_baseline_lists_top_branches(make_dir: Callable[..., Path], tmp_path: Path) -> None:
    directory = make_dir("baseline", congested=True)
    tables = read_tables(export_result(directory, "csv", tmp_path / "out"), "csv")
    top = tables["baseline_top_branches"]
    assert list(top.columns[:3]) == ["flow", "branch", "overloaded_h"]
    assert (top["flow"] == "ac").all() and top.iloc[0]["branch"] == "tiny/Line 3"
    assert "congested_hours_of_day" in top.columns and " h" in top.iloc[0]["congested_hours_of_day"]
    export_result(directory, "xlsx", tmp_path / "xlsx")


def test_export_without_hydrogen(make_dir: Callable[..., Path], tmp_path: Path) -> None:
    directory = make_dir("solve", with_hydrogen=False)
    tables = read_tables(export_result(directory, "csv", tmp_path / "out"), "csv")
    assert "h2_level_kg" not in tables["asset_storage"].columns


def test_export_replaces_an_earlier_export_and_keeps_it_on_failure(
    solve_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    export_result(solve_dir, "csv", out)
    (out / "costs.csv").write_text("old")  # a file the export wrote: replaced with it
    export_result(solve_dir, "csv", out)
    assert (out / "costs.csv").read_text() != "old"
    before = sorted(p.name for p in out.iterdir())

    def boom(*_: object) -> list[str]:
        raise OSError("disk full")

    monkeypatch.setattr(export_module, "write_tables", boom)
    with pytest.raises(OSError, match="disk full"):
        export_result(solve_dir, "csv", out)
    assert sorted(p.name for p in out.iterdir()) == before
    assert [p.name for p in tmp_path.iterdir()] == ["out"]  # no temporary directory left behind
    assert json.loads((out / "export.json").read_text())["format"] == "csv"


def test_export_refuses_to_replace_a_foreign_directory(solve_dir: Path, tmp_path: Path) -> None:
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "thesis.docx").write_text("precious")
    result = CliRunner().invoke(cli, ["export", str(solve_dir), "--format", "csv", "--out", str(foreign)])
    assert result.exit_code == 2
    assert "is not an energyhub export" in result.output
    assert (foreign / "thesis.docx").read_text() == "precious"


def test_export_keeps_a_file_a_user_added_to_an_earlier_export(solve_dir: Path, tmp_path: Path) -> None:
    """An earlier export is replaced as a whole only while it holds nothing but what energyhub wrote there."""
    out = tmp_path / "out"
    export_result(solve_dir, "csv", out)
    (out / "notes.txt").write_text("precious")
    result = CliRunner().invoke(cli, ["export", str(solve_dir), "--format", "csv", "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert "holds files energyhub did not write (notes.txt)" in result.output
    assert (out / "notes.txt").read_text() == "precious"


def test_cli_export_default_out(tmp_path: Path, solve_dir: Path) -> None:
    directory = tmp_path / "solve"
    shutil.copytree(solve_dir, directory)
    result = CliRunner().invoke(cli, ["export", str(directory), "--format", "parquet"])
    assert result.exit_code == 0, result.output
    assert (directory / "export-parquet" / "asset_dispatch.parquet").is_file()


def test_xlsx_cells_are_exact_with_empty_cells_for_nan(solve_dir: Path, tmp_path: Path) -> None:
    """The wide sheets hold every number of results.nc to the last bit, times as dates, NaN as empty cells."""
    from openpyxl import load_workbook

    from energyhub.results.report_xlsx import TIME_FORMAT

    workbook = next(export_result(solve_dir, "xlsx", tmp_path / "out").glob("*.xlsx"))
    ds = xr.open_dataset(solve_dir / "results.nc", engine="h5netcdf").load()
    book = load_workbook(workbook)  # not read-only: number formats are read too
    for var in ("p_mw", "soc_mwh", "loading_ac_after_pct", "vm_after_pu"):
        expected = ds[var].to_pandas()
        sheet = book[var]
        assert [c.value for c in sheet[1]] == ["time", *map(str, expected.columns)]
        assert sheet.max_row == len(expected) + 1 and sheet.max_column == expected.shape[1] + 1
        for row in (0, 57, len(expected) - 1):
            cells = sheet[row + 2]
            assert cells[0].value == expected.index[row].to_pydatetime() and cells[0].number_format == TIME_FORMAT
            for cell, value in zip(cells[1:], expected.iloc[row], strict=True):
                assert cell.value is None if np.isnan(value) else cell.value == value, (var, row, cell.coordinate)
    assert ds["soc_mwh"].isnull().any()  # the storage levels of assets without storage: empty cells above
    book.close()


def test_grid_rows_leave_non_finite_cells_empty() -> None:
    from energyhub.results.report_xlsx import Grid, grid_rows

    grid = Grid("x", "x", np.array([47484.0, 47484.25]), np.array([[1.5, np.nan], [-np.inf, 1e-20]]))
    assert "".join(grid_rows(grid, 7)) == (
        '<row r="2"><c r="A2" s="7"><v>47484.0</v></c><c r="B2"><v>1.5</v></c></row>'
        '<row r="3"><c r="A3" s="7"><v>47484.25</v></c><c r="C3"><v>1e-20</v></c></row>')


@pytest.mark.parametrize("fmt", ("csv", "xlsx"))
def test_export_reports_progress_unless_quiet(solve_dir: Path, tmp_path: Path, fmt: str) -> None:
    import subprocess
    import sys

    command = [sys.executable, "-m", "energyhub", "export", str(solve_dir), "--format", fmt]
    loud = subprocess.run([*command, "--out", str(tmp_path / "loud")], capture_output=True, text=True, check=True)
    lines = loud.stderr.splitlines()
    assert any(f"export: solve directory {solve_dir} as {fmt}" in line for line in lines), loud.stderr
    steps = [line for line in lines if line.split(" ", 1)[-1].startswith(f"{fmt}: ")]
    total = int(steps[-1].rsplit("/", 1)[-1].rstrip("]"))
    assert steps[-1].endswith(f"[{total}/{total}]") and total >= 10, loud.stderr
    if fmt == "xlsx":
        assert any("xlsx: loading_ac_after_pct (168 × " in line for line in steps), loud.stderr
    quiet = subprocess.run([*command, "--out", str(tmp_path / "quiet"), "--quiet"], capture_output=True, text=True,
                           check=True)
    assert quiet.stderr == ""


SOFFICE = shutil.which("soffice")


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice is not on PATH (apt-get install libreoffice-calc-nogui)")
def test_libreoffice_reads_every_wide_sheet_back(solve_dir: Path, tmp_path: Path) -> None:
    """A real spreadsheet application opens the workbook (whose sheet rows are assembled by energyhub) and finds
    the numbers and times of results.nc in every wide sheet."""
    import subprocess

    from energyhub.results.report_xlsx import wide_variables

    workbook = next(export_result(solve_dir, "xlsx", tmp_path / "out").glob("*.xlsx"))
    csv_filter = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"  # -1: every sheet
    subprocess.run([str(SOFFICE), "--headless", f"-env:UserInstallation={(tmp_path / 'lo').as_uri()}",
                    "--convert-to", csv_filter, "--outdir", str(tmp_path / "csv"), str(workbook)],
                   check=True, capture_output=True, timeout=300)
    ds = xr.open_dataset(solve_dir / "results.nc", engine="h5netcdf").load()
    names = wide_variables(ds)
    assert len(names) > 15
    for var in names:
        got = pd.read_csv(tmp_path / "csv" / f"{workbook.stem}-{var}.csv", index_col=0)
        expected = ds[var].to_pandas()
        assert list(got.columns) == [str(c) for c in expected.columns], var
        assert pd.DatetimeIndex(pd.to_datetime(got.index)).equals(pd.DatetimeIndex(expected.index)), var
        # LibreOffice writes CSV numbers with 15 significant digits
        np.testing.assert_allclose(got.to_numpy(dtype=float), expected.to_numpy(), rtol=1e-13, atol=1e-300,
                                   equal_nan=True, err_msg=var)
