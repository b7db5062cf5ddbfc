"""Screenshots of the demo map for docs/maps.md: Chinese labels, English labels, a phone.

Builds the demo graph in a temporary database, writes the two-hop map around DMTO and
photographs it in headless Chromium (the page opened with ``#lang=zh`` / ``#lang=en``, and at
390 x 844 px), saving 128-colour PNGs under ``docs/img/``. Run from the repository root:

    python scripts/map_screenshots.py
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PIL import Image

from canal.demo import run_demo
from canal.maps import prepare_map, write_map
from canal.store import open_store
from tests.maps_helpers import browser

SHOTS = (("map-zh", "lang=zh", 1400, 860), ("map-en", "lang=en", 1400, 860), ("map-phone", "lang=zh", 390, 844))


def main() -> None:
    out = Path("docs/img")
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="canal-shots-") as tmp:
        work = Path(tmp)
        with open_store(str(work / "demo.db")) as store:
            run_demo(store, out=work / "demo.html", ego_out=work / "dmto.html")
            G = store.to_networkx()
        sub, kw = prepare_map(G, around="dmto", depth=2)
        kw["focus"] = None
        page = write_map(sub, work / "shot.html", **kw)
        with browser() as b:
            for name, fragment, width, height in SHOTS:
                v = b.open(page, fragment=fragment, width=width, height=height)
                assert not (v.console_errors or v.page_errors or v.outside_requests), (v.console_errors, v.page_errors)
                v.page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(1))))")
                raw = work / f"{name}.png"
                v.page.screenshot(path=str(raw))
                Image.open(raw).convert("RGB").quantize(colors=128, method=Image.Quantize.MEDIANCUT).save(out / f"{name}.png", optimize=True)
                print(out / f"{name}.png")
                v.page.close()


if __name__ == "__main__":
    main()
