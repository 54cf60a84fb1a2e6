"""Bromley's Complaints & Compliments annual report (2019-20 and 2023-24 share this template)."""
from __future__ import annotations

from ..observations import Observation
from .engine import Column, RawReport, Section, TableSpec, extract_sections

DIVISION_LABELS = {
    r"adult social care|adult|adults": "adult_social_care",
    r"children'?s social care|children": "childrens_social_care",
    r"housing": "housing",
    r"planning (&|and) regeneration|p&r": "planning_regeneration",
    r"education|educ'n": "education",
    r"chief executive'?s dep(t|artment)\.?|ced": "chief_executives",
    r"environment (&|and) public protection|e&pp|epp": "environment_public_protection",
    r"public health": "public_health",
    r"total|overall": "all",
}

FIVE_YEAR = TableSpec(
    id="complaints_by_division_multi_year",
    anchor=r"^(Five|Three) year comparison",
    header=r"^Division\t",
    columns=(
        Column(r"\d{4}\s*[/-]\s*\d{2,4}", measure="complaints", period="header"),
        Column(r"% change", measure="pct_change", unit="percent"),
    ),
    row_dim="division",
    row_map=DIVISION_LABELS,
)


def extract(report: RawReport) -> list[Observation]:
    whole = Section(1, len(report.lines), {})
    return extract_sections(report, [(whole, [FIVE_YEAR])])
