"""ruff (configured in pyproject.toml) finds nothing in src/ and tests/."""
import subprocess
import sys
from pathlib import Path

from conftest import ROOT


def test_ruff_is_clean_on_src_and_tests():
    ruff = Path(sys.executable).with_name("ruff")
    result = subprocess.run([str(ruff), "check", "--output-format", "concise", "src", "tests"],
                            cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, (result.stdout + result.stderr)[-4000:] + "\nfix with: .venv/bin/ruff check --fix src tests"
