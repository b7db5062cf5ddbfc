"""The three notebooks are stored without outputs and run clean, top to bottom.

They run in a Jupyter kernel of the interpreter running the tests (a kernel spec written to a
temporary JUPYTER_PATH, so nothing is installed in the user's Jupyter folders).
"""

from __future__ import annotations

import importlib.util
import json
import sys
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
NEEDS = {
    "coordinator-tour.ipynb": ["canal.gaps", "canal.maps", "canal.match"],
    "analyst-cypher.ipynb": [],
    "matching.ipynb": ["canal.match"],
}


def _missing(modules: list[str]) -> list[str]:
    return [m for m in modules if importlib.util.find_spec(m) is None]


@pytest.fixture(scope="module")
def kernel_name(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A kernel spec for this interpreter in a private JUPYTER_PATH."""
    root = tmp_path_factory.mktemp("jupyter")
    spec = root / "kernels" / "canal-test"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(
        json.dumps({"argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"], "display_name": "canal tests", "language": "python"})
    )
    mp = pytest.MonkeyPatch()
    mp.setenv("JUPYTER_PATH", str(root))
    mp.setenv("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    yield "canal-test"
    mp.undo()


def test_the_three_notebooks_are_there_and_stored_without_outputs() -> None:
    assert sorted(p.name for p in NOTEBOOKS.glob("*.ipynb")) == sorted(NEEDS)
    for path in NOTEBOOKS.glob("*.ipynb"):
        nb = nbformat.read(path, as_version=4)
        nbformat.validate(nb)
        for cell in nb.cells:
            if cell.cell_type == "code":
                assert cell.outputs == [] and cell.execution_count is None, (path.name, cell.source[:60])


def test_notebooks_use_only_the_public_api() -> None:
    for path in NOTEBOOKS.glob("*.ipynb"):
        text = "\n".join(c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code")
        assert "canal.store.falkor" not in text and "canal.store.embedded" not in text
        assert "._" not in text.replace("_repr_", ""), path.name  # no private attributes


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(NEEDS))
def test_notebook_runs_clean(name: str, kernel_name: str, tmp_path: Path) -> None:
    missing = _missing(NEEDS[name])
    if missing:
        pytest.skip(f"{name} needs {', '.join(missing)}, which has not landed yet")
    from nbclient import NotebookClient

    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    client = NotebookClient(nb, kernel_name=kernel_name, timeout=300, resources={"metadata": {"path": str(tmp_path)}})
    client.execute()
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert errors == []
    assert all(c.execution_count for c in nb.cells if c.cell_type == "code")
