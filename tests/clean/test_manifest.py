"""The raw-data manifest: hashes guard immutability; add-report copies byte-for-byte and refuses bad input."""
import csv

import pytest

from analysis.clean.manifest import ManifestError, add_report, read_manifest, sha256_of, verify_entry
from analysis.cli import main
from analysis.councils import UnknownCouncil

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
    # a report that states 2023-24 itself: a second 2023-24 report, pointed at remove-report for a new version
    with pytest.raises(ManifestError, match="already lists a bromley report for 2023-24.*remove-report bromley_2023-24_"):
        add_report(project_copy, _new_report(tmp_path, "Complaints 2023/24\nTotal\t10\n"), council="bromley", period="2023-24")


def test_last_years_period_reused_gets_the_title_message_first(project_copy, tmp_path):
    # the report states 2024-25 ("Complaints 2024/25", line 1): the wrong --period, not a reason to remove 2023-24
    with pytest.raises(ManifestError, match=r":1: the report states its period as 2024-25") as error:
        add_report(project_copy, _new_report(tmp_path), council="bromley", period="2023-24")
    assert "remove" not in str(error.value)


def test_add_report_refuses_a_misspelt_council(project_copy, tmp_path):
    with pytest.raises(UnknownCouncil, match="Did you mean 'bromley'"):
        add_report(project_copy, _new_report(tmp_path), council="Bromely", period="2024-25")
    assert len(read_manifest(project_copy)) == 5  # nothing written


def test_add_report_new_council_needs_the_flag_and_is_read_by_the_generic_reader(project_copy, tmp_path):
    with pytest.raises(UnknownCouncil, match="--new-council"):
        add_report(project_copy, _new_report(tmp_path), council="Kent County", period="2024-25")
    with pytest.raises(ManifestError, match="no report template 'kent'"):
        add_report(project_copy, _new_report(tmp_path), council="Kent County", period="2024-25", new_council=True,
                   template="kent")
    entry = add_report(project_copy, _new_report(tmp_path), council="Kent County", period="2024-25", new_council=True)
    assert (entry.council, entry.template) == ("kent_county", "generic")


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


# --- the period a report states about itself --------------------------------------------

from analysis.clean.extract.engine import decode_report  # noqa: E402
from analysis.clean.manifest import check_stated_period, stated_period  # noqa: E402

# Each real report's own statement of its year, found by hand (file:line, the line's text).
STATED = {
    "barking-and-dagenham_2018-19_social-care-and-education-complaints-report.txt": (5, "1st April 2018 -31st March 2019"),
    "bromley_2019-20_committee-briefing-with-annual-complaints-report.txt": (24, "ANNUAL COMPLAINTS REPORT 2019/20"),
    "bromley_2023-24_complaints-and-compliments-annual-report.txt": (3, "Complaints & Compliments Annual Report 2023-2024"),
    "harrow_2019-20_scrutiny-agenda-with-social-care-complaints-reports.txt": (188, "Children and Families Services Complaints Annual Report 2019/20"),
    "lewisham_2020-21_annual-complaints-and-casework-report.txt": (2, "The purpose of this report is to set out complaints and casework performance in 2020/21"),
}


@pytest.mark.parametrize("name", sorted(STATED))
def test_each_real_report_states_the_period_the_manifest_gives_it(paths, name):
    entry = next(e for e in read_manifest(paths) if e.file == name)
    stated = stated_period(decode_report(RAW / name, name))
    line, words = STATED[name]
    assert (stated.line, stated.period) == (line, entry.report_period)
    assert words in stated.text


def test_a_contradicting_period_is_refused_naming_file_line_and_both_years():
    name = "bromley_2023-24_complaints-and-compliments-annual-report.txt"
    text = decode_report(RAW / name, name)
    with pytest.raises(ManifestError) as refused:
        check_stated_period(name, text, "2024-25")
    message = str(refused.value)
    assert message.startswith(f"{name}:3: ") and "2023-24" in message and "2024-25" in message
    assert check_stated_period(name, text, "2024-25", override="a reason").period == "2023-24"


