"""One trusted value per figure, without hiding disagreements.

The same figure is often printed more than once: a later report reprints earlier years,
an at-a-glance table repeats a service table's total, prose restates a table. The
reconciled view keeps one row per key with the chosen value, the rule that chose it, the
number of sources and every alternative with its source. Rules, in order:

1. ``single_value`` — every source prints the same value.
   ``headline_scope`` — (applied first when values differ) a total flagged
   ``wider_scope_total`` (e.g. Bromley's E&PP-inclusive Total columns) yields to the
   report's headline figure of the same key; the difference is a scope, not an error.
2. ``own_year_report`` — the report covering the figure's own year wins over later reprints
   (a council's own annual report is its record of that year).
3. ``latest_report`` — with no own-year report, the most recent reprint wins (it has the
   most complete data).
4. ``ombudsman_statistics`` — within one report, the Ombudsman's own published statistics
   (its annual review letter, the LGSCO tables) win over a council's count of "Ombudsman
   cases" on its own systems (Bromley 2019-20 prints 89 of its own and the letter's 149): the
   Ombudsman's figures are the ones that compare across years and councils.
5. ``table_over_prose`` — within one report, a table figure wins over a figure in prose.
6. ``first_printed`` — otherwise the first printed occurrence wins, and the key is marked
   ``unresolved`` so the audit lists it.

Nothing is dropped: ``alternatives`` holds every other value with file and line.
"""
from __future__ import annotations

import json

import pandas as pd

KEY = ["council", "period", "quarter", "division", "service", "category", "stage", "measure"]
RULES = {
    "single_value": "every source prints the same value",
    "headline_scope": "values differ because some sources total a wider scope (flag wider_scope_total, e.g. Bromley totals including E&PP); the headline figure wins, then the rules below",
    "own_year_report": "values differ; the report covering the figure's own year wins over later reprints",
    "latest_report": "values differ and no own-year report; the most recent report wins",
    "ombudsman_statistics": "values differ within one report; the Ombudsman's own statistics (annual review letter, LGSCO tables) win over the council's own count of Ombudsman cases",
    "table_over_prose": "values differ within one report; a table figure wins over prose",
    "first_printed": "values differ within one report's tables; the first printed wins (unresolved)",
    # Used in conflicts only: a printed figure against one derived from other printed figures.
    "printed_over_derived": "a printed figure wins over the value other printed figures give (the sum of its parts, the share its counts give); the printed one is kept and flagged",
}
CONFLICT_KINDS = {
    "across_reports": "two reports print the same figure differently",
    "different_scope": "not an error: a wider-scope total (flag wider_scope_total) beside the headline figure of the same key",
    "within_report": "one report prints the same figure differently in two places (an at-a-glance table vs the detailed table, prose vs a table)",
    "total_vs_parts": "a printed total differs from the sum of the parts printed with it (other_source: the parts' lines)",
    "pct_vs_counts": "a printed percentage differs from the share its printed counts give (other_source: the count's line)",
    "pct_change_vs_years": "a printed % change differs from the change between the printed years (other_source: their lines)",
    "partition_vs_total": "a row's outcome columns (fully + partially + not upheld + ongoing) do not add up to its printed total (aspects); other_value: their sum",
    "rate_vs_division_tables": "a rate printed in a summary table (Bromley's causes table '% upheld') differs from the rate the report's division tables give for the same category and the same aspects (other_source: their lines)",
    "same_figure_two_labels": "a figure printed in two tables of one report under different labels (declared in relations.SameFigure) with two values",
    "stale_column": "a year's column repeats another year's column cell for cell",
    "duplicate_row": "a row repeats another row of its table cell for cell",
    "overall_vs_weighted_mean": "an overall rate differs from its rows' rates weighted by their counts (other_value: the weighted mean; other_source: the rows' and counts' lines)",
    "variance_vs_years": "a printed variance differs from the difference between the two printed years (other_source: their lines)",
    "prose_vs_table": "the report's narrative states a figure differently from its tables (data/clean/claims.csv, verdict wrong)",
}
SOURCE_CONFLICTS = ("across_reports", "within_report")  # two printed figures of one key
CONFLICT_COLUMNS = [*KEY, "kind", "chosen_value", "chosen_source", "other_value", "other_source", "rule"]
RECONCILED_COLUMNS = [*KEY, "value", "unit", "rule", "n_sources", "n_values", "source_file", "source_line",
                      "table", "report_period", "quality_flag", "alternatives"]


