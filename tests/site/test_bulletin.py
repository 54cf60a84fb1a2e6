"""Policy pages read as statistical bulletins (issue 25), checked on the built site.

Static checks of every policy page and the front page: no developer text, no Greek letters or test
names, no hyphen-minus standing for a minus sign, a glossary and an "About this data" link, each
chart's data and source under it, and a council's page naming no other council in its headings.
The text drawn inside each chart (SVG embedded as a data: URI, which the page's text does not hold) is
read too: no Greek letter, "CI", test name, χ², "p =", snake_case label or hyphen-minus there either.
Browser checks (Playwright, driving the system Chromium, an iPhone 13 profile: 390 × 844): chart text
at least 11 px as rendered, no table wider than the phone. Screenshots of the front page, the
synthesis and one page per driver at 1,280 px and on the phone go to $SITE_SHOTS (default
outputs/screenshots) for a person to look at.
"""
from __future__ import annotations

import base64
import html as html_module
import json
import os
import re
from pathlib import Path

import pytest
from test_site_text import SNAKE, visible_text

from analysis.councils import council_label

from conftest import ROOT

DEVELOPER = re.compile(r"python -m|data/clean|data/raw|\banalysis\.[a-z_]+|\bthis run\b|\bfindings hold\b|\bnotebooks?\b|\w\(s\)|"
                       r"\balpha\s*=|(?<![\d,.])1 councils\b|machine-readable|saved for tests")
STATISTICS = re.compile(r"[\u0391-\u03a9\u03b1-\u03c9]|\bHolm\b|Newcombe|\bWilson\b|chi-square|\bGLM\b|"
                        r"quasi-\w+|Poisson|(?<![\w-])[zp]\s*[=<>]|\bp values?\b|\bCI\b")
HYPHEN_MINUS = re.compile(r"(?<![\w.\-\u2013/])-\d")
# heat maps are analyst-page charts: a policy page that speaks of one promises a chart it does not show (issue 25)
HEAT_MAP = re.compile(r"heat[ -]?maps?\b", re.I)
COUNCILS = ("barking_and_dagenham", "bromley", "harrow", "lewisham")
MIN_CHART_PX = 11.0


def reader_pages(site: Path) -> list[Path]:
    return [site / "index.html", *sorted((site / "policy").glob("*.html"))]


def page_problems(page: Path) -> list[str]:
    html = page.read_text(encoding="utf-8")
    text = visible_text(html)
    with_code = re.sub(r"<[^>]+>", " ", re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S))
    found = []
    for name, pattern, where in (("developer text", DEVELOPER, with_code), ("statistics notation", STATISTICS, text),
                                 ("hyphen for a minus", HYPHEN_MINUS, text)):
        hits = sorted({m.group(0) for m in pattern.finditer(where)})
        if hits:
            found.append(f"{name}: {hits[:6]}")
    if HEAT_MAP.search(text):
        found.append("mentions a heat map, which only analyst pages show")
    for target in ("glossary.html", "about.html"):
        if target not in html:
            found.append(f"no link to {target}")
    own = next((c for c in COUNCILS if f"__{c}" in page.stem), None)
    if own:
        headings = " ".join(re.findall(r"<h[1-4][^>]*>(.*?)</h[1-4]>", html, flags=re.S))
        others = [council_label(c) for c in COUNCILS if c != own and council_label(c) in headings]
        if others:
            found.append(f"another council in the headings: {others}")
    for figure in re.findall(r'<figure class="chart.*?</figure>', html, flags=re.S):
        csv = re.search(r'href="([^"]+\.csv)"', figure)
        if "Source:" not in figure or not csv or not (page.parent / csv.group(1)).resolve().is_file():
            found.append("a chart without its source line and data")
    return found


# Inside a chart (the SVG images embedded as data: URIs, which the page text does not hold): notation a policy
# reader is not taught. The glossary's "likely range" replaces "95% CI"; a snake_case label is a column name.
CHART_NOTATION = {
    "Greek letter": re.compile(r"[\u0391-\u03a9\u03b1-\u03c9]"),
    "χ²": re.compile(r"χ²|chi-square", re.I),
    "CI": re.compile(r"\b(?:\d+% )?CI\b"),
    "test name": re.compile(r"\bWilson\b|\bNewcombe\b|\bHolm\b"),
    "p =": re.compile(r"(?<![\w-])p\s*[=<>≤]"),
    "snake_case label": SNAKE,
    "hyphen for a minus": HYPHEN_MINUS,
}
SVG_IMAGE = re.compile(r'<img\b[^>]*?\bsrc="data:image/svg\+xml;base64,([A-Za-z0-9+/=\s]+)"[^>]*>')
SVG_TEXT = re.compile(r"<text\b[^>]*>(.*?)</text>", re.S)


