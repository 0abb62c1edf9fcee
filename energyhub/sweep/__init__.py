"""Parameter sweeps: grids of scenario variants solved in parallel, re-solving live models, resumable.

``params`` (VALUES syntax, dotted paths) → ``spec`` (points, ids, order, validation) → ``worker``/``executors``
(local processes or dask.distributed) with ``points`` (cold or re-solving point solvers) → ``store`` (atomic point
directories, manifest) → ``collect`` (``sweep.csv``, ``sweep.nc``). ``run.run_sweep`` ties them
together (the tests' stand-in LP backend is ``tests/sweep/toy_backend.py``). See ``docs/sweeps.md``.
"""
