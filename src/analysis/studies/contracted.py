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
in the denominator as the report's percentages do). Intervals are Wilson intervals and tests
two-proportion z tests (:mod:`analysis.stats`); both assume independent aspects, which
aspects of one complaint are not, so the intervals are a floor on the real uncertainty.
"""
from __future__ import annotations

import re
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from statsmodels.tools.sm_exceptions import PerfectSeparationWarning

from ..data import cite
from ..stats import binomial_glm, compare_proportions, odds_ratios, wilson
from .. import present

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
                    "flags", "context", "cause_rank", "causes"]


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
            proportion = wilson(row["value"], total)
            printed = obs[(obs["council"] == row["council"]) & (obs["table"] == row["table"])
                          & (obs["period"] == row["period"]) & (obs[spec.label_column] == row[spec.label_column])
                          & (obs["stage"] == row["stage"]) & (obs["measure"] == "pct_of_total")]
            rows.append(base | {"numerator": row["value"], "denominator": total, "share": proportion.rate,
                                "low": proportion.low, "high": proportion.high,
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

    @property
    def has_evidence(self) -> bool:
        return not (self.evidence.empty and self.groups.empty and self.fees.empty)

    @property
    def bromley_periods(self) -> list[str]:
        return sorted(self.groups["period"].unique()) if not self.groups.empty else []

    def findings(self) -> dict:
        """The headline figures as plain data for ``save_findings``."""
        out: dict = {"council": self.council, "period": self.period, "has_evidence": self.has_evidence,
                     "evidence": self.evidence.drop(columns=["denominator_source"]).to_dict("records")}
        if self.groups.empty and self.fees.empty:
            return out
        bromley: dict = {"periods": self.bromley_periods}
        if not self.share.empty:
            bromley["share"] = nested(self.share, ["period"], [
                "contracted_aspects", "asc_aspects", "rate", "low", "high", "contracted_mentions", "asc_mentions",
                "mentions_rate", "mentions_low", "mentions_high", "source"])
        if not self.groups.empty:
            bromley["counts"] = nested(self.groups, ["period", "group"], [*COUNT_MEASURES, "source", "flags"])
            bromley["rates"] = nested(self.rates, ["period", "group", "outcome"],
                                      ["successes", "trials", "rate", "low", "high"])
        if not self.differences.empty:
            bromley["contracted_vs_in_house"] = nested(self.differences, ["period", "outcome"], [
                "rate_contracted", "rate_in_house", "difference", "low", "high", "z", "p_value", "n_contracted",
                "n_in_house"])
        if not self.change.empty:
            bromley["change"] = nested(self.change, ["group", "outcome"], [
                "before", "after", "rate_before", "rate_after", "difference", "low", "high", "z", "p_value",
                "n_before", "n_after"])
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
    return Results(council, period, evidence, groups, share, rates, differences, change, gap_change, fees,
                   checks, unrecovered)


# ---------------------------------------------------------------------------------------
# Charts (titles are the caller's: they state the finding)


def _wrap(text: str, width: int) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(text, width, break_on_hyphens=False))


def _errorbars(frame: pd.DataFrame, rate: str = "rate", low: str = "low", high: str = "high") -> np.ndarray:
    return np.vstack([(frame[rate] - frame[low]).clip(lower=0), (frame[high] - frame[rate]).clip(lower=0)]) * 100


def plot_rates(rates: pd.DataFrame, title: str, outcomes=("fully_upheld", "partially_upheld", "on_time")):
    """Contracted vs in-house rates per period and outcome, points with Wilson 95% intervals."""
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
            ax.errorbar(x, g["rate"] * 100, yerr=_errorbars(g), fmt="o", capsize=4, color=PALETTE[i],
                        label=f"{label}")
        ax.set_xticks(range(len(years)), years)
        ax.set_title(OUTCOMES[outcome][0])
        ax.set_xlabel("Financial year")
        ax.set_ylim(0, 100)
    axes[0][0].set_ylabel("% of aspects, 95% Wilson interval")
    axes[0][0].legend(loc="upper left", fontsize="small")
    fig.suptitle(_wrap(title, 110))
    fig.tight_layout()
    return fig


def plot_evidence(evidence: pd.DataFrame, title: str):
    """Every council's share, one row per council/definition/year, with intervals where counts exist."""
    import matplotlib.pyplot as plt

    from ..charts import PALETTE

    data = evidence[evidence["share"].notna()].reset_index(drop=True)
    labels = [_wrap(f"{council_name(r.council)} {r.period}: {r.label} ({r.unit_of_count})", 48)
              for r in data.itertuples()]
    fig, ax = plt.subplots(figsize=(11, 0.5 * len(data) + 2.5))
    kinds = list(KIND_LABELS)
    for kind in kinds:
        part = data[data["kind"] == kind]
        if part.empty:
            continue
        has_ci = part["low"].notna()
        colour = PALETTE[kinds.index(kind)]
        ax.errorbar(part.loc[has_ci, "share"] * 100, part.index[has_ci], xerr=_errorbars(part[has_ci], "share"),
                    fmt="o", capsize=3, color=colour, label=KIND_LABELS[kind])
        ax.plot(part.loc[~has_ci, "share"] * 100, part.index[~has_ci], "D", color=colour,
                label=f"{KIND_LABELS[kind]} (percentage only, no counts)" if (~has_ci).any() else None)
    ax.set_yticks(range(len(data)), labels, fontsize="small")
    ax.invert_yaxis()
    ax.set_xlabel("% of the council's adult social care complaints (Bromley: aspects), 95% Wilson interval")
    ax.set_xlim(0, max(50, float(np.nanmax(data["high"].fillna(data["share"]) * 100)) + 5))
    ax.set_title(_wrap(title, 80))
    fig.legend(loc="lower center", ncol=2, fontsize="small", frameon=False)
    fig.tight_layout(rect=(0, 1.0 / (0.5 * len(data) + 2.5), 1, 1))
    return fig


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
    ax.set_ylabel("%, 95% Wilson interval")
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
                "has nothing to compare; the `council=all` run shows every council's evidence.")
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
        return f"{what}: Bromley only — see the `council=bromley` or `council=all` run."
    years = f" for {results.period}" if results.period else ""
    return f"{what}: the Bromley figures are not in the clean data{years}, so this section has nothing to show."


