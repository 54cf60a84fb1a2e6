"""Failed table relations in the five real reports, each read by hand in the raw file (file:line)."""
from __future__ import annotations

import pytest
from _reports import B1920, B2324, BD, HAR, flagged, report

from analysis.clean.quality import within_report_conflicts
from analysis.clean.relations import relations_of

# Bromley 2023-24 Education and Chief Executive's service and nature tables: fully + partially +
# not upheld + ongoing against Aspects (columns 3-6 against column 2 of the raw line).
PARTITIONS = [
    (747, 196, 195),  # SEN	114	196	94	19	82	0	103
    (749, 22, 20),  # SEN Transport	12	22	13	1	6	0	13
    (751, 231, 228),  # Education OVERALL
    (761, 15, 13),  # Disputed decision		15	3	1	9	0	8
    (765, 151, 150),  # Lack of action		151	70	18	62	0	75
    (863, 36, 35),  # Council Tax	20	36	11	2	22	0	28
    (899, 26, 25),  # Billing & Charging		26	6	1	18	0	8
]


@pytest.mark.parametrize("line, aspects, summed", PARTITIONS)
def test_outcome_partition_fails_where_hand_sums_differ(line, aspects, summed):
    assert flagged(B2324, line, "aspects", "partition_mismatch") == [aspects]
    conflicts = [c for c in within_report_conflicts(report(B2324)[0], relations_of("bromley"))
                 if c["kind"] == "partition_vs_total" and c["chosen_source"] == f"{B2324}:{line}"]
    assert [(c["chosen_value"], c["other_value"]) for c in conflicts] == [(aspects, summed)]


def test_outcome_partition_holds_on_a_row_that_adds_up():
    # Bromley 2023-24 line 528: Housing Allocations 81 aspects = 21 + 8 + 51 + 1
    assert flagged(B2324, 528, "aspects", "partition_mismatch") == []


# Bromley's causes table prints "% upheld" per cause; the division nature tables of the same
# report, over the same aspects, give (fully + partially upheld) / aspects.
CAUSE_RATES = [
    (B2324, 139, 67.9, 85.7),  # Service Delay … 56	5.1%	67.9%; nature tables 48 of 56
    (B2324, 136, 31.8, 43.5),  # Information … 85	7.7%	31.8%
    (B2324, 141, 3.3, 26.7),  # Billing / Charging … 30	2.7%	3.3%; nature tables 8 of 30
    (B1920, 665, 42.3, 47.4),  # Staff conduct … 97	16.5%	42.3%; lines 826, 964, 1077, 1221, 1334 give 46 of 97
    (B1920, 670, 45.5, 51.5),  # Service Delay … 33	5.6%	45.5%
]


@pytest.mark.parametrize("source_file, line, printed, derived", CAUSE_RATES)
def test_causes_table_rate_disagrees_with_division_tables(source_file, line, printed, derived):
    assert flagged(source_file, line, "pct_upheld_or_partially", "rate_disagrees_across_tables") == [printed]
    found = [c for c in within_report_conflicts(report(source_file)[0], relations_of("bromley"))
             if c["kind"] == "rate_vs_division_tables" and c["chosen_source"] == f"{source_file}:{line}"]
    assert [c["other_value"] for c in found] == [derived]


def test_rate_within_the_bounds_is_not_flagged_when_populations_differ():
    # Bromley 2023-24 line 134: Staff conduct 124 aspects in the causes table, but the division
    # nature tables hold 98 (E&PP's 26 are not in them): printed 15.3% lies within what the
    # 26 uncovered aspects allow, so neither flag.
    assert flagged(B2324, 134, "pct_upheld_or_partially", "rate_disagrees_across_tables") == []
    assert flagged(B2324, 134, "pct_upheld_or_partially", "rate_outside_bounds_across_tables") == []


# Causes whose causes-table base also counts E&PP's aspects (no division table): the printed rate
# lies outside what the division tables allow whatever those aspects' outcome.
CAUSE_RATES_OUTSIDE_BOUNDS = [
    # Lack of Action … 375 33.8% 40.0%; nature tables 193 of 356 (54.2%): over 375, 51.5% to 56.5%
    (B2324, 137, 40.0, 54.2),
    # Quality of Service … 349 31.5% 21.2%; over 349 the division tables allow no less than 29.8%
    (B2324, 138, 21.2, 45.9),
]


@pytest.mark.parametrize("source_file, line, printed, derived", CAUSE_RATES_OUTSIDE_BOUNDS)
def test_causes_table_rate_outside_the_bounds_the_division_tables_allow(source_file, line, printed, derived):
    assert flagged(source_file, line, "pct_upheld_or_partially", "rate_outside_bounds_across_tables") == [printed]
    assert flagged(source_file, line, "pct_upheld_or_partially", "rate_disagrees_across_tables") == []
    found = [c for c in within_report_conflicts(report(source_file)[0], relations_of("bromley"))
             if c["kind"] == "rate_vs_division_tables" and c["chosen_source"] == f"{source_file}:{line}"]
    assert [c["other_value"] for c in found] == [derived]


def test_existing_total_and_share_checks_on_barking_and_harrow():
    # Barking & Dagenham line 390: Total 71, parts (lines 386-389) 10 + 2 + 1 + 55 = 68
    assert flagged(BD, 390, "enquiries", "total_mismatch") == [71]
    # Harrow line 862: 2018/19 79 (60%) 30 (33%) 5 (5%) 6 (2%) of 130→ total 120: 65.8%, 25%, 5%
    assert sorted(flagged(HAR, 862, "pct_of_total", "pct_disagrees_with_counts")) == [2, 33, 60]


def test_a_total_equal_to_its_one_non_zero_row_is_no_duplicate():
    # Bromley 2019-20 lines 1444 and 1446: Public Protection 3 0 0 0 3 0 1 0 0 7 1 and OVERALL the same
    assert not any("duplicate_row" in x.quality_flag for x in report(B1920)[0] if x.source_line == 1446)
