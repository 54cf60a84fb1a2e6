"""Bad input: every case is built from a real report in a throw-away copy of the project.

What a user meets is tested, through ``python -m analysis`` run as a subprocess: the yearly
``add-report`` of a damaged or re-encoded file, then ``clean``. Expected, whatever the damage:
one readable paragraph naming the file (and line) and what to do, never a traceback; the
other reports still cleaned; a report cleaned before keeps its rows; re-encoded and CRLF
copies give exactly the original's figures; a shifted row never yields wrong numbers.

Mind which path a case exercises: a listed raw file whose bytes change is refused by the
manifest's sha256 before it is decoded, so decoding is reached only by a report added as
new (``add-report``) or listed with the sha256 of its damaged bytes (``_relist``).
"""
import os
import subprocess
import sys
from dataclasses import replace

import pandas as pd
import pytest

from analysis.clean.extract.engine import MAX_REPORT_BYTES
from analysis.clean.manifest import read_manifest, sha256_of, write_manifest
from analysis.paths import Paths

from conftest import RAW

BROMLEY = "bromley_2023-24_complaints-and-compliments-annual-report.txt"
LEWISHAM = "lewisham_2020-21_annual-complaints-and-casework-report.txt"


def cli(paths: Paths, *args, timeout=300) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "COMPLAINTS_STUDY_ROOT"}
    return subprocess.run([sys.executable, "-m", "analysis", "--root", str(paths.root), *args],
                          cwd=paths.root, env=env, capture_output=True, text=True, timeout=timeout)


def clean_table(paths: Paths) -> pd.DataFrame:
    return pd.read_csv(paths.clean / "observations.csv", dtype=str, keep_default_na=False)


def rows_of(table: pd.DataFrame, file: str, *, ignore=("source_file",)) -> pd.DataFrame:
    """One report's rows, in a fixed order, without the columns that name the file."""
    rows = table[table["source_file"] == f"data/raw/{file}"].drop(columns=list(ignore))
    return rows.sort_values(list(rows.columns)).reset_index(drop=True)


def others(table: pd.DataFrame, *files: str) -> pd.DataFrame:
    """Every row not from ``files``, without quality_flag (cross-report conflicts depend on the set)."""
    rows = table[~table["source_file"].isin([f"data/raw/{f}" for f in files])].drop(columns="quality_flag")
    return rows.sort_values(list(rows.columns)).reset_index(drop=True)


@pytest.fixture
def baseline(project_copy) -> pd.DataFrame:
    """The clean table of the untouched reports, cleaned in the copy first (a previous clean exists)."""
    assert cli(project_copy, "clean").returncode in (0, 1)  # 1: a report the templates cannot read yet
    return clean_table(project_copy)


def error_paragraph(result: subprocess.CompletedProcess, file: str) -> str:
    """The one stderr line (a paragraph: the console never hard-wraps) that reports ``file``."""
    assert "Traceback" not in result.stderr, result.stderr
    lines = [line for line in result.stderr.splitlines() if "error" in line and file in line]
    assert len(lines) == 1, result.stderr
    return lines[0]


def original(name: str) -> bytes:
    return (RAW / name).read_bytes()


def readd(paths: Paths, name: str, data: bytes, tmp_path, *extra: str) -> tuple[subprocess.CompletedProcess, str | None]:
    """Take report ``name`` out of the manifest, then add ``data`` for the same council and year with
    ``add-report``, as a user adding that year's report would. Returns the result and the new file's name."""
    entries = read_manifest(paths)
    entry = next(e for e in entries if e.file == name)
    write_manifest(paths, [e for e in entries if e.file != name])
    (paths.raw / name).unlink()
    incoming = tmp_path / "incoming" / name
    incoming.parent.mkdir(exist_ok=True)
    incoming.write_bytes(data)
    result = cli(paths, "add-report", str(incoming), "--council", entry.council, "--period", entry.report_period, *extra)
    added = [e.file for e in read_manifest(paths) if (e.council, e.report_period) == (entry.council, entry.report_period)]
    return result, (added[0] if added else None)


def relist(paths: Paths, name: str, data: bytes) -> None:
    """Overwrite a listed report and record its new sha256, so the cleaner gets past the hash to decoding."""
    (paths.raw / name).write_bytes(data)
    entries = [replace(e, sha256=sha256_of(paths.raw / e.file)) if e.file == name else e for e in read_manifest(paths)]
    write_manifest(paths, entries)


