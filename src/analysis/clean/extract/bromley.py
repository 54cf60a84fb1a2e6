"""Bromley's Complaints & Compliments annual report (2019-20 and 2023-24 share this template).

One declarative description serves every year: ``OVERVIEW`` lists the council-wide tables
of the "COUNCIL OVERVIEW" chapter, ``CHAPTER`` the tables a division's chapter may hold.
Chapters are found by their heading (``04 | ADULT SOCIAL CARE``; the numbering differs
between years) and give their division to every table in them; inside a chapter a line
that is just a division's name (2019-20's ``Planning & Regeneration`` inside the combined
"HOUSING PLANNING & REGENERATION" chapter) starts that division's part. Where the reports
differ in layout the spec carries alternatives (regexes, an optional table, or a tuple of
layouts of which one must be present), never a copy per report.

Choices (so a reader can check them):

* Multi-year tables: each year column is its own ``period``; ``% change``/``% on prev. year``
  is ``pct_change`` (a division or category row) or ``pct_change_<measure>`` in tables whose
  rows are different measures (at a glance, the Ombudsman letter), so that keys stay unique.
* "Total"/"OVERALL" rows are role ``total``; E&PP printed after the Total line is outside
  it (Bromley's Total excludes E&PP). The Total *columns* of the by-type, how-received and
  causes tables include E&PP, so their grand total (738 complaints, 1,108 aspects in
  2023-24) differs from the headline Total (533, 937): both are division ``all`` and the
  difference shows in ``conflicts.csv``. Use table ``complaints_by_division_multi_year``
  for the headline series.
* Service and nature tables: count columns mentions … answered_on_time; their ``%`` rows
  give ``pct_of_mentions`` (mentions column), ``pct_of_total`` (aspects column, a row's
  share of all aspects) and ``pct_upheld``/``pct_partially_upheld``/``pct_not_upheld``/
  ``pct_ongoing``/``pct_on_time`` (shares of the row's aspects).
* Ombudsman outcome tables have a two-line header whose banner (CLOSED / NOT UPHELD /
  UPHELD) is printed broken (``NOT U`` + ``PHELD``, ``UPH`` + ``IELD``) and misplaced in
  2023-24: the banner is dropped and the three ``NFA`` columns are told apart by order
  (closed, not upheld, upheld), which both years share.
* Financial tables: the per-division ones have heading rows "Ombudsman cases" / "Stage 1
  complaints" that set ``stage`` for the rows below (a stray ``6`` on the 2023-24 Housing
  heading row, line 606, is not a figure). The 2023-24 council-wide tables print the stage
  as rotated text broken over the first column (``ıan``/``Ombudsman``/``0m``/``Je 1``/
  ``Stage``); that debris is ignored and the stage comes from the block order (first
  "Compensation & Backdating … Time & trouble" block = Ombudsman, second = Stage 1).
* Children's "Statutory complaints" (at a glance) and the 1989 Representations Procedure
  table: measure ``complaints``, service ``Statutory``, stage ``stage_1`` (at a glance; it
  equals the Stage 1 row in every year but 2020-21, where 5 vs 3 is a real discrepancy) or
  the table row's stage (its Total row: stage ``all``).
* The ``%`` rows of the service and nature tables are shares of *aspects*; the at-a-glance
  and "Responding on time" percentages are shares of *complaints*. Both use the contract's
  ``pct_on_time``/``pct_upheld``…, so a division's OVERALL ``%`` row and its at-a-glance
  figure share a key and, where they differ (ASC 2023-24: 42% vs 44% on time), appear in
  ``conflicts.csv``; pick by ``table`` when the basis matters.
* Compliments tables: ``compliments`` and ``pct_change_compliments``.
* Cells the parser cannot read are kept as value-less rows flagged ``unreadable_cell``
  (2023-24:947 ``£0.00 £0.00`` printed in one cell; 2019-20:1046 ``£4,550.00-24%``).

The flattened Adult Social Care service table of the 2023-24 report (lines 242-278: the
PDF conversion lost the tabs and repeated overlapping fragments) is read by
:func:`flattened_service_table`: a row ``<service> n n n n n n n`` or ``% p% … p%`` is
recovered with each figure cited on the line that row begins (a copy of a row that starts
a line), else the first line it is printed on; repeated fragments (a line starting with
the tail of the text already read) are read once. What
is NOT recovered, each as value-less rows flagged ``flattened_unrecovered`` where the
row is known:

* line 246 ``0. 50. 670.`` — OCR debris (apparently a broken copy of Hayes & Five
  Elms' ``%`` row, which is printed properly on line 247): no figure read from it;
* ``%`` rows with fewer values than columns where more than one placement agrees with the
  row's counts: Initial Response (259, six ``0%`` for seven columns), DoLS (269, idem),
  Safeguarding (271, five values for seven columns). The OVERALL ``%`` row (278, five
  values) has exactly one placement consistent with its counts (fully upheld … answered
  on time, as in every other table) and is recovered.
"""
from __future__ import annotations

