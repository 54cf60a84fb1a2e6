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
# # Root causes: which kinds of complaint dominate, and which get upheld
#
# Each council labels the nature of its complaints its own way. This notebook maps every printed
# label to one harmonised root-cause code (`data/reference/root_cause_crosswalk.csv`, codes and
# definitions in `root_cause_taxonomy.csv`), then asks:
#
# 1. which causes dominate each council's tables (a Pareto per council and year);
# 2. how Bromley's causes differ by division, and over the years it reports;
# 3. which causes are upheld most often — with 95% intervals widened for over-dispersion (φ stated),
#    a chi-square test and a binomial model of Bromley's aspects (Holm-adjusted p values);
# 4. how councils compare on the harmonised codes;
# 5. what changed in Bromley between its 2019-20 and 2023-24 reports;
# 6. how London boroughs compare on Ombudsman upheld rates (a funnel plot, 2020-21).
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

from analysis import present

from analysis import charts
from analysis.studies import benchmark
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
display(Markdown(rc.key_findings_markdown(study)))

# %% [markdown]
# ## The taxonomy
#
# A small set of codes. `not_a_cause` marks `category` values that are not a complaint's nature
# (Lewisham's enquiry types and contact methods); `service_topic` marks labels that name a
# subject (temporary accommodation, damp) without saying what went wrong. Both are kept out of
# any guess. The table counts the printed labels each council maps to each code.

# %%
display(rc.crosswalk_table(taxonomy, study.councils))

# %% [markdown]
# ## Pareto of causes per council
#
# For each council, its most recent year with cause data (or the `period` asked for). Bars are
# the printed labels, largest first, with their harmonised code in brackets; the line is the
# cumulative share. A whole-organisation table is shown instead of its division columns.

# %%
for text, figure in rc.pareto_sections(study):
    display(Markdown(present.link_sources(text)))
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
# partly + not upheld; ongoing and resolved-on-receipt cases are left out). Aspects of one
# complaint are decided together and divisions differ, so counts vary more than a binomial allows:
# each table states its dispersion φ (Pearson χ²/df of the division × cause cells around their
# cause's rate) and the 95% intervals are Wilson intervals on n/φ aspects (quasi-binomial). The
# plain Wilson interval is given for comparison. The chi-square test asks whether the outcome (upheld /
# partly / not) depends on the cause; it needs expected counts of about 5 or more.

# %%
for text, figure in rc.upheld_sections(study):
    display(Markdown(present.link_sources(text)))
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
# cells with very few aspects carry little weight. All terms are tested at once, so the p values
# are also shown Holm-adjusted (family-wise error at 5%).

# %%
if study.model is not None:
    display(Markdown(rc.model_text(study)))
    display(rc.odds_table(study))
    charts.show(rc.odds_figure(study.model, names))
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
    display(rc.shares_table(study))
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
    display(Markdown(present.link_sources(rc.change_text(study))))
else:
    display(Markdown("Bromley's two reports are not both in this run, so no change to report."))

# %% [markdown]
# ## London benchmark: Ombudsman upheld rates, 2020-21
#
# Lewisham's 2020-21 report prints, for every London borough in its table, the Ombudsman (LGSCO)
# cases of the year and how many were upheld. The reports quote London "rankings"; a funnel plot
# asks instead whether a borough's upheld rate differs from the pooled London rate by more than
# chance allows. The limits (95% and 99.8%) are widened by √φ, the boroughs' observed
# over-dispersion (Spiegelhalter's multiplicative adjustment). The four study councils are
# highlighted. **Assumes** each borough's upheld count is binomial around one London rate, apart
# from that common extra variation; the denominator is the cases Lewisham prints ("received").

# %%
if study.london is None:
    display(Markdown("The London table (Lewisham's 2020-21 report) is not in `data/clean`, so no benchmark."))
elif council in ("all", "lewisham"):
    charts.show(benchmark.funnel_figure(study.london))
    display(Markdown(present.link_sources(benchmark.funnel_text(study.london))))
    display(present.table(study.london.table.drop(columns=["borough", "study_council"]),
                          kinds={"label": "text", "upheld": "count", "decided": "count", "rate": "share",
                                 "low95": "share", "high95": "share", "low998": "share", "high998": "share",
                                 "z": "decimal", "outside_95": "text", "outside_998": "text"},
                          labels={"label": "Borough", "upheld": "Upheld", "decided": "Cases", "rate": "Upheld %",
                                  "low95": "95% low", "high95": "95% high", "low998": "99.8% low",
                                  "high998": "99.8% high", "z": "z (adjusted)", "outside_95": "Outside 95%",
                                  "outside_998": "Outside 99.8%"},
                          digits={"rate": 1, "low95": 1, "high95": 1, "low998": 1, "high998": 1, "z": 2}))
else:
    display(Markdown("The London benchmark is shown on the all-councils and Lewisham pages (it comes from "
                     "Lewisham's report); the findings hold it for every run."))

# %% [markdown]
# ## What this cannot tell us
#
# The limits of these tables, specific to this data.

# %%
display(Markdown(rc.limitations_text(study)))

# %%
save_findings(run_id, rc.findings(study), paths);
