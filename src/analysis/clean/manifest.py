"""The raw-data manifest (``data/raw/manifest.csv``): which reports the study reads, and their hashes.

Raw reports are immutable: the cleaner reads exactly what the manifest lists and refuses
a file whose sha256 no longer matches. ``add_report`` is the one way a new report enters.
"""
from __future__ import annotations

import csv
import hashlib
import re
import shutil
from collections.abc import Callable
from dataclasses import asdict, dataclass, fields
from pathlib import Path

from ..councils import resolve_council
from ..parsing import clean_label, normalise_typography, parse_period, slug
from ..paths import Paths
from .extract import GENERIC, TEMPLATE_MODULES
from .extract.engine import ReportFormatError, decode_report
from .layout import normalise_layout
from .pdf import PdfTextError, extractor_version, is_pdf, pdf_text


class ManifestError(ValueError):
    """The manifest and the raw files disagree, or a report cannot be added."""


@dataclass(frozen=True)
class ManifestEntry:
    file: str  # name inside data/raw/
    council: str
    report_period: str
    template: str  # module in analysis.clean.extract that reads this report's layout
    sha256: str
    description: str
    # why the report's own stated period was overridden (``add-report --period-override REASON``); "" if not
    period_override: str = ""
    # where the council publishes the report (an http(s) address, as the council or the report itself gives it)
    # and the day the study's copy was read from there (YYYY-MM-DD): both "" when not recorded, never guessed
    source_url: str = ""
    date_read: str = ""

    @property
    def source_file(self) -> str:
        """The path written to the observations' ``source_file`` (relative to the root)."""
        return f"data/raw/{self.file}"


FIELDS = [f.name for f in fields(ManifestEntry)]
# Columns a manifest may leave out (manifests written before they existed): read as "" (not recorded).
OPTIONAL_FIELDS = ["period_override", "source_url", "date_read"]
REQUIRED_FIELDS = [name for name in FIELDS if name not in OPTIONAL_FIELDS]
SOURCE_URL = re.compile(r"https?://[^\s,\"]+\Z")
DATE_READ = re.compile(r"\d{4}-\d{2}-\d{2}\Z")


def known_header(header: list[str] | None) -> bool:
    """The required columns in order, then any of the optional ones, in their order."""
    header = list(header or [])
    rest = header[len(REQUIRED_FIELDS):]
    return header[:len(REQUIRED_FIELDS)] == REQUIRED_FIELDS and rest == [c for c in OPTIONAL_FIELDS if c in rest]


def check_source(where: str, source_url: str, date_read: str) -> None:
    """Refuse an address that is not an http(s) URL, or a date read that is not a real YYYY-MM-DD day."""
    import datetime

    if source_url and not SOURCE_URL.match(source_url):
        raise ManifestError(f"{where}: source_url {source_url!r} is not an http:// or https:// address; "
                            "leave it empty when the address is not known")
    if date_read:
        try:
            ok = bool(DATE_READ.match(date_read)) and datetime.date.fromisoformat(date_read) is not None
        except ValueError:
            ok = False
        if not ok:
            raise ManifestError(f"{where}: date_read {date_read!r} is not a date written YYYY-MM-DD; "
                                "leave it empty when the date is not known")


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_manifest(paths: Paths) -> list[ManifestEntry]:
    if not paths.manifest.is_file():
        raise ManifestError(f"{paths.manifest}: the raw-data manifest is missing")
    with paths.manifest.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        if not known_header(reader.fieldnames):
            raise ManifestError(f"{paths.manifest}:1: expected the columns {', '.join(FIELDS)} (the last "
                                f"{len(OPTIONAL_FIELDS)} optional), found {reader.fieldnames}")
        entries = []
        for row in reader:
            entry = ManifestEntry(**row)
            check_source(f"{paths.manifest}:{reader.line_num}", entry.source_url, entry.date_read)
            entries.append(entry)
        return entries


def write_manifest(paths: Paths, entries: list[ManifestEntry]) -> None:
    """Write sorted by council and period, atomically (a crash leaves the old manifest)."""
    tmp = paths.manifest.with_suffix(".csv.tmp")
    with tmp.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=FIELDS, lineterminator="\n")
        writer.writeheader()
        for entry in sorted(entries, key=lambda e: (e.council, e.report_period, e.file)):
            writer.writerow(asdict(entry))
    tmp.replace(paths.manifest)


def _sort_key(entry: ManifestEntry) -> tuple[str, str, str]:
    return (entry.council, entry.report_period, entry.file)


