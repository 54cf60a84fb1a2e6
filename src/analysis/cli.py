"""``python -m analysis``: clean the raw reports, run the notebooks, publish the HTML, add or remove a report.

Every failure is one readable paragraph (file, line, what to do) and a non-zero exit,
never a bare traceback.
"""
from __future__ import annotations

import argparse
import gc
import hashlib
import os
import time
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from .paths import Paths

console = Console(stderr=True, highlight=False, soft_wrap=True)


def _progress() -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    console=console, transient=True, disable=not console.is_terminal)


def cmd_clean(args, paths: Paths) -> int:
    from .clean.manifest import read_manifest, unlisted_files
    from .clean.report_step import BackgroundExtraction  # pandas-free: started before pandas is imported

    start = time.perf_counter()
    gc.disable()  # imports make many long-lived objects and few cycles: collecting while they load is wasted
    try:
        with BackgroundExtraction(paths) as background, _progress() as progress:
            from .clean import schemas  # noqa: F401 (pandas and pandera load while the worker cleans the reports)
            from .clean.pipeline import run_clean

            gc.freeze()  # the imported modules: permanent, never walked by the collections of the clean itself
            gc.enable()

            task = progress.add_task("Cleaning raw reports", total=len(background.entries))
            result = run_clean(paths, progress=lambda entry: progress.advance(task), background=background)
    finally:
        gc.enable()
    for source, rows in sorted(result.rows_by_file.items()):
        console.print(f"  {rows:>5} figures  {source}")
    if background.cleaned_here:
        console.print(f"note: the background worker stopped; {len(background.cleaned_here)} report(s) were cleaned "
                      "in the main process instead (same result, more time)")
    for skip in result.skips:
        console.print(f"[yellow]skipped:[/yellow] {skip}")
    for error in result.errors:
        console.print(f"[red]error:[/red] {error}")
    for source, rows in sorted(result.kept_from_previous.items()):
        console.print(f"  kept {rows} figures of {source} from the previous clean")
    for name in unlisted_files(paths, read_manifest(paths)):
        console.print(f"note: data/raw/{name} is not in the manifest (data/raw/manifest.csv), so it was not cleaned; "
                      "move it out of data/raw and add it with `python -m analysis add-report PATH --council NAME "
                      "--period YYYY-YY`")
    from .clean.quality import has_error_flag

    flagged = int((result.frame["quality_flag"] != "").sum())
    errors = int(result.frame["quality_flag"].map(has_error_flag).sum())
    console.print(f"clean: {len(result.frame)} figures ({errors} with an error flag, {flagged - errors} with notes only) → "
                  f"{', '.join(str(p.relative_to(paths.root)) for p in result.written)} "
                  f"in {time.perf_counter() - start:.1f} s")
    return 0 if result.ok else 1


def cmd_run(args, paths: Paths) -> int:
    from .site.parameters import ParameterError, requested_runs
    from .site.runs import execute_runs, planned_status

    try:
        selection = requested_runs(paths, notebook=args.notebook, council=args.council, period=args.period)
    except ParameterError as error:
        console.print(f"[red]run:[/red] {error}")
        return 2
    if getattr(args, "list", False):
        for run, status in planned_status(paths, selection.runs):
            console.print(f"  {status:<10} {run.describe()}")
        for skip in selection.skipped:
            console.print(f"  {'skipped':<10} {skip.run.describe()}: no run, {skip.reason}")
        for failed in selection.failed_reports:
            console.print(f"  {'skipped':<10} {failed.get('source_file')}: the report failed to extract, so it has no run")
        console.print(f"run --list: {len(selection.runs)} run(s) planned, {len(selection.skipped)} skipped")
        return 0
    for skip in selection.skipped:
        console.print(f"  skipped    {skip.run.describe()}: no run, {skip.reason}")
    if not selection.runs:
        console.print("[red]run:[/red] nothing to run: every run asked for is skipped (the reasons above)")
        return 1
    for run in selection.runs:
        if run.extra:
            console.print(f"  extra run  {run.describe()}: not one of the study's runs, so it goes to "
                          f"{run.output(paths).relative_to(paths.root)} (not published, no findings written)")
    total, done = len(selection.runs), 0

    def report(result) -> None:
        nonlocal done
        done += 1
        timing = f"{result.seconds:5.1f} s" if result.status != "skipped" else "       "
        status = {"skipped": "unchanged"}.get(result.status, result.status)
        console.print(f"  [{done:>{len(str(total))}} of {total}] {status:<9} {timing}  {result.run.describe()}")

    summary = execute_runs(paths, selection.runs, jobs=args.jobs, force=args.force, progress=report)
    for result in summary.failed:
        console.print(f"[red]failed:[/red] {result.run.describe()}: {result.error}\n"
                      f"  the partly executed notebook is kept at {result.output.relative_to(paths.root)}")
    ran = sum(r.status == "ran" for r in summary.results)
    skipped = sum(r.status == "skipped" for r in summary.results)
    console.print(f"run: {ran} executed, {skipped} unchanged (skipped), {len(summary.failed)} failed")
    return 1 if summary.failed else 0


