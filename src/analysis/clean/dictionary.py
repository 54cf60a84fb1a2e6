"""The data dictionary of the clean tables, kept as data so a test can hold the tables to it.

``docs/data_dictionary.md`` is rendered from here (``python -m analysis.clean.dictionary``); a
test fails when a measure, table column or flag in ``data/clean`` is not documented, or
when the Markdown is stale.
"""
from __future__ import annotations

import csv
import sys
from pathlib import Path

from .claims import VERDICTS
from .quality import FLAG_CODES, flag_severity
from .reconcile import CONFLICT_KINDS, RULES

OBSERVATION_COLUMNS = {
    "council": "council id, snake_case (`bromley`, `barking_and_dagenham`, …)",
    "period": "financial year the figure belongs to, `YYYY-YY` (the column's year, not the report's)",
    "quarter": "`Q1`–`Q4` of that financial year (April–June is Q1); empty for whole-year figures",
    "report_period": "financial year of the report the figure was printed in",
    "division": "harmonised department (vocabulary in the contract): adult_social_care, childrens_social_care, education, housing, planning_regeneration, chief_executives, environment_public_protection, public_health, corporate, all",
    "service": "team, service, organisation, channel or enquiry type exactly as printed; empty for division totals",
    "category": "nature of complaint / root cause exactly as printed; empty where the row is not a category",
    "category_std": "harmonised root-cause code for `category`, from data/reference/root_cause_crosswalk.csv (codes and definitions: data/reference/root_cause_taxonomy.csv; `not_a_cause` for enquiry types and contact methods; empty where `category` is empty or not yet mapped)",
    "stage": "stage_1, stage_2, stage_3, ombudsman, representation, enquiry, or all (report does not split by stage)",
    "measure": "what is counted (see Measures)",
    "value": "the number as printed (`1,108` → 1108, `35%` → 35, `£5,822.59` → 5822.59); missing cells are not emitted",
    "unit": "count, percent (0–100 scale) or gbp",
    "source_file": "the raw report, relative to the project root",
    "source_line": "1-based line in source_file where this value's token is printed",
    "table": "stable id of the printed table (or `prose`): which table of which report, and what its counts count, under Table ids",
    "quality_flag": "empty when clean; otherwise `;`-separated flag codes (see Quality flags)",
}

RECONCILED_COLUMNS = {
    "council … measure": "the key: council, period, quarter, division, service, category, stage, measure",
    "value": "the chosen value",
    "unit": "as in observations",
    "rule": "the rule that chose the value (see Reconciliation rules)",
    "n_sources": "how many printed figures share the key",
    "n_values": "how many distinct values they print (1 = they agree)",
    "source_file, source_line, table, report_period": "where the chosen value is printed",
    "quality_flag": "the chosen observation's flags",
    "alternatives": "JSON list of every other printed figure of the key: value, source_file, source_line, table, report_period",
}

CONFLICT_COLUMNS = {
    "council … measure": "the key",
    "kind": "what disagrees (see Conflict kinds): two printed figures, or a printed figure and what other printed figures give",
    "chosen_value, chosen_source": "the reconciled (or printed) value and its file:line",
    "other_value, other_source": "a disagreeing figure and its file:line (for a derived value: the lines it is derived from, comma-separated; the file alone, and other_value empty, when the extractor that flagged it did not record them)",
    "rule": "the rule that chose between them",
}

CLAIM_COLUMNS = {
    "council, report_period, source_file, source_line": "the report and the prose line the claim is printed on",
    "division, period, measure, category": "the quantity the claim is about, as the vocabulary reads it (empty when no quantity of the vocabulary reads the figure); category: the nature-of-complaint row a share is about",
    "unit": "count or percent (a % change is a percent)",
    "claimed_value": "the figure as the prose states it (a reduction as a negative % change)",
    "quantity": "the vocabulary pattern that read it (analysis.clean.claims.VOCABULARY), or unclassified",
    "text": "the words the pattern matched",
    "verdict": "confirmed, wrong or not_checkable (see Claim verdicts)",
    "computed_value, computed_source": "what the report's tables give for the quantity, and the file:lines it is computed from",
    "reason": "why a claim is not checkable, or how the computed value was made",
}