def insert_manifest_row(paths: Paths, entry: ManifestEntry) -> None:
    """Add one row in its sorted place, every other line kept byte for byte (a one-line diff). Only a row
    that needs a column the manifest lacks (an optional one: ``period_override``, ``source_url``,
    ``date_read``) rewrites it with every column."""
    text = paths.manifest.read_text(encoding="utf-8")
    header = text.split("\n", 1)[0].strip().split(",")
    if any(value and name not in header for name, value in asdict(entry).items()):
        write_manifest(paths, [*read_manifest(paths), entry])
        return
    import io

    buffer = io.StringIO()
    csv.DictWriter(buffer, fieldnames=header, lineterminator="\n").writerow(
        {k: v for k, v in asdict(entry).items() if k in header})
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    entries = read_manifest(paths)
    rows_before = sum(_sort_key(e) < _sort_key(entry) for e in entries)
    # rows are single lines (descriptions hold no newline): row i is line i + 1 after the header
    lines.insert(1 + rows_before if sorted(entries, key=_sort_key) == entries else len(lines), buffer.getvalue())
    tmp = paths.manifest.with_suffix(".csv.tmp")
    tmp.write_text("".join(lines), encoding="utf-8")
    tmp.replace(paths.manifest)


def remove_manifest_row(paths: Paths, entry: ManifestEntry) -> None:
    """Drop ``entry``'s row, every other line kept byte for byte (a one-line diff)."""
    lines = paths.manifest.read_text(encoding="utf-8").splitlines(keepends=True)
    kept = [line for line in lines if not line.startswith(entry.file + ",")]
    if len(kept) != len(lines) - 1:
        raise ManifestError(f"{paths.manifest}: expected one row for {entry.file}, found {len(lines) - len(kept)}")
    tmp = paths.manifest.with_suffix(".csv.tmp")
    tmp.write_text("".join(kept), encoding="utf-8")
    tmp.replace(paths.manifest)


def remove_report(paths: Paths, *, file: str | None = None, council: str | None = None,
                  period: str | None = None) -> ManifestEntry:
    """Take a report out of the study: its manifest row (a one-line change) and its file in data/raw.
    Its rows leave data/clean at the next clean, its runs, findings and pages at the next publish."""
    entries = read_manifest(paths)
    if file:
        name = Path(file).name
        found = [e for e in entries if e.file == name]
    else:
        council_id = slug(council or "")
        report_period = parse_period(period or "") or (period or "")
        found = [e for e in entries if e.council == council_id and e.report_period == report_period]
    if len(found) != 1:
        listed = "; ".join(f"{e.file} ({e.council} {e.report_period})" for e in entries)
        asked = file or f"--council {council} --period {period}"
        raise ManifestError(f"no report {asked} in data/raw/manifest.csv; it lists {listed}; nothing was removed")
    entry = found[0]
    remove_manifest_row(paths, entry)
    (paths.raw / entry.file).unlink(missing_ok=True)
    return entry


def unlisted_files(paths: Paths, entries: list[ManifestEntry]) -> list[str]:
    """Files in data/raw the manifest does not list: the cleaner never reads them."""
    listed = {entry.file for entry in entries} | {paths.manifest.name}
    listed |= {f"{Path(name).stem}.pdf" for name in listed if name.endswith(".txt")}  # a PDF beside its extracted text
    return sorted(p.name for p in paths.raw.iterdir()
                  if p.is_file() and p.name not in listed and not p.name.startswith(".") and not p.name.endswith(".tmp"))


# -- the period a report states about itself ------------------------------------------

FRONT_MATTER_LINES = 400  # a report names its year in its title or opening pages (Harrow's agenda: line 188)
_HEADING_MARKUP = re.compile(r"^[\s#*>\-•\d.]*(?:title:|subject:)?\s*", re.IGNORECASE)
# A title or heading naming the report ("Annual Report 2023-2024", "2019/20 annual report", "Complaints 2020/21")
_TITLE_WORDS = re.compile(r"\bannual\b.*\b(?:report|review)\b|\bcomplaints?\b.*\breport\b|\breport\b.*\bcomplaints?\b|^complaints?\b",
                          re.IGNORECASE)
# A sentence about this report ("The purpose of this report is to set out … performance in 2020/21")
_THIS_REPORT = re.compile(r"\bthis (?:annual )?report\b", re.IGNORECASE)
# The year spelled as dates ("1st April 2018 -31st March 2019")
_APRIL_TO_MARCH = re.compile(r"\b1(?:st)?\s+april\s+(?P<a>(?:19|20)\d{2})\s*(?:-|–|—|to)\s*31(?:st)?\s+march\s+(?P<b>(?:19|20)\d{2})\b",
                             re.IGNORECASE)
