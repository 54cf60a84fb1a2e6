"""The generic reader: every report's tables read without a template, through one vocabulary.

A report nobody has written a template for (a new council, next year's report of a known one
printed another way) is read here. The text is first cut into cells line by line (tabs, pipes
with or without ``---|---`` rules, columns aligned by runs of spaces, a label followed by a row
of figures), keeping every line's number. A *table* is a run of such lines under a header line
of labels; a header cell is read as a period (``2023/24``, ``2023 to 2024``, ``Q1``, ``Apr-Jun``),
a stage, an outcome or a measure, and a row label as a measure, stage, division, or a complaint
category (the root-cause crosswalk's labels), all through :mod:`analysis.clean.vocabulary`.
Two more layouts are read: a label on one line with its figure alone on the next, and
``351 (299)`` cells (this year and, where the header says so, the year before).

A figure is *labelled* only when its measure and its year are both told by the printed text
(the column, the row, or the caption above the table). Any other figure is still kept, under
measure ``unlabelled`` with the printed row text in ``service``, the printed column text in
``category`` and the flag ``unlabelled``: never a guess, never dropped.

Headline figures printed in sentences are read by :mod:`analysis.clean.headlines`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from ...observations import Observation
from ...parsing import clean_label, is_missing, normalise_typography, parse_number, previous_period
from ..vocabulary import Reading, calendar_years, period_of, quarter_of, read_label
from .engine import RawReport

UNLABELLED = "unlabelled"
TABLE = "generic"

# A measure read from a count label, when its cell prints a percentage: the percentage's measure.
PERCENT_TWIN = {
    "upheld": "pct_upheld", "partially_upheld": "pct_partially_upheld", "not_upheld": "pct_not_upheld",
    "upheld_or_partially_upheld": "pct_upheld_or_partially", "answered_on_time": "pct_on_time",
    "ombudsman_upheld": "pct_ombudsman_upheld",
}
# A measure at the Ombudsman's stage is the Ombudsman's measure.
OMBUDSMAN_TWIN = {"upheld": "ombudsman_upheld", "not_upheld": "ombudsman_not_upheld", "pct_upheld": "pct_ombudsman_upheld"}
PERCENT_MEASURES = {"pct_upheld", "pct_partially_upheld", "pct_not_upheld", "pct_upheld_or_partially", "pct_on_time",
                    "pct_ombudsman_upheld", "pct_change"}
BASE = "complaints"  # the general measure a more specific one refines ("Stage 1 complaints" × "Upheld" → upheld)


# ---------------------------------------------------------------------------------------
# Cells


_RULE = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(?:\|\s*:?-{2,}:?\s*)*\|?\s*$")
_ALIGNED = re.compile(r"\S(?: {2,}|\t)\S")
_FIGURE = r"[-+−–]?£?\d[\d,]*(?:\.\d+)?%?"
_FIGURE_CELL = re.compile(rf"^(?P<main>{_FIGURE})(?:\s*\((?P<paren>{_FIGURE})\))?$")
_TRAILING = re.compile(rf"^(?P<label>.*?[A-Za-z)].*?)\s+(?P<figures>(?:(?:{_FIGURE}(?:\s*\({_FIGURE}\))?|-|n/a|N/A)\s+)*{_FIGURE}(?:\s*\({_FIGURE}\))?)$")
_PERIOD_TOKEN = re.compile(r"(?:19|20)\d\d\s*(?:/|-|–|to)\s*(?:(?:19|20)?\d\d)|\bQ[1-4]\b|\bQuarter [1-4]\b", re.IGNORECASE)


def split_cells(line: str) -> list[str] | None:
    """A line's cells: tab-, pipe- or space-aligned columns; a label followed by figures; None
    for a line that is not a row of cells (prose, a heading, a blank line) and ``[]`` for a
    markdown rule (``|---|---|``)."""
    text = normalise_typography(line).rstrip()
    if not text.strip():
        return None
    if _RULE.match(text):
        return []
    if "\t" in text:
        return [clean_label(c) for c in text.strip("\t ").split("\t")]
    if text.count("|") >= 2 or (text.lstrip().startswith("|") and text.count("|") >= 1):
        inner = text.strip()
        inner = inner[1:] if inner.startswith("|") else inner
        inner = inner[:-1] if inner.endswith("|") else inner
        return [clean_label(c) for c in inner.split("|")]
    if _ALIGNED.search(text.strip()):
        return [clean_label(c) for c in re.split(r" {2,}", text.strip())]
    stripped = text.strip()
    periods = _PERIOD_TOKEN.findall(stripped)
    rest = _PERIOD_TOKEN.sub("\x00", stripped)
    if len(periods) >= 2 and not re.sub(r"[\x00\s]", "", rest.split("\x00", 1)[-1]):  # "Stage 2022/23 2023/24": a header
        return [rest.split("\x00", 1)[0].strip(), *[clean_label(p) for p in periods]]
    match = _TRAILING.match(stripped)
    if match and len(match["label"]) <= 90:
        figures = re.findall(rf"{_FIGURE}(?:\s*\({_FIGURE}\))?|-|n/a|N/A", match["figures"])
        return [clean_label(match["label"]), *figures]
    return None


@dataclass(frozen=True)
class Figure:
    value: float
    unit: str
    paren: bool = False  # the second figure of a ``351 (299)`` cell
    ocr: bool = False


def figures_in(cell: str) -> list[Figure] | None:
    """The figures of one cell (``351``, ``45%``, ``£1,200``, ``351 (299)``); None when the cell
    is not a figure at all (a label), [] when it prints a missing value (``-``, ``n/a``)."""
    text = clean_label(normalise_typography(cell)).rstrip("*†‡ ")  # "1*": a footnote marker, not part of the figure
    if is_missing(text):
        return []
    match = _FIGURE_CELL.match(text.replace(" %", "%"))
    if not match:
        return None
    main = parse_number(match["main"], allow_ocr=False)
    if main is None:
        return None
    out = [Figure(main.value, main.unit)]
    if match["paren"]:
        paren = parse_number(match["paren"], allow_ocr=False)
        if paren is not None:
            out.append(Figure(paren.value, paren.unit, paren=True))
    return out


def is_header_cell(cell: str) -> bool:
    """A cell that labels a column: words, a year (2023/24, 2024), a quarter; not a figure."""
    return figures_in(cell) is None or bool(period_of(cell)) or bool(calendar_years(cell) and len(cell.strip()) == 4)


# ---------------------------------------------------------------------------------------
# Tables


@dataclass
class Table:
    """A printed table: its caption (text above it), header cells and body rows, with line numbers."""

    caption: str
    caption_line: int
    header: list[str]
    header_line: int
    rows: list[tuple[int, list[str]]]
    cell_lines: dict[int, list[int]] = field(default_factory=dict)  # row line → each cell's own line (a cell per line)
    sections: dict[int, str] = field(default_factory=dict)  # row line → the lone label line heading it

    @property
    def lines(self) -> set[int]:
        """Every line the table's header and cells are printed on."""
        out = {self.header_line, *(line for line, _ in self.rows)}
        for lines in self.cell_lines.values():
            out.update(lines)
        return out

    @property
    def id(self) -> str:
        return f"{TABLE}:{self.header_line}"


