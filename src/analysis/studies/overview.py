"""A council's year at a glance against its earlier years, from whatever its reports print.

Each council's reports hold different tables, so the overview is generic: a *topic*
(complaints, upheld rates, timeliness, Ombudsman, compensation, compliments) is a set of
measures, and the overview takes every annual figure of those measures that the council's
reports up to the chosen report period print, one value per key (the reconciled rules of
:mod:`analysis.reconcile`, applied to those reports only, so a 2019-20 overview never uses
a later report). A topic with no figures is "not reported by this council", never a zero.

Within a topic, a *series* is one division (and stage) of one measure. Division totals
(``service == ""``) are used where printed; a division printed only by service gives one
series per service. Category rows (causes, nature of complaint) belong to the root-causes
notebook, not here. Every value keeps its source file and line (:func:`analysis.data.cite`).
Where a year's figure is printed differently in two tables, the series takes the value from
the table its other years come from (:func:`comparable_over_years`) and shows the other value
as "also printed": a change over the years then compares like with like.
"""
from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass

import pandas as pd

from .. import present
from ..clean.reconcile import reconcile
from ..councils import council_label
from ..data import cite

DIVISIONS = present.DIVISIONS
STAGES = present.STAGES
STAGE_ORDER = ["all", "stage_1", "stage_2", "stage_3", "ombudsman", "representation", "enquiry"]


@dataclass(frozen=True)
class Topic:
    key: str
    title: str
    measures: tuple[str, ...]  # in order of preference for the headline
    unit: str  # "count" | "pct" | "gbp"
    noun: str  # what the headline measures, for the sentence


TOPICS = (
    Topic("complaints", "Complaints by division and stage", ("complaints",), "count", "complaints"),
    Topic("upheld", "Upheld rates", ("pct_upheld_or_partially", "pct_upheld", "pct_partially_upheld"), "pct",
          "upheld rate"),
    Topic("timeliness", "Timeliness", ("pct_on_time",), "pct", "share answered on time"),
    Topic("ombudsman", "Ombudsman referrals and decisions",
          ("ombudsman_referrals", "ombudsman_decisions", "ombudsman_investigations", "ombudsman_upheld",
           "pct_ombudsman_upheld"), "count", "Ombudsman referrals"),
    Topic("compensation", "Compensation and other financial remedies",
          ("financial_total_gbp", "compensation_gbp", "time_and_trouble_gbp", "charges_written_off_gbp",
           "expert_fees_gbp"), "gbp", "financial remedies"),
    Topic("compliments", "Compliments", ("compliments",), "count", "compliments"),
)
TOPIC_BY_KEY = {t.key: t for t in TOPICS}
MEASURE_NOUNS = present.MEASURES  # the one list of measure names (analysis.present)


def division_label(division: str) -> str:
    return present.division(division)


def council_figures(observations: pd.DataFrame, council: str, period: str) -> pd.DataFrame:
    """One value per key of the council's annual figures for years up to ``period``, from reports up to ``period``."""
    rows = observations[(observations["council"] == council) & (observations["report_period"] <= period)
                        & (observations["quarter"] == "") & (observations["period"] != "")
                        & (observations["period"] <= period)]
    if rows.empty:
        return rows.assign(rule="", alternatives="")
    reconciled, _ = reconcile(rows)
    return reconciled


