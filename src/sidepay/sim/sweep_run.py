"""Sweep execution: run a planned sweep's tasks on an executor and record them as they end.

``run_sweep`` plans the grid's tasks (``sidepay.sim.grid``), sends each to an executor and
records the outcome in the folder's manifest as it arrives (``sidepay.sim.sweep_store``).
A task simulates some replications of one parameter point and writes its own Parquet
parts, atomically, in the output folder.

Results are streamed: a worker returns only a small status record, never a frame, so the
driver's memory does not grow with the sweep. A task that raises is recorded with its error
and the sweep goes on. Running the same sweep into the same folder again resumes it: a task
whose part exists, is readable and carries this sweep's fingerprint is skipped.

Executors: ``None`` (a local ``ProcessPoolExecutor`` using the spawn start method), a Dask
scheduler address such as ``"tcp://10.0.0.5:8786"`` (workers must see ``out_dir`` at the same
path, e.g. on a shared file system), or any ``concurrent.futures.Executor`` such as
``distributed.Client(...).get_executor(pure=False)``.

Examples
--------
>>> from sidepay.sim.grid import SweepGrid
>>> SweepGrid(axes={"params.rho": [0.5, 1.0]}, reps=4, periods=3).n_points
2
"""

from __future__ import annotations

import contextlib
import os
import socket
import time
import traceback
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Executor, Future, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sidepay.errors import bad_param
from sidepay.sim import sweep_store as store
from sidepay.sim.grid import (
    SweepGrid,
    SweepTask,
    auto_reps_per_task,
    base_world,
    load_grid,
    point_seed,
    point_world,
    validate_points,
)
from sidepay.sim.sweep_executors import _one_line, open_executor

__all__ = [
    "SweepSummary",
    "run_sweep",
    "sweep_progress",
]


@dataclass
class SweepSummary:
    """What a ``run_sweep`` call did.

    Attributes
    ----------
    out_dir : the sweep folder.
    n_tasks : tasks in the plan.
    ran : tasks run and finished in this call.
    skipped : tasks already finished (resumed).
    failed : task name -> one-line error, for the tasks that failed in this call.
    reps_per_task : replications per task (the on-disk split).
    seconds : wall time of the call.
    manifest_error : why the last manifest save failed (a full disk), or empty; the
        manifest on disk is then the last one saved, consistent but behind the parts.
    """

    out_dir: Path
    n_tasks: int
    ran: int = 0
    skipped: int = 0
    failed: dict[str, str] = field(default_factory=dict)
    reps_per_task: int = 0
    seconds: float = 0.0
    manifest_error: str = ""

    @property
    def ok(self) -> bool:
        """Every task of the plan is finished and recorded."""
        done = self.ran + self.skipped == self.n_tasks
        return not self.failed and done and not self.manifest_error


# --------------------------------------------------------------------------------------
# the task a worker runs (top level: picklable and spawn-safe)


def _run_task(payload: dict[str, Any]) -> dict[str, Any]:
    """Simulate one task and write its parts; never raises (errors are returned)."""
    t0, c0 = time.perf_counter(), time.process_time()
    task = SweepTask(**payload["task"])
    out = {"task": task.name, "status": "failed", "rows": 0, "event_rows": 0, "error": ""}
    try:
        from sidepay.sim.engine import simulate

        grid = SweepGrid(**payload["grid"])
        world = point_world(grid, task.point)
        res = simulate(
            world,
            periods=grid.periods,
            reps=task.reps,
            seed=point_seed(grid.seed, task.point),
            rep_start=task.rep_start,
        )
        out_dir = Path(payload["out_dir"])
        meta = {"fingerprint": payload["fingerprint"], "task": task.name}
        frames = {"panel": res.panel, "events": getattr(res, "events", None)}
        for kind, frame in frames.items():
            if frame is None:
                continue
            frame = frame.reset_index(drop=True)
            frame.insert(0, "point", task.point)
            frame["point"] = frame["point"].astype("int64")
            store.write_part(frame, store.part_path(out_dir, kind, task), meta)
            out["rows" if kind == "panel" else "event_rows"] = len(frame)
        out["status"] = "done"
    except Exception as exc:
        out["error"] = _one_line(exc)
        out["traceback"] = traceback.format_exc(limit=5)
    out["worker"] = f"{socket.gethostname()}:{os.getpid()}"  # who ran it (manifest, tests)
    out["seconds"] = round(time.perf_counter() - t0, 3)
    out["cpu_seconds"] = round(time.process_time() - c0, 3)  # < seconds: waiting for a core
    return out


