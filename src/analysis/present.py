"""The presentation layer: how the study names things and shows numbers, in one place.

Every page formats numbers and names through here, so a count reads ``1,108`` everywhere, a
missing figure ``—`` (never ``NaN``), a council ``Barking and Dagenham`` (never its id) and a
source ``Bromley 2023-24 report, line 94`` linked to the rendered report. Studies compute plain
values; notebooks show them with :func:`table`, :func:`number` and :func:`citation`.

Core module: imports only other core modules (councils, parsing).
"""
from __future__ import annotations

import html
import math
import os
import re
from dataclasses import dataclass
from pathlib import PurePosixPath

from .councils import council_label

MISSING = "—"

DIVISIONS = {
    "all": "Whole council",
    "adult_social_care": "Adult social care",
    "childrens_social_care": "Children's social care",
    "education": "Education",
    "housing": "Housing",
    "planning_regeneration": "Planning & regeneration",
    "chief_executives": "Chief Executive's",
    "environment_public_protection": "Environment & public protection",
    "public_health": "Public health",
    "corporate": "Corporate",
}
STAGES = {"all": "all stages", "stage_1": "stage 1", "stage_2": "stage 2", "stage_3": "stage 3",
          "ombudsman": "Ombudsman", "enquiry": "enquiries", "representation": "representations"}
MEASURES = {
    "complaints": "complaints", "aspects": "aspects", "mentions": "services named", "enquiries": "enquiries",
    "representations": "representations", "cases": "cases", "compliments": "compliments",
    "pct_upheld_or_partially": "% upheld or partly upheld", "pct_upheld": "% upheld",
    "pct_partially_upheld": "% partly upheld", "pct_not_upheld": "% not upheld", "pct_on_time": "% answered on time",
    "upheld": "upheld", "partially_upheld": "partly upheld", "not_upheld": "not upheld",
    "ombudsman_referrals": "Ombudsman referrals", "ombudsman_decisions": "Ombudsman decisions",
    "ombudsman_investigations": "Ombudsman detailed investigations", "ombudsman_upheld": "Ombudsman upheld decisions",
    "pct_ombudsman_upheld": "% of Ombudsman decisions upheld", "financial_total_gbp": "financial remedies, total £",
    "compensation_gbp": "compensation £", "time_and_trouble_gbp": "time and trouble payments £",
    "charges_written_off_gbp": "charges written off £", "expert_fees_gbp": "expert fees £",
}
FLAGS = {
    "conflicting_sources": "printed differently elsewhere",
    "wider_scope_total": "a total of a wider scope",
    "total_mismatch": "total does not equal its parts",
    "pct_disagrees_with_counts": "percentage disagrees with the counts",
    "pct_change_disagrees": "% change disagrees with the years",
    "unreadable_cell": "unreadable cell",
    "flattened_unrecovered": "lost in the flattened table",
    "impossible_value": "impossible value",
    "ocr_digit_repaired": "digit repaired",
    "ocr_spacing_repaired": "spacing repaired",
    "label_stray_digit_removed": "stray digit removed from label",
    "unsigned_change": "change printed without a sign",
    "division_approximate": "division approximate",
}
RULES = {
    "single_value": "printed once, or alike everywhere",
    "own_year_report": "the report for that year",
    "headline_scope": "the headline table's scope",
    "ombudsman_statistics": "the Ombudsman's own statistics",
    "latest_report": "the latest report",
    "table_over_prose": "a table over prose",
    "first_printed": "first printed (unresolved)",
}
CONFLICT_KINDS = {
    "within_report": "within one report", "across_reports": "across reports", "total_vs_parts": "total vs parts",
    "pct_vs_counts": "% vs counts", "pct_change_vs_years": "% change vs years", "different_scope": "different scope",
}
SMALL_WORDS = {"and", "or", "of", "the", "a", "in", "on", "to", "vs", "per"}


def humanise(identifier: str) -> str:
    """A snake_case id as words, first letter capitalised: ``lack_of_action`` → ``Lack of action``."""
    text = str(identifier).replace("_", " ").strip()
    return text[:1].upper() + text[1:] if text else ""


def humanise_label(text: str) -> str:
    """A label that is a snake_case id (``childrens_social_care``) as its words; any other text unchanged."""
    text = str(text)
    if not re.fullmatch(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)+", text):
        return text
    return DIVISIONS.get(text) or MEASURES.get(text) or STAGES.get(text) or humanise(text)


def council(council_id: str) -> str:
    """``barking_and_dagenham`` → ``Barking and Dagenham``; ``all`` → ``All councils``."""
    return "All councils" if council_id == "all" else council_label(council_id)


def division(division_id: str) -> str:
    return DIVISIONS.get(division_id, humanise(division_id))


def stage(stage_id: str) -> str:
    return STAGES.get(stage_id, humanise(stage_id).lower())