def topic_figures(figures: pd.DataFrame, topic: Topic) -> pd.DataFrame:
    """The topic's series: division totals where printed, otherwise each printed service; with sources."""
    rows = figures[figures["measure"].isin(topic.measures) & (figures["category"] == "")]
    rows = rows[rows["value"].notna()]
    if rows.empty:
        return pd.DataFrame(columns=["series", "measure", "division", "service", "stage", "period", "value",
                                     "source", "quality_flag", "also_printed"])
    has_total = rows[rows["service"] == ""].groupby(["measure", "division", "stage"]).size()
    keep = rows.apply(lambda r: r["service"] == "" or (r["measure"], r["division"], r["stage"]) not in has_total.index,
                      axis=1)
    rows = comparable_over_years(rows[keep])
    rows["source"] = [cite(r) for _, r in rows.iterrows()]
    rows["also_printed"] = [also_printed(r.alternatives, r.value) for r in rows.itertuples()]
    rows["series"] = [series_label(r.measure, r.division, r.service, r.stage, topic) for r in rows.itertuples()]
    rows["stage_rank"] = rows["stage"].map({s: i for i, s in enumerate(STAGE_ORDER)}).fillna(len(STAGE_ORDER))
    rows["measure_rank"] = rows["measure"].map({m: i for i, m in enumerate(topic.measures)})
    rows["division_rank"] = (rows["division"] != "all").astype(int)
    rows = rows.sort_values(["measure_rank", "division_rank", "division", "service", "stage_rank", "period"])
    return rows[["series", "measure", "division", "service", "stage", "period", "value", "source",
                 "quality_flag", "also_printed"]].reset_index(drop=True)


def comparable_over_years(rows: pd.DataFrame) -> pd.DataFrame:
    """Where one year's figure was printed differently in two tables (say a total with and one without a
    division), take the value from the table the series' other years come from, so the years compare like
    with like. The value not taken stays in ``alternatives`` (shown as "also printed")."""
    rows = rows.copy()
    key = ["measure", "division", "service", "stage"]
    for _, group in rows.groupby(key, sort=False):
        usual = group["table"].mode()
        if len(usual) != 1 or len(group) < 2:
            continue
        usual = usual.iloc[0]
        for index, row in group[(group["table"] != usual) & (group["alternatives"] != "")].iterrows():
            others = json.loads(row["alternatives"])
            match = next((a for a in others if a["table"] == usual), None)
            if match is None:
                continue
            swapped = [a for a in others if a is not match] + [{
                "value": float(row["value"]), "source_file": row["source_file"], "source_line": int(row["source_line"]),
                "table": row["table"], "report_period": row["report_period"]}]
            rows.loc[index, ["value", "source_file", "source_line", "table", "alternatives"]] = [
                match["value"], match["source_file"], match["source_line"], usual, json.dumps(swapped, sort_keys=True)]
    return rows


def also_printed(alternatives: str, value: float) -> str:
    """Other values printed for the same figure (reconciled ``alternatives``), as ``533 (file:line)``."""
    if not alternatives:
        return ""
    others = [a for a in json.loads(alternatives) if round(a["value"], 6) != round(value, 6)]
    return "; ".join(f"{a['value']:g} ({a['source_file']}:{a['source_line']})" for a in others)


def series_label(measure: str, division: str, service: str, stage: str, topic: Topic) -> str:
    label = division_label(division) + (f" – {service}" if service else "")
    if (stage != "all" and topic.key != "ombudsman") or topic.key in {"complaints", "upheld", "timeliness"}:
        label += f", {STAGES.get(stage, stage)}"
    return f"{MEASURE_NOUNS.get(measure, measure)}: {label}" if len(topic.measures) > 1 else label


def previous_period(period: str) -> str:
    """``2023-24`` → ``2022-23``."""
    start = int(period[:4]) - 1
    return f"{start}-{(start + 1) % 100:02d}"


def format_value(value: float, unit: str) -> str:
    if pd.isna(value):
        return "not reported"
    if unit == "gbp":
        return f"£{value:,.0f}"
    if unit == "pct":
        return f"{value:.0f}%" if float(value).is_integer() else f"{value:.1f}%"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def topic_unit(topic: Topic, measure: str) -> str:
    if measure.startswith("pct_"):
        return "pct"
    if measure.endswith("_gbp"):
        return "gbp"
    return "count"


def headline_series(series: pd.DataFrame, period: str) -> pd.DataFrame:
    """The series a topic's finding is about: of the preferred measure printed for ``period``, the whole
    council's total (earliest stage) if printed, else the largest; with no figure for ``period``, the
    first series."""
    if series.empty:
        return series
    current = series[series["period"] == period]
    if current.empty:
        return series[series["series"] == series["series"].iloc[0]]
    current = current[current["measure"] == current["measure"].iloc[0]].assign(
        not_all=lambda f: f["division"] != "all", not_total=lambda f: f["service"] != "",
        stage_rank=lambda f: f["stage"].map({s: i for i, s in enumerate(STAGE_ORDER)}).fillna(len(STAGE_ORDER)),
        minus_value=lambda f: -f["value"])
    name = current.sort_values(["not_all", "not_total", "stage_rank", "minus_value"], kind="mergesort")["series"].iloc[0]
    return series[series["series"] == name]


