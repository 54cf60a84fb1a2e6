# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # The SEN surge: special educational needs complaints
#
# Bromley's reports show Education complaints — most of them about SEN (special educational
# needs) services — rising steeply after 2020-21. This notebook measures that rise from the
# clean data: the Education and SEN series over every year the reports give, a count model of
# the trend with its interval, what SEN complaints are about and how often they are upheld
# against the rest of the council, the consequences (Ombudsman cases, money), and what the other
# councils' reports say. Every number is computed from `data/clean` and cited to its report
# `file:line`; quotations from the other councils are **qualitative** evidence, marked as such.

# %% tags=["parameters"]
# Parameters (papermill injects run_id; council and period may be overridden)
council = "bromley"
# period: the last financial year to analyse (e.g. 2022-23); empty = every year the data holds
period = ""
run_id = "04_sen_surge"

# %%
from IPython.display import Markdown, display

from analysis import charts
from analysis.studies import sen
from analysis.data import load_observations
from analysis.site.findings import save_findings

charts.setup()
result = sen.analyse(load_observations(), council, period)
display(Markdown(sen.text_series(result)))

# %% [markdown]
# ## Education complaints, year by year
#
# One value per year: where two reports (or two tables of one report) print a year
# differently, the rules of `analysis.clean.reconcile` choose one (the report covering its own year
# first; within one report, the first printed) and every disagreement is listed below — for
# these series and for the Ombudsman and money series further down — not hidden. The Total is the
# council's printed Total row — Bromley's excludes Environment & Public Protection.

# %%
columns = ["period", "education", "total", "education_share", "education_source", "total_source"]
if result.has_series:
    display(result.series[columns].style.format({"education": "{:,.0f}", "total": "{:,.0f}", "education_share": "{:.1%}"},
                                                 na_rep="—").hide(axis="index"))
if len(result.disagreements):
    display(Markdown("**Where the reports disagree** (the series of this notebook):"))
    display(result.disagreements.style.hide(axis="index"))
else:
    display(Markdown("*No disagreements between reports on these figures.*"))

# %% [markdown]
# ### How much of the council-wide rise is Education?
#
# Education's change between two years over the Total's change in the same years (both
# excluding E&PP, as Bromley's Total does). A share above 100% means Education rose by more
# than the whole: the other divisions together fell.

# %%
display(Markdown(sen.text_rises(result)))

# %% [markdown]
# ## SEN's share of Education's complaints
#
# Bromley counts *aspects* — the separate grievances within a complaint. Education's service
# table gives SEN's aspects only for the report's own year, so two years are available. The
# interval is Wilson's (aspects treated as independent, so read it as a floor on the
# uncertainty).

# %%
if len(result.aspects):
    display(result.aspects.style.format({"sen_aspects": "{:,.0f}", "education_aspects": "{:,.0f}",
                                         "sen_share": "{:.1%}", "low": "{:.1%}", "high": "{:.1%}"}).hide(axis="index"))
display(Markdown(sen.text_aspects(result)))

# %% [markdown]
# ## The trend: a count model
#
# A log-linear count model, log E[complaints] = a + b·year, fitted with `analysis.stats.count_model`
# (Poisson GLM; refitted as a negative binomial when the Pearson dispersion exceeds 1.5). The
# annual growth rate is exp(b) − 1.
#
# **What it assumes.** A constant annual growth rate (a straight line on the log scale); years
# independent of each other given the trend; a negative binomial variance with its alpha
# estimated by moments and then treated as known (so the interval is, if anything, too
# narrow). **Five points only**: the model cannot tell steady growth from a level shift, and
# the 2020-21 dip (COVID) sits inside the window. The band in the chart is the 95% interval of
# the fitted mean, not of next year's count.

# %%
display(Markdown(sen.text_growth(result)))
if result.has_series:
    charts.show(sen.chart_trend(result))
if len(result.band):
    display(result.band.style.format({"count": "{:,.0f}", "fitted": "{:,.1f}", "low": "{:,.1f}", "high": "{:,.1f}"})
            .hide(axis="index"))

