"""Root causes: which kinds of complaint dominate, which get upheld, and what changed.

The logic behind ``notebooks/02_root_causes.ipynb``. Everything starts from the clean
observations and the crosswalk (:mod:`analysis.taxonomy`): a *cause row* is an observation
whose ``category`` maps to a cause code (not ``not_a_cause``).

Units differ and are carried, never mixed silently: Bromley counts *aspects* (one complaint
can raise several grievances), Barking & Dagenham and Lewisham's top issues count
*complaints*, Lewisham's adult social care root-cause analysis prints only *% of
complaints* (``pct_of_total``). Shares are therefore computed within one printed table
(a *cause table*: council, period, division, service, stage, measure and table) and only
shares are compared across councils.

Decisions:

* A council-period's Pareto uses its whole-organisation table (division ``all``, service
  ``''``) when it prints one, and drops the division columns of the same measure (they
  break that total down; Bromley's are shown by division instead). A council without such a
  table (Barking & Dagenham) shows each division's table.
* Upheld rates use the outcome counts printed per category (Bromley's divisions'
  nature-of-complaint tables, Lewisham's top issues): *upheld or partly upheld* out of the
  *decided* aspects (fully + partly + not upheld; ongoing and resolved-on-receipt are
  excluded, as their outcome is not a finding).
* Bromley 2019-20 vs 2023-24 is compared like for like (:mod:`analysis.studies.comparable`, the
  one definition the SEN and COVID pages use too): divisions inside the printed Total and printed
  in both years, so Environment & Public Protection (outside the Total; ``-`` in 2019-20) and
  Planning & Regeneration (reported from April 2020; 2019-20 report lines 552 and 1033) are left
  out of both years.
* The 2019-20 causes table counts Housing's 20 temporary-accommodation aspects twice (line 671:
  "Behaviour of another" 20, where Housing's own table prints 1 at line 1091); the analysis uses the
  reviewed correction in ``data/reference/analysis_corrections.csv`` (base 570 aspects, as the
  proportion-upheld table prints), while ``data/clean`` keeps the printed 20.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .. import present, stats
from ..clean.taxonomy import NON_CAUSE, Taxonomy, normalise, standardise
from .comparable import LikeForLike, apply_corrections, corrected_cells, divisions_printed, like_for_like
from .primary import NOT_ESTIMABLE, Primary, strength_of

COUNT_MEASURES = ("aspects", "complaints")
SHARE_MEASURES = (*COUNT_MEASURES, "pct_of_total")
OUTCOMES = ("upheld", "partially_upheld", "not_upheld")
TABLE_KEY = ["council", "period", "division", "service", "stage", "measure", "table"]
UNITS = {"aspects": "aspects", "complaints": "complaints", "pct_of_total": "% of complaints"}
BROMLEY = "bromley"
NOT_COMPARABLE_DIVISION = "environment_public_protection"  # outside Bromley's printed Total


def cause_rows(observations: pd.DataFrame, taxonomy: Taxonomy, corrections: pd.DataFrame | None = None) -> pd.DataFrame:
    """Observations whose category is a cause (code filled from the crosswalk), with a value; the
    reviewed ``corrections`` (:func:`analysis.studies.comparable.apply_corrections`) applied."""
    rows = observations[(observations["category"] != "") & observations["value"].notna()].copy()
    rows["category_std"] = standardise(rows, taxonomy)
    rows = rows[(rows["category_std"] != "") & (rows["category_std"] != NON_CAUSE)]
    return apply_corrections(rows.reset_index(drop=True), corrections)


def latest_periods(rows: pd.DataFrame) -> dict[str, str]:
    """council → the latest period with cause data."""
    return rows.groupby("council")["period"].max().to_dict()


def choose_period(rows: pd.DataFrame, council: str, period: str) -> str:
    """The period to show for ``council``: ``period`` if given, else its latest with cause data."""
    if period:
        return period
    return latest_periods(rows).get(council, "")


# --------------------------------------------------------------------------------------
# Pareto


def share_tables(rows: pd.DataFrame) -> pd.DataFrame:
    """Every cause table's rows with share (0–1) of the table, rank, cumulative share, unit.

    Counts: share of the table's summed categories. ``pct_of_total``: the printed % / 100
    (its categories need not cover 100%).
    """
    rows = rows[rows["measure"].isin(SHARE_MEASURES)].copy()
    if rows.empty:
        return rows.assign(share=[], rank=[], cumulative=[], table_total=[], unit_label=[])
    counted = rows["measure"].isin(COUNT_MEASURES)
    totals = rows.groupby(TABLE_KEY)["value"].transform("sum")
    rows["table_total"] = np.where(counted, totals, np.nan)
    rows["share"] = np.where(counted, rows["value"] / totals.replace(0, np.nan), rows["value"] / 100)
    rows = rows.sort_values([*TABLE_KEY, "value", "category"], ascending=[True] * 7 + [False, True], kind="mergesort")
    rows["rank"] = rows.groupby(TABLE_KEY).cumcount() + 1
    rows["cumulative"] = rows.groupby(TABLE_KEY)["share"].cumsum()
    rows["unit_label"] = rows["measure"].map(UNITS)
    return rows.reset_index(drop=True)


def headline_tables(shares: pd.DataFrame) -> pd.DataFrame:
    """The tables a council-period's Pareto shows: drop division breakdowns of a whole-organisation
    table of the same measure, service rows of a table that prints their division's total, and a
    table's printed % where its counts are printed too."""
    if shares.empty:
        return shares
    whole = shares[(shares["division"] == "all") & (shares["service"] == "")]
    covered = set(zip(whole["council"], whole["period"], whole["measure"]))
    key = list(zip(shares["council"], shares["period"], shares["measure"]))
    breakdown = pd.Series([k in covered for k in key], index=shares.index) & (shares["division"] != "all") & (shares["service"] == "")
    # a division's services where the same table prints the division's total (Bromley E&PP's own table)
    totals = set(zip(*[shares.loc[shares["service"] == "", c] for c in ("council", "period", "division", "measure", "table")]))
    breakdown |= (shares["service"] != "") & pd.Series(
        [k in totals for k in zip(*[shares[c] for c in ("council", "period", "division", "measure", "table")])], index=shares.index)
    # a table printing counts and their % (Barking & Dagenham): keep the counts
    place = ["council", "period", "division", "service", "stage", "table"]
    counted = set(map(tuple, shares.loc[shares["measure"].isin(COUNT_MEASURES), place].to_numpy()))
    echoed = (shares["measure"] == "pct_of_total") & pd.Series([tuple(r) in counted for r in shares[place].to_numpy()],
                                                                 index=shares.index)
    return shares[~breakdown & ~echoed].reset_index(drop=True)


def table_label(row) -> str:
    """A reader's name for a cause table: 'bromley 2023-24, all divisions (aspects)'."""
    where = row["service"] or ("all divisions" if row["division"] == "all" else present.division(row["division"]).lower())
    stage = "" if row["stage"] in ("all", "") else f", {present.stage(row['stage'])}"
    return f"{present.council(row['council'])} {row['period']}, {where}{stage} ({UNITS.get(row['measure'], row['measure'])})"


def top_causes(headline: pd.DataFrame) -> pd.DataFrame:
    """The most frequent category of every cause table, with its value, table total, share and source."""
    top = headline[headline["rank"] == 1].copy()
    top["label"] = [table_label(r) for _, r in top.iterrows()]
    top["source"] = top["source_file"] + ":" + top["source_line"].astype(int).astype(str)
    return top[["label", *TABLE_KEY, "category", "category_std", "value", "table_total", "share", "source"]].reset_index(drop=True)


def list_coverage(observations: pd.DataFrame, tops: pd.DataFrame) -> pd.DataFrame:
    """How much of an organisation's complaints a cause table covers, where the report prints both.

    Lewisham prints only its "Top 5 complaint issues" (411 of Lewisham Council's 1,926 stage 1
    complaints in 2020-21): a share *of the list* is not a share of complaints, and a ranked, truncated
    list is no sample, so it gets no interval. For each top-cause row counted in complaints whose
    organisation (``service``) prints a whole-year complaints total (stage 1, else all stages) in another
    table that exceeds the list's total, this gives that total, the top cause's share of it and the
    share the list leaves unclassified.
    """
    columns = ["label", "complaints", "complaints_source", "share_of_complaints", "unclassified"]
    out = []
    for _, top in tops[tops["measure"] == "complaints"].iterrows():
        whole = observations[(observations["council"] == top["council"]) & (observations["period"] == top["period"])
                             & (observations["service"] == top["service"]) & (observations["division"] == top["division"])
                             & (observations["category"] == "") & (observations["quarter"] == "")
                             & (observations["measure"] == "complaints") & (observations["table"] != top["table"])
                             & observations["stage"].isin(["stage_1", "all"]) & observations["value"].notna()]
        whole = whole.sort_values(["stage", "source_line"], key=lambda c: c.map({"stage_1": 0, "all": 1}) if c.name == "stage" else c)
        if whole.empty or not float(whole["value"].iloc[0]) > float(top["table_total"]):
            continue
        total = float(whole["value"].iloc[0])
        out.append({"label": top["label"], "complaints": total,
                    "complaints_source": f"{whole['source_file'].iloc[0]}:{int(whole['source_line'].iloc[0])}",
                    "share_of_complaints": float(top["value"]) / total,
                    "unclassified": 1 - float(top["table_total"]) / total})
    return pd.DataFrame(out, columns=columns)


def code_shares(headline: pd.DataFrame) -> pd.DataFrame:
    """Share of each harmonised code per cause table (codes × tables), for the cross-council view."""
    if headline.empty:
        return pd.DataFrame()
    frame = headline.copy()
    frame["label"] = [table_label(r) for _, r in frame.iterrows()]
    return frame.pivot_table(index="category_std", columns="label", values="share", aggfunc="sum").sort_index()


# --------------------------------------------------------------------------------------
# Bromley by division and over time


def breakdown_rows(rows: pd.DataFrame, council: str = BROMLEY, measure: str = "aspects") -> pd.DataFrame:
    """The division columns of the table(s) that also print a whole-organisation total (Bromley's causes tables)."""
    mine = rows[(rows["council"] == council) & (rows["measure"] == measure) & (rows["service"] == "")]
    totals = mine[mine["division"] == "all"]
    tables = set(zip(totals["period"], totals["table"]))
    keep = pd.Series([(p, t) in tables for p, t in zip(mine["period"], mine["table"])], index=mine.index, dtype=bool)
    return mine[keep].reset_index(drop=True)


def by_division(rows: pd.DataFrame, council: str = BROMLEY) -> pd.DataFrame:
    """Aspects per period, division and code (from the causes table's division columns), with shares."""
    parts = breakdown_rows(rows, council)
    parts = parts[parts["division"] != "all"]
    if parts.empty:
        return pd.DataFrame(columns=["period", "division", "category_std", "value", "share"])
    table = parts.groupby(["period", "division", "category_std"], as_index=False)["value"].sum()
    totals = table.groupby(["period", "division"])["value"].transform("sum")
    table = table[totals > 0].assign(share=lambda t: t["value"] / totals[totals > 0])
    return table.reset_index(drop=True)


def division_leaders(division: pd.DataFrame, period: str) -> pd.DataFrame:
    """Each division's largest cause in ``period`` (one row per division)."""
    now = division[division["period"] == period]
    return now.sort_values(["division", "value"], ascending=[True, False]).drop_duplicates("division")


@dataclass(frozen=True)
class CauseChange:
    code: str
    before: float
    before_total: float
    after: float
    after_total: float
    share_before: float
    share_after: float
    difference: float  # share after − before
    low: float  # PRIMARY: Newcombe 95% interval on effective counts (n / φ of each year)
    high: float
    p_value: float  # z test on the same effective counts
    p_holm: float = float("nan")  # Holm-adjusted over every cause of the comparison
    phi_before: float = 1.0  # φ used for each year (aspects per complaint, ≥ 1)
    phi_after: float = 1.0
    plain_low: float = float("nan")  # sensitivity: plain Newcombe (aspects independent)
    plain_high: float = float("nan")
    plain_p_value: float = float("nan")


def comparable_divisions(rows: pd.DataFrame, before: str, after: str, council: str = BROMLEY) -> LikeForLike:
    """The like-for-like divisions of the council's causes tables in two years (:func:`like_for_like`)."""
    parts = breakdown_rows(rows, council)
    return like_for_like(divisions_printed(parts[parts["value"] > 0]), before, after)


