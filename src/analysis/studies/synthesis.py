"""What drives complaints: the four drivers' findings side by side, per council and across councils.

Reads the driver notebooks' findings files (``outputs/findings/02_root_causes*.json``,
``03_contracted_services*``, ``04_sen_surge*``, ``05_covid_dip*``) and ``data/clean`` (which
councils' reports and years are in the study), and states for each driver its finding, the
councils and years that finding covers, and its strength in words (clear / unclear / cannot be
told from a change in recording / not estimable, with the reason) — never a yes/no "supported"
verdict, which turned a printed share or a Bromley-only change into a driver "for all councils".

A driver's finding is its declared primary (:mod:`.primary`, findings key ``primary``), quoted
verbatim; a driver whose findings hold no declared primary yet is read from its older keys, with
its strength judged here. Every number comes from those files or ``data/clean``; none is typed.

Defensive by design: the driver notebooks evolve, so a key that is missing makes that driver
"not stated" (with the reason), never an error.
"""
from __future__ import annotations

import csv
import json
from dataclasses import asdict, dataclass, field

from .. import present
from ..paths import Paths
from .primary import BY_NOTEBOOK, CLEAR, NOT_ESTIMABLE, RECORDING, UNCLEAR, Primary, scope_words, strength_of

DRIVERS = {  # notebook stem → the driver, in words
    "02_root_causes": "What complaints are about (root causes)",
    "03_contracted_services": "Contracted care providers",
    "04_sen_surge": "The rise in special educational needs (SEN) complaints",
    "05_covid_dip": "The COVID-19 pandemic",
}

SHORT = {"02_root_causes": "root causes", "03_contracted_services": "contracted care",
         "04_sen_surge": "the SEN rise", "05_covid_dip": "the pandemic year"}


@dataclass
class Driver:
    notebook: str
    driver: str
    council: str  # the council the finding is about (the first of ``councils``)
    strength: str  # one of primary.STRENGTHS, in words
    finding: str  # one plain sentence with the estimate and its likely range (the primary's, verbatim)
    estimate: str = ""
    interval: str = ""
    unit: str = ""
    caveat: str = ""
    run_id: str = ""
    reason: str = ""  # why that strength
    scope: str = ""  # which councils and years the finding covers, in words
    declared: bool = False  # read from the driver's declared primary (findings key ``primary``)


@dataclass
class Missing:
    notebook: str
    driver: str
    council: str
    reason: str


@dataclass
class Synthesis:
    council: str
    councils: list[str]
    drivers: list[Driver] = field(default_factory=list)
    missing: list[Missing] = field(default_factory=list)
    units: dict[str, list[str]] = field(default_factory=dict)  # council → units its drivers count in
    coverage: dict[str, list[str]] = field(default_factory=dict)  # council → drivers stated (council="all" only)
    london: dict = field(default_factory=dict)  # the London Ombudsman funnel, from the root-causes findings
    reports: dict[str, list[str]] = field(default_factory=dict)  # council → its report years (data/clean)
    figures: dict[str, int] = field(default_factory=dict)  # council → figures read from its reports (data/clean)
    contracted_kinds: dict[str, list[str]] = field(default_factory=dict)  # council → what it counts on contracted care
    outside: list[str] = field(default_factory=list)  # what the reports show to be large that no question covers


def _get(data, *keys, default=None):
    for key in keys:
        if not isinstance(data, dict) or key not in data:
            return default
        data = data[key]
    return data


def load_driver_findings(paths: Paths, notebook: str, council: str) -> tuple[str, dict]:
    """(run_id, findings) of a driver for a council: its own per-council run, else its all-councils
    run, else its single run; ("", {}) when none exists."""
    for run_id in (f"{notebook}__{council}", f"{notebook}__all", notebook):
        path = paths.findings / f"{run_id}.json"
        if path.is_file():
            try:
                return run_id, json.loads(path.read_text(encoding="utf-8"))
            except ValueError:
                continue
    return "", {}


def _points(x) -> str:
    return present.number(x * 100, "points", 0)


