"""Headline figures printed only in sentences, read as observations (``table`` = ``prose``).

Many reports print their headline figures in words: "We received 110 stage one complaints",
"78% of stage 1 complaints were responded to on time", "59 were upheld or partially upheld,
compared to 33 last year", "The Ombudsman upheld 4 complaints", "100 statutory complaints,
up from 66 in 2023/24", "increased by 9% (87) compared to 2019-20 (80)". Three readers:

* :data:`SENTENCES`: sentence forms (a regex with a ``value`` group and the measure it gives;
  the noun phrase's stage is read with the generic reader's vocabulary);
* changes between years: "from 92 in 2016-17 to 90 in 2017-18", "from 182 to 76", "2019-20
  (80)", "decreased by 32%": the measure is the *subject* of the clause, the nearest counted
  noun before the figures ("Member enquiries", "Stage 1 complaints", "compliments"); a
  ``pct_change`` belongs to the later year; a rise is labelled, a fall printed in words ("decreased by
  32%") is kept ``unlabelled`` (the value stays as printed, 32, and a ``pct_change`` of 32 would read
  as a rise);
* comparisons after a figure: "compared with 60% last year", ", 739 in 2021/22, 629 in
  2020/21": the same measure for the earlier year.

The year: one printed in the clause ("In 2023/24, …", "… during 2024/25"), "last year" /
"the previous year" before the figure (the year before the report's), else the report's year;
a clause naming two years, or a quarter it cannot place, leaves the figure unlabelled. Any
other figure of a sentence (not a year, date, stage or paragraph number) is kept as
``unlabelled``, with the sentence's words around it: never a guess, never dropped.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..observations import Observation
from ..parsing import clean_label, normalise_typography, previous_period
from .extract.engine import RawReport
from .vocabulary import period_of, quarter_of, read_label

WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
         "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17,
         "eighteen": 18, "nineteen": 19, "twenty": 20}
_DIGITS = r"\d+(?:,\d{3})*(?:\.\d+)?"  # "1,372", "83.2"; never a trailing comma ("2024, 54")
_N = rf"(?:{_DIGITS}|{'|'.join(WORDS)})"
_PCT = rf"{_DIGITS}\s?(?:%|per ?cent\b)"
_FY = r"(?:19|20)\d\d\s*(?:/|-|–|to)\s*(?:19|20)?\d\d(?!\d)"
_NOUN = (r"(?P<noun>(?:[\w'&-]+ ){0,4}?complaints?(?: escalations)?\b)"  # "stage one complaints", "formal complaint escalations"
         r"(?! (?:letters?|responses?|forms?|handling|procedures?|process(?:es)?|polic(?:y|ies)|teams?|officers?|managers?|records?)\b)")  # "stage one complaints", "new statutory complaints"
_OUTCOME = (r"(?P<outcome>(?:either )?(?:fully |partly |partially )?upheld(?: or (?:partly|partially|fully) upheld)?|"
            r"(?:fully |partly |partially )?upheld (?:or|and) (?:partly|partially|fully) upheld|not (?:being )?upheld|partly upheld|partially upheld)")
_TIME = (r"(?:(?:responded to|answered|addressed|dealt with|closed|resolved|replied to|handled|completed|responded)\s+"
         r"(?:on time|in time|within (?:the )?(?:\w+ )?(?:target|timescales?|deadline|time ?frames?|\d+ (?:working )?days))|"
         r"met (?:our |the )?(?:\w+ )?(?:target )?(?:timescales?|deadlines?|targets?))")
_BE = r"(?:were|was|have been|had been|has been|being|are|is)"
OUTCOMES = {"upheld": "upheld", "fully upheld": "upheld", "partly upheld": "partially_upheld", "partially upheld": "partially_upheld",
            "not upheld": "not_upheld", "not being upheld": "not_upheld"}
PERCENT_OF = {"upheld": "pct_upheld", "partially_upheld": "pct_partially_upheld", "not_upheld": "pct_not_upheld",
              "upheld_or_partially_upheld": "pct_upheld_or_partially", "answered_on_time": "pct_on_time"}
COUNT_OF = {v: k for k, v in PERCENT_OF.items()}


@dataclass(frozen=True)
class Sentence:
    """A sentence form: ``pattern`` (regex, case-insensitive; group ``value``, optionally ``noun``
    for the stage, ``outcome`` for the measure, ``count`` / ``pct`` for the figure printed beside
    the value) and the ``measure`` it gives (``outcome``: from the outcome words)."""

    name: str
    pattern: str
    measure: str


SENTENCES = (
    Sentence("pct_on_time", rf"(?P<value>{_PCT})(?: \((?P<count>{_N})\))? of (?:all |our |the )?(?P<noun>[\w'&\- ]{{0,40}}?(?:complaints?|cases|responses))"
                            rf"(?: \w+){{0,3}}? (?:{_BE} )?{_TIME}", "pct_on_time"),
    Sentence("pct_being_on_time", rf"(?P<value>{_PCT}) (?:{_BE} )?{_TIME}", "pct_on_time"),
    Sentence("pct_outcome", rf"(?P<value>{_PCT})(?: \((?P<count>{_N})\))? of (?:all |our |the |these )?(?P<noun>[\w'&\- ]{{0,40}}?(?:complaints?|cases|investigations))"
                            rf"(?: \w+){{0,3}}? {_BE} {_OUTCOME}\b", "outcome"),
    Sentence("pct_being_outcome", rf"(?P<value>{_PCT}) (?:{_BE} )?{_OUTCOME}\b", "outcome"),
    Sentence("count_outcome", rf"(?<![\d.,%£])(?P<value>{_N})(?: \((?P<pct>{_PCT})\))? (?:of (?:these|them|which|those) )?(?P<noun>(?:[\w'&-]+ ){{0,4}}?(?:complaints?|cases))? ?"
                              rf"{_BE} (?:either )?{_OUTCOME}\b(?! by the (?:ombudsman|lgsco))", "outcome"),
    Sentence("ombudsman_referrals", rf"(?<![\d.,%£])(?P<value>{_N}) (?:complaints? and enquiries|enquiries and complaints) (?:{_BE} )?(?:registered|received|made|logged)"
                                    r" (?:with|by) the (?:local government (?:and|&) social care )?(?:ombudsman|lgsco|lgo)", "ombudsman_referrals"),
    Sentence("ombudsman_decisions", rf"(?:ombudsman|lgsco|lgo)\b[^.]{{0,40}}?\b(?:made|issued|reached) (?P<value>{_N}) (?:final |new )?decisions", "ombudsman_decisions"),
    Sentence("ombudsman_upheld", rf"(?:ombudsman|lgsco|lgo)\b[^.]{{0,40}}?\bupheld (?P<value>{_N})\b(?! ?%)", "ombudsman_upheld"),
    Sentence("ombudsman_upheld_by", rf"(?<![\d.,%£])(?P<value>{_N}) (?:complaints? |cases |decisions )?(?:were |was )?upheld by the (?:ombudsman|lgsco|lgo)", "ombudsman_upheld"),
    Sentence("ombudsman_pct_upheld", rf"(?:ombudsman|lgsco|lgo)\b[^.]{{0,60}}?\bupheld (?P<value>{_PCT})", "pct_ombudsman_upheld"),
    Sentence("compliments", rf"(?<![\d.,%£])(?P<value>{_N}) (?:\w+ )?compliments\b(?! per\b)", "compliments"),
    Sentence("comments", rf"(?<![\d.,%£])(?P<value>{_N}) comments\b(?! per\b)", "comments"),
    Sentence("complaints_received", rf"(?:received|receiving|recorded|logged|registered|there were|there was|we had|a total of|a total number of|we responded to) (?P<value>{_N}) {_NOUN}"
                                    rf"(?! and enquiries)(?! (?:{_BE}) (?:not )?(?:upheld|partially|partly|investigated|escalated|referred|withdrawn))(?! per\b)",
             "complaints"),
    # "received 10 corporate complaints, …, and 89 statutory complaints": a count listed after a received count
    Sentence("listed_complaints", rf"(?:,|\band) (?P<value>{_N}) (?P<noun>(?:corporate|statutory|formal|stage[- ](?:1|2|3|one|two|three)|"
                                  rf"first stage|second stage)(?: [\w'-]+)? complaints)\b(?! (?:{_BE}|per)\b)", "complaints"),
    Sentence("complaints_were_received", rf"(?<![\d.,%£])(?P<value>{_N}) {_NOUN} (?:{_BE}) (?:received|recorded|logged|registered)\b", "complaints"),
)
_COMPILED = [(s, re.compile(s.pattern, re.IGNORECASE)) for s in SENTENCES]

# Changes between years: "from 92 in 2016-17 to 90 in 2017-18", "from 182 to 76", "from 20.0% in 2019/20 to 22.4%"
_FROM_TO = re.compile(rf"\bfrom (?P<base>{_PCT}|{_N})(?: (?:in|during) (?P<base_period>{_FY}))? to (?P<value>{_PCT}|{_N})(?! per\b)"
                      rf"(?: (?:in|during) (?P<period>{_FY}))?(?:,? (?P<change>{_PCT}))?", re.IGNORECASE)
# "2019-20 (80)": a year and its figure
_YEAR_PAREN = re.compile(rf"(?:\b(?:in|during|for|to|with) )?(?P<period>{_FY}) \((?P<value>{_N})\)", re.IGNORECASE)
# "decreased by 32%", "a 50% decrease", "(61% decrease)", "increase (36%)", "by 9% (87)"
_CHANGE = re.compile(rf"\b(?P<verb>increased|decreased|reduced|risen|rose|fell|fallen|dropped|gone up|gone down|went up|went down|up|down) "
                     rf"(?:\w+ ){{0,3}}?by (?P<value>{_PCT})(?: \((?P<now>{_N})\))?"
                     rf"|\b(?:an? )?(?P<value2>{_PCT}) (?:\w+ )?(?P<noun2>increase|decrease|reduction|rise|fall|drop)\b"
                     rf"|\b(?P<noun3>increase|decrease|reduction|rise|fall|drop) \((?P<value3>{_PCT})\)", re.IGNORECASE)
_NEGATIVE = re.compile(r"decrease|reduc|fell|fallen|drop|down|fall|lower", re.IGNORECASE)
# after a figure: "compared with 60% last year", "up from 66 in 2023/24", ", 739 in 2021/22"
_COMPARISON = re.compile(rf"^[,;]?\s*(?:(?:which is |this is |which was |an? )?(?:\w+ )?(?:up|down|increase[ds]?|decrease[ds]?|rise|fall|fell|rose|drop(?:ped)?)?\s*(?:of \S+ )?"
                         rf"(?:from|compared (?:with|to)|against|on|in comparison (?:with|to))\s+(?:the |a )?(?:figure of )?(?P<base>{_PCT}|{_N})"
                         rf"(?:\s+(?:\w+\s+){{0,2}}?(?:in|during|for)\s+(?P<period>{_FY}))?(?P<last>\s+(?:in |for )?(?:the )?(?:last|previous|prior|preceding) (?:financial )?year)?)",
                         re.IGNORECASE)
_IN_YEAR = re.compile(rf"(?<![\d.,£])(?P<value>{_PCT}|{_N}) (?:(?:that )?(?:had been |were |was )?(?:received|recorded|registered) )?(?:in|during|for) (?P<period>{_FY})",
                      re.IGNORECASE)
_LAST_YEAR = re.compile(r"\b(?:last|previous|prior|preceding) (?:financial )?year\b|\bthe year before\b", re.IGNORECASE)
_CLAUSE = re.compile(r"[.;:!?](?:\s|$)|,\s+(?:and|but|while|whereas|compared)\b|\s[–-]\s")
_TURN = re.compile(r"\b(?:up|down|from|compared|against|increase|decrease|rise|fall|fell|rose|drop|when|whereas|while|than|since)\b", re.IGNORECASE)
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9])")
_BULLET = re.compile(r"^(?:[•·▪◦‣*-]|\(?[ivx]+\)|\d+[.)])\s")
_QUARTERISH = re.compile(r"\bquarter(?:ly)?\b|\bQ[1-4]\b", re.IGNORECASE)
# The counted nouns a clause can be about, nearest first when searched backwards
_SUBJECT = re.compile(r"complaints? and enquiries|enquiries and complaints|ombudsman enquiries|(?:member|members|mp|councillor)s?'? enquiries|"
                      r"enquiries|compliments|comments|complaints|timeliness|percentage|proportion", re.IGNORECASE)
# any other figure of a sentence (kept unlabelled): not a year, a date, a stage or paragraph number
_ANY = re.compile(rf"(?<![\w.,/£-])(?P<value>£?{_DIGITS}(?:\s?%|\s?per ?cent\b)?)(?![\w/]|\.\d)")
_NOT_A_FIGURE = re.compile(r"(?:stage|quarter|q|phase|section|paragraph|para|page|item|appendix|table|figure|chart|schedule|row|rows|level|tier|"
                           r"part|annex|step|act|regulations|no\.?)\s*$", re.IGNORECASE)
_MONTH_AFTER = re.compile(r"^\s*(?:st|nd|rd|th)?\s*(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)", re.IGNORECASE)


def _value(text: str) -> tuple[float, str]:
    text = text.strip().lower()
    if text in WORDS:
        return float(WORDS[text]), "count"
    percent = bool(re.search(r"%|per ?cent", text))
    return float(re.sub(r"[^\d.]", "", text)), "percent" if percent else "count"


def _clause_before(sentence: str, start: int) -> str:
    cut = [m.end() for m in _CLAUSE.finditer(sentence, 0, start)]
    return sentence[cut[-1] if cut else 0:start]


def _clause_after(sentence: str, end: int, width: int = 50) -> str:
    after = sentence[end:end + width]
    after = after[:m.start()] if (m := _CLAUSE.search(after)) else after
    return after[:m.start()] if (m := _TURN.search(after)) else after  # "…, up from 66 in 2023/24": the earlier year's


def _when(sentence: str, start: int, end: int, report_period: str, period: str | None = None,
          quarterly: bool = False) -> tuple[str, str] | None:
    """(period, quarter) of a figure, or None when its clause names two years or a quarter it cannot
    place (``quarterly``: the report is a quarter's, so a figure whose clause names no period is
    for a quarter this sentence does not name)."""
    before, after = _clause_before(sentence, start), _clause_after(sentence, end)
    near = before + " " + after
    if quarterly and not _QUARTERISH.search(near) and not period and not re.search(_FY, near):
        return None
    if _QUARTERISH.search(near):
        quarter = quarter_of(near)
        if not quarter or len(set(re.findall(r"\bQ[1-4]\b|\bquarter\s*[1-4]\b|\b(?:first|second|third|fourth|final)\s+quarter\b", near, re.IGNORECASE))) > 1:
            return None
    else:
        quarter = ""
    if period:
        return period, quarter
    years = {period_of(y) for y in re.findall(_FY, near)} - {""}
    if len(years) > 1:
        return None
    if years:
        return years.pop(), quarter
    if _LAST_YEAR.search(before):
        return previous_period(report_period), quarter
    return report_period, quarter


_SINCE = re.compile(r"\b(?:from|compared (?:to|with)|since|than|on|in comparison (?:to|with)|against)\b[^.;]{0,40}$", re.IGNORECASE)


def _changed_year(sentence: str) -> str | None:
    """The year a change in a sentence is for: its latest year, or the one after it when that
    year is the one compared against ("a 50% decrease compared to the 20 received in 2021/22")."""
    years = [(period_of(m[0]), m.start()) for m in re.finditer(_FY, sentence)]
    years = [(y, at) for y, at in years if y]
    if not years:
        return None
    latest, at = max(years)
    return previous_period(latest, -1) if _SINCE.search(sentence[:at]) and len({y for y, _ in years}) == 1 else latest


def _stage(noun: str) -> str:
    return read_label(noun).stage if noun else ""


def _division(sentence: str) -> str:
    """The one division a sentence names, else ``all``."""
    divisions = {read_label(part).division for part in re.split(r",|\band\b|;", sentence)} - {"", "all"}
    return divisions.pop() if len(divisions) == 1 else "all"


_STAGE_WORDS = re.compile(r"\b(?:stage[- ]?(?:1|2|3|one|two|three)|first stage|second stage|new|the|of|complaints?)\b", re.IGNORECASE)


def _qualified(noun: str) -> str:
    """The printed noun phrase of a count when it says what kind ("corporate complaints"), else ''."""
    return clean_label(noun) if _STAGE_WORDS.sub("", noun).strip(" -") else ""


def _subject_text(window: str) -> str:
    """The words a change's figures follow ("Housing Services complaints had decreased"): their printed subject."""
    words = re.sub(r"^[\s,;:.·•-]+|\b(?:going|had|has|have|been|decreased|increased|reduced|reducing|risen|fallen|fell|rose|also|by)\b.*$",
                   "", window, flags=re.IGNORECASE)
    return clean_label(" ".join(words.split()[-8:]))


