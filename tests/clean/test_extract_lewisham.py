"""Lewisham's 2020-21 annual complaints & casework report: figures read by hand in the raw file.

Every expected value below was read in
data/raw/lewisham_2020-21_annual-complaints-and-casework-report.txt at the line given.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from analysis.clean.extract.engine import RawReport
from analysis.clean.extract.lewisham import CELL_TABLES, SKIPPED_TABLES, extract, iter_cells

from conftest import SEED_ROOT as ROOT  # the seed project, never the checkout's data

SOURCE = "data/raw/lewisham_2020-21_annual-complaints-and-casework-report.txt"


@pytest.fixture(scope="module")
def report() -> RawReport:
    return RawReport.load(ROOT, SOURCE, "lewisham", "2020-21")


@pytest.fixture(scope="module")
def observations(report):
    return extract(report)


def find(observations, line: int, **dims):
    """The one observation on ``line`` whose fields equal ``dims``."""
    hits = [o for o in observations if o.source_line == line and all(getattr(o, k) == v for k, v in dims.items())]
    assert len(hits) == 1, f"{len(hits)} observations on line {line} match {dims}: {hits}"
    return hits[0]


def check(observations, line, value, **dims):
    obs = find(observations, line, **dims)
    assert obs.value == value
    assert obs.council == dims.get("council", "lewisham")
    assert obs.report_period == "2020-21"
    assert obs.source_file == SOURCE
    return obs


# --- sample_gold.csv rows ---------------------------------------------------------------

def test_gold_table2_totals(observations):
    # lewisham_2020-21...txt:151 and :152 — Table 2 "Total" row, Council and Homes
    for line, period, value in ((151, "2019-20", 2635), (152, "2020-21", 2307)):
        obs = check(observations, line, value, period=period, division="all", service="", category="",
                    stage="stage_1", measure="complaints", unit="count", quarter="")
        assert obs.role == "total"


# --- main report tables -----------------------------------------------------------------

def test_table2_organisations(observations):
    # :147 Lewisham Homes 2020/21 = 381 (arm's-length housing company)
    check(observations, 147, 381, period="2020-21", division="housing", service="Lewisham Homes",
          stage="stage_1", measure="complaints", unit="count")
    # :141 Lewisham Council 2019/20 = 2236 (the whole Council: division all, named in service)
    check(observations, 141, 2236, period="2019-20", division="all", service="Lewisham Council",
          stage="stage_1", measure="complaints")
    # :143 "14%" under "% increase / decrease": printed without a sign
    obs = check(observations, 143, 14, measure="pct_change", unit="percent", service="Lewisham Council")
    assert obs.quality_flag == "unsigned_change"


def test_table3_enquiries(observations):
    # :180 enquiries received 2020/21, total = 5561
    check(observations, 180, 5561, period="2020-21", division="all", service="", stage="enquiry",
          measure="enquiries")


def test_table5_top_issues(observations):
    # :229 Missed Collection (Enviro Services), Upheld = 62 (Lewisham Council part of Table 5)
    check(observations, 229, 62, category="Missed Collection (Enviro Services)", service="Lewisham Council",
          division="all", measure="upheld", stage="all")
    # :262 Plumbing, No. of Cases = 61 (Lewisham Homes part)
    check(observations, 262, 61, category="Plumbing", service="Lewisham Homes", division="housing",
          measure="complaints")


def test_table6_timeliness_cell_per_line(observations):
    # :365 Lewisham Homes, 2020/21, Stage 2 % On Time = 92%
    check(observations, 365, 92, period="2020-21", service="Lewisham Homes", division="housing",
          stage="stage_2", measure="pct_on_time", unit="percent")
    # :339 Lewisham Council (label filled down from :324), 2020/21, General Enquiries cases due = 2422
    check(observations, 339, 2422, period="2020-21", service="Lewisham Council", category="General Enquiries",
          stage="enquiry", measure="cases_due")
    # :344 Council "Variance" row, Stage 1 cases due: 464 (unsigned difference 2026 → 1562)
    obs = check(observations, 344, 464, service="Lewisham Council", stage="stage_1", measure="cases_due_variance")
    assert obs.role == "outside"


def test_table7_member_enquiries(observations):
    # :516 Total, 2020/21, CEO cases due = 72
    check(observations, 516, 72, period="2020-21", division="all", service="", category="CEO",
          stage="enquiry", measure="cases_due")


def test_table8_outcomes_and_statutory_brackets(observations):
    # :556 "777(72)": Council Stage 1 Not Upheld 777, of which 72 CYP & ASC statutory cases
    check(observations, 556, 777, service="Lewisham Council", stage="stage_1", measure="not_upheld")
    bracket = check(observations, 556, 72, service="CYP & ASC STATUTORY CASES", stage="stage_1",
                    measure="not_upheld")
    assert bracket.group.endswith(":statutory")
    # :587 "% of Total" withdrawn = 0.1%
    check(observations, 587, 0.1, service="Lewisham Council", stage="all", measure="pct_withdrawn", unit="percent")
    # :640 Lewisham Homes "% of Total" withdrawn printed "0" — a percentage
    check(observations, 640, 0, service="Lewisham Homes", measure="pct_withdrawn", unit="percent")
    # :591 "-" in the Total column of the % row: missing, not zero
    assert not [o for o in observations if o.source_line == 591]


def test_independent_adjudicator_is_stage_3(observations):
    # :703 2020/21 Total Compensation Awarded £3,700
    check(observations, 703, 3700, period="2020-21", division="all", stage="stage_3",
          measure="compensation_gbp", unit="gbp")


def test_lgsco_casework(observations):
    # :745 Referrals Received 2020/21 "102 cases"
    check(observations, 745, 102, period="2020-21", stage="ombudsman", measure="ombudsman_referrals", service="")
    # :751 2020/21 top referral "· Benefits and Tax – 28"
    check(observations, 751, 28, period="2020-21", service="Benefits and Tax", division="corporate",
          stage="ombudsman", measure="ombudsman_referrals")
    # :786 "· Average per case - £287.50"
    check(observations, 786, 287.5, period="2020-21", stage="ombudsman", measure="average_compensation_gbp",
          unit="gbp")


def test_london_boroughs(observations):
    # :2212 LGSCO cases received 2020/21: Barking & Dagenham 103 (first), Lewisham 102 (19th)
    check(observations, 2212, 103, council="barking_and_dagenham", period="2020-21", division="all",
          stage="ombudsman", measure="ombudsman_referrals")
    check(observations, 2212, 102, council="lewisham", measure="ombudsman_referrals")
    # :2218 upheld: Hammersmith & Fulham 7 (11th), Richmond upon Thames 10 (23rd)
    check(observations, 2218, 7, council="hammersmith_and_fulham", measure="ombudsman_upheld", stage="ombudsman")
    check(observations, 2218, 10, council="richmond_upon_thames", measure="ombudsman_upheld")
    assert len({o.council for o in observations if o.source_line == 2212}) == 28


def test_contact_methods_and_yearly_volume(observations):
    # :2224 complaints by method: Self service 1475; :2230 enquiries: Email 4692, Twitter 0
    check(observations, 2224, 1475, category="Self service", measure="complaints", table="t21_complaints_contact_method")
    check(observations, 2230, 4692, category="Email", stage="enquiry", measure="enquiries", table="t22_enquiries_contact_method")
    check(observations, 2230, 0, category="Twitter", measure="enquiries", table="t22_enquiries_contact_method")
    # :2238 complaints and enquiries 2019/20 = 8042
    check(observations, 2238, 8042, period="2019-20", measure="complaints_and_enquiries")


def test_compliments(observations):
    # :855 "Lewisham Homes: RECEIVED 184 COMPLIMENTS"
    check(observations, 855, 184, service="Lewisham Homes", division="housing", measure="compliments")


# --- Appendix 2: adult social care ------------------------------------------------------

def test_asc_by_year_and_quarter(observations):
    # :1283 2014/15 = 90 (seven-year row)
    check(observations, 1283, 90, period="2014-15", division="adult_social_care", measure="complaints", stage="all")
    # :1311 Q4 20/21 = 32; :1304 Q1 19/20 = 20
    check(observations, 1311, 32, period="2020-21", quarter="Q4", division="adult_social_care", measure="complaints")
    check(observations, 1304, 20, period="2019-20", quarter="Q1", division="adult_social_care", measure="complaints")


def test_asc_by_service_and_response_band(observations):
    # :1397 Safeguarding, quality assurance — 61+ working days = 7; :1426 Total = 79
    check(observations, 1397, 7, service="Safeguarding, quality assurance", division="adult_social_care",
          measure="responded_in_61_plus_working_days")
    obs = check(observations, 1426, 79, service="", division="adult_social_care", measure="complaints")
    assert obs.role == "total"


def test_asc_root_cause_prose(observations):
    # :1453 "15% of complaints received related to inadequate services provided by a third party commissioned service."
    check(observations, 1453, 15, table="prose", division="adult_social_care", measure="pct_of_total", unit="percent",
          category="inadequate services provided by a third party commissioned service")
    assert len([o for o in observations if o.table == "prose"]) == 7


# --- Appendix 3: children and young people ----------------------------------------------

def test_cyp_cases_by_quarter(observations):
    # :1617 Q3, Compliment = 6; :1643 Total, Total = 286
    check(observations, 1617, 6, quarter="Q3", service="Compliment", division="childrens_social_care",
          measure="compliments")
    check(observations, 1643, 286, quarter="", service="", measure="cases")
    # :1590 Q1 Mayor enquiry = 14 (type in service)
    check(observations, 1590, 14, quarter="Q1", service="Mayor enquiry", stage="enquiry", measure="enquiries")


def test_cyp_on_time_fractions(observations):
    # :1674 Q2 (label on a continuation line, :1673) Stage 1 "47% (8/17)"
    check(observations, 1674, 47, quarter="Q2", service="Stage 1", stage="stage_1", measure="pct_on_time")
    check(observations, 1674, 17, quarter="Q2", service="Stage 1", measure="cases_due")
    # :1722-1723 Social Care, Stage 1 "50%" then "(1/2)" on the next line: each keeps its own line
    check(observations, 1722, 50, service="Social Care", category="Stage 1", measure="pct_on_time")
    check(observations, 1723, 2, service="Social Care", category="Stage 1", measure="cases_due")


def test_cyp_outcomes_and_escalations(observations):
    # :1790 Resolved upon receipt, Children Act Stage 1 = 2
    check(observations, 1790, 2, service="Children Act Stage 1", stage="stage_1", measure="resolved_upon_receipt")
    # :1853 "11 (38%)" Stage 2 accepted for investigation (total row)
    check(observations, 1853, 11, service="", stage="stage_2", measure="accepted_for_investigation")
    check(observations, 1853, 38, stage="stage_2", measure="pct_accepted_for_investigation", unit="percent")
    # :1900 Stage 2 outcomes, Total, Children Act Stage 2 = 9
    check(observations, 1900, 9, service="Children Act Stage 2", stage="stage_2", measure="complaints_decided")
    # :1939 Stage 3 requests received, Corporate = 5
    check(observations, 1939, 5, service="Corporate", stage="stage_3", measure="complaints")
    # :2011 LGSCO: SEN team "1 premature complaint"
    check(observations, 2011, 1, service="SEN team", division="education", stage="ombudsman",
          measure="ombudsman_premature")


# --- whole-output properties ------------------------------------------------------------

def test_every_value_is_printed_on_its_line(report, observations):
    """Each figure's digits appear on the line it cites (the cell-per-line layout makes this easy to get wrong)."""
    for obs in observations:
        numbers = {float(t.replace(",", "")) for t in re.findall(r"\d[\d,]*(?:\.\d+)?", report.line(obs.source_line))}
        assert obs.value in numbers, f"{obs.value} not on line {obs.source_line}: {report.line(obs.source_line)!r}"