import re
from dataclasses import replace

from ...observations import Observation
from ...parsing import clean_label
from .engine import (
    HEADER,
    Column,
    ProseFigure,
    RawReport,
    ReportFormatError,
    Row,
    Section,
    Skip,
    TableSpec,
    extract_sections,
    label_matches,
    line_search,
    read_or_skip,
    read_prose_figures,
)

# Row labels / column headers naming a division, in every spelling the reports use.
DIVISION_LABELS = {
    r"adult social care|adults?": "adult_social_care",
    r"children'?s social care|children'?s?": "childrens_social_care",
    r"housing": "housing",
    r"planning (&|and) regeneration|p&r": "planning_regeneration",
    r"education|educ'n": "education",
    r"chief executive'?s( dep(t|artment)\.?)?|ced": "chief_executives",
    r"environment (&|and) public protection|e&pp|epp": "environment_public_protection",
    r"public health": "public_health",
    r"total|totals|overall": "all",
}
# Chapter headings ("04 | ADULT SOCIAL CARE") → division; the overview chapter → "all".
CHAPTER_HEADING = r"^\d{1,2} \| (?P<title>.+?)\s*$"
CHAPTERS = {
    r"COUNCIL OVERVIEW": "all",
    r"ADULT SOCIAL CARE": "adult_social_care",
    r"CHILDREN'?S SOCIAL CARE": "childrens_social_care",
    r"HOUSING( PLANNING (&|AND) REGENERATION)?": "housing",
    r"PLANNING (&|AND) REGENERATION": "planning_regeneration",
    r"EDUCATION": "education",
    r"CHIEF EXECUTIVE'?S DEPARTMENT": "chief_executives",
    r"ENVIRONMENT (&|AND) PUBLIC PROTECTION": "environment_public_protection",
    r"PUBLIC HEALTH": "public_health",
}
# A line that is just a division's name starts that division's part of a chapter.
SUBHEADINGS = {
    r"Housing": "housing",
    r"Planning (&|and) Regeneration": "planning_regeneration",
}

YEAR = r".*\d{4}\s*[/\-–]\s*\d{2,4}.*"  # a header cell holding a financial year
YEAR_HEADER = r"^\t+[^\t]*\d{4}"  # a header line whose first cell is blank and holds years
PCT_CHANGE = r"% change|% on prev\.? year|%age"
TOTAL = r"total|totals|overall"


def _years(measure: str | None = None, change: str = "pct_change_{measure}") -> tuple[Column, ...]:
    """A column per financial year (``2019/20``, ``2021 - 22``…) and the ``% change`` column."""
    change = change.format(measure=measure) if measure else change  # else: the row's measure, per row
    return (Column(YEAR, measure=measure, period="header"), Column(PCT_CHANGE, measure=change, unit="percent"))


BY_DIVISION = {"row_dim": "division", "row_map": DIVISION_LABELS}  # rows are divisions


def _division_columns(measure: str | None, *, unit: str | None = None, total_measure: str | None = None,
                      **dims) -> tuple[Column, ...]:
    """One column per division header (``Adult``, ``Children's``, ``P&R``, ``Educ'n``…) plus the
    ``Total``/``TOTALS`` column (division ``all``, the sum of the others)."""
    columns = []
    for pattern, division in DIVISION_LABELS.items():
        is_total = division == "all"
        columns.append(Column(pattern, measure=total_measure if is_total and total_measure else measure,
                              unit=unit, division=division, total=is_total, **dims))
    return tuple(columns)


# ---------------------------------------------------------------------------------------
# The council overview chapter

BY_TYPE = TableSpec(  # 2023-24 only: "By type and division"
    id="complaints_by_type_and_division",
    anchor=r"^Representations\t",
    columns=_division_columns("complaints"),
    rows=(Row(TOTAL, dims={"service": ""}, total=True),),
    row_dim="service",
    optional=True,
)

