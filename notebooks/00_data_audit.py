# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Complaints study (.venv)
#     language: python
#     name: complaints-study
# ---

# %% [markdown]
# # Data audit: what to check before trusting a number

# %% [markdown] tags=["policy-only"]
# How far to trust the figures the study takes from the councils' reports: how many carry a warning, where two
# printed sources disagree, and what each report gets wrong. The words used are explained in the
# [data dictionary](../docs/data_dictionary.md).

# %% [markdown] tags=["analyst-only"]
# Every figure in this study comes from `data/clean/`, which `python -m analysis clean` builds from
# the raw reports in `data/raw/`. This page shows, for one council's reports or for all of them:
#
# 1. **what was extracted** — a heat map of councils × financial years × divisions × measures;
# 2. **every flagged figure**, with the line it is printed on and, side by side, the line(s) it
#    disagrees with (another report, another table of the same report, or the parts a total should add up to);
# 3. **the reconciliation choices** — which rule settled each figure printed more than once;
# 4. **what the raw files hold that was not extracted** — the extractors' own skip records, and
#    the raw lines holding a digit that no figure cites.
#
# The flag codes, rules and conflict kinds are defined in the [data dictionary](../docs/data_dictionary.md).

# %% tags=["parameters"]
# Parameters (papermill injects run_id)
council = "all"  # "all", or one council of data/raw/manifest.csv, e.g. "barking_and_dagenham"
run_id = "00_data_audit"

# %% [markdown]
# ## How far to trust these figures
#
# In plain words: how many figures carry a quality flag, how many printed sources disagree, and the largest disagreements. The detail follows below (and on the analyst page).

# %%
from analysis.site.parameters import check_parameters  # a typo or an unknown year stops here, naming the known ones
council, _ = check_parameters("00_data_audit", council)

from IPython.display import Markdown, display

from analysis.studies import audit as _audit, trust

display(Markdown(trust.summary(_audit.build(council))))

# %%
import pandas as pd
from IPython.display import Markdown, display

from analysis import charts
from analysis.studies import audit
from analysis.site.findings import save_findings

charts.setup()
pd.set_option("display.max_colwidth", 120, "display.max_rows", 2000)
result = audit.build(council)
skipped = audit.skip_records(council)
findings = audit.findings(result, skipped)
display(Markdown(audit.text_summary(findings)))

# %% [markdown] tags=["analyst-only"]
# The full tables behind this summary — every flagged figure beside the line it disagrees with, the
# reconciliation choices, the raw lines not extracted, and what each report gets wrong — are on the
# **analyst version** of this page, and in `data/clean/` (conflicts, claims).

# %% [markdown] tags=["analyst-only"]
# ## 1. What was extracted
#
# Each cell counts the distinct measures extracted for a division in a financial year (a column's
# year, so a five-year table fills five rows). The second map counts figures per measure.

# %% tags=["analyst-only"]
cov = audit.coverage(result)
grid = audit.coverage_grid(cov)
if grid.empty:
    display(Markdown("No figure was extracted from these reports."))
else:
    charts.show(audit.plot_coverage(grid, audit.title_coverage(grid)))
    measures = audit.measure_grid(cov)
    charts.show(audit.plot_measures(measures, f"{len(measures)} measures extracted; most figures are complaint counts and shares"
                                    if "complaints" in measures.index else f"{len(measures)} measures extracted"))
others = audit.other_councils(result)
if len(others):
    display(Markdown(f"Besides, {int(others.sum())} figures concern {len(others)} other councils printed in these "
                     "reports (Lewisham's London-wide Ombudsman table); they are not in the maps."))

# %% [markdown] tags=["analyst-only"]
# ## 2. Every flagged figure, with its source lines side by side
#
# `printed` is the raw line the figure is read from; `other_printed` the line(s) of what it
# disagrees with: another printed figure of the same key (`across_reports`, `within_report`),
# or the parts of a total (`total_vs_parts`), the count a percentage describes (`pct_vs_counts`),
# the years a % change compares (`pct_change_vs_years`). A figure in several conflicts has a row for each.

