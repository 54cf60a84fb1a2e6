"""Render the study's current run plan to a self-contained HTML site: policy pages (no code),
analyst pages (with code), the raw reports line by line, the downloads, and a front page that
opens with the synthesis's answer.

Only what the plan holds is published: executed notebooks, findings and pages of runs the plan no
longer holds are removed, a failed run or a report that failed to extract gets no page (the index
says why). Pages open with no network (images embedded, no CDN scripts, one shared CSS file), and
contact details of named officers that the raw reports print (e-mail addresses, phone numbers)
are removed. The index is deterministic: code version and data hash, no wall-clock time.
"""
from __future__ import annotations

import dataclasses
import hashlib
import html
import json
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from .. import __version__, present
from ..clean.manifest import read_manifest
from ..paths import Paths

TEMPLATES = Path(__file__).resolve().parent / "templates"
EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
# UK numbers as the reports print them: 020 8461 7777, 0208 461 7777, 07700 900123, +44 20 …, and
# mis-typed ones such as "020 802084617590": a 0 or +44, then 10 to 15 digits in all (see _phone).
PHONE = re.compile(r"(?<![\w/+=.,-])(?:\+44\s?(?:\(0\)\s?)?|0)\d[\d \t-]{7,15}\d(?![\w/+=])")
DATA_URI = re.compile(r"(data:[a-z/+.-]+;base64,[A-Za-z0-9+/=\s]+)")
REDACTED = "[contact details removed]"
ANALYST_ONLY = "analyst-only"  # a notebook cell tag: shown on the analyst page, left off the policy page
POLICY_ONLY = "policy-only"  # a notebook cell tag: plain words for the policy page, left off the analyst page

QUESTIONS = {
    "00_data_audit": "Data audit: what was extracted and what to trust",
    "01_council_overview": "Council overview: the year at a glance",
    "02_root_causes": "Root causes: what complaints are about",
    "03_contracted_services": "Contracted services: third-party providers",
    "04_sen_surge": "The SEN surge",
    "05_covid_dip": "The COVID dip and the rebound",
    "06_what_drives_complaints": "What drives complaints: the four drivers together",
}
SYNTHESIS = "06_what_drives_complaints"
PRIMARY_KEY = "primary"  # a driver's findings key holding its one primary estimate (issue 24)
# on policy pages, outputs that speak to the build, not the reader ("Findings written to …", a PosixPath)
BUILD_NOISE = re.compile(r"Findings (?:written|saved)|^Saved `|PosixPath\(|outputs/findings/", re.M)
STATIC = "static"  # outputs/html/static: notebook.css (JupyterLab's styles, once) and site.css
GLOSSARY = "glossary.html"  # the plain-words glossary every page links (docs/glossary.md)
ABOUT = "about.html"  # about this data: the reports, licences, how to cite, contact


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
    exporter.register_filter("inline_markdown", inline_markdown)
    exporter.register_filter("base64", lambda text: __import__("base64").b64encode(str(text).encode()).decode("ascii"))
    if not with_code:  # cells tagged "analyst-only" (long audit tables) stay off policy pages
        from nbconvert.preprocessors import TagRemovePreprocessor

        exporter.register_preprocessor(TagRemovePreprocessor(remove_cell_tags={ANALYST_ONLY}), enabled=True)
    else:  # plain-words text written for policy readers, where the analyst page has the method's words
        from nbconvert.preprocessors import TagRemovePreprocessor

        exporter.register_preprocessor(TagRemovePreprocessor(remove_cell_tags={POLICY_ONLY}), enabled=True)
    return exporter


def inline_markdown(text: str) -> str:
    """A findings bullet's emphasis (``*fully*``) as HTML, everything else escaped: for the key-findings box."""
    import mistune

    html_text = mistune.create_markdown(escape=True)(str(text)).strip()
    return html_text[3:-4] if html_text.startswith("<p>") and html_text.endswith("</p>") else html_text


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


# Project files the site carries its own copy of: a notebook's link to one points at the copy, so the
# site stands alone (a reader of outputs/html never lands on a .md file outside it).
PUBLISHED_COPIES = {"docs/data_dictionary.md": "data/data_dictionary.html"}

RELATIVE_HREF = re.compile(r'(href=")(?![a-z][a-z0-9+.-]*:|#|/)([^"#?]+)')


