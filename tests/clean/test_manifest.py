"""The raw-data manifest: hashes guard immutability; add-report copies byte-for-byte and refuses bad input."""
import csv

import pytest

from analysis.cli import main
from analysis.councils import UnknownCouncil
from analysis.clean.manifest import ManifestError, add_report, read_manifest, sha256_of, verify_entry

from conftest import RAW, SHARED


def test_manifest_lists_every_raw_report_with_its_hash(paths):
    entries = read_manifest(paths)
    assert {e.file for e in entries} == {p.name for p in RAW.glob("*.txt")}
    for entry in entries:
        verify_entry(paths, entry)  # raises if a file changed
    assert {(e.council, e.report_period) for e in entries} == {
        ("bromley", "2019-20"), ("bromley", "2023-24"), ("lewisham", "2020-21"),
        ("harrow", "2019-20"), ("barking_and_dagenham", "2018-19"),
    }


@pytest.mark.skipif(not (SHARED / "raw").is_dir(), reason="../shared is not beside this clone")
def test_raw_reports_are_byte_identical_to_the_shared_originals():
    for original in (SHARED / "raw").glob("*.txt"):
        assert sha256_of(RAW / original.name) == sha256_of(original), original.name


def test_a_changed_raw_file_is_refused(project_copy):
    entry = read_manifest(project_copy)[0]
    path = project_copy.raw / entry.file
    path.write_bytes(path.read_bytes() + b"\n")
    with pytest.raises(ManifestError, match=r"sha256 .* does not match the manifest"):
        verify_entry(project_copy, entry)


def _new_report(tmp_path, text="Complaints 2024/25\nTotal\t10\n"):
    path = tmp_path / "Bromley annual report 2024-25.txt"
    path.write_bytes(text.encode("utf-8"))
    return path


def test_add_report_copies_byte_for_byte_and_lists_it(project_copy, tmp_path):
    source = _new_report(tmp_path)
    entry = add_report(project_copy, source, council="Bromley", period="2024/25")
    assert (entry.council, entry.report_period, entry.template) == ("bromley", "2024-25", "bromley")
    copied = project_copy.raw / entry.file
    assert copied.read_bytes() == source.read_bytes()
    assert entry.sha256 == sha256_of(source)
    with project_copy.manifest.open() as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 6 and rows[[r["file"] for r in rows].index(entry.file)]["sha256"] == entry.sha256


def test_add_report_refuses_a_duplicate_file(project_copy):
    existing = project_copy.raw / read_manifest(project_copy)[0].file
    with pytest.raises(ManifestError, match="already in the manifest"):
        add_report(project_copy, existing, council="bromley", period="2030-31")


def test_add_report_refuses_a_second_report_for_the_same_year(project_copy, tmp_path):
    with pytest.raises(ManifestError, match="already lists a bromley report for 2023-24"):
        add_report(project_copy, _new_report(tmp_path), council="bromley", period="2023-24")


def test_add_report_refuses_a_misspelt_council(project_copy, tmp_path):
    with pytest.raises(UnknownCouncil, match="Did you mean 'bromley'"):
        add_report(project_copy, _new_report(tmp_path), council="Bromely", period="2024-25")
    assert len(read_manifest(project_copy)) == 5  # nothing written


def test_add_report_new_council_needs_the_flag_and_a_template(project_copy, tmp_path):
    with pytest.raises(UnknownCouncil, match="--new-council"):
        add_report(project_copy, _new_report(tmp_path), council="Kent County", period="2024-25")
    with pytest.raises(ManifestError, match="pass --template"):
        add_report(project_copy, _new_report(tmp_path), council="Kent County", period="2024-25", new_council=True)
    entry = add_report(project_copy, _new_report(tmp_path), council="Kent County", period="2024-25",
                       new_council=True, template="bromley")
    assert entry.council == "kent_county"


def test_add_report_refuses_empty_file_and_bad_period(project_copy, tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    with pytest.raises(ManifestError, match="empty"):
        add_report(project_copy, empty, council="bromley", period="2024-25")
    with pytest.raises(ManifestError, match="not a financial year"):
        add_report(project_copy, _new_report(tmp_path), council="bromley", period="2024")


def test_cli_add_report_reports_refusal_without_traceback(project_copy, tmp_path, capsys):
    status = main(["--root", str(project_copy.root), "add-report", str(_new_report(tmp_path)),
                   "--council", "Lewishem", "--period", "2024-25"])
    assert status == 2
    err = capsys.readouterr().err
    assert "Did you mean 'lewisham'" in err and "Traceback" not in err
    status = main(["--root", str(project_copy.root), "add-report", str(_new_report(tmp_path)),
                   "--council", "Lewisham", "--period", "2024-25"])
    assert status == 0
    assert ("lewisham", "2024-25") in {(e.council, e.report_period) for e in read_manifest(project_copy)}
