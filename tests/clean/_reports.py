"""The five real reports, extracted once per test session (shared by test_relations and test_claims)."""
from __future__ import annotations

from functools import cache

from analysis.clean.manifest import read_manifest
from analysis.clean.report_step import extract_entry
from analysis.paths import Paths

from conftest import SEED_ROOT

B1920 = "data/raw/bromley_2019-20_committee-briefing-with-annual-complaints-report.txt"
B2324 = "data/raw/bromley_2023-24_complaints-and-compliments-annual-report.txt"
LEW = "data/raw/lewisham_2020-21_annual-complaints-and-casework-report.txt"
HAR = "data/raw/harrow_2019-20_scrutiny-agenda-with-social-care-complaints-reports.txt"
BD = "data/raw/barking-and-dagenham_2018-19_social-care-and-education-complaints-report.txt"


@cache
def report(source_file: str):
    """(observations with flags, claims) of one real report."""
    paths = Paths(SEED_ROOT)
    entry = next(e for e in read_manifest(paths) if e.source_file == source_file)
    claims: list[dict] = []
    observations = extract_entry(paths, entry, claims)
    return observations, claims


def flagged(source_file: str, line: int, measure: str, code: str) -> list[float]:
    """Values of the figures on ``line`` of ``measure`` that carry ``code``."""
    return [o.value for o in report(source_file)[0]
            if o.source_line == line and o.measure == measure and code in o.quality_flag.split(";")]


def claims_on(source_file: str, line: int) -> list[dict]:
    return [c for c in report(source_file)[1] if c["source_line"] == line]
