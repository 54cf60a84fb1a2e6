"""Contracted services: complaints about the care providers councils commission.

Every figure here comes from ``data/clean/observations`` (never typed in). The councils
define "contracted services" differently, so each piece of evidence carries its definition:

* **provider** — Bromley's 'Contracted Services' row of the Adult Social Care service table:
  aspects (individual grievances) about third-party residential and domiciliary care providers.
  In-house adult social care is the table's OVERALL row minus that row, computed only where
  both were recovered.
* **root_cause** — a complaint whose recorded cause is an inadequate third-party service
  (Lewisham's adult social care root-cause percentages in prose; Barking & Dagenham's
  'Inadequate Services Provided by a Third Party' nature of statutory adult complaints).
* **commissioning_team** — complaints about the council's own commissioning team (Harrow's
  Commissioning & Partnerships, Lewisham's Joint Commissioning, Barking & Dagenham's
  Integration and Commissioning): the commissioner, not the provider.

Rates use the printed table's own denominator (aspects for Bromley, so ongoing aspects count
in the denominator as the report's percentages do). Aspects of one complaint are not
independent, so intervals and p values use the study's variance model for aspects
(docs/methods.md): effective counts n/φ with φ = that year's adult social care aspects per
complaint (:func:`.dispersion.complaint_design_effect`). The Pearson φ of the upheld rates across
all of Bromley's services (:mod:`.dispersion`) counts the services' real differences as noise; it
is a labelled sensitivity, as are the plain (φ = 1) intervals.

The PRIMARY estimate (:func:`primary_estimate`, written as a :class:`.primary.Primary` under the
findings key ``primary``) is the gap between contracted-provider and in-house aspects fully or
partly upheld in Bromley's latest report: the same year for both groups, so the shift between
"fully" and "partly" upheld (which moved in every group at once) does not enter it. The change
between the two reports is a sensitivity row.
"""
from __future__ import annotations

import re
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from statsmodels.tools.sm_exceptions import PerfectSeparationWarning

from .. import present
from ..data import cite
from ..stats import (
    aspect_difference,
    aspect_share,
    binomial_glm,
    compare_proportions,
    effective_phi,
    odds_ratios,
    wilson,
)
from .dispersion import ServiceDispersion, complaint_design_effect, linked_sources, service_dispersion
from .primary import CLEAR, NOT_ESTIMABLE, UNCLEAR, Primary, strength_of

CONTRACTED = "Contracted Services"
SERVICE_TABLE = "service_aspects"
COUNT_MEASURES = ("mentions", "aspects", "upheld", "partially_upheld", "not_upheld", "ongoing", "answered_on_time")
FEE_SERVICES = r"care home fees|domiciliary care fees"  # Bromley's Chief Executive's Department
GROUPS = {"contracted": "Contracted providers", "in_house": "In-house adult social care"}

# outcome → (label, numerator measures); the denominator is always ``aspects``
OUTCOMES = {
    "upheld_or_partially": ("Fully or partially upheld", ("upheld", "partially_upheld")),
    "fully_upheld": ("Fully upheld", ("upheld",)),
    "partially_upheld": ("Partially upheld", ("partially_upheld",)),
    "on_time": ("Answered on time", ("answered_on_time",)),
}

_TABLE_KEY = ["council", "period", "quarter", "division", "service", "category", "stage", "measure", "table"]


