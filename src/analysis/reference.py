"""External figures the study's pages may cite beside the councils' own (``data/reference/external_figures.csv``).

The councils' reports are the study's data; these are context from elsewhere: the Local
Government and Social Care Ombudsman's (LGSCO) national and per-council statistics, and
population denominators. Each row was read by hand from a stored public page and carries that
page's publisher, title, address, the date it was read and the exact words the value was read
from, so a page can cite it and a reviewer can check it. The table is reviewed data (see
``data/reference/README.md``); this module only reads and checks it, and refuses a broken file
with one message naming the file and every bad row, rather than letting a page quote a figure
that has no source.
"""
from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from .councils import LONDON_COUNCILS
from .paths import Paths

FILE_NAME = "external_figures.csv"
COLUMNS = ["figure_id", "publisher", "title", "address", "source_type", "date_read", "council", "period",
           "measure", "scope", "value", "unit", "quote", "note"]
REQUIRED = [c for c in COLUMNS if c != "note"]
SOURCE_TYPES = {"ombudsman", "council", "press", "political_party", "statistics_office"}
AREAS = {"england", "london"}  # besides a London council's snake_case id

_NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")
_PERIOD = re.compile(r"(\d{4})-(\d{2})")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class ExternalFiguresError(ValueError):
    """The external-figures file is missing or breaks one of its rules."""


def numbers_in(text: str) -> set[float]:
    """Every number written in ``text`` (thousands separators dropped): '16,899' → 16899.0."""
    found = set()
    for token in _NUMBER.findall(text):
        token = token.rstrip(",").replace(",", "")
        try:
            found.add(float(token))
        except ValueError:
            continue
    return found


def valid_period(period: str) -> bool:
    """A financial year written ``YYYY-YY`` whose second year follows the first (``2019-20``)."""
    match = _PERIOD.fullmatch(period)
    return bool(match) and (int(match.group(1)) + 1) % 100 == int(match.group(2))


def problems(frame: pd.DataFrame) -> list[str]:
    """What is wrong with the table, one line per problem ('row N (figure_id): …'); empty when it is sound.

    Rules: every column present; every required cell filled; ``figure_id`` unique; ``value`` a
    number that is written in its ``quote`` (so no figure is typed without the words it came
    from); ``period`` a valid financial year; ``date_read`` an ISO date; ``council`` a known
    London council or ``england``/``london``; ``address`` a web address; ``source_type`` known.
    """
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        return [f"missing column(s): {', '.join(missing)}"]
    out = []
    dupes = frame["figure_id"][frame["figure_id"].duplicated() & (frame["figure_id"] != "")]
    out += [f"figure_id {fid!r} appears more than once" for fid in sorted(set(dupes))]
    for i, row in enumerate(frame.to_dict("records"), start=2):  # line 1 is the header
        where = f"row {i} ({row['figure_id'] or 'no figure_id'})"
        empty = [c for c in REQUIRED if not str(row[c]).strip()]
        if empty:
            out.append(f"{where}: empty {', '.join(empty)}")
            continue
        try:
            value = float(row["value"])
        except ValueError:
            out.append(f"{where}: value {row['value']!r} is not a number")
        else:
            if value not in numbers_in(row["quote"]):
                out.append(f"{where}: value {row['value']} is not written in its quote")
        if not valid_period(row["period"]):
            out.append(f"{where}: period {row['period']!r} is not a financial year YYYY-YY")
        if not _DATE.fullmatch(row["date_read"]):
            out.append(f"{where}: date_read {row['date_read']!r} is not YYYY-MM-DD")
        if row["council"] not in AREAS and row["council"] not in LONDON_COUNCILS:
            out.append(f"{where}: council {row['council']!r} is neither a London council id nor england/london")
        if not row["address"].startswith(("http://", "https://")):
            out.append(f"{where}: address {row['address']!r} is not a web address")
        if row["source_type"] not in SOURCE_TYPES:
            out.append(f"{where}: source_type {row['source_type']!r} is not one of {sorted(SOURCE_TYPES)}")
    return out


def read_table(path: Path) -> pd.DataFrame:
    """The file as text columns, empty cells as '' (never NaN), quotes with runs of whitespace collapsed."""
    if not path.is_file():
        raise ExternalFiguresError(f"{path} is missing (external figures live in data/reference/)")
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    if "quote" in frame.columns:
        frame["quote"] = frame["quote"].str.split().str.join(" ")
    return frame


def load_external_figures(paths: Paths | None = None) -> pd.DataFrame:
    """The checked external figures, ``value`` as a float; raises :class:`ExternalFiguresError` naming every bad row.

    Filter by ``council``, ``period``, ``measure`` and ``scope``: the ``scope`` column keeps apart
    figures that share a measure but not a base (the LGSCO's local-government review against its
    all-jurisdiction annual report, one service against all), so never compare across scopes.
    """
    path = (paths or Paths.discover()).reference / FILE_NAME
    frame = read_table(path)
    found = problems(frame)
    if found:
        raise ExternalFiguresError(f"{path}: " + "; ".join(found))
    return frame.assign(value=frame["value"].astype(float))[COLUMNS]
