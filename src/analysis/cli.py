"""``python -m analysis``: clean the raw reports, run the notebooks, publish the HTML, add a report.

Every failure is one readable paragraph (file, line, what to do) and a non-zero exit,
never a bare traceback.
"""
from __future__ import annotations

import argparse
import gc
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
    flagged = int((result.frame["quality_flag"] != "").sum())
    console.print(f"clean: {len(result.frame)} figures ({flagged} flagged) → "
                  f"{', '.join(str(p.relative_to(paths.root)) for p in result.written)} "
                  f"in {time.perf_counter() - start:.1f} s")
    return 0 if result.ok else 1


def cmd_run(args, paths: Paths) -> int:
    from .site.runs import execute_runs, plan_runs

    runs = plan_runs(paths, council=args.council, period=args.period, notebook=args.notebook)
    if not runs:
        console.print("run: no notebook matches (notebooks/NN_name.ipynb); nothing to do")
        return 0
    with _progress() as progress:
        task = progress.add_task("Running notebooks", total=len(runs))
        summary = execute_runs(paths, runs, jobs=args.jobs, force=args.force,
                               progress=lambda result: progress.advance(task))
    for result in summary.results:
        timing = f"{result.seconds:5.1f} s" if result.status == "ran" else "      "
        console.print(f"  {result.status:<7} {timing}  {result.run.describe()}")
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


def cmd_all(args, paths: Paths) -> int:
    """clean (unless its inputs are unchanged since the last successful clean), run, publish."""
    from .clean.stamp import clean_is_current

    if not args.force and clean_is_current(paths):
        console.print("clean: raw reports, reference tables and code unchanged since the last clean; "
                      "data/clean kept (run `python -m analysis clean` to rebuild it anyway)")
        status = 0
    else:
        status = cmd_clean(args, paths)
    status = max(status, cmd_run(args, paths))
    return max(status, cmd_publish(args, paths))


def cmd_add_report(args, paths: Paths) -> int:
    from .clean.manifest import add_report

    entry = add_report(paths, Path(args.path), council=args.council, period=args.period,
                       template=args.template, description=args.description or "",
                       new_council=args.new_council, period_override=args.period_override or "",
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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m analysis", description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, help="project root (default: found from the working directory)")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def selection(p):
        p.add_argument("--council", help="only runs for this council (snake_case id, or 'all')")
        p.add_argument("--period", help="only runs for this report period (YYYY-YY)")
        p.add_argument("--notebook", help="only this notebook (stem or file name)")
        p.add_argument("--jobs", type=int, help="notebooks executed (and pages rendered) at once (default: the number of cores)")
        p.add_argument("--force", action="store_true", help="re-execute even notebooks whose inputs are unchanged")

    sub.add_parser("clean", help="extract every figure of the raw reports into data/clean/observations.*",
                   description="Extract every figure of the reports listed in data/raw/manifest.csv into "
                               "data/clean/observations.csv and .parquet, with computed quality flags.")
    selection(sub.add_parser("run", help="execute the notebooks with papermill into outputs/notebooks",
                             description="Execute every notebook for its parameter sets, in parallel; "
                                         "notebooks whose inputs are unchanged are skipped."))
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
    look = sub.add_parser("inspect", help="show what the generic reader understands in a report (nothing is added)",
                          description="Read a report (text or PDF) with the generic reader and print each table it finds, "
                                      "how it reads each column header, its figure counts, the headline figures in "
                                      "sentences, and every figure it could not label. Nothing is written.")
    look.add_argument("path", help="the report: a text file or a PDF")
    look.add_argument("--period", help="the financial year it covers, YYYY-YY (default: the year its title states)")
    return parser


COMMANDS = {"clean": cmd_clean, "run": cmd_run, "publish": cmd_publish, "all": cmd_all, "add-report": cmd_add_report, "inspect": cmd_inspect}


def main(argv: list[str] | None = None) -> int:
    from .clean.extract.engine import ReportFormatError
    from .clean.manifest import ManifestError
    from .councils import UnknownCouncil

    args = build_parser().parse_args(argv)
    paths = Paths.discover(args.root)
    for option in ("council", "period", "notebook", "jobs", "force"):
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
