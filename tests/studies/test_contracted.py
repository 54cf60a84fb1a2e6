"""Contracted services (src/analysis/studies/contracted.py): unit tests on small frames shaped like the
clean observations, then the notebook's findings against figures read by hand in the reports."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from analysis.studies import contracted as ct

B19 = "data/raw/bromley_2019-20_committee-briefing-with-annual-complaints-report.txt"
B23 = "data/raw/bromley_2023-24_complaints-and-compliments-annual-report.txt"
MEASURES = ("mentions", "aspects", "upheld", "partially_upheld", "not_upheld", "ongoing", "answered_on_time")


def row(council="bromley", period="2019-20", division="adult_social_care", service="", measure="aspects", value=0.0,
        table="service_aspects", line=1, category="", stage="all", unit="count", report_period=None, flag="",
        source_file=B19, quarter=""):
    return {"council": council, "period": period, "quarter": quarter, "report_period": report_period or period,
            "division": division, "service": service, "category": category, "category_std": "", "stage": stage,
            "measure": measure, "value": float(value), "unit": unit, "source_file": source_file,
            "source_line": line, "table": table, "quality_flag": flag}


def service_rows(period, service, counts, line, division="adult_social_care", source_file=B19, flag=""):
    return [row(period=period, division=division, service=service, measure=m, value=v, line=line,
                source_file=source_file, flag=flag) for m, v in zip(MEASURES, counts)]


def bromley_frame() -> pd.DataFrame:
    """Bromley's ASC service-table rows as the reports print them (counts read by hand)."""
    rows = []
    # 2019-20 report: Contracted Services and OVERALL (…2019-20…txt:816, :818)
    rows += service_rows("2019-20", "Contracted Services", (26, 36, 9, 13, 14, 0, 17), 816)
    rows += service_rows("2019-20", "", (123, 164, 46, 35, 77, 6, 58), 818)
    rows += service_rows("2019-20", "Duty Team", (28, 37, 5, 9, 21, 2, 5), 798)
    # 2023-24 report: flattened table (…2023-24…txt:275, :277) and the summary table (:285, :287)
    rows += service_rows("2023-24", "Contracted Services", (26, 34, 25, 0, 9, 0, 13), 275, source_file=B23)
    rows += service_rows("2023-24", "Contracted Services", (26, 34, 25, 0, 9, 0, 13), 285, source_file=B23)
    rows += service_rows("2023-24", "", (94, 154, 75, 7, 72, 0, 64), 287, source_file=B23)
    # CED care fees (…2019-20…txt:1306, :1312, :1330; …2023-24…txt:861, :867, :885)
    rows += service_rows("2019-20", "Care Home Fees", (8, 10, 6, 0, 3, 1, 2), 1306, division="chief_executives")
    rows += service_rows("2019-20", "Domiciliary Care fees", (24, 28, 8, 6, 12, 2, 18), 1312, division="chief_executives")
    rows += service_rows("2019-20", "Council Tax", (29, 34, 8, 6, 15, 5, 19), 1308, division="chief_executives")
    rows += service_rows("2019-20", "", (100, 117, 29, 20, 57, 11, 69), 1330, division="chief_executives")
    rows += service_rows("2023-24", "Care Home Fees", (13, 23, 10, 2, 11, 0, 5), 861, division="chief_executives",
                         source_file=B23)
    rows += service_rows("2023-24", "Domiciliary Care fees", (20, 35, 19, 3, 13, 0, 7), 867,
                         division="chief_executives", source_file=B23)
    rows += service_rows("2023-24", "", (106, 182, 77, 12, 92, 0, 91), 885, division="chief_executives",
                         source_file=B23)
    return pd.DataFrame(rows)


# ---------------------------------------------------------------------------------------
# Unit tests on small frames


def test_one_per_key_prefers_unflagged_and_reports_disagreement():
    frame = pd.DataFrame([row(value=34, line=275, flag="row_garbled"), row(value=33, line=285)])
    chosen = ct.one_per_key(frame)
    assert len(chosen) == 1
    assert chosen.loc[0, "value"] == 33 and chosen.loc[0, "source_line"] == 285
    assert chosen.loc[0, "n_sources"] == 2 and bool(chosen.loc[0, "disagree"])
    agreeing = ct.one_per_key(pd.DataFrame([row(value=34, line=285), row(value=34, line=275)]))
    assert agreeing.loc[0, "source_line"] == 275 and not agreeing.loc[0, "disagree"]


