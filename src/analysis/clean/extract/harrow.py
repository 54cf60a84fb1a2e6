"""Harrow's social care complaints annual reports (Children and Families Services; Adults Services).

The 2019-20 file is an OCR'd scrutiny agenda holding both reports. Its tables come in three
layouts, each described declaratively here:

* clean tab-separated tables with one figure per cell → the engine's :class:`TableSpec`;
* *stacked* tables the engine cannot read: one cell holds several figures, e.g. three
  years (``5 9 2`` under a header ``19/20 18/19 17/18``), several services printed in one
  label cell (``Education & Commissioning Children's Social Care CYAD`` / ``6 22 3``), a
  figure with last year's in brackets (``0(2)`` under ``2019/20 (2018/19)``) or a count with
  its share of the row total (``99 (76%)``), or the year printed in the row label instead of
  the header. :class:`StackTable` specs are read by ONE generic reader, :func:`read_stack_table`,
  which always takes the order of the years from the printed header (or label);
* a few prose figures (the children's transactions table is lost as an image, so its
  summary paragraph is the only place some 2019-20 figures are printed) → :class:`ProseFigure`.

Garbled OCR column text and tables lost as images are skipped; :data:`SKIP_SPECS` names them
and :data:`SKIPPED_PASSAGES` holds ``(start_line, end_line, reason)`` for the last report read.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ...observations import Observation
from ...parsing import Number, clean_label, is_missing, parse_number, parse_period
from .engine import (
    Column,
    ProseFigure,
    RawReport,
    ReportFormatError,
    Row,
    Section,
    TableSpec,
    cells,
    extract_sections,
    joined_header,
    label_matches,
    next_row,
    read_or_skip,
    read_prose,
)

# The children's report covers Education & Commissioning as well as social care, so its
# report-wide totals carry the report's own name as `service` (never an empty service, which
# would claim to be the childrens_social_care division total).
CHILDREN_SCOPE = "Children and Families Services"
# Service labels (as printed) that belong to another division than their report's.
SERVICE_DIVISION = {r"education\s*(&|and)\s*commissioning": "education"}

PERCENT_TOLERANCE = 1.0  # the reports print whole percentages (same tolerance as analysis.quality)
_PERCENT_OF = {"upheld": "pct_upheld", "partially_upheld": "pct_partially_upheld",
               "not_upheld": "pct_not_upheld", "answered_on_time": "pct_on_time"}
_YEAR = re.compile(r"(?<!\d)\d{2}(?:\d{2})?\s*[/\-–]\s*\d{2}(?:\d{2})?(?!\d)")


def periods_in(text: str) -> list[str]:
    """Every financial year printed in ``text``, in printed order (``19/20 18/19`` → two)."""
    found = []
    for match in _YEAR.finditer(text):
        period = parse_period(match.group(0))
        if period:
            found.append(period)
    return found


def _without_years(text: str) -> str:
    return clean_label(re.sub(r"[()\[\]]", " ", _YEAR.sub(" ", text)))


def division_of(service: str, default: str) -> str:
    for pattern, division in SERVICE_DIVISION.items():
        if re.fullmatch(pattern, service, flags=re.IGNORECASE):
            return division
    return default


def _percent_measure(measure: str) -> str:
    return _PERCENT_OF.get(measure, "pct_of_total")


# ---------------------------------------------------------------------------------------
# Declarative description of stacked tables


@dataclass(frozen=True)
class StackColumn:
    """A header cell of a stacked table.

    ``header`` is a regex, matched (case-insensitive fullmatch) against the header cell, or
    against it with its year labels and brackets removed (``Not Upheld 19/20 18/19 17/18``
    → ``Not Upheld``). ``period="header"``: the cell's figures are the years printed in the
    header cell, in that order; otherwise the row's label years or the report's year.
    ``service="header"`` takes the header cell as printed as the service (services as columns).
    ``with_percent``: a figure may be followed by its share of the row's total, ``99 (76%)``
    (a cell printing a ``%`` must then pair every count with one).
    """

    header: str
    measure: str
    stage: str | None = None
    service: str | None = None
    period: str = "report"
    with_percent: bool = False
    total: bool = False  # the row's total over the other columns


@dataclass(frozen=True)
class StackRow:
    """A row label of a stacked table (regex, case-insensitive fullmatch).

    ``stacked``: the label cell prints several rows' labels one after another and every value
    cell their figures in the same order; each label becomes a ``service`` as printed.
    ``period="label"``: the years are printed in the label (``2019/20`` or
    ``2019/20 2018/19 2017/18``). ``percent_of``: the row prints, as percentages, the shares of
    the counted row with that label in its total. ``figure``: the label itself holds a figure
    in the regex's first group (``Total [Grand Total = 7]``), emitted with these dims.
    Without ``dims["service"]`` a (non-stacked) row's service is its label as printed.
    """

    label: str = ""
    stacked: tuple[str, ...] = ()
    dims: dict = field(default_factory=dict)
    period: str = "column"
    total: bool = False
    percent_of: str | None = None
    figure: dict | None = None

    @property
    def pattern(self) -> str:
        return self.label or re.escape(" ".join(self.stacked))


@dataclass(frozen=True)
class StackTable:
    """One printed stacked table. The header is the first line at/after ``anchor`` matching
    ``header``; rows run to a blank line or through the row matching ``last_row``.
    ``continued_labels``: a line with a label and no figures continues the previous label
    (``Education &`` / ``Commissioning``)."""

    id: str
    anchor: str
    header: str
    columns: tuple[StackColumn, ...]
    rows: tuple[StackRow, ...]
    defaults: dict = field(default_factory=dict)
    header_lines: int = 1
    last_row: str | None = None
    continued_labels: bool = False


@dataclass(frozen=True)
class SkipSpec:
    """A passage deliberately not read: from the line matching ``start`` to the first line at or
    after it matching ``end`` (same line when ``end`` is None; the line before it with
    ``end_before``, for a passage that ends where something read begins)."""

    start: str
    end: str | None
    reason: str
    end_before: bool = False


# ---------------------------------------------------------------------------------------
# The generic stacked-table reader


@dataclass
class _Line:
    number: int
    label: str
    values: dict[int, str]  # column index → cell text (non-empty only)


def _header(report: RawReport, line: int, spec: StackTable) -> list[str]:
    return joined_header(report, line, spec.header_lines)


def _map_stack_columns(spec: StackTable, header: list[str], report: RawReport, line: int):
    mapped: dict[int, tuple[StackColumn, str]] = {}
    for index, text in enumerate(header):
        if not text:
            continue
        for column in spec.columns:
            if label_matches(column.header, text) or label_matches(column.header, _without_years(text)):
                mapped[index] = (column, text)
                break
    missing = [c.header for c in spec.columns if c not in {m[0] for m in mapped.values()}]
    if missing:
        raise ReportFormatError(report.source_file, line, f"table {spec.id!r}: no header cell matches {missing!r} (header {header!r})")
    return mapped


def _body(report: RawReport, spec: StackTable, header_line: int, first_value: int, end: int) -> list[_Line]:
    rows: list[_Line] = []
    number = next_row(report, header_line, spec.header_lines)
    while number <= end:
        if number in report.separators:
            number += 1
            continue
        text = report.line(number)
        if not text.strip():
            break
        row_cells = cells(text)
        label = clean_label(" ".join(row_cells[:first_value]))
        values = {i: c for i, c in enumerate(row_cells) if i >= first_value and c}
        if spec.continued_labels and rows and label and not values:
            rows[-1].label = clean_label(f"{rows[-1].label} {label}")
        else:
            rows.append(_Line(number, label, values))
        if spec.last_row and label_matches(spec.last_row, rows[-1].label):
            break
        number += 1
    if not rows:
        raise ReportFormatError(report.source_file, header_line, f"table {spec.id!r}: no rows under the header")
    return rows


def _tokens(cell: str) -> list[str]:
    """A cell's printed figures: brackets are separators (``0(2)``), ``*`` footnote marks dropped."""
    return re.sub(r"[()\[\]]", " ", cell).replace("*", " ").split()