def cmd_publish(args, paths: Paths) -> int:
    from .site.publish import publish

    executed = sorted(paths.executed.glob("*.ipynb"))
    removed: list = []
    with _progress() as progress:
        task = progress.add_task("Publishing HTML", total=len(executed))
        pages = publish(paths, progress=lambda path: progress.advance(task), jobs=getattr(args, "jobs", None),
                        removed=removed)
    gone = sorted({path.stem for path in removed if path.suffix == ".html"})
    if gone:
        console.print(f"publish: removed {len(gone)} page(s) whose run the plan no longer holds (a report left the "
                      f"manifest, or a council no longer has the data): {', '.join(gone)}")
    console.print(f"publish: {len(pages)} pages (policy and analyst versions) → "
                  f"{(paths.html / 'index.html').relative_to(paths.root)}")
    return 0


def contract_checker(paths: Paths) -> Path | None:
    """The contract's checker: ``$CONTRACT_CHECKER``, else the shared one beside the project
    (``../shared/contract/``, or one level further up for a worktree), else the copy in docs/contract/."""
    candidates = [Path(os.environ["CONTRACT_CHECKER"])] if os.environ.get("CONTRACT_CHECKER") else []
    candidates += [folder / "shared" / "contract" / "check_observations.py" for folder in paths.root.parents[:2]]
    candidates.append(paths.root / "docs" / "contract" / "check_observations.py")
    return next((path for path in candidates if path.is_file()), None)


def cmd_check(args, paths: Paths) -> int:
    """The data check of the live data/clean: the pandera gate on every clean table, then the contract's checker."""
    import subprocess
    import sys

    import pandas as pd

    from .clean.schemas import CleanTableError, check_tables
    from .clean.stamp import CLEAN_TABLES

    missing = [f"data/clean/{stem}.parquet" for stem in CLEAN_TABLES if not (paths.clean / f"{stem}.parquet").is_file()]
    if missing:
        console.print(f"[red]check:[/red] {', '.join(missing)} missing: run `python -m analysis clean` first")
        return 1
    try:
        check_tables({stem: pd.read_parquet(paths.clean / f"{stem}.parquet") for stem in CLEAN_TABLES})
    except CleanTableError as error:
        console.print(f"[red]check:[/red] {error}")
        return 1
    checker = contract_checker(paths)
    if checker is None:
        console.print(f"check: {len(CLEAN_TABLES)} clean tables keep their schemas; the contract checker "
                      "(../shared/contract/check_observations.py) is not beside this clone, so the contract check was skipped")
        return 0
    result = subprocess.run([sys.executable, str(checker), str(paths.clean / "observations.csv"), "--repo", str(paths.root)],
                            capture_output=True, text=True)
    failures = [line for line in result.stdout.splitlines() if line.startswith("FAIL")]
    if result.returncode or failures:
        console.print(f"[red]check:[/red] the contract check failed ({checker}):\n" + "\n".join(failures or result.stdout.splitlines()[-20:]))
        return 1
    console.print(f"check: {len(CLEAN_TABLES)} clean tables keep their schemas; observations.csv passes the contract check")
    return 0


