"""Findings are written only by the study's runner: a notebook run by hand in Jupyter leaves outputs/findings alone."""
import json

from analysis.paths import Paths
from analysis.site.findings import RUNNER_ENV, save_findings


def test_interactive_run_writes_no_findings(tmp_path, monkeypatch, capsys):
    paths = Paths(tmp_path)
    monkeypatch.delenv(RUNNER_ENV, raising=False)
    assert save_findings("02_root_causes__all", {"n": 1}, paths) is None
    assert not paths.findings.exists()
    assert "findings not saved" in capsys.readouterr().err


def test_runner_run_writes_findings(tmp_path, monkeypatch):
    paths = Paths(tmp_path)
    monkeypatch.setenv(RUNNER_ENV, "02_root_causes__all")
    path = save_findings("02_root_causes__all", {"n": 1}, paths)
    assert json.loads(path.read_text()) == {"n": 1}
