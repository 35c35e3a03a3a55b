"""The formation-stage log-likelihood, its analytic score, and the clustered sandwich.

Random-utility formation game (THEORY 2.2-2.3, docs/estimation.md): in dyad-year i the
alliance is in force iff ``S_i + eps_i >= 0`` and, where it is, the payment is
``a_i = max(0, a*_i + (1 - beta) S_i + eta_i)`` (a Tobit), with

    D   = lambda(W) d x - sigma T,  lambda(W) = rho (omega + (1 - omega) W),  T = tau * threat
    a*  = max(0, D),  S = v_g x - k sigma T - a*,  x = 1
    eps ~ N(0, sigma_eps^2),  eta ~ N(0, sigma_eta^2), independent.

``D`` and ``v x - k sigma T`` come from :mod:`sidepay.theory.formation` (``deficit``,
``patron_max_payment``); this module adds only the probability model, a smoothing of the
kink of ``max(0, D)`` over a band of width :data:`KINK_WIDTH`, and the derivatives. The parameter vector is
``[v_1 .. v_G, rho, omega, tau, k, beta, log sigma_eps, log sigma_eta]`` (:func:`names`).

Examples
--------
>>> import numpy as np
>>> from sidepay.estimate.mapping import FormationDesign
>>> import pandas as pd
>>> des = FormationDesign(d=np.array([0.5, 0.2]), W=np.array([1.0, 0.5]),
...     T=np.array([1.0, 0.0]), sigma=np.array([0.9, 0.9]), allied=np.array([1.0, 0.0]),
...     paid=np.array([True, False]), payment=np.array([0.3, 0.0]),
...     group=np.array([0, 0]), groups=("USA 1946-1989",), cluster=np.array([1, 2]),
...     patron=np.array([2, 2]), client=np.array([1, 2]), year=np.array([1950, 1950]),
...     rows=pd.RangeIndex(2))
>>> theta = np.array([0.4, 1.0, 0.2, 0.5, 0.5, 0.9, 0.0, -1.0])
>>> ll, score = loglik(theta, des)
>>> round(float(ll), 4), score.shape
(-1.6665, (8,))
"""

from __future__ import annotations

from typing import Final

import numpy as np
from numpy.typing import NDArray
from scipy import special

from sidepay.estimate.mapping import FormationDesign
from sidepay.theory.formation import deficit, patron_max_payment

FloatArray = NDArray[np.float64]

#: the structural parameters after the patron x era values v
STRUCTURAL: Final = ("rho", "omega", "tau", "k", "beta", "log_sigma_eps", "log_sigma_eta")

#: width (model payment units) of the band over which the likelihood smooths the kink of
#: a* = max(0, D): a* ~ w log(1 + exp(D / w)), at most w log 2 = 0.014 above max(0, D).
#: Exact max(0, D) makes the log-likelihood kinked in (rho, omega, tau) wherever a row's D
#: crosses 0, which stalls line searches and corrupts a finite-difference Hessian.
KINK_WIDTH: Final = 0.02
_HALF_LOG_2PI: Final = 0.5 * np.log(2.0 * np.pi)


def names(groups: tuple[str, ...]) -> list[str]:
    """Names of the estimation vector: ``v[group]`` for each group, then :data:`STRUCTURAL`.

    Examples
    --------
    >>> names(("USA 1990-",))[:2]
    ['v[USA 1990-]', 'rho']
    """
    return [f"v[{g}]" for g in groups] + list(STRUCTURAL)


def _mills(z: FloatArray) -> tuple[FloatArray, FloatArray]:
    """log Phi(z) and phi(z) / Phi(z), stable far in the tails."""
    log_cdf = special.log_ndtr(z)
    return log_cdf, np.exp(-0.5 * z * z - _HALF_LOG_2PI - log_cdf)


def smooth_required_payment(
    D: FloatArray, width: float = KINK_WIDTH
) -> tuple[FloatArray, FloatArray]:
    """``w log(1 + exp(D / w))`` (a smooth ``max(0, D)``) and its derivative in ``D``.

    ``width=0`` gives the exact ``max(0, D)`` of the theory.

    Examples
    --------
    >>> a, da = smooth_required_payment(np.array([-1.0, 1.0]))
    >>> a.round(6).tolist(), da.round(6).tolist()
    ([0.0, 1.0], [0.0, 1.0])
    """
    if width <= 0:
        return np.maximum(0.0, D), (D > 0).astype(np.float64)
    return width * np.logaddexp(0.0, D / width), special.expit(D / width)


