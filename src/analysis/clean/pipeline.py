"""The cleaning step: raw reports listed in the manifest → ``data/clean/observations.{csv,parquet}``.

A report that cannot be read (changed bytes, empty, binary, a layout its template does not
know) is reported with file and line and skipped; the others are still cleaned, and the
rows an earlier clean produced for the failed report are kept rather than lost.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..observations import COLUMNS, sort_frame, to_frame, write_table
from ..paths import Paths
from .claims import CLAIM_COLUMNS
from .datapackage import write_datapackage
from .manifest import read_manifest
from .reconcile import conflict_flags, reconcile, with_derived
from .report_step import BackgroundExtraction, attempt
from .stamp import CLEAN_STAMP, CLEAN_TABLES, clean_inputs
from .taxonomy import fill_category_std

# observations; reconciled: one chosen value per key, with the rule and the alternatives;
# conflicts: every pair of sources that print one key differently
OBSERVATIONS, RECONCILED, CONFLICTS, CLAIMS = CLEAN_TABLES
CLEAN_ERRORS = "clean-errors.json"  # [{source_file, council, report_period, message}] of the last clean
SKIPPED_TABLES = "skipped-tables.csv"  # the template tables the last clean skipped (see the data dictionary)
SKIPPED_TABLE_COLUMNS = ("source_file", "council", "report_period", "table", "first_line", "last_line", "failed_line",
                         "whole_report", "reason", "message")


@dataclass
class CleanResult:
    frame: pd.DataFrame
    written: list[Path]
    rows_by_file: dict[str, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    kept_from_previous: dict[str, int] = field(default_factory=dict)
    skips: list[str] = field(default_factory=list)  # template tables skipped (not found or unreadable), as messages

    @property
    def ok(self) -> bool:
        return not self.errors


def previous_rows(paths: Paths) -> pd.DataFrame | None:
    """The last clean's table, to carry over the rows of a report that now fails."""
    path = paths.clean / f"{OBSERVATIONS}.csv"
    if not path.is_file():
        return None
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def run_clean(paths: Paths, progress=None, background: BackgroundExtraction | None = None) -> CleanResult:
    """Extract every manifest entry; write the table atomically; never write less than we had.

    ``background``: the reports already being cleaned in a worker process (the CLI starts it
    before importing pandas); without it each report is cleaned here, one after another.
    """
    if background is None:
        entries, fingerprint = read_manifest(paths), clean_inputs(paths)  # before reading: an edit mid-clean is not stamped
    else:
        entries, fingerprint = background.entries, background.fingerprint
    (paths.clean / CLEAN_STAMP).unlink(missing_ok=True)
    frames, rows_by_file, errors, kept, derived, claims, failed, skipped = [], {}, [], {}, [], [], [], []
    previous = None
    for entry in entries:
        outcome = background.outcome(entry) if background is not None else attempt(paths, entry)
        if progress:
            progress(entry)
        if not outcome.ok:
            errors.append(outcome.error)
            failed.append({"source_file": entry.source_file, "council": entry.council,
                           "report_period": entry.report_period, "message": outcome.error})
            previous = previous if previous is not None else previous_rows(paths)
            if previous is not None:
                carried = previous[previous["source_file"] == entry.source_file]
                if outcome.stated_period:  # earlier rows under a year the report contradicts
                    carried = carried[carried["report_period"] == outcome.stated_period]  # would publish it wrong: drop them
                if len(carried):
                    frames.append(_typed(carried))
                    kept[entry.source_file] = len(carried)
            continue
        frames.append(to_frame(outcome.observations))
        skipped += outcome.skips
        derived += outcome.derived
        claims += outcome.claims
        rows_by_file[entry.source_file] = len(outcome.observations)
    frame = sort_frame(pd.concat(frames, ignore_index=True)) if frames else to_frame([])
    frame = fill_category_std(frame, paths)  # data/reference/root_cause_crosswalk.csv
    reconciled, conflicts = reconcile(frame)
    frame["quality_flag"] = conflict_flags(frame, conflicts)
    conflicts = with_derived(conflicts, derived)
    from .schemas import check_tables  # pandera, lazily: only a real clean pays for it

    claims = pd.DataFrame(claims, columns=CLAIM_COLUMNS).astype({"claimed_value": "float64", "computed_value": "float64"})
    check_tables({OBSERVATIONS: frame, RECONCILED: reconciled, CONFLICTS: conflicts, CLAIMS: claims})  # before any write
    written = write_table(frame, paths.clean, OBSERVATIONS)
    written += write_table(reconciled, paths.clean, RECONCILED)
    written += write_table(conflicts, paths.clean, CONFLICTS)
    written += write_table(claims, paths.clean, CLAIMS)
    written.append(write_datapackage(paths))  # fields, vocabularies, raw sha256s, code version
    # the reports that failed, for the run plan and the index (they get no page of their own)
    (paths.clean / CLEAN_ERRORS).write_text(json.dumps(failed, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    written.append(write_skipped_tables(skipped, paths.clean / SKIPPED_TABLES))
    if not errors:  # a failed report is re-tried on every run until it is fixed
        (paths.clean / CLEAN_STAMP).write_text(fingerprint + "\n", encoding="utf-8")
    return CleanResult(frame, written, rows_by_file, errors, kept, [s["message"] for s in skipped])


def write_skipped_tables(records: list[dict], path: Path) -> Path:
    """``skipped-tables.csv``: one row per template table a report did not give (kept with the
    clean so the audit page can list them; a header alone when every table was read)."""
    frame = pd.DataFrame(records, columns=list(SKIPPED_TABLE_COLUMNS))
    frame["whole_report"] = frame["whole_report"].map({True: "true", False: "false"})
    frame.to_csv(path, index=False, lineterminator="\n")
    return path


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame[COLUMNS].copy()
    out["value"] = pd.to_numeric(out["value"], errors="coerce").astype("float64")
    out["source_line"] = out["source_line"].astype("int64")
    return out
