"""The SEN surge: special educational needs complaints, their trend, causes and consequences.

Everything numeric comes from the clean observations (``analysis.data``). A multi-year
series is read from named tables (:data:`SERIES`) and reconciled to one value per year by the
rules of :mod:`analysis.reconcile`, every disagreement between reports listed beside it.
Single-year tables (service, nature of complaint, causes, Ombudsman outcomes) are read by
table id, so two tables printing the same key are never mixed. The only text read from
``data/raw`` is qualitative evidence (:func:`quote`), returned with its file and line and
HTML-escaped for the pages.

Bromley's reports are the only ones with a SEN service table; for other councils the
functions return empty frames and :func:`inventory` says what the council's data does hold.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..data import cite, select
from ..paths import Paths
from ..clean.reconcile import reconcile
from ..stats import CountTrend, compare_proportions, count_model, wilson
from .. import present

EDUCATION = "education"
SEN = "SEN"  # Bromley's service label, exactly as printed
SEN_PATTERN = r"\bSEN\b|\bSEND\b|\bEHC|special educ"

# Table ids of the Bromley template (see src/analysis/clean/extract/bromley.py).
OVERVIEW_TABLE = "complaints_by_division_multi_year"
SERVICE_TABLE = "service_aspects"
NATURE_TABLE = "nature_of_complaint"
OMBUDSMAN_OUTCOMES_TABLE = "ombudsman_outcomes"

# Bromley's Ombudsman outcome columns under the printed "UPHELD" heading.
OMBUDSMAN_UPHELD_COLUMNS = ("ombudsman_upheld_nfa", "ombudsman_maladministration_injustice",
                            "ombudsman_maladministration_no_injustice", "ombudsman_already_remedied")

# Qualitative evidence: (council, regular expression locating the line, what it shows).
EVIDENCE = (
    ("bromley", r"pressures on SEN services",
     "Bromley's 2023-24 report attributes its compensation total to SEN pressures"),
    ("harrow", r"in particular, SEND",
     "Harrow notes rising SEND complaints in line with national trends"),
    ("lewisham", r"Issues with EHCPs",
     "Lewisham names EHCP issues among upheld children's complaints, and a surge in SEND "
     "assessments since schools fully reopened"),
    ("lewisham", r"^\s*iv\) EHCP",
     "Lewisham lists EHCP failures among reasons complaints escalated to stage 2"),
)


# --- selection helpers ----------------------------------------------------------------

def up_to(frame: pd.DataFrame, period: str) -> pd.DataFrame:
    """Rows whose ``period`` is ``period`` or earlier (all rows when ``period`` is '')."""
    return frame if not period else frame[frame["period"] <= period]


# A series: (division, measure, tables it is read from, tables only compared with it, stage or None).
# The tables are named because one key can hold different things: Bromley's 2023-24
# "Total" of complaints is 533 in the five-year table (without E&PP) and 738 in the
# how-received table (with it); the reconciled view keyed without the table would mix them.
SERIES = {
    "education": (EDUCATION, "complaints", (OVERVIEW_TABLE, "at_a_glance"),
                  ("how_received", "complaints_by_type_and_division"), "all"),
    "total": ("all", "complaints", (OVERVIEW_TABLE,), (), "all"),
    "education_ombudsman_cases": (EDUCATION, "ombudsman_referrals", ("at_a_glance",), ("ombudsman_by_division",), None),
    "education_ombudsman_upheld": (EDUCATION, "ombudsman_upheld", ("at_a_glance",), ("ombudsman_by_division",), None),
    "education_financial_gbp": (EDUCATION, "financial_total_gbp",
                                ("financial_consequences", "financial_by_division", "at_a_glance"), (), "all"),
    "council_financial_gbp": ("all", "financial_total_gbp", ("financial_multi_year", "financial_by_division"), (), "all"),
    "council_ombudsman_upheld": ("all", "ombudsman_upheld", ("ombudsman_annual_letter",), ("ombudsman_by_division",),
                                 None),
}
STAGE_PREFERENCE = ["all", "ombudsman", "stage_1", "stage_2", "stage_3", "representation", "enquiry"]
SERIES_COLUMNS = ["period", "value", "source", "rule", "n_values", "alternatives"]
DISAGREEMENT_COLUMNS = ["series", "period", "chosen_value", "chosen_source", "other_value", "other_source",
                        "other_table", "rule"]


def series(obs: pd.DataFrame, council: str, key: str, period: str = "") -> tuple[pd.DataFrame, pd.DataFrame]:
    """One value per year of the series ``key`` of :data:`SERIES`, and where the reports disagree.

    The rows of the series' tables are reconciled by :func:`analysis.reconcile.reconcile`
    (the report covering its own year first, then the latest; within one report the first
    printed). Returns (series, disagreements): series columns period, value, source
    (file:line), rule, n_values, alternatives; disagreements lists every printed value, in
    the series' tables or in the tables it is compared with, that differs from the chosen one.
    """
    division, measure, tables, compared, stage = SERIES[key]
    rows = select(obs, council=council, division=division, service="", category="", measure=measure, quarter="",
                  table=[*tables, *compared])
    rows = up_to(rows[rows["value"].notna()], period)
    if stage is not None:
        rows = rows[rows["stage"] == stage]
    chosen = pd.DataFrame(columns=SERIES_COLUMNS)
    if len(rows[rows["table"].isin(tables)]):
        recon, _ = reconcile(rows[rows["table"].isin(tables)])
        recon["_order"] = recon["stage"].map({s: i for i, s in enumerate(STAGE_PREFERENCE)})
        recon = recon.sort_values(["period", "_order"], kind="mergesort").drop_duplicates("period")
        chosen = recon.assign(source=[cite(r) for _, r in recon.iterrows()])[SERIES_COLUMNS].reset_index(drop=True)
    merged = rows.merge(chosen[["period", "value", "source", "rule"]], on="period", suffixes=("", "_chosen"))
    differ = merged[(merged["value"] - merged["value_chosen"]).abs() > 1e-6]
    disagreements = pd.DataFrame({
        "series": key, "period": differ["period"], "chosen_value": differ["value_chosen"],
        "chosen_source": differ["source"], "other_value": differ["value"],
        "other_source": [cite(r) for _, r in differ.iterrows()], "other_table": differ["table"],
        "rule": differ["rule"]}, columns=DISAGREEMENT_COLUMNS)
    return chosen, disagreements.reset_index(drop=True)


def _series_frame(obs: pd.DataFrame, council: str, keys, period: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Several series side by side: ``<key>``, ``<key>_source``, ``<key>_n_values`` per period."""
    frame, differ = pd.DataFrame({"period": pd.Series(dtype=str)}), []
    for key in keys:
        one, disagreements = series(obs, council, key, period)
        differ.append(disagreements)
        one = one[["period", "value", "source", "n_values"]].rename(columns={
            "value": key, "source": f"{key}_source", "n_values": f"{key}_n_values"})
        frame = frame.merge(one, on="period", how="outer")
    for key in keys:
        frame[key] = frame[key].astype(float)
    frame = frame.sort_values("period").reset_index(drop=True)
    differ = [d for d in differ if len(d)]
    return frame, (pd.concat(differ, ignore_index=True) if differ else pd.DataFrame(columns=DISAGREEMENT_COLUMNS))


