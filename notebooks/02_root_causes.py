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
# # Root causes: what complaints are about, and which get upheld

# %% [markdown] tags=["analyst-only"]
# Each council labels the nature of its complaints its own way; every printed label is mapped to one
# harmonised root-cause code (the crosswalk and its definitions are at the end of this page).
# **Units differ**: Bromley counts *aspects* (one complaint can raise several grievances), Barking and
# Dagenham and Lewisham count *complaints*, Lewisham's adult social care analysis prints only *% of
# complaints*. Only shares within one printed table are compared.

# %% tags=["parameters"]
# Parameters: council ("all" or a council id in data/raw/manifest.csv); period ("" = the latest with cause data, per council)
council = "all"
period = ""
run_id = "02_root_causes"

# %%
from analysis.site.parameters import check_parameters  # a typo or an unknown year stops here, naming the known ones
council, period = check_parameters("02_root_causes", council, period)

from IPython.display import Markdown, display

from analysis import charts, present
from analysis.studies import benchmark as bm
from analysis.studies import root_causes as rc
from analysis.studies.comparable import load_corrections
from analysis.data import load_conflicts, load_observations
from analysis.site.findings import save_findings
from analysis.clean.manifest import read_manifest
from analysis.paths import Paths
from analysis.reference import load_external_figures
from analysis.clean.taxonomy import load_taxonomy

charts.setup()
paths = Paths.discover()
taxonomy = load_taxonomy(paths)
observations = load_observations(paths)
study = rc.analyse(observations, taxonomy, council, period, sorted({entry.council for entry in read_manifest(paths)}),
                   load_conflicts(paths), load_corrections(paths.reference))
london = bm.benchmark(observations, load_external_figures(paths))
names = study.names
findings = rc.findings(study, london)
save_findings(run_id, findings, paths)

# %% tags=["policy-only"]
display(Markdown(rc.scope_brief(study)))

# %% tags=["analyst-only"]
display(Markdown(rc.scope_text(study)))

# %% [markdown]
# ## Key findings

# %% tags=["key-findings"]
display(Markdown("\n".join(f"- {bullet}" for bullet in findings["key_findings"])))

# %% [markdown] tags=["analyst-only"]
# ## The primary estimate: how much of Bromley's complaints is lack of action
#
# One primary estimate answers the root-causes question; the other ways of computing it are
# sensitivity rows, not competing headlines.

# %% tags=["analyst-only"]
if study.primary is not None:
    display(Markdown(rc.primary_text(study)))
    display(present.table(rc.primary_table(study), kinds={"Share of aspects": "share", "φ used": "decimal"},
                          digits={"φ used": 2, "Share of aspects": 1}))
else:
    display(Markdown("No Bromley causes table in this run, so no primary estimate."))

# %% [markdown]
# ## The largest causes, council by council

# %% tags=["policy-only"]
charts.show(rc.largest_causes_chart(study), alt=rc.leaders_alt(study) if council == "all" else None,
            source=rc.largest_causes_source(study))
display(Markdown(rc.largest_causes_text(study)))

# %% [markdown] tags=["analyst-only"]
# For each council, its most recent year with cause data (or the `period` asked for). Bars are
# the printed labels, largest first, each with its share of the table; the text names each table's
# harmonised cause. A whole-organisation table is shown instead of its division columns.

# %% tags=["analyst-only"]
charts.show_sections(rc.pareto_sections(study))

# %% [markdown] tags=["analyst-only"]
# ## Bromley: causes by division over the years
#
# Bromley's causes-for-complaint table splits the aspects of every year it prints by division.

# %% tags=["analyst-only"]
if len(study.division):
    charts.show(rc.division_figure(study.division, names))
    display(Markdown(rc.division_text(study)))

# %% [markdown]
# ## What changed in Bromley between its two reports

# %% [markdown] tags=["analyst-only"]
# Like for like: the 2019-20 causes table has no Environment & Public Protection column, so E&PP
# is left out of both years (the 2019-20 Housing column covered Planning & Regeneration, which
# 2023-24 prints apart; both are kept). **Primary:** each difference in shares has a Newcombe 95%
# interval on effective counts — each year's aspects divided by φ, that year's aspects per complaint
# (several aspects of one complaint may share their cause, so n aspects carry less information than n
# independent ones) — and a z test on the same counts, Holm-adjusted over all the causes compared.
# **Sensitivity:** the plain Newcombe interval, which treats every aspect as independent.