SKIPPED_TABLE_COLUMNS = {
    "source_file, council, report_period": "the report (as in observations)",
    "table": "the template's id of the table (or prose figure) not read; `<template> template` when the template could not read the report at all",
    "first_line, last_line": "the lines searched for it (not found) or read before it failed (unreadable)",
    "failed_line": "the line where reading it failed; empty when the table was not found",
    "whole_report": "`true` when the template could not read the report at all and the generic reader read the whole report instead",
    "reason": "why, as the template says it (the anchor it looked for, the cell it could not read…)",
    "message": "the same in one sentence, as `python -m analysis clean` prints it",
}

# Core measures (the contract's) and every project measure, one line each.
MEASURES = {
    "complaints": "complaints received (or closed, where the table says so)",
    "mentions": "Bromley: services named in complaints (a complaint can name several)",
    "aspects": "Bromley: individual grievances within complaints (a complaint can have several)",
    "upheld": "complaints/aspects fully upheld",
    "partially_upheld": "complaints/aspects partly upheld",
    "not_upheld": "complaints/aspects not upheld",
    "ongoing": "complaints/aspects not yet decided when the report was written",
    "withdrawn": "complaints withdrawn",
    "resolved_early": "resolved upon receipt / at first contact / informally",
    "answered_on_time": "complaints/aspects answered within the target time",
    "cases_due": "cases due a response in the period",
    "representations": "Harrow: potential complaints resolved informally",
    "enquiries": "MP / Councillor / Mayor / Chief Executive / general enquiries (type in service)",
    "compliments": "compliments received",
    "ombudsman_referrals": "complaints and enquiries the Ombudsman received about the council",
    "ombudsman_investigations": "Ombudsman detailed investigations",
    "ombudsman_upheld": "Ombudsman decisions upholding the complaint",
    "ombudsman_decisions": "Ombudsman decisions made",
    "ombudsman_not_upheld": "Ombudsman decisions not upholding the complaint",
    "ombudsman_declined": "Ombudsman declined to investigate",
    "ombudsman_ongoing": "Ombudsman cases open at the report's date",
    "ombudsman_closed_nfa": "closed after initial enquiries, no further action",
    "ombudsman_no_jurisdiction": "closed: outside the Ombudsman's jurisdiction",
    "ombudsman_premature": "closed: premature (council's own procedure not finished)",
    "ombudsman_not_upheld_nfa": "investigated, not upheld, no further action",
    "ombudsman_no_maladministration": "investigated, not upheld: no maladministration",
    "ombudsman_upheld_nfa": "upheld, no further action",
    "ombudsman_maladministration_injustice": "upheld: maladministration and injustice",
    "ombudsman_maladministration_no_injustice": "upheld: maladministration, no injustice",
    "ombudsman_already_remedied": "upheld: council had already remedied",
    "pct_on_time": "% answered within the target time",
    "pct_upheld": "% fully upheld",
    "pct_partially_upheld": "% partly upheld",
    "pct_upheld_or_partially": "% fully or partly upheld",
    "pct_of_total": "a row's share of its table's total, %",
    "pct_change": "% change on the previous year (for rows that are themselves percentages, some reports print the point difference)",
    "pct_ombudsman_upheld": "% of Ombudsman decisions upheld",
    "compensation_gbp": "compensation / backdated payments, £",
    "charges_written_off_gbp": "charges written off, £",
    "time_and_trouble_gbp": "time and trouble payments, £",
    "expert_fees_gbp": "expert fees, £",
    "financial_total_gbp": "total financial consequences of complaints, £",
    "pct_not_upheld": "% not upheld (Bromley % rows; the generic reader)",
    "pct_ongoing": "Bromley % rows: % ongoing",
    # Lewisham, Harrow and Barking & Dagenham measures beyond the contract's core.
    "accepted_for_investigation": "Lewisham: complaints accepted for investigation at the stage",
    "pct_accepted_for_investigation": "Lewisham: % of requests accepted for investigation",
    "rejected": "Lewisham: requests rejected (not accepted into the procedure)",
    "answered_late": "Harrow: complaints answered over the timescale",
    "cases": "Lewisham CYP: new cases of every type (complaints, comments, compliments, enquiries) together",
    "cases_compensated": "Lewisham: cases awarded compensation",
    "average_compensation_gbp": "Lewisham: average compensation per compensated case, £",
    "cases_due_variance": "Lewisham: difference in cases due between the two printed years (unsigned, as printed)",
    "pct_on_time_variance": "Lewisham: difference in % on time between the two printed years, points (unsigned, as printed)",
    "comments": "Lewisham CYP: comments received (feedback that is neither complaint nor compliment)",
    "complaints_and_enquiries": "Lewisham: complaints and enquiries together (the yearly volume chart)",
    "complaints_decided": ("complaints decided (closed with an outcome) in the period: the total of an outcomes "
                           "table (Lewisham, Harrow). Not `complaints` (received): the same report prints both and "
                           "they differ, e.g. Lewisham Council stage 1 2020-21 1,799 decided (line 559) against "
                           "1,926 received (line 142); Harrow Children and Families 2019-20 33 (line 453) against "
                           "31 (lines 296, 467, 505). One name would make the reconciled view pick one of two "
                           "different quantities."),
    "upheld_or_partially_upheld": "complaints/aspects fully or partly upheld, counted together",
    "pct_escalated": "Harrow: % of complaints escalated to the next stage (or representations to formal complaints)",
    "pct_resolved_early": "% resolved early (upon receipt / informally)",
    "pct_resolved_upon_receipt": "Lewisham: % resolved upon receipt",
    "pct_withdrawn": "Lewisham: % withdrawn",
    "resolved_upon_receipt": "Lewisham: complaints resolved upon receipt (printed apart from other early resolutions)",
    "responded_in_0_10_working_days": "Lewisham ASC: complaints answered in 0-10 working days",
    "responded_in_11_25_working_days": "Lewisham ASC: complaints answered in 11-25 working days",
    "responded_in_26_60_working_days": "Lewisham ASC: complaints answered in 26-60 working days",
    "responded_in_61_plus_working_days": "Lewisham ASC: complaints answered in 61 or more working days",
    "transactions": "Harrow: all contacts handled by the complaints service ('transactions')",
    # Bromley measures beyond the contract's core.
    "pct_of_mentions": "Bromley % rows: a service's share of all mentions in its table, %",
    "pct_ombudsman_investigated": "Bromley (Ombudsman annual letter): % of referrals the Ombudsman investigated",
    "pct_ombudsman_upheld_london_average": "Bromley (Ombudsman annual letter): London boroughs' average % of investigations upheld (not Bromley's own figure)",
    # The generic reader (reports with no template: analysis.clean.extract.generic).
    "unlabelled": ("a figure the generic reader found but whose meaning (measure or year) the printed text does not "
                   "tell it: kept, never guessed. `service` holds the printed row text (for a sentence, the words "
                   "around the figure), `category` the printed column text (`sentence` for a figure in a sentence), "
                   "`period` the column's year where it names one, else the report's; flagged `unlabelled`. Not for analysis "
                   "until a person (or a vocabulary row in data/reference/vocabulary.csv) labels it"),
}
# A "% change" / "% on prev. year" printed beside rows of different measures (Bromley's at-a-glance
# and Ombudsman letter tables): pct_change_<measure> is the change in that row's measure.
MEASURES.update({
    f"pct_change_{m}": f"% change on the previous year of `{m}` (a point difference where `{m}` is itself a %)"
    for m in ("complaints", "compliments", "pct_on_time", "pct_upheld", "pct_partially_upheld", "ombudsman_referrals",
              "ombudsman_investigations", "ombudsman_upheld", "pct_ombudsman_investigated", "pct_ombudsman_upheld",
              "pct_ombudsman_upheld_london_average", "financial_total_gbp")
})

