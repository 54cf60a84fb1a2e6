"""Table relations, declared once per template: what a report's printed figures must satisfy.

A template module (``clean/extract/bromley.py``…) may end with ``RELATIONS``, a tuple of the
declarations below; the checks read them together with the internal ``group``/``role``/
``column`` fields the extractors set, so no table needs code of its own. Relations that hold
for every table (a column repeating last year's column, two identical rows) run on every
template without a declaration.

Every failure is a :class:`Finding`: the printed figure (kept as printed, flagged) and the
value the other printed figures give, with both sides' lines. ``quality`` turns findings into
flags; ``within_report_conflicts`` into rows of ``conflicts``.

Rounding tolerance, stated once (``COUNT_TOLERANCE``, ``PERCENT_TOLERANCE``): counts added
from printed counts must agree exactly; a count derived from a rounded % may be off by 1; a
percentage may be off by 1 point (reports print whole or 1-dp percentages).
"""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from importlib import import_module

from ..observations import Observation

COUNT_TOLERANCE = 1.0  # a count derived from a rounded percentage
PERCENT_TOLERANCE = 1.0  # percentage points


@dataclass(frozen=True)
class Partition:
    """On one printed row, the ``parts`` measures add up to the ``total`` measure
    (Bromley: fully + partially + not upheld + ongoing = aspects)."""

    tables: tuple[str, ...]
    total: str
    parts: tuple[str, ...]


@dataclass(frozen=True)
class RateAcrossTables:
    """A rate printed per category in ``rate_table`` against the rate the division tables give:
    ``sum(numerator measures) / sum(base)`` over ``part_tables`` rows of the same category.
    Where the division tables cover the same population (their base adds up to the rate table's
    printed base) the two rates must agree. Where they cover part of it (Bromley's causes table
    counts E&PP's aspects, which have no division table), the printed rate must lie between the
    bounds the parts allow — every uncovered aspect not upheld, or every one upheld — and a rate
    outside them is flagged too. A base smaller than the parts' says nothing."""

    rate_table: str
    rate: str  # measure of the printed rate
    base: str  # measure of the printed base, on the same row of rate_table
    part_tables: tuple[str, ...]
    numerator: tuple[str, ...]


@dataclass(frozen=True)
class Cell:
    """One printed figure, by table and key (blank fields match blank)."""

    table: str
    measure: str
    division: str = "all"
    period: str = ""  # "" = the report's own year
    service: str = ""
    category: str = ""
    stage: str = ""  # "" = any stage
    line: int = 0  # 0 = any line (a prose figure: its line)
    quarter: str = "*"
    # Any field may be "*" (any value); a period of "*" pairs cells year by year.


@dataclass(frozen=True)
class SameFigure:
    """Two cells of one report that print the same figure under different labels (an
    at-a-glance line and a division table's total, …): a reviewable map, one line each.
    ``b`` may be several cells whose sum is the figure (quarters adding up to the year)."""

    a: Cell
    b: Cell | tuple[Cell, ...]
    why: str


@dataclass(frozen=True)
class Share:
    """On one printed row, the ``percent`` cell is ``numerator`` over ``base`` (x 100). Cells are
    matched by their key (period, quarter, division, service, category, stage), not by line, so
    this holds for tables printed a cell per line (Lewisham) as for tab-separated ones."""

    tables: tuple[str, ...]
    percent: str
    numerator: tuple[str, ...]
    base: str


@dataclass(frozen=True)
class RateOf:
    """A printed rate cell is 100 x ``numerator`` / ``base``, each a cell of the same report (the
    same table or another); a ``period`` of ``"*"`` pairs the three cells year by year."""

    rate: Cell
    numerator: Cell
    base: Cell
    why: str


@dataclass(frozen=True)
class OverallRate:
    """The overall row (role ``total``) of ``table`` prints ``rate``; it must be the mean of the
    rows' printed rates weighted by ``weight`` (a count per row: ``weight_table``'s cell of the same
    period, division and service, at ``weight_stage`` if given). Rows printed outside the total
    (Bromley's E&PP) may be in or out: either scope passes. An overall equal to the plain
    (unweighted) mean of the rows is flagged as such."""

    table: str
    rate: str
    weight_table: str
    weight: str
    weight_stage: str = ""


@dataclass(frozen=True)
class Finding:
    """One failed relation: ``index`` is the printed figure flagged; ``derived`` what the other
    printed figures give (``lines``: where they are printed)."""

    index: int
    code: str
    derived: float | None
    lines: tuple[int, ...]
    detail: str = ""


