"""The development set: real council complaints reports the project has never templated (tests/data/devset),
their hand-checked figures (gold.csv), and a scorer for any reader's observations against them.

A reader is scored per report on the gold figures only: is each figure found at its file, line and value
(located), does it carry the gold meaning (labelled), is it honestly kept as `unlabelled`, or is it given a
meaning the report does not support (wrong)? README.md in the data folder says how the gold was made.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

DEVSET = Path(__file__).resolve().parent / "data" / "devset"
REPORTS = DEVSET / "reports"
GOLD = DEVSET / "gold.csv"
SOURCES = DEVSET / "sources.csv"
NEW_MEASURES = DEVSET / "measures.csv"

GOLD_COLUMNS = ["file", "line", "value", "unit", "period", "quarter", "measure", "stage", "division",
                "service", "category", "layout", "note"]
UNLABELLED = "unlabelled"
SCORE_COLUMNS = ["file", "figures", "located", "labelled", "unlabelled", "wrong", "partial", "not_located",
                 "extra_wrong"]
_TEXT = [c for c in GOLD_COLUMNS if c not in ("line", "value")]


def load_gold(path: Path = GOLD) -> pd.DataFrame:
    """gold.csv with `line` as int, `value` as float and every text column as str ('' for blank)."""
    gold = pd.read_csv(path, dtype={c: str for c in _TEXT}, keep_default_na=False)
    gold["line"] = gold["line"].astype(int)
    gold["value"] = gold["value"].astype(float)
    return gold[GOLD_COLUMNS]


def load_sources(path: Path = SOURCES) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def _normalise(observations: pd.DataFrame) -> pd.DataFrame:
    """The reader's rows as file (base name), line, value, and the label columns compared with the gold."""
    obs = observations.rename(columns={"source_file": "file", "source_line": "line"})
    missing = {"file", "line", "value", "measure", "period", "stage", "unit"} - set(obs.columns)
    if missing:
        raise ValueError(f"observations lack column(s) {sorted(missing)}")
    obs = obs[pd.to_numeric(obs["value"], errors="coerce").notna()].copy()
    obs["file"] = obs["file"].map(lambda f: Path(str(f)).name)
    obs["line"] = obs["line"].astype(int)
    obs["value"] = obs["value"].astype(float)
    if "quarter" not in obs.columns:
        obs["quarter"] = ""
    for column in ("measure", "period", "stage", "unit", "quarter"):
        obs[column] = obs[column].fillna("").astype(str)
    return obs


def _key(row) -> tuple:
    """Where a figure is: its file, line and printed magnitude (a decrease printed '32%' is gold -32)."""
    return (row.file, int(row.line), round(abs(float(row.value)), 6))


def _label(row) -> tuple:
    return (row.measure, row.period, row.quarter, row.stage, row.unit, round(float(row.value), 6))


def _verdict(gold, obs) -> str:
    """How one reader row reads one gold figure at the same place, when its label is not the gold's."""
    if obs.measure == UNLABELLED:
        return "unlabelled"
    same_when = (obs.period, obs.quarter) == (gold.period, gold.quarter)
    same_sign = round(float(obs.value), 6) == round(float(gold.value), 6)
    if obs.measure == gold.measure and same_when and same_sign:
        return "partial"  # right measure and period, but another stage or unit
    return "wrong"


def score(observations: pd.DataFrame, gold: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per report of the gold: figures, located, labelled, unlabelled, wrong, partial, not_located, extra_wrong.

    ``observations`` is a reader's tidy output (contract columns; `source_file` may be any path, its base name is
    matched with the gold's `file`). At each place (file, line, |value|) reader rows are paired with gold figures:
    first those whose label (measure, period, quarter, stage, unit, signed value) equals a gold figure's
    (labelled); each remaining gold figure then takes one remaining row, preferring a `partial` reading (measure
    and period right, stage or unit not), then `unlabelled`, then `wrong` (another measure, period or quarter, or
    the sign of a change reversed). A gold figure with no row left is not located. Rows left over at a gold place
    whose label is neither `unlabelled` nor any gold figure's there count as extra_wrong: a second, wrong
    reading of the same token.
    """
    gold = load_gold() if gold is None else gold
    obs = _normalise(observations)
    obs = obs[obs["file"].isin(set(gold["file"]))]
    by_place: dict[tuple, list] = {}
    for row in obs.itertuples(index=False):
        by_place.setdefault(_key(row), []).append(row)

    gold_places: dict[tuple, list] = {}
    for figure in gold.itertuples(index=False):
        gold_places.setdefault(_key(figure), []).append(figure)

    counts = {f: dict.fromkeys(SCORE_COLUMNS[1:], 0) for f in gold["file"].unique()}
    for place, figures in gold_places.items():
        tally = counts[place[0]]
        rows = list(by_place.get(place, []))
        tally["figures"] += len(figures)
        gold_labels = {_label(g) for g in figures}
        left = []
        for figure in figures:
            match = next((r for r in rows if _label(r) == _label(figure)), None)
            if match is None:
                left.append(figure)
            else:
                rows.remove(match)
                tally["located"] += 1
                tally["labelled"] += 1
        for figure in left:
            if not rows:
                tally["not_located"] += 1
                continue
            order = {"partial": 0, "unlabelled": 1, "wrong": 2}
            row = min(rows, key=lambda r: order[_verdict(figure, r)])
            rows.remove(row)
            tally["located"] += 1
            tally[_verdict(figure, row)] += 1
        tally["extra_wrong"] += sum(1 for r in rows if r.measure != UNLABELLED and _label(r) not in gold_labels)

    table = pd.DataFrame([{"file": f, **c} for f, c in counts.items()], columns=SCORE_COLUMNS)
    return table.sort_values("file", ignore_index=True)


def totals(scores: pd.DataFrame) -> dict[str, float]:
    """The set's sums, with located and labelled as shares of all gold figures."""
    sums = {c: int(scores[c].sum()) for c in SCORE_COLUMNS[1:]}
    n = sums["figures"] or 1
    return {**sums, "pct_located": round(100 * sums["located"] / n, 1), "pct_labelled": round(100 * sums["labelled"] / n, 1)}
