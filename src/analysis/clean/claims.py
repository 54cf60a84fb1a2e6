"""Numeric claims in a report's narrative, checked against the report's own tables.

Declarative: ``VOCABULARY`` is a list of :class:`Quantity` patterns (a regex with a named
``value`` group, the measure the claim is about and how to check it). A prose line is any
line without a tab and with words around its figures; each figure of it that a pattern
reads is a claim, and every other figure that counts something ("12 referrals", "35%") is a
claim too, ``not_checkable`` (no quantity of the vocabulary says what it is). Each claim
gets a verdict:

* ``confirmed`` — the tables give the claimed value (± ``relations.PERCENT_TOLERANCE``
  points for a percentage; counts exactly);
* ``wrong`` — they give another value (``computed_value``, with ``computed_source``);
* ``not_checkable`` — why not in ``reason`` (no table prints that quantity, …).

A wrong claim's figure, where the extractor also read it as a prose observation, is flagged
``prose_disagrees``; the printed value stays.
"""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from ..observations import Observation
from .relations import PERCENT_TOLERANCE

CLAIM_COLUMNS = ["council", "report_period", "source_file", "source_line", "division", "period", "measure", "category", "unit",
                 "claimed_value", "quantity", "text", "verdict", "computed_value", "computed_source", "reason"]
VERDICTS = {"confirmed": "the report's tables give the claimed value (within rounding)",
            "wrong": "the report's tables give another value (computed_value, from computed_source)",
            "not_checkable": "the tables cannot say (reason)"}

_N = r"\d[\d,]*(?:\.\d+)?"


@dataclass(frozen=True)
class Quantity:
    """A kind of claim: ``pattern`` (regex; group ``value``, optionally ``now``/``base``),
    the ``measures`` it may be about (first one a table prints wins), and how it is checked:
    ``count`` (a printed count), ``share`` (``numerator`` over ``base`` measures on one row),
    ``change`` (the % change between the sentence's own ``now`` and ``base`` counts),
    ``from_to`` (``base`` in the previous year, ``value`` in the report's year)."""

    name: str
    pattern: str
    check: str
    unit: str
    measures: tuple[str, ...] = ()
    numerator: tuple[str, ...] = ()
    base: str = ""


VOCABULARY = (
    Quantity("change_on_last_year", rf"(?P<now>{_N}) complaints[^.]*?(?P<value>{_N})% (?P<direction>reduction|decrease|increase|rise|drop)"
             rf" on (?:last|the previous) year \((?P<base>{_N})\)", "change", "percent", ("pct_change_complaints",)),
    Quantity("pct_n_of_m", rf"(?P<value>{_N})% \((?P<now>{_N}) (?:of|out of) (?P<base>{_N})\)", "n_of_m", "percent", ("pct_of_base",)),
    Quantity("representations_count", rf"dealt with (?P<value>{_N}) representations", "count", "count", ("representations",)),
    Quantity("from_to", rf"from (?P<base>{_N}) in \d\d/\d\d to (?P<value>{_N}) in \d\d/\d\d", "from_to", "count",
             ("complaints_and_enquiries", "complaints")),
    Quantity("upheld_share", rf"(?P<value>{_N})% (?:of (?:all |individual )?(?:complaints?|complaint aspects|aspects) )?(?:were|was) "
             r"(?:at least partially|fully or partially|partially or fully) upheld", "share", "percent",
             ("pct_upheld_or_partially",), ("upheld", "partially_upheld"), "aspects"),
    Quantity("aspects_on_time", rf"(?P<value>{_N})% of (?:individual )?complaint aspects were responded to on time", "share", "percent",
             ("pct_on_time",), ("answered_on_time",), "aspects"),
    Quantity("complaints_count", rf"(?:subject of|received|receiving) (?P<value>{_N}) (?:new |corporate |statutory |stage 1 |first stage )*complaints",
             "count", "count", ("complaints",)),
    # Not in the vocabulary on purpose: "the Ombudsman recorded N new referrals" (Bromley) is the
    # Ombudsman's count, which the tables' "New Ombudsman cases" row does not claim to be.
    Quantity("decisions_upheld", rf"Of the (?P<base>{_N}) decisions made[^,]*, (?P<value>{_N}) (?:was|were) upheld", "count", "count",
             ("ombudsman_upheld",)),
)
# Any other figure that counts or shares something is a claim too (not checkable).
GENERIC = re.compile(rf"(?<![\w/.£])(?!(?:19|20)\d\d\b)(?P<value>{_N})(?:(?P<pct>%)|\s+(?:[a-z'-]+\s+){{0,3}}?(?:complaints?|cases|referrals|decisions|aspects|"
                     r"compliments|enquiries|investigations|representations)\b)")
