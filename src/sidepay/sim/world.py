"""A simulated international system: great powers, small states, epochs, model parameters.

A :class:`World` is described in TOML (see ``sim/worlds/default.toml``; a file that starts
with ``base = "default"`` only lists what it changes) and validated with
pydantic; any problem becomes one :class:`sidepay.errors.InputError` line that names the
field and what is allowed. ``World.draw_system(rng)`` draws one replication's small states
from the world's distributions. No file of ``../shared/data`` is read here: the default
world's calibration constants were measured once by hand (see ``docs/simulation.md``).

Codes: great powers carry COW-like codes (2 USA-like, 365 USSR/Russia-like); small states
are numbered ``1000 + i`` so that nobody mistakes them for real states.

Examples
--------
>>> w = default_world()
>>> [g.code for g in w.great_powers], w.small_states.n
([2, 365], 150)
>>> w.v_scale([1950, 2000]).round(2).tolist()
[[1.0, 1.0], [1.0, 0.35]]
>>> w.updated({"params.psi": 0.1, "small_states.n": 20}).small_states.n
20
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator, Mapping
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from sidepay.config import read_toml
from sidepay.errors import InputError
from sidepay.theory.params import ModelParams

__all__ = ["CLIENT_BASE", "Epoch", "GreatPower", "SmallStates", "World", "default_world"]

#: Small state i is coded CLIENT_BASE + i.
CLIENT_BASE = 1000

_STRICT = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class GreatPower(BaseModel):
    """A great power (patron): COW-like code, valuation, cost and divergence law."""

    model_config = _STRICT
    code: int = Field(gt=0, lt=CLIENT_BASE, description="COW-like code (< 1000)")
    name: str = Field(min_length=1)
    v: float = Field(ge=0.0, description="value of a full concession v_g")
    k: float = Field(ge=0.0, description="cost per unit of protected threat k_g")
    divergence_mean: float = Field(ge=0.0, le=1.0, description="mean initial divergence")
    divergence_sd: float = Field(ge=0.0, le=1.0, description="s.d. of initial divergence")


class Epoch(BaseModel):
    """A system epoch from ``start_year`` on; ``v_scale`` multiplies each power's ``v``."""

    model_config = _STRICT
    name: str = Field(min_length=1)
    start_year: int
    v_scale: list[float] = Field(min_length=1)

    @model_validator(mode="after")
    def _non_negative(self) -> Epoch:
        if any(s < 0 for s in self.v_scale):
            raise ValueError("v_scale entries must be >= 0")
        return self


class SmallStates(BaseModel):
    """How a replication's small states are drawn."""

    model_config = _STRICT
    n: int = Field(150, ge=1, le=100_000, description="number of small states")
    W_levels: list[float] = Field(min_length=1, description="support of W")
    W_probs: list[float] = Field(min_length=1, description="probabilities of W_levels")
    rivals_levels: list[float] = Field(min_length=1, description="number of rivalries")
    rivals_probs: list[float] = Field(min_length=1)
    threat_per_rival: float = Field(0.1, ge=0.0, description="T per strategic rivalry")
    threat_floor: float = Field(0.0, ge=0.0, description="T of a state without rivals")
    income_log_sd: float = Field(1.0, ge=0.0, le=10.0, description="s.d. of log income Y")
    h_mean: float = Field(0.04, gt=0.0, lt=1.0, description="mean regime-change hazard")
    h_concentration: float = Field(30.0, gt=0.0, description="Beta concentration of h")
    divergence_corr: float = Field(0.0, gt=-1.0, lt=1.0, description="corr. across powers")
    x_low: float = Field(0.3, gt=0.0, le=1.0)
    x_high: float = Field(0.8, gt=0.0, le=1.0)
    sigma_low: float = Field(0.2, ge=0.0, le=1.0)
    sigma_high: float = Field(0.8, ge=0.0, le=1.0)

    @model_validator(mode="after")
    def _laws(self) -> SmallStates:
        for lv, pr in (("W_levels", "W_probs"), ("rivals_levels", "rivals_probs")):
            levels, probs = getattr(self, lv), getattr(self, pr)
            if len(levels) != len(probs):
                raise ValueError(f"{lv} and {pr} must have the same length")
            if any(q < 0 for q in probs) or sum(probs) <= 0:
                raise ValueError(f"{pr} must be >= 0 with a positive sum")
        if any(not 0.0 <= w <= 1.0 for w in self.W_levels):
            raise ValueError("W_levels must lie in [0, 1]")
        if any(c < 0 for c in self.rivals_levels):
            raise ValueError("rivals_levels must be >= 0")
        if self.x_low > self.x_high or self.sigma_low > self.sigma_high:
            raise ValueError("x_low <= x_high and sigma_low <= sigma_high are required")
        return self


