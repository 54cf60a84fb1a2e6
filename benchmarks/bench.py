"""The study's performance benchmark (``make bench``): a table on stdout and ``outputs/bench/bench.json``.

Measured in a fresh copy of the project (no ``data/clean``, no ``outputs``; the ``.venv`` is
reused through a symlink, so ``make setup`` is a no-op there):

- ``make study`` cold (the copy's first run) and warm (again at once, nothing changed), with
  the warm run split into its steps (make, clean, run, publish) so a miss says where time goes;
- ``python -m analysis clean``: wall time (best and median of 3) and peak RSS of its process;
- each notebook's execution time (papermill, summed over its parameter sets), and publish;
- the yearly rerun: a next-year Bromley report added, then `make study`: its time, and which runs
  re-executed (only Bromley's and the all-council runs should);
- the same runs executed the naive way: each parameter set prepared with papermill
  (``prepare_only``: parameters injected, nothing executed), then ``jupyter nbconvert
  --execute --to notebook`` one after another.

Works with whatever notebooks exist (none, too). Timings are of this machine under its
current load; the JSON records the core count and the load average beside them.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = ROOT / ".venv" / "bin" / "python"
JUPYTER = ROOT / ".venv" / "bin" / "jupyter"
SKIP = {".venv", ".git", "outputs", ".pytest_cache", "__pycache__", ".ipynb_checkpoints", "build"}

TARGETS = {  # metric: (comparison, bound, what the issue asks)
    "clean_s": ("<", 2.0, "clean under 2 s"),
    "study_cold_s": ("<", 60.0, "full study cold under 60 s"),
    "cold_vs_naive": ("<=", 0.6, "cold study at most 0.6 x the naive sequential run"),
    "study_warm_s": ("<", 3.0, "warm rerun, nothing changed, under 3 s"),
    "clean_peak_rss_mb": ("<", 500.0, "peak memory of clean under 500 MB"),
}


def fresh_copy(into: Path) -> Path:
    """The project as a fresh clone has it: sources, notebooks, data/raw; no data/clean, no outputs."""
    def ignore(folder, names):
        skip = {n for n in names if n in SKIP or n.endswith(".egg-info")}
        if Path(folder).resolve() == (ROOT / "data").resolve():
            skip.add("clean")
        return skip

    copy = into / "project"
    shutil.copytree(ROOT, copy, ignore=ignore, symlinks=True)  # copy2 keeps mtimes: make sees setup done
    (copy / ".venv").symlink_to(ROOT / ".venv")
    return copy


def env_for(root: Path) -> dict:
    return {**os.environ, "COMPLAINTS_STUDY_ROOT": str(root), "MPLBACKEND": "Agg"}


def timed(cmd: list, root: Path, *, cwd: Path | None = None, **kw) -> tuple[float, subprocess.CompletedProcess]:
    """Run ``cmd`` for the project at ``root`` (in ``cwd``, default the root); return (seconds, result)."""
    start = time.perf_counter()
    result = subprocess.run([str(c) for c in cmd], cwd=cwd or root, env=env_for(root), capture_output=True, text=True, **kw)
    seconds = time.perf_counter() - start
    if result.returncode:  # a report or notebook failed: still a measurement, but say so
        print(f"warning: {' '.join(map(str, cmd))} exited {result.returncode}:\n{result.stderr[-1500:]}", file=sys.stderr)
    return seconds, result


def peak_rss_mb(cmd: list, root: Path) -> float:
    """Peak RSS of ``cmd`` alone: measured from a fresh wrapper process's RUSAGE_CHILDREN."""
    probe = ("import resource, subprocess, sys; subprocess.run(sys.argv[1:], capture_output=True); "
             "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    out = subprocess.run([sys.executable, "-c", probe, *map(str, cmd)], cwd=root, env=env_for(root),
                         capture_output=True, text=True, check=True)
    return int(out.stdout.split()[-1]) / 1024  # ru_maxrss is in KiB on Linux


RAN = re.compile(r"^\s*(?:\[\s*\d+ of \d+\]\s*)?ran\s+([\d.]+) s\s+(\S+?)\.ipynb \((.*)\)\s*$")
RUN_SUMMARY = re.compile(r"run: (\d+) executed, (\d+) unchanged")
BROMLEY_LATEST = "bromley_2023-24_complaints-and-compliments-annual-report.txt"


