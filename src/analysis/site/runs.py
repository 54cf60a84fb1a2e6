"""Execute the study's notebooks with papermill: which parameter sets, in parallel, skip if unchanged.

The plan is declarative (``NOTEBOOK_PLANS``): each notebook names how its parameter sets
are drawn from the clean data. A notebook not listed runs once with its own defaults.
"""
from __future__ import annotations

import hashlib
import json
import os
import traceback
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from ..fingerprint import PACKAGE as PACKAGE_DIR
from ..fingerprint import source_sha256
from ..clean.manifest import read_manifest
from ..paths import Paths

PACKAGE = PACKAGE_DIR  # the package code whose change re-runs every notebook (tests swap it)
KERNEL_START_TIMEOUT = 300  # seconds papermill waits for a kernel to start (a loaded 2-core machine is slow)
KERNEL = "complaints-study"  # the project's kernelspec (`make setup` installs it into .venv with --sys-prefix)

# notebook stem → how its parameter sets are drawn:
#   "report": one run per council and report period in the manifest
#   "council+all": one run with council="all", then one per council with data
#   "single": one run with the notebook's defaults
NOTEBOOK_PLANS: dict[str, str] = {
    "00_data_audit": "council+all",
    "01_council_overview": "report",
    "02_root_causes": "council+all",
    "03_contracted_services": "council+all",
    "04_sen_surge": "single",
    "05_covid_dip": "council+all",
}


@dataclass(frozen=True)
class Run:
    notebook: str  # stem, e.g. "01_council_overview"
    params: tuple[tuple[str, str], ...] = ()

    @property
    def run_id(self) -> str:
        """A file-name-safe id: ``01_council_overview__bromley_2023-24``."""
        values = [v for _, v in self.params]
        return self.notebook + ("__" + "_".join(values) if values else "")

    @property
    def parameters(self) -> dict:
        return dict(self.params) | {"run_id": self.run_id}

    def describe(self) -> str:
        shown = ", ".join(f"{k}={v}" for k, v in self.params) or "defaults"
        return f"{self.notebook}.ipynb ({shown})"


@dataclass
class RunResult:
    run: Run
    status: str  # "ran" | "skipped" | "failed"
    output: Path
    seconds: float = 0.0
    error: str = ""


@dataclass
class RunSummary:
    results: list[RunResult] = field(default_factory=list)

    @property
    def failed(self) -> list[RunResult]:
        return [r for r in self.results if r.status == "failed"]


def plan_runs(paths: Paths, *, council: str | None = None, period: str | None = None,
              notebook: str | None = None) -> list[Run]:
    """Every run of the study, narrowed by council / period / notebook when given."""
    entries = read_manifest(paths)
    reports = sorted({(e.council, e.report_period) for e in entries})
    councils = sorted({c for c, _ in reports})
    runs: list[Run] = []
    for path in sorted(paths.notebooks.glob("[0-9]*.ipynb")):
        stem = path.stem
        if notebook and notebook not in {stem, path.name}:
            continue
        kind = NOTEBOOK_PLANS.get(stem, "single")
        if kind == "report":
            candidates = [Run(stem, (("council", c), ("period", p))) for c, p in reports]
        elif kind == "council+all":
            candidates = [Run(stem, (("council", "all"),))] + [Run(stem, (("council", c),)) for c in councils]
        else:
            candidates = [Run(stem)]
        for run in candidates:
            params = dict(run.params)
            if council and params.get("council", council) not in {council}:
                continue
            if period and params.get("period", period) != period:
                continue
            runs.append(run)
    return runs


def shared_inputs(paths: Paths) -> str:
    """What every run depends on: the clean data and the package code (hashed once per `run`)."""
    digest = hashlib.sha256()
    for data in sorted(paths.clean.glob("*.csv")):
        digest.update(data.name.encode() + b"\0" + data.read_bytes() + b"\0")
    digest.update(source_sha256(PACKAGE).encode())
    return digest.hexdigest()