def _numbers(cell: str, expected: int, report: RawReport, line: int, spec: StackTable) -> list[tuple[Number | None, str]]:
    """The cell's ``expected`` figures, each with a quality flag ("" when clean); None for a
    figure printed as missing (``5 - 2``), which is not zero."""
    tokens = _tokens(cell)
    flag = ""
    if len(tokens) == 1 and expected > 1 and re.fullmatch(r"\d+", tokens[0]) and len(tokens[0]) == expected:
        # OCR lost the spaces between single-digit figures ("100" for "1 0 0"): the cell must
        # hold `expected` figures and has exactly that many digits, so each digit is one figure.
        tokens, flag = list(tokens[0]), "ocr_spacing_repaired"
    if len(tokens) != expected:
        raise ReportFormatError(report.source_file, line, f"table {spec.id!r}: cell {cell!r} holds {len(tokens)} figures, the header and label call for {expected}")
    out = []
    for token in tokens:
        if is_missing(token):
            out.append((None, ""))
            continue
        number = parse_number(token)
        if number is None:
            raise ReportFormatError(report.source_file, line, f"table {spec.id!r}: {token!r} in cell {cell!r} is not a figure")
        codes = [c for c in (flag, "ocr_digit_repaired" if number.ocr_repaired else "") if c]
        out.append((number, ";".join(codes)))
    return out


