"""Barking & Dagenham's 2018-19 social care and education complaints report, read by hand.

Every expected value below was read in
data/raw/barking-and-dagenham_2018-19_social-care-and-education-complaints-report.txt
(``bd...txt`` in the comments) at the line given.
"""
from __future__ import annotations

from collections import Counter

import pytest

from analysis.clean.extract.barking_and_dagenham import SKIPPED_TABLES, TABLES, extract
from analysis.clean.extract.engine import RawReport, ReportFormatError
from analysis.clean.quality import apply_quality_checks

from conftest import SEED_ROOT as ROOT  # the seed project, never the checkout's data

SOURCE = "data/raw/barking-and-dagenham_2018-19_social-care-and-education-complaints-report.txt"
CHILD, ADULT, EDU = "childrens_social_care", "adult_social_care", "education"


@pytest.fixture(scope="module")
def report() -> RawReport:
    return RawReport.load(ROOT, SOURCE, "barking_and_dagenham", "2018-19")


@pytest.fixture(scope="module")
def observations(report):
    return apply_quality_checks(extract(report))


def check(observations, line, value, **dims):
    """The one observation on ``line`` with ``dims``; its value, council, report and file."""
    hits = [o for o in observations if o.source_line == line and all(getattr(o, k) == v for k, v in dims.items())]
    assert len(hits) == 1, f"{len(hits)} observations on line {line} match {dims}: {hits}"
    obs = hits[0]
    assert obs.value == value
    assert (obs.council, obs.report_period, obs.source_file) == ("barking_and_dagenham", "2018-19", SOURCE)
    return obs


def test_gold_rows(observations):
    # bd...txt:94 "Poor Communication	46	57%" (sample_gold.csv)
    check(observations, 94, 46, period="2018-19", division=CHILD, service="", category="Poor Communication",
          stage="stage_1", measure="complaints", unit="count", quarter="", table="nature_of_stage_1_complaints")
    # bd...txt:216 "Head of Integrated Care	28	14" — the 2017/18 column (sample_gold.csv)
    check(observations, 216, 14, period="2017-18", division=ADULT, service="Head of Integrated Care",
          category="", stage="stage_1", measure="complaints", unit="count")


def test_two_year_service_table(observations):
    # bd...txt:56 header "Children's Services	2018/19	2017/18"; :60 Looked After Children 22 / 32
    service = "Head of Looked After Children, Adoption and Preventative Services"
    check(observations, 60, 22, period="2018-19", division=CHILD, service=service, stage="stage_1", measure="complaints")
    check(observations, 60, 32, period="2017-18", division=CHILD, service=service, stage="stage_1", measure="complaints")
    # bd...txt:63 "Total	81	103"
    total = check(observations, 63, 103, period="2017-18", division=CHILD, service="", measure="complaints")
    assert total.role == "total" and total.quality_flag == ""


def test_missing_is_not_zero(observations):
    # bd...txt:62 "Community Solutions (MASH & NRPF)	7	N/A": 2018/19 only, no 2017/18 row
    rows = [o for o in observations if o.source_line == 62]
    assert [(o.period, o.value) for o in rows] == [("2018-19", 7)]


def test_nature_of_complaint_with_share(observations):
    # bd...txt:250 "Poor Communication	14	26%" under a header offset by one cell (:240)
    check(observations, 250, 14, division=ADULT, category="Poor Communication", measure="complaints", unit="count")
    check(observations, 250, 26, division=ADULT, category="Poor Communication", measure="pct_of_total", unit="percent")
    # bd...txt:354 Education "Failure to do something	5	28%"
    check(observations, 354, 5, division=EDU, category="Failure to do something", stage="stage_1", measure="complaints")


def test_outcomes(observations):
    # bd...txt:97 "Upheld	60	74%"; :100 "Resolved Upon Receipt	0	0%" (a printed zero is kept)
    check(observations, 97, 60, division=CHILD, stage="stage_1", measure="upheld", service="", category="")
    check(observations, 97, 74, division=CHILD, stage="stage_1", measure="pct_upheld", unit="percent")
    check(observations, 100, 0, division=CHILD, measure="resolved_early")
    # bd...txt:254 Adults "Not Upheld	29	54%"; :361 Education "Partly Upheld	3" (no % column)
    check(observations, 254, 54, division=ADULT, measure="pct_not_upheld")
    check(observations, 361, 3, division=EDU, measure="partially_upheld")
    assert not [o for o in observations if o.source_line == 361 and o.unit == "percent"]


def test_stage_2_and_3(observations):
    # bd...txt:122 Stage 2 commenced, Looked After Children 2 (2018/19); :124 Total 3 / 1
    check(observations, 122, 2, period="2018-19", division=CHILD, stage="stage_2", measure="complaints")
    check(observations, 124, 1, period="2017-18", division=CHILD, service="", stage="stage_2", measure="complaints")
    # bd...txt:130 Stage 3 reviews, Head of Disability 0 / 1
    check(observations, 130, 1, period="2017-18", division=CHILD, service="Head of Disability", stage="stage_3")


