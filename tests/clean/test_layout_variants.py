"""The seed reports printed by other converters still give their figures, on the same lines.

Each variant is built from the committed seed reports in a temporary root (see
``_layout_variants``): tabs turned into space-aligned columns (``pdftotext -layout``), into
``| a | b |`` pipes, and into a markdown export (escapes and a ``|---|`` rule under the first
row of every table, which moves the lines below it: the gold's line is mapped to the
variant's). The clean runs on each; the contract's hand-checked gold rows
(tests/data/sample_gold.csv, the copy of ../shared/contract/sample_gold.csv that
test_gold.py reads) must be found on their line with their labels, and no figure may differ
from the tab export's (a figure the variant cannot read is lost, never mislabelled).
"""
from __future__ import annotations

import shutil
from collections import Counter

import pandas as pd
import pytest
from _layout_variants import aligned, build_variant

from analysis.clean.layout import normalise_layout
from analysis.clean.pipeline import run_clean
from analysis.paths import Paths

from conftest import RAW, ROOT, SEED_ROOT

GOLD = ROOT / "tests" / "data" / "sample_gold.csv"
KEY = ["council", "period", "quarter", "report_period", "division", "service", "category", "stage", "measure", "unit"]
FIGURE = ["source_file", "source_line", *KEY, "value", "quality_flag"]
LEWISHAM = "data/raw/lewisham_2020-21_annual-complaints-and-casework-report.txt"


# ---------------------------------------------------------------------------------------
# The normalisation itself


def test_tab_text_passes_through_unchanged():
    for path in sorted(RAW.glob("*.txt")):
        lines = path.read_text(encoding="utf-8").split("\n")
        layout = normalise_layout(lines)
        assert layout.lines == lines, path.name
        assert layout.kind == "tab" and not layout.separators


def test_pipe_rows_become_cells_and_the_rule_an_empty_line():
    lines = ["Complaints received", "", "| Division | 2018/19 | 2019/20 |", "|---|:---:|---|",
             "| Adult Social Care | 142 | 117 |", "|  | 33\\* | a \\| b |", "", "04 | COUNCIL OVERVIEW"]
    layout = normalise_layout(lines)
    assert layout.lines == ["Complaints received", "", "Division\t2018/19\t2019/20", "",
                            "Adult Social Care\t142\t117", "\t33*\ta | b", "", "04 | COUNCIL OVERVIEW"]
    assert layout.separators == {4}


def test_a_markdown_table_without_outer_pipes_is_read_from_its_rule():
    lines = ["Outcome | 2023/24", "--- | ---", "Upheld | 12", "Not upheld | 30", "", "Prose | with a pipe"]
    assert normalise_layout(lines).lines == ["Outcome\t2023/24", "", "Upheld\t12", "Not upheld\t30", "",
                                             "Prose | with a pipe"]


def test_aligned_columns_keep_labels_whole_and_blank_cells_in_place():
    lines = ["Complaints received",
             "",
             "                   Adults   Children's Services",
             "Division           2018/19  2019/20",
             "Adult Social Care  142      117",
             "Total              484",
             "",
             "1.6  The 2020/21 data in this report comes from the complaints system.  Data for 2019/20 is given too."]
    out = normalise_layout(lines)
    assert len(out.lines) == len(lines) and out.kind == "aligned"
    assert out.lines[:2] == lines[:2] and out.lines[6] == ""
    assert out.lines[2:6] == ["\tAdults\tChildren's Services", "Division\t2018/19\t2019/20",
                              "Adult Social Care\t142\t117", "Total\t484\t"]
    assert out.lines[7] == ("1.6\tThe 2020/21 data in this report comes from the complaints system.  "
                            "Data for 2019/20 is given too.")


