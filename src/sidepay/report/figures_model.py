"""Render comparative statics of the formal model: a CSV and a figure (PNG and SVG).

Computes nothing: it draws the arrays that :func:`sidepay.theory.statics.comparative_statics`
returns. Every file is written to a temporary file in the target folder and moved into
place with ``os.replace``, so a reader never sees a half-written file.

Examples
--------
>>> import tempfile
>>> from sidepay.theory.statics import comparative_statics
>>> cs = comparative_statics("W", 0.05, 1.0, 20)
>>> with tempfile.TemporaryDirectory() as tmp:
...     paths = write_statics(cs, "W", tmp)
...     [p.name for p in paths]
['statics_W.csv', 'statics_W.png', 'statics_W.svg']
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from pathlib import Path

import matplotlib as mpl
import numpy as np
from matplotlib.figure import Figure

from sidepay.atomic import write_bytes_atomic
from sidepay.errors import InputError

__all__ = ["statics_figure", "write_statics"]

_LABELS = {
    "W": "coalition size W",
    "d": "interest divergence d",
    "x": "concession package x",
    "sigma": "share of threat absorbed sigma",
    "T": "external threat T",
    "v": "patron's value v",
    "k": "patron's protection cost k",
    "beta": "patron's bargaining weight beta",
    "h": "regime-change hazard h",
}


def statics_figure(cs: Mapping[str, np.ndarray], vary: str) -> Figure:
    """Two panels: payments and the patron's surplus; the leader's hazard, shaded by outcome.

    Examples
    --------
    >>> from sidepay.theory.statics import comparative_statics
    >>> fig = statics_figure(comparative_statics("d", 0.0, 1.0, 10), "d")
    >>> len(fig.axes)
    2
    """
    x_all = np.asarray(cs[vary])
    fig = Figure(figsize=(9, 3.6), layout="constrained")
    ax1, ax2 = fig.subplots(1, 2)
    outcome = np.asarray(cs["outcome"])
    colors = {0: "#f2dede", 1: "#e8f1fb", 2: "#eaf5e4"}
    names = {0: "no alliance", 1: "pure trade", 2: "bought alliance"}
    # one shaded span per run of equal outcome (not one per grid point: --points goes to 1e7)
    change = np.flatnonzero(outcome[1:] != outcome[:-1]) + 1
    starts = np.concatenate([[0], change])
    ends = np.concatenate([change, [len(x_all) - 1]])
    for ax in (ax1, ax2):
        seen: set[int] = set()
        for i, j in zip(starts.tolist(), ends.tolist(), strict=True):
            o = int(outcome[i])
            label = None if o in seen else names[o]
            ax.axvspan(x_all[i], x_all[j], color=colors[o], lw=0, label=label)
            seen.add(o)
    # curves: at most ~4000 points plus both sides of every outcome change (kinks stay exact)
    n = len(x_all)
    keep = np.unique(
        np.concatenate(
            [np.linspace(0, n - 1, min(n, 4000)).round().astype(np.int64), change, change - 1]
        )
    )
    x = x_all[keep]
    cs = {k: np.asarray(v)[keep] for k, v in cs.items() if k != vary}
    ax1.plot(x, cs["required_payment"], color="#1f4e79", label="required payment a*")
    ax1.plot(x, cs["payment"], color="#c55a11", ls="--", label="payment a")
    ax1.plot(x, cs["patron_surplus"], color="#555555", ls=":", label="patron surplus S_g")
    ax1.axhline(0.0, color="black", lw=0.6)
    ax1.set_xlabel(_LABELS.get(vary, vary))
    ax1.set_ylabel("per period")
    ax1.set_title("Side payment")
    ax1.legend(fontsize=7, loc="best")
    ax2.plot(x, cs["hazard_alone"], color="#7f7f7f", label="leader hazard, alone")
    ax2.plot(x, cs["hazard_allied"], color="#1f4e79", label="leader hazard, in equilibrium")
    ax2.set_xlabel(_LABELS.get(vary, vary))
    ax2.set_ylabel("h_L")
    ax2.set_title("Leader survival")
    ax2.legend(fontsize=7, loc="best")
    return fig


def write_statics(cs: Mapping[str, np.ndarray], vary: str, out_dir: str | Path) -> list[Path]:
    """Write ``statics_<vary>.csv``, ``.png`` and ``.svg`` into ``out_dir`` atomically.

    Raises
    ------
    InputError
        ``out_dir`` exists and is not a folder, or cannot be created.
    """
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        raise InputError(f"--out {out} is not a folder; pass a folder path") from None
    except OSError as exc:
        raise InputError(f"cannot create output folder {out}: {exc.strerror}") from None
    cols = [vary, *[k for k in cs if k != vary]]
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(cols)
    arrays = [np.asarray(cs[c]) for c in cols]
    for row in zip(*arrays, strict=True):
        w.writerow([repr(float(v)) if isinstance(v, np.floating) else int(v) for v in row])
    paths = [out / f"statics_{vary}.csv"]
    write_bytes_atomic(paths[0], buf.getvalue().encode())
    fig = statics_figure(cs, vary)
    for ext in ("png", "svg"):
        b = io.BytesIO()
        with mpl.rc_context({"svg.hashsalt": "sidepay"}):  # same input, same bytes
            fig.savefig(b, format=ext, dpi=150, metadata={"Date": None} if ext == "svg" else None)
        path = out / f"statics_{vary}.{ext}"
        write_bytes_atomic(path, b.getvalue())
        paths.append(path)
    return paths
