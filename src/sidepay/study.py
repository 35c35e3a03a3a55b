"""The whole study as calls: :func:`run_all` (``sidepay run``) and :func:`run_tests` (``sidepay test``).

This module orchestrates the library and computes no statistic itself. The stages of
:func:`run_all`:

1. **data**: verify every registered source in the cache, else take it from the mirror,
   else download it (``sidepay.data``);
2. **panel**: build the real directed dyad-year panel (:func:`sidepay.build_panel`);
3. **real tests**: every hypothesis on the real panel (:func:`sidepay.run_hypotheses`);
4. **simulation**: the default world (:func:`sidepay.simulate`) and the same tests;
5. **model**: comparative statics and propositions (``sidepay.theory``);
6. **estimate** (``estimate=``, real panel only): the structural estimates
   (:func:`sidepay.estimate.summary.report_estimation`) and the model's required payment
   on the case timelines;
7. **report**: figures, the HTML page, ``results.json``, the panels as parquet, regression
   tables in HTML, LaTeX and Markdown, provenance and citations (``sidepay.report``).

All output is built in a temporary folder beside ``out`` and renamed into place at the end
(:func:`sidepay.outpaths.atomic_directory`), so a failure leaves the previous report (if
any) untouched and nothing half-written. ``world="simulated"`` imports nothing from
``sidepay.data`` and runs offline.

Examples
--------
>>> run_all("/tmp/x", world="mars")  # doctest: +IGNORE_EXCEPTION_DETAIL
Traceback (most recent call last):
sidepay.errors.InputError: world= must be one of real, simulated, both; got 'mars'
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sidepay.errors import DataUnavailableError, InputError, bad_param
from sidepay.options import RunOptions, TestOptions
from sidepay.outpaths import atomic_directory
from sidepay.progress import Stages
from sidepay.stamps import command_line, generation_time

if TYPE_CHECKING:
    import pandas as pd

    from sidepay.analysis.result import HypothesisResult
    from sidepay.data.context import DataContext


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

    def __repr__(self) -> str:
        verdicts = "; ".join(f"{h} {'/'.join(v.values())}" for h, v in self.verdicts().items())
        return (
            f"RunSummary(out={str(self.out)!r}, {len(self.files)} files, {verdicts or 'no tests'})"
        )


def data_context(mirror: str | os.PathLike[str] | None = None) -> DataContext:
    """The data context of a job: the mirror it names, the rest from the configuration."""
    from sidepay.config import data_context as configured

    return configured(mirror=mirror)


def pull_sources(context: DataContext, stages: Stages | None = None) -> list[str]:
    """Verify or fetch every registered source; one clear error when one is unavailable."""
    from sidepay.data.acquire import DownloadBudget, fetch
    from sidepay.data.sources import SOURCES

    names = list(SOURCES)
    stages = stages or Stages(quiet=True)
    budget = DownloadBudget()  # one deadline and one record of stalled hosts for the pull
    missing: list[str] = []
    with stages.stage("data: verify or fetch", total=len(names)) as advance:
        for name in names:
            try:
                # the stage's own bar counts files; fetch's download bar would be a second
                # live display, which rich refuses while this one runs
                fetch(name, context=context, progress=False, budget=budget)
            except DataUnavailableError:
                # count the rest from the cache and the mirror only: one failed download
                # says the network is out, and waiting on each source would tell no more
                missing.append(name)
                context = replace(context, download=False)
            advance(1)
    if missing:
        raise DataUnavailableError(offline_message(missing, len(names)))
    return names


def offline_message(missing: list[str], total: int) -> str:
    """The one line ``sidepay run`` prints when real data are missing: how many, what to do.

    Examples
    --------
    >>> offline_message(["cow_states", "cow_nmc"], 84)[:60]
    '2 of 84 data sources are missing (first: cow_states; not cac'
    """
    return (
        f"{len(missing)} of {total} data sources are missing (first: {missing[0]}; not cached, "
        "not in a mirror, not downloadable). Give a mirror: `sidepay run --mirror DIR`; or "
        "fetch them once: `sidepay data pull`; or run the model alone: "
        "`sidepay run --world simulated`"
    )


def check_simulated(reps: int, periods: int | None = None) -> None:
    """Refuse, before any work, a simulated world too large for memory (one line with the
    estimate and the limit; ``simulate`` builds it in chunks of replications)."""
    from sidepay.sim.engine import check_simulation
    from sidepay.sim.world import default_world

    check_simulation(default_world(), 75 if periods is None else periods, reps, limit_param="reps")


def simulated_panel(seed: int, reps: int, periods: int | None = None) -> tuple[Any, Any]:
    """The default world and its simulation (``reps`` replications, same seed same bytes)."""
    from sidepay.sim.engine import simulate
    from sidepay.sim.world import default_world

    world = default_world()
    kwargs: dict[str, Any] = {"seed": seed, "reps": reps}
    if periods is not None:
        kwargs["periods"] = periods
    return world, simulate(world, **kwargs)


def _estimation(
    stages: Stages, opts: RunOptions, panel: pd.DataFrame | None
) -> tuple[Any, pd.Series | None]:
    """The structural estimates and the model's required payment of every dyad-year."""
    if panel is None or opts.estimate == "none":  # the page says which, and what to run
        return None, None
    from sidepay.estimate.price import predicted_required_payment
    from sidepay.estimate.summary import report_estimation
    from sidepay.report.cases import CASES

    cases = [(c.patron, c.client, c.title) for c in CASES]
    summary, fit = report_estimation(
        panel, estimate=opts.estimate, seed=opts.seed, cases=cases, stages=stages
    )
    return summary, None if fit is None else predicted_required_payment(fit, panel, level=True)