COMPLAINTS_BY_DIVISION = TableSpec(
    id="complaints_by_division_multi_year",
    anchor=r"^Complaints received$",
    header=r"^Division\t.*\d{4}",
    columns=_years("complaints", change="pct_change"),
    **BY_DIVISION,
)

HOW_RECEIVED = TableSpec(
    id="how_received",
    anchor=r"^How complaints were received",
    header=r"^(Source)?\tAdult",
    columns=_division_columns("complaints") + (Column(r"% of total", measure="pct_of_total", unit="percent", division="all"),),
    rows=(Row(TOTAL, dims={"service": ""}, total=True),),
    row_dim="service",
)

PROPORTION_UPHELD = TableSpec(
    id="proportion_upheld",
    anchor=r"^Proportion upheld",
    header=r"^\tAspects\t",
    columns=(
        Column(r"aspects", measure="aspects"),
        Column(r"upheld / partially upheld", measure="upheld_or_partially_upheld"),
        Column(r"%? ?" + YEAR, measure="pct_upheld_or_partially", period="header", unit="percent"),
    ),
    **BY_DIVISION,
)

CAUSES = TableSpec(
    id="causes_for_complaint",
    anchor=r"^Causes for complaint",
    header=r"^Complaint\t",
    columns=_division_columns("aspects") + (
        Column(r"% of total", measure="pct_of_total", unit="percent", division="all"),
        Column(r"% upheld", measure="pct_upheld_or_partially", unit="percent", division="all"),
    ),
    rows=(Row(TOTAL, dims={"category": ""}, total=True),),
    row_dim="category",
)

ON_TIME = TableSpec(
    id="on_time_by_division",
    anchor=r"^Responding on time",
    header=r"^Division\t",
    columns=(Column(r"(on time )?" + YEAR, measure="pct_on_time", period="header", unit="percent"),),
    **BY_DIVISION,
)

OMBUDSMAN_BY_DIVISION = TableSpec(  # 2019-20 only
    id="ombudsman_by_division",
    anchor=r"^Service\tTotal\tUpheld\t",
    columns=(
        Column(r"total", measure="ombudsman_referrals", total=True),
        Column(r"upheld", measure="ombudsman_upheld"),
        Column(r"not upheld", measure="ombudsman_not_upheld"),
        Column(r"declined", measure="ombudsman_declined"),
        Column(r"ongoing", measure="ombudsman_ongoing"),
    ),
    defaults={"stage": "ombudsman"},
    **BY_DIVISION,
    optional=True,
)

OMBUDSMAN_LETTER = TableSpec(
    id="ombudsman_annual_letter",
    anchor=r"(?i)annual review letter",
    header=YEAR_HEADER,
    columns=_years(),
    rows=(
        Row(r"referrals", dims={"measure": "ombudsman_referrals"}),
        Row(r"resulting investigations", dims={"measure": "ombudsman_investigations"}),
        Row(r"proportion investigated", dims={"measure": "pct_ombudsman_investigated", "unit": "percent"}),
        Row(r"number upheld", dims={"measure": "ombudsman_upheld"}),
        Row(r"upheld rate", dims={"measure": "pct_ombudsman_upheld", "unit": "percent"}),
        Row(r"london average", dims={"measure": "pct_ombudsman_upheld_london_average", "unit": "percent"}),
        Row(r"london ranking", skip=True),  # "Joint 7 th": a rank among boroughs, not a figure of the study
    ),
    defaults={"stage": "ombudsman"},
)

_MONEY = {"compensation": "compensation_gbp", "written_off": "charges_written_off_gbp",
          "time_and_trouble": "time_and_trouble_gbp", "expert_fees": "expert_fees_gbp"}


def _money_block_rows() -> tuple[Row, ...]:
    """Rows of the 2023-24 council-wide money tables: two blocks told apart by order."""
    rows = []
    for nth, stage in ((1, "ombudsman"), (2, "stage_1")):
        rows += [
            Row(r"compensation & backdating", dims={"measure": _MONEY["compensation"], "stage": stage}, nth=nth),
            Row(r"written off", dims={"measure": _MONEY["written_off"], "stage": stage}, nth=nth),
            Row(r"time & trouble", dims={"measure": _MONEY["time_and_trouble"], "stage": stage}, nth=nth),
        ]
    rows += [
        Row(r"expert fees", dims={"measure": _MONEY["expert_fees"], "stage": "stage_1"}),
        Row(r"total", dims={"measure": "financial_total_gbp", "stage": "all"}, total=True),
    ]
    return tuple(rows)


