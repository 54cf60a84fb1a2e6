"""Headline figures printed only in sentences, read as observations (``table`` = ``prose``).

Many reports print their headline figures in words: "We received 110 stage one complaints",
"78% of stage 1 complaints were responded to on time", "59 were upheld or partially upheld,
compared to 33 last year", "The Ombudsman upheld 4 complaints", "100 statutory complaints,
up from 66 in 2023/24". :data:`SENTENCES` lists the sentence forms (a regex with a ``value``
group and the measure it gives; the noun phrase's stage and division are read with the
generic reader's vocabulary). A comparison right after a figure ("up from 66 in 2023/24",
"compared with 60% last year") gives the same measure for the earlier year.

The year: one printed in the clause ("In 2023/24, …", "… in 2022/23"), "last year" / "the
previous year" before the figure (the year before the report's), else the report's year.
A figure in a sentence that counts complaints or prints a share but that no form reads is
kept as ``unlabelled`` (the claims reader's :data:`~analysis.clean.claims.GENERIC` figures).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..observations import Observation
from ..parsing import clean_label, normalise_typography, previous_period
from .claims import GENERIC
from .extract.engine import RawReport
from .vocabulary import period_of, read_label

WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
         "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17,
         "eighteen": 18, "nineteen": 19, "twenty": 20}
_N = rf"(?:\d[\d,]*(?:\.\d+)?|{'|'.join(WORDS)})"
_PCT = r"\d+(?:\.\d+)?\s?(?:%|per ?cent)"
_FY = r"(?:19|20)\d\d\s*(?:/|-|–|to)\s*(?:19|20)?\d\d"
_NOUN = r"(?P<noun>(?:[\w'&-]+ ){0,4}?complaints?)"  # "stage one complaints", "new statutory complaints"
_OUTCOME = (r"(?P<outcome>(?:either )?(?:fully |partly |partially )?upheld(?: or (?:partly|partially|fully) upheld)?|"
            r"(?:fully |partly |partially )?upheld (?:or|and) (?:partly|partially|fully) upheld|not upheld|partly upheld|partially upheld)")
_TIME = (r"(?:responded to|answered|addressed|dealt with|closed|resolved|replied to|handled|completed|responded)\s+"
         r"(?:on time|in time|within (?:the )?(?:\w+ )?(?:target|timescales?|deadline|time ?frames?|\d+ (?:working )?days))")
OUTCOMES = {"upheld": "upheld", "fully upheld": "upheld", "partly upheld": "partially_upheld", "partially upheld": "partially_upheld",
            "not upheld": "not_upheld"}
PERCENT_OF = {"upheld": "pct_upheld", "partially_upheld": "pct_partially_upheld", "not_upheld": "pct_not_upheld",
              "upheld_or_partially_upheld": "pct_upheld_or_partially"}


@dataclass(frozen=True)
class Sentence:
    """A sentence form: ``pattern`` (regex, case-insensitive; group ``value``, optionally ``noun``
    for the stage and ``outcome`` / ``count``) and the ``measure`` it gives (``outcome``: from
    the outcome words)."""

    name: str
    pattern: str
    measure: str
    stage: str = ""


SENTENCES = (
    Sentence("from_to", rf"from (?P<base>{_N}) (?:in|during) (?P<base_period>{_FY}) to (?P<value>{_N}) (?:in|during) (?P<period>{_FY})", "from_to"),
    Sentence("pct_on_time", rf"(?P<value>{_PCT})(?: \((?P<count>{_N})\))? of (?:all |our |the )?(?P<noun>[\w'&\- ]{{0,40}}?(?:complaints?|cases|responses))"
                            rf"(?: \w+){{0,3}}? (?:were|was|have been|had been) {_TIME}", "pct_on_time"),
    Sentence("on_time_pct", rf"(?:responded to|answered|dealt with|closed|resolved) (?P<value>{_PCT})(?: \((?P<count>{_N})\))? of "
                            rf"(?P<noun>[\w'&\- ]{{0,40}}?(?:complaints?|cases)) (?:on time|within)", "pct_on_time"),
    Sentence("pct_outcome", rf"(?P<value>{_PCT})(?: \((?P<count>{_N})\))? of (?:all |our |the |these )?(?P<noun>[\w'&\- ]{{0,40}}?(?:complaints?|cases|investigations))"
                            rf"(?: \w+){{0,3}}? (?:were|was|have been) {_OUTCOME}\b", "outcome"),
    Sentence("count_outcome", rf"(?<![\d.,%])(?P<value>{_N})(?: \((?P<pct>{_PCT})\))? (?:of (?:these|them|which|those) )?(?P<noun>(?:[\w'&-]+ ){{0,4}}?(?:complaints?|cases))? ?"
                              rf"(?:were|was|have been|had been) (?:either )?{_OUTCOME}\b(?! by the (?:ombudsman|lgsco))", "outcome"),
    Sentence("ombudsman_decisions", rf"(?:ombudsman|lgsco|lgo)\b[^.]{{0,40}}?\b(?:made|issued|reached) (?P<value>{_N}) (?:final |new )?decisions", "ombudsman_decisions"),
    Sentence("ombudsman_upheld", rf"(?:ombudsman|lgsco|lgo)\b[^.]{{0,40}}?\bupheld (?P<value>{_N})\b(?! ?%)", "ombudsman_upheld"),
    Sentence("ombudsman_upheld_by", rf"(?<![\d.,%])(?P<value>{_N}) (?:complaints? |cases |decisions )?(?:were |was )?upheld by the (?:ombudsman|lgsco|lgo)", "ombudsman_upheld"),
    Sentence("ombudsman_pct_upheld", rf"(?:ombudsman|lgsco|lgo)\b[^.]{{0,60}}?\bupheld (?P<value>{_PCT})", "pct_ombudsman_upheld"),
    Sentence("compliments_received", rf"(?:received|receiving|recorded|logged|were|a total of) (?P<value>{_N}) (?:\w+ )?compliments", "compliments"),
    Sentence("compliments_count", rf"(?<![\d.,%])(?P<value>{_N}) compliments (?:were |have been )?(?:received|recorded|logged)", "compliments"),
    Sentence("complaints_received", rf"(?:received|receiving|recorded|logged|registered|there were|we had|a total of|handled) (?P<value>{_N}) {_NOUN}(?! and enquiries)(?! (?:were|was) (?:not )?upheld)",
             "complaints"),
    Sentence("complaints_were_received", rf"(?<![\d.,%])(?P<value>{_N}) {_NOUN} (?:were|was|have been) (?:received|recorded|logged|registered)", "complaints"),
)
_COMPILED = [(s, re.compile(s.pattern, re.IGNORECASE)) for s in SENTENCES]
# "up from 66 in 2023/24", "compared with 60% last year", "compared to 33 last year", "(2023/24: 66)"
_COMPARISON = re.compile(rf"^[,;]?\s*(?:(?:which is |this is |an? )?(?:up|down|increase[ds]?|decrease[ds]?|rise|fall|fell|rose|drop(?:ped)?)?\s*(?:of \S+ )?"
                         rf"(?:from|compared (?:with|to)|against|on)\s+(?:the |a )?(?:figure of )?(?P<base>{_N}|{_PCT})"
                         rf"(?P<unit>%| per ?cent)?(?:\s+(?:\w+\s+){{0,2}}?(?:in|during|for)\s+(?P<period>{_FY}))?(?P<last>\s+(?:in |for )?(?:the )?(?:last|previous|prior|preceding) (?:financial )?year)?)",
                         re.IGNORECASE)
_LAST_YEAR = re.compile(r"\b(?:last|previous|prior|preceding) (?:financial )?year\b|\bthe year before\b", re.IGNORECASE)
_CLAUSE = re.compile(r"[.;:!?](?:\s|$)|,\s+(?:and|but|while|whereas|compared)\b")
_TURN = re.compile(r"\b(?:up|down|from|compared|against|increase|decrease|rise|fall|fell|rose|drop|when|whereas|while)\b", re.IGNORECASE)
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9])")


def _value(text: str) -> tuple[float, str]:
    text = text.strip().lower()
    if text in WORDS:
        return float(WORDS[text]), "count"
    percent = bool(re.search(r"%|per ?cent", text))
    return float(re.sub(r"[^\d.]", "", text)), "percent" if percent else "count"


def _clause_before(sentence: str, start: int) -> str:
    cut = [m.end() for m in _CLAUSE.finditer(sentence, 0, start)]
    return sentence[cut[-1] if cut else 0:start]


def _period(sentence: str, match: re.Match, report_period: str) -> str | None:
    """The year of a sentence's figure, or None when the clause names two."""
    if "period" in match.re.groupindex and match["period"]:
        return period_of(match["period"])
    before = _clause_before(sentence, match.start())
    after = sentence[match.end():match.end() + 40]
    after = after[:m.start()] if (m := _CLAUSE.search(after)) else after
    after = after[:m.start()] if (m := _TURN.search(after)) else after  # "…, up from 66 in 2023/24": the earlier year's
    years = {period_of(y) for y in re.findall(_FY, before + " " + after)} - {""}
    if len(years) > 1:
        return None
    if years:
        return years.pop()
    if _LAST_YEAR.search(before):
        return previous_period(report_period)
    return report_period