def _table(obs: pd.DataFrame, council: str, table: str, period: str | None = None) -> pd.DataFrame:
    rows = select(obs, council=council, table=table, quarter="")
    rows = rows[rows["value"].notna()]
    return rows if period is None else rows[rows["period"] == period]


def _wide(rows: pd.DataFrame, index: list[str]) -> pd.DataFrame:
    """measure columns, one row per ``index`` (first printed value if a cell repeats)."""
    if rows.empty:
        return pd.DataFrame(columns=index)
    return rows.pivot_table(index=index, columns="measure", values="value", aggfunc="first").reset_index()


# --- the Education / SEN series --------------------------------------------------------

def education_series(obs: pd.DataFrame, council: str, period: str = "") -> tuple[pd.DataFrame, pd.DataFrame]:
    """Education complaints and the council Total by year, Education's share of the Total.

    The Total is the council's printed "Total" row of its multi-year table (division ``all``):
    Bromley's excludes Environment & Public Protection. Returns (frame, disagreements); frame
    columns: period, education, education_source, education_n_values, total, total_source,
    total_n_values, education_share.
    """
    frame, differ = _series_frame(obs, council, ("education", "total"), period)
    frame["education_share"] = frame["education"] / frame["total"]
    return frame, differ


def sen_aspects(obs: pd.DataFrame, council: str, period: str = "") -> pd.DataFrame:
    """SEN aspects and their share of all Education aspects, per year of a service table.

    From Education's service table: the SEN row and the OVERALL row (service ''), each year
    printed in its own report only. Share with a Wilson 95% interval (aspects treated as
    independent, which they are not quite: read it as a floor on the uncertainty).
    """
    rows = up_to(select(_table(obs, council, SERVICE_TABLE), division=EDUCATION, measure="aspects"), period)
    out = []
    for year, group in rows.groupby("period"):
        sen = group[group["service"] == SEN]
        overall = group[group["service"] == ""]
        if sen.empty or overall.empty:
            continue
        share = wilson(sen["value"].iloc[0], overall["value"].iloc[0])
        out.append({"period": year, "sen_aspects": share.successes, "education_aspects": share.trials,
                    "sen_share": share.rate, "low": share.low, "high": share.high,
                    "sen_source": cite(sen.iloc[0]), "education_source": cite(overall.iloc[0])})
    return pd.DataFrame(out, columns=["period", "sen_aspects", "education_aspects", "sen_share", "low", "high",
                                      "sen_source", "education_source"])


def share_of_rise(frame: pd.DataFrame, start: str, end: str, part: str = "education", total: str = "total") -> dict:
    """How much of the change in ``total`` between two years the change in ``part`` accounts for.

    share = (part[end] − part[start]) / (total[end] − total[start]); above 1 means the part
    rose by more than the whole (the other divisions, together, fell). NaN when a year is
    missing or the total did not change.
    """
    by_period = frame.set_index("period")
    if start not in by_period.index or end not in by_period.index:
        return {"start": start, "end": end, "part_change": np.nan, "total_change": np.nan, "share": np.nan}
    part_change = by_period.at[end, part] - by_period.at[start, part]
    total_change = by_period.at[end, total] - by_period.at[start, total]
    share = part_change / total_change if total_change else np.nan
    return {"start": start, "end": end, "part_change": float(part_change), "total_change": float(total_change),
            "share": float(share)}


# --- the trend model ---------------------------------------------------------------------

@dataclass(frozen=True)
class Growth:
    trend: CountTrend
    data: pd.DataFrame  # period, year (0 = first), count

    @property
    def rate(self) -> float:
        """Annual growth rate: rate ratio − 1 (0.2 = +20% a year)."""
        return self.trend.rate_ratio - 1

    @property
    def low(self) -> float:
        return self.trend.low - 1

    @property
    def high(self) -> float:
        return self.trend.high - 1