def test_skipped_tables_point_at_their_lines(report):
    for table_id, line, reason in SKIPPED_TABLES:
        if "[image: ]" in reason:
            assert report.line(line).startswith("[image: ]"), (table_id, line)


def test_iter_cells_keeps_empty_cells_and_joins_wrapped_text(report):
    cells = list(iter_cells(report, 675))  # Table 9: "Cases \nDetermined " wraps onto :679
    assert cells[2].text == "Cases Determined" and cells[2].line == 678
    cells = list(iter_cells(report, 306))  # Table 6: two empty header cells on :315-:316
    assert [c.text for c in cells[6:8]] == ["", ""]


# --- malformed input ----------------------------------------------------------------------

def _copy_with(tmp_path: Path, report: RawReport, edit) -> RawReport:
    lines = list(report.lines)
    edit(lines)
    path = tmp_path / "data" / "raw" / Path(SOURCE).name
    path.parent.mkdir(parents=True)
    path.write_text("\n".join(lines), encoding="utf-8")
    return RawReport.load(tmp_path, SOURCE, "lewisham", "2020-21")


def _costs_only(broken: RawReport, observations, table: str):
    """Reading ``broken`` skips ``table`` (one skip record), gives none of its figures, and every
    other table's figures as the intact report does (issue 23: a table costs that table only)."""
    read = extract(broken)
    [skip] = broken.skips
    assert skip.table == table
    assert [o for o in read if o.table == table] == []
    kept = [(o.table, o.value, o.measure, o.period) for o in observations if o.table != table]
    assert [(o.table, o.value, o.measure, o.period) for o in read] == kept
    return skip