def root_causes(f: dict, council: str) -> Driver | str:
    change = _get(f, "bromley_change", default={}) or {}
    cause = change.get("largest_rise")
    row = _get(change, "by_cause", cause, default=None) if cause else None
    if council in ("all", "bromley") and isinstance(row, dict) and row.get("low") is not None:
        label = present.humanise(cause).lower()
        adjusted = row.get("phi_before") is not None and row.get("phi_after") is not None
        widened = (f", allowing for {present.number(row['phi_before'], 'decimal', 2)} and "
                   f"{present.number(row['phi_after'], 'decimal', 2)} aspects per complaint" if adjusted else "")
        finding = (f"In Bromley, {label} grew from {present.number(row['share_before'], 'share')} to "
                   f"{present.number(row['share_after'], 'share')} of complaint aspects between {change['before']} and "
                   f"{change['after']} ({_points(row['difference'])}, likely range {_points(row['low'])} to {_points(row['high'])}"
                   f"{widened}), the largest rise of any cause.")
        caveat = ("Shares of aspects (one complaint can raise several): the interval counts each year's aspects as "
                  "aspects divided by its aspects per complaint; aspects per complaint also rose, so part of the rise may be "
                  "a change in recording; printed labels are mapped to shared causes by hand." if adjusted else
                  "Shares of aspects (one complaint can raise several), so the interval, which treats aspects as "
                  "independent, is a floor on the uncertainty; printed labels are mapped to shared causes by hand.")
        phis = (f" (from {present.number(row['phi_before'], 'decimal', 2)} to "
                f"{present.number(row['phi_after'], 'decimal', 2)})" if adjusted else "")
        return Driver("02_root_causes", DRIVERS["02_root_causes"], "bromley", RECORDING, finding,
                      _points(row["difference"]), f"{_points(row['low'])} to {_points(row['high'])}", "aspects", caveat,
                      reason=f"aspects per complaint also rose{phis}, and a change in how complaints are coded and "
                             "recorded would give the same numbers",
                      scope=scope_words(("bromley",), (change["before"], change["after"])))
    tops = [t for t in (_get(f, "top_causes", default={}) or {}).values()
            if isinstance(t, dict) and (council == "all" or t.get("council") == council)
            and t.get("table_total") and t.get("value") is not None]
    if not tops:
        return "the root-causes page has no cause shares for this council"
    top = max(tops, key=lambda t: t["table_total"])
    unit = top.get("measure", "complaints")
    where = present.council_period(top.get("council", council), top.get("period", ""))
    # a share of one printed table, not of all the council's complaints: no likely range (a truncated or
    # ranked table is not a sample of anything)
    finding = (f"In {where}, the largest printed cause was '{top.get('category', '')}': "
               f"{present.number(top['value'])} of the {present.number(top['table_total'])} {present.measure(unit)} "
               "in its largest cause table, a table that may not cover every complaint.")
    return Driver("02_root_causes", DRIVERS["02_root_causes"], top.get("council", council), UNCLEAR, finding,
                  present.number(top["value"] / top["table_total"], "share"), "", present.measure(unit),
                  "One year and one table: it says what complaints are about, not whether that is changing; the "
                  "council's own categories are mapped to shared causes by hand.",
                  reason="one year and one table: a description, not a change",
                  scope=scope_words((top.get("council", council),), (top.get("period", ""),)))


def contracted(f: dict, council: str) -> Driver | str:
    """An older contracted findings file (no declared primary): the council's own evidence, described."""
    evidence = [e for e in (_get(f, "evidence", default=[]) or []) if isinstance(e, dict)
                and (council == "all" or e.get("council") == council) and e.get("share") is not None]
    if not evidence:
        return "the contracted-services page has no figure for this council"
    order = {"provider": 0, "root_cause": 1, "commissioning_team": 2}
    best = sorted(evidence, key=lambda e: (order.get(e.get("kind"), 3), -(e.get("denominator") or 0),
                                           str(e.get("period"))))[0]
    unit = best.get("unit_of_count") or "complaints"
    where = present.council_period(best.get("council", council), best.get("period", ""))
    finding = (f"In {where}, {present.estimate(best['share'], best.get('low'), best.get('high'))} of "
               f"{best.get('definition') or present.measure(unit)}.")
    return Driver("03_contracted_services", DRIVERS["03_contracted_services"], best.get("council", council),
                  NOT_ESTIMABLE if best.get("kind") == "commissioning_team" else UNCLEAR,
                  finding, present.number(best["share"], "share"), present.interval(best.get("low"), best.get("high")),
                  present.measure(unit),
                  "A share of the council's complaints, not a comparison with in-house care; "
                  + ("the commissioning team, not the providers it commissions."
                     if best.get("kind") == "commissioning_team" else "the council's own definition."),
                  reason=("the commissioner is not the providers" if best.get("kind") == "commissioning_team" else
                          "a share of complaints, not a comparison with in-house care"),
                  scope=scope_words((best.get("council", council),), (best.get("period", ""),)))