def test_stated_period_ignores_table_rows_and_long_sentences_about_other_years():
    text = "Complaints\t2018/19\t2019/20\n" + "In 2018/19 there were " + "many " * 40 + "complaints.\n"
    assert stated_period(text) is None
    assert stated_period("x\n2019/20 annual report\n").period == "2019-20"
    assert stated_period("Complaints 2020/21\n").line == 1


@pytest.mark.parametrize(("text", "line", "period"), [
    ("Harrow Council\nAnnual Report 2023 to 2024\n", 2, "2023-24"),
    ("Complaints and Compliments\nAnnual Complaints Report 2022 to 23\n", 2, "2022-23"),
    ("Agenda item 6\n\nThe committee is asked to note the Complaints Annual Report 2020/21, attached as Appendix A, "
     "and the actions the directorate has taken on the Ombudsman's findings since the spring.\n", 3, "2020-21"),
    ("Introduction\nThe council received 412 complaints during the 2017/18 financial year and answered 78% of them "
     "within the statutory timescale of twenty working days.\n", 2, "2017-18"),
])
def test_stated_period_reads_titles_and_sentences_in_other_words(text, line, period):
    stated = stated_period(text)
    assert (stated.line, stated.period) == (line, period)


def test_a_year_compared_with_or_a_table_of_years_is_not_the_reports_own():
    compared = ("Introduction\nThe council received 412 complaints, up from 380 during the 2016/17 financial year, "
                "as the new system recorded every contact made by residents and members.\n")
    assert stated_period(compared) is None
    for table in ("| Complaints | 2018 to 2019 | 2019 to 2020 |\n", "Complaints   2018/19   2019/20\nTotal        12        14\n"):
        assert stated_period("Report\n" + table) is None, table
    with pytest.raises(ManifestError, match=r"x\.txt:2: the report states its period as 2017-18"):
        check_stated_period("x.txt", "Introduction\nWe received 412 complaints during the 2017/18 financial year.\n", "2018-19")


def test_add_report_with_no_stated_period_warns_and_adds(project_copy, tmp_path):
    said = []
    entry = add_report(project_copy, _new_report(tmp_path, "Total\t10\n"), council="bromley", period="2024-25",
                       warn=said.append)
    assert entry.report_period == "2024-25" and len(said) == 1 and "states no period" in said[0]


def _drop_columns(paths, names):
    """The project's manifest as one written before ``names`` existed (those columns left out)."""
    with paths.manifest.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    header = [c for c in rows[0] if c not in names]
    with paths.manifest.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=header, lineterminator="\n", extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)


def test_period_override_is_recorded_and_old_manifests_still_read(project_copy, tmp_path):
    _drop_columns(project_copy, {"period_override", "source_url", "date_read"})
    old = project_copy.manifest.read_text()
    assert old.splitlines()[0].endswith(",description")  # a manifest that predates the optional columns
    assert all(e.period_override == e.source_url == e.date_read == "" for e in read_manifest(project_copy))
    entry = add_report(project_copy, _new_report(tmp_path), council="bromley", period="2025-26",
                       period_override="cover page misprints the year")
    with project_copy.manifest.open() as fh:
        rows = {r["file"]: r for r in csv.DictReader(fh)}
    assert rows[entry.file]["period_override"] == "cover page misprints the year"
    with pytest.raises(ManifestError, match=r":1: the report states its period as 2024-25 .* registered as 2025-26"):
        add_report(project_copy, _new_report(tmp_path, "Complaints 2024/25\nTotal\t11\n"), council="lewisham", period="2025-26")


# --- where the council publishes a report, and when it was read (optional columns) ------------

BROMLEY_2019 = "bromley_2019-20_committee-briefing-with-annual-complaints-report.txt"
# tests/data/seed/bromley_2019-20_…txt line 26: "The Part 1 (Public) briefing is also available on the Council
# website at the following link: <http://cds.bromley.gov.uk/ieListMeetings.aspx?CId=559&Year=0>"
BROMLEY_2019_URL = "http://cds.bromley.gov.uk/ieListMeetings.aspx?CId=559&Year=0"


