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
* Bromley 2019-20 vs 2023-24: the 2019-20 causes table has no Environment & Public
  Protection column (printed ``-``), the 2023-24 table has one, so the like-for-like
  comparison leaves E&PP out of both years.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .. import present, stats
from ..clean.taxonomy import NON_CAUSE, Taxonomy, standardise
from . import benchmark

COUNT_MEASURES = ("aspects", "complaints")
SHARE_MEASURES = (*COUNT_MEASURES, "pct_of_total")
OUTCOMES = ("upheld", "partially_upheld", "not_upheld")
TABLE_KEY = ["council", "period", "division", "service", "stage", "measure", "table"]
UNITS = {"aspects": "aspects", "complaints": "complaints", "pct_of_total": "% of complaints"}
BROMLEY = "bromley"
NOT_COMPARABLE_DIVISION = "environment_public_protection"  # absent from Bromley's 2019-20 causes table


def cause_rows(observations: pd.DataFrame, taxonomy: Taxonomy) -> pd.DataFrame:
    """Observations whose category is a cause (code filled from the crosswalk), with a value."""
    rows = observations[(observations["category"] != "") & observations["value"].notna()].copy()
    rows["category_std"] = standardise(rows, taxonomy)
    rows = rows[(rows["category_std"] != "") & (rows["category_std"] != NON_CAUSE)]
    return rows.reset_index(drop=True)


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
    low: float
    high: float
    p_value: float


def change(rows: pd.DataFrame, before: str, after: str, council: str = BROMLEY,
           exclude_divisions: tuple[str, ...] = (NOT_COMPARABLE_DIVISION,)) -> list[CauseChange]:
    """Each code's share of aspects in ``before`` vs ``after``, like for like: every division column
    but ``exclude_divisions``; a Newcombe interval on the difference in shares.

    Bromley's 2019-20 "Housing" column is the then Housing, Planning & Regeneration division,
    which 2023-24 prints as housing + planning_regeneration: both years keep all of it.
    """
    parts = breakdown_rows(rows, council)
    parts = parts[(parts["division"] != "all") & ~parts["division"].isin(exclude_divisions)]
    sums = parts.groupby(["period", "category_std"])["value"].sum().unstack(fill_value=0.0)
    if before not in sums.index or after not in sums.index:
        return []
    total_before, total_after = float(sums.loc[before].sum()), float(sums.loc[after].sum())
    out = []
    for code in sums.columns:
        a, b = float(sums.loc[after, code]), float(sums.loc[before, code])
        test = stats.compare_proportions(a, total_after, b, total_before)
        out.append(CauseChange(code, b, total_before, a, total_after, b / total_before, a / total_after,
                               test.difference, test.low, test.high, test.p_value))
    return sorted(out, key=lambda c: -c.difference)


# --------------------------------------------------------------------------------------
# Upheld by cause


def outcome_counts(rows: pd.DataFrame, council: str, period: str | None = None) -> pd.DataFrame:
    """Outcome counts per period, division and code (one row each): upheld, partially_upheld,
    not_upheld, decided (their sum), upheld_or_partially."""
    mine = rows[(rows["council"] == council) & rows["measure"].isin(OUTCOMES)]
    if period:
        mine = mine[mine["period"] == period]
    if mine.empty:
        return pd.DataFrame(columns=["period", "division", "category_std", *OUTCOMES, "decided", "upheld_or_partially"])
    wide = (mine.groupby(["period", "division", "category_std", "measure"])["value"].sum()
            .unstack("measure").reindex(columns=list(OUTCOMES)).fillna(0.0).reset_index())
    wide.columns.name = None
    wide["decided"] = wide[list(OUTCOMES)].sum(axis=1)
    wide["upheld_or_partially"] = wide["upheld"] + wide["partially_upheld"]
    return wide


