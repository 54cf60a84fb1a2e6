"""Bromley 2019-20 and 2023-24 (one template, src/analysis/clean/extract/bromley.py).

Every figure below was read by hand in the raw file; the comment gives file:line and the
printed line (tabs shown as "|").
"""
from __future__ import annotations

import pytest

from analysis.clean.extract import bromley
from analysis.clean.extract.engine import Column, RawReport, ReportFormatError, Row, Section, TableSpec, extract_table
from analysis.clean.quality import apply_quality_checks

from conftest import SEED_ROOT as ROOT  # the seed project (tests/conftest.py), never the checkout's data

F19 = "data/raw/bromley_2019-20_committee-briefing-with-annual-complaints-report.txt"
F23 = "data/raw/bromley_2023-24_complaints-and-compliments-annual-report.txt"
ASC, CSC, EDU, CED = "adult_social_care", "childrens_social_care", "education", "chief_executives"
EPP, HOU, PR = "environment_public_protection", "housing", "planning_regeneration"


@pytest.fixture(scope="module")
def r19() -> RawReport:
    return RawReport.load(ROOT, F19, "bromley", "2019-20")


@pytest.fixture(scope="module")
def r23() -> RawReport:
    return RawReport.load(ROOT, F23, "bromley", "2023-24")


@pytest.fixture(scope="module")
def o19(r19):
    return apply_quality_checks(bromley.extract(r19))


@pytest.fixture(scope="module")
def o23(r23):
    return apply_quality_checks(bromley.extract(r23))


def one(observations, **key):
    """The single observation with these field values (fails loudly on none or several)."""
    found = [o for o in observations if all(getattr(o, k) == v for k, v in key.items())]
    assert len(found) == 1, f"{len(found)} observations match {key}: {found[:4]}"
    return found[0]


def none(observations, **key):
    found = [o for o in observations if all(getattr(o, k) == v for k, v in key.items())]
    assert not found, found


def test_every_observation_cites_its_report(o19, o23):
    for obs, source, period in ((o19, F19, "2019-20"), (o23, F23, "2023-24")):
        assert len(obs) > 2000
        assert {o.source_file for o in obs} == {source}
        assert {o.report_period for o in obs} == {period}
        assert {o.council for o in obs} == {"bromley"}


# --- council overview: multi-year tables -------------------------------------------------

def test_three_year_complaints_table_2019_20(o19):
    # F19:614  "Adult Social Care|183|142|117|-17.6%"
    assert one(o19, source_line=614, period="2017-18", measure="complaints").value == 183
    asc = one(o19, source_line=614, period="2019-20", measure="complaints")
    assert (asc.value, asc.division, asc.service, asc.stage, asc.table) == (117, ASC, "", "all", "complaints_by_division_multi_year")
    change = one(o19, source_line=614, measure="pct_change")
    assert (change.value, change.unit, change.period) == (-17.6, "percent", "2019-20")
    # F19:620  "Total|504|484|445|-8.1%": Bromley's Total (excludes E&PP)
    total = one(o19, source_line=620, period="2018-19", measure="complaints")
    assert (total.value, total.division, total.role) == (484, "all", "total")
    # F19:621  "Environment & Public Protection|13|384|211|-45.0%": printed after the Total
    epp = one(o19, source_line=621, period="2018-19", measure="complaints")
    assert (epp.value, epp.division, epp.role) == (384, EPP, "outside")


def test_five_year_complaints_table_2023_24(o23):
    # F23:91  "Education|38|23|50|97|135|39.2%"
    assert one(o23, source_line=91, period="2019-20", measure="complaints").value == 38
    assert one(o23, source_line=91, period="2023-24", measure="complaints", division=EDU).value == 135
    # F23:94  "Total|445|335|387|465|533|14.6%"
    assert [one(o23, source_line=94, period=p, measure="complaints").value
            for p in ("2019-20", "2020-21", "2021-22", "2022-23", "2023-24")] == [445, 335, 387, 465, 533]
    # F23:90  "Planning & Regeneration|-|25|35|30|32|6.7%": the "-" is missing, not zero
    none(o23, source_line=90, period="2019-20")
    # F23:95  "Environment & Public Protection|211|207|485|171|205|19.9%" after the Total line
    assert one(o23, source_line=95, period="2023-24", measure="complaints").role == "outside"


