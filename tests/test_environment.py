"""environment.yml (conda), pyproject.toml and requirements.lock (pip) must describe one environment."""
import shutil

from analysis.envcheck import problems

from conftest import ROOT

FILES = ("pyproject.toml", "requirements.lock", "environment.yml")


def test_the_three_environment_files_agree():
    assert problems(ROOT) == []


def _copy(tmp_path):
    for name in FILES:
        shutil.copy(ROOT / name, tmp_path / name)
    return tmp_path


def test_a_version_drift_in_environment_yml_is_caught(tmp_path):
    root = _copy(tmp_path)
    text = (root / "environment.yml").read_text()
    assert "  - pandas=" in text
    lines = [("  - pandas=0.0.1" if line.startswith("  - pandas=") else line) for line in text.splitlines()]
    (root / "environment.yml").write_text("\n".join(lines) + "\n")
    assert any("pandas=0.0.1" in p and "requirements.lock pins" in p for p in problems(root))


def test_a_dependency_missing_from_environment_yml_is_caught(tmp_path):
    root = _copy(tmp_path)
    text = (root / "pyproject.toml").read_text().replace('    "pandas",\n', '    "pandas",\n    "openpyxl",\n')
    (root / "pyproject.toml").write_text(text)
    found = problems(root)
    assert "requirements.lock: no pin for openpyxl (run `make lock`)" in found
    assert "environment.yml: openpyxl is a dependency in pyproject.toml but not listed" in found


def test_a_newer_python_requirement_is_caught(tmp_path):
    root = _copy(tmp_path)
    text = (root / "pyproject.toml").read_text().replace('requires-python = ">=3.11"', 'requires-python = ">=3.12"')
    (root / "pyproject.toml").write_text(text)
    assert any("requires-python" in p for p in problems(root))


def test_makefile_installs_from_the_lock_into_venv():
    makefile = (ROOT / "Makefile").read_text()
    # --compile-bytecode: kernels import pandas/scipy/statsmodels from .pyc even where PYTHONDONTWRITEBYTECODE is set
    assert "uv pip sync --quiet --compile-bytecode --python $(BIN)/python requirements.lock" in makefile
    assert "$(BIN)/python -m pytest" in makefile
