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
# # Contracted services: how third-party providers drive complaints
#
# Councils commission care homes and home-care agencies but stay responsible for them: a
# complaint about a commissioned provider is a complaint to the council. This notebook asks
# how much of the complaint load the councils' reports tie to commissioned care, and whether
# those complaints fare differently from complaints about the council's own teams.
#
# The councils do not count the same thing, so every figure below carries its definition:
#
# - **Complaints about contracted providers** — Bromley reports 'Contracted Services' (the
#   third-party residential and domiciliary care providers it engages) as a team in its Adult
#   Social Care service table, counted in *aspects* (individual grievances; a complaint can have
#   several). In-house adult social care is the table's OVERALL row minus that row.
# - **Cause recorded as a third-party provider** — Lewisham's adult social care root-cause
#   analysis (a percentage in prose, no counts) and Barking & Dagenham's 'Inadequate Services
#   Provided by a Third Party' nature of statutory adult complaints.
# - **Complaints about the commissioning team** — Harrow's Commissioning & Partnerships,
#   Lewisham's Joint Commissioning and Barking & Dagenham's Integration and Commissioning: the
#   council's commissioner, not the provider.
# - **Care-fee complaints** — Bromley's Chief Executive's Department handles care home fees and
#   domiciliary care fees: the financial side of commissioned care (the tables do not say
#   whether the care itself was commissioned).
#
# Every number is computed from `data/clean` (`analysis.studies.contracted`); sources are `file:line`
# in the raw reports.

# %% tags=["parameters"]
# Parameters (papermill injects run_id; council and period may be overridden)
council = "all"  # "all", or one council of data/raw/manifest.csv, e.g. "bromley"
period = ""  # one financial year such as 2023-24; empty for every year the data holds
run_id = "03_contracted_services"

# %%
import pandas as pd
from IPython.display import Markdown, display

from analysis import charts
from analysis.studies import contracted as ct
from analysis.data import load_observations
from analysis.site.findings import save_findings

charts.setup()
pd.set_option("display.max_colwidth", 90)
results = ct.build(load_observations(), council, period)
display(Markdown(ct.text_scope(results)))

# %% [markdown]
# ## 1. How much of the complaint load is about commissioned care?
#
# One row per council, definition and year. Shares carry a Wilson 95% interval where the
# report prints counts; Lewisham prints only a percentage, so it has none. The denominator is
# the table's printed total where there is one, else the sum of its printed rows (the column
# *of*). *printed %* is the report's own percentage, as a check.

# %%
if results.evidence.empty:
    display(Markdown("No council in this selection reports complaints about providers, third-party causes or "
                     "commissioning teams."))
else:
    display(ct.evidence_display(results))
    charts.show(ct.plot_evidence(results.evidence, ct.title_evidence(results)))
    display(Markdown(ct.text_evidence(results)))

# %% [markdown]
# ## 2. Bromley: contracted providers next to in-house adult social care
#
# The share of Bromley's adult social care complaint aspects that concern contracted providers,
# then how those aspects were decided (fully upheld, partially upheld, answered on time) against
# the rest of adult social care. Rates are over all aspects, as the report's percentages are
# (ongoing aspects count in the denominator).

# %%
if results.groups.empty:
    display(Markdown(ct.text_no_bromley(results, "Contracted vs in-house adult social care")))
else:
    display(Markdown(ct.text_share(results)))
    display(Markdown("**What the extraction recovered** (Bromley 2023-24 prints this table flattened into "
                     "space-separated fragments; a figure it could not recover stays missing):\n\n"
                     + ct.text_recovery(results)))
    display(ct.rates_display(results))
    charts.show(ct.plot_rates(results.rates, ct.title_rates(results)))
    display(Markdown(ct.text_rates(results)))

# %% [markdown]
# **What the test can and cannot say.** The interval and the two-proportion z test treat every
# aspect as an independent yes/no draw with one common probability. Aspects are not
# independent: one complaint often gives several aspects, decided together, so the real
# uncertainty is larger than shown and a p value near 0.05 is no evidence either way. The groups
# are small (a few dozen contracted aspects a year). And the test compares *recorded outcomes*,
# not the quality of care: an upheld rate reflects what was complained about, how the council
# investigates providers and how it records outcomes, all of which can change between years.
# It cannot say that contracted care is worse; it can say whether the gap is larger than the
# play of chance among aspects would easily produce.

# %% [markdown]
# ## 3. Bromley: what changed between the two reports
#
# The same comparison across the two Bromley reports. The binomial GLM
# (`successes/aspects ~ group × year`, `analysis.stats.binomial_glm`) asks whether the
# contracted-vs-in-house gap itself changed; with two groups and two years it is saturated
# (it reproduces the four rates), so it cannot estimate over-dispersion and its interval has
# the same independence caveat as above.

# %%
if results.groups.empty:
    display(Markdown(ct.text_no_bromley(results, "Change between the Bromley reports")))
else:
    display(Markdown(ct.text_change(results)))

# %% [markdown]
# Where a shift between *partially* and *fully* upheld happens in both groups at once, it says
# more about how outcomes are recorded than about the providers; the contracted-vs-in-house gap,
# and the combined upheld rate, are then the sturdier comparisons.
#
# ## 4. Bromley: care-fee complaints in the Chief Executive's Department
#
# Care home fees and domiciliary care fees are what residents are charged for residential and
# home care — much of it commissioned — and complaints about them are handled by the Chief
# Executive's Department, not Adult Social Care.

# %%
if results.fees.empty:
    display(Markdown(ct.text_no_bromley(results, "Care-fee complaints")))
else:
    display(Markdown(ct.text_fees(results)))
    charts.show(ct.plot_fees(results.fees, ct.title_fees(results)))

# %% [markdown]
# ## 5. A short, honest comparison
#
# The councils' figures are not one measure. Bromley counts *aspects* naming a contracted
# provider; Lewisham and Barking & Dagenham record a *cause* (one of several per complaint in
# Lewisham's case, one per complaint in Barking & Dagenham's table); Harrow, Lewisham and Barking
# & Dagenham also report complaints about the *commissioning team*, which catches complaints
# about how care was arranged, not about the provider. The years differ too (2017-18 to
# 2023-24). The figures can be set side by side to show that commissioned care is a visible
# share of adult social care complaints wherever it is counted, not ranked against each other.

# %%
if results.has_evidence:
    display(Markdown(ct.text_comparison(results)))

# %%
findings = results.findings()
save_findings(run_id, findings)
display(Markdown(f"Findings saved for run `{run_id}`; pieces of evidence: {len(findings['evidence'])}"
                 + (f", Bromley years {', '.join(findings['bromley']['periods'])}." if "bromley" in findings else ".")))