def one_per_key(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per figure of one table: where a table prints a figure twice (Bromley 2023-24
    prints 'Contracted Services' in a flattened table and again in a summary), prefer the
    own-year report, then an unflagged row, then the first printed. ``n_sources`` counts the
    printings and ``disagree`` says whether they differ, so a caller can show the disagreement
    instead of trusting the chosen value silently."""
    if frame.empty:
        return frame.assign(n_sources=pd.Series(dtype=int), disagree=pd.Series(dtype=bool))
    ranked = frame.assign(
        _own=(frame["report_period"] != frame["period"]).astype(int),
        _flag=(frame["quality_flag"] != "").astype(int),
    ).sort_values(["_own", "_flag", "source_file", "source_line"], kind="stable")
    groups = ranked.groupby(_TABLE_KEY, sort=False, dropna=False)
    chosen = groups.head(1).copy()
    stats = groups["value"].agg(n_sources="size", n_values="nunique").reset_index()
    chosen = chosen.merge(stats, on=_TABLE_KEY, how="left")
    chosen["disagree"] = chosen.pop("n_values") > 1
    return chosen.drop(columns=["_own", "_flag"]).reset_index(drop=True)


# ---------------------------------------------------------------------------------------
# Bromley: contracted providers next to in-house adult social care


def service_counts(obs: pd.DataFrame, council: str = "bromley", division: str = "adult_social_care",
                   services: str | None = None, table: str = SERVICE_TABLE) -> pd.DataFrame:
    """The service table's counts, wide: one row per period and service (``""`` = OVERALL).

    ``services``: a regex (case-insensitive full match) narrowing the services; the OVERALL
    row is always kept. Columns: the count measures present, ``source`` (file:line of the
    aspects figure), ``flags`` (``measure:flag`` for each flagged figure) and ``disagree``.
    A figure not recovered stays missing (NaN), never 0.
    """
    rows = obs[(obs["council"] == council) & (obs["division"] == division) & (obs["table"] == table)
               & (obs["category"] == "") & (obs["unit"] == "count") & obs["measure"].isin(COUNT_MEASURES)]
    if services is not None:
        keep = rows["service"].str.fullmatch(services, case=False) | (rows["service"] == "")
        rows = rows[keep]
    rows = one_per_key(rows)
    columns = ["council", "period", "service", *COUNT_MEASURES, "source", "flags", "disagree"]
    if rows.empty:
        return pd.DataFrame(columns=columns)
    wide = rows.pivot_table(index=["council", "period", "service"], columns="measure", values="value",
                            aggfunc="first").reindex(columns=list(COUNT_MEASURES))
    rows = rows.assign(_flag=[";".join(f"{m}:{f}" for f in flags.split(";") if f)
                              for m, flags in zip(rows["measure"], rows["quality_flag"])])
    meta = rows.groupby(["council", "period", "service"]).agg(
        flags=("_flag", lambda s: ";".join(sorted(f for f in s if f))), disagree=("disagree", "any"))
    aspects = rows[rows["measure"] == "aspects"].set_index(["council", "period", "service"])
    meta["source"] = aspects.apply(cite, axis=1) if not aspects.empty else ""
    wide = wide.join(meta).reset_index()
    wide["source"] = wide["source"].fillna("")
    return wide[columns].sort_values(["period", "service"]).reset_index(drop=True)


def summary_check(obs: pd.DataFrame, council: str = "bromley", other_table: str = "service_aspects_summary") -> pd.DataFrame:
    """The 'Contracted Services' and OVERALL counts of the service table against a second printing
    (Bromley 2023-24's SUMMARY table): one row per period, service and measure printed in both."""
    wanted = re.escape(CONTRACTED)
    main = service_counts(obs, council, services=wanted)
    other = service_counts(obs, council, services=wanted, table=other_table)
    if main.empty or other.empty:
        return pd.DataFrame(columns=["period", "service", "measure", "value", "other_value", "agree"])
    keys = ["period", "service"]
    long = lambda f: f.melt(id_vars=keys, value_vars=list(COUNT_MEASURES), var_name="measure")  # noqa: E731
    both = long(main).merge(long(other), on=[*keys, "measure"], suffixes=("", "_other")).dropna()
    both = both.rename(columns={"value_other": "other_value"})
    both["agree"] = both["value"] == both["other_value"]
    return both.reset_index(drop=True)


def contracted_vs_in_house(obs: pd.DataFrame, council: str = "bromley") -> pd.DataFrame:
    """Per period, the counts of three groups: ``contracted`` (the 'Contracted Services' row),
    ``all_asc`` (OVERALL) and ``in_house`` (OVERALL − contracted, measure by measure; missing
    where either is missing). Periods without a recovered contracted row are left out."""
    table = service_counts(obs, council, services=re.escape(CONTRACTED))
    out = []
    for period, rows in table.groupby("period", sort=True):
        contracted = rows[rows["service"].str.casefold() == CONTRACTED.casefold()]
        overall = rows[rows["service"] == ""]
        if contracted.empty:
            continue
        c = contracted.iloc[0]
        o = overall.iloc[0] if not overall.empty else pd.Series({m: np.nan for m in COUNT_MEASURES} | {
            "source": "", "flags": "", "disagree": False})
        for group, values, source, flags in (
            ("contracted", c[list(COUNT_MEASURES)], c["source"], c["flags"]),
            ("all_asc", o[list(COUNT_MEASURES)], o["source"], o["flags"]),
            ("in_house", o[list(COUNT_MEASURES)].astype(float) - c[list(COUNT_MEASURES)].astype(float),
             ";".join(s for s in (o["source"], c["source"]) if s), ";".join(f for f in (o["flags"], c["flags"]) if f)),
        ):
            out.append({"council": council, "period": period, "group": group,
                        **{m: float(values[m]) for m in COUNT_MEASURES}, "source": source, "flags": flags})
    return pd.DataFrame(out, columns=["council", "period", "group", *COUNT_MEASURES, "source", "flags"])


def add_proportion(frame: pd.DataFrame, successes: str, trials: str, prefix: str = "") -> pd.DataFrame:
    """Add ``rate``, ``low``, ``high`` (Wilson 95%) columns; missing counts give missing rates."""
    frame = frame.copy()
    results = [wilson(s, n) if pd.notna(s) and pd.notna(n) else None
               for s, n in zip(frame[successes], frame[trials])]
    for field in ("rate", "low", "high"):
        frame[prefix + field] = [getattr(r, field) if r else np.nan for r in results]
    return frame


def contracted_share(groups: pd.DataFrame) -> pd.DataFrame:
    """Share of adult social care aspects (and mentions) that concern contracted providers, per period."""
    rows = []
    for period, g in groups.groupby("period", sort=True):
        c, o = g.set_index("group").loc["contracted"], g.set_index("group").loc["all_asc"]
        rows.append({"council": g["council"].iloc[0], "period": period,
                     "contracted_aspects": c["aspects"], "asc_aspects": o["aspects"],
                     "contracted_mentions": c["mentions"], "asc_mentions": o["mentions"],
                     "source": ";".join(s for s in (c["source"], o["source"]) if s)})
    share = pd.DataFrame(rows, columns=["council", "period", "contracted_aspects", "asc_aspects",
                                        "contracted_mentions", "asc_mentions", "source"])
    share = add_proportion(share, "contracted_aspects", "asc_aspects")
    return add_proportion(share, "contracted_mentions", "asc_mentions", prefix="mentions_")


def outcome_rates(groups: pd.DataFrame, group_names=("contracted", "in_house")) -> pd.DataFrame:
    """Long table: period × group × outcome with successes, trials (aspects), rate and Wilson interval."""
    rows = []
    for record in groups[groups["group"].isin(group_names)].itertuples(index=False):
        for outcome, (label, measures) in OUTCOMES.items():
            parts = [getattr(record, m) for m in measures]
            successes = float(np.sum(parts)) if all(pd.notna(p) for p in parts) else np.nan
            rows.append({"council": record.council, "period": record.period, "group": record.group,
                         "outcome": outcome, "outcome_label": label, "successes": successes,
                         "trials": record.aspects})
    rates = pd.DataFrame(rows, columns=["council", "period", "group", "outcome", "outcome_label", "successes", "trials"])
    return add_proportion(rates, "successes", "trials")


def _compare(a: pd.Series, b: pd.Series, name_a: str = "a", name_b: str = "b") -> dict:
    """Two-proportion comparison of rows ``a`` and ``b`` (each with successes/trials): the
    difference a − b with its Newcombe interval and z test; per-group fields end in the names."""
    values = [a["successes"], a["trials"], b["successes"], b["trials"]]
    if any(pd.isna(v) for v in values) or a["trials"] <= 0 or b["trials"] <= 0:
        return {}
    if a["successes"] + b["successes"] == 0 or a["successes"] + b["successes"] == a["trials"] + b["trials"]:
        return {}  # no variation: the z test is undefined
    test = compare_proportions(a["successes"], a["trials"], b["successes"], b["trials"])
    return {f"rate_{name_a}": test.rate_a, f"rate_{name_b}": test.rate_b, "difference": test.difference,
            "low": test.low, "high": test.high, "z": test.z, "p_value": test.p_value,
            f"successes_{name_a}": a["successes"], f"n_{name_a}": a["trials"],
            f"successes_{name_b}": b["successes"], f"n_{name_b}": b["trials"]}


def group_differences(rates: pd.DataFrame, a: str = "contracted", b: str = "in_house") -> pd.DataFrame:
    """Per period and outcome: rate of ``a`` minus rate of ``b``, Newcombe interval, z test p value."""
    rows = []
    for (period, outcome), g in rates.groupby(["period", "outcome"], sort=True):
        by = g.set_index("group")
        if a in by.index and b in by.index:
            result = _compare(by.loc[a], by.loc[b], a, b)
            if result:
                rows.append({"period": period, "outcome": outcome, **result})
    return pd.DataFrame(rows)


def period_change(rates: pd.DataFrame, before: str, after: str) -> pd.DataFrame:
    """Per group and outcome: rate in ``after`` minus rate in ``before`` (fields ``…_before``, ``…_after``)."""
    rows = []
    for (group, outcome), g in rates.groupby(["group", "outcome"], sort=True):
        by = g.set_index("period")
        if before in by.index and after in by.index:
            result = _compare(by.loc[after], by.loc[before], "after", "before")
            if result:
                rows.append({"group": group, "outcome": outcome, "before": before, "after": after, **result})
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class Interaction:
    outcome: str
    odds_ratio: float  # how much the contracted/in-house odds ratio changed from the first to the last period
    low: float
    high: float
    p_value: float
    dispersion: float  # NaN when the model is saturated (no residual degrees of freedom)
    n_cells: int
    phi: float = 1.0  # φ of the variance model (the larger of the two years' ASC aspects per complaint), ≥ 1
    adj_low: float = float("nan")  # the Wald interval with its standard error × √φ
    adj_high: float = float("nan")
    p_adjusted: float = float("nan")  # the Wald test with the same widened standard error
    p_holm: float = float("nan")  # p_adjusted, Holm-adjusted over the outcomes tested


def widen_interactions(gap_change: dict, phi: float) -> dict:
    """Each interaction's interval and p value with the standard error × √φ (φ of the variance model for
    aspects: a saturated fit cannot estimate its own), and Holm's adjustment over the outcomes tested."""
    from dataclasses import replace

    from scipy.stats import norm

    from ..stats import holm

    phi = effective_phi(phi)
    out = {}
    for outcome, g in gap_change.items():
        se = np.log(g.high / g.low) / (2 * 1.959964) * np.sqrt(phi)
        z = np.log(g.odds_ratio) / se
        out[outcome] = replace(g, phi=phi, adj_low=float(g.odds_ratio * np.exp(-1.959964 * se)),
                               adj_high=float(g.odds_ratio * np.exp(1.959964 * se)), p_adjusted=float(2 * norm.sf(abs(z))))
    for (outcome, g), h in zip(list(out.items()), holm([g.p_adjusted for g in out.values()])):
        out[outcome] = replace(g, p_holm=float(h))
    return out


def gap_change_glm(rates: pd.DataFrame, outcome: str) -> Interaction | None:
    """Binomial GLM ``successes/aspects ~ group * period`` for one outcome: the interaction's
    odds ratio says whether the contracted-vs-in-house gap changed between periods.

    With two groups and two periods the model is saturated (it reproduces the four rates
    exactly), so over-dispersion cannot be estimated and the Wald interval assumes
    independent aspects. Returns None when a cell has no variation (an odds ratio of 0 or ∞).
    """
    data = rates[(rates["outcome"] == outcome) & rates["group"].isin(["contracted", "in_house"])].dropna(
        subset=["successes", "trials"]).copy()
    if data["period"].nunique() < 2 or data["group"].nunique() < 2:
        return None
    if ((data["successes"] == 0) | (data["successes"] == data["trials"])).any():
        return None
    data["successes"] = data["successes"].astype(int)
    data["trials"] = data["trials"].astype(int)
    data = data.rename(columns={"period": "year"})
    first = sorted(data["year"])[0]
    with warnings.catch_warnings():  # a saturated fit predicts every cell exactly: expected, not an error
        warnings.filterwarnings("ignore", category=PerfectSeparationWarning)
        warnings.filterwarnings("ignore", category=RuntimeWarning, message="divide by zero")
        fitted, dispersion = binomial_glm(
            data, "successes", "trials", f"C(group, Treatment('in_house')) * C(year, Treatment('{first}'))")
    table = odds_ratios(fitted)
    term = [t for t in table.index if ":" in t]
    if len(term) != 1:
        return None
    row = table.loc[term[0]]
    return Interaction(outcome, float(row["odds_ratio"]), float(row["low"]), float(row["high"]),
                       float(row["p_value"]), dispersion, len(data))


def fee_complaints(obs: pd.DataFrame, council: str = "bromley") -> pd.DataFrame:
    """Chief Executive's Department care-fee services (care home fees, domiciliary care fees) per
    period, their sum (``service`` = "Care fees (both)") and the department's OVERALL row, with
    the share of the department's aspects and the upheld and on-time rates (Wilson intervals)."""
    table = service_counts(obs, council, division="chief_executives", services=FEE_SERVICES)
    if table.empty:
        return table
    out = []
    for period, rows in table.groupby("period", sort=True):
        fees = rows[rows["service"] != ""]
        overall = rows[rows["service"] == ""]
        if fees.empty:
            continue
        both = {m: float(fees[m].sum(min_count=len(fees))) if fees[m].notna().all() else np.nan for m in COUNT_MEASURES}
        both |= {"council": council, "period": period, "service": "Care fees (both)",
                 "source": ";".join(fees["source"]), "flags": ";".join(f for f in fees["flags"] if f),
                 "disagree": bool(fees["disagree"].any())}
        out.extend(fees.to_dict("records"))
        out.append(both)
        out.extend(overall.to_dict("records"))
    frame = pd.DataFrame(out)
    ced = frame[frame["service"] == ""].set_index("period")["aspects"]
    frame["ced_aspects"] = frame["period"].map(ced)
    frame["upheld_or_partially"] = frame["upheld"] + frame["partially_upheld"]
    frame = add_proportion(frame, "aspects", "ced_aspects", prefix="share_")
    frame = add_proportion(frame, "upheld_or_partially", "aspects", prefix="upheld_")
    return add_proportion(frame, "answered_on_time", "aspects", prefix="on_time_")


# ---------------------------------------------------------------------------------------
# Every council's evidence, each with its definition


@dataclass(frozen=True)
class Evidence:
    """One council's way of counting complaints about commissioned care, declaratively.

    ``dims`` select the figure (``select``-style: equality), ``label`` is a regex matched
    (case-insensitive, full match) against ``label_column``. The denominator is the same
    table's total row (``label_column`` empty, same period/stage/measure); where the table
    prints no total, the sum of its printed parts, and ``denominator_rule`` says which.
    A percentage-only figure (``measure`` pct_of_total) has no counts: no interval.
    """

    council: str
    kind: str  # provider | root_cause | commissioning_team
    definition: str
    dims: dict
    label_column: str
    label: str


EVIDENCE: tuple[Evidence, ...] = (
    Evidence("bromley", "provider",
             "aspects of adult social care complaints about 'Contracted Services' (third-party residential and "
             "domiciliary care providers the council engages), share of all adult social care aspects",
             {"division": "adult_social_care", "table": SERVICE_TABLE, "measure": "aspects", "category": ""},
             "service", re.escape(CONTRACTED)),
    Evidence("lewisham", "root_cause",
             "adult social care complaints received whose root cause was 'inadequate services provided by a third "
             "party commissioned service' (root-cause analysis; counts not printed)",
             {"division": "adult_social_care", "table": "prose", "measure": "pct_of_total"},
             "category", r".*third party.*"),
    Evidence("barking_and_dagenham", "root_cause",
             "statutory adult social care complaints whose nature was 'Inadequate Services Provided by a Third Party'",
             {"division": "adult_social_care", "measure": "complaints"},
             "category", r"inadequate services provided by a third party"),
    Evidence("lewisham", "commissioning_team",
             "adult social care complaints about the council's Joint Commissioning team (the commissioner, not the provider)",
             {"division": "adult_social_care", "measure": "complaints", "category": ""},
             "service", r"joint commissioning"),
    Evidence("harrow", "commissioning_team",
             "adult services complaint 'transactions' (representations, stage 1, stage 2, Ombudsman) about the "
             "Commissioning & Partnerships service (the commissioner, not the provider)",
             {"division": "adult_social_care", "measure": "transactions", "category": ""},
             "service", r"commissioning (&|and) partnerships?"),
    Evidence("harrow", "commissioning_team",
             "adult services stage 1 complaints about Commissioning & Partnership(s)",
             {"division": "adult_social_care", "measure": "complaints", "stage": "stage_1", "category": "",
              "table": "adults_stage1_by_service_3yr"},
             "service", r"commissioning (&|and) partnerships?"),
    Evidence("barking_and_dagenham", "commissioning_team",
             "stage 1 adult services complaints about Integration and Commissioning (the commissioner, not the provider)",
             {"division": "adult_social_care", "measure": "complaints", "category": "", "stage": "stage_1"},
             "service", r"integration (&|and) commissioning"),
)

KIND_LABELS = {"provider": "Complaints about contracted providers",
               "root_cause": "Cause recorded as a third-party provider",
               "commissioning_team": "Complaints about the commissioning team"}

EVIDENCE_COLUMNS = ["council", "kind", "definition", "period", "label", "numerator", "denominator", "share",
                    "low", "high", "printed_pct", "denominator_rule", "unit_of_count", "source", "denominator_source",
                    "flags", "context", "cause_rank", "causes", "phi"]


def cite_rows(rows: pd.DataFrame) -> str:
    """``file:first-last`` for rows of one file (a table's printed parts), else each row's file:line."""
    if rows.empty:
        return ""
    if rows["source_file"].nunique() == 1:
        first, last = int(rows["source_line"].min()), int(rows["source_line"].max())
        return f"{rows['source_file'].iloc[0]}:{first}" + (f"-{last}" if last != first else "")
    return ";".join(rows.apply(cite, axis=1))


def _denominator(obs: pd.DataFrame, row: pd.Series, label_column: str) -> tuple[float, str, str]:
    """(value, rule, source) of the total a row is a part of: the table's total row, else the sum of its parts."""
    same = obs[(obs["council"] == row["council"]) & (obs["table"] == row["table"]) & (obs["period"] == row["period"])
               & (obs["quarter"] == row["quarter"]) & (obs["division"] == row["division"])
               & (obs["stage"] == row["stage"]) & (obs["measure"] == row["measure"])]
    other = "category" if label_column == "service" else "service"
    same = one_per_key(same[same[other] == row[other]])
    total = same[same[label_column] == ""]
    if not total.empty:
        return float(total["value"].iloc[0]), "printed total", cite(total.iloc[0])
    parts = same[same[label_column] != ""]
    return float(parts["value"].sum()), f"sum of the {len(parts)} printed rows", cite_rows(parts)


def _context(obs: pd.DataFrame, council: str, period: str) -> str:
    """For a percentage without counts: the adult social care complaints total of that year, as printed."""
    total = one_per_key(obs[(obs["council"] == council) & (obs["period"] == period) & (obs["quarter"] == "")
                            & (obs["division"] == "adult_social_care") & (obs["service"] == "")
                            & (obs["category"] == "") & (obs["measure"] == "complaints")])
    if total.empty:
        return ""
    row = total.iloc[0]
    return f"{int(row['value'])} adult social care complaints that year ({cite(row)})"


def evidence_table(obs: pd.DataFrame, specs: tuple[Evidence, ...] = EVIDENCE) -> pd.DataFrame:
    """Every council's contracted-services evidence found in the clean data, one row per figure and period."""
    rows = []
    for spec in specs:
        found = obs[obs["council"] == spec.council]
        for column, wanted in spec.dims.items():
            found = found[found[column] == wanted]
        found = one_per_key(found[found[spec.label_column].str.fullmatch(spec.label, case=False)])
        for _, row in found.iterrows():
            rank, causes = (cause_rank(obs, spec.council, re.escape(row["category"]), **{
                k: row[k] for k in ("table", "period", "quarter", "division", "stage", "measure")})
                if spec.kind == "root_cause" else (np.nan, np.nan))
            base = {"council": spec.council, "kind": spec.kind, "definition": spec.definition,
                    "cause_rank": rank, "causes": causes,
                    "period": row["period"], "label": row[spec.label_column], "source": cite(row),
                    "flags": row["quality_flag"], "unit_of_count": row["measure"]}
            if row["unit"] == "percent":
                rows.append(base | {"numerator": np.nan, "denominator": np.nan, "share": row["value"] / 100,
                                    "low": np.nan, "high": np.nan, "printed_pct": row["value"],
                                    "denominator_rule": "percentage printed without counts",
                                    "unit_of_count": "complaints", "denominator_source": "",
                                    "context": _context(obs, spec.council, row["period"])})
                continue
            total, rule, total_source = _denominator(obs, row, spec.label_column)
            # aspects: variance model 1, φ = the division's aspects per complaint that year (complaints: φ = 1)
            phi = 1.0
            if row["measure"] == "aspects":
                phi = effective_phi(complaint_design_effect(obs, row["council"], row["period"], row["division"]).phi)
            proportion = aspect_share(row["value"], total, phi)
            printed = obs[(obs["council"] == row["council"]) & (obs["table"] == row["table"])
                          & (obs["period"] == row["period"]) & (obs[spec.label_column] == row[spec.label_column])
                          & (obs["stage"] == row["stage"]) & (obs["measure"] == "pct_of_total")]
            rows.append(base | {"numerator": row["value"], "denominator": total, "share": proportion.rate,
                                "low": proportion.low, "high": proportion.high, "phi": proportion.dispersion,
                                "printed_pct": printed["value"].iloc[0] if not printed.empty else np.nan,
                                "denominator_rule": rule, "denominator_source": total_source, "context": ""})
    frame = pd.DataFrame(rows, columns=EVIDENCE_COLUMNS)
    return frame.sort_values(["council", "kind", "period", "label"], kind="stable").reset_index(drop=True)


def cause_rank(obs: pd.DataFrame, council: str, label: str, **dims) -> tuple[int, int]:
    """(rank, number of causes) of the cause ``label`` (regex) among a council's printed causes
    selected by ``dims``: 1 = the most common; 0 when the label is not among them."""
    rows = obs[obs["council"] == council]
    for column, wanted in dims.items():
        rows = rows[rows[column] == wanted]
    rows = one_per_key(rows[rows["category"] != ""])
    if rows.empty:
        return 0, 0
    hit = rows[rows["category"].str.fullmatch(label, case=False)]
    if hit.empty:
        return 0, len(rows)
    return int((rows["value"] > hit["value"].iloc[0]).sum()) + 1, len(rows)  # ties share the higher rank


# ---------------------------------------------------------------------------------------
# Parameters and findings


def narrow(frame: pd.DataFrame, council: str = "all", period: str = "") -> pd.DataFrame:
    """Rows of the notebook's parameters: ``council`` "all" keeps every council, ``period`` "" every year."""
    if council and council != "all" and "council" in frame:
        frame = frame[frame["council"] == council]
    if period and "period" in frame:
        frame = frame[frame["period"] == period]
    return frame


def nested(frame: pd.DataFrame, keys: list[str], values: list[str]) -> dict:
    """``{key1: {key2: {value: …}}}`` from a tidy frame, for the findings JSON."""
    out: dict = {}
    for record in frame.to_dict("records"):
        node = out
        for key in keys[:-1]:
            node = node.setdefault(str(record[key]), {})
        node[str(record[keys[-1]])] = {v: record[v] for v in values if v in record}
    return out


@dataclass
class Results:
    """Everything the notebook shows, for one council ("all" = every council) and period ("" = every year)."""

    council: str
    period: str
    evidence: pd.DataFrame
    groups: pd.DataFrame  # Bromley: contracted / in_house / all_asc counts per period
    share: pd.DataFrame
    rates: pd.DataFrame
    differences: pd.DataFrame  # contracted − in-house, per period and outcome
    change: pd.DataFrame  # last period − first period, per group and outcome
    gap_change: dict  # outcome → Interaction
    fees: pd.DataFrame
    checks: pd.DataFrame = None  # contracted/OVERALL counts against a second printing (summary_check)
    unrecovered: pd.DataFrame = None  # ASC service-table figures the extractor could not recover
    dispersion: dict = None  # period → ServiceDispersion of Bromley's services (the φ sensitivity)
    primary: dict = None  # the primary estimate's detail (see :func:`primary_estimate`)
    sensitivity: pd.DataFrame = None  # alternatives to the primary estimate
    design: dict = None  # period → DesignEffect: φ of the variance model (ASC aspects per complaint)

    @property
    def has_evidence(self) -> bool:
        return not (self.evidence.empty and self.groups.empty and self.fees.empty)

    @property
    def bromley_periods(self) -> list[str]:
        return sorted(self.groups["period"].unique()) if not self.groups.empty else []

    def findings(self, run_id: str = "") -> dict:
        """The headline figures as plain data for ``save_findings``; the question's one primary under
        ``primary`` (a :class:`.primary.Primary` record), its detail under ``primary_detail``."""
        out: dict = {"council": self.council, "period": self.period, "has_evidence": self.has_evidence,
                     "evidence": self.evidence.drop(columns=["denominator_source"]).to_dict("records"),
                     "key_findings": key_findings(self), "primary": primary_record(self, run_id).record()}
        if self.design:
            out["variance_model"] = {p: vars(d) for p, d in self.design.items()}
        if self.dispersion:
            out["dispersion"] = {p: d.record() for p, d in self.dispersion.items()}
            out["funnel"] = {p: [vars(point) | {"outside_plain_998": abs(plain.z) > 3.090232,
                                                "z_plain": plain.z}
                                 for point, plain in zip(d.funnel.points, d.plain.points)]
                             for p, d in self.dispersion.items()}
        if self.primary:
            out["primary_detail"] = self.primary
            out["sensitivity"] = self.sensitivity.to_dict("records")
        if self.groups.empty and self.fees.empty:
            return out
        bromley: dict = {"periods": self.bromley_periods}
        if not self.share.empty:
            bromley["share"] = nested(self.share, ["period"], [
                "contracted_aspects", "asc_aspects", "rate", "low", "high", "adj_low", "adj_high", "phi",
                "contracted_mentions", "asc_mentions", "mentions_rate", "mentions_low", "mentions_high", "source"])
        if not self.groups.empty:
            bromley["counts"] = nested(self.groups, ["period", "group"], [*COUNT_MEASURES, "source", "flags"])
            bromley["rates"] = nested(self.rates, ["period", "group", "outcome"],
                                      ["successes", "trials", "rate", "low", "high", "adj_low", "adj_high", "phi"])
        if not self.differences.empty:
            bromley["contracted_vs_in_house"] = nested(self.differences, ["period", "outcome"], [
                "rate_contracted", "rate_in_house", "difference", "low", "high", "adj_low", "adj_high", "phi",
                "p_value", "p_plain", "svc_low", "svc_high", "phi_services", "svc_p_value", "n_contracted",
                "n_in_house"])
        if not self.change.empty:
            bromley["change"] = nested(self.change, ["group", "outcome"], [
                "before", "after", "rate_before", "rate_after", "difference", "low", "high", "adj_low", "adj_high",
                "phi_before", "phi_after", "p_value", "p_plain", "svc_low", "svc_high", "n_before", "n_after"])
        if self.gap_change:
            bromley["gap_change_glm"] = {k: vars(v) for k, v in self.gap_change.items()}
        if not self.fees.empty:
            bromley["fees"] = nested(self.fees.assign(service=self.fees["service"].replace("", "OVERALL")),
                                     ["period", "service"], [
                "aspects", "upheld", "partially_upheld", "ongoing", "answered_on_time", "ced_aspects", "share_rate",
                "share_low", "share_high", "upheld_rate", "upheld_low", "upheld_high", "on_time_rate", "on_time_low",
                "on_time_high", "source", "flags"])
        out["bromley"] = bromley
        return out


def build(obs: pd.DataFrame, council: str = "all", period: str = "") -> Results:
    """Compute every table of the notebook from the clean observations."""
    obs = narrow(obs, "all", period)
    evidence = narrow(evidence_table(obs), council)
    with_bromley = council in {"all", "bromley"}
    empty = pd.DataFrame()
    groups = contracted_vs_in_house(obs) if with_bromley else empty
    if groups.empty:
        share = rates = differences = change = empty
        gap_change: dict = {}
    else:
        share = contracted_share(groups)
        rates = outcome_rates(groups)
        differences = group_differences(rates)
        years = sorted(groups["period"].unique())
        change = period_change(rates, years[0], years[-1]) if len(years) > 1 else empty
        gap_change = {o: r for o in OUTCOMES if (r := gap_change_glm(rates, o)) is not None} if len(years) > 1 else {}
    fees = fee_complaints(obs) if with_bromley else empty
    checks = summary_check(obs) if with_bromley else empty
    unrecovered = obs[(obs["council"] == "bromley") & (obs["division"] == "adult_social_care")
                      & (obs["table"] == SERVICE_TABLE) & obs["value"].isna()] if with_bromley else empty
    dispersion, design = {}, {}
    if not groups.empty:
        years = sorted(groups["period"].unique())
        dispersion = {p: d for p in years if (d := service_dispersion(obs, "bromley", p)) is not None}
        design = {p: complaint_design_effect(obs, "bromley", p, "adult_social_care") for p in years}
        rates, differences, change = adjust(rates, differences, change, design, dispersion)
        share = adjust_share(share, design)
        if gap_change:
            gap_change = widen_interactions(gap_change, max(phi_of(design, p) for p in years))
    results = Results(council, period, evidence, groups, share, rates, differences, change, gap_change, fees,
                      checks, unrecovered, dispersion, None, pd.DataFrame(), design)
    if not differences.empty:
        results.primary, results.sensitivity = primary_estimate(results)
    return results


def adjust_share(share: pd.DataFrame, design: dict) -> pd.DataFrame:
    """The contracted share of ASC aspects with its likely range under the study's variance model
    (``adj_low``/``adj_high``: φ = that year's adult social care aspects per complaint, ``design``);
    ``low``/``high`` stay the plain Wilson ones (the φ = 1 sensitivity)."""
    share = share.copy()
    phis = [phi_of(design, p) for p in share["period"]]
    adjusted = [aspect_share(x, n, f) if pd.notna(x) and pd.notna(n) and n > 0 else None
                for x, n, f in zip(share["contracted_aspects"], share["asc_aspects"], phis)]
    share["adj_low"] = [a.low if a else np.nan for a in adjusted]
    share["adj_high"] = [a.high if a else np.nan for a in adjusted]
    share["phi"] = phis
    return share


def phi_of(design: dict, period: str) -> float:
    """The φ a period's intervals use (≥ 1; 1 when the period's φ is unknown): ``design`` maps a period
    to a :class:`.dispersion.DesignEffect` (the study's model) or a :class:`.dispersion.ServiceDispersion`
    (the between-service sensitivity)."""
    d = design.get(period)
    return effective_phi(d.phi) if d is not None else 1.0


def adjust(rates: pd.DataFrame, differences: pd.DataFrame, change: pd.DataFrame, design: dict,
           dispersion: dict | None = None):
    """Add the variance model's likely ranges to the three tables: ``adj_low``/``adj_high``, the φ used
    and (differences and changes) ``p_value`` on the same effective counts (the plain test's p value is
    kept as ``p_plain``). With ``dispersion`` (the services' φ per period), the same under that φ as the
    labelled sensitivity ``svc_low``/``svc_high``/``phi_services``."""
    dispersion = dispersion or {}
    rates = rates.copy()
    phis = rates["period"].map(lambda p: phi_of(design, p))
    adjusted = [aspect_share(x, n, f) if pd.notna(x) and pd.notna(n) and n > 0 else None
                for x, n, f in zip(rates["successes"], rates["trials"], phis)]
    rates["phi"] = phis
    rates["adj_low"] = [a.low if a else np.nan for a in adjusted]
    rates["adj_high"] = [a.high if a else np.nan for a in adjusted]
    if not differences.empty:
        differences = differences.copy()
        for name, source in (("", design), ("svc_", dispersion)):
            out = [aspect_difference(r.successes_contracted, r.n_contracted, r.successes_in_house, r.n_in_house,
                                     phi_of(source, r.period)) for r in differences.itertuples()]
            if name:
                differences["phi_services"] = [o.phi_a for o in out]
                differences["svc_low"], differences["svc_high"] = [o.low for o in out], [o.high for o in out]
                differences["svc_p_value"] = [o.p_value for o in out]
            else:
                differences["p_plain"] = differences["p_value"]
                differences["phi"] = [o.phi_a for o in out]
                differences["adj_low"], differences["adj_high"] = [o.low for o in out], [o.high for o in out]
                differences["p_value"] = [o.p_value for o in out]
    if not change.empty:
        change = change.copy()
        for name, source in (("", design), ("svc_", dispersion)):
            out = [aspect_difference(r.successes_after, r.n_after, r.successes_before, r.n_before,
                                     phi_of(source, r.after), phi_of(source, r.before)) for r in change.itertuples()]
            if name:
                change["svc_low"], change["svc_high"] = [o.low for o in out], [o.high for o in out]
            else:
                change["p_plain"] = change["p_value"]
                change["phi_after"], change["phi_before"] = [o.phi_a for o in out], [o.phi_b for o in out]
                change["adj_low"], change["adj_high"] = [o.low for o in out], [o.high for o in out]
                change["p_value"] = [o.p_value for o in out]
    return rates, differences, change


PRIMARY_NAME = ("Gap between contracted-provider and in-house adult social care aspects fully or partly upheld, "
                "Bromley's latest report")
PRIMARY_ASSUMPTIONS = (
    "'Contracted Services' and the rest of adult social care record outcomes the same way in the same year; "
    "aspects of one complaint move together, so each group's aspects carry the information of its aspects divided "
    "by that year's adult social care aspects per complaint (the study's variance model for aspects); the two "
    "groups are independent.")
INTERVAL_KIND = "95% likely range allowing for several grievances per complaint"


def primary_estimate(results: Results) -> tuple[dict, pd.DataFrame]:
    """The one primary estimate of the contracted-services question, and its labelled sensitivity rows.

    Primary: contracted minus in-house, fully or partly upheld, in the latest Bromley year, under the
    variance model for aspects (φ = aspects per complaint). Sensitivity (``variance`` True: another
    variance model for the same estimate, which the strength rule takes into account): φ across
    Bromley's services, and φ = 1; then other estimates (``variance`` False): the same gap in the
    first year, the change in the contracted rate between the reports, in-house's own change.
    """
    d = results.differences
    d = d[d["outcome"] == "upheld_or_partially"].sort_values("period")
    g = d.iloc[-1]
    primary = {"name": PRIMARY_NAME, "assumptions": PRIMARY_ASSUMPTIONS, "period": g["period"],
               "rate_contracted": g["rate_contracted"], "rate_in_house": g["rate_in_house"],
               "successes_contracted": g["successes_contracted"], "n_contracted": g["n_contracted"],
               "successes_in_house": g["successes_in_house"], "n_in_house": g["n_in_house"],
               "difference": g["difference"], "low": g["adj_low"], "high": g["adj_high"], "p_value": g["p_value"],
               "phi": g["phi"], "phi_source": design_source(results, g["period"])}
    rows = [{"estimate": f"Primary: contracted minus in-house, fully or partly upheld, {g['period']} "
                         f"(allowing for {g['phi']:.2f} aspects per complaint)",
             "difference": g["difference"], "low": g["adj_low"], "high": g["adj_high"], "p_value": g["p_value"],
             "role": "primary", "variance": True}]
    if pd.notna(g.get("svc_low")):
        rows.append({"estimate": f"Same, allowing instead for how much Bromley's services differ ({g['phi_services']:.2f} "
                                 "times the chance variation; counts their real differences as noise)",
                     "difference": g["difference"], "low": g["svc_low"], "high": g["svc_high"],
                     "p_value": g["svc_p_value"], "role": "sensitivity", "variance": True})
    rows.append({"estimate": "Same, each aspect treated as independent", "difference": g["difference"],
                 "low": g["low"], "high": g["high"], "p_value": g["p_plain"], "role": "sensitivity", "variance": True})
    if len(d) > 1:
        f = d.iloc[0]
        rows.append({"estimate": f"Same gap, {f['period']} (allowing for {f['phi']:.2f} aspects per complaint)", "difference": f["difference"],
                     "low": f["adj_low"], "high": f["adj_high"], "p_value": f["p_value"], "role": "sensitivity",
                     "variance": False})
    change = results.change.set_index(["group", "outcome"]) if not results.change.empty else None
    for group, words in (("contracted", "Contracted providers"), ("in_house", "In-house adult social care")):
        if change is not None and (group, "upheld_or_partially") in change.index:
            c = change.loc[(group, "upheld_or_partially")]
            rows.append({"estimate": f"{words}, fully or partly upheld, change {c['before']} to {c['after']} "
                                     f"({pct(c['rate_before'])} to {pct(c['rate_after'])})",
                         "difference": c["difference"], "low": c["adj_low"], "high": c["adj_high"],
                         "p_value": c["p_value"], "role": "sensitivity", "variance": False})
    return primary, pd.DataFrame(rows)


def design_source(results: Results, period: str) -> str:
    d = (results.design or {}).get(period)
    return d.source if d is not None else ""


MINOR_SHARE = 0.25  # a share whose whole likely range lies below a quarter is called a minor source


def _pp(x) -> str:
    return f"{x * 100:+.0f}"


def primary_record(results: Results, run_id: str = "") -> Primary:
    """The run's one :class:`.primary.Primary` (findings key ``primary``).

    With Bromley's tables: the contracted-minus-in-house gap (:func:`primary_estimate`), its strength
    from the primary range and the variance sensitivities. Without them (another council): that
    council's own figure, in its own unit — a share of complaints whose likely range stays below
    :data:`MINOR_SHARE` is evidence that commissioned care is a minor source there; a commissioning
    team is not the providers, and a percentage printed without counts has no likely range.
    """
    if results.primary:
        p = results.primary
        sens = [r for r in results.sensitivity.to_dict("records") if r["role"] == "sensitivity"]
        labelled = tuple({"label": r["estimate"], "value": r["difference"] * 100, "low": r["low"] * 100,
                          "high": r["high"] * 100, "p_value": r["p_value"], "variance": bool(r["variance"])}
                         for r in sens)
        strength, reason = strength_of(p["low"] * 100, p["high"] * 100, 0.0, labelled)
        finding = (f"In Bromley in {p['period']}, {pct(p['rate_contracted'])} of complaint aspects about contracted "
                   f"care providers were fully or partly upheld ({count(p['successes_contracted'])} of "
                   f"{count(p['n_contracted'])}), against {pct(p['rate_in_house'])} for in-house adult social care "
                   f"({count(p['successes_in_house'])} of {count(p['n_in_house'])}): a gap of {_pp(p['difference'])} "
                   f"percentage points (likely range {_pp(p['low'])} to {_pp(p['high'])}).")
        services = next((s for s in labelled if "services differ" in s["label"]), None)
        if strength == UNCLEAR and services is not None and services["low"] <= 0 <= services["high"]:
            reason = ("the likely range excludes no gap only just, and includes it once the variation between "
                      f"Bromley's services is allowed for ({services['low']:+.0f} to {services['high']:+.0f} points)")
        return Primary(
            "contracted", finding, p["difference"] * 100, p["low"] * 100, p["high"] * 100, "percentage points",
            INTERVAL_KIND, ("bromley",), (p["period"],), strength, reason,
            "Only Bromley's reports count complaints about the providers themselves; an upheld rate reflects what "
            "people complain about and how the council investigates and records outcomes, not the quality of care.",
            run_id, 0.0, labelled, "aspects")
    e = results.evidence
    scope_council = results.council if results.council != "all" else ""
    order = {"provider": 0, "root_cause": 1, "commissioning_team": 2}
    if not e.empty:
        e = e.assign(_k=e["kind"].map(order), _n=e["numerator"].notna()).sort_values(
            ["_k", "_n", "period"], ascending=[True, False, False])
    best = e.iloc[0].to_dict() if not e.empty else None
    if best is None:
        return Primary("contracted", "No figure on commissioned care in this council's reports.", None, None, None,
                       "", "", (scope_council,) if scope_council else (), (), NOT_ESTIMABLE,
                       "the reports hold no figure on contracted providers, third-party causes or commissioning teams",
                       "", run_id, None, (), "complaints")
    where = council_name(best["council"])
    unit = UNIT_WORDS.get(best["unit_of_count"], best["unit_of_count"])
    if best["kind"] == "commissioning_team":
        finding = (f"{where}'s reports count complaints about the council's commissioning team, not about the care "
                   f"providers it commissions: {count(best['numerator'])} of {count(best['denominator'])} adult social "
                   f"care {unit} in {best['period']}.")
        return Primary("contracted", finding, best["share"] * 100, None, None, f"% of adult social care {unit}", "",
                       (best["council"],), (best["period"],), NOT_ESTIMABLE,
                       "the commissioner is not the providers, so the reports cannot show how much providers drive "
                       "complaints", "A count of complaints about one council team.", run_id, None, (),
                       best["unit_of_count"])
    if pd.isna(best["numerator"]):
        finding = (f"In {where} in {best['period']}, the report prints that {pct(best['share'])} of adult social care "
                   "complaints had a third-party provider as their cause, without the counts.")
        return Primary("contracted", finding, best["share"] * 100, None, None, f"% of adult social care {unit}", "",
                       (best["council"],), (best["period"],), UNCLEAR,
                       "a percentage printed without counts has no likely range, and the report does not compare "
                       "commissioned with in-house care", "One year, the council's own root-cause coding.", run_id, None,
                       (), "complaints")
    minor = pd.notna(best["high"]) and best["high"] < MINOR_SHARE
    finding = (f"In {where} in {best['period']}, {count(best['numerator'])} of {count(best['denominator'])} adult "
               f"social care {unit} ({pct(best['share'])}, likely range {pct(best['low'])} to {pct(best['high'])}) "
               + ("named a third-party provider as the cause: commissioned care was a minor source of complaints."
                  if best["kind"] == "root_cause" and minor else
                  "concerned commissioned care."))
    return Primary("contracted", finding, best["share"] * 100, best["low"] * 100, best["high"] * 100,
                   f"% of adult social care {unit}", "95% likely range (Wilson) for complaints as independent events",
                   (best["council"],), (best["period"],), CLEAR if minor else UNCLEAR,
                   (f"even the top of the likely range ({pct(best['high'])}) is a small share" if minor else
                    "a share of complaints, not a comparison with in-house care"),
                   "One year and one table; the report does not compare commissioned with in-house care.", run_id,
                   None, (), best["unit_of_count"])


# ---------------------------------------------------------------------------------------
# Charts (titles are the caller's: they state the finding)


def _wrap(text: str, width: int) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(text, width, break_on_hyphens=False))


def _errorbars(frame: pd.DataFrame, rate: str = "rate", low: str = "low", high: str = "high") -> np.ndarray:
    return np.vstack([(frame[rate] - frame[low]).clip(lower=0), (frame[high] - frame[rate]).clip(lower=0)]) * 100


def plot_rates(rates: pd.DataFrame, title: str, outcomes=("upheld_or_partially", "fully_upheld", "partially_upheld")):
    """Contracted vs in-house rates per period and outcome, with dispersion-adjusted 95% intervals
    (plain Wilson where no φ is known); the first panel is the primary measure. ``outcomes`` of one
    (the primary): the policy page's one chart."""
    import matplotlib.pyplot as plt

    from ..charts import PALETTE

    data = rates[rates["outcome"].isin(outcomes) & rates["rate"].notna()]
    years = sorted(data["period"].unique())
    fig, axes = plt.subplots(1, len(outcomes), figsize=(4 * len(outcomes), 4.4), sharey=True, squeeze=False)
    for ax, outcome in zip(axes[0], outcomes):
        part = data[data["outcome"] == outcome]
        for i, (group, label) in enumerate(GROUPS.items()):
            g = part[part["group"] == group].set_index("period").reindex(years).dropna(subset=["rate"])
            x = np.array([years.index(p) for p in g.index]) + (i - 0.5) * 0.2
            low, high = ("adj_low", "adj_high") if "adj_low" in g else ("low", "high")
            ax.errorbar(x, g["rate"] * 100, yerr=_errorbars(g, "rate", low, high), fmt="o", capsize=4,
                        color=PALETTE[i], label=f"{label}")
        ax.set_xticks(range(len(years)), years)
        ax.set_title(OUTCOMES[outcome][0] + (" (headline measure)" if outcome == "upheld_or_partially"
                                             and len(outcomes) > 1 else ""))
        ax.set_xlabel("Financial year")
        ax.set_ylim(0, 100)
    axes[0][0].set_ylabel("% of aspects (with likely range)")
    axes[0][0].legend(loc="upper left", fontsize="small")
    fig.suptitle(_wrap(title, 60))  # narrow enough for a phone card once the panels stack
    fig.tight_layout()
    return fig


def plot_evidence(evidence: pd.DataFrame, title: str):
    """One panel per council, each on its own measure (the unit is in the panel's title): the councils
    count different things, so the chart sets them side by side without ranking them. One x scale,
    labelled once under the last panel, keeps the chart short on a phone."""
    import matplotlib.pyplot as plt

    from ..charts import PALETTE

    data = evidence[evidence["share"].notna()].reset_index(drop=True)
    councils = sorted(data["council"].unique(), key=council_name)
    # each row as tall as its label (written above its point, across the plot) and the point under it
    lines = {c: [len(_wrap(f"{r.period}: {r.label}", LABEL_CHARS).split("\n"))
                 for r in data[data["council"] == c].itertuples()] for c in councils}
    heights = [max(1.0, sum(0.2 * n + 0.35 for n in lines[c]) / 0.55) for c in councils]
    # the rows, a title per panel, and the chart's title, axis label and legend (about 2.8 inches on a phone);
    # at least 6 inches, which charts.fit_for_phone keeps as drawn (a shorter chart it caps at 4.8, crowding labels)
    height = max(6.0, 0.55 * sum(heights) + 0.8 * len(councils) + 2.8)
    fig, axes = plt.subplots(len(councils), 1, figsize=(9, height),
                             gridspec_kw={"height_ratios": heights}, squeeze=False)
    kinds = list(KIND_LABELS)
    right = max(40, float(np.nanmax(data["high"].fillna(data["share"]) * 100)) + 5) if len(data) else 40
    for ax, c in zip(axes[:, 0], councils):
        part = data[data["council"] == c].sort_values(["kind", "period"]).reset_index(drop=True)
        for kind in kinds:
            rows = part[part["kind"] == kind]
            if rows.empty:
                continue
            colour, has_ci = PALETTE[kinds.index(kind)], rows["low"].notna()
            if has_ci.any():
                ax.errorbar(rows.loc[has_ci, "share"] * 100, rows.index[has_ci] + 0.25,
                            xerr=_errorbars(rows[has_ci], "share"), fmt="o", capsize=3, color=colour,
                            label=KIND_LABELS[kind])
            if (~has_ci).any():
                ax.plot(rows.loc[~has_ci, "share"] * 100, rows.index[~has_ci] + 0.25, "D", color=colour,
                        label=f"{KIND_LABELS[kind]} (percentage only)")
        for i, r in enumerate(part.itertuples()):  # the label above its point: the plot keeps the phone's width
            ax.text(0.01, i - 0.05, _wrap(f"{r.period}: {r.label}", LABEL_CHARS), transform=ax.get_yaxis_transform(),
                    va="bottom", ha="left", fontsize="small")
        ax.set_yticks([])
        first = lines[c][0] if lines[c] else 1
        ax.set_ylim(len(part) - 0.35, -0.1 - first * 0.2 / (0.2 * first + 0.35))
        units = sorted({UNIT_WORDS.get(u, u) for u in part["unit_of_count"]})
        ax.set_xlim(0, right)
        ax.set_title(f"{council_name(c)}: % of adult social care {' / '.join(units)}", loc="left", fontsize="medium")
        if ax is not axes[-1, 0]:
            ax.tick_params(axis="x", labelbottom=False)
        ax.legend(loc="upper right", fontsize="x-small", framealpha=0.9)
    axes[-1, 0].set_xlabel("% of each council's own measure (with likely range)", fontsize="small")
    fig.suptitle(_wrap(title, 70))
    fig.tight_layout()
    return fig


LABEL_CHARS = 40  # a label's line on the evidence chart: the width of a phone-wide plot at 11.5 pt
UNIT_WORDS = {"aspects": "complaint aspects", "complaints": "complaints", "transactions": "complaint transactions"}


def plot_funnel(d: ServiceDispersion, highlight=(("adult_social_care", CONTRACTED), ("education", "SEN"))):
    """Every Bromley service's upheld rate against its size, with plain and φ-adjusted 99.8% limits."""
    import matplotlib.pyplot as plt

    from ..charts import PALETTE

    fig, ax = plt.subplots(figsize=(8, 5))
    points = d.funnel.points
    n = np.array([p.trials for p in points])
    ax.scatter(n, [p.rate * 100 for p in points], s=18, color=PALETTE[7],
               alpha=0.6, label="a Bromley service")
    grid = np.linspace(max(1, n.min()), n.max() * 1.05, 200)
    for fun, style, label in ((d.plain, ":", "99.8% limit, aspects independent"),
                              (d.funnel, "-", f"99.8% limit, adjusted for over-dispersion (φ = {d.phi:.2f})")):
        low, high = fun.limits(grid, 3.090232)
        ax.plot(grid, low * 100, style, color=PALETTE[0])
        ax.plot(grid, high * 100, style, color=PALETTE[0], label=label)
    ax.axhline(d.pooled * 100, color="black", linewidth=0.8, label=f"all services: {pct(d.pooled)}")
    for i, (division, service) in enumerate(highlight):
        point = d.point(division, service)
        if point is not None:
            ax.scatter([point.trials], [point.rate * 100], s=60, color=PALETTE[1 + i], zorder=3,
                       label=f"{present.division(division)}: {service}")
    ax.set_xlabel("Complaint aspects in the service (count)")
    ax.set_ylabel("Aspects fully or partly upheld (%)")
    ax.set_ylim(0, 100)
    ax.legend(fontsize="x-small", loc="lower right")
    ax.set_title(_wrap(title_funnel(d), 75))
    fig.tight_layout()
    return fig


def title_funnel(d: ServiceDispersion) -> str:
    outside = [p for p in d.plain.points if abs(p.z) > 3.090232]
    adjusted_out = [p for p in d.funnel.points if abs(p.z) > 3.090232]
    return (f"Bromley {d.period}: {len(outside)} of {d.services} services fall outside the plain 99.8% limits, "
            f"{len(adjusted_out)} once the services' over-dispersion (φ = {d.phi:.2f}) is allowed for")


def plot_fees(fees: pd.DataFrame, title: str):
    """Care-fee aspects in the Chief Executive's Department: upheld and on-time rates per year."""
    import matplotlib.pyplot as plt

    from ..charts import PALETTE

    data = fees[fees["service"] == "Care fees (both)"].sort_values("period")
    fig, ax = plt.subplots(figsize=(8, 4.5))
    x = np.arange(len(data))
    for i, (prefix, label) in enumerate((("upheld_", "Fully or partially upheld"), ("on_time_", "Answered on time"),
                                         ("share_", "Care fees' share of the department's aspects"))):
        ax.errorbar(x + (i - 1) * 0.15, data[prefix + "rate"] * 100,
                    yerr=_errorbars(data, prefix + "rate", prefix + "low", prefix + "high"),
                    fmt="o", capsize=4, color=PALETTE[i], label=label)
    ax.set_xticks(x, data["period"])
    ax.set_xlabel("Financial year")
    ax.set_ylabel("% (with likely range)")
    ax.set_ylim(0, 100)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize="small", frameon=False)
    ax.set_title(_wrap(title, 70))
    fig.tight_layout()
    return fig


