"""`sidepay run` as one call: data, panel, hypotheses in both worlds, model, report.

:func:`run_all` orchestrates the library; it computes no statistic itself. The stages:

1. **data**: verify every registered source in the cache, else take it from the mirror,
   else download it (``sidepay.data.fetch``);
2. **panel**: build the real directed dyad-year panel (``sidepay.data.panel.build_panel``);
3. **real tests**: every hypothesis on the real panel (``sidepay.analysis.hypotheses``);
4. **simulation**: the default world (``sidepay.sim.engine.simulate``) and the same tests;
5. **model**: comparative statics and propositions (``sidepay.theory``);
6. **report**: figures, the HTML page, ``results.json``, the panels as parquet, regression
   tables in HTML, LaTeX and Markdown, provenance and citations.

All output is built in a temporary folder beside ``out`` and renamed into place at the end,
so a failure leaves the previous report (if any) untouched and nothing half-written.
``world="simulated"`` imports nothing from ``sidepay.data`` and runs offline.

Examples
--------
>>> parse_years("1946:2020")
(1946, 2020)
>>> parse_world("both")
'both'
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal, cast

import pandas as pd

from sidepay.analysis.result import HypothesisResult
from sidepay.atomic import atomic_path, write_text_atomic
from sidepay.errors import DataUnavailableError, InputError

World = Literal["real", "simulated", "both"]
WORLDS: tuple[str, ...] = ("real", "simulated", "both")
MARKER = ".sidepay-report"
#: replications of the default world in the report (the engine's own default is 100; 20
#: keeps `sidepay run` within its time budget, and ``--reps`` raises it)
REPORT_REPS = 20
YEAR_RANGE = (1816, 2030)


def parse_years(text: str | Sequence[int]) -> tuple[int, int]:
    """Parse a year range 'FIRST:LAST' (inclusive) into a pair of ints.

    Examples
    --------
    >>> parse_years("1950:1989"), parse_years((1960, 1970))
    ((1950, 1989), (1960, 1970))
    >>> parse_years("1990-1950")  # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
    sidepay.errors.InputError: --years must be FIRST:LAST ...
    """
    if isinstance(text, str):
        parts = text.replace(" ", "").split(":")
        if len(parts) != 2 or not all(p.isdigit() for p in parts):
            raise InputError(
                f"--years must be FIRST:LAST with years in {YEAR_RANGE[0]}..{YEAR_RANGE[1]}, "
                f"e.g. 1946:2020; got {text!r}"
            )
        lo, hi = int(parts[0]), int(parts[1])
    else:
        if len(text) != 2:
            raise InputError(f"years must be a pair (first, last); got {text!r}")
        lo, hi = int(text[0]), int(text[1])
    if not (YEAR_RANGE[0] <= lo <= hi <= YEAR_RANGE[1]):
        raise InputError(
            f"--years must satisfy {YEAR_RANGE[0]} <= FIRST <= LAST <= {YEAR_RANGE[1]}; "
            f"got {lo}:{hi}"
        )
    return lo, hi


def parse_world(text: str) -> World:
    """Check the ``--world`` option.

    Examples
    --------
    >>> parse_world("moon")  # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
    sidepay.errors.InputError: --world must be one of real, simulated, both; got 'moon'
    """
    if text not in WORLDS:
        raise InputError(f"--world must be one of {', '.join(WORLDS)}; got {text!r}")
    return cast(World, text)


def check_out_dir(out: str | os.PathLike[str]) -> Path:
    """The output folder, refused when replacing it could destroy something else.

    An existing folder is replaced only when it is empty or is a previous sidepay report
    (it holds the marker file ``.sidepay-report``).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> (d / "notes.txt").write_text("mine")
    4
    >>> check_out_dir(d)  # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
    sidepay.errors.InputError: --out ... exists and is not a sidepay report ...
    """
    path = Path(out).expanduser().absolute()
    if path.exists():
        if not path.is_dir():
            raise InputError(f"--out {path} is a file; give a folder for the report")
        if any(path.iterdir()) and not (path / MARKER).exists():
            raise InputError(
                f"--out {path} exists and is not a sidepay report (no {MARKER} file); "
                "choose a new or empty folder"
            )
    parent = path.parent
    if not parent.is_dir():
        raise InputError(f"--out {path}: the parent folder {parent} does not exist")
    if not os.access(parent, os.W_OK):
        raise InputError(f"--out {path}: the parent folder {parent} is not writable")
    return path


@contextlib.contextmanager
def atomic_directory(out: Path) -> Iterator[Path]:
    """Build a folder in a temporary sibling, then swap it in place of ``out``.

    On an exception the temporary folder is removed and ``out`` is left as it was.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "rep"
    >>> with atomic_directory(out) as tmp:
    ...     _ = (tmp / "a.txt").write_text("x")
    >>> sorted(p.name for p in out.iterdir())
    ['a.txt']
    """
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    try:
        yield tmp
        tmp.chmod(0o755)
        if out.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
            os.replace(out, old / out.name)
            os.replace(tmp, out)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


@dataclass
class RunSummary:
    """What :func:`run_all` did: where, the results, and how long each stage took."""

    out: Path
    results: list[HypothesisResult]
    timings: dict[str, float] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)

    def verdicts(self) -> dict[str, dict[str, str]]:
        """hypothesis -> world -> verdict.

        Examples
        --------
        >>> RunSummary(Path("."), []).verdicts()
        {}
        """
        out: dict[str, dict[str, str]] = {}
        for r in self.results:
            out.setdefault(r.hypothesis, {})[r.world] = r.verdict
        return out


class _Stages:
    """Timing and progress display of the stages (rich, on stderr; silent when quiet)."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self.timings: dict[str, float] = {}
        self.progress: Any = None
        if not quiet:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                SpinnerColumn,
                TextColumn,
                TimeElapsedColumn,
            )

            self.progress = Progress(
                SpinnerColumn(),
                TextColumn("{task.description:<28}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=Console(stderr=True),
                transient=False,
            )

    def __enter__(self) -> _Stages:
        if self.progress is not None:
            self.progress.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.progress is not None:
            self.progress.__exit__(*exc)

    @contextlib.contextmanager
    def stage(self, name: str, total: int = 1) -> Iterator[Callable[[int], None]]:
        start = time.perf_counter()
        task = None
        if self.progress is not None:
            task = self.progress.add_task(name, total=total)

        def advance(n: int = 1) -> None:
            if task is not None:
                self.progress.advance(task, n)

        yield advance
        if task is not None:
            self.progress.update(task, completed=total)
        self.timings[name] = self.timings.get(name, 0.0) + time.perf_counter() - start


def _pull_data(stages: _Stages, mirror: str | os.PathLike[str] | None) -> list[str]:
    from sidepay.data import fetch as fetch_mod
    from sidepay.data.sources import SOURCES

    if mirror is not None:
        if not Path(mirror).is_dir():
            raise InputError(f"--mirror {mirror} is not a folder; give the data mirror folder")
        fetch_mod.configure(mirror=mirror)
    names = list(SOURCES)
    with stages.stage("data: verify or fetch", total=len(names)) as advance:
        for name in names:
            try:
                # the stage's own bar counts files; fetch's download bar would be a second
                # live display, which rich refuses while this one runs
                fetch_mod.fetch(name, progress=False)
            except DataUnavailableError as exc:
                raise DataUnavailableError(
                    f"the real data are not available: {exc}. Either give a mirror "
                    "(`sidepay run --mirror DIR`), pull the data with network access "
                    "(`sidepay data pull`), or run offline on the model alone "
                    "(`sidepay run --world simulated`)"
                ) from None
            advance(1)
    return names


def _real_panel(stages: _Stages, years: tuple[int, int]) -> pd.DataFrame:
    from sidepay.data.panel import build_panel

    with stages.stage("panel: build") as _:
        return build_panel(years=years)


def _simulated(stages: _Stages, seed: int, reps: int | None, sim_years: int | None) -> Any:
    from sidepay.sim.engine import simulate
    from sidepay.sim.world import default_world

    world = default_world()
    kwargs: dict[str, Any] = {"seed": seed, "reps": REPORT_REPS if reps is None else reps}
    if sim_years is not None:
        kwargs["years"] = sim_years
    with stages.stage("simulate: default world") as _:
        result = simulate(world, **kwargs)
    return world, result


def _tests(stages: _Stages, panel: pd.DataFrame, world: str) -> list[HypothesisResult]:
    from sidepay.analysis.hypotheses import run_hypotheses

    # one call for all hypotheses: the analysis prepares the panel once (per-hypothesis
    # calls, which would move the bar, took twice as long in benchmarks/bench_run.py)
    with stages.stage(f"tests: {world} data") as _:
        return list(run_hypotheses(panel, world=world))


def _model(stages: _Stages) -> tuple[list[Any], list[dict[str, Any]]]:
    from sidepay.report.figures import figure_to_svg, statics_plot
    from sidepay.report.html import StaticsFigure
    from sidepay.theory.statics import comparative_statics

    sweeps = (
        (
            "W",
            0.01,
            1.0,
            "Price of an ally against W",
            "Required side payment and the patron's surplus as the client's winning coalition "
            "grows (P2: cheaper for small coalitions).",
        ),
        (
            "d",
            0.0,
            1.0,
            "Divergence: trade turns to purchase",
            "Deficit, required payment and patron surplus as interest divergence rises (P1).",
        ),
        (
            "T",
            0.0,
            1.0,
            "Common threat lowers the price",
            "Required payment falls as the threat the patron absorbs grows (P3).",
        ),
    )
    labels = {
        "required_payment": "required side payment a*",
        "patron_surplus": "patron's surplus S",
        "deficit": "leader's deficit D",
        "W": "coalition size W",
        "d": "interest divergence d",
        "T": "external threat T",
    }
    shown = ("required_payment", "patron_surplus", "deficit")
    figures = []
    with stages.stage("model: statics", total=len(sweeps) + 1) as advance:
        for vary, lo, hi, title, caption in sweeps:
            curves = comparative_statics(vary, lo, hi, 201)
            sub = {vary: curves[vary], **{k: curves[k] for k in shown if k in curves}}
            fig = statics_plot(sub, vary, title=title, labels=labels)
            figures.append(StaticsFigure(title, caption, figure_to_svg(fig)))
            advance(1)
        propositions = _propositions()
        advance(1)
    return figures, propositions


def _propositions() -> list[dict[str, Any]]:
    try:
        from sidepay.theory import propositions as props
    except ImportError:
        return []
    out = []
    for i in range(1, 9):
        fn = getattr(props, f"p{i}", None)
        if fn is None:
            continue
        ev = fn()
        out.append({"id": f"P{i}", "holds": bool(ev.holds), "description": str(ev.description)})
    return out


def _cases(stages: _Stages, panel: pd.DataFrame | None) -> list[Any]:
    from sidepay.report.cases import CASES, case_timeline
    from sidepay.report.figures import figure_to_svg
    from sidepay.report.html import CaseFigure

    figures: list[Any] = []
    if panel is None:  # the page says that cases need the real panel
        return figures
    with stages.stage("report: case timelines", total=len(CASES)) as advance:
        for case in CASES:
            title = (
                f"{case.title} ({case.patron_abb} {case.patron}, {case.client_abb} {case.client})"
            )
            names = {case.patron: case.patron_abb, case.client: case.client_abb}
            try:
                fig = case_timeline(panel, case.patron, case.client, names=names, width=9.0,
                                    title=False)  # fmt: skip
                figures.append(CaseFigure(title, case.note, figure_to_svg(fig)))
            except InputError as exc:  # the pair is outside the panel's years
                figures.append(CaseFigure(title, case.note, None, str(exc)))
            advance(1)
    return figures


def _write_outputs(
    tmp: Path,
    content: Any,
    results: list[HypothesisResult],
    panels: dict[str, pd.DataFrame],
    provenance: dict[str, Any],
    meta: dict[str, Any],
) -> list[str]:
    from sidepay.report.html import (
        TABLE_SUFFIX,
        dumps_json,
        render_report,
        results_document,
        summary_tables,
    )
    from sidepay.report.provenance import bibtex

    files: list[str] = []

    def put(rel: str, text: str) -> None:
        write_text_atomic(tmp / rel, text)
        files.append(rel)

    for name, frame in panels.items():
        rel = "panel.parquet" if name == "real" else f"panel_{name}.parquet"
        frame.to_parquet(tmp / rel, index=False)
        files.append(rel)
    for fmt, text in summary_tables(results).items():
        put(f"tables/summary.{TABLE_SUFFIX[fmt]}", text)
    for r in results:
        for fmt, text in r.tables.items():
            if fmt in TABLE_SUFFIX:
                put(f"tables/{r.hypothesis}_{r.world}.{TABLE_SUFFIX[fmt]}", text)
    put("results.json", dumps_json(results_document(results, meta)))
    put("provenance.json", dumps_json(provenance))
    put("citations.bib", bibtex(provenance))
    content.files = sorted([*files, "index.html"])
    put("index.html", render_report(content))
    put(MARKER, "This folder was written by `sidepay run`; it is replaced on the next run.\n")
    return sorted(files)


def run_all(
    out: str | os.PathLike[str] = "sidepay-report",
    *,
    mirror: str | os.PathLike[str] | None = None,
    years: str | tuple[int, int] = (1946, 2020),
    seed: int = 1,
    world: str = "both",
    quiet: bool = False,
    reps: int | None = None,
    sim_years: int | None = None,
) -> RunSummary:
    """Run the whole study and write the report folder (see the module docstring).

    Parameters
    ----------
    out
        Report folder (created, or replaced if it holds a previous report).
    mirror
        A local folder laid out like the shared data mirror (offline machines).
    years
        Real-data year range, ``"FIRST:LAST"`` or a pair.
    seed
        Seed of the simulation (same seed, same simulated panel).
    world
        ``"real"``, ``"simulated"`` (offline) or ``"both"``.
    quiet
        No progress display.
    reps, sim_years
        Replications (default :data:`REPORT_REPS`) and periods (the engine's default) of
        the simulated world.

    Returns
    -------
    RunSummary

    Raises
    ------
    InputError
        A bad option (one line).
    DataUnavailableError
        ``world`` needs real data that is neither cached, mirrored nor downloadable.

    Examples
    --------
    >>> run_all("/tmp/x", world="mars")  # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
    sidepay.errors.InputError: --world must be one of real, simulated, both; got 'mars'
    """
    from sidepay.report.figures import coefficient_plot, figure_to_svg
    from sidepay.report.html import ReportContent, group_results
    from sidepay.report.provenance import collect_provenance, sources_for

    span = parse_years(years)
    kind = parse_world(world)
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise InputError(f"--seed must be a non-negative integer; got {seed!r}")
    if reps is not None and reps < 1:
        raise InputError(f"--reps must be >= 1; got {reps}")
    target = check_out_dir(out)
    if mirror is not None and kind != "simulated" and not Path(mirror).is_dir():
        raise InputError(f"--mirror {mirror} is not a folder; give the data mirror folder")
    generated = generation_time()  # checks SOURCE_DATE_EPOCH before any work
    started = time.perf_counter()
    results: list[HypothesisResult] = []
    panels: dict[str, pd.DataFrame] = {}
    notes: list[str] = []
    used_sources: list[str] = []
    parameters: dict[str, Any] = {}
    sources: dict[str, Any] = {}
    citations = ""
    with _Stages(quiet) as stages:
        if kind in ("real", "both"):
            used_sources = _pull_data(stages, mirror)
            from sidepay.data.sources import SOURCES, bibtex

            sources, citations = dict(SOURCES), bibtex(used_sources)
            panels["real"] = _real_panel(stages, span)
            notes += _coverage_notes(span)
            results += _tests(stages, panels["real"], "real")
        else:
            notes.append(
                "Real data were not used in this run (--world simulated): the "
                "verdicts below are about the simulated world only."
            )
        if kind in ("simulated", "both"):
            sim_world, sim = _simulated(stages, seed, reps, sim_years)
            panels["simulated"] = sim.panel
            parameters = _plain(sim_world)
            results += _tests(stages, sim.panel, "simulated")
        else:
            notes.append("The simulated world was not run (--world real).")
        statics, propositions = _model(stages)
        cases = _cases(stages, panels.get("real"))
        with stages.stage("report: figures", total=1) as _:
            sections = group_results(results)
            for s in sections:
                s.svg = figure_to_svg(coefficient_plot(s.results, title=f"{s.hypothesis}"))
        provenance = collect_provenance(
            sources,
            seed=seed,
            years=span,
            world=kind,
            used=used_sources,
            parameters=parameters,
            citations=citations,
            extra={"generated": generated, "command": " ".join(sys.argv)},
        )
        result_sources = {
            f"{r.hypothesis}/{r.world}": sources_for(_variables(r))
            for r in results
            if r.world == "real"
        }
        content = ReportContent(
            world=kind,
            years=span,
            seed=seed,
            generated=generated,
            sections=sections,
            statics=statics,
            propositions=propositions,
            cases=cases,
            provenance=provenance,
            notes=notes,
            result_sources=result_sources,
        )
        meta = {
            "sources_by_result": result_sources,
            "seed": seed,
            "years": list(span),
            "world": kind,
            "sidepay": provenance["software"]["sidepay"],
        }
        with stages.stage("report: write", total=1) as _, atomic_directory(target) as tmp:
            files = _write_outputs(tmp, content, results, panels, provenance, meta)
    stages.timings["total"] = time.perf_counter() - started
    return RunSummary(target, results, dict(stages.timings), files)


def generation_time() -> str:
    """When the report was generated, in UTC to the minute.

    ``SOURCE_DATE_EPOCH`` (seconds since 1970, the reproducible-builds convention) fixes
    it, so that two runs with the same seed write the same bytes.

    Examples
    --------
    >>> os.environ["SOURCE_DATE_EPOCH"] = "0"
    >>> generation_time()
    '1970-01-01 00:00 UTC'
    >>> del os.environ["SOURCE_DATE_EPOCH"]
    """
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        if not epoch.isdigit():
            raise InputError(f"SOURCE_DATE_EPOCH must be whole seconds since 1970; got {epoch!r}")
        when = datetime.fromtimestamp(int(epoch), UTC)
    else:
        when = datetime.now(UTC)
    return when.strftime("%Y-%m-%d %H:%M UTC")


def _coverage_notes(span: tuple[int, int]) -> list[str]:
    """What the page must say about where the real data stop (from the readers' constants)."""
    from sidepay.data.readers.alliances import ATOP_END

    if span[1] <= ATOP_END:
        return []
    return [
        f"Alliance data stop in {ATOP_END}: ATOP 4.01 ends there, so every estimate that needs "
        f"alliance status uses years up to {ATOP_END} at most, and the "
        f"panel's years {ATOP_END + 1}–{span[1]} carry missing alliance status (not 'no "
        "alliance'; hatched in the case timelines). Other sources stop earlier still (e.g. "
        "the rivalry data behind threat in 2010, Archigos leader changes in 2015): the "
        "'Sources verified' table gives each source's coverage."
    ]


def _variables(result: HypothesisResult) -> list[str]:
    """Panel variables an estimate used: outcome, regressor, controls, secondary tests'."""
    out = [result.outcome, result.regressor, *result.details.get("controls", [])]
    for sec in result.details.get("secondary", []) or []:
        out += [sec.get("outcome", ""), sec.get("regressor", "")]
        out += list((sec.get("details") or {}).get("controls", []))
    return [str(v) for v in out if v]


def _plain(obj: Any) -> dict[str, Any]:
    """A pydantic model (or any object) as a flat JSON-able dict for provenance."""
    dump = getattr(obj, "model_dump", None)
    data = dump(mode="json") if callable(dump) else dict(getattr(obj, "__dict__", {}))
    return {str(k): v for k, v in data.items()}


def _cow_states() -> pd.DataFrame:
    try:
        from sidepay.data.readers.states import cow_states
    except ImportError:  # the reader module not present: the panel builder's copy
        from sidepay.data.dyads import cow_states
    return cow_states()


def draw_case(
    patron: str | int,
    client: str | int,
    *,
    out: str | os.PathLike[str] | None = None,
    years: str | tuple[int, int] = (1946, 2020),
    mirror: str | os.PathLike[str] | None = None,
) -> Path:
    """Build the real panel for one patron and draw one case timeline to PNG or SVG.

    Parameters
    ----------
    patron, client
        COW abbreviations, codes or names (``"USA"``, ``770``).
    out
        ``.png`` or ``.svg`` file; default ``case-<PATRON>-<CLIENT>.png``.
    years
        Year range ``"FIRST:LAST"`` or a pair.
    mirror
        A folder laid out like the shared data mirror.

    Returns
    -------
    pathlib.Path
        The file written (atomically).

    Examples
    --------
    >>> draw_case("USA", "PAK", out="x.pdf")  # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
    sidepay.errors.InputError: --out must end in .png or .svg; got 'x.pdf'
    """
    from sidepay.report.cases import case_timeline, resolve_state

    span = parse_years(years)
    if out is not None and Path(out).suffix.lower() not in (".png", ".svg"):
        raise InputError(f"--out must end in .png or .svg; got {str(out)!r}")
    if out is not None and not Path(out).expanduser().absolute().parent.is_dir():
        raise InputError(f"--out {out}: the folder does not exist")
    if mirror is not None:
        from sidepay.data import fetch as fetch_mod

        if not Path(mirror).is_dir():
            raise InputError(f"--mirror {mirror} is not a folder; give the data mirror folder")
        fetch_mod.configure(mirror=mirror)
    states = _cow_states()
    p_code, p_abb = resolve_state(patron, states)
    c_code, c_abb = resolve_state(client, states)
    if p_code == c_code:
        raise InputError(f"patron and client are the same state ({p_abb}); give two states")
    from sidepay.data.panel import build_panel

    panel = build_panel(years=span, patrons=[p_code])
    try:
        fig = case_timeline(panel, p_code, c_code, names={p_code: p_abb, c_code: c_abb})
    except InputError:
        raise InputError(
            f"no {p_abb}-{c_abb} rows in {span[0]}:{span[1]}: the patron must be a state and "
            "the client a minor power (not a COW major power) in the system in those years"
        ) from None
    path = Path(out) if out is not None else Path(f"case-{p_abb}-{c_abb}.png")
    path = path.expanduser().absolute()
    import matplotlib.pyplot as plt

    try:
        with atomic_path(path, suffix=path.suffix) as tmp:
            fig.savefig(
                tmp,
                dpi=150,
                bbox_inches="tight",
                metadata={"Date": None}
                if path.suffix.lower() == ".svg"
                else {"Software": "sidepay"},
            )
    finally:
        plt.close(fig)
    return path