def _row_kind(cells: list[str]) -> str:
    """header (no figures, or only years), row (a label and figures), or other."""
    if not cells:
        return "rule"
    filled = [c for c in cells if c]
    if not filled:
        return "other"
    values = [c for c in filled[1:] if figures_in(c) is not None and not period_of(c)]
    if values and not (len(filled) >= 2 and all(_year_like(c) for c in filled[1:])):
        return "row"
    if len(filled) >= 2 or (len(cells) >= 2 and filled):
        return "header"
    return "other"


def _year_like(cell: str) -> bool:
    return bool(period_of(cell) or quarter_of(cell) or re.fullmatch(r"(?:19|20)\d\d", cell.strip()))


def find_tables(lines: list[str], separators: frozenset[int] = frozenset()) -> list[Table]:
    """Every run of cell lines with a header and at least one row of figures (``separators``: the
    lines that were a markdown table's ``---|---`` rule, blank after normalisation)."""
    tables: list[Table] = []
    split = [[] if number in separators else split_cells(line) for number, line in enumerate(lines, start=1)]
    number = 0
    while number < len(lines):
        cells = split[number]
        if cells is None or _row_kind(cells) != "header":
            number += 1
            continue
        header_line, header = number + 1, cells
        rows: list[tuple[int, list[str]]] = []
        ahead = number + 1
        while ahead < len(lines):
            more = split[ahead]
            if more is None:
                if not lines[ahead].strip() and ahead + 1 < len(lines) and split[ahead + 1] and _row_kind(split[ahead + 1]) == "row" and rows:
                    ahead += 1  # a blank line between rows of an aligned table
                    continue
                break
            kind = _row_kind(more)
            if kind == "rule":
                ahead += 1
                continue
            if kind == "header" and not rows:  # a second header line (years under a stage header)
                header = _joined(header, more) if len(more) == len(header) else more
                header_line = ahead + 1
                ahead += 1
                continue
            if kind != "row":
                break
            rows.append((ahead + 1, more))
            ahead += 1
        if rows:
            caption, caption_line = _caption(lines, split, number)
            tables.append(Table(caption, caption_line, header, header_line, rows))
            number = ahead
        else:
            number += 1
    return tables


