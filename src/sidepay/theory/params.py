"""Every parameter of the trade-off model, validated, with documented ranges and defaults.

``ModelParams`` holds one baseline parameter point of the formation game (THEORY 2.1-2.4),
the leader's survival technology (2.2) and the maintenance dynamics (2.5). It is immutable;
``replace`` returns a validated copy. Any validation problem (a value out of range, NaN, an
unknown key, a malformed TOML file) becomes one :class:`sidepay.errors.InputError` line that
names the parameter and what is allowed.

No I/O happens here: :func:`sidepay.config.load_params` reads a TOML file and hands the
parsed mapping to ``ModelParams.from_toml_mapping``.

Examples
--------
>>> p = ModelParams()
>>> p.W, p.d, p.beta
(0.25, 0.6, 1.0)
>>> p.replace(W=0.9).W
0.9
>>> try:
...     ModelParams.from_mapping({"W": 1.5})
... except InputError as e:
...     print(e)
parameter 'W' = 1.5 is not allowed: must be in (0, 1] (coalition size W)
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import annotated_types as at
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from sidepay.errors import InputError

__all__ = ["ModelParams", "input_error_from_validation", "param_bounds"]


class ModelParams(BaseModel):
    """All parameters of the model (one baseline point plus the dynamics).

    Ranges are given as intervals; ``(0, 1]`` excludes 0. Per-dyad primitives (``W``,
    ``d``, ``x``, ``sigma``, ``T``, ``v``, ``k``, ``B``, ``Y``, ``h``) are the baseline point
    that ``sidepay model solve`` solves and that comparative statics vary one at a time;
    the simulation draws them per dyad and uses the rest as structural parameters.

    Examples
    --------
    >>> ModelParams(rho=2.0).rho
    2.0
    >>> sorted(ModelParams.model_fields)[:4]
    ['B', 'T', 'W', 'Y']
    """

    model_config = ConfigDict(
        extra="forbid", frozen=True, allow_inf_nan=False, validate_default=True
    )

    # --- formation primitives (THEORY 2.1-2.3), the baseline point ---------------------
    W: float = Field(default=0.25, gt=0.0, le=1.0, description="coalition size W")
    d: float = Field(default=0.6, ge=0.0, le=1.0, description="interest divergence with the patron")
    x: float = Field(default=0.5, gt=0.0, le=1.0, description="concession package")
    sigma: float = Field(
        default=0.5, ge=0.0, le=1.0, description="share of threat the patron absorbs"
    )
    T: float = Field(default=0.1, ge=0.0, description="external threat")
    v: float = Field(default=1.0, ge=0.0, description="patron's value of a full concession")
    k: float = Field(default=0.5, ge=0.0, description="patron's cost per unit of protected threat")
    rho: float = Field(default=1.0, gt=0.0, description="salience of concessions")
    omega: float = Field(
        default=0.2, ge=0.0, lt=1.0, description="floor of the coalition-size effect"
    )
    beta: float = Field(default=1.0, ge=0.0, le=1.0, description="patron's bargaining weight")
    # --- rivals (2.4) --------------------------------------------------------------------
    psi: float = Field(default=0.05, ge=0.0, description="switching cost, the incumbent's edge")
    # --- the leader's survival (2.2) -------------------------------------------------------
    B: float = Field(default=0.2, ge=0.0, description="goods owed to the coalition")
    Y: float = Field(default=1.0, gt=0.0, description="national income")
    kappa: float = Field(default=1.0, gt=0.0, description="fiscal capacity")
    h0: float = Field(default=0.05, ge=0.0, lt=1.0, description="baseline leader hazard")
    eta: float = Field(default=0.5, ge=0.0, description="hazard per unit of extraction cost")
    h_cap: float = Field(default=0.95, gt=0.0, lt=1.0, description="cap of the leader hazard")
    # --- maintenance dynamics (2.5) --------------------------------------------------------
    h: float = Field(default=0.03, ge=0.0, lt=1.0, description="regime-change hazard")
    mu_d: float = Field(default=0.0, ge=-1.0, le=1.0, description="drift of divergence per period")
    s_d: float = Field(default=0.03, ge=0.0, le=1.0, description="s.d. of divergence shocks")
    mu_r: float = Field(
        default=0.15, ge=0.0, le=1.0, description="mean divergence jump at regime change"
    )
    s_r: float = Field(default=0.15, ge=0.0, le=1.0, description="s.d. of the regime-change jump")
    s_l_small: float = Field(
        default=0.04, ge=0.0, le=1.0, description="s.d. of the leader-change jump at W -> 0"
    )
    s_l_large: float = Field(
        default=0.02, ge=0.0, le=1.0, description="s.d. of the leader-change jump at W = 1"
    )
    regime_w_a: float = Field(
        default=1.0, gt=0.0, description="Beta(a, b) law of W after regime change: a"
    )
    regime_w_b: float = Field(
        default=1.0, gt=0.0, description="Beta(a, b) law of W after regime change: b"
    )
    beta_holdup: float = Field(
        default=0.5, ge=0.0, le=1.0, description="patron's bargaining weight during hold-up"
    )
    holdup_periods: int = Field(
        default=3, ge=0, le=100, description="periods of hold-up after regime change"
    )
    stickiness: float = Field(
        default=0.5, ge=0.0, le=1.0, description="share of a payment cut withheld"
    )
    stability_effect: float = Field(
        default=0.0, ge=-1.0, le=1.0, description="price shift per unit of regime hazard h"
    )

    @field_validator("*", mode="before")
    @classmethod
    def _numbers_only(cls, value: Any) -> Any:
        # TOML ``W = true`` or ``W = "0.5"`` is a mistake, not a number
        if isinstance(value, bool | str):
            raise ValueError("not a number")
        return value

    @model_validator(mode="after")
    def _leader_shocks_shrink_with_w(self) -> ModelParams:
        if self.s_l_large > self.s_l_small:
            raise ValueError(
                f"s_l_large must be <= s_l_small (leader-change shocks are smaller in large-W "
                f"systems); got s_l_large = {self.s_l_large!r}, s_l_small = {self.s_l_small!r}"
            )
        if self.h0 >= self.h_cap:
            raise ValueError(f"h0 must be < h_cap; got h0 = {self.h0!r}, h_cap = {self.h_cap!r}")
        return self

    # ------------------------------------------------------------------------------------
    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> ModelParams:
        """Validate a mapping of parameter values; errors become one-line InputError.

        Examples
        --------
        >>> ModelParams.from_mapping({"d": 0.1}).d
        0.1
        """
        try:
            return cls.model_validate(dict(values))
        except ValidationError as exc:
            raise input_error_from_validation(exc, values) from None

    @classmethod
    def from_toml_mapping(cls, raw: Mapping[str, Any], name: str = "TOML") -> ModelParams:
        """Validate a parsed TOML document: top-level keys or one ``[model]`` table.

        ``name`` names the file in error messages. Reading the file is
        :func:`sidepay.config.load_params`'s job (``theory/`` does no I/O).

        Examples
        --------
        >>> ModelParams.from_toml_mapping({"model": {"W": 0.8}}).W
        0.8
        >>> try:
        ...     ModelParams.from_toml_mapping({"W": 0.8, "ignored_never": {}}, "p.toml")
        ... except InputError as e:
        ...     print(str(e).split(":")[0])
        unknown parameter 'ignored_never' in p.toml
        """
        raw = dict(raw)
        if isinstance(raw.get("model"), dict):
            if len(raw) > 1:
                raise InputError(
                    f"parameter file {name} mixes a [model] table with other keys or tables "
                    f"({', '.join(sorted(set(raw) - {'model'}))}); put every parameter in one"
                )
            raw = raw["model"]
        unknown = sorted(set(raw) - set(cls.model_fields))
        if unknown:
            raise InputError(
                f"unknown parameter {unknown[0]!r} in {name}: allowed are "
                + ", ".join(cls.model_fields)
            )
        return cls.from_mapping(raw)

    def replace(self, **changes: Any) -> ModelParams:
        """A validated copy with some parameters changed.

        Examples
        --------
        >>> ModelParams().replace(beta=0.5).beta
        0.5
        """
        return type(self).from_mapping({**self.model_dump(), **changes})

    def s_l(self, W: float | None = None) -> float:
        """s.d. of the leader-change divergence jump at coalition size W (linear in W).

        Examples
        --------
        >>> ModelParams(s_l_small=0.04, s_l_large=0.02).s_l(0.5)
        0.03
        """
        w = self.W if W is None else W
        return self.s_l_small + (self.s_l_large - self.s_l_small) * w


def param_bounds(name: str) -> tuple[float, float, bool, bool]:
    """(low, high, low_inclusive, high_inclusive) of a ModelParams field.

    Examples
    --------
    >>> param_bounds("W")
    (0.0, 1.0, False, True)
    >>> param_bounds("T")
    (0.0, inf, True, False)
    """
    if name not in ModelParams.model_fields:
        raise InputError(
            f"unknown parameter {name!r}: allowed are " + ", ".join(ModelParams.model_fields)
        )
    lo, hi, lo_inc, hi_inc = -math.inf, math.inf, False, False
    for m in ModelParams.model_fields[name].metadata:
        if isinstance(m, at.Gt):
            lo, lo_inc = float(m.gt), False  # type: ignore[arg-type]
        elif isinstance(m, at.Ge):
            lo, lo_inc = float(m.ge), True  # type: ignore[arg-type]
        elif isinstance(m, at.Lt):
            hi, hi_inc = float(m.lt), False  # type: ignore[arg-type]
        elif isinstance(m, at.Le):
            hi, hi_inc = float(m.le), True  # type: ignore[arg-type]
    return lo, hi, lo_inc, hi_inc


def _allowed(name: str) -> str:
    lo, hi, lo_inc, hi_inc = param_bounds(name)
    desc = ModelParams.model_fields[name].description or name
    kind = "an integer" if ModelParams.model_fields[name].annotation is int else "a number"
    if math.isinf(lo) and math.isinf(hi):
        return f"must be {kind} ({desc})"
    if math.isinf(hi):
        return f"must be {kind} {'>=' if lo_inc else '>'} {lo:g} ({desc})"
    return f"must be in {'[' if lo_inc else '('}{lo:g}, {hi:g}{']' if hi_inc else ')'} ({desc})"


def input_error_from_validation(
    exc: ValidationError, values: Mapping[str, Any] | None = None
) -> InputError:
    """Turn a pydantic ValidationError on ModelParams into one InputError line.

    Examples
    --------
    >>> try:
    ...     ModelParams(rho=float("nan"))
    ... except ValidationError as e:
    ...     print(input_error_from_validation(e, {"rho": float("nan")}))
    parameter 'rho' = nan is not allowed: must be a number > 0 (salience of concessions)
    """
    err = exc.errors()[0]
    loc = err.get("loc") or ()
    name = str(loc[0]) if loc else ""
    if err.get("type") == "extra_forbidden":
        return InputError(
            f"unknown parameter {name!r}: allowed are " + ", ".join(ModelParams.model_fields)
        )
    if name in ModelParams.model_fields:
        got = values.get(name, err.get("input")) if values is not None else err.get("input")
        return InputError(f"parameter {name!r} = {got!r} is not allowed: {_allowed(name)}")
    msg = str(err.get("msg", "invalid parameters")).removeprefix("Value error, ")
    return InputError(f"invalid parameters: {msg}")
