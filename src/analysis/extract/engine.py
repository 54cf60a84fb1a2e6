"""A small declarative engine for the tab-separated tables the reports print.

A report template (Bromley's, Barking & Dagenham's…) is described as a list of
:class:`TableSpec`: where the table starts, how each header cell maps to a measure and a
period, how each row label maps to a division/service/category. :func:`extract_table`
turns a spec plus a :class:`RawReport` into :class:`Observation` rows carrying the exact
source line of every figure. Next year's report of the same template needs no code.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Iterator

from ..observations import Observation
from ..parsing import Number, clean_label, is_missing, parse_number, parse_period


class ReportFormatError(ValueError):
    """A report that does not look like its template says; the message names file and line."""

    def __init__(self, source_file: str, line: int | None, message: str):
        where = f"{source_file}:{line}" if line else source_file
        super().__init__(f"{where}: {message}")
        self.source_file, self.line = source_file, line


@dataclass
class RawReport:
    """A raw report's lines (1-based) and the identity the manifest gives it."""

    source_file: str  # path relative to the project root, as written to ``source_file``
    council: str
    report_period: str
    lines: list[str]

    @classmethod
    def load(cls, root: Path, source_file: str, council: str, report_period: str) -> "RawReport":
        text = decode_report(root / source_file, source_file)
        return cls(source_file, council, report_period, text.split("\n"))

    def line(self, number: int) -> str:
        return self.lines[number - 1]

    def find(self, pattern: str, start: int = 1, end: int | None = None, *, required: bool = True) -> int | None:
        """Line number of the first line at or after ``start`` matching ``pattern`` (regex, search)."""
        regex = re.compile(pattern)
        stop = min(end or len(self.lines), len(self.lines))
        for number in range(start, stop + 1):
            if regex.search(self.lines[number - 1]):
                return number
        if required:
            raise ReportFormatError(self.source_file, start, f"expected a line matching /{pattern}/ after this line, found none")
        return None

    def find_all(self, pattern: str, start: int = 1, end: int | None = None) -> list[int]:
        regex = re.compile(pattern)
        stop = min(end or len(self.lines), len(self.lines))
        return [n for n in range(start, stop + 1) if regex.search(self.lines[n - 1])]


MAX_REPORT_BYTES = 16 * 1024 * 1024  # the largest report here is ~0.3 MB; 16 MB is not a text export


def decode_report(path: Path, source_file: str) -> str:
    """Read a report as text: UTF-8, else Windows-1252; CRLF folded.

    Refuses, before reading it whole, a file too large to be a report, and then an empty or
    binary one: each with a message naming the file (and the line of the first NUL byte).
    """
    size = path.stat().st_size
    if size > MAX_REPORT_BYTES:
        raise ReportFormatError(source_file, None, f"the file is {size / 1e6:.0f} MB, far larger than any complaints report "
                                f"(limit {MAX_REPORT_BYTES / 1e6:.0f} MB); check it is the right file, exported as plain text")
    data = path.read_bytes()
    if not data.strip():
        raise ReportFormatError(source_file, None, "the file is empty; re-export the report as text and add it again")
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise ReportFormatError(source_file, line, "the file holds NUL bytes, so it is binary, not a text export of a report")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="strict")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def cells(line: str) -> list[str]:
    """Split a tab-separated line into trimmed cells (empty cells kept: their position matters)."""
    return [clean_label(c) for c in line.split("\t")]


# ---------------------------------------------------------------------------------------
# Declarative description


@dataclass(frozen=True)
class Column:
    """How a header cell maps to a figure.

    ``header`` is a regex matched (case-insensitive, ``fullmatch``) against the header cell.
    ``period="header"`` takes the financial year from the header text; ``period="report"``
    (default) is the report's own year; any other ``YYYY-YY`` string is used as given;
    ``period="previous"`` is the year before the report's.
    Any other dimension (division, stage, service, category, measure, unit) set here
    overrides the row's and the table's.
    """

    header: str
    measure: str | None = None
    period: str = "report"
    unit: str | None = None
    division: str | None = None
    stage: str | None = None
    service: str | None = None
    category: str | None = None
    total: bool = False  # the column is the sum of the table's other columns (for checks)