# ---------------------------------------------------------------------------------------
# Text and tables for the notebook: every number rendered from the computed values


def pct(x, digits: int = 0) -> str:
    """0.2195 → "22%"; missing → "not recovered" (never 0)."""
    return "not recovered" if x is None or pd.isna(x) else f"{x * 100:.{digits}f}%"


def interval(low, high) -> str:
    return "no interval" if pd.isna(low) or pd.isna(high) else f"95% CI {low * 100:.0f}–{high * 100:.0f}%"


def points(difference, low, high) -> str:
    """A difference of two rates in percentage points, with its interval: "+32 points (95% CI +13 to +46)"."""
    if pd.isna(difference):
        return "not recovered"
    ci = "" if pd.isna(low) or pd.isna(high) else f" (95% CI {low * 100:+.0f} to {high * 100:+.0f})"
    return f"{difference * 100:+.0f} points{ci}"


def count(x) -> str:
    return "not recovered" if x is None or pd.isna(x) else f"{x:,.0f}"


def p_text(p) -> str:
    return "no test" if pd.isna(p) else ("p < 0.001" if p < 0.001 else f"p = {p:.3f}")


def council_name(council: str) -> str:
    return present.council(council)


def text_scope(results: Results) -> str:
    scope = "every council" if results.council == "all" else council_name(results.council)
    years = f" in {results.period}" if results.period else ""
    if not results.has_evidence:
        return (f"**No contracted-services evidence for {scope}{years}.** None of the figures this study reads as "
                "evidence about commissioned care (a contracted-provider team, a third-party root cause, a "
                "commissioning team, care-fee complaints) is in the clean data for this selection, so this page "
                "has nothing to compare; the all-councils page shows every council's evidence.")
    kinds = sorted({KIND_LABELS[k].lower() for k in results.evidence["kind"]}) if not results.evidence.empty else []
    parts = [f"**Scope:** {scope}{years}."]
    if kinds:
        parts.append(f"Evidence found: {'; '.join(kinds)}.")
    if results.bromley_periods:
        parts.append(f"Bromley's contracted-vs-in-house tables: {', '.join(results.bromley_periods)}.")
    return " ".join(parts)