def change(rows: pd.DataFrame, before: str, after: str, council: str = BROMLEY,
           phi_before: float = 1.0, phi_after: float = 1.0) -> list[CauseChange]:
    """Each code's share of aspects in ``before`` vs ``after``, like for like
    (:func:`comparable_divisions`).

    PRIMARY interval: Newcombe's on effective counts (:func:`analysis.stats.quasi_newcombe`, n / φ of
    each year, φ = that year's aspects per complaint: aspects of one complaint are not independent),
    with its z test; the plain Newcombe interval (φ = 1) is kept as the sensitivity.
    """
    parts = breakdown_rows(rows, council)
    parts = parts[parts["division"].isin(comparable_divisions(rows, before, after, council).kept)]
    sums = parts.groupby(["period", "category_std"])["value"].sum().unstack(fill_value=0.0)
    if before not in sums.index or after not in sums.index:
        return []
    total_before, total_after = float(sums.loc[before].sum()), float(sums.loc[after].sum())
    out = []
    for code in sums.columns:
        a, b = float(sums.loc[after, code]), float(sums.loc[before, code])
        plain = stats.compare_proportions(a, total_after, b, total_before)
        adjusted = stats.quasi_newcombe(a, total_after, b, total_before, phi_after, phi_before)
        out.append(CauseChange(code, b, total_before, a, total_after, b / total_before, a / total_after,
                               adjusted.difference, adjusted.low, adjusted.high, adjusted.p_value,
                               phi_before=adjusted.phi_b, phi_after=adjusted.phi_a, plain_low=plain.low,
                               plain_high=plain.high, plain_p_value=plain.p_value))
    adjusted = stats.holm([c.p_value for c in out])
    out = [CauseChange(**{**c.__dict__, "p_holm": float(h)}) for c, h in zip(out, adjusted)]
    return sorted(out, key=lambda c: -c.difference)


@dataclass
class ShiftShare:
    code: str
    before: str
    after: str
    divisions: pd.DataFrame  # division, aspects and share of the code, each year; weight = division's share of aspects
    share_before: float
    share_after: float
    share_fixed_mix: float  # the after-year's within-division shares, weighted by the before-year's division mix
    mix: float  # Σ (w_after − w_before) · s_before
    within: float  # Σ w_before · (s_after − s_before)
    interaction: float  # Σ (w_after − w_before) · (s_after − s_before)


def shift_share(rows: pd.DataFrame, code: str, before: str, after: str, council: str = BROMLEY) -> ShiftShare | None:
    """Split the change in ``code``'s share of aspects into division mix and change within divisions.

    S = Σ_d w_d·s_d (w: division's share of the council's aspects, s: the code's share within the
    division). ΔS = mix + within + interaction; the *fixed-mix* share Σ w_before·s_after answers
    "what if the divisions had kept their 2019-20 sizes". Like for like, as :func:`change`.
    """
    parts = breakdown_rows(rows, council)
    parts = parts[parts["division"].isin(comparable_divisions(rows, before, after, council).kept)].copy()
    parts = parts[parts["period"].isin([before, after])]
    if set(parts["period"]) != {before, after}:
        return None
    total = parts.groupby(["period", "division"])["value"].sum().unstack("period")
    hits = parts[parts["category_std"] == code].groupby(["period", "division"])["value"].sum().unstack("period")
    total = total.dropna()
    total = total[(total[before] > 0) & (total[after] > 0)]
    hits = hits.reindex(index=total.index, columns=[before, after]).fillna(0.0)
    w0, w1 = total[before] / total[before].sum(), total[after] / total[after].sum()
    s0, s1 = hits[before] / total[before], hits[after] / total[after]
    table = pd.DataFrame({"division": total.index, "aspects_before": total[before].to_numpy(),
                          "code_before": hits[before].to_numpy(), "share_before": s0.to_numpy(), "weight_before": w0.to_numpy(),
                          "aspects_after": total[after].to_numpy(), "code_after": hits[after].to_numpy(),
                          "share_after": s1.to_numpy(), "weight_after": w1.to_numpy()})
    return ShiftShare(code, before, after, table, float((w0 * s0).sum()), float((w1 * s1).sum()), float((w0 * s1).sum()),
                      float(((w1 - w0) * s0).sum()), float((w0 * (s1 - s0)).sum()), float(((w1 - w0) * (s1 - s0)).sum()))


@dataclass(frozen=True)
class RecordingChange:
    """Signs that the way aspects are recorded changed between two years."""
    period: str
    aspects: float  # aspects in the outcome summary, like-for-like divisions
    complaints: float  # complaints of the same divisions
    aspects_per_complaint: float
    other: float  # aspects coded 'other' in the causes table (like for like, corrected); 0 if no such row is printed
    aspects_source: str  # the printed Total's line (the like-for-like sum leaves the excluded divisions' rows out)
    complaints_source: str


def recording_change(observations: pd.DataFrame, rows: pd.DataFrame, periods: tuple[str, ...],
                     council: str = BROMLEY, divisions: tuple[str, ...] | None = None) -> list[RecordingChange]:
    """Aspects per complaint and 'other' aspects per year (Bromley): the outcome summary's aspects
    (``proportion_upheld``) over the division table's complaints, both summed over ``divisions`` (the
    like-for-like ones; None = the printed Totals, which leave E&PP out)."""
    out = []
    causes = breakdown_rows(rows, council)
    causes = causes[(causes["division"] != "all") & (causes["division"] != NOT_COMPARABLE_DIVISION)]
    if divisions is not None:
        causes = causes[causes["division"].isin(divisions)]
    for period in periods:
        found = aspects_and_complaints(observations, period, council, divisions)
        if found is None:
            continue
        a, c, a_total, c_total = found
        other = float(causes.loc[(causes["period"] == period) & (causes["category_std"] == "other"), "value"].sum())
        out.append(RecordingChange(period, a, c, a / c, other,
                                   f"{a_total['source_file']}:{int(a_total['source_line'])}",
                                   f"{c_total['source_file']}:{int(c_total['source_line'])}"))
    return out


def aspects_and_complaints(observations: pd.DataFrame, period: str, council: str = BROMLEY,
                           divisions: tuple[str, ...] | None = None):
    """(aspects, complaints, aspects Total row, complaints Total row) of one year in its own report: the
    outcome summary's aspects (``proportion_upheld``) and the division table's complaints, summed over
    ``divisions`` (None: the printed Totals, both without E&PP); None if either is not printed."""
    mine = observations[(observations["council"] == council)
                        & (observations["category"] == "") & (observations["service"] == "")
                        & (observations["quarter"] == "") & (observations["stage"] == "all") & observations["value"].notna()
                        & (observations["period"] == period) & (observations["report_period"] == period)]
    aspects = mine[(mine["measure"] == "aspects") & (mine["table"] == "proportion_upheld")]
    complaints = mine[(mine["measure"] == "complaints") & (mine["table"] == "complaints_by_division_multi_year")]
    a_total, c_total = aspects[aspects["division"] == "all"], complaints[complaints["division"] == "all"]
    if a_total.empty or c_total.empty:
        return None
    if divisions is None:
        a, c = float(a_total["value"].iloc[0]), float(c_total["value"].iloc[0])
    else:
        a_parts, c_parts = aspects[aspects["division"].isin(divisions)], complaints[complaints["division"].isin(divisions)]
        if set(a_parts["division"]) != set(divisions) or set(c_parts["division"]) != set(divisions):
            return None
        a, c = float(a_parts["value"].sum()), float(c_parts["value"].sum())
    if not c > 0:
        return None
    return a, c, a_total.iloc[0], c_total.iloc[0]


def aspects_per_complaint(observations: pd.DataFrame, period: str, council: str = BROMLEY) -> float:
    """Aspects per complaint of one year (the printed Totals, without E&PP; :func:`aspects_and_complaints`),
    NaN when not printed.

    Used as φ for shares of aspects: if every aspect of a complaint shared its cause, n aspects would
    carry the information of n / φ complaints. With complaints of unequal size that design effect is
    Σm²/Σm ≥ m̄, so the mean is a *lower* bound on it, not an upper one."""
    found = aspects_and_complaints(observations, period, council)
    return found[0] / found[1] if found is not None else float("nan")


# --------------------------------------------------------------------------------------
# The primary estimate and the crosswalk's judgement calls

PRIMARY_CODE = "lack_of_action"


@dataclass
class PrimaryEstimate:
    """PRIMARY estimate for "what are complaints about": the share of Bromley's aspects that are lack of action."""
    code: str
    period: str
    count: float
    total: float
    share: float
    low: float
    high: float
    dispersion: float  # φ used: aspects per complaint (see :func:`primary_estimate`)
    source: str
    sensitivity: pd.DataFrame  # estimate, share, low, high, phi, note


def council_complaints(observations: pd.DataFrame, council: str, period: str) -> float:
    """The council's complaints of ``period`` in its own report's by-type-and-division table (all
    divisions, E&PP included, as its causes table's Total is): the denominator of aspects per complaint."""
    whole = observations[(observations["council"] == council) & (observations["period"] == period)
                         & (observations["report_period"] == period) & (observations["division"] == "all")
                         & (observations["measure"] == "complaints") & (observations["table"] == "complaints_by_type_and_division")
                         & (observations["stage"] == "all") & (observations["category"] == "") & (observations["service"] == "")
                         & observations["value"].notna()]
    return float(whole["value"].iloc[0]) if len(whole) else float("nan")


def primary_estimate(observations: pd.DataFrame, rows: pd.DataFrame, tops: pd.DataFrame,
                     shift: ShiftShare | None, council: str = BROMLEY, code: str = PRIMARY_CODE) -> PrimaryEstimate | None:
    """The code's share of the council's printed causes table (all divisions) in its latest year.

    Assumptions: the causes table counts each aspect once; aspects of one complaint may share a cause,
    so the interval is a quasi-Wilson one with φ = aspects per complaint of that year (the design effect
    if a complaint's aspects always shared their cause and complaints were of equal size; with unequal
    sizes that design effect is larger, so this is not an upper bound: docs/methods.md, model 1). Alternatives are sensitivity rows: no clustering (plain Wilson), φ across divisions, like for
    like without E&PP, and the earlier year's division mix.
    """
    table = rows[(rows["council"] == council) & (rows["division"] == "all") & (rows["service"] == "")
                 & (rows["measure"] == "aspects")]
    if table.empty:
        return None
    period = table["period"].max()
    table = table[table["period"] == period]
    hit = table[table["category_std"] == code]
    count, total = float(hit["value"].sum()), float(table["value"].sum())
    complaints = council_complaints(observations, council, period)
    phi = total / complaints if np.isfinite(complaints) and complaints > 0 else float("nan")
    primary = stats.quasi_wilson(count, total, phi)
    source = f"{hit['source_file'].iloc[0]}:{int(hit['source_line'].iloc[0])}" if len(hit) else ""
    rows_out = [{"estimate": "PRIMARY: all divisions, φ = aspects per complaint", "share": primary.rate,
                 "low": primary.low, "high": primary.high, "phi": primary.dispersion,
                 "note": f"{present.number(count)} of {present.number(total)} aspects; {present.number(complaints)} complaints"}]
    plain = stats.wilson(count, total)
    rows_out.append({"estimate": "aspects independent (plain Wilson)", "share": plain.rate, "low": plain.low,
                     "high": plain.high, "phi": 1.0, "note": "optimistic: aspects of one complaint are not independent"})
    parts = breakdown_rows(rows, council)
    parts = parts[(parts["period"] == period) & (parts["division"] != "all")]
    by_div = parts.groupby("division")["value"].sum()
    hits = parts[parts["category_std"] == code].groupby("division")["value"].sum().reindex(by_div.index).fillna(0)
    phi_div = stats.pearson_dispersion(hits, by_div)
    between = stats.quasi_wilson(count, total, phi_div)
    rows_out.append({"estimate": "φ across divisions", "share": between.rate, "low": between.low, "high": between.high,
                     "phi": between.dispersion, "note": "treats the divisions' real differences as noise: too wide"})
    if shift is not None and shift.after == period:
        comparable = comparable_divisions(rows, shift.before, shift.after, council)
        like, label = parts[parts["division"].isin(comparable.kept)], f"like for like with {shift.before}, {comparable.words()}"
    else:
        like, label = parts[parts["division"] != NOT_COMPARABLE_DIVISION], "without E&PP (outside the printed Total)"
    lc, lt = float(like.loc[like["category_std"] == code, "value"].sum()), float(like["value"].sum())
    if lt > 0:
        lfl = stats.quasi_wilson(lc, lt, phi)
        rows_out.append({"estimate": label, "share": lfl.rate, "low": lfl.low, "high": lfl.high,
                         "phi": lfl.dispersion, "note": f"{present.number(lc)} of {present.number(lt)} aspects (the base of the change)"})
    if shift is not None and shift.after == period:
        rows_out.append({"estimate": f"{shift.before} division mix held fixed (like for like)", "share": shift.share_fixed_mix,
                         "low": float("nan"), "high": float("nan"), "phi": float("nan"),
                         "note": "descriptive: the within-division shares of the later year, the earlier year's division sizes"})
    return PrimaryEstimate(code, period, count, total, primary.rate, primary.low, primary.high, primary.dispersion, source,
                           pd.DataFrame(rows_out))