def test_missing_header_cell_costs_that_table_naming_file_and_line(tmp_path, report, observations):
    # Remove Table 2's "2019/20" header cell (:136); the next header cells no longer fit.
    broken = _copy_with(tmp_path, report, lambda lines: lines.pop(135))
    skip = _costs_only(broken, observations, "t2_stage1_complaints_by_organisation")
    assert skip.line == 137 and "header cell" in skip.reason  # :137 is now the "% increase" cell
    assert skip.describe(SOURCE).startswith(f"{SOURCE}: table 't2_stage1_complaints_by_organisation' skipped, unreadable at line 137")


def test_unknown_row_label_costs_that_table(tmp_path, report, observations):
    def rename(lines):
        lines[144] = "\tLewisham Housing Co"  # :145 "Lewisham Homes" in Table 2
    skip = _costs_only(_copy_with(tmp_path, report, rename), observations, "t2_stage1_complaints_by_organisation")
    assert skip.line == 145 and "row label 'Lewisham Housing Co' is not in the template" in skip.reason


def test_ragged_row_costs_that_table(tmp_path, report, observations):
    def drop(lines):
        del lines[1567]  # "286", the last value of CYP Table 1 (:1568)
    skip = _costs_only(_copy_with(tmp_path, report, drop), observations, "cyp_t1_cases_by_year")
    assert skip.line == 1566 and "a row of 2 cells where 3" in skip.reason


