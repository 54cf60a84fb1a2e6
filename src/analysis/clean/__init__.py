"""The clean step: raw reports (``data/raw``) → tidy tables (``data/clean``).

``layout`` turns any report text (tabs, pipes, markdown, space-aligned columns) into
tab-separated cells, line for line; ``extract/`` reads each report template into observations; ``quality`` flags what a report
gets wrong; ``reconcile`` picks one value per key and lists the conflicts; ``taxonomy`` maps
printed labels to root-cause codes; ``manifest`` lists and checks the raw files; ``datapackage``
and ``dictionary`` describe the output; ``report_step`` cleans one report (pandas-free, so the CLI
runs it in a background worker while pandas loads); ``pipeline`` runs it all
(``python -m analysis clean``).

May import: the core modules at the package top (paths, parsing, observations, councils,
fingerprint). Never imports ``analysis.studies`` or ``analysis.site``. Kept light on import
(no pandas here) so the rerun's "is data/clean current?" check stays fast.
"""