# Labels whose code is a judgement call (see the crosswalk's rationale column), with the plausible alternative.
ALTERNATIVE_MAPPINGS = (
    ("bromley", "Temporary accommodation", "quality_of_service", "the causes table folds it into Quality of Service"),
    ("bromley", "Operational", "lack_of_action", "E&PP's operational failures may be services not done"),
    ("bromley", "Behaviour of another", "staff_conduct", "if read as conduct rather than outside the council"),
    ("barking_and_dagenham", "Delay In Communication", "delay", "a delay, printed apart from 'Delays In Service'"),
    ("barking_and_dagenham", "Other Service Failure Cause", "lack_of_action", "a service failure may be a service not delivered"),
    ("barking_and_dagenham", "Failure to deliver a service", "quality_of_service", "a failure of the service, not of action"),
    ("barking_and_dagenham", "Foster Carer Issues", "third_party_provider", "foster carers as the council's providers"),
    ("lewisham", "staff and communication issues", "staff_conduct", "the label's other half"),
    ("lewisham", "Missed Collection (Enviro Services)", "quality_of_service", "a collection round carried out badly"),
    ("lewisham", "Bin not returned", "lack_of_action", "a step of the service not done"),
    ("lewisham", "a perceived failure of service", "lack_of_action", "a service that failed may be one not delivered"),
)


def remapped(taxonomy: Taxonomy, council: str, label: str, code: str) -> Taxonomy:
    """A copy of ``taxonomy`` with one printed label mapped to another code."""
    walk = taxonomy.crosswalk.copy()
    hit = (walk["council"] == council) & (walk["raw_label"].map(normalise) == normalise(label))
    walk.loc[hit, "code"] = code
    return Taxonomy(taxonomy.codes, walk)


def crosswalk_sensitivity(observations: pd.DataFrame, taxonomy: Taxonomy, councils: list[str],
                          shown: dict[str, str]) -> pd.DataFrame:
    """Re-map each ambiguous label in turn and recompute the headline figures.

    Reports per alternative: the PRIMARY share (Bromley's lack-of-action share of aspects in the
    latest year), in how many shown tables lack of action is the largest harmonised cause, and
    which tables change their largest cause.
    """
    def headline_of(tax: Taxonomy):
        rows = cause_rows(observations, tax)
        rows = rows[rows["council"].isin(councils)]
        head = headline_tables(share_tables(rows))
        head = head[[shown.get(c) == p for c, p in zip(head["council"], head["period"])]]
        shares = code_shares(head)
        leaders = shares.idxmax() if len(shares) else pd.Series(dtype=str)
        bromley = rows[(rows["council"] == BROMLEY) & (rows["division"] == "all") & (rows["service"] == "")
                       & (rows["measure"] == "aspects")]
        if len(bromley):
            latest = bromley[bromley["period"] == bromley["period"].max()]
            primary = float(latest.loc[latest["category_std"] == PRIMARY_CODE, "value"].sum() / latest["value"].sum())
        else:
            primary = float("nan")
        return primary, leaders

    base_primary, base_leaders = headline_of(taxonomy)
    out = [{"label": "(as mapped)", "council": "", "from_code": "", "to_code": "", "reason": "the crosswalk as published",
            "primary_share": base_primary, "lack_of_action_leads": int((base_leaders == PRIMARY_CODE).sum()),
            "tables": len(base_leaders), "leaders_changed": ""}]
    present_labels = set(zip(observations["council"], observations["category"].map(normalise)))
    for council, label, code, reason in ALTERNATIVE_MAPPINGS:
        if council not in councils or (council, normalise(label)) not in present_labels:
            continue
        before = taxonomy.code_of(council, label)
        primary, leaders = headline_of(remapped(taxonomy, council, label, code))
        moved = [f"{t}: {base_leaders[t]} → {leaders.get(t, '')}" for t in base_leaders.index if leaders.get(t) != base_leaders[t]]
        out.append({"label": label, "council": council, "from_code": before, "to_code": code, "reason": reason,
                    "primary_share": primary, "lack_of_action_leads": int((leaders == PRIMARY_CODE).sum()),
                    "tables": len(leaders), "leaders_changed": "; ".join(moved)})
    return pd.DataFrame(out)


# --------------------------------------------------------------------------------------
# Upheld by cause


def outcome_counts(rows: pd.DataFrame, council: str, period: str | None = None,
                   organisation: str | None = None) -> pd.DataFrame:
    """Outcome counts per period, division, organisation and printed label (one row each, with its code):
    upheld, partially_upheld, not_upheld, decided (their sum), upheld_or_partially.

    ``organisation`` picks one printed top-issue list (Lewisham prints the Council's and Lewisham
    Homes' apart, in ``service``); None keeps every one.
    """
    mine = rows[(rows["council"] == council) & rows["measure"].isin(OUTCOMES)]
    if period:
        mine = mine[mine["period"] == period]
    if organisation is not None:
        mine = mine[mine["service"] == organisation]
    keys = ["period", "division", "service", "category", "category_std"]
    if mine.empty:
        return pd.DataFrame(columns=[*keys, *OUTCOMES, "decided", "upheld_or_partially"])
    wide = (mine.groupby([*keys, "measure"])["value"].sum()
            .unstack("measure").reindex(columns=list(OUTCOMES)).fillna(0.0).reset_index())
    wide.columns.name = None
    wide["decided"] = wide[list(OUTCOMES)].sum(axis=1)
    wide["upheld_or_partially"] = wide["upheld"] + wide["partially_upheld"]
    return wide


def organisations(rows: pd.DataFrame, council: str, period: str) -> list[str]:
    """The separately printed outcome lists of a council-period ('' = one list for the council)."""
    mine = rows[(rows["council"] == council) & (rows["period"] == period) & rows["measure"].isin(OUTCOMES)]
    found = sorted(set(mine["service"]))
    return found if found else []


def within_cause_dispersion(outcomes: pd.DataFrame) -> tuple[float, int]:
    """φ of a table's upheld rates: Pearson χ²/df of its printed cells (division × label) around their
    cause's own rate (a quasi-binomial fit of ``~ cause``), and the number of cells.

    This is the extra-binomial variation *within* a cause — aspects of one complaint decided
    together, divisions deciding alike causes differently — which the interval of a cause's rate
    must carry. NaN when every cause has one cell (no residual df).
    """
    data = outcomes[outcomes["decided"] > 0]
    if data.empty:
        return float("nan"), 0
    pooled = data.groupby("category_std")[["upheld_or_partially", "decided"]].transform("sum")
    p = pooled["upheld_or_partially"] / pooled["decided"]
    df = len(data) - data["category_std"].nunique()
    variance = data["decided"] * p * (1 - p)
    usable = variance > 0
    if df <= 0 or not usable.any():
        return float("nan"), int(len(data))
    chi2 = float((((data["upheld_or_partially"] - data["decided"] * p) ** 2)[usable] / variance[usable]).sum())
    return chi2 / df, int(len(data))


def upheld_by_cause(outcomes: pd.DataFrame, dispersion: float | None = None) -> pd.DataFrame:
    """Per code (summed over divisions and labels): upheld or partly, decided, rate, the quasi-Wilson
    95% interval (``low``/``high``, effective n = n/φ) and the plain Wilson one (``wilson_low``/``wilson_high``).

    φ is :func:`within_cause_dispersion` of ``outcomes`` unless given; below 1 or not estimable it is
    taken as 1 (the column ``phi`` says which value was used).
    """
    columns = ["category_std", "upheld_or_partially", "decided", "rate", "low", "high", "wilson_low", "wilson_high", "phi"]
    if outcomes.empty:
        return pd.DataFrame(columns=columns)
    if dispersion is None:
        dispersion = within_cause_dispersion(outcomes)[0]
    summed = outcomes.groupby("category_std", as_index=False)[["upheld_or_partially", "decided", *OUTCOMES]].sum()
    summed = summed[summed["decided"] > 0]
    adjusted = [stats.quasi_wilson(s, n, dispersion) for s, n in zip(summed["upheld_or_partially"], summed["decided"])]
    plain = [stats.wilson(s, n) for s, n in zip(summed["upheld_or_partially"], summed["decided"])]
    summed["rate"] = [i.rate for i in adjusted]
    summed["low"] = [i.low for i in adjusted]
    summed["high"] = [i.high for i in adjusted]
    summed["wilson_low"] = [i.low for i in plain]
    summed["wilson_high"] = [i.high for i in plain]
    summed["phi"] = [i.dispersion for i in adjusted]
    return summed.sort_values("rate", ascending=False, kind="mergesort").reset_index(drop=True)


def outcome_test(outcomes: pd.DataFrame) -> stats.ChiSquare | None:
    """Chi-square: does the outcome (upheld / partly / not) depend on the cause? None if < 2 causes."""
    table = outcomes.groupby("category_std")[list(OUTCOMES)].sum()
    table = table[table.sum(axis=1) > 0]
    if len(table) < 2:
        return None
    return stats.chi_square(table)


@dataclass
class CauseModel:
    odds_ratios: pd.DataFrame  # term, odds_ratio, low, high, p_value
    dispersion: float
    n_cells: int
    reference_cause: str
    reference_division: str
    fitted: object


def cause_model(outcomes: pd.DataFrame) -> CauseModel | None:
    """Binomial GLM, upheld-or-partly out of decided ~ cause + division, quasi-binomial scale.

    Reference levels: the cause and the division with the most decided aspects. Returns None
    when there are too few cells to fit (fewer than two causes or no residual df).
    """
    data = (outcomes[outcomes["decided"] > 0].groupby(["division", "category_std"], as_index=False)
            [["upheld_or_partially", "decided"]].sum().rename(columns={"category_std": "cause"}))
    if data["cause"].nunique() < 2 or len(data) <= data["cause"].nunique() + data["division"].nunique() - 1:
        return None
    ref_cause = data.groupby("cause")["decided"].sum().idxmax()
    ref_division = data.groupby("division")["decided"].sum().idxmax()
    rhs = f"C(cause, Treatment({ref_cause!r})) + C(division, Treatment({ref_division!r}))"
    fitted, dispersion = stats.binomial_glm(data, "upheld_or_partially", "decided", rhs)
    table = stats.odds_ratios(fitted).drop(index="Intercept")
    table.index = [_term(name) for name in table.index]
    table["p_holm"] = stats.holm(table["p_value"])
    return CauseModel(table.rename_axis("term").reset_index(), dispersion, int(fitted.nobs), ref_cause, ref_division, fitted)


def significant_counts(model: CauseModel, level: float = 0.05) -> tuple[int, int, int]:
    """(terms, significant before Holm, significant after Holm) at ``level``."""
    table = model.odds_ratios
    return len(table), int((table["p_value"] < level).sum()), int((table["p_holm"] < level).sum())


def _term(name: str) -> str:
    """'C(cause, Treatment('x'))[T.delay]' → 'cause: delay'."""
    variable = name.split("(", 1)[1].split(",", 1)[0]
    level = name.rsplit("[T.", 1)[1].rstrip("]")
    return f"{variable}: {level}"


# --------------------------------------------------------------------------------------
# The study: everything the notebook shows, for one council (or all) and period


@dataclass
class RootCauseStudy:
    council: str
    period: str  # as asked ('' = latest per council)
    councils: list[str]
    without_causes: list[str]
    rows: pd.DataFrame  # cause rows of the chosen councils, every period
    shown_periods: dict[str, str]  # council → period shown in the Pareto
    tops: pd.DataFrame  # top cause of every headline table, every period
    pareto: pd.DataFrame  # headline tables of the shown periods
    shares: pd.DataFrame  # codes × headline tables of the shown periods
    names: dict[str, str]
    upheld: dict[tuple[str, str], pd.DataFrame]  # (council, period) → upheld_by_cause
    tests: dict[tuple[str, str], stats.ChiSquare]
    division: pd.DataFrame  # Bromley aspects by period, division, code
    model: CauseModel | None = None
    model_period: str = ""
    changes: list[CauseChange] | None = None
    change_periods: tuple[str, str] = ("", "")
    dispersion: dict[tuple[str, str, str], tuple[float, int]] | None = None  # upheld table → (φ within cause, cells)
    shift: ShiftShare | None = None
    recording: list[RecordingChange] | None = None
    primary: PrimaryEstimate | None = None
    sensitivity: pd.DataFrame | None = None  # crosswalk judgement calls
    test_holm: dict[tuple[str, str, str], float] | None = None
    rate_conflicts: pd.DataFrame | None = None  # printed causes-table upheld rates vs the division tables'
    coverage: pd.DataFrame | None = None  # cause tables that list only part of an organisation's complaints
    like_for_like: LikeForLike | None = None  # the divisions the Bromley change compares


def upheld_key(council: str, period: str, organisation: str) -> str:
    """The findings key of one upheld table: 'bromley 2023-24', 'lewisham 2020-21, Lewisham Homes'."""
    return f"{council} {period}" + (f", {organisation}" if organisation else "")


def upheld_title(council: str, period: str, organisation: str) -> str:
    """The reader's name of one upheld table: 'Bromley 2023-24', 'Lewisham 2020-21, Lewisham Homes'."""
    return present.council_period(council, period) + (f", {organisation}" if organisation else "")


RATE_CONFLICT = "rate_vs_division_tables"  # the conflicts table's kind for a printed rate the counts contradict