def test_right_aligned_figures_as_pdftotext_prints_them():
    lines = ["Division                  2017/18    2018/19    % change",
             "Adult Social Care             183        142      -17.6%",
             "Chief Executive's Dept.        58         66       43.9%",
             "Public Health                   1          0         n/a"]
    assert normalise_layout(lines).lines == ["Division\t2017/18\t2018/19\t% change",
                                             "Adult Social Care\t183\t142\t-17.6%",
                                             "Chief Executive's Dept.\t58\t66\t43.9%",
                                             "Public Health\t1\t0\tn/a"]


def test_a_caption_and_a_wrapped_line_at_the_margin_stay_out_of_a_cell_per_line_table():
    """Printed aligned, Lewisham's one-cell-per-line tables are indented blocks; the caption right
    above (LEWISHAM:1649 "3.5. Table 4.   Stage 1 Complaints…", with a 3-space gap) and a wrapped
    cell's next line right under (:749 "· Adult Care Services  – 25", a double space) are at the
    margin: they must not merge the block's columns, or every cell loses its leading tab."""
    lines = (RAW / LEWISHAM[9:]).read_text(encoding="utf-8").split("\n")
    printed = aligned(lines)[0]
    out = normalise_layout(printed).lines
    assert printed[1648].startswith("3.5. Table 4.   Stage 1") and printed[1649] == "  Period"
    assert out[1649:1652] == ["\tPeriod", "\tStage 1", "\tChildren Act Stage 1"]  # :1650-1652, as in the tab text
    assert printed[746:749] == ["  Top 3 Referrals", "  · Education & Children’s Services – 25",
                                "· Adult Care Services  – 25"]
    assert out[746:748] == ["\tTop 3 Referrals", "\t· Education & Children’s Services – 25"]  # :747-748
    assert not out[748].startswith("\t")  # :749 still continues the cell above


# ---------------------------------------------------------------------------------------
# The seed reports in each variant, cleaned


@pytest.fixture(scope="module")
def tab_clean() -> pd.DataFrame:
    return pd.read_csv(SEED_ROOT / "data" / "clean" / "observations.csv", dtype=str, keep_default_na=False)


@pytest.fixture(scope="module", params=["aligned", "pipes", "markdown"])
def variant(request, tmp_path_factory):
    """(name, observations of the variant's clean, its errors, seed line → variant line per file, its root)."""
    root = tmp_path_factory.mktemp(request.param) / "project"
    maps = build_variant(RAW, root / "data" / "raw", request.param)
    if (ROOT / "data" / "reference").is_dir():
        shutil.copytree(ROOT / "data" / "reference", root / "data" / "reference")
    result = run_clean(Paths(root))
    observations = pd.read_csv(root / "data" / "clean" / "observations.csv", dtype=str, keep_default_na=False)
    return request.param, observations, result.errors, maps, root


def gold_hits(observations: pd.DataFrame, maps) -> dict[str, list[str]]:
    """Each gold row's verdict: located and labelled, located under another label, or missing."""
    gold = pd.read_csv(GOLD, dtype=str, keep_default_na=False)
    verdicts: dict[str, list[str]] = {"labelled": [], "other_label": [], "missing": []}
    for row in gold.itertuples(index=False):
        source = f"data/raw/{row.file}"
        here = observations[(observations["source_file"] == source)
                            & (observations["source_line"].astype(int) == maps[source](int(row.line)))]
        here = here[(here["value"].astype(float) - float(row.value)).abs() < 1e-9]
        labelled = here
        for column in KEY:
            labelled = labelled[labelled[column] == getattr(row, column)]
        verdict = "labelled" if len(labelled) == 1 else "other_label" if len(here) else "missing"
        verdicts[verdict].append(f"{row.file}:{row.line} {row.measure}={row.value}")
    return verdicts


def figures(frame: pd.DataFrame) -> Counter:
    return Counter(map(tuple, frame[FIGURE].astype(str).values.tolist()))