# %%
if study.changes:
    charts.show(rc.change_figure(study.changes, names, study.change_periods), headline=True,  # the primary finding's chart
                source=rc.change_source(study))

# %% tags=["policy-only"]
if study.changes:
    display(Markdown(rc.change_summary(study)))

# %% tags=["analyst-only"]
if study.changes:
    display(Markdown(rc.change_text(study)))

# %% tags=["analyst-only"]
if study.changes:
    change_table = rc.change_table(study)
    display(present.table(change_table, kinds={c: "share" for c in change_table.columns if c.startswith("Share")}
                          | {"Change, points": "decimal", "p (Holm)": "text"}, digits={"Change, points": 1}))

# %% [markdown] tags=["analyst-only"]
# ### Mix or within divisions? A shift-share decomposition of the lack-of-action rise
#
# The council-wide share is each division's share of lack of action weighted by the division's
# share of aspects. Holding the 2019-20 weights fixed shows how much of the rise is within
# divisions and how much is the shift of aspects towards divisions where lack of action is common.

# %% tags=["analyst-only"]
if study.shift is not None:
    display(Markdown(rc.shift_text(study)))
    display(present.table(rc.shift_table(study), kinds={c: "share" for c in rc.shift_table(study).columns
                                                         if c.startswith(("Lack of action", "Division's share"))}))
else:
    display(Markdown("Bromley's two causes tables are not both in this run, so no decomposition."))

# %% [markdown]
# ## Which causes get upheld

# %% [markdown] tags=["policy-only"]
# Upheld means *fully or partly upheld*, of those decided; the analyst version charts every table.

# %% tags=["policy-only"]
if study.upheld:
    key = rc.upheld_chart_key(study)
    charts.show(rc.upheld_figure(study.upheld[key], names, rc.upheld_title(*key)), source=rc.upheld_source(study))
display(Markdown(rc.upheld_summary(study) if study.upheld else "No outcome counts by cause in these reports."))

# %% [markdown] tags=["analyst-only"]
# Upheld means *fully or partly upheld*, out of the *decided* aspects or complaints (fully +
# partly + not upheld; ongoing and resolved-on-receipt cases are left out). Each table states its
# over-dispersion φ — the Pearson χ²/df of its printed cells (division × label) around each
# cause's own rate — and its intervals are Wilson intervals with the counts divided by φ
# (quasi-binomial), never narrower than the plain ones. Lewisham's Council and Lewisham Homes
# lists are shown apart. The chi-square test asks whether the outcome (upheld / partly / not)
# depends on the cause; its p values are Holm-adjusted over the tables tested.

# %% tags=["analyst-only"]
charts.show_sections(rc.upheld_sections(study))

# %% [markdown] tags=["analyst-only"]
# ### The printed upheld rates that the counts contradict
#
# Bromley's causes table prints a "% upheld" for each cause beside its counts; the study derives the
# rates from the divisions' nature-of-complaint tables instead, which print the outcome counts.

# %% tags=["analyst-only"]
if study.rate_conflicts is not None and len(study.rate_conflicts):
    display(Markdown(rc.rate_conflicts_text(study)))
    display(present.table(rc.rate_conflicts_table(study), kinds={"Council and year": "text", "Cause (as printed)": "text",
                                                                "Printed % upheld": "decimal",
                                                                "From the division tables, %": "decimal",
                                                                "Gap, points": "decimal", "Source": "source"},
                          digits={"Printed % upheld": 1, "From the division tables, %": 1, "Gap, points": 1}))
else:
    display(Markdown(rc.rate_conflicts_text(study)))

# %% [markdown] tags=["analyst-only"]
# ### A model of Bromley's upheld aspects: upheld ~ cause + division
#
# A binomial GLM of upheld-or-partly aspects out of decided aspects, one cell per division and
# cause, reference levels the cause and the division with the most aspects. **Caveats.** Aspects
# are not independent trials: several come from one complaint and Bromley decides a complaint's
# aspects together. The model reports the Pearson χ²/df dispersion and, when it exceeds 1, scales
# the standard errors by it (quasi-binomial). Twelve terms are tested at once, so p values are
# Holm-adjusted. Odds ratios are associations within one year's reports, not causal effects.