def printed_rate_conflicts(conflicts: pd.DataFrame, rows: pd.DataFrame, councils: list[str]) -> pd.DataFrame:
    """Where a causes table's printed '% upheld' disagrees with the rate derived from the divisions'
    nature-of-complaint counts (``data/clean/conflicts.csv``, kind ``rate_vs_division_tables``).

    Columns: council, period, category, printed_pct, derived_pct, gap (points), aspects (the causes
    table's count for that cause, all divisions), implied (printed % of those aspects: the numerator
    the printed rate would need), source, derived_sources. The study's upheld rates use the division
    tables, which print the counts; the printed rates are reported, not used.
    """
    columns = ["council", "period", "category", "code", "printed_pct", "derived_pct", "gap", "aspects", "implied", "source",
               "derived_sources"]
    if conflicts is None or conflicts.empty:
        return pd.DataFrame(columns=columns)
    mine = conflicts[(conflicts["kind"] == RATE_CONFLICT) & conflicts["council"].isin(councils)]
    whole = rows[(rows["division"] == "all") & (rows["service"].fillna("") == "") & (rows["measure"] == "aspects")]
    out = []
    for c in mine.itertuples(index=False):
        hit = whole[(whole["council"] == c.council) & (whole["period"] == c.period)
                    & (whole["category"].map(normalise) == normalise(c.category))]
        aspects = float(hit["value"].sum()) if len(hit) else float("nan")
        printed, derived = float(c.chosen_value), float(c.other_value)
        code = hit["category_std"].iloc[0] if len(hit) else ""
        out.append({"council": c.council, "period": c.period, "category": c.category, "code": code, "printed_pct": printed,
                    "derived_pct": derived, "gap": derived - printed, "aspects": aspects,
                    "implied": printed / 100 * aspects if np.isfinite(aspects) else float("nan"),
                    "source": c.chosen_source, "derived_sources": c.other_source})
    frame = pd.DataFrame(out, columns=columns)
    return frame.sort_values(["council", "period", "gap"], ascending=[True, True, False], kind="mergesort").reset_index(drop=True)


def analyse(observations: pd.DataFrame, taxonomy: Taxonomy, council: str, period: str,
            councils: list[str], conflicts: pd.DataFrame | None = None,
            corrections: pd.DataFrame | None = None) -> RootCauseStudy:
    """Run every step for ``council`` ('all' = each of ``councils``) and ``period`` ('' = latest);
    ``conflicts`` (data/clean/conflicts.csv) flags the printed upheld rates the counts contradict;
    ``corrections`` (data/reference/analysis_corrections.csv) replaces printed table errors."""
    chosen = list(councils) if council == "all" else [council]
    rows = cause_rows(observations, taxonomy, corrections)
    rows = rows[rows["council"].isin(chosen)]
    with_data = sorted(set(rows["council"]))
    shown = {c: choose_period(rows, c, period) for c in with_data}
    headline = headline_tables(share_tables(rows))
    tops = top_causes(headline)
    in_view = pd.Series([shown.get(c) == p for c, p in zip(headline["council"], headline["period"])], index=headline.index, dtype=bool)
    pareto = headline[in_view].reset_index(drop=True)
    upheld, tests, dispersion = {}, {}, {}
    for c in with_data:
        for organisation in organisations(rows, c, shown[c]):
            outcomes = outcome_counts(rows, c, shown[c], organisation)
            if len(outcomes):
                key = (c, shown[c], organisation)
                dispersion[key] = within_cause_dispersion(outcomes)
                upheld[key] = upheld_by_cause(outcomes, dispersion[key][0])
                test = outcome_test(outcomes)
                if test is not None:
                    tests[key] = test
    holm = dict(zip(tests, stats.holm([t.p_value for t in tests.values()]))) if tests else {}
    study = RootCauseStudy(council, period, chosen, [c for c in chosen if c not in with_data], rows, shown, tops,
                           pareto, code_shares(pareto), taxonomy.names(), upheld, tests, by_division(rows))
    study.dispersion, study.test_holm = dispersion, holm
    study.coverage = list_coverage(observations, tops)
    if BROMLEY in with_data:
        study.model_period = shown[BROMLEY]
        study.model = cause_model(outcome_counts(rows, BROMLEY, study.model_period))
        years = sorted(set(breakdown_rows(rows)["period"]))
        if len(years) >= 2:
            study.change_periods = (years[0], years[-1])
            study.like_for_like = comparable_divisions(rows, years[0], years[-1])
            study.recording = recording_change(observations, rows, (years[0], years[-1]),
                                               divisions=study.like_for_like.kept)
            per_complaint = {r.period: r.aspects_per_complaint for r in study.recording}
            study.changes = change(rows, years[0], years[-1], phi_before=per_complaint.get(years[0], float("nan")),
                                   phi_after=per_complaint.get(years[-1], float("nan")))
            study.shift = shift_share(rows, PRIMARY_CODE, years[0], years[-1])
        study.primary = primary_estimate(observations, rows, tops, study.shift)
    study.sensitivity = crosswalk_sensitivity(observations, taxonomy, chosen, shown) if with_data else None
    study.rate_conflicts = printed_rate_conflicts(conflicts, rows, chosen) if conflicts is not None else None
    return study


def _coverage_dict(coverage: pd.DataFrame | None, label: str) -> dict:
    """A top cause's share of all the organisation's complaints, where its table lists only some of them
    (``partial_list``: a ranked, truncated list; no interval is given for such a share)."""
    hit = coverage[coverage["label"] == label] if coverage is not None and len(coverage) else None
    if hit is None or hit.empty:
        return {"partial_list": False}
    r = hit.iloc[0]
    return {"partial_list": True, "organisation_complaints": r["complaints"], "organisation_source": r["complaints_source"],
            "share_of_complaints": r["share_of_complaints"], "unclassified": r["unclassified"]}


def _corrections_dict(rows: pd.DataFrame) -> list[dict]:
    """The corrected cells the study used: where printed, what it prints, what it uses and why."""
    return [{"source": f"{r['source_file']}:{int(r['source_line'])}", "period": r["period"], "division": r["division"],
             "category": r["category"], "printed": r["printed_value"], "used": r["value"], "reason": r["correction"]}
            for _, r in corrected_cells(rows).iterrows()]


def _proportion_dict(row) -> dict:
    return {"upheld_or_partially": row["upheld_or_partially"], "decided": row["decided"], "rate": row["rate"],
            "low": row["low"], "high": row["high"], "wilson_low": row["wilson_low"], "wilson_high": row["wilson_high"],
            "phi": row["phi"]}


def findings(study: RootCauseStudy, london=None) -> dict:
    """The headline figures as plain data for ``save_findings`` (with the London funnel when given),
    and ``key_findings``: the page's 3–5 plain-language bullets, computed from them."""
    out: dict = {
        "council": study.council, "period": study.period, "councils": study.councils,
        "councils_without_causes": study.without_causes, "shown_periods": study.shown_periods,
        "top_causes": {row["label"]: {k: row[k] for k in ("council", "period", "division", "service", "stage", "measure",
                                                           "category", "category_std", "value", "table_total", "share", "source")}
                       | _coverage_dict(study.coverage, row["label"])
                       for _, row in study.tops.iterrows()},
        "cross_council_shares": {label: {code: share for code, share in column.dropna().items()}
                                 for label, column in study.shares.items()} if len(study.shares) else {},
        "upheld_by_cause": {upheld_key(*key): {r["category_std"]: _proportion_dict(r) for _, r in table.iterrows()}
                            for key, table in study.upheld.items()},
        "outcome_depends_on_cause": {upheld_key(*key): {"chi_square": t.statistic, "dof": t.dof, "p_value": t.p_value,
                                                        "p_holm": (study.test_holm or {}).get(key), "min_expected": t.min_expected}
                                     for key, t in study.tests.items()},
        "dispersion": {upheld_key(*key): {"phi": phi, "phi_used": max(phi, 1.0) if np.isfinite(phi) else 1.0, "cells": cells,
                                          "method": "Pearson chi-square / df of the printed cells (division x label) "
                                                    "around each cause's own upheld rate; intervals quasi-Wilson with n / phi"}
                       for key, (phi, cells) in (study.dispersion or {}).items()},
    }
    if study.model is not None:
        out["bromley_glm"] = {
            "period": study.model_period, "n_cells": study.model.n_cells, "dispersion": study.model.dispersion,
            "reference_cause": study.model.reference_cause, "reference_division": study.model.reference_division,
            "odds_ratios": {r["term"]: {"odds_ratio": r["odds_ratio"], "low": r["low"], "high": r["high"], "p_value": r["p_value"],
                                        "p_holm": r["p_holm"]}
                            for _, r in study.model.odds_ratios.iterrows()},
        }
        terms, before_holm, after_holm = significant_counts(study.model)
        out["bromley_glm"].update({"terms_tested": terms, "significant_before_holm": before_holm,
                                   "significant_after_holm": after_holm})
    if study.changes:
        before, after = study.change_periods
        out["bromley_change"] = {
            "before": before, "after": after, "excluded_divisions": dict(study.like_for_like.excluded),
            "corrected_cells": _corrections_dict(study.rows),
            "by_cause": {c.code: {"before": c.before, "before_total": c.before_total, "after": c.after,
                                  "after_total": c.after_total, "share_before": c.share_before, "share_after": c.share_after,
                                  "difference": c.difference, "low": c.low, "high": c.high, "p_value": c.p_value,
                                  "p_holm": c.p_holm, "phi_before": c.phi_before, "phi_after": c.phi_after,
                                  "plain_low": c.plain_low, "plain_high": c.plain_high, "plain_p_value": c.plain_p_value}
                         for c in study.changes},
            "largest_rise": study.changes[0].code, "largest_fall": study.changes[-1].code,
            "phi": {before: study.changes[0].phi_before, after: study.changes[0].phi_after},
            "method": ("PRIMARY: Newcombe 95% interval on effective counts (aspects / phi of each year, phi = that "
                       "year's aspects per complaint, E&PP left out), z test on the same counts, Holm over the causes; "
                       "sensitivity: plain Newcombe (aspects independent, plain_low / plain_high)"),
        }
    if study.shift is not None:
        sh = study.shift
        out["bromley_shift_share"] = {
            "code": sh.code, "before": sh.before, "after": sh.after, "share_before": sh.share_before,
            "share_after": sh.share_after, "share_fixed_mix": sh.share_fixed_mix, "mix": sh.mix, "within": sh.within,
            "interaction": sh.interaction, "excluded_divisions": dict(study.like_for_like.excluded),
            "divisions": {r["division"]: {k: r[k] for k in sh.divisions.columns if k != "division"}
                          for _, r in sh.divisions.iterrows()}}
    if study.recording:
        out["bromley_recording"] = {r.period: {"aspects": r.aspects, "complaints": r.complaints,
                                               "aspects_per_complaint": r.aspects_per_complaint, "other_aspects": r.other,
                                               "aspects_source": r.aspects_source, "complaints_source": r.complaints_source}
                                    for r in study.recording}
    out["primary"] = primary_record(study).record()
    if study.changes and len(study.division):
        out["lack_of_action_rise_by_division"] = rise_by_division(study)
    if study.primary is not None:
        pe = study.primary
        out["lack_of_action_share"] = {
            "question": "What are complaints about? The share of Bromley's complaint aspects that are lack of action",
            "code": pe.code, "period": pe.period, "count": pe.count, "total": pe.total, "share": pe.share,
            "low": pe.low, "high": pe.high, "phi": pe.dispersion, "source": pe.source,
            "assumptions": ["the causes table counts each aspect once, all divisions",
                            "aspects of one complaint may share a cause: phi = aspects per complaint (docs/methods.md, model 1)",
                            "the crosswalk maps Bromley's 'Lack of Action' to lack_of_action (no judgement call)"],
            "sensitivity": [{k: r[k] for k in ("estimate", "share", "low", "high", "phi", "note")}
                            for _, r in pe.sensitivity.iterrows()]}
    if study.rate_conflicts is not None and len(study.rate_conflicts):
        out["printed_rate_conflicts"] = {
            "kind": RATE_CONFLICT, "used": "the division tables' counts (the printed rates are reported, not used)",
            "rows": [r.to_dict() for _, r in study.rate_conflicts.iterrows()]}
    if study.sensitivity is not None and len(study.sensitivity):
        out["crosswalk_sensitivity"] = [r.to_dict() for _, r in study.sensitivity.iterrows()]
    if len(study.division):
        latest = study.division["period"].max()
        leaders = division_leaders(study.division, latest)
        out["bromley_by_division"] = {"period": latest, "top_cause": dict(zip(leaders["division"], leaders["category_std"])),
                                      "top_share": dict(zip(leaders["division"], leaders["share"]))}
    if london is not None:
        from . import benchmark

        out.update(benchmark.findings(london))
    out["key_findings"] = key_findings(study, london)
    return out