def test_one_per_key_prefers_the_own_year_report():
    frame = pd.DataFrame([row(value=5, line=10, report_period="2023-24", source_file=B23), row(value=6, line=900)])
    assert ct.one_per_key(frame).loc[0, "value"] == 6


def test_in_house_is_overall_minus_contracted():
    groups = ct.contracted_vs_in_house(bromley_frame())
    in_house = groups.set_index(["period", "group"])
    assert in_house.loc[("2019-20", "in_house"), "aspects"] == 164 - 36
    assert in_house.loc[("2019-20", "in_house"), "upheld"] == 46 - 9
    assert in_house.loc[("2023-24", "in_house"), "answered_on_time"] == 64 - 13
    assert in_house.loc[("2023-24", "contracted"), "source"] == f"{B23}:275"
    assert set(groups["group"]) == {"contracted", "in_house", "all_asc"}


def test_missing_overall_leaves_in_house_missing_not_zero():
    frame = pd.DataFrame(service_rows("2019-20", "Contracted Services", (26, 36, 9, 13, 14, 0, 17), 816))
    groups = ct.contracted_vs_in_house(frame).set_index("group")
    assert groups.loc["contracted", "aspects"] == 36
    assert math.isnan(groups.loc["in_house", "aspects"]) and math.isnan(groups.loc["all_asc", "aspects"])
    rates = ct.outcome_rates(ct.contracted_vs_in_house(frame))
    assert rates[rates["group"] == "in_house"]["rate"].isna().all()


def test_missing_measure_stays_missing():
    frame = bromley_frame()
    frame = frame[~((frame["period"] == "2023-24") & (frame["measure"] == "partially_upheld")
                    & (frame["service"] == "Contracted Services"))]
    rates = ct.outcome_rates(ct.contracted_vs_in_house(frame)).set_index(["period", "group", "outcome"])
    assert math.isnan(rates.loc[("2023-24", "contracted", "upheld_or_partially"), "rate"])
    assert rates.loc[("2023-24", "contracted", "fully_upheld"), "rate"] == pytest.approx(25 / 34)


def test_share_and_rates_with_wilson_intervals():
    groups = ct.contracted_vs_in_house(bromley_frame())
    share = ct.contracted_share(groups).set_index("period")
    assert share.loc["2019-20", "rate"] == pytest.approx(36 / 164)
    assert share.loc["2023-24", "mentions_rate"] == pytest.approx(26 / 94)
    assert share.loc["2019-20", "low"] < 36 / 164 < share.loc["2019-20", "high"]
    rates = ct.outcome_rates(groups).set_index(["period", "group", "outcome"])
    assert rates.loc[("2019-20", "contracted", "upheld_or_partially"), "successes"] == 22
    assert rates.loc[("2019-20", "in_house", "upheld_or_partially"), "rate"] == pytest.approx(59 / 128)
    assert rates.loc[("2023-24", "in_house", "on_time"), "rate"] == pytest.approx(51 / 120)


def test_group_differences_and_period_change():
    rates = ct.outcome_rates(ct.contracted_vs_in_house(bromley_frame()))
    diff = ct.group_differences(rates).set_index(["period", "outcome"])
    d = diff.loc[("2023-24", "fully_upheld")]
    assert d["difference"] == pytest.approx(25 / 34 - 50 / 120)
    assert d["low"] < d["difference"] < d["high"] and d["n_contracted"] == 34 and d["n_in_house"] == 120
    change = ct.period_change(rates, "2019-20", "2023-24").set_index(["group", "outcome"])
    c = change.loc[("contracted", "fully_upheld")]
    assert c["difference"] == pytest.approx(25 / 34 - 9 / 36) and c["p_value"] < 0.001
    # contracted partially upheld 0 of 34 in 2023-24 against 13 of 36: still comparable
    assert change.loc[("contracted", "partially_upheld"), "rate_after"] == 0