def upheld_by_cause(outcomes: pd.DataFrame) -> pd.DataFrame:
    """Per code (summed over divisions): upheld or partly, decided, rate, the plain Wilson 95% interval
    (``low``/``high``) and the over-dispersion-adjusted one (``adj_low``/``adj_high``, quasi-Wilson on n/φ).

    φ (``dispersion``, one value for the table) is the *within-cause* over-dispersion: the Pearson χ²/df of
    the division × cause cells around their own cause's rate (a quasi-binomial ``upheld ~ cause`` fit).
    It is the extra-binomial noise in each cause's estimate (aspects of one complaint decided together,
    divisions differing), so the binomial interval is optimistic by about √φ. The φ *across causes*
    (``dispersion_across_causes``: the causes' rates around the pooled rate) is kept too, but not used
    for the intervals: it mostly measures how much the causes really differ — the signal, not noise.
    The adjusted interval is the headline one.
    """
    if outcomes.empty:
        return pd.DataFrame(columns=["category_std", "upheld_or_partially", "decided", "rate", "low", "high",
                                     "adj_low", "adj_high", "dispersion"])
    summed = outcomes.groupby("category_std", as_index=False)[["upheld_or_partially", "decided", *OUTCOMES]].sum()
    summed = summed[summed["decided"] > 0]
    intervals = [stats.wilson(s, n) for s, n in zip(summed["upheld_or_partially"], summed["decided"])]
    summed["rate"] = [i.rate for i in intervals]
    summed["low"] = [i.low for i in intervals]
    summed["high"] = [i.high for i in intervals]
    phi = within_cause_dispersion(outcomes)
    summed["dispersion_across_causes"] = stats.pearson_dispersion(summed["upheld_or_partially"], summed["decided"])
    adjusted = [stats.quasi_wilson(s, n, phi) for s, n in zip(summed["upheld_or_partially"], summed["decided"])]
    summed["adj_low"] = [a.low for a in adjusted]
    summed["adj_high"] = [a.high for a in adjusted]
    summed["dispersion"] = phi
    return summed.sort_values("rate", ascending=False, kind="mergesort").reset_index(drop=True)


def within_cause_dispersion(outcomes: pd.DataFrame) -> float:
    """Pearson χ² / (cells − causes) of the cells' upheld counts around their cause's pooled rate.

    NaN (not estimable) when no cause has two cells with decided aspects (no residual df).
    """
    cells = outcomes[outcomes["decided"] > 0]
    pooled = cells.groupby("category_std")[["upheld_or_partially", "decided"]].transform("sum")
    p = pooled["upheld_or_partially"] / pooled["decided"]
    df = len(cells) - cells["category_std"].nunique()
    if df <= 0:
        return float("nan")
    variance = cells["decided"] * p * (1 - p)
    ok = variance > 0
    chi2 = float((((cells["upheld_or_partially"] - cells["decided"] * p)[ok]) ** 2 / variance[ok]).sum())
    return chi2 / df


def upheld_dispersion(upheld: pd.DataFrame, council: str, period: str) -> dict:
    """What φ of one upheld-by-cause table is, and across what (for the findings and the text)."""
    unit = "aspects" if council == BROMLEY else "complaints"
    phi = float(upheld["dispersion"].iloc[0]) if len(upheld) else float("nan")
    across = float(upheld["dispersion_across_causes"].iloc[0]) if len(upheld) else float("nan")
    return {"phi": phi if np.isfinite(phi) else None,
            "phi_used": max(phi, 1.0) if np.isfinite(phi) else 1.0,
            "across": f"the division x cause cells of {present.council(council)}'s {period} outcome-by-cause counts "
                      f"({unit}): Pearson chi-square / (cells - causes) around each cause's own upheld rate "
                      "(quasi-binomial upheld ~ cause); used for the quasi-Wilson intervals",
            "phi_across_causes": across if np.isfinite(across) else None,
            "phi_across_causes_note": f"the {len(upheld)} causes' upheld rates around the pooled rate, "
                                      "Pearson chi-square / (causes - 1): between-cause differences, not used for intervals",
            "n_units": int(len(upheld)), "unit": unit}


def outcome_test(outcomes: pd.DataFrame) -> stats.ChiSquare | None:
    """Chi-square: does the outcome (upheld / partly / not) depend on the cause? None if < 2 causes."""
    table = outcomes.groupby("category_std")[list(OUTCOMES)].sum()
    table = table[table.sum(axis=1) > 0]
    if len(table) < 2:
        return None
    return stats.chi_square(table)


@dataclass
class CauseModel:
    odds_ratios: pd.DataFrame  # term, odds_ratio, low, high, p_value, p_holm
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
    data = outcomes[outcomes["decided"] > 0].rename(columns={"category_std": "cause"})
    if data["cause"].nunique() < 2 or len(data) <= data["cause"].nunique() + data["division"].nunique() - 1:
        return None
    ref_cause = data.groupby("cause")["decided"].sum().idxmax()
    ref_division = data.groupby("division")["decided"].sum().idxmax()
    rhs = f"C(cause, Treatment({ref_cause!r})) + C(division, Treatment({ref_division!r}))"
    fitted, dispersion = stats.binomial_glm(data, "upheld_or_partially", "decided", rhs)
    table = stats.odds_ratios(fitted).drop(index="Intercept")
    table.index = [_term(name) for name in table.index]
    table["p_holm"] = stats.holm(table["p_value"].to_numpy())  # every term is tested at once
    return CauseModel(table.rename_axis("term").reset_index(), dispersion, int(fitted.nobs), ref_cause, ref_division, fitted)


