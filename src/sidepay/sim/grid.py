"""Sweep grids: parameter axes x replications, split into seeded tasks.

A grid names a base world, parameter axes (lists of values for world or model parameters),
how many replications and periods to simulate, and a sweep seed. Its points are the cartesian
product of the axes, in the order the axes are written; each point's replications are split
into tasks of ``reps_per_task`` replications; ``point_world`` builds the validated world of
a point. No I/O beyond reading the grid and world files, so that the plan, and hence every
seed, is the same wherever it is run.

Seeds: point ``p`` of a sweep with seed ``s`` is simulated with the engine seed
``point_seed(s, p)``; a task covering replications ``[r0, r1)`` passes ``rep_start=r0`` to the
engine, which derives replication ``r``'s stream from (that seed, ``r``). A result therefore
does not depend on the executor, the number of workers or ``reps_per_task``.

Grid file (TOML)::

    [sweep]
    world = "default"      # or a world TOML file, relative to the grid file
    periods = 75          # length of each simulated history
    reps = 100
    seed = 1
    reps_per_task = 25     # optional; default: sized to fit memory

    [fixed]                # optional: set for every point
    "params.psi" = 0.1

    [axes]                 # each a non-empty list; dotted paths into the world
    "params.rho" = [0.5, 1.0, 2.0]
    "params.mu_d" = [0.0, 0.01]

Examples
--------
>>> g = SweepGrid(axes={"a": [1, 2], "b": [0.5]}, reps=10, periods=5, seed=3, reps_per_task=4)
>>> [p.values for p in g.points()]
[{'a': 1, 'b': 0.5}, {'a': 2, 'b': 0.5}]
>>> [(t.point, t.rep_start, t.reps) for t in g.tasks()][:3]
[(0, 0, 4), (0, 4, 4), (0, 8, 2)]
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from sidepay.config import read_toml
from sidepay.errors import InputError
from sidepay.sim.memory import MAX_GRID_POINTS, MAX_PERIODS, MAX_REPS

#: Bump when the meaning of a task's output changes (invalidates resumable parts).
SWEEP_FORMAT = 1
#: per-task memory budget when ``reps_per_task`` is not given (bytes)
TASK_MEMORY_BUDGET = 512 * 2**20
#: a task's peak memory relative to its output frame (engine arrays + frame + Arrow table)
_MEMORY_FACTOR = 4.0
#: grids up to this many points have every point validated before the sweep starts
FULL_VALIDATION_POINTS = 100_000

_SWEEP_KEYS = {"world", "periods", "reps", "seed", "reps_per_task"}
_TOP_KEYS = {"sweep", "axes", "fixed"}
Scalar = bool | int | float | str


@dataclass(frozen=True)
class GridPoint:
    """One parameter point: its index in the grid and the axis values set there."""

    index: int
    values: dict[str, Scalar]


@dataclass(frozen=True)
class SweepTask:
    """Replications ``[rep_start, rep_start + reps)`` of one parameter point.

    Examples
    --------
    >>> SweepTask(point=2, rep_start=10, reps=5).name
    'point-00002_reps-000010-000015'
    """

    point: int
    rep_start: int
    reps: int

    @property
    def name(self) -> str:
        """File stem of the task's Parquet parts, sortable by (point, replication)."""
        return f"point-{self.point:05d}_reps-{self.rep_start:06d}-{self.rep_start + self.reps:06d}"