class World(BaseModel):
    """A validated simulated world.

    Examples
    --------
    >>> try:
    ...     World.from_mapping({**default_world().model_dump(), "offer_rate": 2})
    ... except InputError as e:
    ...     print(e)
    world field 'offer_rate' = 2 is not allowed: Input should be less than or equal to 1
    """

    model_config = _STRICT
    name: str = "world"
    start_year: int = Field(1946, ge=0, le=10_000, description="calendar year of period 0")
    offer_rate: float = Field(
        0.25, ge=0.0, le=1.0, description="per-period chance of formation offers"
    )
    params: ModelParams = Field(default_factory=ModelParams)
    great_powers: list[GreatPower] = Field(min_length=1, max_length=50)
    epochs: list[Epoch] = Field(default_factory=list)
    small_states: SmallStates

    @model_validator(mode="after")
    def _consistent(self) -> World:
        codes = [g.code for g in self.great_powers]
        if len(set(codes)) != len(codes):
            raise ValueError("great_powers codes must be unique")
        K = len(codes)
        for e in self.epochs:
            if len(e.v_scale) != K:
                raise ValueError(f"epoch {e.name!r} needs one v_scale per great power ({K})")
        starts = [e.start_year for e in self.epochs]
        if starts != sorted(starts):
            raise ValueError("epochs must be listed in increasing start_year")
        rho = self.small_states.divergence_corr
        if K > 1 and rho <= -1.0 / (K - 1):
            raise ValueError(
                f"small_states.divergence_corr must be > {-1.0 / (K - 1):.3g} with {K} powers"
            )
        return self

    # ---------------------------------------------------------------- construction
    @classmethod
    def from_mapping(cls, values: Mapping[str, Any], source: str = "world") -> World:
        """Validate a mapping (a parsed TOML document); errors become one InputError line."""
        try:
            return cls.model_validate(dict(values))
        except ValidationError as exc:
            raise _one_line(exc, source) from None

    @classmethod
    def from_toml(cls, path: str | Path) -> World:
        """Read and validate a world TOML file.

        Examples
        --------
        >>> try:
        ...     World.from_toml("/nonexistent/w.toml")
        ... except InputError as e:
        ...     print(e)
        world file /nonexistent/w.toml does not exist; pass a readable .toml file
        """
        p = Path(path)
        raw = read_toml(p, "world file")
        base = raw.pop("base", None)
        if base is not None:
            if base != "default":
                raise InputError(f"world file {p.name}: base must be 'default'; got {base!r}")
            raw = _merge(default_world().model_dump(), raw)
        return cls.from_mapping(raw, source=p.name)

    def updated(self, changes: Mapping[str, Any], *, where: str = "world") -> World:
        """A validated copy with fields changed by dotted path (``"params.psi"``,
        ``"small_states.n"``, ``"great_powers.0.v"``).

        A bare name that matches exactly one field of a nested table (``"psi"``) stands
        for its dotted path. ``where`` prefixes error messages (a sweep passes ``"axes"``
        or ``"fixed"``); an unknown name lists the allowed ones, in one line.

        Examples
        --------
        >>> default_world().updated({"great_powers.1.v": 0.5}).great_powers[1].v
        0.5
        >>> default_world().updated({"psi": 0.2}).params.psi
        0.2
        >>> try:
        ...     default_world().updated({"params.nothing": 1}, where="axes")
        ... except InputError as e:
        ...     print(str(e).split(";")[0])
        axes: world has no field 'params.nothing'
        """
        data = self.model_dump()
        for path, value in changes.items():
            keys = _field_keys(data, path, where)
            node: Any = data
            for key in keys[:-1]:
                node = node[key]
            node[keys[-1]] = value
        try:
            return World.model_validate(data)
        except ValidationError as exc:
            msg = str(_one_line(exc, "world"))
            if where == "world":
                raise InputError(msg) from None
            given = ", ".join(f"{k}={v!r}" for k, v in changes.items())
            raise InputError(f"{where}: {msg} (at {given})") from None

    # ---------------------------------------------------------------- derived
    @property
    def codes(self) -> NDArray[np.int64]:
        """COW-like codes of the great powers, in order."""
        return np.array([g.code for g in self.great_powers], dtype=np.int64)

    def v_scale(self, years: ArrayLike) -> NDArray[np.float64]:
        """(len(years), K) epoch multipliers of ``v``: the last epoch started by each year,
        1 before the first epoch."""
        y = np.atleast_1d(np.asarray(years, dtype=np.int64))
        K = len(self.great_powers)
        table = np.vstack([np.ones(K)] + [np.asarray(e.v_scale) for e in self.epochs])
        starts = np.array([e.start_year for e in self.epochs], dtype=np.int64)
        idx = np.searchsorted(starts, y, side="right")
        return np.asarray(table[idx], dtype=np.float64)

    def draw_system(self, rng: np.random.Generator) -> dict[str, NDArray[np.float64]]:
        """Draw one replication's small states: ``d``, ``x``, ``sigma`` (K, N); ``W``,
        ``T``, ``B``, ``Y``, ``h`` (N,).

        Examples
        --------
        >>> s = default_world().draw_system(np.random.default_rng(0))
        >>> s["d"].shape, bool((s["d"] >= 0).all() and (s["d"] <= 1).all())
        ((2, 150), True)
        """
        ss = self.small_states
        c = self._draw_constants
        K, N = len(self.great_powers), ss.n
        z = c["chol"] @ rng.standard_normal((K, N))
        d = c["mean"] + c["sd"] * z
        np.clip(d, 0.0, 1.0, out=d)
        W = _categorical(rng.random(N), c["W_levels"], c["W_cum"])
        rivals = _categorical(rng.random(N), c["rivals_levels"], c["rivals_cum"])
        a = ss.h_mean * ss.h_concentration
        h = rng.beta(a, ss.h_concentration - a, N)
        x = rng.uniform(ss.x_low, ss.x_high, (K, N))
        sigma = rng.uniform(ss.sigma_low, ss.sigma_high, (K, N))
        Y = rng.standard_normal(N)
        Y *= ss.income_log_sd
        np.exp(Y, out=Y)
        return {
            "d": d,
            "x": x,
            "sigma": sigma,
            "W": W,
            "T": ss.threat_floor + ss.threat_per_rival * rivals,
            "B": np.full(N, self.params.B),
            "Y": Y,
            "h": np.minimum(h, 0.99, out=h),
        }

    @property
    def _draw_constants(self) -> dict[str, NDArray[np.float64]]:
        """What ``draw_system`` needs beyond the random draws, computed once per law
        (a module-level cache: a cached attribute would break the model's ``==``)."""
        ss = self.small_states
        return _draw_constants(
            ss.divergence_corr,
            tuple((g.divergence_mean, g.divergence_sd) for g in self.great_powers),
            tuple(ss.W_levels),
            tuple(ss.W_probs),
            tuple(ss.rivals_levels),
            tuple(ss.rivals_probs),
        )