# Flags set by an extractor (not computed by analysis.quality) where it reads a cell with care.
EXTRACTION_FLAGS = {
    "division_approximate": "the printed department spans two divisions; the nearest one is given",
    "label_stray_digit_removed": "the row label had a stray digit (e.g. '4Joint Commissioning'); the label is read without it",
    "ocr_spacing_repaired": "OCR lost the spaces between single-digit figures ('100' for '1 0 0'); each digit read as one figure",
    "unsigned_change": "a % change printed without its sign ('% increase / decrease'); the value is as printed",
    "unlabelled": "the generic reader could not tell what the figure measures or which year it is for (measure `unlabelled`; printed row and column text in `service` and `category`)",
}


def _table(title: str, rows: dict[str, str], head: tuple[str, str]) -> str:
    lines = [f"## {title}", "", f"| {head[0]} | {head[1]} |", "|---|---|"]
    lines += [f"| `{k}` | {v} |" for k, v in rows.items()]
    return "\n".join(lines) + "\n"


TABLE_IDS = Path(__file__).with_name("table_ids.csv")  # reviewed: what each `table` id reads, and its counting base


def table_ids() -> dict[str, dict[str, str]]:
    """``table`` id → {reports, what, counting_base} (src/analysis/clean/table_ids.csv)."""
    with TABLE_IDS.open(encoding="utf-8", newline="") as handle:
        return {row["table"]: row for row in csv.DictReader(handle)}