@dataclass(frozen=True)
class Row:
    """How a row label maps to dimensions. ``label`` is a regex (case-insensitive fullmatch)."""

    label: str
    dims: dict = field(default_factory=dict)
    total: bool = False  # a printed total of the table's other rows
    skip: bool = False  # a row that holds no figure of the study (e.g. a ranking)
    in_total: bool = True  # False for rows printed after/outside the total (Bromley's E&PP)


@dataclass(frozen=True)
class TableSpec:
    """One printed table: where it is, what its header and rows mean.

    ``anchor`` is searched from ``after`` (a previous anchor, regex) or the section start;
    the header is the first line at/after the anchor matching ``header`` (or the anchor
    itself when ``header`` is None). Rows run to the first blank line, or to ``end``.
    ``row_dim`` is the dimension a row label fills when no :class:`Row` claims it
    (``service``, ``category``, ``division`` or ``measure``), ``row_map`` translating it.
    ``percent_rows``: a row whose label is ``%`` (or empty) and follows a counted row holds
    that row's percentages; they become ``pct_of_total`` (or the column's ``pct_*``).
    """

    id: str
    anchor: str
    columns: tuple[Column, ...]
    header: str | None = None
    rows: tuple[Row, ...] = ()
    row_dim: str = "service"
    row_map: dict | None = None
    defaults: dict = field(default_factory=dict)
    percent_rows: bool = False
    end: str | None = None
    header_lines: int = 1  # headers split over 2 lines are joined cell-by-cell
    label_cells: int = 1  # leading cells that make up the row label
    occurrence: int = 1  # take the n-th anchor match inside the section
    optional: bool = False  # absent in some reports of the template
    transform: Callable[[dict], dict] | None = None  # last word on a row's dims (rarely needed)


@dataclass
class Section:
    """A span of lines (a division's chapter) whose tables share dimensions."""

    start: int
    end: int
    dims: dict


# ---------------------------------------------------------------------------------------
# Reading


def _match(pattern: str, text: str) -> re.Match | None:
    return re.fullmatch(pattern, text, flags=re.IGNORECASE)


def _header_cells(report: RawReport, header_line: int, spec: TableSpec) -> list[str]:
    header = cells(report.line(header_line))
    for extra in range(1, spec.header_lines):
        more = cells(report.line(header_line + extra))
        width = max(len(header), len(more))
        header = [clean_label(f"{(header + [''] * width)[i]} {(more + [''] * width)[i]}") for i in range(width)]
    return header


def _resolve_period(column: Column, header_text: str, report: RawReport, line: int) -> str:
    if column.period == "report":
        return report.report_period
    if column.period == "header":
        period = parse_period(header_text)
        if not period:
            raise ReportFormatError(report.source_file, line, f"header cell {header_text!r} holds no financial year")
        return period
    if column.period == "previous":
        start = int(report.report_period[:4]) - 1
        return f"{start}-{(start + 1) % 100:02d}"
    return column.period


def _map_columns(spec: TableSpec, header: list[str], report: RawReport, line: int) -> dict[int, tuple[Column, str]]:
    """Column index → (Column, period) for every header cell a Column claims."""
    mapped: dict[int, tuple[Column, str]] = {}
    for index, text in enumerate(header):
        if index < spec.label_cells or not text:
            continue
        for column in spec.columns:
            if _match(column.header, text):
                mapped[index] = (column, _resolve_period(column, text, report, line))
                break
    if not mapped:
        raise ReportFormatError(report.source_file, line, f"table {spec.id!r}: no header cell matches the template ({header!r})")
    return mapped


def _row_dims(spec: TableSpec, label: str) -> tuple[dict, str, bool] | None:
    """(dims, role, skip) for a row label; role is "total", "part" or "outside"."""
    for row in spec.rows:
        if _match(row.label, label):
            return dict(row.dims), "total" if row.total else "part" if row.in_total else "outside", row.skip
    if spec.row_map is not None:
        for pattern, value in spec.row_map.items():
            if _match(pattern, label):
                return {spec.row_dim: value}, "total" if value == "all" and spec.row_dim == "division" else "part", False
        return None
    return {spec.row_dim: label}, "part", False


def locate(spec: TableSpec, report: RawReport, section: Section) -> int | None:
    """Line number of the spec's header inside ``section`` (None when optional and absent)."""
    hits = report.find_all(spec.anchor, section.start, section.end)
    if len(hits) < spec.occurrence:
        if spec.optional:
            return None
        raise ReportFormatError(report.source_file, section.start, f"table {spec.id!r}: anchor /{spec.anchor}/ not found in lines {section.start}-{section.end}")
    anchor = hits[spec.occurrence - 1]
    if spec.header is None:
        return anchor
    return report.find(spec.header, anchor, section.end)


