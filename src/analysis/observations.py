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
    frame.to_csv(csv_tmp, index=False, lineterminator="\n", float_format="%.10g")
    frame.to_parquet(parquet_tmp, index=False, engine="pyarrow", compression="zstd")
    csv_tmp.replace(csv_path)
    parquet_tmp.replace(parquet_path)
    return [csv_path, parquet_path]
