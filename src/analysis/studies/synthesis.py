"""What drives complaints: the four drivers' findings side by side, per council and across councils.

Reads the driver notebooks' findings files (``outputs/findings/02_root_causes*.json``,
``03_contracted_services*``, ``04_sen_surge*``, ``05_covid_dip*``) and ``data/clean`` (which
councils' reports are in the study), and states for each driver whether the data supports it,
with its estimate, interval, unit and caveat. Every number comes from those files; none is typed.

Defensive by design: the driver notebooks evolve, so a key that is missing makes that driver
"not stated" (with the reason), never an error. A driver that states ``key_findings`` keeps them.
"""
from __future__ import annotations

import csv
import json
from dataclasses import asdict, dataclass, field

from .. import present
from ..paths import Paths
from ..stats import wilson

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
    council: str
    supported: bool  # the estimate's interval excludes "no effect"
    finding: str  # one plain sentence with the estimate and interval
    estimate: str = ""
    interval: str = ""
    unit: str = ""
    caveat: str = ""
    run_id: str = ""


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
        widened = (f", widened for φ = {present.number(row['phi_before'], 'decimal', 2)} and "
                   f"{present.number(row['phi_after'], 'decimal', 2)} aspects per complaint" if adjusted else "")
        finding = (f"In Bromley, {label} grew from {present.number(row['share_before'], 'share')} to "
                   f"{present.number(row['share_after'], 'share')} of complaint aspects between {change['before']} and "
                   f"{change['after']} ({_points(row['difference'])}, 95% CI {_points(row['low'])} to {_points(row['high'])}"
                   f"{widened}), the largest rise of any cause.")
        caveat = ("Shares of aspects (one complaint can raise several): the interval counts each year's aspects as "
                  "aspects ÷ φ, its aspects per complaint; aspects per complaint also rose, so part of the rise may be "
                  "a change in recording; printed labels are mapped to shared causes by hand." if adjusted else
                  "Shares of aspects (one complaint can raise several), so the interval, which treats aspects as "
                  "independent, is a floor on the uncertainty; printed labels are mapped to shared causes by hand.")
        return Driver("02_root_causes", DRIVERS["02_root_causes"], "bromley", row["low"] > 0 or row["high"] < 0, finding,
                      _points(row["difference"]), f"{_points(row['low'])} to {_points(row['high'])}", "aspects", caveat)
    tops = [t for t in (_get(f, "top_causes", default={}) or {}).values()
            if isinstance(t, dict) and (council == "all" or t.get("council") == council)
            and t.get("table_total") and t.get("value") is not None]
    if not tops:
        return "its findings hold no cause shares for this council"
    top = max(tops, key=lambda t: t["table_total"])
    share = wilson(top["value"], top["table_total"])
    unit = top.get("measure", "complaints")
    where = present.council_period(top.get("council", council), top.get("period", ""))
    finding = (f"In {where}, the largest cause was '{top.get('category', '')}': "
               f"{present.estimate(share.rate, share.low, share.high)} of {present.measure(unit)} "
               f"in its largest cause table ({present.number(top['table_total'])} {present.measure(unit)}).")
    return Driver("02_root_causes", DRIVERS["02_root_causes"], top.get("council", council), True, finding,
                  present.number(share.rate, "share"), present.interval(share.low, share.high), present.measure(unit),
                  "One year and one table: it says what complaints are about, not whether that is changing; the "
                  "council's own categories are mapped to shared causes by hand.")