def text_no_bromley(results: Results, what: str) -> str:
    """Why a Bromley-only section is empty: another council was chosen, or the figures are not in the data."""
    if results.council not in {"all", "bromley"}:
        return f"{what}: Bromley only — see the Bromley or the all-councils page."
    years = f" for {results.period}" if results.period else ""
    return f"{what}: the Bromley figures are not in the clean data{years}, so this section has nothing to show."


def text_share(results: Results) -> str:
    """Bromley's contracted share of adult social care aspects, year by year."""
    return "\n".join(
        f"- **{r['period']}**: {count(r['contracted_aspects'])} of {count(r['asc_aspects'])} adult social care "
        f"complaint aspects ({pct(r['rate'])}, {interval(r.get('adj_low', r['low']), r.get('adj_high', r['high']))}"
        + (f", allowing for {r['phi']:.2f} aspects per complaint; aspects independent: {interval(r['low'], r['high'])}"
           if r.get("phi", 1.0) > 1 else "")
        + ") concerned contracted providers; "
        f"by mentions, {count(r['contracted_mentions'])} of {count(r['asc_mentions'])} ({pct(r['mentions_rate'])}). "
        f"Source: {linked_sources(r['source'])}." for r in results.share.to_dict("records"))


def text_recovery(results: Results) -> str:
    """What the extractor recovered of the ASC service tables, and whether a second printing agrees."""
    lines = []
    for r in results.groups[results.groups["group"] != "in_house"].to_dict("records"):
        name = "'Contracted Services'" if r["group"] == "contracted" else "OVERALL"
        lines.append(f"- {r['period']}: the {name} row was recovered ({linked_sources(r['source'])})"
                     + (f", with flags: {present.flag(';'.join(sorted({f.split(':')[-1] for f in r['flags'].split(';')})))}"
                        if r["flags"] else ", unflagged") + ".")
    if results.unrecovered is not None and not results.unrecovered.empty:
        for period, g in results.unrecovered.groupby("period"):
            services = sorted({s or "OVERALL" for s in g["service"]})
            lines.append(f"- {period}: {len(g)} figures of the table could not be recovered ("
                         f"{present.flag(';'.join(sorted(set(g['quality_flag']))))}), in {', '.join(services)}; "
                         f"{'none' if CONTRACTED not in services and 'OVERALL' not in services else 'some'} "
                         f"of them in the rows used here.")
    if results.checks is not None and not results.checks.empty:
        for period, g in results.checks.groupby("period"):
            lines.append(f"- {period}: the SUMMARY table prints {int(g['agree'].sum())} of these {len(g)} counts "
                         f"identically" + ("." if g["agree"].all() else
                                           f"; they differ for {', '.join(g.loc[~g['agree'], 'measure'])}."))
    return "\n".join(lines)