def read_stack_table(spec: StackTable, report: RawReport, section: Section) -> list[Observation]:
    """Every figure of one stacked table, each with its own period, service and source line."""
    anchor = report.find(spec.anchor, section.start, section.end, required=False)
    if anchor is None:
        raise ReportFormatError(report.source_file, section.start, f"table {spec.id!r}: anchor /{spec.anchor}/ not found in lines {section.start}-{section.end}")
    header_line = report.find(spec.header, anchor, section.end)
    header = _header(report, header_line, spec)
    columns = _map_stack_columns(spec, header, report, header_line)
    first_value = min(columns)
    group = f"{report.source_file}:{header_line}:{spec.id}"
    body = _body(report, spec, header_line, first_value, section.end)
    total_column = next((i for i, (c, _) in columns.items() if c.total), None)

    out: list[Observation] = []
    counts: dict[tuple, Observation] = {}  # (row line, column, sub-row, period) → count
    pending: list[tuple[Observation, tuple, tuple]] = []  # percent, its count key, its total key
    counted_rows: dict[str, int] = {}  # row label → line, for percent_of rows
    for line in body:
        row = next((r for r in spec.rows if label_matches(r.pattern, line.label)), None)
        if row is None:
            raise ReportFormatError(report.source_file, line.number, f"table {spec.id!r}: row label {line.label!r} is not in the template")
        counted_rows[line.label] = line.number
        subs = row.stacked or (line.label,)
        label_years = periods_in(line.label) if row.period == "label" else []
        if row.period == "label" and not label_years:
            raise ReportFormatError(report.source_file, line.number, f"table {spec.id!r}: row label {line.label!r} holds no financial year")
        if row.figure is not None:
            out.append(_label_figure(spec, report, section, row, line, group))
        percent_row = row.percent_of is not None
        of_line = 0
        if percent_row:
            of_line = next((n for lab, n in counted_rows.items() if label_matches(row.percent_of, lab)), 0)
            if not of_line:
                raise ReportFormatError(report.source_file, line.number, f"table {spec.id!r}: percentage row before its counted row /{row.percent_of}/")
        for index, (column, header_text) in columns.items():
            cell = line.values.get(index)
            if cell is None or is_missing(cell):
                continue  # missing is not zero
            periods = _cell_periods(spec, report, header_line, line.number, column, header_text, label_years)
            kinds = 2 if column.with_percent and not percent_row and "%" in cell else 1
            numbers = _numbers(cell, len(subs) * len(periods) * kinds, report, line.number, spec)
            position = 0
            for sub_index, sub in enumerate(subs):
                for period in periods:
                    for kind in range(kinds):
                        number, flag = numbers[position]
                        position += 1
                        if number is None:
                            continue
                        as_percent = percent_row or kind == 1
                        want_percent = as_percent or column.measure.startswith("pct_")
                        if want_percent != (number.unit == "percent"):
                            raise ReportFormatError(report.source_file, line.number, f"table {spec.id!r}: cell {cell!r}: expected {'a percentage' if want_percent else 'a count'} in position {position}")
                        dims = _dims(spec, section, row, sub, column, header_text)
                        role = "percent" if as_percent else "total" if row.total or column.total else "part"
                        obs = Observation(
                            council=report.council, period=period, report_period=report.report_period,
                            division=dims["division"], stage=dims["stage"],
                            measure=_percent_measure(column.measure) if as_percent else column.measure,
                            value=number.value, unit=number.unit, source_file=report.source_file,
                            source_line=line.number, table=spec.id, service=dims["service"],
                            category=dims.get("category", ""), quality_flag=flag, role=role, group=group,
                            column=index, row_line=0,
                        )
                        out.append(obs)
                        if as_percent:
                            count_line = of_line or line.number
                            pending.append((obs, (count_line, index, sub_index, period), (count_line, total_column, sub_index, period)))
                        else:
                            counts[(line.number, index, sub_index, period)] = obs
    return _check_row_shares(out, counts, pending)


def _cell_periods(spec, report, header_line, line, column, header_text, label_years) -> list[str]:
    header_years = periods_in(header_text) if column.period == "header" else []
    if column.period == "header" and not header_years:
        raise ReportFormatError(report.source_file, header_line, f"table {spec.id!r}: header cell {header_text!r} holds no financial year")
    if header_years and label_years:
        raise ReportFormatError(report.source_file, line, f"table {spec.id!r}: years printed in both the header and the row label")
    return header_years or label_years or [report.report_period]


def _dims(spec: StackTable, section: Section, row: StackRow, sub: str, column: StackColumn, header_text: str) -> dict:
    dims = {"division": "all", "stage": "all", "service": ""}
    dims.update(section.dims)
    dims.update(spec.defaults)
    dims["service"] = sub
    dims.update(row.dims)
    if column.stage:
        dims["stage"] = column.stage
    if column.service == "header":
        dims["service"] = "" if column.total else _without_years(header_text)
    dims["division"] = division_of(dims["service"], dims["division"])
    return dims