def test_chart_line_with_a_missing_value_costs_that_chart(tmp_path, report, observations):
    def drop(lines):
        lines[2211] = lines[2211].replace("\t67\t", "\t")  # Wandsworth's value on :2212
    skip = _costs_only(_copy_with(tmp_path, report, drop), observations, "t11_lgsco_received_london_boroughs")
    assert skip.line == 2212 and "28 labels but 27" in skip.reason


def test_specs_have_unique_ids():
    ids = [t.id for t in CELL_TABLES]
    assert len(ids) == len(set(ids))


def test_complaints_decided_is_kept_apart_from_complaints_received(observations):
    """Both are printed for the same key and differ, so one `complaints` name would make the
    reconciled view choose between two different quantities (docs/data_dictionary.md)."""
    # :142 Table 2, Lewisham Council stage 1 complaints received 2020/21 = "1926"
    check(observations, 142, 1926, service="Lewisham Council", stage="stage_1", measure="complaints")
    # :559 Table 8 outcomes, Lewisham Council total decided = "1,799 (137)"
    check(observations, 559, 1799, service="Lewisham Council", stage="stage_1", measure="complaints_decided")


def test_ombudsman_cases_carried_over_and_decided_are_ombudsman_decisions(observations):
    # :2023 "Table 12. LGSCO complaints carried over from 2019-2020 and completed during 2020-2021", Total
    check(observations, 2047, 3, stage="ombudsman", measure="ombudsman_decisions")
