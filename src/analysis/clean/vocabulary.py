"""The generic reader's one vocabulary: printed label → measure, stage, division, unit.

Kept as reviewed data in ``data/reference/vocabulary.csv`` (see that folder's README): each row
is a regex searched, case-insensitive, in a label after typographic normalisation, and the
dimensions it sets (an empty cell sets nothing). For each dimension the FIRST row in file order
that matches and sets it wins, so specific rows ("not upheld") sit above general ones
("upheld"). Row labels that the root-cause crosswalk (``root_cause_crosswalk.csv``) lists for
any council are complaint categories: the crosswalk is the vocabulary's category part.

Pandas-free (csv module): the clean reads reports in a background worker before pandas loads.
"""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path

from ..parsing import clean_label, normalise_typography, parse_period

VOCABULARY_FILE = "vocabulary.csv"
VOCABULARY_COLUMNS = ["pattern", "measure", "stage", "division", "unit", "rationale"]
DIMENSIONS = ("measure", "stage", "division", "unit")
REFERENCE = Path(__file__).resolve().parents[3] / "data" / "reference"


class VocabularyError(ValueError):
    """The vocabulary file is malformed; the message names the file and row."""


@dataclass(frozen=True)
class Term:
    pattern: re.Pattern
    sets: dict  # dimension → value
    row: int  # line in vocabulary.csv, for messages


@dataclass(frozen=True)
class Reading:
    """What one printed label says: the dimensions the vocabulary gives it, a period or quarter
    it names, and whether it names a complaint category the crosswalk knows."""

    text: str
    measure: str = ""
    stage: str = ""
    division: str = ""
    unit: str = ""
    period: str = ""
    quarter: str = ""
    previous: bool = False  # "last year", "previous year", "(2023/24)" relative words
    category: bool = False
    percent: bool = False  # "%" or "percentage" printed in the label
    terms: tuple[int, ...] = field(default=(), compare=False)  # rows of vocabulary.csv that matched


def _load_terms(folder: Path) -> tuple[Term, ...]:
    path = folder / VOCABULARY_FILE
    if not path.is_file():
        raise VocabularyError(f"{path} is missing (the generic reader's vocabulary lives in data/reference/)")
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        if reader.fieldnames != VOCABULARY_COLUMNS:
            raise VocabularyError(f"{path}:1: expected the columns {', '.join(VOCABULARY_COLUMNS)}, found {reader.fieldnames}")
        terms = []
        for number, row in enumerate(reader, start=2):
            try:
                pattern = re.compile(row["pattern"], re.IGNORECASE)
            except re.error as error:
                raise VocabularyError(f"{path}:{number}: pattern is not a valid regex ({error})") from None
            sets = {d: row[d].strip() for d in DIMENSIONS if row[d].strip()}
            if not sets:
                raise VocabularyError(f"{path}:{number}: the row sets no dimension")
            terms.append(Term(pattern, sets, number))
    return tuple(terms)


def _load_categories(folder: Path) -> frozenset[str]:
    path = folder / "root_cause_crosswalk.csv"
    if not path.is_file():
        return frozenset()
    with path.open(newline="", encoding="utf-8") as fh:
        return frozenset(_key(row["raw_label"]) for row in csv.DictReader(fh) if row.get("code") != "not_a_cause")


def _key(label: str) -> str:
    return re.sub(r"\s+", " ", normalise_typography(label)).strip().casefold()


@cache
def vocabulary(folder: Path = REFERENCE) -> tuple[tuple[Term, ...], frozenset[str]]:
    """The vocabulary's terms and the crosswalk's category labels (read once per process)."""
    return _load_terms(folder), _load_categories(folder)


_QUARTER = re.compile(r"\b(?:q|quarter\s*)([1-4])\b|\b(?:first|second|third|fourth)\s+quarter\b", re.IGNORECASE)
_QUARTER_WORDS = {"first": "Q1", "second": "Q2", "third": "Q3", "fourth": "Q4"}
_MONTHS = "jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec"
_MONTH_QUARTERS = {"apr": "Q1", "jul": "Q2", "oct": "Q3", "jan": "Q4"}
_MONTH_RANGE = re.compile(rf"\b(?P<a>{_MONTHS})[a-z]*\.?\s*(?P<ya>(?:19|20)?\d\d)?\s*(?:-|to|–)\s*(?P<b>{_MONTHS})[a-z]*\.?\s*(?P<yb>(?:19|20)?\d\d)?\b",
                          re.IGNORECASE)
_MONTH_END = {"jun": "apr", "sep": "jul", "dec": "oct", "mar": "jan"}
# "2023 to 2024", "2022 to 23" (parse_period reads "2023/24", "2023-24", "2023-2024")
_TO_YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)\s+to\s+((?:19|20)?\d\d)(?!\d)", re.IGNORECASE)
_PREVIOUS = re.compile(r"\b(?:last|previous|prior|preceding) (?:financial )?year\b|\bprevious\b|\blast year'?s?\b|\bthe year before\b",
                       re.IGNORECASE)
_CALENDAR_YEAR = re.compile(r"(?<![\d/\-])(?:19|20)\d\d(?![\d/\-])")


def period_of(text: str) -> str:
    """A financial year named in ``text`` (2023/24, 2023-24, 2023 to 2024, 2022 to 23), or ''."""
    text = normalise_typography(text)
    for match in _TO_YEAR.finditer(text):
        period = parse_period(f"{match[1]}/{match[2]}")
        if period:
            return period
    return parse_period(text) or ""


def quarter_of(text: str) -> str:
    """Q1–Q4 named in ``text`` (Q1, Quarter 1, first quarter, Apr-Jun), or ''."""
    match = _QUARTER.search(text)
    if match:
        return f"Q{match[1]}" if match[1] else _QUARTER_WORDS[match[0].split()[0].lower()]
    months = _MONTH_RANGE.search(text)
    if months:
        a, b = months["a"].lower()[:3], months["b"].lower()[:3]
        if _MONTH_END.get(b) == a:
            return _MONTH_QUARTERS[a]
    return ""


@lru_cache(maxsize=8192)
def read_label(text: str, folder: Path = REFERENCE) -> Reading:
    """What the vocabulary makes of one printed label (a header cell, a row label, a caption)."""
    terms, categories = vocabulary(folder)
    label = clean_label(normalise_typography(text))
    found: dict[str, str] = {}
    used = []
    for term in terms:
        todo = [d for d in term.sets if d not in found]
        if todo and term.pattern.search(label):
            used.append(term.row)
            for dimension in todo:
                found[dimension] = term.sets[dimension]
    category = _key(label) in categories
    return Reading(label, found.get("measure", ""), found.get("stage", ""), found.get("division", ""), found.get("unit", ""),
                   period_of(label), quarter_of(label), bool(_PREVIOUS.search(label)), category,
                   "%" in label or bool(re.search(r"\bper ?cent(?:age)?\b|\bproportion\b", label, re.IGNORECASE)), tuple(used))


def calendar_years(text: str) -> list[str]:
    """Bare calendar years (2024) in ``text``: not financial years, so a figure under one is not placed in a year."""
    return _CALENDAR_YEAR.findall(normalise_typography(text))
