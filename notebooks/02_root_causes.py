# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Root causes: which kinds of complaint dominate, and which get upheld
#
# Each council labels the nature of its complaints its own way. This notebook maps every printed
# label to one harmonised root-cause code (`data/reference/root_cause_crosswalk.csv`, codes and
# definitions in `root_cause_taxonomy.csv`), then asks:
#
# 1. which causes dominate each council's tables (a Pareto per council and year);
# 2. how Bromley's causes differ by division, and over the years it reports;
# 3. which causes are upheld most often — with Wilson 95% intervals, a chi-square test and a
#    binomial model of Bromley's aspects;
# 4. how councils compare on the harmonised codes;
# 5. what changed in Bromley between its 2019-20 and 2023-24 reports.
#
# **Units differ.** Bromley counts *aspects* (one complaint can raise several grievances);
# Barking & Dagenham and Lewisham's top-issue tables count *complaints*; Lewisham's adult social
# care analysis prints only *% of complaints*. Only shares within one printed table are compared.

# %% tags=["parameters"]
# Parameters: council ("all" or a council id in data/raw/manifest.csv); period ("" = the latest with cause data, per council)
council = "all"
period = ""
run_id = "02_root_causes"

# %%
from IPython.display import Markdown, display

from analysis import charts
from analysis.studies import root_causes as rc
from analysis.data import load_observations
from analysis.site.findings import save_findings
from analysis.clean.manifest import read_manifest
from analysis.paths import Paths
from analysis.clean.taxonomy import load_taxonomy

charts.setup()
paths = Paths.discover()
taxonomy = load_taxonomy(paths)
study = rc.analyse(load_observations(paths), taxonomy, council, period,
                   sorted({entry.council for entry in read_manifest(paths)}))
names = study.names
display(Markdown(rc.scope_text(study)))

# %% [markdown]
# ## The taxonomy
#
# A small set of codes. `not_a_cause` marks `category` values that are not a complaint's nature
# (Lewisham's enquiry types and contact methods); `service_topic` marks labels that name a
# subject (temporary accommodation, damp) without saying what went wrong. Both are kept out of
# any guess. The table counts the printed labels each council maps to each code.

# %%
display(rc.crosswalk_summary(taxonomy, study.councils))

# %% [markdown]
# ## Pareto of causes per council
#
# For each council, its most recent year with cause data (or the `period` asked for). Bars are
# the printed labels, largest first, with their harmonised code in brackets; the line is the
# cumulative share. A whole-organisation table is shown instead of its division columns.

# %%
for text, figure in rc.pareto_sections(study):
    display(Markdown(text))
    if figure is not None:
        charts.show(figure)

# %% [markdown]
# ## Bromley: causes by division over the years
#
# Bromley's causes-for-complaint table splits the aspects of every year it prints by division.

# %%
if len(study.division):
    charts.show(rc.division_figure(study.division, names))
    display(Markdown(rc.division_text(study)))
else:
    display(Markdown("No Bromley causes-by-division figures in this run (council parameter, or no Bromley cause data in data/clean)."))

# %% [markdown]
# ## Which causes get upheld
#
# Upheld means *fully or partly upheld*, out of the *decided* aspects or complaints (fully +
# partly + not upheld; ongoing and resolved-on-receipt cases are left out). Intervals are Wilson
# 95% intervals; they assume independent aspects, which aspects of one complaint are not, so read
# them as a floor on the uncertainty. The chi-square test asks whether the outcome (upheld /
# partly / not) depends on the cause; it needs expected counts of about 5 or more.

# %%
for text, figure in rc.upheld_sections(study):
    display(Markdown(text))
    if figure is not None:
        charts.show(figure)

# %% [markdown]
# ### A model of Bromley's upheld aspects: upheld ~ cause + division
#
# A binomial GLM of upheld-or-partly aspects out of decided aspects, one cell per division and
# cause (from each division's nature-of-complaint table), reference levels the cause and the
# division with the most aspects. **Caveats.** Aspects are not independent trials: several come
# from one complaint and one complainant, and Bromley decides a complaint's aspects together.
# Aggregated counts like these are often over-dispersed relative to a binomial: the model reports
# the Pearson χ²/df dispersion and, when it exceeds 1, scales the standard errors by it
# (quasi-binomial). A dispersion below 1 does not make the aspects independent, so the intervals
# remain optimistic. Odds ratios are associations within one year's reports, not causal effects;
# cells with very few aspects carry little weight.

# %%
if study.model is not None:
    display(Markdown(rc.model_text(study)))
    display(study.model.odds_ratios.round(3))
    charts.show(rc.odds_figure(study.model))
else:
    display(Markdown("No Bromley outcome-by-cause counts in this run, so no model."))

# %% [markdown]
# ## Across councils, on the harmonised codes
#
# Each column is one printed table; a cell is that cause's share of the table. **Units differ**:
# Bromley's shares are of aspects, Barking & Dagenham's and Lewisham's top-issue tables of
# complaints, Lewisham's adult social care analysis of complaints as printed (a complaint can
# record several issues, and the categories need not sum to 100%). Lewisham's top-issue tables
# list only their five largest issues, so their shares are of those five. Compare the ranking of
# causes within a column, and only cautiously the size of a share across columns.

# %%
if len(study.shares):
    charts.show(rc.shares_figure(study.shares, names))
    display((study.shares * 100).round(1).rename(index=names))
    display(Markdown(rc.cross_council_text(study)))
else:
    display(Markdown("No cause data for the councils of this run."))

# %% [markdown]
# ## What changed in Bromley between its 2019-20 and 2023-24 reports
#
# Like for like: the 2019-20 causes table has no Environment & Public Protection column, so E&PP
# is left out of both years (the 2019-20 Housing column covered Planning & Regeneration, which
# 2023-24 prints apart; both are kept). Differences in shares have Newcombe 95% intervals.

# %%
if study.changes:
    charts.show(rc.change_figure(study.changes, names, study.change_periods))
    display(Markdown(rc.change_text(study)))
else:
    display(Markdown("Bromley's two reports are not both in this run, so no change to report."))

# %%
path = save_findings(run_id, rc.findings(study), paths)
display(Markdown(f"Findings written to `{path.relative_to(paths.root)}`."))
