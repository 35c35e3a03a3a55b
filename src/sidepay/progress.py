"""Progress display of a job's stages (rich, on stderr) and the time each stage took.

Examples
--------
>>> with Stages(quiet=True) as stages:
...     with stages.stage("work", total=2) as advance:
...         advance(2)
>>> sorted(stages.timings)
['work']
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from typing import Any


class Stages:
    """Timing and progress display of the stages (silent when ``quiet``)."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self.timings: dict[str, float] = {}
        self.progress: Any = None
        if not quiet:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                SpinnerColumn,
                TextColumn,
                TimeElapsedColumn,
            )

            self.progress = Progress(
                SpinnerColumn(),
                TextColumn("{task.description:<28}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=Console(stderr=True),
                transient=False,
            )

    def __enter__(self) -> Stages:
        if self.progress is not None:
            self.progress.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.progress is not None:
            self.progress.__exit__(*exc)

    @contextlib.contextmanager
    def stage(self, name: str, total: int = 1) -> Iterator[Callable[[int], None]]:
        """Time one stage and show a bar of ``total`` steps; yields ``advance(n)``."""
        start = time.perf_counter()
        task = None
        if self.progress is not None:
            task = self.progress.add_task(name, total=total)

        def advance(n: int = 1) -> None:
            if task is not None:
                self.progress.advance(task, n)

        yield advance
        if task is not None:
            self.progress.update(task, completed=total)
        self.timings[name] = self.timings.get(name, 0.0) + time.perf_counter() - start