def significant_counts(model: CauseModel, alpha: float = 0.05) -> tuple[int, int, int]:
    """(terms significant at ``alpha`` before Holm, after Holm, terms tested)."""
    table = model.odds_ratios
    return int((table["p_value"] < alpha).sum()), int((table["p_holm"] < alpha).sum()), int(len(table))


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
    dispersion: dict[str, dict] | None = None  # "council period" → φ of its upheld-by-cause table, and across what
    london: benchmark.LondonFunnel | None = None  # the 2020-21 London Ombudsman funnel (every borough)
    complaint_totals: dict[str, float] | None = None  # Bromley period → complaints (excl. E&PP), own-year report


def analyse(observations: pd.DataFrame, taxonomy: Taxonomy, council: str, period: str,
            councils: list[str]) -> RootCauseStudy:
    """Run every step for ``council`` ('all' = each of ``councils``) and ``period`` ('' = latest)."""
    chosen = list(councils) if council == "all" else [council]
    rows = cause_rows(observations, taxonomy)
    rows = rows[rows["council"].isin(chosen)]
    with_data = sorted(set(rows["council"]))
    shown = {c: choose_period(rows, c, period) for c in with_data}
    headline = headline_tables(share_tables(rows))
    tops = top_causes(headline)
    in_view = pd.Series([shown.get(c) == p for c, p in zip(headline["council"], headline["period"])], index=headline.index, dtype=bool)
    pareto = headline[in_view].reset_index(drop=True)
    upheld, tests = {}, {}
    for c in with_data:
        outcomes = outcome_counts(rows, c, shown[c])
        if len(outcomes):
            upheld[(c, shown[c])] = upheld_by_cause(outcomes)
            test = outcome_test(outcomes)
            if test is not None:
                tests[(c, shown[c])] = test
    study = RootCauseStudy(council, period, chosen, [c for c in chosen if c not in with_data], rows, shown, tops,
                           pareto, code_shares(pareto), taxonomy.names(), upheld, tests, by_division(rows))
    study.dispersion = {f"{c} {p}": upheld_dispersion(table, c, p) for (c, p), table in upheld.items()}
    if len(benchmark.london_rows(observations)):
        study.london = benchmark.london_funnel(observations)
    if BROMLEY in with_data:
        study.model_period = shown[BROMLEY]
        study.model = cause_model(outcome_counts(rows, BROMLEY, study.model_period))
        years = sorted(set(breakdown_rows(rows)["period"]))
        if len(years) >= 2:
            study.change_periods = (years[0], years[-1])
            study.changes = change(rows, years[0], years[-1])
            study.complaint_totals = bromley_complaint_totals(observations, years)
    return study


def bromley_complaint_totals(observations: pd.DataFrame, periods) -> dict[str, float]:
    """Bromley's printed complaints 'Total' (which leaves E&PP out, like the like-for-like aspects) per
    period, from that year's own report (the multi-year complaints-by-division table)."""
    mine = observations[(observations["council"] == BROMLEY) & (observations["measure"] == "complaints")
                        & (observations["division"] == "all") & (observations["category"] == "")
                        & (observations["service"] == "") & (observations["table"] == "complaints_by_division_multi_year")
                        & observations["value"].notna()]
    out = {}
    for period in periods:
        own = mine[(mine["period"] == period) & mine["source_file"].astype(str).str.contains(f"bromley_{period}", regex=False)]
        if len(own):
            out[period] = float(own["value"].iloc[0])
    return out


def _proportion_dict(row) -> dict:
    return {"upheld_or_partially": row["upheld_or_partially"], "decided": row["decided"], "rate": row["rate"],
            "low": row["low"], "high": row["high"], "adjusted_low": row["adj_low"], "adjusted_high": row["adj_high"],
            "dispersion": row["dispersion"] if np.isfinite(row["dispersion"]) else None}


