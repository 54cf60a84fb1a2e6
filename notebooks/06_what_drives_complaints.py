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
#
# The study asks what drives complaints to English councils. Four notebooks each test one driver: what complaints are about (root causes), contracted care providers, the rise in special educational needs (SEN) complaints, and the COVID-19 pandemic. This page reads their findings and the clean data and says, for one council or for all of them, which drivers the data supports, with each estimate, its 95% interval and its caveat. Every figure is computed by `analysis.studies.synthesis` from the drivers' findings; none is typed in.

# %% tags=["parameters"]
# Parameters (papermill injects council and run_id)
council = "all"  # "all", or one council with data for at least two drivers
run_id = "06_what_drives_complaints"

# %%
from analysis.site.parameters import check_parameters  # a typo or an unknown year stops here, naming the known ones
council, _ = check_parameters("06_what_drives_complaints", council)

from IPython.display import Markdown, display

from analysis.paths import Paths
from analysis.studies import synthesis
from analysis.site.findings import save_findings

paths = Paths.discover()
study = synthesis.build(paths, council)
findings = synthesis.findings(study)
display(Markdown("\n".join(f"- {line}" for line in findings["headlines"])))

# %% [markdown]
# ## Driver by driver
#
# A driver is *supported* when its estimate's 95% interval excludes no effect (a zero difference, a rate ratio of 1), or when it is a share of complaints the council's reports print. *Not stated* means the council's reports hold no figure for it.

# %%
for driver in study.drivers:
    display(Markdown(f"**{driver.driver}.** {driver.finding} *Caveat:* {driver.caveat}"))
display(synthesis.drivers_table(study))

# %% [markdown]
# ## How far the councils can be compared
#
# The councils' reports count different things: aspects (one complaint can raise several), complaints, and percentages of complaints, over different years and tables.

# %%
display(Markdown(findings["comparability"]))

# %% [markdown]
# ## What this study cannot conclude

# %%
display(Markdown("\n".join(f"- {line}" for line in findings["cannot_conclude"])))

# %%
save_findings(run_id, findings, paths)

# %% [markdown]
# ## How far the reports' own words hold

# %%
display(Markdown(synthesis.claims_sentence(synthesis.claims_checked(paths, council))))

