"""Harrow 2019-20 (OCR'd scrutiny agenda: children's and adults' social care complaints reports).

Every figure below was read by hand in the raw file; the comment gives file:line.
"""
from __future__ import annotations

import pytest

from analysis.clean.extract import harrow
from analysis.clean.extract.engine import RawReport

from conftest import SEED_ROOT as ROOT  # the seed project (tests/conftest.py), never the checkout's data

NAME = "harrow_2019-20_scrutiny-agenda-with-social-care-complaints-reports.txt"
FILE = f"data/raw/{NAME}"
C_AND_F = "Children and Families Services"


@pytest.fixture(scope="module")
def report() -> RawReport:
    return RawReport.load(ROOT, FILE, "harrow", "2019-20")


@pytest.fixture(scope="module")
def obs(report):
    return harrow.extract(report)


def one(observations, **key):
    """The single observation with these field values (fails loudly on none or several)."""
    found = [o for o in observations if all(getattr(o, k) == v for k, v in key.items())]
    assert len(found) == 1, f"{len(found)} observations match {key}: {found}"
    return found[0]


def test_every_observation_is_harrow_2019_20_and_cites_this_file(obs):
    assert len(obs) > 250
    assert {o.council for o in obs} == {"harrow"}
    assert {o.report_period for o in obs} == {"2019-20"}
    assert {o.source_file for o in obs} == {FILE}
    assert {o.division for o in obs} == {"childrens_social_care", "adult_social_care", "education"}


# --- the sample gold rows ---------------------------------------------------------------

def test_gold_adult_social_care_transactions(obs):
    # harrow_2019-20_...txt:845  "Adult Social Care	95	21	3	2	121"
    reps = one(obs, source_line=845, stage="representation", measure="representations")
    assert (reps.value, reps.unit, reps.period, reps.division, reps.service, reps.category) == (
        95, "count", "2019-20", "adult_social_care", "Adult Social Care", "")
    stage1 = one(obs, source_line=845, stage="stage_1", measure="complaints")
    assert (stage1.value, stage1.period, stage1.division, stage1.service) == (21, "2019-20", "adult_social_care", "Adult Social Care")
    assert reps.table == stage1.table == "adults_transactions_by_service"


def test_adult_transactions_total_row_is_the_division_total(obs):
    # harrow_2019-20_...txt:848  "Total	99	23	4	4	130"
    total = one(obs, source_line=848, measure="transactions")
    assert (total.value, total.service, total.stage, total.division) == (130, "", "all", "adult_social_care")
    assert one(obs, source_line=848, stage="ombudsman").measure == "ombudsman_referrals"
    # harrow_2019-20_...txt:846  Commissioning & Partnerships stays a service of adult social care
    cp = one(obs, source_line=846, stage="ombudsman")
    assert (cp.value, cp.division, cp.service) == (2, "adult_social_care", "Commissioning & Partnerships")


# --- three years in one cell (the header prints their order) ----------------------------

def test_three_years_in_one_cell_education(obs):
    # harrow_2019-20_...txt:448 header "19/20 18/19 17/18"; :449 "Education &	5 9 2	2 1 0	0 0 0	7 10 2"
    # (the label continues on :450 "Commissioning")
    got = {o.period: o.value for o in obs if o.source_line == 449 and o.measure == "not_upheld"}
    assert got == {"2019-20": 5, "2018-19": 9, "2017-18": 2}
    o = one(obs, source_line=449, measure="not_upheld", period="2018-19")
    assert (o.division, o.service, o.stage, o.unit, o.table) == (
        "education", "Education & Commissioning", "stage_1", "count", "children_stage1_outcomes_3yr")


def test_three_years_in_one_cell_childrens_social_care(obs):
    # harrow_2019-20_...txt:451  "Children's Social Care	19 33 41	4 13 7	0 1 2	23 47 50"
    got = {o.period: o.value for o in obs if o.source_line == 451 and o.measure == "partially_upheld"}
    assert got == {"2019-20": 4, "2018-19": 13, "2017-18": 7}
    assert one(obs, source_line=451, measure="not_upheld", period="2017-18").value == 41
    assert one(obs, source_line=451, measure="complaints_decided", period="2017-18").service == "Children's Social Care"