def test_no_variation_gives_no_test():
    a = pd.Series({"successes": 0.0, "trials": 5.0})
    assert ct._compare(a, a) == {}
    assert ct._compare(pd.Series({"successes": np.nan, "trials": 5.0}), a) == {}


def test_gap_change_glm_matches_the_odds_ratios_by_hand():
    rates = ct.outcome_rates(ct.contracted_vs_in_house(bromley_frame()))
    result = ct.gap_change_glm(rates, "fully_upheld")
    # saturated model: the interaction is the ratio of the two years' contracted/in-house odds ratios
    odds = lambda x, n: x / (n - x)  # noqa: E731
    expected = (odds(25, 34) / odds(50, 120)) / (odds(9, 36) / odds(37, 128))
    assert result.odds_ratio == pytest.approx(expected, rel=1e-6)
    assert result.low < expected < result.high and result.n_cells == 4
    assert ct.gap_change_glm(rates, "partially_upheld") is None  # 0 of 34: odds ratio 0


def test_gap_change_intervals_are_widened_by_phi_and_p_values_holm_adjusted():
    from scipy.stats import norm

    rates = ct.outcome_rates(ct.contracted_vs_in_house(bromley_frame()))
    plain = {o: r for o in ct.OUTCOMES if (r := ct.gap_change_glm(rates, o)) is not None}
    wide = ct.widen_interactions(plain, 2.25)
    for outcome, g in wide.items():
        p = plain[outcome]
        # the log-scale half width × √2.25 = 1.5, around the same odds ratio
        assert np.log(g.adj_high / g.adj_low) == pytest.approx(1.5 * np.log(p.high / p.low))
        assert np.sqrt(g.adj_low * g.adj_high) == pytest.approx(p.odds_ratio)
        se = np.log(p.high / p.low) / (2 * 1.959964) * 1.5
        assert g.p_adjusted == pytest.approx(2 * norm.sf(abs(np.log(p.odds_ratio)) / se))
    ordered = sorted(g.p_adjusted for g in wide.values())
    k = len(ordered)
    assert min(g.p_holm for g in wide.values()) == pytest.approx(min(1.0, k * ordered[0]))  # Holm's first step
    assert ct.widen_interactions(plain, 0.5)[next(iter(plain))].adj_low == pytest.approx(plain[next(iter(plain))].low)


def test_fee_complaints():
    fees = ct.fee_complaints(bromley_frame()).set_index(["period", "service"])
    both = fees.loc[("2019-20", "Care fees (both)")]
    assert both["aspects"] == 38 and both["ced_aspects"] == 117
    assert both["share_rate"] == pytest.approx(38 / 117)
    assert both["upheld_rate"] == pytest.approx((6 + 0 + 8 + 6) / 38)
    assert fees.loc[("2023-24", "Care fees (both)"), "on_time_rate"] == pytest.approx(12 / 58)
    assert ("2019-20", "Council Tax") not in fees.index


def test_evidence_table_definitions_and_denominators():
    frame = pd.concat([bromley_frame(), pd.DataFrame([
        row("lewisham", "2020-21", category="inadequate services provided by a third party commissioned service",
            measure="pct_of_total", value=15, unit="percent", table="prose", line=1453),
        row("lewisham", "2020-21", category="a perceived failure of service", measure="pct_of_total", value=14,
            unit="percent", table="prose", line=1456),
        row("lewisham", "2020-21", measure="complaints", value=79, table="asc_complaints_by_year", line=1277),
        row("barking_and_dagenham", "2018-19", category="Inadequate Services Provided by a Third Party",
            measure="complaints", value=2, table="nature", stage="stage_1", line=246),
        row("barking_and_dagenham", "2018-19", category="Poor Communication", measure="complaints", value=14,
            table="nature", stage="stage_1", line=250),
        row("harrow", "2019-20", service="Commissioning & Partnerships", measure="transactions", value=4,
            table="tx", line=846),
        row("harrow", "2019-20", measure="transactions", value=130, table="tx", line=848),
    ])])
    ev = ct.evidence_table(frame).set_index(["council", "kind", "period"])
    lew = ev.loc[("lewisham", "root_cause", "2020-21")]
    assert lew["share"] == pytest.approx(0.15) and math.isnan(lew["low"]) and "79" in lew["context"]
    bd = ev.loc[("barking_and_dagenham", "root_cause", "2018-19")]
    assert bd["denominator"] == 16 and bd["denominator_rule"].startswith("sum of the 2")
    harrow = ev.loc[("harrow", "commissioning_team", "2019-20")]
    assert harrow["numerator"] == 4 and harrow["denominator"] == 130 and harrow["denominator_rule"] == "printed total"
    bromley = ev.loc[("bromley", "provider")]
    assert list(bromley["denominator"]) == [164, 154]
    assert ct.cause_rank(frame, "lewisham", r".*third party.*", table="prose") == (1, 2)