def rise_by_division(study: RootCauseStudy, code: str = PRIMARY_CODE) -> dict:
    """Where the like-for-like rise in ``code``'s aspects came from: each division's before → after, and
    Education's part of the rise (the SEN surge shows up here as lack of action)."""
    before, after = study.change_periods
    kept = study.like_for_like.kept if study.like_for_like else ()
    d = study.division[(study.division["category_std"] == code) & study.division["division"].isin(kept)]
    wide = d.pivot_table(index="division", columns="period", values="value", aggfunc="sum").reindex(columns=[before, after])
    wide = wide.fillna(0.0)
    rise = float(wide[after].sum() - wide[before].sum())
    rows = {div: {"before": float(r[before]), "after": float(r[after]), "change": float(r[after] - r[before])}
            for div, r in wide.iterrows()}
    education = rows.get("education", {}).get("change", float("nan"))
    return {"code": code, "before": before, "after": after, "rise": rise, "divisions": rows,
            "education_share_of_rise": education / rise if rise > 0 else None}


def primary_record(study: RootCauseStudy, run_id: str = "") -> Primary:
    """The root-causes question's one primary (findings key ``primary``): the like-for-like change in the
    share of Bromley's complaint aspects coded lack of action, whose strength is "cannot be told from a
    change in recording" whenever aspects per complaint rose between the two years (more grievances
    logged per complaint raise a common cause's share with no change in what went wrong)."""
    change = next((c for c in (study.changes or []) if c.code == PRIMARY_CODE), None)
    if change is None:
        who = (study.council,) if study.council != "all" else ()
        reason = ("Bromley's reports are the only ones printing the same causes table in two years; "
                  + ("the reports read here include no Bromley causes table" if BROMLEY not in study.shown_periods else
                     "only one of its years is read here"))
        return Primary("root_causes", "No change in the causes of complaints can be measured from these reports.",
                       None, None, None, "", "", who, tuple(sorted(set(study.shown_periods.values()))), NOT_ESTIMABLE,
                       reason, "", run_id)
    before, after = study.change_periods
    rec = {r.period: r for r in (study.recording or [])}
    recording = ""
    if before in rec and after in rec and rec[after].aspects_per_complaint > rec[before].aspects_per_complaint:
        recording = (f"aspects logged per complaint rose from {present.number(rec[before].aspects_per_complaint, 'decimal', 2)} "
                     f"to {present.number(rec[after].aspects_per_complaint, 'decimal', 2)}, which raises a common cause's "
                     "share with no change in what went wrong")
    labelled = ({"label": "every aspect independent", "value": change.difference * 100, "low": change.plain_low * 100,
                 "high": change.plain_high * 100, "p_value": change.plain_p_value, "variance": True},)
    strength, reason = strength_of(change.low * 100, change.high * 100, 0.0, labelled, recording=recording)
    rise = rise_by_division(study) if len(study.division) else {}
    edu = rise.get("education_share_of_rise")
    finding = (f"In Bromley, lack of action went from {present.number(change.share_before, 'share', 0)} of complaint "
               f"aspects in {before} to {present.number(change.share_after, 'share', 0)} in {after}, like for like: "
               f"{'a rise' if change.difference > 0 else 'a fall'} of {present.number(abs(change.difference) * 100, 'decimal', 0)} "
               f"percentage points (likely range {present.number(change.low * 100, 'decimal', 0)} to "
               f"{present.number(change.high * 100, 'decimal', 0)})"
               + (f"; Education supplied {present.number(edu, 'share', 0)} of the rise" if edu is not None else "") + ".")
    caveat = ("The council codes each aspect once, by its own judgement; the reports say what a complaint was about, "
              "not what caused the failure, and only Bromley prints the same causes table in two years.")
    return Primary("root_causes", finding, change.difference * 100, change.low * 100, change.high * 100,
                   "percentage points", "95% likely range allowing for several grievances per complaint",
                   (BROMLEY,), (before, after), strength, reason, caveat, run_id, 0.0, labelled, counts="aspects")


# --------------------------------------------------------------------------------------
# Charts (titles state the finding; axes name their units)


def pareto_figure(table: pd.DataFrame, names: dict[str, str], all_complaints: float | None = None):
    """One cause table: its categories as printed, largest first, each bar labelled with its share of the table
    (a phone has no room for a second axis of running totals: the text under it gives the top three's share).
    ``all_complaints``: the organisation's whole-year complaints, where the table lists only its largest issues
    (the title then says the list's share is not a share of all complaints)."""
    import matplotlib.pyplot as plt

    from ..charts import MIN_TEXT_PT, PALETTE

    table = table.sort_values("rank")
    first = table.iloc[0]
    percent = first["measure"] == "pct_of_total"
    values = table["value"].to_numpy()
    long_names = any(len(str(c)) > 26 for c in table["category"])
    fig, ax = plt.subplots(figsize=(8, max(6.0, 0.8 * len(table) + 1.8) if long_names else 0.5 * len(table) + 1.8))
    y = np.arange(len(table))[::-1]
    ax.barh(y, values, color=PALETTE[0])
    ax.set_yticks(y, list(table["category"]))
    for yi, v, share in zip(y, values, table["share"]):
        ax.annotate(present.number(share, "share", 0), (v, yi), xytext=(4, 0), textcoords="offset points",
                    va="center", ha="left", fontsize=MIN_TEXT_PT)
    ax.set_xlim(0, values.max() * 1.25)
    unit = UNITS.get(first["measure"], first["measure"])
    ax.set_xlabel(unit if not percent else "% of complaints (as printed)")
    share_text = f"{first['share']:.0%}" + ("" if percent else f" of {int(first['table_total']):,} {unit}")
    if all_complaints:
        share_text = (f"{int(first['value']):,} of the {int(first['table_total']):,} complaints listed, "
                      f"{present.number(first['value'] / all_complaints, 'share', 0)} of all {int(all_complaints):,}")
    fig.suptitle(f"{_table_short(first)}: '{first['category']}' ({_name(names, first['category_std'])}) leads with "
                 f"{share_text}", x=0.02, ha="left", fontweight="bold", fontsize=13)  # the figure's width, not the plot's
    ax.grid(axis="y", visible=False)
    return fig


def division_figure(division: pd.DataFrame, names: dict[str, str]):
    """Bromley: each division's aspects split by cause, one panel per year."""
    import matplotlib.pyplot as plt

    from ..charts import PALETTE

    years = sorted(division["period"].unique())
    codes = sorted(division["category_std"].unique())
    colours = {c: PALETTE[i % len(PALETTE)] for i, c in enumerate(codes)}
    leaders = division_leaders(division, years[-1])
    lead_code = leaders["category_std"].value_counts().idxmax()
    fig, axes = plt.subplots(1, len(years), figsize=(6 * len(years), 4.5), sharex=True, squeeze=False)
    for ax, year in zip(axes[0], years):
        wide = division[division["period"] == year].pivot_table(index="division", columns="category_std", values="share",
                                                                aggfunc="sum").fillna(0) * 100
        left = np.zeros(len(wide))
        for code in codes:
            if code in wide:
                ax.barh(wide.index, wide[code], left=left, color=colours[code], label=names.get(code, code))
                left += wide[code].to_numpy()
        ax.set_title(year)
        ax.set_xlabel("share of the division's aspects, %")
    axes[0][0].set_ylabel("division")
    handles, labels = axes[0][-1].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=4, bbox_to_anchor=(0.5, -0.12))
    fig.suptitle(f"Bromley {years[-1]}: {names.get(lead_code, lead_code).lower()} is the largest cause in "
                 f"{int((leaders['category_std'] == lead_code).sum())} of {len(leaders)} divisions")
    fig.tight_layout()
    return fig


def upheld_figure(upheld: pd.DataFrame, names: dict[str, str], title_prefix: str):
    """Upheld (fully or partly) share of decided aspects per cause, with its likely range (the quasi-Wilson 95%
    interval of the method note; the chart says "likely range", the glossary explains it)."""
    import matplotlib.pyplot as plt

    from ..charts import PALETTE

    table = upheld.sort_values("rate")
    fig, ax = plt.subplots(figsize=(8, 0.45 * len(table) + 1.6))
    y = np.arange(len(table))
    ax.errorbar(table["rate"] * 100, y, xerr=[(table["rate"] - table["low"]) * 100, (table["high"] - table["rate"]) * 100],
                fmt="o", color=PALETTE[0], capsize=3)
    ax.set_yticks(y, [names.get(c, c) for c in table["category_std"]])
    ax.set_xlim(0, 100)
    ax.set_xlabel("upheld or partly upheld, % of decided, with its likely range")
    top = table.iloc[-1]
    ax.set_title(f"{title_prefix}: {names.get(top['category_std'], top['category_std']).lower()} is upheld most often, "
                 f"{top['rate']:.0%} of decided", loc="left")
    fig.tight_layout()
    return fig


def odds_figure(model: CauseModel, names: dict[str, str] | None = None):
    """The GLM's odds ratios (quasi-binomial 95% intervals), log scale."""
    import matplotlib.pyplot as plt

    from ..charts import PALETTE

    table = model.odds_ratios.iloc[::-1]
    fig, ax = plt.subplots(figsize=(8, 0.4 * len(table) + 1.8))
    y = np.arange(len(table))
    ax.errorbar(table["odds_ratio"], y, xerr=[table["odds_ratio"] - table["low"], table["high"] - table["odds_ratio"]],
                fmt="o", color=PALETTE[0], capsize=3)
    ax.axvline(1, color="grey", lw=1)
    ax.set_xscale("log")
    names = names or {}
    ax.set_yticks(y, [term_label(t, names) for t in table["term"]])
    ax.set_xlabel(f"odds ratio of upheld vs {names.get(model.reference_cause, model.reference_cause).lower()} in "
                  f"{present.division(model.reference_division).lower()} (log scale)")
    terms, _, after = significant_counts(model)
    ax.set_title(f"Adjusted for division, {after} of {terms} terms differ from the reference, allowing for "
                 f"testing {terms} at once",
                 loc="left")
    fig.tight_layout()
    return fig


def shares_figure(shares: pd.DataFrame, names: dict[str, str]):
    """Heatmap: each harmonised cause's share (%) of each headline table."""
    import matplotlib.pyplot as plt
    import seaborn as sns

    leaders = shares.idxmax()
    lead = leaders.value_counts().idxmax()
    fig, ax = plt.subplots(figsize=(1.3 * shares.shape[1] + 4, 0.45 * shares.shape[0] + 2.5))
    sns.heatmap(shares * 100, annot=True, fmt=".0f", cmap="cividis", cbar_kws={"label": "share of the table, %"}, ax=ax)
    ax.set_yticklabels([names.get(t.get_text(), t.get_text()) for t in ax.get_yticklabels()], rotation=0)
    ax.set_xticklabels([t.get_text().replace(" (", "\n(") for t in ax.get_xticklabels()], rotation=60, ha="right")
    ax.set_xlabel("council, year, table (unit)")
    ax.set_ylabel("harmonised cause")
    ax.set_title(f"{names.get(lead, lead)} is the largest harmonised cause in {int((leaders == lead).sum())} of "
                 f"{len(leaders)} tables (blank: not printed)", loc="left")
    fig.tight_layout()
    return fig


def change_figure(changes: list[CauseChange], names: dict[str, str], periods: tuple[str, str]):
    """Dumbbell: each cause's share of Bromley's aspects in the two years (like for like)."""
    import matplotlib.pyplot as plt

    from ..charts import PALETTE

    ordered = sorted(changes, key=lambda c: c.share_after)
    fig, ax = plt.subplots(figsize=(8, max(6.0, 0.6 * len(ordered) + 1.8)))  # 6 in or more: rows for 2-line names
    for i, c in enumerate(ordered):
        ax.plot([c.share_before * 100, c.share_after * 100], [i, i], color="grey", lw=1)
    ax.scatter([c.share_before * 100 for c in ordered], range(len(ordered)), color=PALETTE[0], label=periods[0], zorder=3)
    ax.scatter([c.share_after * 100 for c in ordered], range(len(ordered)), color=PALETTE[1], label=periods[1], zorder=3)
    ax.set_yticks(range(len(ordered)), [names.get(c.code, c.code) for c in ordered])
    ax.set_xlabel("share of Bromley's complaint aspects, % (like for like)")
    top = ordered[-1]  # the years named beside the top row's two points, not in a colour-only legend
    for share, year, colour in ((top.share_before, periods[0], PALETTE[0]), (top.share_after, periods[1], PALETTE[1])):
        ax.annotate(year, (share * 100, len(ordered) - 1), xytext=(0, 9), textcoords="offset points", ha="center",
                    va="bottom", color=colour, fontsize=11.5, fontweight="bold")
    ax.set_ylim(-0.6, len(ordered) - 0.1)
    widest = max(max(c.share_before, c.share_after) for c in ordered) * 100
    ax.set_xlim(-1, widest * 1.12 + 2)  # room for the year named over the rightmost point
    rise = changes[0]
    ax.set_title(f"{names.get(rise.code, rise.code)} rose from {rise.share_before:.0%} to {rise.share_after:.0%} "
                 f"of aspects, {periods[0]} to {periods[1]}", loc="left")
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------------------
# Prose: every number computed, rendered by the notebook as Markdown


def _pct(x: float, digits: int = 1) -> str:
    return f"{x * 100:.{digits}f}%"


def _name(names: dict[str, str], code: str) -> str:
    return names.get(code, code).lower()


