"""The council overview (src/analysis/studies/overview.py) on real reports, values read by hand in the raw files.

Observations are extracted here from the raw reports (not read from data/clean, which other
commands rewrite), so the expected values depend only on the reports and the extractors.
"""
from __future__ import annotations

import pandas as pd
import pytest

from analysis.clean.manifest import read_manifest
from analysis.clean.report_step import extract_entry
from analysis.observations import to_frame
from analysis.paths import Paths
from analysis.studies import overview

from conftest import SEED_ROOT

LEWISHAM = "data/raw/lewisham_2020-21_annual-complaints-and-casework-report.txt"
HARROW = "data/raw/harrow_2019-20_scrutiny-agenda-with-social-care-complaints-reports.txt"


def extracted(*councils: str) -> pd.DataFrame:
    """These councils' observations, extracted from the raw reports, text columns '' for empty."""
    paths = Paths(SEED_ROOT)
    entries = [e for e in read_manifest(paths) if e.council in councils]
    frame = pd.concat([to_frame(extract_entry(paths, e)) for e in entries], ignore_index=True)
    for column in frame.columns:
        if frame[column].dtype == object:
            frame[column] = frame[column].fillna("").astype(str)
    return frame


@pytest.fixture(scope="module")
def observations() -> pd.DataFrame:
    return extracted("lewisham", "harrow")


@pytest.fixture(scope="module")
def lewisham(observations):
    return {r.topic.key: r for r in overview.council_overview(observations, "lewisham", "2020-21")}


@pytest.fixture(scope="module")
def harrow(observations):
    return {r.topic.key: r for r in overview.council_overview(observations, "harrow", "2019-20")}


def test_lewisham_complaints_headline_is_the_total_with_its_source(lewisham):
    head = lewisham["complaints"].head
    # lewisham_2020-21...txt:149-152: "Total" 2635 (2019/20), 2307 (2020/21), stage 1 complaints table
    assert head["value"] == 2307 and head["previous_value"] == 2635
    assert head["source"] == f"{LEWISHAM}:152" and head["previous_source"] == f"{LEWISHAM}:151"
    assert head["division"] == "all" and head["stage"] == "stage_1"
    # computed: (2307 - 2635) / 2635 = -12.4%; the report prints "13%" (line 153) — we state our own figure
    assert head["change_pct"] == pytest.approx(-12.448, abs=0.001)
    assert lewisham["complaints"].finding == "Complaints, Whole council, stage 1: 2,307 in 2020-21, down 12% on 2019-20 (2,635)"


def test_lewisham_timeliness_in_points(lewisham):
    head = lewisham["timeliness"].head
    # lewisham_2020-21...txt:381 "84%" (2019/20 stage 1 on time), :390 "81%" (2020/21)
    assert (head["previous_value"], head["value"]) == (84, 81)
    assert head["change_points"] == -3
    assert "down 3 percentage points on 2019-20" in lewisham["timeliness"].finding


def test_lewisham_ombudsman_referrals(lewisham):
    head = lewisham["ombudsman"].head
    # lewisham_2020-21...txt:744-745 "Referrals Received 122 cases / 102 cases"
    assert head["measure"] == "ombudsman_referrals"
    assert (head["previous_value"], head["value"]) == (122, 102)


def test_headline_table_lists_every_series_with_file_and_line(lewisham):
    table = lewisham["complaints"].table
    row = table[table["figure"] == "Housing – Lewisham Homes, stage 1"].iloc[0]
    # lewisham_2020-21...txt:146-147 "Lewisham Homes 399 / 381"
    assert (row["2020-21"], row["2019-20"]) == ("381", "399")
    assert row["source"] == f"{LEWISHAM}:147"
    assert all(table["source"].str.match(r"data/raw/.+\.txt:\d+$") | (table["source"] == ""))


def test_harrow_topics_it_does_not_report_are_said_so_not_zero(harrow):
    assert not harrow["compensation"].head["reported"]
    assert harrow["compensation"].finding == "Compensation and other financial remedies: not reported by Harrow's reports up to 2019-20"
    assert harrow["compensation"].table.empty
    summary = overview.findings_summary(list(harrow.values()), "harrow", "2019-20")
    assert set(summary["not_reported"]) == {"compensation", "compliments"}
    assert "Not reported by this council: compensation and other financial remedies, compliments." in overview.introduction(summary)


