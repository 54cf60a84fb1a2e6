"""Reconciliation (clean/reconcile.py) on generated and hand-made sources: the agreement tolerance,
provenance across reports, flags that survive, the conflicting_sources flag on the conflicting key
only, and the tie-breaks past their happy paths. Synthetic observations only (fast); covering set of
``make mutate`` for reconcile.py.
"""
from __future__ import annotations

import json

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.clean.reconcile import KEY, conflict_flags, reconcile, with_derived
from analysis.observations import Observation, to_frame

PROPERTY = settings(max_examples=12, deadline=None, derandomize=True, database=None)  # each example reconciles a frame
R1920 = "data/raw/testshire_2019-20_annual-report.txt"
R2021 = "data/raw/testshire_2020-21_annual-report.txt"
LATER = "data/raw/aardvale_2023-24_london-ombudsman-tables.txt"  # a later report whose name sorts first


def obs(source_file, line, value, *, period="2019-20", measure="complaints", table="at_a_glance", unit="count",
        flag="", division="all", council="testshire") -> Observation:
    return Observation(council=council, period=period, report_period=source_file.split("_")[1], division=division,
                       stage="all", measure=measure, value=value, unit=unit, source_file=source_file,
                       source_line=line, table=table, quality_flag=flag)


def one(frame: pd.DataFrame):
    reconciled, conflicts = reconcile(frame)
    assert len(reconciled) == 1
    return reconciled.iloc[0], conflicts


# --- the agreement tolerance: values equal to 6 decimals are one value -------------------------------

@PROPERTY
@given(st.decimals(0, 10**6, places=2).map(float), st.floats(-4e-7, 4e-7))
def test_values_equal_to_six_decimals_are_one_value(value, noise):
    row, conflicts = one(to_frame([obs(R1920, 5, value), obs(R1920, 9, value + noise, table="service_table")]))
    assert (row.rule, row.n_values, row.value, row.source_line) == ("single_value", 1, value, 5)
    assert conflicts.empty


@PROPERTY
@given(st.decimals(0, 10**5, places=2).map(float), st.sampled_from([0.01, 0.1, 0.2, 0.4, 1.0]))
def test_values_differing_at_the_printed_precision_are_a_conflict(value, step):
    row, conflicts = one(to_frame([obs(R1920, 5, value), obs(R1920, 9, value + step, table="service_table")]))
    assert (row.rule, row.n_values, row.value) == ("first_printed", 2, value)
    assert conflicts[["kind", "other_value"]].values.tolist() == [["within_report", value + step]]


def test_a_computed_value_with_float_noise_agrees_with_its_printed_twin():
    # 0.1 + 0.2 is 0.30000000000000004: one value to 6 decimals, so the own-year report agrees with itself
    row, conflicts = one(to_frame([obs(R1920, 5, 0.3, unit="percent"), obs(R1920, 9, 0.1 + 0.2, unit="percent"),
                                   obs(R2021, 40, 0.5, unit="percent")]))
    assert (row.rule, row.value, row.source_line, row.n_values) == ("own_year_report", 0.3, 5, 2)
    assert conflicts["other_source"].tolist() == [f"{R2021}:40"]


# --- provenance and flags of single-value keys ---------------------------------------------------

def test_a_single_value_is_sourced_from_the_earliest_report_not_the_first_file_name():
    row, _ = one(to_frame([obs(LATER, 3, 12.0, table="t11_lgsco_received_london_boroughs"), obs(R2021, 77, 12.0)]))
    assert (row.rule, row.source_file, row.source_line, row.report_period) == ("single_value", R2021, 77, "2020-21")
    assert [a["source_file"] for a in json.loads(row.alternatives)] == [LATER]


@PROPERTY
@given(st.lists(st.sampled_from(["ocr_repaired", "total_mismatch", "overall_not_weighted_mean", ""]),
                min_size=1, max_size=4))
