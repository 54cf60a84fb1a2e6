"""The mutation run (``make mutate``): one deliberate bug at a time, against the fast tests that cover its module.

Why a runner of our own and not mutmut: the mutants that matter here are a reviewed list
(``mutants.csv``, first written by the mutation review of 2026-12-07), several of them in
module-level constants and regexes (``PLAUSIBLE_RATIO``, ``PERCENT_TOLERANCE``, ``_NUMBER``,
``_OCR_DIGITS``) that mutmut 3 does not mutate (it mutates function bodies only, through its
trampolines), and a fixed list gives before/after numbers that compare run to run.

How: the working tree (tracked and untracked, not ignored files) is copied to a temporary folder,
so the checkout is never modified, not even if the run is killed. For each mutant one exact text
replacement is made on one line of its module (``anchor``: that line as printed, stripped;
``occurrence``: which of the identical lines), the module must still compile, and the module's
covering tests (``targets.csv``) run as ``pytest -x --noconftest``: the session fixture of
tests/conftest.py would re-run the whole clean on every code change, which is neither fast nor
a test of the module. The file is restored and its sha256 checked after every mutant.

A mutant is *killed* when a test fails (or the run times out; one that does not compile is *invalid*,
a fault of the list, and not counted), *equivalent* when it survives and
``equivalents.csv`` argues it cannot change any output (a reviewed list: the reason is printed in
the report), *surviving* otherwise. Score = killed / (mutants - equivalent).

Writes outputs/mutation/report.md and outputs/mutation/results.csv. Not part of ``make test``/CI.

    python tests/mutation/run.py                 # every mutant
    python tests/mutation/run.py --module stats.py --id S10 --id S18
    python tests/mutation/run.py --exclude-tests '*_properties.py'   # the tests as they were before
"""
from __future__ import annotations

import argparse
import csv
import fnmatch
import hashlib
import importlib
import os
import py_compile
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
PACKAGE = Path("src/analysis")


def read_csv(name: str) -> list[dict]:
    with open(HERE / name, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def project_files(root: Path) -> list[str]:
    out = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=root, capture_output=True,
                         check=True).stdout.decode()
    return [f for f in out.split("\0") if f and (root / f).is_file()]


def copy_project(root: Path, into: Path) -> None:
    for name in project_files(root):
        target = into / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(root / name, target)


def mutate_text(text: str, mutant: dict) -> str:
    """``text`` with the mutant's one replacement made; ValueError if its line is not found exactly."""
    lines = text.split("\n")
    hits = [i for i, line in enumerate(lines) if line.strip() == mutant["anchor"]]
    nth = int(mutant["occurrence"] or 1)
    if len(hits) < nth:
        raise ValueError(f"{mutant['id']}: line not found in {mutant['module']}: {mutant['anchor']!r}")
    i = hits[nth - 1]
    if lines[i].count(mutant["find"]) != 1:
        raise ValueError(f"{mutant['id']}: {mutant['find']!r} is not on its line exactly once")
    lines[i] = lines[i].replace(mutant["find"], mutant["replace"])
    return "\n".join(lines)


PRELOAD = ("numpy", "pandas", "scipy.stats", "statsmodels.api", "statsmodels.formula.api", "hypothesis", "pytest")


def pytest_args(tests: list[str], deselect: str) -> list[str]:
    args = ["-x", "-q", "--no-header", "-p", "no:cacheprovider", "--noconftest", "-o", "addopts=", "-W", "ignore", *tests]
    return args + (["-k", deselect] if deselect else [])


def first_failure(output: str) -> str:
    found = re.search(r"^(?:FAILED|ERROR) (\S+)", output, re.M)
    return found.group(1) if found else output.strip().splitlines()[-1][:160] if output.strip() else ""