def _dims(noun: str, sentence: str) -> tuple[str, str]:
    """(stage, division) of a figure: the stage its noun phrase names, the one division its sentence names."""
    stage = read_label(noun).stage if noun else ""
    divisions = {read_label(part).division for part in re.split(r",|\band\b", sentence)} - {"", "all"}
    return stage, divisions.pop() if len(divisions) == 1 else "all"


def _measure(form: Sentence, match: re.Match) -> tuple[str, str]:
    """(measure, unit) of the form's value."""
    if form.measure in {"outcome", "from_to"}:
        words = " ".join(match["outcome"].lower().replace("either ", "").split()) if form.measure == "outcome" else ""
        measure = "upheld_or_partially_upheld" if " or " in words or " and " in words else OUTCOMES.get(words, "complaints")
        if form.measure == "from_to":
            measure = "complaints"
        _, unit = _value(match["value"])
        return (PERCENT_OF[measure], "percent") if unit == "percent" else (measure, "count")
    _, unit = _value(match["value"])
    return form.measure, "percent" if form.measure.startswith("pct_") else unit


def read_headlines(report: RawReport, taken: set[int]) -> list[Observation]:
    """Every headline figure of the report's sentences (lines not already read as table cells)."""
    out: list[Observation] = []
    for number, raw in enumerate(report.lines, start=1):
        if number in taken or not re.search(r"\d|\b(?:" + "|".join(WORDS) + r")\b", raw, re.IGNORECASE):
            continue
        line = clean_label(normalise_typography(raw))
        if len(re.findall(r"[A-Za-z]{3,}", line)) < 4:
            continue
        for sentence in _SENTENCE.split(line):
            out += _read_sentence(report, number, sentence)
    return out


