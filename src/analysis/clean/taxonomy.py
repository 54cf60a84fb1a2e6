"""The harmonised root-cause taxonomy and the crosswalk from each council's printed labels.

Both are reviewed data in ``data/reference/`` (see its README for the design):
``root_cause_taxonomy.csv`` (code, name, definition) and ``root_cause_crosswalk.csv``
(council, raw_label, code, rationale). :func:`standardise` fills ``category_std`` from
``council`` and ``category``; the cleaner calls it once before writing, so every table in
``data/clean`` carries the codes.

Labels match after case folding and collapsing whitespace (:func:`normalise`); anything
else — a new spelling, a new council — is *unmapped*: ``category_std`` stays empty and
``tests/test_taxonomy.py`` fails until the crosswalk gains a row. ``not_a_cause`` marks
``category`` values that are not a complaint's nature (Lewisham's enquiry types and
contact methods); analyses drop it with :data:`NON_CAUSE`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..paths import Paths

TAXONOMY_FILE = "root_cause_taxonomy.csv"
CROSSWALK_FILE = "root_cause_crosswalk.csv"
TAXONOMY_COLUMNS = ["code", "name", "definition"]
CROSSWALK_COLUMNS = ["council", "raw_label", "code", "rationale"]
NON_CAUSE = "not_a_cause"


class TaxonomyError(ValueError):
    """The taxonomy or crosswalk file is malformed; the message names the file and rows."""


def normalise(label: str) -> str:
    """The matching key of a label: case-folded, whitespace runs collapsed, trimmed."""
    return re.sub(r"\s+", " ", str(label)).strip().casefold()


@dataclass(frozen=True)
class Taxonomy:
    codes: pd.DataFrame  # code, name, definition
    crosswalk: pd.DataFrame  # council, raw_label, code, rationale

    @property
    def lookup(self) -> dict[tuple[str, str], str]:
        """(council, normalised label) → code."""
        return {(c, normalise(label)): code for c, label, code in
                self.crosswalk[["council", "raw_label", "code"]].itertuples(index=False)}

    def names(self) -> dict[str, str]:
        return dict(zip(self.codes["code"], self.codes["name"]))

    def code_of(self, council: str, label: str) -> str:
        """The code of one printed label, '' when unmapped."""
        return self.lookup.get((council, normalise(label)), "") if label else ""


def _read(path, columns: list[str]) -> pd.DataFrame:
    if not path.is_file():
        raise TaxonomyError(f"{path} is missing (the root-cause taxonomy lives in data/reference/)")
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise TaxonomyError(f"{path}: missing column(s) {missing}; expected {columns}")
    frame = frame[columns].apply(lambda s: s.str.strip())
    empty = frame[(frame == "").any(axis=1)]
    if len(empty):
        raise TaxonomyError(f"{path}: empty cell(s) in data row(s) {[i + 2 for i in empty.index]}")
    return frame


def validate(codes: pd.DataFrame, crosswalk: pd.DataFrame, where: str = "data/reference") -> None:
    """Raise :class:`TaxonomyError` on a duplicate code, an unknown code or a duplicate key."""
    doubled = codes["code"][codes["code"].duplicated()].tolist()
    if doubled:
        raise TaxonomyError(f"{where}/{TAXONOMY_FILE}: duplicate code(s) {doubled}")
    if NON_CAUSE not in set(codes["code"]):
        raise TaxonomyError(f"{where}/{TAXONOMY_FILE}: the code {NON_CAUSE!r} must be defined")
    unknown = crosswalk[~crosswalk["code"].isin(set(codes["code"]))]
    if len(unknown):
        bad = [f"row {i + 2}: {r.council}/{r.raw_label!r} → {r.code!r}" for i, r in unknown.iterrows()]
        raise TaxonomyError(f"{where}/{CROSSWALK_FILE}: code(s) not in the taxonomy: {bad}")
    keys = crosswalk["council"] + "|" + crosswalk["raw_label"].map(normalise)
    doubled = crosswalk[keys.duplicated(keep=False)]
    if len(doubled):
        bad = [f"row {i + 2}: {r.council}/{r.raw_label!r}" for i, r in doubled.iterrows()]
        raise TaxonomyError(f"{where}/{CROSSWALK_FILE}: duplicate (council, raw_label) after normalising "
                            f"case and whitespace: {bad}")


CHECKOUT_REFERENCE = Path(__file__).resolve().parents[3] / "data" / "reference"


def reference_dir(paths: Paths) -> Path:
    """``paths``'s data/reference, or this checkout's when that project folder has none
    (a bare copy of data/raw, as some tests make, still gets the project's taxonomy)."""
    own = paths.reference
    return own if (own / TAXONOMY_FILE).is_file() or (own / CROSSWALK_FILE).is_file() else CHECKOUT_REFERENCE


def load_taxonomy(paths: Paths | None = None) -> Taxonomy:
    """Read and validate ``data/reference/root_cause_{taxonomy,crosswalk}.csv``."""
    folder = reference_dir(paths or Paths.discover())
    codes = _read(folder / TAXONOMY_FILE, TAXONOMY_COLUMNS)
    crosswalk = _read(folder / CROSSWALK_FILE, CROSSWALK_COLUMNS)
    validate(codes, crosswalk, str(folder))
    return Taxonomy(codes, crosswalk)


def standardise(frame: pd.DataFrame, taxonomy: Taxonomy) -> pd.Series:
    """``category_std`` for every row of ``frame`` (columns council, category); '' if unmapped."""
    lookup = taxonomy.lookup
    keys = zip(frame["council"].fillna("").astype(str), frame["category"].fillna("").astype(str))
    return pd.Series([lookup.get((c, normalise(label)), "") if label else "" for c, label in keys],
                     index=frame.index, dtype=object)


def fill_category_std(frame: pd.DataFrame, paths: Paths | None = None) -> pd.DataFrame:
    """``frame`` with ``category_std`` filled from the crosswalk (the cleaner's one call)."""
    frame = frame.copy()
    frame["category_std"] = standardise(frame, load_taxonomy(paths))
    return frame


def unmapped(frame: pd.DataFrame, taxonomy: Taxonomy) -> pd.DataFrame:
    """The distinct (council, category) pairs with no crosswalk row, with one source each."""
    rows = frame[(frame["category"].fillna("") != "") & (standardise(frame, taxonomy) == "")]
    return (rows.sort_values(["council", "category", "source_file", "source_line"])
            .drop_duplicates(["council", "category"])[["council", "category", "source_file", "source_line"]]
            .reset_index(drop=True))