FINANCIAL_COUNCIL = (
    TableSpec(  # 2023-24: money rows in two stage blocks × division columns
        id="financial_by_division",
        anchor=r"^Financial consequences of complaints$",
        header=r"^\t\tAdults?\t",
        columns=_division_columns(None, unit="gbp"),
        rows=_money_block_rows(),
        label_from=1,
        optional=True,
    ),
    TableSpec(  # 2019-20: divisions as rows × (stage, money) columns over a two-line header
        id="financial_by_division",
        anchor=r"^Financial consequences of complaints$",
        header=r"^\tOmbudsman Cases",
        header_lines=2,
        columns=(
            Column(r"(.* )?comp'n", nth=1, measure=_MONEY["compensation"], stage="ombudsman", unit="gbp"),
            Column(r"write off", nth=1, measure=_MONEY["written_off"], stage="ombudsman", unit="gbp"),
            Column(r"time & trouble", nth=1, measure=_MONEY["time_and_trouble"], stage="ombudsman", unit="gbp"),
            Column(r"(.* )?comp'n", nth=2, measure=_MONEY["compensation"], stage="stage_1", unit="gbp"),
            Column(r"write off", nth=2, measure=_MONEY["written_off"], stage="stage_1", unit="gbp"),
            Column(r"time & trouble", nth=2, measure=_MONEY["time_and_trouble"], stage="stage_1", unit="gbp"),
            Column(r"total £?", measure="financial_total_gbp", stage="all", unit="gbp", total=True),
        ),
        row_dim="division",
        row_map=DIVISION_LABELS,
        optional=True,
    ),
)

FINANCIAL_MULTI_YEAR = TableSpec(  # 2023-24 only: the council-wide money table over five years
    id="financial_multi_year",
    anchor=r"^\t\t\d{4}\s*/\s*\d{2}\t",
    columns=(Column(YEAR, period="header", unit="gbp"),),
    rows=_money_block_rows(),
    label_from=1,
    optional=True,
)

COMPLIMENTS = TableSpec(
    id="compliments_by_division",
    anchor=r"^Compliments$",
    header=r"^Division\t",
    columns=_years("compliments"),
    **BY_DIVISION,
)

OVERVIEW = [BY_TYPE, COMPLAINTS_BY_DIVISION, HOW_RECEIVED, PROPORTION_UPHELD, CAUSES, ON_TIME,
            OMBUDSMAN_BY_DIVISION, OMBUDSMAN_LETTER, FINANCIAL_COUNCIL, FINANCIAL_MULTI_YEAR, COMPLIMENTS]

# ---------------------------------------------------------------------------------------
# A division's chapter (every table optional: chapters differ; the tests hold the coverage)

AT_A_GLANCE = TableSpec(
    id="at_a_glance",
    anchor=r"(?i)at a glance$",
    header=YEAR_HEADER,
    columns=_years(),
    rows=(
        Row(r"complaints", dims={"measure": "complaints"}),
        Row(r"statutory complaints", dims={"measure": "complaints", "service": "Statutory", "stage": "stage_1"}),
        Row(r"percentage responded to on time", dims={"measure": "pct_on_time", "unit": "percent"}),
        Row(r"percentage fully upheld", dims={"measure": "pct_upheld", "unit": "percent"}),
        Row(r"percentage partially upheld", dims={"measure": "pct_partially_upheld", "unit": "percent"}),
        Row(r"(new )?ombudsman cases", dims={"measure": "ombudsman_referrals", "stage": "ombudsman"}),
        Row(r"ombudsman cases upheld", dims={"measure": "ombudsman_upheld", "stage": "ombudsman"}),
        Row(r"financial (consequences|outcomes)", dims={"measure": "financial_total_gbp", "unit": "gbp"}),
        Row(r"compliments", dims={"measure": "compliments"}),
    ),
    optional=True,
)

STATUTORY_STAGES = TableSpec(  # Children's: complaints under the 1989 Representations Procedure
    id="statutory_complaints_by_stage",
    anchor=r"^Complaints under the 1989 Representations Procedure",
    header=YEAR_HEADER,
    columns=(Column(YEAR, measure="complaints", period="header"),),
    rows=(
        Row(r"stage 1", dims={"stage": "stage_1"}),
        Row(r"stage 2", dims={"stage": "stage_2"}),
        Row(r"stage 3", dims={"stage": "stage_3"}),
        Row(TOTAL, dims={"stage": "all"}, total=True),
    ),
    defaults={"service": "Statutory"},
    optional=True,
)

