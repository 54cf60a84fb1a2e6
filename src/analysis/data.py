"""Read the clean tables, the one way notebooks and analysis modules get at the data.

Notebooks never read the raw reports and never type a number in: they call these loaders
and the analysis modules, so every figure they state traces to ``data/clean`` and from
there to a raw file and line (:func:`cite`).
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pandas as pd

from .paths import Paths

# Text columns whose "no value" is the empty string (never NaN), so filters compare cleanly.
TEXT_COLUMNS = ["council", "period", "quarter", "report_period", "division", "service", "category",
                "category_std", "stage", "measure", "unit", "source_file", "table", "quality_flag"]


class CleanDataMissing(FileNotFoundError):
    """``data/clean`` has not been built yet."""


def _read(paths: Paths, stem: str) -> pd.DataFrame:
    path = paths.clean / f"{stem}.parquet"
    if not path.is_file():
        raise CleanDataMissing(f"{path} is missing: run `python -m analysis clean` (or `make study`) first")
    frame = pd.read_parquet(path)
    for column in frame.columns:
        if column in TEXT_COLUMNS or frame[column].dtype == object:
            frame[column] = frame[column].fillna("").astype(str)
    return frame


@lru_cache(maxsize=8)
def _cached(root: str, stem: str, mtime_ns: int) -> pd.DataFrame:
    """Read once per file version (the mtime is in the key, so a re-clean is seen in a live kernel)."""
    return _read(Paths(Path(root)), stem)


def _load(paths: Paths | None, stem: str) -> pd.DataFrame:
    paths = paths or Paths.discover()
    path = paths.clean / f"{stem}.parquet"
    mtime = path.stat().st_mtime_ns if path.is_file() else 0
    return _cached(str(paths.root), stem, mtime).copy()


def load_observations(paths: Paths | None = None) -> pd.DataFrame:
    """Every printed figure (``data/clean/observations.parquet``), text columns with '' for empty."""
    return _load(paths, "observations")


def load_reconciled(paths: Paths | None = None) -> pd.DataFrame:
    """One chosen value per key (``data/clean/reconciled.parquet``), with rule and alternatives."""
    return _load(paths, "reconciled")


def load_conflicts(paths: Paths | None = None) -> pd.DataFrame:
    """Where printed sources disagree (``data/clean/conflicts.parquet``): both values, both sources."""
    return _load(paths, "conflicts")


def load_claims(paths: Paths | None = None) -> pd.DataFrame:
    """Each narrative claim checked against the tables (``data/clean/claims.parquet``), with its verdict."""
    return _load(paths, "claims")


def select(frame: pd.DataFrame, **dims) -> pd.DataFrame:
    """Rows whose columns equal the given values; a list/tuple/set value means "any of these".

    ``select(obs, council="bromley", division="education", service="", measure="complaints")``
    """
    mask = pd.Series(True, index=frame.index)
    for column, wanted in dims.items():
        if isinstance(wanted, (list, tuple, set, frozenset)):
            mask &= frame[column].isin(list(wanted))
        else:
            mask &= frame[column] == wanted
    return frame[mask]


def cite(row) -> str:
    """``data/raw/FILE.txt:LINE`` for a row (Series or namedtuple) of observations or reconciled."""
    source = row["source_file"] if isinstance(row, (pd.Series, dict)) else row.source_file
    line = row["source_line"] if isinstance(row, (pd.Series, dict)) else row.source_line
    return f"{source}:{int(line)}"


def periods(frame: pd.DataFrame) -> list[str]:
    """The financial years present, in order."""
    return sorted(p for p in frame["period"].unique() if p)


def latest_report_period(council: str, paths: Paths | None = None) -> str:
    """The most recent report period the manifest lists for ``council``."""
    from .clean.manifest import read_manifest

    listed = sorted(e.report_period for e in read_manifest(paths or Paths.discover()) if e.council == council)
    if not listed:
        raise KeyError(f"no report for council {council!r} in data/raw/manifest.csv")
    return listed[-1]