def table_lines(spec: TableSpec, report: RawReport, header_line: int, section: Section) -> Iterator[int]:
    """Line numbers of a table's body: after the header, to the first blank line (or ``end``)."""
    number = header_line + spec.header_lines
    while number <= min(section.end, len(report.lines)):
        text = report.line(number)
        if spec.end and re.search(spec.end, text):
            return
        if not spec.end and not text.strip():
            return
        if text.strip():
            yield number
        number += 1


def extract_table(spec: TableSpec, report: RawReport, section: Section) -> list[Observation]:
    """Every figure of one printed table as observations (missing cells → no row)."""
    header_line = locate(spec, report, section)
    if header_line is None:
        return []
    header = _header_cells(report, header_line, spec)
    columns = _map_columns(spec, header, report, header_line)
    group = f"{report.source_file}:{header_line}:{spec.id}"
    out: list[Observation] = []
    previous: tuple[dict, str] | None = None
    counted_line = 0
    for number in table_lines(spec, report, header_line, section):
        row_cells = cells(report.line(number))
        label = clean_label(" ".join(c for c in row_cells[: spec.label_cells] if c))
        is_percent_row = spec.percent_rows and previous is not None and label in {"%", ""}
        if is_percent_row:
            dims, role = previous
        else:
            resolved = _row_dims(spec, label)
            if resolved is None:
                raise ReportFormatError(report.source_file, number, f"table {spec.id!r}: row label {label!r} is not in the template")
            dims, role, skip = resolved
            previous, counted_line = (dims, role), number
            if skip:
                continue
        for index, (column, period) in columns.items():
            token = row_cells[index] if index < len(row_cells) else None
            if is_missing(token):
                continue
            number_ = parse_number(token)
            if number_ is None:
                continue  # words in a numeric column (e.g. "Data not collected"): not a figure
            cell_role = "total" if column.total and role == "part" else role
            if is_percent_row:
                cell_role = "percent"
            obs = _observation(spec, report, section, dims, column, period, number_, number, group,
                               cell_role, is_percent_row)
            out.append(replace(obs, column=index, row_line=counted_line))
    return out


def _observation(spec, report, section, row_dims, column: Column, period: str, number: Number,
                 line: int, group: str, role: str, is_percent_row: bool) -> Observation:
    dims = {"division": "all", "stage": "all", "service": "", "category": "", "quarter": ""}
    dims.update(section.dims)
    dims.update(spec.defaults)
    dims.update(row_dims)
    for key in ("division", "stage", "service", "category"):
        if getattr(column, key) is not None:
            dims[key] = getattr(column, key)
    measure = column.measure or dims.pop("measure", None)
    dims.pop("measure", None)
    unit = column.unit or dims.pop("unit", None) or number.unit
    dims.pop("unit", None)
    if is_percent_row or (number.unit == "percent" and unit == "count"):
        measure, unit = _percent_measure(measure), "percent"
    if spec.transform:
        dims = spec.transform(dims)
    flag = "ocr_digit_repaired" if number.ocr_repaired else ""
    return Observation(
        council=report.council, period=period, report_period=report.report_period,
        division=dims["division"], stage=dims["stage"], measure=measure, value=number.value,
        unit=unit, source_file=report.source_file, source_line=line, table=spec.id,
        quarter=dims["quarter"], service=dims["service"], category=dims["category"],
        quality_flag=flag, role=role, group=group,
    )


# A counted column's percentage twin (Bromley's "%" rows under counts).
PERCENT_OF = {
    "upheld": "pct_upheld", "partially_upheld": "pct_partially_upheld", "answered_on_time": "pct_on_time",
}


def _percent_measure(measure: str | None) -> str:
    if measure and measure.startswith("pct_"):
        return measure
    return PERCENT_OF.get(measure or "", f"pct_{measure}" if measure in {"not_upheld", "ongoing"} else "pct_of_total")


def extract_sections(report: RawReport, sections: list[tuple[Section, list[TableSpec]]]) -> list[Observation]:
    """Run every spec in its section; the first failure names file, line and table."""
    out: list[Observation] = []
    for section, specs in sections:
        for spec in specs:
            out.extend(extract_table(spec, report, section))
    return out
