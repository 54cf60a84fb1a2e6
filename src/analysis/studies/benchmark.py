"""London benchmark: every borough's Ombudsman upheld rate in 2020-21, on a funnel plot.

Lewisham's 2020-21 annual report prints, for every London borough it lists, the Local
Government & Social Care Ombudsman cases of 2020-21 ("LGSCO Cases Received", the ``Total``
line) and those upheld (the ``Upheld`` line). The clean data holds them as one row per borough
(measures ``ombudsman_referrals`` and ``ombudsman_upheld``, tables ``t11_…``/``t12_…`` of that
report). The reports quote London "rankings"; a funnel plot asks the better question: which
borough's upheld rate differs from the pooled London rate by more than chance and the ordinary
between-borough variation (Spiegelhalter's multiplicative over-dispersion adjustment) allow.

Assumptions: each borough's upheld count is binomial around one shared London rate, apart from
a common extra variation φ (Pearson χ²/df across the boroughs); the denominator is the cases
the table prints for the borough (Lewisham's chart calls them "received"; the Ombudsman upholds
only cases it decides, so the rate is upheld per case printed, as Lewisham's report uses it).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .. import present, stats

SOURCE_STEM = "lewisham_2020-21"  # the report that prints the London table
PERIOD = "2020-21"
DECIDED_MEASURE = "ombudsman_referrals"  # the "Total" line: LGSCO cases of 2020-21 per borough
UPHELD_MEASURE = "ombudsman_upheld"  # the "Upheld" line
TABLE_PREFIXES = ("t11_lgsco_", "t12_lgsco_")
STUDY_COUNCILS = ("bromley", "lewisham", "harrow", "barking_and_dagenham")


@dataclass
class LondonFunnel:
    table: pd.DataFrame  # one row per borough: borough, label, upheld, decided, rate, limits, z, outside_*
    pooled: float
    dispersion: float
    adjusted: bool
    funnel: stats.Funnel
    sources: dict[str, str]  # measure → "data/raw/FILE.txt:LINE"

    @property
    def study(self) -> pd.DataFrame:
        return self.table[self.table["study_council"]]


def london_rows(observations: pd.DataFrame) -> pd.DataFrame:
    """The London table's rows: Lewisham's 2020-21 report, Ombudsman cases and upheld per borough."""
    from_report = observations["source_file"].astype(str).str.contains(SOURCE_STEM, regex=False)
    in_table = observations["table"].astype(str).str.startswith(TABLE_PREFIXES)
    measures = observations["measure"].isin([DECIDED_MEASURE, UPHELD_MEASURE])
    return observations[from_report & in_table & measures & observations["value"].notna()].reset_index(drop=True)


def london_funnel(observations: pd.DataFrame, adjust: bool = True) -> LondonFunnel:
    """Pooled upheld rate, φ and the dispersion-adjusted 95% / 99.8% funnel limits for every borough."""
    rows = london_rows(observations)
    wide = rows.pivot_table(index="council", columns="measure", values="value", aggfunc="sum")
    wide = wide.reindex(columns=[UPHELD_MEASURE, DECIDED_MEASURE]).dropna()
    wide = wide[wide[DECIDED_MEASURE] > 0].sort_index()
    result = stats.funnel(list(wide.index), wide[UPHELD_MEASURE].to_numpy(), wide[DECIDED_MEASURE].to_numpy(), adjust=adjust)
    table = pd.DataFrame([{
        "borough": p.label, "label": present.council(p.label), "upheld": p.successes, "decided": p.trials,
        "rate": p.rate, "low95": p.low95, "high95": p.high95, "low998": p.low998, "high998": p.high998, "z": p.z,
        "outside_95": bool(p.rate < p.low95 or p.rate > p.high95),
        "outside_998": bool(p.rate < p.low998 or p.rate > p.high998),
        "study_council": p.label in STUDY_COUNCILS,
    } for p in result.points])
    sources = {m: f"{g['source_file'].iloc[0]}:{int(g['source_line'].iloc[0])}" for m, g in rows.groupby("measure")}
    return LondonFunnel(table, result.pooled, result.dispersion, result.adjusted, result, sources)


def unadjusted_outside(observations: pd.DataFrame) -> list[str]:
    """Boroughs outside the plain (unadjusted) 95% limits: the sensitivity row for the adjustment."""
    plain = london_funnel(observations, adjust=False).table
    return list(plain.loc[plain["outside_95"], "borough"])


def funnel_figure(result: LondonFunnel):
    """Upheld % against cases, with the pooled rate and 95% / 99.8% dispersion-adjusted limits."""
    import matplotlib.pyplot as plt

    from ..charts import PALETTE

    table = result.table
    sizes = np.linspace(max(table["decided"].min() * 0.8, 5), table["decided"].max() * 1.1, 200)
    fig, ax = plt.subplots(figsize=(7.5, 5.2))
    for z, style, name in ((1.959964, "--", "95% limits"), (3.090232, ":", "99.8% limits")):
        low, high = result.funnel.limits(sizes, z)
        ax.plot(sizes, low * 100, style, color=PALETTE[7], lw=1.2, label=name)
        ax.plot(sizes, high * 100, style, color=PALETTE[7], lw=1.2)
    ax.axhline(result.pooled * 100, color=PALETTE[7], lw=1, label=f"London pooled, {present.number(result.pooled, 'share')}")
    others = table[~table["study_council"]]
    ax.scatter(others["decided"], others["rate"] * 100, color=PALETTE[0], alpha=0.7, s=28, label="other London boroughs")
    mine = table[table["study_council"]]
    ax.scatter(mine["decided"], mine["rate"] * 100, color=PALETTE[3], s=70, marker="D", edgecolor="black",
               label="the study's councils", zorder=3)
    # alternate label sides so neighbouring councils (Lewisham and Barking & Dagenham, ~102 cases, ~11%) stay legible
    for i, (_, row) in enumerate(mine.sort_values(["rate", "decided"]).iterrows()):
        offset, align = ((6, 4), "left") if i % 2 else ((-6, -12), "right")
        ax.annotate(row["label"], (row["decided"], row["rate"] * 100), xytext=offset, textcoords="offset points",
                    fontsize=9, ha=align)
    ax.set_xlabel("Ombudsman decisions, 2020-21 (count; printed as cases received)")
    ax.set_ylabel("upheld (%)")
    outside = table[table["outside_95"]]
    inside_study = int((~mine["outside_95"]).sum())
    who = ("no borough" if outside.empty else
           f"{len(outside)} of {len(table)} boroughs ({', '.join(outside['label'])})")
    lead = f"all {inside_study}" if inside_study == len(mine) else f"{inside_study} of {len(mine)}"
    ax.set_title(f"London 2020-21: {lead} study councils sit inside the 95% limits;\n"
                 f"{who} outside (limits widened for φ = {present.number(result.dispersion, 'decimal', 2)})", loc="left")
    ax.legend(loc="upper right", fontsize=8)
    ax.set_ylim(bottom=0)
    fig.tight_layout()
    return fig


def funnel_text(result: LondonFunnel) -> str:
    """The finding in words, every number computed."""
    table = result.table
    outside95 = table[table["outside_95"]]
    outside998 = table[table["outside_998"]]
    total_upheld, total_decided = table["upheld"].sum(), table["decided"].sum()
    parts = [f"Across the {len(table)} London boroughs in Lewisham's table, the Ombudsman upheld "
             f"{present.number(total_upheld)} of {present.number(total_decided)} cases in 2020-21: a pooled rate of "
             f"{present.number(result.pooled, 'share', 1)}. The boroughs' rates spread "
             + ("little more than chance alone would" if result.dispersion < 1.2 else "more than chance alone would")
             + f" (dispersion φ = {present.number(result.dispersion, 'decimal', 2)}); the limits are widened by "
             f"√φ = {present.number(np.sqrt(result.dispersion), 'decimal', 3)} (Spiegelhalter's multiplicative adjustment)"
             if result.adjusted else
             f"Across the {len(table)} London boroughs in Lewisham's table, the pooled upheld rate is "
             f"{present.number(result.pooled, 'share', 1)} (φ = {present.number(result.dispersion, 'decimal', 2)}, no adjustment needed)"]
    study_bits = [f"{r['label']} {present.number(r['upheld'])} of {present.number(r['decided'])} "
                  f"({present.number(r['rate'], 'share', 1)}; 95% limits {present.interval(r['low95'], r['high95'], 'share', 1)})"
                  for _, r in result.study.iterrows()]
    inside = int((~result.study["outside_95"]).sum())
    lead = (f"All {inside} of the study's councils sit" if inside == len(result.study) else
            f"{inside} of the {len(result.study)} study councils sit")
    parts.append(f"{lead} inside the 95% limits: " + "; ".join(study_bits))
    parts.append("Outside the 95% limits: " + (", ".join(f"{r['label']} ({present.number(r['rate'], 'share', 1)})"
                                                         for _, r in outside95.iterrows()) or "none")
                 + "; outside the 99.8% limits: " + (", ".join(outside998["label"]) or "none"))
    near = result.study[result.study["z"].abs() > 1.645]
    if len(near):
        parts.append("Close to a limit (|z| above 1.645, inside the 90% band's edge): "
                     + ", ".join(f"{r['label']} (z = {present.number(r['z'], 'decimal', 2)})" for _, r in near.iterrows()))
    parts.append(("No borough's rate differs from London's by more than chance allows, so the London rankings the "
                  "reports quote order boroughs largely by noise" if outside95.empty else
                  "Only a rate outside the limits differs from London by more than the usual spread; the London "
                  "rankings the reports quote order the rest largely by noise")
                 + ". Sources: "
                 + "; ".join(s for s in result.sources.values()))
    return ". ".join(parts) + "."


def findings(result: LondonFunnel) -> dict:
    """Plain data for the findings JSON (keys ``funnel``, ``funnel_pooled``, ``funnel_dispersion``)."""
    columns = ["borough", "label", "upheld", "decided", "rate", "low95", "high95", "low998", "high998", "z",
               "outside_95", "outside_998"]
    return {
        "funnel": [{c: (bool(r[c]) if c.startswith("outside") else r[c]) for c in columns} for _, r in result.table.iterrows()],
        "funnel_pooled": result.pooled,
        "funnel_dispersion": result.dispersion,
        "funnel_adjusted": result.adjusted,
        "funnel_period": PERIOD,
        "funnel_denominator": "LGSCO cases per borough as Lewisham's 2020-21 report prints them ('Cases Received')",
        "funnel_sources": result.sources,
        "funnel_study_inside_95": {r["borough"]: not r["outside_95"] for _, r in result.study.iterrows()},
    }