DIVISION_WORDS = (
    (r"\bEducation\b", "education"), (r"\bHousing\b", "housing"), (r"Adult(?:s'?)? (?:Social )?(?:Care|Services)", "adult_social_care"),
    (r"Children'?s(?: Social Care| services| and Families)?", "childrens_social_care"), (r"Planning & Regeneration", "planning_regeneration"),
    (r"Chief Executive", "chief_executives"), (r"Environment & Public Protection|E&PP", "environment_public_protection"),
    (r"\bthe Council\b|\bOverall\b|\boverall complaints\b", "all"),
)
_COMPILED = [(q, re.compile(q.pattern)) for q in VOCABULARY]


def _number(text: str) -> float:
    return float(text.replace(",", ""))


def _previous(period: str) -> str:
    start = int(period[:4]) - 1
    return f"{start}-{(start + 1) % 100:02d}"


def is_prose(line: str) -> bool:
    """A narrative line: no tab (tables are tab-separated; a numbered paragraph's "5.3<tab>" aside),
    some words, a figure."""
    line = re.sub(r"^\s*\d+(?:\.\d+)*\.?\t", "", line)
    return "\t" not in line and len(line) >= 40 and bool(re.search(r"\d", line)) and len(re.findall(r"[A-Za-z]{3,}", line)) >= 6


def _division(line: str, number: int, observations: list[Observation], by_line: dict[int, list[int]]) -> str:
    """The division a sentence is about: the first named in it, else the nearest table's below it."""
    hits = [(division == "all", m.start(), division) for pattern, division in DIVISION_WORDS
            for m in [re.search(pattern, line, re.IGNORECASE)] if m]
    if hits:  # a named division before "the Council"
        return min(hits)[2]
    for ahead in range(1, 16):
        divisions = {observations[i].division for i in by_line.get(number + ahead, ()) if observations[i].table != "prose"}
        if divisions:  # a table of one division's rows, or a council-wide table (a column per division)
            return divisions.pop() if len(divisions) == 1 else "all"
    return "all"


def _category(label: str) -> str:
    return " ".join(re.sub(r"[^a-z ]", " ", label.lower()).split()[:3])


class _Tables:
    """The report's table figures (not prose) by (division, period, measure, category): headline
    rows (no service, no quarter), and the category rows (nature of complaint) by their label."""

    def __init__(self, observations: list[Observation]):
        self.cells: dict[tuple, list[Observation]] = defaultdict(list)
        self.categories: dict[int, set[str]] = defaultdict(set)  # line → category labels printed there
        for o in observations:
            if o.table != "prose" and o.value is not None and not o.service and not o.quarter:
                self.cells[(o.division, o.period, o.measure, _category(o.category))].append(o)
                if o.category:
                    self.categories[o.source_line].add(_category(o.category))

    def category_named(self, text: str, line: int) -> str:
        """The category (of a table within 25 lines below) the text names, if any."""
        text = " ".join(re.sub(r"[^a-z ]", " ", text.lower()).split())
        names = {c for n in range(line, line + 26) for c in self.categories.get(n, ())}
        hits = [(text.rfind(c), c) for c in names if c and c in text]
        return max(hits)[1] if hits else ""

    def values(self, division: str, period: str, measure: str, category: str = "") -> list[Observation]:
        return self.cells.get((division, period, measure, category), [])

    def shares(self, division: str, period: str, numerator: tuple[str, ...], base: str,
               category: str = "") -> list[tuple[float, list[Observation]]]:
        """Share (%) of ``numerator`` over ``base`` on each printed row that has them all."""
        rows: dict[tuple, dict[str, Observation]] = defaultdict(dict)
        for measure in (*numerator, base):
            for o in self.cells.get((division, period, measure, category), []):
                rows[(o.table, o.source_line)][measure] = o
        out = []
        for cells in rows.values():
            if all(m in cells for m in (*numerator, base)) and cells[base].value:
                out.append((100 * sum(cells[m].value for m in numerator) / cells[base].value, [cells[m] for m in (*numerator, base)]))
        return out


