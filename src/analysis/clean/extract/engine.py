"""A small declarative engine for the tab-separated tables the reports print.

A report template (Bromley's, Barking & Dagenham's…) is described as a list of
:class:`TableSpec`: where the table starts, how each header cell maps to a measure and a
period, how each row label maps to a division/service/category. :func:`extract_table`
turns a spec plus a :class:`RawReport` into :class:`Observation` rows carrying the exact
source line of every figure. Next year's report of the same template needs no code.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

from ...observations import Observation
from ...parsing import (
    Number,
    clean_label,
    is_missing,
    normalise_pattern,
    normalise_typography,
    parse_number,
    parse_period,
    previous_period,
)
from ..layout import normalise_layout


class ReportFormatError(ValueError):
    """A report that does not look like its template says; the message names file and line."""

    def __init__(self, source_file: str, line: int | None, message: str):
        where = f"{source_file}:{line}" if line else source_file
        super().__init__(f"{where}: {message}")
        self.source_file, self.line = source_file, line


class TableNotFound(ReportFormatError):
    """A template table's anchor (or header) is not in the report: that table is skipped (a
    :class:`Skip` record), the rest of the report is still read."""


class TruncatedReport(ReportFormatError):
    """The file ends in the middle of a table row: the whole file is incomplete, so no table of it
    is skipped in its stead; the report fails (and keeps the previous clean's rows)."""


@dataclass(frozen=True)
class Skip:
    """A template table the report does not give: which, the lines searched or read, why.

    ``line`` is None when the table was not found (its anchor or header is not in
    ``first_line``-``last_line``); otherwise it is the line where reading it failed (a row
    label the template does not know, a header cell out of place…) and ``last_line`` too: the
    table's figures are all dropped, never read in part or shifted."""

    table: str
    first_line: int
    last_line: int
    reason: str
    whole: bool = False  # the template could not read the report at all: the generic reader read it
    line: int | None = None  # where reading the table failed (None: the table was not found)

    def describe(self, source_file: str) -> str:
        if self.whole:
            return (f"{source_file}: the {self.table} could not read this report ({self.reason}, searched lines "
                    f"{self.first_line}-{self.last_line}); the whole report was read by the generic reader instead")
        if self.line is not None:
            return (f"{source_file}: table {self.table!r} skipped, unreadable at line {self.line} ({self.reason}; "
                    f"read from line {self.first_line}); none of its figures was kept, the report's other tables were read")
        return (f"{source_file}: table {self.table!r} skipped, not found in lines {self.first_line}-{self.last_line} "
                f"({self.reason}); the report's other tables were read")

    def record(self, source_file: str, council: str, report_period: str) -> dict:
        """One row of ``data/clean/skipped-tables.csv`` (see the data dictionary)."""
        return {"source_file": source_file, "council": council, "report_period": report_period, "table": self.table,
                "first_line": self.first_line, "last_line": self.last_line,
                "failed_line": "" if self.line is None else self.line, "whole_report": self.whole,
                "reason": self.reason, "message": self.describe(source_file)}


def error_reason(error: ReportFormatError) -> str:
    """A format error's message without its ``file:line:`` prefix (a skip record keeps those apart)."""
    return str(error).split(": ", 1)[-1]


def read_or_skip(report: RawReport, table: str, first_line: int, last_line: int,
                 read: Callable[[], list[Observation]]) -> list[Observation]:
    """One template table's figures, or none and a :class:`Skip`: a table the report does not print
    where the template looks, or prints in a way the template cannot read, costs that table only.
    All or nothing: a table that fails half-way gives none of its figures."""
    try:
        return read()
    except TruncatedReport:  # not one table's fault: the whole file is incomplete
        raise
    except TableNotFound as missing:
        report.skips.append(Skip(table, missing.line or first_line, last_line, _own_reason(missing, table)))
    except ReportFormatError as error:  # read from first_line up to the line it failed on
        line = error.line or first_line
        report.skips.append(Skip(table, min(first_line, line), line, _own_reason(error, table), line=line))
    return []


def _own_reason(error: ReportFormatError, table: str) -> str:
    """The reason without the ``table 'id': `` the skip record says already."""
    reason = error_reason(error)
    for prefix in (f"table {table!r}: ", f"chart {table!r}: ", f"figures {table!r}: "):
        reason = reason.removeprefix(prefix)
    return reason


@dataclass
class RawReport:
    """A raw report's lines (1-based) and the identity the manifest gives it.

    ``lines`` are the file's lines with table cells separated by tabs whatever printed them
    (see :mod:`analysis.clean.layout`): line *n* is still line *n* of the file, so citations
    stay on the raw file. ``separators`` are the lines that were a ``---|---`` rule under a
    pipe table's header (now empty): a table reader steps over them."""

    source_file: str  # path relative to the project root, as written to ``source_file``
    council: str
    report_period: str
    lines: list[str]
    separators: frozenset[int] = frozenset()
    layout: str = "tab"  # what printed its tables (analysis.clean.layout.Layout.kind)
    _normalised: list[str] | None = field(default=None, init=False, repr=False, compare=False)
    skips: list[Skip] = field(default_factory=list, init=False, repr=False, compare=False)  # template tables not found

    @property
    def normalised_lines(self) -> list[str]:
        """The lines after typographic normalisation (what anchors are searched in), made once."""
        if self._normalised is None:
            self._normalised = [normalise_typography(line) for line in self.lines]
        return self._normalised

    @property
    def lost_empty_cells(self) -> bool:
        """Its tables were printed with columns aligned by spaces: a line that held only a tab
        (an empty cell of a table printed one cell per line) is now an empty line, so an empty
        line may be a lost empty cell (see :mod:`analysis.clean.layout`). Not so in a document
        with pipe tables, whose empty cells stay between their pipes."""
        return "aligned" in self.layout and "pipe" not in self.layout

    @property
    def line_count(self) -> int:
        """Lines as an editor counts them (a final newline does not start another line)."""
        return len(self.lines) - (1 if self.lines and self.lines[-1] == "" else 0)

    @classmethod
    def load(cls, root: Path, source_file: str, council: str, report_period: str) -> RawReport:
        text = decode_report(root / source_file, source_file)
        layout = normalise_layout(text.split("\n"))
        return cls(source_file, council, report_period, layout.lines, layout.separators, layout.kind)

    def line(self, number: int) -> str:
        return self.lines[number - 1]

    def find(self, pattern: str, start: int = 1, end: int | None = None, *, required: bool = True) -> int | None:
        """Line number of the first line at or after ``start`` matching ``pattern`` (regex, search,
        after typographic normalisation of both: see :func:`line_search`)."""
        stop = min(end or len(self.lines), len(self.lines))
        search, lines = _compiled(pattern).search, self.normalised_lines
        for number in range(start, stop + 1):
            if search(lines[number - 1]):
                return number
        if required:  # a heading the template looks for is not there: the template cannot read this report
            raise TableNotFound(self.source_file, start, f"expected a line matching /{pattern}/ after this line, found none")
        return None

    def find_all(self, pattern: str, start: int = 1, end: int | None = None) -> list[int]:
        stop = min(end or len(self.lines), len(self.lines))
        search, lines = _compiled(pattern).search, self.normalised_lines
        return [n for n in range(start, stop + 1) if search(lines[n - 1])]


MAX_REPORT_BYTES = 16 * 1024 * 1024  # the largest report here is ~0.3 MB; 16 MB is not a text export
SIGNATURES = {b"%PDF-": "a PDF", b"PK\x03\x04": "a Word document or other zip archive", b"\xd0\xcf\x11\xe0": "an old Word/Excel file"}


def decode_report(path: Path, source_file: str) -> str:
    """Read a report as text: UTF-8 (a BOM dropped), UTF-16 with a BOM, else Windows-1252; CRLF folded.

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
    for magic, kind in SIGNATURES.items():
        if data.startswith(magic):
            raise ReportFormatError(source_file, None, f"the file is {kind}, not a text export of a report; convert it "
                                    "to plain text first, or give the PDF itself to `python -m analysis add-report`, which stores its text beside it")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # Windows "Unicode" (UTF-16 with its BOM)
        try:
            return _fold_newlines(data.decode("utf-16"))
        except UnicodeDecodeError:
            pass
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise ReportFormatError(source_file, line, "the file holds NUL bytes, so it is binary, not a text export of a "
                                "report; export the report again as plain text")
    try:
        text = data.decode("utf-8-sig")  # a UTF-8 byte-order mark (Notepad) is not text
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252", errors="strict")
        except UnicodeDecodeError as error:
            line = data[: error.start].count(b"\n") + 1
            raise ReportFormatError(source_file, line, f"byte {data[error.start]:#04x} is neither UTF-8 nor Windows-1252 "
                                    "text; save the report again as UTF-8 text") from None
    return _fold_newlines(text)


def _fold_newlines(text: str) -> str:
    """CRLF and lone CR → LF, so line numbers are those of the file as any editor shows it."""
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
    overrides the row's and the table's; ``service``/``category`` may be ``HEADER`` (the
    header cell's own text, e.g. a table whose columns are complaint categories).
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
    index: int | None = None  # claim the cell at this position whatever its header (headers offset or blank)
    nth: int = 0  # 0: every header cell the regex matches; n: only the n-th one (a header printed twice, e.g. "NFA")
    percent: str | None = None  # measure of this column's cells in a `%` row (default: PERCENT_OF, else pct_of_total)
    in_total: bool = True  # False: not one of the parts the row's total column sums (e.g. "Ongoing" beside "TOTAL")


@dataclass(frozen=True)
class Row:
    """How a row label maps to dimensions. ``label`` is a regex (case-insensitive fullmatch)."""

    label: str
    dims: dict = field(default_factory=dict)
    total: bool = False  # a printed total of the table's other rows
    skip: bool = False  # a row that holds no figure of the study (e.g. a ranking)
    in_total: bool = True  # False for rows printed after/outside the total (Bromley's E&PP)
    nth: int = 0  # 0: every row whose label matches; n: only the n-th such row (a label printed in two blocks)
    sets: dict | None = None  # a heading row: it holds no figure; its dims apply to the rows below it


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
    header_noise: str | None = None  # regex of banner fragments removed from (joined) header cells
    label_cells: int = 1  # leading cells that make up the row label (0: every cell before the first figure column)
    label_from: int = 0  # cells before this index are debris, not label (e.g. rotated text split over rows)
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


@lru_cache(maxsize=4096)
def _compiled(pattern: str, flags: int = 0) -> re.Pattern:
    """A template's regex with its typography normalised (``Children’s`` ≡ ``Children's``, ``–`` ≡ ``-``)."""
    return re.compile(normalise_pattern(pattern), flags)


def label_matches(pattern: str, text: str) -> re.Match | None:
    """A spec's label or header pattern against a printed label: whole text, any case, after
    typographic normalisation of both (curly quotes, dashes, odd spaces, ligatures: the one
    place every template's labels are compared). The match is on the normalised text; the
    caller keeps the printed label for ``service``/``category``."""
    return _compiled(pattern, re.IGNORECASE).fullmatch(clean_label(normalise_typography(text)))


def line_search(pattern: str, line: str) -> re.Match | None:
    """A template's anchor regex searched in a raw line, after the same normalisation as labels."""
    return _compiled(pattern).search(normalise_typography(line))


def next_row(report: RawReport, line: int, steps: int = 1) -> int:
    """The line ``steps`` rows below ``line`` (above it when negative), stepping over markdown
    ``---|---`` rules: a template's "the line under the header" is the next row of the table."""
    step = 1 if steps >= 0 else -1
    for _ in range(abs(steps)):
        line += step
        while line in report.separators:
            line += step
    return line


def joined_header(report: RawReport, header_line: int, lines: int) -> list[str]:
    """A header printed over ``lines`` lines, joined cell by cell (``NOT`` + ``UPHELD``)."""
    header = cells(report.line(header_line))
    for extra in range(1, lines):
        more = cells(report.line(next_row(report, header_line, extra)))
        width = max(len(header), len(more))
        header = [clean_label(f"{(header + [''] * width)[i]} {(more + [''] * width)[i]}") for i in range(width)]
    return header


def _header_cells(report: RawReport, header_line: int, spec: TableSpec) -> list[str]:
    header = joined_header(report, header_line, spec.header_lines)
    if spec.header_noise:
        header = [clean_label(re.sub(spec.header_noise, " ", text)) for text in header]
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
    for column in spec.columns:
        if column.index is not None:
            text = header[column.index] if column.index < len(header) else ""
            mapped[column.index] = (column, _resolve_period(column, text, report, line))
    first = spec.label_from + spec.label_cells
    for column in spec.columns:  # a header printed more than once ("NFA"): the n-th match
        if column.nth and column.index is None:
            hits = [i for i, text in enumerate(header) if i >= first and text and label_matches(column.header, text)]
            if len(hits) >= column.nth and hits[column.nth - 1] not in mapped:
                mapped[hits[column.nth - 1]] = (column, _resolve_period(column, header[hits[column.nth - 1]], report, line))
    for index, text in enumerate(header):
        if index < first or not text or index in mapped:
            continue
        for column in spec.columns:
            if column.index is None and not column.nth and label_matches(column.header, text):
                mapped[index] = (column, _resolve_period(column, text, report, line))
                break
    if not mapped:
        raise ReportFormatError(report.source_file, line, f"table {spec.id!r}: no header cell matches the template ({header!r})")
    return mapped


def _row_dims(spec: TableSpec, label: str, occurrence: int = 1) -> tuple[dict, str, bool] | None:
    """(dims, role, skip) for a row label (its ``occurrence``-th time in the table); role is
    "total", "part", "outside" or "heading" (a :attr:`Row.sets` row, whose dims are returned)."""
    for row in spec.rows:
        if label_matches(row.label, label) and (not row.nth or row.nth == occurrence):
            if row.sets is not None:
                return dict(row.sets), "heading", True
            return dict(row.dims), "total" if row.total else "part" if row.in_total else "outside", row.skip
    if spec.row_map is not None:
        for pattern, value in spec.row_map.items():
            if label_matches(pattern, label):
                return {spec.row_dim: value}, "total" if value == "all" and spec.row_dim == "division" else "part", False
        return None
    return {spec.row_dim: label}, "part", False


def locate(spec: TableSpec, report: RawReport, section: Section) -> int | None:
    """Line number of the spec's header inside ``section`` (None when optional and absent)."""
    hits = report.find_all(spec.anchor, section.start, section.end)
    if len(hits) < spec.occurrence:
        if spec.optional:
            return None
        raise TableNotFound(report.source_file, section.start, f"table {spec.id!r}: anchor /{spec.anchor}/ not found in lines {section.start}-{section.end}")
    anchor = hits[spec.occurrence - 1]
    if spec.header is None:
        return anchor
    header = report.find(spec.header, anchor, section.end, required=False)
    if header is None and not spec.optional:
        raise TableNotFound(report.source_file, anchor, f"table {spec.id!r}: no header line matching /{spec.header}/ in lines {anchor}-{section.end}")
    return header


def table_lines(spec: TableSpec, report: RawReport, header_line: int, section: Section) -> Iterator[int]:
    """Line numbers of a table's body: after the header, to the first blank line (or ``end``)."""
    number = next_row(report, header_line, spec.header_lines)
    while number <= min(section.end, len(report.lines)):
        if number in report.separators:  # a markdown rule: not the blank line that ends a table
            number += 1
            continue
        text = report.line(number)
        if spec.end and re.search(spec.end, text):
            return
        if not spec.end and not text.strip():
            return
        if text.strip():
            if number == len(report.lines):  # the file's last line, with no line break after it
                raise TruncatedReport(report.source_file, number, f"table {spec.id!r} is cut off by the end of the "
                                        "file in the middle of a row: the file looks truncated; download or export "
                                        "the complete report and add it again")
            yield number
        number += 1


def misalignment(header: list[str], row_cells: list[str]) -> str | None:
    """Why a row's cells cannot be trusted to sit under their header cells, or None.

    A row with a figure beyond the header's last cell has a cell too many (a label split in
    two, a stray tab), so every figure after the split may have shifted. A row with fewer
    cells than the header whose last cell is filled has lost a cell (a tab) somewhere, so its
    figures may sit one column left of where they belong. A row whose trailing cells are
    printed empty (``Total 90 … 738 ‹empty›``) is merely short, and fine.
    """
    if any(c for c in row_cells[len(header):]):
        return f"{len(row_cells)} cells under a header of {len(header)}: a cell too many"
    if len(row_cells) < len(header) and len(row_cells) > 1 and row_cells[-1] and header[-1]:
        return f"{len(row_cells)} cells under a header of {len(header)}, the last one filled: a cell is missing"
    return None


def extract_table(spec: TableSpec, report: RawReport, section: Section) -> list[Observation]:
    """Every figure of one printed table as observations (missing cells → no row).

    A cell that holds something number-like the parser cannot read (``£0.00 £0.00``,
    ``£4,550.00-24%``) gives a row with no value, flagged ``unreadable_cell``; a row whose
    cells do not line up with the header (see :func:`misalignment`) gives value-less rows
    flagged ``misaligned_row``: neither is ever emitted as a (possibly wrong) number.
    Rows printed after the table's total row are ``outside`` it (Bromley's E&PP line).
    """
    try:
        header_line = locate(spec, report, section)
    except TableNotFound as missing:  # a missing anchor costs this table only
        report.skips.append(Skip(spec.id, missing.line or section.start, min(section.end, len(report.lines)),
                                 str(missing).split(": ", 1)[-1]))
        return []
    if header_line is None:
        return []
    header = _header_cells(report, header_line, spec)
    columns = _map_columns(spec, header, report, header_line)
    first_figure = min(columns)
    group = f"{report.source_file}:{header_line}:{spec.id}"
    out: list[Observation] = []
    previous: tuple[dict, str] | None = None
    counted_line = 0
    block: dict = {}
    seen: dict[str, int] = {}
    after_total = False
    for number in table_lines(spec, report, header_line, section):
        row_cells = cells(report.line(number))
        label_end = spec.label_from + spec.label_cells if spec.label_cells else first_figure
        label = clean_label(" ".join(c for c in row_cells[spec.label_from: label_end] if c))
        is_percent_row = spec.percent_rows and previous is not None and label in {"%", ""}
        if is_percent_row:
            dims, role = previous
        else:
            seen[label.lower()] = seen.get(label.lower(), 0) + 1
            resolved = _row_dims(spec, label, seen[label.lower()])
            if resolved is None:
                raise ReportFormatError(report.source_file, number, f"table {spec.id!r}: row label {label!r} is not in the template")
            dims, role, skip = resolved
            if role == "heading":
                block = dims
                continue
            dims = {**block, **dims}
            if role == "total":
                after_total = True
            elif role == "part" and after_total:
                role = "outside"
            previous, counted_line = (dims, role), number
            if skip:
                continue
        problem = misalignment(header, row_cells)
        for index, (column, period) in columns.items():
            token = row_cells[index] if index < len(row_cells) else None
            if is_missing(token) and not problem:
                continue
            number_ = None if problem else parse_number(token)
            if number_ is None and not problem and token in {"o", "O"}:
                number_ = Number(0.0, "count", ocr_repaired=True)  # a lone letter o where a 0 belongs
            if number_ is None:
                if not problem and not re.search(r"\d", token):
                    continue  # words in a numeric column (e.g. "Data not collected"): not a figure
                flag = "misaligned_row" if problem else "unreadable_cell"
                obs = _observation(spec, report, section, dims, column, period, Number(0.0, "count"), number,
                                   group, "", is_percent_row, header[index])
                out.append(replace(obs, value=None, quality_flag=flag))
                continue
            cell_role = "total" if column.total and role == "part" else role
            if not column.in_total and role == "part":
                cell_role = "outside"
            if is_percent_row:
                cell_role = "percent"
            out.append(_observation(spec, report, section, dims, column, period, number_, number, group,
                                    cell_role, is_percent_row, header[index], index, counted_line))
    return out


HEADER = "{header}"  # Column.service/category value: the header cell's own text


def _observation(spec, report, section, row_dims, column: Column, period: str, number: Number,
                 line: int, group: str, role: str, is_percent_row: bool, header_text: str = "",
                 column_index: int = -1, row_line: int = 0) -> Observation:
    dims = {"division": "all", "stage": "all", "service": "", "category": "", "quarter": ""}
    dims.update(section.dims)
    dims.update(spec.defaults)
    dims.update(row_dims)
    for key in ("division", "stage", "service", "category"):
        if getattr(column, key) is not None:
            dims[key] = header_text if getattr(column, key) == HEADER else getattr(column, key)
    row_measure = dims.pop("measure", None)
    measure = column.measure.format(measure=row_measure) if column.measure else row_measure
    unit = column.unit or dims.pop("unit", None) or number.unit
    dims.pop("unit", None)
    if is_percent_row and column.percent:
        measure, unit = column.percent, "percent"
    elif is_percent_row or (number.unit == "percent" and unit == "count"):
        measure, unit = _percent_measure(measure), "percent"
    if spec.transform:
        dims = spec.transform(dims)
    flag = "ocr_digit_repaired" if number.ocr_repaired else ""
    return Observation(
        council=report.council, period=period, report_period=report.report_period,
        division=dims["division"], stage=dims["stage"], measure=measure, value=number.value,
        unit=unit, source_file=report.source_file, source_line=line, table=spec.id,
        quarter=dims["quarter"], service=dims["service"], category=dims["category"],
        quality_flag=flag, role=role, group=group, column=column_index, row_line=row_line,
    )


# A counted column's percentage twin (Bromley's "%" rows under counts).
PERCENT_OF = {
    "upheld": "pct_upheld", "partially_upheld": "pct_partially_upheld", "answered_on_time": "pct_on_time",
    "resolved_early": "pct_resolved_early",
}


def _percent_measure(measure: str | None) -> str:
    if measure and measure.startswith("pct_"):
        return measure
    return PERCENT_OF.get(measure or "", f"pct_{measure}" if measure in {"not_upheld", "ongoing"} else "pct_of_total")


def extract_sections(report: RawReport, sections: list[tuple[Section, list]]) -> list[Observation]:
    """Run every spec in its section; a table that is missing or cannot be read costs that table
    only (a :class:`Skip` naming it and the lines, see :func:`read_or_skip`).

    An entry may be a tuple of specs: alternative layouts of one table (e.g. the same table
    printed with divisions as rows in one year and as columns in another). The first that
    is found is used; when none is, a skip record names the section.
    """
    out: list[Observation] = []
    for section, specs in sections:
        last = min(section.end, len(report.lines))
        for spec in specs:
            if isinstance(spec, tuple):
                ids = ", ".join(s.id for s in spec)
                out.extend(read_or_skip(report, ids, section.start, last,
                                        lambda spec=spec, section=section: extract_alternatives(spec, report, section)))
            else:
                out.extend(read_or_skip(report, spec.id, section.start, last,
                                        lambda spec=spec, section=section: extract_table(spec, report, section)))
    return out


def extract_alternatives(specs: tuple[TableSpec, ...], report: RawReport, section: Section) -> list[Observation]:
    """The first of several alternative layouts of one table that the section holds."""
    for spec in specs:
        if locate(replace(spec, optional=True), report, section) is not None:
            return extract_table(spec, report, section)
    ids = ", ".join(s.id for s in specs)
    report.skips.append(Skip(ids, section.start, min(section.end, len(report.lines)), "none of its layouts found"))
    return []


# ---------------------------------------------------------------------------------------
# Figures printed in sentences (any template): a council-wide total stated only in an
# introduction, a compensation amount stated only in a sentence.


@dataclass(frozen=True)
class ProseFigure:
    """A figure printed in a sentence: ``pattern`` (regex, searched) must match one line of the
    section; its ``value`` group is the figure. The year is the pattern's ``period`` group when
    it has one (the year printed in the sentence), else ``period``: ``report`` or ``previous``
    (for "last year" / "the year before"). ``flag`` marks every figure it reads (e.g. a total of
    a wider scope than the tables'); ``optional`` for a sentence only some years' reports print
    (absent: nothing read; printed twice: still an error)."""

    id: str
    pattern: str
    measure: str
    stage: str
    dims: dict = field(default_factory=dict)
    period: str = "report"
    flag: str = ""
    optional: bool = False



def read_prose_figures(figures, report: RawReport, section: Section) -> list[Observation]:
    """Every :class:`ProseFigure` of ``figures`` read in ``section`` (each with its line); a sentence
    that is missing or ambiguous costs that figure only (a skip record, see :func:`read_or_skip`)."""
    out: list[Observation] = []
    last = min(section.end, len(report.lines))
    for figure in figures:
        if figure.optional and not report.find_all(figure.pattern, section.start, section.end):
            continue
        out.extend(read_or_skip(report, figure.id, section.start, last,
                                lambda figure=figure: [read_prose(figure, report, section)]))
    return out


def read_prose(figure: ProseFigure, report: RawReport, section: Section) -> Observation:
    """One prose figure as an observation with its line; refused unless exactly one line matches."""
    hits = report.find_all(figure.pattern, section.start, section.end)
    if len(hits) != 1:
        raise ReportFormatError(report.source_file, hits[1] if hits else section.start,
                                f"prose figure {figure.id!r}: /{figure.pattern}/ matches {len(hits)} lines in {section.start}-{section.end}, expected 1")
    line = hits[0]
    match = line_search(figure.pattern, report.line(line))  # typography normalised, as find_all
    number = parse_number(match.group("value"))
    period = parse_period(match.groupdict().get("period"))
    if period is None:
        period = previous_period(report.report_period) if figure.period == "previous" else report.report_period
    if number is None:
        raise ReportFormatError(report.source_file, line, f"prose figure {figure.id!r}: {match.group('value')!r} is not a figure")
    dims = {"division": "all", "service": ""}
    dims.update(section.dims)
    dims.update(figure.dims)
    return Observation(
        council=report.council, period=period, report_period=report.report_period,
        division=dims["division"], stage=figure.stage, measure=figure.measure, value=number.value,
        unit=number.unit, source_file=report.source_file, source_line=line, table="prose",
        service=dims["service"],
        quality_flag=";".join(f for f in ("ocr_digit_repaired" if number.ocr_repaired else "", figure.flag) if f),
    )
