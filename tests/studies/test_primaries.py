"""One declared primary per question (src/analysis/studies/primary.py), read from one findings key and quoted
identically by every page: the record, the strength rule, and (on the built site) the pages themselves."""
from __future__ import annotations

import json

import pytest

from analysis.studies import primary as pm


def gap(**overrides) -> pm.Primary:
    values = dict(question="contracted", finding="A gap of +26 percentage points (likely range +1 to +44).",
                  value=26.0, low=1.2, high=44.3, unit="percentage points", interval_kind="95% likely range",
                  councils=("bromley",), years=("2023-24",), strength="unclear", reason="it flips", caveat="",
                  run_id="03_contracted_services__all", null=0.0,
                  sensitivity=({"label": "services", "value": 26.0, "low": -5.2, "high": 47.7, "variance": True},))
    return pm.Primary(**(values | overrides))


def test_the_registry_names_the_four_questions_and_one_findings_key():
    assert set(pm.QUESTIONS) == {"root_causes", "contracted", "sen", "covid"}
    assert {q.findings_key for q in pm.QUESTIONS.values()} == {"primary"}
    assert pm.QUESTIONS["covid"].run_ids("lewisham") == ("05_covid_dip__lewisham", "05_covid_dip__all", "05_covid_dip")


def test_a_primary_round_trips_through_its_record_and_states_its_scope():
    p = gap()
    record = json.loads(json.dumps(p.record()))
    assert pm.Primary.from_record(record) == p
    assert record["scope"] == "Bromley, 2023-24"
    assert pm.scope_words(("bromley", "harrow"), ("2019-20", "2021-22", "2023-24")) == \
        "Bromley and Harrow, 2019-20 to 2023-24"


@pytest.mark.parametrize("bad, message", [
    ({"question": "weather"}, "unknown question"),
    ({"strength": "supported"}, "is not one of"),
    ({"strength": "not estimable", "reason": ""}, "needs its reason"),
    ({"finding": " "}, "finding in words"),
])
def test_a_malformed_primary_is_refused(bad, message):
    with pytest.raises(ValueError, match=message):
        gap(**bad)
    with pytest.raises(ValueError, match="not a Primary record"):
        pm.Primary.from_record({"estimate": 0.7, "low": 0.5})  # an older, undeclared primary dict


def test_strength_is_clear_only_when_every_variance_model_agrees():
    flips = ({"label": "services", "low": -5.2, "high": 47.7},)
    assert pm.strength_of(1.2, 44.3, 0.0)[0] == "clear"
    strength, reason = pm.strength_of(1.2, 44.3, 0.0, flips)
    assert strength == "unclear" and "'services'" in reason
    # another choice (not a variance model) does not decide the strength
    assert pm.strength_of(1.2, 44.3, 0.0, ({"label": "window", "low": -1, "high": 3, "variance": False},))[0] == "clear"
    assert pm.strength_of(0.51, 1.06, 1.0)[0] == "unclear"
    assert pm.strength_of(13.1, 24.1, 0.0, recording="aspects per complaint rose") == (
        "cannot be told from a change in recording", "aspects per complaint rose")
    assert pm.strength_of(None, None, 0.0, not_estimable="a compared count is zero")[0] == "not estimable"


def test_read_primary_reads_the_one_key_and_says_why_when_it_cannot(tmp_path):
    from analysis.paths import Paths

    paths = Paths.discover(tmp_path)
    paths.findings.mkdir(parents=True)
    assert pm.read_primary(paths, "contracted") == "the notebook has not run for it"
    (paths.findings / "03_contracted_services__all.json").write_text(json.dumps({"primary": gap().record()}))
    assert pm.read_primary(paths, "contracted", "bromley").finding == gap().finding
    (paths.findings / "05_covid_dip__all.json").write_text(json.dumps({"primary": {"estimate": 0.7}}))
    assert "could not be read" in pm.read_primary(paths, "covid")