def input_fingerprint(paths: Paths, run: Run, shared: str | None = None) -> str:
    """What a run's result depends on: the notebook, its parameters, and the shared inputs."""
    digest = hashlib.sha256((shared or shared_inputs(paths)).encode())
    digest.update((paths.notebooks / f"{run.notebook}.ipynb").read_bytes())
    digest.update(json.dumps(run.parameters, sort_keys=True).encode())
    return digest.hexdigest()


def failing_cell(notebook: Path, source: str, exec_count) -> str:
    """Where a run failed, in the notebook's own numbering: ``cell 4 of 8 (`raise …`)``."""
    import nbformat

    cells = nbformat.read(notebook, as_version=4).cells
    first = next((line for line in source.splitlines() if line.strip()), "").strip()
    numbers = [i for i, cell in enumerate(cells, 1) if cell.cell_type == "code" and cell.source.strip() == source.strip()]
    where = f"cell {numbers[0]} of {len(cells)}" if numbers else f"the cell run as In [{exec_count}]"
    return f"{where} (`{first[:80]}`)"


def _execute(root: str, run: Run) -> tuple[str, float, str]:
    """Run one notebook in a worker process; return (status, seconds, error text)."""
    import time

    import papermill
    from papermill.exceptions import PapermillExecutionError

    paths = Paths(Path(root))
    output = paths.executed / f"{run.run_id}.ipynb"
    output.parent.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    os.environ.setdefault("MPLBACKEND", "Agg")
    os.environ["COMPLAINTS_STUDY_RUN"] = run.run_id  # findings.RUNNER_ENV: this kernel may write findings
    try:
        papermill.execute_notebook(
            str(paths.notebooks / f"{run.notebook}.ipynb"), str(output),
            parameters=run.parameters, kernel_name=KERNEL, cwd=str(paths.notebooks),
            progress_bar=False, log_output=False, request_save_on_cell_execute=False,
            # a loaded 2-core machine can take longer than papermill's 60 s to start a kernel
            start_timeout=KERNEL_START_TIMEOUT,
            # the kernel's own log ("running over TCP without encryption", the interrupt papermill sends
            # at shutdown) is noise on the console; a failing cell still reaches us through papermill
            extra_arguments=["--IPKernelApp.log_level=CRITICAL"],
        )
    except PapermillExecutionError as error:
        where = failing_cell(paths.notebooks / f"{run.notebook}.ipynb", error.source, error.exec_count)
        return "failed", time.perf_counter() - start, f"{where}: {error.ename}: {error.evalue}"
    except Exception as error:  # kernel death, missing notebook…: report it, keep going
        return "failed", time.perf_counter() - start, f"{type(error).__name__}: {error}\n{traceback.format_exc(limit=2)}"
    return "ran", time.perf_counter() - start, ""


def execute_runs(paths: Paths, runs: list[Run], *, jobs: int | None = None, force: bool = False,
                 progress=None) -> RunSummary:
    """Execute ``runs`` in parallel; skip those whose inputs are unchanged since their last success."""
    summary = RunSummary()
    paths.run_cache.mkdir(parents=True, exist_ok=True)
    todo: list[tuple[Run, str]] = []
    shared = shared_inputs(paths)
    for run in runs:
        fingerprint = input_fingerprint(paths, run, shared)
        stamp = paths.run_cache / f"{run.run_id}.sha256"
        output = paths.executed / f"{run.run_id}.ipynb"
        if not force and output.is_file() and stamp.is_file() and stamp.read_text() == fingerprint:
            summary.results.append(RunResult(run, "skipped", output))
            if progress:
                progress(summary.results[-1])
        else:
            stamp.unlink(missing_ok=True)
            todo.append((run, fingerprint))
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(todo) or 1))
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        futures = {pool.submit(_execute, str(paths.root), run): (run, fp) for run, fp in todo}
        for future in as_completed(futures):
            run, fingerprint = futures[future]
            status, seconds, error = future.result()
            output = paths.executed / f"{run.run_id}.ipynb"
            if status == "ran":
                (paths.run_cache / f"{run.run_id}.sha256").write_text(fingerprint)
            summary.results.append(RunResult(run, status, output, seconds, error))
            if progress:
                progress(summary.results[-1])
    summary.results.sort(key=lambda r: r.run.run_id)
    return summary