def run_tests(copy: Path, tests: list[str], deselect: str, timeout: float) -> tuple[str, str, float]:
    """pytest in a forked child of this process, which has the heavy libraries imported already
    (numpy, pandas, statsmodels: seconds per run on a loaded machine) but never the project's
    package, so the child imports the copy's ``analysis`` as it is on disk: the mutant."""
    log = copy.parent / "pytest.log"
    start = time.monotonic()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        code = 3
        try:
            fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
            os.dup2(fd, 1)
            os.dup2(fd, 2)
            os.chdir(copy)
            sys.path[:0] = [str(copy / "src"), str(copy / "tests")]
            import pytest
            from hypothesis import Phase, settings

            # no shrinking: a failing example kills the mutant as it is; a minimal one only costs time
            # (settings made at the test modules' import inherit this profile's phases)
            settings.register_profile("mutation", phases=[Phase.explicit, Phase.reuse, Phase.generate])
            settings.load_profile("mutation")

            code = int(pytest.main(pytest_args(tests, deselect)))
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        if time.monotonic() - start > timeout:
            os.kill(pid, 9)
            os.waitpid(pid, 0)
            return "timeout", "", time.monotonic() - start
        time.sleep(0.05)
    seconds = time.monotonic() - start
    returncode = os.waitstatus_to_exitcode(status)
    output = log.read_text(encoding="utf-8", errors="replace")
    if returncode == 0:
        return "survived", "", seconds
    if returncode in (1, 2):  # tests failed (1) or a collection/import error (2)
        return "killed", first_failure(output), seconds
    raise RuntimeError(f"pytest exited {returncode} (no tests ran?):\n{output[-3000:]}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--module", action="append", help="only this module (e.g. stats.py); repeatable")
    parser.add_argument("--id", action="append", help="only this mutant id; repeatable")
    parser.add_argument("--exclude-tests", action="append", default=[], help="glob of test files to leave out")
    parser.add_argument("--out", default=str(ROOT / "outputs" / "mutation"))
    args = parser.parse_args(argv)

    mutants = [m for m in read_csv("mutants.csv")
               if (not args.module or m["module"] in args.module) and (not args.id or m["id"] in args.id)]
    targets = {t["module"]: t for t in read_csv("targets.csv")}
    equivalents = {e["id"]: e["reason"] for e in read_csv("equivalents.csv")}
    started = time.monotonic()
    results = []
    with tempfile.TemporaryDirectory(prefix="mutate-") as tmp:
        copy = Path(tmp) / "project"
        copy_project(ROOT, copy)
        for name in PRELOAD:
            importlib.import_module(name)
        assert "analysis" not in sys.modules, "the runner must not import the project's package (the children do)"
        modules = sorted({m["module"] for m in mutants}, key=list(targets).index)
        for module in modules:
            target = targets[module]
            tests = [t for t in target["tests"].split() if (copy / t).is_file()
                     and not any(fnmatch.fnmatch(t, g) or fnmatch.fnmatch(Path(t).name, g) for g in args.exclude_tests)]
            status, failure, baseline = run_tests(copy, tests, target["deselect"], timeout=1800)
            if status != "survived":
                print(f"{module}: the covering tests fail without any mutant ({failure}); fix them first", file=sys.stderr)
                return 2
            print(f"{module}: baseline {baseline:.1f} s over {' '.join(tests)}", flush=True)
            path = copy / PACKAGE / module
            original = path.read_bytes()
            digest = hashlib.sha256(original).hexdigest()
            stamp = path.stat().st_mtime
            for n, mutant in enumerate(m for m in mutants if m["module"] == module):
                mutated = mutate_text(original.decode("utf-8"), mutant)
                path.write_text(mutated, encoding="utf-8")
                # a fresh, distinct mtime each time: Python's .pyc check compares mtime and size only
                os.utime(path, (stamp + 2 * n + 2, stamp + 2 * n + 2))
                try:
                    py_compile.compile(str(path), doraise=True, cfile=str(Path(tmp) / "check.pyc"))
                    status, failure, seconds = run_tests(copy, tests, target["deselect"], timeout=baseline * 5 + 60)
                except py_compile.PyCompileError as error:
                    status, failure, seconds = "invalid", f"does not compile: {error.msg.strip()[-100:]}", 0.0
                finally:
                    path.write_bytes(original)
                    os.utime(path, (stamp + 2 * n + 3, stamp + 2 * n + 3))
                assert hashlib.sha256(path.read_bytes()).hexdigest() == digest
                outcome = ("killed" if status in ("killed", "timeout") else "invalid" if status == "invalid"
                           else "equivalent" if mutant["id"] in equivalents else "surviving")
                results.append({**mutant, "status": status, "outcome": outcome, "killed_by": failure,
                                "seconds": f"{seconds:.1f}", "why_equivalent": equivalents.get(mutant["id"], "")})
                print(f"  {mutant['id']} {outcome:<10} {seconds:5.1f} s  {failure or mutant['what']}", flush=True)
    elapsed = time.monotonic() - started
    write_report(Path(args.out), results, equivalents, elapsed, args)
    return 0


