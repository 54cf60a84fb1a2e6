"""The report checker (clean/relations.py) on generated reports (Hypothesis), not only the five seed reports.

A generated report prints one outcomes table (parts, a total, a % per row), a causes table
(a rate and its base per category), an at-a-glance table (the total again, and a rate of it),
a rates table (a rate per row and an overall rate) and a two-year trend table with a variance
column, all consistent up to printed rounding. Properties:

- consistent: no relation fails;
- one figure changed beyond the stated tolerance: exactly one finding, of the right code, on that cell;
- one percentage changed within the tolerance (up to 1 point, counts none): no finding.

Then small hand-made tables for the guards and thresholds the generator does not reach
(tolerance boundaries, ambiguous cells, keys, thresholds of the generic checks). Fast on purpose:
synthetic Observation lists, no report is read. Covering set of ``make mutate`` for relations.py.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from analysis.clean.relations import (
    Cell,
    OverallRate,
    Partition,
    RateAcrossTables,
    RateOf,
    SameFigure,
    Share,
    check_relations,
)
from analysis.observations import Observation

PROPERTY = settings(max_examples=60, deadline=None, derandomize=True, database=None)
FILE = "data/raw/testshire_2019-20_annual-complaints-report.txt"
PERIOD, BEFORE = "2019-20", "2018-19"
NAMES = ["Delay", "Conduct", "Information", "Policy", "Quality", "Charging", "Access", "Communication"]
PARTS = ("upheld", "partly", "not_upheld")

RELATIONS = (
    Partition(tables=("outcomes",), total="aspects", parts=PARTS),
    Share(tables=("outcomes",), percent="pct_upheld", numerator=("upheld",), base="aspects"),
    RateAcrossTables(rate_table="causes", rate="pct_upheld", base="aspects", part_tables=("outcomes",),
                     numerator=("upheld",)),
    SameFigure(a=Cell("glance", "aspects"), b=Cell("outcomes", "aspects", category="All"),
               why="the at-a-glance aspects are the outcomes table's total"),
    RateOf(rate=Cell("glance", "pct_upheld"), numerator=Cell("outcomes", "upheld", category="All"),
           base=Cell("outcomes", "aspects", category="All"), why="upheld share of all aspects"),
    OverallRate(table="rates", rate="pct_upheld", weight_table="outcomes", weight="aspects"),
)


def obs(measure, value, line, table, *, unit="count", period=PERIOD, role="part", group=None, category="",
        service="", division="all", stage="all", quarter="", column=-1) -> Observation:
    return Observation(council="testshire", period=period, report_period=PERIOD, division=division, stage=stage,
                       measure=measure, value=value, unit=unit, source_file=FILE, source_line=line, table=table,
                       quarter=quarter, service=service, category=category, role=role,
                       group=table if group is None else group, column=column)


@dataclass
class Report:
    observations: list[Observation] = field(default_factory=list)
    cells: dict[str, int] = field(default_factory=dict)  # name → index, for planting

    def add(self, name, *args, **kwargs) -> None:
        self.cells[name] = len(self.observations)
        self.observations.append(obs(*args, **kwargs))


@st.composite
def reports(draw) -> Report:
    k = draw(st.integers(3, 6))
    names = draw(st.permutations(NAMES))[:k]
    rows = [draw(st.tuples(*(st.integers(0, 300) for _ in PARTS)).filter(lambda t: sum(t) > 0)) for _ in names]
    assume(len({r[0] for r in rows}) == k)  # no two rows alike (a duplicated row is the duplicate check's case)
    report, line = Report(), 10
    for name, parts in zip(names, rows):
        for m, v in zip(PARTS, parts):
            report.add(f"{m}:{name}", m, float(v), line, "outcomes", category=name, service=name)
        report.add(f"aspects:{name}", "aspects", float(sum(parts)), line, "outcomes", category=name, service=name)
        report.add(f"pct:{name}", "pct_upheld", round(100 * parts[0] / sum(parts), 1), line, "outcomes",
                   unit="percent", role="percent", category=name, service=name)
        line += 1
    totals = [sum(col) for col in zip(*rows)]
    aspects = sum(totals)
    for m, v in zip(PARTS, totals):
        report.add(f"{m}:All", m, float(v), line, "outcomes", role="total", category="All")
    report.add("aspects:All", "aspects", float(aspects), line, "outcomes", role="total", category="All")
    line += 5
    for name, parts in zip(names, rows):  # the causes table: a rate and its base per category
        report.add(f"cause_rate:{name}", "pct_upheld", round(100 * parts[0] / sum(parts), 1), line, "causes",
                   unit="percent", category=name, group="causes")
        report.add(f"cause_base:{name}", "aspects", float(sum(parts)), line, "causes", category=name, group="causes")
        line += 1
    line += 5
    report.add("glance_aspects", "aspects", float(aspects), line, "glance", group="")
    report.add("glance_rate", "pct_upheld", round(100 * totals[0] / aspects, 1), line + 1, "glance", unit="percent",
               group="")
    line += 5
    for name, parts in zip(names, rows):  # the rates table: each row's rate, weighted by its aspects
        report.add(f"rate:{name}", "pct_upheld", round(100 * parts[0] / sum(parts), 1), line, "rates",
                   unit="percent", service=name)
        line += 1
    report.add("rate:All", "pct_upheld", round(100 * totals[0] / aspects, 1), line, "rates", unit="percent",
               role="total")
    line += 5
    trend = [draw(st.tuples(st.integers(0, 500), st.integers(0, 500))) for _ in names]
    assume(any(a != b for a, b in trend))  # a year repeating the other cell for cell is the stale check's case
    for name, (before, now) in zip(names, trend):
        report.add(f"before:{name}", "complaints", float(before), line, "trend", period=BEFORE, service=name, column=1)
        report.add(f"now:{name}", "complaints", float(now), line, "trend", service=name, column=2)
        report.add(f"variance:{name}", "complaints_variance", float(abs(now - before)), line, "trend", service=name,
                   column=3)
        line += 1
    return report


def findings(observations) -> list[tuple[int, str]]:
    return sorted((f.index, f.code) for f in check_relations(observations, RELATIONS))


def planted(report: Report, name: str, value: float) -> list[Observation]:
    from dataclasses import replace

    observations = list(report.observations)
    i = report.cells[name]
    observations[i] = replace(observations[i], value=value)  # role, group and column kept
    return observations


@PROPERTY
@given(reports())
def test_a_consistent_report_raises_no_flag(report):
    assert findings(report.observations) == []


KINDS = {  # what to change, the code it must raise (the cell changed is the one flagged)
    "partition": ("partly:{name}", "partition_mismatch"),
    "share": ("pct:{name}", "pct_disagrees_with_counts"),
    "across_tables": ("cause_rate:{name}", "rate_disagrees_across_tables"),
    "same_figure": ("glance_aspects", "same_figure_differs"),
    "rate_of": ("glance_rate", "rate_disagrees_with_counts"),
    "overall": ("rate:All", None),
    "variance": ("variance:{name}", "variance_disagrees"),
}


@PROPERTY
@given(reports(), st.sampled_from(sorted(KINDS)), st.data())
def test_one_planted_inconsistency_raises_exactly_its_flag_on_its_cell(report, kind, data):
    names = [n.split(":")[1] for n in report.cells if n.startswith("pct:")]
    name = data.draw(st.sampled_from(names))
    cell, code = KINDS[kind]
    cell = cell.format(name=name)
    i = report.cells[cell]
    o = report.observations[i]
    if o.unit == "percent":
        shift = data.draw(st.sampled_from([-1, 1])) * data.draw(st.floats(1.2, 40.0))
        assume(0 <= o.value + shift <= 100)
    else:
        shift = float(data.draw(st.integers(1, 50)))
    observations = planted(report, cell, o.value + shift)
    flagged = [i for i, _ in findings(observations)]
    if kind == "partition":  # a part's change shows on the row's total, the figure the parts are checked against
        i = report.cells[f"aspects:{name}"]
    if kind == "overall":  # which of the two codes depends on whether it is the plain mean of the rows
        rows = [observations[report.cells[f"rate:{n}"]].value for n in names]
        code = ("overall_is_unweighted_mean" if abs(sum(rows) / len(rows) - (o.value + shift)) <= 1.0
                else "overall_not_weighted_mean")
    if kind == "partition":
        # the total (aspects) is printed from the parts, so no other relation of the row moves
        assert findings(observations) == [(i, code)]
    else:
        assert flagged == [i] and findings(observations) == [(i, code)]


@PROPERTY
@given(reports(), st.sampled_from(["pct:{name}", "cause_rate:{name}", "glance_rate", "rate:All"]), st.data())
def test_a_percentage_within_one_point_of_its_counts_raises_no_flag(report, cell, data):
    names = [n.split(":")[1] for n in report.cells if n.startswith("pct:")]
    cell = cell.format(name=data.draw(st.sampled_from(names)))
    o = report.observations[report.cells[cell]]
    # the printed value is rounded to 1 dp (within 0.05 of exact): a further 0.9 stays within 1 point
    shift = data.draw(st.floats(-0.9, 0.9))
    assume(0 <= o.value + shift <= 100)
    assert findings(planted(report, cell, o.value + shift)) == []


# --- tolerance boundaries: exactly 1 point is within, counts must agree exactly ------------------------

def _share_row(printed: float) -> list[Observation]:
    # 1 of 4 is 25%: a printed 26 is exactly 1 point off
    return [obs("upheld", 1.0, 5, "outcomes"), obs("aspects", 4.0, 5, "outcomes"),
            obs("pct_upheld", printed, 5, "outcomes", unit="percent", role="percent")]


def test_share_exactly_one_point_off_is_within_tolerance():
    spec = (Share(tables=("outcomes",), percent="pct_upheld", numerator=("upheld",), base="aspects"),)
    assert check_relations(_share_row(26.0), spec) == []
    assert [(f.index, f.code, f.derived) for f in check_relations(_share_row(26.5), spec)] == [
        (2, "pct_disagrees_with_counts", 25.0)]


def test_rate_across_tables_exactly_one_point_off_is_within_tolerance():
    spec = (RateAcrossTables(rate_table="causes", rate="pct_upheld", base="aspects", part_tables=("outcomes",),
                             numerator=("upheld",)),)

    def tables(printed):
        return [obs("upheld", 1.0, 5, "outcomes", category="Delay"), obs("aspects", 4.0, 5, "outcomes", category="Delay"),
                obs("pct_upheld", printed, 20, "causes", unit="percent", category="Delay"),
                obs("aspects", 4.0, 20, "causes", category="Delay")]

    assert check_relations(tables(24.0), spec) == []
    assert [(f.index, f.code) for f in check_relations(tables(23.9), spec)] == [(2, "rate_disagrees_across_tables")]


def test_a_count_variance_one_off_is_flagged():
    # counts added from printed counts must agree exactly: 120 − 100 = 20, a printed 21 is wrong
    def trend(variance, unit="count"):
        return [obs("complaints", 100.0, 7, "trend", period=BEFORE, unit=unit),
                obs("complaints", 120.0, 7, "trend", unit=unit),
                obs("complaints_variance", variance, 7, "trend", unit=unit)]

    assert check_relations(trend(20.0)) == []
    assert [(f.index, f.code, f.derived) for f in check_relations(trend(21.0))] == [(2, "variance_disagrees", 20.0)]
    assert check_relations(trend(21.0, unit="percent")) == []  # percentage points: 1 point is within


# --- what the cells of a declaration are ---------------------------------------------------------

def test_partition_sums_counts_only_not_the_percentages_printed_beside_them():
    # "21 (26%)" cells: a count and a % of one measure on one row; only the counts add up to the total
    spec = (Partition(tables=("outcomes",), total="aspects", parts=("upheld", "not_upheld")),)
    row = [obs("upheld", 21.0, 5, "outcomes"), obs("not_upheld", 60.0, 5, "outcomes"),
           obs("aspects", 81.0, 5, "outcomes", role="total"),
           obs("upheld", 26.0, 5, "outcomes", unit="percent", role="percent"),
           obs("not_upheld", 74.0, 5, "outcomes", unit="percent", role="percent")]
    assert check_relations(row, spec) == []


def test_partition_with_a_part_not_printed_is_not_checked():
    spec = (Partition(tables=("outcomes",), total="aspects", parts=("upheld", "partly", "not_upheld")),)
    row = [obs("upheld", 21.0, 5, "outcomes"), obs("not_upheld", 50.0, 5, "outcomes"),
           obs("aspects", 81.0, 5, "outcomes", role="total")]
    assert check_relations(row, spec) == []


def test_rate_table_division_columns_do_not_replace_the_councils_rate():
    # one printed line of the causes table: the council's rate and base, then the same for a division
    spec = (RateAcrossTables(rate_table="causes", rate="pct_upheld", base="aspects", part_tables=("outcomes",),
                             numerator=("upheld",)),)
    rows = [obs("upheld", 30.0, 5, "outcomes", category="Delay"), obs("aspects", 60.0, 5, "outcomes", category="Delay"),
            obs("pct_upheld", 40.0, 20, "causes", unit="percent", category="Delay"),  # 30 of 60 is 50%
            obs("aspects", 60.0, 20, "causes", category="Delay"),
            obs("pct_upheld", 50.0, 20, "causes", unit="percent", category="Delay", division="education"),
            obs("aspects", 12.0, 20, "causes", category="Delay", division="education")]
    assert [(f.index, f.code, f.derived) for f in check_relations(rows, spec)] == [
        (2, "rate_disagrees_across_tables", 50.0)]


def test_rate_across_tables_keeps_categories_that_share_a_first_word_apart():
    spec = (RateAcrossTables(rate_table="causes", rate="pct_upheld", base="aspects", part_tables=("outcomes",),
                             numerator=("upheld",)),)
    rows = [obs("upheld", 30.0, 5, "outcomes", category="Staff conduct"),
            obs("aspects", 60.0, 5, "outcomes", category="Staff conduct"),
            obs("upheld", 5.0, 6, "outcomes", category="Staff attitude"),
            obs("aspects", 40.0, 6, "outcomes", category="Staff attitude"),
            obs("pct_upheld", 40.0, 20, "causes", unit="percent", category="Staff Conduct"),  # 30 of 60 is 50%
            obs("aspects", 60.0, 20, "causes", category="Staff Conduct"),
            obs("pct_upheld", 12.5, 21, "causes", unit="percent", category="Staff attitude"),
            obs("aspects", 40.0, 21, "causes", category="Staff attitude")]
    assert [(f.index, f.code) for f in check_relations(rows, spec)] == [(4, "rate_disagrees_across_tables")]


def test_same_figure_with_a_blank_period_compares_the_reports_own_year_only():
    spec = (SameFigure(a=Cell("glance", "complaints"), b=Cell("division", "complaints"), why="the same count"),)
    rows = [obs("complaints", 100.0, 5, "glance"), obs("complaints", 90.0, 5, "glance", period=BEFORE),
            obs("complaints", 100.0, 30, "division"), obs("complaints", 85.0, 30, "division", period=BEFORE)]
    assert check_relations(rows, spec) == []
    star = (SameFigure(a=Cell("glance", "complaints", period="*"), b=Cell("division", "complaints", period="*"),
                       why="year by year"),)
    assert [(f.index, f.code, f.derived) for f in check_relations(rows, star)] == [(1, "same_figure_differs", 85.0)]


def test_same_figure_restricted_to_a_line_ignores_the_tables_other_figures():
    spec = (SameFigure(a=Cell("prose", "complaints", line=12), b=Cell("division", "complaints"), why="prose figure"),)
    rows = [obs("complaints", 100.0, 12, "prose"), obs("complaints", 37.0, 40, "prose"),
            obs("complaints", 100.0, 30, "division")]
    assert check_relations(rows, spec) == []


def test_same_figure_skips_a_part_printed_more_than_once():
    spec = (SameFigure(a=Cell("glance", "complaints"), b=Cell("division", "complaints"), why="the same count"),)
    rows = [obs("complaints", 40.0, 5, "glance"), obs("complaints", 100.0, 30, "division"),
            obs("complaints", 40.0, 31, "division")]
    assert check_relations(rows, spec) == []  # which of the two is meant cannot be told


def test_same_figure_sums_several_parts():
    spec = (SameFigure(a=Cell("glance", "complaints"), b=(Cell("q", "complaints", quarter="Q1"),
                                                          Cell("q", "complaints", quarter="Q2")), why="quarters"),)
    rows = [obs("complaints", 70.0, 5, "glance"), obs("complaints", 30.0, 30, "q", quarter="Q1"),
            obs("complaints", 40.0, 31, "q", quarter="Q2")]
    assert check_relations(rows, spec) == []
    rows[0] = obs("complaints", 69.0, 5, "glance")
    assert [(f.index, f.derived) for f in check_relations(rows, spec)] == [(0, 70.0)]


def test_share_keys_rows_by_stage():
    spec = (Share(tables=("t",), percent="pct", numerator=("upheld",), base="cases"),)
    rows = [obs("pct", 10.0, 5, "t", unit="percent", stage="stage_1", role="percent"),
            obs("upheld", 10.0, 5, "t", stage="stage_1"), obs("cases", 100.0, 5, "t", stage="stage_1"),
            obs("upheld", 5.0, 6, "t", stage="stage_2"), obs("cases", 20.0, 6, "t", stage="stage_2")]
    assert check_relations(rows, spec) == []  # stage 2 prints no %: nothing to check there


def test_share_of_two_numerators_is_their_sum():
    spec = (Share(tables=("t",), percent="pct", numerator=("upheld", "partly"), base="cases"),)
    rows = [obs("upheld", 10.0, 5, "t"), obs("partly", 15.0, 5, "t"), obs("cases", 100.0, 5, "t"),
            obs("pct", 25.0, 5, "t", unit="percent", role="percent")]
    assert check_relations(rows, spec) == []
    rows[3] = obs("pct", 10.0, 5, "t", unit="percent", role="percent")
    assert [(f.index, f.derived) for f in check_relations(rows, spec)] == [(3, 25.0)]


def test_rate_of_with_its_numerator_not_printed_says_nothing():
    spec = (RateOf(rate=Cell("glance", "pct"), numerator=Cell("glance", "upheld"), base=Cell("glance", "cases"),
                   why="rate"),)
    rows = [obs("pct", 25.0, 5, "glance", unit="percent"), obs("cases", 100.0, 6, "glance")]
    assert check_relations(rows, spec) == []


# --- overall rates --------------------------------------------------------------------------------

def _overall(overall: float, n_parts: int = 2):
    rates = [(20.0, 100.0), (60.0, 300.0), (40.0, 100.0)][:n_parts]
    rows = []
    for j, (rate, count) in enumerate(rates):
        rows.append(obs("pct", rate, 5 + j, "rates", unit="percent", service=f"S{j}"))
        rows.append(obs("cases", count, 20 + j, "counts", service=f"S{j}"))
    rows.append(obs("pct", overall, 9, "rates", unit="percent", role="total"))
    return rows


def test_overall_rate_of_two_rows_is_checked():
    spec = (OverallRate(table="rates", rate="pct", weight_table="counts", weight="cases"),)
    # weighted: (20·100 + 60·300)/400 = 50; the plain mean of 20 and 60 is 40
    assert check_relations(_overall(50.0), spec) == []
    assert [(f.index, f.code, f.derived) for f in check_relations(_overall(40.0), spec)] == [
        (4, "overall_is_unweighted_mean", 50.0)]
    assert [f.code for f in check_relations(_overall(45.0), spec)] == ["overall_not_weighted_mean"]


def test_overall_rate_weights_are_never_a_total_row():
    # rows keyed by (period, division, service) find no count of their own: the counts table's
    # total row (division all, no service) is not a row's weight, so nothing can be said
    spec = (OverallRate(table="rates", rate="pct", weight_table="counts", weight="cases"),)
    rows = [obs("pct", 20.0, 5, "rates", unit="percent", category="A"),
            obs("pct", 60.0, 6, "rates", unit="percent", category="B"),
            obs("pct", 30.0, 9, "rates", unit="percent", role="total"),
            obs("cases", 400.0, 20, "counts", role="total")]
    assert check_relations(rows, spec) == []


# --- the generic checks: stale columns, duplicate rows -------------------------------------------

def _columns(before: list[float], now: list[float], *, extra_before: float | None = None):
    rows = []
    for j, (b, n) in enumerate(zip(before, now)):
        rows.append(obs("complaints", b, 5 + j, "t", period=BEFORE, category=f"C{j}", column=1))
        rows.append(obs("complaints", n, 5 + j, "t", category=f"C{j}", column=2))
    if extra_before is not None:
        rows.append(obs("complaints", extra_before, 5 + len(before), "t", period=BEFORE, category="extra", column=1))
    return rows


def test_a_repeated_column_is_flagged_once_per_cell():
    rows = _columns([10.0, 20.0, 30.0], [10.0, 20.0, 30.0])
    assert [(f.index, f.code) for f in check_relations(rows)] == [(1, "stale_column"), (3, "stale_column"),
                                                                  (5, "stale_column")]


def test_a_repeated_column_of_two_distinct_values_is_not_flagged():
    assert check_relations(_columns([10.0, 20.0, 10.0], [10.0, 20.0, 10.0])) == []


def test_columns_covering_different_rows_are_not_compared():
    assert check_relations(_columns([10.0, 20.0, 30.0], [10.0, 20.0, 30.0], extra_before=40.0)) == []


def test_a_repeated_row_year_on_another_line_is_flagged():
    # years printed as rows: the 2019-20 row repeats the 2018-19 row (line 5)
    rows = [obs("complaints", v, 5, "t", period=BEFORE, category=f"C{j}", column=j) for j, v in enumerate([4.0, 7.0, 9.0])]
    rows += [obs("complaints", v, 6, "t", category=f"C{j}", column=j) for j, v in enumerate([4.0, 7.0, 9.0])]
    assert [(f.index, f.code, f.lines) for f in check_relations(rows)] == [(3, "stale_column", (5,)),
                                                                          (4, "stale_column", (5,)),
                                                                          (5, "stale_column", (5,))]


def _row(line: int, label: str, values: list[float]):
    return [obs(f"m{j}", v, line, "t", category=label, column=j) for j, v in enumerate(values)]


def test_a_duplicated_row_under_another_label_is_flagged():
    rows = _row(5, "Housing", [3.0, 5.0, 7.0, 0.0]) + _row(6, "Planning", [3.0, 5.0, 7.0, 0.0])
    assert [(f.index, f.code) for f in check_relations(rows)] == [(4, "duplicate_row"), (5, "duplicate_row"),
                                                                  (6, "duplicate_row"), (7, "duplicate_row")]


def test_rows_that_are_not_a_duplicate_slip():
    # two distinct non-zero values (zeros do not count as distinct), or the same label printed twice
    assert check_relations(_row(5, "Housing", [3.0, 5.0, 3.0, 5.0]) + _row(6, "Planning", [3.0, 5.0, 3.0, 5.0])) == []
    assert check_relations(_row(5, "Housing", [3.0, 5.0, 0.0, 0.0]) + _row(6, "Planning", [3.0, 5.0, 0.0, 0.0])) == []
    assert check_relations(_row(5, "Housing", [3.0, 5.0, 7.0, 1.0]) + _row(9, "Housing", [3.0, 5.0, 7.0, 1.0])) == []


@pytest.mark.parametrize("values", [[1.0, 2.0, 3.0], [0.0, 0.0, 5.0, 9.0]])
def test_short_rows_are_not_compared(values):
    assert check_relations(_row(5, "A", values) + _row(6, "B", values)) == []


def test_rate_across_tables_checks_bounds_when_the_parts_cover_part_of_the_base_and_nothing_when_they_exceed_it():
    spec = (RateAcrossTables(rate_table="causes", rate="pct_upheld", base="aspects", part_tables=("outcomes",),
                             numerator=("upheld",)),)

    def tables(printed, base):
        # the division tables: 30 upheld of 60 aspects; the summary prints ``base`` aspects and ``printed`` %
        return [obs("upheld", 30.0, 5, "outcomes", category="Delay"), obs("aspects", 60.0, 5, "outcomes", category="Delay"),
                obs("pct_upheld", printed, 20, "causes", unit="percent", category="Delay"),
                obs("aspects", base, 20, "causes", category="Delay")]

    # 80 printed, 60 covered: whatever the other 20 were, the rate is 30/80 = 37.5% to 50/80 = 62.5%
    assert check_relations(tables(40.0, 80.0), spec) == []
    assert check_relations(tables(36.5, 80.0), spec) == []  # within a point of the lower bound
    found = check_relations(tables(30.0, 80.0), spec)
    assert [(f.index, f.code, f.derived) for f in found] == [(2, "rate_outside_bounds_across_tables", 50.0)]
    # a printed base smaller than the parts' says nothing (not the same population, and no bounds to apply)
    assert check_relations(tables(10.0, 50.0), spec) == []
