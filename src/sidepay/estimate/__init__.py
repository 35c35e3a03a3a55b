"""Structural estimation of the trade-off theory (issue 12): the model fitted to a panel.

- :class:`FormationModel` (formation stage by maximum likelihood, :mod:`.formation`);
- :func:`price_of_ally`, :func:`predicted_required_payment` (the price of an ally, :mod:`.price`);
- :func:`forecast` (out-of-sample termination and realignment forecasts, :mod:`.outofsample`);
- :data:`SYMBOLS` (symbols to panel columns, :mod:`.mapping`);
- :func:`fit_maintenance`, :class:`MaintenanceFit`, :func:`world_toml` (the maintenance
  stage by simulated moments, :mod:`.smm`); :data:`MOMENTS`, :func:`panel_moments`
  (its moments, :mod:`.moments`);
- :func:`estimation_summary` (everything the report's estimation section shows,
  :mod:`.summary`).

Everything here reads any table in the panel schema and never imports :mod:`sidepay.data`.
Names are imported lazily (module ``__getattr__``), so ``import sidepay.estimate`` is cheap.

Examples
--------
>>> import sidepay.estimate as est
>>> "FormationModel" in est.__all__
True
"""

from __future__ import annotations

from sidepay.lazy import lazy_exports

__all__ = [
    "MOMENTS",
    "SYMBOLS",
    "AllyPrice",
    "EstimationError",
    "EstimationSummary",
    "ForecastResult",
    "FormationModel",
    "MaintenanceFit",
    "NotConvergedError",
    "estimation_summary",
    "fit_maintenance",
    "forecast",
    "formation_design",
    "formation_test_panel",
    "panel_moments",
    "predicted_required_payment",
    "price_of_ally",
    "simulate_formation",
    "world_toml",
]

_WHERE = {
    "SYMBOLS": "mapping",
    "formation_design": "mapping",
    "EstimationError": "formation",
    "FormationModel": "formation",
    "formation_test_panel": "simulate",
    "simulate_formation": "simulate",
    "AllyPrice": "price",
    "predicted_required_payment": "price",
    "price_of_ally": "price",
    "ForecastResult": "outofsample",
    "forecast": "outofsample",
    "MaintenanceFit": "smm",
    "NotConvergedError": "smm",
    "fit_maintenance": "smm",
    "world_toml": "smm",
    "MOMENTS": "moments",
    "panel_moments": "moments",
    "EstimationSummary": "summary",
    "estimation_summary": "summary",
}


__getattr__, __dir__ = lazy_exports(__name__, {n: f".{m}" for n, m in _WHERE.items()})
