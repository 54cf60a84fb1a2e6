"""The synthesis says what four councils' reports can and cannot show (issue 24 items 1 and 9): each driver's
finding is its declared primary with its scope and strength in words (no "supported" verdict), the study's
scope is computed from data/clean, and what the questions leave out is named with its raw line."""
from __future__ import annotations

import json
import shutil

from analysis.paths import Paths
from analysis.studies import synthesis
from analysis.studies.primary import Primary


def bd_primary() -> Primary:
    # 2 of 54 statutory ASC complaints 'Inadequate Services Provided by a Third Party' (barking…2018-19…txt:246)
    return Primary("contracted", "In Barking and Dagenham in 2018-19, 2 of 54 adult social care complaints (4%, likely "
                   "range 1% to 13%) named a third-party provider as the cause: commissioned care was a minor source "
                   "of complaints.", 200 / 54, 1.02, 12.5, "% of adult social care complaints", "95%",
                   ("barking_and_dagenham",), ("2018-19",), "clear",
                   "even the top of the likely range (13%) is a small share", "One year.", "", None)


def test_a_declared_primary_is_quoted_verbatim_with_its_scope_and_strength():
    d = synthesis.from_primary(bd_primary(), "03_contracted_services")
    assert d.finding == bd_primary().finding and d.scope == "Barking and Dagenham, 2018-19"
    assert (d.strength, d.estimate, d.interval) == ("clear", "4%", "1 to 12%")
    sentence = synthesis.driver_sentence(d)
    assert sentence.startswith("Contracted care: In Barking and Dagenham") and "minor source" in sentence
    assert "supports" not in sentence and "Strength: clear — even the top" in sentence


def study(tmp_path, council="all") -> synthesis.Synthesis:
    """The synthesis built on the seed project's data/clean and manifest, with findings written here."""
    from conftest import SEED, SEED_ROOT

    root = tmp_path / "project"
    shutil.copytree(SEED_ROOT / "data" / "clean", root / "data" / "clean")
    (root / "data" / "raw").mkdir(parents=True)
    shutil.copy(SEED / "manifest.csv", root / "data" / "raw")
    paths = Paths(root)
    paths.findings.mkdir(parents=True)
    (paths.findings / "03_contracted_services__barking_and_dagenham.json").write_text(
        json.dumps({"primary": bd_primary().record(), "evidence": []}))
    (paths.findings / "03_contracted_services__all.json").write_text(json.dumps({"evidence": [
        {"council": "bromley", "kind": "provider"}, {"council": "harrow", "kind": "commissioning_team"},
        {"council": "lewisham", "kind": "root_cause"}, {"council": "barking_and_dagenham", "kind": "root_cause"}]}))
    return synthesis.build(paths, council)


def test_the_scope_is_computed_from_the_clean_data(tmp_path):
    s = study(tmp_path)
    # the five seed reports: Barking and Dagenham 2018-19, Bromley 2019-20 and 2023-24, Harrow 2019-20, Lewisham 2020-21
    assert s.reports == {"barking_and_dagenham": ["2018-19"], "bromley": ["2019-20", "2023-24"],
                         "harrow": ["2019-20"], "lewisham": ["2020-21"]}
    scope = synthesis.scope_sentence(s)
    assert scope.startswith("This study reads 4 London boroughs' own annual complaints reports (Barking and Dagenham, "
                            "Bromley, Harrow and Lewisham), 5 reports covering 2018-19 to 2023-24; most of the evidence "
                            "is Bromley's (")
    assert scope.endswith("and the only council with more than one report: 2019-20 and 2023-24).")
    one = study(tmp_path / "b", "barking_and_dagenham")
    assert synthesis.scope_sentence(one) == ("This page reads Barking and Dagenham's complaints reports for 2018-19 "
                                             "(1 report).")
    assert one.drivers[0].finding == bd_primary().finding  # the per-council page quotes the council's own primary


def test_coverage_says_only_bromley_reports_on_the_providers(tmp_path):
    s = study(tmp_path)
    s.coverage = {"bromley": list(synthesis.DRIVERS), "harrow": ["03_contracted_services"],
                  "lewisham": ["02_root_causes", "03_contracted_services", "05_covid_dip"],
                  "barking_and_dagenham": ["02_root_causes", "03_contracted_services"]}
    text = synthesis.coverage_sentence(s)
    assert "complaints about contracted care providers for 1 (Bromley), and only a commissioning team or a recorded " \
           "third-party cause for 3" in text
    assert "contracted care for 4" not in text and "Only Bromley's reports speak to every question." in text


def test_what_the_questions_leave_out_is_named_with_its_line(tmp_path):
    s = study(tmp_path)
    # Bromley 2023-24: Environment & Public Protection 205 of 738 complaints (bromley_2023-24…txt:82)
    bromley = [o for o in s.outside if o.startswith("Bromley")][0]
    assert "205 of 738 complaints, 28%; Bromley 2023-24 report, line 82" in bromley
    # Lewisham 2020-21 top-5 lists: Account Query (Revenues) 98 (lewisham_2020-21…txt:218), Plumbing 61 (:262)
    lewisham = [o for o in s.outside if o.startswith("Lewisham")][0]
    assert "Account Query (Revenues) (98)" in lewisham and "Plumbing (61)" in lewisham
    cannot = synthesis.cannot_conclude(s)
    assert any(c.startswith("What the four questions leave out: Bromley's largest division") for c in cannot)
    assert any(c.startswith("Any trend for Barking and Dagenham, Harrow and Lewisham: one report each") for c in cannot)
    assert cannot[-1] == synthesis.INTERVAL_MEANING and "complete counts" in cannot[-1]
    assert not any("supports" in line for line in synthesis.key_findings(s))


def test_a_driver_section_without_a_caveat_prints_no_empty_caveat_label():
    """The reader review found "Caveat: More on this driver." on Barking and Dagenham's and Lewisham's synthesis
    pages: a driver whose primary states no caveat printed the label with nothing after it."""
    from analysis.studies.synthesis import Driver, driver_section

    bare = Driver("03_contracted_services", "Contracted care", "lewisham", "not estimable",
                  "In Lewisham in 2020-21, the report prints that 15% of adult social care complaints had a third-party "
                  "provider as their cause, without the counts.", reason="the report prints no counts",
                  run_id="03_contracted_services__lewisham")
    text = driver_section(bare)
    assert "Caveat" not in text
    assert text.endswith("[More on this driver](03_contracted_services__lewisham.html).")
    with_caveat = driver_section(Driver(**{**bare.__dict__, "caveat": "One report year only."}))
    assert "*Caveat:* One report year only. [More on this driver]" in with_caveat
