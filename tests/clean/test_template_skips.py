"""Templates are refinements, not gates: a table whose anchor a report does not print costs that table
only (a skip record naming the table and the lines searched), never the whole report."""
from __future__ import annotations

from dataclasses import replace

import pandas as pd

from analysis.clean.extract import barking_and_dagenham
from analysis.clean.extract.engine import RawReport, decode_report
from analysis.clean.layout import normalise_layout
from analysis.clean.manifest import read_manifest, sha256_of, write_manifest
from analysis.clean.pipeline import run_clean
from analysis.studies import audit

from conftest import RAW

BD = "barking-and-dagenham_2018-19_social-care-and-education-complaints-report.txt"


def report(edit=None) -> RawReport:
    lines = normalise_layout(decode_report(RAW / BD, BD).split("\n")).lines
    if edit:
        lines = edit(list(lines))
    return RawReport(f"data/raw/{BD}", "barking_and_dagenham", "2018-19", lines)


def test_a_missing_anchor_skips_that_table_only():
    whole = report()
    full = barking_and_dagenham.extract(whole)
    assert whole.skips == []

    def retitle(lines):  # line 196 "Members & MP's Casework<tab><tab>": the Children's chapter's casework table
        assert lines[195].startswith("Members & MP's Casework")
        lines[195] = "Casework from elected members\t\t"
        return lines

    cut = report(retitle)
    read = barking_and_dagenham.extract(cut)
    lost = [o for o in full if o not in read]
    assert lost and {(o.table, o.division) for o in lost} == {("members_casework", "childrens_social_care")}
    assert len(read) == len(full) - len(lost)  # every other table of the report is still read
    [skip] = cut.skips
    assert skip.table == "members_casework" and skip.first_line < 196 < skip.last_line
    assert "table 'members_casework' skipped, not found in lines" in skip.describe(f"data/raw/{BD}")


def test_a_report_its_template_cannot_enter_is_read_by_the_generic_reader():
    from analysis.clean.report_step import read_report

    def retitle_chapter(lines):  # the Children's chapter's service tables begin "Children's Services<tab>…"
        return [line.replace("Children's Services\t", "Children and Young People\t", 1) for line in lines]

    cut = report(retitle_chapter)
    found, template = read_report(cut, "barking_and_dagenham")
    assert template == "generic"
    [skip] = cut.skips
    assert skip.whole and "the whole report was read by the generic reader" in skip.describe(f"data/raw/{BD}")
    read = {(o.source_line, o.period, o.stage, o.measure, o.value, o.service) for o in found}
    assert (13, "2018-19", "all", "compliments", 7.0, "") in read  # line 13 "7 Compliments" (Children's summary)
    assert (25, "2018-19", "stage_1", "complaints", 18.0, "") in read  # line 25 "18 Stage 1 Corporate Complaints"
    assert (63, "2017-18", "stage_1", "complaints", 103.0, "") in read  # line 63 "Total<tab>81<tab>103" under 2018/19, 2017/18
    assert (9, "2018-19", "all", "unlabelled", 81.0, "Stage 1 Complaints Closed") in read  # "closed": not told received
    labelled = [o for o in found if o.measure != "unlabelled"]
    assert all(o.period in {"2017-18", "2018-19"} for o in labelled)


LEWISHAM = "lewisham_2020-21_annual-complaints-and-casework-report.txt"
FIGURE = ["source_file", "source_line", "table", "period", "division", "service", "category", "stage", "measure", "value"]


