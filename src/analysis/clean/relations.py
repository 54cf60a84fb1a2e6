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
    Checked only when the division tables cover the same population (their base adds up to
    the rate table's printed base), otherwise nothing is said."""

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


@dataclass(frozen=True)
class SameFigure:
    """Two cells of one report that print the same figure under different labels (an
    at-a-glance line and a division table's total, …): a reviewable map, one line each."""

    a: Cell
    b: Cell
    why: str


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
    "same_figure_differs": "a figure the report prints twice under different labels (see relations.SameFigure declarations) is printed with two values",
    "stale_column": "a year's column repeats another year's printed values cell for cell (likely last year's figures left in)",
    "duplicate_row": "a row repeats another row of the same table cell for cell (likely a copy-paste slip)",
}
# Flag code → conflict kind (rows of data/clean/conflicts.csv).
CONFLICT_OF_RELATION = {
    "partition_mismatch": "partition_vs_total",
    "rate_disagrees_across_tables": "rate_vs_division_tables",
    "same_figure_differs": "same_figure_two_labels",
    "stale_column": "stale_column",
    "duplicate_row": "duplicate_row",
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
        if not part or part[spec.base] != base.value or not base.value:
            continue  # not the same population: nothing can be said
        derived = 100 * sum(part[m] for m in spec.numerator) / part[spec.base]
        if abs(derived - rate.value) > PERCENT_TOLERANCE:
            yield Finding(cells[spec.rate], "rate_disagrees_across_tables", round(derived, 1),
                          tuple(sorted(lines[_norm(rate.category)])),
                          f"{' + '.join(spec.numerator)} / {spec.base} over {', '.join(spec.part_tables)}")


def _matches(o: Observation, cell: Cell, report_period: str) -> bool:
    return (o.table == cell.table and o.measure == cell.measure and o.division == cell.division
            and o.period == (cell.period or report_period) and o.service == cell.service
            and o.category == cell.category and (not cell.stage or o.stage == cell.stage) and o.value is not None)


def _same_figures(observations: list[Observation], spec: SameFigure):
    if not observations:
        return
    period = observations[0].report_period
    a = [i for i, o in enumerate(observations) if _matches(o, spec.a, period)]
    b = [i for i, o in enumerate(observations) if _matches(o, spec.b, period)]
    for i in a:
        for j in b:
            if abs(observations[i].value - observations[j].value) > 1e-9:
                yield Finding(i, "same_figure_differs", observations[j].value, (observations[j].source_line,), spec.why)


def _stale_columns(observations: list[Observation]):
    """Within a table, two years' columns of one measure equal cell for cell (at least 3 rows,
    not all zero or equal): the later year is flagged, the earlier year is the other side."""
    cols: dict[tuple, dict[str, dict[int, int]]] = defaultdict(lambda: defaultdict(dict))
    for i, o in enumerate(observations):
        if o.group and o.value is not None and o.role in {"part", "total", "percent"}:
            cols[(o.group, o.measure, o.quarter, o.stage)][o.period][o.source_line] = i
    for periods in cols.values():
        ordered = sorted(periods)
        for before, after in zip(ordered, ordered[1:]):
            old, new = periods[before], periods[after]
            if set(old) != set(new) or len(new) < 3:
                continue
            values = [observations[new[line]].value for line in sorted(new)]
            if len(set(values)) < 3:
                continue
            if all(observations[old[line]].value == observations[new[line]].value for line in new):
                for line in sorted(new):
                    yield Finding(new[line], "stale_column", observations[old[line]].value, (line,),
                                  f"{after} column equals the {before} column")


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


_DECLARED = {Partition: _partitions, RateAcrossTables: _rates_across_tables, SameFigure: _same_figures}
_GENERIC = (_stale_columns, _duplicate_rows)


def check_relations(observations: list[Observation], relations: tuple = ()) -> list[Finding]:
    """Every failed relation of one report: the template's declarations, then the generic ones."""
    found: list[Finding] = []
    for spec in relations:
        found.extend(_DECLARED[type(spec)](observations, spec))
    for check in _GENERIC:
        found.extend(check(observations))
    return found
