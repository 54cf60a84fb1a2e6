"""The presentation layer (src/analysis/present.py): one way to name things and show numbers."""
from __future__ import annotations

import math
import re

import pandas as pd
import pytest

from analysis import present

from conftest import ROOT

BROMLEY_2023 = "data/raw/bromley_2023-24_complaints-and-compliments-annual-report.txt"


@pytest.mark.parametrize("value, kind, expected", [
    (1108.0, "count", "1,108"), (44.000000, "count", "44"), (12.5, "count", "12.5"),
    (0.4375, "share", "43.8%"), (0.5, "share", "50%"), (67.9, "pct", "67.9%"), (-51.282051, "change", "-51%"),
    (30749.0, "gbp", "£30,749"), (30749.5, "gbp", "£30,750"), (0.7123, "ratio", "0.71"), (12.0, "points", "+12 pts"),
    (float("nan"), "count", "—"), (float("inf"), "ratio", "—"), (None, "share", "—"),
])
def test_number_formats_every_kind_and_never_shows_nan(value, kind, expected):
    assert present.number(value, kind) == expected


def test_estimate_leaves_out_an_interval_that_cannot_be_computed():
    assert present.estimate(0.47, 0.17, 0.84) == "47% (95% CI 17%–84%)"
    assert present.estimate(0.47, math.nan, 0.84) == "47%"


def test_labels_for_ids():
    assert present.council("barking_and_dagenham") == "Barking and Dagenham"
    assert present.council("all") == "All councils"
    assert present.division("childrens_social_care") == "Children's social care"
    assert present.division("some_new_division") == "Some new division"
    assert present.flag("total_mismatch;conflicting_sources") == "total does not equal its parts; printed differently elsewhere"
    assert present.humanise("lack_of_action") == "Lack of action"


def test_citation_is_short_and_links_to_the_rendered_report_line():
    c = present.citation(f"{BROMLEY_2023}:94")
    assert c.text == "Bromley 2023-24 report, line 94"
    assert c.href == "reports/bromley_2023-24_complaints-and-compliments-annual-report.html#L94"
    assert present.citation(BROMLEY_2023, 94) == c
    linked = present.link_sources(f"as printed (`{BROMLEY_2023}:94`)")
    assert "data/raw" not in linked and "[Bromley 2023-24 report, line 94](../reports/" in linked
    assert present.report_name("data/raw/barking-and-dagenham_2018-19_social-care.txt") == "Barking and Dagenham 2018-19 report"


def test_table_has_no_index_human_headers_and_no_raw_floats():
    frame = pd.DataFrame({"chosen_value": [44.0, 5932.0, math.nan], "pct_change": [-51.282051, math.inf, 3.0],
                          "division": ["education", "all", "housing"], "source": [f"{BROMLEY_2023}:94", "", ""]})
    out = present.table(frame, kinds={"pct_change": "change"}).to_html()
    text = re.sub(r"<[^>]+>", " ", out)
    for raw in ("44.000000", "5932.000000", "-51.282051", "nan", "inf", "chosen_value", "data/raw"):
        assert raw not in text
    for shown in ("Chosen value", "5,932", "-51%", "—", "Education", "Whole council", "Bromley 2023-24 report, line 94"):
        assert shown in text
    assert 'class="row_heading' not in out  # no index column


def test_no_study_or_notebook_formats_numbers_or_names_by_itself():
    """Formatting and naming go through analysis.present: no per-cell Styler.format, no ad-hoc id → words."""
    offenders = []
    files = [*(ROOT / "src" / "analysis").rglob("*.py"), *(ROOT / "notebooks").glob("*.ipynb")]
    for path in files:
        if path.name == "present.py":
            continue
        text = path.read_text(encoding="utf-8")
        for pattern in ("style.format(", '.replace("_", " ")', ".replace('_', ' ')", '.replace(\\"_\\", \\" \\")'):
            if pattern in text:
                offenders.append(f"{path.relative_to(ROOT)}: {pattern}")
    assert not offenders, offenders
