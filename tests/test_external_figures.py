"""data/reference/external_figures.csv: every external figure has its source and the words it was read from.

Real values below were read by hand from the stored pages named in each row's ``address``
(read 2026-12-07); the quotes are the pages' own words.
"""
from __future__ import annotations

import csv

import pytest

from analysis.paths import Paths
from analysis.reference import (
    COLUMNS,
    FILE_NAME,
    ExternalFiguresError,
    load_external_figures,
    numbers_in,
    problems,
    read_table,
    valid_period,
)

from conftest import ROOT

PATH = ROOT / "data" / "reference" / FILE_NAME


@pytest.fixture(scope="module")
def table():
    return read_table(PATH)


def test_the_committed_file_has_every_column_and_no_problem(table):
    assert list(table.columns) == COLUMNS
    assert problems(table) == []


def test_every_row_has_its_source(table):
    for column in ("publisher", "title", "address", "date_read", "quote"):
        assert (table[column].str.strip() != "").all(), column
    assert set(table["date_read"]) == {"2026-12-07"}


def test_no_duplicate_figure_and_no_held_back_council(table):
    assert table["figure_id"].is_unique
    assert not table.duplicated(["council", "period", "measure", "scope"]).any()
    text = " ".join(table[["title", "address", "quote", "note"]].to_numpy().ravel()).lower()
    for held_back in ("buckinghamshire", "bexley", "lincolnshire", "east sussex"):
        assert held_back not in text


def test_the_loader_returns_numbers_and_pins_real_values():
    frame = load_external_figures(Paths(ROOT)).set_index(["council", "period", "measure", "scope"])["value"]
    # lgo.org.uk statistics page for Bromley, 1 April 2023 to 31 March 2024:
    # "83% of complaints we investigated were upheld." ... "a total of 48 investigations"
    assert frame["bromley", "2023-24", "lgsco_uphold_rate_pct", "local_government"] == 83.0
    assert frame["bromley", "2023-24", "lgsco_detailed_investigations", "local_government"] == 48.0
    # LGSCO bulletin for the 2018-19 annual review: "we registered 16,899 complaints and enquiries"
    assert frame["england", "2018-19", "lgsco_complaints_received", "local_government"] == 16899.0
    # The national uphold rate rises through the study's years (58%, 61%, 67%), as the LGSCO reports it.
    rates = [frame["england", p, "lgsco_uphold_rate_pct", "local_government"] for p in ("2018-19", "2019-20", "2020-21")]
    assert rates == [58.0, 61.0, 67.0]


def test_upheld_and_investigations_agree_with_the_printed_rate(table):
    """Where a page gives upheld, investigations and the rate for one council-year, they agree to the percent."""
    frame = load_external_figures(Paths(ROOT))
    wide = frame.pivot_table(index=["council", "period", "scope"], columns="measure", values="value")
    both = wide.dropna(subset=["lgsco_upheld", "lgsco_detailed_investigations", "lgsco_uphold_rate_pct"])
    assert len(both) >= 6  # the six in the README; more as rows are added
    for key, row in both.iterrows():
        assert round(100 * row["lgsco_upheld"] / row["lgsco_detailed_investigations"]) == row["lgsco_uphold_rate_pct"], key


def test_numbers_in_reads_thousands_and_decimals():
    assert numbers_in("we registered 16,899 complaints, 99.4% of cases, in 2018/19.") == {16899.0, 99.4, 2018.0, 19.0}


@pytest.mark.parametrize("period, ok", [("2019-20", True), ("1999-00", True), ("2019-21", False), ("2019/20", False), ("19-20", False)])
def test_valid_period(period, ok):
    assert valid_period(period) is ok


def _write(tmp_path, rows):
    folder = tmp_path / "data" / "reference"
    folder.mkdir(parents=True)
    with open(folder / FILE_NAME, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    return Paths(tmp_path)


@pytest.mark.parametrize("change, message", [
    ({"value": "84"}, "value 84 is not written in its quote"),
    ({"value": "n/a"}, "is not a number"),
    ({"quote": ""}, "empty quote"),
    ({"address": ""}, "empty address"),
    ({"period": "2023-25"}, "is not a financial year"),
    ({"council": "bromly"}, "council 'bromly'"),
    ({"date_read": "7 Dec 2026"}, "is not YYYY-MM-DD"),
    ({"source_type": "blog"}, "source_type 'blog'"),
])
def test_a_broken_row_is_refused_with_its_row_named(tmp_path, table, change, message):
    row = table.iloc[0].to_dict()
    paths = _write(tmp_path, [row | change])
    with pytest.raises(ExternalFiguresError, match=message) as caught:
        load_external_figures(paths)
    assert "external_figures.csv: row 2 (" in str(caught.value)


def test_a_duplicate_figure_id_and_a_missing_file_are_refused(tmp_path, table):
    row = table.iloc[0].to_dict()
    with pytest.raises(ExternalFiguresError, match="appears more than once"):
        load_external_figures(_write(tmp_path, [row, row]))
    with pytest.raises(ExternalFiguresError, match="is missing"):
        load_external_figures(Paths(tmp_path / "nowhere"))
