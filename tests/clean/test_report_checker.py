"""The report checker on the five real reports: every kind of failed relation, each case read by
hand in the raw file (file:line, both sides' values), and planted copies for the kinds the five
reports hold no real case of (duplicate rows)."""
from __future__ import annotations

import shutil

import pytest
from _reports import B1920, B2324, BD, HAR, LEW, flagged, report

from analysis.clean.extract import extractor
from analysis.clean.extract.engine import RawReport
from analysis.clean.quality import apply_quality_checks, within_report_conflicts
from analysis.clean.relations import relations_of

from conftest import SEED_ROOT


def _conflicts(source_file: str, template: str, line: int, kind: str) -> list[tuple[float, float | None, str]]:
    return [(c["chosen_value"], c["other_value"], c["other_source"].split(":")[-1])
            for c in within_report_conflicts(report(source_file)[0], relations_of(template))
            if c["kind"] == kind and c["chosen_source"] == f"{source_file}:{line}"]


# --- % change columns against the years they compare -------------------------------------------
PCT_CHANGES = [
    # Bromley 2019-20 line 1290: "Ombudsman cases upheld	4	4	3	-33%": 4 → 3 is −25%
    (B1920, 1290, "pct_change_ombudsman_upheld", -33.0, -25.0),
    # Bromley 2019-20 line 1402: "Public Protection	45	21	-51%": 45 → 21 is −53.3%
    (B1920, 1402, "pct_change", -51.0, -53.3),
    # Bromley 2023-24 line 965: "Public Protection	10	9	12	15	33%": 12 → 15 is +25%
    (B2324, 965, "pct_change", 33.0, 25.0),
    # Bromley 2023-24 line 966: "Traffic, Road Safety & Parking	26	16	7	60	857%": 7 → 60 is +757.1%
    (B2324, 966, "pct_change", 857.0, 757.1),
]


@pytest.mark.parametrize("source_file, line, measure, printed, derived", PCT_CHANGES)
def test_pct_change_disagrees_with_its_years(source_file, line, measure, printed, derived):
    assert flagged(source_file, line, measure, "pct_change_disagrees") == [printed]
    assert [c[:2] for c in _conflicts(source_file, "bromley", line, "pct_change_vs_years")] == [(printed, derived)]


def test_pct_change_that_holds():
    # Bromley 2019-20 line 1401: Neighbourhood Management 164 → 134 printed −18% (−18.3%)
    assert not any("pct_change_disagrees" in o.quality_flag for o in report(B1920)[0] if o.source_line == 1401)


# --- variance columns (Lewisham Table 6: cases due, a cell per line) -----------------------------
def test_variance_disagrees_with_its_years():
    # Lewisham Homes Stage 2 cases due: 65 (line 355, 2019/20) and 90 (line 364, 2020/21), a
    # difference of 25; line 373 prints a variance of 35.
    assert flagged(LEW, 373, "cases_due_variance", "variance_disagrees") == [35.0]
    assert _conflicts(LEW, "lewisham", 373, "variance_vs_years") == [(35.0, 25.0, "355,364")]
    # Total Stage 2 cases due: 122 (line 382) and 140 (line 391), a difference of 18; line 400 prints 22.
    assert _conflicts(LEW, "lewisham", 400, "variance_vs_years") == [(22.0, 18.0, "382,391")]


def test_variances_that_hold():
    # Lewisham Table 6: Stage 1 total 2413 → 1893, variance 520 (line 398); % on time 84% → 81%, 3% (line 399)
    assert flagged(LEW, 398, "cases_due_variance", "variance_disagrees") == []
    assert flagged(LEW, 399, "pct_on_time_variance", "variance_disagrees") == []


