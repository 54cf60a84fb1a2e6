"""Every notebook has a jupytext py:percent twin (notebooks/*.py) holding the same cells, so a review reads plain Python."""
import jupytext
import pytest

from conftest import ROOT

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
FIX = ".venv/bin/jupytext --sync notebooks/*.ipynb"


def _cells(notebook) -> list[tuple[str, str, list[str]]]:
    """(type, source, tags) of each cell: what the pair must share (outputs and counts are not)."""
    return [(c.cell_type, c.source.strip(), sorted(c.metadata.get("tags", []))) for c in notebook.cells]


def test_pairing_is_configured():
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert '[tool.jupytext]\nformats = "ipynb,py:percent"' in text


@pytest.mark.parametrize("ipynb", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_and_its_py_twin_agree(ipynb):
    twin = ipynb.with_suffix(".py")
    assert twin.is_file(), f"{twin.relative_to(ROOT)} is missing: run `{FIX}`"
    assert _cells(jupytext.read(ipynb)) == _cells(jupytext.read(twin)), (
        f"{ipynb.name} and {twin.name} differ: run `{FIX}` (the newer file wins) and commit both")


def test_a_drifted_twin_is_caught(tmp_path):
    ipynb = NOTEBOOKS[0]
    twin = tmp_path / ipynb.with_suffix(".py").name
    twin.write_text(ipynb.with_suffix(".py").read_text(encoding="utf-8") + "\n# %%\nprint('edited in the .py only')\n",
                    encoding="utf-8")
    assert _cells(jupytext.read(ipynb)) != _cells(jupytext.read(twin))


def test_every_py_twin_has_its_notebook():
    orphans = [p.name for p in (ROOT / "notebooks").glob("*.py") if not p.with_suffix(".ipynb").is_file()]
    assert not orphans, f"{orphans}: no .ipynb beside them (delete them or run `{FIX}`)"