def sen(f: dict, council: str) -> Driver | str:
    own = f.get("council", "")
    if not f or (council != "all" and own != council):
        return "the SEN page is about another council"
    growth = f.get("growth") or {}
    start = (growth.get("periods") or [None])[0]
    # like for like first: the printed totals add a division (Planning & Regeneration) part-way through
    like = [r for r in (f.get("share_of_rise_like_for_like") or []) if isinstance(r, dict)]
    rises = like or [r for r in (f.get("share_of_rise") or []) if isinstance(r, dict)]
    rise = next((r for r in rises if r.get("start") == start), rises[-1] if rises else None)
    if not growth or growth.get("low") is None or rise is None:
        return "the SEN page has no growth estimate for this council"
    whole = rise.get("share") is not None and rise["share"] >= 1
    excluded = [present.division(d) for d in (rise.get("excluded") or [])]
    total = ("all complaints counted like for like" + (f" (without {', '.join(excluded)}, which the printed totals "
                                                        "add part-way)" if excluded else "")
             if like else "all complaints")
    if rise.get("share") is None and rise.get("not_estimable"):
        share_words = f" — no share of the rise ({rise['not_estimable']})"
    else:
        share_words = " — more than the whole rise" if whole else f" — {present.number(rise['share'], 'share')} of the rise"
    finding = (f"In {present.council(own)}, Education complaints rose by {present.number(rise['part_change'])} between "
               f"{rise['start']} and {rise['end']} while {total} rose by {present.number(rise['total_change'])}"
               + share_words
               + f"; Education complaints grew {present.number(growth['annual_growth'], 'share')} a year "
               f"(likely range {present.number(growth['low'], 'share')} to {present.number(growth['high'], 'share')}).")
    strength, reason = strength_of(growth["low"], growth["high"], 0.0)
    if strength == CLEAR:
        reason = (f"a rise over {start} to {rise['end']}, but the yearly rate depends on the window: "
                  f"{start} is the year before the pandemic low")
    return Driver("04_sen_surge", DRIVERS["04_sen_surge"], own, strength, finding,
                  present.number(growth["annual_growth"], "share") + " a year",
                  present.interval(growth["low"], growth["high"]), "complaints",
                  f"A trend over {present.number(growth.get('n'))} years ({growth.get('family', 'a count model')}); "
                  "the reports do not separate SEN from other Education complaints in every year.",
                  reason=reason, scope=scope_words((own,), growth.get("periods") or ()))


def covid(f: dict, council: str) -> Driver | str:
    dip = f.get("dip_year", "2020-21")
    primary = f.get("primary")
    if (isinstance(primary, dict) and primary.get("estimate") is not None and primary.get("low") is not None
            and council in ("all", primary.get("council"))):  # the driver's named primary estimate comes first
        p = primary
        includes = p["low"] <= 1 <= p["high"]
        finding = (f"Like for like, {present.council(p['council'])} received {present.number(p['before'])} complaints in "
                   f"{p.get('before_period', '')} and {present.number(p['after'])} in {p.get('after_period', dip)}: "
                   f"{present.number(p['estimate'], 'ratio')} times as many (likely range "
                   f"{present.number(p['low'], 'ratio')}–{present.number(p['high'], 'ratio')}, allowing for yearly "
                   f"counts varying {present.number(p.get('dispersion'), 'decimal', 2)} times as much as chance)"
                   + ("; the interval includes no change." if includes else "."))
        trend = next((r for r in (f.get("sensitivity") or []) if isinstance(r, dict)
                      and r.get("name") == "like_for_like_vs_trend" and r.get("low") is not None), None)
        against_trend = (f" Against a trend through the {trend.get('pre_years')} pre-pandemic years instead — too few to "
                         f"check it — the ratio is {present.number(trend['estimate'], 'ratio')} (likely range "
                         f"{present.number(trend['low'], 'ratio')}–{present.number(trend['high'], 'ratio')})"
                         + (", an interval that includes no change." if trend["low"] <= 1 <= trend["high"] else ".")
                         if trend else "")
        strength, reason = strength_of(p["low"], p["high"], 1.0, [trend] if trend else ())
        if strength == UNCLEAR and not includes:
            reason = (f"complaints were clearly lower than in {p.get('before_period', 'the year before')}, but against "
                      "the pre-pandemic trend the likely range includes no change, so the fall cannot be put down to "
                      "the pandemic")
        return Driver("05_covid_dip", DRIVERS["05_covid_dip"], p["council"], strength, finding,
                      present.number(p["estimate"], "ratio"),
                      f"{present.number(p['low'], 'ratio')}–{present.number(p['high'], 'ratio')}", "complaints",
                      "Against 2019-20 itself, not a trend: one pandemic year, so the dip cannot be told apart from any "
                      "other change that year, and the year before was already below the two before it." + against_trend,
                      reason=reason, scope=scope_words((p["council"],), (p.get("before_period", ""),
                                                                         p.get("after_period", dip))))
    panels = f.get("panels") or {}
    candidates = []
    for name, panel in panels.items():
        if isinstance(panel, dict) and (council == "all" or name == council) and isinstance(panel.get("model"), dict):
            candidates.append((name, "complaints (divisions with a pre-pandemic figure)", panel["model"]))
    for key, series in (f.get("series") or {}).items():
        if (isinstance(series, dict) and isinstance(series.get("model"), dict) and series.get("channel") != "ombudsman"
                and (council == "all" or series.get("council") == council)
                and series.get("council") not in {c for c, _, _ in candidates}):
            candidates.append((series.get("council", ""), series.get("label", key), series["model"]))
    candidates = [c for c in candidates if c[2].get("rate_ratio") is not None and c[2].get("low") is not None]
    if not candidates:
        return f"the pandemic-year page has no {dip} estimate for this council"
    name, label, model = candidates[0]
    baseline = "pre-pandemic trend" if model.get("trend") else "pre-pandemic level"
    finding = (f"In {present.council(name)}, {label} in {dip} were {present.number(model['rate_ratio'], 'ratio')} times the "
               f"{baseline} (likely range {present.number(model['low'], 'ratio')}–{present.number(model['high'], 'ratio')})"
               + ("; the interval includes no change." if model["low"] <= 1 <= model["high"] else "."))
    strength, reason = strength_of(model["low"], model["high"], 1.0)
    return Driver("05_covid_dip", DRIVERS["05_covid_dip"], name, strength, finding,
                  present.number(model["rate_ratio"], "ratio"),
                  f"{present.number(model['low'], 'ratio')}–{present.number(model['high'], 'ratio')}", "complaints",
                  f"A like-for-like count model ({model.get('family', 'count model')}) over "
                  f"{present.number(model.get('n'))} figures; one pandemic year, so the dip cannot be told apart "
                  "from any other change that year.", reason=reason, scope=scope_words((name,), (dip,)))


