"""``python -m analysis inspect FILE``: what the generic reader understands in a report, before it is added.

Prints each table it finds (lines, caption, how it reads each column header: measure, stage,
year, quarter), how many figures each gives and how many of them it could label; the headline
figures it reads in sentences; and every figure it could not label, with its line and the
printed row and column text. Nothing is written.
"""
from __future__ import annotations

from collections import Counter
from pathlib import Path

from ..observations import Observation
from ..parsing import clean_label
from .extract.engine import RawReport, decode_report
from .extract.generic import UNLABELLED, extract, find_stacked_tables, find_tables
from .layout import normalise_layout
from .manifest import stated_period
from .pdf import is_pdf, pdf_text
from .vocabulary import read_label


def load(path: Path, period: str | None = None) -> tuple[RawReport, str]:
    """The report as the cleaner would read it (a PDF's text extracted), and where its year came from."""
    text = pdf_text(path) if is_pdf(path) else decode_report(path, str(path))
    stated = stated_period(text)
    if period:
        source = f"--period {period}"
    elif stated:
        period, source = stated.period, f"line {stated.line}: \"{stated.text[:70]}\""
    else:
        raise ValueError(f"{path}: the report states no year of its own; pass --period YYYY-YY")
    layout = normalise_layout(text.split("\n"))
    return RawReport(str(path), "inspect", period, layout.lines, layout.separators), source


def _heading(text: str) -> str:
    """How the vocabulary reads one header cell, e.g. ``'% responded within timescales' → pct_on_time``."""
    reading = read_label(text)
    parts = [p for p in (reading.measure, reading.stage, reading.division if reading.division != "all" else "",
                         reading.period, reading.quarter) if p]
    return f"{clean_label(text)!r} → {', '.join(parts) if parts else '(nothing)'}"


def describe(report: RawReport, where: str) -> str:
    observations = extract(report)
    by_table: dict[str, list[Observation]] = {}
    for o in observations:
        by_table.setdefault(o.table, []).append(o)
    tables = find_tables(report.lines, report.separators)
    taken = {line for t in tables for line in t.lines}
    tables += find_stacked_tables(report.lines, taken)
    labelled = sum(o.measure != UNLABELLED for o in observations)
    out = [f"{report.source_file}: read as a {report.report_period} report ({where}); {len(report.lines)} lines",
           f"{len(observations)} figures: {labelled} labelled, {len(observations) - labelled} unlabelled", ""]
    for table in sorted(tables, key=lambda t: t.header_line):
        figures = by_table.get(table.id, [])
        lines = sorted(table.lines)
        named = sum(o.measure != UNLABELLED for o in figures)
        out.append(f"Table at lines {lines[0]}-{lines[-1]}" + (f" — caption {table.caption!r}" if table.caption else "")
                   + f": {len(table.rows)} rows, {len(figures)} figures ({named} labelled)")
        if table.caption:
            out.append(f"  caption: {_heading(table.caption)}")  # the caption fallback (complaints) is the reader's own
        for cell in table.header:
            if cell:
                out.append(f"  column {_heading(cell)}")
        for heading in dict.fromkeys(table.sections.values()):
            out.append(f"  rows headed {_heading(heading)}")
    pairs = by_table.get("generic:pair", [])
    if pairs:
        out.append(f"Labels with their figure on the next line: {len(pairs)} figures "
                   f"({sum(o.measure != UNLABELLED for o in pairs)} labelled)")
    listed = by_table.get("generic:list", [])
    if listed:
        out.append(f"Lists of figures with their labels ('81 Compliments', '• Q1 - 15'): {len(listed)} figures "
                   f"({sum(o.measure != UNLABELLED for o in listed)} labelled)")
    prose = by_table.get("prose", [])
    kinds = Counter(o.measure for o in prose if o.measure != UNLABELLED)
    out.append(f"Sentences: {len(prose)} figures, {sum(kinds.values())} labelled"
               + (f" ({', '.join(f'{m} {n}' for m, n in sorted(kinds.items()))})" if kinds else ""))
    unlabelled = [o for o in observations if o.measure == UNLABELLED]
    out += ["", f"Figures it could not label ({len(unlabelled)}):"]
    for o in sorted(unlabelled, key=lambda o: o.source_line):
        where_ = "sentence" if o.category == "sentence" else f"column {o.category!r}"
        out.append(f"  line {o.source_line}: {o.value:g}{'%' if o.unit == 'percent' else ''} — row {o.service[:80]!r}, {where_}")
    return "\n".join(out)
