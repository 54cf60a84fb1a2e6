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
# # The SEN surge: special educational needs complaints

# %% [markdown] tags=["analyst-only"]
# Bromley's reports show Education complaints — most of them about SEN (special educational needs)
# services — rising steeply after 2020-21. This page measures that rise, what SEN complaints are
# about, how often they are upheld, and what follows (Ombudsman findings, money). Findings first;
# the method and what the data cannot tell us at the end. Quotations from other councils are
# **qualitative** evidence, marked as such.

# %% tags=["parameters"]
# Parameters (papermill injects run_id; council and period may be overridden)
council = "bromley"
# period: the last financial year to analyse (e.g. 2022-23); empty = every year the data holds
period = ""
run_id = "04_sen_surge"

# %%
from analysis.site.parameters import check_parameters  # a typo or an unknown year stops here, naming the known ones
council, period = check_parameters("04_sen_surge", council, period)

from IPython.display import Markdown, display

from analysis import charts
from analysis.studies import sen
from analysis.data import load_observations
from analysis.site.findings import save_findings

charts.setup()
result = sen.analyse(load_observations(), council, period)
findings = sen.findings(result)
save_findings(run_id, findings)

# %% tags=["analyst-only"]
display(Markdown(sen.text_series(result)))

# %% tags=["key-findings"]
display(Markdown("**Key findings**\n\n" + "\n".join(f"- {b}" for b in findings["key_findings"])))

# %% [markdown]
# ## How fast are Education complaints growing?

# %%
if result.has_series:
    charts.show(sen.chart_trend(result), headline=True)  # the primary estimate: the trend

# %% [markdown] tags=["policy-only"]
# **Caveat.** The reports count complaints; they do not say why they rose. More children with education, health and
# care plans, longer waits and national pressures are all possible reasons. The "a year" figure summarises a short
# series with a low year during COVID.

# %% tags=["analyst-only"]
display(Markdown(sen.text_primary(result) or sen.text_growth(result)))
if result.sensitivity is not None and len(result.sensitivity):
    display(sen.sensitivity_display(result))
if result.knots is not None and len(result.knots):
    display(Markdown("**Where does the slope change?** The broken stick at every possible year (lower deviance "
                     "fits better):"))
    display(sen.knots_display(result))

# %% [markdown]
# ## What happens to SEN complaints: the Ombudsman and the money

# %% tags=["analyst-only"]
text = sen.text_ombudsman(result)
display(Markdown(text or "*No Education Ombudsman outcome table in this council's data.*"))

# %%
ombudsman_columns = ["education_ombudsman_cases", "education_ombudsman_upheld"]
education_columns = [*ombudsman_columns, "education_financial_gbp"]

# %% tags=["policy-only"]
display(Markdown(sen.text_ombudsman_plain(result)))
if len(result.consequences) and result.consequences[ombudsman_columns].notna().sum().max() >= 2:
    charts.show(sen.chart_ombudsman(result))
if sen.text_money(result):
    display(Markdown(sen.text_money(result)))

# %% tags=["analyst-only"]
display(Markdown(sen.text_consequences(result)))
if sen.text_money_warning(result):
    display(Markdown(sen.text_money_warning(result)))
if len(result.consequences) and result.consequences[education_columns].notna().sum().max() >= 2:
    charts.show(sen.chart_consequences(result))
    display(sen.consequences_display(result))
for year, table in result.outcomes.items():
    if len(table):
        display(Markdown(f"**Ombudsman outcomes for Education's services, {year}** (investigated = upheld + not "
                         "upheld; the rest were closed without an investigation)"))
        display(sen.outcomes_display(table))

# %% [markdown]
# ## How often SEN complaints are upheld, against the rest of the council

# %% [markdown] tags=["analyst-only"]
# SEN's aspects fully or partly upheld (Education's service table) against every other aspect in
# the council's *proportion upheld* table (its TOTAL minus SEN). The intervals allow for the
# over-dispersion seen across all the council's services that year (φ stated): aspects of one
# complaint are decided together, so treating them as independent would overstate the precision.

# %% tags=["analyst-only"]
display(Markdown(sen.text_upheld(result)))

# %% tags=["policy-only"]
display(Markdown(sen.text_upheld_plain(result)))

# %%
if any(result.upheld.values()):
    charts.show(sen.chart_upheld(result))

# %% [markdown] tags=["policy-only"]
# **Caveat.** An upheld rate reflects what families complain about and how the council decides, not directly how
# good SEN services are.