# %% [markdown]
# ## What SEN complaints are about
#
# Two views of the same aspects: Education's own *nature of complaint* table (with how many of
# each were upheld), and the council-wide *causes for complaint* table, where Education's column
# is set against the rest of the council's (the Total column minus Education's). Categories are
# as the reports print them.

# %%
for year in result.table_years:
    table = result.nature[year]
    if len(table):
        display(Markdown(f"**Education, nature of complaint, {year}**"))
        display(table.style.format({"aspects": "{:,.0f}", "share": "{:.0%}", "upheld_or_partially": "{:,.0f}",
                                    "upheld_rate": "{:.0%}", "low": "{:.0%}", "high": "{:.0%}"}).hide(axis="index"))
display(Markdown(sen.text_causes(result)))
for year in result.table_years:
    if len(result.causes[year]):
        charts.show(sen.chart_causes(result, year))

# %% [markdown]
# ## How often SEN complaints are upheld, against the rest of the council
#
# SEN's aspects fully or partly upheld (Education's service table) against every other aspect
# in the council's *proportion upheld* table (its TOTAL minus SEN). Wilson intervals for each
# rate, a Newcombe interval and a two-proportion z test for the difference. The caveat: aspects
# of one complaint are not independent, so the intervals are optimistic.

# %%
display(Markdown(sen.text_upheld(result)))
if any(result.upheld.values()):
    charts.show(sen.chart_upheld(result))
for year, table in result.services.items():
    if len(table):
        display(Markdown(f"**Every service's upheld-or-partly rate, {year}** (service tables of all divisions)"))
        display(table.style.format({"aspects": "{:,.0f}", "upheld_or_partially": "{:,.0f}", "rate": "{:.0%}",
                                    "low": "{:.0%}", "high": "{:.0%}"}, na_rep="—").hide(axis="index"))

# %% [markdown]
# ## The consequences: the Ombudsman and compensation
#
# Education's at-a-glance figures (the council's own records of new Ombudsman cases and cases
# upheld) and its financial consequences (compensation, backdated payments, charges written
# off, time and trouble payments), beside the council-wide financial total. Where the reports
# print a year differently, the `_n_values` column is above 1 and the disagreement is listed in
# the first section.

# %%
display(Markdown(sen.text_consequences(result)))
education_columns = ["education_ombudsman_cases", "education_ombudsman_upheld", "education_financial_gbp"]
if result.consequences[education_columns].notna().sum().max() >= 2:
    charts.show(sen.chart_consequences(result))
    display(result.consequences.style.format(na_rep="—", precision=2).hide(axis="index"))
for year, table in result.outcomes.items():
    if len(table):
        display(Markdown(f"**Ombudsman outcomes for Education's services, {year}** (upheld = the four UPHELD columns)"))
        display(table.style.format(na_rep="—", precision=0).hide(axis="index"))
own = [q for q in result.evidence if q.council == council]
for q in own:
    display(Markdown(sen.text_quote(q)))

# %% [markdown]
# ## The other councils
#
# **Qualitative evidence** — lines quoted from the raw reports (file:line), not figures: the
# other councils' reports do not print an SEN series. Below each quotation, the figures their
# clean data does hold on Education or SEN.

# %%
for q in result.evidence:
    if q.council != council:
        display(Markdown(f"**{sen.name(q.council)}**\n\n" + sen.text_quote(q)))
for other, table in result.other_councils.items():
    display(Markdown(f"**{sen.name(other)}: Education / SEN figures in data/clean**"))
    display(table.style.hide(axis="index") if len(table) else Markdown("*none*"))

# %% [markdown]
# ## What this council's data holds on Education and SEN
#
# Every table, service and measure of the chosen council's clean data that concerns Education
# or mentions SEN, SEND or EHC plans, with the first source line.

# %%
display(result.inventory.style.hide(axis="index") if len(result.inventory) else Markdown("*Nothing.*"))

# %% [markdown]
# ## Findings file
#
# The headline figures, machine-readable, in `outputs/findings/<run_id>.json`.

# %%
path = save_findings(run_id, sen.findings(result))
display(Markdown(f"Saved `{path.name}`."))
