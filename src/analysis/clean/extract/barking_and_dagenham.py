"""Barking & Dagenham's Social Care and Education annual complaints report (2018-19).

The report has three chapters — Children's Services, Adults Services, Education Services —
each printing the same kinds of tab-separated table, so ONE list of :class:`TableSpec`
(:data:`TABLES`) is run over each chapter's :class:`Section` (which sets ``division``):

* service tables with two year columns (``2018/19``, ``2017/18``; each column is its own
  ``period``) and a printed ``Total`` row (``service`` ""): Stage 1 complaints received
  (``stage_1``), Stage 2 complaints commenced (``stage_2``), Stage 3 reviews (``stage_3``),
  Local Government & Social Care Ombudsman investigations (``ombudsman_investigations``,
  ``stage`` ombudsman), compliments, and Members' (& MPs') casework — enquiries from
  councillors and MPs, measure ``enquiries``, ``stage`` enquiry, the team in ``service``;
* the nature of Stage 1 complaints (``category`` as printed, ``complaints`` and the row's
  ``pct_of_total``) and their outcomes (``upheld``, ``partially_upheld``, ``not_upheld``,
  ``resolved_early`` with their ``pct_*`` twins). These print the year in a header that is
  offset from the figures (Adults) or blank over the ``%`` column, so the columns are taken
  by position.

Prose (``table`` "prose"): the summary counts at the top of the report (one line per figure,
per chapter) and the timeliness sentences under each chapter ("78% (63 of 81) of complaints
were answered within 20 working days … 2017/18 figure of 86%"). The summary says "Stage 1
Complaints *Closed*" where the tables say "*Received*"; both are ``complaints`` at
``stage_1`` and print the same numbers, so the reconciled view holds one value from two
sources (an at-a-glance vs detailed-table check).

Missing cells (``N/A`` for a team that did not exist in 2017/18) are not emitted.
:data:`SKIPPED_TABLES` records the figures deliberately not extracted, and why.
"""
from __future__ import annotations

from ...observations import Observation
from .engine import (
    Column,
    RawReport,
    ReportFormatError,
    Row,
    Section,
    TableSpec,
    extract_sections,
    next_row,
    read_or_skip,
)
from .harrow import ProseFigure, read_prose

CHAPTERS = (  # (header of the chapter's service tables, division)
    (r"^Children's Services\t", "childrens_social_care"),
    (r"^Adults Services\t", "adult_social_care"),
    (r"^Education Services\t", "education"),
)
SUMMARY_CHAPTERS = (  # (heading of the chapter's summary at the top of the report, division)
    (r"^Child(ren)?'?s Services$", "childrens_social_care"),
    (r"^Adults Services$", "adult_social_care"),
    (r"^Education Services$", "education"),
)

_YEARS = (Column(r"\d{4}\s*/\s*\d{2}", period="header"),)
_TOTAL = (Row(r"Total", {"service": ""}, total=True),)
_SERVICE_HEADER = r"^(Children's|Adults|Education) Services\t"


def _service_table(id: str, anchor: str, measure: str, stage: str, optional: bool = False) -> TableSpec:
    """A table of teams × the two printed years, with a Total row (``optional``: not in every chapter)."""
    return TableSpec(id=id, anchor=anchor, header=_SERVICE_HEADER, columns=_YEARS, rows=_TOTAL,
                     defaults={"measure": measure, "stage": stage}, optional=optional)


# The count in cell 1, its share of the chapter's complaints in cell 2. unit="count" on the
# share column makes the engine name a printed % by the row's count measure (complaints →
# pct_of_total, upheld → pct_upheld, resolved_early → pct_resolved_early).
_COUNT_AND_SHARE = (Column("", index=1), Column("", index=2, unit="count"))