def test_a_broken_table_costs_that_table_only_and_is_kept_in_skipped_tables(project_copy, seed_project):
    """Through the whole clean: Lewisham's Table 7 caption renamed (its anchor gone) and a cell of
    Table 6 garbled cost those two tables only; each gets a row in data/clean/skipped-tables.csv
    naming it and its lines, and every other figure of every report is as the intact clean's."""
    path = project_copy.raw / LEWISHAM
    lines = path.read_text(encoding="utf-8").split("\n")
    assert lines[408].startswith("Table 7 – Timeliness of MP")  # :409, the caption Table 7 is found by
    lines[408] = lines[408].replace("Table 7 –", "Table seven:")
    assert lines[334] == "\t1562"  # :335 Table 6, Lewisham Council 2020/21 Stage 1 cases due
    lines[334] = "\t15 62 cases"
    path.write_text("\n".join(lines), encoding="utf-8")
    write_manifest(project_copy, [replace(e, sha256=sha256_of(path)) if e.file == LEWISHAM else e
                                  for e in read_manifest(project_copy)])

    result = run_clean(project_copy)
    assert result.errors == []
    skipped = pd.read_csv(project_copy.clean / "skipped-tables.csv", dtype=str, keep_default_na=False)
    assert list(skipped["table"]) == ["t6_timeliness_complaints_and_general_enquiries",
                                      "t7_timeliness_mp_mayor_member_ceo_enquiries"]
    t6, t7 = skipped.itertuples()
    assert (t6.first_line, t6.last_line, t6.failed_line) == ("303", "335", "335")  # :303 its caption, :335 the cell
    assert "'15 62 cases' is not a figure" in t6.reason and "unreadable at line 335" in t6.message
    assert t7.failed_line == "" and "not found in lines" in t7.message  # searched from :1 to the file's end
    assert (t7.first_line, t7.last_line) == ("1", str(len(lines) - (lines[-1] == "")))

    clean = pd.read_csv(project_copy.clean / "observations.csv", dtype=str, keep_default_na=False)
    intact = pd.read_csv(seed_project.clean / "observations.csv", dtype=str, keep_default_na=False)
    lost = {"t6_timeliness_complaints_and_general_enquiries", "t7_timeliness_mp_mayor_member_ceo_enquiries"}
    assert not clean["table"].isin(lost).any()
    assert intact["table"].isin(lost).sum() == 54 + 72  # what the two tables give when intact
    kept = intact[~intact["table"].isin(lost)]
    pd.testing.assert_frame_equal(clean[FIGURE].reset_index(drop=True), kept[FIGURE].reset_index(drop=True))

    # the audit page (analyst version) lists them in plain words; Bromley's reports skipped nothing
    text = audit.skipped_tables_text(audit.skipped_tables("lewisham", project_copy))
    assert text.startswith("2 tables were not read")
    assert ("- **Lewisham 2020-21 report**, table `t6_timeliness_complaints_and_general_enquiries`: could not be "
            "read safely at line 335 ('15 62 cases' is not a figure where one is expected); none of its figures is used.") in text
    assert f"table `t7_timeliness_mp_mayor_member_ceo_enquiries`: not found where the template looks for it (lines 1–{t7.last_line})" in text
    assert audit.skipped_tables_text(audit.skipped_tables("bromley", project_copy)).startswith("Every table")


def test_a_bromley_report_without_its_chapter_headings_falls_back_to_the_generic_reader():
    """Bromley's template finds its way by the 'NN | COUNCIL OVERVIEW' chapter heading (a plain
    format error, not a missing table): without it the report is read by the generic reader, and
    a skip record says so in one sentence, rather than the report being lost."""
    from analysis.clean.report_step import read_report

    name = "bromley_2023-24_complaints-and-compliments-annual-report.txt"
    lines = normalise_layout(decode_report(RAW / name, name).split("\n")).lines
    cut = RawReport(f"data/raw/{name}", "bromley", "2023-24",
                    [line.replace("03 | COUNCIL OVERVIEW", "03 | SOMETHING ELSE") for line in lines])
    found, template = read_report(cut, "bromley")
    assert template == "generic"
    [skip] = cut.skips
    assert skip.whole and "no 'NN | COUNCIL OVERVIEW' chapter heading found" in skip.reason
    assert skip.describe(name).endswith("the whole report was read by the generic reader instead")
    read = {(o.source_line, o.period, o.division, o.measure, o.value, o.service) for o in found}
    # :101-102 "How complaints were received": header "Adult Children …", row "Email 50 46 …"
    assert (102, "2023-24", "adult_social_care", "complaints", 50.0, "Email") in read
    assert (102, "2023-24", "childrens_social_care", "complaints", 46.0, "Email") in read
