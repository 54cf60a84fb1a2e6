"""Parse the tokens councils print: numbers, percentages, money and financial-year labels.

Every helper returns ``None`` for a cell the report prints as missing (``-``, ``n/a``,
``N/K``, blank): missing is never zero.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

MISSING_TOKENS = {"", "-", "–", "—", "_", "n/a", "na", "n/k", "nk", "n.a.", "tbc", "none"}

# A number as printed: optional sign, optional £, digits with thousands commas, decimals, %.
_NUMBER = re.compile(
    r"^(?P<sign>[-+−–]?)\s*(?P<pound>£?)\s*(?P<digits>\d{1,3}(?:,\d{3})+|\d+)(?P<frac>\.\d+)?\s*(?P<pct>%?)$"
)
# Letters that OCR or typists put where a digit belongs.
_OCR_DIGITS = str.maketrans({"o": "0", "O": "0", "l": "1", "I": "1"})


@dataclass(frozen=True)
class Number:
    """A parsed cell: its value, unit and whether it needed an OCR repair."""

    value: float
    unit: str  # count | percent | gbp
    ocr_repaired: bool = False


def is_missing(token: str | None) -> bool:
    """True for the ways reports print 'no figure' (which is not zero)."""
    return token is None or clean_label(token).lower() in MISSING_TOKENS


def parse_number(token: str | None, *, allow_ocr: bool = True) -> Number | None:
    """Parse ``1,108`` / ``35%`` / ``£5,822.59`` / ``-17.6%`` / ``+25%``; None when missing or not a number.

    With ``allow_ocr`` a token such as ``1o`` (letter o for zero) parses as 10 and is
    marked ``ocr_repaired`` so the caller can flag it.
    """
    if is_missing(token):
        return None
    text = clean_label(token).replace(" ", "")
    match = _NUMBER.match(text)
    repaired = False
    if not match and allow_ocr and re.fullmatch(r"[£+\-−–]?[\doOlI,.]+%?", text) and re.search(r"\d", text):
        candidate = text.translate(_OCR_DIGITS)
        match = _NUMBER.match(candidate)
        repaired = match is not None
    if not match:
        return None
    value = float(match["digits"].replace(",", "") + (match["frac"] or ""))
    if match["sign"] in {"-", "−", "–"}:
        value = -value
    unit = "percent" if match["pct"] else "gbp" if match["pound"] else "count"
    return Number(value, unit, repaired)


_FY = [
    # 2019/20, 2019-20, 2019 - 20, 2021 – 22, 2019-2020, 2019/2020, 2019 – 2020, 2023 to 2024, 2022 to 23
    re.compile(r"(?<!\d)(?P<a>(?:19|20)\d{2})(?:\s*[/\-–—]\s*|\s+to\s+)(?P<b>(?:19|20)?\d{2})(?!\d)", re.IGNORECASE),
    # 20/21, 19-20
    re.compile(r"(?<!\d)(?P<a>\d{2})\s*[/\-–—]\s*(?P<b>\d{2})(?!\d)"),
]


def parse_period(label: str | None) -> str | None:
    """A financial-year label in any printed style → ``YYYY-YY``; None if the label holds none.

    The second year must follow the first (``2019/20``), otherwise it is not a financial year.
    """
    if not label:
        return None
    text = clean_label(label)
    for pattern in _FY:
        for match in pattern.finditer(text):
            a, b = match["a"], match["b"]
            start = int(a) if len(a) == 4 else 2000 + int(a)
            end = int(b[-2:])
            if (start + 1) % 100 == end:
                return f"{start}-{end:02d}"
    return None


_YEAR_IN_TEXT = re.compile(r"(?<!\d)(20[12]\d)(?:(\s?[/–-]\s?)(20[12]\d|\d{2}))?(?!\d)")


def shift_years(text: str, years: int = 1) -> str:
    """Every year (2023) and financial year (2023-24, 2023/2024) in ``text`` moved on by ``years``, in the
    same style: last year's report as next year's (the yearly rerun's rehearsal in the tests and ``make bench``)."""
    def shift(match: re.Match) -> str:
        start = int(match.group(1)) + years
        if match.group(2) is None:
            return str(start)
        end = match.group(3)
        return f"{start}{match.group(2)}{int(end) + years if len(end) == 4 else f'{(int(end) + years) % 100:02d}'}"
    return _YEAR_IN_TEXT.sub(shift, text)


def previous_period(period: str, years: int = 1) -> str:
    """``2019-20`` → ``2018-19`` (or further back with ``years``)."""
    start = int(period[:4]) - years
    return f"{start}-{(start + 1) % 100:02d}"


_WHITESPACE = re.compile(r"\s+")


@lru_cache(maxsize=65536)
def clean_label(text: str | None) -> str:
    """Trim and collapse whitespace (the contract's rule for printed labels). Cached: the
    templates read the same cells many times."""
    if text is None:
        return ""
    return _WHITESPACE.sub(" ", text.replace("\u00a0", " ")).strip()


# What word processors substitute for plain characters: curly quotes and apostrophes, dashes,
# non-breaking and zero-width spaces, ligatures. Labels are *matched* after this mapping (so
# "Children’s Social Care" is the template's "Children's Social Care"); the text a figure is
# labelled with (service, category) stays as printed.
TYPOGRAPHY = str.maketrans({
    **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032\u02bc\u0060\u00b4", "'"),
    **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033", '"'),
    **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212", "-"),
    **dict.fromkeys("\u00a0\u2007\u2009\u200a\u202f\u2002\u2003\u2004\u2005\u2006\u205f\u3000", " "),
    **dict.fromkeys("\u200b\u200c\u200d\u2060\ufeff\u00ad", None),
    "\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl", "\ufb05": "st", "\ufb06": "st",
})
# The same for a regex written in a template: a dash becomes an escaped hyphen, literal anywhere
# (inside a character class ``[–-]`` as outside it).
_PATTERN_TYPOGRAPHY = {**TYPOGRAPHY, **dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"), "\\-")}


@lru_cache(maxsize=65536)
def normalise_typography(text: str | None) -> str:
    """Curly quotes → straight, en/em dashes → ``-``, odd spaces → space, zero-width → nothing,
    ligatures spelled out: the one place labels are made comparable before matching.
    Cached: the templates search the same raw lines many times."""
    if text is None:
        return ""
    if text.isascii():
        return text
    return text.translate(TYPOGRAPHY)


def normalise_pattern(pattern: str) -> str:
    """:func:`normalise_typography` for a template's regex (its dashes kept literal)."""
    return pattern.translate(_PATTERN_TYPOGRAPHY)


def slug(text: str) -> str:
    """``Barking and Dagenham`` → ``barking_and_dagenham`` (council ids, file names)."""
    text = clean_label(text).lower().replace("&", " and ")
    return re.sub(r"[^a-z0-9]+", "_", text).strip("_")