def measure(measure_id: str) -> str:
    return MEASURES.get(measure_id, humanise(measure_id).lower())


def flag(code: str) -> str:
    """A quality flag (or ``;``-joined flags) in words."""
    return "; ".join(FLAGS.get(c, humanise(c).lower()) for c in str(code).split(";") if c)


def rule(code: str) -> str:
    return RULES.get(code, humanise(code).lower())


def conflict_kind(code: str) -> str:
    return CONFLICT_KINDS.get(code, humanise(code).lower())


def council_period(council_id: str, period: str = "") -> str:
    """``Bromley 2023-24``, ``All councils``: the scope as a heading names it."""
    return f"{council(council_id)} {period}".strip()


# --- numbers ----------------------------------------------------------------------------------


def is_missing(value) -> bool:
    if value is None:
        return True
    try:
        return not math.isfinite(float(value))
    except (TypeError, ValueError):
        return False


def number(value, kind: str = "count", digits: int | None = None) -> str:
    """One formatter for every number a page shows.

    kinds: ``count`` (no decimals unless fractional: 1,108 / 12.5), ``decimal`` (``digits``, default 1),
    ``pct`` (a value already in percent: 44%, 67.9%), ``share`` (a fraction shown as a percent: 0.44 → 44%),
    ``points`` (a difference already in percentage points, signed: +12 pts), ``change`` (a signed percent: +38%),
    ``gbp`` (£30,749; ``digits=2`` for pence), ``ratio`` (0.71). Missing, NaN and inf show as "—".
    """
    if is_missing(value):
        return MISSING
    if isinstance(value, str):
        return value
    x = float(value)
    if kind == "count":
        d = 0 if x.is_integer() else (1 if digits is None else digits)
        return f"{x:,.{d}f}"
    if kind == "decimal":
        return f"{x:,.{1 if digits is None else digits}f}"
    if kind in ("pct", "share"):
        x = x * 100 if kind == "share" else x
        d = digits if digits is not None else (0 if abs(x - round(x)) < 0.05 else 1)
        return f"{x:,.{d}f}%"
    if kind == "points":
        return f"{x:+,.{0 if digits is None else digits}f} pts"
    if kind == "change":
        return f"{x:+,.{0 if digits is None else digits}f}%"
    if kind == "gbp":
        return f"£{x:,.{0 if digits is None else digits}f}"
    if kind == "ratio":
        return f"{x:,.{2 if digits is None else digits}f}"
    raise ValueError(f"unknown number kind {kind!r}")


def interval(low, high, kind: str = "share", digits: int | None = None) -> str:
    """``95% CI 17%–84%``-style range (just the range: ``17%–84%``); "—" if either end is missing."""
    if is_missing(low) or is_missing(high):
        return MISSING
    return f"{number(low, kind, digits)}–{number(high, kind, digits)}"


def estimate(value, low, high, kind: str = "share", digits: int | None = None, level: str = "95% CI") -> str:
    """``44% (95% CI 38%–50%)``; the interval is left out when it cannot be computed."""
    text = number(value, kind, digits)
    span = interval(low, high, kind, digits)
    return text if span == MISSING else f"{text} ({level} {span})"


# --- citations --------------------------------------------------------------------------------

SOURCE = re.compile(r"(?:data/raw/)?(?P<file>[a-z0-9-]+_\d{4}-\d{2}(?:_[^\s:;,()`]*)?\.txt):(?P<line>\d+)")
REPORTS_DIR = "reports"  # outputs/html/reports/<report stem>.html: each raw report, line-numbered


@dataclass(frozen=True)
class Citation:
    text: str  # "Bromley 2023-24 report, line 94"
    href: str  # "reports/bromley_2023-24_….html#L94", relative to outputs/html

    def markdown(self, base: str | None = None) -> str:
        return f"[{self.text}]({link_base(base)}{self.href})"

    def html(self, base: str | None = None) -> str:
        return f'<a href="{html.escape(link_base(base) + self.href)}">{html.escape(self.text)}</a>'


LINK_BASE_ENV = "COMPLAINTS_LINK_BASE"  # `make lab` sets it to "../outputs/html/": links that resolve inside Lab


def link_base(base: str | None = None) -> str:
    """Where citation links start from: "../" from a published page (outputs/html/policy/); inside JupyterLab
    (``make lab``, rooted at the project) "../outputs/html/" from notebooks/, where the site is built."""
    return base if base is not None else os.environ.get(LINK_BASE_ENV, "../")


def report_name(source_file: str) -> str:
    """``data/raw/bromley_2023-24_complaints….txt`` → ``Bromley 2023-24 report``."""
    stem = PurePosixPath(source_file).stem
    parts = stem.split("_")
    council_id = parts[0].replace("-", "_") if parts else stem
    period = parts[1] if len(parts) > 1 else ""
    return f"{council_label(council_id)} {period} report".replace("  ", " ")


