"""The tidy observations table (``../shared/contract/OBSERVATIONS.md``): columns, rows, writing.

Extractors produce :class:`Observation` records; this module alone decides column order,
sort order and file formats, so every writer gives byte-identical files for equal input.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pandas is imported where a frame is made: the extractors and the manifest do not need it
    import pandas as pd

COLUMNS = [
    "council", "period", "quarter", "report_period", "division", "service", "category",
    "category_std", "stage", "measure", "value", "unit", "source_file", "source_line",
    "table", "quality_flag",
]
SORT_KEY = ["source_file", "source_line", "table", "division", "service", "category",
            "period", "quarter", "stage", "measure", "council", "value"]

DIVISIONS = {
    "adult_social_care", "childrens_social_care", "education", "housing",
    "planning_regeneration", "chief_executives", "environment_public_protection",
    "public_health", "corporate", "all",
}
STAGES = {"stage_1", "stage_2", "stage_3", "ombudsman", "representation", "enquiry", "all"}
UNITS = {"count", "percent", "gbp"}


@dataclass(frozen=True)
class Observation:
    """One printed figure with everything needed to find it again in the raw report."""

    council: str
    period: str
    report_period: str
    division: str
    stage: str
    measure: str
    value: float | None
    unit: str
    source_file: str
    source_line: int
    table: str
    quarter: str = ""
    service: str = ""
    category: str = ""
    category_std: str = ""
    quality_flag: str = ""
    # Internal (not written): how the row relates to others in its printed table, so
    # quality checks can compare totals with parts without re-reading the report.
    # role: "part" (a row/column summed by the table's total), "total", "outside" (printed
    # in the table but not part of its total), "percent" (a % row under a counted row), "".
    role: str = field(default="", compare=False)
    group: str = field(default="", compare=False)  # id shared by one printed table's cells
    column: int = field(default=-1, compare=False)  # the cell's column index in that table
    row_line: int = field(default=0, compare=False)  # for a % row: the line of the counted row it describes

    def __post_init__(self) -> None:
        problems = []
        if self.division not in DIVISIONS:
            problems.append(f"division {self.division!r}")
        if self.stage not in STAGES:
            problems.append(f"stage {self.stage!r}")
        if self.unit not in UNITS:
            problems.append(f"unit {self.unit!r}")
        if self.value is None and not self.quality_flag:
            problems.append("missing value without a quality_flag")
        if problems:
            raise ValueError(
                f"{self.source_file}:{self.source_line} ({self.table}): invalid observation: "
                + ", ".join(problems)
            )

    def flagged(self, code: str) -> Observation:
        """A copy with ``code`` added to ``quality_flag`` (codes are kept sorted and unique)."""
        codes = set(filter(None, self.quality_flag.split(";"))) | {code}
        return replace(self, quality_flag=";".join(sorted(codes)))


def to_frame(observations: list[Observation], *, internal: bool = False) -> pd.DataFrame:
    """Observations as a DataFrame in contract column order (plus ``role``/``group`` if asked)."""
    import pandas as pd

    records = [vars(o) for o in observations]  # every field is a scalar: no deep copy (asdict) needed
    columns = COLUMNS + (["role", "group"] if internal else [])
    frame = pd.DataFrame.from_records(records, columns=columns)
    frame["value"] = frame["value"].astype("float64")
    frame["source_line"] = frame["source_line"].astype("int64")
    return frame


def sort_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """The one deterministic order of the table (by provenance first, so diffs read well)."""
    return frame.sort_values(SORT_KEY, kind="mergesort", na_position="first").reset_index(drop=True)


def write_table(frame: pd.DataFrame, directory: Path, stem: str) -> list[Path]:
    """Write ``stem.csv`` and ``stem.parquet`` with no run-dependent bytes (no index, fixed float format)."""
    directory.mkdir(parents=True, exist_ok=True)
    csv_path, parquet_path = directory / f"{stem}.csv", directory / f"{stem}.parquet"
    # Written beside the target and renamed over it: a reader (or a crash) never sees half a file.
    csv_tmp, parquet_tmp = csv_path.with_suffix(".csv.tmp"), parquet_path.with_suffix(".parquet.tmp")
    write_csv(frame, csv_tmp)
    frame.to_parquet(parquet_tmp, index=False, engine="pyarrow", compression="zstd")
    csv_tmp.replace(csv_path)
    parquet_tmp.replace(parquet_path)
    return [csv_path, parquet_path]


CSV_FLOAT_FORMAT = "%.10g"  # ten significant digits: every printed figure, no binary noise (0.30000000000000004)


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    """The bytes of ``frame.to_csv(path, index=False, lineterminator="\\n", float_format="%.10g")``
    (a test holds them equal), written with the csv module from whole columns: pandas formats
    every cell through its own per-cell formatter, twice as slow on these tables."""
    import csv

    columns = [_csv_cells(frame[name]) for name in frame.columns]
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow([str(name) for name in frame.columns])
        writer.writerows(zip(*columns))


def _csv_cells(column: pd.Series) -> list[str]:
    """A column's cells as pandas writes them: missing as empty, floats with ``CSV_FLOAT_FORMAT``."""
    values = column.tolist()
    if column.dtype.kind == "f":
        return ["" if value != value else CSV_FLOAT_FORMAT % value for value in values]
    return ["" if value is None or value != value else str(value) for value in values]