def test_by_type_and_division_2023_24(o23):
    # F23:80  "Corporate|0|85|82|32|135|205|104|0|643"
    cell = one(o23, source_line=80, division=EDU)
    assert (cell.value, cell.service, cell.measure, cell.table) == (135, "Corporate", "complaints", "complaints_by_type_and_division")
    # F23:82  "Total|90|90|82|32|135|205|104|0|738": the Total column includes E&PP
    assert one(o23, source_line=82, division="all").value == 738


def test_how_received(o19, o23):
    # F19:630  "Email|70|60|74|27|0|58|0|289|64.9%"
    assert one(o19, source_line=630, division=ASC).value == 70
    assert (one(o19, source_line=630, division="all", measure="complaints").value,
            one(o19, source_line=630, measure="pct_of_total").value) == (289, 64.9)
    # F23:107  "Website|26|38|33|14|65|97|23|0|296|40.1%"
    web = one(o23, source_line=107, division=EPP)
    assert (web.value, web.service) == (97, "Website")


def test_proportion_upheld(o19, o23):
    # F19:649  "TOTAL|570|249|44%|49%"
    assert one(o19, source_line=649, measure="aspects").value == 570
    assert one(o19, source_line=649, measure="upheld_or_partially_upheld").value == 249
    assert one(o19, source_line=649, measure="pct_upheld_or_partially", period="2018-19").value == 49
    # F23:123  "Environment & Public Protection|Data not|collected||82%": words are not figures
    epp = [o for o in o23 if o.source_line == 123]
    assert [(o.period, o.value) for o in epp] == [("2022-23", 82)]


def test_causes_for_complaint(o19, o23):
    # F23:137  "Lack of Action|41|53|37|18|151|19|56|0|375|33.8%|40.0%"
    assert one(o23, source_line=137, division="all", measure="aspects").value == 375
    edu = one(o23, source_line=137, division=EDU)
    assert (edu.value, edu.category, edu.service, edu.table) == (151, "Lack of Action", "", "causes_for_complaint")
    assert one(o23, source_line=137, measure="pct_upheld_or_partially").value == 40.0
    # F23:142  "Total|154|197|122|51|231|171|182|0|1,108||"
    assert one(o23, source_line=142, division="all").value == 1108
    # F19:668  "Lack of Action|21|23|25|24|-|17|0|110|18.7%|38.2%"
    assert one(o19, source_line=668, division=EDU).value == 24
    none(o19, source_line=668, division=EPP)


def test_on_time_by_division(o19, o23):
    # F19:681/687  "On time 2017/18" … "Chief Executive's Dept.|78%|70%|54%"
    ced = one(o19, source_line=687, period="2017-18")
    assert (ced.value, ced.unit, ced.measure, ced.division) == (78, "percent", "pct_on_time", CED)
    # F23:149  "Adult Social Care|35%|37%|30%|36%|44%"
    assert one(o23, source_line=149, period="2019-20").value == 35


def test_ombudsman_tables(o19, o23):
    # F19:694  "Adult Social Care|19|6|2|4|7"  (Service|Total|Upheld|Not Upheld|Declined|Ongoing)
    assert one(o19, source_line=694, measure="ombudsman_referrals").value == 19
    assert one(o19, source_line=694, measure="ombudsman_declined").value == 4
    # F19:711  "Referrals|165|139|149|+7%"
    ref = one(o19, source_line=711, period="2017-18")
    assert (ref.value, ref.measure, ref.stage, ref.division) == (165, "ombudsman_referrals", "ombudsman", "all")
    assert one(o19, source_line=711, measure="pct_change_ombudsman_referrals").value == 7
    # F23:168  "Referrals|149|103|122|123|154|+25%"
    assert one(o23, source_line=168, period="2020-21", measure="ombudsman_referrals").value == 103
    # F23:172  "Upheld rate|65%|69%|69%|76%|83%|+7%"
    assert one(o23, source_line=172, period="2023-24", measure="pct_ombudsman_upheld").value == 83
    # F23:174  "London ranking|Joint 7 th|…": a rank, not a figure
    none(o23, source_line=174)


