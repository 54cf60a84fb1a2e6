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
# # The COVID dip: how far complaints fell in 2020-21, and the rebound

# %% [markdown] tags=["analyst-only"]
# The first pandemic year (April 2020 – March 2021) changed both the services councils ran and
# people's ability to complain; the Local Government and Social Care Ombudsman stopped taking
# and investigating complaints from the end of March to late June 2020. This notebook measures
# the fall in complaints in 2020-21 for each council whose reports print that year:
#
# 1. the **observed change** from 2019-20, overall and by division;
# 2. a **counterfactual** from the pre-pandemic years each report prints, and why it is fragile;
# 3. an **interrupted-time-series count model** giving the dip as a rate ratio with a 95% interval;
# 4. the **quarter** the dip sits in, where quarterly figures exist;
# 5. **channel shifts** (complaints, enquiries, Ombudsman referrals);
# 6. the **rebound** after 2020-21, told apart from the rise in Education (SEN) complaints.
#
# Every number is computed from `data/clean` (the reconciled view: one value per figure, with
# the rule that chose it when two reports print the same year) and cited to the report and line it comes from.

# %% tags=["parameters"]
# Parameters (papermill injects council; period is the pandemic year, "" = 2020-21)
council = "all"
period = ""
run_id = "05_covid_dip"

# %%
from analysis.site.parameters import check_parameters  # a typo or an unknown year stops here, naming the known ones
council, period = check_parameters("05_covid_dip", council, period)

from IPython.display import Markdown, display
import pandas as pd

from analysis import charts, present
from analysis.studies import covid
from analysis.data import load_observations, load_reconciled
from analysis.site.findings import save_findings
from analysis.paths import Paths
from analysis.studies.caveats import load_caveats

charts.setup()
dip_year = period or covid.DIP_YEAR
obs, rec = load_observations(), load_reconciled()
summary = covid.summarise(obs, rec, council, dip_year, load_caveats(Paths.discover().reference))
with_dip = summary["councils_with_dip_year"]
has_dip = bool(with_dip)
scope = "every council in the data" if council == "all" else covid.council_label(council)
display(Markdown(
    f"Scope: **{scope}**. Pandemic year: **{dip_year}**, compared with **{summary['base_year']}**. "
    + covid.scope_sentence(summary)))

# %% tags=["key-findings"]
display(Markdown("\n".join(f"- {line}" for line in summary["key_findings"])))

# %% [markdown]
# ## The observed dip

# %% [markdown] tags=["policy-only"]
# How complaints changed from 2019-20 into the first pandemic year, April 2020 to March 2021.

# %% [markdown] tags=["analyst-only"]
# The **primary estimate** comes first: the like-for-like change in Bromley's complaints, with an interval
# widened for how differently its divisions moved; the other estimates of the same dip follow as
# sensitivity rows.
#
# **Why this one is the primary.** The question is how far complaints fell in the pandemic year.
# Bromley's reports print three years before it (2017-18 to 2019-20), Lewisham's only one. The
# primary compares 2020-21 with 2019-20 itself, over the same divisions in both years, and takes its
# uncertainty from how differently those divisions moved (the Pearson dispersion φ of that fit). The
# alternative — 2020-21 against a trend drawn through the pre-pandemic years — needs the trend to be
# known: with three yearly points the line is fixed by two of them and only one is left to check it,
# so whether complaints were on a steady decline or 2019-20 was simply a low year cannot be told.
# That estimate is shown as a sensitivity row, with a φ borrowed from the division panel (whose
# pre-pandemic years can measure it); so is the primary comparison with that larger φ.
#
# Each series against the year before the pandemic, with the report line the pandemic-year
# figure comes from. Bromley's total is the printed *Total* row, which excludes Environment &
# Public Protection (E&PP) — that division changed how it recorded complaints in these years, so
# Bromley itself leaves it out.

# %% tags=["analyst-only"]
if has_dip:
    if summary["dip"]:
        display(Markdown("### Primary estimate\n\n" + covid.primary_markdown(summary)))
        display(present.table(covid.sensitivity_table(summary), kinds={"rate ratio": "text"},
                              caption="Sensitivity: other estimates of the same dip."))
    lines = covid.headlines(summary)
    display(Markdown("\n".join(f"- {line}" for line in lines) if lines else "*No series with both years in this selection.*"))

# %% tags=["policy-only"]
if has_dip and any(s["channel"] != "ombudsman" for s in summary["series"].values()):
    charts.show(covid.draw_changes(summary), source=covid.chart_source(summary) or None)
    display(Markdown(covid.dip_caveat(summary)))

# %% tags=["analyst-only"]
if has_dip and any(s["channel"] != "ombudsman" for s in summary["series"].values()):
    charts.show(covid.draw_index(summary))


