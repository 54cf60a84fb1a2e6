"""Printed tokens → numbers and years, on generated tokens (Hypothesis) and the typographic cases
real PDFs print (U+2212 minus, en-dash minus, soft hyphens, OCR letters). Covering set of
``make mutate`` for src/analysis/parsing.py.
"""
from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.parsing import (
    is_missing,
    normalise_pattern,
    normalise_typography,
    parse_number,
    parse_period,
    previous_period,
    slug,
)

PROPERTY = settings(max_examples=80, deadline=None, derandomize=True, database=None)
MINUS = ["-", "\u2212", "\u2013"]  # hyphen-minus, minus sign (U+2212), en dash as PDFs print them


@PROPERTY
@given(st.integers(0, 10**9), st.sampled_from(["", "%", "£"]))
def test_a_number_printed_with_thousands_commas_parses_to_itself(n, style):
    token = f"£{n:,}" if style == "£" else f"{n:,}{style}"
    parsed = parse_number(token)
    assert parsed.value == n and not parsed.ocr_repaired
    assert parsed.unit == {"": "count", "%": "percent", "£": "gbp"}[style]


@PROPERTY
@given(st.integers(1, 10**6), st.integers(0, 99), st.sampled_from(MINUS), st.booleans())
def test_every_printed_minus_gives_a_negative_number(whole, hundredths, minus, spaced):
    token = f"{minus}{' ' if spaced else ''}{whole:,}.{hundredths:02d}%"
    parsed = parse_number(token)
    assert parsed.unit == "percent"
    assert parsed.value == pytest.approx(-(whole + hundredths / 100))
    assert parse_number(f"+{whole}").value == whole


@pytest.mark.parametrize("token, value", [("\u221217.6%", -17.6), ("\u20135", -5.0), ("\u2212 1,108", -1108.0)])
def test_unicode_minus_signs(token, value):
    assert parse_number(token).value == value


@PROPERTY
@given(st.integers(1000, 10**9))
def test_space_grouped_thousands_parse(n):
    token = f"{n:,}".replace(",", " ")
    assert parse_number(token).value == n


@pytest.mark.parametrize("token", ["1,10", "12,34", "1,1080", "1,10,8", ",108"])
def test_malformed_thousands_groups_are_not_numbers(token):
    assert parse_number(token) is None


@pytest.mark.parametrize("token, value", [("1l", 11.0), ("l0", 10.0), ("1I0", 110.0), ("2I%", 21.0), ("1O", 10.0)])
def test_ocr_letters_for_digits_are_repaired_and_marked(token, value):
    parsed = parse_number(token)
    assert (parsed.value, parsed.ocr_repaired) == (value, True)
    assert parse_number(token, allow_ocr=False) is None


@pytest.mark.parametrize("token", ["TBC", "tbc", "N/K", "n.a.", "None", " - ", "\u2014"])
def test_missing_tokens(token):
    assert is_missing(token) and parse_number(token) is None


@PROPERTY
@given(st.integers(1990, 2098), st.sampled_from(["{a}/{b2}", "{a}-{b2}", "{a} \u2013 {b2}", "{a}/{b4}", "{a2}/{b2}",
                                                 "FY {a}-{b2} outturn", "{a}\u2014{b4}"]))
def test_a_financial_year_in_any_printed_style(year, style):
    label = style.format(a=year, a2=f"{year % 100:02d}", b2=f"{(year + 1) % 100:02d}", b4=year + 1)
    expected = f"{year}-{(year + 1) % 100:02d}"
    if "{a2}" in style and year < 2000:
        expected = f"{2000 + year % 100}-{(year + 1) % 100:02d}"  # a 2-digit year is read as 20xx
    assert parse_period(label) == expected
    assert previous_period(expected) == f"{int(expected[:4]) - 1}-{int(expected[:4]) % 100:02d}"


@pytest.mark.parametrize("label", ["20/213", "120/21", "2019/2021", "page 19-21"])
def test_labels_that_are_not_a_financial_year(label):
    assert parse_period(label) is None


def test_typography_is_made_comparable():
    assert normalise_typography("2019\u221220") == "2019-20"  # minus sign
    assert normalise_typography("Com\u00adplaints") == "Complaints"  # soft hyphen (PDF line breaks)
    assert normalise_typography("\ufb01nance") == "finance"  # a ligature alone in a word
    assert normalise_typography("Children\u2019s") == "Children's"


def test_a_template_pattern_keeps_its_dashes_literal_inside_a_class():
    pattern = re.compile(normalise_pattern("2019[/\u2013x]20"))
    assert pattern.fullmatch("2019-20") and pattern.fullmatch("2019/20") and pattern.fullmatch("2019x20")
    assert not pattern.fullmatch("2019520")  # an unescaped dash would make a range /…x


@pytest.mark.parametrize("text, expected", [("Barking & Dagenham", "barking_and_dagenham"), ("B&D", "b_and_d"),
                                            ("Harrow (Council)", "harrow_council"), ("  Bromley\u00a0", "bromley")])
def test_slug(text, expected):
    assert slug(text) == expected