def test_narrow_and_nested():
    frame = pd.DataFrame({"council": ["a", "b"], "period": ["2019-20", "2020-21"], "x": [1, 2]})
    assert len(ct.narrow(frame, "all", "")) == 2
    assert list(ct.narrow(frame, "b", "")["x"]) == [2]
    assert ct.narrow(frame, "all", "2019-20")["council"].tolist() == ["a"]
    assert ct.nested(frame, ["council", "period"], ["x"]) == {"a": {"2019-20": {"x": 1}}, "b": {"2020-21": {"x": 2}}}


def test_a_council_without_evidence_gives_empty_results():
    frame = pd.DataFrame([row("croydon", "2020-21", measure="complaints", value=3, table="t")])
    assert ct.evidence_table(frame).empty
    assert ct.contracted_vs_in_house(frame, "croydon").empty
    assert ct.fee_complaints(frame, "croydon").empty


def test_build_for_a_council_without_evidence_says_so():
    frame = pd.concat([bromley_frame(), pd.DataFrame([row("croydon", "2020-21", measure="complaints", value=3,
                                                          table="t")])])
    results = ct.build(frame, "croydon")
    assert not results.has_evidence
    assert ct.text_scope(results).startswith("**No contracted-services evidence for Croydon")
    empty = ct.build(frame, "bromley", "2017-18").findings()
    assert {k: v for k, v in empty.items() if k not in ("key_findings", "primary")} == {
        "council": "bromley", "period": "2017-18", "has_evidence": False, "evidence": []}
    assert empty["primary"]["strength"] == "not estimable" and empty["primary"]["value"] is None
    assert "no figure" in empty["primary"]["reason"]
    assert len(empty["key_findings"]) == 3 and empty["key_findings"][0].startswith("No contracted-services figure")


def test_recovery_text_names_unrecovered_figures():
    frame = pd.concat([bromley_frame(), pd.DataFrame([
        row(period="2023-24", service="DoLS", measure="pct_ongoing", value=np.nan, unit="percent", line=269,
            flag="flattened_unrecovered", source_file=B23)])])
    text = ct.text_recovery(ct.build(frame, "bromley"))
    assert "2023-24: 1 figures of the table could not be recovered" in text and "DoLS" in text
    assert "none of them in the rows used here" in text


# ---------------------------------------------------------------------------------------
# The notebook's findings, after `python -m analysis run --notebook 03_contracted_services --force`


@pytest.fixture(scope="module")
def findings(tmp_path_factory):
    """Clean the raw reports and run every parameter set of the notebook in a copy of the project."""
    import json
    import os
    import shutil
    import subprocess
    import sys

    from conftest import RAW, ROOT

    root = tmp_path_factory.mktemp("contracted") / "project"
    shutil.copytree(RAW, root / "data" / "raw")
    if (ROOT / "data" / "reference").is_dir():
        shutil.copytree(ROOT / "data" / "reference", root / "data" / "reference")
    (root / "notebooks").mkdir()
    shutil.copy(ROOT / "notebooks" / "03_contracted_services.ipynb", root / "notebooks")
    env = os.environ | {"COMPLAINTS_STUDY_ROOT": str(root)}
    run = lambda *args: subprocess.run([sys.executable, "-m", "analysis", *args], cwd=root, env=env,  # noqa: E731
                                       capture_output=True, text=True, timeout=1200)
    run("clean")
    result = run("run", "--notebook", "03_contracted_services", "--force")
    assert result.returncode == 0, result.stdout + result.stderr
    out = {}
    for path in sorted((root / "outputs" / "findings").glob("03_contracted_services__*.json")):
        out[path.stem.split("__", 1)[1]] = json.loads(path.read_text(encoding="utf-8"))
    return out