@dataclass(frozen=True)
class SweepGrid:
    """A validated sweep: base world, fixed settings, axes, replications, periods, seed.

    Parameters
    ----------
    world : "default" or the path of a world TOML file.
    axes : dotted parameter path -> non-empty list of values (cartesian product).
    fixed : dotted parameter path -> value, set at every point.
    reps, periods : replications per point and periods per replication (>= 1).
    seed : the sweep seed (>= 0).
    reps_per_task : replications per task; ``None`` sizes tasks to fit memory.
    """

    axes: dict[str, list[Any]] = field(default_factory=dict)
    fixed: dict[str, Scalar] = field(default_factory=dict)
    world: str = "default"
    reps: int = 100
    periods: int = 75
    seed: int = 1
    reps_per_task: int | None = None

    def __post_init__(self) -> None:
        _check_int("sweep.reps", self.reps, lo=1, hi=MAX_REPS)
        _check_int("sweep.periods", self.periods, lo=1, hi=MAX_PERIODS)
        _check_int("sweep.seed", self.seed, lo=0)
        if self.reps_per_task is not None:
            _check_int("sweep.reps_per_task", self.reps_per_task, lo=1, hi=MAX_REPS)
        if not isinstance(self.world, str) or not self.world:
            raise InputError(
                f"sweep.world must be 'default' or a world TOML path; got {self.world!r}"
            )
        for name, values in self.axes.items():
            _check_path(f"axes.{name}", name)
            if not isinstance(values, list) or not values:
                raise InputError(f"axes.{name} must be a non-empty list of values; got {values!r}")
            for v in values:
                _check_scalar(f"axes.{name}", v)
            kinds = {"bool" if isinstance(v, bool) else type(v).__name__ for v in values}
            if len(kinds) > 1 and not kinds <= {"int", "float"}:
                raise InputError(
                    f"axes.{name} mixes value types ({', '.join(sorted(kinds))}); "
                    "an axis holds numbers, booleans or strings"
                )
        for name, value in self.fixed.items():
            _check_path(f"fixed.{name}", name)
            _check_scalar(f"fixed.{name}", value)
        n_points = math.prod(len(v) for v in self.axes.values())
        if n_points > MAX_GRID_POINTS:
            raise InputError(
                f"the grid has {n_points:,} points (the product of its axis lengths); at most "
                f"{MAX_GRID_POINTS:,} are allowed: split it into several sweeps"
            )
        both = sorted(set(self.axes) & set(self.fixed))
        if both:
            raise InputError(
                f"axes.{both[0]} is also in [fixed]; a parameter is either an axis or fixed"
            )

    @property
    def n_points(self) -> int:
        """Number of parameter points (product of the axis lengths; 1 without axes)."""
        return math.prod(len(v) for v in self.axes.values())

    def points(self) -> Iterator[GridPoint]:
        """The parameter points, in row-major order of the axes as written."""
        names = list(self.axes)
        for i, combo in enumerate(itertools.product(*(self.axes[n] for n in names))):
            yield GridPoint(i, dict(zip(names, combo, strict=True)))

    def point(self, index: int) -> GridPoint:
        """The point at ``index`` (without enumerating the others)."""
        if not 0 <= index < self.n_points:
            raise InputError(f"point index must be in [0, {self.n_points}); got {index}")
        names = list(self.axes)
        values: dict[str, Scalar] = {}
        rest = index
        for n in reversed(names):
            rest, j = divmod(rest, len(self.axes[n]))
            values[n] = self.axes[n][j]
        return GridPoint(index, {n: values[n] for n in names})

    def tasks(self, reps_per_task: int | None = None) -> Iterator[SweepTask]:
        """Split every point's replications into tasks of at most ``reps_per_task``."""
        size = reps_per_task or self.reps_per_task or self.reps
        for p in range(self.n_points):
            for start in range(0, self.reps, size):
                yield SweepTask(p, start, min(size, self.reps - start))

    def fingerprint(self, world_text: str = "") -> str:
        """sha256 of everything that determines the results (sweep format, sidepay version).

        ``reps_per_task`` is left out on purpose: it changes how the work is split, never
        what is computed. ``world_text`` is the base world file's text, if any.
        """
        from sidepay import __version__

        spec = {
            "format": SWEEP_FORMAT,
            "sidepay": __version__,  # other code, other results: never resumed into
            "axes": self.axes,
            "fixed": self.fixed,
            "world": self.world if self.world == "default" else world_text,
            "reps": self.reps,
            "periods": self.periods,
            "seed": self.seed,
        }
        return hashlib.sha256(json.dumps(spec, sort_keys=True).encode()).hexdigest()

    def to_dict(self) -> dict[str, Any]:
        """The grid as the TOML structure it was read from."""
        sweep: dict[str, Any] = {
            "world": self.world,
            "periods": self.periods,
            "reps": self.reps,
            "seed": self.seed,
        }
        if self.reps_per_task is not None:
            sweep["reps_per_task"] = self.reps_per_task
        return {"sweep": sweep, "fixed": dict(self.fixed), "axes": dict(self.axes)}