def line_start(data: bytes, line: int) -> int:
    """Byte offset where 1-based ``line`` starts."""
    return sum(len(part) + 1 for part in data.split(b"\n")[: line - 1])


# --- damaged files ---------------------------------------------------------------------

def truncated(data: bytes) -> bytes:
    # Cut inside a row of the five-year table, after "Housing\t90\t78\t94\t92\t82\t-10." (the row
    # is bromley_2023-24…:89 "Housing 90 78 94 92 82 -10.9%"): the last figure would read -10.0.
    start = line_start(data, 89)
    assert data[start:].startswith(b"Housing\t90\t78\t94\t92\t82\t-10.9%")
    return data[: start + len(b"Housing\t90\t78\t94\t92\t82\t-10.")]


def binary(data: bytes) -> bytes:
    # The first 200 lines, then a block of NUL bytes (a file zero-filled by a crash mid-copy).
    return data[: line_start(data, 201)] + b"\x00" * 4096 + data[line_start(data, 201):]


def huge(data: bytes) -> bytes:
    copies = 40 * 1024 * 1024 // len(data) + 1  # tens of MB, far over the limit
    return data * copies


DAMAGE = {"empty": lambda data: b"", "binary": binary, "truncated": truncated, "huge": huge}
# What each message must say, after the file name (with the line where there is one).
WHERE = {"empty": ": the file is empty; re-export", "binary": ":201: the file holds NUL bytes",
         "truncated": ":89: table", "huge": "MB, far larger than any complaints report"}


# --- a report cleaned before keeps its rows --------------------------------------------

@pytest.mark.parametrize("damage", ["empty", "binary", "truncated"])  # huge: below, with its memory
def test_damaged_listed_report_keeps_its_previous_rows(project_copy, baseline, damage):
    before = baseline
    relist(project_copy, BROMLEY, DAMAGE[damage](original(BROMLEY)))
    result = cli(project_copy, "clean")
    assert result.returncode == 1
    message = error_paragraph(result, f"data/raw/{BROMLEY}")
    assert "other reports were cleaned" in message and "kept" in message
    assert WHERE[damage] in message.replace(f"data/raw/{BROMLEY}", "")
    after = clean_table(project_copy)
    pd.testing.assert_frame_equal(rows_of(after, BROMLEY), rows_of(before, BROMLEY))
    pd.testing.assert_frame_equal(others(after, BROMLEY), others(baseline, BROMLEY))
    assert f"kept {len(rows_of(before, BROMLEY))} figures of data/raw/{BROMLEY}" in result.stderr


def test_changed_bytes_of_a_listed_report_are_refused_by_hash_and_rows_kept(project_copy, baseline):
    before = baseline
    (project_copy.raw / BROMLEY).write_bytes(truncated(original(BROMLEY)))  # manifest left as it was
    result = cli(project_copy, "clean")
    assert result.returncode == 1
    message = error_paragraph(result, f"data/raw/{BROMLEY}")
    assert "does not match the manifest" in message and "restore the original" in message
    pd.testing.assert_frame_equal(rows_of(clean_table(project_copy), BROMLEY), rows_of(before, BROMLEY))


# --- adding a damaged report -----------------------------------------------------------

@pytest.mark.parametrize("damage,words", [("empty", "empty"), ("binary", "NUL bytes"), ("huge", "MB")])
def test_add_report_refuses_a_file_that_is_not_a_report(project_copy, tmp_path, damage, words):
    manifest = project_copy.manifest.read_bytes()
    incoming = tmp_path / "bromley_2024-25_annual_report.txt"
    incoming.write_bytes(DAMAGE[damage](original(BROMLEY)))
    result = cli(project_copy, "add-report", str(incoming), "--council", "Bromley", "--period", "2024-25")
    assert result.returncode == 2
    message = error_paragraph(result, incoming.name)
    assert words in message
    assert project_copy.manifest.read_bytes() == manifest
    assert sorted(p.name for p in project_copy.raw.iterdir()) == sorted(p.name for p in RAW.iterdir())