def test_ombudsman(observations):
    # bd...txt:268 Adults "Head of Disability	3	3"; :272 Total 5 / 4
    check(observations, 268, 3, period="2018-19", division=ADULT, stage="ombudsman", measure="ombudsman_investigations")
    check(observations, 272, 5, period="2018-19", division=ADULT, service="", stage="ombudsman",
          measure="ombudsman_investigations")
    # Education has no Ombudsman table
    assert not [o for o in observations if o.division == EDU and o.stage == "ombudsman"]


def test_compliments(observations):
    # bd...txt:183 Children's compliments, Looked After Children 1 / 11
    check(observations, 183, 11, period="2017-18", division=CHILD, measure="compliments", stage="all")
    # bd...txt:307 Adults Total 18 / 6
    check(observations, 307, 6, period="2017-18", division=ADULT, service="", measure="compliments")


def test_members_casework(observations):
    # bd...txt:323 Adults "Head of Disability	71	42"
    check(observations, 323, 71, period="2018-19", division=ADULT, service="Head of Disability",
          stage="enquiry", measure="enquiries", table="members_casework")


def test_total_that_does_not_equal_its_parts(observations):
    # bd...txt:386-390 Education Members Casework 2018/19: 10 + 2 + 1 + 55 = 68, printed Total 71
    parts = [check(observations, line, value, period="2018-19", division=EDU, measure="enquiries")
             for line, value in ((386, 10), (387, 2), (388, 1), (389, 55))]
    assert sum(p.value for p in parts) == 68
    total = check(observations, 390, 71, period="2018-19", division=EDU, service="", measure="enquiries")
    assert "total_mismatch" in total.quality_flag.split(";")
    # the 2017/18 column adds up: 6 + 4 + 16 + 60 = 86
    assert check(observations, 390, 86, period="2017-18", division=EDU, service="").quality_flag == ""


def test_summary_counts(observations):
    # bd...txt:9 "81 Stage 1 Complaints Closed"; :14 "58 Members & MP's Casework"
    check(observations, 9, 81, table="prose", division=CHILD, service="", stage="stage_1", measure="complaints")
    check(observations, 14, 58, table="prose", division=CHILD, stage="enquiry", measure="enquiries")
    # bd...txt:19 Adults "5 Ombudsman Investigations Undertaken"; :25 "18 Stage 1 Corporate Complaints"
    check(observations, 19, 5, table="prose", division=ADULT, stage="ombudsman", measure="ombudsman_investigations")
    check(observations, 25, 18, table="prose", division=EDU, stage="stage_1", measure="complaints")
    # bd...txt:11 "0 Stage 3 Reviews Undertaken": a printed zero
    check(observations, 11, 0, table="prose", division=CHILD, stage="stage_3", measure="complaints")
    assert len([o for o in observations if o.source_line <= 28]) == 13


def test_timeliness_prose(observations):
    # bd...txt:69 "In 2018/19 78% (63 of 81) of complaints were answered within 20 working days ...
    # 2017/18 figure of 86%"
    check(observations, 69, 78, table="prose", period="2018-19", division=CHILD, measure="pct_on_time", stage="stage_1")
    check(observations, 69, 63, table="prose", period="2018-19", division=CHILD, measure="answered_on_time")
    check(observations, 69, 86, table="prose", period="2017-18", division=CHILD, measure="pct_on_time")
    # bd...txt:334 Adults casework: "85% (111 of 130)" in 2018/19, "90% (114 out of 127)" in 2017/18
    check(observations, 334, 111, period="2018-19", division=ADULT, stage="enquiry", measure="answered_on_time")
    check(observations, 334, 90, period="2017-18", division=ADULT, stage="enquiry", measure="pct_on_time")


def test_every_table_in_every_chapter(observations):
    tables = Counter((o.division, o.table) for o in observations)
    for division in (CHILD, ADULT, EDU):
        for table in ("stage_1_complaints_received", "nature_of_stage_1_complaints", "stage_1_outcomes",
                      "compliments_received", "members_casework", "prose"):
            assert tables[(division, table)], (division, table)
    assert tables[(CHILD, "stage_3_reviews_undertaken")] == 12  # bd...txt:130-135, 6 rows × 2 years
    assert {spec.id for spec in TABLES} <= {t for _, t in tables}


def test_skip_record_points_at_real_lines(report):
    for _, line, reason in SKIPPED_TABLES:
        assert report.line(line).strip() and reason


def test_changed_layout_is_reported_with_line(report):
    broken = RawReport(report.source_file, report.council, report.report_period,
                       [line.replace("Adults Services\t", "Adult Services\t") for line in report.lines])
    with pytest.raises(ReportFormatError, match="barking-and-dagenham"):
        extract(broken)
