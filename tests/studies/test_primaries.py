"""One declared primary per question (src/analysis/studies/primary.py), read from one findings key and quoted
identically by every page: the record, the strength rule, and (on the built site) the pages themselves."""
from __future__ import annotations

import html
import json
import re

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


@pytest.mark.parametrize("finding, title", [
    # the seed study's own primaries (outputs/findings/*.json of `make study`)
    ("In Bromley, lack of action went from 19% of complaint aspects in 2019-20 to 38% in 2023-24, like for like: a "
     "rise of 19 percentage points (likely range 13 to 24); Education supplied 56% of the rise.",
     "In Bromley, lack of action went from 19% of complaint aspects in 2019-20 to 38% in 2023-24, like for like"),
    ("Like for like, Bromley received 30% fewer complaints in 2020-21 than in 2019-20 (445 to 310; ratio 0.70, likely "
     "range 0.52 to 0.93); against the trend of the 3 years before, the ratio is 0.73.",
     "Like for like, Bromley received 30% fewer complaints in 2020-21 than in 2019-20"),
    ("Lewisham's stage 1 complaints (Council and Lewisham Homes) fell 12.4% from 2019-20 to 2020-21 (2,635 to 2,307).",
     "Lewisham's stage 1 complaints fell 12.4% from 2019-20 to 2020-21"),
    ("Harrow, Stage 1 complaints: fell 12.4% from 2019-20 to 2020-21 (2,635 to 2,307).",  # a lead-in colon stays
     "Harrow, Stage 1 complaints: fell 12.4% from 2019-20 to 2020-21"),
    ("No change in the causes of complaints can be measured from these reports.",
     "No change in the causes of complaints can be measured from these reports"),
])
def test_a_title_states_the_findings_main_clause_without_its_brackets(finding, title):
    assert pm.headline_of(finding) == title


def test_read_primary_reads_the_one_key_and_says_why_when_it_cannot(tmp_path):
    from analysis.paths import Paths

    paths = Paths.discover(tmp_path)
    paths.findings.mkdir(parents=True)
    assert pm.read_primary(paths, "contracted") == "the notebook has not run for it"
    (paths.findings / "03_contracted_services__all.json").write_text(json.dumps({"primary": gap().record()}))
    assert pm.read_primary(paths, "contracted", "bromley").finding == gap().finding
    (paths.findings / "05_covid_dip__all.json").write_text(json.dumps({"primary": {"estimate": 0.7}}))
    assert "could not be read" in pm.read_primary(paths, "covid")


# --- on the built site: every page quotes a question's primary exactly as declared (issue 24 item 7) -----------


def visible(page) -> str:
    """A page's text as a reader sees it: tags dropped, entities decoded, white space collapsed."""
    import html
    import re

    text = page.read_text(encoding="utf-8")
    text = re.sub(r"(?s)<(script|style)\b.*?</\1>", " ", text)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", text))).strip()


def declared(findings_dir, notebook: str) -> dict[str, pm.Primary]:
    """council (or "all") → the declared primary of each run of ``notebook``."""
    out = {}
    for path in sorted(findings_dir.glob(f"{notebook}*.json")):
        try:  # a notebook run once (04_sen_surge) is its all-councils run
            out[path.stem.split("__", 1)[1] if "__" in path.stem else "all"] = pm.Primary.from_record(
                json.loads(path.read_text(encoding="utf-8")).get(pm.FINDINGS_KEY), path.stem)
        except ValueError:
            continue
    return out


def test_the_contracted_question_declares_its_primary(built_site):
    found = declared(built_site.parent / "findings", pm.QUESTIONS["contracted"].notebook)
    assert {"all", "bromley", "barking_and_dagenham"} <= set(found)
    assert found["all"].finding == found["bromley"].finding
    # Bromley 2023-24: 25 of 34 contracted against 57 of 120 in-house (bromley_2023-24…txt:275, :287)
    assert found["all"].value_text == "+26 pts" and found["all"].range_text == "+1 to +44 pts"


@pytest.mark.parametrize("question", sorted(pm.QUESTIONS))
def test_every_page_quotes_the_declared_primary_identically(built_site, question):
    q = pm.QUESTIONS[question]
    findings_dir = built_site.parent / "findings"
    primaries = declared(findings_dir, q.notebook)
    if "all" not in primaries:
        pytest.xfail(f"{q.notebook} declares no Primary under '{q.findings_key}' yet")
    index = visible(built_site / "index.html")
    for council, p in primaries.items():
        # the driver's own page states it (its key findings quote the sentence)
        page = built_site / "policy" / f"{q.notebook}__{council}.html"
        if page.is_file():
            assert p.finding in visible(page), f"{page.name} does not quote its primary: {p.finding}"
        # the synthesis for the same council quotes the same sentence, number and range, with the same strength
        synthesis_json = findings_dir / f"06_what_drives_complaints__{council}.json"
        if synthesis_json.is_file():
            drivers = {d["notebook"]: d for d in json.loads(synthesis_json.read_text(encoding="utf-8"))["drivers"]}
            d = drivers[q.notebook]
            assert (d["finding"], d["estimate"], d["interval"], d["strength"]) == (
                p.finding, p.value_text, p.range_text, p.strength), synthesis_json.name
            synthesis_page = built_site / "policy" / f"06_what_drives_complaints__{council}.html"
            assert p.finding in visible(synthesis_page), synthesis_page.name
    # each driver page's title states its primary's finding, under the question as its topic (issue 25)
    for council, p in primaries.items():
        page = built_site / "policy" / f"{q.notebook}__{council}.html"
        if page.is_file():
            title = re.search(r'<h1 class="page-title">(.*?)</h1>', page.read_text(encoding="utf-8"), re.S).group(1)
            assert html.unescape(title) == p.headline, page.name
            unbracketed = re.sub(r"\s*\([^()]*\)", "", p.finding)
            assert p.headline and unbracketed.startswith(p.headline), page.name  # the finding's own words
    # the front page: its answer quotes the all-councils primary (once: the driver's card below it shows the
    # same number in its chart, tests/site/test_bulletin.py), with the strength on the card
    p = primaries["all"]
    assert index.count(p.finding) >= 1, f"the front page does not quote {question}'s primary"
    assert f"Strength of the evidence: {p.strength}" in index


def test_the_front_page_opens_with_the_scope_and_says_what_it_cannot_tell(built_site):
    """Issue 24: the first sentence is the study's scope (computed from data/clean by the synthesis), each driver
    has one plain finding with its strength, and the 'what this cannot tell us' points are on the front page."""
    import re

    from analysis.studies import synthesis

    raw = (built_site / "index.html").read_text(encoding="utf-8")
    found = json.loads((built_site.parent / "findings" / "06_what_drives_complaints__all.json").read_text(encoding="utf-8"))
    body = raw[raw.index("<h1"):]
    first = re.search(r"<p[^>]*>(.*?)</p>", body, re.S).group(1)
    import html

    assert html.unescape(first) == found["scope"]
    # the five seed reports: Barking and Dagenham 2018-19 … Bromley 2023-24
    assert found["scope"].startswith("This study reads 4 London boroughs' own annual complaints reports")
    assert "2018-19 to 2023-24" in found["scope"] and "most of the evidence is Bromley's" in found["scope"]
    text = visible(built_site / "index.html")
    assert "What this cannot tell us" in text and synthesis.INTERVAL_MEANING in text
    assert "supports" not in text and "Supported" not in text
    assert text.count("Strength of the evidence:") == len(pm.QUESTIONS)
    assert "What the four questions leave out: Bromley's largest division in 2023-24" in text