# --- % cells against counts in Lewisham's cell-per-line tables -------------------------------------
def test_lewisham_cell_table_pct_disagrees_with_counts():
    # CYP Table 6, "Resolved at first point of contact": 1 of 149 (lines 1785, 1797) is 0.7%; line 1786 prints 2%
    assert flagged(LEW, 1786, "pct_resolved_early", "pct_disagrees_with_counts") == [2.0]
    assert _conflicts(LEW, "lewisham", 1786, "pct_vs_counts") == [(2.0, 0.7, "1785,1797")]
    # The Total row's "%" cell (line 1798) prints 1%: the total is 100% of itself (149 of 149)
    assert flagged(LEW, 1798, "pct_of_total", "rate_disagrees_with_counts") == [1.0]


def test_lewisham_cell_table_pcts_that_hold():
    # Table 8 (Council): Upheld 480 of 1,884 = 25.5%, printed 25% (line 590); Not upheld 836 = 44.4%, 44% (line 588)
    assert flagged(LEW, 590, "pct_upheld", "pct_disagrees_with_counts") == []
    assert flagged(LEW, 588, "pct_not_upheld", "pct_disagrees_with_counts") == []
    # CYP Table 6: Stage 1 column 51 of 149 = 34.2%, printed 34% (line 1801)
    assert flagged(LEW, 1801, "pct_of_total", "rate_disagrees_with_counts") == []
    # Table 10: LGSCO upheld 11 of 14 investigations = 78.6%, printed 79% (line 765)
    assert flagged(LEW, 765, "pct_ombudsman_upheld", "rate_disagrees_with_counts") == []


# --- an overall rate against the weighted mean of its rows ------------------------------------------
OVERALLS = [
    # Bromley 2019-20 "Responding on time" Total 2017/18 58% (line 689); division rates 49, 56, 52,
    # 62, 78% (lines 682-687) weighted by 183, 119, 112, 31, 58 complaints (lines 614-618) = 55.5%
    (B1920, "bromley", 689, "2017-18", 58.0, 55.5),
    # Bromley 2023-24 OVERALL 2020/21 59% (line 156): 37, 58, 72, 48, 48, 52% weighted by 57, 77,
    # 78, 25, 23, 75 complaints (lines 87-92) = 54.9%
    (B2324, "bromley", 156, "2020-21", 59.0, 54.9),
    # … and 2022/23 62%: 36, 67, 53, 57, 55, 49% by 73, 75, 92, 30, 97, 98 = 52.4% (65.2% with E&PP's 100% of 171)
    (B2324, "bromley", 156, "2022-23", 62.0, 52.4),
    # Harrow children's Table 9 Total 21% (line 467): 16, 27, 0% weighted by 6, 22, 3 Stage 1 complaints (line 466) = 22.3%
    (HAR, "harrow", 467, "2019-20", 21.0, 22.3),
]


@pytest.mark.parametrize("source_file, template, line, period, printed, weighted", OVERALLS)
def test_overall_rate_is_not_the_weighted_mean_of_its_rows(source_file, template, line, period, printed, weighted):
    hits = [o for o in report(source_file)[0] if o.source_line == line and o.period == period
            and "overall_not_weighted_mean" in o.quality_flag.split(";")]
    assert [o.value for o in hits] == [printed]
    found = [c for c in within_report_conflicts(report(source_file)[0], relations_of(template))
             if c["kind"] == "overall_vs_weighted_mean" and c["chosen_source"] == f"{source_file}:{line}" and c["period"] == period]
    assert [c["other_value"] for c in found] == [weighted]


def test_overall_rates_that_hold():
    # Bromley 2019-20 Total 2019/20 47% (line 689): 35, 43, 63, 45, 54% by 117, 105, 90, 38, 95 = 47.5%
    # Bromley 2023-24 OVERALL 2023/24 66% (line 156): 55.5% without E&PP, 65.4% with its 91% of 205: passes
    for source_file, line, period in ((B1920, 689, "2019-20"), (B2324, 156, "2023-24"), (B2324, 156, "2021-22")):
        assert not [o for o in report(source_file)[0] if o.source_line == line and o.period == period
                    and "overall_not_weighted_mean" in o.quality_flag]


