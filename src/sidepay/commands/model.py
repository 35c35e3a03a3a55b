"""`sidepay model` commands: solve the formation game at a point; comparative statics."""

from __future__ import annotations

import json
import math
from typing import Any

import typer

from sidepay.errors import InputError
from sidepay.options import parse_count, parse_seed

#: the largest comparative-statics grid (a vectorised solve of 10^7 points fits in memory)
MAX_POINTS = 10**7

app = typer.Typer(help="model commands", no_args_is_help=True)

# option name -> ModelParams field
_SOLVE_OPTIONS = {
    "W": "W",
    "divergence": "d",
    "concession": "x",
    "sigma": "sigma",
    "threat": "T",
    "value": "v",
    "cost": "k",
    "beta": "beta",
    "rho": "rho",
    "omega": "omega",
    "goods": "B",
    "income": "Y",
    "kappa": "kappa",
    "h0": "h0",
    "eta": "eta",
    "h": "h",
    "stability_effect": "stability_effect",
}


def _load(params_file: str | None, overrides: dict[str, float | None]) -> Any:
    from sidepay.config import load_params
    from sidepay.theory.params import ModelParams

    base = ModelParams() if params_file is None else load_params(params_file)
    changes = {_SOLVE_OPTIONS[k]: v for k, v in overrides.items() if v is not None}
    return base.replace(**changes) if changes else base


def _refuse_overflow(result: dict[str, Any]) -> None:
    """One line naming the quantities that overflowed 64-bit floats (never ``-Infinity``).

    Examples
    --------
    >>> _refuse_overflow({"payment": 1.0, "deficit": float("-inf")})
    ... # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
    sidepay.errors.InputError: the equilibrium overflows 64-bit floats at these parameters ...
    """
    over = [k for k, v in result.items() if isinstance(v, float) and math.isinf(v)]
    if over:
        raise InputError(
            "the equilibrium overflows 64-bit floats at these parameters "
            f"({', '.join(over)} = +/-inf); give smaller magnitudes (e.g. --threat, --value, "
            "--goods, --income, --eta below 1e150)"
        )


def _nan_to_none(result: dict[str, Any]) -> dict[str, Any]:
    """NaN (an undefined quantity) as ``None``, so that the JSON is strict.

    Examples
    --------
    >>> _nan_to_none({"a": float("nan"), "b": 1.0, "c": "x"})
    {'a': None, 'b': 1.0, 'c': 'x'}
    """
    return {k: None if isinstance(v, float) and math.isnan(v) else v for k, v in result.items()}


@app.command("solve")
def solve_command(
    W: float | None = typer.Option(None, "--W", help="coalition size W in (0, 1]"),
    divergence: float | None = typer.Option(
        None, "--divergence", "-d", help="divergence d in [0, 1]"
    ),
    concession: float | None = typer.Option(
        None, "--concession", "-x", help="concession package x in (0, 1]"
    ),
    sigma: float | None = typer.Option(None, "--sigma", help="share of threat absorbed, [0, 1]"),
    threat: float | None = typer.Option(None, "--threat", "-T", help="external threat T >= 0"),
    value: float | None = typer.Option(None, "--value", "-v", help="patron's value v >= 0"),
    cost: float | None = typer.Option(None, "--cost", "-k", help="patron's cost k >= 0"),
    beta: float | None = typer.Option(None, "--beta", help="patron's bargaining weight, [0, 1]"),
    rho: float | None = typer.Option(None, "--rho", help="salience of concessions > 0"),
    omega: float | None = typer.Option(None, "--omega", help="floor of the W effect, [0, 1)"),
    goods: float | None = typer.Option(
        None, "--goods", "-B", help="goods owed to the coalition B >= 0"
    ),
    income: float | None = typer.Option(None, "--income", "-Y", help="national income Y > 0"),
    kappa: float | None = typer.Option(None, "--kappa", help="fiscal capacity > 0"),
    h0: float | None = typer.Option(None, "--h0", help="baseline leader hazard, [0, 1)"),
    eta: float | None = typer.Option(None, "--eta", help="hazard per unit extraction cost >= 0"),
    h: float | None = typer.Option(None, "--h", help="regime-change hazard, [0, 1)"),
    stability_effect: float | None = typer.Option(
        None, "--stability-effect", help="price shift per unit h, [-1, 1]"
    ),
    params_file: str | None = typer.Option(
        None, "--params", help="TOML file of parameters; options override it"
    ),
    as_json: bool = typer.Option(False, "--json", help="print JSON instead of a table"),
) -> int:
    """Solve the formation game: outcome, concession, side payment, each side's surplus."""
    import numpy as np

    from sidepay.theory.formation import OUTCOME_NAMES
    from sidepay.theory.statics import solve_params

    p = _load(params_file, {k: v for k, v in locals().items() if k in _SOLVE_OPTIONS})
    with np.errstate(all="ignore"):  # overflow is checked on the results below
        out = solve_params(p)
    result: dict[str, Any] = {
        "outcome": OUTCOME_NAMES[int(out["outcome"])],
        "forms": bool(out["forms"]),
        "concession": p.x,
    }
    for key in ("deficit", "required_payment", "payment", "patron_surplus", "patron_payoff",
                "leader_gain", "extraction_alone", "extraction_allied", "hazard_alone",
                "hazard_allied"):  # fmt: skip
        result[key] = float(out[key])
    _refuse_overflow(result)
    if as_json:
        # strict JSON: an undefined quantity (NaN) is null, never the non-JSON NaN
        payload = {"equilibrium": _nan_to_none(result), "parameters": p.model_dump()}
        typer.echo(json.dumps(payload, indent=2, allow_nan=False))
        return 0
    from rich.console import Console
    from rich.table import Table

    table = Table(title="Formation equilibrium (THEORY 2.2-2.3)")
    table.add_column("quantity")
    table.add_column("value", justify="right")
    for key, val in result.items():
        table.add_row(key.replace("_", " "), f"{val:.6g}" if isinstance(val, float) else str(val))
    Console().print(table)
    return 0