def findings(study: RootCauseStudy) -> dict:
    """The headline figures as plain data for ``save_findings``."""
    out: dict = {
        "council": study.council, "period": study.period, "councils": study.councils,
        "councils_without_causes": study.without_causes, "shown_periods": study.shown_periods,
        "top_causes": {row["label"]: {k: row[k] for k in ("council", "period", "division", "service", "stage", "measure",
                                                           "category", "category_std", "value", "table_total", "share", "source")}
                       for _, row in study.tops.iterrows()},
        "cross_council_shares": {label: {code: share for code, share in column.dropna().items()}
                                 for label, column in study.shares.items()} if len(study.shares) else {},
        "upheld_by_cause": {f"{c} {p}": {r["category_std"]: _proportion_dict(r) for _, r in table.iterrows()}
                            for (c, p), table in study.upheld.items()},
        "outcome_depends_on_cause": {f"{c} {p}": {"chi_square": t.statistic, "dof": t.dof, "p_value": t.p_value,
                                                  "min_expected": t.min_expected}
                                     for (c, p), t in study.tests.items()},
    }
    if study.model is not None:
        out["bromley_glm"] = {
            "period": study.model_period, "n_cells": study.model.n_cells, "dispersion": study.model.dispersion,
            "reference_cause": study.model.reference_cause, "reference_division": study.model.reference_division,
            "odds_ratios": {r["term"]: {"odds_ratio": r["odds_ratio"], "low": r["low"], "high": r["high"], "p_value": r["p_value"],
                                        "p_holm": r["p_holm"]}
                            for _, r in study.model.odds_ratios.iterrows()},
        }
        raw, holm, tested = significant_counts(study.model)
        out["glm_significant_raw"], out["glm_significant_holm"], out["glm_terms_tested"] = raw, holm, tested
    if study.changes:
        before, after = study.change_periods
        out["bromley_change"] = {
            "before": before, "after": after, "excluded_divisions": [NOT_COMPARABLE_DIVISION],
            "by_cause": {c.code: {"before": c.before, "before_total": c.before_total, "after": c.after,
                                  "after_total": c.after_total, "share_before": c.share_before, "share_after": c.share_after,
                                  "difference": c.difference, "low": c.low, "high": c.high, "p_value": c.p_value}
                         for c in study.changes},
            "largest_rise": study.changes[0].code, "largest_fall": study.changes[-1].code,
        }
    out["dispersion"] = dict(study.dispersion or {})
    if study.model is not None:
        out["dispersion"][f"bromley_glm {study.model_period}"] = {
            "phi": study.model.dispersion, "phi_used": max(study.model.dispersion, 1.0),
            "across": f"the {study.model.n_cells} division x cause cells of the binomial GLM: Pearson chi-square / residual df",
            "n_units": study.model.n_cells, "unit": "aspects"}
    if study.london is not None:
        out.update(benchmark.findings(study.london))
    out["key_findings"] = key_findings(study)
    per_complaint = aspects_per_complaint(study)
    if per_complaint:
        out["bromley_aspects_per_complaint"] = per_complaint
    if len(study.division):
        latest = study.division["period"].max()
        leaders = division_leaders(study.division, latest)
        out["bromley_by_division"] = {"period": latest, "top_cause": dict(zip(leaders["division"], leaders["category_std"])),
                                      "top_share": dict(zip(leaders["division"], leaders["share"]))}
    return out


# --------------------------------------------------------------------------------------
# Charts (titles state the finding; axes name their units)


