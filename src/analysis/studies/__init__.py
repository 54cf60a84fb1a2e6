"""The studies: one module per notebook, each computing plain results from ``data/clean``.

``overview`` (01), ``audit`` (00), ``root_causes`` (02), ``contracted`` (03), ``sen`` (04),
``covid`` (05). A notebook calls a module's compute functions, then shows the results through
``analysis.present`` (labels, numbers, citations, tables) and ``analysis.charts``.

May import: the core modules (data, stats, charts, present, councils, paths, parsing) and
``analysis.clean`` (the reconcile rules, the taxonomy, the manifest). Never imports
``analysis.site``.
"""