def text_rates(results: Results) -> str:
    """Contracted vs in-house per period: the rates, the difference and its test, with the sample sizes."""
    lines = []
    rates = results.rates.set_index(["period", "group", "outcome"])
    diffs = results.differences.set_index(["period", "outcome"]) if not results.differences.empty else None
    for period in results.bromley_periods:
        bits = []
        for outcome in ("fully_upheld", "upheld_or_partially", "on_time"):
            c, i = rates.loc[(period, "contracted", outcome)], rates.loc[(period, "in_house", outcome)]
            test = ""
            if diffs is not None and (period, outcome) in diffs.index:
                d = diffs.loc[(period, outcome)]
                test = (f"; difference {points(d['difference'], d.get('adj_low', d['low']), d.get('adj_high', d['high']))}"
                        f", {p_text(d['p_value'])}")
            bits.append(f"{OUTCOMES[outcome][0].lower()}: contracted {pct(c['rate'])} ({count(c['successes'])}/"
                        f"{count(c['trials'])}) vs in-house {pct(i['rate'])} ({count(i['successes'])}/"
                        f"{count(i['trials'])}){test}")
        lines.append(f"- **{period}** — " + "; ".join(bits) + ".")
    if lines:
        lines.append("\nIntervals and p values both allow for the aspects per complaint of adult social care that "
                     "year (effective counts n/φ), so they agree about \"no difference\".")
    if diffs is not None:
        on_time = results.differences[results.differences["outcome"] == "on_time"]
        slower = on_time[on_time["adj_high"] < 0]
        years = ", ".join(f"{r.period} {points(r.difference, r.adj_low, r.adj_high)}" for r in on_time.itertuples())
        if not on_time.empty:
            lines.append(
                "\nBoth Bromley reports say complaints involving contracted providers take longer to resolve "
                "(2019-20 report line 677, 2023-24 report line 146). "
                + ("At the level of aspects that is " + ("visible" if len(slower) else "not visible")
                   + f" in the on-time rates (contracted minus in-house: {years}); a complaint can involve a "
                     "provider and an in-house team at once, so the delay may fall on the in-house aspects too."))
    return "\n".join(lines)