def _case_figures(
    stages: Stages, panel: pd.DataFrame | None, predicted: pd.Series | None = None
) -> list[Any]:
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
                                    title=False, predicted=predicted)  # fmt: skip
                figures.append(CaseFigure(title, case.note, figure_to_svg(fig)))
            except InputError as exc:  # the pair is outside the panel's years
                figures.append(CaseFigure(title, case.note, None, str(exc)))
            advance(1)
    return figures


def _plain(obj: Any) -> dict[str, Any]:
    """A pydantic model (or any object) as a flat JSON-able dict for provenance."""
    dump = getattr(obj, "model_dump", None)
    data = dump(mode="json") if callable(dump) else dict(getattr(obj, "__dict__", {}))
    return {str(k): v for k, v in data.items()}


def run_all(
    options: RunOptions | str | os.PathLike[str] = "sidepay-report", **kwargs: Any
) -> RunSummary:
    """Run the whole study and write the report folder (see the module docstring).

    Parameters
    ----------
    options
        A :class:`~sidepay.options.RunOptions`, or the report folder, with the other
        options as keywords: ``mirror``, ``years`` (calendar span ``"FIRST:LAST"`` or a
        pair), ``seed``, ``world`` (``"real"``, ``"simulated"``, ``"both"``), ``reps``
        (replications of the simulated world), ``periods`` (its length), ``quiet``,
        ``estimate`` (``"none"``, ``"formation"`` (default) or ``"both"``).

    Returns
    -------
    RunSummary

    Raises
    ------
    InputError
        A bad option (one line naming the parameter), before any work starts.
    DataUnavailableError
        ``world`` needs real data that is neither cached, mirrored nor downloadable.
    """
    opts = options if isinstance(options, RunOptions) else RunOptions(out=Path(options), **kwargs)
    if isinstance(options, RunOptions) and kwargs:
        raise bad_param(next(iter(kwargs)), "cannot be given beside a RunOptions object")
    from sidepay.report.figures import coefficient_plot, figure_to_svg
    from sidepay.report.html import ReportContent, group_results
    from sidepay.report.outputs import result_variables, write_report_files
    from sidepay.report.provenance import collect_provenance, sources_for
    from sidepay.study_content import model_figures, referee_content

    generated = generation_time()  # checks SOURCE_DATE_EPOCH before any work
    if opts.world in ("simulated", "both"):
        check_simulated(opts.reps, opts.periods)  # its memory, before any work
    started = time.perf_counter()
    results: list[HypothesisResult] = []
    multiverse: Any = None
    panels: dict[str, pd.DataFrame] = {}
    notes: list[str] = []
    used_sources: list[str] = []
    parameters: dict[str, Any] = {}
    sources: dict[str, Any] = {}
    citations = ""
    with Stages(opts.quiet) as stages:
        if opts.world in ("real", "both"):
            from sidepay.analysis.hypotheses import run_hypotheses
            from sidepay.data.pacts import ATOP51_END as ALLIANCE_END
            from sidepay.data.panel import build_panel
            from sidepay.data.sources import SOURCES, bibtex
            from sidepay.payment_scale import RULE_NOTE
            from sidepay.report.captions import coverage_note

            context = data_context(opts.mirror)
            used_sources = pull_sources(context, stages)
            sources, citations = dict(SOURCES), bibtex(used_sources)
            with stages.stage("panel: build"):
                panels["real"] = build_panel(opts.years, context=context)
            notes += coverage_note(opts.years, ALLIANCE_END)
            notes.append(RULE_NOTE)
            # one call for all hypotheses: the analysis prepares the panel once
            with stages.stage("tests: real data"):
                results += run_hypotheses(panels["real"], world="real")
            from sidepay.analysis.multiverse import run_multiverse

            with stages.stage("tests: real multiverse"):
                multiverse = run_multiverse(
                    panels["real"], world="real", primary=[r for r in results if r.world == "real"]
                )
        else:
            notes.append(
                "Real data were not used in this run (--world simulated): the "
                "verdicts below are about the simulated world only."
            )
        if opts.world in ("simulated", "both"):
            from sidepay.analysis.hypotheses import run_hypotheses

            with stages.stage("simulate: default world"):
                sim_world, sim = simulated_panel(opts.seed, opts.reps, opts.periods)
            panels["simulated"] = sim.panel
            parameters = _plain(sim_world)
            with stages.stage("tests: simulated data"):
                results += run_hypotheses(sim.panel, world="simulated")
        else:
            notes.append("The simulated world was not run (--world real).")
        statics, propositions = model_figures(stages)
        referee = referee_content(panels.get("real"), multiverse, opts.reps
                                    if opts.world in ("simulated", "both") else None)  # fmt: skip
        estimation, predicted = _estimation(stages, opts, panels.get("real"))
        cases = _case_figures(stages, panels.get("real"), predicted)
        with stages.stage("report: figures", total=1):
            sections = group_results(results)
            for s in sections:
                s.svg = figure_to_svg(coefficient_plot(s.results, title=f"{s.hypothesis}"))
        provenance = collect_provenance(
            sources,
            seed=opts.seed,
            years=opts.years,
            world=opts.world,
            used=used_sources,
            parameters=parameters,
            citations=citations,
            extra={
                "generated": generated,
                "command": command_line(),
                "reps": opts.reps,
                "estimate": opts.estimate,
            },
        )
        result_sources = {
            f"{r.hypothesis}/{r.world}": sources_for(result_variables(r))
            for r in results
            if r.world == "real"
        }
        content = ReportContent(
            world=opts.world,
            years=opts.years,
            seed=opts.seed,
            generated=generated,
            sections=sections,
            statics=statics,
            propositions=propositions,
            cases=cases,
            provenance=provenance,
            notes=notes,
            result_sources=result_sources,
            referee=referee,
            multiverse=multiverse,
            estimation=estimation,
            estimate=opts.estimate,
        )
        meta = {
            "sources_by_result": result_sources,
            "seed": opts.seed,
            "years": list(opts.years),
            "world": opts.world,
            "estimate": opts.estimate,
            "sidepay": provenance["software"]["sidepay"],
        }
        _check_panels(panels)  # a panel is written only in the schema
        with stages.stage("report: write", total=1), atomic_directory(opts.out) as tmp:
            files = write_report_files(tmp, content, results, panels, provenance, meta)
    stages.timings["total"] = time.perf_counter() - started
    return RunSummary(opts.out, results, dict(stages.timings), files)