MAX_HEADING_CHARS = 120  # longer lines are sentences, which mention other years freely
_YEAR = r"(?P<year>(?:19|20)\d{2}(?:\s*[/\-–—]\s*|\s+to\s+)(?:19|20)?\d{2}(?!\d))"
# The report named with its year inside a sentence ("…presents the Complaints Annual Report 2020/21 to…"):
# a report's name, some of its words "annual", "complaints", "compliments", then the year.
_REPORT_NAMED = re.compile(r"\b(?P<name>(?:(?:annual|complaints?|compliments?|casework|representations|feedback|"
                           r"corporate|statutory|and|&)\s+){1,6})(?:report|review)\s+(?:for\s+(?:the\s+)?(?:year\s+)?)?"
                           + _YEAR, re.IGNORECASE)
# The year the report covers, said in words ("…received during the 2017/18 financial year"), unless the
# sentence compares it with another ("up from 60 in the 2016/17 financial year")
_COVERED_YEAR = re.compile(r"\b(?:during|in|for|covering|throughout|over)\s+the\s+" + _YEAR + r"\s+financial\s+year\b",
                           re.IGNORECASE)
_COMPARISON = re.compile(r"\b(?:compared?|comparison|from|than|previous|last|prior|up|down|fell|rose|increase|decrease|"
                         r"since|versus|vs)\b", re.IGNORECASE)


@dataclass(frozen=True)
class StatedPeriod:
    """Where a report names the financial year it covers: the line, its text and the year."""

    line: int
    text: str
    period: str


def stated_period(text: str) -> StatedPeriod | None:
    """The financial year a report states about itself in its title, a heading or a sentence about
    "this report" in its first pages; None when it states none.

    Only short lines outside tables count as headings (a table row "Complaints 2018/19 2019/20",
    tabbed, piped or space-aligned, or a sentence comparing years is not a statement of the
    report's own year). A sentence that names the report with its year, or the financial year
    it covers, is one (see :func:`_year_in_sentence`).
    """
    front = normalise_layout(text.split("\n")[:FRONT_MATTER_LINES]).lines  # table cells tab-separated
    for number, raw in enumerate(front, 1):
        line = clean_label(normalise_typography(raw))
        if not line or "\t" in re.sub(r"^\s*(?:title|subject):\s*", "", raw, flags=re.IGNORECASE):
            continue
        span = _APRIL_TO_MARCH.search(line)
        if span and int(span["b"]) == int(span["a"]) + 1:
            return StatedPeriod(number, line, f"{span['a']}-{span['b'][-2:]}")
        period = parse_period(line)
        if period is None:
            continue
        heading = _HEADING_MARKUP.sub("", line)
        if (len(line) <= MAX_HEADING_CHARS and _TITLE_WORDS.search(heading)) or _THIS_REPORT.search(line):
            sentence = line if len(line) <= MAX_HEADING_CHARS else _sentence_with(line, _THIS_REPORT)
            stated = parse_period(sentence)
            if stated:
                return StatedPeriod(number, line, stated)
        stated = _year_in_sentence(line)
        if stated:
            return StatedPeriod(number, line, stated)
    return None


def _year_in_sentence(line: str) -> str | None:
    """The year of a sentence that names the report with its year ("…the Complaints Annual Report
    2020/21…") or says the year it covers ("…during the 2017/18 financial year"), not in a comparison."""
    named = _REPORT_NAMED.search(line)
    if named and re.search(r"annual|complaint|compliment", named["name"], re.IGNORECASE):
        return parse_period(named["year"])
    for covered in _COVERED_YEAR.finditer(line):
        sentence_start = max(line.rfind(". ", 0, covered.start()) + 1, 0)
        if not _COMPARISON.search(line[sentence_start: covered.start()]):
            return parse_period(covered["year"])
    return None


def _sentence_with(line: str, pattern: re.Pattern) -> str:
    """The sentence of ``line`` that ``pattern`` matches in (its year is the one it states)."""
    for sentence in re.split(r"(?<=[.;])\s+", line):
        if pattern.search(sentence):
            return sentence
    return line


class PeriodMismatchError(ManifestError):
    """The manifest's period for a report contradicts the period the report states about itself."""

    def __init__(self, message: str, stated: str):
        super().__init__(message)
        self.stated = stated  # the period the report states (its earlier rows are trusted only under it)