def text_share(results: Results) -> str:
    """Bromley's contracted share of adult social care aspects, year by year."""
    return "\n".join(
        f"- **{r['period']}**: {count(r['contracted_aspects'])} of {count(r['asc_aspects'])} adult social care "
        f"complaint aspects ({pct(r['rate'])}, {interval(r['low'], r['high'])}) concerned contracted providers; "
        f"by mentions, {count(r['contracted_mentions'])} of {count(r['asc_mentions'])} ({pct(r['mentions_rate'])}). "
        f"Source: `{r['source']}`." for r in results.share.to_dict("records"))


def text_recovery(results: Results) -> str:
    """What the extractor recovered of the ASC service tables, and whether a second printing agrees."""
    lines = []
    for r in results.groups[results.groups["group"] != "in_house"].to_dict("records"):
        name = "'Contracted Services'" if r["group"] == "contracted" else "OVERALL"
        lines.append(f"- {r['period']}: the {name} row was recovered (`{r['source']}`)"
                     + (f", with flags `{r['flags']}`" if r["flags"] else ", unflagged") + ".")
    if results.unrecovered is not None and not results.unrecovered.empty:
        for period, g in results.unrecovered.groupby("period"):
            services = sorted({s or "OVERALL" for s in g["service"]})
            lines.append(f"- {period}: {len(g)} figures of the table could not be recovered (flags "
                         f"`{';'.join(sorted(set(g['quality_flag'])))}`), in {', '.join(services)}; "
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
                test = f"; difference {points(d['difference'], d['low'], d['high'])}, {p_text(d['p_value'])}"
            bits.append(f"{OUTCOMES[outcome][0].lower()}: contracted {pct(c['rate'])} ({count(c['successes'])}/"
                        f"{count(c['trials'])}) vs in-house {pct(i['rate'])} ({count(i['successes'])}/"
                        f"{count(i['trials'])}){test}")
        lines.append(f"- **{period}** — " + "; ".join(bits) + ".")
    if diffs is not None:
        on_time = results.differences[results.differences["outcome"] == "on_time"]
        slower = on_time[on_time["high"] < 0]
        years = ", ".join(f"{r.period} {points(r.difference, r.low, r.high)}" for r in on_time.itertuples())
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
                        f"({points(c['difference'], c['low'], c['high'])}, {p_text(c['p_value'])})")
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
                f"upheld rate moved {points(combined['contracted']['difference'], combined['contracted']['low'], combined['contracted']['high'])} "
                f"for contracted providers and {points(combined['in_house']['difference'], combined['in_house']['low'], combined['in_house']['high'])} "
                "in-house.")
    for outcome, g in results.gap_change.items():
        lines.append(f"- Did the contracted-vs-in-house gap in *{OUTCOMES[outcome][0].lower()}* change? Binomial GLM "
                     f"interaction (odds-ratio change {first} → {last}): {g.odds_ratio:.2f} "
                     f"(95% CI {g.low:.2f}–{g.high:.2f}, {p_text(g.p_value)}).")
    return "\n".join(lines)