def _check_panels(panels: dict[str, pd.DataFrame]) -> None:
    """Every panel about to be written is in the schema (the real one has every column)."""
    from sidepay.schema import COLUMNS, KEYS, validate_panel

    for world, frame in panels.items():
        required = tuple(COLUMNS) if world == "real" else KEYS
        validate_panel(frame, required=required, param=f"{world}_panel")


#: file endings a saved panel may have, and the reader of each
PANEL_SUFFIXES = (".parquet", ".pq", ".csv")


def read_panel_file(path: str | os.PathLike[str], param: str = "panel") -> pd.DataFrame:
    """A saved panel (Parquet or CSV); one clear error for a file that is not a panel.

    The one loader of saved panels: the suffix picks the reader (``.parquet``/``.pq`` or
    ``.csv``; any other is refused), and the table must be a panel: rows, the keys
    ``patron``, ``client``, ``year`` and at least one schema column beyond them, each of
    its schema kind (:func:`sidepay.schema.validate_panel`).

    Examples
    --------
    >>> read_panel_file("/nonexistent.parquet")  # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
    sidepay.errors.InputError: panel= /nonexistent.parquet: cannot read it ...
    >>> read_panel_file("/etc/hostname")  # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
    sidepay.errors.InputError: panel= /etc/hostname: must end in .parquet, .pq or .csv
    """
    import pandas as pd

    from sidepay.schema import COLUMNS, KEYS, TRUTH_COLUMNS, validate_panel

    p = Path(path)
    suffix = p.suffix.lower()
    if suffix not in PANEL_SUFFIXES:
        raise bad_param(param, f"{p}: must end in .parquet, .pq or .csv (a saved panel)")
    kind = "CSV" if suffix == ".csv" else "Parquet"
    try:
        frame = pd.read_csv(p) if suffix == ".csv" else pd.read_parquet(p)
    except Exception as exc:  # pyarrow, the CSV parser and the OS each raise their own
        reason = " ".join(str(exc).split())[:120] or type(exc).__name__
        raise bad_param(param, f"{p}: cannot read it as a {kind} panel file ({reason})") from None
    validate_panel(frame, required=KEYS, param=param)
    measured = (set(COLUMNS) | set(TRUTH_COLUMNS)) - set(KEYS)
    if frame.empty or not measured & set(frame.columns):
        raise bad_param(
            param,
            f"{p}: is not a panel ({len(frame)} rows, no schema column besides "
            f"{', '.join(KEYS)}); give a panel written by `sidepay data panel` or "
            "`sidepay simulate run`",
        )
    return frame