def check_stated_period(source_file: str, text: str, period: str, override: str = "") -> StatedPeriod | None:
    """Refuse ``period`` when the report states another year about itself (unless ``override`` says why).

    Returns what the report states (None: it states no period, which the caller warns about).
    """
    stated = stated_period(text)
    if stated and stated.period != period and not override.strip():
        shown = stated.text if len(stated.text) <= 90 else stated.text[:87] + "…"
        raise PeriodMismatchError(
            f"{source_file}:{stated.line}: the report states its period as {stated.period} (\"{shown}\") but it is "
            f"registered as {period}; check the file is the {period} report, or pass --period {stated.period}; "
            "if the report really covers another year than it says, pass --period-override REASON",
            stated.period,
        )
    return stated


@dataclass(frozen=True)
class StatedCouncil:
    """The council a report names most often, how often, and where first."""

    council: str
    count: int
    line: int
    text: str


def council_mentions(text: str, councils: dict[str, str]) -> dict[str, tuple[int, int, str]]:
    """council id → (times named, first line, that line) for each council ``councils`` labels that the text names."""
    found: dict[str, tuple[int, int, str]] = {}
    patterns = {cid: re.compile(r"\b" + re.escape(label.lower()).replace(r"\ and\ ", r"\s+(?:and|&)\s+") + r"\b")
                for cid, label in councils.items()}
    for number, raw in enumerate(text.split("\n"), 1):
        line = normalise_typography(raw).lower()
        for cid, pattern in patterns.items():
            hits = len(pattern.findall(line))
            if hits:
                count, first, where = found.get(cid, (0, number, clean_label(normalise_typography(raw))))
                found[cid] = (count + hits, first, where)
    return found


def check_named_council(source_file: str, text: str, council: str, override: str = "") -> StatedCouncil | None:
    """Refuse ``council`` when the report names another council at least twice as often (a Bromley report
    registered as Barking and Dagenham; a council new to the project: when the report never names it);
    None when it names no known council. ``override`` gives the reason
    to accept it anyway."""
    from ..councils import LONDON_COUNCILS, council_label

    labels = dict(LONDON_COUNCILS)
    labels.setdefault(council, council_label(council))
    mentions = council_mentions(text, labels)
    if not mentions:
        return None
    top = max(mentions, key=lambda c: (mentions[c][0], c == council))
    count, line, where = mentions[top]
    stated = StatedCouncil(top, count, line, where)
    own = mentions.get(council, (0, 0, ""))[0]
    # a council the project has never seen may be spelt otherwise than its label: named at all is enough
    doubtful = own == 0 if council not in LONDON_COUNCILS else own * 2 < count
    if top != council and doubtful and not override.strip():
        shown = where if len(where) <= 90 else where[:87] + "…"
        raise ManifestError(
            f"{source_file}:{line}: the report names {labels[top]} {count} time(s) (first here: \"{shown}\") and "
            f"{labels[council]} {own} time(s), but it is registered as {council}; check the file is the "
            f"{labels[council]} report, or pass --council {top}; if it really is {labels[council]}'s, pass "
            "--council-override REASON"
        )
    return stated


def verify_entry(paths: Paths, entry: ManifestEntry) -> None:
    """Refuse a listed raw file that is missing or whose bytes changed since it was added."""
    path = paths.raw / entry.file
    if not path.is_file():
        raise ManifestError(f"{entry.source_file}: listed in data/raw/manifest.csv but not found")
    actual = sha256_of(path)
    if actual != entry.sha256:
        raise ManifestError(
            f"{entry.source_file}: sha256 {actual[:12]}… does not match the manifest's {entry.sha256[:12]}…. "
            f"Raw data is immutable: restore the original file (`git checkout -- {entry.source_file}`), or, if this "
            f"is a new version of the report, put it outside data/raw, restore the original, then "
            f"`python -m analysis remove-report {entry.file}` and `python -m analysis add-report` the new version"
        )
    text = decode_report(path, entry.source_file)
    check_stated_period(entry.source_file, text, entry.report_period, entry.period_override)


