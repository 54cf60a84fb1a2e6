"""Charts a phone can read: colours at 3:1 against white, text that stays at least 11 px in the narrowest
slot, more than three lines labelled directly, each chart's numbers kept as CSV and in its alt text."""
from __future__ import annotations

import re

import matplotlib.pyplot as plt
import pytest

from analysis import charts


def test_contrast_ratio_matches_wcag_examples():
    assert charts.contrast_ratio("#000000") == pytest.approx(21.0)
    assert charts.contrast_ratio("#FFFFFF") == pytest.approx(1.0)
    assert charts.contrast_ratio("#767676") == pytest.approx(4.54, abs=0.01)  # WCAG's grey on white


def test_every_palette_colour_has_3_to_1_contrast_against_white():
    low = {c: round(charts.contrast_ratio(c), 2) for c in charts.PALETTE if charts.contrast_ratio(c) < 3}
    assert not low, low
    assert len(set(charts.PALETTE)) == len(charts.PALETTE) >= 8


def _svg_font_ratio(svg: str) -> float:
    """The smallest text as a fraction of the chart's width (both in the SVG's units)."""
    width = float(re.search(r'viewBox="0 0 ([\d.]+)', svg).group(1))
    sizes = [float(s) for s in re.findall(r"font(?:-size)?:\s*(?:[a-z-]+\s+)*?([\d.]+)px", svg)]
    return min(sizes) / width


def test_a_wide_eight_series_chart_is_relaid_for_a_phone():
    charts.setup()
    fig, ax = plt.subplots(figsize=(9, 4.5))
    for i in range(8):
        ax.plot([0, 1, 2], [100, 90 - i, 80 + 3 * i], marker="o", label=f"Series {i}")
    ax.set_xticks([0, 1, 2], ["2018-19", "2019-20", "2020-21"])
    ax.set_title("Seven of eight series fell in 2020-21")
    ax.legend(fontsize=7)
    svg, meta = charts.render(fig)
    assert _svg_font_ratio(svg) * charts.NARROWEST_SLOT_PX >= charts.MIN_RENDERED_PX
    assert "legend" not in svg.lower() or svg.count("Series 0") == 1  # labelled once, at the line's end
    assert all(f"Series {i}" in svg for i in range(8))
    assert "2020-21: 101" in meta["alt"]  # Series 7's last value, 80 + 21, in the alt text
    rows = meta["csv"].strip().splitlines()
    assert rows[0] == "series,category,value" and len(rows) == 1 + 8 * 3
    assert "Series 7,2020-21,101.0" in rows


def test_side_by_side_panels_are_stacked():
    charts.setup()
    fig, axes = plt.subplots(1, 3, figsize=(12, 4), sharey=True)
    for i, ax in enumerate(axes):
        ax.bar(["a", "b"], [i + 1, i + 2])
        ax.set_title(f"panel {i}")
    charts.fit_for_phone(fig)
    lefts = {round(ax.get_position().x0, 2) for ax in axes}
    assert len(lefts) == 1  # one column
    assert fig.get_size_inches()[1] > fig.get_size_inches()[0]
    plt.close(fig)
