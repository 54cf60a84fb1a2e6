"""The generic reader on small synthetic reports, one per layout, asserting the exact rows it gives.

Each text is what a converter prints for a small table (tabs, pipes, aligned spaces, a cell per line…)
or a sentence; the rows are (line, period, quarter, stage, measure, value, unit). A figure the text does
not label is kept as `unlabelled` with its printed row and column text, never guessed.
"""
from __future__ import annotations

from analysis.clean.extract.engine import RawReport
from analysis.clean.extract.generic import extract
from analysis.clean.layout import normalise_layout


def read(text: str, period: str = "2024-25") -> list:
    layout = normalise_layout(text.split("\n"))
    report = RawReport("data/raw/somewhere.txt", "somewhere", period, layout.lines, layout.separators)
    return extract(report)


def rows(text: str, period: str = "2024-25") -> list[tuple]:
    return [(o.source_line, o.period, o.quarter, o.stage, o.measure, o.value, o.unit) for o in read(text, period)]


YEARS = [(3, "2023-24", "", "stage_1", "complaints", 351.0, "count"), (3, "2024-25", "", "stage_1", "complaints", 402.0, "count"),
         (4, "2023-24", "", "stage_2", "complaints", 40.0, "count"), (4, "2024-25", "", "stage_2", "complaints", 38.0, "count")]


def test_tab_table_with_year_columns():
    assert rows("Complaints received\nStage\t2023/24\t2024/25\nStage 1\t351\t402\nStage 2\t40\t38\n") == YEARS


def test_markdown_pipe_table_with_a_rule_row():
    text = "Complaints received\n| Stage | 2023/24 | 2024/25 |\n|---|---|---|\n| Stage 1 | 351 | 402 |\n| Stage 2 | 40 | 38 |\n"
    assert rows(text) == [(line + 1, *rest) for line, *rest in YEARS]


def test_columns_aligned_by_spaces():
    text = ("Complaints received\n"
            "Stage          2023/24     2024/25\n"
            "Stage 1            351         402\n"
            "Stage 2             40          38\n")
    assert rows(text) == YEARS


def test_label_then_figures_separated_by_single_spaces():
    text = "Complaints by year\n2022/23 2023/24 2024/25\nAdults Statutory Complaints 73 66 100\n"
    assert rows(text) == [(3, "2022-23", "", "all", "complaints", 73.0, "count"), (3, "2023-24", "", "all", "complaints", 66.0, "count"),
                          (3, "2024-25", "", "all", "complaints", 100.0, "count")]
    assert {o.division for o in read(text)} == {"adult_social_care"}


def test_outcome_columns_and_percentage_cells():
    text = "Outcomes 2024/25\nStage\tUpheld\tPartly upheld\tNot upheld\t% on time\nStage 1\t120\t80\t202\t78%\n"
    assert rows(text) == [(3, "2024-25", "", "stage_1", "upheld", 120.0, "count"),
                          (3, "2024-25", "", "stage_1", "partially_upheld", 80.0, "count"),
                          (3, "2024-25", "", "stage_1", "not_upheld", 202.0, "count"),
                          (3, "2024-25", "", "stage_1", "pct_on_time", 78.0, "percent")]


def test_a_cell_per_line_with_the_year_in_the_caption():
    text = ("Housing complaints - Quarter 1 2024/25:\n\nComplaint Stage\n\nNumber received\n\n% responded within timescales\n\n"
            "Complaints - stage 1\n\n74\n\n92%\n\nComplaints escalated to stage 2\n\n11\n\n100%\n")
    assert rows(text) == [(11, "2024-25", "Q1", "stage_1", "complaints", 74.0, "count"),
                          (13, "2024-25", "Q1", "stage_1", "pct_on_time", 92.0, "percent"),
                          (17, "2024-25", "Q1", "stage_2", "complaints", 11.0, "count"),
                          (19, "2024-25", "Q1", "stage_2", "pct_on_time", 100.0, "percent")]
    assert {o.division for o in read(text)} == {"housing"}