def _subject(text: str) -> tuple[str, str] | None:
    """(measure, stage) a clause is about: its nearest counted noun before the figures."""
    hits = list(_SUBJECT.finditer(text))
    if not hits:
        return None
    noun = hits[-1][0].lower()
    phrase = text[max(0, hits[-1].start() - 40):]
    if re.search(r"\bper\b|\brate\b|\bsatisf", phrase, re.IGNORECASE):
        return None
    stage = read_label(phrase).stage
    if noun in {"complaints and enquiries", "enquiries and complaints", "ombudsman enquiries"}:
        return ("ombudsman_referrals", "ombudsman") if re.search(r"ombudsman|lgsco|lgo", text, re.IGNORECASE) else None
    if noun.endswith("enquiries"):
        return "enquiries", "enquiry"
    if noun in {"compliments", "comments"}:
        return noun, ""
    shares = [h for h in hits if h[0].lower() in {"timeliness", "percentage", "proportion"}]
    if shares:  # "The percentage of complaints escalated past Stage 1": a share, read as a percent label
        reading = read_label("% " + text[shares[-1].start():])
        return (reading.measure, stage) if reading.measure.startswith("pct_") else None
    if re.search(r"upheld|investigated|withdrawn|resolved|answered|responded|late|overdue", text[hits[-1].start():], re.IGNORECASE):
        return None  # "complaints upheld", "complaints responded to": not the count received
    return "complaints", stage