# %% [markdown] tags=["analyst-only"]
# ### By division (Bromley)
#
# Bromley prints complaints by division for five years (2023-24 report) and three years
# (2019-20 report). The table shows each division's years and its change into 2020-21. A division
# with no 2019-20 figure (Planning & Regeneration joined the complaints service in April 2020)
# has no baseline: it is left out of the like-for-like total and of the model.

# %% tags=["analyst-only"]
divisions = covid.division_table(summary)
if not divisions.empty:
    display(present.table(divisions, kinds={"division": "division", "source (dip year)": "source"}))
    p = summary["panels"]["bromley"]
    new = p["entered_after_base_year"]
    lfl = p["rebound"][dip_year]
    display(Markdown(
        f"Like for like (divisions with a {summary['base_year']} figure), Bromley's complaints went from "
        f"{p['rebound'][summary['base_year']]['total']:.0f} to {lfl['total']:.0f}, {lfl['pct_vs_base']:+.1f}%"
        + (f"; the printed total's {dip_year} figure also counts {', '.join(present.division(d) for d in new)}, "
           "which has no earlier year." if new else ".")))

# %% [markdown] tags=["analyst-only"]
# ## Against a counterfactual
#
# What would the pandemic year have been without the pandemic? The reports only allow a guess
# from the pre-pandemic years they reprint: Bromley's 2019-20 report gives 2017-18 and 2018-19,
# its 2023-24 report starts at 2019-20; Lewisham's report gives adult social care back to
# 2014-15, complaints-and-enquiries (Table 4) back to 2016-17 and children's social care cases
# back to 2018-19, but stage 1 complaints, enquiries and Ombudsman referrals only for 2019-20.
# Two counterfactuals are shown: the **mean** of the pre-pandemic years and a **log-linear trend**
# through them, extrapolated one year. With two or three points a single unusual year moves the
# trend (a two-point trend is just the last change carried forward), and nothing tells a trend
# from noise: such counterfactuals are marked *fragile*.

# %% tags=["analyst-only"]
if has_dip:
    table = covid.dip_table(summary)
    display(present.table(table, kinds={"council": "text", "series": "text", "% change": "change", "source (dip year)": "source"}, digits={"% change": 1})
            if len(table) else Markdown("*No series in this selection.*"))


# %% [markdown] tags=["analyst-only"]
# ## The dip as a rate ratio (interrupted time series, count model)
#
# A Poisson generalised linear model of yearly counts (`analysis.stats.count_model`, which
# switches to a negative binomial when the Poisson fit is over-dispersed):
#
# `log E[complaints] = division effect + β·(year − 2020) + δ·[year is 2020-21]`
#
# `exp(δ)` is the dip: the pandemic year's complaints relative to the pre-pandemic trend, with
# a 95% interval. **Assumptions:** counts independent given the covariates; every division shares
# one proportional trend and one proportional dip; Poisson variance unless over-dispersion is
# detected. With fewer than two pre-pandemic years the trend cannot be told from the dip and is
# dropped (the dip is then against the 2019-20 level). The *every year* variant adds a level
# shift and a slope change for the years after 2020-21, so the rebound does not bend the
# counterfactual; with and without Education shows how much the SEN surge matters.

# %% tags=["analyst-only"]
models = covid.model_table(summary)
if not models.empty:
    display(present.table(models, kinds={"n": "count"}))
    main = summary["panels"]["bromley"]["model"]
    display(Markdown(
        f"Bromley, all divisions with a baseline (a sensitivity row beside the primary estimate): complaints in "
        f"{dip_year} were **{covid._rr(main)}** times the pre-pandemic {'trend' if main['trend'] else 'level'} "
        f"({main['family']}, Pearson dispersion {present.number(main['dispersion'], 'decimal', 2)}). "
        f"Assumes: {main['assumptions']}."))
elif has_dip:
    display(Markdown("*No division panel in this selection; each series' own model is in the table above.*"))

# %% [markdown]
# ## Which quarter: the first lockdown

# %% [markdown] tags=["analyst-only"]
# Lewisham's adult social care appendix prints complaints by quarter for 2019-20 and 2020-21.
# Each quarter is compared with the same quarter a year before (exact conditional interval for a
# ratio of two Poisson counts). The shaded quarter, April–June 2020, is the first national
# lockdown; the Ombudsman's casework was paused from the end of March to late June 2020.

# %%
for key in summary["quarters"]:
    display(Markdown(covid.quarter_plain(summary, key)))
    charts.show(covid.draw_quarters(summary, key), source=covid.chart_source(summary, [key.split(".")[0]]) or None)

# %% tags=["policy-only"]
for key in summary["quarters"]:
    display(Markdown(covid.quarter_caveat(summary, key)))

# %% tags=["analyst-only"]
for key in summary["quarters"]:
    display(Markdown(covid.quarter_sentence(summary, key)))