def headline(series: pd.DataFrame, topic: Topic, period: str) -> dict:
    """The topic's headline figure for ``period`` and the change on the year before, with sources."""
    result = {"topic": topic.key, "reported": not series.empty}
    if series.empty:
        return result
    chosen = headline_series(series, period)
    first = chosen.iloc[0]
    unit = topic_unit(topic, first["measure"])
    result.update(series=first["series"], measure=first["measure"], division=first["division"],
                  stage=first["stage"], unit=unit)
    now = chosen[chosen["period"] == period]
    before = chosen[chosen["period"] == previous_period(period)]
    if now.empty:
        latest = chosen.iloc[-1]
        result.update(value=None, latest_period=latest["period"], latest_value=float(latest["value"]),
                      source=latest["source"])
        return result
    result.update(value=float(now["value"].iloc[0]), source=now["source"].iloc[0])
    if now["also_printed"].iloc[0]:
        result["also_printed"] = now["also_printed"].iloc[0]
    if len(before):
        result.update(previous_value=float(before["value"].iloc[0]), previous_source=before["source"].iloc[0])
        old, new = result["previous_value"], result["value"]
        if unit == "pct":
            result["change_points"] = new - old
        elif old:
            result["change_pct"] = 100 * (new - old) / old
    return result


def finding(head: dict, topic: Topic, council: str, period: str) -> str:
    """One sentence stating the topic's headline, computed from :func:`headline`."""
    name = council_label(council)
    if not head.get("reported"):
        return f"{topic.title}: not reported by {name}'s reports up to {period}"
    unit = head["unit"]
    what = head["series"] if ":" in head["series"] else f"{topic.noun}, {head['series']}"
    what = what[0].upper() + what[1:]
    if head.get("value") is None:
        return (f"{topic.title}: not reported for {period}; the latest figure is "
                f"{format_value(head['latest_value'], unit)} ({what}, {head['latest_period']})")
    text = f"{what}: {format_value(head['value'], unit)} in {period}"
    if "change_points" in head:
        points = head["change_points"]
        text += (f", {'up' if points > 0 else 'down'} {abs(points):.0f} percentage point{'s' if round(abs(points)) != 1 else ''}"
                 f" on {previous_period(period)}" if round(points) else f", unchanged on {previous_period(period)}")
    elif "change_pct" in head:
        change = head["change_pct"]
        text += (f", {'up' if change > 0 else 'down'} {abs(change):.0f}% on {previous_period(period)} "
                 f"({format_value(head['previous_value'], unit)})" if round(change) else
                 f", unchanged on {previous_period(period)}")
    if head.get("also_printed"):
        text += f" (the reports also print {head['also_printed'].split(' (')[0]} for this figure)"
    return text


def headline_table(series: pd.DataFrame, topic: Topic, period: str) -> pd.DataFrame:
    """Every series' value for ``period`` and the year before, with the source of each (file:line)."""
    before = previous_period(period)
    columns = ["figure", period, "source", before, "previous source", "flag", "also printed"]
    if series.empty:
        return pd.DataFrame(columns=columns)
    charted = list(dict.fromkeys(chart_series(series, period)["series"]))
    whole = series.loc[series["division"] == "all", "series"]
    order = list(dict.fromkeys([*charted, *whole, *series["series"]]))  # charted first, then whole-council
    rows = []
    for name, group in sorted(series.groupby("series", sort=False), key=lambda g: order.index(g[0])):
        unit = topic_unit(topic, group["measure"].iloc[0])
        now = group[group["period"] == period]
        old = group[group["period"] == before]
        if now.empty and old.empty:
            continue
        rows.append({
            "figure": name,
            period: format_value(now["value"].iloc[0], unit) if len(now) else "not reported",
            "source": now["source"].iloc[0] if len(now) else "",
            before: format_value(old["value"].iloc[0], unit) if len(old) else "not reported",
            "previous source": old["source"].iloc[0] if len(old) else "",
            "flag": "; ".join(dict.fromkeys(present.flag(f) for f in (*now["quality_flag"], *old["quality_flag"]) if f)),
            "also printed": "; ".join(x for x in (*now["also_printed"], *old["also_printed"]) if x),
        })
    return pd.DataFrame(rows, columns=columns)