# Count columns of the service and nature tables, and the measure of each one's `%` cells.
ASPECT_COLUMNS = (
    Column(r"mentions this (year|quarter)", measure="mentions", percent="pct_of_mentions"),
    Column(r"aspects this (year|quarter)", measure="aspects", percent="pct_of_total"),
    Column(r"fully upheld", measure="upheld", percent="pct_upheld"),
    Column(r"partially upheld", measure="partially_upheld", percent="pct_partially_upheld"),
    Column(r"not upheld", measure="not_upheld", percent="pct_not_upheld"),
    Column(r"ongoing", measure="ongoing", percent="pct_ongoing"),
    Column(r"answered on time", measure="answered_on_time", percent="pct_on_time"),
)

SERVICE_ASPECTS = TableSpec(
    id="service_aspects",
    anchor=r"^Service\tMentions this",
    columns=ASPECT_COLUMNS,
    rows=(Row(TOTAL, dims={"service": ""}, total=True),),
    row_dim="service",
    percent_rows=True,
    optional=True,
)

SERVICE_SUMMARY = replace(SERVICE_ASPECTS, id="service_aspects_summary", anchor=r"^SUMMARY\tMentions this")

NATURE = TableSpec(
    id="nature_of_complaint",
    anchor=r"^Subject\t",
    columns=ASPECT_COLUMNS,
    rows=(Row(TOTAL, dims={"category": ""}, total=True),),
    row_dim="category",
    percent_rows=True,
    label_cells=0,  # 2023-24 prints an empty cell between the label and the figures ("\t%" rows)
    optional=True,
)

OMBUDSMAN_OUTCOMES = TableSpec(
    id="ombudsman_outcomes",
    anchor=r"CLOSED\t",
    header_lines=2,
    header_noise=r"\b(CLOSED|NOT UPHELD|NOT U|UPHELD|PHELD|UPH|IELD|ELD)\b",
    columns=(
        Column(r"nfa", nth=1, measure="ombudsman_closed_nfa"),
        Column(r"no jurisdiction", measure="ombudsman_no_jurisdiction"),
        Column(r"premature", measure="ombudsman_premature"),
        Column(r"nfa", nth=2, measure="ombudsman_not_upheld_nfa"),
        Column(r"no maladmin\S*", measure="ombudsman_no_maladministration"),  # maladmin'n, maladmin'h, maladminin
        Column(r"nfa", nth=3, measure="ombudsman_upheld_nfa"),
        Column(r"maladmin'? & injustice", measure="ombudsman_maladministration_injustice"),
        Column(r"maladmin, no injustice", measure="ombudsman_maladministration_no_injustice"),
        Column(r"already remedied", measure="ombudsman_already_remedied"),
        Column(r"total", measure="ombudsman_decisions", total=True),
        Column(r"ongoing", measure="ombudsman_ongoing", in_total=False),  # open cases: not among the decisions
    ),
    rows=(Row(TOTAL, dims={"service": ""}, total=True),),
    row_dim="service",
    defaults={"stage": "ombudsman"},
    optional=True,
)

FINANCIAL_DIVISION = TableSpec(
    id="financial_consequences",
    anchor=r"^Financial consequences of complaints$",
    header=YEAR_HEADER,
    columns=(Column(YEAR, period="header", unit="gbp"),),
    rows=(
        Row(r"ombudsman cases", sets={"stage": "ombudsman"}),
        Row(r"stage 1 complaints", sets={"stage": "stage_1"}),
        Row(r"compensation / backdated payments", dims={"measure": _MONEY["compensation"]}),
        Row(r"charges written off", dims={"measure": _MONEY["written_off"]}),
        Row(r"time & trouble payments", dims={"measure": _MONEY["time_and_trouble"]}),
        Row(r"expert fees", dims={"measure": _MONEY["expert_fees"]}),
        Row(TOTAL, dims={"measure": "financial_total_gbp", "stage": "all"}, total=True),
    ),
    optional=True,
)

EPP_BY_YEAR = TableSpec(  # E&PP's own count of corporate complaints by service and year
    id="epp_complaints_by_service",
    anchor=r"^Service\t.*\t%age$",
    columns=_years("complaints", change="pct_change"),
    rows=(Row(TOTAL, dims={"service": ""}, total=True),),
    row_dim="service",
    optional=True,
)

