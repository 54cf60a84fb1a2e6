"""Where the project's folders are. One place, so a temporary copy of the project works too."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

ROOT_ENV = "COMPLAINTS_STUDY_ROOT"


def project_root(start: Path | None = None) -> Path:
    """The project root: ``$COMPLAINTS_STUDY_ROOT``, else the nearest folder above ``start``
    (default: the working directory) holding ``data/raw/manifest.csv``, else this checkout."""
    if os.environ.get(ROOT_ENV):
        return Path(os.environ[ROOT_ENV]).resolve()
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "data" / "raw" / "manifest.csv").is_file():
            return folder
    return Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Paths:
    """The project's layout, relative to one root."""

    root: Path

    @classmethod
    def discover(cls, root: Path | None = None) -> Paths:
        return cls(Path(root).resolve() if root else project_root())

    @property
    def raw(self) -> Path:
        return self.root / "data" / "raw"

    @property
    def manifest(self) -> Path:
        return self.raw / "manifest.csv"

    @property
    def clean(self) -> Path:
        return self.root / "data" / "clean"

    @property
    def reference(self) -> Path:
        return self.root / "data" / "reference"

    @property
    def notebooks(self) -> Path:
        return self.root / "notebooks"

    @property
    def outputs(self) -> Path:
        return self.root / "outputs"

    @property
    def executed(self) -> Path:
        return self.outputs / "notebooks"

    @property
    def findings(self) -> Path:
        return self.outputs / "findings"

    @property
    def html(self) -> Path:
        return self.outputs / "html"

    @property
    def run_cache(self) -> Path:
        return self.outputs / ".run-cache"

    @property
    def publish_cache(self) -> Path:
        return self.outputs / ".publish-cache"