def chart_series(series: pd.DataFrame, period: str, limit: int = 8) -> pd.DataFrame:
    """The series to draw: the headline measure's series (one unit per chart), at most ``limit``,
    those with a value for ``period`` first."""
    if series.empty:
        return series
    measure = headline_series(series, period)["measure"].iloc[0]
    rows = series[series["measure"] == measure]
    current = set(rows.loc[rows["period"] == period, "series"])
    names = list(dict.fromkeys(rows["series"]))
    names = [n for n in names if n in current] + [n for n in names if n not in current]
    return rows[rows["series"].isin(names[:limit])]


def draw(series: pd.DataFrame, topic: Topic, title: str, period: str):
    """A line chart over the years (bars when only one year is printed); returns the figure."""
    import matplotlib.pyplot as plt

    data = chart_series(series, period)
    measure = data["measure"].iloc[0]
    unit = topic_unit(topic, measure)
    ylabel = {"pct": "%", "gbp": "£"}.get(unit, "number")
    ylabel = f"{MEASURE_NOUNS.get(measure, measure)} ({ylabel})" if unit == "count" else MEASURE_NOUNS.get(measure, measure)
    years = sorted(data["period"].unique())
    span = [years[-1]]
    while span[-1] > years[0]:  # every year in the range, printed or not, so gaps show as gaps
        span.append(previous_period(span[-1]))
    years = span[::-1]
    fig, ax = plt.subplots(figsize=(9, 4.8))
    if len(years) == 1:
        bars = data.sort_values("value")
        ax.barh(bars["series"].str.split(": ", n=1).str[-1], bars["value"])
        ax.set_xlabel(ylabel)
        ax.set_ylabel("")
    else:
        position = {year: i for i, year in enumerate(years)}
        for name, group in data.groupby("series", sort=False):
            # a year the reports do not print is a break in the line (NaN), never a line drawn across it
            values = group.groupby("period")["value"].first().reindex(years)
            ax.plot(list(position.values()), values.to_numpy(dtype=float), marker="o", label=name.split(": ", 1)[-1])
        ax.set_xticks(range(len(years)), years, rotation=45 if len(years) > 6 else 0)
        ax.set_xlabel("financial year")
        ax.set_ylabel(ylabel)
        ax.legend(fontsize=8, loc="center left", bbox_to_anchor=(1.01, 0.5), frameon=False)
        ax.set_ylim(bottom=0)
    ax.set_title(wrap(title), fontsize=11)
    fig.tight_layout()
    return fig


def wrap(text: str, width: int = 80) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(text, width))


@dataclass
class TopicResult:
    topic: Topic
    series: pd.DataFrame
    head: dict
    finding: str
    table: pd.DataFrame


def council_overview(observations: pd.DataFrame, council: str, period: str) -> list[TopicResult]:
    """Every topic of the overview for one council and report period."""
    figures = council_figures(observations, council, period)
    results = []
    for topic in TOPICS:
        series = topic_figures(figures, topic)
        head = headline(series, topic, period)
        results.append(TopicResult(topic, series, head, finding(head, topic, council, period),
                                   headline_table(series, topic, period)))
    return results


def findings_summary(results: list[TopicResult], council: str, period: str) -> dict:
    """The overview's headline figures as JSON-ready data (``save_findings``)."""
    summary = {
        "council": council,
        "period": period,
        "topics": {r.topic.key: {**r.head, "finding": r.finding} for r in results},
        "not_reported": [r.topic.key for r in results if not r.head.get("reported")],
        "years": sorted({p for r in results for p in r.series["period"]}),
    }
    summary["key_findings"] = key_findings(results, summary)
    return summary


