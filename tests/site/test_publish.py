"""`python -m analysis publish` (src/analysis/site/publish.py): self-contained policy and analyst pages, the
index with provenance, escaping, and no officers' contact details from the raw reports.

Executed notebooks are built here by hand (no kernel needed) in a throw-away project copy.
"""
from __future__ import annotations

import base64
import re

import nbformat
import pytest

from analysis.clean.manifest import read_manifest
from analysis.site.publish import publish, redact_contacts

from conftest import RAW

# The raw reports print officers' contact details, e.g.
# bromley_2019-20...txt:250 "Tel: 020 802084617590 E-mail: nick.fripp@bromley.gov.uk", :12 "DIRECT LINE: 020 8461 7694".
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
PHONE = re.compile(r"(?i)(?:\btel(?:ephone)?|direct line|\bfax|\bphone|mobile)\s*(?:no\.?|number)?\s*[:.]?\s*"
                   r"((?:\+44\s?|0)[\d ]{9,16}\d)")
# a 1×1 PNG
PIXEL = base64.b64encode(bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000""1f15c4890000000d49444154789c6360000002000001"
    "e221bc330000000049454e44ae426082")).decode()


def contacts_in_raw_reports() -> list[str]:
    found = []
    for report in sorted(RAW.glob("*.txt")):
        text = report.read_text(encoding="utf-8")
        found += EMAIL.findall(text) + [m.strip() for m in PHONE.findall(text)]
    return found


def test_the_raw_reports_do_print_contact_details():
    contacts = contacts_in_raw_reports()
    assert "nick.fripp@bromley.gov.uk" in contacts  # bromley_2019-20...txt:250
    assert "020 8461 7694" in contacts  # bromley_2019-20...txt:12
    assert "020 802084617590" in contacts  # bromley_2019-20...txt:250 (sic)


def executed(path, params: dict, *, failed: bool = False, text: str = "") -> None:
    nb = nbformat.v4.new_notebook(metadata={
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "papermill": {"parameters": params, "exception": failed or None}})
    nb.cells = [
        nbformat.v4.new_markdown_cell("# A question\n\nWhat we found."),
        nbformat.v4.new_code_cell("secret_code_marker = compute()", execution_count=1, outputs=[
            nbformat.v4.new_output("display_data", data={"text/markdown": text, "text/plain": text}),
            nbformat.v4.new_output("stream", name="stdout", text="<script>alert('from a report')</script>\n"),
            nbformat.v4.new_output("display_data", data={"image/png": PIXEL, "text/plain": "chart"},
                                   metadata={"image/png": {"alt": "Complaints rose 15% in 2023-24"}}),
        ]),
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)


@pytest.fixture
def site(project_copy):
    raw_text = "\n\n".join(f"Contact: {c}" for c in contacts_in_raw_reports())
    executed(project_copy.executed / "01_council_overview__bromley_2023-24.ipynb",
             {"council": "bromley", "period": "2023-24", "run_id": "01_council_overview__bromley_2023-24"},
             text=raw_text)
    executed(project_copy.executed / "02_root_causes__all.ipynb", {"council": "all", "run_id": "02_root_causes__all"})
    executed(project_copy.executed / "01_council_overview__harrow_2019-20.ipynb",
             {"council": "harrow", "period": "2019-20"}, failed=True)
    stale = project_copy.html / "policy" / "01_council_overview__nowhere_2000-01.html"
    stale.parent.mkdir(parents=True)
    stale.write_text("old")
    pages = publish(project_copy)
    return project_copy, pages


def published(paths):
    return sorted(paths.html.rglob("*.html"))


def test_policy_pages_have_no_code_and_analyst_pages_do(site):
    paths, _ = site
    policy = (paths.html / "policy" / "01_council_overview__bromley_2023-24.html").read_text()
    analyst = (paths.html / "analyst" / "01_council_overview__bromley_2023-24.html").read_text()
    assert "secret_code_marker" not in policy and "secret_code_marker" in analyst
    for page in (policy, analyst):
        assert "What we found." in page
        assert "<title>A question — Bromley 2023-24" in page and '<h1 class="page-title">A question — Bromley 2023-24' in page
        assert 'href="../index.html"' in page