def test_row_labels_above_their_row_of_figures():
    text = "Complaints Statutory Adults\n\nCorporate Complaints\n\nQuarter 1 2024/25\n\n31 276\n\nQuarter 2 2024/25\n\n40 255\n"
    found = read(text)
    assert [(o.source_line, o.period, o.quarter, o.measure, o.value, o.division) for o in found] == [
        (7, "2024-25", "Q1", "complaints", 31.0, "adult_social_care"), (7, "2024-25", "Q1", "complaints", 276.0, "all"),
        (11, "2024-25", "Q2", "complaints", 40.0, "adult_social_care"), (11, "2024-25", "Q2", "complaints", 255.0, "all")]


def test_a_label_with_its_figure_on_the_next_line():
    assert rows("Annual Report 2024-25\n\nCompliments received\n1,234\n") == [(4, "2024-25", "", "all", "compliments", 1234.0, "count")]


def test_this_year_and_last_in_one_cell():
    text = "Complaints received\nStage\t2024/25 (2023/24)\nStage 1\t351 (299)\n"
    assert rows(text) == [(3, "2024-25", "", "stage_1", "complaints", 351.0, "count"),
                          (3, "2023-24", "", "stage_1", "complaints", 299.0, "count")]


def test_a_bracketed_figure_the_header_does_not_explain_is_unlabelled():
    found = read("Complaints received\nStage\t2024/25\nStage 1\t351 (299)\n")
    assert [(o.measure, o.value) for o in found] == [("complaints", 351.0), ("unlabelled", 299.0)]


def test_a_figure_the_vocabulary_cannot_read_is_kept_unlabelled_with_its_row_and_column_text():
    found = read("Activity\nItem\t2023/24\t2024/25\nWidgets repaired\t12\t13\n")
    assert [(o.measure, o.value, o.service, o.category, o.quality_flag, o.period) for o in found] == [
        ("unlabelled", 12.0, "Widgets repaired", "2023/24", "unlabelled", "2023-24"),
        ("unlabelled", 13.0, "Widgets repaired", "2024/25", "unlabelled", "2024-25")]


def test_a_row_and_column_that_disagree_give_no_label():
    found = read("Summary 2024/25\nType\tUpheld\nCompliments\t45\n")
    assert [(o.measure, o.value) for o in found] == [("unlabelled", 45.0)]


def test_a_column_with_no_year_in_a_table_of_years_is_not_placed_in_one():
    found = read("Complaints\nStage\t2023/24\t2024/25\tChange\nStage 1\t351\t402\t51\n")
    assert [(o.period, o.measure, o.value) for o in found][-1] == ("2024-25", "unlabelled", 51.0)


# --- headline figures in sentences ------------------------------------------------------

def test_complaints_received_with_the_earlier_year_of_a_comparison():
    assert rows("We received 110 stage one complaints, up from 76 in 2023/24, across all services in the year.\n") == [
        (1, "2024-25", "", "stage_1", "complaints", 110.0, "count"), (1, "2023-24", "", "stage_1", "complaints", 76.0, "count")]


def test_share_answered_on_time_compared_with_last_year():
    text = "78% of stage 1 complaints were responded to within the target timescales, compared with 60% last year.\n"
    assert rows(text) == [(1, "2024-25", "", "stage_1", "pct_on_time", 78.0, "percent"),
                          (1, "2023-24", "", "stage_1", "pct_on_time", 60.0, "percent")]


def test_upheld_counts_and_shares():
    text = ("Following investigation, 59 stage-one complaints were either upheld or partially upheld, compared to 33 last year.\n"
            "Of those decided, 24 percent being upheld, 26 percent partly upheld and 47 percent not being upheld in the year.\n")
    assert rows(text) == [(1, "2024-25", "", "stage_1", "upheld_or_partially_upheld", 59.0, "count"),
                          (1, "2023-24", "", "stage_1", "upheld_or_partially_upheld", 33.0, "count"),
                          (2, "2024-25", "", "all", "pct_upheld", 24.0, "percent"),
                          (2, "2024-25", "", "all", "pct_partially_upheld", 26.0, "percent"),
                          (2, "2024-25", "", "all", "pct_not_upheld", 47.0, "percent")]