# --------------------------------------------------------------------------------------
# the driver


def run_sweep(
    grid: SweepGrid | str | Path,
    out_dir: str | Path,
    executor: Executor | str | None = None,
    *,
    workers: int | None = None,
    resume: bool = True,
    max_in_flight: int | None = None,
    on_task: Callable[[dict[str, Any]], None] | None = None,
    on_plan: Callable[[SweepSummary], None] | None = None,
) -> SweepSummary:
    """Run every task of ``grid`` and write its parts and manifest under ``out_dir``.

    Parameters
    ----------
    grid : a SweepGrid or the path of a grid TOML file.
    out_dir : the sweep folder (created; on a cluster, a path every worker can write).
    executor : None for a local process pool of ``workers`` processes (default: the
        machine's cores), a Dask scheduler address ("tcp://HOST:PORT"), or any
        ``concurrent.futures.Executor`` (not shut down here).
    workers : size of the local pool (ignored for other executors).
    resume : skip tasks whose parts are already written for this same sweep; with
        ``resume=False`` a folder holding results raises InputError.
    max_in_flight : tasks submitted ahead of completion (default 4 per worker, >= 8).
    on_task : called in the driver with each task's status record as it completes.
    on_plan : called once with the summary (``n_tasks``, ``skipped``) before any task
        runs, e.g. to size a progress bar.

    Returns
    -------
    SweepSummary

    Examples
    --------
    >>> import tempfile
    >>> g = SweepGrid(axes={"params.rho": [0.5, 2.0]}, reps=2, periods=3, seed=1)
    >>> s = run_sweep(g, tempfile.mkdtemp(), workers=1)  # doctest: +SKIP
    >>> s.ok, s.n_tasks  # doctest: +SKIP
    (True, 2)
    """
    t0 = time.perf_counter()
    if not isinstance(grid, SweepGrid):
        grid = load_grid(grid)
    out = Path(out_dir).resolve()
    base = base_world(grid)  # a missing or invalid world file fails here, in one line
    world_text = "" if grid.world == "default" else Path(grid.world).read_text(encoding="utf-8")
    fingerprint = grid.fingerprint(world_text)
    validate_points(grid, base)
    _check_task_memory(grid, base)
    if out.exists() and not out.is_dir():
        raise bad_param("out_dir", f"{out} is a file; pass a folder (created if missing)")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise bad_param(
            "out_dir", f"cannot create the sweep folder {out}: {exc.strerror}"
        ) from None
    if not os.access(out, os.W_OK):
        raise bad_param("out_dir", f"the sweep folder {out} is not writable; pass another")

    with _sweep_lock(out):
        return _locked_sweep(
            grid, out, base, fingerprint, executor, workers, resume, max_in_flight, on_task,
            on_plan, t0,
        )  # fmt: skip


def _locked_sweep(
    grid: SweepGrid,
    out: Path,
    base: Any,
    fingerprint: str,
    executor: Executor | str | None,
    workers: int | None,
    resume: bool,
    max_in_flight: int | None,
    on_task: Callable[[dict[str, Any]], None] | None,
    on_plan: Callable[[SweepSummary], None] | None,
    t0: float,
) -> SweepSummary:
    """``run_sweep`` once the folder is locked."""
    manifest = store.load_manifest(out)
    if manifest is not None:
        if manifest.get("fingerprint") != fingerprint:
            raise bad_param(
                "out_dir", f"{out} holds a different sweep (other grid or world); use a new folder"
            )
        if not resume:
            raise bad_param(
                "out_dir", f"{out} already holds this sweep; resume it or use a new folder"
            )

    # connect first: a wrong scheduler address fails before anything is written, and the
    # automatic split knows how many workers there are
    with open_executor(executor, workers) as (ex, n_workers):
        if manifest is not None:
            reps_per_task = int(manifest["reps_per_task"])  # the split on disk wins
        else:
            reps_per_task = grid.reps_per_task or auto_reps_per_task(grid, base, n_workers)
        summary = SweepSummary(out_dir=out, n_tasks=0, reps_per_task=reps_per_task)
        _run_planned(
            grid, out, fingerprint, manifest, summary, ex, max_in_flight or max(8, 4 * n_workers),
            on_task, on_plan,
        )  # fmt: skip
    summary.seconds = time.perf_counter() - t0
    return summary


