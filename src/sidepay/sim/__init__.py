"""sidepay.sim: the simulated world, its engine, its panel and its parameter sweeps.

Names are imported on first use (module ``__getattr__``), so that ``import sidepay.sim``
stays light: numba, pandas and pyarrow load only when a run needs them.

Examples
--------
>>> import sidepay.sim as sim
>>> res = sim.simulate(sim.default_world().updated({"small_states.n": 2}), periods=2, reps=1)
>>> len(res.panel)
8
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sidepay.lazy import lazy_exports

if TYPE_CHECKING:
    from sidepay.sim.engine import (
        check_simulation,
        run_history,
        simulate,
        write_simulation,
    )
    from sidepay.sim.grid import SweepGrid, load_grid
    from sidepay.sim.history import History, SimResult
    from sidepay.sim.output import events_frame, panel_frame
    from sidepay.sim.run_args import check_run_arguments
    from sidepay.sim.sweep_run import SweepSummary, run_sweep
    from sidepay.sim.sweep_store import read_sweep, sweep_parts
    from sidepay.sim.world import World, default_world

#: public name -> the module that defines it
_HOME = {
    "History": "history",
    "SimResult": "history",
    "SweepGrid": "grid",
    "SweepSummary": "sweep_run",
    "World": "world",
    "check_run_arguments": "run_args",
    "check_simulation": "engine",
    "default_world": "world",
    "events_frame": "output",
    "load_grid": "grid",
    "panel_frame": "output",
    "read_sweep": "sweep_store",
    "run_history": "engine",
    "run_sweep": "sweep_run",
    "simulate": "engine",
    "sweep_parts": "sweep_store",
    "write_simulation": "engine",
}

__all__ = [
    "History",
    "SimResult",
    "SweepGrid",
    "SweepSummary",
    "World",
    "check_run_arguments",
    "check_simulation",
    "default_world",
    "events_frame",
    "load_grid",
    "panel_frame",
    "read_sweep",
    "run_history",
    "run_sweep",
    "simulate",
    "sweep_parts",
    "write_simulation",
]


__getattr__, __dir__ = lazy_exports(__name__, {n: f".{m}" for n, m in _HOME.items()})