def text_fees(results: Results) -> str:
    """Care-fee aspects per year and service, with their share, upheld and on-time rates."""
    fees = results.fees[results.fees["service"] != ""]
    return "\n".join(
        f"- **{r['period']} — {r['service']}**: {count(r['aspects'])} of {count(r['ced_aspects'])} Chief "
        f"Executive's Department aspects ({pct(r['share_rate'])}); fully or partially upheld {pct(r['upheld_rate'])} "
        f"({interval(r['upheld_low'], r['upheld_high'])}); answered on time {pct(r['on_time_rate'])} "
        f"({interval(r['on_time_low'], r['on_time_high'])}). Source: `{r['source']}`." for r in fees.to_dict("records"))


def text_evidence(results: Results) -> str:
    """One line per piece of evidence: the council's definition and its figure."""
    lines = []
    for r in results.evidence.to_dict("records"):
        if pd.isna(r["numerator"]):
            figure = f"{pct(r['share'])} (a percentage printed without counts{'; ' + r['context'] if r['context'] else ''})"
        else:
            figure = (f"{count(r['numerator'])} of {count(r['denominator'])} {r['unit_of_count']} = {pct(r['share'])} "
                      f"({interval(r['low'], r['high'])}; denominator: {r['denominator_rule']})")
        if pd.notna(r["cause_rank"]):
            figure += (f"; the most common of {int(r['causes'])} printed causes" if r["cause_rank"] == 1 else
                       f"; number {int(r['cause_rank'])} of {int(r['causes'])} printed causes")
        lines.append(f"- **{council_name(r['council'])} {r['period']}** — {r['definition']}: {figure}. "
                     f"Source: `{r['source']}`.")
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


def evidence_display(results: Results) -> pd.DataFrame:
    """The evidence table for display: percentages as numbers on a 0–100 scale."""
    e = results.evidence
    return pd.DataFrame({
        "council": e["council"].map(council_name), "period": e["period"], "evidence": e["kind"].map(KIND_LABELS),
        "as printed": e["label"], "count": e["numerator"], "of": e["denominator"], "unit": e["unit_of_count"],
        "share %": (e["share"] * 100).round(1), "95% CI low %": (e["low"] * 100).round(1),
        "95% CI high %": (e["high"] * 100).round(1), "printed %": e["printed_pct"], "source": e["source"]})


def rates_display(results: Results) -> pd.DataFrame:
    r = results.rates
    return pd.DataFrame({
        "period": r["period"], "group": r["group"].map(GROUPS), "outcome": r["outcome_label"],
        "aspects": r["successes"], "of aspects": r["trials"], "rate %": (r["rate"] * 100).round(1),
        "95% CI low %": (r["low"] * 100).round(1), "95% CI high %": (r["high"] * 100).round(1)})


def title_rates(results: Results) -> str:
    """The finding of the rates chart: the latest year's fully-upheld gap (or the first with data)."""
    rates = results.rates.set_index(["period", "group", "outcome"])
    for period in reversed(results.bromley_periods):
        c, i = rates.loc[(period, "contracted", "fully_upheld"), "rate"], rates.loc[(period, "in_house", "fully_upheld"), "rate"]
        if pd.notna(c) and pd.notna(i):
            first = results.bromley_periods[0]
            before = rates.loc[(first, "contracted", "fully_upheld"), "rate"]
            since = f" (up from {pct(before)} in {first})" if first != period and pd.notna(before) else ""
            return (f"Bromley {period}: {pct(c)} of contracted-provider aspects fully upheld{since}, "
                    f"against {pct(i)} in-house")
    return "Bromley: contracted vs in-house adult social care outcomes"


def title_evidence(results: Results) -> str:
    """The providers' share in each council that counts complaints about providers (latest year)."""
    e = results.evidence[results.evidence["share"].notna() & results.evidence["kind"].isin(["provider", "root_cause"])]
    if e.empty:
        return "Complaints about the council's commissioning teams (no provider-level figure for this selection)"
    latest = e.sort_values("period").groupby("council").tail(1).sort_values("share", ascending=False)
    parts = [f"{council_name(r.council)} {pct(r.share)} ({r.period})" for r in latest.itertuples()]
    return "Share of adult social care complaints about third-party providers: " + ", ".join(parts)


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