def test_financial_consequences_council_wide(o19, o23):
    # F19:731  "Adult Social Care|100.00|7,922.83|250.00|367.00|1,417.93|0.00|10,057.76" (no £ printed)
    wo = one(o19, source_line=731, measure="charges_written_off_gbp", stage="ombudsman")
    assert (wo.value, wo.unit, wo.division) == (7922.83, "gbp", ASC)
    assert one(o19, source_line=731, measure="charges_written_off_gbp", stage="stage_1").value == 1417.93
    assert one(o19, source_line=731, measure="financial_total_gbp").value == 10057.76
    # F23:181  "ıan|Compensation & Backdating|£1,600.00|…|£29,020.00|…|£38,370.00" (rotated "Ombudsman")
    edu = one(o23, source_line=181, division=EDU)
    assert (edu.value, edu.measure, edu.stage, edu.unit) == (29020.0, "compensation_gbp", "ombudsman", "gbp")
    # F23:185  "Je 1|Written off|…|£2,886.43|£7,131.13" (second block: Stage 1)
    assert one(o23, source_line=185, division=CED).stage == "stage_1"
    assert one(o23, source_line=185, division=CED).value == 2886.43
    # F23:188  "|Total|£5,822.59|…|£54,451.42"
    total = one(o23, source_line=188, division="all")
    assert (total.value, total.measure, total.stage, total.role) == (54451.42, "financial_total_gbp", "all", "total")
    # F23:199  "ge 1|Written off|£1,454.39|…" five-year table, 2019-20 column
    assert one(o23, source_line=199, period="2019-20").value == 1454.39


def test_compliments_by_division(o19):
    # F19:752  "Total|227|410|81%"
    assert one(o19, source_line=752, period="2019-20", measure="compliments").value == 410
    # F19:751  "Environment & Public Protection|n/k|56|-": n/k is missing
    assert [(o.period, o.value) for o in o19 if o.source_line == 751] == [("2019-20", 56)]


# --- division chapters ---------------------------------------------------------------------

def test_at_a_glance(o19, o23):
    # F19:761  "Complaints|183|142|117|-18%" in "05 | ADULT SOCIAL CARE"
    c = one(o19, source_line=761, period="2018-19")
    assert (c.value, c.division, c.table) == (142, ASC, "at_a_glance")
    # F23:231  "Financial consequences|£10,057.16|…"
    assert one(o23, source_line=231, period="2019-20").value == 10057.16
    # F23:728  "Ombudsman cases upheld|4|3|3|6|29|383%"
    assert one(o23, source_line=728, period="2023-24", measure="ombudsman_upheld").value == 29


def test_same_year_printed_differently_by_the_two_reports_gives_two_rows(o19, o23):
    # F19:614  ASC 2019-20 complaints 117 (overview)   F23:225  "Complaints|142|57|54|73|90|23%" (at a glance)
    a = one(o19, source_line=614, period="2019-20", measure="complaints")
    b = one(o23, source_line=225, period="2019-20", measure="complaints")
    key = ("council", "period", "division", "service", "category", "stage", "measure")
    assert [getattr(a, k) for k in key] == [getattr(b, k) for k in key]
    assert (a.value, b.value) == (117, 142)


def test_children_statutory_complaints(o23):
    # F23:390  "Statutory complaints|6|5|6|10|5|-50%"   F23:404  "Stage 1|6|3|6|10|5"
    glance = one(o23, source_line=390, period="2020-21", measure="complaints")
    stage1 = one(o23, source_line=404, period="2020-21")
    assert (glance.value, glance.stage, glance.service) == (5, "stage_1", "Statutory")
    assert (stage1.value, stage1.stage, stage1.table) == (3, "stage_1", "statutory_complaints_by_stage")
    # F23:407  "Total|7|5|7|12|8"
    assert one(o23, source_line=407, period="2023-24").stage == "all"


