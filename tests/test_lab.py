"""JupyterLab as an analyst meets it (issue 26): every notebook on the project's kernel, only the .ipynb files
listed (their jupytext .py twins hidden), and citation links that resolve inside Lab."""
from __future__ import annotations

import fnmatch
import json
import re

import pytest

from analysis import present

from conftest import ROOT

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_notebook_opens_on_the_project_kernel(notebook):
    spec = json.loads(notebook.read_text(encoding="utf-8"))["metadata"]["kernelspec"]
    assert spec == {"display_name": "Complaints study (.venv)", "language": "python", "name": "complaints-study"}
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert 'KERNEL := complaints-study' in makefile and '--display-name "Complaints study (.venv)"' in makefile


def test_make_lab_hides_the_py_twins_and_nothing_else():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    hidden = re.search(r"^LAB_HIDDEN := \[(.*)\]$", makefile, re.M).group(1)
    patterns = [p.strip().strip("'") for p in hidden.split(",")]
    names = [p.name for p in (ROOT / "notebooks").iterdir()]
    shown = [n for n in names if not any(fnmatch.fnmatch(n, p) for p in patterns)]
    assert sorted(shown) == sorted(p.name for p in NOTEBOOKS) + ([".ipynb_checkpoints"] if ".ipynb_checkpoints" in shown else [])
    assert not any(fnmatch.fnmatch(name, p) for p in patterns for name in ("cli.py", "runs.py", "conftest.py"))
    assert '"--ContentsManager.hide_globs=$(LAB_HIDDEN)"' in makefile


def test_citations_resolve_inside_lab(monkeypatch):
    # bromley_2023-24…txt:94 "Total 445 335 387 465 533 14.6%"
    source = "data/raw/bromley_2023-24_complaints-and-compliments-annual-report.txt:94"
    monkeypatch.delenv(present.LINK_BASE_ENV, raising=False)
    assert "](../reports/bromley_2023-24_complaints-and-compliments-annual-report.html#L94)" in present.link_sources(source)
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    base = re.search(r"COMPLAINTS_LINK_BASE=(\S+)", makefile).group(1)
    assert "--ServerApp.root_dir=." in makefile and "default_url=/lab/tree/notebooks" in makefile
    monkeypatch.setenv(present.LINK_BASE_ENV, base)
    link = re.search(r"\]\(([^)#]+)#L94\)", present.link_sources(source)).group(1)
    # from notebooks/ (where a Lab kernel runs), inside the Lab root (the project): the built site's page
    target = (ROOT / "notebooks" / link).resolve()
    assert target == (ROOT / "outputs" / "html" / "reports" / "bromley_2023-24_complaints-and-compliments-annual-report.html")