# %% tags=["analyst-only"]
display(pd.Series(findings["flags"], name="flagged figures").rename_axis("flag code").to_frame())
display(pd.Series(findings["conflicts"], name="conflicts").rename_axis("kind").to_frame())
table = audit.flagged(result)
display(Markdown(f"{len(table)} rows for {findings['flagged_observations']} flagged figures:"))
display(audit.shorten(table))

# %% [markdown] tags=["analyst-only"]
# ## 3. The reconciliation choices
#
# The reconciled table (`data/clean/reconciled.csv`) holds one value per key. When sources
# agree the rule is `single_value`; when they disagree, the report covering the figure's own year
# wins (`own_year_report`), else the latest report, else a table over prose, else the first
# printed (`first_printed`: unresolved, listed here for a person to judge).

# %% tags=["analyst-only"]
display(pd.Series(findings["rules"], name="keys").rename_axis("rule").to_frame())
disputed = audit.choices(result)
display(Markdown(f"{len(disputed)} keys have sources that disagree:"))
display(audit.shorten(disputed))

# %% [markdown] tags=["analyst-only"]
# ## 4. What the raw files hold that was not extracted
#
# First the extractors' own records of tables and passages they skip, and why. Then a rough
# measure: raw lines holding a digit that no figure cites and no skip record covers. Many are
# dates, page numbers, headings or prose (“a decrease of 20 cases”); the examples show which.

# %% [markdown] tags=["analyst-only"]
# ### Tables this clean could not read
#
# A table a report does not print where its council's template looks, or prints in a way the
# template cannot read without risk of putting a figure in the wrong cell, is skipped whole and
# recorded in `data/clean/skipped-tables.csv`: it costs that table only, never the report.

# %% tags=["analyst-only"]
display(Markdown(audit.skipped_tables_text(audit.skipped_tables(council))))

# %% tags=["analyst-only"]
display(audit.shorten(skipped))
display(audit.shorten(audit.uncited_lines(result, skipped)))
display(audit.shorten(audit.uncited_examples(result, skipped)))

# %% [markdown]
# ## Quality statement
#
# For each report, in the manner of an official-statistics quality statement: how much of it was
# read (coverage: raw lines holding a digit that no figure uses and no skip record covers), and how
# far its figures agree with each other and with its own narrative (accuracy).

# %%
display(Markdown(audit.quality_statement(result, skipped)))

# %% [markdown]
# ## What each report gets wrong
#
# Every check of a report's tables against each other that fails — a total against its parts,
# outcomes against the aspects they split, a percentage against its counts, a % change or variance
# against its years, an overall rate against its rows' weighted mean, a year repeating last year's
# figures, one figure printed twice with two values — and every narrative claim its own tables
# contradict. The printed figure is kept as printed (and flagged in the data); beside it is what the
# report's other figures give, and the lines they are printed on. Rounding tolerance: 1 point on
# percentages; counts must agree exactly.

# %% tags=["policy-only"]
for source_file, counts in findings["reports"].items():
    display(Markdown(f"### {audit.report_title(source_file)}\n\n{audit.errors_summary(source_file, counts)}"))

# %% tags=["analyst-only"]
for source_file, counts in findings["reports"].items():
    display(Markdown(f"### {audit.report_title(source_file)}\n\n{audit.errors_summary(source_file, counts)}"))
    if counts["wrong"] or counts["failed_relations"]:
        display(audit.wrong_table(result, source_file))

# %% tags=["analyst-only"]
save_findings(run_id, findings)
display(Markdown(f"Findings saved for run `{run_id}`: {findings['conflicts_total']} conflicts, "
                 f"{findings['flagged_observations']} flagged figures."))
