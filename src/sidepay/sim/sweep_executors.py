"""The executors a sweep runs on: a local process pool, a Dask scheduler, or any Executor.

:func:`sidepay.sim.sweep_run.run_sweep` takes ``executor=None`` (a local
``ProcessPoolExecutor`` using the spawn start method, whose workers exit with the driver),
a Dask scheduler address such as ``"tcp://10.0.0.5:8786"`` (checked to be reachable first)
or any ``concurrent.futures.Executor``; this module opens each of them, with its number of
workers, and closes it after the sweep.

Examples
--------
>>> _one_line(ValueError("no  such   point"))
'ValueError: no such point'
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import Executor, ProcessPoolExecutor

from sidepay.errors import InputError, bad_param

__all__ = ["SCHEDULER_TIMEOUT", "open_executor"]

#: seconds to wait for a Dask scheduler that accepts connections
SCHEDULER_TIMEOUT = 10


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or "(no message)"
    return f"{type(exc).__name__}: {text}"


@contextlib.contextmanager
def open_executor(
    executor: Executor | str | None, workers: int | None
) -> Iterator[tuple[Executor, int]]:
    """Open ``executor`` (None: a local spawn pool of ``workers`` processes, default all
    cores; a Dask address; or an Executor, used as is) and yield it with its worker count;
    close what was opened here on exit. Used by sweeps and by the SMM's parameter points.
    """
    if isinstance(executor, Executor):
        yield executor, max(1, workers or _dask_workers(executor) or os.cpu_count() or 1)
    elif executor is None:
        n = max(1, workers or os.cpu_count() or 1)
        ctx = multiprocessing.get_context("spawn")
        pool = ProcessPoolExecutor(
            max_workers=n, mp_context=ctx, initializer=_exit_with_parent, initargs=(os.getpid(),)
        )
        try:
            yield pool, n
        finally:  # on Ctrl-C: drop queued tasks, let running ones finish their parts
            pool.shutdown(wait=True, cancel_futures=True)
    elif isinstance(executor, str):
        from distributed import Client

        _check_reachable(executor)
        try:
            client = Client(executor, timeout=SCHEDULER_TIMEOUT)
        except (OSError, TimeoutError, ValueError) as exc:
            raise InputError(
                f"cannot reach the Dask scheduler at {executor!r} ({_one_line(exc)}); "
                "pass tcp://HOST:PORT of a running scheduler"
            ) from None
        try:
            n = max(1, len(client.scheduler_info().get("workers", {})))
            yield client.get_executor(pure=False), n
        finally:
            client.close()
    else:
        raise bad_param(
            "executor",
            f"must be None, a Dask address or a concurrent.futures.Executor; got {executor!r}",
        )


def _check_reachable(address: str) -> None:
    """Fail fast on a tcp:// address nobody listens on (Dask itself retries until its
    timeout); other schemes are left to Dask."""
    scheme, _, rest = address.partition("://")
    if scheme not in ("tcp", "tls") or not rest:
        return
    host, _, port = rest.rpartition(":")
    if not port.isdigit():
        raise InputError(f"Dask scheduler address {address!r} has no port; pass tcp://HOST:PORT")
    try:
        with socket.create_connection((host.strip("[]") or "127.0.0.1", int(port)), timeout=5):
            pass
    except OSError as exc:
        raise InputError(
            f"cannot reach the Dask scheduler at {address!r} ({exc.strerror or exc}); "
            "pass tcp://HOST:PORT of a running scheduler"
        ) from None


def _exit_with_parent(parent: int) -> None:
    """Pool worker initializer: exit when the driver is gone (killed with SIGKILL or
    SIGTERM, it cannot shut its pool down; idle workers would wait forever)."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def _dask_workers(executor: Executor) -> int:
    """Workers behind a Dask ``ClientExecutor`` (0 for other executors or if unknown)."""
    client = getattr(executor, "_client", None)
    try:
        return len(client.scheduler_info().get("workers", {})) if client is not None else 0
    except Exception:  # an executor we cannot introspect: fall back to the local cores
        return 0