@app.command("statics")
def statics_command(
    vary: str = typer.Option(..., "--vary", help="parameter to vary (e.g. W, d, T, v, beta, h)"),
    lo: float | None = typer.Option(None, "--from", help="grid start (default: range floor)"),
    hi: float | None = typer.Option(None, "--to", help="grid end (default: range ceiling)"),
    # whole numbers as typed, parsed strictly (click's int() takes '1_0' and other digits)
    points: str = typer.Option("200", "--points", metavar="INTEGER", help="grid points, 2 .. 10^7"),
    out: str = typer.Option(..., "--out", help="output folder (CSV, PNG, SVG)"),
    params_file: str | None = typer.Option(
        None, "--params", help="TOML file of the other parameters"
    ),
) -> int:
    """Comparative statics of the equilibrium against one parameter: CSV and figure."""
    from sidepay.outpaths import check_out_dir

    out_dir = check_out_dir(out, "out", marker=None)  # '' is refused: never the current folder
    n_points = parse_count(points, "points", low=2, high=MAX_POINTS)
    from sidepay.config import load_params
    from sidepay.report.figures_model import write_statics
    from sidepay.theory.params import ModelParams, param_bounds
    from sidepay.theory.statics import VARIABLE_PARAMETERS, comparative_statics

    if vary not in VARIABLE_PARAMETERS:
        raise InputError(
            f"--vary {vary!r} is not allowed: choose one of " + ", ".join(VARIABLE_PARAMETERS)
        )
    p = ModelParams() if params_file is None else load_params(params_file)
    b_lo, b_hi, lo_inc, hi_inc = param_bounds(vary)
    # defaults only: a value the user gave is validated as given, never silently moved
    if lo is None:
        lo = b_lo if lo_inc else (0.05 if vary == "W" else b_lo + 1e-6 * max(1.0, abs(b_lo)))
        if vary == "h_cap":  # h0 < h_cap is part of the parameter space
            lo = max(lo, p.h0 + 1e-6)
    if hi is None:
        current = float(getattr(p, vary))
        hi = (b_hi if hi_inc else b_hi - 1e-6) if math.isfinite(b_hi) else max(1.0, 2.0 * current)
        if vary == "h0":
            hi = min(hi, p.h_cap - 1e-6)
    cs = comparative_statics(vary, lo, hi, n_points, p)
    for path in write_statics(cs, vary, out_dir):
        typer.echo(f"wrote {path}")
    return 0


@app.command("propositions")
def propositions_command(
    only: str | None = typer.Option(None, "--only", help="comma-separated ids, e.g. P2,P6"),
    seed: str | None = typer.Option(
        None, "--seed", metavar="INTEGER", help="seed for every proposition's sample"
    ),
    params_file: str | None = typer.Option(None, "--params", help="TOML file (P6, P7 dynamics)"),
    as_json: bool = typer.Option(False, "--json", help="print JSON instead of a table"),
) -> int:
    """Check propositions P1-P8 (THEORY 3) on seeded samples; exit 1 if one fails."""
    from sidepay.config import load_params
    from sidepay.theory.params import ModelParams
    from sidepay.theory.propositions import PROPOSITIONS

    ids = sorted(PROPOSITIONS) if only is None else [s.strip().upper() for s in only.split(",")]
    bad = [i for i in ids if i not in PROPOSITIONS]
    if bad:
        raise InputError(f"--only {bad[0]!r} is not a proposition: choose from P1..P8")
    seed_value = None if seed is None else parse_seed(seed)
    p = ModelParams() if params_file is None else load_params(params_file)
    results = []
    for i in ids:
        kwargs: dict[str, Any] = {} if seed_value is None else {"seed": seed_value}
        if i in ("P6", "P7"):
            kwargs["params"] = p
        results.append(PROPOSITIONS[i](**kwargs))
    if as_json:
        payload = [e.as_dict() for e in results]
        typer.echo(json.dumps(payload, indent=2))
    else:
        from rich.console import Console
        from rich.table import Table

        table = Table(title="Propositions (THEORY 3)")
        for col in ("id", "holds", "proposition"):
            table.add_column(col)
        for e in results:
            table.add_row(e.id, "yes" if e.holds else "NO", e.description)
        Console().print(table)
    return 0 if all(e.holds for e in results) else 1