EPP_NATURE = TableSpec(  # E&PP's own taxonomy: categories as columns
    id="epp_nature_of_complaint",
    anchor=r"^Service\tOn time\t",
    columns=(
        Column(r"on time", measure="pct_on_time", unit="percent"),
        Column(TOTAL, measure="complaints", total=True),
        Column(YEAR, measure="complaints", period="header"),
        Column(r".+", measure="complaints", category=HEADER),
    ),
    rows=(Row(TOTAL, dims={"service": ""}, total=True),),
    row_dim="service",
    optional=True,
)

CHAPTER = [AT_A_GLANCE, STATUTORY_STAGES, SERVICE_ASPECTS, SERVICE_SUMMARY, NATURE, OMBUDSMAN_OUTCOMES,
           FINANCIAL_DIVISION, EPP_BY_YEAR, EPP_NATURE]

# ---------------------------------------------------------------------------------------
# Sections


def _lookup(table: dict, text: str) -> str | None:
    for pattern, value in table.items():
        if label_matches(pattern, text):  # typography normalised (Children’s ≡ Children's)
            return value
    return None


def sections(report: RawReport) -> list[Section]:
    """The overview and division chapters (and parts of chapters), in report order."""
    headings = [(n, _lookup(CHAPTERS, line_search(CHAPTER_HEADING, report.line(n))["title"]))
                for n in report.find_all(CHAPTER_HEADING)]
    out: list[Section] = []
    for (start, division), (end, _) in zip(headings, headings[1:] + [(len(report.lines) + 1, None)]):
        if division is None:
            continue  # "WHY WE REPORT…", "LAW & PROCEDURES", the appended policy…
        cuts = [n for n in range(start + 1, end) if _lookup(SUBHEADINGS, report.line(n))] if division != "all" else []
        bounds = [start] + cuts + [end]
        for a, b in zip(bounds, bounds[1:]):
            part = division if a == start else _lookup(SUBHEADINGS, report.line(a))
            out.append(Section(a, b - 1, {"division": part}))
    found = {s.dims["division"] for s in out}
    if "all" not in found:
        raise ReportFormatError(report.source_file, None, "no 'NN | COUNCIL OVERVIEW' chapter heading found "
                                f"in any of its {report.line_count} lines")
    return out


def extract(report: RawReport) -> list[Observation]:
    """Every table of the overview and of each division's chapter.

    A chapter's tables are optional (chapters differ), so a chapter that prints tables
    (tab-separated lines) none of which the description recognises gets a skip record
    naming the chapter and its lines: a renamed table in next year's report is reported,
    never silently lost, and costs that chapter only.
    """
    out: list[Observation] = []
    chapters = sections(report)
    if chapters[0].start > 1:  # a committee cover report before the annual report
        out.extend(read_prose_figures(COVER_PROSE, report, Section(1, chapters[0].start - 1, {"division": "all"})))
    for section in chapters:
        if section.dims["division"] == "all":
            out.extend(extract_sections(report, [(Section(section.start, section.end, {}), OVERVIEW)]))
            out.extend(read_prose_figures(OVERVIEW_PROSE, report, section))
            continue
        found = extract_sections(report, [(section, CHAPTER)]) + read_or_skip(
            report, "service_aspects", section.start, section.end, lambda section=section: flattened_service_table(report, section))
        has_tables = any("\t" in report.line(n) for n in range(section.start, section.end + 1))
        if has_tables and not found:  # a renamed table is reported (a skip record), never silently lost
            report.skips.append(Skip(f"{section.dims['division']} chapter", section.start, section.end,
                                     "the chapter prints tables but none matches the Bromley template"))
        out.extend(found)
    return [o.flagged(WIDER_SCOPE) if o.table in TOTALS_WITH_EPP and o.division == "all" else o for o in out]


