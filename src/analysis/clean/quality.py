"""Computed quality flags: what the reports print wrongly is kept, and said.

Each check reads the internal ``role``/``group``/``column``/``row_line`` fields the
extractors set (so it knows which printed cells are parts and which their total) and adds
a flag code to the offending observation(s). Nothing is changed or dropped. The codes are
documented in ``FLAG_CODES`` (and so in the data dictionary).
"""
from __future__ import annotations

from collections import defaultdict

from ..observations import Observation
from .relations import CONFLICT_OF_RELATION, RELATION_FLAGS, check_relations

FLAG_CODES = {
    "wider_scope_total": "informational, not an error: a council-wide total over a wider scope than the report's headline total (Bromley: a Total column that includes E&PP, which the headline totals leave out); the reconciled view prefers the headline figure (rule headline_scope)",
    "total_mismatch": "a printed total differs from the sum of the parts printed in the same table",
    "pct_disagrees_with_counts": "a printed percentage differs by more than rounding from the one its counts give",
    "pct_change_disagrees": "a printed % change differs by more than rounding from the change between the printed years",
    "impossible_value": "a value that cannot be right (a share over 100%, a negative count)",
    "conflicting_sources": "another source (another report, or another table of this one) prints this figure differently; see data/clean/conflicts.csv",
    "ocr_digit_repaired": "the printed token had a letter for a digit (OCR slip, e.g. 'o' for 0); value read with the digit",
    "unreadable_cell": "the cell holds something number-like that cannot be read as one figure (e.g. '£0.00 £0.00', '£4,550.00-24%'); value left empty",
    "misaligned_row": "the row's cells do not line up with the table's header (a cell too many or missing), so its figures may have shifted; value left empty",
    "flattened_unrecovered": "a figure of a table the PDF conversion flattened (Bromley 2023-24 ASC services) that cannot be placed unambiguously; value left empty",
    **RELATION_FLAGS,
    "prose_disagrees": "the report's narrative and its tables disagree about this figure beyond rounding: set on both sides of a wrong claim, the prose figure and the table figures the claim is checked against (the cells its computed value comes from); see data/clean/claims.csv (verdict wrong, computed_source)",
}
# How much a flag says about the figure: "note" — read as printed, the figure stands (a wider scope, a
# repaired OCR digit); "error" — the figure, or another printing of it, is wrong or could not be read.
# Every code not named here (computed checks, relations) is an error.
NOTE_FLAGS = frozenset({"wider_scope_total", "ocr_digit_repaired", "overall_is_unweighted_mean",
                        "division_approximate", "label_stray_digit_removed", "ocr_spacing_repaired", "unsigned_change"})


def flag_severity(code: str) -> str:
    """``note`` or ``error`` (see ``NOTE_FLAGS``)."""
    return "note" if code in NOTE_FLAGS else "error"


def has_error_flag(quality_flag: str) -> bool:
    """True when a ``;``-joined ``quality_flag`` holds a code of severity error."""
    return any(code and flag_severity(code) == "error" for code in quality_flag.split(";"))


# Percent measures that are a share of something, so cannot exceed 100.
_CHANGE_MEASURES = {"pct_change"}


def _is_change(measure: str) -> bool:
    """``pct_change``, or ``pct_change_<measure>`` (a % change printed beside a row of another measure)."""
    return measure in _CHANGE_MEASURES or measure.startswith("pct_change_")
PERCENT_TOLERANCE = 1.0  # percentages are printed rounded to whole numbers (or 1 dp)
MONEY_TOLERANCE = 0.011


def apply_quality_checks(observations: list[Observation], relations: tuple = ()) -> list[Observation]:
    """Return the observations with every computed flag added (same order, same count);
    ``relations``: the template's declared table relations (analysis.clean.relations)."""
    flags: dict[int, set[str]] = defaultdict(set)
    checked, related = _findings(observations, relations)
    for index, code, *_ in checked:
        flags[index].add(code)
    for finding in related:
        flags[finding.index].add(finding.code)
    out = list(observations)
    for index, codes in flags.items():
        for code in sorted(codes):
            out[index] = out[index].flagged(code)
    return out


_LAST: list = [None, None]  # (fingerprint, findings) of the last report checked


def _fingerprint(observations: list[Observation], relations: tuple) -> tuple:
    """What the checks read (not the flags they set), so the conflicts step reuses the flagging
    step's findings for the same report instead of running every check twice."""
    return (relations, tuple((o.table, o.source_line, o.period, o.quarter, o.division, o.service, o.category, o.stage,
                              o.measure, o.value, o.unit, o.role, o.group, o.column, o.row_line) for o in observations))


def _findings(observations: list[Observation], relations: tuple) -> tuple[list, list]:
    """(the CHECKS' findings, the relations' findings) of one report, computed once."""
    key = _fingerprint(observations, relations)
    if _LAST[0] != key:
        _LAST[:] = [key, ([f for check in CHECKS for f in check(observations)], check_relations(observations, relations))]
    return _LAST[1]


def _impossible_values(observations):
    for i, o in enumerate(observations):
        if o.value is None:
            continue
        if o.unit == "percent" and not _is_change(o.measure) and not 0 <= o.value <= 100:
            yield i, "impossible_value", None, ()
        elif o.unit == "count" and o.value < 0:
            yield i, "impossible_value", None, ()


def _close(a: float, b: float, unit: str) -> bool:
    return abs(a - b) <= (MONEY_TOLERANCE if unit == "gbp" else 1e-9)