def test_service_table_counts_and_percent_rows(o19, o23):
    # F19:816  "Contracted Services|26|36|9|13|14|0|17"
    cs = one(o19, source_line=816, measure="aspects")
    assert (cs.value, cs.service, cs.division, cs.stage) == (36, "Contracted Services", ASC, "all")
    assert one(o19, source_line=816, measure="partially_upheld").value == 13
    # F19:817  "%|21%|22%|25%|36%|39%|0%|47%"
    assert one(o19, source_line=817, measure="pct_of_mentions").value == 21
    assert one(o19, source_line=817, measure="pct_of_total").value == 22
    p = one(o19, source_line=817, measure="pct_partially_upheld")
    assert (p.value, p.unit, p.service, p.role) == (36, "percent", "Contracted Services", "percent")
    # F23:747  "SEN|114|196|94|19|82|0|103"
    assert one(o23, source_line=747, measure="aspects").value == 196
    assert one(o23, source_line=747, measure="answered_on_time").value == 103
    # F23:748  "%|83%|85%|48%|10%|42%|0%|53%"
    assert one(o23, source_line=748, measure="pct_upheld").value == 48
    # F23:539  "|2%|2%|33%|33%|33%|0%|33%" (Support & Resettlement's % row with a blank label)
    assert one(o23, source_line=539, measure="pct_on_time").service == "Support & Resettlement"


def test_nature_table_in_both_layouts(o19, o23):
    # F19:826  "Staff conduct|21|8|4|8|1|9"   F19:827  "%|13%|38%|19%|38%|5%|43%"
    assert one(o19, source_line=826, measure="aspects").value == 21
    assert one(o19, source_line=827, measure="pct_of_total").value == 13
    # F23:765  "Lack of action||151|70|18|62|0|75"   F23:766  "|%|65%|46%|12%|41%|0%|50%"
    la = one(o23, source_line=765, measure="upheld")
    assert (la.value, la.category, la.division, la.table) == (70, "Lack of action", EDU, "nature_of_complaint")
    assert one(o23, source_line=766, measure="pct_of_total").value == 65


def test_ombudsman_outcomes_two_line_header(o19, o23):
    # F19:871-872 header "Ombudsman outcomes|CLOSED|||NOT UPHELD||UPHELD…" / "|NFA|No jurisdiction|…"
    # F19:884  "OVERALL|1|2|1|0|2|0|6|0|0|12|7"
    row = {o.measure: o.value for o in o19 if o.source_line == 884}
    assert row == {
        "ombudsman_closed_nfa": 1, "ombudsman_no_jurisdiction": 2, "ombudsman_premature": 1,
        "ombudsman_not_upheld_nfa": 0, "ombudsman_no_maladministration": 2, "ombudsman_upheld_nfa": 0,
        "ombudsman_maladministration_injustice": 6, "ombudsman_maladministration_no_injustice": 0,
        "ombudsman_already_remedied": 0, "ombudsman_decisions": 12, "ombudsman_ongoing": 7}
    # F23:336-337 banner "||CLOSED||NOT U|PHELD||UPH|IELD|||" over "Ombudsman outcomes|NFA|…"
    # F23:352  "Safeguarding|2|0|1|0|0|0|0|0|0|3|1"
    assert one(o23, source_line=352, measure="ombudsman_closed_nfa").value == 2
    assert one(o23, source_line=352, measure="ombudsman_premature").value == 1
    assert one(o23, source_line=352, measure="ombudsman_decisions").value == 3
    assert one(o23, source_line=352, measure="ombudsman_ongoing").stage == "ombudsman"