# Key figures printed only in sentences. The 2019-20 committee cover report states the
# Council's complaints with E&PP included (656; line 623: "If one excludes the EPP figures …
# the total of 445"), so its figures are the wider scope and flagged so; the tables' 445 stays
# the headline. Only the 2019-20 report prints these sentences (optional: absent elsewhere).
_COVER = r"Overall, the Council received (?P<value>\d+) complaints during (?P<period>\d{4}/\d{2}), representing"
COVER_PROSE = [
    ProseFigure("cover_complaints", r"^- 3\.5 " + _COVER, "complaints", "all", flag="wider_scope_total", optional=True),
    ProseFigure("cover_complaints_previous", r"^- 3\.5 .*reduction on last year \((?P<value>\d+)\)", "complaints", "all",
                period="previous", flag="wider_scope_total", optional=True),
    ProseFigure("cover_pct_upheld", r"^- 3\.5 .* (?P<value>\d+%) of complaints were at least partially upheld",
                "pct_upheld_or_partially", "all", flag="wider_scope_total", optional=True),
    ProseFigure("cover_pct_upheld_previous", r"^- 3\.5 .*partially upheld, an improvement on the (?P<value>\d+%) previous year",
                "pct_upheld_or_partially", "all", period="previous", flag="wider_scope_total", optional=True),
    ProseFigure("cover_pct_on_time", r"^- 3\.5 .*whilst (?P<value>\d+%) were responded to on time", "pct_on_time", "all",
                flag="wider_scope_total", optional=True),
]
# The Ombudsman response deadlines the complaints service oversaw: printed in no table.
OVERVIEW_PROSE = [
    ProseFigure("ombudsman_deadlines", r"^CE&CS oversaw (?P<value>\d+) individual Ombudsman response deadlines",
                "cases_due", "ombudsman", optional=True),
    ProseFigure("ombudsman_deadlines_pct_on_time", r"^CE&CS oversaw \d+ individual Ombudsman response deadlines of which "
                r"(?P<value>[\d.]+%) were responded to", "pct_on_time", "ombudsman", optional=True),
]


# Tables whose Total column adds up every division column, E&PP included, whereas the
# report's headline totals (five-year table, proportion upheld) leave E&PP out. Their
# council-wide figures are a different scope, not a misprint: flagged so the reconciled
# view prefers the headline figure and the audit does not count them as errors.
TOTALS_WITH_EPP = {"complaints_by_type_and_division", "how_received", "causes_for_complaint"}
WIDER_SCOPE = "wider_scope_total"


# ---------------------------------------------------------------------------------------
# The flattened service table (Adult Social Care, 2023-24)

FLAT_ANCHOR = r"^The table below sets out the individual complaint aspects"
_COUNT_SEGMENT = re.compile(r"(?P<label>[A-Za-z][A-Za-z&'’/.,\-– ]*?) (?P<values>(?:\d+ ){6}\d+)(?=\s|$)")
_PCT_SEGMENT = re.compile(r"(?P<label>%)?(?P<values>(?: ?\d+%)+)(?=\s|$)")


def _segments(text: str) -> tuple[list[tuple], str]:
    """A flattened line's row segments, in order, and whatever text is left unread."""
    found, rest, pos = [], [], 0
    while pos < len(text):
        if text[pos] == " ":
            pos += 1
            continue
        m = _COUNT_SEGMENT.match(text, pos)
        if m:
            found.append(("count", clean_label(m["label"]), tuple(int(v) for v in m["values"].split())))
            pos = m.end()
            continue
        m = _PCT_SEGMENT.match(text, pos)
        if m and m.group(0).strip():
            found.append(("pct", "%", tuple(int(v.rstrip("%")) for v in m["values"].split())))
            pos = m.end()
            continue
        end = text.find(" ", pos)
        end = len(text) if end < 0 else end
        rest.append(text[pos:end])
        pos = end
    return found, " ".join(rest)


def _placements(values: tuple[int, ...], expected: list[float]) -> list[tuple[int, ...]]:
    """Every way to place ``values`` (in order) under the columns whose expected percentage
    (from the row's counts) they match within rounding."""
    from itertools import combinations

    return [cols for cols in combinations(range(len(expected)), len(values))
            if all(abs(expected[c] - v) <= 1.0 for c, v in zip(cols, values))]