# %% tags=["analyst-only"]
if study.model is not None:
    display(Markdown(rc.model_text(study)))
    display(present.table(rc.model_table(study.model, names), kinds={"Odds ratio": "ratio", "95% CI low": "ratio",
                                                                     "95% CI high": "ratio", "p": "text", "p (Holm)": "text"}))
    charts.show(rc.odds_figure(study.model, names))
else:
    display(Markdown("No Bromley outcome-by-cause counts in this run, so no model."))

# %% [markdown] tags=["analyst-only"]
# ## Across councils, on the harmonised codes
#
# Each column is one printed table; a cell is that cause's share of the table. **Units differ**:
# Bromley's shares are of aspects, Barking and Dagenham's and Lewisham's top-issue tables of
# complaints, Lewisham's adult social care analysis of complaints as printed (a complaint can
# record several issues, and the categories need not sum to 100%). Lewisham's top-issue tables
# list only their five largest issues, so their shares are of those five. Compare the ranking of
# causes within a column, and only cautiously the size of a share across columns.

# %% tags=["analyst-only"]
if len(study.shares):
    charts.show(rc.shares_figure(study.shares, names))
    display(Markdown(rc.cross_council_text(study)))

# %% tags=["analyst-only"]
if len(study.shares):
    shares = rc.shares_table(study)
    display(present.table(shares, kinds={c: "share" for c in shares.columns if c != "Cause"}))

# %% [markdown]
# ## London benchmark: Ombudsman upheld rates, 2020-21

# %% tags=["policy-only"]
own_london = bm.for_council(london, council)  # this council only: its page is about it
if own_london is not None and council != "all":  # all councils: on the synthesis page, where they are compared
    charts.show(bm.funnel_figure(own_london), source=rc.reports_source([("lewisham", bm.PERIOD)]))
    display(Markdown(bm.policy_text(own_london)))

# %% [markdown] tags=["analyst-only"]
# Lewisham's report prints the Ombudsman cases received and upheld in 2020-21 for every London
# borough. A funnel plot compares each borough's upheld rate with the pooled London rate, with
# limits that narrow as the number of cases grows and are widened by the boroughs' own
# over-dispersion φ (Spiegelhalter's multiplicative adjustment). The rate is upheld out of cases
# *received*, the only denominator the table prints — not the Ombudsman's own "% upheld" of
# investigated cases.

# %% tags=["analyst-only"]
if london is not None:
    display(Markdown(bm.text(london)))
    charts.show(bm.funnel_figure(london))

# %% tags=["analyst-only"]
if london is not None:
    display(present.table(bm.display_table(london), kinds={"Upheld rate": "share", "z (adjusted)": "decimal",
                                                           "95% limits": "text"}, digits={"z (adjusted)": 2, "Upheld rate": 1}))
else:
    display(Markdown(bm.text(None)))

# %% [markdown] tags=["analyst-only"]
# ## Sensitivity: the crosswalk's judgement calls
#
# Some printed labels could reasonably take another code. Each is re-mapped in turn and the
# headline figures recomputed from the clean data.

# %% tags=["analyst-only"]
if study.sensitivity is not None and len(study.sensitivity):
    display(Markdown(rc.sensitivity_text(study)))
    display(present.table(rc.sensitivity_table(study), kinds={"PRIMARY share (Bromley lack of action)": "share"},
                          digits={"PRIMARY share (Bromley lack of action)": 1}))
else:
    display(Markdown("No cause data in this run, so no crosswalk sensitivity."))

# %% [markdown]
# ## What this cannot tell us

# %%
display(Markdown(rc.cannot_tell_text(study)))

# %% [markdown] tags=["analyst-only"]
# ## Method: the taxonomy
#
# A small set of codes. *Not a cause* marks category values that are not a complaint's nature
# (Lewisham's enquiry types and contact methods); *Service topic* marks labels that name a
# subject (temporary accommodation, damp) without saying what went wrong. Both are kept out of
# any guess. The table counts the printed labels each council maps to each code (the crosswalk is
# `data/reference/root_cause_crosswalk.csv` in the downloads).

# %% tags=["analyst-only"]
display(present.table(rc.crosswalk_summary(taxonomy, study.councils), kinds={"Cause": "text", "Definition": "text"}))