def add_report(paths: Paths, source: Path, *, council: str, period: str, template: str | None = None,
               description: str = "", new_council: bool = False, period_override: str = "",
               warn: Callable[[str], None] | None = None, council_override: str = "", source_url: str = "",
               date_read: str = "") -> ManifestEntry:
    """Copy a report into data/raw byte-for-byte and list it in the manifest.

    Refuses: a missing or empty file, a period that is not a financial year, an unknown
    council spelling (unless ``new_council``), a report already listed (same bytes, or same
    council and period), a template the project does not have (none given and none for the
    council: the generic reader), and a period that contradicts
    the one the report states about itself (unless ``period_override`` gives the reason; a
    report that states none is added, and ``warn`` told so), and a council other than the one the
    report names (unless ``council_override`` gives the reason, kept in the description). The
    manifest gains one line; the other lines are kept byte for byte. ``source_url`` (where the
    council publishes the report) and ``date_read`` (YYYY-MM-DD, the day it was read there) are
    recorded when given; left out, the site says the address was not recorded.
    """
    source = Path(source)
    if not source.is_file():
        raise ManifestError(f"{source}: no such file")
    if source.stat().st_size == 0:
        raise ManifestError(f"{source}: the file is empty; export the report again as text, then add it; "
                            "nothing was added")
    pdf = is_pdf(source)
    try:  # refuse at the door what the cleaner could never read: too large, binary, not text
        text = pdf_text(source) if pdf else decode_report(source, str(source))
    except (ReportFormatError, PdfTextError) as error:
        raise ManifestError(f"{error}; nothing was added") from None
    source_url, date_read = source_url.strip(), date_read.strip()
    try:
        check_source(str(source), source_url, date_read)
    except ManifestError as error:
        raise ManifestError(f"{error}; nothing was added") from None
    report_period = parse_period(period)
    if report_period is None or not period.strip()[:4].isdigit():
        raise ManifestError(f"--period {period!r} is not a financial year such as 2024-25")
    entries = read_manifest(paths)
    council_id = resolve_council(council, {e.council for e in entries}, allow_new=new_council)
    # a PDF's extracted text is the cited source: the manifest lists (and hashes) it, the PDF sits beside it
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest() if pdf else sha256_of(source)
    for entry in entries:
        if entry.sha256 == digest:
            raise ManifestError(f"{source}: already in the manifest as {entry.source_file} (same sha256)")
    try:  # what the report says about itself comes first: last year's --period reused is a wrong --period
        stated = check_stated_period(str(source), text, report_period, period_override)
        check_named_council(str(source), text, council_id, council_override)
    except ManifestError as error:
        raise ManifestError(f"{error}; nothing was added") from None
    for entry in entries:
        if entry.council == council_id and entry.report_period == report_period:
            raise ManifestError(
                f"{source}: the manifest already lists a {council_id} report for {report_period} "
                f"({entry.source_file}), and this file states the same year. If it replaces that report (a corrected "
                f"version), remove the old one first: `python -m analysis remove-report {entry.file}`; nothing was added"
            )
    if stated is None and warn:
        warn(f"{source}: the report states no period of its own in its first {FRONT_MATTER_LINES} lines (no title "
             f"such as \"Annual Report {report_period[:4]}-{int(report_period[:4]) + 1}\"), so --period {report_period} "
             "could not be checked against it; check it is the right year")
    # A council with no template of its own is read by the generic reader (every table and
    # headline sentence, through data/reference/vocabulary.csv): no code change for a new council.
    template = template or next((e.template for e in entries if e.council == council_id),
                                council_id if council_id in TEMPLATE_MODULES else GENERIC)
    if template not in TEMPLATE_MODULES:
        raise ManifestError(f"no report template {template!r}; pass --template with one of "
                            f"{', '.join(sorted(TEMPLATE_MODULES))}, or leave it out to use the generic reader")
    stem = f"{council_id.replace('_', '-')}_{report_period}_{slug(source.stem).replace('_', '-')}"
    name = f"{stem}.txt" if pdf else f"{stem}{source.suffix}"
    target = paths.raw / name
    beside = paths.raw / f"{stem}.pdf" if pdf else None
    for path in (target, beside):
        if path is not None and path.exists():
            raise ManifestError(f"{path}: a raw file of that name already exists")
    if pdf:
        shutil.copyfile(source, beside)
        target.write_bytes(text.encode("utf-8"))
    else:
        shutil.copyfile(source, target)
    if sha256_of(target) != digest:  # pragma: no cover - a failing disk, not a code path
        target.unlink()
        raise ManifestError(f"{target}: copy is not byte-identical to {source}")
    description = description or f"{council_id} complaints report {report_period}, added with add-report"
    if pdf:
        description += f"; text extracted from {beside.name} with {extractor_version()}"
    if council_override.strip():
        description += f" (council check overridden: {council_override.strip()})"
    entry = ManifestEntry(name, council_id, report_period, template, digest, description, period_override.strip(),
                          source_url, date_read)
    insert_manifest_row(paths, entry)
    return entry
