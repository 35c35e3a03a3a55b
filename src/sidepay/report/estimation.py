"""The report's estimation section (issue 12, item 7): estimates, fit, prices, forecasts.

:func:`estimation_section` lays out an ``sidepay.estimate.summary.EstimationSummary`` (plain
numbers computed in ``sidepay.estimate``) as one HTML fragment: the formation stage's
estimates with intervals, the maintenance stage's estimates and each moment real against
simulated, the price of the case-study alliances, and the out-of-sample scores. Text is
escaped and the fragment passes :func:`sidepay.report.html.sanitize_table_html`, so it
keeps table markup and text only. No statistic is computed here.

Examples
--------
>>> from sidepay.estimate.summary import EstimationSummary, ParamEstimate
>>> s = EstimationSummary(formation=[ParamEstimate("rho<x>", 0.8, 0.1, 0.6, 1.0)])
>>> html = estimation_section(s)
>>> "rho&lt;x&gt;" in html and "<script" not in html
True
"""

from __future__ import annotations

import html as _html
from collections.abc import Iterable, Sequence
from typing import Any

from markupsafe import Markup

from sidepay.report.html import sanitize_table_html
from sidepay.report.tables import fmt_number

__all__ = ["estimation_section"]


def _e(text: Any) -> str:
    return _html.escape(str(text), quote=True)


