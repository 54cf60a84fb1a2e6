"""Content fingerprints that decide what must be rebuilt: the clean tables, a notebook run, a page.

Kept free of pandas and the Jupyter stack so that a rerun with nothing changed can decide
that in a fraction of a second.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

from .paths import Paths

PACKAGE = Path(__file__).resolve().parent
CLEAN_STAMP = ".clean-inputs.sha256"  # in data/clean: what the last successful clean was made from
CLEAN_TABLES = ("observations", "reconciled", "conflicts")


def source_sha256(package: Path = PACKAGE) -> str:
    """A sha256 over every ``.py`` file of the package (path and bytes): the code's version."""
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def clean_inputs(paths: Paths) -> str:
    """What the clean tables depend on: the manifest, the raw bytes, the reference tables, the code."""
    from .manifest import read_manifest

    digest = hashlib.sha256(paths.manifest.read_bytes())
    for entry in read_manifest(paths):
        path = paths.raw / entry.file
        digest.update(entry.file.encode() + b"\0" + (path.read_bytes() if path.is_file() else b"<missing>") + b"\0")
    for path in sorted(paths.reference.glob("*")) if paths.reference.is_dir() else []:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    digest.update(source_sha256().encode())
    return digest.hexdigest()


def clean_is_current(paths: Paths) -> bool:
    """True when the last clean succeeded on exactly today's inputs and all its files are present."""
    stamp = paths.clean / CLEAN_STAMP
    files = [paths.clean / f"{stem}.{ext}" for stem in CLEAN_TABLES for ext in ("csv", "parquet")]
    if not stamp.is_file() or not all(f.is_file() for f in [*files, paths.clean / "datapackage.json"]):
        return False
    return stamp.read_text(encoding="utf-8").strip() == clean_inputs(paths)