def test_every_variant_locates_and_labels_the_gold(variant, tab_clean):
    name, observations, errors, maps, _ = variant
    verdicts = gold_hits(observations, maps)
    assert errors == [] and verdicts["other_label"] == [] and verdicts["missing"] == []
    assert len(verdicts["labelled"]) == len(pd.read_csv(GOLD)) == 20


# Lewisham's tables printed one cell per line lose their empty cells' tabs when printed aligned
# (see layout.py): the reader puts them back where only one reading fits, else skips the table.
ALIGNED_LEWISHAM_FIGURES = 787  # of the tab export's 790
ALIGNED_LEWISHAM_LOST = {
    # LEWISHAM:1560-1568 "2018/2019 2019/2020 2020-2021", blank lines, "351 325 286": with the
    # blank lines possibly empty cells, "351" could begin a row or follow an empty first cell.
    "cyp_t1_cases_by_year": 3,
}


def test_no_variant_gives_a_figure_the_tab_export_does_not(variant, tab_clean):
    """Every figure of a variant is one of the tab export's, on the same (mapped) line with the same labels."""
    name, observations, _, maps, _ = variant
    expected = tab_clean.copy()
    expected["source_line"] = [str(maps[f](int(n))) for f, n in zip(expected["source_file"], expected["source_line"])]
    got, want = figures(observations), figures(expected)
    assert got - want == Counter()
    lost = want - got
    if name == "aligned":
        by_table = Counter(expected.set_index(FIGURE).loc[list(lost.elements()), "table"]) if lost else Counter()
        assert {key[0] for key in lost} == {LEWISHAM} and by_table == ALIGNED_LEWISHAM_LOST
        assert (observations["source_file"] == LEWISHAM).sum() == ALIGNED_LEWISHAM_FIGURES
        assert sum(got.values()) == sum(want.values()) - sum(ALIGNED_LEWISHAM_LOST.values())
    else:
        assert lost == Counter()


def test_aligned_lewisham_tables_get_their_empty_cells_back(variant):
    """Table 6 (LEWISHAM:303-403) fills its organisation down through cells that held only a tab
    (:333 and :342 above "2020/21" and "Variance"): printed aligned, those are blank lines, and the
    rows are still read under Lewisham Council, each figure on its own line."""
    name, observations, _, maps, _ = variant
    line = maps[LEWISHAM]  # the markdown export inserts a rule under each table's first row
    table = observations[(observations["source_file"] == LEWISHAM)
                         & (observations["table"] == "t6_timeliness_complaints_and_general_enquiries")]
    assert len(table) == 54
    read = {(int(r.source_line), r.service, r.period, r.stage, r.measure, float(r.value)) for r in table.itertuples()}
    assert (line(335), "Lewisham Council", "2020-21", "stage_1", "cases_due", 1562.0) in read  # :335 "1562"
    assert (line(344), "Lewisham Council", "2020-21", "stage_1", "cases_due_variance", 464.0) in read  # :344 "464 "
    assert (line(371), "Lewisham Homes", "2020-21", "stage_1", "cases_due_variance", 56.0) in read  # :371 "56"
    assert (line(394), "", "2020-21", "enquiry", "pct_on_time", 97.0) in read  # :394 "97%", the Total rows


def test_an_aligned_table_that_reads_two_ways_is_skipped_with_a_record(variant):
    """Skipped, with a record in data/clean/skipped-tables.csv; every other variant skips nothing."""
    name, _, _, _, root = variant
    skipped = pd.read_csv(root / "data" / "clean" / "skipped-tables.csv", dtype=str, keep_default_na=False)
    if name != "aligned":
        assert skipped.empty
        return
    [row] = skipped[skipped["table"] == "cyp_t1_cases_by_year"].itertuples()
    assert row.source_file == LEWISHAM and row.failed_line == "1560"  # the anchor, :1560 "Table 1. Total of new cases"
    assert "more than one reading fits" in row.reason
    assert set(skipped["table"]) == {"cyp_t1_cases_by_year"}