def pareto_figure(table: pd.DataFrame, names: dict[str, str]):
    """One cause table: bars (largest first) and the cumulative share."""
    import matplotlib.pyplot as plt

    from ..charts import PALETTE

    table = table.sort_values("rank")
    first = table.iloc[0]
    percent = first["measure"] == "pct_of_total"
    values = table["value"]
    fig, ax = plt.subplots(figsize=(8, 0.45 * len(table) + 1.6))
    labels = [f"{c} [{names.get(s, s)}]" for c, s in zip(table["category"], table["category_std"])]
    ax.barh(labels[::-1], values.to_numpy()[::-1], color=PALETTE[0])
    unit = UNITS.get(first["measure"], first["measure"])
    ax.set_xlabel(unit if not percent else "% of complaints (as printed)")
    share_text = f"{first['share']:.0%}" + ("" if percent else f" of {int(first['table_total']):,} {unit}")
    ax.set_title(f"{table_label(first)}:\n'{first['category']}' leads with {share_text}", loc="left")
    if not percent:
        twin = ax.twiny()
        twin.plot(table["cumulative"].to_numpy()[::-1] * 100, range(len(table)), marker="o", color=PALETTE[1])
        twin.set_xlim(0, 105)
        twin.set_xlabel("cumulative share, % (line)")
        twin.grid(False)
    fig.tight_layout()
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
    """Upheld (fully or partly) share of decided aspects per cause, with over-dispersion-adjusted
    (quasi-Wilson, n/φ) 95% intervals."""
    import matplotlib.pyplot as plt

    from ..charts import PALETTE

    table = upheld.sort_values("rate")
    fig, ax = plt.subplots(figsize=(8, 0.45 * len(table) + 1.6))
    y = np.arange(len(table))
    ax.errorbar(table["rate"] * 100, y, xerr=[(table["rate"] - table["adj_low"]) * 100, (table["adj_high"] - table["rate"]) * 100],
                fmt="o", color=PALETTE[0], capsize=3)
    ax.set_yticks(y, [f"{names.get(c, c)} (n={int(n)})" for c, n in zip(table["category_std"], table["decided"])])
    ax.set_xlim(0, 100)
    phi = float(table["dispersion"].iloc[0])
    ax.set_xlabel(f"upheld or partly upheld, % of decided (95% interval widened for φ = {present.number(phi, 'decimal', 2)})")
    top = table.iloc[-1]
    ax.set_title(f"{title_prefix}: {names.get(top['category_std'], top['category_std']).lower()} is upheld most often, "
                 f"{present.number(top['rate'], 'share', 0)} ({present.interval(top['adj_low'], top['adj_high'], 'share', 0)})",
                 loc="left")
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
    ax.set_yticks(y, [_term_label(t, names or {}, model) for t in table["term"]])
    ax.set_xlabel("odds ratio of upheld vs the reference cause and division (log scale)")
    raw, holm, tested = significant_counts(model)
    ax.set_title(f"Adjusted for division, {holm} of {tested} terms differ from the reference after Holm's correction "
                 f"({raw} before)", loc="left")
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
    fig, ax = plt.subplots(figsize=(8, 0.45 * len(ordered) + 1.8))
    for i, c in enumerate(ordered):
        ax.plot([c.share_before * 100, c.share_after * 100], [i, i], color="grey", lw=1)
    ax.scatter([c.share_before * 100 for c in ordered], range(len(ordered)), color=PALETTE[0], label=periods[0], zorder=3)
    ax.scatter([c.share_after * 100 for c in ordered], range(len(ordered)), color=PALETTE[1], label=periods[1], zorder=3)
    ax.set_yticks(range(len(ordered)), [names.get(c.code, c.code) for c in ordered])
    ax.set_xlabel("share of Bromley's aspects, % (E&PP excluded both years)")
    ax.legend(loc="lower right")
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
    lines = [f"**Run:** council = `{study.council}`, period = `{study.period or 'latest per council'}`."]
    for c, p in sorted(study.shown_periods.items()):
        shown = study.pareto[study.pareto["council"] == c]
        years = sorted(set(study.rows.loc[study.rows["council"] == c, "period"]))
        if shown.empty:
            lines.append(f"- **{present.council(c)}**: no cause data for {p} (cause data exists for {', '.join(years)}).")
        else:
            lines.append(f"- **{present.council(c)}**: showing {p}; cause data for {', '.join(years)}.")
    for c in study.without_causes:
        lines.append(f"- **{present.council(c)}**: no complaint categories with figures in `data/clean` (nothing to analyse here; "
                     "for Harrow, the nature-of-complaint counts were charts lost in the report's conversion).")
    return "\n".join(lines)


def crosswalk_summary(taxonomy: Taxonomy, councils: list[str]) -> pd.DataFrame:
    """Codes (with names) × councils: how many printed labels map to each code."""
    walk = taxonomy.crosswalk[taxonomy.crosswalk["council"].isin(councils)]
    counts = walk.pivot_table(index="code", columns="council", values="raw_label", aggfunc="count", fill_value=0)
    table = taxonomy.codes.set_index("code")[["name", "definition"]].join(counts).fillna(0)
    for column in counts.columns:
        table[column] = table[column].astype(int)
    return table


def pareto_sections(study: RootCauseStudy):
    """(Markdown, figure or None) per shown cause table."""
    for key, table in study.pareto.groupby(TABLE_KEY, sort=True):
        table = table.sort_values("rank")
        first = table.iloc[0]
        top3 = table.head(3)
        percent = first["measure"] == "pct_of_total"
        source = f"{first['source_file']}:{int(first['source_line'])}"
        if percent:
            text = (f"**{table_label(first)}.** '{first['category']}' ({_name(study.names, first['category_std'])}) "
                    f"leads with {first['value']:.0f}% of complaints ({source}); the top three cover "
                    f"{top3['value'].sum():.0f}%.")
        else:
            text = (f"**{table_label(first)}.** '{first['category']}' ({_name(study.names, first['category_std'])}) "
                    f"is the most frequent: {first['value']:,.0f} of {first['table_total']:,.0f} "
                    f"{UNITS[first['measure']]} ({_pct(first['share'])}, {source}); the top three cover "
                    f"{_pct(top3['share'].sum())}.")
        yield text, pareto_figure(table, study.names)


def division_text(study: RootCauseStudy) -> str:
    division = study.division
    lines = []
    for year in sorted(division["period"].unique()):
        leaders = division_leaders(division, year)
        parts = [f"{present.division(d)}: {_name(study.names, c)} {_pct(s, 0)}"
                 for d, c, s in zip(leaders["division"], leaders["category_std"], leaders["share"])]
        lines.append(f"- **{year}**, the largest cause per division — " + "; ".join(parts) + ".")
    return "\n".join(lines)


