"""The package reads as the pipeline: clean never imports studies or site; studies never import site;
the core imports no subpackage at module level; each subpackage says what it is for."""
from __future__ import annotations

import ast
import importlib

import pytest

from conftest import ROOT

PACKAGE = ROOT / "src" / "analysis"
SUBPACKAGES = ("clean", "studies", "site")
FORBIDDEN = {"clean": {"studies", "site"}, "studies": {"site"}}


def imported_subpackages(path) -> set[tuple[str, int]]:
    """(first subpackage under analysis, line) of every import in ``path``, relative ones resolved."""
    module = path.relative_to(PACKAGE.parent).with_suffix("").parts  # ("analysis", "clean", "pipeline")
    package = module[:-1] if module[-1] != "__init__" else module[:-1]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = []
        if isinstance(node, ast.ImportFrom):
            base = list(package[: len(package) - node.level + 1]) if node.level else []
            target = base + (node.module.split(".") if node.module else [])
            names = [target + [alias.name] for alias in node.names] if not node.module else [target]
        elif isinstance(node, ast.Import):
            names = [alias.name.split(".") for alias in node.names]
        for parts in names:
            if len(parts) > 1 and parts[0] == "analysis" and parts[1] in SUBPACKAGES:
                found.add((parts[1], node.lineno))
    return found


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_a_layer_never_imports_a_later_one(layer):
    offenders = [f"{path.relative_to(ROOT)}:{line} imports analysis.{target}"
                 for path in sorted((PACKAGE / layer).rglob("*.py"))
                 for target, line in imported_subpackages(path) if target in FORBIDDEN[layer]]
    assert not offenders, offenders


def test_the_core_imports_no_subpackage_at_module_level():
    offenders = []
    for path in sorted(PACKAGE.glob("*.py")):
        if path.name in ("cli.py", "__main__.py"):  # the CLI dispatches to every layer, lazily
            continue
        top = [n for n in ast.parse(path.read_text(encoding="utf-8")).body if isinstance(n, (ast.Import, ast.ImportFrom))]
        for node in top:
            mod = getattr(node, "module", None) or ""
            if isinstance(node, ast.ImportFrom) and node.level and mod.split(".")[0] in SUBPACKAGES:
                offenders.append(f"{path.name}:{node.lineno} from {'.' * node.level}{mod}")
    assert not offenders, offenders


@pytest.mark.parametrize("name", SUBPACKAGES)
def test_each_subpackage_says_what_it_is_for_and_what_it_may_import(name):
    doc = importlib.import_module(f"analysis.{name}").__doc__ or ""
    assert len(doc) > 200 and "May import" in doc, doc
