"""The generic reader against the development set (tests/data/devset): real council reports the project
has no template for, their figures hand-checked (file, line, value, period, measure) in gold.csv.

Targets (issue 23): at least 80% of the gold figures located, at least 60% labelled, and none given a
wrong measure or period (an honest `unlabelled` is not wrong). Every report is read as `add-report
--new-council` would have it read: through RawReport.load (the layout normaliser) and the generic reader.
"""
from __future__ import annotations

import pandas as pd
import pytest

from analysis.clean.extract.engine import RawReport
from analysis.clean.extract.generic import extract
from analysis.observations import to_frame

from devset import DEVSET, load_sources, score, totals


@pytest.fixture(scope="module")
def reading() -> pd.DataFrame:
    """Every development-set report read by the generic reader, as one tidy frame."""
    frames = []
    for source in load_sources().itertuples(index=False):
        report = RawReport.load(DEVSET, f"reports/{source.file}", source.council, source.period)
        frames.append(to_frame(extract(report)))
    return pd.concat(frames, ignore_index=True)


@pytest.fixture(scope="module")
def scores(reading) -> pd.DataFrame:
    return score(reading)


def test_development_set_targets(scores):
    total = totals(scores)
    assert total["pct_located"] >= 80, scores.to_string()
    assert total["pct_labelled"] >= 60, scores.to_string()


def test_no_gold_figure_gets_a_wrong_meaning(scores):
    wrong = scores[(scores["wrong"] > 0) | (scores["extra_wrong"] > 0)]
    assert wrong.empty, wrong.to_string()


def test_every_report_is_read(scores):
    """No report of the set is a blank: each has at least one gold figure located."""
    assert (scores["located"] > 0).all(), scores.to_string()


# Hand-checked figures, cited by file and line (values from gold.csv, read off the report texts).
@pytest.mark.parametrize("file, line, value, measure, period, quarter", [
    ("west-lancashire_2023-24_our-performance-pipes.txt", 12, 604, "complaints", "2023-24", ""),      # cell per line, ' |'
    ("west-lancashire_2023-24_our-performance-pipes.txt", 41, 92, "pct_on_time", "2024-25", "Q1"),   # caption 'Quarter 1 - 2024/25'
    ("shropshire_2018-19_quarterly-complaints-performance.txt", 18, 276, "complaints", "2018-19", "Q1"),  # label over figures
    ("maidstone_2014-15_q3-feedback-report.txt", 71, 93.5, "pct_on_time", "2014-15", "Q2"),         # 14/15 row × Q2 column
    ("lichfield_2024-25_feedback-report-key-facts.txt", 6, 33, "upheld_or_partially_upheld", "2023-24", ""),  # 'compared to 33 last year'
    ("havering_2017-18_childrens-services-complaints-minutes.txt", 28, 61, "enquiries", "2016-17", ""),  # 'from 61 in 2016-17'
])
def test_figures_cited_by_the_gold(reading, file, line, value, measure, period, quarter):
    rows = reading[(reading["source_file"] == f"reports/{file}") & (reading["source_line"] == line) & (reading["value"] == value)]
    assert [(r.measure, r.period, r.quarter) for r in rows.itertuples()] == [(measure, period, quarter)]