READERS = {"02_root_causes": root_causes, "03_contracted_services": contracted, "04_sen_surge": sen,
           "05_covid_dip": covid}


def councils_in_study(paths: Paths) -> list[str]:
    """The listed councils with at least one figure in data/clean read from their own reports: a
    council whose reports all failed (or gave no figure) is not counted as "in the study", even when
    another council's report prints a figure about it (Lewisham's London-wide Ombudsman table);
    see :func:`councils_without_figures`."""
    from ..clean.manifest import read_manifest

    with_figures = _councils_with_figures(paths)
    return sorted({e.council for e in read_manifest(paths)} & with_figures)


def _councils_with_figures(paths: Paths) -> set[str]:
    """Councils with a figure in data/clean from one of their own listed reports."""
    from ..clean.manifest import read_manifest

    own = {(e.council, e.source_file) for e in read_manifest(paths)}
    path = paths.clean / "observations.csv"
    if not path.is_file():
        return set()
    with path.open(newline="", encoding="utf-8") as handle:
        return {row["council"] for row in csv.DictReader(handle) if (row["council"], row["source_file"]) in own}


def councils_without_figures(paths: Paths) -> dict[str, str]:
    """Listed council → why it has no figure, in plain words: which of its reports could not be read
    (the front page gives each one's message under "Reports that failed to extract"), else that its
    reports gave no figure."""
    from ..clean.manifest import read_manifest

    with_figures = _councils_with_figures(paths)
    errors_path = paths.clean / "clean-errors.json"
    errors = json.loads(errors_path.read_text(encoding="utf-8")) if errors_path.is_file() else []
    out = {}
    for council in sorted({e.council for e in read_manifest(paths)} - with_figures):
        failed = sorted(present.report_name(e["source_file"]) for e in errors
                        if isinstance(e, dict) and e.get("council") == council and e.get("source_file"))
        out[council] = (f"The {' and '.join(failed)} could not be read (why: see “Reports that failed to extract” below)."
                        if failed else "its reports gave no figure the reader could read.")
    return out


def from_primary(p: Primary, notebook: str) -> Driver:
    """A driver stated exactly as its declared primary: the same sentence, numbers, scope and strength."""
    return Driver(notebook, DRIVERS[notebook], p.councils[0] if p.councils else "", p.strength, p.finding,
                  p.value_text, p.range_text, p.counts or p.unit, p.caveat, p.run_id,
                  p.reason, p.scope, True)


def build(paths: Paths, council: str = "all") -> Synthesis:
    councils = councils_in_study(paths)
    out = Synthesis(council, councils)
    out.reports, out.figures = study_reports(paths)
    for notebook, reader in READERS.items():
        run_id, found = load_driver_findings(paths, notebook, council)
        if not found:
            out.missing.append(Missing(notebook, DRIVERS[notebook], council, "the study has no page on it for this council"))
            continue
        try:
            declared = Primary.from_record(found.get(BY_NOTEBOOK[notebook].findings_key), run_id)
        except (ValueError, TypeError):
            declared = None  # an older findings file: read its own keys
        if declared is not None and council not in ("all", *declared.councils):
            declared = None
        try:
            result = from_primary(declared, notebook) if declared is not None else reader(found, council)
        except (KeyError, TypeError, ValueError, IndexError) as error:  # a key renamed under us
            result = f"its findings could not be read ({type(error).__name__}: {error})"
        if isinstance(result, str):
            out.missing.append(Missing(notebook, DRIVERS[notebook], council, result))
        else:
            result.run_id = run_id
            out.drivers.append(result)
            out.units.setdefault(result.council, [])
            if result.unit and result.unit not in out.units[result.council]:  # a finding not estimable counts nothing
                out.units[result.council].append(result.unit)
    _, causes = load_driver_findings(paths, "02_root_causes", "all")
    out.london = london_benchmark(causes, councils) if causes else {}
    _, contracted_all = load_driver_findings(paths, "03_contracted_services", "all")
    for e in contracted_all.get("evidence") or []:
        if isinstance(e, dict) and e.get("council") and e.get("kind"):
            kinds = out.contracted_kinds.setdefault(e["council"], [])
            if e["kind"] not in kinds:
                kinds.append(e["kind"])
    out.outside = outside_the_questions(paths, council)
    if council == "all":
        for other in councils:
            each = build(paths, other)
            out.coverage[other] = [d.notebook for d in each.drivers]
            for c, units in each.units.items():
                out.units.setdefault(c, [])
                out.units[c] += [u for u in units if u not in out.units[c]]
    return out