def _joined(first: list[str], second: list[str]) -> list[str]:
    return [clean_label(f"{a} {b}") for a, b in zip(first, second)]


def _caption(lines: list[str], split: list, header_index: int) -> tuple[str, int]:
    """The nearest short text line above a table (within three lines): its title."""
    for index in range(header_index - 1, max(-1, header_index - 4), -1):
        text = clean_label(normalise_typography(lines[index]))
        if not text:
            continue
        if split[index] is not None and len([c for c in split[index] if c]) > 1:
            return "", 0
        if len(text) <= 160:
            return text.strip("#*:| "), index + 1
        return "", 0
    return "", 0


# ---------------------------------------------------------------------------------------
# Tables printed a cell per line (a web page's table copied as text), or a row label on one
# line with the row's figures on the next


def _compact(lines: list[str], taken: set[int]) -> list[tuple[int, str]]:
    """(line number, text) of every non-blank line not yet read, a stray ``|`` cell border dropped."""
    out = []
    for number, raw in enumerate(lines, start=1):
        text = clean_label(normalise_typography(raw)).strip("| ").strip()
        if text and number not in taken:
            out.append((number, text))
        elif number in taken:
            out.append((number, "\x00"))  # a barrier: nothing read across a table already read
    return out


def _is_figure(text: str) -> bool:
    return bool(figures_in(text))


def _is_cell_text(text: str) -> bool:
    """A short label line: a header cell or row label (not a figure, not a sentence)."""
    return (text != "\x00" and figures_in(text) is None and len(text) <= 70 and bool(re.search(r"[A-Za-z]", text))
            and not re.search(r"[.!?]$", text) and len(text.split()) <= 10)


def _figure_row(text: str) -> list[str] | None:
    """A line of two or more figures and nothing else (``9 31 276``), as cells."""
    tokens = re.findall(rf"{_FIGURE}(?:\s*\({_FIGURE}\))?|\S+", text)
    return tokens if len(tokens) >= 2 and all(figures_in(t) for t in tokens) else None


def find_stacked_tables(lines: list[str], taken: set[int]) -> list[Table]:
    """Tables whose cells are printed one per line (k header lines, then rows of a label and
    k-1 figures), and tables whose row labels sit on the line above their row of figures (the
    k column headers printed one per line above the first label)."""
    compact = _compact(lines, taken)
    tables: list[Table] = []
    i = 0
    while i < len(compact):
        here, after = _cell_per_line(compact, i), _cell_per_line(compact, i + 1) if i + 1 < len(compact) else None
        if after and (not here or after[0] > here[0]):  # the first line is the table's title, not a header cell
            here, i = after, i + 1
        found = here[1:] if here else _label_over_figures(compact, i)
        if found is None:
            i += 1
            continue
        table, end = found
        tables.append(table)
        i = end
    return tables


def _caption_before(compact: list[tuple[int, str]], i: int) -> tuple[str, int]:
    if i > 0 and compact[i - 1][1] != "\x00" and len(compact[i - 1][1]) <= 160 and figures_in(compact[i - 1][1]) is None:
        return compact[i - 1][1].strip("#*: "), compact[i - 1][0]
    return "", 0


def _is_row_label(text: str) -> bool:
    return _is_cell_text(text) or bool(text != "\x00" and figures_in(text) is None and period_of(text))


