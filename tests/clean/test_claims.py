"""Prose claims of the real reports, each sentence read by hand (file:line)."""
from __future__ import annotations

import pytest
from _reports import B1920, B2324, LEW, claims_on

WRONG = [
    # Bromley 2019-20 line 479: "656 complaints … a 32% reduction on last year (868)": 656/868 − 1 = −24.4%
    (B1920, 479, "change_on_last_year", -32.0, -24.4),
    # Bromley 2023-24 line 734: Education "35% were fully or partially upheld"; line 751: (107 + 21) / 231 = 55.4%
    (B2324, 734, "upheld_share", 35.0, 55.4),
    # Bromley 2023-24 line 292: ASC quality of service "66% were at least partially upheld"; line 303: (29 + 2) / 55 = 56.4%
    (B2324, 292, "upheld_share", 66.0, 56.4),
    # Bromley 2023-24 line 587: Housing "Of the 14 decisions …, 10 were upheld"; line 517 prints 6 for 2023/24 (10 is 2022/23's)
    (B2324, 587, "decisions_upheld", 10.0, 6.0),
    # Lewisham 2020-21 line 124: "from 7,969 in 19/20"; Table 4 chart data line 2238 prints 8042 for 2019/20
    (LEW, 124, "from_to", 7969.0, 8042.0),
]


@pytest.mark.parametrize("source_file, line, quantity, claimed, computed", WRONG)
def test_wrong_claims(source_file, line, quantity, claimed, computed):
    hits = [c for c in claims_on(source_file, line) if c["quantity"] == quantity and c["claimed_value"] == claimed]
    assert [(c["verdict"], c["computed_value"]) for c in hits] == [("wrong", computed)]


CONFIRMED = [
    (B1920, 479, "upheld_share", 44.0),  # "44% of complaints were at least partially upheld"
    (B1920, 623, "complaints_count", 656.0),  # "received 656 complaints" = 445 (line 620) + 211 E&PP (line 621)
    (B1920, 771, "complaints_count", 117.0),  # ASC "subject of 117 complaints"
    (B1920, 1196, "upheld_share", 55.0),  # Education "55% … fully or partially upheld"
    (B2324, 523, "upheld_share", 40.0),  # Housing "40% were fully or partially upheld"; line 540: 48/122 = 39.3%
    (B2324, 523, "aspects_on_time", 61.0),  # Housing "61% of individual complaint aspects"; 75/122
    (B2324, 631, "complaints_count", 32.0),  # P&R "subject of 32 corporate complaints"; line 82
    (B2324, 734, "complaints_count", 135.0),  # Education "subject of 135 corporate complaints"
    (B2324, 687, "decisions_upheld", 1.0),  # P&R "Of the 10 decisions made during the year, 1 was upheld"
    (B2324, 838, "upheld_share", 49.0),  # CED "49% … fully or partially upheld"
    (LEW, 124, "from_to", 7868.0),  # "to 7,868 in 20/21"; line 2238
    (LEW, 61, "complaints_count", 79.0),  # "The Council received 79 complaints about adult social care"
]


@pytest.mark.parametrize("source_file, line, quantity, claimed", CONFIRMED)
def test_confirmed_claims(source_file, line, quantity, claimed):
    hits = [c for c in claims_on(source_file, line) if c["quantity"] == quantity and c["claimed_value"] == claimed]
    assert [c["verdict"] for c in hits] == ["confirmed"]


def test_combined_figure_is_not_checkable():
    # Bromley 2023-24 line 477: "52 new referrals across Children's Social Care and Education combined"
    assert all(c["verdict"] == "not_checkable" for c in claims_on(B2324, 477) if c["claimed_value"] == 52.0)


NEW_CONFIRMED = [
    # Barking & Dagenham line 69: "78% (63 of 81) of complaints were answered within 20 working days"; 63/81 = 77.8%
    ("data/raw/barking-and-dagenham_2018-19_social-care-and-education-complaints-report.txt", 69, "pct_n_of_m", 78.0),
    # Barking & Dagenham line 210: "89% (59 out of 66)"; 59/66 = 89.4%
    ("data/raw/barking-and-dagenham_2018-19_social-care-and-education-complaints-report.txt", 210, "pct_n_of_m", 89.0),
    # Harrow line 830: "The Complaints Service dealt with 99 representations"; the adults' table prints 99
    ("data/raw/harrow_2019-20_scrutiny-agenda-with-social-care-complaints-reports.txt", 830, "representations_count", 99.0),
]


@pytest.mark.parametrize("source_file, line, quantity, claimed", NEW_CONFIRMED)
def test_confirmed_claims_barking_and_harrow(source_file, line, quantity, claimed):
    test_confirmed_claims(source_file, line, quantity, claimed)


def test_a_year_is_not_a_claim():
    # Harrow line 675: "… Children Act 1989 defines the representations …"
    assert claims_on("data/raw/harrow_2019-20_scrutiny-agenda-with-social-care-complaints-reports.txt", 675) == []


# Claims the vocabulary learnt for the report checker (stage-aware, number words, differences).
HAR_ = "data/raw/harrow_2019-20_scrutiny-agenda-with-social-care-complaints-reports.txt"
BD_ = "data/raw/barking-and-dagenham_2018-19_social-care-and-education-complaints-report.txt"