def notebook_times(run_output: str) -> dict[str, dict]:
    """Per notebook: runs executed and their summed seconds, from `analysis run`'s report lines."""
    out: dict[str, dict] = {}
    for line in run_output.splitlines():
        match = RAN.match(line)
        if match:
            entry = out.setdefault(match.group(2), {"runs": 0, "seconds": 0.0})
            entry["runs"] += 1
            entry["seconds"] = round(entry["seconds"] + float(match.group(1)), 2)
    return out


def naive(copy: Path) -> dict:
    """Every planned run prepared by papermill (parameters only), then nbconvert-executed one by one."""
    sys.path.insert(0, str(copy / "src"))
    import papermill

    from analysis.paths import Paths
    from analysis.site.runs import KERNEL, plan_runs

    paths = Paths(copy)
    runs = plan_runs(paths)
    folder = copy / "outputs" / "naive"
    folder.mkdir(parents=True, exist_ok=True)
    per_notebook: dict[str, float] = {}
    failed: list[str] = []  # a failed naive run would make the comparison meaningless: reported
    total = 0.0
    for run in runs:
        prepared = folder / f"{run.run_id}.ipynb"
        papermill.execute_notebook(str(paths.notebooks / f"{run.notebook}.ipynb"), str(prepared),
                                   parameters=run.parameters, kernel_name=KERNEL, prepare_only=True,
                                   progress_bar=False, cwd=str(paths.notebooks))
        seconds, result = timed([JUPYTER, "nbconvert", "--execute", "--to", "notebook", "--inplace",
                            "--ExecutePreprocessor.timeout=600", prepared], copy, cwd=paths.notebooks)
        if result.returncode:
            failed.append(run.run_id)
        per_notebook[run.notebook] = round(per_notebook.get(run.notebook, 0.0) + seconds, 2)
        total += seconds
    return {"runs": len(runs), "failed": failed, "seconds": round(total, 2), "per_notebook": per_notebook}


def yearly_add(copy: Path) -> dict:
    """The yearly rerun: Bromley's latest report with every year moved on by one (and its five-year total
    changed, bromley_2023-24…txt:94) added with add-report, then `make study`: which runs re-execute."""
    source = copy / "data" / "raw" / BROMLEY_LATEST
    if not source.is_file():
        return {}
    sys.path.insert(0, str(copy / "src"))
    from analysis.parsing import shift_years

    lines = [shift_years(line) for line in source.read_text(encoding="utf-8").splitlines(keepends=True)]
    lines[93] = lines[93].replace("\t533\t", "\t601\t", 1)
    report = copy.parent / "Bromley annual report 2024-25.txt"
    report.write_text("".join(lines), encoding="utf-8")
    timed([PYTHON, "-m", "analysis", "add-report", report, "--council", "Bromley", "--period", "2024-25"], copy)
    seconds, result = timed(["make", "--no-print-directory", "study"], copy)
    output = result.stderr + result.stdout
    counts = RUN_SUMMARY.search(output)
    executed = sorted(f"{m.group(2)} ({m.group(3)})" for m in map(RAN.match, output.splitlines()) if m)
    return {"seconds": round(seconds, 2), "status": result.returncode, "executed": int(counts.group(1)) if counts else None,
            "unchanged": int(counts.group(2)) if counts else None, "executed_runs": executed}


def warm_breakdown(copy: Path) -> dict:
    """The warm study's steps one by one, and the bare cost of starting the CLI."""
    steps = {}
    steps["make_setup_s"], _ = timed(["make", "--no-print-directory", "setup"], copy)
    steps["cli_startup_s"], _ = timed([PYTHON, "-m", "analysis", "--help"], copy)
    steps["import_pandas_s"], _ = timed([PYTHON, "-c", "import pandas"], copy)
    steps["clean_s"], _ = timed([PYTHON, "-m", "analysis", "clean"], copy)
    steps["run_all_skipped_s"], _ = timed([PYTHON, "-m", "analysis", "run"], copy)
    steps["publish_s"], _ = timed([PYTHON, "-m", "analysis", "publish"], copy)
    return {k: round(v, 2) for k, v in steps.items()}


