"""Undoing add-report (issue 26): `remove-report`, the council a report names checked like its year, the
period clash that reads the report's title first, and a manifest that changes by one line."""
from __future__ import annotations

from analysis.clean.manifest import read_manifest

from conftest import SEED, analysis_cli

B2324 = "bromley_2023-24_complaints-and-compliments-annual-report.txt"
BD = "barking-and-dagenham_2018-19_social-care-and-education-complaints-report.txt"


def next_year(tmp_path):
    """Bromley's 2023-24 report with its title year moved on (bromley_2023-24…txt:3
    "Complaints & Compliments Annual Report 2023-2024")."""
    text = (SEED / B2324).read_text(encoding="utf-8")
    assert "Annual Report 2023-2024" in text.split("\n")[2]
    path = tmp_path / "Bromley annual report 2024-25.txt"
    path.write_text(text.replace("Annual Report 2023-2024", "Annual Report 2024-2025"), encoding="utf-8")
    return path


def test_add_then_remove_changes_one_manifest_line_each_way(project_copy, tmp_path):
    before = project_copy.manifest.read_text(encoding="utf-8").splitlines()
    added = analysis_cli(project_copy.root, "add-report", str(next_year(tmp_path)), "--council", "Bromley", "--period", "2024-25")
    assert added.returncode == 0, added.stderr
    after = project_copy.manifest.read_text(encoding="utf-8").splitlines()
    new = [line for line in after if line not in before]
    assert len(after) == len(before) + 1 and len(new) == 1 and new[0].startswith("bromley_2024-25_")
    assert after.index(new[0]) == 4  # sorted in place: after bromley 2023-24, before harrow
    name = new[0].split(",")[0]
    removed = analysis_cli(project_copy.root, "remove-report", name)
    assert removed.returncode == 0, removed.stderr
    assert "removed data/raw/" + name in removed.stderr
    assert project_copy.manifest.read_text(encoding="utf-8").splitlines() == before
    assert not (project_copy.raw / name).exists()


def test_remove_by_council_and_period_and_an_unknown_report_is_refused(project_copy):
    refused = analysis_cli(project_copy.root, "remove-report", "--council", "Bromley", "--period", "2021/22")
    assert refused.returncode == 2 and "nothing was removed" in refused.stderr and B2324 in refused.stderr
    done = analysis_cli(project_copy.root, "remove-report", "--council", "Bromley", "--period", "2019/20")
    assert done.returncode == 0, done.stderr
    assert {(e.council, e.report_period) for e in read_manifest(project_copy)} == {
        ("barking_and_dagenham", "2018-19"), ("bromley", "2023-24"), ("harrow", "2019-20"), ("lewisham", "2020-21")}


def test_a_report_registered_under_another_council_is_refused(project_copy, tmp_path):
    manifest = project_copy.manifest.read_bytes()
    result = analysis_cli(project_copy.root, "add-report", str(next_year(tmp_path)),
                          "--council", "Barking & Dagenham", "--period", "2024-25")
    assert result.returncode == 2
    assert "the report names Bromley" in result.stderr and "--council bromley" in result.stderr
    assert "nothing was added" in result.stderr and project_copy.manifest.read_bytes() == manifest
    forced = analysis_cli(project_copy.root, "add-report", str(next_year(tmp_path)), "--council", "Barking & Dagenham",
                          "--period", "2024-25", "--council-override", "test: a shared service report")
    assert forced.returncode == 0, forced.stderr
    assert "council check overridden: test: a shared service report" in project_copy.manifest.read_text()


def test_the_seed_reports_name_their_own_council(project_copy, tmp_path):
    # Barking and Dagenham's report names itself once; Lewisham's names every borough in its London table
    for name, council in ((BD, "barking_and_dagenham"), ("lewisham_2020-21_annual-complaints-and-casework-report.txt", "lewisham")):
        from analysis.clean.manifest import check_named_council

        stated = check_named_council(name, (SEED / name).read_text(encoding="utf-8"), council)
        assert stated is not None and stated.council == council


def test_reusing_last_years_period_gets_the_title_message_not_remove_advice(project_copy, tmp_path):
    result = analysis_cli(project_copy.root, "add-report", str(next_year(tmp_path)), "--council", "Bromley", "--period", "2023-24")
    assert result.returncode == 2
    assert "the report states its period as 2024-25" in result.stderr and "remove" not in result.stderr


def test_a_new_version_of_a_listed_year_is_pointed_at_remove_report(project_copy, tmp_path):
    text = (SEED / B2324).read_text(encoding="utf-8")
    path = tmp_path / "bromley 2023-24 corrected.txt"
    path.write_text(text.replace("Compliments", "Compliment", 1), encoding="utf-8")
    result = analysis_cli(project_copy.root, "add-report", str(path), "--council", "Bromley", "--period", "2023-24")
    assert result.returncode == 2
    assert f"python -m analysis remove-report {B2324}" in result.stderr
