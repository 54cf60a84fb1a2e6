"""Render executed notebooks to a self-contained HTML site: policy pages (no code), analyst pages
(with code), and an index with the data's provenance.

Pages open with no network (images are embedded, no CDN scripts), and contact details of
named officers that the raw reports print (e-mail addresses, phone numbers) are removed.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import html
import json
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from .. import __version__
from ..clean.manifest import read_manifest
from ..paths import Paths
from .. import present

TEMPLATES = Path(__file__).resolve().parent / "templates"
EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
# UK numbers as the reports print them: 020 8461 7777, 0208 461 7777, 07700 900123, +44 20 …, and
# mis-typed ones such as "020 802084617590": a 0 or +44, then 10 to 15 digits in all (see _phone).
PHONE = re.compile(r"(?<![\w/+=.,-])(?:\+44\s?(?:\(0\)\s?)?|0)\d[\d \t-]{7,15}\d(?![\w/+=])")
DATA_URI = re.compile(r"(data:[a-z/+.-]+;base64,[A-Za-z0-9+/=\s]+)")
REDACTED = "[contact details removed]"

QUESTIONS = {
    "00_data_audit": "Data audit: what was extracted and what to trust",
    "01_council_overview": "Council overview: the year at a glance",
    "02_root_causes": "Root causes: what complaints are about",
    "03_contracted_services": "Contracted services: third-party providers",
    "04_sen_surge": "The SEN surge",
    "05_covid_dip": "The COVID dip and the rebound",
}


@dataclass(frozen=True)
class Page:
    run_id: str
    notebook: str
    council: str
    period: str
    question: str
    policy: str  # href relative to outputs/html
    analyst: str


def redact_contacts(text: str) -> str:
    """Remove e-mail addresses and phone numbers, leaving embedded images untouched."""
    parts = DATA_URI.split(text)
    for i in range(0, len(parts), 2):
        parts[i] = PHONE.sub(_phone, EMAIL.sub(REDACTED, parts[i]))
    return "".join(parts)


def _phone(match: re.Match) -> str:
    digits = sum(c.isdigit() for c in match.group())
    return REDACTED if 10 <= digits <= 15 else match.group()


def _exporter(with_code: bool):
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(template_name="offline", extra_template_basedirs=[str(TEMPLATES)])
    exporter.exclude_input = not with_code
    exporter.exclude_input_prompt = not with_code
    exporter.exclude_output_prompt = True
    exporter.embed_images = True
    return exporter


def _params(notebook: dict) -> dict:
    """The parameters papermill injected (the record of which run this page is)."""
    return dict(notebook["metadata"].get("papermill", {}).get("parameters", {}))


def code_version(root: Path) -> str:
    """``git describe`` of the checkout when there is one, else the package version and a source hash."""
    try:
        described = subprocess.run(["git", "describe", "--always", "--dirty"], cwd=root,
                                   capture_output=True, text=True, timeout=10)
        if described.returncode == 0 and described.stdout.strip():
            return f"{__version__} ({described.stdout.strip()})"
    except (OSError, subprocess.SubprocessError):
        pass
    from ..fingerprint import source_sha256

    return f"{__version__} (source {source_sha256()[:12]})"


RELATIVE_HREF = re.compile(r'(href=")(?![a-z][a-z0-9+.-]*:|#|/)([^"#?]+)')


def relink(body: str, paths: Paths, page_dir: Path) -> str:
    """Links a notebook makes to project files (relative to notebooks/, e.g. ``../docs/x.md``) made
    relative to the page's own folder, so they still resolve from outputs/html/…/."""
    import os

    def fix(match: re.Match) -> str:
        target = (paths.notebooks / html.unescape(match.group(2))).resolve()
        if not target.exists():
            return match.group(0)
        return match.group(1) + html.escape(Path(os.path.relpath(target, page_dir)).as_posix())

    return RELATIVE_HREF.sub(fix, body)


def run_failed(notebook: dict) -> bool:
    """Whether papermill recorded an error in this executed notebook (a partly executed copy)."""
    return bool(notebook["metadata"].get("papermill", {}).get("exception"))


def page_title(question: str, council: str, period: str) -> str:
    from ..councils import council_label

    where = " ".join(x for x in (council_label(council) if council and council != "all" else "all councils", period) if x)
    return f"{question} — {where}"


def _page_fingerprint(executed: Path) -> str:
    """What a page depends on: the executed notebook and the code and templates that render it."""
    digest = hashlib.sha256(executed.read_bytes())
    for source in [Path(__file__), *sorted(p for p in TEMPLATES.rglob("*") if p.is_file())]:
        digest.update(source.name.encode() + source.read_bytes())
    return digest.hexdigest()


FLAVOURS = {"policy": False, "analyst": True}  # flavour → with code
_EXPORTERS: dict = {}  # per process, built on first use: importing nbconvert costs ~1 s


def render_page(root: str, executed: str, page: Page) -> list[str]:
    """Render one executed notebook as its policy and analyst pages (run in a worker process)."""
    import nbformat

    paths, path = Paths(Path(root)), Path(executed)
    notebook = nbformat.reads(path.read_text(encoding="utf-8"), as_version=4)  # joins multi-line sources
    outs = []
    for flavour, with_code in FLAVOURS.items():
        if flavour not in _EXPORTERS:
            _EXPORTERS[flavour] = _exporter(with_code)
        notebook.metadata["title"] = page_title(page.question, page.council, page.period) + (
            " (analyst version, with code)" if flavour == "analyst" else "")
        body, _ = _EXPORTERS[flavour].from_notebook_node(notebook, resources={"index_href": "../index.html"})
        out = paths.html / flavour / f"{path.stem}.html"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(redact_contacts(relink(body, paths, out.parent)), encoding="utf-8")
        outs.append(str(out))
    return outs