def test_flags_survive_into_reconciled_for_single_source_keys(flags):
    observations = [obs(R1920, 10 + j, 5.0 + j, measure=f"m{j}", flag=flag) for j, flag in enumerate(flags)]
    reconciled, _ = reconcile(to_frame(observations))
    assert dict(zip(reconciled["measure"], reconciled["quality_flag"])) == {
        f"m{j}": flag for j, flag in enumerate(flags)}


def test_alternatives_are_listed_by_file_then_line():
    row, _ = one(to_frame([obs(R1920, 50, 7.0), obs(R2021, 3, 7.0), obs(R1920, 60, 7.0, table="service_table")]))
    assert (row.source_file, row.source_line) == (R1920, 50)
    assert [(a["source_file"], a["source_line"]) for a in json.loads(row.alternatives)] == [(R1920, 60), (R2021, 3)]


def test_a_figure_printed_as_missing_is_no_source():
    # "n/a" beside a printed 12: one source, one value; a key printed only as missing has no reconciled row
    reconciled, conflicts = reconcile(to_frame([obs(R1920, 5, 12.0), obs(R2021, 9, None, flag="missing_value"),
                                                obs(R2021, 9, None, measure="responses", flag="missing_value")]))
    assert reconciled[["measure", "value", "n_sources", "alternatives"]].values.tolist() == [["complaints", 12.0, 1, ""]]
    assert conflicts.empty


# --- the conflicting_sources flag: on the conflicting key only -----------------------------------------

def test_conflicting_sources_only_on_the_conflicting_key():
    # two reports print complaints (117 against 142) and, on the same lines, responses (agreeing)
    observations = [obs(R1920, 14, 117.0), obs(R1920, 14, 90.0, measure="responses"),
                    obs(R2021, 25, 142.0), obs(R2021, 25, 90.0, measure="responses")]
    frame = to_frame(observations)
    _, conflicts = reconcile(frame)
    flags = conflict_flags(frame, conflicts)
    assert dict(zip(zip(frame["source_line"], frame["measure"]), flags)) == {
        (14, "complaints"): "conflicting_sources", (14, "responses"): "",
        (25, "complaints"): "conflicting_sources", (25, "responses"): ""}


# --- the tie-breaks past their happy paths --------------------------------------------------------------

def test_disagreeing_headline_figures_go_on_to_the_own_year_rule():
    # a wider-scope total (flagged) beside two headline figures that disagree: the own-year report's wins
    row, conflicts = one(to_frame([obs(R1920, 8, 130.0, flag="wider_scope_total"), obs(R2021, 30, 121.0),
                                   obs(R1920, 12, 117.0)]))
    assert (row.rule, row.value, row.source_file) == ("own_year_report", 117.0, R1920)
    assert sorted(conflicts["kind"]) == ["across_reports", "different_scope"]


def test_when_every_source_is_a_wider_total_the_ordinary_rules_decide():
    row, conflicts = one(to_frame([obs(R1920, 8, 130.0, flag="wider_scope_total"),
                                   obs(R2021, 30, 131.0, flag="wider_scope_total")]))
    assert (row.rule, row.value, row.source_file, row.quality_flag) == ("own_year_report", 130.0, R1920,
                                                                          "wider_scope_total")
    assert conflicts["kind"].tolist() == ["across_reports"]  # the same scope on both sides: a real conflict


def test_an_own_year_report_that_disagrees_with_itself_is_settled_within_that_report():
    # the own-year report prints 10 in a table and 11 in prose; a later reprint says 12: the own
    # report's table wins (table over prose), the later reprint does not decide
    row, _ = one(to_frame([obs(R1920, 4, 11.0, table="prose"), obs(R1920, 20, 10.0), obs(R2021, 30, 12.0)]))
    assert (row.rule, row.value, row.source_file, row.source_line) == ("table_over_prose", 10.0, R1920, 20)