def _label_figure(spec, report, section, row, line, group) -> Observation:
    match = label_matches(row.pattern, line.label)
    number = parse_number(match.group(1)) if match and match.groups() else None
    if number is None:
        raise ReportFormatError(report.source_file, line.number, f"table {spec.id!r}: no figure in label {line.label!r}")
    dims = {"division": "all", "stage": "all", "service": ""}
    dims.update(section.dims)
    dims.update(spec.defaults)
    dims.update(row.dims)
    figure = dict(row.figure)
    return Observation(
        council=report.council, period=report.report_period, report_period=report.report_period,
        division=dims["division"], stage=figure.get("stage", dims["stage"]), measure=figure["measure"],
        value=number.value, unit=number.unit, source_file=report.source_file, source_line=line.number,
        table=spec.id, service=dims["service"], quality_flag="ocr_digit_repaired" if number.ocr_repaired else "",
        role="outside", group=group,
    )


def _check_row_shares(out, counts, pending) -> list[Observation]:
    """Harrow's percentages are shares of the row's Total column, which the central check (a
    column's share, or of the row's first count) cannot see: compare them here."""
    flagged: dict[int, Observation] = {}
    for obs, count_key, total_key in pending:
        count, total = counts.get(count_key), counts.get(total_key)
        if count is None or total is None or not total.value:
            continue
        if abs(100 * count.value / total.value - obs.value) > PERCENT_TOLERANCE:
            flagged[id(obs)] = obs.flagged("pct_disagrees_with_counts")
    return [flagged.get(id(o), o) for o in out]


def skipped_passages(report: RawReport, section: Section, specs: list[SkipSpec]) -> list[tuple[int, int, str]]:
    """``(start_line, end_line, reason)`` for each skip spec found in the section."""
    found = []
    for spec in specs:
        start = report.find(spec.start, section.start, section.end, required=False)
        if start is None:
            continue
        end = report.find(spec.end, start + 1, section.end, required=False) if spec.end else start
        if end is None:
            continue
        found.append((start, end - 1 if spec.end_before else end, spec.reason))
    return found


# ---------------------------------------------------------------------------------------
# The Children and Families Services report

_YEARS_HEADER = r"(?:\d{2}/\d{2}\s*){3}"  # 19/20 18/19 17/18
CHILD_SERVICES = ("Education & Commissioning", "Children's Social Care", "CYAD")
_CHILD_TOTAL = {"service": CHILDREN_SCOPE}

CHILD_STACKED = [
    StackTable(  # Table 8 (caption lost): three years in every cell
        id="children_stage1_outcomes_3yr",
        anchor=r"\tNot Upheld\tPartially\tUpheld\tTotal",
        header=r"\tNot Upheld\tPartially\tUpheld\tTotal",
        header_lines=2,
        columns=(
            StackColumn(r"Not Upheld", "not_upheld", period="header"),
            StackColumn(r"Partially Upheld", "partially_upheld", period="header"),
            StackColumn(r"Upheld", "upheld", period="header"),
            StackColumn(r"Total", "complaints_decided", period="header", total=True),
        ),
        rows=(
            StackRow(r"Education & Commissioning"),
            StackRow(r"Children's Social Care"),
            StackRow(r"CYAD"),
            StackRow(r"Total", dims=_CHILD_TOTAL, total=True),
            StackRow(r"Total of overall Stage 1 outcomes, by percentage", dims=_CHILD_TOTAL, percent_of=r"Total"),
        ),
        defaults={"stage": "stage_1"},
        last_row=r"Total of overall Stage 1 outcomes, by percentage",
        continued_labels=True,
    ),
    StackTable(  # Table 9: three services in one cell, 2019/20
        id="children_stage2_escalation_by_service",
        anchor=r"\tTable 9\b",
        header=r"\tService\tStage 1\tStage 2\t% escalation",
        columns=(
            StackColumn(r"Stage 1", "complaints", stage="stage_1"),
            StackColumn(r"Stage 2", "complaints", stage="stage_2"),
            StackColumn(r"% escalation", "pct_escalated", stage="stage_2"),
        ),
        rows=(StackRow(stacked=CHILD_SERVICES), StackRow(r"Total", dims=_CHILD_TOTAL, total=True)),
        last_row=r"Total",
    ),
    StackTable(  # Table 10: years as columns, three services in one cell
        id="children_stage2_escalation_trend",
        anchor=r"Escalations to stage 2 trend",
        header=r"^\t+\d{4}/\d{2}\t\d{4}/\d{2}\t\d{4}/\d{2}",
        columns=(StackColumn(r"\d{4}/\d{2}", "pct_escalated", stage="stage_2", period="header"),),
        rows=(StackRow(stacked=CHILD_SERVICES), StackRow(r"Total", dims=_CHILD_TOTAL, total=True)),
        last_row=r"Total",
    ),
    StackTable(  # Table 11: three services in one cell; the total's label prints the grand total
        id="children_stage2_outcomes",
        anchor=r"Stage 2 Outcomes .*Table 11",
        header=r"\tService\tNot Upheld\tPartially Upheld\tUpheld",
        columns=(
            StackColumn(r"Not Upheld", "not_upheld"),
            StackColumn(r"Partially Upheld", "partially_upheld"),
            StackColumn(r"Upheld", "upheld"),
        ),
        rows=(
            StackRow(stacked=CHILD_SERVICES),
            StackRow(r"Total \[Grand Total = (\d+)\]", dims=_CHILD_TOTAL, total=True, figure={"measure": "complaints"}),
        ),
        defaults={"stage": "stage_2"},
        last_row=r"Total.*",
    ),
    StackTable(  # Table 12: "0(2)" = 2019/20 (2018/19), three services in one cell
        id="children_stage2_response_times",
        anchor=r"Stage 2 Response Times",
        header=r"\tService\t.*Within Timescale",
        columns=(
            StackColumn(r"Within Timescale", "answered_on_time", period="header"),
            StackColumn(r"Over Timescale", "answered_late", period="header"),
        ),
        rows=(StackRow(stacked=CHILD_SERVICES), StackRow(r"Total", dims=_CHILD_TOTAL, total=True)),
        defaults={"stage": "stage_2"},
    ),
    StackTable(  # Table 15: the three years printed in the row label, in that order
        id="children_escalation_3yr",
        anchor=r"Escalation comparison over time: Table 15",
        header=r"\tStage 1\tStage 2\tStage 3\tLGO",
        columns=(
            StackColumn(r"Stage 1", "complaints", stage="stage_1"),
            StackColumn(r"Stage 2", "complaints", stage="stage_2"),
            StackColumn(r"Stage 3", "complaints", stage="stage_3"),
            StackColumn(r"LGO", "ombudsman_referrals", stage="ombudsman"),
        ),
        rows=(StackRow(r"(\d{4}/\d{2}\s*){3}", dims=_CHILD_TOTAL, period="label", total=True),),
        last_row=r"(\d{4}/\d{2}\s*){3}",
    ),
]


