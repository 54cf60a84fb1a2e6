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
