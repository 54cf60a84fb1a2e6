"""The code's version: a sha256 over the package's source, which decides what a change of code re-runs.

Kept free of pandas and the Jupyter stack (and of the subpackages) so that a rerun with nothing
changed can decide that in a fraction of a second.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent


def source_sha256(package: Path = PACKAGE) -> str:
    """A sha256 over every ``.py`` file of the package (path and bytes): the code's version."""
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()