def test_three_years_in_the_row_label(obs):
    # harrow_2019-20_...txt:505  "2019/20 2018/19 2017/18	31 51 56	7 18 7	0 0 0	6 6 1"
    stage1 = {o.period: o.value for o in obs if o.source_line == 505 and o.stage == "stage_1"}
    assert stage1 == {"2019-20": 31, "2018-19": 51, "2017-18": 56}
    lgo = {o.period: o.value for o in obs if o.source_line == 505 and o.stage == "ombudsman"}
    assert lgo == {"2019-20": 6, "2018-19": 6, "2017-18": 1}
    o = one(obs, source_line=505, stage="stage_2", period="2018-19")
    assert (o.value, o.measure, o.division, o.service) == (18, "complaints", "childrens_social_care", C_AND_F)


def test_cell_with_lost_spaces_is_split_and_flagged(obs):
    # harrow_2019-20_...txt:452  "CYAD	2 1 2	0 0 1	100	3 1 3": the Upheld cell "100" is "1 0 0"
    # (the Total row :453 prints upheld "1 1 2" = 0 0 0 + 0 1 2 + 1 0 0)
    got = {o.period: (o.value, o.quality_flag) for o in obs if o.source_line == 452 and o.measure == "upheld"}
    assert got == {"2019-20": (1, "ocr_spacing_repaired"), "2018-19": (0, "ocr_spacing_repaired"),
                   "2017-18": (0, "ocr_spacing_repaired")}
    assert one(obs, source_line=452, measure="not_upheld", period="2019-20").quality_flag == ""


def test_footnote_mark_and_percentage_row(obs):
    # harrow_2019-20_...txt:453  "Total	26 43 45	6 14 8	1 1 2	33* 58 55"
    total = one(obs, source_line=453, measure="complaints_decided", period="2019-20")
    assert (total.value, total.service, total.role) == (33, C_AND_F, "total")
    # harrow_2019-20_...txt:454  "Total of overall Stage 1 outcomes, by percentage	78% 74% 82%	18% 25% 14%	4% 1% 4%"
    pct = {o.period: o.value for o in obs if o.source_line == 454 and o.measure == "pct_not_upheld"}
    assert pct == {"2019-20": 78, "2018-19": 74, "2017-18": 82}
    assert one(obs, source_line=454, measure="pct_upheld", period="2018-19").unit == "percent"


# --- several services in one cell -------------------------------------------------------

def test_services_stacked_in_one_cell(obs):
    # harrow_2019-20_...txt:466  "Education & Commissioning Children's Social Care CYAD	6 22 3	1 6 0	16% 27% 0%"
    stage1 = {o.service: (o.value, o.division) for o in obs if o.source_line == 466 and o.stage == "stage_1"}
    assert stage1 == {"Education & Commissioning": (6, "education"),
                      "Children's Social Care": (22, "childrens_social_care"), "CYAD": (3, "childrens_social_care")}
    esc = one(obs, source_line=466, service="Children's Social Care", measure="pct_escalated")
    assert (esc.value, esc.unit, esc.stage, esc.period) == (27, "percent", "stage_2", "2019-20")


def test_stacked_services_and_bracketed_previous_year(obs):
    # harrow_2019-20_...txt:484 header "Within Timescale 2019/20 (2018/19)"; :485 "... 0(2) 6(12) 0(0)	1(1) 0(2) 0(0)"
    csc = {o.period: o.value for o in obs if o.source_line == 485 and o.service == "Children's Social Care"
           and o.measure == "answered_on_time"}
    assert csc == {"2019-20": 6, "2018-19": 12}
    late = one(obs, source_line=485, service="Education & Commissioning", measure="answered_late", period="2018-19")
    assert (late.value, late.stage, late.division) == (1, "stage_2", "education")
    # :486 "Total		6(14)	1(3)"
    assert one(obs, source_line=486, measure="answered_on_time", period="2018-19").value == 14


