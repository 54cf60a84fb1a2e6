"""One trusted value per figure, without hiding disagreements.

The same figure is often printed more than once: a later report reprints earlier years,
an at-a-glance table repeats a service table's total, prose restates a table. The
reconciled view keeps one row per key with the chosen value, the rule that chose it, the
number of sources and every alternative with its source. Rules, in order:

1. ``single_value`` — every source prints the same value.
2. ``own_year_report`` — the report covering the figure's own year wins over later reprints
   (a council's own annual report is its record of that year).
3. ``latest_report`` — with no own-year report, the most recent reprint wins (it has the
   most complete data).
4. ``table_over_prose`` — within one report, a table figure wins over a figure in prose.
5. ``first_printed`` — otherwise the first printed occurrence wins, and the key is marked
   ``unresolved`` so the audit lists it.

Nothing is dropped: ``alternatives`` holds every other value with file and line.
"""
from __future__ import annotations

import json

import pandas as pd

KEY = ["council", "period", "quarter", "division", "service", "category", "stage", "measure"]
RULES = {
    "single_value": "every source prints the same value",
    "own_year_report": "values differ; the report covering the figure's own year wins over later reprints",
    "latest_report": "values differ and no own-year report; the most recent report wins",
    "table_over_prose": "values differ within one report; a table figure wins over prose",
    "first_printed": "values differ within one report's tables; the first printed wins (unresolved)",
}
CONFLICT_KINDS = {
    "across_reports": "two reports print the same figure differently",
    "within_report": "one report prints the same figure differently in two places",
}


def _choose(group: pd.DataFrame) -> tuple[pd.Series, str]:
    """The chosen row of a key whose sources disagree, and the rule that chose it."""
    ordered = group.sort_values(["report_period", "source_file", "source_line"], kind="mergesort")
    period = group["period"].iloc[0]
    own = ordered[ordered["report_period"] == period]
    if len(own) and own["value"].round(6).nunique() == 1:
        return own.iloc[0], "own_year_report"
    pool = own if len(own) else ordered[ordered["report_period"] == ordered["report_period"].max()]
    if pool["value"].round(6).nunique() == 1:
        return pool.iloc[0], "own_year_report" if len(own) else "latest_report"
    tables = pool[pool["table"] != "prose"]
    if len(tables) and tables["value"].round(6).nunique() == 1:
        return tables.iloc[0], "table_over_prose"
    return (tables if len(tables) else pool).iloc[0], "first_printed"


def _alternatives(others: pd.DataFrame) -> str:
    if others.empty:
        return ""
    return json.dumps([
        {"value": float(r.value), "source_file": r.source_file, "source_line": int(r.source_line),
         "table": r.table, "report_period": r.report_period}
        for r in others.sort_values(["source_file", "source_line"], kind="mergesort").itertuples()
    ], sort_keys=True)


def reconcile(observations: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(reconciled view, conflicts) from the observations table. Both deterministic in order.

    Keys printed once, or always with one value, are settled in bulk; only the few keys
    whose sources disagree go through the rules one by one.
    """
    frame = observations[observations["value"].notna()].copy()
    frame[KEY] = frame[KEY].fillna("")
    frame["_rounded"] = frame["value"].round(6)
    frame = frame.sort_values([*KEY, "report_period", "source_file", "source_line"], kind="mergesort")
    grouped = frame.groupby(KEY, sort=False, dropna=False)
    frame["_n_sources"] = grouped["value"].transform("size")
    frame["_n_values"] = grouped["_rounded"].transform("nunique")
    rows, conflicts = [], []
    agreed = frame[frame["_n_values"] == 1]
    first = agreed.drop_duplicates(KEY, keep="first")
    repeated = agreed[agreed["_n_sources"] > 1]
    alternatives = {}
    for key, group in repeated.groupby(KEY, sort=False):
        alternatives[key] = _alternatives(group.iloc[1:])
    for row in first.itertuples(index=False):
        key = tuple(getattr(row, k) for k in KEY)
        rows.append(_reconciled_row(key, row._asdict(), "single_value", row._n_sources, 1, alternatives.get(key, "")))
    for key, group in frame[frame["_n_values"] > 1].groupby(KEY, sort=False):
        chosen, rule = _choose(group)
        others = group.drop(index=chosen.name)
        rows.append(_reconciled_row(key, chosen.to_dict(), rule, len(group), group["_rounded"].nunique(), _alternatives(others)))
        for other in others.itertuples():
            if other._rounded == round(float(chosen["value"]), 6):
                continue
            kind = "within_report" if other.source_file == chosen["source_file"] else "across_reports"
            conflicts.append({
                **dict(zip(KEY, key)), "kind": kind, "chosen_value": float(chosen["value"]),
                "chosen_source": f"{chosen['source_file']}:{int(chosen['source_line'])}",
                "other_value": float(other.value), "other_source": f"{other.source_file}:{int(other.source_line)}",
                "rule": rule,
            })
    reconciled = pd.DataFrame(rows).sort_values(KEY, kind="mergesort").reset_index(drop=True)
    conflict_frame = pd.DataFrame(conflicts, columns=[*KEY, "kind", "chosen_value", "chosen_source",
                                                      "other_value", "other_source", "rule"])
    return reconciled, conflict_frame.sort_values([*KEY, "other_source"], kind="mergesort").reset_index(drop=True)


def _reconciled_row(key, chosen: dict, rule: str, n_sources: int, n_values: int, alternatives: str) -> dict:
    return {
        **dict(zip(KEY, key)), "value": float(chosen["value"]), "unit": chosen["unit"],
        "rule": rule, "n_sources": int(n_sources), "n_values": int(n_values),
        "source_file": chosen["source_file"], "source_line": int(chosen["source_line"]),
        "table": chosen["table"], "report_period": chosen["report_period"],
        "quality_flag": chosen["quality_flag"] or "", "alternatives": alternatives,
    }


def conflict_flags(observations: pd.DataFrame, conflicts: pd.DataFrame) -> pd.Series:
    """``quality_flag`` with ``conflicting_sources`` added on every observation in a conflict."""
    involved = set()
    for column in ("chosen_source", "other_source"):
        involved |= set(conflicts[column])
    where = observations["source_file"] + ":" + observations["source_line"].astype(str)
    keys = observations[KEY].fillna("").astype(str).agg("|".join, axis=1)
    conflict_keys = set(conflicts[KEY].astype(str).agg("|".join, axis=1)) if len(conflicts) else set()
    hit = where.isin(involved) & keys.isin(conflict_keys)

    def add(flags: str) -> str:
        codes = set(filter(None, flags.split(";"))) | {"conflicting_sources"}
        return ";".join(sorted(codes))

    return observations["quality_flag"].where(~hit, observations["quality_flag"].map(add))