def _child_division(dims: dict) -> dict:
    return {**dims, "division": division_of(dims["service"], dims["division"])}


CHILD_LGO = TableSpec(  # Table 14
    id="children_ombudsman_by_service",
    anchor=r"Complaints made to the LGO Table 14",
    header=r"\tService\tNo finding against Council",
    columns=(
        Column(r"No finding against Council", measure="ombudsman_not_upheld"),
        Column(r"Partial finding", measure="ombudsman_upheld"),
        Column(r"Total", measure="ombudsman_referrals", total=True),
    ),
    label_cells=2,
    defaults={"stage": "ombudsman"},
    end=r"The Council received",
    transform=_child_division,
)

_CHILD_PROSE_DIMS = {"service": CHILDREN_SCOPE}
_MP = {"service": "MP and Councillor"}
CHILD_PROSE = [
    ProseFigure("children_representations_summary", r"high level of representations \((?P<value>\d+)\)", "representations", "representation", _CHILD_PROSE_DIMS),
    ProseFigure("children_representations", r"^\s*(?P<value>\d+) representations i\.e\. potential statutory complaints", "representations", "representation", _CHILD_PROSE_DIMS),
    ProseFigure("children_stage1", r"^\s*(?P<value>\d+) statutory Stage 1 complaints", "complaints", "stage_1", _CHILD_PROSE_DIMS),
    ProseFigure("children_stage2", r"^\s*(?P<value>\d+) Stage 2 complaints;", "complaints", "stage_2", _CHILD_PROSE_DIMS),
    ProseFigure("children_enquiries", r"there were (?P<value>\d+) MP and Councillor enquiries managed by the Complaints Service", "enquiries", "enquiry", _MP),
    ProseFigure("children_enquiries_previous", r"In comparison, (?P<value>\d+) enquiries were received last year", "enquiries", "enquiry", _MP, period="previous"),
    ProseFigure("children_stage1_on_time", r"sent within timescales was (?P<value>\d+%) in (?P<period>\d{4}/\d{2})", "pct_on_time", "stage_1", _CHILD_PROSE_DIMS),
    ProseFigure("children_stage1_on_time_previous", r"slightly up from (?P<value>\d+%) in (?P<period>\d{4}/\d{2})", "pct_on_time", "stage_1", _CHILD_PROSE_DIMS),
    ProseFigure("children_transactions", r"'transactions' in (?P<period>\d{4}/\d{2}) \((?P<value>\d+)\)", "transactions", "all", _CHILD_PROSE_DIMS),
    ProseFigure("children_transactions_previous", r"'transactions' in \d{4}/\d{2} \(\d+\) compared to (?P<period>\d{4}/\d{2}) \((?P<value>\d+)\)", "transactions", "all", _CHILD_PROSE_DIMS),
]

