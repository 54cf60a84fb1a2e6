"""The command line: every subcommand exists and documents itself."""
import subprocess
import sys

import pytest

from conftest import ROOT


def _run(*args):
    return subprocess.run([sys.executable, "-m", "analysis", *args], cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_help_lists_every_subcommand():
    result = _run("--help")
    assert result.returncode == 0
    for command in ("clean", "check", "run", "publish", "all", "add-report", "remove-report"):
        assert command in result.stdout


@pytest.mark.parametrize("command", ["clean", "check", "run", "publish", "all", "add-report", "remove-report"])
def test_each_subcommand_has_help(command):
    result = _run(command, "--help")
    assert result.returncode == 0
    assert f"python -m analysis {command}" in result.stdout