def upheld_sections(study: RootCauseStudy):
    """(Markdown, figure) per council-period with outcome counts by cause."""
    if not study.upheld:
        yield "No outcome counts by cause for the councils of this run.", None
        return
    for (c, p), table in sorted(study.upheld.items()):
        top, bottom = table.iloc[0], table.iloc[-1]
        phi = float(table["dispersion"].iloc[0])
        unit = "aspects" if c == BROMLEY else "complaints"
        text = (f"**{present.council(c)} {p}.** {names_cap(study.names, top['category_std'])} is upheld (fully or partly) "
                f"most often: {present.number(top['upheld_or_partially'])} of {present.number(top['decided'])} {unit}, "
                f"{present.estimate(top['rate'], top['adj_low'], top['adj_high'], 'share', 1)}; "
                f"{_name(study.names, bottom['category_std'])} least: {present.number(bottom['upheld_or_partially'])} of "
                f"{present.number(bottom['decided'])}, {present.estimate(bottom['rate'], bottom['adj_low'], bottom['adj_high'], 'share', 1)}. "
                + (f"Within a cause, the divisions' upheld rates vary more than binomial chance allows (dispersion "
                   f"φ = {present.number(phi, 'decimal', 2)} across the division × cause cells), so every interval is "
                   f"widened by √φ (quasi-Wilson on n/φ); the plain Wilson interval for "
                   f"{_name(study.names, top['category_std'])} would be {present.interval(top['low'], top['high'], 'share', 1)}."
                   if np.isfinite(phi) and phi > 1 else
                   (f"Within a cause, the divisions vary no more than chance (φ = {present.number(phi, 'decimal', 2)}), so the "
                    "Wilson intervals are kept; aspects of one complaint are still not independent." if np.isfinite(phi) else
                    "Over-dispersion is not estimable here (one cell per cause), so the Wilson intervals are kept and are optimistic."))
                + f" (Across the {len(table)} causes, φ = {present.number(table['dispersion_across_causes'].iloc[0], 'decimal', 1)}: "
                "the causes differ by far more than chance.)")
        test = study.tests.get((c, p))
        if test is not None:
            caution = ("" if test.min_expected >= 5 else
                       f" The smallest expected count is {test.min_expected:.1f}, below 5, so the p value is approximate.")
            text += (f" Outcome depends on cause: χ² = {test.statistic:.1f} on {test.dof} df, p = {test.p_value:.2g}."
                     + caution)
        yield text, upheld_figure(table, study.names, f"{present.council(c)} {p}")


def names_cap(names: dict[str, str], code: str) -> str:
    name = names.get(code, code)
    return name[:1].upper() + name[1:]


def model_text(study: RootCauseStudy) -> str:
    model = study.model
    table = model.odds_ratios.set_index("term")
    causes = table[table.index.str.startswith("cause: ")]
    hi, lo = causes["odds_ratio"].idxmax(), causes["odds_ratio"].idxmin()
    return (f"Bromley {study.model_period}: {model.n_cells} division × cause cells; dispersion (Pearson χ²/df) "
            f"{model.dispersion:.2f}{' — over-dispersed, intervals widened' if model.dispersion > 1 else ' — no over-dispersion, binomial intervals kept'}. "
            f"Against {_name(study.names, model.reference_cause)} in {present.division(model.reference_division).lower()}, "
            f"the odds of upheld are highest for {present.humanise(hi.split(': ')[1]).lower()} "
            f"(odds ratio {table.loc[hi, 'odds_ratio']:.2f}, 95% CI {table.loc[hi, 'low']:.2f}–{table.loc[hi, 'high']:.2f}) "
            f"and lowest for {present.humanise(lo.split(': ')[1]).lower()} "
            f"({table.loc[lo, 'odds_ratio']:.2f}, {table.loc[lo, 'low']:.2f}–{table.loc[lo, 'high']:.2f}), "
            "division held fixed. "
            + holm_text(model))


def holm_text(model: CauseModel) -> str:
    """'k of n terms significant at 5% before, m after Holm' (all terms are tested at once)."""
    raw, holm, tested = significant_counts(model)
    return (f"{raw} of {tested} terms are significant at 5% before, {holm} after Holm's correction for testing "
            f"{tested} terms at once.")


def cross_council_text(study: RootCauseStudy) -> str:
    leaders = study.shares.idxmax()
    lines = [f"- {label}: {_name(study.names, code)} ({_pct(study.shares.loc[code, label], 0)})"
             for label, code in leaders.items()]
    return "The largest harmonised cause of each table:\n" + "\n".join(lines)