def scope_text(study: RootCauseStudy) -> str:
    """What this run covers, and which councils have no cause data (said, not crashed on)."""
    scope = "all councils" if study.council == "all" else present.council(study.council)
    lines = [f"**This page covers** {scope}, {study.period or 'the latest year with cause data for each council'}."]
    for c, p in sorted(study.shown_periods.items()):
        shown = study.pareto[study.pareto["council"] == c]
        years = sorted(set(study.rows.loc[study.rows["council"] == c, "period"]))
        if shown.empty:
            lines.append(f"- **{present.council(c)}**: no cause data for {p} (cause data exists for {', '.join(years)}).")
        else:
            lines.append(f"- **{present.council(c)}**: showing {p}; cause data for {', '.join(years)}.")
    for c in study.without_causes:
        lines.append(f"- **{present.council(c)}**: no complaint categories with figures in the clean data (nothing to "
                     "analyse here; for Harrow, the nature-of-complaint counts were charts lost in the report's conversion).")
    return "\n".join(lines)


def crosswalk_summary(taxonomy: Taxonomy, councils: list[str]) -> pd.DataFrame:
    """Codes (with names) × councils: how many printed labels map to each code."""
    walk = taxonomy.crosswalk[taxonomy.crosswalk["council"].isin(councils)]
    counts = walk.pivot_table(index="code", columns="council", values="raw_label", aggfunc="count", fill_value=0)
    table = taxonomy.codes.set_index("code")[["name", "definition"]].join(counts).fillna(0)
    for column in counts.columns:
        table[column] = table[column].astype(int)
    table = table.reset_index(drop=True).rename(columns={"name": "Cause", "definition": "Definition",
                                                         **{c: present.council(c) for c in counts.columns}})
    return table


def pareto_sections(study: RootCauseStudy):
    """(Markdown, figure or None) per shown cause table."""
    for _key, table in study.pareto.groupby(TABLE_KEY, sort=True):
        table = table.sort_values("rank")
        first = table.iloc[0]
        top3 = table.head(3)
        percent = first["measure"] == "pct_of_total"
        source = present.citation(first["source_file"], first["source_line"]).markdown()
        if percent:
            text = (f"**{table_label(first)}.** '{first['category']}' ({_name(study.names, first['category_std'])}) "
                    f"leads with {first['value']:.0f}% of complaints ({source}); the top three cover "
                    f"{top3['value'].sum():.0f}%.")
        else:
            text = (f"**{table_label(first)}.** '{first['category']}' ({_name(study.names, first['category_std'])}) "
                    f"is the most frequent: {first['value']:,.0f} of {first['table_total']:,.0f} "
                    f"{UNITS[first['measure']]} ({_pct(first['share'])}, {source}); the top three cover "
                    f"{_pct(top3['share'].sum())}.")
        yield text, pareto_figure(table, study.names, listed_of(study, first))


def division_text(study: RootCauseStudy) -> str:
    division = study.division
    lines = []
    for year in sorted(division["period"].unique()):
        leaders = division_leaders(division, year)
        parts = [f"{present.division(d)}: {_name(study.names, c)} {_pct(s, 0)}"
                 for d, c, s in zip(leaders["division"], leaders["category_std"], leaders["share"])]
        lines.append(f"- **{year}**, the largest cause per division — " + "; ".join(parts) + ".")
    return "\n".join(lines)


def _phi_words(phi: float, cells: int) -> str:
    if not np.isfinite(phi):
        return "φ not estimable (one printed cell per cause), taken as 1"
    used = max(phi, 1.0)
    return (f"φ = {present.number(phi, 'decimal', 2)} across its {cells} printed cells"
            + ("" if phi > 1 else ", below 1, so intervals are not narrowed (φ taken as 1)")
            + ("" if phi <= 1 else f"; intervals use n / {present.number(used, 'decimal', 2)}"))


def upheld_sections(study: RootCauseStudy):
    """(Markdown, figure) per upheld table: council-period, split by organisation where printed apart."""
    if not study.upheld:
        yield "No outcome counts by cause for the councils read here.", None
        return
    for key, table in sorted(study.upheld.items()):
        c, p, organisation = key
        title = upheld_title(c, p, organisation)
        phi, cells = (study.dispersion or {}).get(key, (float("nan"), 0))
        unit = "aspects" if c == BROMLEY else "complaints"
        top, bottom = table.iloc[0], table.iloc[-1]
        text = (f"**{title}** ({unit}; {_phi_words(phi, cells)}). {names_cap(study.names, top['category_std'])} is upheld "
                f"(fully or partly) most often: {present.number(top['upheld_or_partially'])} of {present.number(top['decided'])} "
                f"({present.estimate(top['rate'], top['low'], top['high'], 'share')}); "
                f"{_name(study.names, bottom['category_std'])} least: {present.number(bottom['upheld_or_partially'])} of "
                f"{present.number(bottom['decided'])} ({present.estimate(bottom['rate'], bottom['low'], bottom['high'], 'share')}).")
        test = study.tests.get(key)
        if test is not None:
            p_holm = (study.test_holm or {}).get(key, float("nan"))
            depends = p_holm < 0.05
            caution = ("" if test.min_expected >= 5 else
                       f" The smallest expected count is {present.number(test.min_expected, 'decimal', 1)}, below 5, so the p value is approximate.")
            text += (f" {'Outcome depends on cause' if depends else 'Outcome does not clearly depend on cause'}: "
                     f"χ² = {present.number(test.statistic, 'decimal', 1)} on {test.dof} df, p {_peq(test.p_value)} "
                     f"(Holm-adjusted over the {len(study.tests)} tables tested: p {_peq(p_holm)})." + caution)
        yield text, upheld_figure(table, study.names, title)


def _peq(value: float) -> str:
    """'< 0.001' or '= 0.73', to follow a 'p'."""
    text = _p(value)
    return text if text.startswith("<") else f"= {text}"


def _p(value: float) -> str:
    """A p value as a bulletin prints it: < 0.001, or 2 significant digits."""
    if value is None or not np.isfinite(value):
        return present.MISSING
    return "< 0.001" if value < 0.001 else f"{value:.2g}"


def names_cap(names: dict[str, str], code: str) -> str:
    name = names.get(code, code)
    return name[:1].upper() + name[1:]


def model_text(study: RootCauseStudy) -> str:
    model = study.model
    table = model.odds_ratios.set_index("term")
    causes = table[table.index.str.startswith("cause: ")]
    hi, lo = causes["odds_ratio"].idxmax(), causes["odds_ratio"].idxmin()
    terms, before, after = significant_counts(model)
    return (f"Bromley {study.model_period}: {model.n_cells} division × cause cells; dispersion (Pearson χ²/df) "
            f"{present.number(model.dispersion, 'decimal', 2)}"
            f"{' — over-dispersed, intervals widened' if model.dispersion > 1 else ' — not above 1, binomial intervals kept'}. "
            f"Against {_name(study.names, model.reference_cause)} in {present.division(model.reference_division).lower()}, "
            f"the odds of upheld are highest for {_name(study.names, hi.split(': ')[1])} "
            f"(odds ratio {present.estimate(table.loc[hi, 'odds_ratio'], table.loc[hi, 'low'], table.loc[hi, 'high'], 'ratio')}) "
            f"and lowest for {_name(study.names, lo.split(': ')[1])} "
            f"({present.estimate(table.loc[lo, 'odds_ratio'], table.loc[lo, 'low'], table.loc[lo, 'high'], 'ratio')}), "
            f"division held fixed. **{before} of the {terms} terms** have p < 0.05 on their own; "
            f"**{after} remain** after Holm's adjustment for testing {terms} terms at once.")


def term_label(term: str, names: dict[str, str]) -> str:
    """'cause: lack_of_action' → 'Cause: lack of action'; 'division: housing' → 'Division: housing'."""
    kind, _, level = term.partition(": ")
    name = names.get(level, present.division(level)) if kind == "cause" else present.division(level)
    return f"{kind.capitalize()}: {name.lower()}"


def model_table(model: CauseModel, names: dict[str, str]) -> pd.DataFrame:
    table = model.odds_ratios.copy()
    table["term"] = [term_label(t, names) for t in table["term"]]
    table["p_value"] = [_p(v) for v in table["p_value"]]
    table["p_holm"] = [_p(v) for v in table["p_holm"]]
    return table.rename(columns={"term": "Term", "odds_ratio": "Odds ratio", "low": "95% CI low", "high": "95% CI high",
                                 "p_value": "p", "p_holm": "p (Holm)"})


def cross_council_text(study: RootCauseStudy) -> str:
    leaders = study.shares.idxmax()
    lines = [f"- {label}: {_name(study.names, code)} ({_pct(study.shares.loc[code, label], 0)})"
             for label, code in leaders.items()]
    return "The largest harmonised cause of each table:\n" + "\n".join(lines)


def change_text(study: RootCauseStudy) -> str:
    before, after = study.change_periods
    rise, fall = study.changes[0], study.changes[-1]
    printed = study.tops[(study.tops["council"] == BROMLEY) & (study.tops["division"] == "all")].set_index("period")
    text = (f"Like for like ({study.like_for_like.words()}), {_name(study.names, rise.code)} rose from {rise.before:.0f} of "
            f"{rise.before_total:.0f} aspects ({_pct(rise.share_before)}) in {before} to {rise.after:.0f} of "
            f"{rise.after_total:.0f} ({_pct(rise.share_after)}) in {after}: +{rise.difference * 100:.1f} points "
            f"(95% CI {rise.low * 100:.1f} to {rise.high * 100:.1f}, {_change_phi_words(rise, before, after)}). "
            f"The largest fall was {_name(study.names, fall.code)}, {_pct(fall.share_before)} → {_pct(fall.share_after)} "
            f"({fall.difference * 100:.1f} points, {fall.low * 100:.1f} to {fall.high * 100:.1f}). "
            f"Holm-adjusted over the {len(study.changes)} causes compared, the rise has p {_peq(rise.p_holm)}; "
            f"{sum(c.p_holm < 0.05 for c in study.changes)} of {len(study.changes)} causes changed clearly. "
            f"*Sensitivity:* treating every aspect as independent (plain Newcombe, φ = 1) the rise's interval would be "
            f"{rise.plain_low * 100:.1f} to {rise.plain_high * 100:.1f} points and "
            f"{sum(p < 0.05 for p in stats.holm([c.plain_p_value for c in study.changes]))} causes would change "
            "clearly — too precise, as several aspects come from one complaint.")
    if before in printed.index and after in printed.index:
        b, a = printed.loc[before], printed.loc[after]
        text += (f" As printed (all divisions in each year's table), the most frequent cause was "
                 f"'{b['category']}' in {before} ({b['value']:.0f} of {b['table_total']:,.0f}, {_pct(b['share'])}, "
                 f"{present.citation(b['source']).markdown()}) and '{a['category']}' in {after} ({a['value']:.0f} of {a['table_total']:,.0f}, "
                 f"{_pct(a['share'])}, {present.citation(a['source']).markdown()}).")
    return text


def rate_conflicts_text(study: RootCauseStudy) -> str:
    """Flag and explain the printed causes-table upheld rates that the division tables' counts contradict."""
    t = study.rate_conflicts
    if t is None or t.empty:
        return "No printed upheld rate in these causes tables disagrees with the division tables' counts."
    lines = []
    for (c, p), g in t.groupby(["council", "period"], sort=True):
        r = g.iloc[0]  # the largest gap of the year
        implied = (f", about {present.number(round(r['implied']))} of its {present.number(r['aspects'])} aspects"
                   if np.isfinite(r["aspects"]) else "")
        lines.append(f"- **{present.council_period(c, p)}**: {len(g)} causes disagree; the largest gap is "
                     f"{r['category']}, printed {present.number(r['printed_pct'], 'decimal', 1)}%{implied} "
                     f"({present.citation(r['source']).markdown()}), against "
                     f"{present.number(r['derived_pct'], 'decimal', 1)}% from the division tables.")
    printed = study.rows[(study.rows["division"] == "all") & (study.rows["measure"] == "pct_upheld_or_partially")
                         & study.rows["council"].isin(t["council"].unique())]
    return (f"**The causes table's own upheld rates disagree with the counts.** Of the {len(printed)} '% upheld' figures "
            f"the causes tables print, {len(t)} differ from the rate the study derives by adding the divisions' "
            "nature-of-complaint tables (upheld or partly upheld, of all the cause's aspects in those tables). Where the "
            "causes table also counts aspects that no division table covers (Environment & Public Protection's), a "
            "printed rate is counted here only if it lies outside what any outcome of those aspects would allow:\n\n"
            + "\n".join(lines) +
            "\n\nThe report does not say how its percentage is computed — which outcomes count as upheld, and "
            "which aspects form the base (the causes table's counts include E&PP and may include aspects still "
            "open; the division tables give the outcome of each decided aspect). The study's upheld rates use the division tables, which "
            "print the counts behind every rate; the printed rates are shown here, not used. Every case is in "
            "the conflicts table of the data downloads (kind \"rate vs division tables\").")


