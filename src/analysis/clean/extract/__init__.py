"""Report templates: each module describes one family of reports and exposes ``extract``.

``TEMPLATES`` maps the manifest's ``template`` column to the function that turns a
:class:`~analysis.clean.extract.engine.RawReport` into observations.
"""
from __future__ import annotations

from collections.abc import Callable
from importlib import import_module

from ...observations import Observation
from .engine import RawReport, ReportFormatError

TEMPLATE_MODULES = {
    "bromley": "analysis.clean.extract.bromley",
    "lewisham": "analysis.clean.extract.lewisham",
    "harrow": "analysis.clean.extract.harrow",
    "barking_and_dagenham": "analysis.clean.extract.barking_and_dagenham",
    "generic": "analysis.clean.extract.generic",  # no template: every table and headline sentence, through the vocabulary
}
GENERIC = "generic"


def extractor(template: str) -> Callable[[RawReport], list[Observation]]:
    """The ``extract`` function of a template module (imported lazily)."""
    if template not in TEMPLATE_MODULES:
        known = ", ".join(sorted(TEMPLATE_MODULES))
        raise KeyError(f"unknown report template {template!r}; known templates: {known}")
    return import_module(TEMPLATE_MODULES[template]).extract


__all__ = ["GENERIC", "TEMPLATE_MODULES", "extractor", "RawReport", "ReportFormatError"]
