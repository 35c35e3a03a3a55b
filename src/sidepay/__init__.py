"""sidepay: the trade-off theory of asymmetric alliances, computable and testable.

The front door: every verb a user needs, imported lazily on first use (``import sidepay``
loads neither numpy nor pandas).

=======================  ===========================================================
verb                     what it does
=======================  ===========================================================
``solve_formation``      the formation equilibrium of the model (THEORY 2.2-2.3)
``comparative_statics``  the equilibrium along one parameter
``simulate``             a simulated world of patrons and clients through time
``run_sweep``            parameter sweeps, locally or on a Dask cluster
``build_panel``          the real directed dyad-year panel from public data
``run_hypotheses``       H1-H8 on any panel of the schema (real or simulated)
``run_tests``            ``sidepay test``: build or load a panel, test, write tables
``run_all``              ``sidepay run``: the whole study and its report
``draw_case``            one patron-client timeline
``FormationModel``       the formation stage fitted to a panel by maximum likelihood
``price_of_ally``        the model's price of one alliance, with intervals
``forecast``             out-of-sample forecasts of terminations and realignments
``fit_maintenance``      the maintenance stage fitted to a panel by simulated moments
=======================  ===========================================================

Examples
--------
>>> import sidepay
>>> sidepay.__version__
'0.1.0'
>>> callable(sidepay.solve_formation) and callable(sidepay.build_panel)
True
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sidepay.errors import DataUnavailableError, InputError, SidepayError
from sidepay.lazy import lazy_exports

__version__ = "0.1.0"

#: public name -> module that defines it (one place; imported on first use)
_LAZY: dict[str, str] = {
    "ModelParams": "sidepay.theory.params",
    "solve_formation": "sidepay.theory.formation",
    "comparative_statics": "sidepay.theory.statics",
    "World": "sidepay.sim.world",
    "default_world": "sidepay.sim.world",
    "simulate": "sidepay.sim.engine",
    "run_sweep": "sidepay.sim.sweep",
    "read_sweep": "sidepay.sim.sweep",
    "DataContext": "sidepay.data.context",
    "build_panel": "sidepay.data.panel",
    "run_hypotheses": "sidepay.analysis.hypotheses",
    "RunOptions": "sidepay.options",
    "TestOptions": "sidepay.options",
    "CaseOptions": "sidepay.options",
    "parse_years": "sidepay.options",
    "run_all": "sidepay.study",
    "run_tests": "sidepay.study",
    "RunSummary": "sidepay.study",
    "draw_case": "sidepay.case",
    "FormationModel": "sidepay.estimate.formation",
    "price_of_ally": "sidepay.estimate.price",
    "forecast": "sidepay.estimate.outofsample",
    "fit_maintenance": "sidepay.estimate.smm",
}

__all__ = [
    "CaseOptions",
    "DataContext",
    "DataUnavailableError",
    "FormationModel",
    "InputError",
    "ModelParams",
    "RunOptions",
    "RunSummary",
    "SidepayError",
    "TestOptions",
    "World",
    "__version__",
    "build_panel",
    "comparative_statics",
    "default_world",
    "draw_case",
    "fit_maintenance",
    "forecast",
    "parse_years",
    "price_of_ally",
    "read_sweep",
    "run_all",
    "run_hypotheses",
    "run_sweep",
    "run_tests",
    "simulate",
    "solve_formation",
]


__getattr__, __dir__ = lazy_exports(__name__, _LAZY)


if TYPE_CHECKING:  # for type checkers and IDEs: the same names, eagerly
    from sidepay.analysis.hypotheses import run_hypotheses
    from sidepay.case import draw_case
    from sidepay.data.context import DataContext
    from sidepay.data.panel import build_panel
    from sidepay.estimate.formation import FormationModel
    from sidepay.estimate.outofsample import forecast
    from sidepay.estimate.price import price_of_ally
    from sidepay.estimate.smm import fit_maintenance
    from sidepay.options import CaseOptions, RunOptions, TestOptions, parse_years
    from sidepay.sim.engine import simulate
    from sidepay.sim.sweep import read_sweep, run_sweep
    from sidepay.sim.world import World, default_world
    from sidepay.study import RunSummary, run_all, run_tests
    from sidepay.theory.formation import solve_formation
    from sidepay.theory.params import ModelParams
    from sidepay.theory.statics import comparative_statics