def cmd_all(args, paths: Paths) -> int:
    """clean (unless its inputs are unchanged since the last successful clean), run, publish."""
    from .clean.stamp import clean_is_current

    if not args.force and clean_is_current(paths):
        console.print("clean: raw reports, reference tables and code unchanged since the last clean; "
                      "data/clean kept (run `python -m analysis clean` to rebuild it anyway)")
        status = 0
    else:
        status = cmd_clean(args, paths)
    from .clean.stamp import CLEAN_STAMP

    stamp, passed = paths.clean / CLEAN_STAMP, paths.clean / ".check-passed.sha256"
    checker = contract_checker(paths)
    checked = hashlib.sha256(((stamp.read_text() if stamp.is_file() else "")
                              + (checker.read_text() if checker else "")).encode()).hexdigest()
    checked_already = stamp.is_file() and passed.is_file() and passed.read_text() == checked
    if checked_already:  # the same clean tables passed the check before: a rerun with nothing changed stays fast
        console.print("check: data/clean unchanged since it passed the data check")
    elif cmd_check(args, paths):
        console.print("[red]all:[/red] the data check failed, so no notebook was run and nothing was published")
        return 1
    elif stamp.is_file():
        passed.write_text(checked)
    status = max(status, cmd_run(args, paths))
    from .site import changes

    summary = changes.compare(paths)
    lines = changes.describe(summary)
    page = changes.write_page(paths, lines)
    status = max(status, cmd_publish(args, paths))
    console.print("what changed since the last study:\n" + "\n".join(f"  {line}" for line in lines)
                  + f"\n  (also on {page.relative_to(paths.root)})")
    if status == 0:
        changes.take_snapshot(paths)
    return status


def cmd_add_report(args, paths: Paths) -> int:
    from .clean.manifest import add_report

    entry = add_report(paths, Path(args.path), council=args.council, period=args.period,
                       template=args.template, description=args.description or "",
                       new_council=args.new_council, period_override=args.period_override or "",
                       council_override=args.council_override or "", source_url=args.source_url or "",
                       date_read=args.date_read or "",
                       warn=lambda text: console.print(f"[yellow]warning:[/yellow] {text}"))
    console.print(f"added {entry.source_file} ({entry.council} {entry.report_period}, template {entry.template}, "
                  f"sha256 {entry.sha256[:12]}…). Next: `make study` (or `python -m analysis all`).")
    return 0


def cmd_inspect(args, paths: Paths) -> int:
    from .clean.inspect import describe, load

    try:
        report, where = load(Path(args.path), args.period)
    except ValueError as error:
        console.print(f"[red]error:[/red] {error}")
        return 2
    print(describe(report, where))
    return 0