def flattened_service_table(report: RawReport, section: Section) -> list[Observation]:
    """The service table printed without tabs (see the module docstring); [] when the table
    after the anchor is a normal tab-separated one (or absent)."""
    anchor = report.find(FLAT_ANCHOR, section.start, section.end, required=False)
    if anchor is None:
        return []
    start = anchor + 1
    while start <= section.end and not report.line(start).strip():
        start += 1
    if start > section.end or "\t" in report.line(start):
        return []
    # Read the block, skipping a line's prefix that repeats the tail of what was read.
    stream: list[tuple] = []  # (kind, label, values, line)
    unread: list[tuple[int, str]] = []
    begins: dict[int, int] = {}  # stream index → line that the segment begins (when not its first line)
    number = start
    while number <= section.end and report.line(number).strip() and "\t" not in report.line(number):
        segs, rest = _segments(report.line(number))
        if rest:
            unread.append((number, rest))
        tail = [s[:3] for s in stream]
        overlap = max((k for k in range(min(len(segs), len(tail)), 0, -1) if tail[-k:] == segs[:k]), default=0)
        if overlap and not begins.get(len(stream) - overlap) and report.line(number).startswith(segs[0][1]):
            begins[len(stream) - overlap] = number  # a repeat that starts its own line: the row's own line
        stream += [(*s, number) for s in segs[overlap:]]
        number += 1
    stream = [(*s[:3], begins.get(i, s[3])) for i, s in enumerate(stream)]
    columns = ASPECT_COLUMNS
    group = f"{report.source_file}:{start}:service_aspects"
    division = section.dims["division"]
    out: list[Observation] = []
    counts = [s for s in stream if s[0] == "count"]
    total = next((s for s in counts if re.fullmatch(TOTAL, s[1], flags=re.IGNORECASE)), None)

    def obs(measure, value, unit, line, service, role, column, row_line, flag=""):
        return Observation(
            council=report.council, period=report.report_period, report_period=report.report_period,
            division=division, stage="all", measure=measure, value=value, unit=unit,
            source_file=report.source_file, source_line=line, table="service_aspects", service=service,
            quality_flag=flag, role=role, group=group, column=column, row_line=row_line)

    last = None
    for kind, label, values, line in stream:
        if kind == "count":
            is_total = last is not None and total is not None and (kind, label, values, line) == total
            service = "" if is_total else label
            last = (service, values, line, "total" if is_total else "part")
            for i, (column, value) in enumerate(zip(columns, values)):
                out.append(obs(column.measure, float(value), "count", line, service, last[3], i + 1, line))
            continue
        if last is None:
            raise ReportFormatError(report.source_file, line, "a % row before any service row in the flattened table")
        service, row_counts, row_line, _ = last
        base = [total[2][0] if total else 0, total[2][1] if total else 0] + [row_counts[1]] * 5
        expected = [100 * c / b if b else 0.0 for c, b in zip(row_counts, base)]
        if len(values) == len(columns):
            placement = tuple(range(len(columns)))
        else:
            found = _placements(values, expected)
            placement = found[0] if len(found) == 1 else None
        if placement is None:
            for i, column in enumerate(columns):
                out.append(obs(column.percent, None, "percent", line, service, "", i + 1, row_line,
                               "flattened_unrecovered"))
            continue
        for c, value in zip(placement, values):
            out.append(obs(columns[c].percent, float(value), "percent", line, service, "percent", c + 1, row_line))
    return out


# ---------------------------------------------------------------------------------------
# Relations the tables above must satisfy (checked by analysis.clean.relations)

from ..relations import Cell, OverallRate, Partition, RateAcrossTables, SameFigure  # noqa: E402

_OUTCOMES = ("upheld", "partially_upheld", "not_upheld", "ongoing")
RELATIONS = (
    # Every division's service and nature tables: the outcome columns partition the aspects.
    Partition(("service_aspects", "nature_of_complaint", "service_aspects_summary"), "aspects", _OUTCOMES),
    # The council-wide causes table prints "% upheld" per cause; the division nature tables
    # give the same rate (fully + partially upheld over aspects) when they cover the same aspects.
    RateAcrossTables("causes_for_complaint", "pct_upheld_or_partially", "aspects",
                     ("nature_of_complaint", "epp_nature_of_complaint"), ("upheld", "partially_upheld")),
    # The same figure in the overview and in a division's own tables.
    *(SameFigure(Cell("proportion_upheld", "aspects", division), Cell("service_aspects", "aspects", division),
                 f"{division}: aspects in the Proportion upheld overview and the OVERALL row of the division's service table")
      for division in ("adult_social_care", "childrens_social_care", "housing", "planning_regeneration",
                       "education", "chief_executives")),
    *(SameFigure(Cell("service_aspects", "aspects", division), Cell("nature_of_complaint", "aspects", division),
                 f"{division}: aspects in the OVERALL rows of the division's service table and its nature table")
      for division in ("adult_social_care", "childrens_social_care", "housing", "planning_regeneration",
                       "education", "chief_executives")),
    # "Responding on time": the OVERALL row against the division rates weighted by the divisions'
    # complaints in the multi-year complaints table.
    OverallRate("on_time_by_division", "pct_on_time", "complaints_by_division_multi_year", "complaints"),
)