_GARBLED = "garbled OCR column text (words of several columns interleaved); no figure recoverable with certainty"
CHILD_SKIPS = [
    SkipSpec(r"^This servio\tren's Social Care Teams", None, _GARBLED + " (a 78% share of contacts is printed inside it)"),
    SkipSpec(r"Table 1: Number of Complaints by Service area", r"'transactions' in 2019/20", "Table 1 (transactions by service area) lost as an image: caption only, no figures in the text", end_before=True),
    SkipSpec(r"^and in particular, SEND\.", r"^also ensure their best interests are promoted", "Tables 2-5 (stage 1 by service, response times, nature of young people's complaints) lost as images; only fragments of their commentary remain"),
    SkipSpec(r"^Table 6$", r"^Unhappy that LA initiated court proceedings", "Table 6 (nature of Stage 1 complaints from parents/relatives) lost as an image: the categories are described with examples but no counts"),
    SkipSpec(r"Nature of representations 2019/20 .*Table 7", None, "Table 7 (nature of representations) lost as an image: caption only"),
    SkipSpec(r"^above directly fr\t", r"^other complaint 2 and resolved - This evidences r wishes.*\tleading to intern", _GARBLED + " (commentary after Table 8, '23' is a fragment of prose)"),
    SkipSpec(r"During 2019/20, six Stage 2 con complaint", None, _GARBLED),
    SkipSpec(r"^\tAny recommendations implemented by the se referrals", None, _GARBLED + " (1,732 and 2018-19 are fragments of LGO context prose)"),
    SkipSpec(r"^10\tRemedy Payn", r"^\tinitially receive Children Act", _GARBLED + " (a £300 remedy payment is mentioned, its stage and service cannot be read)"),
    SkipSpec(r"^\tcom reso\t", r"^\tconc their\t", _GARBLED + " (mediation examples)"),
    SkipSpec(r"Equalities Information Equalities Information", r"^16\. The Complaints Process explained", "Tables 16-21 (equalities: gender, ethnicity, origin of complaints) skipped: demographic breakdowns have no dimension in the observations contract, and several cells are garbled ('00 (450()', '10(66%)', '2010/19')", end_before=True),
]


# ---------------------------------------------------------------------------------------
# The Adults Services report

_YEAR_ROW = StackRow(r"\d{4}\s*[/-]\s*\d{2}", dims={"service": ""}, period="label", total=True)

ADULT_TRANSACTIONS = TableSpec(
    id="adults_transactions_by_service",
    anchor=r"^Number of Complaint Transactions by Service area",
    header=r"^Service Area\tRepresentations",
    columns=(
        Column(r"Representations", measure="representations", stage="representation"),
        Column(r"Stage 1", measure="complaints", stage="stage_1"),
        Column(r"Stage 2", measure="complaints", stage="stage_2"),
        Column(r"Ombudsman", measure="ombudsman_referrals", stage="ombudsman"),
        Column(r"Total", measure="transactions", stage="all", total=True),
    ),
    rows=(Row(r"Total", dims={"service": ""}, total=True),),
)

ADULT_LGO = TableSpec(
    id="adults_ombudsman_by_service",
    anchor=r"^7\. Ombudsman complaints and enquiries",
    header=r"^Service\tNo finding against Council",
    columns=(
        Column(r"No finding against Council", measure="ombudsman_not_upheld"),
        Column(r"Finding against Council", measure="ombudsman_upheld"),
        Column(r"Total", measure="ombudsman_decisions", total=True),
    ),
    defaults={"stage": "ombudsman"},
)

_OUTCOME_COLUMNS = (
    StackColumn(r"Not Upheld", "not_upheld", with_percent=True),
    StackColumn(r"Partially Upheld", "partially_upheld", with_percent=True),
    StackColumn(r"Upheld", "upheld", with_percent=True),
    StackColumn(r"Total", "complaints", total=True),
)