def test_pages_are_self_contained(site):
    paths, _ = site
    for page in published(paths):
        text = page.read_text()
        assert not re.search(r"""src\s*=\s*["']?(?:https?:)?//""", text), page  # nothing loaded from the network
        # a link out (<a href>) is a cited source, such as a council's address for its report on About: allowed
        assert not re.search(r"""<link\b[^>]*href\s*=\s*["']?(?:https?:)?//""", text), page
        assert not re.search(r"""url\(\s*["']?(?:https?:)?//""", text), page
        assert "@import" not in text and "<script src" not in text, page
    policy = (paths.html / "policy" / "01_council_overview__bromley_2023-24.html").read_text()
    images = re.findall(r"<img [^>]*>", policy)
    assert len(images) == 1
    assert f'src="data:image/png;base64,{PIXEL}"' in images[0] and 'alt="Complaints rose 15% in 2023-24"' in images[0]


def test_report_text_is_escaped(site):
    paths, _ = site
    policy = (paths.html / "policy" / "01_council_overview__bromley_2023-24.html").read_text()
    assert "<script>alert(" not in policy
    assert "&lt;script&gt;alert(" in policy


def test_no_contact_details_from_the_raw_reports_in_any_page(site):
    paths, _ = site
    contacts = contacts_in_raw_reports()
    pages = published(paths)
    assert pages
    for page in pages:
        text = page.read_text()
        digits_only = re.sub(r"\D", "", text)
        for contact in contacts:
            assert contact.lower() not in text.lower(), (page, contact)
            if "@" not in contact:
                assert re.sub(r"\D", "", contact) not in digits_only or len(re.sub(r"\D", "", contact)) < 10, (page, contact)
    assert "[contact details removed]" in (paths.html / "policy" / "01_council_overview__bromley_2023-24.html").read_text()


def test_the_study_site_has_no_contact_details(built_site):
    """The real published site (the checkout's after `make study`, else one built from the real reports)."""
    pages = sorted(built_site.rglob("*.html"))
    assert len(pages) >= 3  # index + a policy and an analyst page
    contacts = contacts_in_raw_reports()
    for page in pages:
        text = page.read_text().lower()
        assert not [c for c in contacts if c.lower() in text], page


def test_index_lists_every_page_with_provenance(site):
    paths, pages = site
    index = (paths.html / "index.html").read_text()
    assert {p.run_id for p in pages} == {"01_council_overview__bromley_2023-24", "02_root_causes__all",
                                         "01_council_overview__harrow_2019-20"}
    # the pages table: one row per question, a column per council; Bromley's overview cell links its year
    row = index[index.index("Council overview: the year at a glance</th>"):]
    row = row[:row.index("</tr>")]
    assert re.search(r'data-label="Bromley">\s*<a href="policy/01_council_overview__bromley_2023-24.html">2023-24</a>', row)
    assert 'href="analyst/02_root_causes__all.html"' in index
    # a failed run is listed, not linked
    assert "the run failed, not published" in index and "01_council_overview__harrow_2019-20.html" not in index
    assert not (paths.html / "policy" / "01_council_overview__harrow_2019-20.html").exists()
    for entry in read_manifest(paths):
        assert entry.sha256 in index and entry.file in index
    assert re.search(r"Code version \S+", index) and "UTC" not in index  # deterministic: no wall-clock time
    # pages of runs that no longer exist are removed
    assert not (paths.html / "policy" / "01_council_overview__nowhere_2000-01.html").exists()


@pytest.mark.parametrize("text", [
    "Tel: 020 8464 3333", "DIRECT LINE: 020 8461 7694", "020 802084617590", "+44 20 8464 3333",
    "mwimanji.chellah@harrow.gov.uk", "07700 900123"])
def test_redact_contacts(text):
    assert not re.search(r"\d{3}|@", redact_contacts(text).replace("[contact details removed]", ""))


@pytest.mark.parametrize("text", ["2,307 in 2020-21", "0 23 20 6 4 4 5 4 2 0", "£54,451", "2019-20 2020-21 2021-22",
                                  "line 1234567"])
def test_redact_contacts_keeps_figures(text):
    assert redact_contacts(text) == text


def test_publish_rerenders_only_changed_pages(site):
    paths, _ = site
    page = paths.html / "policy" / "02_root_causes__all.html"
    other = paths.html / "policy" / "01_council_overview__bromley_2023-24.html"
    page.write_text("kept because its notebook did not change")
    publish(paths)
    assert page.read_text() == "kept because its notebook did not change"
    executed(paths.executed / "01_council_overview__bromley_2023-24.ipynb",
             {"council": "bromley", "period": "2023-24", "run_id": "01_council_overview__bromley_2023-24"},
             text="A new finding")
    publish(paths)
    assert "A new finding" in other.read_text()
    assert page.read_text() == "kept because its notebook did not change"


