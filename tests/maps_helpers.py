"""Headless Chromium for the map tests (and bench/maps.py): open a page, record what it did.

Chromium is the Debian package ``chromium`` (``CANAL_CHROMIUM`` overrides the path);
Python playwright drives it through ``executable_path`` (``playwright install`` is never
needed). Every request that is not the page's own file is recorded and aborted.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from canal.maps import find_chromium

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def chromium_missing() -> str | None:
    """Why the browser tests cannot run, or None when they can."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "python playwright is not installed (pip install playwright; no browser download needed)"
    if find_chromium() is None:
        return "Chromium is not installed (Debian: apt-get install chromium; or set CANAL_CHROMIUM)"
    return None


@dataclass
class Visit:
    """What a page did while it was open."""

    page: Any
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    outside_requests: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    load_ms: float = 0.0


class Browser:
    """One headless Chromium with a fresh profile; :meth:`open` visits a map file."""

    def __init__(self, context: Any) -> None:
        self.context = context

    def open(
        self, path: Path, *, timeout_ms: float = 60_000, width: int = 1400, height: int = 900, fragment: str = "", javascript: bool = True
    ) -> Visit:
        """Open ``path`` (with ``#fragment``) and wait until the map is drawn; ``javascript=False``
        turns scripts off (Chromium's own switch) and waits for the page's load only."""
        page = self.context.new_page()
        page.set_viewport_size({"width": width, "height": height})
        if not javascript:
            self.context.new_cdp_session(page).send("Emulation.setScriptExecutionDisabled", {"value": True})
        visit = Visit(page)
        own = path.resolve().as_uri()
        page.on("console", lambda m: visit.console_errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: visit.page_errors.append(str(e)))
        page.on("request", lambda r: visit.requests.append(r.url))

        def on_dialog(d: Any) -> None:
            visit.dialogs.append(f"{d.type}: {d.message}")
            d.dismiss()

        page.on("dialog", on_dialog)

        def route(r: Any) -> None:
            url = r.request.url
            if url.split("#")[0] == own:
                r.continue_()
            else:
                visit.outside_requests.append(url)
                r.abort()

        page.route("**/*", route)
        page.goto(own + (f"#{fragment}" if fragment else ""), wait_until="load", timeout=timeout_ms)
        if not javascript:
            return visit
        page.wait_for_function("() => window.canalMap && window.canalMap.ready === true", timeout=timeout_ms)
        visit.load_ms = float(page.evaluate("() => window.canalMap.readyAt"))
        return visit


@contextmanager
def browser() -> Iterator[Browser]:
    """A headless Chromium (fresh user-data-dir), closed afterwards."""
    from playwright.sync_api import sync_playwright

    exe = find_chromium()
    assert exe is not None
    profile = tempfile.mkdtemp(prefix="canal-maps-profile-")
    try:
        with sync_playwright() as p:
            context = p.chromium.launch_persistent_context(profile, executable_path=exe, headless=True, args=CHROMIUM_ARGS)
            try:
                yield Browser(context)
            finally:
                context.close()
    finally:
        shutil.rmtree(profile, ignore_errors=True)
