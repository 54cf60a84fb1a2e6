"""The development set of real reports (tests/data/devset) holds together: every gold figure is printed on the
line it cites, every report is listed with its source, no held-back or study council is in it, and the scorer
that a reader is measured with counts what it says it counts."""
from __future__ import annotations

import re

import pandas as pd
import pytest

from analysis.clean.dictionary import MEASURES
from analysis.observations import DIVISIONS, STAGES, UNITS

from devset import GOLD_COLUMNS, NEW_MEASURES, REPORTS, load_gold, load_sources, score, totals

# Held back to test the reader independently (DEVELOPERS.md), and the study's own councils.
HELD_OUT = ("buckinghamshire", "bexley", "lincolnshire", "east sussex", "east_sussex", "east-sussex", "eastsussex")
STUDY = ("bromley", "lewisham", "harrow", "barking")
# A printed number: 1,108 / 35 / 78.5 / £5,822.59 (a % sign, or "8 %", follows the token and is not part of it).
NUMBER = re.compile(r"(?<![\d.,])£?(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?")


@pytest.fixture(scope="module")
def gold() -> pd.DataFrame:
    return load_gold()


def printed_numbers(line: str) -> list[float]:
    return [float(m.group(1).replace(",", "") + (m.group(2) or "")) for m in NUMBER.finditer(line)]


def report_lines(file: str) -> list[str]:
    return (REPORTS / file).read_text(encoding="utf-8").split("\n")


def test_every_gold_value_is_printed_on_its_cited_line(gold):
    missing = []
    for row in gold.itertuples(index=False):
        lines = report_lines(row.file)
        assert 1 <= row.line <= len(lines), f"{row.file}: line {row.line} beyond the end ({len(lines)} lines)"
        if abs(row.value) not in printed_numbers(lines[row.line - 1]):  # a decrease printed "32%" is gold -32
            missing.append(f"{row.file}:{row.line} {row.value} not in {lines[row.line - 1][:100]!r}")
    assert not missing, "\n".join(missing)


def test_hand_read_figures_spot_check(gold):
    """A few figures read again by hand, so that a regenerated gold.csv cannot drift unnoticed."""
    def value(file, line, measure, period, stage):
        hit = gold[(gold.file == file) & (gold.line == line) & (gold.measure == measure) & (gold.period == period)
                   & (gold.stage == stage)]
        return sorted(hit.value)
    # "Between April 2021 and March 2022 we received 1,480 landlord service complaints."
    assert value("bristol_2021-22_housing-complaint-handling-code.txt", 21, "complaints", "2021-22", "all") == [1480]
    # Housing stage 1 "78.5% |" in the pipe rendering, the same cell alone on line 57 in the other rendering.
    assert value("west-lancashire_2023-24_our-performance-pipes.txt", 28, "pct_on_time", "2023-24", "stage_1") == [78.5]
    assert value("west-lancashire_2023-24_our-performance-cells.txt", 57, "pct_on_time", "2023-24", "stage_1") == [78.5]
    # "decreased by 32%, going from 1,372 in 2019/20 to 931": the earlier year and a signed change.
    rotherham = "rotherham_2020-21_annual-complaints-report-minutes.txt"
    assert value(rotherham, 19, "complaints", "2019-20", "all") == [349, 1372]  # whole year and first quarter
    assert value(rotherham, 19, "pct_change", "2020-21", "all") == [-61, -32]
    # "83% (85) of stage-one complaints ... last year when 89% (68)"
    lichfield = "lichfield_2024-25_feedback-report-key-facts.txt"
    assert value(lichfield, 13, "answered_on_time", "2023-24", "stage_1") == [68]


def test_gold_uses_the_contract_vocabularies_and_documents_new_measures(gold):
    assert list(gold.columns) == GOLD_COLUMNS
    new = pd.read_csv(NEW_MEASURES, dtype=str)
    assert not set(new.measure) & set(MEASURES), "a measure documented as new is already a project measure"
    unknown = set(gold.measure) - set(MEASURES) - set(new.measure)
    assert not unknown, f"measures in neither analysis.clean.dictionary.MEASURES nor measures.csv: {unknown}"
    assert set(gold.stage) <= STAGES
    assert set(gold.division) <= set(DIVISIONS)
    assert set(gold.quarter) <= {"", "Q1", "Q2", "Q3", "Q4"}
    assert set(gold.unit) <= UNITS | set(new.unit)
    for measure, unit in new[["measure", "unit"]].itertuples(index=False):
        assert set(gold.unit[gold.measure == measure]) <= {unit}, measure
    years = gold.period.str.extract(r"^(\d{4})-(\d{2})$").astype(float)
    assert years.notna().all().all(), "period is not YYYY-YY"
    assert ((years[0] + 1) % 100 == years[1]).all(), "period is not one financial year"
    assert (gold.layout != "").all()
    key = ["file", "line", "value", "measure", "period", "quarter", "stage", "service"]
    assert not gold.duplicated(key).any(), gold[gold.duplicated(key, keep=False)]