def growth(periods, counts) -> Growth:
    """Log-linear count model of ``counts`` over financial years: annual growth with a 95% interval.

    log E[count] = a + b·year, fitted by :func:`analysis.stats.count_model` (Poisson, refitted
    as a negative binomial when the Pearson dispersion exceeds 1.5). Assumes a constant
    annual growth rate, years independent given the trend, and — with five points — very
    little power to tell a steady trend from a level shift.
    """
    periods = list(periods)
    years = [int(str(p)[:4]) for p in periods]
    data = pd.DataFrame({"period": periods, "year": [y - years[0] for y in years],
                         "count": np.asarray(counts, dtype=float)})
    return Growth(count_model(data, "count", "year", "year"), data)


def _family(trend: CountTrend):
    import statsmodels.api as sm

    match = re.search(r"alpha=([0-9.eE+-]+)", trend.family)
    if trend.family == "poisson" or not match:
        return sm.families.Poisson()
    return sm.families.NegativeBinomial(alpha=float(match.group(1)))


def trend_band(fit: Growth, alpha: float = 0.05) -> pd.DataFrame:
    """Fitted mean per year with its 95% confidence band (for the chart of fit vs data).

    Refits the family :func:`growth` chose (a negative binomial with its alpha as reported,
    rounded to 3 significant figures); the band is for the mean, not for a new year's count.
    """
    import statsmodels.formula.api as smf

    fitted = smf.glm("count ~ year", data=fit.data, family=_family(fit.trend)).fit()
    frame = fitted.get_prediction(fit.data).summary_frame(alpha=alpha)
    return pd.DataFrame({"period": fit.data["period"], "year": fit.data["year"], "count": fit.data["count"],
                         "fitted": frame["mean"].to_numpy(), "low": frame["mean_ci_lower"].to_numpy(),
                         "high": frame["mean_ci_upper"].to_numpy()})


# --- what SEN complaints are about, and how often upheld ---------------------------------

def nature(obs: pd.DataFrame, council: str, period: str, division: str = EDUCATION) -> pd.DataFrame:
    """A division's nature-of-complaint table: aspects per category, share, upheld or partly, Wilson.

    Columns: category, aspects, share (of the division's aspects), upheld_or_partially,
    upheld_rate, low, high, source.
    """
    rows = select(_table(obs, council, NATURE_TABLE, period), division=division)
    counts = rows[rows["category"] != ""]
    wide = _wide(counts, ["category"])
    if wide.empty:
        return pd.DataFrame(columns=["category", "aspects", "share", "upheld_or_partially", "upheld_rate",
                                     "low", "high", "source"])
    total = wide["aspects"].sum()
    overall = select(rows, category="", measure="aspects")
    if len(overall):
        total = overall["value"].iloc[0]
    wide["upheld_or_partially"] = wide.get("upheld", 0) + wide.get("partially_upheld", 0)
    rates = [wilson(u, a) for u, a in zip(wide["upheld_or_partially"], wide["aspects"])]
    sources = {r.category: cite(r) for r in counts[counts["measure"] == "aspects"].itertuples()}
    out = pd.DataFrame({
        "category": wide["category"], "aspects": wide["aspects"], "share": wide["aspects"] / total,
        "upheld_or_partially": wide["upheld_or_partially"], "upheld_rate": [r.rate for r in rates],
        "low": [r.low for r in rates], "high": [r.high for r in rates],
        "source": wide["category"].map(sources),
    })
    return out.sort_values("aspects", ascending=False, kind="mergesort").reset_index(drop=True)


def causes_against_rest(obs: pd.DataFrame, council: str, period: str, division: str = EDUCATION) -> pd.DataFrame:
    """Council-wide causes table: each cause's share of a division's aspects vs the rest of the council.

    The rest is the printed Total column minus the division's column (so it includes every
    other column the table prints, E&PP where printed). Columns: category, division_aspects,
    division_total, division_share, rest_aspects, rest_total, rest_share, difference, low, high,
    p_value, division_source, total_source.
    """
    rows = select(_causes_rows(obs, council, period), measure="aspects", service="")
    part = rows[rows["division"] == division]
    whole = rows[rows["division"] == "all"]
    out = []
    if part.empty or whole.empty:
        return pd.DataFrame(out)
    n_part, n_whole = _column_total(part), _column_total(whole)
    for row in part[part["category"] != ""].itertuples():
        match = whole[whole["category"].str.lower() == row.category.lower()]
        if match.empty or float(match["value"].iloc[0]) == 0:
            continue
        x_whole = float(match["value"].iloc[0])
        comparison = compare_proportions(row.value, n_part, x_whole - row.value, n_whole - n_part)
        out.append({"category": row.category, "division_aspects": row.value, "division_total": n_part,
                    "division_share": comparison.rate_a, "rest_aspects": x_whole - row.value,
                    "rest_total": n_whole - n_part, "rest_share": comparison.rate_b,
                    "difference": comparison.difference, "low": comparison.low, "high": comparison.high,
                    "p_value": comparison.p_value, "division_source": cite(row), "total_source": cite(match.iloc[0])})
    return pd.DataFrame(out).sort_values("division_aspects", ascending=False, kind="mergesort").reset_index(drop=True)


def _column_total(rows: pd.DataFrame) -> float:
    """A column's printed Total row (category ''), else the sum of its categories."""
    total = rows[rows["category"] == ""]["value"]
    return float(total.iloc[0]) if len(total) else float(rows["value"].sum())