def report_page(source_file: str) -> str:
    """Where the rendered copy of a raw report lives, relative to outputs/html."""
    return f"{REPORTS_DIR}/{PurePosixPath(source_file).stem}.html"


def citation(source_file: str, line: int | float | None = None) -> Citation:
    """A short human reference to a raw line, with the link target of its rendered report page.

    Accepts ``citation("data/raw/x.txt", 94)`` or one ``"data/raw/x.txt:94"`` string.
    """
    if line is None and ":" in str(source_file):
        source_file, _, line = str(source_file).rpartition(":")
    line = int(float(line))
    return Citation(f"{report_name(source_file)}, line {line}", f"{report_page(source_file)}#L{line}")


def cite_row(row) -> Citation:
    """The citation of an observations/reconciled row (Series, dict or namedtuple)."""
    get = row.get if hasattr(row, "get") else lambda k: getattr(row, k)
    return citation(get("source_file"), get("source_line"))


def link_sources(text: str, base: str | None = None, markdown: bool = True) -> str:
    """Every ``data/raw/FILE.txt:LINE`` in ``text`` as a short linked citation (Markdown or HTML)."""
    def repl(match: re.Match) -> str:
        c = citation(match.group("file"), match.group("line"))
        return c.markdown(base) if markdown else c.html(base)
    return SOURCE.sub(repl, str(text))


def short_sources(text: str) -> str:
    """Every ``data/raw/FILE.txt:LINE`` in ``text`` as plain words (``Bromley 2023-24 report, line 94``)."""
    return SOURCE.sub(lambda m: citation(m.group("file"), m.group("line")).text, str(text))


# --- tables -----------------------------------------------------------------------------------


def _cell(kind: str | None, digits: int | None = None):
    namer = LABELLERS.get(kind or "")

    def fmt(value):
        if namer is not None:
            return html.escape(namer(str(value))) if str(value) else MISSING
        if kind == "source":
            return link_sources(html.escape(str(value)), markdown=False) if str(value) else MISSING
        if kind in (None, "text"):
            return MISSING if is_missing(value) or (isinstance(value, str) and value == "") else html.escape(str(value))
        return number(value, kind, digits)
    return fmt


LABELLERS = {"council": council, "division": division, "stage": stage, "measure": measure, "flag": flag,
             "rule": rule, "conflict_kind": conflict_kind, "humanise": humanise}


def column_kind(name: str, values) -> str:
    """A column's number kind guessed from its name (overridden by ``table(kinds=…)``)."""
    lowered = str(name).lower()
    if lowered in LABELLERS and lowered != "humanise":
        return lowered
    if lowered in ("source", "sources") or lowered.endswith("source"):
        return "source"
    if lowered.endswith("_gbp") or "£" in lowered:
        return "gbp"
    if lowered.startswith("pct") or lowered.endswith("%"):
        return "pct"
    if lowered in ("share", "rate", "low", "high") or lowered.endswith(("_share", "_rate")):
        return "share"
    try:
        import pandas as pd

        if pd.api.types.is_numeric_dtype(values):
            return "count"
    except ImportError:  # pragma: no cover
        pass
    return "text"


def table(frame, kinds: dict[str, str] | None = None, labels: dict[str, str] | None = None,
          digits: dict[str, int] | None = None, caption: str | None = None, limit: int | None = None):
    """A DataFrame as a page table: no index, human headers, every number through :func:`number`,
    sources as linked citations, missing as "—", text HTML-escaped (labels come from the reports).

    ``kinds`` maps a column to a number kind of :func:`number`, ``source``, ``text`` or an id kind
    (``council``, ``division``, ``stage``, ``measure``, ``flag``, ``rule``: shown by its label);
    the default is guessed from the column's name and dtype; ``labels``
    renames headers (default: :func:`humanise`); ``limit`` shows the first rows and says so.
    """
    kinds, labels, digits = dict(kinds or {}), dict(labels or {}), dict(digits or {})
    shown = frame.reset_index(drop=True)
    note = ""
    if limit is not None and len(shown) > limit:
        note = f"First {limit} of {len(shown)} rows (all are in data/clean)."
        shown = shown.head(limit)
    formatters = {c: _cell(kinds.get(c) or column_kind(c, shown[c]), digits.get(c)) for c in shown.columns}
    headers = {c: labels.get(c, humanise(c) if isinstance(c, str) and "_" in c else str(c)) for c in shown.columns}
    styler = shown.style.format(formatters).hide(axis="index").relabel_index(
        [headers[c] for c in shown.columns], axis="columns")
    text = " ".join(t for t in (caption or "", note) if t)
    if text:
        styler = styler.set_caption(html.escape(text)).set_table_styles(
            [{"selector": "caption", "props": "caption-side: bottom; font-size: .85em; text-align: left"}])
    return styler
