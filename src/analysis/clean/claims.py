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

A wrong claim flags ``prose_disagrees`` on its prose figure (where the extractor read it as a
prose observation) and on the table figures it contradicts (the cells its computed value comes
from); the printed values stay.
"""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from ..observations import Observation
from .relations import PERCENT_TOLERANCE

CLAIM_COLUMNS = ["council", "report_period", "source_file", "source_line", "division", "period", "measure", "category", "unit",
                 "claimed_value", "quantity", "text", "verdict", "computed_value", "computed_source", "reason"]
AGAINST = "against"  # internal (not written): the table observations a wrong claim's computed value comes from
VERDICTS = {"confirmed": "the report's tables give the claimed value (within rounding)",
            "wrong": "the report's tables give another value (computed_value, from computed_source)",
            "not_checkable": "the tables cannot say (reason)"}

_N = r"\d[\d,]*(?:\.\d+)?"
_WORDS = {"no": 0, "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
          "ten": 10, "eleven": 11, "twelve": 12}
_W = rf"(?:{_N}|{'|'.join(_WORDS)})"  # a figure, or a small one in words ("four Stage 2 complaints")


@dataclass(frozen=True)
class Quantity:
    """A kind of claim: ``pattern`` (regex; group ``value``, optionally ``now``/``base``),
    the ``measures`` it may be about (first one a table prints wins), and how it is checked:
    ``count`` (a printed count), ``share`` (``numerator`` over ``base`` measures on one row),
    ``change`` (the % change between the sentence's own ``now`` and ``base`` counts),
    ``from_to`` (``base`` in the previous year, ``value`` in the report's year),
    ``difference`` (``value`` = this year's count minus last year's; ``sign`` -1 for "down by").
    ``stage``: the complaint stage the tables' figures must be at (or a ``stage`` group of the
    pattern: "Stage 2" → ``stage_2``); a measure written ``complaints@stage_2`` is at that stage."""

    name: str
    pattern: str
    check: str
    unit: str
    measures: tuple[str, ...] = ()
    numerator: tuple[str, ...] = ()
    base: str = ""
    stage: str = ""
    sign: int = 1
    service: str = ""  # the organisation label the tables' rows carry (Lewisham's "Lewisham Council")
    division: str = ""  # the division, when the sentence cannot say (a bullet continuing the sentence above)


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
    # Lewisham 8.2: "39% of all complaint cases … were upheld or partly upheld", "Stage 1 – 40% partly upheld/upheld"
    Quantity("cases_upheld_share", rf"(?P<value>{_N})% of all complaint cases handled in \w+ were upheld or partly upheld", "share", "percent",
             ("pct_upheld_or_partially",), ("upheld", "partially_upheld"), "complaints_decided", stage="all", service="Lewisham Council"),
    Quantity("stage_upheld_share", rf"Stage (?P<stage>[123]) – (?P<value>{_N})% partly upheld/upheld", "share", "percent",
             ("pct_upheld_or_partially",), ("upheld", "partially_upheld"), "complaints_decided", service="Lewisham Council",
             division="all"),
    # Harrow children's report: "Some 21% of Stage 1 complaints went on to be considered at Stage 2"
    # (its tables label every row "Children and Families Services")
    Quantity("escalation_share", rf"(?P<value>{_N})% of Stage 1 complaints went on to be considered at Stage 2", "share", "percent",
             ("pct_escalated",), ("complaints@stage_2",), "complaints@stage_1", service="Children and Families Services",
             division="childrens_social_care"),
    # Harrow adults: "Approximately 30% of Stage 1 complaints had some element upheld"
    Quantity("some_element_upheld", rf"(?P<value>{_N})% of Stage 1 complaints had some element upheld", "share", "percent",
             ("pct_upheld_or_partially",), ("upheld", "partially_upheld"), "complaints"),
    # Harrow adults: "four Stage 2 complaints in 2019-20, compared to four for last year"; "'transactions' in 2019/20 (130), compared to 2018/19 (120)"
    Quantity("stage_count_vs_last_year", rf"(?P<value>{_W}) Stage (?P<stage>[123]) complaints in \d{{4}}-\d\d, compared to (?P<base>{_W}) for last year",
             "from_to", "count", ("complaints",)),
    Quantity("transactions_vs_last_year", rf"transactions'? in \d{{4}}/\d\d \((?P<value>{_N})\),? compared to \d{{4}}/\d\d \((?P<base>{_N})\)",
             "from_to", "count", ("transactions",)),
    # Harrow adults: "Stage 1 complaints, down by seven compared to 2018/19"; Barking: "an increase of 20 Cases", "an increase of 12 compliments"
    Quantity("stage_count_down_by", rf"Stage (?P<stage>[123]) complaints, down by (?P<value>{_W}) compared to", "difference", "count",
             ("complaints",), sign=-1),
    Quantity("increase_in_cases", rf"increase of (?P<value>{_N}) [Cc]ases", "difference", "count", ("complaints",), stage="stage_1"),
    Quantity("increase_in_compliments", rf"increase of (?P<value>{_N}) compliments", "difference", "count", ("compliments",)),
    # Lewisham 5.2 / 5.5: "Of the 2,307 new Stage 1 complaints received", "There were 5,561 new enquiries received"
    Quantity("new_stage_1_complaints", rf"Of the (?P<value>{_N}) new Stage 1 complaints received", "count", "count", ("complaints",), stage="stage_1"),
    Quantity("new_enquiries", rf"There were (?P<value>{_N}) new enquiries received", "count", "count", ("enquiries",), stage="enquiry"),
    # Barking: "the Local Authority undertook 3 Stage 2 investigations", "only undertook 2 formal investigations"
    Quantity("stage_2_investigations", rf"undertook (?P<value>{_N}) Stage 2 investigations", "count", "count", ("complaints",), stage="stage_2"),
    Quantity("ombudsman_formal_investigations", rf"Ombudsman only undertook (?P<value>{_N}) formal investigations", "count", "count",
             ("ombudsman_investigations",)),
)
# Any other figure that counts or shares something is a claim too (not checkable).
GENERIC = re.compile(rf"(?<![\w/.£])(?!(?:19|20)\d\d\b)(?P<value>{_N})(?:(?P<pct>%)|\s+(?:[a-z'-]+\s+){{0,3}}?(?:complaints?|cases|referrals|decisions|aspects|"
                     r"compliments|enquiries|investigations|representations)\b)")
DIVISION_WORDS = (
    (r"\bEducation\b", "education"), (r"\bHousing\b", "housing"), (r"Adult(?:s'?)? (?:Social )?(?:Care|Services)", "adult_social_care"),
    (r"Children'?s(?: Social Care| services| and Families)?", "childrens_social_care"), (r"Planning & Regeneration", "planning_regeneration"),
    (r"Chief Executive", "chief_executives"), (r"Environment & Public Protection|E&PP", "environment_public_protection"),
    (r"\bthe Council\b|\bOverall\b|\boverall complaints\b|\bhandled in Lewisham\b", "all"),
)
_COMPILED = [(q, re.compile(q.pattern)) for q in VOCABULARY]
_TYPOGRAPHIC = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"'})


def _number(text: str) -> float:
    word = _WORDS.get(text.lower())
    return float(word) if word is not None else float(text.replace(",", ""))


def _at(measure: str, stage: str) -> tuple[str, str]:
    """``complaints@stage_2`` → (complaints, stage_2); a plain measure is at ``stage``."""
    name, _, at = measure.partition("@")
    return name, at or stage


def _previous(period: str) -> str:
    start = int(period[:4]) - 1
    return f"{start}-{(start + 1) % 100:02d}"


_NUMBERING = re.compile(r"^\s*(?:\d+(?:\.\d+)*\.?)?\t+\s*")
_DIGIT = re.compile(r"\d")
_WORD = re.compile(r"[A-Za-z]{3,}")


def _text(line: str) -> str:
    """A line without its leading numbering or indent ("5.3<tab>", Harrow's leading tab)."""
    return _NUMBERING.sub("", line)


def is_prose(line: str) -> bool:
    """A narrative line: no tab (tables are tab-separated; a numbered paragraph's "5.3<tab>" or an
    indent aside), some words, a figure."""
    line = _text(line)
    return "\t" not in line and len(line) >= 40 and bool(_DIGIT.search(line)) and len(_WORD.findall(line)) >= 6


def is_short_prose(line: str) -> bool:
    """A short narrative line (a bullet: "· Stage 1 – 40% partly upheld/upheld;"): read for the
    vocabulary's quantities only, not for every figure."""
    line = _text(line)
    return "\t" not in line and bool(_DIGIT.search(line)) and len(_WORD.findall(line)) >= 3


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
    for behind in range(1, 21):  # the section's table printed above the sentence
        divisions = {observations[i].division for i in by_line.get(number - behind, ()) if observations[i].table != "prose"}
        if divisions:
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
        self.by_service: dict[tuple, list[Observation]] = defaultdict(list)  # rows labelled by an organisation (Lewisham Council)
        for o in observations:
            if o.table != "prose" and o.value is not None and o.service and not o.quarter and not o.category:
                self.by_service[(o.division, o.period, o.measure, o.service)].append(o)
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

    def values(self, division: str, period: str, measure: str, category: str = "", stage: str = "", service: str = "") -> list[Observation]:
        measure, stage = _at(measure, stage)
        cells = self.by_service.get((division, period, measure, service), []) if service else self.cells.get((division, period, measure, category), [])
        return [o for o in cells if not stage or o.stage == stage]

    def shares(self, division: str, period: str, numerator: tuple[str, ...], base: str,
               category: str = "", stage: str = "", service: str = "") -> list[tuple[float, list[Observation]]]:
        """Share (%) of ``numerator`` over ``base`` on each printed row that has them all (one
        table, one line; or, where the stages differ, one table and one period)."""
        staged = any("@" in m for m in (*numerator, base))
        # a row is one line of a table; a table printed a cell per line (Lewisham) keys it by its labels
        for row_key in ((lambda o: (o.table, o.service)) if staged else (lambda o: (o.table, o.source_line, o.stage)),
                        lambda o: (o.table, o.group, o.service, o.stage, o.quarter)):
            rows: dict[tuple, dict[str, Observation]] = defaultdict(dict)
            for measure in (*numerator, base):
                for o in self.values(division, period, measure, category, stage, service):
                    rows[row_key(o)][measure] = o
            out = [(100 * sum(cells[m].value for m in numerator) / cells[base].value, [cells[m] for m in (*numerator, base)])
                   for cells in rows.values() if all(m in cells for m in (*numerator, base)) and cells[base].value]
            if out:
                return out
        return []


def _where(source_file: str, cells: list[Observation]) -> str:
    return f"{source_file}:" + ",".join(str(n) for n in sorted({o.source_line for o in cells}))


def _verdict(claimed: float, unit: str, candidates: list[tuple[float, list[Observation]]], source_file: str) -> dict:
    tolerance = PERCENT_TOLERANCE if unit == "percent" else 1e-9
    for value, cells in candidates:
        if abs(value - claimed) <= tolerance:
            return {"verdict": "confirmed", "computed_value": round(value, 1), "computed_source": _where(source_file, cells), "reason": ""}
    value, cells = candidates[0]
    return {"verdict": "wrong", "computed_value": round(value, 1), "computed_source": _where(source_file, cells), "reason": "",
            AGAINST: tuple(cells)}


def _check(q: Quantity, match: re.Match, division: str, period: str, tables: _Tables, source_file: str,
           category: str = "") -> list[dict]:
    """The claims one pattern match makes, each with its verdict."""
    claimed = q.sign * _number(match.group("value"))
    stage = f"stage_{match.group('stage')}" if "stage" in match.re.groupindex else q.stage
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
    if q.check == "difference":
        for measure in q.measures:
            now_cells, before = tables.values(division, period, measure, stage=stage), tables.values(division, _previous(period), measure, stage=stage)
            pairs = [(now.value - then.value, [now, then]) for now in now_cells for then in before if now.table == then.table]
            if pairs:
                return [{"measure": measure, "period": period, "claimed_value": claimed, **_verdict(claimed, "count", pairs, source_file),
                         "reason": f"{period} minus {_previous(period)}"}]
        return [{"measure": q.measures[0], "period": period, "claimed_value": claimed, **not_checkable,
                 "reason": "no table prints both years' figures"}]
    if q.check == "from_to":
        base = _number(match.group("base"))
        for measure in q.measures:
            now_cells = tables.values(division, period, measure, stage=stage)
            if now_cells:
                before = tables.values(division, _previous(period), measure, stage=stage)
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
        candidates = tables.shares(division, period, q.numerator, q.base, category, stage, q.service)
        if not candidates:
            candidates = [(o.value, [o]) for o in tables.values(division, period, q.measures[0], category, stage)]
    else:
        candidates = [(o.value, [o]) for m in q.measures for o in tables.values(division, period, m, stage=stage)]
        if division == "all":  # a council-wide count may add the division a table prints apart (Bromley's E&PP)
            apart = [o for m in q.measures for o in tables.values("environment_public_protection", period, m)]
            candidates += [(v + o.value, [*cells, o]) for v, cells in list(candidates) for o in apart if o.table == cells[0].table]
    if not candidates:
        return [{"measure": q.measures[0], "period": period, "claimed_value": claimed, **not_checkable,
                 "reason": f"no table of the report prints {q.measures[0]} for {division or 'the divisions named'} {period}"}]
    return [{"measure": q.measures[0], "period": period, "claimed_value": claimed, **_verdict(claimed, q.unit, candidates, source_file)}]


def _narrative(lines: list[str]):
    """(line number, text, is it full prose) of each narrative segment: the line itself, or (a PDF
    conversion that ran a paragraph into table debris, Harrow) each tab-separated segment that
    reads as prose on its own. Each text is classified once (quotes do not change the class)."""
    for number, raw in enumerate(lines, start=1):
        if is_prose(raw):
            yield number, raw, True
        elif is_short_prose(raw):
            yield number, raw, False
        else:
            for segment in _text(raw).split("\t"):
                if is_prose(segment):
                    yield number, segment, True
                elif is_short_prose(segment):
                    yield number, segment, False


def check_claims(lines: list[str], observations: list[Observation], council: str, report_period: str,
                 source_file: str) -> list[dict]:
    """Every numeric claim of the report's prose lines, with its verdict (in line order)."""
    tables = _Tables(observations)
    by_line: dict[int, list[int]] = defaultdict(list)
    for i, o in enumerate(observations):
        by_line[o.source_line].append(i)
    claims = []
    for number, line, prose in _narrative(lines):
        line = line.translate(_TYPOGRAPHIC)  # a Word export's curly apostrophes read as the plain ones
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
                where = q.division or where
                category = tables.category_named(line[:match.start()], number) if q.check == "share" else ""
                for claim in _check(q, match, where, report_period, tables, source_file, category):
                    claim["computed_source"] = claim["computed_source"] or (f"{source_file}:{number}" if claim["verdict"] != "not_checkable" else "")
                    claims.append({"council": council, "report_period": report_period, "source_file": source_file,
                                   "source_line": number, "division": where, "unit": "percent" if q.check == "change" else q.unit,
                                   "quantity": q.name, "text": match.group(0)[:200], **claim, "category": category})
        for match in GENERIC.finditer(line) if prose else ():
            if any(s <= match.start("value") < e for s, e in taken):
                continue
            claims.append({"council": council, "report_period": report_period, "source_file": source_file,
                           "source_line": number, "division": "", "period": "", "measure": "",
                           "unit": "percent" if match.group("pct") else "count", "claimed_value": _number(match.group("value")),
                           "quantity": "unclassified", "text": match.group(0)[:200], "verdict": "not_checkable",
                           "computed_value": None, "computed_source": "", "reason": "no quantity of the vocabulary reads this figure"})
    return [{**{k: c.get(k) for k in CLAIM_COLUMNS}, AGAINST: c.get(AGAINST, ())} for c in claims]


def flag_wrong_claims(observations: list[Observation], claims: list[dict]) -> list[Observation]:
    """Flag ``prose_disagrees`` on both sides of a wrong claim: the prose observation that prints
    the claimed figure, and the table figures the claim was checked against (``AGAINST``: the
    cells its computed value comes from). A claim checked against its own sentence (a % change
    between two counts it states) has no table side."""
    wrong = {(c["source_line"], c["claimed_value"]) for c in claims if c["verdict"] == "wrong"}
    wrong |= {(line, abs(value)) for line, value in wrong}
    against = {id(o) for c in claims if c["verdict"] == "wrong" for o in c.get(AGAINST, ())}
    return [o.flagged("prose_disagrees") if (o.table == "prose" and (o.source_line, o.value) in wrong) or id(o) in against else o
            for o in observations]


def wrong_claim_conflicts(claims: list[dict]) -> list[dict]:
    """Wrong claims as conflict records (kind ``prose_vs_table``): the prose value against the tables'."""
    return [{"council": c["council"], "period": c["period"], "quarter": "", "division": c["division"], "service": "", "category": "",
             "stage": "all", "measure": c["measure"], "kind": "prose_vs_table", "chosen_value": c["claimed_value"],
             "chosen_source": f"{c['source_file']}:{c['source_line']}", "other_value": c["computed_value"],
             "other_source": c["computed_source"], "rule": "printed_over_derived"} for c in claims if c["verdict"] == "wrong"]
