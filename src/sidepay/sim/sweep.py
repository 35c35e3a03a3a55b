"""Parameter sweeps: many grid points x replications, on a process pool or a Dask cluster.

The public face of the three sweep modules, which split the job:

* planning, ``sidepay.sim.grid``: :class:`SweepGrid`, :func:`load_grid`, seeds, tasks;
* execution, ``sidepay.sim.sweep_run``: :func:`run_sweep`, :class:`SweepSummary`,
  :func:`sweep_progress`;
* storage, ``sidepay.sim.sweep_store``: parts, manifest, :func:`read_sweep`,
  :func:`sweep_parts`.

Examples
--------
>>> import tempfile
>>> g = SweepGrid(axes={"params.rho": [0.5, 2.0]}, reps=2, periods=3, seed=1)
>>> g.n_points, [t.name for t in g.tasks()][0]
(2, 'point-00000_reps-000000-000002')
>>> s = run_sweep(g, tempfile.mkdtemp(), workers=1)  # doctest: +SKIP
>>> s.ok, len(read_sweep(s.out_dir))  # doctest: +SKIP
(True, 3600)
"""

from __future__ import annotations

from sidepay.sim.grid import SweepGrid, apply_parameters, load_grid, point_world
from sidepay.sim.sweep_run import SweepSummary, run_sweep, sweep_progress
from sidepay.sim.sweep_store import read_sweep, sweep_parts

__all__ = [
    "SweepGrid",
    "SweepSummary",
    "apply_parameters",
    "load_grid",
    "point_world",
    "read_sweep",
    "run_sweep",
    "sweep_parts",
    "sweep_progress",
]