TABLES = (
    _service_table("stage_1_complaints_received", r"^Stage 1 (Corporate )?Complaints Received\t*$", "complaints", "stage_1"),
    TableSpec(id="nature_of_stage_1_complaints", anchor=r"^Nature of (Stage One|Statutory) .*Complaint\t",
              columns=_COUNT_AND_SHARE, row_dim="category", end=r"^Outcome\t",
              defaults={"measure": "complaints", "stage": "stage_1"}),
    TableSpec(id="stage_1_outcomes", anchor=r"^Outcome\t", columns=_COUNT_AND_SHARE, row_dim="measure",
              row_map={r"Upheld": "upheld", r"Partly Upheld": "partially_upheld", r"Not Upheld": "not_upheld",
                       r"Resolved Upon Receipt": "resolved_early"},
              defaults={"stage": "stage_1"}),
    _service_table("stage_2_complaints_commenced", r"^Stage 2 Complaints Commenced\t*$", "complaints", "stage_2", optional=True),
    _service_table("stage_3_reviews_undertaken", r"^Stage 3 Reviews Undertaken\t*$", "complaints", "stage_3", optional=True),
    _service_table("ombudsman_investigations", r"^Local Government & Social Care Ombudsman\t*$", "ombudsman_investigations", "ombudsman", optional=True),
    _service_table("compliments_received", r"^Compliments( Received)?\t*$", "compliments", "all"),
    _service_table("members_casework", r"^Members (& MP's )?Casework\t*$", "enquiries", "enquiry"),
)

# The summary at the top: one line per figure, a chapter omitting the lines it has no figure for.
SUMMARY = (
    ProseFigure("stage_1", r"^(?P<value>\d+) Stage 1 (Complaints Closed|Corporate Complaints)$", "complaints", "stage_1"),
    ProseFigure("stage_2", r"^(?P<value>\d+) Stage 2 Investigations Commenced$", "complaints", "stage_2"),
    ProseFigure("stage_3", r"^(?P<value>\d+) Stage 3 Reviews Undertaken$", "complaints", "stage_3"),
    ProseFigure("ombudsman", r"^(?P<value>\d+) Ombudsman Investigations Undertaken$", "ombudsman_investigations", "ombudsman"),
    ProseFigure("compliments", r"^(?P<value>\d+) Compliments$", "compliments", "all"),
    ProseFigure("members_casework", r"^(?P<value>\d+) Members (& MP's )?Casework$", "enquiries", "enquiry"),
)
# The timeliness sentences under each chapter's tables ("In 2018/19 78% (63 of 81) of …").
_SHARE = r"In (?P<period>\d{4}/\d{2}) (?P<value>\d+%) \(\d+ (?:out )?of \d+\) of "
_COUNT = r"In (?P<period>\d{4}/\d{2}) \d+% \((?P<value>\d+) (?:out )?of \d+\) of "
_CASEWORK_BEFORE = r"from (?P<period>\d{4}/\d{2}) in which "
TIMELINESS = (
    ProseFigure("stage_1_pct_on_time", _SHARE + "complaints were answered", "pct_on_time", "stage_1"),
    ProseFigure("stage_1_on_time", _COUNT + "complaints were answered", "answered_on_time", "stage_1"),
    ProseFigure("stage_1_pct_on_time_previous", r"of complaints were answered .* on (?:the )?(?P<period>\d{4}/\d{2}) figure of (?P<value>\d+%)", "pct_on_time", "stage_1"),
    ProseFigure("casework_pct_on_time", _SHARE + "Members & MP's Casework were responded", "pct_on_time", "enquiry"),
    ProseFigure("casework_on_time", _COUNT + "Members & MP's Casework were responded", "answered_on_time", "enquiry"),
    ProseFigure("casework_pct_on_time_previous", _CASEWORK_BEFORE + r"(?P<value>\d+%) \(\d+ out of \d+\)", "pct_on_time", "enquiry"),
    ProseFigure("casework_on_time_previous", _CASEWORK_BEFORE + r"\d+% \((?P<value>\d+) out of \d+\)", "answered_on_time", "enquiry"),
)

