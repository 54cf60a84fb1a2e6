"""One report's share of the clean: extract, check, flag. Pandas-free, so it can run in a
background process while the main one is still importing pandas and pandera.

A report that fails becomes a :class:`ReportOutcome` with a message a person can act on (which
file, where, what to do); the caller decides what to keep from the previous clean. The same
function runs in process (``run_clean`` alone, the tests) and in the background (the CLI), so
both give the same bytes.
"""
from __future__ import annotations

import gc
import multiprocessing
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from ..observations import Observation
from ..paths import Paths
from .claims import check_claims, flag_wrong_claims, wrong_claim_conflicts
from .extract import GENERIC, extractor
from .extract.engine import RawReport, ReportFormatError, Skip, TruncatedReport, error_reason
from .manifest import ManifestEntry, ManifestError, PeriodMismatchError, read_manifest, verify_entry
from .quality import apply_quality_checks, within_report_conflicts
from .relations import relations_of
from .stamp import clean_inputs


def extract_entry(paths: Paths, entry: ManifestEntry, claims: list | None = None,
                  skips: list | None = None) -> list[Observation]:
    """One manifest entry's observations, with the computed quality flags; its prose claims,
    checked against its tables, are appended to ``claims`` if given, and the template tables
    it skipped (not found or unreadable: that table only is lost) to ``skips`` as records
    (:meth:`~analysis.clean.extract.engine.Skip.record`: a row of skipped-tables.csv)."""
    verify_entry(paths, entry)
    report = RawReport.load(paths.root, entry.source_file, entry.council, entry.report_period)
    found, template = read_report(report, entry.template)
    observations = apply_quality_checks(found, relations_of(template))
    if skips is not None:
        skips.extend(skip.record(entry.source_file, entry.council, entry.report_period) for skip in report.skips)
    found = check_claims(report.lines, observations, entry.council, entry.report_period, entry.source_file)
    if claims is not None:
        claims.extend(found)
    return flag_wrong_claims(observations, found)


def read_report(report: RawReport, template: str) -> tuple[list[Observation], str]:
    """The report's figures by its template, and the template that read them. A template is a
    refinement, not a gate: a table it cannot find costs that table (a skip record); when it
    cannot find its way into the report at all (a heading it needs is missing) or reads no
    figure, the generic reader reads the whole report instead, and a skip record says so."""
    try:
        found = extractor(template)(report)
    except ReportFormatError as missing:  # a chapter heading or section it needs is not there
        if template == GENERIC or isinstance(missing, TruncatedReport):  # an incomplete file fails whole
            raise
        error, reason = missing, error_reason(missing)
    else:
        if found or template == GENERIC or not report.skips:
            return found, template
        error, reason = None, "none of its tables was found"
    first = (error.line if error is not None else None) or (report.skips[0].first_line if report.skips else 1)
    report.skips.clear()  # the template's own table skips: moot once the generic reader reads the whole report
    generic = extractor(GENERIC)(report)
    if not generic and error is not None:
        raise error  # not a figure anywhere: the template's message says what is missing
    report.skips.append(Skip(f"{template} template", first, report.line_count, reason, whole=True))
    return generic, GENERIC


@dataclass
class ReportOutcome:
    """What one report gave: its figures, claims and derived conflicts, or why it failed."""

    source_file: str
    observations: list[Observation] = field(default_factory=list)
    claims: list[dict] = field(default_factory=list)
    derived: list[dict] = field(default_factory=list)  # totals vs parts, % vs counts, prose vs tables
    error: str = ""  # the paragraph to print when the report failed
    stated_period: str | None = None  # a period mismatch: the year the report states about itself
    skips: list[dict] = field(default_factory=list)  # template tables skipped (Skip.record: table, lines, reason, message)

    @property
    def ok(self) -> bool:
        return not self.error


def attempt(paths: Paths, entry: ManifestEntry) -> ReportOutcome:
    """Clean one report; any failure (even a template's bug) becomes the outcome's message."""
    claims: list[dict] = []
    skips: list[dict] = []
    try:
        observations = extract_entry(paths, entry, claims, skips)
    except Exception as error:  # one report's failure never stops the others
        stated = error.stated if isinstance(error, PeriodMismatchError) else None
        return ReportOutcome(entry.source_file, error=explain_failure(entry, error), stated_period=stated)
    template = GENERIC if any(s["whole_report"] for s in skips) else entry.template
    derived = within_report_conflicts(observations, relations_of(template)) + wrong_claim_conflicts(claims)
    return ReportOutcome(entry.source_file, observations, claims, derived, skips=skips)


class BackgroundExtraction:
    """The manifest's reports cleaned by one forked worker (largest first) while this process
    goes on importing pandas and pandera, so the two overlap. A worker that dies (out of
    memory, killed) or a result that cannot come back is not fatal: those reports are cleaned
    here instead. Where processes cannot fork (Windows), every report is cleaned here."""

    def __init__(self, paths: Paths):
        self.paths = paths
        self.cleaned_here: list[str] = []  # reports the worker did not give back (it died): cleaned in this process
        self.entries = read_manifest(paths)
        self.fingerprint = clean_inputs(paths)  # before any report is read: an edit mid-clean is not stamped
        self._pool, self._futures = None, {}
        if "fork" in multiprocessing.get_all_start_methods():
            # The recipe of the gc module's docs for fork: the objects so far go to a permanent
            # generation, so neither process's collections walk (or copy-on-write) them again.
            gc.freeze()
            self._pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("fork"),
                                             initializer=gc.enable)
            by_size = sorted(self.entries, key=lambda e: _size(paths, e), reverse=True)
            self._futures = {e.source_file: self._pool.submit(attempt, paths, e) for e in by_size}

    def outcome(self, entry: ManifestEntry) -> ReportOutcome:
        future: Future | None = self._futures.get(entry.source_file)
        if future is None:
            return attempt(self.paths, entry)
        try:
            return future.result()
        except Exception:  # noqa: BLE001 ``attempt`` catches everything: this is the worker or its pipe failing
            self.cleaned_here.append(entry.source_file)
            return attempt(self.paths, entry)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> BackgroundExtraction:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _size(paths: Paths, entry: ManifestEntry) -> int:
    try:
        return (paths.root / entry.source_file).stat().st_size
    except OSError:
        return 0


def describe_error(error: Exception) -> str:
    """``IndexError: … at clean/extract/bromley.py:123``: the innermost frame in this package."""
    import traceback

    package = Path(__file__).resolve().parents[1]
    frames = [f for f in traceback.extract_tb(error.__traceback__) if Path(f.filename).resolve().is_relative_to(package)]
    at = f" at {Path(frames[-1].filename).resolve().relative_to(package)}:{frames[-1].lineno}" if frames else ""
    return f"{type(error).__name__}: {error}{at}"


def explain_failure(entry: ManifestEntry, error: Exception) -> str:
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
