"""From the model's symbols to the panel's columns: the one place the mapping is written.

The formation model (THEORY 2.2-2.3) speaks of ``d``, ``W``, ``T``, ``sigma``, ``x``,
``v_g`` and ``a``; a panel in :mod:`sidepay.schema` has columns. :data:`SYMBOLS` says which
column measures which symbol, what concept it stands for and what it misses, and
:func:`formation_design` turns any panel (real or simulated) into the arrays the likelihood
reads. Nothing here imports :mod:`sidepay.data`: any table in the schema will do.

Examples
--------
>>> import pandas as pd
>>> panel = pd.DataFrame({"patron": [2, 2, 365], "client": [20, 40, 40],
...     "year": [1950, 1995, 1960], "allied": [1, 0, 1], "divergence": [0.5, 1.0, 0.2],
...     "W": [1.0, 0.25, 0.5], "threat": [1.0, 0.0, 2.0], "cinc_patron": [0.3, 0.2, 0.2],
...     "cinc_client": [0.01, 0.0, 0.05], "side_payment": [3.0, 0.0, None]})
>>> des = formation_design(panel)
>>> des.n, des.groups, des.paid.tolist()
(3, ('USA 1946-1989', 'USA 1990-', 'RUS 1946-1989'), [True, False, False])
>>> [round(float(s), 3) for s in des.sigma]
[0.968, 1.0, 0.8]
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from sidepay.errors import bad_param
from sidepay.payment_scale import log1p_payment
from sidepay.schema import missing_columns, validate_panel

Transform = Literal["log1p", "level"]
TRANSFORMS: Final = ("log1p", "level")

#: first year after the Cold War (eras: 1946-1989, 1990-)
ERA_BREAK: Final = 1990

#: COW abbreviations of the usual patrons, for labels only (codes are what the model uses)
PATRON_ABBREVIATIONS: Final[dict[int, str]] = {
    2: "USA", 200: "UKG", 220: "FRN", 255: "GMY", 365: "RUS", 710: "CHN", 740: "JPN",
}  # fmt: skip


@dataclass(frozen=True)
class Symbol:
    """One symbol of the model: the panel column(s) that measure it and what they miss."""

    symbol: str
    columns: str
    concept: str
    misses: str


SYMBOLS: Final[dict[str, Symbol]] = {
    "d": Symbol(
        "d",
        "divergence",
        "interest divergence: distance between the patron's and the client's UN General "
        "Assembly ideal points (real) or the simulated d",
        "only what states vote on in the UN; real units are ideal-point distances (0-6.4), "
        "not [0, 1]: rho absorbs the scale",
    ),
    "W": Symbol(
        "W",
        "W",
        "winning-coalition size (Bueno de Mesquita et al. from Polity5 and GWF)",
        "four coarse indicators (five levels); missing where Polity or GWF is",
    ),
    "T": Symbol(
        "T",
        "threat (option threat=; common_threat is the alternative)",
        "external threat the client faces alone, T = tau * column: tau converts the count "
        "into the payment's units (the security spending a unit of threat needs)",
        "real: a count of strategic rivalries, not spending; common_threat (shared threat) "
        "is non-zero in under 1% of real dyad-years",
    ),
    "sigma": Symbol(
        "sigma",
        "cinc_patron, cinc_client",
        "share of the threat the patron's protection absorbs: sigma = cinc_patron / "
        "(cinc_patron + cinc_client), the patron's share of the pair's capabilities",
        "capabilities are not commitment: a strong patron that would not fight absorbs "
        "nothing; near 1 for almost every real pair, so it scales T little",
    ),
    "x": Symbol(
        "x",
        "(none: normalised x = 1)",
        "the concession package; its unit is the unit of v and of lambda",
        "troops, bases and UN alignment are not used as x (they are partly outcomes)",
    ),
    "v": Symbol(
        "v",
        "patron x era (Cold War 1946-1989, after 1990)",
        "the patron's value of the alliance, one parameter per patron and era",
        "no dyad-specific strategic value (location, resources): that sits in eps",
    ),
    "a": Symbol(
        "a",
        "payment= (default side_payment; any float column, e.g. aid_econ, aid_mil, aid_us)",
        "the side payment, in the column's units after the transform (default log1p)",
        "real side_payment is SIPRI arms TIV: partly the protection itself, not only "
        "compensation; aid series exist for the USA (and DAC donors), not the USSR",
    ),
    "allied": Symbol(
        "allied",
        "alliance= (default allied)",
        "the alliance is in force this year (the formation condition holds)",
        "real allied is any ATOP obligation, consultation and non-aggression included",
    ),
}


@dataclass(frozen=True)
class FormationDesign:
    """The arrays the formation likelihood reads, one entry per usable dyad-year.

    Attributes
    ----------
    d, W, T, sigma : the model's covariates (``T`` is the threat column before ``tau``).
    allied : 1.0 where the alliance is in force, else 0.0.
    paid : the payment is observed (allied rows with a non-missing payment).
    payment : the transformed payment (0 where not ``paid``).
    group : index of the patron x era group of each row in ``groups``.
    groups : labels of the patron x era groups (``"USA 1946-1989"``).
    cluster : client codes (the clusters of the sandwich).
    patron, client, year : the keys of each row.
    rows : the panel's index labels of the rows used.
    """

    d: NDArray[np.float64]
    W: NDArray[np.float64]
    T: NDArray[np.float64]
    sigma: NDArray[np.float64]
    allied: NDArray[np.float64]
    paid: NDArray[np.bool_]
    payment: NDArray[np.float64]
    group: NDArray[np.int64]
    groups: tuple[str, ...]
    cluster: NDArray[np.int64]
    patron: NDArray[np.int64]
    client: NDArray[np.int64]
    year: NDArray[np.int64]
    rows: pd.Index

    @property
    def n(self) -> int:
        """Number of dyad-years."""
        return len(self.d)


def capability_share(cinc_patron: object, cinc_client: object) -> NDArray[np.float64]:
    """sigma = cinc_patron / (cinc_patron + cinc_client); 1 where the client has none.

    Examples
    --------
    >>> capability_share([0.2, 0.1], [0.05, 0.0]).tolist()
    [0.8, 1.0]
    """
    p = np.asarray(cinc_patron, dtype=np.float64)
    c = np.asarray(cinc_client, dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(p + c > 0, p / (p + c), 1.0)


def era_label(year: int, era_break: int = ERA_BREAK) -> str:
    """``"1946-1989"`` (Cold War) or ``"1990-"`` for a year.

    Examples
    --------
    >>> era_label(1989), era_label(1990)
    ('1946-1989', '1990-')
    """
    return f"1946-{era_break - 1}" if year < era_break else f"{era_break}-"


def group_label(patron: int, year: int, era_break: int = ERA_BREAK) -> str:
    """Label of a patron x era group, ``"USA 1990-"``.

    Examples
    --------
    >>> group_label(365, 1960)
    'RUS 1946-1989'
    """
    return f"{PATRON_ABBREVIATIONS.get(int(patron), str(int(patron)))} {era_label(year, era_break)}"


def transform_payment(values: object, transform: Transform) -> NDArray[np.float64]:
    """The payment on the scale the model uses: ``log1p`` (default) or ``level``.

    Negative values (net deobligations in aid series) are read as no new payment, 0, before
    ``log1p`` (:func:`sidepay.payment_scale.log1p_payment`): the model has no negative side
    payments.

    Examples
    --------
    >>> transform_payment([0.0, np.e - 1, -3.0], "log1p").round(3).tolist()
    [0.0, 1.0, 0.0]
    """
    a = np.asarray(values, dtype=np.float64)
    return a if transform == "level" else log1p_payment(a)


def untransform_payment(values: object, transform: Transform) -> NDArray[np.float64]:
    """Inverse of :func:`transform_payment` on non-negative values.

    Examples
    --------
    >>> untransform_payment([0.0, 1.0], "log1p").round(3).tolist()
    [0.0, 1.718]
    """
    a = np.asarray(values, dtype=np.float64)
    return a if transform == "level" else np.expm1(a)


def check_float_column(panel: pd.DataFrame, column: str, param: str) -> None:
    """Refuse a column that is absent or not numeric, naming ``param``.

    Examples
    --------
    >>> check_float_column(pd.DataFrame({"a": [1.0]}), "b", "payment")
    ... # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
    sidepay.errors.InputError: payment= column 'b' is not in the panel; ...
    """
    if column not in panel.columns:
        numeric = [str(c) for c in panel.columns if pd.api.types.is_float_dtype(panel[c].dtype)]
        raise bad_param(
            param,
            f"column {column!r} is not in the panel; float columns: {', '.join(numeric)}",
        )
    if not pd.api.types.is_numeric_dtype(panel[column].dtype):
        raise bad_param(param, f"column {column!r} is not numeric ({panel[column].dtype})")


def formation_design(
    panel: pd.DataFrame,
    *,
    payment: str = "side_payment",
    threat: str = "threat",
    alliance: str = "allied",
    transform: Transform = "log1p",
    years: tuple[int, int] | None = None,
    era_break: int = ERA_BREAK,
    groups: tuple[str, ...] | None = None,
    carry_forward: bool = False,
    outcomes: bool = True,
) -> FormationDesign:
    """The formation design of ``panel``: rows with every covariate observed.

    Rows lacking ``divergence``, ``W``, the threat column, capabilities or the alliance
    indicator are dropped; a missing payment on an allied row keeps the row for the
    formation part only. ``groups`` fixes the patron x era groups (a fitted model's), and
    rows of other groups are dropped; by default the groups are those present. With
    ``carry_forward`` a row of an era not in ``groups`` takes the patron's latest era that
    is (a model fitted on the Cold War predicts after it with the Cold War's v). With
    ``outcomes=False`` (prediction) the payment and alliance columns may be absent.
    """
    if transform not in TRANSFORMS:
        raise bad_param("transform", f"must be one of {', '.join(TRANSFORMS)}; got {transform!r}")
    validate_panel(panel)
    if not outcomes:
        panel = panel.assign(**{c: np.nan for c in (payment, alliance) if c not in panel.columns})
        panel = panel.assign(**{alliance: panel[alliance].astype("float64").fillna(0.0)})
    for col, param in ((payment, "payment"), (threat, "threat"), (alliance, "alliance")):
        check_float_column(panel, col, param)
    need = ["divergence", "W", "cinc_patron", "cinc_client"]
    lacking = missing_columns(panel, need)
    if lacking:
        raise bad_param("panel", f"lacks column(s) {', '.join(lacking)} the formation model needs")
    cols = ["divergence", "W", threat, "cinc_patron", "cinc_client", alliance]
    frame = panel
    if years is not None:
        frame = frame[(frame["year"] >= years[0]) & (frame["year"] <= years[1])]
    num = frame[cols].astype("float64")
    keep = num.notna().all(axis=1).to_numpy()
    frame, num = frame[keep], num[keep]
    patron = frame["patron"].to_numpy(np.int64)
    year = frame["year"].to_numpy(np.int64)
    labels = np.array([group_label(p, y, era_break) for p, y in zip(patron, year, strict=True)])
    if groups is None:
        groups = tuple(dict.fromkeys(labels.tolist()))
    elif carry_forward:
        latest: dict[str, str] = {}
        for g in groups:  # eras sort by their first year
            pat = g.rsplit(" ", 1)[0]
            if pat not in latest or g.rsplit(" ", 1)[1] > latest[pat].rsplit(" ", 1)[1]:
                latest[pat] = g
        alias = {lab: latest.get(lab.rsplit(" ", 1)[0], lab) for lab in set(labels.tolist())}
        labels = np.array([lab if lab in groups else alias[lab] for lab in labels])
    known = np.isin(labels, np.array(groups))
    index = {g: i for i, g in enumerate(groups)}
    frame, num, labels = frame[known], num[known], labels[known]
    allied = (num[alliance].to_numpy() > 0).astype(np.float64)
    pay = transform_payment(frame[payment].astype("float64").to_numpy(), transform)
    paid = (allied == 1.0) & np.isfinite(pay)
    return FormationDesign(
        d=num["divergence"].to_numpy(),
        W=num["W"].to_numpy(),
        T=num[threat].to_numpy(),
        sigma=capability_share(num["cinc_patron"], num["cinc_client"]),
        allied=allied,
        paid=paid,
        payment=np.where(paid, pay, 0.0),
        group=np.array([index[g] for g in labels], dtype=np.int64),
        groups=tuple(groups),
        cluster=frame["client"].to_numpy(np.int64),
        patron=frame["patron"].to_numpy(np.int64),
        client=frame["client"].to_numpy(np.int64),
        year=frame["year"].to_numpy(np.int64),
        rows=frame.index,
    )
