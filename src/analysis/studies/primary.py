"""One declared primary estimate per question, written once and read by every page that quotes it.

Each driver run (root causes, contracted care, SEN, COVID) writes exactly one :class:`Primary`
under the findings key ``primary`` (:data:`FINDINGS_KEY`) of its findings JSON, as
``Primary.record()``. The synthesis, the front page and the driver page itself read that record
(:func:`read_primary`) and quote its ``finding`` sentence verbatim, so a number is never
re-derived or re-rounded somewhere else. Alternatives (another window, another variance model)
are labelled sensitivity rows inside the record, never rival headlines.

A primary says:

* the **finding**: one plain sentence with the number, its likely range and its scope;
* the **scope**: which councils and which years the evidence covers (never more);
* the **strength**, in words (:data:`STRENGTHS`) with the reason, instead of a yes/no verdict:
  ``clear`` when the likely range excludes "no effect" under the primary variance model *and*
  under every labelled variance sensitivity; ``unclear`` when it includes no effect or the verdict
  depends on the variance model; ``cannot be told from a change in recording`` when the reports'
  own recording changed in a way that produces the same numbers; ``not estimable`` (with the
  reason) when there is no number to give.
"""
from __future__ import annotations

import json
import math
import re
from dataclasses import asdict, dataclass, field

from .. import present
from ..paths import Paths

FINDINGS_KEY = "primary"  # the one findings key a question's primary is read from

CLEAR = "clear"
UNCLEAR = "unclear"
RECORDING = "cannot be told from a change in recording"
NOT_ESTIMABLE = "not estimable"
STRENGTHS = (CLEAR, UNCLEAR, RECORDING, NOT_ESTIMABLE)


@dataclass(frozen=True)
class Question:
    """One question of the study and where its primary is read."""

    key: str  # "contracted"
    notebook: str  # the driver notebook's stem, "03_contracted_services"
    title: str  # the question in words
    findings_key: str = FINDINGS_KEY

    def run_ids(self, council: str = "all") -> tuple[str, ...]:
        """The findings files tried, in order: the council's own run, the all-councils run, the single run."""
        return tuple(dict.fromkeys((f"{self.notebook}__{council}", f"{self.notebook}__all", self.notebook)))


QUESTIONS: dict[str, Question] = {q.key: q for q in (
    Question("root_causes", "02_root_causes", "What complaints are about (root causes)"),
    Question("contracted", "03_contracted_services", "Contracted care providers"),
    Question("sen", "04_sen_surge", "The rise in special educational needs (SEN) complaints"),
    Question("covid", "05_covid_dip", "The COVID-19 pandemic"),
)}
BY_NOTEBOOK = {q.notebook: q for q in QUESTIONS.values()}


@dataclass(frozen=True)
class Primary:
    """A question's one primary estimate: the finding in words, its number, range, scope and strength."""

    question: str  # a key of QUESTIONS
    finding: str  # one plain sentence with the number, its likely range and its scope
    value: float | None  # in ``unit`` (None when not estimable)
    low: float | None
    high: float | None
    unit: str  # "percentage points", "rate ratio", "% a year", "% of aspects"
    interval_kind: str  # "95% likely range allowing for several grievances per complaint"
    councils: tuple[str, ...]  # council ids the evidence covers
    years: tuple[str, ...]  # financial years the evidence covers
    strength: str  # one of STRENGTHS
    reason: str  # why that strength, in plain words
    caveat: str  # what the number cannot tell, in plain words
    run_id: str = ""
    null: float | None = None  # the value meaning "no effect" (0 for a difference, 1 for a ratio); None for a level
    sensitivity: tuple[dict, ...] = field(default_factory=tuple)  # labelled alternatives: label, value, low, high
    counts: str = ""  # what the figure counts ("aspects", "complaints"), for saying which figures compare

    def __post_init__(self):
        if self.question not in QUESTIONS:
            raise ValueError(f"unknown question {self.question!r}; known: {', '.join(QUESTIONS)}")
        if self.strength not in STRENGTHS:
            raise ValueError(f"strength {self.strength!r} is not one of {STRENGTHS}")
        if self.strength == NOT_ESTIMABLE and not self.reason:
            raise ValueError("a primary that is not estimable needs its reason")
        if not self.finding.strip():
            raise ValueError("a primary needs its finding in words")

    @property
    def scope(self) -> str:
        """"Bromley, 2019-20 and 2023-24": the councils and years the evidence covers."""
        return scope_words(self.councils, self.years)

    @property
    def headline(self) -> str:
        """The finding's main clause, short enough for a page title (see :func:`headline_of`)."""
        return headline_of(self.finding)

    @property
    def strength_words(self) -> str:
        """"unclear — the likely range …": the strength and its reason, as every page words it."""
        return self.strength + (f" — {self.reason}" if self.reason else "")

    @property
    def value_text(self) -> str:
        """The number as every page prints it ("+26 pts", "0.70", "47% a year", "4%"); "not estimable" when none."""
        return format_value(self.value, self.unit)

    @property
    def range_text(self) -> str:
        """The likely range as every page prints it ("+1 to +44 pts"); "" when there is none."""
        if self.low is None or self.high is None:
            return ""
        a, b = format_value(self.low, self.unit), format_value(self.high, self.unit)
        suffix = next((x for x in (" pts", "% a year", "%") if a.endswith(x) and b.endswith(x)), "")
        return f"{a[: len(a) - len(suffix)] if suffix else a} to {b}"

    def record(self) -> dict:
        """Plain data for the findings JSON (under :data:`FINDINGS_KEY`)."""
        out = asdict(self)
        out["councils"], out["years"] = list(self.councils), list(self.years)
        out["sensitivity"] = [dict(s) for s in self.sensitivity]
        out["scope"] = self.scope
        return out

    @classmethod
    def from_record(cls, record: dict, run_id: str = "") -> Primary:
        """The primary of a findings JSON; ValueError when the record is not a primary."""
        if not isinstance(record, dict) or "question" not in record or "strength" not in record:
            raise ValueError("the findings' primary is not a Primary record (no question or strength)")
        names = {f for f in cls.__dataclass_fields__}
        values = {k: v for k, v in record.items() if k in names}
        values["councils"] = tuple(values.get("councils") or ())
        values["years"] = tuple(values.get("years") or ())
        values["sensitivity"] = tuple(values.get("sensitivity") or ())
        if run_id and not values.get("run_id"):
            values["run_id"] = run_id
        return cls(**values)