@lru_cache(maxsize=64)
def _draw_constants(
    corr: float,
    divergence: tuple[tuple[float, float], ...],
    W_levels: tuple[float, ...],
    W_probs: tuple[float, ...],
    rivals_levels: tuple[float, ...],
    rivals_probs: tuple[float, ...],
) -> dict[str, NDArray[np.float64]]:
    K = len(divergence)
    c = np.full((K, K), corr)
    np.fill_diagonal(c, 1.0)
    out = {
        "chol": np.linalg.cholesky(c),
        "mean": np.array([[m] for m, _ in divergence]),
        "sd": np.array([[sd] for _, sd in divergence]),
        "W_levels": np.asarray(W_levels, dtype=np.float64),
        "W_cum": np.cumsum(W_probs) / np.sum(W_probs),
        "rivals_levels": np.asarray(rivals_levels, dtype=np.float64),
        "rivals_cum": np.cumsum(rivals_probs) / np.sum(rivals_probs),
    }
    for a in out.values():
        a.setflags(write=False)  # shared by every world with this law
    return out


def _field_keys(data: dict[str, Any], path: str, where: str) -> list[Any]:
    """The keys (str or list index) of dotted ``path`` in a world's ``model_dump``;
    a bare name matching exactly one nested leaf resolves to it."""
    keys: list[Any] = []
    node: Any = data
    for part in path.split("."):
        if isinstance(node, dict) and part in node:
            keys.append(part)
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            keys.append(int(part))
            node = node[int(part)]
        else:
            break
    else:
        return keys
    leaves = list(_leaf_paths(data))
    lead = "" if where == "world" else f"{where}: "
    if "." not in path:
        found = [p for p in _leaf_paths(data, lists=True) if p[-1] == path]
        if len(found) == 1:
            return list(found[0])
        if len(found) > 1:
            opts = ", ".join(".".join(map(str, p)) for p in found)
            raise InputError(f"{lead}{path!r} is ambiguous; write one of {opts}")
    allowed = sorted({".".join(map(str, p[:2])) for p in leaves})
    raise InputError(
        f"{lead}world has no field {path!r}; allowed (dotted paths): "
        f"{', '.join(allowed)}, great_powers.I.FIELD, epochs.I.FIELD"
    )