def test_every_parameter_set_ran(findings):
    # one run for council=all and one per council of data/raw/manifest.csv
    assert set(findings) == {"all", "barking_and_dagenham", "bromley", "harrow", "lewisham"}
    assert all(f["has_evidence"] for f in findings.values())
    assert {e["council"] for e in findings["harrow"]["evidence"]} == {"harrow"}
    assert "bromley" not in findings["harrow"]


def test_bromley_contracted_share_of_asc_aspects(findings):
    for run in ("all", "bromley"):
        share = findings[run]["bromley"]["share"]
        # Contracted Services 36 aspects of OVERALL 164 (bromley_2019-20…txt:816, :818)
        assert (share["2019-20"]["contracted_aspects"], share["2019-20"]["asc_aspects"]) == (36, 164)
        assert share["2019-20"]["rate"] == pytest.approx(36 / 164, abs=1e-6)
        # 34 of 154 (bromley_2023-24…txt:275, :277; the SUMMARY table repeats them at :285, :287)
        assert (share["2023-24"]["contracted_aspects"], share["2023-24"]["asc_aspects"]) == (34, 154)
        assert share["2023-24"]["low"] < 34 / 154 < share["2023-24"]["high"]


def test_bromley_upheld_rates_contracted_vs_in_house(findings):
    rates = findings["bromley"]["bromley"]["rates"]
    # 2023-24: contracted 25 of 34 aspects fully upheld (bromley_2023-24…txt:275);
    # in-house = OVERALL − contracted = (75 − 25) of (154 − 34) (…txt:277)
    assert rates["2023-24"]["contracted"]["fully_upheld"]["rate"] == pytest.approx(25 / 34, abs=1e-6)
    assert rates["2023-24"]["in_house"]["fully_upheld"]["successes"] == 50
    assert rates["2023-24"]["in_house"]["fully_upheld"]["trials"] == 120
    # 2019-20: in-house fully or partially upheld (46 + 35 − 9 − 13) of (164 − 36) (bromley_2019-20…txt:816, :818)
    assert rates["2019-20"]["in_house"]["upheld_or_partially"]["rate"] == pytest.approx(59 / 128, abs=1e-6)
    # on time: contracted 17 of 36 (…2019-20…txt:816)
    assert rates["2019-20"]["contracted"]["on_time"]["rate"] == pytest.approx(17 / 36, abs=1e-6)
    gap = findings["bromley"]["bromley"]["contracted_vs_in_house"]["2023-24"]["fully_upheld"]
    assert gap["difference"] == pytest.approx(25 / 34 - 50 / 120, abs=1e-6)
    assert (gap["n_contracted"], gap["n_in_house"]) == (34, 120)


def test_bromley_change_in_the_upheld_pattern(findings):
    change = findings["all"]["bromley"]["change"]["contracted"]
    # fully upheld 9 of 36 (bromley_2019-20…txt:816) → 25 of 34 (bromley_2023-24…txt:275)
    assert change["fully_upheld"]["rate_before"] == pytest.approx(9 / 36, abs=1e-6)
    assert change["fully_upheld"]["rate_after"] == pytest.approx(25 / 34, abs=1e-6)
    # the p value on the same footing as the likely range (ASC aspects per complaint 164/117 and 154/90)
    assert change["fully_upheld"]["p_value"] == pytest.approx(0.00112, abs=2e-5)
    assert change["fully_upheld"]["p_plain"] < 0.001 < change["fully_upheld"]["p_value"]
    # partially upheld 13 of 36 → 0 of 34 (same lines)
    assert change["partially_upheld"]["rate_before"] == pytest.approx(13 / 36, abs=1e-6)
    assert change["partially_upheld"]["rate_after"] == 0


