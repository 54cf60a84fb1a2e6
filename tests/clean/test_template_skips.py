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