def test_truncated_new_report_is_refused_and_the_others_cleaned(project_copy, baseline, tmp_path):
    added, name = readd(project_copy, BROMLEY, truncated(original(BROMLEY)), tmp_path)
    assert added.returncode == 0, added.stderr  # a truncated text is still text: the clean must catch it
    result = cli(project_copy, "clean")
    assert result.returncode == 1
    message = error_paragraph(result, f"data/raw/{name}")
    assert f"data/raw/{name}:89:" in message and "truncated" in message
    table = clean_table(project_copy)
    assert rows_of(table, name).empty  # nothing emitted from a cut report, least of all the -10.0
    pd.testing.assert_frame_equal(others(table, name), others(baseline, BROMLEY))


# --- re-encoded copies give exactly the original's figures ------------------------------

def _same_figures(project_copy, baseline, tmp_path, name: str, data: bytes):
    added, new = readd(project_copy, name, data, tmp_path)
    assert added.returncode == 0, added.stderr
    result = cli(project_copy, "clean")
    assert "Traceback" not in result.stderr
    table = clean_table(project_copy)
    assert len(rows_of(table, new)) > 0
    # Same values, same source lines, same flags: only the file name differs.
    pd.testing.assert_frame_equal(rows_of(table, new), rows_of(baseline, name))
    pd.testing.assert_frame_equal(others(table, new), others(baseline, name))


def test_windows_1252_report_gives_the_original_figures(project_copy, baseline, tmp_path):
    text = original(LEWISHAM).decode("utf-8")
    assert "£" in text and "’" in text and "“" in text  # single bytes A3, 92, 93 in Windows-1252
    data = text.encode("cp1252")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    _same_figures(project_copy, baseline, tmp_path, LEWISHAM, data)


@pytest.mark.parametrize("name", [BROMLEY, LEWISHAM])
def test_crlf_report_gives_the_original_figures(project_copy, baseline, tmp_path, name):
    _same_figures(project_copy, baseline, tmp_path, name, original(name).replace(b"\n", b"\r\n"))


def test_notepad_utf8_bom_crlf_report_gives_the_original_figures(project_copy, baseline, tmp_path):
    data = b"\xef\xbb\xbf" + original(BROMLEY).replace(b"\n", b"\r\n")
    _same_figures(project_copy, baseline, tmp_path, BROMLEY, data)


def test_notepad_utf16_report_gives_the_original_figures(project_copy, baseline, tmp_path):
    data = original(LEWISHAM).decode("utf-8").replace("\n", "\r\n").encode("utf-16")  # BOM, then UTF-16LE
    _same_figures(project_copy, baseline, tmp_path, LEWISHAM, data)


# --- a row missing a cell --------------------------------------------------------------

def test_row_missing_a_cell_is_refused_or_flagged_never_shifted(project_copy, baseline, tmp_path):
    # bromley_2023-24…:89 "Housing\t90\t78\t94\t92\t82\t-10.9%" under "Division\t2019/20\t…\t2023/24\t% change"
    # (line 86). Without its 2020/21 cell, 94 would read as 2020/21 and -10.9% as 2023/24.
    data = original(BROMLEY)
    start = line_start(data, 89)
    assert data[start:].startswith(b"Housing\t90\t78\t94\t92\t82\t-10.9%\n")
    shifted = data[:start] + b"Housing\t90\t94\t92\t82\t-10.9%\n" + data[start + len(b"Housing\t90\t78\t94\t92\t82\t-10.9%\n"):]
    added, name = readd(project_copy, BROMLEY, shifted, tmp_path)
    assert added.returncode == 0, added.stderr
    result = cli(project_copy, "clean")
    assert "Traceback" not in result.stderr
    table = clean_table(project_copy)
    line89 = rows_of(table, name)
    line89 = line89[line89["source_line"] == "89"]
    assert (line89["quality_flag"] != "").all(), line89  # flagged, or absent
    assert (line89["value"] == "").all(), line89  # a flagged figure is withheld, not printed shifted
    if rows_of(table, name).empty:  # refused: the message says where
        assert f"data/raw/{name}:89:" in error_paragraph(result, f"data/raw/{name}")
    else:  # flagged: every other line's figures are the original's
        kept, before = (rows_of(t, f, ignore=("source_file", "quality_flag")) for t, f in ((table, name), (baseline, BROMLEY)))
        pd.testing.assert_frame_equal(kept[kept["source_line"] != "89"].reset_index(drop=True),
                                      before[before["source_line"] != "89"].reset_index(drop=True))
        assert "89" not in set(before["source_line"]) or len(line89) > 0  # withheld, with a flag, not dropped silently
    pd.testing.assert_frame_equal(others(table, name), others(baseline, BROMLEY))