def test_housing_chapter_split_into_housing_and_planning(o19):
    # F19:1149 "Planning & Regeneration" inside "07 | HOUSING PLANNING & REGENERATION"
    # F19:1155 "Development Management|3|3|1|0|1|0|2|0|0|10|2"
    dm = one(o19, source_line=1155, measure="ombudsman_decisions")
    assert (dm.value, dm.division) == (10, PR)
    # F19:1126 "Housing Allocations|2|0|0|0|0|0|1|0|0|3|1" (after the "Housing" subheading, 1120)
    assert one(o19, source_line=1126, measure="ombudsman_decisions").division == HOU
    # F19:1174 "Compensation / backdated payments|N/K|N/K|N/K": missing, not zero
    none(o19, source_line=1174)


def test_division_financial_table(o19, o23):
    # F19:890  "Compensation / backdated payments|11,949.33|-|100.00" under "Ombudsman cases"
    comp = one(o19, source_line=890, period="2017-18")
    assert (comp.value, comp.stage, comp.measure, comp.unit) == (11949.33, "ombudsman", "compensation_gbp", "gbp")
    none(o19, source_line=890, period="2018-19")
    # F23:606  "Stage 1 complaints||6|": a heading row; its stray 6 is not a figure
    none(o23, source_line=606)
    # F23:607  "Compensation / backdated payments|£0.00|£500.00|£2,880.46"
    h = one(o23, source_line=607, period="2023-24")
    assert (h.value, h.stage, h.division) == (2880.46, "stage_1", HOU)


def test_epp_own_tables(o19, o23):
    # F19:1412 "Neighbourhood Management|82%|6|101|13|14|134|164"
    nm = one(o19, source_line=1412, category="Lack of action")
    assert (nm.value, nm.measure, nm.division, nm.service) == (101, "complaints", EPP, "Neighbourhood Management")
    assert one(o19, source_line=1412, measure="pct_on_time").value == 82
    assert one(o19, source_line=1412, period="2018-19").value == 164
    # F23:978  "Traffic, Road Safety & Parking|94%|4|6|12|8|14|16|60|7"
    assert one(o23, source_line=978, category="3 rd P Staff Conduct").value == 14


# --- quality flags ---------------------------------------------------------------------------

def test_flags_on_what_the_reports_print_wrongly(o19, o23):
    # F23:828  "Percentage responded to on time|59%|52%|688%|50%|50%|0%"
    assert "impossible_value" in one(o23, source_line=828, period="2021-22").quality_flag
    # F23:966  "Traffic, Road Safety & Parking|26|16|7|60|857%": 7 → 60 is +757%
    assert "pct_change_disagrees" in one(o23, source_line=966, measure="pct_change").quality_flag
    # F19:1404 "OVERALL|384|211|-45%": 52+164+45+84 (lines 1400-1403) = 345
    assert "total_mismatch" in one(o19, source_line=1404, period="2018-19").quality_flag
    # F23:843  "Electoral Services|0|0|0|0|0|0|o": letter o for 0
    o = one(o23, source_line=843, measure="answered_on_time")
    assert (o.value, o.quality_flag) == (0, "ocr_digit_repaired")


def test_unreadable_cells_are_kept_without_a_value(o19, o23):
    # F23:947  "Time & trouble payments|£0.00 £0.00||£500.00": two figures in one cell
    cell = one(o23, source_line=947, period="2021-22")
    assert (cell.value, cell.quality_flag) == (None, "unreadable_cell")
    none(o23, source_line=947, period="2022-23")
    assert one(o23, source_line=947, period="2023-24").value == 500.0
    # F19:1046 "Financial consequences|£4,550.00-24%|£6,150.00|£8,000.00"
    assert one(o19, source_line=1046, period="2017-18").value is None


# --- the flattened Adult Social Care service table (2023-24) ----------------------------------