def test_disagreeing_ombudsman_tables_do_not_win_as_ombudsman_statistics():
    row, _ = one(to_frame([obs(R1920, 5, 89.0, measure="ombudsman_cases", table="ombudsman"),
                           obs(R1920, 50, 149.0, measure="ombudsman_cases", table="ombudsman_annual_letter"),
                           obs(R1920, 60, 150.0, measure="ombudsman_cases", table="t10_lgsco_casework")]))
    assert (row.rule, row.value, row.source_line) == ("first_printed", 89.0, 5)


def test_ombudsman_statistics_win_when_they_agree():
    row, _ = one(to_frame([obs(R1920, 5, 89.0, measure="ombudsman_cases", table="ombudsman"),
                           obs(R1920, 50, 149.0, measure="ombudsman_cases", table="ombudsman_annual_letter"),
                           obs(R1920, 60, 149.0, measure="ombudsman_cases", table="t10_lgsco_casework")]))
    assert (row.rule, row.value, row.source_line) == ("ombudsman_statistics", 149.0, 50)


def test_first_printed_is_a_table_figure_when_prose_comes_first():
    row, _ = one(to_frame([obs(R1920, 3, 40.0, table="prose"), obs(R1920, 20, 41.0, table="service_table"),
                           obs(R1920, 30, 42.0, table="division_table")]))
    assert (row.rule, row.value, row.source_line) == ("first_printed", 41.0, 20)


@PROPERTY
@given(st.lists(st.tuples(st.sampled_from([R1920, R2021, LATER]), st.integers(1, 500), st.integers(0, 3)),
                min_size=1, max_size=6, unique_by=lambda t: (t[0], t[1])))
def test_every_printed_figure_is_kept_once_and_conflicts_name_two_sources(sources):
    frame = to_frame([obs(f, line, float(v)) for f, line, v in sources])
    reconciled, conflicts = reconcile(frame)
    row = reconciled.iloc[0]
    listed = [(row.source_file, row.source_line)] + [(a["source_file"], a["source_line"])
                                                     for a in (json.loads(row.alternatives) if row.alternatives else [])]
    assert sorted(listed) == sorted((f, line) for f, line, _ in sources)
    assert row.n_sources == len(sources) and row.n_values == len({v for *_, v in sources})
    assert len(conflicts) == sum(v != row.value for *_, v in sources)
    assert (conflicts[KEY[:1]].values.ravel() == "testshire").all()


# --- the conflicts table with the checks' derived conflicts -----------------------------------------

def _conflict(kind, chosen, other, measure="complaints"):
    return {**dict.fromkeys(KEY, ""), "council": "testshire", "period": "2019-20", "measure": measure, "kind": kind,
            "chosen_value": 1.0, "chosen_source": chosen, "other_value": 2.0, "other_source": other,
            "rule": "printed_over_derived"}


def test_no_derived_conflicts_leave_the_conflicts_table_as_it_is():
    # reconcile orders conflicts by key and other source; with nothing to add, that order stands
    conflicts = pd.DataFrame([_conflict("within_report", f"{R1920}:9", f"{R1920}:3"),
                              _conflict("different_scope", f"{R1920}:9", f"{R1920}:7")], columns=list(_conflict("", "", "")))
    pd.testing.assert_frame_equal(with_derived(conflicts, []), conflicts)


def test_derived_conflicts_are_ordered_whatever_order_they_come_in():
    conflicts = pd.DataFrame([_conflict("across_reports", f"{R1920}:9", f"{R2021}:3")], columns=list(_conflict("", "", "")))
    derived = [_conflict("total_vs_parts", f"{R1920}:40", f"{R1920}:31,32"),
               _conflict("total_vs_parts", f"{R1920}:12", f"{R1920}:10,11"),
               _conflict("total_vs_parts", f"{R1920}:12", f"{R1920}:10,13")]
    forward, backward = with_derived(conflicts, derived), with_derived(conflicts, derived[::-1])
    pd.testing.assert_frame_equal(forward, backward)
    assert forward["chosen_source"].tolist() == [f"{R1920}:9", f"{R1920}:12", f"{R1920}:12", f"{R1920}:40"]