def _causes_rows(obs: pd.DataFrame, council: str, period: str) -> pd.DataFrame:
    """The council-wide causes table: category rows by division that also have a division 'all' column."""
    rows = select(obs, council=council, period=period, measure="aspects", service="", quarter="")
    rows = rows[~rows["table"].isin([NATURE_TABLE, SERVICE_TABLE]) & rows["value"].notna()]
    with_all = rows[(rows["division"] == "all") & (rows["category"] != "")]["table"].unique()
    return rows[rows["table"].isin(with_all)]


def service_upheld(obs: pd.DataFrame, council: str, period: str) -> pd.DataFrame:
    """Every service row of every division's service table: aspects, upheld or partly, Wilson interval."""
    rows = _table(obs, council, SERVICE_TABLE, period)
    wide = _wide(rows[rows["service"] != ""], ["division", "service"])
    if wide.empty:
        return pd.DataFrame(columns=["division", "service", "aspects", "upheld_or_partially", "rate", "low", "high"])
    wide["upheld_or_partially"] = wide.get("upheld", 0) + wide.get("partially_upheld", 0)
    rates = [wilson(u, a) for u, a in zip(wide["upheld_or_partially"], wide["aspects"])]
    out = wide[["division", "service", "aspects", "upheld_or_partially"]].copy()
    out["rate"], out["low"], out["high"] = [r.rate for r in rates], [r.low for r in rates], [r.high for r in rates]
    return out.sort_values(["division", "service"], kind="mergesort").reset_index(drop=True)


def upheld_against_rest(obs: pd.DataFrame, council: str, period: str, service: str = SEN) -> dict:
    """SEN's upheld-or-partly rate (aspects) against the rest of the council, with intervals.

    Rest of the council = the proportion-upheld table's TOTAL row (aspects and upheld or
    partially upheld, division 'all'; Bromley's excludes E&PP) minus the SEN row of
    Education's service table. Two-proportion z test and a Newcombe interval for the
    difference; aspects are treated as independent, which flatters the precision.
    """
    sen = select(_table(obs, council, SERVICE_TABLE, period), division=EDUCATION, service=service)
    whole = select(obs, council=council, period=period, division="all", service="", category="", quarter="")
    whole = whole[whole["table"].isin(select(whole, measure="upheld_or_partially_upheld")["table"].unique())]
    get = {m: g["value"].iloc[0] for m, g in sen.groupby("measure")}
    total = {m: g["value"].iloc[0] for m, g in whole.groupby("measure")}
    needed_sen, needed_total = {"aspects", "upheld", "partially_upheld"}, {"aspects", "upheld_or_partially_upheld"}
    if not needed_sen <= get.keys() or not needed_total <= total.keys():
        return {}
    x_sen, n_sen = get["upheld"] + get["partially_upheld"], get["aspects"]
    x_rest, n_rest = total["upheld_or_partially_upheld"] - x_sen, total["aspects"] - n_sen
    comparison = compare_proportions(x_sen, n_sen, x_rest, n_rest)
    a, b = wilson(x_sen, n_sen), wilson(x_rest, n_rest)
    return {"period": period, "service": service, "sen_upheld_or_partially": x_sen, "sen_aspects": n_sen,
            "sen_rate": a.rate, "sen_low": a.low, "sen_high": a.high,
            "rest_upheld_or_partially": x_rest, "rest_aspects": n_rest,
            "rest_rate": b.rate, "rest_low": b.low, "rest_high": b.high,
            "difference": comparison.difference, "difference_low": comparison.low,
            "difference_high": comparison.high, "p_value": comparison.p_value,
            "sen_source": cite(select(sen, measure="aspects").iloc[0]),
            "total_source": cite(select(whole, measure="aspects").iloc[0])}


# --- consequences ------------------------------------------------------------------------

CONSEQUENCES = ("education_ombudsman_cases", "education_ombudsman_upheld", "education_financial_gbp",
                "council_financial_gbp", "council_ombudsman_upheld")


def consequences(obs: pd.DataFrame, council: str, period: str = "") -> tuple[pd.DataFrame, pd.DataFrame]:
    """Education's Ombudsman cases, upheld Ombudsman decisions and money, by year, beside the council's.

    One value per year (:func:`series`); ``<column>_source`` gives its file:line and the
    disagreements frame lists years the reports print differently. Education's Ombudsman
    figures are the council's own records (at-a-glance tables); the council's upheld count
    is the Ombudsman's annual letter, a different count.
    """
    frame, differ = _series_frame(obs, council, CONSEQUENCES, period)
    frame["education_financial_share"] = frame["education_financial_gbp"] / frame["council_financial_gbp"]
    return frame, differ


def ombudsman_outcomes(obs: pd.DataFrame, council: str, period: str, division: str = EDUCATION) -> pd.DataFrame:
    """A division's Ombudsman outcomes table: decisions and upheld (the four UPHELD columns) per service."""
    rows = select(_table(obs, council, OMBUDSMAN_OUTCOMES_TABLE, period), division=division)
    wide = _wide(rows, ["service"])
    if wide.empty:
        return pd.DataFrame(columns=["service", "decisions", "upheld", "maladministration_injustice", "ongoing"])
    for column in (*OMBUDSMAN_UPHELD_COLUMNS, "ombudsman_decisions", "ombudsman_ongoing"):
        if column not in wide:
            wide[column] = np.nan
    return pd.DataFrame({
        "service": wide["service"].replace("", "OVERALL"), "decisions": wide["ombudsman_decisions"],
        "upheld": wide[list(OMBUDSMAN_UPHELD_COLUMNS)].sum(axis=1, min_count=1),
        "maladministration_injustice": wide["ombudsman_maladministration_injustice"],
        "ongoing": wide["ombudsman_ongoing"],
    })