def contracted(f: dict, council: str) -> Driver | str:
    by_period = _get(f, "bromley", "contracted_vs_in_house", default={}) or {}
    if council in ("all", "bromley") and by_period:
        period = sorted(by_period)[-1]
        row = _get(by_period, period, "upheld_or_partially", default=None)
        if isinstance(row, dict) and row.get("low") is not None:
            # the over-dispersion-adjusted interval (aspects move together; φ across Bromley's services) when
            # the driver states one, else the plain Newcombe interval, said as such
            adjusted = row.get("adj_low") is not None and row.get("adj_high") is not None
            low, high = (row["adj_low"], row["adj_high"]) if adjusted else (row["low"], row["high"])
            overlaps = low <= 0 <= high
            level = (f"95% CI adjusted for over-dispersion (φ = {present.number(row.get('phi'), 'decimal', 2)})"
                     if adjusted else "95% CI")
            finding = (f"In Bromley {period}, {present.number(row['rate_contracted'], 'share')} of aspects about contracted "
                       f"care providers were upheld or partly upheld, against {present.number(row['rate_in_house'], 'share')} "
                       f"for in-house adult social care ({_points(row['difference'])}, {level} {_points(low)} to "
                       f"{_points(high)}"
                       + ("; the interval includes no difference)." if overlaps else ")."))
            caveat = (f"Small numbers ({present.number(row.get('n_contracted'))} contracted aspects); aspects of one "
                      "complaint are not independent" + (", which the adjusted interval allows for." if adjusted else
                                                         ", so the interval is a floor on the uncertainty."))
            return Driver("03_contracted_services", DRIVERS["03_contracted_services"], "bromley", not overlaps, finding,
                          _points(row["difference"]), f"{_points(low)} to {_points(high)}", "aspects", caveat)
    evidence = [e for e in (_get(f, "evidence", default=[]) or []) if isinstance(e, dict)
                and (council == "all" or e.get("council") == council) and e.get("share") is not None]
    if not evidence:
        return "its findings hold no contracted-services figure for this council"
    order = {"provider": 0, "root_cause": 1, "commissioning_team": 2}
    best = sorted(evidence, key=lambda e: (order.get(e.get("kind"), 3), -(e.get("denominator") or 0),
                                           str(e.get("period"))))[0]
    unit = best.get("unit_of_count") or "complaints"
    where = present.council_period(best.get("council", council), best.get("period", ""))
    finding = (f"In {where}, {present.estimate(best['share'], best.get('low'), best.get('high'))} of "
               f"{best.get('definition') or present.measure(unit)}.")
    return Driver("03_contracted_services", DRIVERS["03_contracted_services"], best.get("council", council), True,
                  finding, present.number(best["share"], "share"), present.interval(best.get("low"), best.get("high")),
                  present.measure(unit),
                  "A share of the council's complaints, not a comparison with in-house care; "
                  + ("the commissioning team, not the providers it commissions."
                     if best.get("kind") == "commissioning_team" else "the council's own definition."))


def sen(f: dict, council: str) -> Driver | str:
    own = f.get("council", "")
    if not f or (council != "all" and own != council):
        return "the SEN notebook studies another council"
    growth = f.get("growth") or {}
    start = (growth.get("periods") or [None])[0]
    # like for like first: the printed totals add a division (Planning & Regeneration) part-way through
    like = [r for r in (f.get("share_of_rise_like_for_like") or []) if isinstance(r, dict)]
    rises = like or [r for r in (f.get("share_of_rise") or []) if isinstance(r, dict)]
    rise = next((r for r in rises if r.get("start") == start), rises[-1] if rises else None)
    if not growth or growth.get("low") is None or rise is None:
        return "its findings hold no growth estimate"
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
               f"(95% CI {present.number(growth['low'], 'share')} to {present.number(growth['high'], 'share')}).")
    return Driver("04_sen_surge", DRIVERS["04_sen_surge"], own, growth["low"] > 0, finding,
                  present.number(growth["annual_growth"], "share") + " a year",
                  present.interval(growth["low"], growth["high"]), "complaints",
                  f"A trend over {present.number(growth.get('n'))} years ({growth.get('family', 'a count model')}); "
                  "the reports do not separate SEN from other Education complaints in every year.")