def test_a_notebook_link_to_the_data_dictionary_points_at_the_sites_own_copy(tmp_path):
    """00_data_audit links `../docs/data_dictionary.md` (right in JupyterLab); on the site it must reach
    outputs/html/data/data_dictionary.html, even in a copy of the project that has no docs/ folder."""
    from analysis.paths import Paths
    from analysis.site.publish import relink

    paths = Paths(tmp_path)
    page_dir = paths.html / "analyst"
    body = relink('<a href="../docs/data_dictionary.md">dictionary</a> <a href="../docs/absent.md">x</a>',
                  paths, page_dir)
    assert 'href="../data/data_dictionary.html"' in body
    assert 'href="../docs/absent.md"' in body  # a link to nothing is left for the browser test to report


def test_the_published_data_dictionary_is_rendered_without_a_docs_folder(tmp_path):
    from analysis.paths import Paths
    from analysis.site.publish import write_downloads

    paths = Paths(tmp_path)
    items = write_downloads(paths)
    page = (paths.html / "data" / "data_dictionary.html").read_text(encoding="utf-8")
    assert "prose_disagrees" in page and "Quality flags" in page
    assert {"href": "data/data_dictionary.html", "label": "The data dictionary", "size": ""} in items


def test_the_driver_card_uses_the_chart_marked_as_the_headline(tmp_path, monkeypatch):
    """Root causes: the all-councils page opens with Barking & Dagenham's Pareto, but its finding is
    Bromley's lack-of-action change; the card must show the chart of the finding."""
    import json

    import IPython.display
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from analysis import charts
    from analysis.site.publish import first_chart

    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda data, raw, metadata: shown.append((data, metadata)))
    for title, headline in (("Pareto", False), ("Lack of action doubled", True)):
        figure, axis = plt.subplots()
        axis.set_title(title)
        charts.show(figure, alt=title, headline=headline)
    outputs = [{"output_type": "display_data", "data": data, "metadata": meta} for data, meta in shown]
    executed = tmp_path / "run.ipynb"
    executed.write_text(json.dumps({"cells": [{"cell_type": "code", "outputs": outputs}]}), encoding="utf-8")
    src, alt = first_chart(executed)
    assert alt.startswith("Lack of action doubled") and src.startswith("data:image/svg+xml;base64,")
    assert base64.b64decode(src.split(",", 1)[1]).decode("utf-8") == shown[1][0]["image/svg+xml"]
    outputs[1]["metadata"]["image/svg+xml"].pop("headline")
    executed.write_text(json.dumps({"cells": [{"cell_type": "code", "outputs": outputs}]}), encoding="utf-8")
    assert first_chart(executed)[1].startswith("Pareto")  # no headline chart: the first


def test_a_notebooks_own_key_findings_section_is_not_printed_twice():
    """02_root_causes shows its key findings in a tagged cell (for JupyterLab); the page's box already
    prints them, so the page drops the cell and its bare heading, and nothing else."""
    from analysis.site.publish import drop_key_findings_section

    notebook = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("# Root causes"), nbformat.v4.new_markdown_cell("## Key findings"),
        nbformat.v4.new_code_cell("display(...)", metadata={"tags": ["key-findings"]}),
        nbformat.v4.new_markdown_cell("## The primary estimate"), nbformat.v4.new_code_cell("x = 1")])
    drop_key_findings_section(notebook)
    assert [c.source for c in notebook.cells] == ["# Root causes", "## The primary estimate", "x = 1"]


def test_key_findings_render_their_emphasis_and_escape_the_rest():
    from analysis.site.publish import inline_markdown

    # 03_contracted_services' bullet: "The jump in *fully* upheld outcomes, while *partly* upheld fell, …"
    assert inline_markdown("The jump in *fully* upheld, while *partly* upheld fell") == (
        "The jump in <em>fully</em> upheld, while <em>partly</em> upheld fell")
    assert inline_markdown("Children's <Social> Care & 5 < 6") == "Children's &lt;Social&gt; Care &amp; 5 &lt; 6"
