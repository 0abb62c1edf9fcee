"""HiGHS options: presets in ``solvers/*.opt`` plus the scenario's overrides, checked against HiGHS itself.

A scenario file is input from other people: only the options of :data:`ALLOWED_OPTIONS` (none of which reads or
writes a file) are accepted, in presets as in scenarios; names are checked against HiGHS itself
(``getOptionType``), so an option HiGHS does not know is reported as unknown and one that touches files as such.
"""

from __future__ import annotations

from pathlib import Path

import highspy

from energyhub.errors import InputError
from energyhub.scenario.references import closest
from energyhub.scenario.schema import SolverSpec

OptionValue = bool | int | float | str


def read_preset(path: Path) -> dict[str, OptionValue]:
    """Parse a HiGHS options file (``name = value`` lines, ``#`` comments)."""
    if not path.is_file():
        raise InputError(f"{path}: solver preset file does not exist")
    options: dict[str, OptionValue] = {}
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        name, sep, value = (part.strip() for part in line.partition("="))
        if not sep or not name or not value:
            raise InputError(f"{path}: line {number}: expected 'name = value', got '{raw.strip()}'")
        options[name] = parse_value(value)
    return options


def parse_value(text: str) -> OptionValue:
    """A HiGHS option value from text (an option file, the command line): bool, int, float or string."""
    lowered = text.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


#: The HiGHS options a scenario or preset may set: every option of HiGHS 1.15 that cannot read or write a file and
#: does not change where HiGHS's output goes (documented in docs/scenario-format.md#solver).
ALLOWED_OPTIONS = frozenset({
    # algorithm and limits
    "presolve", "solver", "parallel", "threads", "run_crossover", "time_limit", "ranging", "random_seed",
    "blend_multi_objectives", "iis_strategy", "iis_time_limit",
    # tolerances and scaling
    "infinite_cost", "infinite_bound", "small_matrix_value", "large_matrix_value", "kkt_tolerance",
    "primal_feasibility_tolerance", "dual_feasibility_tolerance", "primal_residual_tolerance",
    "dual_residual_tolerance", "optimality_tolerance", "user_objective_scale", "user_bound_scale",
    # simplex, interior point, PDLP, QP
    "simplex_strategy", "simplex_scale_strategy", "simplex_dual_edge_weight_strategy",
    "simplex_primal_edge_weight_strategy", "simplex_iteration_limit", "simplex_update_limit",
    "simplex_max_concurrency", "ipm_optimality_tolerance", "ipm_iteration_limit", "hipo_system",
    "hipo_parallel_type", "hipo_ordering", "hipo_block_size", "pdlp_iteration_limit", "pdlp_scaling_mode",
    "pdlp_ruiz_iterations", "pdlp_restart_strategy", "pdlp_cupdlpc_restart_method", "pdlp_step_size_strategy",
    "pdlp_optimality_tolerance", "qp_allow_hot_start", "qp_iteration_limit", "qp_nullspace_limit",
    "qp_regularization_value",
    # MIP
    "mip_detect_symmetry", "mip_allow_restart", "mip_max_nodes", "mip_max_stall_nodes", "mip_max_start_nodes",
    "mip_root_presolve_only", "mip_lifting_for_probing", "mip_max_leaves", "mip_max_improving_sols",
    "mip_lp_age_limit", "mip_pool_age_limit", "mip_pool_soft_limit", "mip_pscost_minreliable",
    "mip_min_cliquetable_entries_for_parallelism", "mip_feasibility_tolerance", "mip_heuristic_effort",
    "mip_heuristic_run_feasibility_jump", "mip_heuristic_run_rins", "mip_heuristic_run_rens",
    "mip_heuristic_run_root_reduced_cost", "mip_heuristic_run_zi_round", "mip_heuristic_run_shifting",
    "mip_allow_cut_separation_at_nodes", "mip_rel_gap", "mip_abs_gap", "mip_lp_solver", "mip_ipm_solver",
    "mip_search_simulate_concurrency",
})