def text_change(results: Results) -> str:
    """The change between the first and last Bromley year, for contracted and in-house aspects."""
    if results.change.empty:
        return "Only one Bromley year is in this selection: no change to measure."
    change = results.change.set_index(["group", "outcome"])
    first, last = results.change["before"].iloc[0], results.change["after"].iloc[0]
    lines = []
    for group in ("contracted", "in_house"):
        bits = []
        for outcome in ("fully_upheld", "partially_upheld", "upheld_or_partially", "on_time"):
            if (group, outcome) not in change.index:
                continue
            c = change.loc[(group, outcome)]
            bits.append(f"{OUTCOMES[outcome][0].lower()} {pct(c['rate_before'])} → {pct(c['rate_after'])} "
                        f"({points(c['difference'], c.get('adj_low', c['low']), c.get('adj_high', c['high']))}, "
                        f"{p_text(c['p_value'])})")
        lines.append(f"- **{GROUPS[group]}** ({first} n = {count(c['n_before'])}, {last} n = {count(c['n_after'])}): "
                     + "; ".join(bits) + ".")
    if {("contracted", "partially_upheld"), ("in_house", "partially_upheld")} <= set(change.index):
        fell = all(change.loc[(g, "partially_upheld"), "difference"] < 0 for g in ("contracted", "in_house"))
        rose = all(change.loc[(g, "fully_upheld"), "difference"] > 0 for g in ("contracted", "in_house"))
        if fell and rose:
            combined = {g: change.loc[(g, "upheld_or_partially")] for g in ("contracted", "in_house")}
            lines.append(
                f"- In both groups *partially* upheld fell and *fully* upheld rose between {first} and {last}: partly "
                "a change in how Bromley records outcomes, not only in the providers. The combined fully-or-partially "
                f"upheld rate moved {points(combined['contracted']['difference'], combined['contracted']['adj_low'], combined['contracted']['adj_high'])} "
                f"for contracted providers and {points(combined['in_house']['difference'], combined['in_house']['adj_low'], combined['in_house']['adj_high'])} "
                "in-house.")
    for outcome, g in results.gap_change.items():
        lines.append(f"- Did the contracted-vs-in-house gap in *{OUTCOMES[outcome][0].lower()}* change? Binomial GLM "
                     f"interaction (odds-ratio change {first} → {last}): {g.odds_ratio:.2f} "
                     f"(95% CI {g.adj_low:.2f}–{g.adj_high:.2f}, widened for φ = {g.phi:.2f} aspects per complaint "
                     f"because the saturated fit cannot estimate its own dispersion; Holm-adjusted over the {len(results.gap_change)} "
                     f"outcomes tested, {p_text(g.p_holm)}. Sensitivity, aspects independent: {g.low:.2f}–{g.high:.2f}, "
                     f"{p_text(g.p_value)}).")
    return "\n".join(lines)