def test_figure_printed_in_a_row_label(obs):
    # harrow_2019-20_...txt:479  "Total [Grand Total = 7]	6	0	1"
    grand = one(obs, source_line=479, measure="complaints")
    assert (grand.value, grand.stage, grand.period, grand.service) == (7, "stage_2", "2019-20", C_AND_F)
    assert one(obs, source_line=479, measure="not_upheld").value == 6


def test_children_ombudsman_table(obs):
    # harrow_2019-20_...txt:496  "Children's Social Care	3	1	4"
    upheld = one(obs, source_line=496, measure="ombudsman_upheld")
    assert (upheld.value, upheld.stage, upheld.division, upheld.service) == (1, "ombudsman", "childrens_social_care", "Children's Social Care")
    # :495 "Education and Commissioning	2	0	2"
    assert one(obs, source_line=495, measure="ombudsman_referrals").division == "education"


# --- adults' tables with the year in the row label ---------------------------------------

def test_count_with_share_of_row_total(obs):
    # harrow_2019-20_...txt:862  "2018/19	79 (60%)	30 (33%)	5 (5%)	6 (2%)	120"  (79/120 is 66%: printed as is, flagged)
    reps = one(obs, source_line=862, measure="representations")
    assert (reps.value, reps.period, reps.service, reps.division) == (79, "2018-19", "", "adult_social_care")
    share = one(obs, source_line=862, stage="representation", measure="pct_of_total")
    assert (share.value, share.unit, share.quality_flag) == (60, "percent", "pct_disagrees_with_counts")
    # :861 "2019/20	99 (76%) ..." agrees with 99/130
    assert one(obs, source_line=861, stage="representation", measure="pct_of_total").quality_flag == ""


def test_services_as_columns(obs):
    # harrow_2019-20_...txt:895 header "Commissioning & Partnership	Adult Social Care	Safeguarding, & Quality Assurance	Total"
    # :897 "2018/19	1	28	1	30"
    row = {o.service: o.value for o in obs if o.source_line == 897}
    assert row == {"Commissioning & Partnership": 1, "Adult Social Care": 28, "Safeguarding, & Quality Assurance": 1, "": 30}
    assert {o.period for o in obs if o.source_line == 897} == {"2018-19"}


def test_adult_outcomes_service_rows_and_year_rows(obs):
    # harrow_2019-20_...txt:949  "Adult Social Care	14	5	2	21"
    assert one(obs, source_line=949, measure="not_upheld").value == 14
    # :952 "2019/20	16 (70%)	5 (21%)	2 (9%)	23"
    total = one(obs, source_line=952, measure="not_upheld")
    assert (total.value, total.period, total.service, total.stage, total.role) == (16, "2019-20", "", "stage_1", "total")
    assert one(obs, source_line=952, measure="pct_not_upheld").value == 70


def test_blank_cells_are_missing_not_zero(obs):
    # harrow_2019-20_...txt:980  "2017/18	4			4" (stage 2 outcomes): only two figures
    assert {(o.measure, o.value) for o in obs if o.source_line == 980} == {("not_upheld", 4), ("complaints", 4)}
    # :989 "2018/19	5		5" (stage 2 response times): no answered_late
    assert not [o for o in obs if o.source_line == 989 and o.measure == "answered_late"]


def test_ombudsman_four_years(obs):
    # harrow_2019-20_...txt:1038  "2016-17	3	0	3"
    o = one(obs, source_line=1038, measure="ombudsman_decisions")
    assert (o.value, o.period, o.stage) == (3, "2016-17", "ombudsman")


# --- prose and skipped passages -----------------------------------------------------------

