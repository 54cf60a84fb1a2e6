"""Do ``pyproject.toml``, ``requirements.lock`` and ``environment.yml`` describe one environment?

The pip path (the lock) is what CI tests; conda users get ``environment.yml``. Both must
pin every direct dependency of ``pyproject.toml`` to the same version, for Python 3.11.
Run ``python -m analysis.envcheck`` or see tests/test_environment.py.
"""
from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def direct_dependencies(pyproject: Path) -> set[str]:
    data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    return {_norm(re.split(r"[\s<>=!~;\[]", dep, maxsplit=1)[0]) for dep in data["project"]["dependencies"]}


def lock_pins(lock: Path) -> dict[str, str]:
    pins = {}
    for line in lock.read_text(encoding="utf-8").splitlines():
        match = re.match(r"^([A-Za-z0-9_.\-]+)==([^\s;]+)", line)
        if match:
            pins[_norm(match[1])] = match[2]
    return pins


def conda_pins(environment: Path) -> dict[str, str]:
    """``- name=version`` lines of the conda dependencies (the pip sub-list is not pins)."""
    pins = {}
    text = environment.read_text(encoding="utf-8")
    section = text.split("\ndependencies:", 1)[1] if "\ndependencies:" in text else ""
    for line in section.splitlines():
        match = re.match(r"^  - ([A-Za-z0-9_.\-]+)(?:=+([^\s#]+))?\s*(?:#.*)?$", line)
        if match:
            pins[_norm(match[1])] = match[2] or ""
    return pins


def problems(root: Path) -> list[str]:
    """Every disagreement between the three files (empty when they agree)."""
    found = []
    deps = direct_dependencies(root / "pyproject.toml")
    lock = lock_pins(root / "requirements.lock")
    conda = conda_pins(root / "environment.yml")
    python = conda.pop("python", None)
    conda.pop("pip", None)
    if python is None or not python.startswith("3.11"):
        found.append(f"environment.yml: python should be 3.11 (these machines' Python), found {python!r}")
    requires = tomllib.loads((root / "pyproject.toml").read_text())["project"].get("requires-python", "")
    if not re.fullmatch(r">=\s*3\.(?:\d|1[01])(?:\.\d+)?", requires.strip()):
        found.append(f"pyproject.toml: requires-python {requires!r} must admit Python 3.11")
    for name in sorted(deps):
        if name not in lock:
            found.append(f"requirements.lock: no pin for {name} (run `make lock`)")
        if name not in conda:
            found.append(f"environment.yml: {name} is a dependency in pyproject.toml but not listed")
        elif name in lock and conda[name] != lock[name]:
            found.append(f"environment.yml: {name}={conda[name]} but requirements.lock pins {lock[name]}")
    for name in sorted(set(conda) - deps):
        found.append(f"environment.yml: {name} is not a dependency in pyproject.toml")
    return found


if __name__ == "__main__":
    issues = problems(Path(sys.argv[1]) if len(sys.argv) > 1 else Path.cwd())
    print("\n".join(issues) or "pyproject.toml, requirements.lock and environment.yml agree")
    sys.exit(1 if issues else 0)
