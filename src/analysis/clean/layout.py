"""One layout for every report text: table cells separated by tabs, one output line per input line.

The templates read tables whose cells are separated by the TAB character, which is what the
route that produced the seed reports prints. Other converters print the same tables otherwise:
``pdftotext -layout`` aligns columns with runs of spaces, an HTML or markdown export prints
``| a | b |`` rows (with a ``---|---`` row under the header). :func:`normalise_layout` turns
any of these into tab-separated cells and changes nothing else, and it never adds, drops or
joins a line, so line *n* of its result is line *n* of the raw file: every figure still cites
the line a reader finds in the file.

- **Tab text** passes through unchanged (a document with tab-separated lines is a tab export;
  its runs of spaces are typing, not columns). Only ``| a | b |`` rows are read in it.
- **Pipe rows** (``| a | b |``, or ``a | b`` in a table whose second line is a ``---|---`` row):
  the cells between the pipes, trimmed, with markdown's escapes (``\\|``, ``\\*``…) undone.
  A separator row becomes an empty line (it is a line of the file, so it is kept) and its
  number is reported in :attr:`Layout.separators`, so a table reader can step over it
  rather than take it for the blank line that ends a table.
- **Space-aligned columns** (only in a document without tab-separated lines): a block of
  consecutive lines that hold a run of two or more spaces between words is one table; its
  column boundaries are the runs of two or more character positions that are blank in every
  line of the block (how pandas' ``read_fwf`` infers colspecs, but with a two-space minimum
  so that the single spaces inside a label never split it). A cell left blank in a row stays
  an empty cell, so positions (``\\t\\tAdults``) survive, and every row of a block gets the
  block's full count of cells (a short row's missing cells are blank, not lost: a template
  then sees the same row length under the header as a tab export prints). A line alone
  between blank lines is split at its own runs of spaces, except a gap of two spaces between
  two sentences of prose (``…in 2020/21.  This is a decrease…``).

  A caption printed at the margin right above a block whose lines are all indented (a table
  printed one cell per line) is not one of its rows, nor is a line at the margin right under
  it (a wrapped cell's next line): each is cut on its own, so the cells keep their leading tab.

  A table printed one cell per line whose empty cells are lines holding only a tab (Lewisham's
  Word export) loses them to a converter that prints an empty cell as nothing: the blank lines
  carry no position. The reader of such tables (``extract.lewisham``) puts them back only where
  one reading alone fits the template, and otherwise skips the table (a skip record), never
  reading it shifted.

Why not a library: pandas' ``read_fwf`` infers one set of columns for a whole file and splits
at any single blank column (it would cut "Adult Social Care" wherever three rows align), and
pdfplumber's text-alignment table finder works on a PDF's character boxes, not on text lines.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

TAB_DOCUMENT_LINES = 3  # this many lines with a tab between two printed characters: a tab export

_TAB_CELL = re.compile(r"\S\t|\t\S")
_GAP = re.compile(r" {2,}")
_SEPARATOR_CELL = re.compile(r"\s*:?-{3,}:?\s*")
_MARKDOWN_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|<>~])")
_SENTENCE_END = re.compile(r"[.!?][\"'’”)]?$")
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")


@dataclass
class Layout:
    """A report's lines with tab-separated cells, and what was done to get them."""

    lines: list[str]
    kind: str  # "tab", "pipe", "aligned", "plain" (no table found) or a "+"-joined mix
    separators: frozenset[int] = field(default_factory=frozenset)  # 1-based lines that were ---|--- rows


def normalise_layout(lines: list[str]) -> Layout:
    """The lines with every table's cells separated by one tab each; same count, same order."""
    out = list(lines)
    kinds: list[str] = []
    pipe_lines, separators = _pipe_rows(lines)
    for index, text in pipe_lines.items():
        out[index] = text
    if pipe_lines:
        kinds.append("pipe")
    is_tab_document = sum(1 for line in lines if "\t" in line and _TAB_CELL.search(line)) >= TAB_DOCUMENT_LINES
    if is_tab_document:
        kinds.insert(0, "tab")
    else:
        aligned = _aligned_rows(lines, set(pipe_lines))
        for index, text in aligned.items():
            out[index] = text
        if aligned:
            kinds.append("aligned")
    return Layout(out, "+".join(kinds) or "plain", frozenset(i + 1 for i in separators))


# ---------------------------------------------------------------------------------------
# Pipe tables


def _is_separator(line: str) -> bool:
    """``|---|:---:|``, ``--- | ---``: a markdown table's header rule (two cells at least, or outer pipes)."""
    text = line.strip()
    if "|" not in text or "-" not in text:
        return False
    parts = text.strip("|").split("|")
    return (len(parts) >= 2 or text.startswith("|")) and all(_SEPARATOR_CELL.fullmatch(p) for p in parts)


def _is_pipe_row(line: str) -> bool:
    text = line.strip()
    return text.startswith("|") and len(_split_pipes(text)) >= 2


def _split_pipes(text: str) -> list[str]:
    """Cells between unescaped pipes; a leading and a trailing pipe enclose the row, not a cell."""
    text = text.strip()
    if text.startswith("|"):
        text = text[1:]
    if text.endswith("|") and not text.endswith("\\|"):
        text = text[:-1]
    return re.split(r"(?<!\\)\|", text)


