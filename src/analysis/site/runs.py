"""Execute the study's notebooks with papermill: which parameter sets, in parallel, skip if unchanged.

The plan is declarative. ``NOTEBOOK_PLANS`` says how each notebook's parameter sets are drawn
(a notebook not listed runs once with its own defaults); ``NEEDS`` says what a council's own
reports must hold for a notebook to have something to say about it, so a council without
2020-21 figures gets no COVID page and the index says why; ``DEPENDS_ON`` runs the synthesis
after the driver notebooks, with their findings in its input fingerprint. A report whose
extraction failed (``data/clean/clean-errors.json``) gets no run of its own.
"""
from __future__ import annotations

import csv
import hashlib
import json
import os
import re
import traceback
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from ..clean.manifest import read_manifest
from ..fingerprint import PACKAGE as PACKAGE_DIR
from ..fingerprint import source_sha256
from ..paths import ROOT_ENV, Paths

PACKAGE = PACKAGE_DIR  # the package code whose change re-runs every notebook (tests swap it)
KERNEL_START_TIMEOUT = 300  # seconds papermill waits for a kernel to start (a loaded 2-core machine is slow)
KERNEL = "complaints-study"  # the project's kernelspec (`make setup` installs it into .venv with --sys-prefix)

# notebook stem → how its parameter sets are drawn:
#   "report": one run per council and report period in the manifest
#   "council+all": one run with council="all", then one per council with data
#   "single": one run with the notebook's defaults
#   "synthesis": one run with council="all", then one per council with data for MIN_DRIVERS drivers
NOTEBOOK_PLANS: dict[str, str] = {
    "00_data_audit": "council+all",
    "01_council_overview": "report",
    "02_root_causes": "council+all",
    "03_contracted_services": "council+all",
    "04_sen_surge": "single",
    "05_covid_dip": "council+all",
    "06_what_drives_complaints": "synthesis",
}

# the driver notebooks the synthesis reads; it runs after them (a second stage of execute_runs)
DRIVERS = ("02_root_causes", "03_contracted_services", "04_sen_surge", "05_covid_dip")
DEPENDS_ON: dict[str, tuple[str, ...]] = {"06_what_drives_complaints": DRIVERS}
MIN_DRIVERS = 2  # a per-council synthesis needs at least two drivers with something to say
CLEAN_ERRORS = "clean-errors.json"  # written by clean/pipeline.py: the reports that failed to extract


@dataclass(frozen=True)
class Need:
    """What a council's own reports must hold (some row of data/clean/observations.csv whose
    ``columns`` fully match ``pattern``) for a notebook's per-council page to say something."""

    what: str  # in words, for the index: "figures for 2020-21, the pandemic year"
    columns: tuple[str, ...]
    pattern: str

    def met(self, rows: list[dict]) -> bool:
        pattern = re.compile(self.pattern)
        return any(pattern.fullmatch(row.get(c, "")) for row in rows for c in self.columns)


NEEDS: dict[str, tuple[Need, ...]] = {
    "02_root_causes": (Need("complaint categories that map to a root cause", ("category_std",),
                            r"(?!not_a_cause$|service_topic$).+"),),
    "03_contracted_services": (Need("figures on contracted providers, third-party causes or commissioning teams",
                                    ("service", "category"), r"(?is).*(contracted|provider|third.party|commissioning).*"),),
    "05_covid_dip": (Need("figures for 2020-21, the pandemic year", ("period",), r"2020-21"),
                     Need("figures for a year before the pandemic", ("period",), r"(?:201\d-\d\d|2019-20)")),
}
# notebooks whose needs hold year by year: a run narrowed to one period needs them met in that period
PERIOD_SCOPED_NEEDS = ("02_root_causes", "03_contracted_services")
# notebooks whose per-council page reads series declared per report template, not found by a pattern in the data:
# the COVID study's yearly series name each council's templated tables (studies/covid.py SERIES), so a council
# whose reports were all read by the generic reader has none, and its page would only say "cannot be estimated".
NEEDS_TEMPLATE: dict[str, str] = {
    "05_covid_dip": "its reports print the pandemic year, but the COVID study has no comparable series set up for "
                    "them yet (it reads series set up for each report's layout; these were read by the general reader)",
}