# --- other councils and qualitative evidence -------------------------------------------------

def inventory(obs: pd.DataFrame, council: str) -> pd.DataFrame:
    """What a council's clean data holds on Education / SEN: figures per table, service and measure."""
    rows = select(obs, council=council)
    text = rows["service"] + " " + rows["category"]
    hit = rows[(rows["division"] == EDUCATION) | text.str.contains(SEN_PATTERN, case=False, regex=True)]
    if hit.empty:
        return pd.DataFrame(columns=["table", "division", "service", "measure", "periods", "figures", "first_source"])
    out = []
    for key, group in hit.sort_values(["source_file", "source_line"]).groupby(
            ["table", "division", "service", "measure"], sort=True):
        out.append(dict(zip(["table", "division", "service", "measure"], key),
                        periods=", ".join(sorted(set(group["period"]))), figures=len(group),
                        first_source=cite(group.iloc[0])))
    return pd.DataFrame(out)


@dataclass(frozen=True)
class Quote:
    council: str
    text: str
    source_file: str
    source_line: int
    note: str

    @property
    def where(self) -> str:
        return f"{self.source_file}:{self.source_line}"

    @property
    def html(self) -> str:
        return html.escape(self.text)


def quote(council: str, pattern: str, note: str = "", paths: Paths | None = None) -> Quote | None:
    """The first line of ``council``'s raw reports matching ``pattern``, with its file:line (or None)."""
    from ..clean.manifest import read_manifest

    paths = paths or Paths.discover()
    for entry in sorted(read_manifest(paths), key=lambda e: e.file):
        if entry.council != council:
            continue
        text = (paths.raw / entry.file).read_text(encoding="utf-8")
        for number, line in enumerate(text.splitlines(), start=1):
            if re.search(pattern, line):
                return Quote(council, line.strip(), f"data/raw/{entry.file}", number, note)
    return None


def evidence(paths: Paths | None = None, councils=None) -> list[Quote]:
    """The qualitative evidence lines (:data:`EVIDENCE`) found in the raw reports."""
    found = [quote(c, p, n, paths) for c, p, n in EVIDENCE if councils is None or c in councils]
    return [q for q in found if q is not None]


# --- the whole analysis, for the notebook -----------------------------------------------------

MODEL_YEARS = 5  # the five-year comparison the latest Bromley report prints


@dataclass
class SenAnalysis:
    council: str
    period: str  # the last year analysed ('' = every year the data holds)
    series: pd.DataFrame  # education_series
    disagreements: pd.DataFrame
    aspects: pd.DataFrame  # sen_aspects
    rises: pd.DataFrame  # share_of_rise from each earlier year to the last
    fit: Growth | None  # the last MODEL_YEARS years
    fit_all: Growth | None  # every year with a value (sensitivity)
    band: pd.DataFrame
    table_years: list[str]  # years with Education's service table
    nature: dict[str, pd.DataFrame]
    causes: dict[str, pd.DataFrame]
    upheld: dict[str, dict]
    services: dict[str, pd.DataFrame]
    consequences: pd.DataFrame
    outcomes: dict[str, pd.DataFrame]
    inventory: pd.DataFrame
    evidence: list[Quote]
    other_councils: dict[str, pd.DataFrame]

    @property
    def has_series(self) -> bool:
        return self.series["education"].notna().sum() >= 2

    @property
    def last(self) -> str:
        return self.series.dropna(subset=["education"])["period"].iloc[-1] if self.has_series else ""


def _fit(frame: pd.DataFrame, last: int | None = None) -> Growth | None:
    rows = frame.dropna(subset=["education"])
    rows = rows.iloc[-last:] if last else rows
    return growth(rows["period"], rows["education"]) if len(rows) >= 3 else None


def analyse(obs: pd.DataFrame, council: str, period: str = "", paths: Paths | None = None) -> SenAnalysis:
    """Every part of the SEN study for one council, up to ``period`` ('' = all years)."""
    frame, differ = education_series(obs, council, period)
    money, money_differ = consequences(obs, council, period)
    known = frame.dropna(subset=["education", "total"])
    last = known["period"].iloc[-1] if len(known) else ""
    rises = pd.DataFrame([share_of_rise(known, start, last) for start in known["period"].iloc[:-1]],
                         columns=["start", "end", "part_change", "total_change", "share"])
    fit = _fit(frame, MODEL_YEARS)
    aspects = sen_aspects(obs, council, period)
    years = sorted(set(up_to(select(obs, council=council, table=SERVICE_TABLE, division=EDUCATION), period)["period"]))
    others = sorted({c for c, _, _ in EVIDENCE} - {council})
    return SenAnalysis(
        council=council, period=period, series=frame,
        disagreements=pd.concat([d for d in (differ, money_differ) if len(d)] or [differ], ignore_index=True),
        aspects=aspects, rises=rises,
        fit=fit, fit_all=_fit(frame), band=trend_band(fit) if fit else pd.DataFrame(),
        table_years=years,
        nature={y: nature(obs, council, y) for y in years},
        causes={y: causes_against_rest(obs, council, y) for y in years},
        upheld={y: upheld_against_rest(obs, council, y) for y in years},
        services={y: service_upheld(obs, council, y) for y in years},
        consequences=money,
        outcomes={y: ombudsman_outcomes(obs, council, y) for y in years},
        inventory=inventory(obs, council),
        evidence=evidence(paths),
        other_councils={c: inventory(obs, c) for c in others},
    )


