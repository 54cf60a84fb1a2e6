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
# # Contracted services: complaints about the care providers councils commission

# %% [markdown] tags=["policy-only"]
# Councils pay care homes and home-care agencies to look after people but stay responsible for them: a complaint
# about one of these providers is a complaint to the council.

# %% [markdown] tags=["analyst-only"]
# Councils commission care homes and home-care agencies but stay responsible for them: a complaint
# about a commissioned provider is a complaint to the council. This page asks how much of the
# complaint load the councils' reports tie to commissioned care, and whether those complaints fare
# differently from complaints about the council's own teams. Findings first; how they were made,
# and what they cannot tell us, at the end.

# %% tags=["parameters"]
# Parameters (papermill injects run_id; council and period may be overridden)
council = "all"  # "all", or one council of data/raw/manifest.csv, e.g. "bromley"
period = ""  # one financial year such as 2023-24; empty for every year the data holds
run_id = "03_contracted_services"

# %%
from analysis.site.parameters import check_parameters  # a typo or an unknown year stops here, naming the known ones
council, period = check_parameters("03_contracted_services", council, period)

import pandas as pd
from IPython.display import Markdown, display

from analysis import charts
from analysis.studies import contracted as ct
from analysis.data import load_observations
from analysis.site.findings import save_findings

charts.setup()
results = ct.build(load_observations(), council, period)
findings = results.findings(run_id)
save_findings(run_id, findings)

# %% tags=["analyst-only"]
display(Markdown(ct.text_scope(results)))

# %% tags=["key-findings"]
display(Markdown("**Key findings**\n\n" + "\n".join(f"- {b}" for b in findings["key_findings"])))

# %% [markdown]
# ## Bromley: are complaints about contracted providers upheld more often?

# %% [markdown] tags=["policy-only"]
# Only Bromley's reports set complaints about the care providers it pays for beside its own adult social care
# (in-house): the share of each upheld, fully or partly, with its likely range.

# %% [markdown] tags=["analyst-only"]
# Bromley is the only council whose reports set complaints about contracted providers beside
# in-house adult social care. The primary estimate is the gap between contracted and in-house
# aspects fully or partly upheld in the latest report: both groups in the same year, so the shift
# between "fully" and "partly" upheld (it moved in every group at once, a change in recording)
# does not enter it. Likely ranges allow for several grievances per complaint (the study's
# method note, docs/methods.md); allowing instead for how much Bromley's services differ
# (section 2) is shown as a labelled sensitivity.

# %% tags=["policy-only"]
if not results.groups.empty:  # the primary measure alone; every outcome is on the analyst page
    charts.show(ct.plot_rates(results.rates, ct.title_rates(results), outcomes=("upheld_or_partially",)),
                headline=True, source=ct.bromley_source(results.bromley_periods))
    display(Markdown("**Caveat.** An upheld rate reflects what people complain about and how the council "
                     "investigates and records outcomes, not the quality of care."))

# %% tags=["analyst-only"]
if not results.groups.empty:
    charts.show(ct.plot_rates(results.rates, ct.title_rates(results)), headline=True)  # the primary estimate's chart

# %% tags=["analyst-only"]
if not results.groups.empty:
    if results.primary:
        display(Markdown(ct.text_primary(results)))
        display(ct.sensitivity_display(results))
    display(Markdown(ct.text_share(results)))

# %% [markdown] tags=["analyst-only"]
# ## How much do upheld rates vary between Bromley's services?
#
# Every service of every division, its share of aspects fully or partly upheld against its size.
# The dotted lines are 99.8% control limits if every aspect were an independent draw; the solid
# lines widen them by √φ, the over-dispersion actually seen across the services
# (Spiegelhalter's multiplicative adjustment). A service is only unusual if it lies outside the
# solid lines.

# %% tags=["analyst-only"]
if results.dispersion:
    display(Markdown(ct.text_dispersion(results)))
    last = max(results.dispersion)
    charts.show(ct.plot_funnel(results.dispersion[last]))
    display(ct.funnel_display(results.dispersion[last]))