def run_tests(
    options: TestOptions | None = None, *, multiverse: bool = False, **kwargs: Any
) -> Any:
    """Test hypotheses H1-H8 on the real panel, a simulated one or a saved panel file.

    Parameters
    ----------
    options
        A :class:`~sidepay.options.TestOptions`, or its fields as keywords (``world``,
        ``only``, ``panel``, ``mirror``, ``seed``, ``reps``, ``out``).

    multiverse
        Also run every hypothesis over its declared multiverse
        (:func:`sidepay.analysis.multiverse.run_multiverse`; ``sidepay test --multiverse``).

    Returns
    -------
    list of HypothesisResult, or Multiverse
        One result per hypothesis; with ``multiverse=True`` the
        :class:`~sidepay.analysis.multiverse.Multiverse` (its ``hypotheses[i].primary``
        are those results). With ``out`` also written there (JSON, tables, curves).

    Examples
    --------
    >>> run_tests(world="mars")  # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
    sidepay.errors.InputError: world= must be one of real, simulated; got 'mars'
    """
    if options is not None and kwargs:
        raise bad_param(next(iter(kwargs)), "cannot be given beside a TestOptions object")
    opts = options if options is not None else TestOptions(**kwargs)
    from sidepay.analysis.hypotheses import parse_only, run_hypotheses

    ids = parse_only(opts.only)  # validate before the (slow) panel is built
    if opts.panel is None and opts.world == "simulated":
        check_simulated(opts.reps)  # its memory, before any work
    if opts.panel is not None:
        frame = read_panel_file(opts.panel)
    elif opts.world == "real":
        from sidepay.data.panel import build_panel

        frame = build_panel(context=data_context(opts.mirror))
    else:
        frame = simulated_panel(opts.seed, opts.reps)[1].panel
    results = list(run_hypotheses(frame, world=opts.world, only=ids))
    mv = None
    if multiverse:
        from sidepay.analysis.multiverse import run_multiverse

        mv = run_multiverse(frame, world=opts.world, only=ids, primary=results)
    if opts.out is not None:
        from sidepay.report.outputs import write_test_files

        write_test_files(opts.out, results, multiverse=mv)
    return mv if multiverse else results