def relink(body: str, paths: Paths, page_dir: Path) -> str:
    """Links a notebook makes to project files (relative to notebooks/, e.g. ``../docs/x.md``) made
    relative to the page's own folder, so they still resolve from outputs/html/…/."""
    import os

    published = {(paths.root / project).resolve(): paths.html / copy for project, copy in PUBLISHED_COPIES.items()}

    def fix(match: re.Match) -> str:
        target = (paths.notebooks / html.unescape(match.group(2))).resolve()
        target = published.get(target, target)  # publish always writes these copies
        if target not in published.values() and not target.exists():
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


def _page_fingerprint(executed: Path, findings: Path | None = None) -> str:
    """What a page depends on: the executed notebook and the code and templates that render it."""
    digest = hashlib.sha256(executed.read_bytes())
    for source in [Path(__file__), *sorted(p for p in TEMPLATES.rglob("*") if p.is_file())]:
        digest.update(source.name.encode() + source.read_bytes())
    digest.update(findings.read_bytes() if findings and findings.is_file() else b"")  # its key findings
    return digest.hexdigest()


FLAVOURS = {"policy": False, "analyst": True}  # flavour → with code
_EXPORTERS: dict = {}  # per process, built on first use: importing nbconvert costs ~1 s


def output_text(output) -> str:
    if output.get("output_type") == "stream":
        return str(output.get("text", ""))
    data = output.get("data", {})
    return "\n".join(str(data.get(kind, "")) for kind in ("text/markdown", "text/plain", "text/html") if kind in data)


def for_policy(notebook):
    """A policy page's copy of a notebook: no output or note about where findings were saved (a
    safety net: the notebooks should not print them), and no machine-readable-findings section."""
    import copy

    notebook = copy.deepcopy(notebook)
    cells = []
    for cell in notebook.cells:
        if cell.cell_type == "markdown" and "outputs/findings" in cell.source:
            continue
        if cell.cell_type == "code":
            cell.outputs = [o for o in cell.outputs if not BUILD_NOISE.search(output_text(o))]
        cells.append(cell)
    notebook.cells = [c for c in cells if ANALYST_ONLY not in c.get("metadata", {}).get("tags", [])]
    from .typeset import drop_empty_sections

    drop_empty_sections(notebook)
    return notebook


KEY_FINDINGS_TAG = "key-findings"


def drop_key_findings_section(notebook) -> None:
    """A notebook's own key-findings cell (tag ``key-findings``) and its bare "## Key findings"
    heading: the page prints the same bullets in its box at the top, once."""
    cells, skip_heading = [], False
    for cell in reversed(notebook.cells):
        if KEY_FINDINGS_TAG in cell.get("metadata", {}).get("tags", []):
            skip_heading = True
            continue
        if skip_heading and cell.cell_type == "markdown" and cell.source.strip().lower() == "## key findings":
            skip_heading = False
            continue
        skip_heading = False
        cells.append(cell)
    notebook.cells = cells[::-1]


def drop_first_title(notebook):
    """The notebook's own ``# Title`` line: the page prints its H1 (with council and period) itself."""
    for cell in notebook.cells:
        if cell.cell_type == "markdown" and cell.source.lstrip().startswith("# "):
            cell.source = "\n".join(cell.source.lstrip().split("\n")[1:])
            return cell.source.lstrip().split("\n")[0]
    return ""


def notebook_title(notebook) -> str:
    for cell in notebook.cells:
        if cell.cell_type == "markdown" and cell.source.lstrip().startswith("# "):
            return cell.source.lstrip().split("\n")[0][2:].strip()
    return ""


def key_findings(paths: Paths, run_id: str) -> list[str]:
    """The run's ``key_findings`` (3–5 plain sentences) from its findings file; [] if it has none."""
    data = read_findings(paths, run_id)
    items = data.get("key_findings") if isinstance(data, dict) else None
    return [str(x) for x in items if str(x).strip()] if isinstance(items, list) else []


def page_headline(paths: Paths, run_id: str) -> str:
    """The run's primary finding as a title (its main clause: :func:`~analysis.studies.primary.headline_of`),
    or "" when the run declares no primary (the overview and audit pages keep their topic as title)."""
    from ..studies.primary import headline_of

    primary = read_findings(paths, run_id).get("primary")
    finding = primary.get("finding") if isinstance(primary, dict) else None
    return headline_of(finding) if isinstance(finding, str) and finding.strip() else ""


