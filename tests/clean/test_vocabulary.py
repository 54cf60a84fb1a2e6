"""data/reference/vocabulary.csv: the generic reader's one vocabulary, loaded and checked like the crosswalk."""
from __future__ import annotations

import shutil

import pytest

from analysis.clean.vocabulary import REFERENCE, VocabularyError, period_of, quarter_of, read_label, vocabulary


def test_the_vocabulary_loads_and_specific_rows_win_over_general_ones():
    terms, categories = vocabulary()
    assert len(terms) > 20 and "lack of action" in categories  # the crosswalk's labels are its categories
    assert read_label("Not upheld").measure == "not_upheld"  # above "upheld"
    assert read_label("Partly upheld").measure == "partially_upheld"
    assert read_label("% responded within timescales").measure == "pct_on_time"
    assert (read_label("Complaints escalated to stage 2").measure, read_label("Complaints escalated to stage 2").stage) == ("", "stage_2")
    assert read_label("Lack of Action").category


@pytest.mark.parametrize("text, period, quarter", [
    ("2023/24", "2023-24", ""), ("2023-24", "2023-24", ""), ("2023 to 2024", "2023-24", ""), ("2022 to 23", "2022-23", ""),
    ("Q1", "", "Q1"), ("Quarter 3 2024/25", "2024-25", "Q3"), ("Apr-Jun", "", "Q1"), ("Jan - Mar 2025", "", "Q4"),
    ("1 April 2023 to 31 March 2024 (2023/24)", "2023-24", ""),
])
def test_periods_and_quarters_in_headers(text, period, quarter):
    assert (period_of(text), quarter_of(text)) == (period, quarter)


def _folder(tmp_path, rows: str):
    shutil.copy(REFERENCE / "root_cause_crosswalk.csv", tmp_path / "root_cause_crosswalk.csv")
    (tmp_path / "vocabulary.csv").write_text("pattern,measure,stage,division,unit,rationale\n" + rows, encoding="utf-8")
    vocabulary.cache_clear()
    return tmp_path


def test_a_bad_pattern_or_a_row_that_sets_nothing_is_named(tmp_path):
    with pytest.raises(VocabularyError, match=r"vocabulary.csv:2: pattern is not a valid regex"):
        vocabulary(_folder(tmp_path, "upheld(,upheld,,,count,x\n"))
    with pytest.raises(VocabularyError, match=r"vocabulary.csv:3: the row sets no dimension"):
        vocabulary(_folder(tmp_path, "upheld,upheld,,,count,x\nwidgets,,,,,nothing\n"))
    vocabulary.cache_clear()
