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

from ..observations import COLUMNS, Observation, sort_frame, to_frame, write_table
from ..paths import Paths
from .claims import CLAIM_COLUMNS, check_claims, flag_wrong_claims, wrong_claim_conflicts
from .datapackage import write_datapackage
from .extract import extractor
from .extract.engine import RawReport, ReportFormatError
from .manifest import ManifestEntry, ManifestError, PeriodMismatchError, read_manifest, verify_entry
from .quality import apply_quality_checks, within_report_conflicts
from .reconcile import conflict_flags, reconcile, with_derived
from .relations import relations_of
from .stamp import CLEAN_STAMP, CLEAN_TABLES, clean_inputs
from .taxonomy import fill_category_std

# observations; reconciled: one chosen value per key, with the rule and the alternatives;
# conflicts: every pair of sources that print one key differently
OBSERVATIONS, RECONCILED, CONFLICTS, CLAIMS = CLEAN_TABLES
CLEAN_ERRORS = "clean-errors.json"  # [{source_file, council, report_period, message}] of the last clean


@dataclass
class CleanResult:
    frame: pd.DataFrame
    written: list[Path]
    rows_by_file: dict[str, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    kept_from_previous: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


def extract_entry(paths: Paths, entry: ManifestEntry, claims: list | None = None) -> list[Observation]:
    """One manifest entry's observations, with the computed quality flags; its prose claims,
    checked against its tables, are appended to ``claims`` if given."""
    verify_entry(paths, entry)
    report = RawReport.load(paths.root, entry.source_file, entry.council, entry.report_period)
    observations = apply_quality_checks(extractor(entry.template)(report), relations_of(entry.template))
    found = check_claims(report.lines, observations, entry.council, entry.report_period, entry.source_file)
    if claims is not None:
        claims.extend(found)
    return flag_wrong_claims(observations, found)


def previous_rows(paths: Paths) -> pd.DataFrame | None:
    """The last clean's table, to carry over the rows of a report that now fails."""
    path = paths.clean / f"{OBSERVATIONS}.csv"
    if not path.is_file():
        return None
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def run_clean(paths: Paths, progress=None) -> CleanResult:
    """Extract every manifest entry; write the table atomically; never write less than we had."""
    entries = read_manifest(paths)
    fingerprint = clean_inputs(paths)  # taken before reading, so an edit made mid-clean is not stamped
    (paths.clean / CLEAN_STAMP).unlink(missing_ok=True)
    frames, rows_by_file, errors, kept, derived, claims, failed = [], {}, [], {}, [], [], []
    previous = None
    for entry in entries:
        try:
            report_claims: list[dict] = []
            observations = extract_entry(paths, entry, report_claims)
        except Exception as error:  # one report's failure (even a template's bug) never stops the others
            errors.append(_explain(entry, error))
            failed.append({"source_file": entry.source_file, "council": entry.council,
                           "report_period": entry.report_period, "message": errors[-1]})
            previous = previous if previous is not None else previous_rows(paths)
            if previous is not None:
                carried = previous[previous["source_file"] == entry.source_file]
                if isinstance(error, PeriodMismatchError):  # earlier rows under a year the report contradicts
                    carried = carried[carried["report_period"] == error.stated]  # would publish it wrong: drop them
                if len(carried):
                    frames.append(_typed(carried))
                    kept[entry.source_file] = len(carried)
            continue
        finally:
            if progress:
                progress(entry)
        frames.append(to_frame(observations))
        derived += within_report_conflicts(observations, relations_of(entry.template))  # totals vs parts, % vs counts (needs roles)
        derived += wrong_claim_conflicts(report_claims)
        claims += report_claims
        rows_by_file[entry.source_file] = len(observations)
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
    if not errors:  # a failed report is re-tried on every run until it is fixed
        (paths.clean / CLEAN_STAMP).write_text(fingerprint + "\n", encoding="utf-8")
    return CleanResult(frame, written, rows_by_file, errors, kept)


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame[COLUMNS].copy()
    out["value"] = pd.to_numeric(out["value"], errors="coerce").astype("float64")
    out["source_line"] = out["source_line"].astype("int64")
    return out


def describe_error(error: Exception) -> str:
    """``IndexError: … at clean/extract/bromley.py:123``: the innermost frame in this package."""
    import traceback

    package = Path(__file__).resolve().parents[1]
    frames = [f for f in traceback.extract_tb(error.__traceback__) if Path(f.filename).resolve().is_relative_to(package)]
    at = f" at {Path(frames[-1].filename).resolve().relative_to(package)}:{frames[-1].lineno}" if frames else ""
    return f"{type(error).__name__}: {error}{at}"


def _explain(entry: ManifestEntry, error: Exception) -> str:
    """One paragraph a person can act on: which file, where, what is wrong, what to do."""
    text = str(error)
    if isinstance(error, UnicodeDecodeError):
        text = f"{entry.source_file}: not readable as UTF-8 or Windows-1252 text ({error.reason})"
    elif isinstance(error, KeyError):
        text = f"{entry.source_file}: {error.args[0]}"
    elif isinstance(error, ImportError):
        text = f"{entry.source_file}: its template module could not be loaded ({error})"
    elif not isinstance(error, (ReportFormatError, ManifestError)):
        text = f"{entry.source_file}: the {entry.template} template failed on it ({describe_error(error)})"
    if not text.startswith(entry.source_file):
        text = f"{entry.source_file}: {text}"
    if isinstance(error, PeriodMismatchError):
        return (f"{text}. The other reports were cleaned; this report's rows from the previous clean were kept "
                f"only where they carry the year the report states ({error.stated}), never under the contradicted one.")
    return (f"{text}. The other reports were cleaned; this report's rows from the previous clean "
            f"(if any) were kept. Check the file against its template ({entry.template}), or fix "
            "the template in src/analysis/clean/extract/ and run `python -m analysis clean` again.")