def point_seed(sweep_seed: int, point: int) -> int:
    """The engine seed of parameter point ``point``: 63 bits from SeedSequence([seed, point]).

    Examples
    --------
    >>> point_seed(1, 0) == point_seed(1, 0) != point_seed(1, 1)
    True
    >>> 0 <= point_seed(7, 3) < 2**63
    True
    """
    state = np.random.SeedSequence([sweep_seed, point]).generate_state(1, dtype=np.uint64)
    return int(state[0] >> np.uint64(1))


def load_grid(path: str | Path) -> SweepGrid:
    """Read and validate a grid TOML file; a relative world path is taken from its folder.

    Raises
    ------
    InputError
        One line naming the offending field and what is allowed.

    Examples
    --------
    >>> import tempfile, os
    >>> f = os.path.join(tempfile.mkdtemp(), "g.toml")
    >>> _ = open(f, "w").write('[sweep]\\nreps = 4\\nperiods = 3\\n[axes]\\n"params.rho" = [1, 2]\\n')
    >>> load_grid(f).n_points
    2
    """
    path = Path(path)
    raw = read_toml(path, "grid file")
    extra = sorted(set(raw) - _TOP_KEYS)
    if extra:
        raise InputError(f"grid has unknown table [{extra[0]}]; allowed: [sweep], [axes], [fixed]")
    sweep = raw.get("sweep", {})
    axes = raw.get("axes", {})
    fixed = raw.get("fixed", {})
    for name, table in (("sweep", sweep), ("axes", axes), ("fixed", fixed)):
        if not isinstance(table, dict):
            raise InputError(f"grid [{name}] must be a table")
    if "years" in sweep:
        raise InputError(
            "sweep.years is now sweep.periods (the length of each simulated history; "
            "years are calendar spans in sidepay); rename the key"
        )
    extra = sorted(set(sweep) - _SWEEP_KEYS)
    if extra:
        raise InputError(
            f"sweep.{extra[0]} is not a grid setting; allowed: {', '.join(sorted(_SWEEP_KEYS))}"
        )
    world = sweep.get("world", "default")
    if isinstance(world, str) and world != "default":
        wpath = Path(world)
        if not wpath.is_absolute():
            wpath = path.parent / wpath
        if not wpath.is_file():
            raise InputError(
                f"sweep.world file {str(wpath)!r} does not exist; use 'default' or a world TOML"
            )
        world = str(wpath.resolve())
    return SweepGrid(
        axes=_flatten("axes", axes),
        fixed=_flatten("fixed", fixed),
        world=world,
        reps=sweep.get("reps", 100),
        periods=sweep.get("periods", 75),
        seed=sweep.get("seed", 1),
        reps_per_task=sweep.get("reps_per_task"),
    )


