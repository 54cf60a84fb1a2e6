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
# # What drives complaints: the four drivers together

# %% [markdown] tags=["analyst-only"]
# The study asks what drives complaints to councils, with four questions: what complaints are about (root causes), contracted care providers, the rise in special educational needs (SEN) complaints, and the COVID-19 pandemic. This page reads each question's declared primary finding and the clean data, and says, for one council or for all of them, what each finding is, which councils and years it covers, and how strong the evidence is, in words: *clear*, *unclear*, *cannot be told from a change in recording* or *not estimable*, each with its reason. Every figure is computed by `analysis.studies.synthesis` from the drivers' findings; none is typed in. How the likely ranges are made is in the study's method note (docs/methods.md).

# %% tags=["parameters"]
# Parameters (papermill injects council and run_id)
council = "all"  # "all", or one council with data for at least two drivers
run_id = "06_what_drives_complaints"

# %%
from analysis.site.parameters import check_parameters  # a typo or an unknown year stops here, naming the known ones
council, _ = check_parameters("06_what_drives_complaints", council)

# %% tags=["analyst-only"]
from IPython.display import Markdown, display

from analysis.paths import Paths
from analysis.studies import synthesis
from analysis.site.findings import save_findings

paths = Paths.discover()
study = synthesis.build(paths, council)
findings = synthesis.findings(study)
display(Markdown(findings["scope"] + "\n\n" + "\n".join(f"- {line}" for line in findings["headlines"])))

# %% tags=["policy-only"]
display(Markdown(findings["scope"]))

# %% [markdown]
# ## Driver by driver

# %% tags=["policy-only"]
for driver in study.drivers:
    display(Markdown(synthesis.driver_section(driver)))

# %% [markdown] tags=["analyst-only"]
# Each driver's finding is the one its own page declares as primary, quoted word for word. *Clear* means the likely range excludes no effect under the study's variance model and under every labelled alternative; *unclear* means it does not, or that the verdict changes with the alternative; *cannot be told from a change in recording* means a change in how the council records complaints would give the same numbers; *not estimable* means the reports hold no figure that answers the question, with the reason. *Not stated* means the council's reports hold no figure for it.

# %% tags=["analyst-only"]
for driver in study.drivers:
    display(Markdown(f"**{driver.driver}** ({driver.scope}). {driver.finding} **Strength:** {driver.strength}"
                     + (f" ({driver.reason})" if driver.reason else "") + f". *Caveat:* {driver.caveat}"))

# %% tags=["analyst-only"]
display(synthesis.drivers_table(study))

# %% [markdown]
# ## How far the councils can be compared

# %% [markdown] tags=["analyst-only"]
# The councils' reports count different things: aspects (one complaint can raise several), complaints, and percentages of complaints, over different years and tables.

# %% tags=["policy-only"]
from analysis import charts
from analysis.data import load_observations
from analysis.reference import load_external_figures
from analysis.studies import benchmark as bm
from analysis.studies import root_causes as rc

london = bm.benchmark(load_observations(paths), load_external_figures(paths))
if london is not None:
    charts.setup()
    charts.show(bm.funnel_figure(london), source=rc.reports_source([("lewisham", bm.PERIOD)]))
display(Markdown(synthesis.comparability_brief(study)))

# %% tags=["analyst-only"]
display(Markdown(findings["comparability"]))

# %% [markdown]
# ## What this study cannot conclude

# %% tags=["policy-only"]
display(Markdown("\n".join(f"- {line}" for line in synthesis.cannot_conclude(study, said_above=True))))

# %% tags=["analyst-only"]
display(Markdown("\n".join(f"- {line}" for line in findings["cannot_conclude"])))

# %% tags=["analyst-only"]
save_findings(run_id, findings, paths)

# %% [markdown]
# ## How far the reports' own words hold

# %%
display(Markdown(synthesis.claims_sentence(synthesis.claims_checked(paths, council))))