def is_quarterly(lines: list[str]) -> bool:
    """A quarter's report (its title or opening lines name a quarter): its sentences' figures are a quarter's."""
    opening = [line for line in lines if line.strip()][:6]
    titles = [line for line in opening if len(line.strip()) <= 120 and len(re.findall(r"[A-Za-z]{3,}", line)) >= 2]  # not a sentence, not "• Q1 - 15"
    return any(_QUARTERISH.search(line) for line in titles)


def read_headlines(report: RawReport, taken: set[int]) -> list[Observation]:
    """Every figure of the report's sentences (lines not already read as table cells)."""
    out: list[Observation] = []
    quarterly = is_quarterly(report.lines)
    lead_stage = ""  # "91.1 percent were resolved at stage one, with:": the bullets below it are about that stage
    for number, raw in enumerate(report.lines, start=1):
        line = clean_label(normalise_typography(raw))
        if not _BULLET.match(line):
            lead_stage = ""
        stage_here, lead_stage = lead_stage, (read_label(line).stage if line.endswith(":") and _BULLET.match(line) else lead_stage)
        if number in taken or not re.search(r"\d|\b(?:" + "|".join(WORDS) + r")\b", raw, re.IGNORECASE):
            continue
        if len(re.findall(r"[A-Za-z]{3,}", line)) < 4:
            continue
        for sentence in _SENTENCE.split(line):
            out += SentenceReader(report, number, sentence, quarterly, stage_here).read()
    return out