def test_bromley_care_fee_complaints(findings):
    fees = findings["bromley"]["bromley"]["fees"]
    # Care Home Fees 10 + Domiciliary Care fees 28 of CED OVERALL 117 aspects (bromley_2019-20…txt:1306, :1312, :1330)
    assert fees["2019-20"]["Care fees (both)"]["aspects"] == 38
    assert fees["2019-20"]["Care fees (both)"]["ced_aspects"] == 117
    # 2023-24: 23 + 35 of 182; answered on time 5 + 7 (bromley_2023-24…txt:861, :867, :885)
    both = fees["2023-24"]["Care fees (both)"]
    assert (both["aspects"], both["ced_aspects"]) == (58, 182)
    assert both["on_time_rate"] == pytest.approx(12 / 58, abs=1e-6)


def test_other_councils_evidence(findings):
    evidence = {(e["council"], e["kind"], e["period"], e["unit_of_count"]): e for e in findings["all"]["evidence"]}
    # Lewisham: "15% of complaints received related to inadequate services provided by a third party
    # commissioned service", the first of the seven causes listed (lewisham_2020-21…txt:1453, :1456-1467)
    lewisham = evidence[("lewisham", "root_cause", "2020-21", "complaints")]
    assert lewisham["printed_pct"] == 15 and lewisham["numerator"] is None
    assert (lewisham["cause_rank"], lewisham["causes"]) == (1, 7)
    # Barking & Dagenham: 'Inadequate Services Provided by a Third Party' 2 of the 54 statutory adult complaints
    # (barking-and-dagenham_2018-19…txt:246; natures at :241-250 sum to 54, the stage 1 total at :219)
    bd = evidence[("barking_and_dagenham", "root_cause", "2018-19", "complaints")]
    assert (bd["numerator"], bd["denominator"], bd["printed_pct"]) == (2, 54, 4)
    # Harrow: Commissioning & Partnerships 4 of 130 transactions (harrow_2019-20…txt:846, :848)
    harrow = evidence[("harrow", "commissioning_team", "2019-20", "transactions")]
    assert (harrow["numerator"], harrow["denominator"]) == (4, 130)


def test_texts_render_computed_values():
    results = ct.build(bromley_frame(), "bromley")
    change = ct.text_change(results)
    # contracted fully upheld 9/36 → 25/34, partially 13/36 → 0/34 (…2019-20…txt:816, …2023-24…txt:275)
    assert "fully upheld 25% → 74%" in change and "partially upheld 36% → 0%" in change
    assert "In both groups *partially* upheld fell" in change
    assert "not visible in the on-time rates" in ct.text_rates(results)
    comparison = ct.text_comparison(results)
    assert "22% (Bromley 2019-20) to 22% (Bromley 2023-24)" in comparison
    assert "32% of the department's aspects in 2019-20" in comparison  # 38 of 117
    assert ct.points(0.32, 0.13, 0.46) == "+32 points (95% CI +13 to +46)"
    assert ct.pct(float("nan")) == "not recovered" and ct.count(None) == "not recovered"


def test_bromley_sections_explain_why_they_are_empty():
    other = ct.build(bromley_frame(), "harrow")
    assert "Bromley only" in ct.text_no_bromley(other, "Care-fee complaints")
    missing = ct.build(bromley_frame(), "bromley", "2017-18")
    assert "not in the clean data for 2017-18" in ct.text_no_bromley(missing, "Care-fee complaints")


# ---------------------------------------------------------------------------------------
# Over-dispersion: φ across services, adjusted intervals, the primary estimate


def test_quasi_newcombe_is_newcombe_at_phi_one_and_wider_above():
    from analysis.stats import compare_proportions, quasi_newcombe

    plain = compare_proportions(25, 34, 22, 36)
    same = quasi_newcombe(25, 34, 22, 36, 1.0)
    assert (same.low, same.high) == pytest.approx((plain.low, plain.high), abs=1e-12)
    assert quasi_newcombe(25, 34, 22, 36, 0.5).low == pytest.approx(plain.low)  # φ < 1 is floored at 1
    wide = quasi_newcombe(25, 34, 22, 36, 2.73, 1.65)
    assert wide.low < plain.low and wide.high > plain.high and wide.difference == pytest.approx(25 / 34 - 22 / 36)