def change_text(study: RootCauseStudy) -> str:
    before, after = study.change_periods
    rise, fall = study.changes[0], study.changes[-1]
    printed = study.tops[(study.tops["council"] == BROMLEY) & (study.tops["division"] == "all")].set_index("period")
    text = (f"Like for like (E&PP excluded), {_name(study.names, rise.code)} rose from {rise.before:.0f} of "
            f"{rise.before_total:.0f} aspects ({_pct(rise.share_before)}) in {before} to {rise.after:.0f} of "
            f"{rise.after_total:.0f} ({_pct(rise.share_after)}) in {after}: +{rise.difference * 100:.1f} points "
            f"(95% CI {rise.low * 100:.1f} to {rise.high * 100:.1f}). The largest fall was "
            f"{_name(study.names, fall.code)}, {_pct(fall.share_before)} → {_pct(fall.share_after)} "
            f"({fall.difference * 100:.1f} points, {fall.low * 100:.1f} to {fall.high * 100:.1f}).")
    if before in printed.index and after in printed.index:
        b, a = printed.loc[before], printed.loc[after]
        text += (f" As printed (all divisions in each year's table), the most frequent cause was "
                 f"'{b['category']}' in {before} ({b['value']:.0f} of {b['table_total']:,.0f}, {_pct(b['share'])}, "
                 f"{b['source']}) and '{a['category']}' in {after} ({a['value']:.0f} of {a['table_total']:,.0f}, "
                 f"{_pct(a['share'])}, {a['source']}).")
    return text


# --------------------------------------------------------------------------------------
# Policy-page pieces: key findings, human-labelled tables, limits of the data


def key_findings(study: RootCauseStudy) -> list[str]:
    """3–5 plain-language findings, every number computed (the page's bullet list and the findings JSON)."""
    out: list[str] = []
    whole = study.tops[(study.tops["council"] == BROMLEY) & (study.tops["division"] == "all")
                       & (study.tops["service"] == "")].sort_values("period")
    if len(whole):
        last = whole.iloc[-1]
        out.append(f"In Bromley's {last['period']} report, {_name(study.names, last['category_std'])} is the most common "
                   f"cause of complaint: {present.number(last['value'])} of {present.number(last['table_total'])} aspects "
                   f"({present.number(last['share'], 'share', 0)}).")
    if study.changes:
        before, after = study.change_periods
        lack = next((c for c in study.changes if c.code == "lack_of_action"), study.changes[0])
        out.append(f"{names_cap(study.names, lack.code)}'s share rose from {present.number(lack.share_before, 'share', 0)} in {before} to "
                   f"{present.number(lack.share_after, 'share', 0)} in {after} (like for like), but Bromley also began "
                   "recording more aspects per complaint and stopped using 'Other', so part of the rise may be how "
                   "complaints are recorded.")
    bromley = study.upheld.get((BROMLEY, study.shown_periods.get(BROMLEY, "")))
    if bromley is not None and len(bromley):
        top = bromley.iloc[0]
        out.append(f"Complaints about {_name(study.names, top['category_std'])} are upheld most often in Bromley: "
                   f"{present.estimate(top['rate'], top['adj_low'], top['adj_high'], 'share', 0)} of decided aspects, "
                   "an interval widened for over-dispersion.")
    if study.model is not None:
        raw, holm, tested = significant_counts(study.model)
        out.append(f"Holding the division fixed, {holm} of {tested} model terms stay significant after allowing for "
                   f"testing them all at once ({raw} before).")
    if study.london is not None:
        inside = int((~study.london.study["outside_95"]).sum())
        n_out = int(study.london.table["outside_95"].sum())
        out.append(f"London-wide, the Ombudsman upheld {present.number(study.london.pooled, 'share', 0)} of cases in "
                   f"2020-21; {inside} of {len(study.london.study)} study councils sit inside the 95% funnel limits "
                   f"({'no borough' if n_out == 0 else f'{n_out} boroughs'} outside), so London rankings say little.")
    return out[:5]


def key_findings_markdown(study: RootCauseStudy) -> str:
    items = key_findings(study)
    return "**Key findings**\n\n" + "\n".join(f"- {item}" for item in items) if items else ""


def _term_label(term: str, names: dict[str, str], model: CauseModel) -> str:
    variable, _, level = term.partition(": ")
    if variable == "cause":
        return f"Cause: {names.get(level, present.humanise(level))} (vs {names.get(model.reference_cause, model.reference_cause).lower()})"
    return f"Division: {present.division(level)} (vs {present.division(model.reference_division).lower()})"


def _p(value: float) -> str:
    if present.is_missing(value):
        return present.MISSING
    return "<0.001" if value < 0.001 else f"{value:.3f}"


