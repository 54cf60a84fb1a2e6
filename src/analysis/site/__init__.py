"""The site: run the notebooks (papermill), keep their findings, publish the HTML (nbconvert).

``runs`` plans and executes the notebook runs, skipping unchanged ones; ``findings`` writes each
run's headline figures as JSON; ``publish`` renders policy and analyst pages and the index from
``templates/``.

May import: everything (core, ``analysis.clean``, ``analysis.studies``); nothing imports it but
the CLI and the notebooks (which save their findings through it).
"""
