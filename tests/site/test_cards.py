"""The front page's card charts (src/analysis/site/cards.py): drawn from a question's primary, so a card's
chart shows the card's own number and range, in the words every page uses, beside "no change"."""
from __future__ import annotations

import base64
import re

import pytest
from test_bulletin import CHART_NOTATION

from analysis.site.cards import estimate_chart
from analysis.studies.primary import Primary


def primary(**overrides) -> Primary:
    # Bromley 2023-24: 25 of 34 contracted-provider aspects upheld against 57 of 120 in-house
    # (bromley_2023-24…txt:275, :287), a gap of +26 pts; the record's numbers as 03_contracted_services writes them
    values = dict(question="contracted", finding="A gap of +26 percentage points (likely range +1 to +44).",
                  value=26.029412, low=1.223231, high=44.264176, unit="percentage points",
                  interval_kind="95% likely range", councils=("bromley",), years=("2023-24",), strength="unclear",
                  reason="it flips", caveat="", null=0.0, counts="aspects")
    return Primary(**(values | overrides))


def drawn(uri: str) -> tuple[str, list[str]]:
    svg = base64.b64decode(uri.split(",", 1)[1]).decode("utf-8")
    return svg, [re.sub(r"<[^>]+>", "", t).strip() for t in re.findall(r"<text\b[^>]*>(.*?)</text>", svg, re.S)]


@pytest.mark.parametrize("record, number, interval", [
    ({}, "+26 pts", "likely range +1 to +44 pts"),
    # 05_covid_dip: Bromley 445 → 310 complaints, a rate ratio of 0.70 (0.52 to 0.93); no change is 1
    ({"question": "covid", "value": 0.696629, "low": 0.520888, "high": 0.931663, "unit": "rate ratio", "null": 1.0,
      "counts": "complaints", "years": ("2019-20", "2020-21")}, "0.70", "likely range 0.52 to 0.93"),
    # 04_sen_surge: the axis runs below 0 (a tick at −10, with a true minus sign)
    ({"question": "sen", "value": 31.355648, "low": 9.927205, "high": 56.961203, "unit": "% a year",
      "counts": "complaints"}, "+31% a year", "likely range +10 to +57% a year"),
])
def test_the_card_chart_draws_the_cards_number_its_range_and_no_change(record, number, interval):
    p = primary(**record)
    uri, alt = estimate_chart(p)
    assert uri.startswith("data:image/svg+xml;base64,")
    svg, lines = drawn(uri)
    assert number in lines and interval in lines and "no change" in lines, lines
    if record.get("question") == "sen":
        assert "\u221210" in lines, lines
    assert alt.startswith(f"{number}, {interval}") and "no change" in alt and "Bromley" in alt
    text = "\n".join(lines)
    assert not [name for name, pattern in CHART_NOTATION.items() if pattern.search(text)], text
    sizes = [float(s) for s in re.findall(r"font(?:-size)?:\s*(?:[a-z-]+\s+)*?([\d.]+)px", svg)]
    assert sizes and min(sizes) >= 11.5  # 11 px or more once shrunk to a 390 px phone's card
    width = float(re.search(r'viewBox="0 0 ([\d.]+)', svg).group(1))
    assert width <= 4.5 * 72 * 1.02  # never wider than the chart's slot (wider would shrink its text)


def test_a_primary_without_a_number_gets_no_card_chart():
    assert estimate_chart(primary(value=None, low=None, high=None, strength="not estimable", reason="no data")) is None