def odds_table(study: RootCauseStudy):
    """The GLM's odds ratios with human term names, quasi-binomial 95% intervals, raw and Holm p values."""
    model = study.model
    frame = pd.DataFrame({
        "term": [_term_label(t, study.names, model) for t in model.odds_ratios["term"]],
        "odds_ratio": model.odds_ratios["odds_ratio"], "low": model.odds_ratios["low"], "high": model.odds_ratios["high"],
        "p_value": [_p(v) for v in model.odds_ratios["p_value"]], "p_holm": [_p(v) for v in model.odds_ratios["p_holm"]],
    })
    return present.table(frame, kinds={"odds_ratio": "ratio", "low": "ratio", "high": "ratio", "p_value": "text",
                                       "p_holm": "text"},
                         labels={"term": "Term", "odds_ratio": "Odds ratio", "low": "95% CI low", "high": "95% CI high",
                                 "p_value": "p", "p_holm": "p (Holm)"},
                         caption=f"Binomial GLM of upheld-or-partly aspects, Bromley {study.model_period}; "
                                 f"{holm_text(model)}")


def shares_table(study: RootCauseStudy):
    """Codes (by name) × headline tables: each cause's share of the table, %; '—' where not printed."""
    frame = (study.shares * 100).rename(index=study.names)
    frame.index.name = "Harmonised cause"
    frame = frame.reset_index()
    return present.table(frame, kinds={c: "pct" for c in frame.columns[1:]},
                         labels={c: c for c in frame.columns},
                         caption="Share of each printed table, %. Units differ between columns (aspects, complaints, "
                                 "% of complaints as printed).")


def crosswalk_table(taxonomy: Taxonomy, councils: list[str]):
    """The crosswalk summary with code names and council names (how many printed labels map to each code)."""
    summary = crosswalk_summary(taxonomy, councils).reset_index(drop=True)
    labels = {"name": "Harmonised cause", "definition": "Definition"}
    labels.update({c: present.council(c) for c in summary.columns if c not in labels})
    return present.table(summary, kinds={c: "count" for c in summary.columns if c not in ("name", "definition")},
                         labels=labels, caption="Printed labels mapped to each code, per council.")


def limitations_text(study: RootCauseStudy) -> str:
    """'What this cannot tell us', specific to this data (numbers computed where the data gives them)."""
    lines = [
        "- **Units differ across councils.** Bromley counts aspects, Barking and Dagenham and Lewisham's top-issue "
        "tables count complaints, Lewisham's adult social care analysis prints only % of complaints. Shares within "
        "one table can be compared; sizes across councils cannot.",
        "- **Aspects are not independent.** One complaint can raise several aspects, decided together; the intervals "
        "are widened by the observed dispersion, but that is an approximation, not a model of the clustering.",
    ]
    if study.changes:
        before, after = study.change_periods
        lack = next((c for c in study.changes if c.code == "lack_of_action"), None)
        other = next((c for c in study.changes if c.code == "other"), None)
        bits = []
        if lack is not None:
            bits.append(f"lack of action rose from {present.number(lack.share_before, 'share', 0)} to "
                        f"{present.number(lack.share_after, 'share', 0)} of aspects")
        if other is not None:
            bits.append(f"'Other' went from {present.number(other.before)} aspects to {present.number(other.after)}")
        per_complaint = aspects_per_complaint(study)
        if per_complaint:
            bits.append("aspects per complaint went from " + " to ".join(
                f"{present.number(v, 'decimal', 2)} ({p})" for p, v in sorted(per_complaint.items())))
        lines.append(f"- **A recording change in Bromley between {before} and {after}.** " + _capitalise("; ".join(bits))
                     + ". Recording more aspects per complaint, and no longer using 'Other', may explain part of the "
                     "lack-of-action rise; the reports do not say how aspects were coded.")
    lines.append("- **Associations, not causes.** The model says which causes are upheld more often with the division "
                 "held fixed, within one year's reports; it cannot say that a cause makes a complaint more likely to "
                 "be upheld, nor separate a service's failings from how its complaints are worded and coded.")
    if study.london is not None:
        sizes = study.london.table["decided"]
        lines.append("- **The London benchmark is one year (2020-21) of Ombudsman cases as Lewisham's report prints "
                     "them**: the denominator is the cases printed (called 'received'), and a borough's rate rests on "
                     f"{present.number(sizes.min())}–{present.number(sizes.max())} cases, so a borough's rank "
                     "can change with a handful of decisions.")
    return "\n".join(lines)


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


def aspects_per_complaint(study: RootCauseStudy) -> dict[str, float]:
    """Bromley's like-for-like aspects (from the change table) per complaint (the whole council's printed total),
    where both are in the data: an indicator of how many grievances each complaint was recorded with."""
    if not study.changes or study.complaint_totals is None:
        return {}
    before, after = study.change_periods
    totals = {before: study.changes[0].before_total, after: study.changes[0].after_total}
    return {p: totals[p] / study.complaint_totals[p] for p in totals if study.complaint_totals.get(p)}