def test_wrong_claim_about_last_years_stage_2_complaints():
    # Harrow line 971: "There were four Stage 2 complaints in 2019-20, compared to four for last year";
    # the transactions table (line 862) and the Stage 2 tables (lines 966, 979) print 5 for 2018/19.
    hits = {c["period"]: (c["claimed_value"], c["verdict"], c["computed_value"]) for c in claims_on(HAR_, 971)
            if c["quantity"] == "stage_count_vs_last_year"}
    assert hits == {"2019-20": (4.0, "confirmed", 4.0), "2018-19": (4.0, "wrong", 5.0)}


CHECKER_CONFIRMED = [
    # Harrow line 958: "Approximately 30% of Stage 1 complaints had some element upheld"; line 952: (5 + 2) / 23 = 30.4%
    (HAR_, 958, "some_element_upheld", 30.0),
    # Harrow line 852: "Stage 1 complaints, down by seven compared to 2018/19"; 23 (line 861) − 30 (line 862)
    (HAR_, 852, "stage_count_down_by", -7.0),
    # Harrow line 867: "'transactions' in 2019/20 (130), compared to 2018/19 (120)"; lines 848/861 and 862
    (HAR_, 867, "transactions_vs_last_year", 130.0),
    (HAR_, 867, "transactions_vs_last_year", 120.0),
    # Barking & Dagenham line 229: "a reported increase of 20 Cases"; adults' Stage 1 total 54 − 34 (line 219)
    (BD_, 229, "increase_in_cases", 20.0),
    # Barking & Dagenham line 312: "an increase of 12 compliments"; adults' compliments 18 − 6 (line 307)
    (BD_, 312, "increase_in_compliments", 12.0),
    # Barking & Dagenham line 141: "undertook 3 Stage 2 investigations"; line 124 Total 3
    (BD_, 141, "stage_2_investigations", 3.0),
    # Barking & Dagenham line 173: "The Local Government Ombudsman only undertook 2 formal investigations"; line 167 Total 2
    (BD_, 173, "ombudsman_formal_investigations", 2.0),
    # Lewisham line 122 (5.2): "Of the 2,307 new Stage 1 complaints received in 2020/21"; Table 2 Total (line 152)
    (LEW, 122, "new_stage_1_complaints", 2307.0),
    # Lewisham line 128 (5.5): "There were 5,561 new enquiries received in 2020/21"; Table 3 Total (line 180)
    (LEW, 128, "new_enquiries", 5561.0),
]


@pytest.mark.parametrize("source_file, line, quantity, claimed", CHECKER_CONFIRMED)
def test_confirmed_claims_of_the_checker(source_file, line, quantity, claimed):
    test_confirmed_claims(source_file, line, quantity, claimed)


def test_wrong_claim_flags_the_table_figures_it_contradicts():
    from _reports import report

    # Bromley 2023-24 line 734 "35% were fully or partially upheld": checked against line 751
    # (Education OVERALL: 107 fully + 21 partially of 231 aspects), all three flagged
    assert sorted(o.measure for o in report(B2324)[0] if o.source_line == 751 and o.table == "service_aspects"
                  and "prose_disagrees" in o.quality_flag) == ["aspects", "partially_upheld", "upheld"]
    # Lewisham line 124 "from 7,969 in 19/20": Table 4's 2019/20 figure (line 2238, 8042) is flagged, 2020/21's is not
    assert {o.period: o.value for o in report(LEW)[0] if o.source_line == 2238 and "prose_disagrees" in o.quality_flag} == {"2019-20": 8042.0}
    # Harrow line 971 "compared to four for last year": the 2018/19 Stage 2 cell it was checked against (line 862, 5)
    assert [o.value for o in report(HAR_)[0] if o.source_line == 862 and "prose_disagrees" in o.quality_flag] == [5.0]
    # a confirmed claim flags nothing: Bromley 2023-24 line 523 Housing "40% … upheld" against line 540
    assert not [o for o in report(B2324)[0] if o.source_line == 540 and "prose_disagrees" in o.quality_flag]


def test_wrong_escalation_share_in_a_paragraph_run_into_table_debris():
    # Harrow line 473 (a paragraph the PDF conversion ran into table cells, tab-separated):
    # "Some 21% of Stage 1 complaints went on to be considered at Stage 2"; Table 9 (line 467) prints
    # 31 Stage 1 and 7 Stage 2 complaints: 22.6%
    hits = [c for c in claims_on(HAR_, 473) if c["quantity"] == "escalation_share"]
    assert [(c["claimed_value"], c["verdict"], c["computed_value"]) for c in hits] == [(21.0, "wrong", 22.6)]


def test_lewisham_upheld_shares_by_stage():
    # Lewisham lines 649-652, against Table 8 (Lewisham Council):
    # "39% of all complaint cases … upheld or partly upheld": (266 + 480) / 1,884 = 39.6% (lines 581-583)
    # "Stage 1 – 40%": (251 + 471) / 1,799 = 40.1%; "Stage 2 – 26%": (9 + 8) / 64 = 26.6%
    # "Stage 3 – 57%": (6 + 1) / 21 = 33.3% — wrong (57% is Lewisham Homes' 8 of 14; the report's
    # own 8.3 says its Stage 3 rate was mis-recorded)
    verdicts = {line: [(c["verdict"], c["computed_value"]) for c in claims_on(LEW, line) if c["quantity"].endswith("upheld_share")]
                for line in (649, 650, 651, 652)}
    assert verdicts == {649: [("confirmed", 39.6)], 650: [("confirmed", 40.1)], 651: [("confirmed", 26.6)],
                        652: [("wrong", 33.3)]}
