"""Templates are refinements, not gates: a table whose anchor a report does not print costs that table
only (a skip record naming the table and the lines searched), never the whole report."""
from __future__ import annotations

from analysis.clean.extract import barking_and_dagenham
from analysis.clean.extract.engine import RawReport, decode_report
from analysis.clean.layout import normalise_layout

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