def test_every_report_exists_and_is_listed_with_its_source(gold):
    sources = load_sources()
    assert set(sources.columns) >= {"file", "council", "period", "title", "publisher", "url", "date_read", "note"}
    on_disk = {p.name for p in REPORTS.glob("*.txt")}
    assert set(gold.file) <= on_disk
    assert set(sources.file) == on_disk, "every saved text is listed in sources.csv, and only those"
    assert not sources.duplicated("file").any()
    assert (sources.url.str.startswith("http")).all() and (sources.date_read != "").all()


def test_no_held_back_or_study_council():
    sources = load_sources()
    names = [p.name.lower() for p in REPORTS.glob("*")]
    fields = [" ".join(row).lower() for row in sources[["file", "council", "title", "publisher", "url"]].itertuples(index=False)]
    for text in names + fields:
        assert not any(council in text for council in HELD_OUT + STUDY), text


def test_set_is_big_and_varied_enough(gold):
    sources = load_sources()
    assert gold.file.nunique() >= 6
    assert sources[sources.file.isin(gold.file)].council.nunique() >= 4
    assert len(gold) >= 100
    assert gold.layout.str.startswith("sentence").sum() >= 30  # figures printed only in words
    assert (~gold.layout.str.startswith("sentence")).sum() >= 30  # and figures in tables


# ---- the scorer, on a synthetic frame -------------------------------------------------------------------
def synthetic_gold() -> pd.DataFrame:
    rows = [  # file, line, value, unit, period, quarter, measure, stage
        ("a.txt", 3, 604, "count", "2023-24", "", "complaints", "stage_1"),
        ("a.txt", 4, 84, "percent", "2023-24", "", "pct_on_time", "stage_1"),
        ("a.txt", 5, 72, "count", "2023-24", "", "complaints", "stage_2"),
        ("a.txt", 6, 66, "count", "2023-24", "", "complaints", "all"),
        ("a.txt", 6, 100, "count", "2024-25", "", "complaints", "all"),
        ("b.txt", 2, -33, "percent", "2020-21", "", "pct_change", "all"),  # "from 551 to 367, 33%"
        ("b.txt", 2, -33, "percent", "2020-21", "", "pct_change", "all"),  # "from 72 to 48, 33%"
        ("b.txt", 7, 9, "count", "2018-19", "Q1", "complaints", "all"),
        ("b.txt", 8, 12, "count", "2018-19", "", "compliments", "all"),
    ]
    frame = pd.DataFrame(rows, columns=["file", "line", "value", "unit", "period", "quarter", "measure", "stage"])
    return frame.assign(division="all", service="", category="", layout="sentence", note="")[GOLD_COLUMNS]


def observations(rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["source_file", "source_line", "value", "unit", "period", "quarter", "measure", "stage"])


def test_score_counts_each_kind_of_reading():
    obs = observations([
        ("data/raw/a.txt", 3, 604.0, "count", "2023-24", "", "complaints", "stage_1"),       # labelled (any path)
        ("a.txt", 4, 84.0, "percent", "2023-24", "", "unlabelled", "all"),                    # honest unlabelled
        ("a.txt", 5, 72.0, "count", "2023-24", "", "complaints", "stage_1"),                  # partial: stage differs
        ("a.txt", 6, 66.0, "count", "2024-25", "", "complaints", "all"),                      # wrong: period
        ("a.txt", 6, 100.0, "count", "2024-25", "", "complaints", "all"),                     # labelled
        ("b.txt", 2, 33.0, "percent", "2020-21", "", "pct_change", "all"),                    # wrong: sign reversed
        ("b.txt", 2, -33.0, "percent", "2020-21", "", "pct_change", "all"),                   # labelled
        ("b.txt", 7, 9.0, "count", "2018-19", "", "complaints", "all"),                       # wrong: quarter lost
        ("b.txt", 7, 9.0, "count", "2018-19", "Q1", "ombudsman_referrals", "all"),           # extra wrong reading
        ("b.txt", 9, 12.0, "count", "2018-19", "", "compliments", "all"),                     # another line
        ("c.txt", 1, 5.0, "count", "2018-19", "", "complaints", "all"),                       # not a gold report
    ])
    scores = score(obs, synthetic_gold()).set_index("file")
    assert scores.loc["a.txt"].to_dict() == dict(figures=5, located=5, labelled=2, unlabelled=1, wrong=1, partial=1,
                                                 not_located=0, extra_wrong=0)
    assert scores.loc["b.txt"].to_dict() == dict(figures=4, located=3, labelled=1, unlabelled=0, wrong=2, partial=0,
                                                 not_located=1, extra_wrong=1)
    assert totals(score(obs, synthetic_gold()))["pct_labelled"] == round(100 * 3 / 9, 1)


def test_score_of_the_gold_itself_is_perfect_and_of_nothing_is_zero(gold):
    as_read = gold.rename(columns={"file": "source_file", "line": "source_line"})
    perfect = totals(score(as_read, gold))
    assert perfect["labelled"] == perfect["figures"] == len(gold) and perfect["extra_wrong"] == 0
    assert totals(score(observations([]), gold))["located"] == 0
    with pytest.raises(ValueError, match="measure"):
        score(pd.DataFrame({"source_file": [], "source_line": [], "value": []}), gold)