WIDER_SCOPE = "wider_scope_total"
# Tables that reprint the Local Government and Social Care Ombudsman's own statistics.
OMBUDSMAN_STATISTICS_TABLES = {"ombudsman_annual_letter", "t10_lgsco_casework", "t11_lgsco_received_london_boroughs",
                               "t12_lgsco_upheld_london_boroughs"}


def _is_wider(record: dict) -> bool:
    return WIDER_SCOPE in str(record["quality_flag"] or "")


def _agree(records: list[dict]) -> bool:
    return len({r["rounded_"] for r in records}) == 1


def _choose(records: list[dict]) -> tuple[dict, str]:
    """The chosen record of a key whose sources disagree, and the rule that chose it.

    ``records`` are in (report_period, source_file, source_line) order: "first" means first printed.
    """
    wider = [_is_wider(r) for r in records]
    if any(wider) and not all(wider):
        headline = [r for r, w in zip(records, wider) if not w]
        return _choose(headline) if not _agree(headline) else (headline[0], "headline_scope")
    period = records[0]["period"]
    own = [r for r in records if r["report_period"] == period]
    if own and _agree(own):
        return own[0], "own_year_report"
    latest = max(r["report_period"] for r in records)
    pool = own or [r for r in records if r["report_period"] == latest]
    if _agree(pool):
        return pool[0], "own_year_report" if own else "latest_report"
    lgsco = [r for r in pool if r["table"] in OMBUDSMAN_STATISTICS_TABLES]
    if lgsco and len(lgsco) < len(pool) and _agree(lgsco):
        return lgsco[0], "ombudsman_statistics"
    tables = [r for r in pool if r["table"] != "prose"]
    if tables and _agree(tables):
        return tables[0], "table_over_prose"
    return (tables or pool)[0], "first_printed"


def _alternatives(others: list[dict]) -> str:
    """The other printed figures of a key (records), as JSON ordered by file and line."""
    if not others:
        return ""
    return json.dumps(sorted((
        {"value": float(r["value"]), "source_file": r["source_file"], "source_line": int(r["source_line"]),
         "table": r["table"], "report_period": r["report_period"]}
        for r in others), key=lambda a: (a["source_file"], a["source_line"])), sort_keys=True)


def _joined(frame: pd.DataFrame) -> pd.Series:
    """The key columns as one ``|``-joined string per row (vectorised)."""
    columns = [frame[k].fillna("").astype(str) for k in KEY]
    out = columns[0]
    for column in columns[1:]:
        out = out + "|" + column
    return out