#: HiGHS options refused because they read or write files or redirect HiGHS's output (energyhub owns both).
FILE_OPTIONS = frozenset({
    "log_file", "solution_file", "write_solution_to_file", "write_solution_style", "write_model_file",
    "write_model_to_file", "write_presolved_model_file", "write_presolved_model_to_file", "write_iis_model_file",
    "write_basis_file", "read_solution_file", "read_basis_file", "mip_improving_solution_file",
    "mip_improving_solution_save", "mip_improving_solution_report_sparse", "glpsol_cost_row_location",
    "output_flag", "log_to_console", "mip_min_logging_interval",
})


#: HiGHS options refused because they make HiGHS stop short of the optimum: with a MIP, HiGHS 1.15 then reports a
#: worse solution as "optimal" (measured: objective_bound at half the optimum returned 2.6 x the optimum).
CUTOFF_OPTIONS = frozenset({"objective_bound", "objective_target"})


def _highs_knows(name: str) -> bool:
    """Whether HiGHS itself has an option ``name`` (advanced options included)."""
    status, _ = highspy.Highs().getOptionType(name)
    return bool(status == highspy.HighsStatus.kOk)


def check_name(name: str, where: str) -> None:
    """Refuse an option HiGHS does not know, or one that is not on :data:`ALLOWED_OPTIONS`, naming why."""
    if name in ALLOWED_OPTIONS:
        return
    if not _highs_knows(name):
        raise InputError(f"{where}: unknown HiGHS option '{name}'{closest(name, ALLOWED_OPTIONS)}")
    if name in FILE_OPTIONS:
        raise InputError(
            f"{where}: HiGHS option '{name}' reads or writes files or redirects HiGHS's output, which a scenario "
            "may not do (a scenario file is input from other people); remove it. energyhub writes its results "
            "only into --out"
        )
    if name in CUTOFF_OPTIONS:
        raise InputError(
            f"{where}: HiGHS option '{name}' makes HiGHS stop short of the optimum (a MIP may then report a worse "
            "solution as optimal); remove it, and use solver.mip_gap or solver.time_limit_s to stop earlier"
        )
    raise InputError(
        f"{where}: HiGHS option '{name}' is not among the options a scenario may set (see the allow-list in "
        "docs/scenario-format.md#solver); remove it"
    )


def check_options(options: dict[str, OptionValue], where: str) -> None:
    """Reject options that are unknown to HiGHS or not allowed, and values HiGHS refuses, naming the option."""
    highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    for name, value in options.items():
        check_name(name, where)
        if highs.setOptionValue(name, value) != highspy.HighsStatus.kOk:
            _, current = highs.getOptionValue(name)
            raise InputError(
                f"{where}: HiGHS refuses {name} = {value!r}; expected a value like {current!r} "
                f"(see the HiGHS options reference)"
            )


def resolve_options(spec: SolverSpec, solvers_dir: Path, scenario_file: Path | None = None) -> dict[str, OptionValue]:
    """Preset, then the scenario's named overrides, then its pass-through options; all checked.

    Errors in the overrides name ``scenario_file`` (when given) and the field ``solver.options``.
    """
    preset_path = solvers_dir / f"{spec.preset}.opt"
    options = read_preset(preset_path)
    check_options(options, str(preset_path))
    overrides: dict[str, OptionValue] = dict(spec.options)
    if spec.time_limit_s is not None:
        overrides["time_limit"] = float(spec.time_limit_s)
    if spec.mip_gap is not None:
        overrides["mip_rel_gap"] = float(spec.mip_gap)
    if spec.threads is not None:
        overrides["threads"] = int(spec.threads)
    check_options(overrides, f"{scenario_file}: solver.options" if scenario_file else "solver.options")
    options.update(overrides)
    return options