def _by_group(observations, *, complete: bool = False):
    """Indices of each printed table's valued cells; with ``complete``, only tables where no
    cell was left without a value (unreadable, misaligned): a total cannot be checked
    against parts one of which is unknown."""
    groups: dict[str, list[int]] = defaultdict(list)
    incomplete = set()
    for i, o in enumerate(observations):
        if o.group and o.value is not None:
            groups[o.group].append(i)
        elif o.group:
            incomplete.add(o.group)
    return {g: v for g, v in groups.items() if not (complete and g in incomplete)}


def _totals_vs_parts(observations, along: str = "column"):
    """Total rows against the sum of part rows, column by column (counts and money only).

    With ``along="source_line"``: a total column (``Total``, ``TOTALS``) against the sum of the
    part cells printed on the same line (a cell of another period, e.g. last year's total, is
    not a part)."""
    for indices in _by_group(observations, complete=True).values():
        lines: dict[int, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
        for i in indices:
            o = observations[i]
            if o.unit in {"count", "gbp"} and o.column >= 0 and o.role in {"part", "total"}:
                lines[getattr(o, along)][o.role].append(i)
        for cells in lines.values():
            parts, totals = cells.get("part", []), cells.get("total", [])
            for t in totals:
                total = observations[t]
                same = [p for p in parts if observations[p].period == total.period
                        and observations[p].quarter == total.quarter and observations[p].unit == total.unit]
                if len(same) < 2:
                    continue
                summed = sum(observations[p].value for p in same)
                if not _close(summed, total.value, total.unit):
                    yield t, "total_mismatch", summed, tuple(observations[p].source_line for p in same)


def _row_totals_vs_parts(observations):
    return _totals_vs_parts(observations, along="source_line")


def _percent_rows_vs_counts(observations):
    """A ``%`` row under a counted row: its cell is the count's share of the column total, or of
    a count printed before it in the row (Bromley prints both kinds in one table: mentions and
    aspects as shares of the column, outcomes as shares of the row's aspects); flag when it is neither."""
    for indices in _by_group(observations).values():
        counts: dict[tuple[int, int], float] = {}
        totals: dict[int, float] = {}
        row_counts: dict[int, list[tuple[int, float]]] = defaultdict(list)
        for i in indices:
            o = observations[i]
            if o.unit == "count" and o.role in {"part", "total", "outside"} and o.column >= 0:
                counts[(o.source_line, o.column)] = o.value
                if o.role == "total":
                    totals.setdefault(o.column, o.value)
                row_counts[o.source_line].append((o.column, o.value))
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
            candidates += [100 * count / base for column, base in row_counts.get(o.row_line, [])
                           if column < o.column and base]
            if count == 0:
                candidates.append(0.0)
            if candidates and all(abs(c - o.value) > PERCENT_TOLERANCE for c in candidates):
                yield i, "pct_disagrees_with_counts", round(candidates[0], 1), (o.row_line,)


def _percent_change_vs_years(observations):
    """``% change`` against the row's own report-year and previous-year values (relative change,
    or a point difference for rows that are themselves percentages)."""
    for indices in _by_group(observations).values():
        by_row: dict[int, list[int]] = defaultdict(list)
        for i in indices:
            by_row[observations[i].source_line].append(i)
        for row in by_row.values():
            changes = [i for i in row if _is_change(observations[i].measure)]
            values = {(observations[i].period): observations[i] for i in row if not _is_change(observations[i].measure)}
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
                    yield i, "pct_change_disagrees", round(candidates[-1], 1), (before.source_line, now.source_line)


CHECKS = (_impossible_values, _totals_vs_parts, _row_totals_vs_parts, _percent_rows_vs_counts, _percent_change_vs_years)
# A check's finding that compares two sources of one report: flag code → conflict kind.
CONFLICT_OF_FLAG = {
    "total_mismatch": "total_vs_parts",
    "pct_disagrees_with_counts": "pct_vs_counts",
    "pct_change_disagrees": "pct_change_vs_years",
    **CONFLICT_OF_RELATION,
}


def within_report_conflicts(observations: list[Observation], relations: tuple = ()) -> list[dict]:
    """The checks' findings that set a printed figure against what other printed figures of the
    same report give (a total against the sum of its parts, a % against its counts, a % change
    against its years), as conflict records: the printed figure is ``chosen`` (a printed figure
    wins over a derived one), the derived value is ``other`` with the lines it is derived from."""
    found: dict[tuple[int, str], tuple[float | None, str]] = {}
    checked, related = _findings(observations, relations)
    for index, code, derived, lines in checked:
        if code in CONFLICT_OF_FLAG:
            found[(index, code)] = (derived, ",".join(str(n) for n in sorted(set(lines))))
    for finding in related:
        found[(finding.index, finding.code)] = (finding.derived, ",".join(str(n) for n in sorted(set(finding.lines))))
    # A flag an extractor set itself (e.g. Harrow's shares of a row total): the derived value
    # and its lines are not known here, so the other side is the report alone.
    for index, o in enumerate(observations):
        for code in set(o.quality_flag.split(";")) & set(CONFLICT_OF_FLAG):
            found.setdefault((index, code), (None, ""))
    records = []
    for (index, code), (derived, lines) in sorted(found.items()):
        o = observations[index]
        records.append({
            "council": o.council, "period": o.period, "quarter": o.quarter, "division": o.division,
            "service": o.service, "category": o.category, "stage": o.stage, "measure": o.measure,
            "kind": CONFLICT_OF_FLAG[code], "chosen_value": o.value, "chosen_source": f"{o.source_file}:{o.source_line}",
            "other_value": None if derived is None else float(derived),
            "other_source": f"{o.source_file}:{lines}" if lines else o.source_file,
            "rule": "printed_over_derived",
        })
    return records