def text_fees(results: Results) -> str:
    """Care-fee aspects per year and service, with their share, upheld and on-time rates."""
    fees = results.fees[results.fees["service"] != ""]
    return "\n".join(
        f"- **{r['period']} — {r['service']}**: {count(r['aspects'])} of {count(r['ced_aspects'])} Chief "
        f"Executive's Department aspects ({pct(r['share_rate'])}); fully or partially upheld {pct(r['upheld_rate'])} "
        f"({interval(r['upheld_low'], r['upheld_high'])}); answered on time {pct(r['on_time_rate'])} "
        f"({interval(r['on_time_low'], r['on_time_high'])}). Source: {linked_sources(r['source'])}." for r in fees.to_dict("records"))


def text_evidence(results: Results) -> str:
    """One line per piece of evidence: the council's definition and its figure."""
    lines = []
    for r in results.evidence.to_dict("records"):
        if pd.isna(r["numerator"]):
            context = present.link_sources(r["context"]) if r["context"] else ""
            figure = f"{pct(r['share'])} (a percentage printed without counts{'; ' + context if context else ''})"
        else:
            figure = (f"{count(r['numerator'])} of {count(r['denominator'])} {r['unit_of_count']} = {pct(r['share'])} "
                      f"({interval(r['low'], r['high'])}; denominator: {r['denominator_rule']})")
        if pd.notna(r["cause_rank"]):
            figure += (f"; the most common of {int(r['causes'])} printed causes" if r["cause_rank"] == 1 else
                       f"; number {int(r['cause_rank'])} of {int(r['causes'])} printed causes")
        lines.append(f"- **{council_name(r['council'])} {r['period']}** — {r['definition']}: {figure}. "
                     f"Source: {linked_sources(r['source'])}.")
    return "\n".join(lines)


def text_comparison(results: Results) -> str:
    """The evidence side by side, by kind: the range of shares, with who and when."""
    lines = []
    e = results.evidence[results.evidence["share"].notna()]
    for kind, g in e.groupby("kind", sort=False):
        lo, hi = g.loc[g["share"].idxmin()], g.loc[g["share"].idxmax()]
        where = lambda r: f"{council_name(r['council'])} {r['period']}"  # noqa: E731
        span = (f"{pct(lo['share'])} ({where(lo)}) to {pct(hi['share'])} ({where(hi)})" if len(g) > 1
                else f"{pct(lo['share'])} ({where(lo)})")
        lines.append(f"- {KIND_LABELS[kind]}: {span}, over {len(g)} figure{'s' if len(g) > 1 else ''} from "
                     f"{g['council'].nunique()} council{'s' if g['council'].nunique() > 1 else ''}.")
    if not results.fees.empty:
        both = results.fees[results.fees["service"] == "Care fees (both)"]
        lines.append("- Care-fee complaints (Bromley, Chief Executive's Department): "
                     + ", ".join(f"{pct(r.share_rate)} of the department's aspects in {r.period}" for r in both.itertuples())
                     + ".")
    return "\n".join(lines)


def evidence_display(results: Results):
    """The evidence table for the page: one row per council, measure and year, each with its unit."""
    e = results.evidence
    frame = pd.DataFrame({
        "council": e["council"], "period": e["period"], "evidence": e["kind"].map(KIND_LABELS),
        "as printed": e["label"], "count": e["numerator"], "of": e["denominator"],
        "unit": e["unit_of_count"].map(lambda u: UNIT_WORDS.get(u, u)), "share": e["share"], "low": e["low"],
        "high": e["high"], "phi": e["phi"], "printed %": e["printed_pct"], "source": e["source"]})
    return present.table(frame, kinds={"council": "council", "period": "text", "share": "share", "low": "share",
                                       "high": "share", "phi": "decimal", "printed %": "pct", "source": "source"},
                         labels={"period": "Year", "council": "Council", "evidence": "What is counted",
                                 "as printed": "As printed", "count": "Count", "of": "Of", "unit": "Unit",
                                 "share": "Share", "low": "95% CI from", "high": "95% CI to",
                                 "phi": "φ used (aspects per complaint; 1 for complaints)",
                                 "printed %": "Printed %", "source": "Source"},
                         digits={"share": 1, "low": 1, "high": 1, "phi": 2},
                         caption="Each council's own measure; the units differ, so the rows are not a ranking.")


def rates_display(results: Results):
    """Contracted vs in-house outcome rates with both the φ-adjusted and the plain Wilson interval."""
    r = results.rates
    frame = pd.DataFrame({
        "period": r["period"], "group": r["group"].map(GROUPS), "outcome": r["outcome_label"],
        "aspects": r["successes"], "of aspects": r["trials"], "rate": r["rate"],
        "adj_low": r.get("adj_low", r["low"]), "adj_high": r.get("adj_high", r["high"]),
        "phi": r.get("phi", 1.0), "low": r["low"], "high": r["high"]})
    return present.table(frame, kinds={"period": "text", "rate": "share", "adj_low": "share", "adj_high": "share",
                                       "phi": "ratio", "low": "share", "high": "share"},
                         labels={"period": "Year", "group": "Group", "outcome": "Outcome", "aspects": "Aspects",
                                 "of aspects": "Of aspects", "rate": "Rate", "adj_low": "95% CI from (φ-adjusted)",
                                 "adj_high": "95% CI to (φ-adjusted)", "phi": "φ used", "low": "Plain CI from",
                                 "high": "Plain CI to"},
                         digits={"rate": 0, "adj_low": 0, "adj_high": 0, "low": 0, "high": 0})


def sensitivity_display(results: Results):
    """The primary estimate and its alternatives, one row each, in percentage points."""
    frame = results.sensitivity.assign(
        difference=results.sensitivity["difference"] * 100, low=results.sensitivity["low"] * 100,
        high=results.sensitivity["high"] * 100)
    frame = frame.assign(p_value=frame["p_value"].map(p_text))
    return present.table(frame[["estimate", "difference", "low", "high", "p_value"]],
                         kinds={"difference": "points", "low": "points", "high": "points", "p_value": "text"},
                         labels={"estimate": "Estimate", "difference": "Change or gap", "low": "Likely range from",
                                 "high": "Likely range to", "p_value": "p value (same variance as the range)"})