def _growth_findings(fit: Growth | None) -> dict | None:
    if fit is None:
        return None
    t = fit.trend
    return {"periods": list(fit.data["period"]), "counts": list(fit.data["count"]), "family": t.family,
            "annual_growth": fit.rate, "low": fit.low, "high": fit.high, "rate_ratio": t.rate_ratio,
            "p_value": t.p_value, "poisson_dispersion": t.dispersion, "n": t.n}


def _records(frame: pd.DataFrame, key: str = "period") -> dict:
    if frame.empty:
        return {}
    return {str(k): {c: v for c, v in row.items() if c != key} for k, row in frame.set_index(key, drop=False).iterrows()}


def findings(result: SenAnalysis) -> dict:
    """The headline figures as a JSON-ready dict (for :func:`analysis.findings.save_findings`)."""
    a = result
    lack = {}
    for year, causes in a.causes.items():
        hit = causes[causes["category"].str.lower() == "lack of action"] if len(causes) else causes
        if len(hit):
            lack[year] = hit.iloc[0].to_dict()
    nature_rows = {y: _records(n.drop(columns=["source"]), "category") for y, n in a.nature.items()}
    return {
        "council": a.council, "period": a.period or a.last,
        "education_complaints": _records(a.series[["period", "education", "education_source",
                                                   "education_n_values", "total", "total_source",
                                                   "education_share"]]),
        "disagreements": a.disagreements.to_dict("records"),
        "sen_aspects": _records(a.aspects),
        "share_of_rise": a.rises.to_dict("records"),
        "growth": _growth_findings(a.fit),
        "growth_all_years": _growth_findings(a.fit_all),
        "nature_of_complaint": nature_rows,
        "lack_of_action_vs_rest": lack,
        "sen_upheld_vs_rest": a.upheld,
        "consequences": _records(a.consequences),
        "ombudsman_outcomes": {y: _records(o, "service") for y, o in a.outcomes.items()},
        "inventory_figures": int(a.inventory["figures"].sum()) if len(a.inventory) else 0,
        "evidence": [{"council": q.council, "where": q.where, "text": q.text, "note": q.note,
                      "qualitative": True} for q in a.evidence],
        "other_councils": {c: _records(i.assign(key=i["table"] + "|" + i["division"] + "|" + i["service"] + "|" + i["measure"]), "key")
                           for c, i in a.other_councils.items()},
    }


# --- charts ---------------------------------------------------------------------------------

def _pct(x: float) -> str:
    return f"{x:.0%}"


def chart_trend(result: SenAnalysis):
    """Education complaints per year (bars) with the fitted trend and its 95% band."""
    import matplotlib.pyplot as plt

    from ..charts import PALETTE

    data = result.series.dropna(subset=["education"])
    fig, ax = plt.subplots(figsize=(8, 4.2))
    ax.bar(data["period"], data["education"], color=PALETTE[0], label="Education complaints (as printed)")
    if result.fit is not None:
        band = result.band
        ax.plot(band["period"], band["fitted"], color=PALETTE[1], marker="o", label=f"{result.fit.trend.family} trend")
        ax.fill_between(band["period"], band["low"], band["high"], color=PALETTE[1], alpha=0.25,
                        label="95% interval of the trend")
        ax.set_title(f"Education complaints grew about {_pct(result.fit.rate)} a year "
                     f"{band['period'].iloc[0]}–{band['period'].iloc[-1]} "
                     f"(95% interval {_pct(result.fit.low)} to {_pct(result.fit.high)})")
    else:
        ax.set_title("Education complaints by year")
    ax.set_xlabel("Financial year")
    ax.set_ylabel("Complaints (count)")
    ax.legend(loc="upper left", fontsize=8)
    return fig


def _label(fig, ax, title: str, xlabel: str, ylabel: str, legend: str = "lower right"):
    """Title (the finding), axis labels with units and a small legend; returns ``fig``."""
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.legend(loc=legend, fontsize=8)
    return fig


def chart_upheld(result: SenAnalysis):
    """SEN's upheld-or-partly rate against the rest of the council, per year, with Wilson intervals."""
    import matplotlib.pyplot as plt

    from ..charts import PALETTE

    fig, ax = plt.subplots(figsize=(7, 3.8))
    years = [y for y, u in result.upheld.items() if u]
    for offset, (who, colour) in zip((-0.1, 0.1), (("sen", PALETTE[0]), ("rest", PALETTE[2]))):
        rates = [result.upheld[y][f"{who}_rate"] for y in years]
        low = [r - result.upheld[y][f"{who}_low"] for r, y in zip(rates, years)]
        high = [result.upheld[y][f"{who}_high"] - r for r, y in zip(rates, years)]
        label = "SEN aspects" if who == "sen" else "rest of the council"
        ax.errorbar([i + offset for i in range(len(years))], [100 * r for r in rates],
                    yerr=[[100 * v for v in low], [100 * v for v in high]], fmt="o", capsize=4, color=colour,
                    label=label)
    ax.set_xticks(range(len(years)), years)
    ax.set_xlim(-0.5, len(years) - 0.5)
    ax.set_ylim(0, 100)
    last = result.upheld[years[-1]] if years else {}
    title = (f"SEN complaints are upheld more often than the rest of the council's "
             f"({_pct(last['sen_rate'])} vs {_pct(last['rest_rate'])} in {years[-1]})" if last else "")
    return _label(fig, ax, title, "Financial year", "Aspects fully or partly upheld (%)")