class SentenceReader:
    """The figures of one sentence: forms first, then changes between years, comparisons,
    and every other figure unlabelled."""

    def __init__(self, report: RawReport, number: int, sentence: str, quarterly: bool = False, lead_stage: str = ""):
        self.report, self.number, self.sentence, self.quarterly = report, number, sentence, quarterly
        self.lead_stage = lead_stage  # the stage of the bullet this one continues ("…at stage one, with:")
        self.stages: dict[str, str] = {}  # measure → the stage an earlier figure of this sentence named for it
        self.out: list[Observation] = []
        self.spans: list[tuple[int, int]] = []  # the value tokens already read
        self.division = _division(sentence)
        self.context: tuple[str, str] = ("", "")  # (service, division) of the figures being read: their printed subject

    def _free(self, start: int, end: int) -> bool:
        return not any(s < end and start < e for s, e in self.spans)

    def add(self, start: int, end: int, measure: str, unit: str, stage: str, when: tuple[str, str] | None, sign: int = 1) -> None:
        """The figure at ``sentence[start:end]`` as ``measure`` (unlabelled when ``when`` is None,
        no measure, or the printed unit is not the measure's)."""
        if not self._free(start, end) or any(y.start() <= start < y.end() for y in re.finditer(_FY, self.sentence)):
            return  # already read, or a year ("2023-2024"), not a figure
        self.spans.append((start, end))
        if self.sentence[start:end].strip().lower() in WORDS:
            return  # "Two were upheld": the contract's value is a printed figure, so a number in words is not one
        value, printed = _value(self.sentence[start:end])
        if sign < 0:  # "decreased by 32%": the contract keeps the value as printed (32), and a pct_change of 32 would
            when = None  # read as a rise, so a fall printed in words is kept unlabelled, its words in `service`
        if when is None or not measure or unit != printed:
            self.out.append(self._unlabelled(value, printed, start, end))
            return
        if measure.startswith("ombudsman_") or measure == "pct_ombudsman_upheld":
            stage = "ombudsman"
        elif measure == "enquiries":
            stage = "enquiry"
        family = COUNT_OF.get(measure, measure)  # a share and its count ("83% (85)") are one quantity's
        # no stage of its own: the one an earlier figure of the same quantity in this sentence named
        # ("83% of stage-one complaints …, less than last year when 89% of complaints …"), else the lead bullet's
        stage = stage or self.stages.get(family) or self.lead_stage or "all"
        if stage != "all":
            self.stages.setdefault(family, stage)
        self.out.append(Observation(council=self.report.council, period=when[0], report_period=self.report.report_period,
                                    division=self.context[1] or self.division, service=self.context[0], stage=stage,
                                    measure=measure, value=sign * value, unit=unit,
                                    source_file=self.report.source_file, source_line=self.number, table="prose", quarter=when[1]))

    def _unlabelled(self, value: float, unit: str, start: int, end: int) -> Observation:
        words = self.sentence[max(0, start - 60):end + 60]
        return Observation(council=self.report.council, period=self.report.report_period, report_period=self.report.report_period,
                           division="all", stage="all", measure="unlabelled", value=value, unit=unit, source_file=self.report.source_file,
                           source_line=self.number, table="prose", service=clean_label(words)[:200], category="sentence",
                           quality_flag="unlabelled")

    def read(self) -> list[Observation]:
        self._changes()
        self._forms()
        self._rest()
        return self.out

    def _forms(self) -> None:
        s, period = self.sentence, self.report.report_period
        for form, regex in _COMPILED:
            for match in regex.finditer(s):
                if not self._free(*match.span("value")):
                    continue
                if form.name == "listed_complaints" and not re.search(r"\b(?:received|registered|recorded|logged)\b", s[:match.start()], re.IGNORECASE):
                    continue  # only a list that a "received" count opened
                noun = match.groupdict().get("noun") or ""
                stage = _stage(noun)
                self.context = (_qualified(noun), "")
                measure, unit = self._measure(form, match)
                when = _when(s, match.start("value"), match.end(), period, quarterly=self.quarterly)
                self.add(*match.span("value"), measure, unit, stage, when)
                if match.groupdict().get("count"):  # "83% (85) of stage one complaints"
                    self.add(*match.span("count"), COUNT_OF.get(measure, ""), "count", stage, when)
                if match.groupdict().get("pct") and measure in PERCENT_OF:  # "59 (45%) were upheld"
                    self.add(*match.span("pct"), PERCENT_OF[measure], "percent", stage, when)
                self._compared(match.end(), measure, unit, stage, when)
                self.context = ("", "")

    def _measure(self, form: Sentence, match: re.Match) -> tuple[str, str]:
        _, unit = _value(match["value"])
        if form.measure == "outcome":
            words = " ".join(match["outcome"].lower().replace("either ", "").split())
            measure = "upheld_or_partially_upheld" if " or " in words or " and " in words else OUTCOMES.get(words, "")
            return (PERCENT_OF.get(measure, ""), "percent") if unit == "percent" else (measure, "count")
        if form.measure.startswith("pct_"):
            return form.measure, "percent"
        return form.measure, "count"

    def _compared(self, end: int, measure: str, unit: str, stage: str, when: tuple[str, str] | None) -> None:
        """"…, compared with 60% last year", "up from 66 in 2023/24", then ", 739 in 2021/22, 629 in 2020/21"."""
        s = self.sentence
        comparison = _COMPARISON.match(s[end:])
        if comparison and when and (comparison["period"] or comparison["last"] or re.match(r"^[,;]?\s*(?:\w+ )?(?:up|down|an? \w*\s?(?:increase|decrease|rise|fall))", s[end:], re.IGNORECASE)):
            earlier = period_of(comparison["period"]) if comparison["period"] else previous_period(when[0])
            self.add(end + comparison.start("base"), end + comparison.end("base"), measure, unit, stage, (earlier, when[1]))
            end += comparison.end()
        stop = s.find(";", end)
        stop = len(s) if stop < 0 else stop
        for more in _IN_YEAR.finditer(s, end, stop):  # a list of earlier years' figures for the same measure
            gap = s[end:more.start()]
            if re.search(r"\b(?:complaints|compliments|comments|enquiries|cases)\b", gap, re.IGNORECASE) and len(gap) > 60:
                break
            self.add(*more.span("value"), measure, unit, stage, (period_of(more["period"]), "") if when else None)
            end = more.end()

    def _changes(self) -> None:
        s, period = self.sentence, self.report.report_period
        last: tuple[str, str] | None = None
        previous_end = 0
        for match in _FROM_TO.finditer(s):
            window = s[previous_end:match.start()]
            subject = _subject(window) or last
            last = subject
            divisions = {read_label(part).division for part in re.split(r",|\band\b", window)} - {"", "all"}
            self.context = (_subject_text(window), divisions.pop() if len(divisions) == 1 else "")
            previous_end = match.end()
            later = period_of(match["period"]) if match["period"] else ""
            earlier = period_of(match["base_period"]) if match["base_period"] else ""
            if not (later or earlier):  # "from 182 to 76": this year and last, unless the clause names other years
                years = {period_of(y) for y in re.findall(_FY, _clause_before(s, match.start()) + _clause_after(s, match.end()))} - {""}
                if not years <= {period, previous_period(period)}:
                    subject = None
                later = period
            later = later or previous_period(earlier, -1)
            earlier = earlier or previous_period(later)
            measure, stage = subject if subject else ("", "")
            unit = "percent" if measure.startswith("pct_") else "count"
            ok = not _QUARTERISH.search(_clause_before(s, match.start())) and not self.quarterly
            self.add(*match.span("base"), measure, unit, stage, (earlier, "") if ok else None)
            self.add(*match.span("value"), measure, unit, stage, (later, "") if ok else None)
            if match["change"]:  # "from 182 to 76, 58%": the change, signed by the direction of the counts
                base, now = _value(match["base"])[0], _value(match["value"])[0]
                self.add(*match.span("change"), "pct_change", "percent", stage, (later, "") if ok else None, -1 if now < base else 1)
        self.context = ("", "")
        for match in _YEAR_PAREN.finditer(s):  # "compared to 2019-20 (80)", "in 2020-21 (6)"
            subject = _subject(_clause_before(s, match.start()))
            measure, stage = subject if subject and not subject[0].startswith("pct_") else ("", "")
            self.add(*match.span("value"), measure, "count", stage, (period_of(match["period"]), ""))
        for match in _CHANGE.finditer(s):
            group = next(g for g in ("value", "value2", "value3") if match[g])
            direction = match["verb"] or match["noun2"] or match["noun3"]
            sign = -1 if _NEGATIVE.search(direction) else 1
            when = _when(s, match.start(), match.end(), period, _changed_year(s), quarterly=self.quarterly)
            self.add(*match.span(group), "pct_change", "percent", "", when, sign)
            if match["now"]:  # "increased by 9% (87)": the later year's count
                subject = _subject(_clause_before(s, match.start()))
                measure, stage = subject if subject and not subject[0].startswith("pct_") else ("", "")
                self.add(*match.span("now"), measure, "count", stage, when)

    def _rest(self) -> None:
        s = self.sentence
        for match in _ANY.finditer(s):
            start, end = match.span("value")
            if not self._free(start, end):
                continue
            text = match["value"]
            if re.fullmatch(r"(?:19|20)\d\d", text) or _NOT_A_FIGURE.search(s[:start]) or _MONTH_AFTER.match(s[end:]):
                continue
            if re.search(r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\s*$", s[:start], re.IGNORECASE) and len(text) <= 2:
                continue  # "March 31"
            value, unit = _value(text.lstrip("£"))
            self.spans.append((start, end))
            self.out.append(self._unlabelled(value, "gbp" if text.startswith("£") else unit, start, end))