def study_reports(paths: Paths) -> tuple[dict[str, list[str]], dict[str, int]]:
    """Per council, the years of its reports and how many figures the study read from them (data/clean)."""
    import pandas as pd

    path = paths.clean / "observations.csv"
    if not path.is_file():
        return {}, {}
    obs = pd.read_csv(path, dtype=str, keep_default_na=False, usecols=["council", "report_period", "source_file"])
    # a council's own reports (data/raw/<council-id with hyphens>_<year>_….txt), not the other boroughs' rows
    # another council's report prints (Lewisham's London Ombudsman table)
    own = obs[[f.rsplit("/", 1)[-1].split("_", 1)[0].replace("-", "_") == c
               for c, f in zip(obs["council"], obs["source_file"])]]
    return ({c: sorted(g["report_period"].unique()) for c, g in own.groupby("council")},
            {c: int(len(g)) for c, g in own.groupby("council")})


# What the reports show to be large that none of the four questions covers: the division tables of a
# council's latest report (the largest division) and the top-issue tables (Lewisham's "Top 5").
DIVISION_TABLE = "complaints_by_type_and_division"
TOP_ISSUE_TABLE = "top_complaint_issues"


def outside_the_questions(paths: Paths, council: str = "all") -> list[str]:
    """Sentences naming what the reports show to be large and the four questions leave out, computed from
    data/clean: each council's largest division in its latest division table (when the root-cause and
    pandemic comparisons leave it out) and each top-issue list's leading issues."""
    import pandas as pd

    from .root_causes import NOT_COMPARABLE_DIVISION

    path = paths.clean / "observations.csv"
    if not path.is_file():
        return []
    obs = pd.read_csv(path, dtype=str, keep_default_na=False)
    obs["value"] = pd.to_numeric(obs["value"], errors="coerce")
    if council != "all":
        obs = obs[obs["council"] == council]
    out = []
    divisions = obs[(obs["table"] == DIVISION_TABLE) & (obs["measure"] == "complaints") & (obs["service"] == "")
                    & (obs["category"] == "") & (obs["quarter"] == "") & obs["value"].notna()]
    for c, g in divisions.groupby("council"):
        g = g[g["period"] == g["period"].max()]
        total, parts = g[g["division"] == "all"], g[g["division"] != "all"]
        if total.empty or parts.empty:
            continue
        top = parts.loc[parts["value"].idxmax()]
        if top["division"] != NOT_COMPARABLE_DIVISION:
            continue
        share = top["value"] / total["value"].iloc[0]
        cite = present.citation(top["source_file"], int(top["source_line"]))
        out.append(f"{present.council(c)}'s largest division in {top['period']}, {present.division(top['division'])} "
                   f"({present.number(top['value'])} of {present.number(total['value'].iloc[0])} complaints, "
                   f"{present.number(share, 'share', 0)}; {cite.text}), which the root-cause and pandemic comparisons "
                   "leave out because its series is not comparable between the reports")
    tops = obs[obs["table"].str.contains(TOP_ISSUE_TABLE) & (obs["measure"] == "complaints") & (obs["category"] != "")
               & obs["value"].notna()]
    for (c, period), g in tops.groupby(["council", "period"]):
        lists = []
        for _, t in g.groupby("table", sort=True):
            t = t.sort_values("value", ascending=False)
            lists.append(", ".join(f"{r.category} ({present.number(r.value)})" for r in t.head(3).itertuples()))
        out.append(f"{present.council(c)}'s most common complaint issues in {period}, from its top-issue lists: "
                   + "; ".join(lists) + " — issues outside the contracted-care, SEN and pandemic questions, and "
                   "counted only as a top-five list")
    return out


def london_benchmark(f: dict, councils: list[str]) -> dict:
    """The study's councils in the London Ombudsman funnel (root-causes findings): the one comparison
    across councils on a shared measure. {} when the findings hold no funnel."""
    rows = [r for r in (f.get("funnel") or []) if isinstance(r, dict) and r.get("received")]
    if not rows or f.get("funnel_pooled") is None:
        return {}
    mine = [r for r in rows if r.get("borough") in councils]
    ranked = sorted(rows, key=lambda r: -(r.get("upheld") or 0) / r["received"])
    rank = {r.get("borough"): i + 1 for i, r in enumerate(ranked)}
    return {"period": f.get("funnel_period"), "boroughs": len(rows), "pooled": f["funnel_pooled"],
            "ranks": {r["borough"]: rank[r["borough"]] for r in mine},
            "dispersion": f.get("funnel_dispersion"), "adjusted": f.get("funnel_adjusted"),
            "councils": {r["borough"]: {k: r.get(k) for k in ("upheld", "received", "rate", "low95", "high95", "outside_95")}
                         for r in mine}}