def read_findings(paths: Paths, run_id: str) -> dict:
    path = paths.findings / f"{run_id}.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


CHART_DATA = "chart-data"  # outputs/html/chart-data/<run_id>-<n>.csv: each chart's numbers, linked under it


def write_chart_data(notebook, paths: Paths, run_id: str) -> list[Path]:
    """Each chart's data (the CSV ``charts.show`` keeps in its metadata) as a file beside the pages;
    the chart's metadata then holds the link (relative to a page) instead of the text."""
    written = []
    n = 0
    for cell in notebook.cells:
        for output in cell.get("outputs", []) if cell.cell_type == "code" else []:
            meta = output.get("metadata", {}).get("image/svg+xml")
            if not isinstance(meta, dict) or "csv" not in meta:
                continue
            n += 1
            target = paths.html / CHART_DATA / f"{run_id}-{n}.csv"
            written.append(_write(target, meta.pop("csv")))
            meta["csv_href"] = f"../{CHART_DATA}/{target.name}"
    return written


def chart_source(paths: Paths, council: str) -> str:
    """The default source line of a page's charts: the council's reports (all reports on an all-councils page)."""
    entries = [e for e in read_manifest(paths) if council in ("", "all") or e.council == council]
    names = [present.report_name(e.source_file).removesuffix(" report") for e in entries]
    if not names:
        return ""
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    return f"the councils' annual complaints reports ({listed}); analysis by this study"


def render_page(root: str, executed: str, page: Page) -> list[str]:
    """Render one executed notebook as its policy and analyst pages (run in a worker process)."""
    import nbformat

    from . import typeset

    paths, path = Paths(Path(root)), Path(executed)
    notebook = nbformat.reads(path.read_text(encoding="utf-8"), as_version=4)  # joins multi-line sources
    write_chart_data(notebook, paths, page.run_id)
    heading = notebook_title(notebook) or page.question
    drop_first_title(notebook)
    where = page_title("", page.council, page.period).lstrip(" —")
    h1 = f"{heading} — {where}"
    headline = page_headline(paths, page.run_id)  # the title states the finding; the topic goes above it
    findings = key_findings(paths, page.run_id)
    if findings:
        drop_key_findings_section(notebook)
    outs = []
    for flavour, with_code in FLAVOURS.items():
        if flavour not in _EXPORTERS:
            _EXPORTERS[flavour] = _exporter(with_code)
        shown = for_policy(notebook) if flavour == "policy" else notebook
        shown.metadata["title"] = h1 + (" (analyst version, with code)" if flavour == "analyst" else "")
        other = "analyst" if flavour == "policy" else "policy"
        resources = {"index_href": "../index.html", "static_href": f"../{STATIC}/",
                     "page_h1": headline or shown.metadata["title"], "page_kicker": shown.metadata["title"] if headline else "",
                     "key_findings": findings, "flavour": flavour, "other_href": f"../{other}/{path.stem}.html",
                     "glossary_href": f"../{GLOSSARY}", "about_href": f"../{ABOUT}",
                     "chart_source": chart_source(paths, page.council)}
        body, _ = _EXPORTERS[flavour].from_notebook_node(shown, resources=resources)
        body = typeset.finish(body, f"../analyst/{path.stem}.html" if flavour == "policy" else None,
                              plain=flavour == "policy")
        out = paths.html / flavour / f"{path.stem}.html"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(redact_contacts(relink(body, paths, out.parent)), encoding="utf-8")
        outs.append(str(out))
    return outs


def _jinja():
    import jinja2

    return jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES / "site")),
                              autoescape=jinja2.select_autoescape(["html", "j2"]), keep_trailing_newline=True,
                              undefined=jinja2.StrictUndefined)


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.is_file() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")
    return path