def _flatten(table: str, values: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested TOML tables ([axes.params] rho = [...]) to dotted names ("params.rho")."""
    out: dict[str, Any] = {}
    for key, value in values.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(_flatten(table, value, prefix=f"{name}."))
        else:
            out[name] = value
    return out


def _check_int(name: str, value: object, lo: int, hi: int | None = None) -> None:
    bad = isinstance(value, bool) or not isinstance(value, int) or value < lo
    if bad or (hi is not None and value > hi):  # type: ignore[operator]
        allowed = f">= {lo}" if hi is None else f"in {lo}..{hi:_}".replace("_", ",")
        raise InputError(f"{name} must be an integer {allowed}; got {value!r}")


def _check_path(where: str, name: str) -> None:
    parts = name.split(".")
    if not all(p.isidentifier() or p.isdigit() for p in parts):
        raise InputError(
            f"{where}: a parameter name is a dotted path of field names and list indices, "
            "e.g. params.rho or great_powers.0.v"
        )


def _check_scalar(where: str, value: object) -> None:
    if isinstance(value, float) and not math.isfinite(value):
        raise InputError(f"{where} must hold finite numbers; got {value!r}")
    if not isinstance(value, bool | int | float | str):
        raise InputError(f"{where} values must be numbers, booleans or strings; got {value!r}")


# --------------------------------------------------------------------------------------
# worlds at grid points


def apply_parameters(world: Any, values: Mapping[str, Scalar], *, where: str = "axes") -> Any:
    """A validated copy of ``world`` with parameters set: ``World.updated`` (one
    implementation), with errors prefixed by ``where`` (``axes`` or ``fixed``).

    A name is a dotted path into the world's fields (``params.rho``); a bare name that
    matches exactly one nested field (``rho``) is resolved to it.

    Examples
    --------
    >>> from sidepay.sim.world import default_world
    >>> w = apply_parameters(default_world(), {"rho": 2.0, "small_states.n": 5})
    >>> w.params.rho, w.small_states.n
    (2.0, 5)
    """
    return world.updated(values, where=where)


def base_world(grid: SweepGrid) -> Any:
    """The grid's base world with its ``[fixed]`` settings applied."""
    from sidepay.sim.world import World, default_world

    world = default_world() if grid.world == "default" else World.from_toml(grid.world)
    if grid.fixed:
        world = apply_parameters(world, grid.fixed, where="fixed")
    return world


def point_world(grid: SweepGrid, index: int, base: Any = None) -> Any:
    """The validated world at grid point ``index``."""
    point = grid.point(index)
    world = base_world(grid) if base is None else base
    return apply_parameters(world, point.values) if point.values else world


# --------------------------------------------------------------------------------------
# checking the plan and sizing its tasks


def validate_points(grid: SweepGrid, base: Any) -> None:
    """Build every point's world before any work, so a bad grid fails fast, in one line.

    Above ``FULL_VALIDATION_POINTS`` points (about 4 s of checks) each axis value is
    checked once against the base world instead; a combination that is invalid only
    jointly then fails its own tasks, which are recorded like any other failure.
    """
    if grid.n_points <= FULL_VALIDATION_POINTS:
        for i in range(grid.n_points):
            point_world(grid, i, base)
        return
    for name, values in grid.axes.items():
        for value in values:
            apply_parameters(base, {name: value})


def auto_reps_per_task(grid: SweepGrid, base: Any, workers: int | None) -> int:
    """Replications per task so that a task's memory stays under the budget.

    Measured, not guessed: simulate two periods of one replication at the first and the
    last point and scale the frame's size to ``periods``. Also keeps at least four tasks per
    worker where the sweep is that large, so that every worker has work.
    """
    from sidepay.sim.engine import simulate

    per_rep = 0.0
    for idx in {0, grid.n_points - 1}:
        world = point_world(grid, idx, base)
        probe = min(2, grid.periods)
        res = simulate(world, periods=probe, reps=1, seed=0)
        used = float(res.panel.memory_usage(deep=True).sum())
        events = getattr(res, "events", None)
        if events is not None:
            used += float(events.memory_usage(deep=True).sum())
        per_rep = max(per_rep, used / probe * grid.periods * _MEMORY_FACTOR)
    by_memory = max(1, int(TASK_MEMORY_BUDGET // max(per_rep, 1.0)))
    n = max(1, workers or os.cpu_count() or 1)
    total_reps = grid.reps * grid.n_points
    by_balance = max(1, -(-total_reps // (4 * n)))
    return max(1, min(grid.reps, by_memory, by_balance))