def test_harrow_stage_one_with_its_year_before(harrow):
    head = harrow["complaints"].head
    # harrow_2019-20...txt:831 "The Council received 23 Stage 1 complaints"; :862 "2018/19 ... 30 (33%)"
    assert (head["value"], head["previous_value"]) == (23, 30)
    assert head["division"] == "adult_social_care" and head["stage"] == "stage_1"


def test_an_earlier_report_period_never_uses_a_later_report(observations):
    # Harrow's only report is 2019-20's; it reprints 2017/18 and 2018/19 (harrow_2019-20...txt:862-863), but an
    # overview "as of" 2018-19 must not use a report published after that year.
    results = overview.council_overview(observations, "harrow", "2018-19")
    assert not any(r.head["reported"] for r in results)
    figures = overview.council_figures(observations, "harrow", "2019-20")
    assert figures["period"].max() == "2019-20" and figures["period"].min() <= "2017-18"


def test_a_council_with_no_data_gives_not_reported_everywhere(observations):
    results = overview.council_overview(observations, "nowhere", "2023-24")
    assert [r.head["reported"] for r in results] == [False] * len(overview.TOPICS)
    assert "print none of the overview's figures" in overview.introduction(overview.findings_summary(results, "nowhere", "2023-24"))


def test_chart_title_is_the_finding_and_years_are_in_order(lewisham):
    result = lewisham["complaints"]
    fig = overview.draw(result.series, result.topic, result.finding, "2020-21")
    ax = fig.axes[0]
    assert ax.get_title().replace("\n", " ") == result.finding
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert labels == sorted(labels) and labels[-1] == "2020-21"
    assert ax.get_ylabel() == "complaints (number)"


def test_labels_from_reports_are_html_escaped():
    table = pd.DataFrame({"figure": ["<script>x</script> & co"], "source": ["f.txt:1"]})
    html = overview.styled(table).to_html()
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_previous_period_and_formatting():
    assert overview.previous_period("2020-21") == "2019-20"
    assert overview.previous_period("2000-01") == "1999-00"
    assert overview.format_value(float("nan"), "count") == "not reported"
    assert overview.format_value(3700.0, "gbp") == "£3,700"
    assert overview.format_value(42.5, "pct") == "42.5%"


BROMLEY = "data/raw/bromley_2023-24_complaints-and-compliments-annual-report.txt"


@pytest.fixture(scope="module")
def bromley() -> dict:
    return {r.topic.key: r for r in overview.council_overview(extracted("bromley"), "bromley", "2023-24")}


def test_bromley_total_compares_like_with_like(bromley):
    # bromley_2023-24...txt:94 "Total 445 335 387 465 533" (five-year table, without E&PP); line 82 prints a
    # "Total ... 738" that includes E&PP (205). The series takes 533 so that 2023-24 compares with 465.
    head = bromley["complaints"].head
    assert (head["value"], head["previous_value"]) == (533, 465)
    assert head["source"] == f"{BROMLEY}:94"
    assert "738" in head["also_printed"]
    series = bromley["complaints"].series
    whole = series[series["series"] == "Whole council, all stages"].set_index("period")["value"]
    assert whole.loc[["2019-20", "2020-21", "2021-22", "2022-23", "2023-24"]].tolist() == [445, 335, 387, 465, 533]


def test_bromley_ombudsman_referrals(bromley):
    # bromley_2023-24...txt:168 "Referrals 149 103 122 123 154 +25%"
    head = bromley["ombudsman"].head
    assert (head["measure"], head["value"], head["previous_value"]) == ("ombudsman_referrals", 154, 123)
    assert round(head["change_pct"]) == 25


def test_styled_table_cites_reports_in_words_with_links(lewisham):
    table = lewisham["complaints"].table
    html = overview.styled(table, limit=len(table)).to_html()
    # lewisham_2020-21…txt:147 (Lewisham Homes stage 1, 381) shown as a short linked citation, no file path
    assert "Lewisham 2020-21 report, line 147" in html and "#L147" in html
    assert "data/raw/" not in html and "lewisham_2020-21:147" not in html


def test_key_findings_are_the_computed_headlines(observations):
    results = overview.council_overview(observations, "harrow", "2019-20")
    summary = overview.findings_summary(results, "harrow", "2019-20")
    lines = summary["key_findings"]
    assert 3 <= len(lines) <= 5
    reported = [r.finding for r in results if r.head.get("reported")]
    assert lines[0] == reported[0]  # the complaints headline comes first, as computed
    missing = [overview.TOPIC_BY_KEY[k].title.lower() for k in summary["not_reported"]]
    assert not missing or any(m in lines[-1] for m in missing)  # what the reports leave out is said, not zeroed