def write_static(paths: Paths) -> list[Path]:
    """One copy of JupyterLab's styles (index.css + the light theme) and the study's own, shared by every page."""
    from jupyter_core.paths import jupyter_path

    lab = next((Path(p) / "static" for p in jupyter_path("nbconvert", "templates", "lab")
                if (Path(p) / "static" / "index.css").is_file()), None)
    css = ""
    if lab is not None:
        css = (lab / "index.css").read_text(encoding="utf-8") + "\n" + (lab / "theme-light.css").read_text(encoding="utf-8")
    css += "\na.anchor-link { display: none; }\n.jp-Collapser { display: none; }\n.jp-InputArea { overflow: hidden; }\n"
    return [_write(paths.html / STATIC / "notebook.css", css),
            _write(paths.html / STATIC / "site.css", (TEMPLATES / "site" / "site.css").read_text(encoding="utf-8"))]


def write_reports(paths: Paths, entries, failed_files: set[str]) -> dict[str, str]:
    """Each raw report that extracted as a page of numbered lines (``reports/<stem>.html#L94``), contacts removed.
    Returns source_file → href (relative to outputs/html)."""
    env = _jinja()
    hrefs: dict[str, str] = {}
    for entry in entries:
        raw = paths.root / entry.source_file
        if entry.source_file in failed_files or not raw.is_file():
            continue
        try:
            text = raw.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            text = raw.read_bytes().decode("cp1252", errors="replace")
        href = present.report_page(entry.source_file)
        document = env.get_template("report.html.j2").render(
            title=f"{present.report_name(entry.source_file)}: the raw text", root="../",
            name=present.report_name(entry.source_file), file=entry.file, sha256=entry.sha256,
            lines=[redact_contacts(line) for line in text.splitlines()])
        _write(paths.html / href, document)
        hrefs[entry.source_file] = href
    for stale in (paths.html / present.REPORTS_DIR).glob("*.html"):
        if f"{present.REPORTS_DIR}/{stale.name}" not in hrefs.values():
            stale.unlink()
    return hrefs


def _size(path: Path) -> str:
    size = path.stat().st_size
    return f"{size / 1e6:.1f} MB" if size >= 1e6 else f"{max(1, round(size / 1e3))} KB"


def write_downloads(paths: Paths) -> list[dict]:
    """The clean tables, datapackage.json and the data dictionary (as HTML), copied into the site."""
    import shutil

    import mistune

    folder = paths.html / "data"
    folder.mkdir(parents=True, exist_ok=True)
    items, kept = [], set()
    for stem in ("observations", "reconciled", "conflicts", "claims"):
        for ext in ("csv", "parquet"):
            source = paths.clean / f"{stem}.{ext}"
            if source.is_file():
                shutil.copyfile(source, folder / source.name)
                kept.add(source.name)
                items.append({"href": f"data/{source.name}", "label": f"The {stem} table ({ext.upper()})", "size": _size(source)})
    for name, label in REFERENCE_DOWNLOADS.items():  # reviewed data files the pages point readers to
        source = paths.root / "data" / "reference" / name
        if source.is_file():
            shutil.copyfile(source, folder / name)
            kept.add(name)
            items.append({"href": f"data/{name}", "label": label, "size": _size(source)})
    package = paths.clean / "datapackage.json"
    if package.is_file():
        shutil.copyfile(package, folder / package.name)
        kept.add(package.name)
        items.append({"href": "data/datapackage.json", "label": "datapackage.json: the tables' fields, hashes and sources",
                      "size": _size(package)})
    from analysis.clean.dictionary import render_markdown

    # Rendered from the code that also writes docs/data_dictionary.md, so a copy without docs/ has it too.
    body = mistune.html(render_markdown())
    body = re.sub(r"<table>", '<div class="scroll"><table class="plain">', body).replace("</table>", "</table></div>")
    _write(folder / "data_dictionary.html", _jinja().get_template("document.html.j2").render(
        title="Data dictionary", root="../", body=markupsafe_markup(body)))
    kept.add("data_dictionary.html")
    items.append({"href": "data/data_dictionary.html", "label": "The data dictionary", "size": ""})
    if (paths.html / "changes.html").is_file():  # written by `all` before publishing (site/changes.py)
        items.append({"href": "changes.html", "label": "What changed since the last study", "size": ""})
    for stale in folder.iterdir():
        if stale.name not in kept:
            stale.unlink()
    return items


REFERENCE_DOWNLOADS = {
    "root_cause_crosswalk.csv": "The root-cause crosswalk: each report's cause label and the common code it maps to (CSV)",
    "root_cause_taxonomy.csv": "The root-cause codes and their definitions (CSV)",
}