def chart_texts(page_html: str) -> list[tuple[str, list[str]]]:
    """(alt text, the text lines drawn inside it) of each SVG chart a page embeds."""
    charts = []
    for match in SVG_IMAGE.finditer(page_html):
        svg = base64.b64decode("".join(match.group(1).split())).decode("utf-8", "replace")
        alt = re.search(r'\balt="([^"]*)"', match.group(0))
        lines = [html_module.unescape(re.sub(r"<[^>]+>", "", t)).strip() for t in SVG_TEXT.findall(svg)]
        charts.append((html_module.unescape(alt.group(1)) if alt else "", [t for t in lines if t]))
    return charts


def chart_problems(page: Path) -> list[str]:
    """Every piece of notation drawn inside the page's charts: one line per chart and kind."""
    found = []
    for n, (alt, lines) in enumerate(chart_texts(page.read_text(encoding="utf-8")), 1):
        text = "\n".join(lines)
        for name, pattern in CHART_NOTATION.items():
            hits = sorted({m.group(0) for m in pattern.finditer(text)})
            if hits:
                found.append(f"chart {n} ({alt[:50]}…): {name}: {hits}")
    return found


def test_the_checks_catch_what_they_should(tmp_path):
    page = tmp_path / "03_contracted_services__harrow.html"
    page.write_text("<main><h2>Bromley only</h2><p>Run python -m analysis clean: φ = 1.2, p = 0.03, change -12%,"
                    " in each of the 1 councils; see the heat map.</p><figure class=\"chart\"><img alt=x></figure></main>")
    found = " | ".join(page_problems(page))
    for expected in ("developer text", "statistics notation", "hyphen for a minus", "no link to glossary.html",
                     "another council in the headings", "a chart without its source line", "mentions a heat map"):
        assert expected in found, (expected, found)
    page.write_text('<main><a href="glossary.html">g</a><a href="about.html">a</a><h2>Harrow 2019-20</h2>'
                    "<p>Complaints fell by 12% (\u221212%) between 2019-20 and 2020-21.</p></main>")
    assert page_problems(page) == []


def _svg_img(*texts: str, alt: str = "A chart") -> str:
    body = "".join(f'<text x="0" y="{10 * i}" style="font: 12px sans-serif">{html_module.escape(t)}</text>'
                   for i, t in enumerate(texts, 1))
    svg = f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 400 300">{body}</svg>'
    return f'<img src="data:image/svg+xml;base64,{base64.b64encode(svg.encode()).decode()}" alt="{alt}">'


def test_the_chart_check_reads_inside_the_charts_and_reports_every_violation(tmp_path):
    page = tmp_path / "02_root_causes__all.html"
    planted = _svg_img("Share upheld (95% CI)", "φ = 2.3", "Wilson interval", "Newcombe, Holm-adjusted",
                       "χ² = 4.1", "p = 0.03", "root_cause", "-12", alt="Planted")
    clean = _svg_img("Complaints rose from 2019-20 to 2020-21", "\u221212% (likely range \u221220% to \u22124%)",
                     "Share of complaints upheld (%)", "Adult social care")
    page.write_text(f"<main><p>Plain page text, no notation.</p>{clean}{planted}</main>")
    found = chart_problems(page)
    assert all(f.startswith("chart 2 (Planted") for f in found), found  # the clean chart passes
    kinds = {f.split(": ")[1] for f in found}
    assert kinds == set(CHART_NOTATION), kinds  # every kind reported, not only the first
    joined = " | ".join(found)
    for hit in ("95% CI", "φ", "Wilson", "Newcombe", "Holm", "χ²", "p =", "root_cause", "-1"):
        assert hit in joined, (hit, joined)
    assert page_problems(page)[0].startswith("no link to")  # the page-text check does not see inside images


@pytest.mark.parametrize("notebook", ["index", *sorted(p.stem for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))])
def test_charts_on_policy_pages_carry_no_notation(built_site, notebook):
    """Each policy page's charts (and the front page's card charts), read inside the SVG: every violation listed."""
    pages = [built_site / "index.html"] if notebook == "index" else sorted(
        (built_site / "policy").glob(f"{notebook}*.html"))
    flagged = {p.name: chart_problems(p) for p in pages}
    flagged = {name: problems for name, problems in flagged.items() if problems}
    assert not flagged, "\n".join(f"{name}:\n  " + "\n  ".join(problems) for name, problems in flagged.items())