def test_service_dispersion_matches_a_hand_computed_phi():
    from analysis.studies.dispersion import service_dispersion

    # three services, 10/20, 2/20, 18/40 upheld or partly; pooled 30/80
    rows = []
    for i, (service, (u, a)) in enumerate({"A": (10, 20), "B": (2, 20), "C": (18, 40), "Empty": (0, 0)}.items()):
        rows += [row(period="2023-24", service=service, measure="aspects", value=a, line=10 + i, source_file=B23),
                 row(period="2023-24", service=service, measure="upheld", value=u, line=10 + i, source_file=B23),
                 row(period="2023-24", service=service, measure="partially_upheld", value=0, line=10 + i,
                     source_file=B23)]
    d = service_dispersion(pd.DataFrame(rows), "bromley", "2023-24")
    p0 = 30 / 80
    z2 = [(r / n - p0) ** 2 / (p0 * (1 - p0) / n) for r, n in ((10, 20), (2, 20), (18, 40))]
    assert d.phi == pytest.approx(sum(z2) / 2) and d.services == 3 and d.printed == 4
    b = d.point("adult_social_care", "B")
    assert b.z == pytest.approx((2 / 20 - p0) / np.sqrt(p0 * (1 - p0) / 20 * d.phi))
    assert d.point("adult_social_care", "B", adjusted=False).z == pytest.approx((2 / 20 - p0) / np.sqrt(p0 * (1 - p0) / 20))


def test_findings_state_the_dispersion_and_the_adjusted_funnel(findings):
    for run in ("all", "bromley"):
        f = findings[run]
        d = f["dispersion"]["2023-24"]
        assert d["phi"] > 2 and d["services"] >= 50  # 53 services with aspects in bromley_2023-24's service tables
        points = {p["label"]: p for p in f["funnel"]["2023-24"]}
        assert len(points) == d["services"]
        # SEN 113 of 196 (bromley_2023-24…txt:747 "SEN 114 196 94 19 …"); Contracted Services 25 of 34 (…txt:275)
        sen, contracted = points["education|SEN"], points[f"adult_social_care|{ct.CONTRACTED}"]
        assert (sen["successes"], sen["trials"]) == (113, 196) and (contracted["successes"], contracted["trials"]) == (25, 34)
        for p in (sen, contracted):  # outside the plain 99.8% limit, inside the adjusted one
            assert p["outside_plain_998"] and abs(p["z_plain"]) > 3.09 and abs(p["z"]) < 3.09
            assert p["z"] == pytest.approx(p["z_plain"] / np.sqrt(d["phi"]), rel=1e-4)
        assert f["key_findings"] and 3 <= len(f["key_findings"]) <= 5


def test_primary_is_the_2023_24_gap_under_the_aspects_variance_model(findings):
    """Issue 24 items 3 and 7: one primary (the gap the front page quotes), its likely range and p value under
    φ = ASC aspects per complaint 154/90 (bromley_2023-24…txt:115 and :87), the services' φ as sensitivity."""
    d = findings["bromley"]["primary_detail"]
    # 25 of 34 contracted (25 + 0, bromley_2023-24…txt:275) against (75 + 7 − 25) of (154 − 34) in-house (:287)
    assert (d["successes_contracted"], d["n_contracted"], d["successes_in_house"], d["n_in_house"]) == (25, 34, 57, 120)
    assert d["difference"] == pytest.approx(25 / 34 - 57 / 120, abs=1e-6)  # +26.0 points
    assert d["phi"] == pytest.approx(154 / 90, abs=1e-6)
    assert (d["low"] * 100, d["high"] * 100) == pytest.approx((1.22, 44.26), abs=0.01)
    assert d["p_value"] == pytest.approx(0.0401, abs=1e-4)  # not the plain test's 0.007
    p = findings["bromley"]["primary"]
    assert p["question"] == "contracted" and p["councils"] == ["bromley"] and p["years"] == ["2023-24"]
    assert (p["value"], p["low"], p["high"]) == pytest.approx((26.03, 1.22, 44.26), abs=0.01)
    assert "+26 percentage points (likely range +1 to +44)" in p["finding"]
    services = [s for s in p["sensitivity"] if "services differ" in s["label"]][0]
    assert (services["low"], services["high"]) == pytest.approx((-5.16, 47.71), abs=0.01)  # φ = 2.73 across services
    plain = [s for s in p["sensitivity"] if "independent" in s["label"]][0]
    assert (plain["low"], plain["high"], plain["p_value"]) == pytest.approx((7.17, 40.76, 0.0072), abs=0.01)
    assert p["strength"] == "unclear" and "services" in p["reason"]  # the verdict flips with the variance model
    change = [s for s in p["sensitivity"] if "change 2019-20 to 2023-24" in s["label"]
              and s["label"].startswith("Contracted")][0]
    assert change["value"] == pytest.approx((25 / 34 - 22 / 36) * 100, abs=1e-3)  # 61% → 74%: a sensitivity row
    roles = [r["role"] for r in findings["bromley"]["sensitivity"]]
    assert roles.count("primary") == 1 and roles.count("sensitivity") >= 3
    assert findings["all"]["primary"]["finding"] == p["finding"]