def _table(caption: str, head: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    body = "".join("<tr>" + "".join(f"<td>{_e(c)}</td>" for c in row) + "</tr>" for row in rows)
    if not body:
        return ""
    ths = "".join(f'<th scope="col">{_e(h)}</th>' for h in head)
    return (
        f'<table class="estimation"><caption>{_e(caption)}</caption>'
        f"<thead><tr>{ths}</tr></thead><tbody>{body}</tbody></table>"
    )


def _interval(lo: float | None, hi: float | None) -> str:
    return "–" if lo is None or hi is None else f"[{fmt_number(lo)}, {fmt_number(hi)}]"


def _params(caption: str, params: Sequence[Any]) -> str:
    return _table(
        caption,
        ("parameter", "estimate", "s.e.", "95% interval", "note"),
        (
            (p.name, fmt_number(p.estimate), fmt_number(p.se), _interval(p.lower, p.upper), p.note)
            for p in params
        ),
    )


#: what each stage of ``EstimationSummary.stages`` is, in the words of the page
STAGE_NAMES = {
    "formation": "the formation stage (maximum likelihood, profile intervals of rho, omega, beta)",
    "prices": "the prices of the case-study alliances",
    "forecast": "the out-of-sample forecast scores",
    "maintenance": "the maintenance stage (simulated moments)",
}

#: the commands that run the maintenance stage (it takes minutes, so ``sidepay run``
#: leaves it out unless asked)
MAINTENANCE_COMMANDS = (
    "sidepay run --estimate both",
    "sidepay estimate --stage maintenance --out DIR",
)


def _stages_note(summary: Any) -> str:
    """Which stages ran and, when the maintenance stage did not, how to run it.

    Examples
    --------
    >>> from sidepay.estimate.summary import EstimationSummary
    >>> _stages_note(EstimationSummary(stages=["formation"]))[:60]
    '<p>Stages run: the formation stage (maximum likelihood, prof'
    """
    ran = [STAGE_NAMES.get(s, s) for s in summary.stages]
    text = "Stages run: " + ("; ".join(ran) if ran else "none gave estimates") + "."
    if "maintenance" not in summary.stages:
        a, b = (f"<code>{_e(c)}</code>" for c in MAINTENANCE_COMMANDS)
        return (
            f"<p>{_e(text)} The maintenance stage (simulated moments; it takes minutes) "
            f"did not run in this report: run it with {a}, or alone with {b}.</p>"
        )
    return f"<p>{_e(text)}</p>"


def estimation_section(summary: Any) -> Markup:
    """The estimation section of the report as a safe HTML fragment.

    Parameters
    ----------
    summary : an ``EstimationSummary`` (``sidepay.estimate.estimation_summary``).

    Returns
    -------
    markupsafe.Markup
        ``<div class="estimation-section">...</div>``; empty parts are left out.
    """
    parts = ['<div class="estimation-section">']
    if summary.stages or summary.messages:
        parts.append(_stages_note(summary))
    parts += [f'<p class="reason">{_e(m)}</p>' for m in summary.messages]
    if summary.formation:
        n = (
            ""
            if summary.formation_n is None
            else f" ({fmt_number(summary.formation_n)} dyad-years)"
        )
        parts.append(
            _params(f"Formation stage by maximum likelihood{n}; s.e. clustered by client",
                    summary.formation)
        )  # fmt: skip
    if summary.maintenance:
        starts = (
            ""
            if summary.starts is None
            else f"; {summary.n_at_best} of {summary.starts} seeded starts reached the best"
        )
        parts.append(
            _params(f"Maintenance stage by simulated moments{starts}", summary.maintenance)
        )
        if summary.j_stat is not None:
            parts.append(
                f"<p>Hansen's J = {_e(fmt_number(summary.j_stat))} on {_e(summary.j_df)} degrees "
                f"of freedom (p = {_e(fmt_number(summary.j_pvalue))}): "
                + _e(
                    "the over-identifying restrictions are rejected; the model does not fit "
                    "every moment."
                    if summary.j_pvalue is not None and summary.j_pvalue < 0.05
                    else "the over-identifying restrictions are not rejected."
                )
                + "</p>"
            )
    if summary.moments:
        parts.append(
            _table(
                "Fit: each moment, real panel against the simulation at the estimates",
                ("moment", "data", "data s.e.", "simulated", "t of the gap"),
                (
                    (
                        m.name,
                        fmt_number(m.data),
                        fmt_number(m.data_se),
                        fmt_number(m.simulated),
                        fmt_number(m.t, 2),
                    )
                    for m in summary.moments
                ),
            )
        )
    if summary.prices:
        column = summary.payment or "the payment column"
        units = f"{summary.transform}({column})" if summary.transform else "model units"
        parts.append(
            _table(
                "The price of an ally: required side payment a* = max(0, D) and Pr(alliance "
                f"forms) at the formation estimates, 95% delta-method intervals; a* in model "
                f"units ({units}) and on {column}'s own scale, the scale of the observed payment",
                (
                    "case",
                    "year",
                    "a*, model units",
                    "interval",
                    f"a*, {column}",
                    "interval",
                    "Pr(forms)",
                    "interval",
                    f"observed {column}",
                    "allied",
                ),
                (
                    (
                        c.label,
                        c.year or "–",
                        fmt_number(c.required_payment),
                        _interval(c.required_low, c.required_high),
                        fmt_number(c.required_level),
                        _interval(c.required_level_low, c.required_level_high),
                        fmt_number(c.p_forms),
                        _interval(c.p_forms_low, c.p_forms_high),
                        fmt_number(c.observed_payment),
                        fmt_number(c.observed_allied),
                    )
                    for c in summary.prices
                ),
            )
        )
    if summary.forecasts:
        split = (
            ""
            if summary.forecast_split is None
            else f": trained to {summary.forecast_split[0]}, "
            f"predicting to {summary.forecast_split[1]}"
        )
        parts.append(
            _table(
                f"Out-of-sample forecasts{split} (lower log-loss and Brier are better)",
                ("design", "target", "model", "log-loss", "Brier", "AUC", "n", "events"),
                (
                    (
                        f.design,
                        f.target,
                        f.model,
                        fmt_number(f.log_loss, 4),
                        fmt_number(f.brier, 4),
                        fmt_number(f.auc),
                        fmt_number(f.n),
                        fmt_number(f.events),
                    )
                    for f in summary.forecasts
                ),
            )
        )
    parts += [f"<p><small>{_e(n)}</small></p>" for n in summary.notes]
    parts.append("</div>")
    return Markup(sanitize_table_html("".join(parts)))  # sanitized above