ADULT_STACKED = [
    StackTable(  # years in the row label; "99 (76%)" = count and share of the row total
        id="adults_transactions_3yr",
        anchor=r"^Number of Complaint Transactions by Service area",
        header=r"^\tRepresentations\tStage 1\tStage 2\tOmbudsman\tTotal",
        columns=(
            StackColumn(r"Representations", "representations", stage="representation", with_percent=True),
            StackColumn(r"Stage 1", "complaints", stage="stage_1", with_percent=True),
            StackColumn(r"Stage 2", "complaints", stage="stage_2", with_percent=True),
            StackColumn(r"Ombudsman", "ombudsman_referrals", stage="ombudsman", with_percent=True),
            StackColumn(r"Total", "transactions", stage="all", total=True),
        ),
        rows=(_YEAR_ROW,),
    ),
    StackTable(  # services as columns, years as rows
        id="adults_stage1_by_service_3yr",
        anchor=r"^5\.1 Overall Activity",
        header=r"^\tCommissioning & Partnership\t",
        columns=(
            StackColumn(r"Commissioning & Partnership", "complaints", service="header"),
            StackColumn(r"Adult Social Care", "complaints", service="header"),
            StackColumn(r"Safeguarding, & Quality Assurance", "complaints", service="header"),
            StackColumn(r"Total", "complaints", service="header", total=True),
        ),
        rows=(StackRow(r"\d{4}/\d{2}", period="label"),),
        defaults={"stage": "stage_1"},
    ),
    StackTable(  # service rows for 2019/20, then year rows (the 2019/20 row is their total)
        id="adults_stage1_outcomes",
        anchor=r"^5\.4 Complaints outcomes",
        header=r"^Service\tNot Upheld\tPartially Upheld\tUpheld\tTotal",
        columns=_OUTCOME_COLUMNS,
        rows=(_YEAR_ROW, StackRow(r"Adult Social Care|Commissioning & Partnership|Safeguarding & Quality Assurance")),
        defaults={"stage": "stage_1"},
    ),
    StackTable(
        id="adults_stage2_escalation_3yr",
        anchor=r"^6\. Stage 2 complaints",
        header=r"^Service\tStage 1\tStage 2\t% escalating",
        columns=(
            StackColumn(r"Stage 1", "complaints", stage="stage_1"),
            StackColumn(r"Stage 2", "complaints", stage="stage_2"),
            StackColumn(r"% escalating to formal complaints", "pct_escalated", stage="stage_2"),
        ),
        rows=(_YEAR_ROW,),
    ),
    StackTable(
        id="adults_stage2_outcomes_3yr",
        anchor=r"^6\.2 Stage 2 Complaints and outcomes",
        header=r"^Service\tNot Upheld\tPartially Upheld\tUpheld\tTotal",
        columns=_OUTCOME_COLUMNS,
        rows=(_YEAR_ROW,),
        defaults={"stage": "stage_2"},
    ),
    StackTable(
        id="adults_stage2_response_times_3yr",
        anchor=r"^6\.3 Stage 2 Response Times",
        header=r"^Year\tWithin time\tOver timescale\tTotal",
        columns=(
            StackColumn(r"Within time", "answered_on_time"),
            StackColumn(r"Over timescale", "answered_late"),
            StackColumn(r"Total", "complaints", total=True),
        ),
        rows=(_YEAR_ROW,),
        defaults={"stage": "stage_2"},
    ),
    StackTable(
        id="adults_ombudsman_4yr",
        anchor=r"^8\. Escalation Comparisons over time",
        header=r"^Service\tNo finding against Council",
        columns=(
            StackColumn(r"No finding against Council", "ombudsman_not_upheld"),
            StackColumn(r"Finding against Council", "ombudsman_upheld"),
            StackColumn(r"Total", "ombudsman_decisions", total=True),
        ),
        rows=(_YEAR_ROW,),
        defaults={"stage": "ombudsman"},
    ),
]

ADULT_PROSE = [
    ProseFigure("adults_representations_summary", r"high level of representations \((?P<value>\d+)\)", "representations", "representation"),
    ProseFigure("adults_representations", r"Complaints Service dealt with (?P<value>\d+) representations", "representations", "representation"),
    ProseFigure("adults_stage1", r"The Council received (?P<value>\d+) Stage 1 complaints", "complaints", "stage_1"),
    ProseFigure("adults_enquiries", r"there were (?P<value>\d+) MP and Councillor enquiries managed by the Complaints Team", "enquiries", "enquiry", _MP),
    ProseFigure("adults_enquiries_previous", r"MP and Councillor enquiries managed by the Complaints Team \(in comparison to (?P<value>\d+) from the year before\)", "enquiries", "enquiry", _MP, period="previous"),
    ProseFigure("adults_stage1_on_time", r"sent within timescales remains very high at (?P<value>\d+%)", "pct_on_time", "stage_1"),
    ProseFigure("adults_stage1_on_time_overall", r"overall level of (?P<value>\d+%) of Stage 1 complaints being dealt within timescale", "pct_on_time", "stage_1"),
]

ADULT_SKIPS = [
    SkipSpec(r"^140 130 120 120 99 100 86", None, "Chart 1 flattened into a run of axis labels and bar values; the same figures are read from the table below it"),
    SkipSpec(r"^5\.2 Stage 1 response times", r"^Analysis: All services areas exceeded", "5.2 Stage 1 response-times chart lost as an image (its 90% overall rate is read from the prose below)", end_before=True),
    SkipSpec(r"^5\.3 Nature of complaints", r"^Unhappy with LA decision\t", "5.3 nature-of-complaints chart lost as an image; the table below it gives each category with example complaints, no counts"),
    SkipSpec(r"^6\.4 Nature of complaints", r"^Analysis: Three of these four complaints", "6.4 Stage 2 nature-of-complaints chart lost as an image", end_before=True),
    SkipSpec(r"^14\. Equalities Information", r"^15\. The Complaints Process explained", "14.1-14.2 equalities tables (gender, ethnicity, complaint made by) skipped: demographic breakdowns have no dimension in the observations contract", end_before=True),
]


# ---------------------------------------------------------------------------------------

SKIPPED_PASSAGES: list[tuple[int, int, str]] = []  # the last report read: (start_line, end_line, reason)