def summary(results: list[dict]) -> list[dict]:
    rows = []
    for module in dict.fromkeys(r["module"] for r in results):
        mine = [r for r in results if r["module"] == module]
        count = {k: sum(r["outcome"] == k for r in mine) for k in ("killed", "equivalent", "surviving", "invalid")}
        scored = len(mine) - count["equivalent"] - count["invalid"]
        rows.append({"module": module, "mutants": len(mine), **count,
                     "score": f"{100 * count['killed'] / scored:.0f}% ({count['killed']}/{scored})" if scored else "-"})
    return rows


def cell(text: str) -> str:
    """Text for a markdown table cell (a regex's ``|`` would end the cell)."""
    return text.replace("|", "\\|")


def write_report(out: Path, results: list[dict], equivalents: dict, elapsed: float, args) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with open(out / "results.csv", "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(results[0]) if results else ["id"], lineterminator="\n")
        writer.writeheader()
        writer.writerows(results)
    table = ["| module | mutants | killed | equivalent | surviving | score (killed / non-equivalent) |",
             "|---|---|---|---|---|---|"]
    table += [f"| {r['module']} | {r['mutants']} | {r['killed']} | {r['equivalent']} | {r['surviving']} | {r['score']} |"
              for r in summary(results)]
    invalid = [r for r in results if r["outcome"] == "invalid"]
    if invalid:  # a mutant that does not compile is a fault of mutants.csv, not a test's kill
        table.append(f"Not counted (do not compile; fix mutants.csv): {', '.join(r['id'] for r in invalid)}")
    lines = ["# Mutation run", "",
             f"{len(results)} mutants in {elapsed:.0f} s ({time.strftime('%Y-%m-%d %H:%M')}); "
             f"excluded tests: {', '.join(args.exclude_tests) or 'none'}.", "", *table, ""]
    surviving = [r for r in results if r["outcome"] == "surviving"]
    lines += ["## Surviving mutants (no test fails and not argued equivalent)", ""]
    lines += [f"- {r['id']} ({r['module']}): `{r['find']}` → `{r['replace']}` — {r['what']}" for r in surviving] or ["None."]
    lines += ["", "## Equivalent mutants (tests/mutation/equivalents.csv)", ""]
    lines += [f"- {r['id']} ({r['module']}): {r['what']}. Why equivalent: {r['why_equivalent']}"
              for r in results if r["outcome"] == "equivalent"] or ["None."]
    stale = [r["id"] for r in results if r["id"] in equivalents and r["outcome"] == "killed"]
    if stale:
        lines += ["", f"Listed as equivalent but killed (remove from equivalents.csv): {', '.join(stale)}"]
    lines += ["", "## Every mutant", "", "| id | module | outcome | change | killed by |", "|---|---|---|---|---|"]
    lines += [f"| {r['id']} | {r['module']} | {r['outcome']} | `{cell(r['find'])}` → `{cell(r['replace'])}` | {r['killed_by']} |"
              for r in results]
    (out / "report.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(table))
    print(f"{len(results)} mutants in {elapsed:.0f} s; report: {out / 'report.md'}")


if __name__ == "__main__":
    sys.exit(main())