# --- a council the project has never seen ------------------------------------------------

def test_unknown_council_is_refused_unless_named_as_new(project_copy, baseline, tmp_path):
    manifest = project_copy.manifest.read_bytes()
    incoming = tmp_path / "kirklees_2023-24_complaints_report.txt"
    title = b"Complaints & Compliments Annual Report 2023-2024"  # bromley_2023-24…:3, no figure
    incoming.write_bytes(original(BROMLEY).replace(title, b"Kirklees Council " + title, 1))
    refused = cli(project_copy, "add-report", str(incoming), "--council", "Kirklees", "--period", "2023-24")
    assert refused.returncode == 2
    message = error_paragraph(refused, "'Kirklees'")
    assert "--new-council" in message
    assert project_copy.manifest.read_bytes() == manifest
    assert len(list(project_copy.raw.iterdir())) == len(list(RAW.iterdir()))

    added = cli(project_copy, "add-report", str(incoming), "--council", "Kirklees", "--period", "2023-24",
                "--new-council", "--template", "bromley")
    assert added.returncode == 0, added.stderr
    name = next(e.file for e in read_manifest(project_copy) if e.council == "kirklees")
    assert cli(project_copy, "clean").returncode in (0, 1)
    table = clean_table(project_copy)
    kirklees = rows_of(table, name, ignore=("source_file", "council", "quality_flag", "category_std"))
    assert len(kirklees) > 0  # category_std is left out: the root-cause crosswalk is per council
    pd.testing.assert_frame_equal(kirklees, rows_of(baseline, BROMLEY, ignore=("source_file", "council", "quality_flag", "category_std")))


def test_a_file_dropped_into_data_raw_without_add_report_is_named(project_copy):
    stray = project_copy.raw / "kirklees_2023-24.txt"
    stray.write_bytes(original(BROMLEY))
    result = cli(project_copy, "clean")
    assert "Traceback" not in result.stderr
    notes = [line for line in result.stderr.splitlines() if "data/raw/kirklees_2023-24.txt" in line]
    assert len(notes) == 1 and "not in the manifest" in notes[0] and "add-report" in notes[0]
    assert "data/raw/kirklees_2023-24.txt" not in set(clean_table(project_copy)["source_file"])


# --- a very large file -----------------------------------------------------------------