# %% [markdown] tags=["analyst-only"]
# ## How much of the council-wide rise is Education?
#
# Counted **like for like**: the printed Total adds Planning & Regeneration from 2020-21, so a
# comparison with an earlier year counts only divisions printed in both years. A share above 100%
# means Education rose by more than the whole (the other divisions together fell); where the
# like-for-like total did not rise, a share of it is not estimable.

# %% tags=["analyst-only"]
display(Markdown(sen.text_like_for_like(result)))

# %% [markdown]
# ## SEN's share of Education's complaints, and what they are about

# %% [markdown] tags=["analyst-only"]
# Bromley counts *aspects* — the separate grievances within a complaint. Education's service table
# gives SEN's aspects only for the report's own year, so two years are available.

# %%
display(Markdown(sen.text_aspects(result)))

# %% tags=["analyst-only"]
display(Markdown(sen.text_causes(result)))
for year in result.table_years:
    if len(result.causes[year]):
        charts.show(sen.chart_causes(result, year))

# %% tags=["policy-only"]
latest_causes = [year for year in result.table_years if len(result.causes[year])][-1:]
for year in latest_causes:  # the latest year's chart; every year's is on the analyst page
    charts.show(sen.chart_causes(result, year))

# %% [markdown] tags=["analyst-only"]
# ## The other councils
#
# **Qualitative evidence** — lines quoted from the raw reports, not figures: the other councils'
# reports do not print an SEN series.

# %% tags=["analyst-only"]
for q in result.evidence:
    if q.council != council:
        display(Markdown(f"**{sen.name(q.council)}**\n\n" + sen.text_quote(q)))
for q in result.evidence:
    if q.council == council:
        display(Markdown(f"**{sen.name(q.council)}'s own words**\n\n" + sen.text_quote(q)))

# %% [markdown]
# ## What this cannot tell us

# %% tags=["analyst-only"]
display(Markdown(sen.text_cannot(result)))

# %% tags=["policy-only"]
brief = sen.text_cannot(result, brief=True)  # the rest are the caveats under each chart
if brief:  # nothing left: the policy page leaves the section out
    display(Markdown(brief))

# %% [markdown] tags=["analyst-only"]
# ## Method and detailed tables
#
# **Series.** One value per year: where two reports (or two tables of one report) print a year
# differently, the rules of `analysis.clean.reconcile` choose one (the report covering its own year
# first; within one report, the first printed), and every disagreement is listed below. The
# printed Total is the council's Total row — Bromley's excludes Environment & Public Protection.
#
# **Trend.** The primary model is log-linear, log E[complaints] = a + b·year, fitted by
# `analysis.stats.count_model` (Poisson; a negative binomial when the Pearson dispersion exceeds
# 1.5); growth is exp(b) − 1. The sensitivity is a broken stick — a second slope from a change
# point — fitted as quasi-Poisson (standard errors × √φ). The band in the chart is the 95% interval
# of the fitted mean, not of next year's count.
#
# **Upheld rates.** φ = Pearson χ² / (k − 1) of the upheld rates across the council's k services that
# year; intervals use effective counts n/φ (quasi-Wilson; Newcombe for a difference). The nature and
# services tables below use the same n/φ (their φ column), with the plain intervals beside them as the
# sensitivity. The Education-vs-rest cause shares use φ = that year's aspects per complaint (the design
# effect if a complaint's aspects always shared one cause and complaints were of equal size; not an upper bound).

# %% tags=["analyst-only"]
if result.has_series:
    display(sen.series_display(result))
if len(result.disagreements):
    display(Markdown("**Where the reports disagree**"))
    display(sen.disagreements_display(result))
if len(result.band):
    display(Markdown("**The fitted trend, year by year**"))
    display(sen.band_display(result))
for year in result.table_years:
    if len(result.nature[year]):
        display(Markdown(f"**Education, nature of complaint, {year}**"))
        display(sen.nature_display(result.nature[year]))
for year, table in result.services.items():
    if len(table):
        display(Markdown(f"**Every service's upheld-or-partly rate, {year}**"))
        display(sen.services_display(table))
for other, table in result.other_councils.items():
    if len(table):
        display(Markdown(f"**{sen.name(other)}: Education / SEN figures in the clean data**"))
        display(sen.inventory_display(table))
if len(result.inventory):
    display(Markdown(f"**What {sen.name(council)}'s data holds on Education and SEN**"))
    display(sen.inventory_display(result.inventory))