def cmd_remove_report(args, paths: Paths) -> int:
    from .clean.manifest import remove_report

    if not args.file and not (args.council and args.period):
        console.print("[red]error:[/red] name the report: `remove-report FILE` or `remove-report --council NAME --period YYYY-YY`")
        return 2
    entry = remove_report(paths, file=args.file, council=args.council, period=args.period)
    console.print(f"removed {entry.source_file} ({entry.council} {entry.report_period}): its manifest row and the file. "
                  "Its figures leave data/clean and its pages leave the site at the next `make study`.")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m analysis", description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, help="project root (default: found from the working directory)")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def selection(p):
        p.add_argument("--council", help="only runs for this council (any case: Bromley, barking_and_dagenham, or 'all')")
        p.add_argument("--period", help="only runs for this period (2023-24 or 2023/24); with --notebook, runs that "
                                        "notebook for this period even if the study does not")
        p.add_argument("--notebook", help="only this notebook (02_root_causes, 02 or root_causes, any case)")
        p.add_argument("--jobs", type=int, help="notebooks executed (and pages rendered) at once (default: the number of cores)")
        p.add_argument("--force", action="store_true", help="re-execute even notebooks whose inputs are unchanged")
        p.add_argument("--list", action="store_true",
                       help="list every run asked for with its status (to run, unchanged, skipped and why); run nothing")

    sub.add_parser("clean", help="extract every figure of the raw reports into data/clean/observations.*",
                   description="Extract every figure of the reports listed in data/raw/manifest.csv into "
                               "data/clean/observations.csv and .parquet, with computed quality flags.")
    selection(sub.add_parser("run", help="execute the notebooks with papermill into outputs/notebooks",
                             description="Execute every notebook for its parameter sets, in parallel; "
                                         "notebooks whose inputs are unchanged are skipped."))
    sub.add_parser("check", help="check the live data/clean: the pandera gate and the data contract",
                   description="Validate data/clean's tables against their schemas (pandera) and observations.csv "
                               "against the shared data contract (its checker, when ../shared/contract is present). "
                               "`make study` runs it after clean.")
    sub.add_parser("publish", help="render executed notebooks to HTML in outputs/html",
                   description="Render executed notebooks as self-contained policy and analyst HTML pages "
                               "and write outputs/html/index.html.")
    selection(sub.add_parser("all", help="clean, run and publish (what `make study` does)",
                             description="clean (skipped when data/raw, data/reference and the code are unchanged since "
                                         "the last successful clean), then run, then publish."))
    add = sub.add_parser("add-report", help="copy a new raw report into data/raw and list it in the manifest",
                         description="Copy a new report into data/raw byte-for-byte and add it to the manifest. "
                                     "Refuses a duplicate, an unknown council spelling, a period that is not "
                                     "a financial year, or a period that contradicts the one the report's own "
                                     "title states (see --period-override).")
    add.add_argument("path", help="the report: a text file, or a PDF (its text is extracted with pypdf and stored beside it)")
    add.add_argument("--council", required=True, help="council name, e.g. Bromley or barking_and_dagenham")
    add.add_argument("--period", required=True, help="the financial year the report covers, YYYY-YY")
    add.add_argument("--template", help="report template (default: the one this council's reports use)")
    add.add_argument("--description", help="one line on what the report holds")
    add.add_argument("--new-council", action="store_true", help="accept a council the project has never seen")
    add.add_argument("--period-override", metavar="REASON",
                     help="accept a --period that contradicts the year the report states about itself "
                          "(its title line); REASON is recorded in the manifest")
    add.add_argument("--council-override", metavar="REASON",
                     help="accept a --council other than the one the report names most; REASON is kept in the description")
    add.add_argument("--source-url", metavar="URL",
                     help="where the council publishes the report (http:// or https://), shown on the About page; "
                          "leave it out when unknown: the page then says the address was not recorded")
    add.add_argument("--date-read", metavar="YYYY-MM-DD",
                     help="the day the report was read (downloaded) from that address, shown on the About page")
    remove = sub.add_parser("remove-report", help="take a report out of data/raw and the manifest",
                            description="Remove a report's manifest row (a one-line change) and its file in data/raw. "
                                        "Its figures leave data/clean and its pages the site at the next `make study`. "
                                        "(The file is in git history if it was committed.)")
    remove.add_argument("file", nargs="?", help="the report's file name in data/raw (as the manifest lists it)")
    remove.add_argument("--council", help="or: the council (with --period)")
    remove.add_argument("--period", help="or: the report period, YYYY-YY (with --council)")
    look = sub.add_parser("inspect", help="show what the generic reader understands in a report (nothing is added)",
                          description="Read a report (text or PDF) with the generic reader and print each table it finds, "
                                      "how it reads each column header, its figure counts, the headline figures in "
                                      "sentences, and every figure it could not label. Nothing is written.")
    look.add_argument("path", help="the report: a text file or a PDF")
    look.add_argument("--period", help="the financial year it covers, YYYY-YY (default: the year its title states)")
    return parser


COMMANDS = {"clean": cmd_clean, "check": cmd_check, "run": cmd_run, "publish": cmd_publish, "all": cmd_all, "add-report": cmd_add_report,
            "remove-report": cmd_remove_report, "inspect": cmd_inspect}


def main(argv: list[str] | None = None) -> int:
    from .clean.extract.engine import ReportFormatError
    from .clean.manifest import ManifestError
    from .councils import UnknownCouncil

    args = build_parser().parse_args(argv)
    paths = Paths.discover(args.root)
    for option in ("council", "period", "notebook", "jobs", "force", "list"):
        if not hasattr(args, option):
            setattr(args, option, None)
    try:
        return COMMANDS[args.command](args, paths)
    except (ManifestError, UnknownCouncil, ReportFormatError) as error:
        console.print(f"[red]error:[/red] {error}")
        return 2
    except KeyboardInterrupt:
        console.print("interrupted")
        return 130
    except Exception as error:  # no bare traceback: say what and where; ANALYSIS_TRACEBACK=1 shows it all
        if os.environ.get("ANALYSIS_TRACEBACK"):
            raise
        from .clean.schemas import CleanTableError
        from .clean.taxonomy import TaxonomyError

        if isinstance(error, (TaxonomyError, CleanTableError)):  # the message names the file/table and rows
            console.print(f"[red]error:[/red] {error}")
            return 2
        from .clean.report_step import describe_error

        console.print(f"[red]error:[/red] `python -m analysis {args.command}` stopped: {describe_error(error)}. "
                      "If the message names a file you can fix (permissions, disk space), fix it and run the command again; "
                      "otherwise rerun with ANALYSIS_TRACEBACK=1 set and report the traceback.")
        return 1