def write_glossary(paths: Paths) -> Path:
    """The glossary (templates/site/glossary.md, a reviewed data file) as the page every page links."""
    import mistune

    text = (TEMPLATES / "site" / "glossary.md").read_text(encoding="utf-8")
    body = '<div class="glossary">' + mistune.create_markdown(escape=False, plugins=["table"])(text) + "</div>"
    return _write(paths.html / GLOSSARY, _jinja().get_template("document.html.j2").render(
        title="Glossary: the words these pages use", root="", body=markupsafe_markup(body)))


def data_date(entries) -> str:
    """When the data were last changed, from the data themselves: the latest report year covered."""
    periods = sorted(e.report_period for e in entries if e.report_period)
    return periods[-1] if periods else "—"


def write_about(paths: Paths, entries, report_hrefs: dict[str, str], code: str, data_hash: str) -> Path:
    """About this data: the reports used, licences, how to cite, the data's date, and a contact route."""
    reports = [{"name": present.report_name(e.source_file), "council": present.council(e.council),
                "period": e.report_period, "description": e.description, "sha256": e.sha256,
                "href": report_hrefs.get(e.source_file, ""), "source_url": e.source_url, "date_read": e.date_read,
                "source_host": urlparse(e.source_url).netloc} for e in entries]
    return _write(paths.html / ABOUT, _jinja().get_template("about.html.j2").render(
        title="About this data", root="", reports=reports, latest=data_date(entries), code_version=code,
        councils=sorted({r["council"] for r in reports}),
        data_hash=data_hash))


def markupsafe_markup(text: str):
    from markupsafe import Markup

    return Markup(text)


def card_chart(primary: dict, run_id: str) -> tuple[str, str] | None:
    """The card's chart drawn from its primary record (site/cards.py), so it shows the card's own number;
    None when the record holds no number (the notebook's headline chart is used instead)."""
    from ..studies.primary import Primary
    from .cards import estimate_chart

    try:
        return estimate_chart(Primary.from_record(primary, run_id)) if primary else None
    except (TypeError, ValueError):
        return None


def answer_items(headlines: list[str], drivers: list[dict]) -> list[dict]:
    """The front page's answer: each driver's finding under its short name (the synthesis's words; the
    strength and its reason are on the driver's card), then the synthesis's other headlines (a driver
    not stated, which councils' reports speak to which question), five at most."""
    from ..studies.synthesis import SHORT

    def name(d: dict) -> str:
        short = SHORT.get(d.get("notebook"), "") or d.get("driver", "")
        return short[:1].upper() + short[1:]

    items = [{"label": name(d), "text": d["finding"]} for d in drivers if d.get("finding")]
    quoted = [d["finding"] for d in drivers if d.get("finding")]
    items += [{"label": "", "text": h} for h in headlines if not any(f in h for f in quoted)]
    return items[:5]