# Figures the report prints that are deliberately not extracted: (id, line of the first, why).
SKIPPED_TABLES: tuple[tuple[str, int, str], ...] = (
    ("contents_pages", 31, "page numbers of the contents list, not complaint figures"),
    ("timeliness_denominators", 69, "the 'of 81' in 'n of N answered on time' restates the chapter's printed Stage 1 / casework total"),
    ("corporate_targets", 225, "the corporate 90% response-time target, not an outcome"),
    ("children_stage_2_progress", 141, "prose restating the 3 Stage 2 investigations (2 completed, 1 ongoing, none to Stage 3)"),
    ("children_stage_2_findings", 150, "3 fully upheld, 3 partially upheld, 7 not upheld: 13 findings from 3 Stage 2 investigations, so complaint points, not complaints; their unit is not stated"),
    ("children_lgo_prose", 173, "prose restating the 2 Ombudsman investigations"),
    ("adult_volume_change", 229, "'an increase of 20 cases': derived from the two printed years"),
    ("adult_lgo_remedies", 296, "individual Ombudsman remedy payments (£200, £200, £600) in case summaries, not a financial table"),
    ("adult_compliments_change", 312, "'an increase of 12 compliments': derived from the two printed years"),
)


def chapters(report: RawReport) -> list[Section]:
    """Each chapter's tables: from the caption above its first service-table header to the next chapter."""
    starts = [next_row(report, report.find(pattern), -1) for pattern, _ in CHAPTERS]
    if starts != sorted(starts):
        raise ReportFormatError(report.source_file, starts[0], "the chapters are not in the order Children's, Adults, Education")
    ends = [s - 1 for s in starts[1:]] + [len(report.lines)]
    return [Section(s, e, {"division": d}) for s, e, (_, d) in zip(starts, ends, CHAPTERS)]


def summaries(report: RawReport, before: int) -> list[Section]:
    """Each chapter's block of summary counts at the top of the report (before the tables)."""
    starts = [report.find(pattern, 1, before) for pattern, _ in SUMMARY_CHAPTERS]
    ends = [s - 1 for s in starts[1:]] + [report.find(r"\t", starts[-1], before)]
    return [Section(s, e, {"division": d}) for s, e, (_, d) in zip(starts, ends, SUMMARY_CHAPTERS)]


def _prose(report: RawReport, section: Section, figures) -> list[Observation]:
    """The figures whose sentence the section prints (a chapter may lack some); a sentence printed
    twice costs that figure only (a skip record)."""
    last = min(section.end, len(report.lines))
    return [o for f in figures if report.find(f.pattern, section.start, section.end, required=False)
            for o in read_or_skip(report, f.id, section.start, last, lambda f=f: [read_prose(f, report, section)])]


def extract(report: RawReport) -> list[Observation]:
    """Every table of every chapter, the summary counts and the timeliness prose."""
    sections = chapters(report)
    out = extract_sections(report, [(section, list(TABLES)) for section in sections])
    for section in summaries(report, sections[0].start):
        out.extend(_prose(report, section, SUMMARY))
    for section in sections:
        out.extend(_prose(report, section, TIMELINESS))
    return out


# Table relations (analysis.clean.relations): declared, reviewable.
from ..relations import Cell, SameFigure  # noqa: E402

# The summary page (lines 9-27) prints each section table's 2018/19 total again.
RELATIONS = tuple(
    SameFigure(Cell("prose", measure, division, stage=stage, line=line), Cell(table, measure, division, stage=stage),
               f"{division}: the summary page's {measure} (line {line}) and the {table} table's total")
    for line, table, measure, division, stage in (
        (9, "stage_1_complaints_received", "complaints", "childrens_social_care", "stage_1"),
        (10, "stage_2_complaints_commenced", "complaints", "childrens_social_care", "stage_2"),
        (11, "stage_3_reviews_undertaken", "complaints", "childrens_social_care", "stage_3"),
        (12, "ombudsman_investigations", "ombudsman_investigations", "childrens_social_care", "ombudsman"),
        (13, "compliments_received", "compliments", "childrens_social_care", "all"),
        (14, "members_casework", "enquiries", "childrens_social_care", "enquiry"),
        (18, "stage_1_complaints_received", "complaints", "adult_social_care", "stage_1"),
        (19, "ombudsman_investigations", "ombudsman_investigations", "adult_social_care", "ombudsman"),
        (20, "compliments_received", "compliments", "adult_social_care", "all"),
        (21, "members_casework", "enquiries", "adult_social_care", "enquiry"),
        (25, "stage_1_complaints_received", "complaints", "education", "stage_1"),
        (26, "compliments_received", "compliments", "education", "all"),
        (27, "members_casework", "enquiries", "education", "enquiry"),
    )
)