def _cell_per_line(compact: list[tuple[int, str]], i: int) -> tuple[tuple, Table, int] | None:
    """k header lines, then rows of a label and k-1 cells (or k: a header with no cell over the
    labels), a missing cell printed ``-``; a lone label line between rows (``Overall number of
    complaints received``) heads the rows below it."""
    if not _is_cell_text(compact[i][1]):
        return None
    best: tuple[tuple, Table, int] | None = None  # the reading that places the most cells
    for k in range(2, 16):
        header = compact[i:i + k]
        if len(header) < k or not all(_is_cell_text(t) for _, t in header):
            break
        for width in (k - 1, k):
            j, rows, cell_lines, sections, section = i + k, [], {}, {}, ""
            while j < len(compact):
                group = compact[j:j + width + 1]
                if len(group) == width + 1 and _is_row_label(group[0][1]) and all(figures_in(t) is not None for _, t in group[1:]) \
                        and any(figures_in(t) for _, t in group[1:]):
                    rows.append((group[0][0], [t for _, t in group]))
                    cell_lines[group[0][0]] = [n for n, _ in group]
                    if section:
                        sections[group[0][0]] = section
                    j += width + 1
                    continue
                following = compact[j + 1:j + width + 2]
                if rows or j == i + k:  # a lone label heading the rows below it
                    if _is_cell_text(compact[j][1]) and len(following) == width + 1 and _is_row_label(following[0][1]) \
                            and all(figures_in(t) is not None for _, t in following[1:]):
                        section = compact[j][1]
                        j += 1
                        continue
                break
            score = (len(rows) * width, -len(set(sections.values())), width == k - 1)  # most cells; then fewer headings, a label header
            if rows and (best is None or score > best[0]):
                caption, caption_line = _caption_before(compact, i)
                cells = [t for _, t in header]
                if width == k:
                    cells = ["", *cells]
                best = (score, Table(caption, caption_line, cells, header[0][0], rows, cell_lines, sections), j)
    return best


def _label_over_figures(compact: list[tuple[int, str]], i: int) -> tuple[Table, int] | None:
    """Column headers one per line (k of them), then pairs of lines: a row label, its k figures."""
    j, rows, cell_lines = i, [], {}
    while j + 1 < len(compact) and _is_cell_text(compact[j][1]) and (figures := _figure_row(compact[j + 1][1])):
        rows.append((compact[j + 1][0], [compact[j][1], *figures]))
        cell_lines[compact[j + 1][0]] = [compact[j + 1][0]] * (len(figures) + 1)
        j += 2
    if not rows:
        return None
    width = len(rows[0][1]) - 1
    if any(len(cells) - 1 != width for _, cells in rows):
        return None
    start = i - width
    if start < 0 or not all(_is_cell_text(t) for _, t in compact[start:i]):
        return None
    header = ["", *[t for _, t in compact[start:i]]]
    caption, caption_line = _caption_before(compact, start)
    return Table(caption, caption_line, header, compact[start][0], rows, cell_lines), j


# ---------------------------------------------------------------------------------------
# Labelling


@dataclass(frozen=True)
class Label:
    measure: str = ""
    stage: str = ""
    division: str = ""
    period: str = ""
    quarter: str = ""
    unit: str = ""
    conflict: str = ""  # why the readings disagree (the figure is then unlabelled)


def combine(report_period: str, column: Reading, row: Reading, caption: Reading, *, table_has_years: bool) -> Label:
    """One figure's label from its column's, its row's and its table caption's readings.

    Measures: the column's and the row's must agree, or one be the general ``complaints`` that
    the other refines; the caption's measure is used only when neither names one. Period: the
    column's, else the row's, else the caption's; a table with no year anywhere (header, rows,
    caption) holds the report's own year. A table that names years in some columns but not in
    this one gives no year: the figure is unlabelled."""
    measures = [m for m in (column.measure, row.measure) if m]
    if len(set(measures)) > 1:
        specific = [m for m in measures if m != BASE]
        if len(set(specific)) > 1:
            return Label(conflict=f"column says {column.measure}, row says {row.measure}")
        measure = specific[0]
    else:
        measure = measures[0] if measures else caption.measure
    stages = [s for s in (column.stage, row.stage) if s]
    if len(set(stages)) > 1:
        return Label(conflict=f"column says {column.stage}, row says {row.stage}")
    stage = stages[0] if stages else caption.stage
    divisions = [d for d in (row.division, column.division) if d and d != "all"]
    if len(set(divisions)) > 1:
        return Label(conflict=f"column says {column.division}, row says {row.division}")
    division = divisions[0] if divisions else (caption.division if caption.division != "all" else "") or "all"
    periods = [p for p in (column.period, row.period) if p]
    if len(set(periods)) > 1:
        return Label(conflict=f"column says {column.period}, row says {row.period}")
    period = periods[0] if periods else ""
    if not period and not table_has_years:
        period = caption.period or ("" if caption.previous else report_period)
    quarter = column.quarter or row.quarter or (caption.quarter if not (column.period or row.period) else "")
    unit = column.unit or row.unit
    return Label(measure, stage, division, period, quarter, unit)