def reconcile(observations: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(reconciled view, conflicts) from the observations table. Both deterministic in order.

    Keys printed once, or always with one value, are settled in bulk; only the few keys
    whose sources disagree go through the rules one by one.
    """
    frame = observations[observations["value"].notna()].copy()
    frame[KEY] = frame[KEY].fillna("")
    frame["rounded_"] = frame["value"].round(6)
    frame = frame.sort_values([*KEY, "report_period", "source_file", "source_line"], kind="mergesort")
    grouped = frame.groupby(KEY, sort=False, dropna=False)
    frame["n_sources_"] = grouped["value"].transform("size")
    frame["n_values_"] = grouped["rounded_"].transform("nunique")
    rows, conflicts = [], []
    agreed = frame[frame["n_values_"] == 1]
    repeated = agreed[agreed["n_sources_"] > 1]
    by_key: dict[tuple, list[dict]] = {}
    for record in repeated[[*KEY, "value", "source_file", "source_line", "table", "report_period"]].to_dict("records"):
        by_key.setdefault(tuple(record[k] for k in KEY), []).append(record)
    alternatives = {key: _alternatives(records[1:]) for key, records in by_key.items()}
    single = _single_value_rows(agreed.drop_duplicates(KEY, keep="first"), alternatives)
    disputed: dict[tuple, list[dict]] = {}  # in frame order: by key, then report, file, line
    fields = [*KEY, "value", "rounded_", "unit", "source_file", "source_line", "table", "report_period", "quality_flag"]
    for record in frame.loc[frame["n_values_"] > 1, fields].to_dict("records"):
        disputed.setdefault(tuple(record[k] for k in KEY), []).append(record)
    for key, records in disputed.items():
        chosen, rule = _choose(records)
        others = [r for r in records if r is not chosen]
        rows.append(_reconciled_row(key, chosen, rule, len(records), len({r["rounded_"] for r in records}),
                                    _alternatives(others)))
        for other in others:
            if other["rounded_"] == round(float(chosen["value"]), 6):
                continue
            if _is_wider(other) and not _is_wider(chosen):
                kind = "different_scope"
            else:
                kind = "within_report" if other["source_file"] == chosen["source_file"] else "across_reports"
            conflicts.append({
                **dict(zip(KEY, key)), "kind": kind, "chosen_value": float(chosen["value"]),
                "chosen_source": f"{chosen['source_file']}:{int(chosen['source_line'])}",
                "other_value": float(other["value"]), "other_source": f"{other['source_file']}:{int(other['source_line'])}",
                "rule": rule,
            })
    disputed_rows = pd.DataFrame(rows, columns=RECONCILED_COLUMNS)
    reconciled = pd.concat([single, disputed_rows], ignore_index=True) if rows else single
    reconciled = reconciled.sort_values(KEY, kind="mergesort").reset_index(drop=True)
    conflict_frame = pd.DataFrame(conflicts, columns=CONFLICT_COLUMNS)
    return reconciled, conflict_frame.sort_values([*KEY, "other_source"], kind="mergesort").reset_index(drop=True)


def with_derived(conflicts: pd.DataFrame, derived: list[dict]) -> pd.DataFrame:
    """``conflicts`` plus the quality checks' within-report findings (analysis.quality.within_report_conflicts)."""
    if not derived:
        return conflicts
    frame = pd.concat([conflicts, pd.DataFrame(derived, columns=CONFLICT_COLUMNS)], ignore_index=True)
    return frame.sort_values([*KEY, "kind", "chosen_source", "other_source"], kind="mergesort").reset_index(drop=True)


def _single_value_rows(first: pd.DataFrame, alternatives: dict[tuple, str]) -> pd.DataFrame:
    """The reconciled rows of keys whose sources all agree, column by column (most keys)."""
    out = first[[*KEY, "value", "unit"]].copy()
    out["value"] = out["value"].astype("float64")
    out["rule"] = "single_value"
    out["n_sources"] = first["n_sources_"].astype("int64")
    out["n_values"] = 1
    for column in ("source_file", "source_line", "table", "report_period"):
        out[column] = first[column]
    out["source_line"] = out["source_line"].astype("int64")
    out["quality_flag"] = first["quality_flag"].fillna("")
    joined = {"|".join(key): text for key, text in alternatives.items()}
    out["alternatives"] = _joined(first).map(joined).fillna("") if joined else ""
    return out.reset_index(drop=True)


def _reconciled_row(key, chosen: dict, rule: str, n_sources: int, n_values: int, alternatives: str) -> dict:
    return {
        **dict(zip(KEY, key)), "value": float(chosen["value"]), "unit": chosen["unit"],
        "rule": rule, "n_sources": int(n_sources), "n_values": int(n_values),
        "source_file": chosen["source_file"], "source_line": int(chosen["source_line"]),
        "table": chosen["table"], "report_period": chosen["report_period"],
        "quality_flag": chosen["quality_flag"] or "", "alternatives": alternatives,
    }


def conflict_flags(observations: pd.DataFrame, conflicts: pd.DataFrame) -> pd.Series:
    """``quality_flag`` with ``conflicting_sources`` added on every observation in a conflict
    between two printed figures of one key (derived conflicts carry their own check's flag)."""
    conflicts = conflicts[conflicts["kind"].isin(SOURCE_CONFLICTS)]
    involved = set()
    for column in ("chosen_source", "other_source"):
        involved |= set(conflicts[column])
    where = observations["source_file"] + ":" + observations["source_line"].astype(str)
    keys = _joined(observations)
    conflict_keys = set(_joined(conflicts)) if len(conflicts) else set()
    hit = where.isin(involved) & keys.isin(conflict_keys)

    def add(flags: str) -> str:
        codes = set(filter(None, flags.split(";"))) | {"conflicting_sources"}
        return ";".join(sorted(codes))

    return observations["quality_flag"].where(~hit, observations["quality_flag"].map(add))