def test_huge_listed_file_is_refused_within_bounded_memory(project_copy, baseline):
    data = huge(original(BROMLEY))
    assert len(data) > 2 * MAX_REPORT_BYTES
    relist(project_copy, BROMLEY, data)
    probe = ("import resource, subprocess, sys; "
             f"r = subprocess.run([sys.executable, '-m', 'analysis', '--root', {str(project_copy.root)!r}, 'clean'], "
             "capture_output=True, text=True, timeout=300); "
             "sys.stderr.write(r.stderr); print(r.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    probed = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=320)
    status, peak_kib = map(int, probed.stdout.split())
    assert status == 1
    message = error_paragraph(probed, f"data/raw/{BROMLEY}")
    assert f"limit {MAX_REPORT_BYTES / 1e6:.0f} MB" in message and "right file" in message
    assert peak_kib < 400 * 1024  # the file is never read whole: a clean of the five reports peaks near 150 MB
    pd.testing.assert_frame_equal(rows_of(clean_table(project_copy), BROMLEY), rows_of(baseline, BROMLEY))


# --- a report registered under the wrong year ----------------------------------------------

def test_report_added_under_the_wrong_year_is_refused_naming_its_title_line(project_copy, baseline, tmp_path):
    # The case: Bromley 2023-24 with one byte changed (so it is not a duplicate), added as 2024-25.
    # Its title, bromley_2023-24…:3, reads "Complaints & Compliments Annual Report 2023-2024".
    data = original(BROMLEY)
    at = data.index(b"overall figure")
    incoming = tmp_path / "bromley_annual_report.txt"
    incoming.write_bytes(data[:at] + b"O" + data[at + 1:])
    manifest = project_copy.manifest.read_bytes()
    result = cli(project_copy, "add-report", str(incoming), "--council", "Bromley", "--period", "2024-25")
    assert result.returncode == 2
    message = error_paragraph(result, f"{incoming}:3:")
    assert "states its period as 2023-24" in message and "registered as 2024-25" in message
    assert "--period-override" in message and "nothing was added" in message
    assert project_copy.manifest.read_bytes() == manifest
    assert sorted(p.name for p in project_copy.raw.iterdir()) == sorted(p.name for p in RAW.iterdir())
    # A genuine exception goes in with its reason recorded, and is then cleaned.
    forced = cli(project_copy, "add-report", str(incoming), "--council", "Bromley", "--period", "2024-25",
                 "--period-override", "test: a deliberately mislabelled copy")
    assert forced.returncode == 0, forced.stderr
    entry = next(e for e in read_manifest(project_copy) if e.report_period == "2024-25")
    assert entry.period_override == "test: a deliberately mislabelled copy"


def test_listed_report_with_the_wrong_year_is_refused_by_clean_and_its_rows_kept(project_copy, baseline):
    entries = read_manifest(project_copy)
    write_manifest(project_copy, [replace(e, report_period="2024-25") if e.file == BROMLEY else e for e in entries])
    result = cli(project_copy, "clean")
    assert result.returncode == 1
    message = error_paragraph(result, f"data/raw/{BROMLEY}:3:")
    assert "states its period as 2023-24" in message and "registered as 2024-25" in message
    assert "kept" in message
    table = clean_table(project_copy)
    pd.testing.assert_frame_equal(rows_of(table, BROMLEY), rows_of(baseline, BROMLEY))
    assert "2024-25" not in set(table[table["source_file"] == f"data/raw/{BROMLEY}"]["report_period"])


# --- Word's typography: curly quotes, Windows-1252 --------------------------------------------

def word_export(data: bytes) -> bytes:
    """What Word's autocorrect and "Save as text (Windows)" make of a report: every apostrophe ’,
    quotes “ ”, encoded Windows-1252 (a character it lacks, the OCR'd "ı" of line 181, becomes "?")."""
    text = data.decode("utf-8").replace("'", "\u2019")
    parts = text.split('"')
    text = "".join(p + ("\u201c" if i % 2 == 0 else "\u201d") for i, p in enumerate(parts[:-1])) + parts[-1]
    return text.encode("cp1252", errors="replace")


def test_curly_quotes_windows_1252_report_gives_the_original_figures(project_copy, baseline, tmp_path):
    data = word_export(original(BROMLEY))
    assert "Children\u2019s Social Care".encode("cp1252") in data  # e.g. bromley_2023-24…:435's division
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    added, new = readd(project_copy, BROMLEY, data, tmp_path)
    assert added.returncode == 0, added.stderr
    result = cli(project_copy, "clean")
    assert result.returncode == 0, result.stderr
    table = clean_table(project_copy)
    curly, before = rows_of(table, new), rows_of(baseline, BROMLEY)
    assert len(curly) == len(before) > 3000
    # service/category keep the printed text, so they hold ’ where the original has '
    assert any("\u2019" in s for s in curly["service"]) and not any("\u2019" in s for s in before["service"])
    same = ["period", "division", "stage", "measure", "value", "unit", "source_line", "table", "quality_flag"]
    key = lambda t: t[same].sort_values(same).reset_index(drop=True)  # noqa: E731
    pd.testing.assert_frame_equal(key(curly), key(before))
    as_printed = curly.assign(service=curly["service"].str.replace("\u2019", "'"),
                              category=curly["category"].str.replace("\u2019", "'"))
    # with the apostrophes straightened back, every column is the original's (category_std included)
    pd.testing.assert_frame_equal(as_printed.sort_values(list(as_printed.columns)).reset_index(drop=True), before)


def test_rows_cleaned_under_a_year_the_report_contradicts_are_never_kept(project_copy):
    """Cleaned once under --period-override as 2024-25, then the override withdrawn: the earlier rows
    (labelled 2024-25, a year the report's title line 3 contradicts) are dropped, not carried over."""
    entries = read_manifest(project_copy)
    mislabelled = [replace(e, report_period="2024-25", period_override="test") if e.file == BROMLEY else e for e in entries]
    write_manifest(project_copy, mislabelled)
    assert cli(project_copy, "clean").returncode == 0
    assert "2024-25" in set(clean_table(project_copy)["report_period"])
    write_manifest(project_copy, [replace(e, period_override="") for e in mislabelled])
    result = cli(project_copy, "clean")
    assert result.returncode == 1 and "never under the contradicted one" in result.stderr + result.stdout
    table = clean_table(project_copy)
    assert "2024-25" not in set(table["report_period"]) and not len(rows_of(table, BROMLEY))