def _finish(label: Label, figure: Figure) -> tuple[str, str, str] | None:
    """(measure, unit, stage) of a figure under ``label``, or None when its meaning is not told."""
    measure, stage = label.measure, label.stage
    if not measure or label.conflict or not label.period:
        return None
    if stage == "ombudsman" and measure in OMBUDSMAN_TWIN:
        measure = OMBUDSMAN_TWIN[measure]
    if measure.startswith("ombudsman_") or measure == "pct_ombudsman_upheld":
        stage = "ombudsman"
    elif stage == "ombudsman":
        return None  # "Ombudsman" × "Complaints": referrals, decisions or investigations? Not told.
    if figure.unit == "percent":
        if measure not in PERCENT_MEASURES:
            measure = PERCENT_TWIN.get(measure, "")
            if not measure:
                return None
        return measure, "percent", stage or "all"
    if figure.unit == "gbp":
        return (measure, "gbp", stage or "all") if measure.endswith("_gbp") else None
    if measure in PERCENT_MEASURES:
        return measure, "percent", stage or "all"
    if measure.endswith("_gbp"):
        return measure, "gbp", stage or "all"
    return measure, "count", stage or "all"


def _paren_period(column: Reading, context: str) -> str | None:
    """The year of the bracketed figure of ``351 (299)`` cells: the header's second year
    (``2024/25 (2023/24)``) or the year before when the text says brackets hold last year's."""
    years = re.findall(r"(?:19|20)\d\d\s*(?:/|-|to)\s*(?:19|20)?\d\d", normalise_typography(column.text))
    if len(years) == 2:
        return period_of(years[1]) or None
    if re.search(r"\((?:last|previous|prior) year\)|brackets?|in \(\)|parenthes", context, re.IGNORECASE) and column.period:
        return previous_period(column.period)
    return None


def read_tables(report: RawReport, tables: list[Table]) -> list[Observation]:
    """Every figure of every table, labelled where the vocabulary can tell, else unlabelled."""
    out: list[Observation] = []
    for table in tables:
        caption = _caption_reading(table.caption)
        headers = [read_label(h) for h in table.header]
        has_years = any(h.period or h.quarter or calendar_years(h.text) for h in headers) or \
            any(read_label(cells[0]).period for _, cells in table.rows if cells)
        width = len(table.header)
        context = " ".join([table.caption, *table.header])
        # columns the vocabulary reads alike ("Statutory Children's", "Statutory Adults" → complaints):
        # their printed text tells them apart, so it goes in ``service``
        readings = [(h.measure, h.stage, h.division, h.period, h.quarter) for h in headers]
        alike = {i for i, key in enumerate(readings) if readings.count(key) > 1 and any(key)}
        for line, cells in table.rows:
            cell_lines = table.cell_lines.get(line)
            heading = _caption_reading(table.sections[line]) if line in table.sections else caption
            label = cells[0]
            row = read_label(label)
            values = cells[1:]
            shift = _shift(width, cells, report.lines[line - 1])
            for index, cell in enumerate(values, start=1):
                figures = figures_in(cell)
                if not figures:
                    continue
                at = None if shift is None else index - shift
                known = at is not None and 0 <= at < width
                column = headers[at] if known else Reading("")
                text = table.header[at] if known and table.header[at] else f"column {index + 1}"
                label_ = combine(report.report_period, column, row, heading, table_has_years=has_years)
                for figure in figures:
                    if figure.paren:
                        period = _paren_period(column, context)
                        fig_label = replace(label_, period=period or "") if period else Label(conflict="bracketed figure")
                    else:
                        fig_label = label_
                    at_line = cell_lines[index] if cell_lines else line
                    service = clean_label(table.header[at]) if known and at in alike and _named(row) else None
                    # a column the vocabulary reads nothing in, under a caption that gives the measure: a
                    # category of it ("Policy", "Staff" in a complaints categorisation table)
                    bare = known and column.text and not (column.measure or column.stage or column.division or column.period
                                                          or column.quarter or column.unit)
                    category = clean_label(table.header[at]) if bare and not row.category else None
                    out.append(_observation(report, table.id, at_line, label, text, fig_label, figure, service=service,
                                            category=category))
    return out