def sections(report: RawReport) -> tuple[Section, Section]:
    """The children's report (to the adults' cover sheet) and the adults' report (to the end)."""
    child_start = report.find(r"^Annual Complaints Report for Children and Families Services")
    adult_cover = report.find(r"^REPORT FOR:", child_start)
    adult_start = report.find(r"^Annual Complaints Report for Adults Social Care Services", adult_cover)
    children = Section(child_start, adult_cover - 1, {"division": "childrens_social_care"})
    adults = Section(adult_start, len(report.lines), {"division": "adult_social_care"})
    return children, adults


def _read_or_skip(table: str, section: Section, report: RawReport, read) -> list[Observation]:
    """A table (or prose figure) of ``section`` read, or skipped with a record: it costs that table only."""
    return read_or_skip(report, table, section.start, min(section.end, len(report.lines)), read)


def extract(report: RawReport) -> list[Observation]:
    """Every table figure of both reports, plus the summary prose figures, as observations; a table
    missing or unreadable costs that table only (a skip record)."""
    children, adults = sections(report)
    out: list[Observation] = []
    for spec in CHILD_STACKED:
        out.extend(_read_or_skip(spec.id, children, report, lambda spec=spec: read_stack_table(spec, report, children)))
    out.extend(extract_sections(report, [(children, [CHILD_LGO])]))
    for figure in CHILD_PROSE:
        out.extend(_read_or_skip(figure.id, children, report, lambda figure=figure: [read_prose(figure, report, children)]))
    out.extend(extract_sections(report, [(adults, [ADULT_TRANSACTIONS, ADULT_LGO])]))
    for spec in ADULT_STACKED:
        out.extend(_read_or_skip(spec.id, adults, report, lambda spec=spec: read_stack_table(spec, report, adults)))
    for figure in ADULT_PROSE:
        out.extend(_read_or_skip(figure.id, adults, report, lambda figure=figure: [read_prose(figure, report, adults)]))
    SKIPPED_PASSAGES[:] = skipped_passages(report, children, CHILD_SKIPS) + skipped_passages(report, adults, ADULT_SKIPS)
    return out


# Table relations (analysis.clean.relations): declared, reviewable.
from ..relations import Cell, OverallRate, RateOf, SameFigure  # noqa: E402

_CHILDREN = "Children and Families Services"
RELATIONS = (
    # Children's Table 9: the Total row's escalation rate against its service rows weighted by
    # their Stage 1 complaints.
    OverallRate("children_stage2_escalation_by_service", "pct_escalated", "children_stage2_escalation_by_service",
                "complaints", "stage_1"),
    # Children's Table 10 (escalation trend, Total row) against Table 15's Stage 2 / Stage 1, year by year.
    RateOf(Cell("children_stage2_escalation_trend", "pct_escalated", "childrens_social_care", "*", _CHILDREN, stage="stage_2"),
           Cell("children_escalation_3yr", "complaints", "childrens_social_care", "*", _CHILDREN, stage="stage_2"),
           Cell("children_escalation_3yr", "complaints", "childrens_social_care", "*", _CHILDREN, stage="stage_1"),
           "children's escalation rate (Table 10) against Stage 2 / Stage 1 complaints (Table 15)"),
    # Adults' escalation table: % escalating against its own Stage 2 / Stage 1 columns.
    RateOf(Cell("adults_stage2_escalation_3yr", "pct_escalated", "adult_social_care", "*", stage="stage_2"),
           Cell("adults_stage2_escalation_3yr", "complaints", "adult_social_care", "*", stage="stage_2"),
           Cell("adults_stage2_escalation_3yr", "complaints", "adult_social_care", "*", stage="stage_1"),
           "adults' % escalating against the table's Stage 2 / Stage 1"),
    # One outcome per Stage 1 complaint: Table 7/8's outcome total is Table 15's Stage 1 count.
    SameFigure(Cell("children_stage1_outcomes_3yr", "complaints_decided", "childrens_social_care", "*", _CHILDREN, stage="stage_1"),
               Cell("children_escalation_3yr", "complaints", "childrens_social_care", "*", _CHILDREN, stage="stage_1"),
               "children's Stage 1 outcomes (Table 7/8 total) and Stage 1 complaints (Table 15)"),
    # Adults: Stage 1 and Stage 2 counts in the transactions table and the stage tables.
    SameFigure(Cell("adults_transactions_3yr", "complaints", "adult_social_care", "*", stage="stage_1"),
               Cell("adults_stage1_by_service_3yr", "complaints", "adult_social_care", "*", stage="stage_1"),
               "adults' Stage 1 complaints: transactions table and Stage 1 activity table"),
    SameFigure(Cell("adults_transactions_3yr", "complaints", "adult_social_care", "*", stage="stage_2"),
               Cell("adults_stage2_escalation_3yr", "complaints", "adult_social_care", "*", stage="stage_2"),
               "adults' Stage 2 complaints: transactions table and escalation table"),
)