# --- a rate against the counts of another table ------------------------------------------------------
def test_escalation_rate_disagrees_with_the_escalation_table():
    # Harrow children's Table 10 Total (line 472): 2018/19 31%, 2019/20 21%; Table 15 (line 505)
    # prints Stage 1 / Stage 2 of 51 / 18 (35.3%) and 31 / 7 (22.6%); 2017/18 12% = 7 / 56 (12.5%) holds.
    hits = {o.period: o.value for o in report(HAR)[0] if o.source_line == 472 and "rate_disagrees_with_counts" in o.quality_flag}
    assert hits == {"2018-19": 31.0, "2019-20": 21.0}
    found = {c["period"]: c["other_value"] for c in within_report_conflicts(report(HAR)[0], relations_of("harrow"))
             if c["chosen_source"] == f"{HAR}:472" and c["kind"] == "pct_vs_counts"}
    assert found == {"2018-19": 35.3, "2019-20": 22.6}


def test_adults_escalation_rates_hold():
    # Harrow adults lines 965-967: 17% = 4 / 23, 17% = 5 / 30, 14% = 4 / 28
    assert not [o for o in report(HAR)[0] if 965 <= o.source_line <= 967 and "rate_disagrees_with_counts" in o.quality_flag]


# --- a stale column (years printed as rows) ---------------------------------------------------------
def test_stale_row_repeats_last_years_percentages():
    # Harrow adults line 862: "2018/19	79 (60%)	30 (33%)	5 (5%)	6 (2%)	120" repeats line 863's
    # "2017/18	52 (60%)	28 (33%)	4 (5%)	2 (2%)	86" percentages; 79/120 is 65.8%, not 60%.
    stale = sorted(o.value for o in report(HAR)[0] if o.source_line == 862 and "stale_column" in o.quality_flag)
    assert stale == [2.0, 5.0, 33.0, 60.0]
    found = [c for c in within_report_conflicts(report(HAR)[0], relations_of("harrow")) if c["kind"] == "stale_column"]
    assert {c["other_source"].split(":")[-1] for c in found} == {"863"}
    # the 2017/18 row itself (the original) and the 2019/20 row (99 (76%) …) are not flagged
    assert not [o for o in report(HAR)[0] if o.source_line in (861, 863) and "stale_column" in o.quality_flag]


# --- the same figure in two tables under different labels -------------------------------------------
def test_same_figure_map_fails_on_harrow_outcomes_against_stage_1_complaints():
    # Harrow children's Table 7/8 Total (line 453) "33* 58 55" Stage 1 outcomes; Table 15 (line 505)
    # "31 51 56" Stage 1 complaints (2019/20, 2018/19, 2017/18): one outcome per complaint.
    hits = {o.period: o.value for o in report(HAR)[0] if o.source_line == 453 and "same_figure_differs" in o.quality_flag}
    assert hits == {"2019-20": 33.0, "2018-19": 58.0, "2017-18": 55.0}
    found = {c["period"]: (c["other_value"], c["other_source"].split(":")[-1])
             for c in within_report_conflicts(report(HAR)[0], relations_of("harrow")) if c["kind"] == "same_figure_two_labels"}
    assert found == {"2019-20": (31.0, "505"), "2018-19": (51.0, "505"), "2017-18": (56.0, "505")}


def test_same_figure_maps_that_hold():
    # Barking & Dagenham summary page (lines 9-27) against each section table's total: all agree
    # (e.g. line 9 "81 Stage 1 Complaints Closed" and line 63 "Total 81"; line 27 "71" and line 390 "Total 71").
    assert not [o for o in report(BD)[0] if "same_figure_differs" in o.quality_flag]
    # Lewisham Table 4 (line 2238) 8042 and 7868 = Tables 2 + 3 totals (2635 + 5407; 2307 + 5561);
    # ASC by year (lines 1277-1278) 79 and 87 = the four quarters (8+19+20+32; 20+24+21+22)
    assert not [o for o in report(LEW)[0] if "same_figure_differs" in o.quality_flag]
    # Harrow adults: Stage 1 23/30/28 and Stage 2 4/5/4 in the transactions table (lines 861-863)
    # and in the stage tables (lines 896-898, 965-967)
    assert not [o for o in report(HAR)[0] if o.source_line in range(861, 864) and "same_figure_differs" in o.quality_flag]