def london_sentence(s: Synthesis) -> str:
    b = s.london
    if not b:
        return ""
    shown = {c: r for c, r in b["councils"].items() if s.council in ("all", c)}
    if not shown:
        return ""
    inside = sum(not r["outside_95"] for r in shown.values())
    parts = "; ".join(f"{present.council(c)} {present.number(r['upheld'])} of {present.number(r['received'])} "
                      f"({present.number(r['rate'], 'share', 1)}, limits {present.interval(r['low95'], r['high95'], 'share', 1)})"
                      for c, r in sorted(shown.items()))
    phi = b.get("dispersion")
    spread = (f"the boroughs vary {present.number(phi, 'decimal', 2)} times as much as chance allows, "
              + ("so the limits are widened to match" if b.get("adjusted") else "so the limits are the plain ones")
              if phi is not None else "their spread cannot be estimated")
    if len(shown) == 1:
        verdict = ("inside the 95% limits: it is not told apart from the London rate" if inside else
                   "outside the 95% limits")
    else:
        verdict = ((f"all {len(shown)}" if inside == len(shown) else f"{inside} of the {len(shown)}") + " sit inside the 95% limits"
                   + extremes(b, shown))
    return (f"The one measure the {b['boroughs']} London boroughs in the Ombudsman table share — Ombudsman cases upheld "
            f"against cases received, {b['period']} — is {present.number(b['pooled'], 'share', 0)} across them ({spread}): "
            f"{parts}; {verdict}. It is a crude ratio (decisions upheld in a year are not a subset of the cases received "
            "that year), so it cannot rank councils.")


def extremes(b: dict, shown: dict) -> str:
    """", though they are the 2 highest and the 2 lowest of the 28" when the study councils are the extremes."""
    ranks = sorted((b.get("ranks") or {}).get(c) for c in shown if (b.get("ranks") or {}).get(c))
    n = b["boroughs"]
    if len(ranks) < 2 or len(ranks) != len(shown) or len(ranks) >= n:
        return ""
    top = next((k for k in range(len(ranks), -1, -1) if ranks[:k] == list(range(1, k + 1))), 0)
    bottom = len(ranks) - top
    if ranks[top:] != list(range(n - bottom + 1, n + 1)):
        return ""
    parts = [f"the {top} highest" if top > 1 else "the highest" if top else "",
             f"the {bottom} lowest" if bottom > 1 else "the lowest" if bottom else ""]
    return f", though they are {' and '.join(x for x in parts if x)} of the {n}, close to the limits"


def _names(councils) -> str:
    names = [present.council(c) for c in councils]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + f" and {names[-1]}" if names else "no council"


def _span(years) -> str:
    ys = sorted(set(years))
    return "" if not ys else ys[0] if len(ys) == 1 else f"{ys[0]} and {ys[1]}" if len(ys) == 2 else f"{ys[0]} to {ys[-1]}"


def scope_sentence(s: Synthesis) -> str:
    """The study's scope in one sentence, computed from data/clean: which councils' reports, which years, and
    whose evidence dominates (the council with the most figures, when it is also the one with most reports)."""
    from ..councils import LONDON_COUNCILS

    councils = [c for c in s.councils if s.council in ("all", c)]
    years = [y for c in councils for y in s.reports.get(c, [])]
    n_reports = sum(len(s.reports.get(c, [])) for c in councils)
    london = councils and all(c in LONDON_COUNCILS and c != "city_of_london" for c in councils)
    kind = "London boroughs'" if london else "councils'"
    if s.council != "all":
        return (f"This page reads {present.council(s.council)}'s complaints reports for {_span(years)} "
                f"({n_reports} report{'s' if n_reports != 1 else ''}).")
    text = (f"This study reads {len(councils)} {kind} own annual complaints reports ({_names(councils)}), "
            f"{n_reports} reports covering {_span(years)}")
    if s.figures:
        most = max(councils, key=lambda c: s.figures.get(c, 0))
        more = len(s.reports.get(most, [])) > 1 and all(len(s.reports.get(c, [])) < len(s.reports.get(most, []))
                                                        for c in councils if c != most)
        share = s.figures.get(most, 0) / max(sum(s.figures.get(c, 0) for c in councils), 1)
        text += (f"; most of the evidence is {present.council(most)}'s ({present.number(share, 'share', 0)} of the "
                 "figures read" + (f", and the only council with more than one report: "
                                   f"{_span(s.reports.get(most, []))})" if more else ")"))
    return text + "."