def _where(source_file: str, cells: list[Observation]) -> str:
    return f"{source_file}:" + ",".join(str(n) for n in sorted({o.source_line for o in cells}))


def _verdict(claimed: float, unit: str, candidates: list[tuple[float, list[Observation]]], source_file: str) -> dict:
    tolerance = PERCENT_TOLERANCE if unit == "percent" else 1e-9
    for value, cells in candidates:
        if abs(value - claimed) <= tolerance:
            return {"verdict": "confirmed", "computed_value": round(value, 1), "computed_source": _where(source_file, cells), "reason": ""}
    value, cells = candidates[0]
    return {"verdict": "wrong", "computed_value": round(value, 1), "computed_source": _where(source_file, cells), "reason": ""}


def _check(q: Quantity, match: re.Match, division: str, period: str, tables: _Tables, source_file: str,
           category: str = "") -> list[dict]:
    """The claims one pattern match makes, each with its verdict."""
    claimed = _number(match.group("value"))
    not_checkable = {"verdict": "not_checkable", "computed_value": None, "computed_source": ""}
    if q.check == "change":
        now, base = _number(match.group("now")), _number(match.group("base"))
        change = 100 * (now - base) / base
        claimed_signed = -claimed if match.group("direction") in {"reduction", "decrease", "drop"} else claimed
        ok = abs(change - claimed_signed) <= PERCENT_TOLERANCE
        return [{"measure": q.measures[0], "period": period, "claimed_value": claimed_signed, "verdict": "confirmed" if ok else "wrong",
                 "computed_value": round(change, 1), "computed_source": "",
                 "reason": f"from the sentence's own counts {now:g} and {base:g}"}]
    if q.check == "n_of_m":  # "78% (63 of 81)": the sentence's own share
        now, base = _number(match.group("now")), _number(match.group("base"))
        share = 100 * now / base if base else None
        if share is None:
            return [{"measure": q.measures[0], "period": period, "claimed_value": claimed, **not_checkable, "reason": "base is zero"}]
        ok = abs(share - claimed) <= PERCENT_TOLERANCE
        return [{"measure": q.measures[0], "period": period, "claimed_value": claimed, "verdict": "confirmed" if ok else "wrong",
                 "computed_value": round(share, 1), "computed_source": "", "reason": f"{now:g} of {base:g} in the same sentence"}]
    if q.check == "from_to":
        base = _number(match.group("base"))
        for measure in q.measures:
            now_cells = tables.values(division, period, measure)
            if any(o.value == claimed for o in now_cells):
                before = tables.values(division, _previous(period), measure)
                out = [{"measure": measure, "period": period, "claimed_value": claimed,
                        **_verdict(claimed, "count", [(o.value, [o]) for o in now_cells], source_file)}]
                if before:
                    out.append({"measure": measure, "period": _previous(period), "claimed_value": base,
                                **_verdict(base, "count", [(o.value, [o]) for o in before], source_file)})
                else:
                    out.append({"measure": measure, "period": _previous(period), "claimed_value": base, **not_checkable,
                                "reason": "no table prints the previous year's figure"})
                return out
        return [{"measure": q.measures[0], "period": period, "claimed_value": claimed, **not_checkable,
                 "reason": "no table prints this year's figure, so the quantity is unknown"}]
    if q.check == "share":
        candidates = tables.shares(division, period, q.numerator, q.base, category)
        candidates += [(o.value, [o]) for o in tables.values(division, period, q.measures[0], category)]
    else:
        candidates = [(o.value, [o]) for m in q.measures for o in tables.values(division, period, m)]
        if division == "all":  # a council-wide count may add the division a table prints apart (Bromley's E&PP)
            apart = [o for m in q.measures for o in tables.values("environment_public_protection", period, m)]
            candidates += [(v + o.value, [*cells, o]) for v, cells in list(candidates) for o in apart if o.table == cells[0].table]
    if not candidates:
        return [{"measure": q.measures[0], "period": period, "claimed_value": claimed, **not_checkable,
                 "reason": f"no table of the report prints {q.measures[0]} for {division or 'the divisions named'} {period}"}]
    return [{"measure": q.measures[0], "period": period, "claimed_value": claimed, **_verdict(claimed, q.unit, candidates, source_file)}]