def _pipe_cells(line: str) -> str:
    return "\t".join(_MARKDOWN_ESCAPE.sub(r"\1", cell).strip() for cell in _split_pipes(line))


def _pipe_rows(lines: list[str]) -> tuple[dict[int, str], set[int]]:
    """Index → tab-separated text of every pipe-table line; the indexes of the separator rows."""
    rows: dict[int, str] = {}
    separators: set[int] = set()
    inside = False  # in a table without outer pipes (opened by its header and separator)
    for index, line in enumerate(lines):
        if _is_separator(line) and (line.strip().startswith("|") or index > 0 and "|" in lines[index - 1]):
            separators.add(index)
            rows[index] = ""
            if index > 0 and index - 1 not in rows and "|" in lines[index - 1]:
                rows[index - 1] = _pipe_cells(lines[index - 1])  # a header row without outer pipes
            inside = True
            continue
        if _is_pipe_row(line) or (inside and "|" in line and line.strip()):
            rows[index] = _pipe_cells(line)
            continue
        inside = False
    return rows, separators


# ---------------------------------------------------------------------------------------
# Columns aligned by spaces


def _segments(line: str) -> list[tuple[int, int]]:
    """(start, end) of the text runs of a line split at runs of 2+ spaces (sentence gaps kept)."""
    spans: list[tuple[int, int]] = []
    start = len(line) - len(line.lstrip(" "))
    for gap in _GAP.finditer(line, start):
        if gap.start() <= start:
            continue
        if _is_sentence_gap(line[start:gap.start()], line[gap.end():]):
            continue
        spans.append((start, gap.start()))
        start = gap.end()
    if start < len(line.rstrip()):
        spans.append((start, len(line.rstrip())))
    return spans


def _is_sentence_gap(before: str, after: str) -> bool:
    """Two sentences of prose with a double space between them, not two cells."""
    before_words = _WORD.findall(before.rsplit("  ", 1)[-1])
    after_words = _WORD.findall(re.split(r" {2,}", after, maxsplit=1)[0])
    return bool(_SENTENCE_END.search(before.rstrip())) and after[:1].isalpha() and after[:1].isupper() \
        and len(before_words) >= 4 and len(after_words) >= 3


def _is_aligned_row(line: str) -> bool:
    """A line with two text runs at least, or one indented by 2+ spaces (a row whose first cells are blank)."""
    if "\t" in line or not line.strip():
        return False
    return len(_segments(line)) >= 2 or (line.startswith("  ") and bool(line.strip()))


def _aligned_rows(lines: list[str], taken: set[int]) -> dict[int, str]:
    """Index → tab-separated text for every line of a space-aligned block (blocks of consecutive rows)."""
    rows: dict[int, str] = {}
    index = 0
    while index < len(lines):
        if index in taken or not _is_aligned_row(lines[index]):
            index += 1
            continue
        end = index
        while end + 1 < len(lines) and end + 1 not in taken and _is_aligned_row(lines[end + 1]):
            end += 1
        if end > index + 1 and _is_caption(lines[index], lines[index + 1: end + 1]):
            rows[index] = _block_cells([lines[index]])[0]  # a caption printed right above its table
            index += 1
        if end > index + 1 and _is_caption(lines[end], lines[index: end]):
            rows[end] = _block_cells([lines[end]])[0]  # a wrapped cell's next line, at the margin
            end -= 1
        block = lines[index: end + 1]
        for offset, text in enumerate(_block_cells(block)):
            rows[index + offset] = text
        index = end + 1
    return rows


def _is_caption(first: str, rest: list[str]) -> bool:
    """A block's first line at the margin over lines all indented (a table printed one cell per
    line, each cell after a blank first column): the caption above the table, not its first row,
    so it does not take part in finding the table's column boundaries. Likewise a last line at
    the margin under lines all indented (the next line of a wrapped cell, which has no tab)."""
    return not first.startswith(" ") and all(line.startswith("  ") for line in rest)


def _block_cells(block: list[str]) -> list[str]:
    """Each line of a block cut at the block's column boundaries, cells joined by tabs."""
    width = max(len(line) for line in block)
    blank = [True] * width
    for line in block:
        for position, char in enumerate(line):
            if char != " ":
                blank[position] = False
    # a column boundary: 2+ positions blank in every line, after some text (or at the margin)
    starts, position = [0], 0
    while position < width:
        if blank[position]:
            run = position
            while run < width and blank[run]:
                run += 1
            if run - position >= 2 and run < width:
                starts.append(run)
            position = run
        else:
            position += 1
    if len(block) == 1:  # one line: its own gaps, with the sentence test
        starts = [0] + [s for s, _ in _segments(block[0])]
        starts = sorted(set(starts))
    out = []
    for line in block:
        cells = []
        for number, start in enumerate(starts):
            stop = starts[number + 1] if number + 1 < len(starts) else len(line)
            cells.append(line[start:stop].strip())
        out.append("\t".join(cells))
    return out
