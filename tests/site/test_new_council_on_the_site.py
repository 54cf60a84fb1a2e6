"""A new council's report publishes its council's overview page and leaves every other council's pages as
they were; taking it out again returns the site to where it was (issue 23).

The report is a real one of the development set, from a council the study has never seen: Darlington's
2023-24 cabinet minute (tests/data/devset/reports/darlington_2023-24_cabinet-complaints-annual-reports-minutes.txt),
added with ``add-report --new-council`` (no template: the generic reader reads it). Its line 13 prints
"in 2023/24 a total number of 746 complaints had been received, an increase from 709 in 2022/23" and
"231 compliments had been received, an increase from 202 in 2022/23".

It runs in a copy of the built seed study (``built_site``: its executed notebooks, findings, run and page
fingerprints), so the study's own fingerprints decide what re-runs. For time, of the runs the new report
brings, only the new council's overview is executed; the plan (``run --list``) shows which runs the
report re-runs: the new council's, the all-council ones, and the per-council syntheses, which read the
all-council drivers' findings (``DEPENDS_ON``). Every other council's run stays unchanged.
"""
from __future__ import annotations

import re
import shutil

import pandas as pd
import pytest

from analysis.paths import Paths

from conftest import ROOT, SEED_ROOT, analysis_cli

REPORT = ROOT / "tests/data/devset/reports/darlington_2023-24_cabinet-complaints-annual-reports-minutes.txt"
LINE = 13  # "746 complaints ... an increase from 709 in 2022/23"; "231 compliments ... from 202 in 2022/23"
OVERVIEW = "01_council_overview__darlington_2023-24"
STATUS = re.compile(r"^\s+(to run|unchanged|skipped)\s+(\S+)\.ipynb \(([^)]*)\)(?::\s*no run, (.*))?$", re.M)


def cli(root, *args) -> str:
    result = analysis_cli(root, *args)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]
    return output


def plan(root) -> dict[tuple[str, str], tuple[str, str]]:
    """`run --list`: (notebook, parameters) → (status, reason)."""
    return {(nb, params): (status, reason or "") for status, nb, params, reason in STATUS.findall(cli(root, "run", "--list"))}


def pages(paths: Paths) -> dict[str, bytes]:
    return {p.relative_to(paths.html).as_posix(): p.read_bytes()
            for folder in ("policy", "analyst") for p in sorted((paths.html / folder).glob("*.html"))}


def site(paths: Paths) -> dict[str, bytes]:
    return {p.relative_to(paths.html).as_posix(): p.read_bytes() for p in sorted(paths.html.rglob("*")) if p.is_file()}


@pytest.fixture
def built_copy(built_site, tmp_path) -> Paths:
    """A copy of the built seed study (reports, clean data, notebooks, outputs with their fingerprints),
    re-published in its new place (the provenance line names the copy's code version)."""
    root = tmp_path / "project"
    shutil.copytree(SEED_ROOT, root, ignore=shutil.ignore_patterns(".ipynb_checkpoints", "extra"))
    cli(root, "publish")
    return Paths(root)


def test_a_new_councils_report_adds_its_pages_and_leaves_the_others_as_they_were(built_copy):
    paths = built_copy
    before_plan, before_pages, before_site = plan(paths.root), pages(paths), site(paths)
    assert before_plan and all(status != "to run" for status, _ in before_plan.values())  # the copy is built

    cli(paths.root, "add-report", str(REPORT), "--council", "Darlington", "--period", "2023-24", "--new-council")
    manifest = pd.read_csv(paths.manifest, dtype=str)
    entry = manifest[manifest["council"] == "darlington"].iloc[0]
    assert entry["template"] == "generic"
    cli(paths.root, "clean")

    # data/clean: the headline figures of line 13, as printed
    obs = pd.read_csv(paths.clean / "observations.csv", dtype=str, keep_default_na=False)
    own = obs[(obs["council"] == "darlington") & (obs["source_file"] == f"data/raw/{entry['file']}")]
    complaints = own[(own["measure"] == "complaints") & (own["division"] == "all")].set_index("period")
    assert complaints.loc[["2023-24", "2022-23"], "value"].astype(float).tolist() == [746, 709]
    assert set(complaints["source_line"].astype(int)) == {LINE}

    # the plan: only the new council's runs and those that read every council's data are to run
    after_plan = plan(paths.root)
    to_run = {key for key, (status, _) in after_plan.items() if status == "to run"}
    assert ("01_council_overview", "council=darlington, period=2023-24") in to_run
    assert ("00_data_audit", "council=darlington") in to_run
    for notebook, params in to_run:
        assert "council=darlington" in params or params == "council=all" or notebook == "06_what_drives_complaints", \
            (notebook, params)
    for key, (status, _) in before_plan.items():
        if status == "unchanged" and key[0] != "06_what_drives_complaints" and "council=all" not in key[1]:
            assert after_plan[key][0] == "unchanged", key  # every other council's runs: unchanged
    # driver pages with nothing to say are left out, with the reason
    skipped = {nb: reason for (nb, params), (status, reason) in after_plan.items()
               if status == "skipped" and params == "council=darlington"}
    assert set(skipped) == {"02_root_causes", "03_contracted_services", "05_covid_dip", "06_what_drives_complaints"}
    # its 2019-20 and 2020-21 figures meet the data needs, but no COVID series is set up for a generic-read report
    assert "has no comparable series set up" in skipped["05_covid_dip"]

    ran = cli(paths.root, "run", "--notebook", "01_council_overview", "--council", "darlington")
    assert "run: 1 executed" in ran and " 0 failed" in ran, ran
    cli(paths.root, "publish")

    after = pages(paths)
    new = sorted(set(after) - set(before_pages))
    assert new == [f"analyst/{OVERVIEW}.html", f"policy/{OVERVIEW}.html"]
    policy = after[f"policy/{OVERVIEW}.html"].decode("utf-8")
    assert "746 in 2023-24, up 5% on 2022-23 (709)" in policy  # (746 - 709) / 709 = 5.2%
    assert "231 in 2023-24, up 14% on 2022-23 (202)" in policy  # (231 - 202) / 202 = 14.4%
    assert "Not reported by this council" in policy  # upheld rates, timeliness…: not reported, never zero
    changed = [name for name, data in before_pages.items() if after.get(name) != data]
    assert changed == [], changed  # every page published before is byte-identical
    index = (paths.html / "index.html").read_text(encoding="utf-8")
    assert f'href="policy/{OVERVIEW}.html">2023-24</a>' in index
    assert "has no comparable series set up" in index  # why it has no COVID page

    # taking the report out returns the plan and the site to where they were
    cli(paths.root, "remove-report", "--council", "darlington", "--period", "2023-24")
    cli(paths.root, "clean")
    assert plan(paths.root) == before_plan
    cli(paths.root, "publish")
    restored = site(paths)
    assert sorted(set(restored) ^ set(before_site)) == []
    assert [name for name, data in before_site.items() if restored[name] != data] == []