def chart_causes(result: SenAnalysis, year: str):
    """Each cause's share of Education's aspects vs the rest of the council's, one year."""
    import matplotlib.pyplot as plt

    from ..charts import PALETTE

    causes = result.causes[year].iloc[::-1]
    fig, ax = plt.subplots(figsize=(7, 0.45 * len(causes) + 1.2))
    y = np.arange(len(causes))
    ax.barh(y + 0.2, 100 * causes["division_share"], height=0.4, color=PALETTE[0], label="Education")
    ax.barh(y - 0.2, 100 * causes["rest_share"], height=0.4, color=PALETTE[2], label="rest of the council")
    ax.set_yticks(y, causes["category"])
    top = causes.iloc[-1]
    title = (f"{top['category']} is {_pct(top['division_share'])} of Education's complaint aspects "
             f"in {year}, {_pct(top['rest_share'])} elsewhere")
    return _label(fig, ax, title, "Share of the division's complaint aspects (%)", "Cause (as printed)")


def chart_consequences(result: SenAnalysis):
    """Education's Ombudsman cases and upheld decisions (left) and its money (right), by year."""
    import matplotlib.pyplot as plt

    from ..charts import PALETTE

    c = result.consequences
    fig, (left, right) = plt.subplots(1, 2, figsize=(12.5, 4.2))
    for column, label, colour in (("education_ombudsman_cases", "new Ombudsman cases", PALETTE[0]),
                                  ("education_ombudsman_upheld", "Ombudsman cases upheld", PALETTE[3])):
        rows = c.dropna(subset=[column])
        left.plot(rows["period"], rows[column], marker="o", color=colour, label=label)
    upheld = c.dropna(subset=["education_ombudsman_upheld"])
    left.set_title(f"Upheld Ombudsman cases, Education: {_n(upheld['education_ombudsman_upheld'].iloc[0])} "
                   f"({upheld['period'].iloc[0]}) to {_n(upheld['education_ombudsman_upheld'].iloc[-1])} "
                   f"({upheld['period'].iloc[-1]})" if len(upheld) >= 2 else "Education's Ombudsman cases")
    left.set_xlabel("Financial year")
    left.set_ylabel("Cases (count)")
    left.legend(fontsize=8)
    rows = c.dropna(subset=["education_financial_gbp"])
    right.bar(rows["period"], rows["education_financial_gbp"], color=PALETTE[0], label="Education")
    rows_all = c.dropna(subset=["council_financial_gbp"])
    right.plot(rows_all["period"], rows_all["council_financial_gbp"], marker="o", color=PALETTE[2],
               label="whole council")
    right.set_title("Financial consequences of complaints")
    right.yaxis.set_major_formatter(lambda v, _: f"£{v:,.0f}")
    right.set_xlabel("Financial year")
    right.set_ylabel("Payments and write-offs (£)")
    right.legend(fontsize=8)
    for ax in (left, right):
        ax.tick_params(axis="x", rotation=45)
    both = c.dropna(subset=["education_financial_share"])
    if len(both):
        last = both.iloc[-1]
        fig.suptitle(f"Education accounts for {_pct(last['education_financial_share'])} of the council's "
                     f"complaint payments in {last['period']}")
    fig.tight_layout()
    return fig


# --- the narrative, rendered from computed values -------------------------------------------

def name(council: str) -> str:
    return present.council(council)


def _n(x) -> str:
    return f"{x:,.0f}"


def text_series(a: SenAnalysis) -> str:
    """The Education series in one paragraph (or what the council's data holds instead)."""
    if not a.has_series:
        figures = int(a.inventory["figures"].sum()) if len(a.inventory) else 0
        return (f"**{name(a.council)}'s reports give no council-wide Education complaints series**, so there is no "
                f"surge to measure here. Its clean data holds {figures} figures on Education or SEN "
                f"(listed below); the sections that need Bromley's SEN tables are skipped.")
    s = a.series.dropna(subset=["education"])
    first, last = s.iloc[0], s.iloc[-1]
    low = s.loc[s["education"].idxmin()]
    parts = [f"{name(a.council)}'s Education complaints went from **{_n(first['education'])}** in {first['period']} "
             f"to **{_n(last['education'])}** in {last['period']}"
             f" (lowest: {_n(low['education'])} in {low['period']})."]
    if pd.notna(last["education_share"]):
        parts.append(f"Education was {_pct(first['education_share'])} of the council's Total in {first['period']} "
                     f"and {_pct(last['education_share'])} in {last['period']}.")
    return " ".join(parts)


def text_rises(a: SenAnalysis) -> str:
    lines = []
    for r in a.rises.dropna(subset=["share"]).itertuples():
        if r.total_change < 0 < r.part_change:
            lines.append(f"- {r.start} → {r.end}: Education rose by {_n(r.part_change)} while the Total fell by "
                         f"{_n(-r.total_change)}.")
            continue
        verb = "rose" if r.total_change > 0 else "fell"
        lines.append(f"- {r.start} → {r.end}: the Total {verb} by {_n(abs(r.total_change))}, Education changed by "
                     f"{r.part_change:+,.0f}, i.e. **{_pct(r.share)}** of the change"
                     + (" (more than all of it: the other divisions together fell)" if r.share > 1 else "") + ".")
    return "\n".join(lines) or "*No two years with both an Education and a Total figure.*"


