"""The GitHub workflows run what the README tells a person to run: `make test` on push, `make study` yearly."""
import re

import pytest
import yaml

from conftest import ROOT

WORKFLOWS = ROOT / ".github" / "workflows"


def _workflow(name: str) -> dict:
    return yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))


def _triggers(workflow: dict) -> dict:
    return workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on:` key as True


def _steps(workflow: dict) -> list[dict]:
    return [step for job in workflow["jobs"].values() for step in job["steps"]]


def _readme_commands() -> set[str]:
    """`make …` commands of the README's shell blocks (the part before any comment)."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```(?:bash|sh|shell)?\n(.*?)```", text, flags=re.S)
    return {line.split("#")[0].strip() for block in blocks for line in block.splitlines() if line.startswith("make ")}


@pytest.mark.parametrize("name, command", [("ci.yml", "make test"), ("yearly-rerun.yml", "make study")])
def test_workflow_runs_the_readme_command(name, command):
    assert command in _readme_commands()
    workflow = _workflow(name)
    assert command in [step.get("run", "").strip() for step in _steps(workflow)]
    python = [s["with"]["python-version"] for s in _steps(workflow) if s.get("uses", "").startswith("actions/setup-python")]
    assert python == ["3.11"]


def test_ci_runs_on_push_and_pull_request():
    assert {"push", "pull_request"} <= set(_triggers(_workflow("ci.yml")))


def test_yearly_rerun_is_scheduled_once_a_year_and_uploads_site_and_data():
    workflow = _workflow("yearly-rerun.yml")
    triggers = _triggers(workflow)
    assert "workflow_dispatch" in triggers
    [schedule] = triggers["schedule"]
    minute, hour, day, month, weekday = schedule["cron"].split()
    assert day.isdigit() and month.isdigit() and weekday == "*"  # one fixed day of one month: once a year
    uploads = [s["with"]["path"] for s in _steps(workflow) if s.get("uses", "").startswith("actions/upload-artifact")]
    assert sorted(uploads) == ["data/clean", "outputs/html"]
    steps = _steps(workflow)
    study = [i for i, s in enumerate(steps) if s.get("run", "").strip() == "make study"]
    assert study and all(not s.get("continue-on-error") for s in steps)  # a failed study fails the job


def test_every_project_path_the_readme_names_exists():
    """A moved file must not leave the README pointing at nothing (tests/test_yearly_rerun.py once did)."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    named = set(re.findall(r"`((?:tests|src|notebooks|docs|benchmarks|\.github)/[\w./-]+\.(?:py|md|yml|j2|ipynb))`", text))
    assert named, "the README names no project file: the pattern is stale"
    assert sorted(p for p in named if not (ROOT / p).exists()) == []