def test_flattened_table_recovered_rows(o23):
    # F23:245  "Hayes & Five Elms 5 9 6 0 3 0 8" (its first clean line; also trailing 242-244)
    hayes = one(o23, service="Hayes & Five Elms", measure="aspects", table="service_aspects")
    assert (hayes.value, hayes.source_line, hayes.division) == (9, 245, ASC)
    # F23:247  "% 5% 6% 67% 0% 33% 0% 89%"
    assert one(o23, service="Hayes & Five Elms", measure="pct_on_time").value == 89
    # F23:242  "Blue Badges 3 13 0 0 13 0 11 % 3% 8% 0% 0% 100% 0% 85% Penge & Beckenham …"
    assert one(o23, service="Blue Badges", division=ASC, measure="answered_on_time").value == 11
    # F23:274  "Brokerage 8 10 3 1 6 0 5 % 9% 6% 30% 10% 60% 0% 50%"
    assert one(o23, service="Brokerage", division=ASC, measure="pct_partially_upheld").value == 10
    # F23:277-278  "OVERALL 94 154 75 7 72 0 64" / "49% 5% 47% 0% 42%": only one placement fits the counts
    overall = one(o23, source_line=278, measure="pct_upheld")
    assert (overall.value, overall.service) == (49, "")
    none(o23, source_line=278, measure="pct_of_total")
    # F23:246  "0. 50. 670.": OCR debris, nothing read from it
    none(o23, source_line=246)


def test_flattened_table_unrecovered_rows_are_flagged_not_invented(o23):
    # F23:270-271  "Safeguarding 1 1 0 0 1 0 0" / "% 1% 0% 0% 100% 0%": five values, seven columns
    assert one(o23, service="Safeguarding", division=ASC, table="service_aspects", measure="not_upheld").value == 1
    pct = [o for o in o23 if o.source_line == 271]
    assert len(pct) == 7 and all(o.value is None and o.quality_flag == "flattened_unrecovered" for o in pct)
    # F23:259  "% 0% 0% 0% 0% 0% 0%" (Initial Response): six values, seven columns
    assert {o.value for o in o23 if o.source_line == 259} == {None}


def test_asc_summary_table(o23):
    # F23:281  "Care Management|58|100|42|6|52|0|41"
    cm = one(o23, source_line=281, measure="aspects")
    assert (cm.value, cm.service, cm.table) == (100, "Care Management", "service_aspects_summary")


# --- the engine's guards -------------------------------------------------------------------

def _fake(lines: list[str]) -> RawReport:
    return RawReport("data/raw/fake.txt", "bromley", "2023-24", lines)


SPEC = TableSpec(id="t", anchor=r"^Service\t", columns=(Column(r"a", measure="aspects"), Column(r"b", measure="upheld"),
                                                       Column(r"total", measure="complaints", total=True)),
                 rows=(Row(r"OVERALL", dims={"service": ""}, total=True),))


def test_a_row_that_does_not_line_up_is_never_emitted_as_numbers():
    report = _fake(["Service\ta\tb\ttotal", "X\t1\t2\t3", "Y Z\t\t4\t5\t9", "W\t7\t9", ""])
    obs = extract_table(SPEC, report, Section(1, 5, {"division": ASC}))
    assert [(o.service, o.value) for o in obs if o.source_line == 2] == [("X", 1), ("X", 2), ("X", 3)]
    shifted = [o for o in obs if o.source_line == 3]  # one cell too many: 4 | 5 | 9 would shift
    assert shifted and all(o.value is None and o.quality_flag == "misaligned_row" for o in shifted)
    short = [o for o in obs if o.source_line == 4]  # a cell lost: is 9 "b" or "total"? neither is said
    assert short and all(o.value is None and o.quality_flag == "misaligned_row" for o in short)


def test_an_unknown_row_label_names_file_and_line():
    spec = TableSpec(id="t", anchor=r"^Service\t", columns=SPEC.columns, row_dim="division",
                     row_map=bromley.DIVISION_LABELS)
    with pytest.raises(ReportFormatError, match=r"data/raw/fake\.txt:3: .*'Libraries'"):
        extract_table(spec, _fake(["Service\ta\tb\ttotal", "Housing\t1\t2\t3", "Libraries\t1\t1\t2", ""]),
                      Section(1, 4, {}))


def test_a_total_column_that_is_not_the_sum_of_its_row_is_flagged():
    report = _fake(["Service\ta\tb\ttotal", "X\t1\t2\t4", "OVERALL\t1\t2\t3", ""])
    obs = apply_quality_checks(extract_table(SPEC, report, Section(1, 4, {"division": ASC})))
    assert one(obs, source_line=2, measure="complaints").quality_flag == "total_mismatch"
    assert one(obs, source_line=3, measure="complaints").quality_flag == ""


