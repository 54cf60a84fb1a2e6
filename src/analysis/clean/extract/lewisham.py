"""Lewisham's annual complaints & casework report (2020-21), converted from Word.

The Word export puts almost every table cell on a line of its own, beginning with a tab;
a cell that wraps continues on the following line(s) without a tab, and blank lines
separate (most) table rows. A table is therefore a *run of cells*, which the tab-separated
:mod:`engine` cannot read. This module holds ONE generic reader for that layout
(:func:`read_cell_table`), driven by declarative :class:`CellTable` specs, plus two tiny
readers for the other layouts the report uses: chart data exported as one tab-separated
line (:class:`SeriesLine`: London boroughs, contact methods, yearly volumes) and figures in
prose or in a ``label: RECEIVED n`` list (:class:`LineFigures`).

Decisions (see the module's final report for the reasoning):

* ``Lewisham Council`` rows: division ``all`` with service ``Lewisham Council`` — the report's
  "Lewisham Council" is every council directorate (social care included), i.e. the whole
  Council as opposed to its arm's-length housing company. ``Lewisham Homes`` rows: division
  ``housing``, service ``Lewisham Homes``. Council + Homes totals: division ``all``, service ``''``.
* Where a table crosses the organisation with an enquiry/case type (Tables 6 and 7, CYP
  Table 5) the organisation keeps ``service`` and the type goes to ``category``; where no
  organisation is printed (CYP Tables 2 and 4) the type is in ``service`` as the contract asks.
* The Independent Adjudicator is the corporate procedure's Stage 3 (the report, 9.1): ``stage_3``.
* Cells with several figures (``300 (11)``, ``27% (3/11)``, ``11 (38%)``, bulleted lists)
  are split by :class:`Piece` regexes; every figure keeps the line its own token is on.
* Percentages are emitted with role ``outside``: quality.py's %-vs-count check needs the
  count on the same line as its row, which cell-per-line tables never have.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from ...observations import Observation
from ...parsing import clean_label, is_missing, parse_number, parse_period, previous_period, slug
from .engine import RawReport, ReportFormatError, TableNotFound, read_or_skip

# ---------------------------------------------------------------------------------------
# Declarative description of a cell-per-line table


@dataclass(frozen=True)
class Row:
    """A known label of a label cell (regex, case-insensitive fullmatch) and what it means.

    ``dims`` may hold any observation dimension plus the special keys ``period`` (``label``:
    the financial year printed in this label), ``rename_measure`` (old → new measure names),
    ``group`` (a suffix: the cell's figures form their own table for total checks), ``unit``
    and ``flag`` (a quality_flag code). ``role`` is ``part``, ``total`` or ``outside``.
    """

    label: str
    dims: dict = field(default_factory=dict)
    role: str = "part"
    skip: bool = False  # a row holding no figure of the study


@dataclass(frozen=True)
class Label:
    """A label cell of every row: known labels (``rows``); any other label goes to ``dim``
    as printed (or is an error when ``dim`` is None). ``fill_down``: an empty cell repeats the
    label above it (vertically merged Word cells)."""

    rows: tuple[Row, ...] = ()
    dim: str | None = None
    fill_down: bool = False


@dataclass(frozen=True)
class Piece:
    """One figure inside a cell: ``pattern`` is searched line by line; its ``value`` group is
    the printed token. A ``label`` group, if any, goes to ``label_dim`` (through ``label_rows``
    when given). ``repeat``: every match (a bulleted list), not only the first."""

    pattern: str
    dims: dict = field(default_factory=dict)
    label_dim: str | None = None
    label_rows: tuple[Row, ...] = ()
    repeat: bool = False


@dataclass(frozen=True)
class Col:
    """A value cell of every row. ``dims`` as for :class:`Row`; a dimension whose value is
    ``"header"`` takes the column's header text (``period="header"`` its financial year).
    ``labels``: positions of the label cells that apply (default: all). ``text_ok``: the cell
    may hold words with no figure (a decision written out) without it being a format error."""

    dims: dict = field(default_factory=dict)
    pieces: tuple[Piece, ...] = ()
    total: bool = False  # the sum of the row's other value cells
    skip: bool = False  # a text column (remedies, comments)
    labels: tuple[int, ...] | None = None
    text_ok: bool = False


@dataclass(frozen=True)
class CellTable:
    """One printed table laid out one cell per line.

    The anchor (regex, searched after the first match of ``after``) is the line that
    introduces the table; the header is the next ``len(header)`` cells, each checked against
    its regex. Rows follow, ``len(cells)`` cells each, until prose resumes, a row's first cell
    matches ``end``, or the file ends. The *last* ``len(cells)`` header cells are the columns'
    headers (for ``"header"`` dimensions).
    """

    id: str
    anchor: str
    header: tuple[str, ...]
    cells: tuple[Label | Col, ...]
    defaults: dict = field(default_factory=dict)
    after: str | None = None
    end: str | None = None
    row_pieces: dict = field(default_factory=dict)  # row label regex → pieces overriding the columns'


@dataclass(frozen=True)
class SeriesLine:
    """Chart data exported as one tab-separated line: [series name] labels… values….

    Labels split by the export around ``&`` are joined again. ``label_dim`` receives each
    label (``council`` as a snake_case id, ``period`` as a financial year, else as printed).
    """

    id: str
    anchor: str
    label_dim: str
    dims: dict
    series: str | None = None  # regex the series-name cell must match (None: no series name)


@dataclass(frozen=True)
class LineFigures:
    """Figures printed one per line in prose or a list, between ``start`` and ``end``."""

    id: str
    start: str
    end: str
    pattern: str  # regex with ``value`` and ``label`` groups, searched on each line
    label_dim: str
    dims: dict
    expected: int  # how many figures the report prints (a changed text is an error, not a gap)
    label_rows: tuple[Row, ...] = ()


# ---------------------------------------------------------------------------------------
# Shared vocabularies of this report

ORGANISATIONS = (
    Row(r"Lewisham Council", {"division": "all", "service": "Lewisham Council"}),
    Row(r"Lewisham Homes", {"division": "housing", "service": "Lewisham Homes"}),
    Row(r"Total", {"division": "all", "service": ""}, role="total"),
)
YEAR_OR_VARIANCE = (
    Row(r"\d{4}\s*/\s*\d{2}", {"period": "label"}),
    # Unsigned difference between the two years, printed under them.
    Row(r"Variance", {"rename_measure": {"cases_due": "cases_due_variance", "pct_on_time": "pct_on_time_variance"}},
        role="outside"),
)
OUTCOME_PERCENT = {  # a "% of total" printed for an outcome count
    "resolved_early": "pct_resolved_early", "withdrawn": "pct_withdrawn", "not_upheld": "pct_not_upheld",
    "partially_upheld": "pct_partially_upheld", "upheld": "pct_upheld",
    "resolved_upon_receipt": "pct_resolved_upon_receipt", "complaints_decided": "pct_of_total",
}
# LGSCO's service categories → the contract's divisions (the label stays in ``service``).
LGSCO_AREAS = (
    Row(r"Adult Care Services", {"division": "adult_social_care"}),
    Row(r"Housing", {"division": "housing"}),
    Row(r"Benefits (and|&) Tax", {"division": "corporate"}),
    Row(r"Corporate & Other Services", {"division": "corporate"}),
    Row(r"Planning & Development", {"division": "planning_regeneration"}),
    Row(r"Environmental Services & Public Protection & Regulation", {"division": "environment_public_protection"}),
    # LGSCO's category spans children's social care and education: approximate.
    Row(r"Education & Children.s Services", {"division": "childrens_social_care", "flag": "division_approximate"}),
)
PCT = r"(?P<value>\d+(?:\.\d+)?%)"
# "27% (3/11)": share on time, answered on time, cases due.
ON_TIME_FRACTION = (
    Piece(PCT, {"measure": "pct_on_time"}),
    Piece(r"\((?P<value>\d+)/", {"measure": "answered_on_time"}),
    Piece(r"/(?P<value>\d+)\)", {"measure": "cases_due"}),
)
# CYP case types (column headers) → stage and measure; the printed type goes to service/category.
CYP_TYPES = {
    "Stage 1": {"stage": "stage_1", "measure": "complaints"},
    "Children Act Stage 1": {"stage": "stage_1", "measure": "complaints"},
    "Children Act- Stage 1": {"stage": "stage_1", "measure": "complaints"},
    "Comment": {"stage": "all", "measure": "comments"},
    "Compliment": {"stage": "all", "measure": "compliments"},
    "General enquiry": {"stage": "enquiry", "measure": "enquiries"},
    "Mayor enquiry": {"stage": "enquiry", "measure": "enquiries"},
    "Member enquiry": {"stage": "enquiry", "measure": "enquiries"},
    "MP enquiry": {"stage": "enquiry", "measure": "enquiries"},
    "Chief Executive enquiry": {"stage": "enquiry", "measure": "enquiries"},
}
QUARTERS = tuple(Row(f"Q{n}", {"quarter": f"Q{n}"}) for n in range(1, 5))
CYP = r"Appendix 3 – Children"
ASC = r"Appendix 2 – Adult Social Care"


def _cyp_type_cols(order: tuple[str, ...], type_dim: str, *, pieces: tuple[Piece, ...] = ()) -> tuple[Col, ...]:
    """Columns for CYP case types in printed order; the type label goes to ``type_dim``."""
    cols = []
    for name in order:
        dims = dict(CYP_TYPES[name])
        dims[type_dim] = "header"
        if pieces:
            dims.pop("measure")
        cols.append(Col(dims, pieces=pieces))
    return tuple(cols)


def _h(*names: str) -> tuple[str, ...]:
    """Header regexes for literal header labels."""
    return tuple(re.escape(n) for n in names)


# "777(72)": the bracket counts the CYP & ASC statutory cases the figure contains (Table 8's note).
STATUTORY_IN_BRACKETS = (
    Piece(r"^(?P<value>\d[\d,]*(?:\.\d+)?%?)\s*(?:\(|$)"),
    Piece(r"\((?P<value>\d[\d,]*)\)", {"service": "CYP & ASC STATUTORY CASES", "group": "statutory"}),
)


def _outcomes_by_stage(table_id: str, anchor: str, caption: tuple[str, ...], defaults: dict, *,
                       end: str | None = None, pieces: tuple[Piece, ...] = ()) -> CellTable:
    """Table 8 (one per organisation): outcome counts by complaint stage, a total and a % row."""
    stages = Label((Row(r"Stage 1", {"stage": "stage_1"}), Row(r"Stage 2", {"stage": "stage_2"}),
                    Row(r"Stage 3", {"stage": "stage_3"}), Row(r"Total", {"stage": "all"}, role="total"),
                    Row(r"% of Total", {"stage": "all", "unit": "percent", "rename_measure": OUTCOME_PERCENT})))
    outcomes = ("resolved_early", "withdrawn", "not_upheld", "partially_upheld", "upheld")
    return CellTable(
        id=table_id, anchor=anchor,
        header=(*caption, r"Complaint Stage", r"Resolved at initial contact", r"Withdrawn", r"Not Upheld",
                r"Partly Upheld", r"Upheld", r"Total"),
        cells=(stages, *(Col({"measure": m}, pieces=pieces) for m in outcomes),
               Col({"measure": "complaints_decided"}, pieces=pieces, total=True)),
        defaults=defaults, end=end,
    )


def _cyp_requests(number: int, stage: int, anchor: str, first_header: str, accepted_header: str, *,
                  total: bool = False) -> CellTable:
    """CYP Tables 7 and 9: stage 2/3 requests received and what became of them, by case type."""
    return CellTable(
        id=f"cyp_t{number}_stage{stage}_requests", after=CYP, anchor=anchor,
        header=(first_header, r"Requests received", accepted_header, r"Withdrawn", r"Rejected", r"Resolved by ADR",
                *((r"Total",) if total else ())),
        cells=(Label((Row(r"Total", {"service": ""}, role="total"),), dim="service"),
               Col({"measure": "complaints"}),
               # "11 (38%)": accepted, and that as a share of the requests received.
               Col(pieces=(Piece(r"^(?P<value>\d+)", {"measure": "accepted_for_investigation"}),
                           Piece(r"\(" + PCT + r"\)", {"measure": "pct_accepted_for_investigation"}))),
               Col({"measure": "withdrawn"}), Col({"measure": "rejected"}), Col({"measure": "resolved_early"}),
               # The Total column adds up the four dispositions: the requests received again.
               *((Col({"measure": "complaints"}, total=True),) if total else ())),
        defaults={"division": "childrens_social_care", "stage": f"stage_{stage}"},
    )


CELL_TABLES: tuple[CellTable, ...] = (
    CellTable(
        id="t2_stage1_complaints_by_organisation",
        anchor=r"^Table 2\s*[–-]\s*Volume of New Stage 1",
        header=(r"Stage 1 Corporate Complaints Received.*", r"Organisation", r"\d{4}/\d{2}", r"\d{4}/\d{2}",
                r"% increase / decrease.*"),
        cells=(Label(ORGANISATIONS),
               Col({"measure": "complaints", "period": "header"}), Col({"measure": "complaints", "period": "header"}),
               Col({"measure": "pct_change", "flag": "unsigned_change"})),
        defaults={"stage": "stage_1"},
    ),
    CellTable(
        id="t3_enquiries_by_organisation",
        anchor=r"^Table 3\s*[–-]\s*Volume of New Enquiries",
        header=(r"Enquiries Received.*", r"Organisation", r"\d{4}/\d{2}", r"\d{4}/\d{2}", r"% increase / decrease.*"),
        cells=(Label(ORGANISATIONS),
               Col({"measure": "enquiries", "period": "header"}), Col({"measure": "enquiries", "period": "header"}),
               Col({"measure": "pct_change", "flag": "unsigned_change"})),
        defaults={"stage": "enquiry"},
    ),
    CellTable(
        id="t5_top_complaint_issues_council",
        anchor=r"^Table 5\s*[–-]\s*Top 5 Complaint Issues",
        header=(r"Outcome of Top 5 Complaint Issues.*", r"Lewisham Council", r"Complaints Issue", r"No\. of Cases",
                r"Resolved upon Receipt\*?", r"Not Upheld", r"Partly Upheld", r"Upheld"),
        cells=(Label(dim="category"), Col({"measure": "complaints"}, total=True), Col({"measure": "resolved_early"}),
               Col({"measure": "not_upheld"}), Col({"measure": "partially_upheld"}), Col({"measure": "upheld"})),
        defaults={"division": "all", "service": "Lewisham Council"},
        end=r"Lewisham Homes",
    ),
    CellTable(
        id="t5_top_complaint_issues_homes",
        after=r"^Table 5\s*[–-]\s*Top 5 Complaint Issues",
        anchor=r"^\tLewisham Homes\s*$",
        header=(r"Complaints Issue", r"No\. of Cases", r"Resolved upon Receipt\*?", r"Not Upheld", r"Partly Upheld",
                r"Upheld"),
        cells=(Label(dim="category"), Col({"measure": "complaints"}, total=True), Col({"measure": "resolved_early"}),
               Col({"measure": "not_upheld"}), Col({"measure": "partially_upheld"}), Col({"measure": "upheld"})),
        defaults={"division": "housing", "service": "Lewisham Homes"},
    ),
    CellTable(
        id="t6_timeliness_complaints_and_general_enquiries",
        anchor=r"^Table 6\s*[–-]\s*Timeliness of Stage 1",
        header=(r"Timeliness of Corporate Complaints and General Enquiries.*", r"Organisation", r"Year / Variance",
                r"Stage 1 Complaints", r"Stage 2 Complaints", r"General Enquiries", "", "",
                *(r"Cases Due", r"% On Time") * 3),
        cells=(Label(ORGANISATIONS, fill_down=True), Label(YEAR_OR_VARIANCE),
               Col({"stage": "stage_1", "measure": "cases_due"}), Col({"stage": "stage_1", "measure": "pct_on_time"}),
               Col({"stage": "stage_2", "measure": "cases_due"}), Col({"stage": "stage_2", "measure": "pct_on_time"}),
               Col({"stage": "enquiry", "measure": "cases_due", "category": "General Enquiries"}),
               Col({"stage": "enquiry", "measure": "pct_on_time", "category": "General Enquiries"})),
    ),
    CellTable(
        id="t7_timeliness_mp_mayor_member_ceo_enquiries",
        anchor=r"^Table 7\s*[–-]\s*Timeliness of MP",
        header=(r"Timeliness of Enquiries.*", r"Organisation", r"Year / Variance", r"MP", r"Mayor", r"Members", r"CEO",
                "", "", *(r"Cases Due", r"% On Time") * 4),
        cells=(Label(ORGANISATIONS, fill_down=True), Label(YEAR_OR_VARIANCE),
               *(Col({"measure": measure, "category": kind})
                 for kind in ("MP", "Mayor", "Members", "CEO") for measure in ("cases_due", "pct_on_time"))),
        defaults={"stage": "enquiry"},
    ),
    _outcomes_by_stage("t8_complaint_outcomes_council", r"^Table 8\s*[–-]\s*Complaints Outcomes",
                       (r"Complaint Outcomes – Lewisham Council",), ORGANISATIONS[0].dims,
                       end=r"Complaint Outcomes – Lewisham Homes", pieces=STATUTORY_IN_BRACKETS),
    _outcomes_by_stage("t8_complaint_outcomes_homes", r"^\tComplaint Outcomes – Lewisham Homes", (),
                       ORGANISATIONS[1].dims),
    CellTable(
        id="t9_independent_adjudicator",
        anchor=r"^Table 9\s*[–-]\s*Independent Adjudicator",
        header=(r"Independent Adjudicator Case Outcomes.*", r"Year", r"Cases Determined", r"Cases Upheld / Partly Upheld",
                r"Cases Awarded Compensation", r"Total Compensation Awarded", r"Average Compensation Awarded"),
        cells=(Label((Row(r"\d{4}/\d{2}", {"period": "label"}),)),
               Col({"measure": "complaints_decided"}), Col({"measure": "upheld_or_partially_upheld"}),
               Col({"measure": "cases_compensated"}), Col({"measure": "compensation_gbp"}),
               Col({"measure": "average_compensation_gbp"})),
        defaults={"stage": "stage_3"},
    ),
    CellTable(
        id="t10_lgsco_casework",
        anchor=r"^Table 10\s*[–-]\s*LGSCO",
        header=(r"LGSCO Casework", r"\d{4}/\d{2}", r"\d{4}/\d{2}"),
        cells=(Label((
            Row(r"Referrals Received", {"measure": "ombudsman_referrals", "group": "referrals"}, role="total"),
            # Only the top three areas are listed: not parts that add up to the referrals.
            Row(r"Top 3 Referrals", {"measure": "ombudsman_referrals", "group": "referrals"}, role="outside"),
            Row(r"Detailed Investigations", {"measure": "ombudsman_investigations"}),
            Row(r"Cases Upheld", {"measure": "ombudsman_upheld", "group": "upheld"}, role="total"),
            Row(r"% of Decided Cases Upheld", {"measure": "pct_ombudsman_upheld"}),
            Row(r"Upheld Cases – service category", {"measure": "ombudsman_upheld", "group": "upheld"}),
            Row(r"Compensation", {}),
        )), Col({"period": "header"}), Col({"period": "header"})),
        defaults={"stage": "ombudsman"},
        row_pieces={
            r"Referrals Received|Detailed Investigations|Cases Upheld": (Piece(r"^(?P<value>\d[\d,]*) cases?\b"),),
            r"Top 3 Referrals|Upheld Cases – service category": (
                Piece(r"^·?\s*(?P<label>\S.*?)\s+[–-]\s*(?P<value>\d+)\s*$", label_dim="service",
                      label_rows=LGSCO_AREAS, repeat=True),),
            r"Compensation": (
                Piece(r"^·\s*(?P<value>\d+) cases awarded compensation", {"measure": "cases_compensated"}),
                Piece(r"^·\s*Total\s*[–-]\s*(?P<value>£\s*[\d,]+(?:\.\d+)?)", {"measure": "compensation_gbp"}),
                Piece(r"^·\s*Average per case\s*[–-]\s*(?P<value>£\s*[\d,]+(?:\.\d+)?)",
                      {"measure": "average_compensation_gbp"})),
        },
    ),
    # --- Appendix 2: adult social care (statutory procedure; one local stage, so stage "all")
    CellTable(
        id="asc_complaints_by_year",
        after=ASC,
        anchor=r"table below shows that number in comparison to previous reporting periods",
        header=(r"\d{4}/\d{2}",) * 7,
        cells=tuple(Col({"measure": "complaints", "period": "header"}) for _ in range(7)),
        defaults={"division": "adult_social_care"},
    ),
    CellTable(
        id="asc_complaints_by_quarter",
        after=ASC,
        anchor=r"number of complaints received per quarter",
        header=(r"Q1", r"Q2", r"Q3", r"Q4", *(r"\d{2}/\d{2}",) * 8),
        cells=tuple(Col({"measure": "complaints", "period": "header", "quarter": f"Q{q}"})
                    for q in (1, 1, 2, 2, 3, 3, 4, 4)),
        defaults={"division": "adult_social_care"},
    ),
    CellTable(
        id="asc_complaints_by_service_and_response_time",
        after=ASC,
        anchor=r"number of complaints received during the reporting period by service",
        header=(r"Service menu \(level 3\)", r"0 - 10 working days", r"11 - 25 working days", r"26-60 working days",
                r"61\+ working days", r"Total"),
        cells=(Label((Row(r"Total", {"service": ""}, role="total"),), dim="service"),
               Col({"measure": "responded_in_0_10_working_days"}), Col({"measure": "responded_in_11_25_working_days"}),
               Col({"measure": "responded_in_26_60_working_days"}),
               Col({"measure": "responded_in_61_plus_working_days"}),
               Col({"measure": "complaints"}, total=True)),
        defaults={"division": "adult_social_care"},
    ),
    # --- Appendix 3: the Children and Young People directorate (social care and education)
    CellTable(
        id="cyp_t1_cases_by_year",
        after=CYP,
        anchor=r"Table 1\.\s+Total of new cases",
        header=(r"\d{4}\s*[/-]\s*\d{4}",) * 3,
        cells=tuple(Col({"measure": "cases", "period": "header"}) for _ in range(3)),
        defaults={"division": "childrens_social_care"},
    ),
    CellTable(
        id="cyp_t2_cases_by_quarter",
        after=CYP,
        anchor=r"Table 2\.\s+Breakdown of new cases",
        header=(r"Period", *_h("Stage 1", "Children Act Stage 1", "Comment", "General enquiry", "Mayor enquiry",
                               "Member enquiry", "MP enquiry", "Compliment", "Chief Executive enquiry"), r"Total"),
        cells=(Label((*QUARTERS, Row(r"Total", {}, role="total"))),
               *_cyp_type_cols(("Stage 1", "Children Act Stage 1", "Comment", "General enquiry", "Mayor enquiry",
                                "Member enquiry", "MP enquiry", "Compliment", "Chief Executive enquiry"), "service"),
               Col({"measure": "cases", "stage": "all"}, total=True)),
        defaults={"division": "childrens_social_care"},
    ),
    CellTable(
        id="cyp_t4_on_time_by_quarter",
        after=CYP,
        anchor=r"Table 4\.\s+Stage 1 Complaints and enquiries with % responded on time",
        header=(r"Period", *_h("Stage 1", "Children Act Stage 1", "General enquiry", "Mayor enquiry", "Member enquiry",
                               "MP enquiry", "Comment", "Compliment", "Chief Executive enquiry")),
        cells=(Label(QUARTERS),
               *_cyp_type_cols(("Stage 1", "Children Act Stage 1", "General enquiry", "Mayor enquiry", "Member enquiry",
                                "MP enquiry", "Comment", "Compliment", "Chief Executive enquiry"), "service",
                               pieces=ON_TIME_FRACTION)),
        defaults={"division": "childrens_social_care"},
    ),
    CellTable(
        id="cyp_t5_on_time_by_division",
        after=CYP,
        anchor=r"Table 5\.\s+Cases responded to within timescale",
        header=(r"Division", *_h("Stage 1", "Children Act- Stage 1", "Comment", "Compliment", "General enquiry",
                                 "Mayor enquiry", "Member enquiry", "MP enquiry", "Chief Executive enquiry")),
        cells=(Label((
            Row(r"Social Care", {"division": "childrens_social_care", "service": "Social Care"}),
            Row(r"Education Services", {"division": "education", "service": "Education Services"}),
            # Printed "4Joint Commissioning & Early Help": a stray digit before the name.
            Row(r"4?Joint Commissioning & Early Help", {"division": "childrens_social_care",
                                                         "service": "Joint Commissioning & Early Help",
                                                         "flag": "label_stray_digit_removed"}))),
               *_cyp_type_cols(("Stage 1", "Children Act- Stage 1", "Comment", "Compliment", "General enquiry",
                                "Mayor enquiry", "Member enquiry", "MP enquiry", "Chief Executive enquiry"), "category",
                               pieces=ON_TIME_FRACTION)),
    ),
    CellTable(
        id="cyp_t6_stage1_outcomes",
        after=CYP,
        anchor=r"Table 6 Outcome of Stage 1 complaints",
        header=(r"Outcome", r"Stage 1", r"Children Act Stage 1", r"Total", r"%"),
        cells=(Label((
            Row(r"Not upheld", {"measure": "not_upheld"}), Row(r"Partly upheld", {"measure": "partially_upheld"}),
            Row(r"Upheld", {"measure": "upheld"}),
            Row(r"Resolved at first point of contact", {"measure": "resolved_early"}),
            Row(r"Resolved upon receipt", {"measure": "resolved_upon_receipt"}),
            Row(r"Total", {"measure": "complaints_decided"}, role="total"),
            # The last row: each column's share of all stage 1 complaints decided.
            Row(r"%", {"measure": "pct_of_total", "unit": "percent"}))),
            Col({"service": "header"}), Col({"service": "header"}), Col({"service": ""}, total=True),
            Col({"service": "", "unit": "percent", "rename_measure": OUTCOME_PERCENT})),
        defaults={"division": "childrens_social_care", "stage": "stage_1"},
    ),
    _cyp_requests(7, 2, r"Table 7\.\s+Stage 2 requests received", "", r"Accepted for investigation", total=True),
    _cyp_requests(9, 3, r"Table 9\.\s+Stage 3 requests received", r"Case type", r"Accepted for Panel/investigation"),
    CellTable(
        id="cyp_t8_stage2_outcomes",
        after=CYP,
        anchor=r"Table 8\.\s+Stage 2 outcomes",
        header=(r"Outcome", r"Stage 2", r"Children Act Stage 2", r"Total"),
        cells=(Label((Row(r"Not upheld", {"measure": "not_upheld"}), Row(r"Partly upheld", {"measure": "partially_upheld"}),
                      Row(r"Upheld", {"measure": "upheld"}),
                      Row(r"Total", {"measure": "complaints_decided"}, role="total"))),
               Col({"service": "header"}), Col({"service": "header"}), Col({"service": ""}, total=True)),
        defaults={"division": "childrens_social_care", "stage": "stage_2"},
    ),
    CellTable(
        id="cyp_t11_lgsco_received",
        after=CYP,
        anchor=r"Table 11\.\s+Breakdown of complaints received",
        header=(r"Case type", r"Numbers received", r"Service", r"Decision", r"Remedy"),
        cells=(Label((Row(r"Children Act", {"service": "Children Act"}), Row(r"Corporate", {"service": "Corporate"}),
                      Row(r"Total", {"service": ""}, role="total")), fill_down=True),
               Col({"measure": "ombudsman_referrals"}, labels=(0,)),
               Label((Row(r"SEN team", {"division": "education", "service": "SEN team"}),), dim="service"),
               Col(labels=(2,), text_ok=True, pieces=(
                   Piece(r"^(?P<value>\d+) complaints? investigated", {"measure": "ombudsman_investigations"}),
                   Piece(r"^(?P<value>\d+) premature complaints?", {"measure": "ombudsman_premature"}),
                   Piece(r"^(?P<value>\d+) complaints? outside jurisdiction", {"measure": "ombudsman_no_jurisdiction"}),
                   Piece(r"^(?P<value>\d+) complaints? carried over", {"measure": "ombudsman_ongoing"}))),
               Col(skip=True)),
        defaults={"division": "childrens_social_care", "stage": "ombudsman"},
    ),
    CellTable(
        id="cyp_t12_lgsco_carried_over_completed",
        after=CYP,
        anchor=r"Table 12\.\s+LGSCO complaints carried over",
        header=(r"Case type", r"Service", r"Decision", r"Remedy"),
        cells=(Label((Row(r"Children Act", skip=True), Row(r"Total", {}, role="total"))),
               Col({"measure": "ombudsman_decisions"}, text_ok=True), Col(skip=True), Col(skip=True)),
        defaults={"division": "childrens_social_care", "stage": "ombudsman"},
    ),
)

SERIES_LINES: tuple[SeriesLine, ...] = (
    SeriesLine("t11_lgsco_received_london_boroughs", r"^LGSCO Cases Received in 2020/21 - London Boroughs",
               "council", {"measure": "ombudsman_referrals", "stage": "ombudsman", "period": "anchor"}, series=r"Total"),
    SeriesLine("t12_lgsco_upheld_london_boroughs", r"^LGSCO Cases Upheld in 2020/21 - London Boroughs",
               "council", {"measure": "ombudsman_upheld", "stage": "ombudsman", "period": "anchor"}, series=r"Upheld"),
    SeriesLine("t21_complaints_contact_method", r"^Complaints\s+- Method of Contact in 2020/21",
               "category", {"measure": "complaints", "period": "anchor"}),  # by contact method (category)
    SeriesLine("t22_enquiries_contact_method", r"^Enquiries\s+- Method of Contact in 2020/21",
               "category", {"measure": "enquiries", "stage": "enquiry", "period": "anchor"}),  # by contact method
    SeriesLine("t4_complaints_and_enquiries_by_year", r"^Volume of Complaints & Enquiries Received$",
               "period", {"measure": "complaints_and_enquiries"}),
)

LINE_FIGURES: tuple[LineFigures, ...] = (
    # Adult social care root-cause analysis (Appendix 2, "Category analysis").
    LineFigures("prose", r"^Category analysis$", r"Learning from complaints",
                r"^·\s*" + PCT + r" of complaints (?:received )?(?:related to|were about|recorded|reported) "
                r"(?P<label>[^.]+)\.", "category",
                {"division": "adult_social_care", "measure": "pct_of_total", "unit": "percent"}, expected=7),
    LineFigures("compliments_by_directorate", r"copy of a compliment received for each Council directorate",
                r"Equalities Analysis", r"^(?P<label>[^:\t]+):\s+RECEIVED (?P<value>\d+) COMPLIMENTS", "service",
                {"measure": "compliments"}, expected=5, label_rows=(
                    Row(r"Children and Young People", {"division": "childrens_social_care"}),
                    Row(r"Community Services", {"division": "adult_social_care", "flag": "division_approximate"}),
                    Row(r"Corporate Services", {"division": "corporate"}),
                    Row(r"Housing, Public Realm & Regeneration", {"division": "housing", "flag": "division_approximate"}),
                    Row(r"Lewisham Homes", {"division": "housing"}))),
)

# Tables the report prints only as pictures (or without figures of the study): not extracted.
SKIPPED_TABLES: tuple[tuple[str, int, str], ...] = (
    ("t1_standard_response_times", 86, "response-time targets (working days), not complaint figures"),
    ("t4_complaints_and_enquiries_by_year", 188, "chart lost in the export; its data line (2238) is extracted"),
    ("t11_t12_lgsco_london", 797, "charts lost in the export; their data lines (2212, 2218) are extracted"),
    ("t13_complaints_and_enquiries_by_ward", 812, "[image: ] — lost in the export"),
    ("t14_complaints_per_1000_by_ward", 818, "[image: ] — lost in the export"),
    ("t15_enquiries_per_1000_by_ward", 839, "[image: ] — lost in the export"),
    ("t16_t20_equalities", 865, "equalities profile of contact records (% of contacts), not complaint figures"),
    ("t21_t22_contact_methods", 1106, "charts lost in the export; their data lines (2224, 2230) are extracted"),
    ("asc_lgsco_comparator_boroughs", 1256, "[image: ] — graph of LGSCO ASC complaints vs comparator boroughs"),
    ("cyp_t3_issues_in_new_cases", 1648, "[image: ] — lost in the export"),
    ("cyp_t10_stage3_outcomes", 1957, "outcomes written out per case, no figures"),
    ("cyp_t11_lgsco_received", 1993, "'I complaint outside jurisdiction': a letter for the figure, no digit to cite"),
    ("appendix5_lgsco_upheld_cases", 2158, "case references and text, no figures"),
)

# ---------------------------------------------------------------------------------------
# Reading cells


@dataclass(frozen=True)
class Cell:
    """One table cell: its text parts with their line numbers (a wrapped cell has several)."""

    parts: tuple[tuple[int, str], ...]

    @property
    def line(self) -> int:
        return self.parts[0][0]

    @property
    def text(self) -> str:
        return clean_label(" ".join(text for _, text in self.parts))


@dataclass(frozen=True)
class Gap:
    """A run of ``size`` empty lines between cells of a report whose tables were printed aligned
    by spaces: each may have been an empty cell (a line holding only a tab) or a plain blank line."""

    line: int
    size: int


def iter_cells(report: RawReport, start: int, *, gaps: bool = False) -> Iterator[Cell | Gap]:
    """Cells from line ``start`` on: a line beginning with a tab opens a cell, a line without
    one continues it; prose (a line without a tab after a blank line) ends the run.

    ``gaps``: the report lost its empty cells' tabs (:attr:`RawReport.lost_empty_cells`), so
    runs of empty lines between cells (and after the last) are yielded as :class:`Gap` s, and a
    line without a tab after one is a cell when a cell follows it at once (a wrapped cell whose
    first line was a lone tab, e.g. "Q2" of CYP Table 4)."""
    parts: list[tuple[int, str]] = []
    after_blank = started = False
    blank: list[int] = []
    for number in range(start, len(report.lines) + 1):
        raw = report.line(number)
        if number in report.separators:  # a markdown rule between a table's rows
            continue
        if not raw.strip() and not raw.startswith("\t"):  # a lone tab is an empty cell
            after_blank = True
            blank.append(number)
            continue
        if raw.startswith("\t") or (gaps and after_blank and _lost_tab_label(report, number)):
            if parts:
                yield Cell(tuple(parts))
            if gaps and blank:
                yield Gap(blank[0], len(blank))
            parts, after_blank, started = [(number, raw.strip())], False, True
        elif parts and not after_blank:
            parts.append((number, raw.strip()))
        elif started:
            break  # prose after the table
        # (prose between the anchor and the first cell, e.g. a note under the caption, is passed over)
        blank = []
    if parts:
        yield Cell(tuple(parts))
    if gaps and started and blank:
        yield Gap(blank[0], len(blank))


def _lost_tab_label(report: RawReport, number: int) -> bool:
    """A line without a tab after an empty line that is a cell whose first line was a lone tab
    (``\t`` then ``Q2``; ``\t`` then ``Total``): a short label, with a cell beginning on the
    next line or the one after it. Prose under a table is longer, or not followed by cells."""
    text = report.line(number).strip()
    if len(text.split()) > 4 or text.endswith((".", ":")):
        return False
    following = [report.line(n) for n in range(number + 1, min(number + 3, len(report.lines)) + 1)]
    return bool(following) and (following[0].startswith("\t")
                                or (len(following) > 1 and not following[0].strip() and following[1].startswith("\t")))


def _fullmatch(pattern: str, text: str) -> bool:
    return re.fullmatch(pattern, text, flags=re.IGNORECASE) is not None


def _anchor_line(report: RawReport, pattern: str, after: str | None, what: str) -> int:
    start = 1
    if after:
        found = report.find(after, required=False)
        if found is None:
            raise TableNotFound(report.source_file, None,
                                f"{what}: section /{after}/ not found in any of its {report.line_count} lines")
        start = found
    found = report.find(pattern, start, required=False)
    if found is None:
        raise TableNotFound(report.source_file, start, f"{what}: anchor /{pattern}/ not found after this line")
    return found


def _label_dims(spec: CellTable, label: Label, cell: Cell, previous: str, report: RawReport) -> tuple[dict, str, bool, str]:
    """(dims, role, skip, label text) for one label cell of a row."""
    text = cell.text
    if not text and label.fill_down:
        text = previous
    for row in label.rows:
        if _fullmatch(row.label, text):
            dims = dict(row.dims)
            if dims.get("period") == "label":
                dims["period"] = _period(text, report, cell.line, spec.id)
            return dims, row.role, row.skip, text
    if label.dim:
        return {label.dim: text}, "part", False, text
    raise ReportFormatError(report.source_file, cell.line, f"table {spec.id!r}: row label {text!r} is not in the template")


def _period(text: str, report: RawReport, line: int, table: str) -> str:
    period = parse_period(text)
    if not period:
        raise ReportFormatError(report.source_file, line, f"table {table!r}: {text!r} holds no financial year")
    return period


def _restore_empty_cells(spec: CellTable, report: RawReport, anchor: int) -> list[Cell]:
    """The table's cells with the empty cells a space-aligned printing lost put back, when only
    one way of putting them back fits the template; otherwise the table is refused (a skip
    record), never read with a figure shifted into another cell.

    Each run of empty lines may hold up to as many empty cells as it has lines. A reading puts
    some number of empty cells in every run so that the header cells match the template's,
    every row has the template's cells, each label cell is one the template knows (or empty
    where a label fills down), and each value cell is empty or holds a figure. The true
    reading is always among those that fit (the tab export's), so exactly one fitting reading
    is the true one; none or several mean the table cannot be read safely.
    """
    tokens = list(iter_cells(report, anchor + 1, gaps=True))
    width, header = len(spec.cells), len(spec.header)
    limit = len(tokens)
    if spec.end:  # the table stops at the first row whose first cell matches ``end``
        limit = next((i for i, t in enumerate(tokens) if isinstance(t, Cell)
                      and re.search(spec.end, t.text, flags=re.IGNORECASE)), limit)

    def fills(state: tuple[int, int], n: int) -> Iterator[tuple[tuple[Cell, ...], tuple[int, int]]]:
        """Every way to take ``n`` cells from ``state`` (token index, empty cells taken from it)."""
        if n == 0:
            yield (), state
            return
        index, used = state
        if index >= limit:
            return
        token = tokens[index]
        if isinstance(token, Gap):
            if used < token.size:  # one more of its lines was an empty cell
                for rest, end in fills((index, used + 1), n - 1):
                    yield (Cell(((token.line + used, ""),)), *rest), end
            yield from fills((index + 1, 0), n)  # the rest of its lines were blank lines
        else:
            for rest, end in fills((index + 1, 0), n - 1):
                yield (token, *rest), end

    def at_end(state: tuple[int, int]) -> bool:
        return all(isinstance(t, Gap) for t in tokens[state[0]:limit])

    counted: dict[tuple[int, int], int] = {}

    def readings(state: tuple[int, int]) -> int:
        """How many ways (0, 1 or 2 for "several") the rows from ``state`` on fit the template."""
        if state not in counted:
            total = 1 if at_end(state) else 0
            for row, end in fills(state, width):
                if total > 1:
                    break
                if _fits_row(spec, row):
                    total += readings(end)
            counted[state] = min(total, 2)
        return counted[state]

    # a line without a tab just before the first cell is the header's first cell (its tab lost)
    # or prose under the caption: both are tried
    first_tabbed = next((i for i, t in enumerate(tokens) if isinstance(t, Cell)
                         and report.line(t.line).startswith("\t")), 0)
    untabbed = [i for i, t in enumerate(tokens[:first_tabbed]) if isinstance(t, Cell)]
    firsts = (0, untabbed[-1] + 1) if untabbed else (0,)
    starts = [(cells, end) for first in firsts for cells, end in fills((first, 0), header)
              if all(_fullmatch(p, c.text) for p, c in zip(spec.header, cells)) and not at_end(end)]
    found = sum(readings(end) for _, end in starts)
    if found != 1:
        why = "no reading fits the template" if not found else "more than one reading fits the template"
        raise ReportFormatError(report.source_file, anchor, f"table {spec.id!r}: its empty cells were printed as "
                                f"blank lines (columns aligned by spaces) and {why}, so it is not read")
    cells, state = next((c, e) for c, e in starts if readings(e))
    out = list(cells)
    while not at_end(state) or any(readings(e) for r, e in fills(state, width) if _fits_row(spec, r)):
        options = [(r, e) for r, e in fills(state, width) if _fits_row(spec, r) and readings(e)]
        if not options:
            break
        row, state = options[0]
        out.extend(row)
    out.extend(t for t in tokens[limit:limit + 1] if isinstance(t, Cell))  # the ``end`` row's first cell
    return out


def _fits_row(spec: CellTable, row: tuple[Cell, ...]) -> bool:
    """A row's cells could be the template's: known (or filled-down) labels, figures or nothing in value cells."""
    if all(not c.text for c in row):
        return False
    for kind, cell in zip(spec.cells, row):
        text = cell.text
        if isinstance(kind, Label):
            if not text:
                if not kind.fill_down:
                    return False
            elif kind.dim is None and not any(_fullmatch(r.label, text) for r in kind.rows):
                return False
        elif text and not kind.skip and not kind.text_ok and not is_missing(text):
            if not re.search(r"\d", text) or (not kind.pieces and not spec.row_pieces and parse_number(text) is None):
                return False
    return True


def read_cell_table(spec: CellTable, report: RawReport) -> list[Observation]:
    """Every figure of one cell-per-line table (missing cells give no observation)."""
    anchor = _anchor_line(report, spec.anchor, spec.after, f"table {spec.id!r}")
    if report.lost_empty_cells:
        cells = iter(_restore_empty_cells(spec, report, anchor))
    else:
        cells = iter_cells(report, anchor + 1)
    header: list[Cell] = []
    for pattern in spec.header:
        cell = next(cells, None)
        if cell is None or not _fullmatch(pattern, cell.text):
            where = cell.line if cell else anchor
            got = repr(cell.text) if cell else "nothing"
            raise ReportFormatError(report.source_file, where,
                                    f"table {spec.id!r}: header cell /{pattern}/ expected, found {got}")
        header.append(cell)
    width = len(spec.cells)
    col_headers = [c.text for c in header[-width:]] if len(header) >= width else [""] * width
    group = f"{report.source_file}:{header[0].line if header else anchor}:{spec.id}"
    out: list[Observation] = []
    previous_labels = [""] * width
    row: list[Cell] = []
    rows = 0
    for cell in cells:
        if not row and spec.end and re.search(spec.end, cell.text, flags=re.IGNORECASE):
            break
        row.append(cell)
        if len(row) == width:
            out.extend(_read_row(spec, report, row, col_headers, previous_labels, group))
            row, rows = [], rows + 1
    if row:
        raise ReportFormatError(report.source_file, row[0].line,
                                f"table {spec.id!r}: a row of {len(row)} cells where {width} are expected")
    if not rows:
        raise ReportFormatError(report.source_file, anchor, f"table {spec.id!r}: no rows after the header")
    return out


def _read_row(spec: CellTable, report: RawReport, row: list[Cell], col_headers: list[str],
              previous_labels: list[str], group: str) -> list[Observation]:
    labels: dict[int, tuple[dict, str, bool]] = {}
    for index, (kind, cell) in enumerate(zip(spec.cells, row)):
        if isinstance(kind, Label):
            dims, role, skip, text = _label_dims(spec, kind, cell, previous_labels[index], report)
            previous_labels[index] = text
            labels[index] = (dims, role, skip)
    label_text = " ".join(row[i].text for i in sorted(labels))
    out: list[Observation] = []
    for index, (kind, cell) in enumerate(zip(spec.cells, row)):
        if not isinstance(kind, Col) or kind.skip:
            continue
        used = [labels[i] for i in (kind.labels if kind.labels is not None else sorted(labels))]
        if any(skip for _, _, skip in used):
            continue
        roles = {role for _, role, _ in used}
        role = "outside" if "outside" in roles else "total" if "total" in roles or kind.total else "part"
        dims = {"division": "all", "stage": "all", "service": "", "category": "", "quarter": "", "period": "report"}
        dims.update(spec.defaults)
        renames: dict = {}
        flags: list[str] = []
        for label_dims, _, _ in used:
            _merge(dims, label_dims, renames, flags)
        column_dims = {k: (col_headers[index] if v == "header" and k != "period" else v) for k, v in kind.dims.items()}
        if kind.dims.get("period") == "header":
            column_dims["period"] = _period(col_headers[index], report, row[0].line, spec.id)
        _merge(dims, column_dims, renames, flags)
        pieces = kind.pieces
        for pattern, row_pieces in spec.row_pieces.items():
            if _fullmatch(pattern, label_text):
                pieces = row_pieces
        out.extend(_read_cell(spec, report, cell, pieces, dims, renames, flags, role, group, index, kind.text_ok))
    return out


def _merge(dims: dict, more: dict, renames: dict, flags: list[str]) -> None:
    for key, value in more.items():
        if key == "rename_measure":
            renames.update(value)
        elif key == "flag":
            flags.append(value)
        elif key == "group":
            dims["group"] = f"{dims['group']}:{value}" if dims.get("group") else value
        else:
            dims[key] = value


def _read_cell(spec: CellTable, report: RawReport, cell: Cell, pieces: tuple[Piece, ...], dims: dict, renames: dict,
               flags: list[str], role: str, group: str, column: int, text_ok: bool) -> list[Observation]:
    """The figures of one value cell: the whole cell, or each :class:`Piece` found in it."""
    if is_missing(cell.text):
        return []
    found: list[tuple[int, str, dict, int]] = []  # (line, token, dims, piece number)
    if not pieces:
        token_line = next((line for line, text in cell.parts if re.search(r"\d", text)), cell.line)
        found.append((token_line, cell.text, {}, 0))
    for number, piece in enumerate(pieces):
        for line, text in cell.parts:
            matches = list(re.finditer(piece.pattern, text)) if piece.repeat else [m for m in [re.search(piece.pattern, text)] if m]
            for match in matches:
                extra = dict(piece.dims)
                if piece.label_dim:
                    label = clean_label(match["label"])
                    extra[piece.label_dim] = label
                    for known in piece.label_rows:
                        if _fullmatch(known.label, label):
                            extra.update(known.dims)
                found.append((line, match["value"], extra, number))
            if matches and not piece.repeat:
                break
    out = []
    for line, token, extra, number in found:
        if is_missing(token):
            continue
        parsed = parse_number(token)
        if parsed is None:
            if text_ok:
                continue
            raise ReportFormatError(report.source_file, line,
                                    f"table {spec.id!r}: {token!r} is not a figure where one is expected")
        cell_dims, cell_renames, cell_flags = dict(dims), dict(renames), list(flags)
        _merge(cell_dims, extra, cell_renames, cell_flags)
        if parsed.ocr_repaired:
            cell_flags.append("ocr_digit_repaired")
        out.append(_observation(report, spec.id, cell_dims, cell_renames, cell_flags, parsed.value,
                                cell_dims.pop("unit", None) or parsed.unit, line, role, group,
                                column + 100 * number))
    if not out and not text_ok:
        raise ReportFormatError(report.source_file, cell.line,
                                f"table {spec.id!r}: no figure in cell {cell.text!r}")
    return out


def _observation(report: RawReport, table: str, dims: dict, renames: dict, flags: list[str], value: float, unit: str,
                 line: int, role: str, group: str, column: int) -> Observation:
    measure = dims.get("measure")
    measure = renames.get(measure, measure)
    if not measure:
        raise ReportFormatError(report.source_file, line, f"table {table!r}: the template gives this figure no measure")
    period = dims["period"]
    if period == "report":
        period = report.report_period
    elif period == "previous":
        period = previous_period(report.report_period)
    if dims.get("group"):
        group = f"{group}:{dims['group']}"
    return Observation(
        council=dims.get("council", report.council), period=period, report_period=report.report_period,
        division=dims["division"], stage=dims["stage"], measure=measure, value=value, unit=unit,
        source_file=report.source_file, source_line=line, table=table, quarter=dims["quarter"],
        service=dims["service"], category=dims["category"], quality_flag=";".join(sorted(set(flags))),
        # Percentages: quality.py's %-vs-count check needs a row on one line; not so here.
        role="outside" if unit == "percent" else role, group=group, column=column,
    )


# ---------------------------------------------------------------------------------------
# Chart data lines and figures in prose


def read_series_line(spec: SeriesLine, report: RawReport) -> list[Observation]:
    """A chart's data exported as one line: labels first, then as many values."""
    anchor = _anchor_line(report, spec.anchor, None, f"chart {spec.id!r}")
    line = report.find(r"\t", anchor + 1)
    raw = [clean_label(c) for c in report.line(line).split("\t")]
    raw = [c for c in raw if c]
    cells: list[str] = []
    for text in raw:  # the export splits "Barking & Dagenham" into three cells
        if cells and (text == "&" or cells[-1].endswith("&")):
            cells[-1] = f"{cells[-1]} {text}"
        else:
            cells.append(text)
    values = []
    while cells and parse_number(cells[-1]) is not None:
        values.insert(0, parse_number(cells.pop()))
    labels = cells
    if spec.series is not None:
        if not labels or not _fullmatch(spec.series, labels[0]):
            raise ReportFormatError(report.source_file, line, f"chart {spec.id!r}: series name /{spec.series}/ expected first")
        labels = labels[1:]
    if not values or len(labels) != len(values):
        raise ReportFormatError(report.source_file, line,
                                f"chart {spec.id!r}: {len(labels)} labels but {len(values)} values")
    group = f"{report.source_file}:{line}:{spec.id}"
    out = []
    for index, (label, number) in enumerate(zip(labels, values)):
        dims = {"division": "all", "stage": "all", "service": "", "category": "", "quarter": ""}
        dims.update(spec.dims)
        if dims.get("period") == "anchor":
            dims["period"] = _period(report.line(anchor), report, anchor, spec.id)
        if spec.label_dim == "council":
            dims["council"] = slug(label)
        elif spec.label_dim == "period":
            dims["period"] = _period(label, report, line, spec.id)
        else:
            dims[spec.label_dim] = label
        dims.setdefault("period", "report")
        out.append(_observation(report, spec.id, dims, {}, [], number.value, number.unit, line,
                                "outside" if spec.label_dim == "council" else "part", group, index))
    return out


def read_line_figures(spec: LineFigures, report: RawReport) -> list[Observation]:
    """Figures printed one per line (a bulleted paragraph, a ``label: n`` list)."""
    start = _anchor_line(report, spec.start, None, f"figures {spec.id!r}")
    end = report.find(spec.end, start + 1)
    out = []
    for line in range(start, end):
        match = re.search(spec.pattern, report.line(line))
        if not match:
            continue
        number = parse_number(match["value"])
        label = clean_label(match["label"])
        dims = {"division": "all", "stage": "all", "service": "", "category": "", "quarter": "", "period": "report"}
        flags: list[str] = []
        _merge(dims, spec.dims, {}, flags)
        dims[spec.label_dim] = label
        for known in spec.label_rows:
            if _fullmatch(known.label, label):
                _merge(dims, known.dims, {}, flags)
        out.append(_observation(report, spec.id, dims, {}, flags, number.value, dims.pop("unit", None) or number.unit,
                                line, "part", f"{report.source_file}:{start}:{spec.id}", -1))
    if len(out) != spec.expected:
        raise ReportFormatError(report.source_file, start,
                                f"figures {spec.id!r}: {len(out)} found between lines {start} and {end}, "
                                f"the template expects {spec.expected}")
    return out


def extract(report: RawReport) -> list[Observation]:
    """Every table, chart data line and prose figure of the report the module describes; each read
    whole or skipped whole (a skip record naming it and its lines), never in part."""
    out: list[Observation] = []
    for table in CELL_TABLES:
        out.extend(_read_or_skip(report, table.id, table.anchor, table.after, lambda t=table: read_cell_table(t, report)))
    for series in SERIES_LINES:
        out.extend(_read_or_skip(report, series.id, series.anchor, None, lambda s=series: read_series_line(s, report)))
    for figures in LINE_FIGURES:
        out.extend(_read_or_skip(report, figures.id, figures.start, None, lambda f=figures: read_line_figures(f, report)))
    return out


def _read_or_skip(report: RawReport, table: str, anchor: str, after: str | None, read) -> list[Observation]:
    """One table's figures, or none and a skip record (from its anchor, or the whole report when
    the anchor is not found): a table the report does not print as described costs that table only."""
    try:
        first = _anchor_line(report, anchor, after, table)
    except TableNotFound:
        first = 1
    return read_or_skip(report, table, first, report.line_count, read)


# Table relations (analysis.clean.relations): declared, reviewable.
from ..relations import Cell as Figure  # noqa: E402
from ..relations import RateOf, SameFigure, Share  # noqa: E402

_T8 = ("t8_complaint_outcomes_council", "t8_complaint_outcomes_homes")
RELATIONS = (
    # Table 8 (a cell per line): each "% of Total" cell is its outcome's count over the total.
    *(Share(_T8, f"pct_{outcome}", (outcome,), "complaints_decided")
      for outcome in ("resolved_early", "withdrawn", "not_upheld", "partially_upheld", "upheld")),
    # CYP and LGSCO tables: % on time, % accepted and % upheld against their counts.
    Share(("cyp_t4_on_time_by_quarter", "cyp_t5_on_time_by_division"), "pct_on_time", ("answered_on_time",), "cases_due"),
    Share(("cyp_t7_stage2_requests",), "pct_accepted_for_investigation", ("accepted_for_investigation",), "complaints"),
    # CYP Table 6 (Stage 1 outcomes): each outcome's "%" cell over the Total column, and the
    # Total row's own "%" cell (the whole, 100%).
    *(Share(("cyp_t6_stage1_outcomes",), f"pct_{outcome}", (outcome,), "complaints_decided")
      for outcome in ("not_upheld", "partially_upheld", "upheld", "resolved_early", "resolved_upon_receipt")),
    *(RateOf(Figure("cyp_t6_stage1_outcomes", "pct_of_total", "childrens_social_care", service=column),
             Figure("cyp_t6_stage1_outcomes", "complaints_decided", "childrens_social_care", service=column),
             Figure("cyp_t6_stage1_outcomes", "complaints_decided", "childrens_social_care", service=""),
             f"CYP Table 6: the % row of the {column or 'Total'} column against its count over the Total column")
      for column in ("Stage 1", "Children Act Stage 1", "")),
    RateOf(Figure("t10_lgsco_casework", "pct_ombudsman_upheld", "all", "*", stage="ombudsman"),
           Figure("t10_lgsco_casework", "ombudsman_upheld", "all", "*", stage="ombudsman"),
           Figure("t10_lgsco_casework", "ombudsman_investigations", "all", "*", stage="ombudsman"),
           "Table 10: % of LGSCO investigations upheld against upheld / investigated"),
    # Table 4's yearly complaints and enquiries are Table 2's plus Table 3's totals.
    *(SameFigure(Figure("t4_complaints_and_enquiries_by_year", "complaints_and_enquiries", "all", period, stage="*"),
                 (Figure("t2_stage1_complaints_by_organisation", "complaints", "all", period, stage="stage_1"),
                  Figure("t3_enquiries_by_organisation", "enquiries", "all", period, stage="enquiry")),
                 f"{period} complaints and enquiries: Table 4 against Tables 2 + 3")
      for period in ("2019-20", "2020-21")),
    # Adult social care: the year's complaints (by year) are its four quarters' (by quarter).
    *(SameFigure(Figure("asc_complaints_by_year", "complaints", "adult_social_care", period),
                 tuple(Figure("asc_complaints_by_quarter", "complaints", "adult_social_care", period, quarter=q) for q in ("Q1", "Q2", "Q3", "Q4")),
                 f"adult social care {period} complaints: the by-year chart and the four quarters of the by-quarter chart")
      for period in ("2019-20", "2020-21")),
)