def _leaf_paths(
    node: Any, prefix: tuple[Any, ...] = (), *, lists: bool = False
) -> Iterator[tuple[Any, ...]]:
    """Paths (tuples) of the non-table values below ``node``; lists of tables are
    entered only with ``lists`` (then a list index is part of the path)."""
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _leaf_paths(v, (*prefix, k), lists=lists)
    elif lists and isinstance(node, list) and node and isinstance(node[0], dict):
        for i, v in enumerate(node):
            yield from _leaf_paths(v, (*prefix, i), lists=lists)
    elif prefix:
        yield prefix


def _merge(base: dict[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    """Tables merge key by key; any other value (lists included) replaces the base's."""
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def _categorical(
    u: NDArray[np.float64], levels: NDArray[np.float64], cum: NDArray[np.float64]
) -> NDArray[np.float64]:
    """Inverse-cdf draw from ``levels`` with normalized cumulative probabilities ``cum``."""
    idx = np.searchsorted(cum, u, side="right")
    np.minimum(idx, len(levels) - 1, out=idx)
    return levels[idx]


def _one_line(exc: ValidationError, source: str) -> InputError:
    err = exc.errors()[0]
    loc = ".".join(str(p) for p in err.get("loc", ()))
    msg = str(err.get("msg", "invalid")).removeprefix("Value error, ")
    where = "world" if source == "world" else f"world file {source}:"
    if err.get("type") == "extra_forbidden":
        return InputError(f"{where} unknown field {loc!r}; remove it or check its spelling")
    if err.get("type") == "missing":
        return InputError(f"{where} field {loc!r} is required")
    if loc and err.get("type") != "value_error":
        return InputError(f"{where} field {loc!r} = {err.get('input')!r} is not allowed: {msg}")
    return InputError(f"{where} {('field ' + repr(loc) + ': ') if loc else ''}{msg}")


def default_world() -> World:
    """The default world, roughly 1946-2020 (``sim/worlds/default.toml``)."""
    text = resources.files("sidepay.sim").joinpath("worlds/default.toml").read_text("utf-8")
    return World.from_mapping(tomllib.loads(text), source="default.toml")