def verdict(metric: str, value: float | None) -> str:
    if value is None:
        return "n/a"
    op, bound, _ = TARGETS[metric]
    return "met" if (value < bound if op == "<" else value <= bound) else "MISSED"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-naive", action="store_true", help="skip the naive sequential nbconvert run")
    parser.add_argument("--keep", action="store_true", help="keep the temporary project copy")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-"))
    copy = fresh_copy(tmp)
    report: dict = {"cores": os.cpu_count(), "load_average_at_start": os.getloadavg()}
    try:
        print(f"benchmarking a fresh copy in {copy} …", file=sys.stderr)
        cold, result = timed(["make", "--no-print-directory", "study"], copy)
        report["study_cold_s"] = round(cold, 2)
        report["study_cold_status"] = result.returncode
        report["notebooks"] = notebook_times(result.stderr + result.stdout)
        warm, _ = timed(["make", "--no-print-directory", "study"], copy)
        report["study_warm_s"] = round(warm, 2)
        report["warm_steps"] = warm_breakdown(copy)
        cleans = [timed([PYTHON, "-m", "analysis", "clean"], copy)[0] for _ in range(3)]
        report["clean_s"] = round(min(cleans), 2)
        report["clean_median_s"] = round(statistics.median(cleans), 2)
        report["clean_peak_rss_mb"] = round(peak_rss_mb([PYTHON, "-m", "analysis", "clean"], copy), 1)
        report["publish_s"] = round(timed([PYTHON, "-m", "analysis", "publish"], copy)[0], 2)
        if not args.no_naive and report["notebooks"]:
            report["naive"] = naive(copy)
            clean_and_publish = report["clean_median_s"] + report["publish_s"]
            report["naive_study_s"] = round(report["naive"]["seconds"] + clean_and_publish, 2)
            report["cold_vs_naive"] = round(report["study_cold_s"] / report["naive_study_s"], 3)
        report["yearly_add"] = yearly_add(copy)  # last: it changes the copy's data
        report["load_average_at_end"] = os.getloadavg()
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
    report["targets"] = {m: {"target": TARGETS[m][2], "value": report.get(m), "verdict": verdict(m, report.get(m))}
                         for m in TARGETS}
    out = ROOT / "outputs" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    (out / "bench.json").write_text(json.dumps(report, indent=2, sort_keys=True) + "\n")
    print_table(report)
    print(f"\nJSON: {(out / 'bench.json').relative_to(ROOT)}")
    return 0


def print_table(report: dict) -> None:
    print(f"{'measure':<44}{'value':>10}  {'target':<48}verdict")
    for metric, (op, bound, text) in TARGETS.items():
        value = report.get(metric)
        shown = "n/a" if value is None else f"{value:.2f}"
        print(f"{metric:<44}{shown:>10}  {text:<48}{verdict(metric, value)}")
    for name, entry in sorted(report.get("notebooks", {}).items()):
        naive_s = report.get("naive", {}).get("per_notebook", {}).get(name)
        extra = f"  (naive nbconvert: {naive_s:.2f} s)" if naive_s is not None else ""
        print(f"{'notebook ' + name:<44}{entry['seconds']:>10.2f}  {entry['runs']} runs, papermill in parallel{extra}")
    for key in ("publish_s", "clean_median_s", "naive_study_s"):
        if key in report:
            print(f"{key:<44}{report[key]:>10.2f}")
    yearly = report.get("yearly_add") or {}
    if yearly:
        print(f"{'yearly add (Bromley 2024-25), make study':<44}{yearly['seconds']:>10.2f}  "
              f"{yearly['executed']} runs executed, {yearly['unchanged']} unchanged: {', '.join(yearly['executed_runs'])}")
    for key, value in report.get("warm_steps", {}).items():
        print(f"{'warm step ' + key:<44}{value:>10.2f}")
    print(f"cores {report['cores']}, load average {report['load_average_at_start']} → {report.get('load_average_at_end')}")


if __name__ == "__main__":
    sys.exit(main())