def test_prose_figures(obs):
    # harrow_2019-20_...txt:295  " 69 representations i.e. potential statutory complaints ..."
    reps = one(obs, source_line=295, measure="representations")
    assert (reps.value, reps.stage, reps.table, reps.service) == (69, "representation", "prose", C_AND_F)
    # :300 "... there were 43 MP and Councillor enquiries ... In comparison, 52 enquiries were received last year."
    enquiries = {o.period: o.value for o in obs if o.source_line == 300}
    assert enquiries == {"2019-20": 43, "2018-19": 52}
    assert one(obs, source_line=300, period="2019-20").stage == "enquiry"
    # :289 "... was 90% in 2019/20, slightly up from 89% in 2018/19"
    assert {o.period: o.value for o in obs if o.source_line == 289} == {"2019-20": 90, "2018-19": 89}


def test_garbled_passages_are_recorded(obs):
    starts = {start: (end, reason) for start, end, reason in harrow.SKIPPED_PASSAGES}
    # harrow_2019-20_...txt:858  the flattened Chart 1 ("140 130 120 120 99 100 86 ...")
    assert starts[858][0] == 858 and "Chart 1" in starts[858][1]
    # :455-458 column text of the commentary after the stage 1 outcomes table
    assert starts[455][0] == 458 and "garbled" in starts[455][1]
    # nothing is read from a skipped line
    skipped = {n for start, end, _ in harrow.SKIPPED_PASSAGES for n in range(start, end + 1)}
    assert not [o for o in obs if o.source_line in skipped]


# --- input that does not fit the template -----------------------------------------------

def _broken_copy(tmp_path, edit) -> RawReport:
    lines = (ROOT / FILE).read_text(encoding="utf-8").split("\n")
    edit(lines)
    (tmp_path / NAME).write_text("\n".join(lines), encoding="utf-8")
    return RawReport.load(tmp_path, NAME, "harrow", "2019-20")


def _costs_one_table(tmp_path, edit):
    """The report read whole and with ``edit``: the edited copy skips one table (its figures all
    gone) and gives every other table's figures as the intact report does."""
    (tmp_path / "whole").mkdir()
    whole = harrow.extract(_broken_copy(tmp_path / "whole", lambda lines: None))
    broken = _broken_copy(tmp_path, edit)
    read = harrow.extract(broken)
    [skip] = broken.skips
    assert [o for o in read if o.table == skip.table] == []
    key = [(o.table, o.value, o.measure, o.period, o.service) for o in whole if o.table != skip.table]
    assert [(o.table, o.value, o.measure, o.period, o.service) for o in read] == key
    return skip


def test_missing_year_header_costs_that_table_naming_file_and_line(tmp_path):
    # delete :448, the "19/20 18/19 17/18" header line that gives the years' order
    skip = _costs_one_table(tmp_path, lambda lines: lines.pop(447))
    assert skip.line == 447 and f"{NAME}: table {skip.table!r} skipped, unreadable at line 447" in skip.describe(NAME)


def test_stacked_cell_with_too_few_figures_costs_that_table(tmp_path):
    def drop_one(lines):
        lines[465] = lines[465].replace("6 22 3", "6 22")  # :466

    skip = _costs_one_table(tmp_path, drop_one)
    assert skip.line == 466 and "holds 2 figures" in skip.reason


def test_missing_clean_table_header_costs_that_table_only(tmp_path):
    """Templates are refinements, not gates (issue 23): a table whose header line is gone is skipped
    with a record naming it and the lines searched; the report's other tables are still read."""
    (tmp_path / "whole").mkdir()
    whole = harrow.extract(_broken_copy(tmp_path / "whole", lambda lines: None))
    broken = _broken_copy(tmp_path, lambda lines: lines.pop(843))  # :844 "Service Area	Representations ..."
    read = harrow.extract(broken)
    [skip] = broken.skips
    assert skip.first_line <= 843 <= skip.last_line and "not found in lines" in skip.describe(NAME)
    lost = {o.table for o in whole} - {o.table for o in read}
    assert lost == {skip.table}
    assert len(read) > 0.8 * len(whole)
