"""What ``sidepay run`` puts on the page besides the tests, as library calls (:mod:`sidepay.study`).

The model's figures and propositions, and the referee's sections (caveats, descriptive
statistics, the multiverse, Kaplan-Meier curves): each function calls ``sidepay.theory``
or ``sidepay.analysis`` and the drawing functions of ``sidepay.report``, and computes no
statistic itself.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from sidepay.progress import Stages


def model_figures(stages: Stages) -> tuple[list[Any], list[dict[str, Any]]]:
    """The comparative-statics figures and the propositions checked in code."""
    from sidepay.report.captions import STATICS_FIGURES, STATICS_LABELS, STATICS_SHOWN
    from sidepay.report.figures import figure_to_svg, statics_plot
    from sidepay.report.html import StaticsFigure
    from sidepay.theory.propositions import PROPOSITIONS
    from sidepay.theory.statics import comparative_statics

    figures = []
    with stages.stage("model: statics", total=len(STATICS_FIGURES) + 1) as advance:
        for spec in STATICS_FIGURES:
            curves = comparative_statics(spec.vary, spec.low, spec.high, 201)
            sub = {
                spec.vary: curves[spec.vary],
                **{k: curves[k] for k in STATICS_SHOWN if k in curves},
            }
            fig = statics_plot(sub, spec.vary, title=spec.title, labels=STATICS_LABELS)
            figures.append(StaticsFigure(spec.title, spec.caption, figure_to_svg(fig)))
            advance(1)
        propositions = []
        for pid in sorted(PROPOSITIONS):
            ev = PROPOSITIONS[pid]()
            propositions.append(
                {"id": pid, "holds": bool(ev.holds), "description": str(ev.description)}
            )
        advance(1)
    return figures, propositions


def referee_content(
    panel: pd.DataFrame | None, multiverse: Any, reps: int | None
) -> list[tuple[str, str, str]]:
    """Caveats, descriptive statistics, the multiverse and Kaplan-Meier curves (report)."""
    from sidepay.report.figures import figure_to_svg
    from sidepay.report.figures_multiverse import kaplan_meier_plot, specification_curve
    from sidepay.report.multiverse_page import (
        descriptives_html,
        multiverse_html,
        referee_sections,
    )

    descriptives, mv_html, survival = "", "", []
    if panel is not None:
        from sidepay.analysis.descriptives import describe_measures
        from sidepay.analysis.kaplan_meier import spell_curves

        patrons = {2: "USA", 200: "UK", 220: "France", 255: "Germany", 365: "Russia/USSR",
                   710: "China", 740: "Japan"}  # fmt: skip
        descriptives = descriptives_html(describe_measures(panel), patrons)
        for by, label in (
            ("patron", "by patron"),
            ("regime_type", "by the client's regime type at entry"),
        ):
            try:
                curves = spell_curves(panel, by)
            except KeyError:
                continue
            fig = kaplan_meier_plot(curves, f"Alliance spells {label} (spells in brackets)")
            survival.append(figure_to_svg(fig))
    if multiverse is not None:
        svgs = {}
        for h in multiverse.hypotheses:
            for part in dict.fromkeys(s.part for s in h.specifications):
                specs = [s for s in h.specifications if s.part == part]
                fig = specification_curve(specs, part, h.expected_sign, h.curves.get(part))
                svgs[part] = figure_to_svg(fig)
        mv_html = multiverse_html(multiverse, svgs)
    return referee_sections(
        reps=reps, descriptives=descriptives, multiverse=mv_html, survival=survival
    )