def test_per_council_primaries_say_what_each_council_can_show(findings):
    bd = findings["barking_and_dagenham"]["primary"]
    # 2 of 54 statutory ASC complaints 'Inadequate Services Provided by a Third Party' (barking…2018-19…txt:246)
    assert bd["value"] == pytest.approx(200 / 54, abs=1e-3) and bd["strength"] == "clear"
    assert "2 of 54" in bd["finding"] and "minor source" in bd["finding"]
    harrow = findings["harrow"]["primary"]
    assert harrow["strength"] == "not estimable" and "commissioning team" in harrow["finding"]


def test_chart_titles_neither_lead_with_fully_upheld_nor_rank_councils():
    results = ct.build(bromley_frame(), "all")
    assert "fully upheld" not in ct.title_rates(results)
    assert "fully or partly upheld" in ct.title_rates(results)
    # one council's evidence (Bromley alone here): named, on its own measure, with no count of councils to rank
    assert ct.title_evidence(results) == ("Commissioned care as a share of Bromley's adult social care complaints, "
                                          "on the council's own measure")


def test_no_findings_value_is_infinite_or_nan_or_absurd(findings):
    import math

    def walk(value, path="", out=None):
        out = [] if out is None else out
        if isinstance(value, dict):
            for k, v in value.items():
                walk(v, f"{path}.{k}", out)
        elif isinstance(value, list):
            for i, v in enumerate(value):
                walk(v, f"{path}[{i}]", out)
        elif isinstance(value, float) and (not math.isfinite(value) or abs(value) > 1e6):
            out.append(path)
        return out
    for run, f in findings.items():
        assert walk(f) == [], run


def test_contracted_share_of_aspects_states_phi_and_uses_the_adjusted_interval(findings):
    share = findings["bromley"]["bromley"]["share"]
    # φ = ASC aspects per complaint: 164 / 117 (bromley_2019-20…txt:643, :614); 154 / 90 (bromley_2023-24…txt:115, :87)
    assert share["2019-20"]["phi"] == pytest.approx(164 / 117, abs=1e-6)
    assert share["2023-24"]["phi"] == pytest.approx(154 / 90, abs=1e-6)
    for year in ("2019-20", "2023-24"):
        s = share[year]
        assert s["adj_low"] < s["low"] < s["rate"] < s["high"] < s["adj_high"]


def test_evidence_rows_on_aspects_use_aspects_per_complaint_and_complaints_stay_plain(findings):
    from analysis.stats import wilson

    rows = {(e["council"], e["kind"], e["period"], e["unit_of_count"]): e for e in findings["all"]["evidence"]}
    bromley = rows[("bromley", "provider", "2023-24", "aspects")]
    assert bromley["phi"] == pytest.approx(154 / 90, abs=1e-6)  # ASC aspects and complaints, bromley_2023-24…txt:115 and :87
    plain = wilson(bromley["numerator"], bromley["denominator"])
    assert bromley["low"] < plain.low and bromley["high"] > plain.high
    harrow = rows[("harrow", "commissioning_team", "2018-19", "complaints")]
    assert harrow["phi"] == 1.0
    by_hand = wilson(harrow["numerator"], harrow["denominator"])
    assert (harrow["low"], harrow["high"]) == pytest.approx((by_hand.low, by_hand.high), abs=1e-6)
