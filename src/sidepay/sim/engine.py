"""The simulation engine: loop the maintenance transition over periods and replications.

``simulate(world, periods, reps, seed)`` plays the rules of
``sidepay.theory.dynamics.step`` (THEORY 2.5) for every period, replication, great power
and small state. The periods run in the compiled kernel ``sidepay.sim.kernel.run_periods``,
one call per replication, which gives ``step``'s results bit for bit
(``run_history(..., step_function=step)`` runs the numpy ``step`` period by period
instead; the tests check the two agree byte for byte). Replication ``r`` draws everything
from its own stream ``SeedSequence([seed, r])``: its small states, then its drift normals
and uniforms for all periods, then, while the periods are played, the normals of its
divergence jumps (only for states with a regime or leader change, see ``Shocks``). So the
reps ``[a, b)`` run with ``rep_start=a`` give exactly the rows a serial run gives for them:
a sweep may split replications across workers and concatenate the parts byte for byte.

``periods`` is the length of a simulated history (``years`` always means a calendar span
in sidepay); period ``t`` is the calendar year ``world.start_year + t``.

Examples
--------
>>> from sidepay.sim.world import default_world
>>> w = default_world().updated({"small_states.n": 5})
>>> res = simulate(w, periods=3, reps=2, seed=7)
>>> len(res.panel), sorted(res.panel["rep"].unique().tolist())
(60, [0, 1])
>>> part = simulate(w, periods=3, reps=1, seed=7, rep_start=1).panel
>>> part.reset_index(drop=True).equals(res.panel[res.panel.rep == 1].reset_index(drop=True))
True
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from sidepay.errors import bad_param
from sidepay.heap import retain_freed_memory
from sidepay.sim.draws import rep_key
from sidepay.sim.history import History, SimResult
from sidepay.sim.kernel import (
    Draws,
    KernelState,
    Record,
    Span,
    Statics,
    Stream,
    WorldLaw,
    kernel_params,
    run_periods,
)
from sidepay.sim.memory import (
    MAX_PERIODS,
    MAX_REPS,
    check_memory,
    chunked_simulate_bytes,
    history_bytes,
    write_bytes,
)
from sidepay.sim.output import check_finite, events_frame, events_path, panel_frame
from sidepay.sim.run_args import _periods, check_run_arguments, rep_generator
from sidepay.sim.stepping import _play_steps
from sidepay.sim.world import World
from sidepay.theory.dynamics import StepEvents, SystemState
from sidepay.theory.regimes import regime_law

if TYPE_CHECKING:
    import pyarrow as pa
    import pyarrow.parquet as pq

__all__ = [
    "MAX_PERIODS",
    "MAX_REPS",
    "History",
    "SimResult",
    "check_simulation",
    "run_history",
    "simulate",
    "write_simulation",
]

#: What ``write_simulation`` writes: the suffix is the format.
_OUT_SUFFIXES = (".parquet", ".pq", ".csv", ".dta", ".rds")
#: ``simulate`` builds its panel from chunks of about this many rows (bounded transients).
_FRAME_CHUNK_ROWS = 1_000_000

#: Dyads per block: 16384 float64 = 128 KiB per array, cache-friendly and below numpy's
#: 256 KiB threshold for eliding temporaries (whose check calls the slow ``backtrace``).
_BLOCK_DYADS = 16_384


def run_history(
    world: World,
    periods: int = 75,
    reps: int = 100,
    seed: int = 1,
    rep_start: int = 0,
    *,
    burn_in: int = 0,
    step_function: Callable[..., tuple[SystemState, StepEvents]] | None = None,
    max_memory: int | str | None = None,
) -> History:
    """Simulate and return the raw period-major arrays (no data frame).

    Parameters
    ----------
    world : the world (``World.from_toml`` or ``default_world()``).
    periods : recorded periods; period ``t`` is the year ``world.start_year + t``.
    reps, seed, rep_start : as for :func:`simulate`.
    burn_in : periods played before ``world.start_year`` and not recorded, so that the
        recorded years start from a system with alliances, payments and leader tenures
        already in place (without it every state starts non-aligned, with a new leader).
    step_function : by default the periods are played by the compiled kernel
        (``sidepay.sim.kernel.run_periods``), bit for bit the rules of
        ``sidepay.theory.dynamics.step``. A function with ``step``'s signature instead
        loops over periods in Python calling it: ``step`` (the numpy transition) or the
        per-dyad test oracle (``tests/fixtures/sim_oracle.py``), fed the kernel's own
        random numbers (``sidepay.sim.draws.fill_shocks``); all give the same arrays.
    max_memory : bytes, or a size such as ``"8G"`` (default: half the physical memory);
        a run whose estimated peak (``sidepay.sim.memory.history_bytes``) is above it is
        refused before anything is allocated.

    Returns
    -------
    History

    Examples
    --------
    >>> from sidepay.sim.world import default_world
    >>> h = run_history(default_world().updated({"small_states.n": 4}), periods=5, reps=3)
    >>> h.d.shape, h.ally.dtype.name
    ((5, 3, 2, 4), 'int8')
    """
    periods, reps, seed, rep_start, burn_in = check_run_arguments(
        periods, reps, seed, rep_start, burn_in
    )
    K, N = len(world.great_powers), world.small_states.n
    if K > 127:
        raise bad_param("world", f"has {K} great powers; at most 127 are supported")
    retain_freed_memory()  # a run's arrays reuse the last run's pages (sidepay.heap)
    check_memory(
        history_bytes(K, N, periods, reps, burn_in), max_memory,
        f"run_history(periods={periods}, reps={reps}) of {K} great powers x {N} small states",
    )  # fmt: skip
    P_all = burn_in + periods
    v_scale = np.ascontiguousarray(
        world.v_scale(world.start_year - burn_in + np.arange(P_all)), dtype=np.float64
    )
    levels = np.asarray(world.small_states.W_levels, dtype=np.float64)
    probs = np.asarray(world.small_states.W_probs, dtype=np.float64)
    P = periods
    rec = Record(
        d=np.empty((P, reps, K, N)),
        W=np.empty((P, reps, N)),
        ally=np.empty((P, reps, N), dtype=np.int8),
        pay=np.empty((P, reps, N)),
        spell_start=np.empty((P, reps, N), dtype=np.int32),
        regime_change=np.empty((P, reps, N), dtype=np.bool_),
        leader_change=np.empty((P, reps, N), dtype=np.bool_),
        leader_hazard=np.empty((P, reps, N)),
        tenure=np.empty((P, reps, N)),
        init_ally=np.full((reps, N), -1, dtype=np.int8),
        init_pay=np.zeros((reps, N)),
        init_spell_start=np.full((reps, N), -1, dtype=np.int32),
    )
    static = {
        "x": np.empty((reps, K, N)),
        "sigma": np.empty((reps, K, N)),
        **{name: np.empty((reps, N)) for name in ("T", "B", "Y", "h")},
    }
    v = np.array([g.v for g in world.great_powers])
    k = np.array([g.k for g in world.great_powers])
    # the state of every replication: drawn below, then played (in place, by the kernel)
    work = KernelState(
        d=np.empty((reps, K, N)),
        W=np.empty((reps, N)),
        ally=np.full((reps, N), -1, dtype=np.int64),
        pay=np.zeros((reps, N)),
        need=np.zeros((reps, N)),
        spell_start=np.full((reps, N), -1, dtype=np.int64),
        holdup=np.zeros((reps, N), dtype=np.int64),
        tenure=np.zeros((reps, N)),
    )
    # replication r: its small states from its numpy stream, its dynamics from its key
    keys = np.empty(reps, dtype=np.uint64)
    for j in range(reps):
        drawn = world.draw_system(rep_generator(seed, rep_start + j))
        for key in static:
            static[key][j] = drawn[key]
        work.d[j] = drawn["d"]
        work.W[j] = drawn["W"]
        keys[j] = rep_key(seed, rep_start + j)
    for key, arr in static.items():  # a world whose parameters overflow float64
        if not np.isfinite(arr).all():
            raise bad_param(
                "world",
                f"gives non-finite small-state values ({key}: inf or NaN); its parameters "
                "overflow float64: make them smaller",
            )
    if step_function is None:  # the kernel, every replication in one call
        no_draws = np.zeros((1, 1, 1, 1))
        run_periods(
            work,
            Statics(static["x"], static["sigma"], static["T"], static["B"], static["Y"],
                    static["h"], v, k),
            Draws(no_draws, no_draws, no_draws[0], no_draws[0], v_scale),
            Stream(keys, 0, N),
            kernel_params(world.params),
            WorldLaw(float(world.offer_rate), *regime_law(levels, probs)),
            Span(t0=0, burn_in=burn_in, r_off=0),
            rec,
        )  # fmt: skip
    else:
        block = max(1, min(reps, _BLOCK_DYADS // (K * N)))
        for b0 in range(0, reps, block):
            b1 = min(reps, b0 + block)
            blk = {key: arr[b0:b1] for key, arr in static.items()}
            _play_steps(
                step_function, world, work, blk, v, k, keys[b0:b1], v_scale,
                (levels, probs), burn_in, (b0, b1), rec,
            )  # fmt: skip
    return History(
        world=world,
        periods=P,
        rep_start=rep_start,
        burn_in=burn_in,
        initial={
            "ally": rec.init_ally,
            "pay": rec.init_pay,
            "spell_start": rec.init_spell_start,
        },
        d=rec.d,
        W=rec.W,
        ally=rec.ally,
        pay=rec.pay,
        spell_start=rec.spell_start,
        regime_change=rec.regime_change,
        leader_change=rec.leader_change,
        leader_hazard=rec.leader_hazard,
        tenure=rec.tenure,
        static=static,
        v_scale=v_scale[burn_in:],
    )


def simulate(
    world: World,
    periods: int | None = None,
    reps: int = 100,
    seed: int = 1,
    rep_start: int = 0,
    *,
    burn_in: int = 0,
    years: int | None = None,
    max_memory: int | str | None = None,
) -> SimResult:
    """Simulate ``reps`` replications of ``world`` for ``periods`` periods.

    Parameters
    ----------
    world : the world (``World.from_toml`` or ``default_world()``).
    periods : periods (default 75); period ``t`` is the calendar year
        ``world.start_year + t``.
    reps : replications, numbered ``rep_start .. rep_start + reps - 1``.
    seed : the run's seed; replication ``r`` uses ``SeedSequence([seed, r])``.
    rep_start : first replication index (to run a slice of a larger run).
    burn_in : periods played before ``world.start_year`` and not recorded (spells may then
        start before the first recorded year).
    years : deprecated spelling of ``periods`` (warns); ``years`` is a calendar span
        everywhere else in sidepay.
    max_memory : bytes, or a size such as ``"8G"`` (default: half the physical memory).
        The estimated peak (:func:`check_simulation`) above it is refused in one line
        before any work. Replications are simulated in chunks of about a million rows
        and their frames concatenated (the same bytes as one run), so the peak is about
        twice the final frame, not the three times of one unchunked run.

    Returns
    -------
    SimResult with ``.panel`` (directed dyad-years in ``sidepay.schema`` columns plus truth
    columns, rows ordered by rep, patron, client, year) and ``.events`` (rep, year, patron,
    client, event).

    Examples
    --------
    >>> from sidepay.sim.world import default_world
    >>> res = simulate(default_world().updated({"small_states.n": 3}), periods=2, reps=1)
    >>> res.panel[["patron", "client", "year"]].iloc[0].tolist()
    [2, 1000, 1946]
    """
    import pandas as pd

    periods = _periods(periods, years, "simulate")
    chunk = check_simulation(world, periods, reps, burn_in, max_memory=max_memory)
    periods, reps, seed, rep_start, burn_in = check_run_arguments(
        periods, reps, seed, rep_start, burn_in
    )
    panels, events = [], []
    for a in range(rep_start, rep_start + reps, chunk):
        history = run_history(
            world,
            periods=periods,
            reps=min(chunk, rep_start + reps - a),
            seed=seed,
            rep_start=a,
            burn_in=burn_in,
            max_memory=max_memory,
        )
        panels.append(check_finite(panel_frame(history)))
        events.append(events_frame(history))
        del history
    if len(panels) == 1:
        return SimResult(panel=panels[0], events=events[0])
    return SimResult(
        panel=pd.concat(panels, ignore_index=True), events=pd.concat(events, ignore_index=True)
    )


def check_simulation(
    world: World,
    periods: int,
    reps: int,
    burn_in: int = 0,
    *,
    max_memory: int | str | None = None,
    limit_param: str = "max_memory",
) -> int:
    """Check a ``simulate`` run before any work: its counts, and its estimated peak memory
    against ``max_memory``; return the replications per chunk it will use. An error names
    ``limit_param`` (``"reps"`` where the caller cannot raise the limit).

    Examples
    --------
    >>> from sidepay.sim.world import default_world
    >>> check_simulation(default_world(), 75, 100)
    44
    >>> check_simulation(default_world(), 75, 100_000, max_memory="4G")
    Traceback (most recent call last):
    ...
    sidepay.errors.InputError: max_memory= is 4.0 GiB, below the 964.2 GiB that simulate(periods=75, reps=100000) of 2 great powers x 150 small states needs (estimated); raise the limit or run fewer replications or small states
    """
    periods, reps, _, _, burn_in = check_run_arguments(periods, reps, 0, 0, burn_in)
    K, N = len(world.great_powers), world.small_states.n
    per_rep = K * N * periods
    chunk = max(1, min(reps, _FRAME_CHUNK_ROWS // per_rep))
    need = chunked_simulate_bytes(K, N, periods, reps, chunk, burn_in)
    check_memory(
        need, max_memory,
        f"simulate(periods={periods}, reps={reps}) of {K} great powers x {N} small states",
        param=limit_param,
    )  # fmt: skip
    return chunk


def write_simulation(
    world: World,
    out: str | Path,
    *,
    periods: int = 75,
    reps: int = 100,
    seed: int = 1,
    burn_in: int = 0,
    chunk_rows: int = 500_000,
    max_memory: int | str | None = None,
) -> tuple[Path, Path, int, int]:
    """Simulate and stream the panel and event log to Parquet, a chunk of replications at a
    time (memory stays bounded by ``chunk_rows``), each file written atomically.

    An ``out`` ending in ``.dta``, ``.rds`` or ``.csv`` is written through
    :func:`sidepay.export.write_table` instead (the whole run in memory).

    The rows are those of ``simulate(world, periods, reps, seed, burn_in=burn_in)``, in the
    same order; the event log goes to ``sidepay.sim.output.events_path(out)``.

    Returns
    -------
    (panel path, events path, panel rows, event rows)

    Examples
    --------
    >>> import tempfile, pandas as pd
    >>> from sidepay.sim.world import default_world
    >>> w = default_world().updated({"small_states.n": 4})
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     p, e, n, m = write_simulation(w, tmp + "/s.parquet", periods=3, reps=5,
    ...                                   chunk_rows=50)
    ...     len(pd.read_parquet(p)) == n == 5 * 2 * 4 * 3
    True
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    from sidepay.atomic import atomic_path
    from sidepay.outpaths import check_out_file

    periods, reps, seed, _, burn_in = check_run_arguments(periods, reps, seed, 0, burn_in)
    # the suffix is the format; a folder, an unwritable place or an empty name: refused
    wanted = Path(out)
    if str(out).strip() and wanted.suffix.lower() in _OUT_SUFFIXES and not wanted.parent.exists():
        try:  # a missing parent folder is created, as before
            wanted.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise bad_param(
                "out", f"cannot create the folder {wanted.parent}: {exc.strerror}"
            ) from None
    out_path = check_out_file(out, _OUT_SUFFIXES)
    ev_path = check_out_file(events_path(out_path), _OUT_SUFFIXES)
    suffix = out_path.suffix.lower()
    if suffix in (".dta", ".rds", ".csv"):
        # Stata, R or CSV (sidepay.export): the run is held in memory, then both files
        # move into place, or neither does; only Parquet streams chunk by chunk
        from sidepay.export import check_table_path, write_table

        check_table_path(out_path)
        sim = simulate(world, periods, reps, seed, burn_in=burn_in, max_memory=max_memory)
        with atomic_path(out_path, suffix=suffix) as tp, atomic_path(ev_path, suffix=suffix) as te:
            write_table(sim.panel, tp)
            write_table(sim.events, te)
        return out_path, ev_path, len(sim.panel), len(sim.events)
    K, N = len(world.great_powers), world.small_states.n
    per_rep = K * N * periods
    chunk = max(1, chunk_rows // max(per_rep, 1))
    check_memory(
        write_bytes(K, N, periods, min(chunk, reps), burn_in), max_memory,
        f"write_simulation(periods={periods}) of {K} great powers x {N} small states "
        f"({min(chunk, reps)} replication(s) at a time)",
    )  # fmt: skip
    writers: dict[str, pq.ParquetWriter] = {}
    schemas: dict[str, pa.Schema] = {}
    rows = {"panel": 0, "events": 0}
    # writers close first (ExitStack), then both files move into place, or neither does
    with (
        atomic_path(out_path) as tmp_panel,
        atomic_path(ev_path) as tmp_events,
        contextlib.ExitStack() as open_writers,
    ):
        for a in range(0, reps, chunk):
            h = run_history(
                world,
                periods=periods,
                reps=min(chunk, reps - a),
                seed=seed,
                rep_start=a,
                burn_in=burn_in,
            )
            panel = check_finite(panel_frame(h))
            for key, frame, path in (
                ("panel", panel, tmp_panel),
                ("events", events_frame(h), tmp_events),
            ):
                if key not in writers:
                    schemas[key] = pa.Schema.from_pandas(frame, preserve_index=False)
                    writers[key] = open_writers.enter_context(pq.ParquetWriter(path, schemas[key]))
                table = pa.Table.from_pandas(frame, schema=schemas[key], preserve_index=False)
                writers[key].write_table(table)
                rows[key] += len(frame)
    return out_path, ev_path, rows["panel"], rows["events"]
