# One-command study. Everything runs in .venv, built from requirements.lock.
#   make study   clean the raw reports, run every notebook, publish the HTML site
#   make test    the test suite
SHELL := /bin/bash
# Let Python cache the project's own bytecode (src/analysis/__pycache__, git-ignored) even where the
# machine sets PYTHONDONTWRITEBYTECODE: each notebook kernel otherwise recompiles the package (~0.4 s).
unexport PYTHONDONTWRITEBYTECODE
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
UV_VERSION := 0.13.9
STAMP := $(VENV)/.installed
KERNEL := complaints-study

.PHONY: setup study clean run publish test lab bench mutate lock clean-outputs

setup: $(STAMP)

# Rebuilt only when the lock, the package metadata or this recipe change: a second `make setup` is a no-op.
# --compile-bytecode: the .pyc files are written at install time, so imports stay fast even where
# PYTHONDONTWRITEBYTECODE is set (as on these machines: every kernel would otherwise recompile
# pandas, scipy and statsmodels from source, ~5 s per notebook run).
$(STAMP): requirements.lock pyproject.toml Makefile
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	$(BIN)/uv pip sync --quiet --compile-bytecode --python $(BIN)/python requirements.lock
	$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps -e .
	$(BIN)/python -m ipykernel install --sys-prefix --name $(KERNEL) --display-name "Complaints study (.venv)" >/dev/null
	@touch $(STAMP)

study: setup
	$(BIN)/python -m analysis all

clean: setup
	$(BIN)/python -m analysis clean

run: setup
	$(BIN)/python -m analysis run

publish: setup
	$(BIN)/python -m analysis publish

test: setup
	$(BIN)/python -m pytest

# LAB_ARGS: extra options, e.g. `make lab LAB_ARGS="--no-browser --ip=0.0.0.0 --port=8888"`; as root
# (containers) Jupyter refuses to start without --allow-root, so it is added when uid is 0.
# Lab is rooted at the project and opens on notebooks/, so citation links reach the built site
# (COMPLAINTS_LINK_BASE: analysis/present.py); the notebooks' jupytext .py twins are hidden (hide_globs).
LAB_ARGS ?=
LAB_HIDDEN := ['__pycache__','*.pyc','*.pyo','.DS_Store','*.so','*.dylib','*~','[0-9][0-9]_*.py','.ipynb_checkpoints']
lab: setup
	COMPLAINTS_LINK_BASE=../outputs/html/ $(BIN)/jupyter lab --ServerApp.root_dir=. --LabApp.default_url=/lab/tree/notebooks \
		"--ContentsManager.hide_globs=$(LAB_HIDDEN)" $(if $(filter 0,$(shell id -u)),--allow-root) $(LAB_ARGS)

bench: setup
	$(BIN)/python benchmarks/bench.py

# Mutation run (not part of `make test` or CI): every mutant of tests/mutation/mutants.csv against the
# fast tests that cover its module (tests/mutation/targets.csv); report in outputs/mutation/report.md.
# MUTATE_ARGS: e.g. `make mutate MUTATE_ARGS="--module stats.py"` (see tests/mutation/run.py --help).
MUTATE_ARGS ?=
mutate: setup
	nice $(BIN)/python tests/mutation/run.py $(MUTATE_ARGS)

# Regenerate the exact pins from pyproject.toml (then update environment.yml to match:
# tests/test_environment.py fails until they agree).
lock: setup
	$(BIN)/uv pip compile pyproject.toml --python-version 3.11 --python-platform x86_64-unknown-linux-gnu -o requirements.lock

# Everything generated (data/clean and outputs/); the committed READMEs stay.
clean-outputs:
	rm -rf outputs/notebooks outputs/findings outputs/html outputs/bench outputs/.run-cache outputs/.publish-cache
	find data/clean -type f ! -name README.md -delete 2>/dev/null || true
