"""The last pass over a rendered page, so every page reads alike whatever printed its text.

- a true minus sign (U+2212) wherever a hyphen-minus stands for one (``-12%`` → ``−12%``), in text
  only (never in code, a URL or an attribute);
- tables a phone can read: header cells with ``scope``, each cell labelled with its column (a narrow
  screen shows a row as a stacked block: ``site.css``), numbers right-aligned, text left-aligned;
- no "¶" heading links (a screen reader says "pilcrow");
- on a policy page, a "How we know" link at the end of each section to the same section of the
  analyst page (the method, models and full tables), and sections the page has nothing to say in
  removed before rendering (:func:`drop_empty_sections`).
"""
from __future__ import annotations

import re

MINUS = "\u2212"
# a hyphen-minus that starts a number: not after a letter, digit, dot or another dash (so 2019-20 stays)
HYPHEN_MINUS = re.compile(r"(?<![\w.\-\u2212\u2013/])-(?=[£$]?\d)")
NUMBER_CELL = re.compile(r"^[\s(]*[+\u2212-]?[£$]?\d[\d,.]*\s*(%|pts?|x)?[)\s]*$")
NO_TYPESET = {"code", "pre", "script", "style", "textarea", "svg", "kbd", "samp"}


def minus_signs(text: str) -> str:
    """``-12%`` → ``−12%``; ``2019-20``, ``stage-1`` and ``A-1`` unchanged."""
    return HYPHEN_MINUS.sub(MINUS, text)


# On a policy page: statistical notation and test names, which the glossary does not define for lay readers
# (the analyst page keeps them). A bracketed aside made of them is dropped; a sentence that still holds one is
# dropped (the "How we know" link leads to it). Developer words likewise.
JARGON = re.compile(
    r"[\u03b1-\u03c9\u0391-\u03a9]|\bHolm\b|Newcombe|\bWilson\b|chi-square|\bGLM\b|quasi-\w+|Poisson|"
    r"negative binomial|(?<![\w-])[zp]\s*[=<>≤]|\bp values?\b|\balpha\s*=|Spiegelhalter|Pearson|dispersion|"
    r"odds ratio|log E\[|\bexp\(|analysis\.[a-z_]+|python -m|data/clean|data/raw|\bthis notebook|\bin this run|"
    r"\bnotebooks?\b|saved for tests|machine-readable", re.I)
PLAIN = [  # (pattern, replacement): the glossary's words for the analysts' ones
    (re.compile(r"\b95% (?:CI|confidence interval|interval)\b"), "likely range"),
    (re.compile(r"\b(\d+(?:\.\d+)?)% CI\b"), r"\1% likely range"),
    (re.compile(r"\bCI\b"), "likely range"),
    (re.compile(r"\bcounterfactual\b"), "expected level"),
    (re.compile(r"(?<![\d,.])(?<!stage )\b1 (council|place|figure|disagreement|file|report|service|table)s\b"), r"1 \1"),
    (re.compile(r"\b(\w+)\(s\)"), r"\1s"),
]
_BRACKET = re.compile(r"\s?\(([^()]*)\)")
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\u2212(])")


def plain_words(text: str) -> str:
    """A policy page's sentence without notation: jargon asides dropped, then jargon clauses, then
    jargon sentences (the analyst page keeps every word)."""
    for pattern, replacement in PLAIN:
        text = pattern.sub(replacement, text)
    if not JARGON.search(text):
        return text
    kept: list[str] = []

    def aside(match: re.Match) -> str:
        parts = [p for p in re.split(r"(?:,|;)\s+", match.group(1)) if not JARGON.search(_restore(p, kept))]
        if not parts:
            return ""
        kept.append("(" + ", ".join(parts) + ")")
        lead = match.group(0)[: len(match.group(0)) - len(match.group(0).lstrip())]
        return f"{lead}\x00{len(kept) - 1}\x00"

    previous = None
    while previous != text:  # innermost brackets first, each kept one held aside as a placeholder
        previous, text = text, _BRACKET.sub(aside, text)
    sentences = []
    for sentence in _SENTENCE.split(text):
        clauses = []
        for clause in sentence.split("; "):
            if JARGON.search(clause):  # a short jargon fragment ("φ = 2.00") goes; the clause stays
                clause = ", ".join(f for f in clause.split(", ") if not (JARGON.search(f) and len(f) < 60))
            if clause.strip() and not JARGON.search(clause):
                clauses.append(clause)
        if clauses:
            joined = "; ".join(clauses)
            if clauses[0] != sentence.split("; ")[0]:  # the sentence's opening went: capitalise what now opens it
                joined = joined[:1].upper() + joined[1:]
            if sentence.rstrip().endswith(".") and not joined.rstrip().endswith("."):
                joined = joined.rstrip(" ,;:") + "."
            sentences.append(joined)
    return _restore(" ".join(sentences), kept)