def funnel_display(d: ServiceDispersion, limit: int = 8):
    """The services furthest from the pooled rate (plain |z|), with their plain and adjusted z."""
    rows = pd.DataFrame([{"division": p.label.split("|", 1)[0], "service": p.label.split("|", 1)[1],
                          "upheld": p.successes, "aspects": p.trials, "rate": p.rate, "z_plain": q.z, "z_adj": p.z}
                         for p, q in zip(d.funnel.points, d.plain.points)])
    rows = rows.reindex(rows["z_plain"].abs().sort_values(ascending=False).index).head(limit)
    return present.table(rows, kinds={"division": "division", "service": "text", "rate": "share",
                                      "z_plain": "ratio", "z_adj": "ratio"},
                         labels={"division": "Division", "service": "Service", "upheld": "Fully or partly upheld",
                                 "aspects": "Aspects", "rate": "Rate", "z_plain": "z (aspects independent)",
                                 "z_adj": f"z (φ = {d.phi:.2f})"}, digits={"rate": 0},
                         caption=f"The {limit} services furthest from the pooled rate; |z| above 3.09 is outside "
                                 "the 99.8% limit.")


def text_primary(results: Results) -> str:
    """The primary estimate in words, with its assumptions."""
    if not results.primary:
        return ""
    p, record = results.primary, primary_record(results)
    return (f"**Primary estimate.** {record.finding} **Strength: {record.strength_words}.** The likely range "
            f"allows for {p['phi']:.2f} aspects per complaint in adult social care that year "
            f"({linked_sources(p['phi_source'])}), the study's one way of allowing for several grievances in one "
            f"complaint; its p value ({p_text(p['p_value'])}) is on the same footing.\n\n"
            f"*Assumptions:* {p['assumptions']} The alternatives below are labelled sensitivity rows, not rival "
            "headlines.")


def text_dispersion(results: Results) -> str:
    """φ per year and what the funnel says about Contracted Services and SEN."""
    lines = []
    for period, d in results.dispersion.items():
        bits = []
        for division, service in (("adult_social_care", CONTRACTED), ("education", "SEN")):
            plain, adjusted = d.point(division, service, adjusted=False), d.point(division, service)
            if plain is None:
                continue
            where = "outside" if abs(plain.z) > 3.090232 else "inside"
            where_adj = "outside" if abs(adjusted.z) > 3.090232 else "inside"
            bits.append(f"{service} ({count(plain.successes)} of {count(plain.trials)}, {pct(plain.rate)}) has "
                        f"z = {plain.z:.1f} — {where} the plain 99.8% limit — and z = {adjusted.z:.1f} once adjusted, "
                        f"{where_adj} the adjusted 99.8% limit"
                        + (" (though still beyond the adjusted 95% limit)" if where_adj == "inside" and abs(adjusted.z) > 1.96 else ""))
        lines.append(f"- **{period}**: across {d.services} Bromley services with at least one aspect "
                     f"({d.printed} printed), pooled upheld rate {pct(d.pooled)}, **φ = {d.phi:.2f}**. "
                     + "; ".join(bits) + ".")
    return "\n".join(lines)


def recording_shift(results: Results) -> bool:
    """Whether partly upheld fell and fully upheld rose in both groups between the two reports."""
    if results.change.empty:
        return False
    change = results.change.set_index(["group", "outcome"])
    needed = {(g, o) for g in ("contracted", "in_house") for o in ("partially_upheld", "fully_upheld")}
    if not needed <= set(change.index):
        return False
    return all(change.loc[(g, "partially_upheld"), "difference"] < 0 < change.loc[(g, "fully_upheld"), "difference"]
               for g in ("contracted", "in_house"))


def text_cannot(results: Results, brief: bool = False) -> str:
    """What this notebook's data cannot tell us (specific to it); ``brief`` (a policy page) leaves out
    what the caveat under each chart already says (quality of care, a ranking of councils)."""
    items = [
        "Whether commissioned care is *worse* than in-house care: an upheld rate reflects what people complain "
        "about, how the council investigates providers and how it records outcomes, not the quality of care.",
        "A ranking of councils: Bromley counts complaint aspects about a team, Lewisham and Barking and Dagenham "
        "a recorded cause, Harrow complaints about the commissioning team — different units, different years.",
        "How many people were affected: aspects are grievances, and one complaint can give several.",
    ]
    if results.primary:
        items.append(
            "Whether the rise in *fully* upheld outcomes is real: partly upheld fell to zero in every group at "
            "once, which points to a change in recording; only the combined rate is used as the headline, and "
            "its interval (two years, a few dozen aspects each) is wide.")
        items.append(
            "A trend: two reports (two years) are not a series, and the services' variation (a sensitivity row) "
            "is estimated from the same services it adjusts, so that range is approximate too.")
        items.append(
            "What the likely range is for: these are complete counts of a year's aspects, so the range describes "
            "how far the gap could move by chance in a year like this one, not uncertainty about what was counted; "
            "errors in coding or recording are not in it.")
    if brief:
        items = [i for i in items if not i.startswith(("Whether commissioned care", "A ranking"))]
    return "\n".join(f"- {i}" for i in items)


def key_findings(results: Results) -> list[str]:
    """3–5 plain-language bullets for the top of the page (from the computed results)."""
    out = []
    e = results.evidence[results.evidence["share"].notna()]
    record = primary_record(results)
    if results.primary or not results.evidence.empty:  # the page's declared primary, quoted as every page quotes it
        out.append(f"{record.finding} Strength: {record.strength_words}.")
    if results.primary:
        if recording_shift(results):
            out.append("The jump in *fully* upheld outcomes, while *partly* upheld fell, happened for in-house teams "
                       "too: it looks like a change in how outcomes are recorded, so it is not the headline.")
    if not results.share.empty:
        last = results.share.iloc[-1]
        out.append(f"Contracted providers were {pct(last['rate'])} of Bromley's adult social care complaint aspects "
                   f"in {last['period']} ({count(last['contracted_aspects'])} of {count(last['asc_aspects'])}).")
    if results.dispersion:
        period = max(results.dispersion)
        d = results.dispersion[period]
        point = d.point("adult_social_care", CONTRACTED)
        inside = point is not None and abs(point.z) <= 3.090232
        out.append(f"Upheld rates vary between Bromley's {d.services} services about {d.phi:.1f} times more than "
                   f"chance allows ({period}); allowing for that, contracted care is "
                   + ("above the council's rate but inside the 99.8% control limits." if inside else
                      "outside the 99.8% control limits."))
    if not e.empty and e["council"].nunique() > 1:
        out.append(f"{e['council'].nunique()} councils print a figure on commissioned care, each counting something "
                   "different: they are shown side by side, not ranked.")
    elif not e.empty and not results.primary:
        ordered = e.assign(_k=e["kind"].map(list(KIND_LABELS).index)).sort_values(["_k", "period"], ascending=[True, False])
        for r in ordered.iloc[1:2].to_dict("records"):  # the first is the primary, stated above
            size = (f" ({count(r['numerator'])} of {count(r['denominator'])})" if pd.notna(r["numerator"])
                    else " (a percentage printed without counts)")
            out.append(f"{council_name(r['council'])} {r['period']} — {KIND_LABELS[r['kind']].lower()}: "
                       f"{pct(r['share'])} of its adult social care "
                       f"{UNIT_WORDS.get(r['unit_of_count'], r['unit_of_count'])}{size}.")
        out.append(f"{council_name(e['council'].iloc[0])}'s reports do not compare commissioned with in-house care, "
                   "so this page cannot say whether complaints about providers fare differently.")
        out.append("Other councils count different things (aspects, causes, complaints about the commissioning "
                   "team): the figures are not a ranking.")
    if not out:
        out = ["No contracted-services figure for this selection: nothing here to compare.",
               "None of the figures this study reads about commissioned care (contracted providers, a third-party "
               "cause, a commissioning team, care fees) is in the clean data for it.",
               "The all-councils page shows every council's evidence."]
    return out[:5]


def bromley_source(periods) -> str:
    """A Bromley-only chart's source line: the Bromley reports it draws on, not every council's."""
    years = sorted(set(periods))
    listed = years[0] if len(years) == 1 else ", ".join(years[:-1]) + " and " + years[-1]
    return f"Bromley's annual complaints reports ({listed}); analysis by this study"


def title_rates(results: Results) -> str:
    """The finding of the rates chart: the PRIMARY measure (fully or partly upheld), not the fully-upheld
    share, whose rise is largely a shift in how outcomes were recorded."""
    if results.primary:
        p, record = results.primary, primary_record(results)
        return (f"Bromley {p['period']}: {pct(p['rate_contracted'])} of contracted-provider aspects fully or partly "
                f"upheld against {pct(p['rate_in_house'])} in-house; whether the gap is real is {record.strength}")
    rates = results.rates.set_index(["period", "group", "outcome"])
    for period in reversed(results.bromley_periods):
        c = rates.loc[(period, "contracted", "upheld_or_partially"), "rate"]
        i = rates.loc[(period, "in_house", "upheld_or_partially"), "rate"]
        if pd.notna(c) and pd.notna(i):
            return (f"Bromley {period}: {pct(c)} of contracted-provider aspects fully or partly upheld, "
                    f"against {pct(i)} in-house")
    return "Bromley: contracted vs in-house adult social care outcomes"


def title_evidence(results: Results) -> str:
    """The evidence chart's finding, without ranking measures that are not comparable."""
    e = results.evidence[results.evidence["share"].notna()]
    if e.empty:
        return "No council in this selection prints a share of complaints about commissioned care"
    if e["council"].nunique() == 1:
        return (f"Commissioned care as a share of {council_name(e['council'].iloc[0])}'s adult social care "
                "complaints, on the council's own measure")
    return (f"Commissioned care is a visible share of adult social care complaints in each of the "
            f"{e['council'].nunique()} councils that count it — each on its own measure, not comparable")


def title_fees(results: Results) -> str:
    both = results.fees[results.fees["service"] == "Care fees (both)"].sort_values("period")
    if both.empty:
        return "Care-fee complaints"
    first, last = both.iloc[0], both.iloc[-1]
    if len(both) == 1:
        return (f"Bromley {last['period']}: care fees were {pct(last['share_rate'])} of the Chief Executive's "
                f"Department's complaint aspects; {pct(last['on_time_rate'])} answered on time")
    return (f"Care-fee aspects answered on time: {pct(first['on_time_rate'])} in {first['period']}, "
            f"{pct(last['on_time_rate'])} in {last['period']}")
