"""Headline figures a notebook states, as JSON beside the HTML, so tests and tools read results.

Written deterministically (sorted keys, floats rounded, no timestamps): two runs on the same
inputs give byte-identical files.
"""
from __future__ import annotations

import json
import math
import os
import sys
from pathlib import Path

from ..paths import Paths


def _plain(value):
    """numpy / pandas scalars → JSON types; floats rounded to 6 significant decimals; NaN → None."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()
    if isinstance(value, float):
        return None if math.isnan(value) else round(value, 6)
    return value


def findings_path(run_id: str, paths: Paths | None = None) -> Path:
    return (paths or Paths.discover()).findings / f"{run_id}.json"


# Set by ``python -m analysis run`` (site/runs.py) for the kernels it starts: only the study's own runs
# write findings; a notebook opened in Jupyter and run by hand leaves outputs/findings alone.
RUNNER_ENV = "COMPLAINTS_STUDY_RUN"


def save_findings(run_id: str, findings: dict, paths: Paths | None = None) -> Path | None:
    """Write a notebook run's findings to ``outputs/findings/<run_id>.json`` when the study's runner
    executes it; run interactively (no ``COMPLAINTS_STUDY_RUN``), write nothing, say so, return None."""
    if not os.environ.get(RUNNER_ENV):
        print(f"findings not saved: {run_id} was not run by `python -m analysis run` ({RUNNER_ENV} unset), "
              "so outputs/findings is left as the last study run wrote it", file=sys.stderr)
        return None
    path = findings_path(run_id, paths)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(_plain(findings), indent=2, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def load_findings(run_id: str, paths: Paths | None = None) -> dict:
    return json.loads(findings_path(run_id, paths).read_text(encoding="utf-8"))