def first_chart(executed: Path) -> tuple[str, str] | None:
    """The chart of an executed notebook for the index's driver card (a data: URI, alt text): the one
    shown with ``charts.show(..., headline=True)`` (the primary finding's), else the first."""
    import base64

    try:
        notebook = json.loads(executed.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    charts = []
    for cell in notebook.get("cells", []):
        for output in cell.get("outputs", []) if cell.get("cell_type") == "code" else []:
            for kind in ("image/svg+xml", "image/png"):
                if kind in output.get("data", {}):
                    charts.append((kind, output["data"][kind], output.get("metadata", {}).get(kind, {})))
                    break
    if not charts:
        return None
    kind, data, meta = next((c for c in charts if c[2].get("headline")), charts[0])
    data = "".join(data) if isinstance(data, list) else data
    encoded = base64.b64encode(data.encode("utf-8")).decode("ascii") if kind == "image/svg+xml" else data
    return f"data:{kind};base64,{encoded}", str(meta.get("alt") or "")


def remove_unplanned(paths: Paths, planned: set[str]) -> list[Path]:
    """Executed notebooks, findings, stamps, pages and chart data of runs the plan no longer holds."""
    removed = []
    for path in sorted((paths.html / CHART_DATA).glob("*.csv")) if (paths.html / CHART_DATA).is_dir() else []:
        if path.stem.rsplit("-", 1)[0] not in planned:  # <run_id>-<n>.csv (write_chart_data)
            path.unlink()
            removed.append(path)
    for folder, pattern in ((paths.executed, "*.ipynb"), (paths.findings, "*.json"), (paths.run_cache, "*.sha256"),
                            (paths.publish_cache, "*.sha256"), (paths.html / "policy", "*.html"),
                            (paths.html / "analyst", "*.html")):
        for path in sorted(folder.glob(pattern)) if folder.is_dir() else []:
            if path.stem not in planned:
                path.unlink()
                removed.append(path)
    return removed


def publish(paths: Paths, progress=None, jobs: int | None = None, removed: list[Path] | None = None) -> list[Page]:
    """Render every run of the current plan that executed, and write the site around it.

    A run that failed (papermill's partly executed copy) gets no page: the index lists it as
    failed. Runs the plan no longer holds lose their notebooks, findings and pages. Pages whose
    notebook, findings and renderer are unchanged are kept; the others render in parallel.
    """
    import os
    from concurrent.futures import ProcessPoolExecutor, as_completed

    from .runs import default_parameter, study_plan

    plan = study_plan(paths)
    planned = {run.run_id: run for run in plan.runs}
    gone = remove_unplanned(paths, set(planned))
    if removed is not None:  # the caller reports them
        removed.extend(gone)
    pages: list[Page] = []
    written: set[Path] = set()
    todo: list[tuple[Path, Page, str]] = []
    for run_id, run in sorted(planned.items()):
        path = paths.executed / f"{run_id}.ipynb"
        if not path.is_file():
            continue  # planned but not executed (a narrowed `run`): no page, no link
        # Read as plain JSON: nbformat and nbconvert (slow to import) only where a page is rendered
        notebook = json.loads(path.read_text(encoding="utf-8"))
        params = dict(run.params)
        if "council" not in params:  # a single run: the council its notebook studies by default
            params["council"] = default_parameter(paths.notebooks / f"{run.notebook}.ipynb", "council")
        page = Page(run_id, run.notebook, str(params.get("council", "")), str(params.get("period", "")),
                    QUESTIONS.get(run.notebook, present.humanise(run.notebook)), f"policy/{run_id}.html",
                    f"analyst/{run_id}.html")
        outs = [paths.html / flavour / f"{run_id}.html" for flavour in FLAVOURS]
        stamp = paths.publish_cache / f"{run_id}.sha256"
        fingerprint = _page_fingerprint(path, paths.findings / f"{run_id}.json")
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
    write_index(paths, pages, plan)
    return pages


def _council_name(council: str) -> str:
    return present.council(council) if council else "All councils"


def write_index(paths: Paths, pages: list[Page], plan=None) -> Path:
    """The front page, answer first (issue 25): the synthesis's answer and what it cannot tell, one card per
    driver whose chart shows the card's own number (site/cards.py), every page by question and council (absent
    ones say why), reports that failed to extract, and, folded, the downloads and the reports' fingerprints
    (no wall-clock time)."""
    from ..studies.synthesis import councils_in_study, councils_without_figures
    from .runs import DRIVERS, study_plan

    plan = plan if plan is not None else study_plan(paths)
    entries = read_manifest(paths)
    failed_files = {f.get("source_file", "") for f in plan.failed_reports}
    write_static(paths)
    report_hrefs = write_reports(paths, entries, failed_files)
    downloads = write_downloads(paths)
    observations = paths.clean / "observations.csv"
    data_hash = hashlib.sha256(observations.read_bytes()).hexdigest() if observations.is_file() else "—"
    write_glossary(paths)
    write_about(paths, entries, report_hrefs, code_version(paths.root), data_hash)
    published = {p.run_id: p for p in pages}
    councils = sorted({e.council for e in entries})
    columns = ["All councils"] + [present.council(c) for c in councils]

    def cell(notebook: str, council: str, column: str) -> dict:
        found = [p for p in pages if p.notebook == notebook and (p.council or "all") == council]
        # a link is named by its year, or by its council (so a phone's one-line list reads "Bromley (analyst)")
        links = [{"label": p.period or column, "policy": p.policy, "analyst": p.analyst} for p in found if p.policy]
        failed = ", ".join(f"{p.period or 'run'}: the run failed, not published" for p in found if not p.policy)
        reasons = [(f"{dict(s.run.params)['period']}: " if dict(s.run.params).get("period") else "") + s.reason
                   for s in plan.skipped
                   if s.run.notebook == notebook and dict(s.run.params).get("council", "all") == council]
        return {"column": column, "links": links, "failed": failed, "reason": "; ".join(sorted(set(reasons))),
                "named": bool(links) and all(link["label"] == column for link in links)}

    rows = []
    for notebook in sorted({p.notebook for p in pages} | {s.run.notebook for s in plan.skipped}):
        cells = [cell(notebook, "all", columns[0])] + [cell(notebook, c, present.council(c)) for c in councils]
        rows.append({"question": QUESTIONS.get(notebook, present.humanise(notebook)), "cells": cells})

    synthesis = read_findings(paths, f"{SYNTHESIS}__all")
    synthesis_page = published.get(f"{SYNTHESIS}__all")
    headlines = [str(h) for h in synthesis.get("headlines", []) if str(h).strip()] if synthesis_page else []
    scope = str(synthesis.get("scope") or "") if synthesis_page else ""
    cannot = [str(c) for c in synthesis.get("cannot_conclude", []) if str(c).strip()] if synthesis_page else []
    drivers = {d.get("notebook"): d for d in synthesis.get("drivers", []) if isinstance(d, dict)} if synthesis_page else {}
    cards = []
    for notebook in DRIVERS:
        runs = [p for p in pages if p.notebook == notebook and p.policy]
        if not runs:
            continue
        main = next((p for p in runs if p.council in {"all", ""}), runs[0])
        driver = drivers.get(notebook, {})
        own = key_findings(paths, main.run_id)
        # the driver's one primary estimate (findings key "primary": its plain "finding" sentence and caveat),
        # so the card quotes the number its chart shows; else the synthesis's sentence
        record = read_findings(paths, main.run_id).get(PRIMARY_KEY)
        primary = record if isinstance(record, dict) and record.get("finding") else {}
        title = primary.get("finding") or driver.get("finding") or (own[0] if own else QUESTIONS.get(notebook, notebook))
        chart = card_chart(primary, main.run_id) or first_chart(paths.executed / f"{main.run_id}.ipynb")
        chart_href, alt = "", ""
        if chart:  # embedded, as on every page: the site opens from any folder, offline
            chart_href, alt = chart[0], chart[1] or title
        cards.append({"id": f"card-{notebook.split('_', 1)[1].replace('_', '-')}", "notebook": notebook,
                      "question": QUESTIONS.get(notebook, notebook), "title": title, "chart": chart_href, "alt": alt,
                      "strength": driver.get("strength", ""), "reason": driver.get("reason", ""),
                      "scope": driver.get("scope", ""),
                      "caveat": primary.get("caveat") or driver.get("caveat", ""), "all_href": main.policy,
                      "councils": [{"label": _council_name(p.council), "href": p.policy}
                                   for p in runs if p is not main]})
    answer = answer_items(headlines, [drivers[c["notebook"]] for c in cards if c["notebook"] in drivers])
    for card in cards:  # a card whose finding the answer does not already quote says it itself
        card["show_finding"] = not any(item["text"] == card["title"] for item in answer)
    if (paths.html / "charts").is_dir():  # charts of an earlier layout
        shutil.rmtree(paths.html / "charts")
    document = _jinja().get_template("index.html.j2").render(
        title="What drives complaints to councils", root="", is_index=True,
        answer=answer, scope=scope, cannot=cannot, synthesis_href=synthesis_page.policy if synthesis_page and synthesis_page.policy else "",
        cards=cards, columns=columns, rows=rows,
        failed_reports=[{"name": present.report_name(f.get("source_file", "")) if f.get("source_file") else "A report",
                         "message": f.get("message", "")} for f in plan.failed_reports],
        councils_with_figures=[present.council(c) for c in councils_in_study(paths)],
        councils_without_figures=[{"name": present.council(c), "reason": reason}
                                  for c, reason in councils_without_figures(paths).items()],
        downloads=downloads, code_version=code_version(paths.root),
        data_hash=data_hash, latest=data_date(entries),
        reports=[{"file": e.file, "name": present.report_name(e.source_file), "council": present.council(e.council), "period": e.report_period, "sha256": e.sha256,
                  "href": report_hrefs.get(e.source_file, "")} for e in entries])
    from . import typeset

    return _write(paths.html / "index.html", typeset.finish(document, plain=True))