#: The lock file of a sweep folder: held (``flock``) by the one driver writing into it.
LOCK_NAME = ".sweep.lock"


@contextlib.contextmanager
def _sweep_lock(out: Path) -> Iterator[None]:
    """Hold the folder's lock for the whole sweep; a second driver is refused, in one line.

    ``flock`` is released by the kernel when the driver ends, however it ends, so a killed
    sweep never leaves the folder locked.
    """
    import fcntl

    path = out / LOCK_NAME
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise bad_param("out_dir", f"cannot lock the sweep folder {out}: {exc.strerror}") from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            owner = os.pread(fd, 64, 0).decode(errors="replace").strip() or "another process"
            raise bad_param(
                "out_dir",
                f"{out} is in use by another sweep ({owner}); wait for it to end or use "
                "another folder",
            ) from None
        with contextlib.suppress(OSError):  # who holds it: for the message above
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"pid {os.getpid()} on {socket.gethostname()}".encode(), 0)
        yield
    finally:
        os.close(fd)


def _check_task_memory(grid: SweepGrid, base: Any) -> None:
    """Refuse, before anything is written, a sweep one replication of which does not fit
    the memory limit: a task is at least one replication (at the first and last points)."""
    from sidepay.sim.engine import check_simulation

    for idx in sorted({0, grid.n_points - 1}):
        check_simulation(point_world(grid, idx, base), grid.periods, 1)


def _save_manifest(out: Path, manifest: dict[str, Any], summary: SweepSummary) -> None:
    """Save the manifest; if the disk is full (or another OS error), keep the last one
    written (saves are atomic, so it is consistent) and say so in the summary."""
    try:
        store.save_manifest(out, manifest)
    except OSError as exc:
        summary.manifest_error = f"{exc.strerror or type(exc).__name__} ({exc.filename or out})"
    else:
        summary.manifest_error = ""