# Flag codes this module sets (documented with the others in quality.FLAG_CODES).
RELATION_FLAGS = {
    "partition_mismatch": "the outcome columns of a row (fully + partially + not upheld + ongoing) do not add up to the row's total (aspects)",
    "rate_disagrees_across_tables": "a rate printed in a summary table differs by more than 1 point from the rate the report's own division tables give for the same category and population",
    "rate_outside_bounds_across_tables": "a rate printed in a summary table lies more than 1 point outside what the report's own division tables allow, whatever the outcome of the summary's aspects that no division table covers (derived: the division tables' own rate)",
    "same_figure_differs": "a figure the report prints twice under different labels (see relations.SameFigure declarations) is printed with two values",
    "stale_column": "a year's column repeats another year's printed values cell for cell (likely last year's figures left in)",
    "duplicate_row": "a row repeats another row of the same table cell for cell (likely a copy-paste slip)",
    "rate_disagrees_with_counts": "a printed rate differs by more than 1 point from the rate its counts give (numerator over base, from the same or another table of the report; see relations.RateOf declarations)",
    "overall_not_weighted_mean": "an overall rate differs by more than 1 point from the mean of its rows' rates weighted by each row's count (with or without the rows printed outside the total)",
    "overall_is_unweighted_mean": "an overall rate is the plain average of its rows' rates, not their weighted mean (rows of different sizes count the same)",
    "variance_disagrees": "a printed variance (difference between two years) differs from the difference between the two printed years",
}
# Flag code → conflict kind (rows of data/clean/conflicts.csv).
CONFLICT_OF_RELATION = {
    "partition_mismatch": "partition_vs_total",
    "rate_disagrees_across_tables": "rate_vs_division_tables",
    "rate_outside_bounds_across_tables": "rate_vs_division_tables",
    "same_figure_differs": "same_figure_two_labels",
    "stale_column": "stale_column",
    "duplicate_row": "duplicate_row",
    "rate_disagrees_with_counts": "pct_vs_counts",
    "overall_not_weighted_mean": "overall_vs_weighted_mean",
    "overall_is_unweighted_mean": "overall_vs_weighted_mean",
    "variance_disagrees": "variance_vs_years",
}


def relations_of(template: str) -> tuple:
    """The ``RELATIONS`` a template module declares (none if it declares none)."""
    from .extract import TEMPLATE_MODULES

    return tuple(getattr(import_module(TEMPLATE_MODULES[template]), "RELATIONS", ()))


def _norm(label: str) -> str:
    """A category label for matching across tables ('Billing / Charging' = 'Billing & Charging')."""
    words = re.sub(r"[^a-z ]", " ", label.lower()).split()
    return " ".join(words[:2])


def _partitions(observations: list[Observation], spec: Partition):
    rows: dict[tuple, dict[str, int]] = defaultdict(dict)
    for i, o in enumerate(observations):
        if o.table in spec.tables and o.unit == "count" and o.value is not None and o.group:
            rows[(o.group, o.source_line, o.period, o.quarter)][o.measure] = i
    for cells in rows.values():
        if spec.total not in cells or not all(p in cells for p in spec.parts):
            continue
        total = observations[cells[spec.total]]
        summed = sum(observations[cells[p]].value for p in spec.parts)
        if summed != total.value:
            yield Finding(cells[spec.total], "partition_mismatch", summed, (total.source_line,),
                          " + ".join(spec.parts) + f" = {summed:g}, {spec.total} printed {total.value:g}")