@dataclass(frozen=True)
class Run:
    notebook: str  # stem, e.g. "01_council_overview"
    params: tuple[tuple[str, str], ...] = ()
    # a run the plan does not hold, asked for by `run --notebook … --council … --period …`: executed into
    # outputs/extra/ (never published, never read by the synthesis), always re-executed, no findings written
    extra: bool = False

    def output(self, paths: Paths) -> Path:
        """Where the executed notebook goes: outputs/notebooks/<run_id>.ipynb (outputs/extra/ for an extra run)."""
        return (paths.outputs / "extra" if self.extra else paths.executed) / f"{self.run_id}.ipynb"

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


@dataclass(frozen=True)
class Skip:
    """A run the plan leaves out, and why (the index says it)."""

    run: Run
    reason: str


@dataclass
class Plan:
    runs: list[Run] = field(default_factory=list)
    skipped: list[Skip] = field(default_factory=list)
    failed_reports: list[dict] = field(default_factory=list)  # clean-errors.json entries


def failed_reports(paths: Paths) -> list[dict]:
    """The reports the last clean could not extract: ``[{source_file, council, report_period, message}]``."""
    path = paths.clean / CLEAN_ERRORS
    if not path.is_file():
        return []
    try:
        return list(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return []


def own_rows(paths: Paths, entries) -> dict[str, list[dict]]:
    """Each council's rows of data/clean/observations.csv that its own reports print (not, say, the
    London-wide Ombudsman table in Lewisham's report that names every borough)."""
    own_files = {e.source_file: e.council for e in entries}
    rows: dict[str, list[dict]] = {e.council: [] for e in entries}
    path = paths.clean / "observations.csv"
    if path.is_file():
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                if own_files.get(row["source_file"]) == row["council"]:
                    rows[row["council"]].append(row)
    return rows


def unmet_needs(notebook: str, rows: list[dict]) -> list[str]:
    return [need.what for need in NEEDS.get(notebook, ()) if not need.met(rows)]


def why_no_page(notebook: str, rows: list[dict], generic_only: bool = False) -> str:
    """Why a council's per-council run of ``notebook`` would have nothing to say ("" when it has data):
    what its own rows lack (``NEEDS``), else, for a council read only by the generic reader, ``NEEDS_TEMPLATE``."""
    missing = unmet_needs(notebook, rows)
    if missing:
        return "no " + " and no ".join(missing) + " in its reports"
    return NEEDS_TEMPLATE.get(notebook, "") if generic_only else ""


def generic_only_councils(entries) -> set[str]:
    """Councils whose every listed report is read by the generic reader (template ``generic``)."""
    from ..clean.extract import GENERIC

    templates: dict[str, set[str]] = {}
    for e in entries:
        templates.setdefault(e.council, set()).add(e.template)
    return {c for c, used in templates.items() if used == {GENERIC}}


def default_parameter(notebook: Path, name: str) -> str:
    """A notebook's default for one parameter, read from its tagged parameters cell ("" if none)."""
    try:
        cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    except (OSError, ValueError, KeyError):
        return ""
    for cell in cells:
        if "parameters" in cell.get("metadata", {}).get("tags", []):
            found = re.search(rf'^{name}\s*=\s*["\']([^"\']*)["\']', "".join(cell["source"]), re.M)
            return found.group(1) if found else ""
    return ""


def study_plan(paths: Paths, *, council: str | None = None, period: str | None = None,
               notebook: str | None = None) -> Plan:
    """Every run of the study and every run left out (with why), narrowed by council / period /
    notebook when given."""
    entries = read_manifest(paths)
    failed = failed_reports(paths)
    failed_keys = {(f.get("council"), f.get("report_period")) for f in failed}
    reports = sorted({(e.council, e.report_period) for e in entries})
    councils = sorted({c for c, _ in reports})
    rows = own_rows(paths, entries)
    generic_only = generic_only_councils(entries)
    notebooks = {p.stem: p for p in sorted(paths.notebooks.glob("[0-9]*.ipynb"))}
    # which drivers have something to say about each council (for the per-council synthesis)
    drivers_with_data: dict[str, list[str]] = {c: [] for c in councils}
    for stem in DRIVERS:
        if stem not in notebooks:
            continue
        kind = NOTEBOOK_PLANS.get(stem, "single")
        for c in councils:
            if kind == "single":
                has = default_parameter(notebooks[stem], "council") == c
            else:
                has = not why_no_page(stem, rows[c], c in generic_only)
            if has:
                drivers_with_data[c].append(stem)
    plan = Plan(failed_reports=failed)
    for stem, path in notebooks.items():
        if notebook and notebook not in {stem, path.name}:
            continue
        kind = NOTEBOOK_PLANS.get(stem, "single")
        skipped: list[Skip] = []
        if kind == "report":
            candidates = []
            for c, p in reports:
                run = Run(stem, (("council", c), ("period", p)))
                if (c, p) in failed_keys:
                    skipped.append(Skip(run, "the report failed to extract"))
                else:
                    candidates.append(run)
        elif kind in ("council+all", "synthesis"):
            candidates = [Run(stem, (("council", "all"),))]
            for c in councils:
                run = Run(stem, (("council", c),))
                if kind == "synthesis":
                    found = drivers_with_data[c]
                    if len(found) < MIN_DRIVERS:
                        skipped.append(Skip(run, f"data for {len(found)} of the drivers; a synthesis needs {MIN_DRIVERS}"))
                        continue
                reason = why_no_page(stem, rows[c], c in generic_only)
                if reason:
                    skipped.append(Skip(run, reason))
                else:
                    candidates.append(run)
        else:
            candidates = [Run(stem)]
        for item in candidates + skipped:
            run = item if isinstance(item, Run) else item.run
            params = dict(run.params)
            if council and params.get("council", council) not in {council}:
                continue
            if period and params.get("period", period) != period:
                continue
            (plan.runs if isinstance(item, Run) else plan.skipped).append(item)
    return plan


def plan_runs(paths: Paths, *, council: str | None = None, period: str | None = None,
              notebook: str | None = None) -> list[Run]:
    """Every run of the study, narrowed by council / period / notebook when given."""
    return study_plan(paths, council=council, period=period, notebook=notebook).runs


# The clean tables a run's fingerprint covers, and extra rows a per-council run of a notebook reads beyond its
# own council's: 02's London benchmark (studies/benchmark.py) reads every borough's row of the London-wide
# Ombudsman tables ("table" holding "london"). A notebook not listed reads only its council's rows.
FINGERPRINT_TABLES = ("observations", "reconciled", "conflicts", "claims")
READS_BEYOND_ITS_COUNCIL: dict[str, tuple[str, str]] = {"02_root_causes": ("table", r"(?i).*london.*")}


@dataclass
class SharedInputs:
    """What runs depend on, hashed once per `run`: the code, the manifest's rows and the clean tables'
    rows, whole and per council. A council's share is its rows (``council``) and the rows its own reports
    print (``source_file``), so a new Bromley report changes Bromley's and the all-council runs' inputs only."""

    code: str
    whole: str  # every clean table and the whole manifest
    councils: dict[str, str] = field(default_factory=dict)  # council → digest of its rows and manifest rows
    beyond: dict[str, str] = field(default_factory=dict)  # notebook → digest of READS_BEYOND_ITS_COUNCIL rows
    layout: str = ""  # the tables' names and header rows: a change of columns re-runs every run

    def digest(self, paths: Paths, run: Run) -> str:
        council = dict(run.params).get("council") or default_parameter(paths.notebooks / f"{run.notebook}.ipynb", "council")
        if not council or council == "all" or council not in self.councils:
            scope = "all\0" + self.whole
        else:
            scope = f"{council}\0{self.councils[council]}\0{self.beyond.get(run.notebook, '')}\0{self.layout}"
        return hashlib.sha256(f"{self.code}\0{scope}".encode()).hexdigest()


def shared_inputs(paths: Paths) -> SharedInputs:
    """Hash the code, the manifest and data/clean once, whole and by council (see ``SharedInputs``)."""
    whole, layout = hashlib.sha256(), hashlib.sha256()
    by_council: dict[str, hashlib._Hash] = {}
    beyond = {stem: (hashlib.sha256(), column, re.compile(pattern))
              for stem, (column, pattern) in READS_BEYOND_ITS_COUNCIL.items()}
    entries = read_manifest(paths) if paths.manifest.is_file() else []
    owner = {e.source_file: e.council for e in entries}
    if paths.manifest.is_file():
        whole.update(paths.manifest.read_bytes())
        with paths.manifest.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                by_council.setdefault(row["council"], hashlib.sha256()).update(
                    ("manifest\x1f" + "\x1f".join(row.values()) + "\n").encode())
    for stem in FINGERPRINT_TABLES:
        path = paths.clean / f"{stem}.csv"
        if not path.is_file():
            continue
        whole.update(stem.encode() + b"\0" + path.read_bytes() + b"\0")
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.reader(handle)
            header = next(reader, [])
            layout.update((stem + "\x1f" + "\x1f".join(header) + "\n").encode())
            where = {name: i for i, name in enumerate(header)}
            source = where.get("source_file", where.get("chosen_source"))
            for row in reader:
                line = (stem + "\x1f" + "\x1f".join(row) + "\n").encode()
                council = row[where["council"]] if "council" in where else ""
                mine = {council}
                if source is not None:
                    mine.add(owner.get(row[source].split(":")[0], council))
                for c in mine:
                    by_council.setdefault(c, hashlib.sha256()).update(line)
                for digest, column, pattern in beyond.values():
                    if column in where and pattern.fullmatch(row[where[column]]):
                        digest.update(line)
    return SharedInputs(source_sha256(PACKAGE), whole.hexdigest(),
                        {c: d.hexdigest() for c, d in by_council.items()},
                        {stem: d.hexdigest() for stem, (d, _, _) in beyond.items()}, layout.hexdigest())


def input_fingerprint(paths: Paths, run: Run, shared: SharedInputs | str | None = None) -> str:
    """What a run's result depends on: the notebook, its parameters, the code, the data it reads (its
    council's rows and manifest rows, or all of them for a cross-council run) and, for a notebook that
    reads others' results (``DEPENDS_ON``), their findings files."""
    shared = shared if shared is not None else shared_inputs(paths)
    digest = hashlib.sha256((shared if isinstance(shared, str) else shared.digest(paths, run)).encode())
    digest.update((paths.notebooks / f"{run.notebook}.ipynb").read_bytes())
    digest.update(json.dumps(run.parameters, sort_keys=True).encode())
    for dependency in DEPENDS_ON.get(run.notebook, ()):
        for findings in sorted(paths.findings.glob(f"{dependency}*.json")):
            digest.update(findings.name.encode() + b"\0" + findings.read_bytes() + b"\0")
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
    output = run.output(paths)
    output.parent.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    os.environ.setdefault("MPLBACKEND", "Agg")
    if run.extra:  # an extra run is for reading, not for the site: it writes no findings
        os.environ.pop("COMPLAINTS_STUDY_RUN", None)
    else:
        os.environ["COMPLAINTS_STUDY_RUN"] = run.run_id  # findings.RUNNER_ENV: this kernel may write findings
    os.environ[ROOT_ENV] = str(paths.root)  # the kernel reads this project, whatever root the caller's env names
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
    """Execute ``runs`` in parallel; skip those whose inputs are unchanged since their last success.

    Runs of a notebook in ``DEPENDS_ON`` form a second stage, started (and fingerprinted) once the
    first has finished, so the synthesis reads the drivers' findings of this very run."""
    summary = RunSummary()
    paths.run_cache.mkdir(parents=True, exist_ok=True)
    shared = shared_inputs(paths)
    first = [r for r in runs if r.notebook not in DEPENDS_ON]
    second = [r for r in runs if r.notebook in DEPENDS_ON]
    for stage in (first, second):
        if stage:
            _execute_stage(paths, stage, summary, shared, jobs=jobs, force=force, progress=progress)
    summary.results.sort(key=lambda r: r.run.run_id)
    return summary


def _execute_stage(paths: Paths, runs: list[Run], summary: RunSummary, shared: SharedInputs, *, jobs, force, progress) -> None:
    todo: list[tuple[Run, str]] = []
    for run in runs:
        fingerprint = input_fingerprint(paths, run, shared)
        stamp = paths.run_cache / f"{run.run_id}.sha256"
        output = run.output(paths)
        if not force and not run.extra and output.is_file() and stamp.is_file() and stamp.read_text() == fingerprint:
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
            output = run.output(paths)
            if status == "ran" and not run.extra:
                (paths.run_cache / f"{run.run_id}.sha256").write_text(fingerprint)
            summary.results.append(RunResult(run, status, output, seconds, error))
            if progress:
                progress(summary.results[-1])


def planned_status(paths: Paths, runs: list[Run]) -> list[tuple[Run, str]]:
    """Each run with what `run` would do: "to run" (inputs changed, or never run), "unchanged", or
    "extra" (a run the plan does not hold, always executed). A notebook in ``DEPENDS_ON`` is "to run"
    when one of its dependencies is."""
    shared = shared_inputs(paths)
    out: list[tuple[Run, str]] = []
    for run in runs:
        if run.extra:
            out.append((run, "extra"))
            continue
        stamp = paths.run_cache / f"{run.run_id}.sha256"
        current = run.output(paths).is_file() and stamp.is_file() and stamp.read_text() == input_fingerprint(paths, run, shared)
        out.append((run, "unchanged" if current else "to run"))
    waiting = {r.notebook for r, status in out if status == "to run"}
    return [(r, "to run" if status == "unchanged" and waiting & set(DEPENDS_ON.get(r.notebook, ())) else status)
            for r, status in out]
