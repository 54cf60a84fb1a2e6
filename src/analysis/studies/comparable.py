"""One definition of "like for like" across years, and the reviewed corrections of printed table errors.

**Like for like.** A council's complaints in two years are compared over the divisions that (a) sit
inside the council's printed headline Total and (b) are printed with a figure in *both* years.
Bromley's printed Total leaves Environment & Public Protection out (its recording is erratic:
13, 384, 211, 207, 485, 171, 205 complaints a year), so E&PP is outside every comparison; Planning &
Regeneration joined Bromley's complaints reporting in April 2020 (2019-20 report, lines 552 and
1033: "As of April 2020 CE&CS is overseeing corporate complaints for the Planning and Regeneration
services"), so it has no 2019-20 figure and drops out of any comparison with 2019-20. The root-cause,
SEN and COVID analyses all call :func:`like_for_like`, so the three pages mean the same thing.

**Corrections.** A figure a report prints wrongly stays in ``data/clean`` as printed (and flagged);
an analysis that needs the right number reads it from ``data/reference/analysis_corrections.csv``,
a reviewed file where each row names the printed cell (file line, table, division, category), the
printed and the used value, the evidence (other lines of the same report) and the reason. Pages say
when a corrected value is used.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

OUTSIDE_TOTAL = ("environment_public_protection",)  # outside Bromley's printed headline Total
CORRECTIONS_FILE = "analysis_corrections.csv"
CORRECTION_COLUMNS = ["council", "report_period", "table", "source_line", "division", "category", "measure",
                      "printed_value", "used_value", "evidence", "reason"]


@dataclass(frozen=True)
class LikeForLike:
    """The divisions compared between ``before`` and ``after``, and why each other one is left out."""
    before: str
    after: str
    kept: tuple[str, ...]
    excluded: dict[str, str] = field(default_factory=dict)  # division → reason in words

    def words(self) -> str:
        """'without Environment & Public Protection (outside the printed Total) and Planning & Regeneration (no figure for 2019-20)'."""
        from .. import present

        if not self.excluded:
            return ""
        parts = [f"{present.division(d)} ({why})" for d, why in self.excluded.items()]
        return "without " + (", ".join(parts[:-1]) + " and " + parts[-1] if len(parts) > 1 else parts[0])


def like_for_like(printed: Mapping[str, Iterable[str]], before: str, after: str,
                  outside_total: tuple[str, ...] = OUTSIDE_TOTAL) -> LikeForLike:
    """The like-for-like divisions of two years, from ``printed``: period → divisions printed with a figure.

    ``all`` (a printed total) is never a division to compare; a division outside the headline Total is
    left out; a division printed in only one of the two years is left out, with the year it lacks.
    """
    have_before, have_after = set(printed.get(before, ())), set(printed.get(after, ()))
    kept, excluded = [], {}
    for division in sorted((have_before | have_after) - {"all"}):
        if division in outside_total:
            excluded[division] = "outside the printed Total"
        elif division not in have_before:
            excluded[division] = f"no figure for {before}"
        elif division not in have_after:
            excluded[division] = f"no figure for {after}"
        else:
            kept.append(division)
    return LikeForLike(before, after, tuple(kept), excluded)


def divisions_printed(frame: pd.DataFrame, period_column: str = "period", division_column: str = "division",
                      value_column: str = "value") -> dict[str, set[str]]:
    """period → divisions with at least one non-missing figure in ``frame`` (long format)."""
    have = frame[frame[value_column].notna()]
    return {p: set(g[division_column]) for p, g in have.groupby(period_column)}


def read_reviewed(path: Path, columns: list[str]) -> pd.DataFrame:
    """A reviewed data file of ``data/reference`` as text (an empty frame if absent); a missing column is
    an error naming the file."""
    if not path.is_file():
        return pd.DataFrame(columns=columns)
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{path}: missing column(s) {', '.join(missing)}")
    return frame


def load_corrections(reference: Path) -> pd.DataFrame:
    """The reviewed corrections (``data/reference/analysis_corrections.csv``); an empty frame if absent."""
    frame = read_reviewed(reference / CORRECTIONS_FILE, CORRECTION_COLUMNS)
    for column in ("source_line", "printed_value", "used_value"):
        frame[column] = pd.to_numeric(frame[column])
    return frame


def apply_corrections(rows: pd.DataFrame, corrections: pd.DataFrame | None) -> pd.DataFrame:
    """``rows`` with each corrected cell's ``value`` replaced by the reviewed one; ``printed_value`` keeps
    what the report prints and ``correction`` the reason (empty where nothing was corrected).

    A correction applies only to the cell it names (council, report period, table, line, division,
    category, measure) and only while the report still prints the value it was written against: a
    changed report never silently inherits an old correction.
    """
    out = rows.copy()
    out["printed_value"] = out["value"]
    out["correction"] = ""
    if corrections is None or corrections.empty or out.empty:
        return out
    for c in corrections.itertuples(index=False):
        hit = ((out["council"] == c.council) & (out["report_period"] == c.report_period) & (out["table"] == c.table)
               & (out["source_line"] == c.source_line) & (out["division"] == c.division)
               & (out["category"] == c.category) & (out["measure"] == c.measure) & (out["value"] == c.printed_value))
        out.loc[hit, "value"] = float(c.used_value)
        out.loc[hit, "correction"] = c.reason
    return out


def corrected_cells(rows: pd.DataFrame) -> pd.DataFrame:
    """The rows :func:`apply_corrections` changed (for the page's note)."""
    if "correction" not in rows:
        return rows.iloc[0:0]
    return rows[rows["correction"] != ""]