def test_policy_pages_and_front_page_read_as_bulletins(built_site):
    flagged = {p.name: page_problems(p) for p in reader_pages(built_site)}
    flagged = {name: problems for name, problems in flagged.items() if problems}
    assert not flagged, "\n".join(f"{name}: {'; '.join(problems)}" for name, problems in flagged.items())


def test_every_site_page_links_the_glossary_and_about(built_site):
    for name in ("glossary.html", "about.html"):
        assert (built_site / name).is_file()
    about = (built_site / "about.html").read_text(encoding="utf-8")
    for words in ("How to cite", "Licence", "Contact", "issue"):
        assert words in about, words
    for page in (built_site / "analyst").glob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert "../glossary.html" in html and "../about.html" in html, page.name


def test_each_front_page_card_chart_shows_the_cards_own_number(built_site):
    """Issue 25: a card's chart shows the number the card quotes (not a +26 pts gap over a chart of 61% → 74%)."""
    from analysis.site.runs import DRIVERS
    from analysis.studies.primary import Primary

    by_card = {"card-" + n.split("_", 1)[1].replace("_", "-"): n for n in DRIVERS}
    index = (built_site / "index.html").read_text(encoding="utf-8")
    cards = re.findall(r'<article class="card" id="([^"]+)">(.*?)</article>', index, flags=re.S)
    assert len(cards) == 4, [c[0] for c in cards]
    findings = built_site.parent / "findings"
    answer = visible_text(index[index.index('id="answer"'):index.index("</section>")])
    for card_id, card in cards:
        notebook = by_card[card_id]
        path = next(f for f in (findings / f"{notebook}__all.json", findings / f"{notebook}.json") if f.is_file())
        record = json.loads(path.read_text(encoding="utf-8"))["primary"]
        primary = Primary.from_record(record)
        (alt, lines), = chart_texts(card)  # one chart per card
        drawn = " ".join(lines)
        assert primary.value_text in drawn and primary.range_text in drawn, (card_id, primary.value_text, drawn)
        assert primary.value_text in alt and primary.range_text in alt, (card_id, alt)
        assert primary.finding in answer or primary.finding in visible_text(card), card_id  # the words quote it too
    # Bromley 2023-24: 25 of 34 contracted against 57 of 120 in-house (bromley_2023-24…txt:275, :287): +26 pts
    contracted = dict(cards)["card-contracted-services"]
    assert "+26 pts" in " ".join(chart_texts(contracted)[0][1]) and "74%" not in " ".join(chart_texts(contracted)[0][1])


def test_about_lists_each_report_with_where_it_is_published_or_says_it_is_not_recorded(built_site):
    about = (built_site / "about.html").read_text(encoding="utf-8")
    items = re.findall(r"<li><strong>(.*?)</strong>(.*?)</li>", about[about.index('id="reports"'):], flags=re.S)
    assert [name for name, _ in items] == ["Barking and Dagenham, 2018-19", "Bromley, 2019-20", "Bromley, 2023-24",
                                           "Harrow, 2019-20", "Lewisham, 2020-21"]
    by_name = dict(items)
    # the address Bromley's 2019-20 briefing pack prints for itself (line 26), and no other address made up
    assert 'href="http://cds.bromley.gov.uk/ieListMeetings.aspx?CId=559&amp;Year=0"' in by_name["Bromley, 2019-20"]
    for name, item in items:
        assert ("address not recorded" in item) == (name != "Bromley, 2019-20"), name
        assert "Date read not recorded" in item and "line by line" in item, name
    text = visible_text(about)
    assert "Open Government Licence" not in text and "the councils' own terms" in text
    assert "MIT licence" in text and "How to cite" in text and "Issues" in text
    assert re.search(r"data up to 2023-24", text) and "UTC" not in text  # built from the data, not the clock


def test_promised_downloads_are_shipped(built_site):
    for name in ("claims.csv", "root_cause_crosswalk.csv"):
        assert (built_site / "data" / name).is_file(), name
    assert 'href="data/root_cause_crosswalk.csv"' in (built_site / "index.html").read_text(encoding="utf-8")


# --- in a phone-sized browser ---------------------------------------------------------------------