# %% [markdown]
# ## Complaints, enquiries and Ombudsman referrals

# %% [markdown] tags=["analyst-only"]
# Did people stop contacting the council, or contact it differently? Complaints are set beside
# enquiries (Lewisham prints both) and beside Ombudsman referrals, whose intake the Ombudsman's
# own pause (end of March to late June 2020) cut.

# %%
if has_dip:
    sentences = covid.channel_sentences(summary)
    if sentences:
        display(Markdown("\n".join(f"- {line}" for line in sentences)))

# %% [markdown] tags=["policy-only"]
# **Caveat.** The counts say how many complaints were recorded, not how many people had cause to complain.

# %% tags=["analyst-only"]
if has_dip:
    channels = covid.channel_table(summary)
    if len(channels):
        display(present.table(channels, kinds={"council": "text", "channel": "humanise", "series": "text",
                                               "% change": "text"}))


# %% [markdown]
# ## The rebound, with and without Education

# %% [markdown] tags=["analyst-only"]
# Did complaints return after 2020-21, and how much of any rise is Education, where complaints
# about special educational needs (SEN) grew for reasons of their own (see the SEN surge
# notebook)? Bromley's like-for-like total (divisions with a 2019-20 figure) is set against
# 2019-20 with and without Education.

# %%
if "bromley" in summary["panels"]:
    p = summary["panels"]["bromley"]
    display(Markdown(covid.rebound_sentence(summary)))
    charts.show(covid.draw_rebound(summary), headline=True, source=covid.chart_source(summary, ["bromley"]) or None)  # the primary figure: like for like, 2019-20 to 2020-21

# %% [markdown] tags=["policy-only"]
# **Caveat.** Bromley's later years mix recovery, the rise in SEN complaints and changes in what each report
# counts: the figures describe, they do not explain.

# %% tags=["analyst-only"]
if "bromley" in summary["panels"]:
    p = summary["panels"]["bromley"]
    rebound = pd.DataFrame({"year": list(p["rebound"]),
                            "all divisions": [v["total"] for v in p["rebound"].values()],
                            "without Education": [p["rebound_without_education"].get(k, {}).get("total")
                                                  for k in p["rebound"]]})
    display(present.table(rebound, kinds={"year": "text"}))


# %% [markdown] tags=["analyst-only"]
# ## Where the sources disagree
#
# The same year is often printed twice: Bromley's 2019-20 and 2023-24 reports overlap on
# 2019-20, each division chapter's *at a glance* table repeats the overview, and Lewisham's
# London-wide Ombudsman table repeats every borough's 2020-21 referrals. Each series above is
# reconciled within the table(s) that define it (so Bromley's total is always the printed
# Total excluding E&PP). The table below lists every figure used for which the project's whole
# reconciled view (`load_reconciled()`) holds another reading for the same key — a different
# chosen value, or alternatives that disagree — with the rule that chose and the alternatives.

# %% tags=["analyst-only"]
readings = covid.readings_table(summary)
if len(readings):
    display(Markdown(f"{len(readings)} figure(s) used here have other readings; for "
                     f"{int((readings['differs'] == 'yes').sum())} the whole reconciled view chose a different value "
                     "(a different table with the same key)."))
    display(present.table(readings, kinds={"council": "council", "division": "division", "measure": "measure",
                                           "year": "text", "source used": "source", "other source": "source",
                                           "rule": "rule"}, limit=40))
elif has_dip:
    display(Markdown("*Every figure used here is printed once, or printed alike wherever it appears.*"))


# %% [markdown] tags=["analyst-only"]
# ## Councils without a pandemic-year report
#
# A council whose reports stop before 2020-21 has no dip to measure; its pre-pandemic baseline
# is listed so the next report can be set against it.

# %% tags=["analyst-only"]
for name, info in summary["without_dip_year"].items():
    display(Markdown(f"**{covid.council_label(name)}**: pre-pandemic counts in its reports "
                     f"({', '.join(info['years'])}):"))
    display(present.table(covid.baseline_table(rec, name, dip_year), kinds={"division": "division", "stage": "stage",
                                                                          "measure": "measure", "service": "text"}))


# %% [markdown]
# ## What this cannot tell us

# %% tags=["analyst-only"]
display(Markdown(covid.cannot_tell_text(summary)))

# %% tags=["policy-only"]
brief = covid.cannot_tell_text(summary, brief=True)  # the rest are the caveats under each chart
if brief:  # nothing left: the policy page leaves the section out
    display(Markdown(brief))


# %% [markdown] tags=["analyst-only"]
# ## Headline figures (machine-readable)
#
# Saved for tests and the synthesis notebook.
#

# %% tags=["analyst-only"]
_ = save_findings(run_id, summary)