def _caption_reading(text: str) -> Reading:
    """A caption's reading; a caption about complaints ("Complaints categorisation Q2 2013/14")
    makes ``complaints`` the measure of columns and rows that name none."""
    reading = read_label(text) if text else Reading("")
    if text and not reading.measure and re.search(r"\bcomplaints?\b", text, re.IGNORECASE) \
            and not re.search(r"compliment|enquir|comment|ombudsman|%|per ?cent|percentage|proportion|\brate\b", text, re.IGNORECASE):
        reading = replace(reading, measure=BASE)
    return reading


def _named(reading: Reading) -> bool:
    """The label is wholly a reading of the vocabulary (a measure, stage, year, division or a total), not a service's name."""
    return bool(reading.measure or reading.stage or reading.period or reading.quarter or reading.division)


def _shift(width: int, cells: list[str], raw: str) -> int | None:
    """How many cells a row's cells sit right of its header's: 0 (header has a cell over the
    labels), 1 (it has none), None when the row cannot be lined up with the header (aligned
    columns where a blank cell vanished)."""
    if len(cells) == width:
        return 0
    if len(cells) == width + 1:
        return 1
    if len(cells) < width and ("\t" in raw or "|" in raw):  # exact separators: trailing cells left blank
        return 0
    return None


def _observation(report: RawReport, table: str, line: int, row_text: str, column_text: str, label: Label,
                 figure: Figure, service: str | None = None, category: str | None = None) -> Observation:
    finished = _finish(label, figure)
    row = read_label(row_text)
    if finished is None:
        return Observation(council=report.council, period=label.period or report.report_period,
                           report_period=report.report_period, division="all", stage="all", measure=UNLABELLED,
                           value=figure.value, unit=figure.unit, source_file=report.source_file, source_line=line,
                           table=table, service=clean_label(row_text)[:200], category=clean_label(column_text)[:200],
                           quality_flag=UNLABELLED)
    measure, unit, stage = finished
    if service is None:
        service = "" if _named(row) or row.category else clean_label(row_text)
    if category is None:
        category = clean_label(row_text) if row.category else ""
    return Observation(council=report.council, period=label.period, report_period=report.report_period,
                       division=label.division or "all", stage=stage, measure=measure, value=figure.value, unit=unit,
                       source_file=report.source_file, source_line=line, table=table, quarter=label.quarter,
                       service=service, category=category)


# ---------------------------------------------------------------------------------------
# A label with its figure alone on the next line


_LABEL_LINE = re.compile(r"^[A-Za-z][^.!?]{2,80}:?$")


def read_label_value_pairs(report: RawReport, taken: set[int]) -> list[Observation]:
    """``Stage 1 complaints received`` then ``351`` on the next line (an infographic or a
    definition list): the figure with the line above as its label."""
    out: list[Observation] = []
    lines = report.lines
    for index in range(1, len(lines)):
        number = index + 1
        if number in taken:
            continue
        figures = figures_in(lines[index]) if lines[index].strip() else None
        if not figures:
            continue
        above = clean_label(normalise_typography(lines[index - 1])).strip("#*:| ")
        if not above or not _LABEL_LINE.match(above) or figures_in(above) is not None:
            continue
        reading = read_label(above)
        label = combine(report.report_period, Reading(""), reading, Reading(""), table_has_years=bool(reading.period))
        for figure in figures:
            fig_label = Label(conflict="bracketed figure") if figure.paren else label
            out.append(_observation(report, f"{TABLE}:pair", number, above, "", fig_label, figure))
    return out


_FIGURE_FIRST = re.compile(rf"^(?P<value>{_FIGURE})\s+(?P<label>[A-Za-z][\w&'’/(), -]{{2,70}})$")