CHART_TEXT_PX = """() => Array.from(document.querySelectorAll('img[src^="data:image/svg+xml"]')).map(img => {
  const svg = new DOMParser().parseFromString(atob(img.src.split(',')[1]), 'image/svg+xml').documentElement;
  const width = parseFloat((svg.getAttribute('viewBox') || '0 0 0 0').split(/\\s+/)[2]);
  let smallest = Infinity;
  for (const t of svg.querySelectorAll('text')) {
    if (!t.textContent.trim()) continue;
    const style = (t.getAttribute('style') || '') + ';' + (t.getAttribute('font-size') ? 'font-size:' + t.getAttribute('font-size') : '');
    const m = style.match(/font(?:-size)?:\\s*(?:[a-z-]+\\s+)*?([\\d.]+)px/);
    if (m) smallest = Math.min(smallest, parseFloat(m[1]));
  }
  return {alt: img.alt.slice(0, 60), px: smallest === Infinity ? null : smallest * img.clientWidth / width,
          shown: img.clientWidth};
})"""
WIDE_TABLES = """() => Array.from(document.querySelectorAll('table')).filter(t => t.offsetParent !== null)
  .map(t => Math.round(t.getBoundingClientRect().width)).filter(w => w > document.documentElement.clientWidth + 1)"""


@pytest.fixture(scope="module")
def phone(tmp_path_factory):
    from test_browser import chromium

    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=chromium(), args=["--no-sandbox", "--disable-gpu"])
        yield driver, browser
        browser.close()


def shots_folder() -> Path:
    folder = Path(os.environ.get("SITE_SHOTS", ROOT / "outputs" / "screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_charts_and_tables_fit_a_phone(phone, built_site):
    driver, browser = phone
    context = browser.new_context(**driver.devices["iPhone 13"])
    page = context.new_page()
    problems = {}
    for path in reader_pages(built_site):
        page.goto(path.as_uri())
        assert page.evaluate("window.innerWidth") == 390  # true phone emulation, not a cropped desktop
        found = [f"chart text {c['px']:.1f} px: {c['alt']}" for c in page.evaluate(CHART_TEXT_PX)
                 if c["shown"] and c["px"] is not None and c["px"] < MIN_CHART_PX]
        found += [f"table {w} px wide" for w in page.evaluate(WIDE_TABLES)]
        if found:
            problems[path.name] = found
    context.close()
    assert not problems, problems


def test_screenshots_of_the_front_page_synthesis_and_each_driver(phone, built_site):
    driver, browser = phone
    wanted = [built_site / "index.html"] + [built_site / "policy" / f"{stem}.html" for stem in (
        "06_what_drives_complaints__all", "02_root_causes__all", "03_contracted_services__all", "04_sen_surge",
        "05_covid_dip__all")]
    folder = shots_folder()
    for label, options in (("1280", {"viewport": {"width": 1280, "height": 900}}),
                           ("phone", driver.devices["iPhone 13"])):
        context = browser.new_context(**options)
        page = context.new_page()
        for path in (p for p in wanted if p.is_file()):
            page.goto(path.as_uri())
            target = folder / f"{path.stem}_{label}.png"
            page.screenshot(path=str(target), full_page=True)
            assert target.stat().st_size > 5000
        context.close()


# --- short enough for a phone (issue 25: "a phone reader reaches the end in under 10 screens") ------------------

MAX_PHONE_SCREENS = 10  # the page's height over the iPhone 13 viewport's (390 × 664 CSS px in Playwright's profile)
PAGE_GROUPS = ["index", *sorted(p.stem for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))]


LOADED_HEIGHT = """async () => {
  for (const img of document.images) img.loading = "eager";
  await Promise.all([...document.images].map(img => img.complete ? null : new Promise(r => { img.onload = img.onerror = r; })));
  return document.documentElement.scrollHeight / window.innerHeight;
}"""


def phone_screens(page) -> float:
    """The page's height in phone screens, with every lazy chart loaded (an unloaded one has no height yet)."""
    return page.evaluate(LOADED_HEIGHT)


def group_pages(site: Path, group: str) -> list[Path]:
    """The front page, or every policy page one notebook publishes (one per council, period)."""
    return [site / "index.html"] if group == "index" else sorted((site / "policy").glob(f"{group}*.html"))


@pytest.mark.parametrize("group", PAGE_GROUPS)
def test_a_phone_reader_reaches_the_end_of_each_page_in_under_ten_screens(phone, built_site, group):
    pages = group_pages(built_site, group)
    assert pages and all(p.is_file() for p in pages), f"no published page for {group}"
    driver, browser = phone
    context = browser.new_context(**driver.devices["iPhone 13"])
    page = context.new_page()
    screens = {}
    for path in pages:
        page.goto(path.as_uri())
        assert page.evaluate("window.innerWidth") == 390  # true phone emulation, not a cropped desktop
        screens[path.name] = phone_screens(page)
    context.close()
    too_long = {name: round(n, 1) for name, n in screens.items() if n >= MAX_PHONE_SCREENS}
    assert not too_long, f"phone screens to reach the end (limit {MAX_PHONE_SCREENS}): {too_long}"