def covid(f: dict, council: str) -> Driver | str:
    dip = f.get("dip_year", "2020-21")
    primary = f.get("primary")
    if (isinstance(primary, dict) and primary.get("estimate") is not None and primary.get("low") is not None
            and council in ("all", primary.get("council"))):  # the driver's named primary estimate comes first
        p = primary
        includes = p["low"] <= 1 <= p["high"]
        finding = (f"Like for like, {present.council(p['council'])} received {present.number(p['before'])} complaints in "
                   f"{p.get('before_period', '')} and {present.number(p['after'])} in {p.get('after_period', dip)}: "
                   f"a rate ratio of {present.number(p['estimate'], 'ratio')} (95% CI "
                   f"{present.number(p['low'], 'ratio')}–{present.number(p['high'], 'ratio')}, widened for "
                   f"over-dispersion, φ = {present.number(p.get('dispersion'), 'decimal', 2)})"
                   + ("; the interval includes no change." if includes else "."))
        trend = next((r for r in (f.get("sensitivity") or []) if isinstance(r, dict)
                      and r.get("name") == "like_for_like_vs_trend" and r.get("low") is not None), None)
        against_trend = (f" Against a trend through the {trend.get('pre_years')} pre-pandemic years instead — too few to "
                         f"check it — the ratio is {present.number(trend['estimate'], 'ratio')} (95% CI "
                         f"{present.number(trend['low'], 'ratio')}–{present.number(trend['high'], 'ratio')})"
                         + (", an interval that includes no change." if trend["low"] <= 1 <= trend["high"] else ".")
                         if trend else "")
        return Driver("05_covid_dip", DRIVERS["05_covid_dip"], p["council"], not includes, finding,
                      present.number(p["estimate"], "ratio"),
                      f"{present.number(p['low'], 'ratio')}–{present.number(p['high'], 'ratio')}", "complaints",
                      "Against 2019-20 itself, not a trend: one pandemic year, so the dip cannot be told apart from any "
                      "other change that year, and the year before was already below the two before it." + against_trend)
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
        return f"its findings hold no {dip} model for this council"
    name, label, model = candidates[0]
    baseline = "pre-pandemic trend" if model.get("trend") else "pre-pandemic level"
    finding = (f"In {present.council(name)}, {label} in {dip} were {present.number(model['rate_ratio'], 'ratio')} times the "
               f"{baseline} (95% CI {present.number(model['low'], 'ratio')}–{present.number(model['high'], 'ratio')})"
               + ("; the interval includes no change." if model["low"] <= 1 <= model["high"] else "."))
    return Driver("05_covid_dip", DRIVERS["05_covid_dip"], name, not (model["low"] <= 1 <= model["high"]), finding,
                  present.number(model["rate_ratio"], "ratio"),
                  f"{present.number(model['low'], 'ratio')}–{present.number(model['high'], 'ratio')}", "complaints",
                  f"A like-for-like count model ({model.get('family', 'count model')}) over "
                  f"{present.number(model.get('n'))} figures; one pandemic year, so the dip cannot be told apart "
                  "from any other change that year.")


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
    """Listed council → why it has no figure (its reports' failure messages, else "no figure was read")."""
    from ..clean.manifest import read_manifest

    with_figures = _councils_with_figures(paths)
    errors_path = paths.clean / "clean-errors.json"
    errors = json.loads(errors_path.read_text(encoding="utf-8")) if errors_path.is_file() else []
    out = {}
    for council in sorted({e.council for e in read_manifest(paths)} - with_figures):
        messages = [e.get("message", "").split(". The other reports were cleaned")[0]
                    for e in errors if isinstance(e, dict) and e.get("council") == council]
        out[council] = ("its report could not be read: " + "; ".join(m for m in messages if m) + "."
                        if any(messages) else "its report gave no figure the reader could read.")
    return out


def build(paths: Paths, council: str = "all") -> Synthesis:
    councils = councils_in_study(paths)
    out = Synthesis(council, councils)
    for notebook, reader in READERS.items():
        run_id, found = load_driver_findings(paths, notebook, council)
        if not found:
            out.missing.append(Missing(notebook, DRIVERS[notebook], council, "the notebook has not run for it"))
            continue
        try:
            result = reader(found, council)
        except (KeyError, TypeError, ValueError, IndexError) as error:  # a key renamed under us
            result = f"its findings could not be read ({type(error).__name__}: {error})"
        if isinstance(result, str):
            out.missing.append(Missing(notebook, DRIVERS[notebook], council, result))
        else:
            result.run_id = run_id
            out.drivers.append(result)
            out.units.setdefault(result.council, [])
            if result.unit not in out.units[result.council]:
                out.units[result.council].append(result.unit)
    _, causes = load_driver_findings(paths, "02_root_causes", "all")
    out.london = london_benchmark(causes, councils) if causes else {}
    if council == "all":
        for other in councils:
            each = build(paths, other)
            out.coverage[other] = [d.notebook for d in each.drivers]
            for c, units in each.units.items():
                out.units.setdefault(c, [])
                out.units[c] += [u for u in units if u not in out.units[c]]
    return out


