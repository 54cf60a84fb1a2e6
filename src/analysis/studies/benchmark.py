"""London benchmark: the Ombudsman upheld rates of the London boroughs Lewisham's report prints, 2020-21.

Lewisham's 2020-21 report prints, for the London boroughs it compares itself with (28 in its
table, not all 32), the
Ombudsman (LGSCO) cases *received* in 2020-21 and the cases *upheld* (its tables "LGSCO Cases
Received / Upheld in 2020/21 - London Boroughs"). The cleaner extracts them as
``ombudsman_referrals`` and ``ombudsman_upheld`` (stage ``ombudsman``), one row per borough.

The rate is **upheld out of received**: the table does not print decisions or detailed
investigations, so this is not the Ombudsman's own "% upheld" (upheld out of investigated), and
cases received in a year are not all decided in it. It is the same measure for every borough,
which is what a funnel needs — but upheld decisions are not a subset of cases received (a
decision in 2020-21 may be on a case received in 2019-20, more so after the Ombudsman's spring 2020
pause), so binomial limits on this crude ratio have no sampling basis and are descriptive only.
Limits are Spiegelhalter's, widened by the boroughs' own Pearson over-dispersion φ
(:func:`analysis.stats.funnel`); each borough's exact binomial tail probability at the pooled rate
and its rank are given too, because the study's councils sit at the extremes. Where a council's own
report prints the Ombudsman's measure (upheld out of detailed investigations, with the London
average), :func:`ombudsman_own_measure` gives it beside the crude ratio.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from .. import present, stats

SOURCE_COUNCIL = "lewisham"
PERIOD = "2020-21"
RECEIVED, UPHELD = "ombudsman_referrals", "ombudsman_upheld"
STUDY_COUNCILS = ("barking_and_dagenham", "bromley", "harrow", "lewisham")


def london_table(observations: pd.DataFrame) -> pd.DataFrame:
    """One row per borough: received, upheld, and the source line of each (from Lewisham's report)."""
    mine = observations[observations["source_file"].str.contains(f"/{SOURCE_COUNCIL}_{PERIOD}", regex=False)
                        & (observations["period"] == PERIOD) & (observations["stage"] == "ombudsman")
                        & observations["measure"].isin([RECEIVED, UPHELD]) & observations["table"].str.contains("london")
                        & observations["value"].notna()]
    if mine.empty:
        return pd.DataFrame(columns=["borough", "received", "upheld", "received_source", "upheld_source"])
    wide = mine.pivot_table(index="council", columns="measure", values="value", aggfunc="first")
    lines = mine.assign(source=mine["source_file"] + ":" + mine["source_line"].astype(int).astype(str)).pivot_table(
        index="council", columns="measure", values="source", aggfunc="first")
    table = pd.DataFrame({"borough": wide.index, "received": wide[RECEIVED].to_numpy(), "upheld": wide[UPHELD].to_numpy(),
                          "received_source": lines[RECEIVED].to_numpy(), "upheld_source": lines[UPHELD].to_numpy()})
    return table.dropna(subset=["received", "upheld"]).sort_values("borough").reset_index(drop=True)


@dataclass
class Benchmark:
    table: pd.DataFrame  # borough, received, upheld, rate, limits, z, outside_95, outside_998, study
    funnel: stats.Funnel
    plain: stats.Funnel  # the same limits without the over-dispersion adjustment
    own: pd.DataFrame | None = None  # the Ombudsman's own uphold rate where a report prints it (ombudsman_own_measure)
    national: dict | None = None  # England's uphold rate that year (data/reference/external_figures.csv), with its source

    @property
    def pooled(self) -> float:
        return self.funnel.pooled

    @property
    def dispersion(self) -> float:
        return self.funnel.dispersion


def national_uphold_rate(external: pd.DataFrame | None, period: str = PERIOD) -> dict | None:
    """The Ombudsman's uphold rate for English councils in ``period`` (upheld of detailed investigations,
    local-government scope) from the reviewed external figures, with publisher and address; None if absent."""
    if external is None or external.empty:
        return None
    hit = external[(external["council"] == "england") & (external["period"] == period)
                   & (external["measure"] == "lgsco_uphold_rate_pct") & (external["scope"] == "local_government")]
    if hit.empty:
        return None
    r = hit.iloc[0]
    return {"value": float(r["value"]), "publisher": r["publisher"], "address": r["address"], "figure_id": r["figure_id"]}


def benchmark(observations: pd.DataFrame, external: pd.DataFrame | None = None) -> Benchmark | None:
    """The funnel of every borough in the London table (None if the table is not in the data); ``external``
    (:func:`analysis.reference.load_external_figures`) adds England's uphold rate that year for context."""
    table = london_table(observations)
    if len(table) < 2:
        return None
    adjusted = stats.funnel(table["borough"], table["upheld"], table["received"], adjust=True)
    plain = stats.funnel(table["borough"], table["upheld"], table["received"], adjust=False)
    from scipy.stats import binom

    points = {p.label: p for p in adjusted.points}
    unadjusted = {p.label: p for p in plain.points}
    rank = table.assign(rate=table["upheld"] / table["received"])["rate"].rank(ascending=False, method="min")
    rows = []
    for _, r in table.iterrows():
        p, q = points[r["borough"]], unadjusted[r["borough"]]
        rows.append({**r.to_dict(), "rate": p.rate, "low95": p.low95, "high95": p.high95, "low998": p.low998,
                     "high998": p.high998, "z": p.z, "outside_95": bool(abs(p.z) > 1.959964),
                     "outside_998": bool(abs(p.z) > 3.090232), "z_unadjusted": q.z,
                     "outside_95_unadjusted": bool(abs(q.z) > 1.959964), "study": r["borough"] in STUDY_COUNCILS,
                     # exact binomial tail at the pooled rate, on the side the borough lies (one-sided)
                     "exact_tail": float(binom.sf(r["upheld"] - 1, r["received"], adjusted.pooled) if p.rate > adjusted.pooled
                                         else binom.cdf(r["upheld"], r["received"], adjusted.pooled)),
                     "rank": int(rank.loc[_]), "of": len(table)})
    return Benchmark(pd.DataFrame(rows), adjusted, plain, ombudsman_own_measure(observations),
                     national_uphold_rate(external))


def findings(result: Benchmark | None) -> dict:
    """``funnel`` (one row per borough), ``funnel_pooled``, ``funnel_dispersion`` for the findings JSON."""
    if result is None:
        return {"funnel": [], "funnel_pooled": None, "funnel_dispersion": None}
    keys = ("borough", "upheld", "received", "rate", "low95", "high95", "low998", "high998", "z", "outside_95",
            "outside_998", "study", "upheld_source", "received_source", "exact_tail", "rank", "of")
    rows = [{k: r[k] for k in keys} for _, r in result.table.iterrows()]
    for row in rows:
        row["denominator"] = "cases received"
    return {"funnel": rows, "funnel_pooled": result.pooled, "funnel_dispersion": result.dispersion,
            "funnel_adjusted": result.funnel.adjusted, "funnel_period": PERIOD,
            "funnel_outside_95": [r["borough"] for r in rows if r["outside_95"]],
            "funnel_outside_998": [r["borough"] for r in rows if r["outside_998"]],
            "funnel_outside_95_unadjusted": list(result.table.loc[result.table["outside_95_unadjusted"], "borough"]),
            "ombudsman_own_measure": [] if result.own is None else result.own.to_dict("records"),
            "ombudsman_england_uphold_rate": result.national,
            "funnel_boroughs": len(rows), "funnel_study_ranks": {r["borough"]: r["rank"] for r in rows if r["study"]},
            "funnel_basis": ("descriptive: upheld decisions are not a subset of cases received, so the binomial limits "
                             "have no sampling basis")}


def ombudsman_own_measure(observations: pd.DataFrame, period: str = PERIOD) -> pd.DataFrame:
    """The Ombudsman's own uphold rate (upheld of detailed investigations) and the London average, where a
    council's report prints both for ``period``: council, rate, london_average, sources."""
    rows = observations[(observations["period"] == period) & (observations["stage"] == "ombudsman")
                        & observations["measure"].isin(["pct_ombudsman_upheld", "pct_ombudsman_upheld_london_average"])
                        & observations["value"].notna()]
    out = []
    for council, g in rows.groupby("council"):
        own, avg = g[g["measure"] == "pct_ombudsman_upheld"], g[g["measure"] == "pct_ombudsman_upheld_london_average"]
        if own.empty or avg.empty:
            continue
        out.append({"council": council, "rate": float(own["value"].iloc[0]), "london_average": float(avg["value"].iloc[0]),
                    "source": f"{own['source_file'].iloc[0]}:{int(own['source_line'].iloc[0])}",
                    "average_source": f"{avg['source_file'].iloc[0]}:{int(avg['source_line'].iloc[0])}"})
    return pd.DataFrame(out, columns=["council", "rate", "london_average", "source", "average_source"])


def _names(boroughs) -> str:
    names = [present.council(b) for b in boroughs]
    if not names:
        return "none"
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def spread_words(phi: float) -> str:
    """φ in words: how far the boroughs vary beyond binomial chance."""
    if not np.isfinite(phi):
        return "the spread could not be estimated"
    if phi <= 1.2:
        return f"about as much as chance alone would give (φ = {present.number(phi, 'decimal', 2)})"
    return f"more than chance alone allows (φ = {present.number(phi, 'decimal', 2)})"


def headline(result: Benchmark) -> str:
    """One sentence: the pooled rate, φ and who lies outside the adjusted limits."""
    t = result.table
    outside = t.loc[t["outside_95"], "borough"]
    study = t[t["study"]]
    inside = study[~study["outside_95"]]
    where = ("no borough lies" if not len(outside) else
             f"{_names(outside)} {'lies' if len(outside) == 1 else 'lie'}")
    ranks = sorted(int(r) for r in study["rank"])
    extremes = ranks == sorted([*range(1, len(ranks) // 2 + 1), *range(len(t) - (len(ranks) - len(ranks) // 2) + 1, len(t) + 1)])
    return (f"Across the {len(t)} London boroughs in Lewisham's table, {present.number(t['upheld'].sum())} of "
            f"{present.number(t['received'].sum())} Ombudsman cases received in {PERIOD} were upheld "
            f"({present.number(result.pooled, 'share', 1)}); boroughs vary {spread_words(result.dispersion)}. "
            f"{where[:1].upper() + where[1:]} outside the 95% funnel limits; {len(inside)} of the study's "
            f"{len(study)} councils sit inside them"
            + (f", but they are the {len(ranks) // 2} highest and {len(ranks) - len(ranks) // 2} lowest of the {len(t)}, "
               "on or near the limits" if extremes and len(ranks) > 1 else "")
            + ". This crude ratio counts decisions over cases received, which are not the same cases, so the limits "
              "describe the spread; they are not a test.")


def own_measure_sentence(result: Benchmark) -> str:
    """The Ombudsman's own uphold rate beside the crude ratio, for the councils whose reports print it."""
    if result.own is None or result.own.empty:
        return ""
    parts = []
    for _, r in result.own.iterrows():
        side = "below" if r["rate"] < r["london_average"] else "above" if r["rate"] > r["london_average"] else "at"
        parts.append(f"{present.council(r['council'])} was {side} the London average on the Ombudsman's own measure "
                     f"(upheld of cases it investigated: {present.number(r['rate'], 'pct', 0)} against "
                     f"{present.number(r['london_average'], 'pct', 0)} in {PERIOD}, "
                     f"{present.citation(r['source']).markdown()})")
    text = "; ".join(parts) + "."
    if result.national:
        n = result.national
        text += (f" Across English councils the Ombudsman upheld {present.number(n['value'], 'pct', 0)} of the cases it "
                 f"investigated that year ([{n['publisher']}]({n['address']})).")
    return text


def text(result: Benchmark | None) -> str:
    """The section's narrative, every number computed."""
    if result is None:
        return "The London Ombudsman table is not in the clean data, so there is no benchmark."
    t = result.table
    plain_out = t.loc[t["outside_95_unadjusted"], "borough"]
    near = t[t["study"] & ~t["outside_95"] & (t["z"].abs() > 1.5)]
    lines = [headline(result) + (" " + own_measure_sentence(result) if own_measure_sentence(result) else "")]
    if len(near):
        lines[0] += (f" {_names(near['borough'])} are close to the limits (|z| above 1.5), so a different year "
                     "could put them outside — a reason to watch, not a ranking.")
    lines.append("")
    for _, r in t[t["study"]].sort_values("rate", ascending=False).iterrows():
        lines.append(f"- **{present.council(r['borough'])}**: {present.number(r['upheld'])} of "
                     f"{present.number(r['received'])} upheld ({present.number(r['rate'], 'share', 1)}; "
                     f"95% limits at its size {present.interval(r['low95'], r['high95'], 'share', 1)}; "
                     f"z = {present.number(r['z'], 'decimal', 2)}).")
    lines.append("")
    lines.append(f"Without the over-dispersion adjustment (plain binomial limits), "
                 f"{present.number(len(plain_out))} {'borough lies' if len(plain_out) == 1 else 'boroughs lie'} outside the 95% limits"
                 f"{': ' + _names(plain_out) if len(plain_out) else ''} — the \"rankings\" such a table invites mostly "
                 "reflect chance and the spread every borough shares. Source: "
                 f"{present.citation(t['received_source'].iloc[0]).markdown()} (received) and "
                 f"{present.citation(t['upheld_source'].iloc[0]).markdown()} (upheld).")
    return "\n".join(lines)


def for_council(result: Benchmark | None, council: str) -> Benchmark | None:
    """The benchmark as one council's page shows it: only that council highlighted and named, and the
    Ombudsman's own measure only if that council's report prints it (a council's page is about that council).
    None when the council is not in the London table."""
    if result is None or council == "all":
        return result
    if council not in set(result.table["borough"]):
        return None
    own = result.own[result.own["council"] == council] if result.own is not None else None
    return replace(result, table=result.table.assign(study=result.table["borough"] == council), own=own)


def policy_text(result: Benchmark | None) -> str:
    """The policy page's short form of :func:`text`: the London rate, where the study's councils sit, and what the
    crude ratio cannot do, in plain words (the analyst page keeps the limits, the spread and the sources)."""
    if result is None:
        return "The London Ombudsman table is not in the clean data, so there is no benchmark."
    t = result.table
    study = t[t["study"]].sort_values("rate", ascending=False)
    inside = int((~study["outside_95"]).sum())
    lines = [f"Across the {len(t)} London boroughs in Lewisham's table, the Ombudsman upheld "
             f"{present.number(result.pooled, 'share', 0)} of the cases it received in {PERIOD}; "
             + (f"all {inside} study councils are" if inside == len(study) and inside > 1 else
                f"{inside} of the {len(study)} study councils are" if len(study) > 1 else
                f"{present.council(study['borough'].iloc[0])} is" if inside else
                f"{present.council(study['borough'].iloc[0])} is not")
             + f" within the range chance allows for {'their' if len(study) > 1 else 'its'} size"
             f" ({_extremes_words(study)})."]
    if result.own is not None and len(result.own):
        r = result.own.iloc[0]
        side = "below" if r["rate"] < r["london_average"] else "above" if r["rate"] > r["london_average"] else "at"
        lines[0] += (f" On the Ombudsman's own measure {present.council(r['council'])} was {side} the London average "
                     f"({present.number(r['rate'], 'pct', 0)} of investigated cases upheld, against "
                     f"{present.number(r['london_average'], 'pct', 0)}; {present.citation(r['source']).markdown()}"
                     + (f"; across England, [{present.number(result.national['value'], 'pct', 0)}]"
                        f"({result.national['address']})" if result.national else "") + ").")
    lines.append("*Caveat:* decisions upheld in a year are not the cases received that year, so this crude ratio "
                 "cannot rank councils. Source: "
                 f"{present.citation(t['received_source'].iloc[0]).markdown()} (received) and "
                 f"[line {present.citation(t['upheld_source'].iloc[0]).text.rsplit('line ', 1)[-1]}]"
                 f"({present.link_base()}{present.citation(t['upheld_source'].iloc[0]).href}) (upheld).")
    return "\n\n".join(lines)


def _extremes_words(study: pd.DataFrame) -> str:
    """'from Lewisham's 11% to Harrow's 26%': the study councils' lowest and highest crude ratio."""
    low, high = study.loc[study["rate"].idxmin()], study.loc[study["rate"].idxmax()]
    if low["borough"] == high["borough"]:
        return f"{present.number(low['rate'], 'share', 0)} upheld"
    return (f"from {present.council(low['borough'])}'s {present.number(low['rate'], 'share', 0)} to "
            f"{present.council(high['borough'])}'s {present.number(high['rate'], 'share', 0)}")


def display_table(result: Benchmark) -> pd.DataFrame:
    """The per-borough table as the page shows it (human columns; format with ``present.table``)."""
    t = result.table.sort_values("rate", ascending=False)
    outside = np.where(t["outside_998"], "outside 99.8%", np.where(t["outside_95"], "outside 95%", "inside"))
    return pd.DataFrame({"Borough": [present.council(b) + (" (study council)" if s else "") for b, s in zip(t["borough"], t["study"])],
                         "Upheld": t["upheld"].to_numpy(), "Cases received": t["received"].to_numpy(),
                         "Upheld rate": t["rate"].to_numpy(), "95% limits": [present.interval(a, b, "share", 1) for a, b in zip(t["low95"], t["high95"])],
                         "z (adjusted)": t["z"].to_numpy(), "Against the funnel": outside})


def funnel_figure(result: Benchmark):
    """Upheld rate against cases received, adjusted 95% and 99.8% limits, study councils highlighted."""
    import matplotlib.pyplot as plt

    from ..charts import PALETTE

    t = result.table
    sizes = np.linspace(max(t["received"].min() * 0.8, 5), t["received"].max() * 1.1, 200)
    fig, ax = plt.subplots(figsize=(7.5, 5))
    for z, style, label in ((1.959964, "--", "where 95% of boroughs would fall by chance"),
                            (3.090232, ":", "where 99.8% would")):
        low, high = result.funnel.limits(sizes, z)
        ax.plot(sizes, low * 100, style, color="grey", lw=1.2, label=label)
        ax.plot(sizes, high * 100, style, color="grey", lw=1.2)
    ax.axhline(result.pooled * 100, color="black", lw=1, label=f"London rate, {present.number(result.pooled, 'share', 0)}")
    others = t[~t["study"]]
    ax.scatter(others["received"], others["rate"] * 100, color=PALETTE[7], s=30, label="other London boroughs", zorder=3)
    study = t[t["study"]]
    ax.scatter(study["received"], study["rate"] * 100, color=PALETTE[1], s=70, edgecolor="black", zorder=4,
               label=present.council(study["borough"].iloc[0]) if len(study) == 1 else "the study's councils")
    for _, r in study.iterrows():  # each name beside its point, away from the study council nearest to it
        x, y = r["received"], r["rate"] * 100
        near = study[(study["borough"] != r["borough"]) & ((study["rate"] * 100 - y).abs() < 4)
                     & ((study["received"] - x).abs() < 40)]
        if len(near) and (near["received"] - x).abs().min() < 6:  # almost the same point: one name above, one below
            below = y < near["rate"].max() * 100 or (y == near["rate"].max() * 100 and r["borough"] > near["borough"].max())
            offset, ha = ((-7, -16) if below else (-7, 6)), "right"
        elif len(near) and near["received"].max() > x:  # a neighbour on the right: the name goes left
            offset, ha = (-7, 4), "right"
        else:
            offset, ha = (7, 4), "left"
        ax.annotate(present.council(r["borough"]), (x, y), xytext=offset, textcoords="offset points", ha=ha,
                    fontsize=11.5)
    ax.set_xlabel(f"Ombudsman cases received, {PERIOD} (count)")
    ax.set_ylabel("cases upheld, % of cases received")
    ax.set_ylim(0, max(45, t["rate"].max() * 100 + 5))
    outside = t["outside_95"].sum()
    finding = ("every borough's upheld rate is within the range chance allows" if outside == 0 else
               f"{outside} of {len(t)} boroughs' upheld rates are outside the range chance allows")
    ax.set_title(f"Ombudsman, London {PERIOD}: {finding}", loc="left")
    ax.legend(loc="upper right", fontsize=8)
    fig.tight_layout()
    return fig
