"""One poll-until-deadline loop for the places that wait for something outside canal's
control (a lock, a server that starts, an index that builds, a journal that is rewritten).

>>> tries = iter([False, False, True])
>>> wait_until(lambda: next(tries), timeout=10, pause=0)
True
>>> wait_until(lambda: False, timeout=0, pause=0)
False
"""

from __future__ import annotations

import time
from collections.abc import Callable


def wait_until(ready: Callable[[], bool], *, timeout: float, pause: float = 0.05, max_pause: float | None = None) -> bool:
    """Call ``ready`` until it returns true (then True) or ``timeout`` seconds have passed
    since the call (then False: the caller raises its own message, or carries on).

    ``ready`` is always tried once, and once more after each ``pause``; with ``max_pause``
    the pause doubles after each try up to that bound. ``ready`` may raise to stop waiting.
    """
    deadline = time.monotonic() + timeout
    while True:
        if ready():
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(pause)
        if max_pause is not None:
            pause = min(pause * 2, max_pause)