def rate_conflicts_table(study: RootCauseStudy) -> pd.DataFrame:
    t = study.rate_conflicts
    return pd.DataFrame({"Council and year": [present.council_period(c, p) for c, p in zip(t["council"], t["period"])],
                         "Cause (as printed)": t["category"], "Printed % upheld": t["printed_pct"],
                         "From the division tables, %": t["derived_pct"], "Gap, points": t["gap"],
                         "Aspects of the cause": t["aspects"], "Source": t["source"]})


def _change_phi_words(c: CauseChange, before: str, after: str) -> str:
    """'widened for φ = 1.28 (2019-20) and 1.79 (2023-24) aspects per complaint'."""
    return (f"widened for φ = {present.number(c.phi_before, 'decimal', 2)} ({before}) and "
            f"{present.number(c.phi_after, 'decimal', 2)} ({after}) aspects per complaint")


def change_table(study: RootCauseStudy) -> pd.DataFrame:
    """Every cause's like-for-like share in the two years: the difference with its PRIMARY (φ-adjusted)
    interval and Holm-adjusted p, and the plain interval as the sensitivity column."""
    before, after = study.change_periods
    return pd.DataFrame({
        "Cause": [names_cap(study.names, c.code) for c in study.changes],
        f"Share {before}": [c.share_before for c in study.changes],
        f"Share {after}": [c.share_after for c in study.changes],
        "Change, points": [c.difference * 100 for c in study.changes],
        "95% interval (φ-adjusted, primary)": [f"{present.number(c.low * 100, 'decimal', 1)} to "
                                                f"{present.number(c.high * 100, 'decimal', 1)}" for c in study.changes],
        "p (Holm)": [_p(c.p_holm) for c in study.changes],
        "95% interval (plain, sensitivity)": [f"{present.number(c.plain_low * 100, 'decimal', 1)} to "
                                               f"{present.number(c.plain_high * 100, 'decimal', 1)}" for c in study.changes],
    })


def shares_table(study: RootCauseStudy) -> pd.DataFrame:
    """The cross-council heatmap as a page table: causes by name, one column per printed table (a share)."""
    table = study.shares.copy()
    table.insert(0, "Cause", [study.names.get(c, c) for c in table.index])
    return table.reset_index(drop=True)


def primary_text(study: RootCauseStudy) -> str:
    pe = study.primary
    if pe is None:
        return "No Bromley causes table is read here, so no primary estimate."
    return (f"**PRIMARY estimate.** In Bromley {pe.period}, {present.number(pe.count)} of the "
            f"{present.number(pe.total)} complaint aspects in the causes table were *lack of action* — "
            f"**{present.estimate(pe.share, pe.low, pe.high, 'share')}** ({present.citation(pe.source).markdown()}). "
            f"Assumptions: each aspect is counted once; aspects of one complaint may share their cause, so the "
            f"interval is widened by φ = {present.number(pe.dispersion, 'decimal', 2)} aspects per complaint (the "
            "design effect if a complaint's aspects always shared one cause and complaints were of equal size; "
            "not an upper bound, see the method note); Bromley's label "
            "'Lack of Action' maps to the code with no judgement call. The rows below are alternatives, shown as sensitivity.")


def primary_table(study: RootCauseStudy) -> pd.DataFrame:
    t = study.primary.sensitivity.copy()
    t["interval"] = [present.interval(a, b, "share") for a, b in zip(t["low"], t["high"])]
    return t[["estimate", "share", "interval", "phi", "note"]].rename(columns={
        "estimate": "Estimate", "share": "Share of aspects", "interval": "95% interval", "phi": "φ used", "note": "Note"})


def shift_text(study: RootCauseStudy) -> str:
    sh = study.shift
    if sh is None:
        return "Bromley's two causes tables are not both read here, so no decomposition."
    rec = {r.period: r for r in (study.recording or [])}
    text = (f"Like for like ({study.like_for_like.words()}), "
            f"lack of action went from {present.number(sh.share_before, 'share', 1)} to "
            f"{present.number(sh.share_after, 'share', 1)} of aspects: "
            f"{present.number((sh.share_after - sh.share_before) * 100, 'points', 1)}. "
            f"Holding the {sh.before} division mix fixed, {sh.after} would still show "
            f"**{present.number(sh.share_fixed_mix, 'share', 1)}**. Of the change, "
            f"{present.number(sh.within * 100, 'points', 1)} is within divisions, "
            f"{present.number(sh.mix * 100, 'points', 1)} is the shift in mix (more Education aspects, where lack of "
            f"action is most common) and {present.number(sh.interaction * 100, 'points', 1)} both together. "
            f"The share rose in {int((sh.divisions['share_after'] > sh.divisions['share_before']).sum())} of "
            f"{len(sh.divisions)} divisions.")
    if sh.before in rec and sh.after in rec:
        a, b = rec[sh.before], rec[sh.after]
        text += (f"\n\n**Caveat: the recording changed too.** Aspects per complaint rose from "
                 f"{present.number(a.aspects_per_complaint, 'decimal', 2)} ({present.number(a.aspects)} aspects, "
                 f"{present.citation(a.aspects_source).markdown()}; {present.number(a.complaints)} complaints, "
                 f"{present.citation(a.complaints_source).markdown()}) to {present.number(b.aspects_per_complaint, 'decimal', 2)} "
                 f"({present.number(b.aspects)} of {present.number(b.complaints)}, {present.citation(b.aspects_source).markdown()}, "
                 f"{present.citation(b.complaints_source).markdown()}; like for like, so the printed Totals' divisions "
                 f"without those left out above). More aspects logged per complaint can raise a common cause's share "
                 "without any change in what went wrong; the data cannot separate the two.")
        fixed = corrected_cells(study.rows)
        fixed = fixed[fixed["period"] == sh.before]
        if len(fixed):
            r = fixed.iloc[0]
            text += (f"\n\n**A printing error in the {sh.before} causes table is corrected here.** Its Housing column counts "
                     f"the 20 temporary-accommodation aspects twice: \"{r['category']}\" is printed as "
                     f"{present.number(r['printed_value'])} ({present.citation(r['source_file'] + ':' + str(int(r['source_line']))).markdown()}) "
                     f"where Housing's own table prints {present.number(r['value'])}. The comparison uses "
                     f"{present.number(r['value'])}, so {sh.before}'s base is the divisions' own total; the data downloads "
                     "keep the printed figure.")
    return text


def shift_table(study: RootCauseStudy) -> pd.DataFrame:
    t = study.shift.divisions
    b, a = study.shift.before, study.shift.after
    return pd.DataFrame({"Division": [present.division(d) for d in t["division"]],
                         f"Aspects {b}": t["aspects_before"], f"Lack of action {b}": t["share_before"],
                         f"Aspects {a}": t["aspects_after"], f"Lack of action {a}": t["share_after"],
                         f"Division's share of aspects {b}": t["weight_before"], f"Division's share of aspects {a}": t["weight_after"]})


def sensitivity_table(study: RootCauseStudy) -> pd.DataFrame:
    t = study.sensitivity.copy()
    names = study.names
    t["mapping"] = ["as published" if not r["council"] else
                    f"{present.council(r['council'])}: '{r['label']}' as {names.get(r['to_code'], r['to_code']).lower()} "
                    f"(not {names.get(r['from_code'], r['from_code']).lower()})" for _, r in t.iterrows()]
    t["leads"] = [f"{n} of {m}" for n, m in zip(t["lack_of_action_leads"], t["tables"])]

    def moved(text: str) -> str:
        if not text:
            return "none"
        parts = []
        for item in text.split("; "):
            label, _, change = item.rpartition(": ")
            old, _, new = change.partition(" → ")
            parts.append(f"{label}: {names.get(old, old).lower()} → {names.get(new, new).lower()}")
        return "; ".join(parts)
    t["changed"] = [moved(x) for x in t["leaders_changed"]]
    return t[["mapping", "reason", "primary_share", "leads", "changed"]].rename(columns={
        "mapping": "Mapping", "reason": "Why it is plausible", "primary_share": "PRIMARY share (Bromley lack of action)",
        "leads": "Tables led by lack of action", "changed": "Tables whose largest cause changes"})


def sensitivity_text(study: RootCauseStudy) -> str:
    t = study.sensitivity
    alternatives = t.iloc[1:]
    moved_primary = alternatives[(alternatives["primary_share"] - t["primary_share"].iloc[0]).abs() > 1e-9]
    moved_leaders = alternatives[alternatives["leaders_changed"] != ""]
    return (f"{len(alternatives)} labels of the crosswalk are judgement calls. Re-mapping each in turn "
            f"moves the PRIMARY share in {len(moved_primary)} case{'s' if len(moved_primary) != 1 else ''} and changes the "
            f"largest cause of some table in {len(moved_leaders)}: the Bromley headline does not rest on a judgement call; "
            "the cross-council picture is more fragile.")


def cannot_tell_text(study: RootCauseStudy) -> str:
    """'What this cannot tell us', specific to this run's data."""
    lines = []
    if study.primary is not None:
        lines.append("- **Why complaints are about lack of action.** The reports say what a complaint was about, not "
                     "what caused the failure (staffing, demand, systems).")
    if study.shift is not None:
        rose = int((study.shift.divisions["share_after"] > study.shift.divisions["share_before"]).sum())
        lines.append(f"- **Whether lack of action really rose in Bromley.** It rose in {rose} of "
                     f"{len(study.shift.divisions)} divisions, but a change in recording gives the same numbers.")
    if BROMLEY in study.shown_periods and any(c != BROMLEY for c in study.shown_periods):
        lines.append("- **A ranking of causes across councils.** The councils count different things and word their "
                     "own categories.")
    if any(k[0] == "lewisham" for k in study.upheld):
        lines.append("- **Whether one council upholds more than another.** Each decides its own complaints by its own "
                     "standards; only the Ombudsman's figures compare councils.")
    lines.append("- **What causes complaints.** The figures show what goes together in one year's complaints, not what "
                 "causes what.")
    if study.without_causes:
        lines.append(f"- **Anything about {', '.join(present.council(c) for c in study.without_causes)}.** No complaint "
                     "categories with figures survived the report's conversion.")
    return "\n".join(lines)


def _london_period() -> str:
    from . import benchmark

    return benchmark.PERIOD


def key_findings(study: RootCauseStudy, london=None) -> list[str]:
    """3–5 plain-language bullets for the top of the page, every number computed; the first is the
    question's declared primary, word for word (:func:`primary_record`)."""
    bullets = [primary_record(study).finding]
    pe = study.primary
    if pe is not None:
        bullets.append(f"Lack of action is the most common cause of complaint in Bromley {pe.period}: "
                       f"{present.number(pe.count)} of {present.number(pe.total)} complaint aspects "
                       f"({present.number(pe.share, 'share', 0)}).")
    sh = study.shift
    if sh is not None:
        rec = {r.period: r for r in (study.recording or [])}
        extra = ""
        if sh.before in rec and sh.after in rec:
            extra = (f"; part of the rise may be a change in recording ({present.number(rec[sh.before].aspects_per_complaint, 'decimal', 2)}"
                     f" → {present.number(rec[sh.after].aspects_per_complaint, 'decimal', 2)} aspects per complaint)")
        bullets.append(f"With {sh.before}'s mix of divisions, lack of action would still be "
                       f"{present.number(sh.share_fixed_mix, 'share', 0)} of Bromley's aspects in {sh.after}{extra}.")
    bromley_key = next((k for k in study.upheld if k[0] == BROMLEY), None)
    if bromley_key is not None:
        t = study.upheld[bromley_key]
        top = t.iloc[0]
        bullets.append(f"In Bromley {bromley_key[1]}, {_name(study.names, top['category_std'])} is the cause upheld most "
                       f"often: {present.number(top['upheld_or_partially'])} of {present.number(top['decided'])} decided "
                       f"aspects ({present.number(top['rate'], 'share', 0)}).")
    homes = [k for k in study.upheld if k[0] == "lewisham" and k[2]]
    if homes and study.test_holm:
        parts = []
        for key in sorted(homes):
            p_holm = study.test_holm.get(key)
            if p_holm is None:
                continue
            parts.append(f"at {key[2]} it {'depends' if p_holm < 0.05 else 'does not clearly depend'} on the cause")
        if parts:
            bullets.append("In Lewisham, whether a complaint is upheld: " + "; ".join(parts) + ".")
    others = study.pareto[(study.pareto["council"] != BROMLEY) & (study.pareto["rank"] == 1)
                          & study.pareto["measure"].isin(COUNT_MEASURES)]
    if len(others) and len(bullets) < 4:
        coverage = study.coverage.set_index("label") if study.coverage is not None and len(study.coverage) else None

        def described(r) -> str:
            label = table_label(r)
            if coverage is not None and label in coverage.index:
                c = coverage.loc[label]
                return (f"{label.split(' (')[0]}: {_name(study.names, r['category_std'])}, {present.number(r['value'])} of "
                        f"{present.number(c['complaints'])} complaints ({present.number(c['share_of_complaints'], 'share', 0)}; "
                        f"the report lists causes for only {present.number(r['table_total'])} of them)")
            return (f"{label.split(' (')[0]}: {_name(study.names, r['category_std'])}, "
                    f"{present.number(r['value'])} of {present.number(r['table_total'])} {UNITS[r['measure']]}")
        parts = [described(r) for _, r in others.sort_values("share", ascending=False).head(3).iterrows()]
        bullets.append(("The largest cause elsewhere — " if study.primary is not None else "The largest cause of complaint — ") + "; ".join(parts) + ".")
    if study.without_causes:
        bullets.append(f"{', '.join(present.council(c) for c in study.without_causes)}: the reports print no complaint "
                       "categories with figures (the nature-of-complaint counts were charts lost in conversion), so there "
                       "are no root-cause figures.")
    if london is not None and study.council != "all" and study.council in set(london.table["borough"]) and len(bullets) < 5:
        r = london.table.set_index("borough").loc[study.council]
        bullets.append(f"Ombudsman, {present.council(study.council)} {_london_period()}: {present.number(r['upheld'])} of "
                       f"{present.number(r['received'])} cases received were upheld ({present.number(r['rate'], 'share', 1)}), "
                       f"{'outside' if r['outside_95'] else 'inside'} the range chance alone gives a London borough of "
                       f"its size ({present.interval(r['low95'], r['high95'], 'share', 0)}).")
    if london is not None and len(bullets) < 5:
        from . import benchmark

        t = london.table
        study_rows = t[t["study"]]
        own = london.own.iloc[0] if london.own is not None and len(london.own) else None
        bullets.append(f"Ombudsman, London {benchmark.PERIOD}: {present.number(london.pooled, 'share', 0)} of cases received "
                       f"were upheld across the {len(t)} boroughs in Lewisham's table; no study council is clearly "
                       f"different on this crude ratio, though the {len(study_rows)} study councils are among its highest "
                       "and lowest"
                       + (f"; on the Ombudsman's own measure {present.council(own['council'])} was "
                          f"{'below' if own['rate'] < own['london_average'] else 'above'} the London average "
                          f"({present.number(own['rate'], 'pct', 0)} against {present.number(own['london_average'], 'pct', 0)})"
                          if own is not None else "") + ".")
    return bullets[:4]  # a phone's first screen or two; the sections below give the rest