def coverage_sentence(s: Synthesis) -> str:
    """Which councils' reports speak to each question; contracted care split into the providers themselves
    and the weaker evidence (a commissioning team, a recorded third-party cause)."""
    counts = {n: sorted(c for c, found in s.coverage.items() if n in found) for n in DRIVERS}
    parts = []
    for n in DRIVERS:
        if n == "03_contracted_services" and s.contracted_kinds:
            providers = sorted(c for c, k in s.contracted_kinds.items() if "provider" in k)
            others = sorted(c for c, k in s.contracted_kinds.items() if "provider" not in k)
            parts.append(f"complaints about contracted care providers for {len(providers)} ({_names(providers)})"
                         + (f", and only a commissioning team or a recorded third-party cause for {len(others)}"
                            if others else ""))
        else:
            parts.append(f"{SHORT[n]} for {len(counts[n])}" + (f" ({_names(counts[n])})" if 0 < len(counts[n]) < 3 else ""))
    every = [c for c, found in s.coverage.items() if len(found) == len(DRIVERS)]
    return (f"Of the {len(s.councils)} councils, the reports hold figures on " + "; ".join(parts) + "."
            + (f" Only {_names(every)}'s reports speak to every question." if len(every) == 1 else ""))


def comparability(s: Synthesis) -> str:
    units = sorted({u for us in s.units.values() for u in us})
    per = "; ".join(f"{present.council(c)}: {', '.join(us)}" for c, us in sorted(s.units.items()))
    london = london_sentence(s)
    if len(units) <= 1:
        return (f"The drivers' figures here are all counts of {units[0] if units else 'complaints'} ({per}); they still "
                "come from different tables and years, so compare directions, not sizes." + (f" {london}" if london else ""))
    return (f"The figures count different things — {', '.join(units)} ({per}) — and come from different years and "
            "tables, so they can be compared in direction (up or down, larger or smaller than the rest) but not ranked "
            "by size across councils or drivers." + (f" {london}" if london else ""))


def comparability_brief(s: Synthesis) -> str:
    """The front page's short form of :func:`comparability` (the synthesis page gives the detail)."""
    units = sorted({u for us in s.units.values() for u in us})
    first = (f"The figures count different things ({', '.join(units)}) and come from different years, so they "
             "compare in direction, not in size across councils." if len(units) > 1 else
             "The figures come from different tables and years, so they compare in direction, not in size.")
    b = s.london
    shown = {c: r for c, r in (b or {}).get("councils", {}).items() if s.council in ("all", c)}
    if not shown:
        return first
    inside = sum(not r["outside_95"] for r in shown.values())
    where = (f"all {len(shown)} study councils sit" if inside == len(shown) and len(shown) > 1 else
             f"{inside} of the {len(shown)} study councils sit" if len(shown) > 1 else
             f"{present.council(next(iter(shown)))} sits" if inside else f"{present.council(next(iter(shown)))} falls outside")
    return (f"{first} On the one measure the {b['boroughs']} London boroughs in the Ombudsman table share, Ombudsman cases "
            f"upheld against cases received in {b['period']} ({present.number(b['pooled'], 'share', 0)} across them), "
            f"{where}" + (" inside the 95% funnel limits" if inside else " the 95% funnel limits")
            + (extremes(b, shown) if len(shown) > 1 else "") + "; the ratio is crude, so it cannot rank councils.")


INTERVAL_MEANING = ("What a likely range is for: most figures are complete counts of a year's complaints, so a range "
                    "says how much a figure could move by chance in a year run the same way, not how far a sample might "
                    "be off; mistakes in coding, recording or printing are not in it (see the method note).")


def cannot_conclude(s: Synthesis, said_above: bool = False) -> list[str]:
    """What the study cannot tell us, for the front page and the synthesis page; ``said_above``: leave out the
    points the synthesis's policy page has already made (each driver's reason for its strength, the comparability)."""
    single = sorted(c for c in s.councils if s.council in ("all", c) and len(s.reports.get(c, [])) == 1)
    lines = [
        f"What drives complaints to English councils in general, or even in London: the study holds "
        f"{len(s.councils)} councils' reports, chosen because they were available, not sampled.",
        "That any driver causes complaints: these are yearly counts from the councils' own reports, with no "
        "comparison group and no denominators (residents, service users); a rise alongside a driver is not proof "
        "that it drove the rise.",
    ]
    if not said_above:
        lines.append(f"Which cause or council ranks highest: {comparability_brief(s)[0].lower()}{comparability_brief(s)[1:]}")
    if single:
        lines.append(f"Any trend for {_names(single)}: one report each.")
    for d in s.drivers if not said_above else []:
        if d.notebook == "03_contracted_services" and d.strength != CLEAR and "in-house" in d.finding:
            lines.append(f"Whether complaints about contracted care providers are upheld more often than in-house ones: "
                         f"{d.reason}.")
        if d.notebook == "02_root_causes" and d.strength == RECORDING:
            lines.append(f"Whether the shift in what complaints are about is real: {d.reason}.")
    if s.outside:
        lines.append("What the four questions leave out: " + "; and ".join(s.outside) + ".")
    lines.append(INTERVAL_MEANING)
    return lines