def _run_planned(
    grid: SweepGrid,
    out: Path,
    fingerprint: str,
    manifest: dict[str, Any] | None,
    summary: SweepSummary,
    ex: Executor,
    window: int,
    on_task: Callable[[dict[str, Any]], None] | None,
    on_plan: Callable[[SweepSummary], None] | None = None,
) -> None:
    """Plan the tasks, skip the finished ones, run the rest; fills ``summary`` in place."""
    reps_per_task = summary.reps_per_task
    for kind in store.KINDS:
        (out / kind).mkdir(parents=True, exist_ok=True)
        for stale in (out / kind).glob(".*.tmp"):  # left by an interrupted writer
            stale.unlink(missing_ok=True)
    store.write_points(grid, out)

    tasks = list(grid.tasks(reps_per_task))
    records: dict[str, dict[str, Any]] = (manifest or {}).get("tasks", {})
    todo: list[SweepTask] = []
    summary.n_tasks = len(tasks)
    for task in tasks:
        rows = [
            store.part_rows(store.part_path(out, kind, task), fingerprint, task.name)
            for kind in store.KINDS
        ]
        if None not in rows:
            summary.skipped += 1
            rec = records.setdefault(task.name, store.task_record(task))
            # the parts are the truth: a driver killed between two manifest saves
            # leaves finished tasks marked pending
            rec.update(status="done", rows=rows[0], event_rows=rows[1], error="")
        else:
            records[task.name] = store.task_record(task)
            todo.append(task)
    manifest = {
        "format": 1,
        "fingerprint": fingerprint,
        "grid": grid.to_dict(),
        "reps_per_task": reps_per_task,
        "n_points": grid.n_points,
        "tasks": records,
    }
    store.save_manifest(out, manifest)  # before any task: a full disk fails here, in one line
    if on_plan is not None:
        on_plan(summary)
    if not todo:
        return

    grid_payload = {
        "axes": grid.axes,
        "fixed": grid.fixed,
        "world": grid.world,
        "reps": grid.reps,
        "periods": grid.periods,
        "seed": grid.seed,
        "reps_per_task": reps_per_task,
    }
    payloads = (
        {
            "task": {"point": t.point, "rep_start": t.rep_start, "reps": t.reps},
            "grid": grid_payload,
            "out_dir": str(out),
            "fingerprint": fingerprint,
        }
        for t in todo
    )
    last_save, save_every = time.monotonic(), 1.0
    try:
        for result in _stream(ex, payloads, window):
            rec = records[result["task"]]
            rec.update({k: v for k, v in result.items() if k not in ("task", "traceback")})
            if result["status"] == "done":
                summary.ran += 1
            else:
                summary.failed[result["task"]] = result["error"]
            if on_task is not None:
                on_task(result)
            if time.monotonic() - last_save > save_every:
                t_save = time.monotonic()
                _save_manifest(out, manifest, summary)
                last_save = time.monotonic()
                # keep the manifest's cost under ~5% of the run, however many tasks
                save_every = max(1.0, 20.0 * (last_save - t_save))
    finally:  # also when interrupted: the manifest shows what finished
        _save_manifest(out, manifest, summary)


def _stream(
    ex: Executor, payloads: Iterator[dict[str, Any]], window: int
) -> Iterator[dict[str, Any]]:
    """Submit at most ``window`` tasks ahead; yield each status record as it completes."""
    pending: dict[Future[dict[str, Any]], str] = {}
    exhausted = False
    while pending or not exhausted:
        while not exhausted and len(pending) < window:
            payload = next(payloads, None)
            if payload is None:
                exhausted = True
                break
            name = SweepTask(**payload["task"]).name
            try:
                pending[ex.submit(_run_task, payload)] = name
            except Exception as exc:  # e.g. a broken process pool: record, go on
                yield {"task": name, "status": "failed", "rows": 0, "error": _one_line(exc)}
        if not pending:
            continue
        finished, _ = wait(list(pending), return_when=FIRST_COMPLETED)
        for fut in finished:
            name = pending.pop(fut)
            try:
                yield fut.result()
            except Exception as exc:  # the worker died or the executor failed the task
                yield {"task": name, "status": "failed", "rows": 0, "error": _one_line(exc)}


@contextlib.contextmanager
def sweep_progress(
    enabled: bool = True, *, console: Any = None
) -> Iterator[tuple[Callable[[SweepSummary], None], Callable[[dict[str, Any]], None]]]:
    """``(on_plan, on_task)`` callbacks for ``run_sweep`` that draw a rich progress bar
    over tasks on stderr (or ``console``, a ``rich.console.Console``); with
    ``enabled=False`` they do nothing.

    Examples
    --------
    >>> with sweep_progress(enabled=False) as (on_plan, on_task):
    ...     on_plan(SweepSummary(out_dir=Path("."), n_tasks=3, skipped=1))
    ...     on_task({"task": "t", "status": "done"})
    """
    if not enabled:
        yield (lambda summary: None), (lambda record: None)
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    progress = Progress(
        TextColumn("sweep"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[failed]} failed"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console or Console(stderr=True),
        transient=True,
    )
    bar = progress.add_task("tasks", total=None, failed=0)

    def on_plan(summary: SweepSummary) -> None:
        progress.update(bar, total=summary.n_tasks, completed=summary.skipped)

    def on_task(record: dict[str, Any]) -> None:
        failed = progress.tasks[0].fields["failed"] + (record.get("status") != "done")
        progress.update(bar, advance=1, failed=failed)

    with progress:
        yield on_plan, on_task