def _table_ids_section() -> str:
    lines = ["## Table ids", "",
             "What each `table` id reads, and what its counts count (the *counting base*). Bromley's nature and "
             "service tables count **aspects** (one complaint can raise several; Bromley 2023-24 prints 1,108 aspects in "
             "its causes table), Harrow's adults' tables count complaint **transactions**, most others **complaints**; "
             "Ombudsman tables count **cases**. A blank base: the table prints rates or money only, or does not say what "
             "its counts count. Compare counts only within one base.", "",
             "| table | reads | counting base |", "|---|---|---|"]
    lines += [f"| `{t}` | {row['what']} | {row['counting_base'] or '—'} |" for t, row in sorted(table_ids().items())]
    return "\n".join(lines) + "\n"


def _flags_section() -> str:
    lines = ["## Quality flags", "",
             "Severity **error**: the figure, or another printing of the same figure, is wrong or could not be read "
             "— check it before use. **note**: informational; the figure stands as printed. "
             "`analysis.clean.quality.has_error_flag(quality_flag)` tells them apart.", "",
             "| code | severity | meaning |", "|---|---|---|"]
    lines += [f"| `{code}` | {flag_severity(code)} | {text} |" for code, text in {**FLAG_CODES, **EXTRACTION_FLAGS}.items()]
    return "\n".join(lines) + "\n"


def render_markdown() -> str:
    """The data dictionary as Markdown."""
    parts = [
        "# Data dictionary\n\n"
        "Generated from `src/analysis/clean/dictionary.py` by `python -m analysis.clean.dictionary`; do not edit by hand.\n\n"
        "Tables in `data/clean/` (each as `.csv` and `.parquet`, same rows, deterministic order):\n\n"
        "- `observations` — every printed figure, one row per figure per source line "
        "(the data contract: `docs/contract/OBSERVATIONS.md` in the repository, a copy of the shared "
        "contract; `python -m analysis check` runs its checker). Missing cells (`-`, `n/a`, `N/K`, blank) "
        "are not emitted: missing is never zero.\n"
        "- `reconciled` — one row per key with the chosen value, the rule and every alternative.\n"
        "- `conflicts` — every pair of sources that print one key differently, and every failed table relation.\n"
        "- `claims` — every numeric claim of the reports' narrative, with its verdict against the tables.\n"
        "- `skipped-tables.csv` (CSV only) — every table a report's template did not read (not found where the "
        "template looks, or printed in a way it cannot read safely): that table's figures are missing, the report's "
        "other tables were read. A header alone when every table was read.\n\n"
        "Load them with `analysis.data` (`load_observations()`, `load_reconciled()`, `load_conflicts()`, "
        "`load_claims()`): text columns hold `''` for empty, as in the Parquet files. With pandas alone, read the "
        "CSV files with `pd.read_csv(path, dtype=str, keep_default_na=False)` to get the same `''` (plain "
        "`pd.read_csv` turns empty cells into NaN).\n",
        _table("Columns of observations", OBSERVATION_COLUMNS, ("column", "meaning")),
        _table("Columns of reconciled", RECONCILED_COLUMNS, ("column", "meaning")),
        _table("Columns of conflicts", CONFLICT_COLUMNS, ("column", "meaning")),
        _table("Columns of claims", CLAIM_COLUMNS, ("column", "meaning")),
        _table("Columns of skipped-tables.csv", SKIPPED_TABLE_COLUMNS, ("column", "meaning")),
        _table("Measures", MEASURES, ("measure", "meaning")),
        _flags_section(),
        _table_ids_section(),
        _table("Reconciliation rules", RULES, ("rule", "meaning")),
        _table("Conflict kinds", CONFLICT_KINDS, ("kind", "meaning")),
        _table("Claim verdicts", VERDICTS, ("verdict", "meaning")),
    ]
    return "\n".join(parts)


def main() -> int:
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("docs/data_dictionary.md")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(render_markdown(), encoding="utf-8")
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
