"""The ``sidepay`` command line: parse, call the library, print.

Each command group lives in ``sidepay.commands.<group>``; this module only assembles them
and turns user errors into one line on stderr with exit code 2 (no traceback). Library
errors name Python parameters (``years=``); :func:`sidepay.errors.for_cli` shows them as
this command line's flags (``--years``). Nothing heavy is imported until a command runs,
so ``sidepay --help`` starts fast.
"""

from __future__ import annotations

import sys
import warnings
from typing import Any

import typer

# typer (>= 0.29, pinned in pyproject) vendors click as typer._click
from typer._click.exceptions import NoArgsIsHelpError, UsageError

from sidepay import __version__
from sidepay.commands import case, data, estimate, forecast, model, price, run, simulate, test
from sidepay.errors import SidepayError, SidepayWarning, for_cli, is_disk_full

_python_showwarning = warnings.showwarning

#: parameters whose command-line spelling is not ``--name-with-dashes``
CLI_FLAGS: dict[str, str] = {
    "cache_dir": "SIDEPAY_DATA_DIR",
    "as_json": "--json",
    "out_dir": "--out",
}

app = typer.Typer(
    name="sidepay",
    help="The trade-off theory of asymmetric alliances: model, simulate, build the panel, test, report.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"sidepay {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """The trade-off theory of asymmetric alliances: model, simulate, build the panel, test, report."""


app.add_typer(
    model.app,
    name="model",
    help="Solve the formal model: equilibrium, comparative statics, propositions P1-P8.",
)
app.add_typer(data.app, name="data")
app.add_typer(
    simulate.app,
    name="simulate",
    help="Simulate worlds of great powers and small states; parameter sweeps (local or Dask).",
)
app.command(name="test")(test.test_command)
app.command(name="run")(run.run_command)
app.command(name="case")(case.case_command)
app.command(name="estimate")(estimate.estimate_command)
app.command(name="price")(price.price_command)
app.command(name="forecast")(forecast.forecast_command)


def _os_error_line(exc: OSError) -> str:
    """One line for an operating-system error no command turned into its own message."""
    what = exc.strerror or type(exc).__name__
    where = f" ({exc.filename})" if exc.filename else ""
    if is_disk_full(exc):
        return f"{what}{where}; nothing was half-written: free some space and run again"
    return f"{what}{where}"


def _show_warning(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: Any = None,
    line: str | None = None,
) -> None:
    """Show sidepay's own warnings as one line; others as Python would."""
    if issubclass(category, SidepayWarning):
        print(f"sidepay: warning: {' '.join(str(message).split())}", file=sys.stderr)
    else:
        _python_showwarning(message, category, filename, lineno, file, line)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script; returns the exit code.

    Examples
    --------
    >>> main(["model", "solve", "--W", "2"])  # doctest: +SKIP
    2
    """
    try:
        from sidepay.stamps import check_source_date_epoch

        check_source_date_epoch()  # before numpy reads it at import
        with warnings.catch_warnings():
            warnings.showwarning = _show_warning
            result = app(args=argv, standalone_mode=False, prog_name="sidepay")
    except SidepayError as exc:
        print(f"sidepay: error: {for_cli(exc, CLI_FLAGS)}", file=sys.stderr)
        return 2
    except MemoryError:
        print(
            "sidepay: error: out of memory; give smaller sizes (fewer --reps, --points, "
            "states or periods) or run on a machine with more memory",
            file=sys.stderr,
        )
        return 1
    except OSError as exc:  # the environment, not the input: a full disk, an I/O error
        print(f"sidepay: error: {_os_error_line(exc)}", file=sys.stderr)
        return 1
    except NoArgsIsHelpError:
        return 0  # the help was printed
    except UsageError as exc:
        print(f"sidepay: error: {' '.join(exc.format_message().split())}", file=sys.stderr)
        return 2
    except typer.Abort:
        print("sidepay: aborted", file=sys.stderr)
        return 130
    except typer.Exit as exc:
        return int(exc.exit_code)
    if isinstance(result, int):
        return result
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
