"""What a sweep's live model holds: build it for a scenario (no solve) and print its stages, columns, build time
and the peak resident memory of this process.

    python benchmarks/live_build.py scenarios/twente-muensterland-regional-2030.yaml

To compare with another commit, run it with ``PYTHONPATH`` on a ``git worktree`` of that commit.
"""

from __future__ import annotations

import argparse
import resource
import time
from pathlib import Path

import energyhub
from energyhub.scenario.load import load_scenario
from energyhub.sweep.live import LiveModel
from energyhub.sweep.points import PipelineBackend


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("scenario", type=Path)
    path = parser.parse_args().scenario
    t0 = time.perf_counter()
    model = PipelineBackend().build(load_scenario(path), path)
    build_s = time.perf_counter() - t0
    assert isinstance(model, LiveModel)
    stages = ["sizing" if stage is model.sizing else "full horizon" for stage in model.stages]
    columns = sum(stage.cm.n_cols for stage in model.stages)
    peak_gib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20  # kB on Linux
    print(f"energyhub from {Path(energyhub.__file__).parent}: stages {stages}, {columns:,} columns, "
          f"built in {build_s:.1f} s, peak {peak_gib:.2f} GiB")


if __name__ == "__main__":
    main()