def _rates_across_tables(observations: list[Observation], spec: RateAcrossTables):
    sums: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    lines: dict[str, set[int]] = defaultdict(set)
    for o in observations:
        if o.table in spec.part_tables and o.category and o.value is not None and o.unit == "count":
            key = _norm(o.category)
            if o.measure in (spec.base, *spec.numerator):
                sums[key][o.measure] += o.value
                lines[key].add(o.source_line)
    rows: dict[int, dict[str, int]] = defaultdict(dict)
    for i, o in enumerate(observations):
        if o.table == spec.rate_table and o.division == "all" and o.value is not None:
            rows[o.source_line][o.measure] = i
    for cells in rows.values():
        if spec.rate not in cells or spec.base not in cells:
            continue
        rate, base = observations[cells[spec.rate]], observations[cells[spec.base]]
        part = sums.get(_norm(rate.category))
        if not part or not part[spec.base] or not base.value or part[spec.base] > base.value:
            continue  # no parts, or parts larger than the printed base: nothing can be said
        numerator = sum(part[m] for m in spec.numerator)
        derived = 100 * numerator / part[spec.base]
        where = f"{' + '.join(spec.numerator)} / {spec.base} over {', '.join(spec.part_tables)}"
        if part[spec.base] == base.value:
            if abs(derived - rate.value) > PERCENT_TOLERANCE:
                yield Finding(cells[spec.rate], "rate_disagrees_across_tables", round(derived, 1),
                              tuple(sorted(lines[_norm(rate.category)])), where)
            continue
        uncovered = base.value - part[spec.base]
        low, high = 100 * numerator / base.value, 100 * (numerator + uncovered) / base.value
        if rate.value < low - PERCENT_TOLERANCE or rate.value > high + PERCENT_TOLERANCE:
            yield Finding(cells[spec.rate], "rate_outside_bounds_across_tables", round(derived, 1),
                          tuple(sorted(lines[_norm(rate.category)])),
                          f"{where} covers {part[spec.base]:g} of the {base.value:g} printed; whatever the other "
                          f"{uncovered:g} were, the rate is {low:.1f}% to {high:.1f}%")


def _field(wanted: str, value: str) -> bool:
    return wanted == "*" or wanted == value


def _matches(o: Observation, cell: Cell, report_period: str) -> bool:
    return (o.table == cell.table and o.measure == cell.measure and _field(cell.division, o.division)
            and _field(cell.period or report_period, o.period) and _field(cell.service, o.service)
            and _field(cell.category, o.category) and _field(cell.stage or "*", o.stage)
            and _field(cell.quarter, o.quarter) and (not cell.line or o.source_line == cell.line) and o.value is not None)


_TABLES: list = [None, {}]  # the last list indexed by table (declarations name their table: scan only it)


def _in_table(observations: list[Observation], table: str) -> list[int]:
    if _TABLES[0] is not observations:
        index: dict[str, list[int]] = defaultdict(list)
        for i, o in enumerate(observations):
            index[o.table].append(i)
        _TABLES[:] = [observations, index]
    return _TABLES[1].get(table, [])


def _cells_by_period(observations: list[Observation], cell: Cell) -> dict[str, list[int]]:
    """The cells a declaration names, by period (one period unless the cell's period is "*")."""
    period = observations[0].report_period
    found: dict[str, list[int]] = defaultdict(list)
    for i in _in_table(observations, cell.table):
        o = observations[i]
        if _matches(o, cell, period):
            found[o.period].append(i)
    return found


def _same_figures(observations: list[Observation], spec: SameFigure):
    if not observations:
        return
    parts = spec.b if isinstance(spec.b, tuple) else (spec.b,)
    a = _cells_by_period(observations, spec.a)
    bs = [_cells_by_period(observations, cell) for cell in parts]
    for period, cells in a.items():
        if not all(len(b.get(period, ())) == 1 for b in bs):
            continue  # a part not printed (or not one cell): nothing can be said
        others = [observations[b[period][0]] for b in bs]
        summed = sum(o.value for o in others)
        for i in cells:
            if abs(observations[i].value - summed) > 1e-9:
                yield Finding(i, "same_figure_differs", summed, tuple(o.source_line for o in others), spec.why)


def _shares(observations: list[Observation], spec: Share):
    rows: dict[tuple, dict[str, int]] = defaultdict(dict)
    for i, o in enumerate(observations):
        if o.table in spec.tables and o.value is not None and o.measure in (spec.percent, spec.base, *spec.numerator):
            rows[(o.group, o.period, o.quarter, o.division, o.service, o.category, o.stage)][o.measure] = i
    for cells in rows.values():
        if not all(m in cells for m in (spec.percent, spec.base, *spec.numerator)):
            continue
        base = observations[cells[spec.base]].value
        if not base:
            continue
        share = 100 * sum(observations[cells[m]].value for m in spec.numerator) / base
        printed = observations[cells[spec.percent]]
        if abs(share - printed.value) > PERCENT_TOLERANCE:
            yield Finding(cells[spec.percent], "pct_disagrees_with_counts", round(share, 1),
                          tuple(sorted({observations[cells[m]].source_line for m in (spec.base, *spec.numerator)})),
                          f"{' + '.join(spec.numerator)} / {spec.base}")


