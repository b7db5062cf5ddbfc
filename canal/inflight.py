"""Calls run in order on a second thread, at most a few in flight.

The thread that prepares the next batch (reads, checks, encodes) keeps working while the
database runs the previous one. Each result is checked, in order, by the function given
with its call; an error surfaces at the next :meth:`InFlight.submit` or at
:meth:`InFlight.finish`.

>>> seen = []
>>> with InFlight() as calls:
...     for n in range(3):
...         calls.submit(lambda n=n: n * 10, check=seen.append)
>>> seen
[0, 10, 20]
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any


class InFlight:
    """A one-thread queue of calls; ``depth`` of them may be pending at once."""

    def __init__(self, *, depth: int = 2, name: str = "canal") -> None:
        self.depth = depth
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix=name)
        self.pending: deque[tuple[Future[Any], Callable[[Any], None]]] = deque()
        self.calls = 0
        self.waited = 0.0
        """Seconds the submitting thread spent waiting for results."""

    def submit(self, fn: Callable[[], Any], *, check: Callable[[Any], None]) -> None:
        """Queue ``fn()``; ``check(result)`` runs on this thread once it is done."""
        self.pending.append((self.pool.submit(fn), check))
        self.calls += 1
        while len(self.pending) > self.depth:
            self._reap()

    def _reap(self) -> None:
        fut, check = self.pending.popleft()
        t = time.perf_counter()
        result = fut.result()
        self.waited += time.perf_counter() - t
        check(result)

    def finish(self) -> None:
        """Wait for every call and check it; the thread is gone afterwards."""
        try:
            while self.pending:
                self._reap()
        finally:
            self.pool.shutdown(wait=True, cancel_futures=True)

    def abort(self) -> None:
        """Drop what has not started, wait for what has; the thread is gone afterwards."""
        for fut, _ in self.pending:
            fut.cancel()
        self.pool.shutdown(wait=True, cancel_futures=True)
        self.pending.clear()

    def __enter__(self) -> InFlight:
        return self

    def __exit__(self, exc_type: object, *rest: object) -> None:
        if exc_type is None:
            self.finish()
        else:
            self.abort()