# --------------------------------------------------------------------------------------
# The policy page (a bulletin): one chart per finding, plain sentences; the analyst page keeps the
# per-table charts, the intervals' notation and the tests (issue 25)


def _table_short(row) -> str:
    """A cause table's name without its unit: 'Bromley 2023-24, all divisions'."""
    return table_label(row).rsplit(" (", 1)[0]


def largest_causes(study: RootCauseStudy) -> pd.DataFrame:
    """One row per cause table shown: its largest cause, and that cause's share. Where the table lists only part
    of an organisation's complaints (Lewisham's top-five lists), the share is of all the organisation's
    complaints, with ``of`` saying so (a share of a truncated list would overstate it)."""
    leaders = study.pareto[study.pareto["rank"] == 1]
    coverage = study.coverage.set_index("label") if study.coverage is not None and len(study.coverage) else None
    rows = []
    for _, r in leaders.iterrows():
        label, share = table_label(r), float(r["share"])
        if r["measure"] == "pct_of_total":
            of = "of complaints, as printed"
        elif coverage is not None and label in coverage.index:
            share = float(coverage.loc[label, "share_of_complaints"])
            of = f"of all {present.number(coverage.loc[label, 'complaints'])} complaints"
        else:
            of = f"of {present.number(r['table_total'])} {UNITS[r['measure']]}"
        rows.append({"table": _table_short(r), "council": r["council"], "code": r["category_std"],
                     "cause": _name(study.names, r["category_std"]), "printed": r["category"], "share": share,
                     "of": of, "value": r["value"], "measure": r["measure"],
                     "source": f"{r['source_file']}:{int(r['source_line'])}"})
    return pd.DataFrame(rows, columns=["table", "council", "code", "cause", "printed", "share", "of", "value", "measure",
                                       "source"])


def leaders_figure(study: RootCauseStudy):
    """Each printed table's largest cause and its share, one bar per table (named above its bar, the cause at its
    end): the all-councils page's one chart of what complaints are about."""
    import matplotlib.pyplot as plt

    from ..charts import MIN_TEXT_PT, PALETTE, _wrap

    t = largest_causes(study).iloc[::-1].reset_index(drop=True)
    common = t["code"].value_counts()
    lead = common.index[0]
    names = [_wrap(r["table"], 38) for _, r in t.iterrows()]
    line = MIN_TEXT_PT * 1.25  # points per text line
    # each row, in inches (about one data unit: the figure is as tall as its rows, plus title and axis):
    # the bar, the cause's name above it, the table's name above that, and a gap
    heights = [(14 + 3 + line + 1 + line * (n.count("\n") + 1) + 6) / 72 for n in names]
    y = np.cumsum([0.0, *heights[:-1]])
    fig, ax = plt.subplots(figsize=(4.5, sum(heights) + 1.3))
    ax.barh(y, t["share"] * 100, height=14 / 72, color=PALETTE[0])
    for yi, name, (_, r) in zip(y, names, t.iterrows()):
        ax.annotate(r["cause"], (0, yi), xytext=(0, 10), textcoords="offset points", va="bottom", ha="left",
                    fontsize=MIN_TEXT_PT)
        ax.annotate(name, (0, yi), xytext=(0, 10 + line + 1), textcoords="offset points", va="bottom", ha="left",
                    fontsize=MIN_TEXT_PT, fontweight="bold", linespacing=1.1)
        ax.text(r["share"] * 100 + 1.5, yi, present.number(r["share"], "share", 0), va="center", ha="left",
                fontsize=MIN_TEXT_PT)
    ax.set_yticks(y, [f"{r['table']}: {r['cause']}" for _, r in t.iterrows()])
    ax.tick_params(axis="y", left=False, labelleft=False)
    ax.set_ylim(-0.2, y[-1] + heights[-1] - 0.1)
    ax.set_xlim(0, 100)
    ax.grid(axis="y", visible=False)
    ax.set_xlabel("largest cause's share, %")
    if common.iloc[0] > 1:
        title = (f"{names_cap(study.names, lead)} is the largest cause in {int(common.iloc[0])} of the {len(t)} "
                 "tables the reports print")
    else:
        title = f"Each of the {len(t)} tables the reports print has a different largest cause"
    ax.set_title(title, loc="left")
    return fig


def leaders_alt(study: RootCauseStudy) -> str:
    t = largest_causes(study)
    return ("The largest cause of complaint in each table the reports print: "
            + "; ".join(f"{r['table']}: {r['cause']}, {present.number(r['share'], 'share', 0)} {r['of']}"
                        for _, r in t.iterrows()))


def main_table(study: RootCauseStudy) -> pd.DataFrame | None:
    """A council page's one Pareto: the council's largest table counted in aspects or complaints (else its first)."""
    if study.pareto.empty:
        return None
    tables = [t.sort_values("rank") for _, t in study.pareto.groupby(TABLE_KEY, sort=True)]
    counted = [t for t in tables if t["measure"].iloc[0] in COUNT_MEASURES]
    return max(counted, key=lambda t: float(t["value"].sum())) if counted else tables[0]


def largest_causes_chart(study: RootCauseStudy):
    """The policy page's one chart of what complaints are about: every table's largest cause (all councils),
    or the council's own largest table, cause by cause (a council's page)."""
    if study.pareto.empty:
        return None
    if study.council == "all":
        return leaders_figure(study)
    table = main_table(study)
    return pareto_figure(table, study.names, listed_of(study, table.iloc[0]))


def listed_of(study: RootCauseStudy, row) -> float | None:
    """The organisation's whole-year complaints where ``row``'s table lists only its largest issues, else None."""
    coverage = study.coverage
    if coverage is None or coverage.empty:
        return None
    hit = coverage[coverage["label"] == table_label(row)]
    return float(hit["complaints"].iloc[0]) if len(hit) else None


def largest_causes_text(study: RootCauseStudy) -> str:
    """Plain sentences under the chart: each table's largest cause with its one number and source."""
    t = largest_causes(study)
    if t.empty:
        return "The reports print no complaint categories with figures."
    if study.council == "all":  # the chart names every table's largest cause; the analyst version charts each table
        lines = ["Where a report lists only an organisation's largest issues, the share is of all its complaints."
                 if t["of"].str.startswith("of all").any() else ""]
    else:
        lines = [f"- **{r['table']}**: {r['cause']}, {present.number(r['share'], 'share', 0)} {r['of']} "
                 f"(“{r['printed']}”, {present.citation(r['source']).markdown()})." for _, r in t.iterrows()]
    caveat = ("*Caveat:* each council words its own categories and counts different things (Bromley counts aspects: "
              "one complaint can raise several), so compare which cause leads, not the size of the shares."
              if t["council"].nunique() > 1 else
              "*Caveat:* the council words its own categories; the study maps each to a common list of causes.")
    return "\n".join(x for x in lines if x) + "\n\n" + caveat


def change_summary(study: RootCauseStudy) -> str:
    """The policy page's words on the Bromley change: the rise, how many causes changed clearly, and the caveat."""
    before, after = study.change_periods
    rise = next((c for c in study.changes if c.code == PRIMARY_CODE), study.changes[0])
    clear = sum(c.p_holm < 0.05 for c in study.changes)
    text = (f"Like for like, {_name(study.names, rise.code)} went from {present.number(rise.share_before, 'share', 0)} "
            f"of Bromley's complaint aspects in {before} to {present.number(rise.share_after, 'share', 0)} in {after} "
            f"(likely range of the rise {present.number(rise.low * 100, 'decimal', 0)} to "
            f"{present.number(rise.high * 100, 'decimal', 0)} points). {clear} of the {len(study.changes)} causes "
            "changed by more than chance would explain.")
    rec = {r.period: r for r in (study.recording or [])}
    if before in rec and after in rec:
        text += (f"\n\n*Caveat:* Bromley also split each complaint into more aspects "
                 f"({present.number(rec[before].aspects_per_complaint, 'decimal', 2)} per complaint in {before}, "
                 f"{present.number(rec[after].aspects_per_complaint, 'decimal', 2)} in {after}), which raises a common "
                 "cause's share with no change in what went wrong: the reports cannot tell the two apart.")
    return text


def upheld_chart_key(study: RootCauseStudy):
    """The policy page's one upheld table: the one with the most decided cases (Bromley's, where it is shown)."""
    if not study.upheld:
        return None
    return max(sorted(study.upheld), key=lambda k: float(study.upheld[k]["decided"].sum()))


def upheld_summary(study: RootCauseStudy) -> str:
    """One plain sentence per upheld table: the cause upheld most often and least often, with its share."""
    lines = []
    for key in sorted(study.upheld, key=lambda k: k != upheld_chart_key(study)):
        table = study.upheld[key]
        top, bottom = table.iloc[0], table.iloc[-1]
        unit = "aspects" if key[0] == BROMLEY else "complaints"
        line = (f"- **{upheld_title(*key)}** ({unit}): {_name(study.names, top['category_std'])} is upheld most often "
                f"({present.number(top['rate'], 'share', 0)})")
        if len(table) > 1:
            line += f", {_name(study.names, bottom['category_std'])} least ({present.number(bottom['rate'], 'share', 0)})"
        p_holm = (study.test_holm or {}).get(key)
        if p_holm is not None and np.isfinite(p_holm) and p_holm >= 0.05:
            line += ", but the differences are within what chance would give"
        lines.append(line + ".")
    return ("\n".join(lines) + "\n\n*Caveat:* each council decides its own complaints by its own standards, so "
            "upheld rates do not compare councils.")



def reports_source(pairs) -> str:
    """A chart's source line from the (council, period) reports it draws on: 'the Bromley 2019-20 and 2023-24
    reports; analysis by this study'."""
    years: dict[str, list[str]] = {}
    for c, p in sorted(set(pairs)):
        years.setdefault(c, []).append(p)
    parts = [f"{present.council(c)} {' and '.join(ps)}" for c, ps in years.items()]
    listed = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    return f"the {listed} complaints report{'s' if sum(map(len, years.values())) > 1 else ''}; analysis by this study"


def largest_causes_source(study: RootCauseStudy) -> str:
    return reports_source(study.shown_periods.items())


def change_source(study: RootCauseStudy) -> str:
    return reports_source((BROMLEY, p) for p in study.change_periods)


def upheld_source(study: RootCauseStudy) -> str:
    key = upheld_chart_key(study)
    return reports_source([key[:2]]) if key else ""


def scope_brief(study: RootCauseStudy) -> str:
    """The policy page's scope in one sentence: which council's which year, and who has no cause figures."""
    shown = [f"{present.council(c)} {p}" for c, p in sorted(study.shown_periods.items())]
    listed = shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " and " + shown[-1]
    text = (f"This page covers {listed}, the latest year with figures on causes" if shown else
            "The reports print no complaint categories with figures")
    if study.changes:
        text += f", and Bromley's change since {study.change_periods[0]}"
    if study.without_causes:
        text += (f"; {' and '.join(present.council(c) for c in study.without_causes)}'s reports print none "
                 "that could be read")
    return text + "."