def check_claims(lines: list[str], observations: list[Observation], council: str, report_period: str,
                 source_file: str) -> list[dict]:
    """Every numeric claim of the report's prose lines, with its verdict (in line order)."""
    tables = _Tables(observations)
    by_line: dict[int, list[int]] = defaultdict(list)
    for i, o in enumerate(observations):
        by_line[o.source_line].append(i)
    claims = []
    for number, line in enumerate(lines, start=1):
        if not is_prose(line):
            continue
        taken: list[tuple[int, int]] = []
        division = None
        for q, regex in _COMPILED:
            for match in regex.finditer(line):
                if any(s < match.end() and match.start() < e for s, e in taken):
                    continue
                taken.append(match.span())
                division = division or _division(line, number, observations, by_line)
                where = _division(line[max(0, match.start() - 120):match.end() + 40], number, observations, by_line)
                if re.search(r"\bcombined\b|\bacross\b", line):
                    where = ""  # a figure over several divisions: no one table row holds it
                category = tables.category_named(line[:match.start()], number) if q.check == "share" else ""
                for claim in _check(q, match, where, report_period, tables, source_file, category):
                    claim["computed_source"] = claim["computed_source"] or (f"{source_file}:{number}" if claim["verdict"] != "not_checkable" else "")
                    claims.append({"council": council, "report_period": report_period, "source_file": source_file,
                                   "source_line": number, "division": where, "unit": "percent" if q.check == "change" else q.unit,
                                   "quantity": q.name, "text": match.group(0)[:200], **claim, "category": category})
        for match in GENERIC.finditer(line):
            if any(s <= match.start("value") < e for s, e in taken):
                continue
            claims.append({"council": council, "report_period": report_period, "source_file": source_file,
                           "source_line": number, "division": "", "period": "", "measure": "",
                           "unit": "percent" if match.group("pct") else "count", "claimed_value": _number(match.group("value")),
                           "quantity": "unclassified", "text": match.group(0)[:200], "verdict": "not_checkable",
                           "computed_value": None, "computed_source": "", "reason": "no quantity of the vocabulary reads this figure"})
    return [{k: c.get(k) for k in CLAIM_COLUMNS} for c in claims]


def flag_wrong_claims(observations: list[Observation], claims: list[dict]) -> list[Observation]:
    """Flag ``prose_disagrees`` on the prose observation that prints a wrong claim's figure."""
    wrong = {(c["source_line"], c["claimed_value"]) for c in claims if c["verdict"] == "wrong"}
    wrong |= {(line, abs(value)) for line, value in wrong}
    return [o.flagged("prose_disagrees") if o.table == "prose" and (o.source_line, o.value) in wrong else o for o in observations]


def wrong_claim_conflicts(claims: list[dict]) -> list[dict]:
    """Wrong claims as conflict records (kind ``prose_vs_table``): the prose value against the tables'."""
    return [{"council": c["council"], "period": c["period"], "quarter": "", "division": c["division"], "service": "", "category": "",
             "stage": "all", "measure": c["measure"], "kind": "prose_vs_table", "chosen_value": c["claimed_value"],
             "chosen_source": f"{c['source_file']}:{c['source_line']}", "other_value": c["computed_value"],
             "other_source": c["computed_source"], "rule": "printed_over_derived"} for c in claims if c["verdict"] == "wrong"]