def publish(paths: Paths, progress=None, jobs: int | None = None) -> list[Page]:
    """Render every executed notebook under outputs/notebooks and write outputs/html/index.html.

    A run that failed (papermill's partly executed copy) gets no page: the index lists it as
    failed and points to the executed notebook. Pages of runs that no longer exist are removed.
    Pages whose notebook and renderer are unchanged are kept; the others render in parallel.
    """
    import os
    from concurrent.futures import ProcessPoolExecutor, as_completed

    pages: list[Page] = []
    written: set[Path] = set()
    todo: list[tuple[Path, Page, str]] = []
    for path in sorted(paths.executed.glob("*.ipynb")):
        # Read as plain JSON: nbformat and nbconvert (slow to import) only where a page is rendered
        notebook = json.loads(path.read_text(encoding="utf-8"))
        params = _params(notebook)
        stem = path.stem.split("__")[0]
        page = Page(path.stem, stem, str(params.get("council", "")), str(params.get("period", "")),
                    QUESTIONS.get(stem, present.humanise(stem)), f"policy/{path.stem}.html", f"analyst/{path.stem}.html")
        outs = [paths.html / flavour / f"{path.stem}.html" for flavour in FLAVOURS]
        stamp = paths.publish_cache / f"{path.stem}.sha256"
        fingerprint = _page_fingerprint(path)
        if run_failed(notebook):
            pages.append(dataclasses.replace(page, policy="", analyst=""))
        elif all(o.is_file() for o in outs) and stamp.is_file() and stamp.read_text() == fingerprint:
            written.update(outs)  # unchanged since it was last rendered: keep the pages
            pages.append(page)
        else:
            stamp.unlink(missing_ok=True)
            todo.append((path, page, fingerprint))
            pages.append(page)
            continue
        if progress:
            progress(path)
    if todo:
        jobs = max(1, min(jobs or os.cpu_count() or 1, len(todo)))
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            futures = {pool.submit(render_page, str(paths.root), str(path), page): (path, fp) for path, page, fp in todo}
            for future in as_completed(futures):
                path, fingerprint = futures[future]
                written.update(Path(out) for out in future.result())
                paths.publish_cache.mkdir(parents=True, exist_ok=True)
                (paths.publish_cache / f"{path.stem}.sha256").write_text(fingerprint)
                if progress:
                    progress(path)
    for flavour in FLAVOURS:
        for stale in (paths.html / flavour).glob("*.html"):
            if stale not in written:
                stale.unlink()
    write_index(paths, pages)
    return pages


def write_index(paths: Paths, pages: list[Page]) -> Path:
    """The site's front page: every page by question, council and period, and the provenance."""
    from ..councils import council_label

    esc = html.escape

    def links(p: Page) -> str:
        if not p.policy:
            return (f"<td colspan=\"2\" class=\"failed\">run failed: not published (partly executed notebook: "
                    f"<code>outputs/notebooks/{esc(p.run_id)}.ipynb</code>)</td>")
        return (f"<td><a href=\"{esc(p.policy)}\">policy page</a></td>"
                f"<td><a href=\"{esc(p.analyst)}\">analyst page (with code)</a></td>")

    rows = "\n".join(
        f"<tr><td>{esc(p.question)}</td><td>{esc(council_label(p.council) if p.council not in {'', 'all'} else 'all councils')}</td>"
        f"<td>{esc(p.period or 'all years')}</td>{links(p)}</tr>"
        for p in sorted(pages, key=lambda p: (p.notebook, p.council != "all", p.council, p.period))
    )
    raw = "\n".join(
        f"<tr><td><code>{esc(e.source_file)}</code></td><td>{esc(e.council)}</td><td>{esc(e.report_period)}</td>"
        f"<td><code>{esc(e.sha256)}</code></td></tr>"
        for e in read_manifest(paths)
    )
    generated = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    document = f"""<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>What drives complaints to English councils — study pages</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 70rem; margin: 2rem auto; padding: 0 1rem; color: #1b1b1b; }}
table {{ border-collapse: collapse; width: 100%; margin-bottom: 2rem; }}
th, td {{ text-align: left; padding: .35rem .6rem; border-bottom: 1px solid #ddd; vertical-align: top; }}
code {{ font-size: .85em; word-break: break-all; }}
.failed {{ color: #a00; }}
</style></head>
<body>
<h1>What drives complaints to English local councils</h1>
<p>Policy pages show findings and charts; analyst pages add the code that computed them.
Every figure is computed from <code>data/clean</code>, which is extracted from the raw reports listed below.</p>
<h2>Pages</h2>
<table><thead><tr><th>Question</th><th>Council</th><th>Period</th><th>For policy teams</th><th>For analysts</th></tr></thead>
<tbody>
{rows}
</tbody></table>
<h2>Provenance</h2>
<table><thead><tr><th>Raw report</th><th>Council</th><th>Report period</th><th>sha256</th></tr></thead>
<tbody>
{raw}
</tbody></table>
<p>Generated {esc(generated)} by code version {esc(code_version(paths.root))}.</p>
</body></html>
"""
    paths.html.mkdir(parents=True, exist_ok=True)
    index = paths.html / "index.html"
    index.write_text(document, encoding="utf-8")
    return index