def row_terms(
    theta: FloatArray, des: FormationDesign, width: float = KINK_WIDTH
) -> tuple[FloatArray, FloatArray]:
    """Per-row log-likelihood (n,) and per-row score (n, p) at ``theta``.

    The score is analytic: derivatives of ``D``, ``a*`` and ``S`` in the parameters,
    chained through the probit and Tobit terms.
    """
    G = len(des.groups)
    rho, omega, tau, k, beta, lse, lsh = theta[G:]
    s_e, s_h = np.exp(lse), np.exp(lsh)
    v = theta[:G][des.group]
    T = tau * des.T
    D = deficit(des.W, des.d, 1.0, des.sigma, T, rho, omega)
    a_star, kink = smooth_required_payment(D, width)
    S = patron_max_payment(v, 1.0, k, des.sigma, T) - a_star
    # the Tobit's mean: the bargaining rule a* + (1 - beta) S of THEORY 2.3, applied to every
    # observed alliance (the theory pays 0 where S < 0; here eps made those form)
    m = a_star + (1.0 - beta) * S

    q = 2.0 * des.allied - 1.0
    z = q * S / s_e
    ll_f, mills_f = _mills(z)
    dS = q * mills_f / s_e  # d ll / d S
    d_lse = -mills_f * z

    ll_p = np.zeros(des.n)
    dm = np.zeros(des.n)
    d_lsh = np.zeros(des.n)
    paid = des.paid
    pos = paid & (des.payment > 0)
    zero = paid & ~pos
    r = (des.payment[pos] - m[pos]) / s_h
    ll_p[pos] = -0.5 * r * r - lsh - _HALF_LOG_2PI
    dm[pos] = r / s_h
    d_lsh[pos] = r * r - 1.0
    u = -m[zero] / s_h
    ll_z, mills_z = _mills(u)
    ll_p[zero] = ll_z
    dm[zero] = -mills_z / s_h
    d_lsh[zero] = -mills_z * u

    sT = des.sigma * des.T
    dD_rho = (omega + (1.0 - omega) * des.W) * des.d
    dD_omega = rho * (1.0 - des.W) * des.d
    # derivatives of a* and S in (rho, omega, tau, k)
    da = np.stack([kink * dD_rho, kink * dD_omega, -kink * sT, np.zeros(des.n)], axis=1)
    dSs = np.stack([-da[:, 0], -da[:, 1], -k * sT + kink * sT, -tau * sT], axis=1)
    b = 1.0 - beta
    score = np.zeros((des.n, G + len(STRUCTURAL)))
    score[np.arange(des.n), des.group] = dS + dm * b
    score[:, G : G + 4] = (dS + dm * b)[:, None] * dSs + dm[:, None] * da
    score[:, G + 4] = -dm * S
    score[:, G + 5] = d_lse
    score[:, G + 6] = d_lsh
    return ll_f + ll_p, score


def loglik(
    theta: FloatArray, des: FormationDesign, width: float = KINK_WIDTH
) -> tuple[float, FloatArray]:
    """Total log-likelihood and its gradient (the analytic score) at ``theta``."""
    ll, score = row_terms(theta, des, width)
    return float(ll.sum()), score.sum(axis=0)


def numerical_hessian(
    theta: FloatArray, des: FormationDesign, step: float = 1e-5, width: float = KINK_WIDTH
) -> FloatArray:
    """Hessian of the log-likelihood by central differences of the analytic score (symmetric).

    Examples
    --------
    >>> numerical_hessian  # doctest: +ELLIPSIS
    <function numerical_hessian at ...>
    """
    p = len(theta)
    H = np.empty((p, p))
    for j in range(p):
        h = step * max(1.0, abs(float(theta[j])))
        up, dn = theta.copy(), theta.copy()
        up[j] += h
        dn[j] -= h
        H[:, j] = (loglik(up, des, width)[1] - loglik(dn, des, width)[1]) / (2.0 * h)
    return 0.5 * (H + H.T)


def clustered_sandwich(
    hessian: FloatArray, scores: FloatArray, cluster: NDArray[np.int64]
) -> tuple[FloatArray, FloatArray, int]:
    """Cluster-robust covariance ``A^-1 B A^-1`` and the model-based ``A^-1``.

    ``A = -hessian`` (the observed information), ``B = G / (G - 1) * sum_g s_g s_g'`` with
    ``s_g`` the sum of the per-row scores of cluster ``g`` (the CR1 small-sample factor, as
    Stata's ``vce(cluster)`` for ML models). Returns (robust, model-based, G).

    Examples
    --------
    >>> H = -np.array([[2.0, 0.0], [0.0, 4.0]])
    >>> s = np.array([[1.0, 0.0], [1.0, 2.0], [-2.0, -2.0]])
    >>> V, V0, G = clustered_sandwich(H, s, np.array([1, 1, 2]))
    >>> V.round(3).tolist(), G
    ([[4.0, 2.0], [2.0, 1.0]], 2)
    """
    A_inv: FloatArray = np.asarray(np.linalg.inv(-hessian), dtype=np.float64)
    codes = np.unique(cluster, return_inverse=True)[1].ravel()
    G = int(codes.max()) + 1
    summed = np.zeros((G, scores.shape[1]))
    np.add.at(summed, codes, scores)
    B = (G / (G - 1)) * summed.T @ summed if G > 1 else summed.T @ summed
    V = A_inv @ B @ A_inv
    return 0.5 * (V + V.T), A_inv, G
