"""Caveats the reports themselves state about their own figures, kept as reviewed data.

``data/reference/report_caveats.csv`` holds one row per caveat: the series it applies to (a
findings key such as ``lewisham.adult_social_care.complaints``), the report and the lines that say
it, and the caveat in plain words. A page that states a finding from that series prints the caveat
with a link to the lines, so what the report says about its own counting travels with the numbers.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from .comparable import read_reviewed

CAVEATS_FILE = "report_caveats.csv"
CAVEAT_COLUMNS = ["applies_to", "council", "report_period", "source_file", "lines", "caveat"]


def load_caveats(reference: Path) -> pd.DataFrame:
    """The reviewed caveats (an empty frame if the file is absent); a missing column is an error naming the file."""
    return read_reviewed(reference / CAVEATS_FILE, CAVEAT_COLUMNS)


def caveats_for(caveats: pd.DataFrame | None, applies_to: str) -> list[dict]:
    """The caveats of one series, each with its source (``file:first line``) for a citation link."""
    if caveats is None or caveats.empty:
        return []
    hits = caveats[caveats["applies_to"] == applies_to]
    return [{"caveat": r["caveat"], "lines": r["lines"], "source": f"{r['source_file']}:{r['lines'].split('-')[0]}"}
            for _, r in hits.iterrows()]