# %% [markdown] tags=["analyst-only"]
# ## Bromley: each outcome, contracted and in-house, year by year

# %% tags=["analyst-only"]
if not results.groups.empty:
    display(ct.rates_display(results))
    display(Markdown(ct.text_rates(results)))
    display(Markdown(ct.text_change(results)))

# %% [markdown]
# ## How much of the complaint load is about commissioned care?

# %% [markdown] tags=["analyst-only"]
# One row per council, measure and year. The councils count different things — Bromley complaint
# *aspects* about a team, Lewisham and Barking and Dagenham a recorded *cause*, Harrow complaints
# about the *commissioning team* — so each council is shown on its own measure, not ranked.
# Lewisham prints only a percentage, so it has no interval.

# %%
if results.evidence.empty:
    display(Markdown("No council in this selection reports complaints about providers, third-party causes or "
                     "commissioning teams."))
else:
    charts.show(ct.plot_evidence(results.evidence, ct.title_evidence(results)))

# %% tags=["policy-only"]
if not results.evidence.empty and results.evidence["council"].nunique() > 1:
    display(Markdown("**Caveat.** The councils count different things (grievances about a team, a recorded cause, "
                     "complaints about the team that buys the care), so each is shown on its own measure: the "
                     "figures do not compare."))

# %% tags=["analyst-only"]
if not results.evidence.empty:
    display(Markdown(ct.text_comparison(results)))
    display(Markdown(ct.text_evidence(results)))
    display(ct.evidence_display(results))

# %% [markdown]
# ## Bromley: care-fee complaints in the Chief Executive's Department

# %% [markdown] tags=["policy-only"]
# What residents are charged for residential and home care, much of it commissioned: complaints about these fees go
# to the Chief Executive's Department.

# %% [markdown] tags=["analyst-only"]
# Care home fees and domiciliary care fees are what residents are charged for residential and
# home care — much of it commissioned — and complaints about them are handled by the Chief
# Executive's Department, not Adult Social Care.

# %%
if not results.fees.empty:
    charts.show(ct.plot_fees(results.fees, ct.title_fees(results)),
                source=ct.bromley_source(results.fees["period"]))

# %% tags=["analyst-only"]
if not results.fees.empty:
    display(Markdown(ct.text_fees(results)))

# %% [markdown]
# ## What this cannot tell us

# %% tags=["analyst-only"]
display(Markdown(ct.text_cannot(results)))

# %% tags=["policy-only"]
brief = ct.text_cannot(results, brief=True)  # the rest are the caveats under each chart
if brief:  # nothing left: the policy page leaves the section out
    display(Markdown(brief))

# %% [markdown] tags=["analyst-only"]
# ## Method
#
# Every number is computed from `data/clean` by `analysis.studies.contracted`. Bromley's
# 'Contracted Services' row of the Adult Social Care service table counts *aspects* (individual
# grievances; a complaint can have several) about the third-party residential and domiciliary care
# providers it engages; in-house adult social care is the table's OVERALL row minus that row,
# computed only where both were recovered. Rates use the table's own denominator (ongoing aspects
# count, as in the report's percentages).
#
# **Intervals.** Aspects of one complaint are decided together, so the study's one variance
# model for shares of aspects (docs/methods.md) counts them as aspects ÷ φ independent ones, with
# φ = that year's adult social care aspects per complaint: a Wilson interval for a rate and
# Newcombe's interval for a difference on those effective counts, and the p value from the test on
# the same counts. Two alternatives are labelled sensitivity: φ = Pearson χ² / (k − 1) across the
# year's services (it also counts the services' real differences as noise), and φ = 1. The
# binomial GLM of the gap's change (`group × year`) is saturated with two groups and two years, so
# it cannot estimate dispersion itself.
#
# **Extraction.** Bromley 2023-24 prints the service table flattened into space-separated
# fragments; a figure that could not be recovered stays missing, never zero:

# %% tags=["analyst-only"]
if not results.groups.empty:
    display(Markdown(ct.text_recovery(results)))
