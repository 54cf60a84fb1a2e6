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
# # Council overview: the year at a glance

# %% [markdown] tags=["policy-only"]
# One council's complaints year against its earlier years, topic by topic, from the council's own reports: each
# table links every figure to the report line it comes from. A topic the reports do not cover is marked
# *not reported*, never shown as zero.

# %% [markdown] tags=["analyst-only"]
# One council's complaints year against its earlier years: complaints by division and stage,
# upheld rates, timeliness, Ombudsman referrals and decisions, compensation and compliments —
# whatever that council's reports print. Every figure below is computed from `data/clean`
# (the figures extracted from the council's own reports up to the chosen year) and each table
# cites the report and line it comes from. A topic the council's reports do not cover is
# marked *not reported*, never shown as zero.

# %% tags=["parameters"]
# Parameters (papermill injects one set per council and report period in data/raw/manifest.csv)
council = "lewisham"
period = "2020-21"
run_id = "01_council_overview"

# %%
from analysis.site.parameters import check_parameters  # a typo or an unknown year stops here, naming the known ones
council, period = check_parameters("01_council_overview", council, period)

from IPython.display import Markdown, display

from analysis import charts
from analysis.studies import overview
from analysis.data import load_observations
from analysis.site.findings import save_findings

charts.setup()
results = overview.council_overview(load_observations(), council, period)
summary = overview.findings_summary(results, council, period)
display(Markdown(overview.introduction(summary)))

# %% tags=["key-findings"]
display(Markdown("\n".join(f"- {overview.as_markdown(line)}" for line in summary["key_findings"])))

# %% [markdown] tags=["analyst-only"]
# ## Findings
#
# Each line is the topic's headline: the whole council's figure where the report prints one
# (otherwise the largest division or service), with the change on the year before.

# %% tags=["analyst-only"]
display(Markdown(overview.findings_markdown(results)))

# %% [markdown]
# ## Topic by topic
#
# For each topic: a chart titled with its finding; the figures behind it, each with the report line it comes
# from, are in the chart's data and on the analyst version of this page.

# %%
for result in results:
    display(Markdown(f"### {result.topic.title}"))
    if not result.head.get("reported"):
        display(Markdown(overview.as_markdown(f"Not reported by this council: {overview.council_label(council)}'s "
                                              f"reports up to {period} print no {result.topic.noun} figures.")))
        continue
    charts.show(overview.draw(result.series, result.topic, result.finding, period))
    if result.table.empty:
        display(Markdown(overview.as_markdown(f"Not reported for {period} or {overview.previous_period(period)}; "
                                              "the chart shows the years the reports do print.")))

# %% [markdown] tags=["analyst-only"]
# ## The figures, topic by topic
#
# The year and the year before, each figure with the report and line it comes from.

# %% tags=["analyst-only"]
for result in results:
    if result.head.get("reported") and not result.table.empty:
        display(Markdown(f"### {result.topic.title}"))
        display(overview.styled(result.table))

# %% [markdown] tags=["analyst-only"]
# ## Headline figures (machine-readable)
#
# The findings above are saved for tests and other tools.
#

# %% tags=["analyst-only"]
_ = save_findings(run_id, summary)