def text_growth(a: SenAnalysis) -> str:
    if a.fit is None:
        return "*Fewer than three years of Education complaints: no trend model.*"
    t, f = a.fit.trend, a.fit
    over = ("over-dispersed (variance well above the mean), so the model was refitted as a negative binomial, "
            "which widens the interval" if t.dispersion > 1.5 else "not over-dispersed, so the Poisson fit stands")
    text = (f"Over {f.data['period'].iloc[0]}–{f.data['period'].iloc[-1]} ({t.n} years), Education complaints grew by "
            f"**{_pct(f.rate)} a year** (95% interval {_pct(f.low)} to {_pct(f.high)}; p = {t.p_value:.3f}). "
            f"The Poisson fit's Pearson dispersion is {t.dispersion:.1f}: {over} ({t.family}).")
    if a.fit_all is not None and a.fit_all.trend.n > t.n:
        g = a.fit_all
        text += (f" Over every year the reports give ({g.data['period'].iloc[0]}–{g.data['period'].iloc[-1]}, "
                 f"{g.trend.n} years) the rate is {_pct(g.rate)} a year ({_pct(g.low)} to {_pct(g.high)}), "
                 + ("so the recent years grew faster than the longer run." if f.rate > g.rate
                    else "so the recent years grew no faster than the longer run."))
    return text


def _versus(x_a, n_a, what_a, rate_a, x_b, n_b, what_b, rate_b, difference, low, high) -> str:
    """'x of n <what> (**rate**) against y of m <what> (rate); difference +d points (low to high)'."""
    return (f"{_n(x_a)} of {_n(n_a)} {what_a} (**{_pct(rate_a)}**) against {_n(x_b)} of {_n(n_b)} {what_b} "
            f"({_pct(rate_b)}); difference {100 * difference:+.0f} points ({100 * low:+.0f} to {100 * high:+.0f})")


def text_aspects(a: SenAnalysis) -> str:
    """SEN's aspects and share of Education's, first and last year of a service table."""
    if a.aspects.empty:
        return f"*{name(a.council)}'s data has no SEN service table.*"
    first, last = a.aspects.iloc[0], a.aspects.iloc[-1]
    if len(a.aspects) == 1:
        return (f"SEN had **{_n(first['sen_aspects'])}** aspects in {first['period']}, {_pct(first['sen_share'])} "
                f"of Education's (the only year with a service table up to this period).")
    return (f"SEN aspects went from **{_n(first['sen_aspects'])}** ({first['period']}) to "
            f"**{_n(last['sen_aspects'])}** ({last['period']}), from {_pct(first['sen_share'])} to "
            f"{_pct(last['sen_share'])} of Education's aspects.")


def text_upheld(a: SenAnalysis) -> str:
    lines = []
    for year, u in a.upheld.items():
        if not u:
            continue
        lines.append(f"- {year}: SEN " + _versus(
            u["sen_upheld_or_partially"], u["sen_aspects"], "aspects upheld or partly", u["sen_rate"],
            u["rest_upheld_or_partially"], u["rest_aspects"], "for the rest of the council", u["rest_rate"],
            u["difference"], u["difference_low"], u["difference_high"])
            + f", p = {u['p_value']:.3f}. Sources: `{u['sen_source']}`, `{u['total_source']}`.")
    return "\n".join(lines) or "*No SEN service table in this council's data.*"


def text_causes(a: SenAnalysis) -> str:
    lines = []
    for year, causes in a.causes.items():
        for category in ("lack of action", "service delay"):
            hit = causes[causes["category"].str.lower() == category] if len(causes) else causes
            if hit.empty:
                continue
            r = hit.iloc[0]
            lines.append(f"- {year}, {r['category']}: " + _versus(
                r["division_aspects"], r["division_total"], "Education aspects", r["division_share"],
                r["rest_aspects"], r["rest_total"], "elsewhere", r["rest_share"], r["difference"], r["low"], r["high"])
                + f". Source: `{r['division_source']}`.")
    return "\n".join(lines) or "*No causes-by-division table in this council's data.*"


def text_consequences(a: SenAnalysis) -> str:
    c = a.consequences
    lines = []
    for column, label, money in (("education_ombudsman_cases", "new Ombudsman cases about Education", False),
                                 ("education_ombudsman_upheld", "Ombudsman cases upheld against Education", False),
                                 ("education_financial_gbp", "Education's financial consequences", True)):
        rows = c.dropna(subset=[column]) if column in c else c.iloc[0:0]
        if len(rows) < 2:
            continue
        fmt = (lambda v: f"£{v:,.2f}") if money else _n
        lines.append(f"- {label}: " + ", ".join(f"{fmt(v)} ({p})" for p, v in zip(rows["period"], rows[column])) + ".")
    share = c.dropna(subset=["education_financial_share"]) if len(c) else c
    if len(share):
        r = share.iloc[-1]
        lines.append(f"- In {r['period']} Education's £{r['education_financial_gbp']:,.2f} is "
                     f"**{_pct(r['education_financial_share'])}** of the council's £{r['council_financial_gbp']:,.2f}.")
    return "\n".join(lines) or "*No Education Ombudsman or financial figures in this council's data.*"


def text_quote(q: Quote) -> str:
    """A qualitative quote as a Markdown block, HTML-escaped, with its file:line."""
    return f"> {q.html}\n>\n> — `{q.where}` (*qualitative: {html.escape(q.note)}*)"