def test_next_years_report_with_renumbered_chapters_needs_no_code_change(r23, o23):
    # A chapter added before ADULT SOCIAL CARE renumbers every heading ("04 |" → "05 |"…).
    lines = [bromley.re.sub(r"^(\d{2}) \|", lambda m: f"{int(m[1]) + 1:02d} |", line) for line in r23.lines]
    moved = bromley.extract(RawReport(F23, "bromley", "2024-25", lines))
    assert len(moved) == len(o23)
    assert one(moved, source_line=747, measure="aspects").division == EDU


def test_a_report_without_its_overview_chapter_is_refused(r23):
    lines = [line.replace("03 | COUNCIL OVERVIEW", "03 | SOMETHING ELSE") for line in r23.lines]
    with pytest.raises(ReportFormatError, match="COUNCIL OVERVIEW") as refused:
        bromley.extract(RawReport(F23, "bromley", "2023-24", lines))
    # no line to name, so the message says how much was searched (a final newline is not a line)
    assert str(refused.value).endswith(f"chapter heading found in any of its {len(r23.lines) - (r23.lines[-1] == '')} lines")


def test_a_file_of_three_lines_is_said_to_have_three():
    report = RawReport("data/raw/bromley_2025-26_junk.txt", "bromley", "2025-26",
                       "London Borough of Bromley\nComplaints Annual Report 2025-26\nBlank.\n".split("\n"))
    with pytest.raises(ReportFormatError, match="in any of its 3 lines$"):
        bromley.extract(report)


def test_a_chapter_whose_tables_are_not_recognised_costs_that_chapter_only(r23, o23):
    # F23:1008-1010 "11 | PUBLIC HEALTH" prints no table; give it one the template does not know
    lines = r23.lines[:1010] + ["", "Measure\tThis year", "Complaints\t3"] + r23.lines[1010:]
    report = RawReport(F23, "bromley", "2023-24", lines)
    read = bromley.extract(report)
    [skip] = report.skips  # reported (never silently lost), naming the chapter and its lines
    assert skip.table == "public_health chapter" and skip.first_line == 1008 and skip.last_line >= 1013
    assert "prints tables but none matches" in skip.describe(F23)
    assert len(read) == len(o23)  # the public health chapter gave no figure before either; the rest are read


def test_key_figures_printed_only_in_sentences_are_read_with_their_line(o19):
    """The 2019-20 committee cover report states the Council's total with E&PP included; the
    tables' 445 stays the headline (wider_scope_total), and the Ombudsman deadlines are in no table."""
    prose = {(o.period, o.stage, o.measure): (o.value, o.source_line, o.quality_flag) for o in o19 if o.table == "prose"}
    # :479 "- 3.5 Overall, the Council received 656 complaints during 2019/20, representing a 32% reduction on
    # last year (868). 44% of complaints were at least partially upheld, an improvement on the 49% previous year,
    # whilst 47% were responded to on time"
    assert prose[("2019-20", "all", "complaints")] == (656, 479, "wider_scope_total")
    assert prose[("2018-19", "all", "complaints")] == (868, 479, "wider_scope_total")
    assert prose[("2019-20", "all", "pct_upheld_or_partially")] == (44, 479, "wider_scope_total")
    assert prose[("2018-19", "all", "pct_upheld_or_partially")] == (49, 479, "wider_scope_total")
    assert prose[("2019-20", "all", "pct_on_time")] == (47, 479, "wider_scope_total")
    # :706 "CE&CS oversaw 298 individual Ombudsman response deadlines of which 91.5% were responded to"
    assert prose[("2019-20", "ombudsman", "cases_due")] == (298, 706, "")
    assert prose[("2019-20", "ombudsman", "pct_on_time")] == (91.5, 706, "")


def test_the_2023_24_report_prints_no_cover_report_sentences(o23):
    assert [o for o in o23 if o.table == "prose"] == []
