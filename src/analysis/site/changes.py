"""What changed since the last `make study`: figures added, removed and changed per report, quality flags by
code per report, and the headline findings that moved (old → new).

``make study`` (``python -m analysis all``) compares the clean observations and the findings with the
snapshot the previous study left in ``outputs/.changes/``, prints the summary and writes it as a plain
page, ``outputs/html/changes.html``; then the snapshot becomes this study's. The first study has no
snapshot: every figure is new.
"""
from __future__ import annotations

import csv
import html
import json
import re
import shutil
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from ..paths import Paths

# a figure's identity: the same printed cell of the same report (its value may change when the report does)
FIGURE_KEY = ("source_file", "source_line", "council", "period", "quarter", "division", "service", "category",
              "stage", "measure", "table")
SNAPSHOT = ".changes"
PAGE = "changes.html"
_NUMBER = re.compile(r"[-+]?£?\d[\d,]*(?:\.\d+)?%?")


@dataclass
class ReportChange:
    source_file: str
    added: int = 0
    removed: int = 0
    changed: int = 0
    examples: list[str] = field(default_factory=list)  # a few changed or added figures, with their line
    flags: Counter = field(default_factory=Counter)  # this study's flags by code
    flags_before: Counter = field(default_factory=Counter)


@dataclass
class Changes:
    first: bool  # no earlier study to compare with
    reports: list[ReportChange] = field(default_factory=list)
    findings: list[tuple[str, str, str]] = field(default_factory=list)  # (run_id, old, new); "" = none

    @property
    def empty(self) -> bool:
        return not self.findings and not any(r.added or r.removed or r.changed or r.flags != r.flags_before
                                             for r in self.reports)


def _figures(path: Path) -> dict[tuple, tuple[str, str]]:
    if not path.is_file():
        return {}
    with path.open(encoding="utf-8", newline="") as handle:
        return {tuple(row[k] for k in FIGURE_KEY): (row["value"], row["quality_flag"]) for row in csv.DictReader(handle)}


def _findings(folder: Path) -> dict[str, list[str]]:
    out = {}
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except ValueError:
            continue
        lines = (data.get("key_findings") or data.get("headlines") or []) if isinstance(data, dict) else []
        out[path.stem] = [str(line) for line in lines]
    return out


def _moved(old: list[str], new: list[str]) -> list[tuple[str, str]]:
    """Pairs (old, new) of findings that differ: the same sentence with other numbers pairs up; the rest
    are added ("", new) or removed (old, "")."""
    gone, came = [o for o in old if o not in new], [n for n in new if n not in old]
    shape = {_NUMBER.sub("#", n): n for n in came}
    pairs = []
    for o in gone:
        n = shape.pop(_NUMBER.sub("#", o), None)
        pairs.append((o, n or ""))
        if n:
            came.remove(n)
    return pairs + [("", n) for n in came]


def compare(paths: Paths) -> Changes:
    """This study's data/clean and findings against the snapshot of the previous study."""
    snapshot = paths.outputs / SNAPSHOT
    first = not (snapshot / "observations.csv").is_file()
    before, now = _figures(snapshot / "observations.csv"), _figures(paths.clean / "observations.csv")
    reports: dict[str, ReportChange] = {}

    def report(key) -> ReportChange:
        return reports.setdefault(key[0], ReportChange(key[0]))

    for key, (value, flags) in now.items():
        entry = report(key)
        entry.flags.update(code for code in flags.split(";") if code)
        if key not in before:
            entry.added += 1
            if len(entry.examples) < 3 and not first:
                entry.examples.append(f"{key[9]} {key[3]} {value} (line {key[1]})")
        elif before[key][0] != value:
            entry.changed += 1
            if len(entry.examples) < 3:
                entry.examples.append(f"{key[9]} {key[3]}: {before[key][0]} → {value} (line {key[1]})")
    for key, (_, flags) in before.items():
        entry = report(key)
        entry.flags_before.update(code for code in flags.split(";") if code)
        if key not in now:
            entry.removed += 1
    moved = []
    if not first:
        old, new = _findings(snapshot / "findings"), _findings(paths.findings)
        for run_id in sorted(set(old) | set(new)):
            moved += [(run_id, o, n) for o, n in _moved(old.get(run_id, []), new.get(run_id, []))]
    return Changes(first, sorted(reports.values(), key=lambda r: r.source_file), moved)


def describe(changes: Changes) -> list[str]:
    """The summary as plain lines (the console's and the page's)."""
    if changes.first:
        lines = ["First study in this folder: nothing to compare with; every figure is new."]
    elif changes.empty:
        return ["Nothing changed since the last study: the same figures, flags and findings."]
    else:
        lines = []
    for r in changes.reports:
        if not (r.added or r.removed or r.changed or r.flags != r.flags_before):
            continue
        name = r.source_file.removeprefix("data/raw/")
        parts = [f"{n} {what}" for n, what in ((r.added, "added"), (r.removed, "removed"), (r.changed, "changed")) if n]
        lines.append(f"{name}: figures {', '.join(parts) or 'unchanged'}")
        if r.examples:
            lines.append("  e.g. " + "; ".join(r.examples))
        codes = sorted(set(r.flags) | set(r.flags_before))
        moved_flags = [f"{c} {r.flags_before[c]} → {r.flags[c]}" if not changes.first else f"{c} {r.flags[c]}"
                       for c in codes if r.flags[c] != r.flags_before[c]]
        if moved_flags:
            lines.append("  flags by code: " + ", ".join(moved_flags))
    if changes.findings:
        lines.append("Headline findings that moved:")
        for run_id, old, new in changes.findings:
            if old and new:
                lines.append(f"  {run_id}: {old} → {new}")
            elif new:
                lines.append(f"  {run_id}: new: {new}")
            else:
                lines.append(f"  {run_id}: gone: {old}")
    return lines


def write_page(paths: Paths, lines: list[str]) -> Path:
    """``outputs/html/changes.html``: the summary, plain."""
    parts, items = [], []
    for line in [*lines, ""]:
        if line.startswith("  "):
            items.append(f"<li>{html.escape(line.strip())}</li>")
            continue
        if items:
            parts.append("<ul>" + "".join(items) + "</ul>")
            items = []
        if line:
            parts.append(f"<p>{html.escape(line)}</p>")
    body = "\n".join(parts)
    from markupsafe import Markup

    from .publish import _jinja, _write

    page = paths.html / PAGE
    page.parent.mkdir(parents=True, exist_ok=True)
    _write(page, _jinja().get_template("document.html.j2").render(
        title="What changed since the last study", root="", body=Markup(body)))
    return page


def take_snapshot(paths: Paths) -> None:
    """This study becomes the one the next compares with."""
    snapshot = paths.outputs / SNAPSHOT
    if snapshot.exists():
        shutil.rmtree(snapshot)
    (snapshot / "findings").mkdir(parents=True)
    if (paths.clean / "observations.csv").is_file():
        shutil.copy2(paths.clean / "observations.csv", snapshot / "observations.csv")
    for path in paths.findings.glob("*.json") if paths.findings.is_dir() else []:
        shutil.copy2(path, snapshot / "findings" / path.name)