def _read_sentence(report: RawReport, number: int, sentence: str) -> list[Observation]:
    out: list[Observation] = []
    taken: list[tuple[int, int]] = []

    def add(value_text: str, measure: str, unit: str, stage: str, division: str, period: str | None, text: str) -> None:
        value, parsed_unit = _value(value_text)
        if period is None or not measure or unit != parsed_unit:
            out.append(_unlabelled(report, number, value, parsed_unit, text))
            return
        if measure.startswith("ombudsman_") or measure == "pct_ombudsman_upheld":
            stage = "ombudsman"
        out.append(Observation(council=report.council, period=period, report_period=report.report_period, division=division,
                               stage=stage or "all", measure=measure, value=value, unit=unit, source_file=report.source_file,
                               source_line=number, table="prose"))

    for form, regex in _COMPILED:
        for match in regex.finditer(sentence):
            if any(s < match.end("value") and match.start("value") < e for s, e in taken):
                continue
            taken.append(match.span())
            noun = match.groupdict().get("noun") or ""
            stage, division = _dims(noun, sentence)
            measure, unit = _measure(form, match)
            period = _period(sentence, match, report.report_period)
            if form.measure == "from_to":
                add(match["base"], measure, "count", stage, division, period_of(match["base_period"]), match[0])
            add(match["value"], measure, unit, stage, division, period, match[0])
            if match.groupdict().get("count"):  # "83% (85) of stage one complaints": the count beside the share
                count_measure = {"pct_on_time": "answered_on_time"}.get(measure, {v: k for k, v in PERCENT_OF.items()}.get(measure, ""))
                add(match["count"], count_measure, "count", stage, division, period, match[0]) if count_measure else None
            if match.groupdict().get("pct"):  # "59 (45%) were upheld"
                add(match["pct"], PERCENT_OF.get(measure, ""), "percent", stage, division, period, match[0]) if measure in PERCENT_OF else None
            comparison = _COMPARISON.match(sentence[match.end():])
            if comparison and form.measure != "from_to":
                base_unit = "percent" if comparison["unit"] or "%" in comparison["base"] or "cent" in comparison["base"] else "count"
                earlier = period_of(comparison["period"]) if comparison["period"] else previous_period(period) if period else None
                if comparison["period"] or comparison["last"] or re.match(r"^[,;]?\s*(?:up|down|an? (?:increase|decrease|rise|fall))", sentence[match.end():], re.IGNORECASE):
                    add(comparison["base"] + ("%" if comparison["unit"] else ""), measure, unit, stage, division,
                        earlier if base_unit == unit else None, comparison[0])
                    taken.append((match.end(), match.end() + comparison.end()))
    for match in GENERIC.finditer(sentence):  # a figure that counts or shares something, read by no form: unlabelled
        if any(s <= match.start("value") < e for s, e in taken):
            continue
        value, unit = _value(match["value"] + ("%" if match["pct"] else ""))
        out.append(_unlabelled(report, number, value, unit, match[0]))
    return out


def _unlabelled(report: RawReport, number: int, value: float, unit: str, text: str) -> Observation:
    return Observation(council=report.council, period=report.report_period, report_period=report.report_period, division="all",
                       stage="all", measure="unlabelled", value=value, unit=unit, source_file=report.source_file, source_line=number,
                       table="prose", service=clean_label(text)[:200], category="sentence", quality_flag="unlabelled")