def driver_sentence(d: Driver) -> str:
    """A driver in one line for the front page and the synthesis: its finding, then its strength and scope."""
    return f"{SHORT[d.notebook][0].upper()}{SHORT[d.notebook][1:]}: {d.finding} Strength: {d.strength}" + (
        f" — {d.reason}." if d.reason else ".")


def headlines(s: Synthesis) -> list[str]:
    """One sentence per driver, in the questions' order (no driver promoted for its significance), then
    which councils' reports speak to each question."""
    order = list(DRIVERS)
    sentences = [driver_sentence(d) for d in sorted(s.drivers, key=lambda d: order.index(d.notebook))]
    sentences += [f"{SHORT[m.notebook][0].upper()}{SHORT[m.notebook][1:]}: not stated ({m.reason})." for m in s.missing]
    if s.coverage:
        sentences.append(coverage_sentence(s))
    return sentences[:5]


def key_findings(s: Synthesis) -> list[str]:
    """The page's key findings: each driver's finding (the page opens with the scope; each finding's strength and
    caveat follow in its section, so the page says each once; the front page's ``headlines`` keep both). With
    fewer than 3 drivers stated, the drivers not stated follow, with the reason (the scope is the page's own
    opening sentence, so the list does not repeat it)."""
    order = list(DRIVERS)
    findings = [f"{SHORT[d.notebook][0].upper()}{SHORT[d.notebook][1:]}: {d.finding}"
                for d in sorted(s.drivers, key=lambda d: order.index(d.notebook))]
    return (findings if len(findings) >= 3 else findings
            + [f"{SHORT[m.notebook][0].upper()}{SHORT[m.notebook][1:]}: not stated ({m.reason})." for m in s.missing])[:5]


def driver_section(d: Driver) -> str:
    """A driver on the synthesis's policy page, after the key findings that state it: its scope, the strength of
    the evidence with its reason, the caveat, and a link to the driver's own page."""
    return (f"**{d.driver}** ({d.scope or present.council(d.council)}). **Strength of the evidence:** {d.strength}"
            + (f", because {d.reason}" if d.reason else "") + "."
            + (f" *Caveat:* {d.caveat.strip()}" if d.caveat.strip() else "")  # no empty caveat label
            + (f" [More on this driver]({d.run_id}.html)." if d.run_id else ""))


def drivers_table(s: Synthesis):
    import pandas as pd

    rows = [{"driver": d.driver, "scope": d.scope or present.council(d.council), "finding": d.finding,
             "strength": d.strength, "reason": d.reason, "estimate": d.estimate or present.MISSING,
             "interval": d.interval or present.MISSING, "unit": d.unit, "caveat": d.caveat}
            for d in s.drivers]
    rows += [{"driver": m.driver, "scope": present.council(m.council), "finding": present.MISSING,
              "strength": "not stated", "reason": m.reason, "estimate": present.MISSING,
              "interval": present.MISSING, "unit": present.MISSING, "caveat": ""} for m in s.missing]
    columns = ["driver", "scope", "strength", "reason", "estimate", "interval", "unit", "caveat"]
    frame = pd.DataFrame(rows, columns=["finding", *columns])[columns]
    return present.table(frame, labels={"scope": "Councils and years", "strength": "Strength of the evidence",
                                        "reason": "Why", "interval": "95% likely range"})


def claims_checked(paths: Paths, council: str = "all") -> list[dict]:
    """Per report of the study (of ``council``): the narrative's numeric claims found, checked
    against the report's own tables, confirmed and wrong (``data/clean/claims.csv``)."""
    import pandas as pd

    claims = pd.read_csv(paths.clean / "claims.csv", dtype=str, keep_default_na=False)
    if council != "all":
        claims = claims[claims["council"] == council]
    return [{"report": present.report_name(f), "found": len(c), "checked": int(c["verdict"].isin(["confirmed", "wrong"]).sum()),
             "confirmed": int((c["verdict"] == "confirmed").sum()), "wrong": int((c["verdict"] == "wrong").sum())}
            for f, c in claims.groupby("source_file", sort=True)]


def claims_sentence(rows: list[dict]) -> str:
    """One sentence: how many claims were checked, confirmed and wrong, report by report."""
    parts = "; ".join(f"{r['report']}: {r['checked']:,} of {r['found']:,} checked, {r['confirmed']:,} confirmed, "
                      f"{r['wrong']:,} wrong" for r in rows)
    return f"The reports' own narrative claims, checked against their tables — {parts}." if rows else ""


def findings(s: Synthesis) -> dict:
    return {
        "council": s.council, "councils": s.councils, "scope": scope_sentence(s), "reports": s.reports,
        "headlines": headlines(s), "key_findings": key_findings(s), "outside_the_questions": s.outside,
        "contracted_kinds": s.contracted_kinds,
        "drivers": [asdict(d) for d in s.drivers], "not_stated": [asdict(m) for m in s.missing],
        "units": s.units, "coverage": s.coverage, "comparability": comparability(s), "cannot_conclude": cannot_conclude(s),
        "london_benchmark": s.london,
    }
