"""The site on a laptop (1280 px) and a phone (390 px), in headless Chromium: no console errors, no
element wider than the viewport unless it sits inside a box that scrolls sideways, and a screenshot
of the index and of one policy page of each notebook under outputs/screenshots/ for a person to look at.
"""
from __future__ import annotations

import pytest
from test_browser import Browser, chromium

from conftest import ROOT

WIDTHS = (1280, 390)
SCREENSHOTS = ROOT / "outputs" / "screenshots"
# elements whose right edge passes the viewport, unless an ancestor scrolls sideways (overflow-x auto/scroll)
OVERFLOWING = """(() => {
  const width = document.documentElement.clientWidth;
  const scrolls = el => { for (let a = el.parentElement; a; a = a.parentElement) {
      const o = getComputedStyle(a).overflowX; if (o === 'auto' || o === 'scroll' || o === 'hidden') return true; }
    return false; };
  const out = [];
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.width > 0 && r.right > width + 1 && !scrolls(el))
      out.push(el.tagName.toLowerCase() + (el.className && typeof el.className === 'string' ? '.' + el.className.split(' ')[0] : '') + ' ' + Math.round(r.right) + 'px');
  }
  return out.slice(0, 10);
})()"""


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    browser = Browser(chromium(), tmp_path_factory.mktemp("chromium-profile"))
    yield browser
    browser.close()


def one_page_per_notebook(site) -> list:
    pages = {}
    for page in sorted((site / "policy").glob("*.html")):
        pages.setdefault(page.stem.split("__")[0], page)  # the all-councils run sorts first
    return list(pages.values())


@pytest.mark.parametrize("width", WIDTHS)
def test_site_fits_laptop_and_phone(browser, built_site, width):
    browser.call("Emulation.setDeviceMetricsOverride", width=width, height=900, deviceScaleFactor=1, mobile=width < 500)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    problems = {}
    for page in [built_site / "index.html", *one_page_per_notebook(built_site)]:
        errors = browser.open(page.as_uri())
        wide = browser.evaluate(OVERFLOWING) or []
        if errors or wide:
            problems[page.name] = errors + wide
        browser.screenshot(SCREENSHOTS / f"{page.stem}_{width}px.png")
    assert not problems, problems
    assert (SCREENSHOTS / f"index_{width}px.png").stat().st_size > 1000
