"""Policy pages read like a bulletin: a lint of their visible text (outside <code>/<pre>), and the
front page opens with the answer. Runs on the built site (tests/conftest.py ``built_site``).

Fails on: a snake_case id, a number with four or more trailing zeros after the decimal point,
`nan`/`inf` as words, a figure of magnitude ≥ 1e9, a `data/raw/` path; and an index without its
headline section.
"""
from __future__ import annotations

import re
from html.parser import HTMLParser

SKIP = {"code", "pre", "script", "style", "title", "head"}
SNAKE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")
TRAILING_ZEROS = re.compile(r"\d\.\d*0000\b")
NAN_INF = re.compile(r"(?<![\w-])(?:nan|NaN|inf|-inf|Inf)(?![\w-])")
BIG = re.compile(r"(?<![\d.,])\d{1,3}(?:,\d{3}){3,}(?:\.\d+)?|(?<![\d.,])\d{10,}(?:\.\d+)?")
RAW_PATH = re.compile(r"data/raw/")


class VisibleText(HTMLParser):
    def __init__(self):
        super().__init__()
        self.depth = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in SKIP:
            self.depth += 1

    def handle_endtag(self, tag):
        if tag in SKIP and self.depth:
            self.depth -= 1

    def handle_data(self, data):
        if not self.depth:
            self.parts.append(data)


def visible_text(page: str) -> str:
    parser = VisibleText()
    parser.feed(page)
    return " ".join(parser.parts)


def problems(text: str) -> list[str]:
    found = []
    for name, pattern in (("snake_case id", SNAKE), ("4+ trailing zeros", TRAILING_ZEROS), ("nan/inf", NAN_INF),
                          ("figure ≥ 1e9", BIG), ("data/raw path", RAW_PATH)):
        hits = sorted(set(pattern.findall(text)))
        if hits:
            found.append(f"{name}: {', '.join(hits[:8])}{' …' if len(hits) > 8 else ''}")
    return found


def test_the_lint_catches_what_it_should():
    text = visible_text("<p>chosen_value 44.000000 NaN 116035715167532048.00 data/raw/x.txt:3</p>"
                        "<code>run_id</code><pre>nan</pre>")
    assert [p.split(":")[0] for p in problems(text)] == [
        "snake_case id", "4+ trailing zeros", "nan/inf", "figure ≥ 1e9", "data/raw path"]
    clean = visible_text("<p>Bromley 2023-24 report, line 94: 1,108 complaints, 44%, £30,749, 0.71 (95% CI 0.50–1.01)."
                         "</p><code>lack_of_action</code>")
    assert problems(clean) == []


def test_policy_pages_have_bulletin_text(built_site):
    flagged = {}
    for page in sorted((built_site / "policy").glob("*.html")):
        found = problems(visible_text(page.read_text(encoding="utf-8")))
        if found:
            flagged[page.name] = found
    assert not flagged, "\n".join(f"{name}: {'; '.join(found)}" for name, found in flagged.items())


def test_index_opens_with_the_answer(built_site):
    index = (built_site / "index.html").read_text(encoding="utf-8")
    assert 'id="answer"' in index
    answer = index[index.index('id="answer"'):index.index("</section>")]
    assert 3 <= answer.count("<li>") <= 5, answer
    assert index.index('id="answer"') < index.index('id="drivers"') < index.index('id="pages"')
    assert "Generated" not in index and " UTC" not in index  # deterministic: no wall-clock time
