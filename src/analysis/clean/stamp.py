"""Whether ``data/clean`` is current: a fingerprint of everything the clean tables are made from.

Light on purpose (no pandas): ``python -m analysis all`` asks it before deciding to re-clean.
"""
from __future__ import annotations

import hashlib

from ..fingerprint import source_sha256
from ..paths import Paths

CLEAN_STAMP = ".clean-inputs.sha256"  # in data/clean: what the last successful clean was made from
CLEAN_TABLES = ("observations", "reconciled", "conflicts", "claims")


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
