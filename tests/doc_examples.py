"""The worked examples of docs/ARCHITECTURE.md, run as modules by the tests of the extension points."""

from __future__ import annotations

import contextlib
import sys
import types
from collections.abc import Iterator
from pathlib import Path

ARCHITECTURE = Path(__file__).resolve().parents[1] / "docs" / "ARCHITECTURE.md"


@contextlib.contextmanager
def example_module(first_line: str, name: str) -> Iterator[types.ModuleType]:
    """The code block that starts with ``first_line`` executed as the module ``name`` (importable
    by that name while the block runs, so ``"name:Class"`` factories load)."""
    doc = ARCHITECTURE.read_text(encoding="utf-8")
    code = doc.split(first_line + "\n", 1)[1].split("```", 1)[0]
    module = types.ModuleType(name)
    sys.modules[name] = module
    try:
        exec(compile(code, str(ARCHITECTURE), "exec"), module.__dict__)
        yield module
    finally:
        sys.modules.pop(name, None)