def test_the_seed_records_only_the_address_its_report_prints(paths):
    entries = {e.file: e for e in read_manifest(paths)}
    assert entries[BROMLEY_2019].source_url == BROMLEY_2019_URL
    lines = (paths.raw / BROMLEY_2019).read_text(encoding="utf-8").splitlines()
    assert BROMLEY_2019_URL in lines[25] and "available on the Council website" in lines[25]
    # no other seed report prints the address of its own publication, and no date read is recorded
    assert [e.file for e in entries.values() if e.source_url] == [BROMLEY_2019]
    assert all(e.date_read == "" for e in entries.values())


def test_add_report_records_where_the_report_is_published_and_when_it_was_read(project_copy, tmp_path):
    before = project_copy.manifest.read_text().splitlines()
    entry = add_report(project_copy, _new_report(tmp_path), council="bromley", period="2024-25",
                       source_url=" https://www.bromley.gov.uk/complaints-report-2024-25 ", date_read="2025-10-01")
    after = project_copy.manifest.read_text().splitlines()
    assert len(after) == len(before) + 1 and set(before) <= set(after)  # one added line
    read = {e.file: e for e in read_manifest(project_copy)}[entry.file]
    assert (read.source_url, read.date_read) == ("https://www.bromley.gov.uk/complaints-report-2024-25", "2025-10-01")


def test_an_old_manifest_gains_the_address_columns_when_a_report_needs_them(project_copy, tmp_path):
    _drop_columns(project_copy, {"source_url", "date_read"})
    add_report(project_copy, _new_report(tmp_path), council="bromley", period="2024-25",
               source_url="https://example.org/r.pdf")
    header = project_copy.manifest.read_text().splitlines()[0]
    assert header.endswith(",period_override,source_url,date_read")
    assert {e.source_url for e in read_manifest(project_copy)} == {"", "https://example.org/r.pdf"}


@pytest.mark.parametrize("url, date, message", [
    ("www.bromley.gov.uk/report", "", r"source_url 'www\.bromley\.gov\.uk/report' is not an http:// or https:// address"),
    ("ftp://x.org/r.pdf", "", "is not an http:// or https:// address"),
    ("", "01/10/2025", r"date_read '01/10/2025' is not a date written YYYY-MM-DD"),
    ("", "2025-02-30", "is not a date written YYYY-MM-DD"),
])
def test_add_report_refuses_a_bad_address_or_date(project_copy, tmp_path, url, date, message):
    before = project_copy.manifest.read_bytes()
    with pytest.raises(ManifestError, match=message + ".*nothing was added"):
        add_report(project_copy, _new_report(tmp_path), council="bromley", period="2024-25", source_url=url,
                   date_read=date)
    assert project_copy.manifest.read_bytes() == before


def test_a_bad_date_in_the_manifest_names_its_line(project_copy):
    text = project_copy.manifest.read_text().splitlines()
    text[3] = text[3] + "2024-13-01" if text[3].endswith(",") else text[3]
    project_copy.manifest.write_text("\n".join(text) + "\n")
    with pytest.raises(ManifestError, match=r"manifest\.csv:4: date_read '2024-13-01' is not a date"):
        read_manifest(project_copy)


def test_cli_add_report_takes_source_url_and_date_read(project_copy, tmp_path):
    status = main(["--root", str(project_copy.root), "add-report", str(_new_report(tmp_path)), "--council", "bromley",
                   "--period", "2024-25", "--source-url", "https://www.bromley.gov.uk/r", "--date-read", "2025-09-30"])
    assert status == 0
    added = [e for e in read_manifest(project_copy) if e.report_period == "2024-25"]
    assert [(e.source_url, e.date_read) for e in added] == [("https://www.bromley.gov.uk/r", "2025-09-30")]