def _rates_of(observations: list[Observation], spec: RateOf):
    if not observations:
        return
    rates, numerators, bases = (_cells_by_period(observations, c) for c in (spec.rate, spec.numerator, spec.base))
    for period, cells in rates.items():
        if len(numerators.get(period, ())) != 1 or len(bases.get(period, ())) != 1:
            continue
        numerator, base = observations[numerators[period][0]], observations[bases[period][0]]
        if not base.value:
            continue
        rate = 100 * numerator.value / base.value
        for i in cells:
            if abs(rate - observations[i].value) > PERCENT_TOLERANCE:
                yield Finding(i, "rate_disagrees_with_counts", round(rate, 1),
                              tuple(sorted({numerator.source_line, base.source_line})), spec.why)


def _overall_rates(observations: list[Observation], spec: OverallRate):
    weights: dict[tuple, list[int]] = defaultdict(list)
    for i, o in enumerate(observations):
        if (o.table == spec.weight_table and o.measure == spec.weight and o.value is not None and o.role != "total"
                and (not spec.weight_stage or o.stage == spec.weight_stage)):
            weights[(o.period, o.division, o.service)].append(i)
    rows: dict[tuple, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    for i, o in enumerate(observations):
        if o.table == spec.table and o.measure == spec.rate and o.value is not None:
            rows[(o.group, o.period, o.quarter)][o.role].append(i)
    for cells in rows.values():
        if len(cells.get("total", ())) != 1 or len(cells.get("part", ())) < 2:
            continue
        overall = observations[cells["total"][0]]

        def weighted(indices):
            pairs = []
            for i in indices:
                o = observations[i]
                w = {observations[j].value for j in weights.get((o.period, o.division, o.service), ())}
                if len(w) != 1:
                    return None, ()
                pairs.append((o.value, w.pop(), weights[(o.period, o.division, o.service)][0]))
            total = sum(w for _, w, _ in pairs)
            return (sum(r * w for r, w, _ in pairs) / total if total else None), tuple(observations[j].source_line for *_, j in pairs)

        inner, weight_lines = weighted(cells["part"])
        if inner is None:
            continue  # a row without its count: nothing can be said
        wider, _ = weighted(cells["part"] + cells.get("outside", [])) if cells.get("outside") else (None, ())
        if any(v is not None and abs(v - overall.value) <= PERCENT_TOLERANCE for v in (inner, wider)):
            continue
        plain = sum(observations[i].value for i in cells["part"]) / len(cells["part"])
        code = "overall_is_unweighted_mean" if abs(plain - overall.value) <= PERCENT_TOLERANCE else "overall_not_weighted_mean"
        lines = {observations[i].source_line for i in cells["part"]} | set(weight_lines)
        yield Finding(cells["total"][0], code, round(inner, 1), tuple(sorted(lines)),
                      f"{spec.rate} of the rows weighted by {spec.weight} ({spec.weight_table}): {inner:.1f}"
                      + (f", with the rows outside the total {wider:.1f}" if wider is not None else "")
                      + f"; unweighted mean {plain:.1f}")


def _stale_columns(observations: list[Observation]):
    """Within a table, two years' columns of one measure equal cell for cell (at least 3 rows,
    not all zero or equal): the later year is flagged, the earlier year is the other side."""
    cols: dict[tuple, dict[str, dict[int, int]]] = defaultdict(lambda: defaultdict(dict))
    for i, o in enumerate(observations):
        if o.group and o.value is not None and o.role in {"part", "total", "percent"}:
            cols[(o.group, o.measure, o.quarter, o.stage)][o.period][o.source_line] = i
    for before, after, old, new in _consecutive_periods(cols):
        values = [observations[new[line]].value for line in sorted(new)]
        if len(set(values)) < 3:
            continue
        if all(observations[old[line]].value == observations[new[line]].value for line in new):
            for line in sorted(new):
                yield Finding(new[line], "stale_column", observations[old[line]].value, (line,),
                              f"{after} column equals the {before} column")
    # Years printed as rows (Harrow's "2019/20 | 99 (76%) | 23 (18%) …"): one year's row of a
    # measure repeats the previous year's row cell for cell, on another line.
    rows: dict[tuple, dict[str, dict[tuple, int]]] = defaultdict(lambda: defaultdict(dict))
    for i, o in enumerate(observations):
        if o.group and o.value is not None and o.role in {"part", "total", "percent"}:
            rows[(o.group, o.measure, o.quarter)][o.period][(o.division, o.service, o.category, o.stage)] = i
    for before, after, old, new in _consecutive_periods(rows):
        if {observations[i].source_line for i in new.values()} & {observations[i].source_line for i in old.values()}:
            continue  # the same line: the column check above
        if len({observations[i].value for i in new.values()}) < 3:
            continue
        if all(observations[old[k]].value == observations[new[k]].value for k in new):
            for k in sorted(new):
                yield Finding(new[k], "stale_column", observations[old[k]].value, (observations[old[k]].source_line,),
                              f"the {after} row repeats the {before} row (line {observations[old[k]].source_line})")


def _consecutive_periods(groups: dict):
    """(before, after, its cells, the next period's cells) for each pair of consecutive periods of a
    group whose cells cover the same keys, at least 3 of them: the candidates for a repeated year."""
    for periods in groups.values():
        ordered = sorted(periods)
        for before, after in zip(ordered, ordered[1:]):
            old, new = periods[before], periods[after]
            if set(old) == set(new) and len(new) >= 3:
                yield before, after, old, new


def _variances(observations: list[Observation]):
    """A ``<measure>_variance`` cell against the difference between the two years it compares
    (printed unsigned, so the absolute difference; points for a percentage)."""
    cells: dict[tuple, dict[str, int]] = defaultdict(dict)
    for i, o in enumerate(observations):
        if o.group and o.value is not None:
            cells[(o.group, o.division, o.service, o.category, o.stage, o.quarter, o.measure.removesuffix("_variance"))][
                f"{o.period}{'~' if o.measure.endswith('_variance') else ''}"] = i
    for by_period in cells.values():
        for key, i in by_period.items():
            if not key.endswith("~"):
                continue
            period = key[:-1]
            start = int(period[:4]) - 1
            now, before = by_period.get(period), by_period.get(f"{start}-{(start + 1) % 100:02d}")
            if now is None or before is None:
                continue
            difference = abs(observations[now].value - observations[before].value)
            if abs(difference - observations[i].value) > (PERCENT_TOLERANCE if observations[i].unit == "percent" else 1e-9):
                yield Finding(i, "variance_disagrees", round(difference, 1),
                              (observations[before].source_line, observations[now].source_line),
                              f"{period} minus the previous year")


def _duplicate_rows(observations: list[Observation]):
    """Two rows of a table with different labels and the same cells (at least 4 cells, at least
    3 distinct non-zero values): the later row is flagged."""
    rows: dict[str, dict[int, dict[tuple, int]]] = defaultdict(lambda: defaultdict(dict))
    for i, o in enumerate(observations):
        if o.group and o.value is not None and o.role in {"part", "outside"}:  # a total equal to its one non-zero part is no slip
            rows[o.group][o.source_line][(o.measure, o.period, o.quarter, o.column)] = i
    for lines in rows.values():
        seen: dict[tuple, int] = {}
        for line in sorted(lines):
            cells = lines[line]
            signature = tuple(sorted((k, observations[i].value) for k, i in cells.items()))
            distinct = {observations[i].value for i in cells.values()} - {0.0}
            if len(cells) < 4 or len(distinct) < 3:
                continue
            if signature in seen:
                first = observations[next(iter(lines[seen[signature]].values()))]
                label = lambda o: (o.service, o.category, o.division)  # noqa: E731
                if label(first) != label(observations[next(iter(cells.values()))]):
                    for i in cells.values():
                        yield Finding(i, "duplicate_row", observations[i].value, (seen[signature],),
                                      f"line {line} repeats line {seen[signature]}")
            else:
                seen[signature] = line


_DECLARED = {Partition: _partitions, RateAcrossTables: _rates_across_tables, SameFigure: _same_figures,
             Share: _shares, RateOf: _rates_of, OverallRate: _overall_rates}
_GENERIC = (_stale_columns, _duplicate_rows, _variances)


def check_relations(observations: list[Observation], relations: tuple = ()) -> list[Finding]:
    """Every failed relation of one report: the template's declarations, then the generic ones."""
    found: list[Finding] = []
    try:
        for spec in relations:
            found.extend(_DECLARED[type(spec)](observations, spec))
        for check in _GENERIC:
            found.extend(check(observations))
    finally:
        _TABLES[:] = [None, {}]  # hold no report's figures between calls
    return found