def format_value(value, unit: str) -> str:
    """One rendering of a primary's numbers, by unit: percentage points signed and whole ("+26 pts"), a rate
    ratio to two decimals, "% a year" and "%" units whole; anything else to two significant decimals."""
    if value is None or not math.isfinite(float(value)):
        return "not estimable"
    v = float(value)
    if unit == "percentage points":
        return f"{v:+.0f} pts"
    if unit == "rate ratio":
        return f"{v:.2f}"
    if unit.startswith("% a year"):
        return f"{v:+.0f}% a year"
    if unit.startswith("%"):
        return f"{v:.0f}%"
    return f"{v:.2g}"


def scope_words(councils, years) -> str:
    """"Bromley, 2023-24" / "Bromley and Harrow, 2019-20 to 2023-24" from council ids and years."""
    names = [present.council(c) for c in councils]
    who = (names[0] if len(names) == 1 else ", ".join(names[:-1]) + f" and {names[-1]}") if names else "no council"
    ys = sorted(set(years))
    when = ("" if not ys else ys[0] if len(ys) == 1 else f"{ys[0]} and {ys[1]}" if len(ys) == 2
            else f"{ys[0]} to {ys[-1]}")
    return f"{who}, {when}" if when else who


def excludes_null(low, high, null) -> bool:
    """Whether a likely range lies wholly on one side of "no effect"."""
    if null is None or low is None or high is None or not (math.isfinite(low) and math.isfinite(high)):
        return False
    return low > null or high < null


def strength_of(low, high, null, sensitivity=(), recording: str = "", not_estimable: str = "") -> tuple[str, str]:
    """(strength, reason) of an estimate of an effect.

    ``not_estimable`` (a reason) wins, then ``recording`` (the recording change that produces the same
    numbers). Otherwise ``clear`` needs the primary range AND every labelled variance sensitivity in
    ``sensitivity`` (dicts with ``low``, ``high`` and ``label``; rows with ``variance: False`` are other
    choices, shown but not part of the rule) to exclude ``null``; a verdict that flips with the variance
    model is ``unclear`` and says which alternative flips it.
    """
    if not_estimable:
        return NOT_ESTIMABLE, not_estimable
    if recording:
        return RECORDING, recording
    if not excludes_null(low, high, null):
        return UNCLEAR, "the likely range includes no difference"
    flips = [s for s in sensitivity if s.get("variance", True) and not excludes_null(s.get("low"), s.get("high"), null)]
    if flips:
        return UNCLEAR, ("the likely range excludes no difference under the study's variance model but not "
                         f"under the alternative '{flips[0].get('label', 'sensitivity')}'")
    return CLEAR, "the likely range excludes no difference" + (
        " under every variance model tried" if any(s.get("variance", True) for s in sensitivity) else "")


def headline_of(finding: str) -> str:
    """A title that states the finding: its words up to the first ``;`` outside brackets, or a
    ``:`` that opens an elaboration ("…, like for like: a rise of …"), without the bracketed
    counts and ranges (those follow in the page's main points). A colon after a lead-in
    ("Lewisham, Stage 1 complaints: fell 12.4% …") is kept: the finding comes after it.

    "Like for like, Bromley received 30% fewer complaints in 2020-21 than in 2019-20 (445 to 310;
    ratio 0.70, …); against the trend …" → "Like for like, Bromley received 30% fewer complaints
    in 2020-21 than in 2019-20". The title keeps the sentence's own scope words, so it never says
    more than the finding does."""
    out, depth, text = [], 0, finding.strip()
    for i, char in enumerate(text):
        if char == "(":
            depth += 1
        elif char == ")":
            depth = max(0, depth - 1)
        elif depth == 0:
            if char == ";" or (char == ":" and re.match(r"\s+an?\s", text[i + 1:])):
                break  # the next clause; a colon only where an elaboration ("…: a rise of …") follows
            out.append(char)
    text = " ".join("".join(out).split()).replace(" ,", ",")
    return text.rstrip(" ,.")


def read_primary(paths: Paths, question: str, council: str = "all") -> Primary | str:
    """The primary of ``question`` for ``council`` from its findings key, or the reason there is none."""
    q = QUESTIONS[question]
    for run_id in q.run_ids(council):
        path = paths.findings / f"{run_id}.json"
        if not path.is_file():
            continue
        try:
            findings = json.loads(path.read_text(encoding="utf-8"))
        except ValueError:
            return f"its findings file {path.name} is not valid JSON"
        record = findings.get(q.findings_key)
        if record is None:
            return f"its findings ({path.name}) declare no primary"
        try:
            return Primary.from_record(record, run_id)
        except (ValueError, TypeError) as error:
            return f"its findings' primary could not be read ({error})"
    return "the notebook has not run for it"