def key_findings(results: list[TopicResult], summary: dict, most: int = 5) -> list[str]:
    """3–5 plain sentences for the top of the page: the reported topics' findings, in topic order
    (complaints first), then what the reports leave out — all computed, never typed in."""
    name = council_label(summary["council"])
    reported = [r.finding for r in results if r.head.get("reported")]
    out = reported[: most - 1]
    missing = [TOPIC_BY_KEY[k].title.lower() for k in summary["not_reported"]]
    if missing:
        out.append(f"{name}'s reports up to {summary['period']} do not report {', '.join(missing)}.")
    elif len(reported) > len(out):
        out.append(reported[len(out)])
    if len(out) < 3:
        years = summary["years"]
        out.append(f"The figures cover {years[0]} to {years[-1]}." if len(years) > 1 else
                   (f"The figures cover {years[0]} only." if years else
                    f"No overview figure is printed in {name}'s reports up to {summary['period']}."))
    if len(out) < 3:
        out.append("A topic not reported is left out, never shown as zero.")
    return out[:most]


def introduction(summary: dict) -> str:
    """The page's opening line: which council, which year, which years and topics the reports cover."""
    name = council_label(summary["council"])
    years = summary["years"]
    covered = [TOPIC_BY_KEY[k].title.lower() for k in TOPIC_BY_KEY if k not in summary["not_reported"]]
    missing = [TOPIC_BY_KEY[k].title.lower() for k in summary["not_reported"]]
    text = f"**{as_markdown(name)}, report year {as_markdown(summary['period'])}.** "
    if not years:
        return text + "This council's reports up to this year print none of the overview's figures (yet)."
    text += (f"Figures for {years[0]} to {years[-1]}" if len(years) > 1 else f"Figures for {years[0]}")
    text += f" cover: {', '.join(covered)}."
    if missing:
        text += f" Not reported by this council: {', '.join(missing)}."
    return text


def as_markdown(text: str) -> str:
    """Text from a report (labels, findings built from them) made safe to show as Markdown: HTML-escaped
    and with Markdown's own markup characters backslash-escaped, so it shows exactly as printed."""
    return re.sub(r"([\\`*_\[\]#|<>])", r"\\\1", html.escape(text, quote=False))


def findings_markdown(results: list[TopicResult]) -> str:
    """The findings as a Markdown bullet list, escaped (:func:`as_markdown`)."""
    return "\n".join(f"- {as_markdown(r.finding)}" for r in results)


def short_source(text: str) -> str:
    """``data/raw/bromley_2023-24_complaints-….txt:94`` → ``bromley_2023-24:94`` (the report's council and
    year are the first two parts of its file name; :func:`sources_note` maps them back to the files)."""
    return re.sub(r"data/raw/([^_/\s]+_[^_/\s]+)_[^:\s]*\.txt(?=:)", r"\1", text)


def sources_note(table: pd.DataFrame) -> str:
    """Which raw file each short source name in ``table`` stands for."""
    files = sorted(set(re.findall(r"data/raw/[^:\s;()]+\.txt", " ".join(table.astype(str).to_numpy().ravel()))))
    return "; ".join(f"{short_source(f + ':0')[:-2]} = {f}" for f in files)


SOURCE_COLUMNS = ("source", "previous source", "also printed")


def styled(table: pd.DataFrame, limit: int = 20):
    """The headline table for display (its first ``limit`` rows) through :func:`analysis.present.table`:
    no index, every cell HTML-escaped (labels come from the reports), each source a short linked citation
    ("Bromley 2023-24 report, line 94"), and a caption only when rows are left out."""
    kinds = {c: ("source" if c in SOURCE_COLUMNS else "text") for c in table.columns}
    return (present.table(table, kinds=kinds, limit=limit)
            .set_properties(subset=["figure"], **{"text-align": "left"})
            .set_properties(subset=[c for c in ("source", "previous source") if c in table], **{"white-space": "nowrap"}))