def test_ombudsman_and_compliments_sentences():
    text = ("In 2024/25, 49 complaints and enquiries were registered with the LGSCO about the council.\n"
            "The Ombudsman upheld 4 complaints about the council this year.\n"
            "The Council received 155 compliments about its services in 2024/25.\n")
    assert rows(text) == [(1, "2024-25", "", "ombudsman", "ombudsman_referrals", 49.0, "count"),
                          (2, "2024-25", "", "ombudsman", "ombudsman_upheld", 4.0, "count"),
                          (3, "2024-25", "", "all", "compliments", 155.0, "count")]


def test_counts_listed_after_a_received_count_keep_their_printed_kind():
    text = ("The service had received 10 corporate complaints, which was a 50% decrease compared to the 20 received in "
            "2023/24, and 89 statutory complaints in the year.\n")
    found = read(text)
    s50 = found[0].service
    assert "50% decrease" in s50
    assert [(o.period, o.measure, o.value, o.service) for o in found] == [
        ("2024-25", "unlabelled", 50.0, s50), ("2024-25", "complaints", 10.0, "corporate complaints"),
        ("2023-24", "complaints", 20.0, "corporate complaints"), ("2024-25", "complaints", 89.0, "statutory complaints")]


def test_a_change_between_two_printed_years():
    text = "Member enquiries had increased from 61 in 2022-23 to 63 in 2023-24 and were answered by the service.\n"
    assert rows(text) == [(1, "2022-23", "", "enquiry", "enquiries", 61.0, "count"),
                          (1, "2023-24", "", "enquiry", "enquiries", 63.0, "count")]


def test_a_decrease_in_words_is_kept_as_printed_and_unlabelled():
    text = "The overall number of complaints had decreased by 32%, going from 1,372 in 2023/24 to 931 over the year.\n"
    assert rows(text) == [(1, "2023-24", "", "all", "complaints", 1372.0, "count"),
                          (1, "2024-25", "", "all", "complaints", 931.0, "count"),
                          (1, "2024-25", "", "all", "unlabelled", 32.0, "percent")]  # as printed: a fall in words


def test_a_sentence_figure_no_form_reads_is_kept_unlabelled():
    found = read("We answered 55 requests for information this year from residents who had complained.\n")
    assert [(o.measure, o.value, o.category, o.quality_flag) for o in found] == [("unlabelled", 55.0, "sentence", "unlabelled")]
    assert "55 requests for information" in found[0].service


def test_a_rate_per_thousand_homes_is_not_a_count_of_complaints():
    found = read("In 2024/25 we registered 35 stage 1 complaints per 1000 homes across the housing stock.\n")
    assert [(o.measure, o.value) for o in found] == [("unlabelled", 35.0), ("unlabelled", 1000.0)]


def test_a_quarter_report_sentence_without_its_quarter_is_unlabelled():
    text = "Complaints report Q2 2024/25\n\nThere were 215 complaints received in total this quarter, and most were answered.\n"
    assert [(o.measure, o.value) for o in read(text)] == [("unlabelled", 215.0)]


def test_a_figure_without_a_stage_takes_the_stage_its_sentence_or_lead_bullet_names():
    text = ("• 91.1 percent were resolved at stage one, with:\n"
            "• 83.2 percent being responded to within 15 working days\n"
            "83% of stage-one complaints were responded to within the target timescales, less than last year when "
            "89% of complaints met our target timescales.\n")
    assert [(o.source_line, o.period, o.stage, o.measure, o.value) for o in read(text) if o.measure != "unlabelled"] == [
        (2, "2024-25", "stage_1", "pct_on_time", 83.2), (3, "2024-25", "stage_1", "pct_on_time", 83.0),
        (3, "2023-24", "stage_1", "pct_on_time", 89.0)]


def test_a_list_of_label_dash_figure_lines_under_its_lead_line():
    text = ("During 2023-2024, 54 Stage One housing complaints were received, broken down as follows:\n\n"
            "  • Q1 - 15\n  • Q2 - 14\n\nWe also received 10 Stage Two formal complaint escalations in the year.\n")
    assert [(o.source_line, o.period, o.quarter, o.stage, o.measure, o.value) for o in read(text, "2023-24")] == [
        (3, "2023-24", "Q1", "stage_1", "complaints", 15.0), (4, "2023-24", "Q2", "stage_1", "complaints", 14.0),
        (1, "2023-24", "", "stage_1", "complaints", 54.0), (6, "2023-24", "", "stage_2", "complaints", 10.0)]