def _restore(text: str, kept: list[str]) -> str:
    while "\x00" in text:
        text = re.sub(r"\x00(\d+)\x00", lambda m: kept[int(m.group(1))], text)
    return text


def _rewrite_text(root, rewrite) -> None:
    """``rewrite`` applied to every text node under ``root``, except comments and text inside
    ``NO_TYPESET`` elements (code, preformatted text, scripts)."""
    from bs4 import NavigableString
    from bs4.element import Comment, Doctype

    for node in list(root.find_all(string=True)):
        if isinstance(node, (Comment, Doctype)) or not isinstance(node, NavigableString):
            continue
        if any(parent.name in NO_TYPESET for parent in node.parents):
            continue
        fixed = rewrite(str(node))
        if fixed != str(node):
            node.replace_with(fixed)


def _plain_text(soup) -> None:
    main = soup.find("main") or soup
    _rewrite_text(main, plain_words)
    for code in main.find_all("code"):  # inline code on a policy page is a module name or a path
        if code.find_parent("pre") is None and JARGON.search(code.get_text()):
            code.decompose()


def _soup(page: str):
    from bs4 import BeautifulSoup

    return BeautifulSoup(page, "html.parser")


def _typeset_text(soup) -> None:
    _rewrite_text(soup, minus_signs)


def _label_tables(soup) -> None:
    for table in soup.find_all("table"):
        head = table.find("thead")
        header_rows = head.find_all("tr") if head else []
        names = []
        if header_rows:
            names = [" ".join(th.get_text(" ", strip=True).split()) for th in header_rows[-1].find_all(["th", "td"])]
            for row in header_rows:
                for th in row.find_all("th"):
                    th["scope"] = "col"
        body_rows = [tr for tr in table.find_all("tr") if not (head and tr.find_parent("thead") is head)]
        for tr in body_rows:
            cells = tr.find_all(["td", "th"], recursive=False)
            for i, cell in enumerate(cells):
                if cell.name == "th":
                    cell["scope"] = "row"
                if i < len(names) and names[i]:
                    cell["data-label"] = names[i]
                if NUMBER_CELL.match(cell.get_text(" ", strip=True) or "x"):
                    cell["class"] = [*cell.get("class", []), "num"]
        if len(names) > 2:
            table["class"] = [*table.get("class", []), "stack"]


def _drop_pilcrows(soup) -> None:
    for anchor in soup.select("a.anchor-link"):
        anchor.decompose()


def _how_we_know(soup, analyst_href: str) -> None:
    """A link at the end of each H2 section to the same heading of the analyst page."""
    cells = soup.select("div.jp-Cell")
    current = None

    def link(heading_id: str):
        p = soup.new_tag("p", attrs={"class": "how-we-know"})
        a = soup.new_tag("a", href=f"{analyst_href}#{heading_id}")
        a.string = "How we know: the method and full tables (analyst version)"
        p.append(a)
        return p

    for cell in cells:
        heading = cell.find("h2")
        if heading is not None and heading.get("id"):
            if current:
                cell.insert_before(link(current))
            current = heading["id"]
    if current and cells:
        cells[-1].insert_after(link(current))


def finish(page: str, analyst_href: str | None = None, plain: bool = False) -> str:
    """The typeset page; with ``analyst_href`` (a policy page), its "How we know" links; with ``plain``
    (policy pages and the front page), statistical notation and developer words left to the analyst pages."""
    soup = _soup(page)
    _drop_pilcrows(soup)
    if analyst_href:
        _how_we_know(soup, analyst_href)
    if plain:
        _plain_text(soup)
    _label_tables(soup)
    _typeset_text(soup)
    return str(soup)


def _has_output(cell) -> bool:
    return any(o.get("output_type") in {"display_data", "execute_result", "stream"} for o in cell.get("outputs", []))


def _level(cell) -> int:
    if cell.cell_type != "markdown":
        return 0
    first = cell.source.lstrip().split("\n", 1)[0]
    match = re.match(r"(#{1,6})\s", first)
    return len(match.group(1)) if match else 0


def drop_empty_sections(notebook) -> None:
    """A section (a ``##``/``###`` heading to the next heading of its level or above) whose code
    cells all printed nothing: on this page the section has nothing to say (another council's
    table, a year this council's reports do not print), so its heading and text go too."""
    cells = notebook.cells
    keep = [True] * len(cells)
    for i, cell in enumerate(cells):
        level = _level(cell)
        if level < 2:
            continue
        end = next((j for j in range(i + 1, len(cells)) if 0 < _level(cells[j]) <= level), len(cells))
        body = cells[i + 1:end]
        code = [c for c in body if c.cell_type == "code"]
        if code and not any(_has_output(c) for c in code):
            for j in range(i, end):
                keep[j] = False
    notebook.cells = [c for c, k in zip(cells, keep) if k]
