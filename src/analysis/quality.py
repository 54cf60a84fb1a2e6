"""Computed quality flags: what the reports print wrongly is kept, and said.

Each check reads the internal ``role``/``group``/``column``/``row_line`` fields the
extractors set (so it knows which printed cells are parts and which their total) and adds
a flag code to the offending observation(s). Nothing is changed or dropped. The codes are
documented in ``FLAG_CODES`` (and so in the data dictionary).
"""
from __future__ import annotations

from collections import defaultdict

from .observations import Observation

FLAG_CODES = {
    "total_mismatch": "a printed total differs from the sum of the parts printed in the same table",
    "pct_disagrees_with_counts": "a printed percentage differs by more than rounding from the one its counts give",
    "pct_change_disagrees": "a printed % change differs by more than rounding from the change between the printed years",
    "impossible_value": "a value that cannot be right (a share over 100%, a negative count)",
    "conflicting_sources": "another source (another report, or another table of this one) prints this figure differently; see data/clean/conflicts.csv",
    "ocr_digit_repaired": "the printed token had a letter for a digit (OCR slip, e.g. 'o' for 0); value read with the digit",
}
# Percent measures that are a share of something, so cannot exceed 100.
_CHANGE_MEASURES = {"pct_change"}
PERCENT_TOLERANCE = 1.0  # percentages are printed rounded to whole numbers (or 1 dp)
MONEY_TOLERANCE = 0.011


def apply_quality_checks(observations: list[Observation]) -> list[Observation]:
    """Return the observations with every computed flag added (same order, same count)."""
    flags: dict[int, set[str]] = defaultdict(set)
    for check in (_impossible_values, _totals_vs_parts, _percent_rows_vs_counts, _percent_change_vs_years):
        for index, code in check(observations):
            flags[index].add(code)
    out = list(observations)
    for index, codes in flags.items():
        for code in sorted(codes):
            out[index] = out[index].flagged(code)
    return out


def _impossible_values(observations):
    for i, o in enumerate(observations):
        if o.value is None:
            continue
        if o.unit == "percent" and o.measure not in _CHANGE_MEASURES and not 0 <= o.value <= 100:
            yield i, "impossible_value"
        elif o.unit == "count" and o.value < 0:
            yield i, "impossible_value"


def _close(a: float, b: float, unit: str) -> bool:
    return abs(a - b) <= (MONEY_TOLERANCE if unit == "gbp" else 1e-9)


def _by_group(observations):
    groups: dict[str, list[int]] = defaultdict(list)
    for i, o in enumerate(observations):
        if o.group and o.value is not None:
            groups[o.group].append(i)
    return groups


def _totals_vs_parts(observations):
    """Total rows against the sum of part rows, column by column (counts and money only)."""
    for indices in _by_group(observations).values():
        by_column: dict[int, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
        for i in indices:
            o = observations[i]
            if o.unit in {"count", "gbp"} and o.column >= 0 and o.role in {"part", "total"}:
                by_column[o.column][o.role].append(i)
        for cells in by_column.values():
            parts, totals = cells.get("part", []), cells.get("total", [])
            if len(parts) < 2:
                continue
            for t in totals:
                total = observations[t]
                same = [p for p in parts if observations[p].period == total.period and observations[p].quarter == total.quarter]
                if len(same) < 2:
                    continue
                summed = sum(observations[p].value for p in same)
                if not _close(summed, total.value, total.unit):
                    yield t, "total_mismatch"


def _percent_rows_vs_counts(observations):
    """A ``%`` row under a counted row: its cell is the count's share of the column total, or of
    the row's first count (Bromley prints both kinds in one table); flag when it is neither."""
    for indices in _by_group(observations).values():
        counts: dict[tuple[int, int], float] = {}
        totals: dict[int, float] = {}
        first_count: dict[int, float] = {}
        for i in indices:
            o = observations[i]
            if o.unit == "count" and o.role in {"part", "total", "outside"} and o.column >= 0:
                counts[(o.source_line, o.column)] = o.value
                if o.role == "total":
                    totals.setdefault(o.column, o.value)
                first_count.setdefault(o.source_line, o.value)
        for i in indices:
            o = observations[i]
            if o.role != "percent" or o.column < 0:
                continue
            count = counts.get((o.row_line, o.column))
            if count is None:
                continue
            candidates = []
            if totals.get(o.column):
                candidates.append(100 * count / totals[o.column])
            if first_count.get(o.row_line):
                candidates.append(100 * count / first_count[o.row_line])
            if count == 0:
                candidates.append(0.0)
            if candidates and all(abs(c - o.value) > PERCENT_TOLERANCE for c in candidates):
                yield i, "pct_disagrees_with_counts"


def _percent_change_vs_years(observations):
    """``% change`` against the row's own report-year and previous-year values (relative change,
    or a point difference for rows that are themselves percentages)."""
    for indices in _by_group(observations).values():
        by_row: dict[int, list[int]] = defaultdict(list)
        for i in indices:
            by_row[observations[i].source_line].append(i)
        for row in by_row.values():
            changes = [i for i in row if observations[i].measure == "pct_change"]
            values = {(observations[i].period): observations[i] for i in row if observations[i].measure != "pct_change"}
            for i in changes:
                change = observations[i]
                now = values.get(change.period)
                start = int(change.period[:4]) - 1
                before = values.get(f"{start}-{(start + 1) % 100:02d}")
                if now is None or before is None:
                    continue
                candidates = [now.value - before.value] if now.unit == "percent" else []
                if before.value:
                    candidates.append(100 * (now.value - before.value) / before.value)
                if candidates and all(abs(c - change.value) > PERCENT_TOLERANCE for c in candidates):
                    yield i, "pct_change_disagrees"