def test_same_figure_map_is_checked_at_all():
    # the Barking map is live: each declared pair finds both cells (a declaration naming a cell
    # the extractor does not produce would pass silently)
    from analysis.clean.relations import _cells_by_period

    observations = report(BD)[0]
    for spec in relations_of("barking_and_dagenham"):
        assert len(_cells_by_period(observations, spec.a)["2018-19"]) == 1, spec.why
        assert len(_cells_by_period(observations, spec.b)["2018-19"]) == 1, spec.why


# --- planted copies: kinds with no real case in the five reports ---------------------------------------
def _planted(tmp_path, source_file: str, council: str, period: str, template: str, edit) -> list:
    copy = tmp_path / source_file
    copy.parent.mkdir(parents=True)
    shutil.copy(SEED_ROOT / source_file, copy)
    lines = copy.read_text(encoding="utf-8").split("\n")
    edit(lines)
    copy.write_text("\n".join(lines), encoding="utf-8")
    raw = RawReport.load(tmp_path, source_file, council, period)
    return apply_quality_checks(extractor(template)(raw), relations_of(template))


def test_no_duplicate_rows_in_the_five_reports():
    # a genuine search (every table's rows compared cell for cell) found none: a true negative
    for source_file in (B1920, B2324, LEW, HAR, BD):
        assert not [o for o in report(source_file)[0] if "duplicate_row" in o.quality_flag]


def test_duplicate_row_fails_on_a_planted_copy(tmp_path):
    # Bromley 2023-24 line 530 "Housing Options	12	14	5	3	6	0	11" overwritten with line 528's cells
    def duplicate(lines):
        lines[529] = "Housing Options\t52\t81\t21\t8\t51\t1\t50"

    observations = _planted(tmp_path, B2324, "bromley", "2023-24", "bromley", duplicate)
    assert {o.source_line for o in observations if "duplicate_row" in o.quality_flag} == {530}
    assert not [o for o in observations if o.source_line == 528 and "duplicate_row" in o.quality_flag]


def test_same_figure_fails_on_a_planted_copy(tmp_path):
    # Barking & Dagenham line 9 "81 Stage 1 Complaints Closed" planted as 80 against line 63 "Total 81"
    def change(lines):
        lines[8] = lines[8].replace("81", "80")

    observations = _planted(tmp_path, BD, "barking_and_dagenham", "2018-19", "barking_and_dagenham", change)
    assert [(o.source_line, o.value) for o in observations if "same_figure_differs" in o.quality_flag] == [(9, 80.0)]


# --- column sums in Lewisham's cell-per-line tables ------------------------------------------------
def test_lewisham_column_totals_that_do_not_add_up():
    # CYP Table 7 (Stage 2 requests): "Accepted" Children Act 5 (line 1837) + Corporate 7 (line 1845)
    # = 12; the Total row prints "11 (38%)" (line 1853) — and 11 + 0 + 9 + 8 = 28, not its 29.
    assert _conflicts(LEW, "lewisham", 1853, "total_vs_parts") == [(11.0, 12.0, "1837,1845")]
    # CYP Table 9 (Stage 3 requests): "Rejected" 1 (line 1935) + 0 (line 1942); the Total row prints 0 (line 1949)
    assert _conflicts(LEW, "lewisham", 1949, "total_vs_parts") == [(0.0, 1.0, "1935,1942")]
    # … while Table 8's totals all add up (e.g. Not upheld 777 + 45 + 14 = 836, line 580)
    assert flagged(LEW, 580, "not_upheld", "total_mismatch") == []