def read_figure_first_lines(report: RawReport, taken: set[int]) -> list[Observation]:
    """A run of lines each a figure then its label ("81 Stage 1 Complaints Closed", "7 Compliments"):
    a summary list. Only a run of two or more lines whose figures are not 1, 2, 3… (a numbered list of
    headings is not a list of figures); a lone such line may be a numbered heading and is left alone."""
    out: list[Observation] = []
    runs: list[list[tuple[int, re.Match]]] = [[]]
    for number, line in enumerate(report.lines, start=1):
        match = None if number in taken else _FIGURE_FIRST.match(clean_label(normalise_typography(line)))
        if match and "." not in match["value"].rstrip("%"):
            runs[-1].append((number, match))
        elif runs[-1]:
            runs.append([])
    for run in runs:
        values = [m["value"] for _, m in run]
        if len(run) < 2 or values == [str(i) for i in range(int(values[0]) if values[0].isdigit() else -9, 99)][:len(values)]:
            continue
        for number, match in run:
            reading = read_label(match["label"])
            label = combine(report.report_period, Reading(""), reading, Reading(""), table_has_years=bool(reading.period))
            for figure in figures_in(match["value"]) or []:
                out.append(_observation(report, f"{TABLE}:list", number, match["label"], "", label, figure))
    return out


_LABEL_DASH_FIGURE = re.compile(rf"^(?:[•·▪◦*-]\s*)?(?P<label>[A-Za-z][\w&'’/() ]{{0,50}}?)\s*(?:-|:)\s+(?P<value>{_FIGURE})$")


def read_listed_figures(report: RawReport, taken: set[int]) -> list[Observation]:
    """A list of "label - figure" lines under a lead line ("…54 Stage One housing complaints were
    received, broken down as follows:" then "• Q1 - 15", "• Q2 - 14"): each figure read with its
    label as the row and the lead line as the caption. Only a run of two or more such lines."""
    out: list[Observation] = []
    lines = [clean_label(normalise_typography(line)) for line in report.lines]
    number = 0
    while number < len(lines):
        run = []
        while number < len(lines) and number + 1 not in taken and (match := _LABEL_DASH_FIGURE.match(lines[number])):
            run.append((number + 1, match))
            number += 1
        if len(run) < 2:
            number += 1
            continue
        lead = next((lines[i] for i in range(run[0][0] - 2, max(-1, run[0][0] - 5), -1) if lines[i]), "")
        caption = _caption_reading(lead) if lead.endswith(":") else Reading("")
        for line, match in run:
            row = read_label(match["label"])
            label = combine(report.report_period, Reading(""), row, caption, table_has_years=bool(row.period))
            for figure in figures_in(match["value"]) or []:
                out.append(_observation(report, f"{TABLE}:list", line, match["label"], "", label, figure))
    return out


# ---------------------------------------------------------------------------------------


def unique(observations: list[Observation]) -> list[Observation]:
    """Two figures of one line with the same key (two unreadable cells, a label printed twice):
    the later ones become unlabelled, keeping their cell's position in ``category``."""
    seen: set[tuple] = set()
    out = []
    for o in observations:
        key = (o.period, o.quarter, o.division, o.service, o.category, o.stage, o.measure, o.source_line)
        n = 1
        while key in seen:
            n += 1
            o = replace(o, measure=UNLABELLED, quality_flag=UNLABELLED, category=f"{o.category} (figure {n})".strip())
            key = (o.period, o.quarter, o.division, o.service, o.category, o.stage, o.measure, o.source_line)
        seen.add(key)
        out.append(o)
    return out


def extract(report: RawReport) -> list[Observation]:
    """Every table figure and every headline sentence figure of the report."""
    from ..headlines import read_headlines

    tables = find_tables(report.lines, report.separators)
    out = read_tables(report, tables)
    taken = {line for t in tables for line in t.lines}
    stacked = find_stacked_tables(report.lines, taken)
    out += read_tables(report, stacked)
    taken |= {line for t in stacked for line in t.lines}
    out += read_label_value_pairs(report, taken)
    taken |= {o.source_line for o in out}
    out += read_figure_first_lines(report, taken)
    taken |= {o.source_line for o in out}
    out += read_listed_figures(report, taken)
    taken |= {o.source_line for o in out}
    out += read_headlines(report, taken)
    return unique(out)
