"""The token parsers: every printed style seen in the five reports."""
import pytest

from analysis.parsing import clean_label, is_missing, parse_number, parse_period, previous_period, slug


@pytest.mark.parametrize(
    "token, value, unit",
    [
        ("1,108", 1108, "count"),  # bromley_2023-24…txt:146 (causes total)
        ("35%", 35, "percent"),
        ("-17.6%", -17.6, "percent"),  # bromley_2019-20…txt:614
        ("+25%", 25, "percent"),  # bromley_2023-24…txt:168
        ("£5,822.59", 5822.59, "gbp"),  # bromley_2023-24…txt:231
        ("£0.00", 0, "gbp"),
        ("-1,688", -1688, "count"),  # bromley_2019-20…txt:342 (savings table)
        (" 42 ", 42, "count"),
    ],
)
def test_parse_number_styles(token, value, unit):
    parsed = parse_number(token)
    assert parsed.value == pytest.approx(value)
    assert parsed.unit == unit
    assert not parsed.ocr_repaired


@pytest.mark.parametrize("token", ["-", "n/a", "N/A", "N/K", "", "  ", "_", None, "–"])
def test_missing_is_not_zero(token):
    assert is_missing(token)
    assert parse_number(token) is None


def test_words_are_not_numbers():
    assert parse_number("Data not") is None
    assert parse_number("Joint 7 th") is None


def test_ocr_letter_for_digit_is_repaired_and_marked():
    parsed = parse_number("1o")
    assert parsed.value == 10 and parsed.ocr_repaired
    assert parse_number("o") is None  # a lone letter is not a figure
    assert parse_number("1o", allow_ocr=False) is None


@pytest.mark.parametrize(
    "label, period",
    [
        ("2019/20", "2019-20"),
        ("2019-20", "2019-20"),
        ("2019 - 20", "2019-20"),
        ("2021 – 22", "2021-22"),
        ("2019-2020", "2019-20"),
        ("2021 - 2022", "2021-22"),
        ("20/21", "2020-21"),
        ("% 2023/24", "2023-24"),
        ("1999/00", "1999-00"),
        ("Annual report 2023-2024", "2023-24"),
    ],
)
def test_parse_period_styles(label, period):
    assert parse_period(label) == period


@pytest.mark.parametrize("label", ["2019/21", "Q1", "Referrals", "", None, "2,635"])
def test_parse_period_rejects_non_years(label):
    assert parse_period(label) is None


def test_small_helpers():
    assert previous_period("2019-20") == "2018-19"
    assert previous_period("2000-01", 2) == "1998-99"
    assert clean_label("  Lack   of\tAction ") == "Lack of Action"
    assert slug("Barking & Dagenham") == "barking_and_dagenham"


def test_typography_is_normalised_for_matching_only():
    import re

    from analysis.parsing import normalise_pattern, normalise_typography

    printed = "Children\u2019s\u00a0Social\u200bCare \u2013 \ufb01nance \u201cdelay\u201d"
    assert normalise_typography(printed) == "Children's SocialCare - finance \"delay\""
    # a template's en dash, in a character class or not, still matches a plain hyphen
    assert re.search(normalise_pattern(r"^Table 2\s*[–-]\s*Volume"), "Table 2 - Volume")
    assert re.search(normalise_pattern(r"Appendix 3 – Children"), normalise_typography("Appendix 3 \u2014 Children"))


def test_label_matching_ignores_typography_but_keeps_the_printed_label():
    from analysis.clean.extract.engine import label_matches

    assert label_matches(r"Children's Social Care", "Children\u2019s Social Care")
    assert label_matches(r"CHILDREN'?S SOCIAL CARE", "CHILDREN\u2019S\u00a0SOCIAL CARE")
    assert not label_matches(r"Children's Social Care", "Childrens Social Care Team")


def test_a_prose_figure_is_read_by_any_template_with_its_line():
    from analysis.clean.extract.engine import ProseFigure, RawReport, Section, read_prose_figures

    from conftest import SEED_ROOT as ROOT

    name = "data/raw/bromley_2023-24_complaints-and-compliments-annual-report.txt"
    report = RawReport.load(ROOT, name, "bromley", "2023-24")
    # bromley_2023-24…:236 "The Adult Social Care division was the subject of 90 complaints during 2023-24, an increase from 73 last year."
    figures = [ProseFigure("asc_complaints", r"Adult Social Care division was the subject of (?P<value>\d+) complaints during (?P<period>\d{4}-\d{2})", "complaints", "all"),
               ProseFigure("asc_complaints_previous", r"Adult Social Care division .* an increase from (?P<value>\d+) last year", "complaints", "all", period="previous")]
    this_year, last_year = read_prose_figures(figures, report, Section(1, len(report.lines), {"division": "adult_social_care"}))
    assert (this_year.value, this_year.period, this_year.source_line) == (90, "2023-24", 236)
    assert (last_year.value, last_year.period, last_year.source_line) == (73, "2022-23", 236)


def test_shift_years_moves_every_year_on_in_its_own_style():
    from analysis.parsing import shift_years

    # bromley_2023-24…txt:3 "Complaints & Compliments Annual Report 2023-2024"; column heads "2019/20 … 2023/24"
    assert shift_years("Complaints & Compliments Annual Report 2023-2024") == "Complaints & Compliments Annual Report 2024-2025"
    assert shift_years("Division\t2019/20\t2023/24\tsince 2019") == "Division\t2020/21\t2024/25\tsince 2020"
    assert shift_years("1,108 aspects, 17 days") == "1,108 aspects, 17 days"