def london_benchmark(f: dict, councils: list[str]) -> dict:
    """The study's councils in the London Ombudsman funnel (root-causes findings): the one comparison
    across councils on a shared measure. {} when the findings hold no funnel."""
    rows = [r for r in (f.get("funnel") or []) if isinstance(r, dict) and r.get("received")]
    if not rows or f.get("funnel_pooled") is None:
        return {}
    mine = [r for r in rows if r.get("borough") in councils]
    return {"period": f.get("funnel_period"), "boroughs": len(rows), "pooled": f["funnel_pooled"],
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
    spread = (f"φ = {present.number(phi, 'decimal', 2)}, " + ("so the funnel limits are widened by √φ" if b.get("adjusted")
                                                             else "so the limits are the binomial ones")
              if phi is not None else "φ not estimable")
    if len(shown) == 1:
        verdict = ("inside the 95% limits: it is not told apart from the London rate" if inside else
                   "outside the 95% limits")
    else:
        verdict = ((f"all {len(shown)}" if inside == len(shown) else f"{inside} of the {len(shown)}") + " sit inside the 95% limits"
                   + (", so the council rankings the reports quote say little" if inside == len(shown) else ""))
    return (f"The one measure every London borough shares — Ombudsman cases upheld out of cases received, "
            f"{b['period']} — is {present.number(b['pooled'], 'share', 0)} across {b['boroughs']} boroughs ({spread}): "
            f"{parts}; {verdict}.")


def coverage_sentence(s: Synthesis) -> str:
    counts = {n: sum(n in found for found in s.coverage.values()) for n in DRIVERS}
    parts = ", ".join(f"{SHORT[n]} for {counts[n]}" for n in DRIVERS)
    return (f"Of the {len(s.councils)} councils in the study, the reports hold figures on {parts}; "
            "only Bromley's reports speak to every driver." if all(
                len(f) < len(DRIVERS) for c, f in s.coverage.items() if c != "bromley") and len(
                s.coverage.get("bromley", [])) == len(DRIVERS) else
            f"Of the {len(s.councils)} councils in the study, the reports hold figures on {parts}.")


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
    return (f"{first} On the one measure every London borough shares, Ombudsman cases upheld in {b['period']} "
            f"({present.number(b['pooled'], 'share', 0)} across {b['boroughs']} boroughs), {where}"
            + (" inside the 95% funnel limits." if inside else " the 95% funnel limits."))


def cannot_conclude(s: Synthesis) -> list[str]:
    lines = [
        f"Which cause matters most across councils: the units differ ({', '.join(sorted({u for us in s.units.values() for u in us})) or 'none'}), "
        "so a ranking across councils would compare unlike counts.",
        "That any driver causes complaints: these are observational yearly counts from the councils' own reports, "
        "with no comparison group; a rise alongside a driver is not proof that it drove the rise.",
        f"Anything about English councils in general: the study holds {len(s.councils)} London councils' reports, "
        "chosen because they were available, not sampled.",
    ]
    for d in s.drivers:
        if d.notebook == "03_contracted_services" and not d.supported and "in-house" in d.finding:
            lines.insert(1, "That contracted care is worse than in-house care: the interval of the difference "
                            f"({d.interval}) includes no difference.")
    return lines


def headlines(s: Synthesis) -> list[str]:
    """3–5 sentences: one per driver with a finding (supported ones first), then how far they compare."""
    ordered = sorted(s.drivers, key=lambda d: (not d.supported, list(DRIVERS).index(d.notebook)))
    sentences = [d.finding for d in ordered][:3 if s.coverage else 4]
    if s.coverage:
        sentences.append(coverage_sentence(s))
    sentences.append(comparability_brief(s))
    return sentences[:5]


def key_findings(s: Synthesis) -> list[str]:
    supported = [d for d in s.drivers if d.supported]
    items = [f"{d.driver}: {d.finding}" for d in supported][:3]
    items.append(f"The data supports {len(supported)} of the {len(DRIVERS)} drivers for "
                 f"{present.council(s.council).lower() if s.council == 'all' else present.council(s.council)}"
                 + (f"; not stated: {'; '.join(m.driver for m in s.missing)}." if s.missing else "."))
    items.append(cannot_conclude(s)[0])
    return items[:5]


def drivers_table(s: Synthesis):
    import pandas as pd

    rows = [{"driver": d.driver, "council": d.council, "supported": "yes" if d.supported else "not clearly",
             "estimate": d.estimate, "interval": d.interval or present.MISSING, "unit": d.unit, "caveat": d.caveat}
            for d in s.drivers]
    rows += [{"driver": m.driver, "council": m.council, "supported": "not stated", "estimate": present.MISSING,
              "interval": present.MISSING, "unit": present.MISSING, "caveat": m.reason} for m in s.missing]
    frame = pd.DataFrame(rows, columns=["driver", "council", "supported", "estimate", "interval", "unit", "caveat"])
    return present.table(frame, kinds={"council": "council"},
                         labels={"supported": "Supported by the data", "interval": "95% interval"})


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
        "council": s.council, "councils": s.councils, "headlines": headlines(s), "key_findings": key_findings(s),
        "drivers": [asdict(d) for d in s.drivers], "not_stated": [asdict(m) for m in s.missing],
        "units": s.units, "coverage": s.coverage, "comparability": comparability(s), "cannot_conclude": cannot_conclude(s),
        "london_benchmark": s.london,
    }
