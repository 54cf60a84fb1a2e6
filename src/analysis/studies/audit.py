"""The data-quality audit behind ``notebooks/00_data_audit.ipynb``: what to check before trusting a number.

* :func:`coverage` — what was extracted: figures per council × period × division × measure;
* :func:`flagged` — every flagged figure with its printed line and, side by side, the line(s)
  of the source it disagrees with (from ``data/clean/conflicts.csv``);
* :func:`choices` — the reconciliation: how many keys each rule settled, and every key whose
  sources disagree with the chosen value and the alternatives;
* :func:`report_errors` — "what the report gets wrong": every failed table relation
  (``clean.relations`` and ``clean.quality``) and every wrong prose claim (``data/clean/claims``),
  with both sides' values and printed lines; :func:`claim_counts` per report;
* :func:`skip_records` / :func:`uncited_lines` — what the raw files hold that was not
  extracted: the extractors' own records of skipped tables and passages, and a simple
  measure, the raw lines holding a digit that no observation cites and no skip record covers;
* :func:`skipped_tables` / :func:`skipped_tables_text` — the tables the last clean could not
  find or read safely (``data/clean/skipped-tables.csv``), in plain words.

The selection is by *source file*: ``council="lewisham"`` audits what Lewisham's report holds,
including its London-wide Ombudsman rows for other boroughs.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from importlib import import_module

import pandas as pd

from .. import present
from ..clean.extract import TEMPLATE_MODULES
from ..clean.extract.engine import RawReport
from ..clean.manifest import read_manifest
from ..data import load_conflicts, load_observations, load_reconciled
from ..paths import Paths

SHOWN_LINE = 160  # characters of a printed line shown beside a figure


@dataclass
class Audit:
    council: str
    files: list[str]  # the raw files (source_file) audited
    report_councils: list[str]  # the councils whose own reports these are
    observations: pd.DataFrame
    reconciled: pd.DataFrame
    conflicts: pd.DataFrame
    lines: dict[str, list[str]]  # source_file → its lines (1-based via index + 1)
    claims: pd.DataFrame | None = None  # data/clean/claims rows of these files

    def line(self, source_file: str, number: int) -> str:
        text = self.lines.get(source_file, [])
        return text[number - 1].strip()[:SHOWN_LINE] if 0 < number <= len(text) else ""


def councils(paths: Paths | None = None) -> list[str]:
    """The councils of the manifest (each has its own report)."""
    return sorted({e.council for e in read_manifest(paths or Paths.discover())})


def build(council: str = "all", paths: Paths | None = None) -> Audit:
    """The audit of one council's reports (``all``: every report in the manifest)."""
    paths = paths or Paths.discover()
    entries = [e for e in read_manifest(paths) if council in {"all", e.council}]
    if not entries:
        raise ValueError(f"no report of council {council!r} in data/raw/manifest.csv; known: {', '.join(councils(paths))}")
    files = sorted(e.source_file for e in entries)
    observations = load_observations(paths)
    observations = observations[observations["source_file"].isin(files)].reset_index(drop=True)
    reconciled = load_reconciled(paths)
    reconciled = reconciled[reconciled["source_file"].isin(files)].reset_index(drop=True)
    conflicts = load_conflicts(paths)
    in_files = conflicts["chosen_source"].map(_file).isin(files) | conflicts["other_source"].map(_file).isin(files)
    conflicts = conflicts[in_files].reset_index(drop=True)
    lines = {f: (paths.root / f).read_text(encoding="utf-8", errors="replace").replace("\r\n", "\n").split("\n")
             for f in files}
    claims_path = paths.clean / "claims.parquet"
    claims = pd.read_parquet(claims_path) if claims_path.is_file() else None
    if claims is not None:
        claims = claims[claims["source_file"].isin(files)].reset_index(drop=True)
    return Audit(council, files, sorted({e.council for e in entries}), observations, reconciled, conflicts, lines, claims)


def _file(source: str) -> str:
    return source.split(":", 1)[0]


def _lines(source: str) -> list[int]:
    """``file:12`` or ``file:3,4,5`` → the line numbers (none for a bare file)."""
    _, _, numbers = source.partition(":")
    return [int(n) for n in numbers.split(",") if n]


def flag_codes(frame: pd.DataFrame) -> pd.Series:
    """One row per (observation, flag code)."""
    return frame["quality_flag"].fillna("").str.split(";").explode().loc[lambda s: s != ""]


# --- what was extracted -------------------------------------------------------------------


def coverage(audit: Audit) -> pd.DataFrame:
    """Figures per council, period, division and measure (councils with a report of their own)."""
    frame = audit.observations[audit.observations["council"].isin(audit.report_councils)]
    return frame.groupby(["council", "period", "division", "measure"]).size().rename("figures").reset_index()


def coverage_grid(cov: pd.DataFrame) -> pd.DataFrame:
    """Rows council · period, columns division: how many distinct measures are extracted."""
    if cov.empty:
        return pd.DataFrame()
    cov = cov.assign(row=cov["council"] + " " + cov["period"])
    return cov.pivot_table(index="row", columns="division", values="measure", aggfunc="nunique", fill_value=0)


def measure_grid(cov: pd.DataFrame) -> pd.DataFrame:
    """Rows measure, columns council · period: how many figures."""
    if cov.empty:
        return pd.DataFrame()
    cov = cov.assign(column=cov["council"] + " " + cov["period"])
    return cov.pivot_table(index="measure", columns="column", values="figures", aggfunc="sum", fill_value=0)


def other_councils(audit: Audit) -> pd.Series:
    """Figures for councils printed in another council's report (Lewisham's London Ombudsman table)."""
    others = audit.observations[~audit.observations["council"].isin(audit.report_councils)]
    return others.groupby("council").size()


# --- flagged figures, side by side -------------------------------------------------------


def flagged(audit: Audit) -> pd.DataFrame:
    """Every flagged figure: its flags, value, source and printed line; and for each conflict it
    is in, the other value, source and printed line(s)."""
    obs = audit.observations[audit.observations["quality_flag"].fillna("") != ""].copy()
    obs["source"] = obs["source_file"] + ":" + obs["source_line"].astype(str)
    obs["printed"] = [audit.line(f, n) for f, n in zip(obs["source_file"], obs["source_line"])]
    key = ["council", "period", "quarter", "division", "service", "category", "stage", "measure"]
    pairs = []
    for c in audit.conflicts.itertuples(index=False):
        pairs.append({**{k: getattr(c, k) for k in key}, "source": c.chosen_source, "kind": c.kind,
                      "other_value": c.other_value, "other_source": c.other_source})
        if c.kind in {"across_reports", "within_report"}:
            pairs.append({**{k: getattr(c, k) for k in key}, "source": c.other_source, "kind": c.kind,
                          "other_value": c.chosen_value, "other_source": c.chosen_source})
    pairs = pd.DataFrame(pairs, columns=[*key, "source", "kind", "other_value", "other_source"])
    for column in key:
        obs[column] = obs[column].fillna("").astype(str)
        pairs[column] = pairs[column].fillna("").astype(str)
    out = obs.merge(pairs, on=[*key, "source"], how="left")
    out["other_printed"] = [
        " | ".join(audit.line(_file(s), n) for n in _lines(s)) if isinstance(s, str) and s else ""
        for s in out["other_source"]]
    columns = ["council", "period", "division", "service", "category", "stage", "measure", "value", "quality_flag",
               "source", "printed", "kind", "other_value", "other_source", "other_printed"]
    return out[columns].fillna("").sort_values(["source", "measure", "period"], kind="mergesort").reset_index(drop=True)


def flag_counts(audit: Audit) -> dict[str, int]:
    return {str(k): int(v) for k, v in flag_codes(audit.observations).value_counts().sort_index().items()}


def conflict_counts(audit: Audit) -> dict[str, int]:
    return {str(k): int(v) for k, v in audit.conflicts["kind"].value_counts().sort_index().items()}


# --- reconciliation -------------------------------------------------------------------------


def rule_counts(audit: Audit) -> dict[str, int]:
    return {str(k): int(v) for k, v in audit.reconciled["rule"].value_counts().sort_index().items()}


def choices(audit: Audit) -> pd.DataFrame:
    """Every key whose sources disagree: the chosen value and source, the rule, the alternatives."""
    disputed = audit.reconciled[audit.reconciled["n_values"] > 1].copy()
    disputed["chosen"] = disputed["source_file"] + ":" + disputed["source_line"].astype(str)
    disputed["alternatives"] = [
        "; ".join(f"{a['value']:g} at {a['source_file']}:{a['source_line']}" for a in json.loads(text)) if text else ""
        for text in disputed["alternatives"].fillna("")]
    return disputed[["council", "period", "division", "service", "category", "stage", "measure", "value", "rule",
                     "chosen", "alternatives"]].reset_index(drop=True)


# --- what was not extracted ----------------------------------------------------------------


def skip_records(council: str = "all", paths: Paths | None = None) -> pd.DataFrame:
    """The extractors' records of what they skipped: ``SKIPPED_TABLES`` (id, line, reason) and
    ``SKIPPED_PASSAGES`` ((start, end, reason), filled when the report is read)."""
    paths = paths or Paths.discover()
    rows = []
    for entry in read_manifest(paths):
        if council not in {"all", entry.council}:
            continue
        module = import_module(TEMPLATE_MODULES[entry.template])
        for what, line, reason in getattr(module, "SKIPPED_TABLES", ()):
            rows.append({"source_file": entry.source_file, "start": int(line), "end": int(line), "what": what, "reason": reason})
        if hasattr(module, "SKIPPED_PASSAGES"):
            module.extract(RawReport.load(paths.root, entry.source_file, entry.council, entry.report_period))
            for start, end, reason in module.SKIPPED_PASSAGES:
                rows.append({"source_file": entry.source_file, "start": int(start), "end": int(end),
                             "what": "passage", "reason": reason})
    return pd.DataFrame(rows, columns=["source_file", "start", "end", "what", "reason"])


SKIPPED_TABLES_FILE = "skipped-tables.csv"  # written by clean/pipeline.py (columns: the data dictionary)


def skipped_tables(council: str = "all", paths: Paths | None = None) -> pd.DataFrame:
    """The tables the last clean did not read (``data/clean/skipped-tables.csv``) of ``council``'s
    reports (all: every report): each row names the table, the lines and why."""
    paths = paths or Paths.discover()
    path = paths.clean / SKIPPED_TABLES_FILE
    if not path.is_file():
        return pd.DataFrame(columns=["source_file", "council", "report_period", "table", "first_line", "last_line",
                                     "failed_line", "whole_report", "reason", "message"])
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    return frame if council == "all" else frame[frame["council"] == council].reset_index(drop=True)


def skipped_tables_text(skipped: pd.DataFrame) -> str:
    """The skipped tables in plain words, one line each, by report (Markdown)."""
    if skipped.empty:
        return "Every table the reports' templates describe was read: none was skipped."
    lines = [f"{len(skipped)} {'table was' if len(skipped) == 1 else 'tables were'} not read; their figures are "
             "missing from the study (never guessed), and each report's other tables were read:", ""]
    for row in skipped.itertuples():
        report = report_title(row.source_file)
        if row.whole_report == "true":
            lines.append(f"- **{report}**: its template could not read it ({row.reason}); the general reader read "
                         "the whole report instead, so its figures carry fewer labels.")
        elif row.failed_line:
            lines.append(f"- **{report}**, table `{row.table}`: could not be read safely at line {row.failed_line} "
                         f"({row.reason}); none of its figures is used.")
        else:
            lines.append(f"- **{report}**, table `{row.table}`: not found where the template looks for it "
                         f"(lines {row.first_line}–{row.last_line}).")
    return "\n".join(lines)


_DIGIT = re.compile(r"\d")


def _line_sets(audit: Audit, skipped: pd.DataFrame, source_file: str) -> tuple[set[int], set[int], set[int]]:
    """(lines holding a digit, lines an observation cites, lines a skip record covers) of one file."""
    digits = {i + 1 for i, text in enumerate(audit.lines[source_file]) if _DIGIT.search(text)}
    cited = set(audit.observations.loc[audit.observations["source_file"] == source_file, "source_line"].astype(int))
    covered: set[int] = set()
    for r in skipped[skipped["source_file"] == source_file].itertuples():
        covered |= set(range(r.start, r.end + 1))
    return digits, cited, covered


def uncited_lines(audit: Audit, skipped: pd.DataFrame) -> pd.DataFrame:
    """Per raw file: lines holding a digit, how many an observation cites, how many a skip record
    covers, and how many neither (a rough measure of what is left unread)."""
    rows = []
    for source_file in audit.files:
        digits, cited, covered = _line_sets(audit, skipped, source_file)
        rows.append({"source_file": source_file, "lines_with_digits": len(digits),
                     "cited": len(digits & cited), "in_skip_records": len((digits - cited) & covered),
                     "neither": len(digits - cited - covered)})
    return pd.DataFrame(rows)


def uncited_examples(audit: Audit, skipped: pd.DataFrame, per_file: int = 15) -> pd.DataFrame:
    """The first lines of each file that hold a digit, are not cited and are in no skip record."""
    rows = []
    for source_file in audit.files:
        digits, cited, covered = _line_sets(audit, skipped, source_file)
        for n in sorted(digits - cited - covered)[:per_file]:
            rows.append({"source_file": source_file, "line": n, "text": audit.line(source_file, n)})
    return pd.DataFrame(rows, columns=["source_file", "line", "text"])


# --- what the report gets wrong -------------------------------------------------------------

# Conflict kinds that say a report contradicts itself (a printed figure against another printed
# figure of the same report, or against what its other figures give), with a reader's label.
ERROR_KINDS = {
    "total_vs_parts": "total differs from the sum of its parts",
    "partition_vs_total": "outcomes do not add up to the aspects",
    "pct_vs_counts": "percentage differs from its counts",
    "pct_change_vs_years": "% change differs from the years it compares",
    "rate_vs_division_tables": "rate differs from the division tables' rate",
    "same_figure_two_labels": "same figure printed twice with two values",
    "within_report": "same figure printed twice with two values",
    "stale_column": "column repeats another year's values",
    "duplicate_row": "row repeats another row",
    "overall_vs_weighted_mean": "overall rate differs from its rows' weighted mean",
    "variance_vs_years": "variance differs from the years it compares",
    "prose_vs_table": "narrative states a figure its tables contradict",
}


def _cite(source: str) -> str:
    """'line 734' or 'lines 826, 964' of a ``file:lines`` source ('' when no line is known)."""
    lines = _lines(source) if isinstance(source, str) else []
    return "" if not lines else (f"line {lines[0]}" if len(lines) == 1 else "lines " + ", ".join(map(str, lines)))


def report_errors(audit: Audit, source_file: str) -> pd.DataFrame:
    """Every failed relation and wrong claim of one report: what it prints, where, and what its
    other figures give, where (the printed value is kept; the other is the computed alternative)."""
    rows = []
    for c in audit.conflicts.itertuples(index=False):
        if c.kind not in ERROR_KINDS or _file(c.chosen_source) != source_file:
            continue
        rows.append({"what": ERROR_KINDS[c.kind], "measure": c.measure, "division": c.division, "period": c.period,
                     "label": c.service or c.category, "printed": c.chosen_value, "printed_at": _cite(c.chosen_source),
                     "printed_line": audit.line(source_file, _lines(c.chosen_source)[0]),
                     "other": c.other_value, "other_at": _cite(c.other_source),
                     "other_line": " | ".join(audit.line(source_file, n) for n in _lines(c.other_source)[:3]),
                     "kind": c.kind, "line_": _lines(c.chosen_source)[0]})
    columns = ["what", "measure", "division", "period", "label", "printed", "printed_at", "printed_line", "other", "other_at",
               "other_line", "kind"]
    if not rows:
        return pd.DataFrame(columns=columns)
    frame = pd.DataFrame(rows).drop_duplicates(["kind", "printed_at", "measure", "period", "label", "printed", "other"])
    return frame.sort_values(["line_", "kind"], kind="mergesort")[columns].astype(object).fillna("").reset_index(drop=True)


def claim_counts(audit: Audit) -> dict[str, dict[str, int]]:
    """Per report: claims found, confirmed, wrong, not checkable, and failed relations."""
    out = {}
    for source_file in audit.files:
        claims = audit.claims[audit.claims["source_file"] == source_file] if audit.claims is not None else pd.DataFrame(columns=["verdict"])
        verdicts = claims["verdict"].value_counts()
        errors = report_errors(audit, source_file)
        out[source_file] = {"claims_found": int(len(claims)), "confirmed": int(verdicts.get("confirmed", 0)),
                            "wrong": int(verdicts.get("wrong", 0)), "not_checkable": int(verdicts.get("not_checkable", 0)),
                            "failed_relations": int((errors["kind"] != "prose_vs_table").sum())}
    return out


def report_title(source_file: str) -> str:
    """'Bromley 2023-24 report' from a raw file name (council words, then the year)."""
    name = source_file.rsplit("/", 1)[-1]
    match = re.match(r"(?P<council>[a-z-]+)_(?P<year>\d{4}-\d{2})_", name)
    if not match:
        return name
    council = " ".join(w if w == "and" else w.capitalize() for w in match["council"].split("-"))
    return f"{council} {match['year']} report"


def errors_summary(source_file: str, counts: dict[str, int]) -> str:
    """One sentence per report: how many claims were checked and what failed."""
    return (f"The report's narrative makes {counts['claims_found']:,} numeric claims; "
            f"{counts['confirmed'] + counts['wrong']:,} could be checked against its tables: "
            f"{counts['confirmed']:,} confirmed and {counts['wrong']:,} wrong "
            f"({counts['not_checkable']:,} not checkable). {counts['failed_relations']:,} table relations fail.")


def _number_kind(measure: str) -> str:
    """How a figure of ``measure`` is shown: a percentage, money or a count."""
    if measure.startswith("pct") or measure.endswith("_variance") and measure.startswith("pct"):
        return "pct"
    return "gbp" if measure.endswith("_gbp") else "count"


def _where(source_file: str, at: str) -> str:
    """'Bromley 2023-24 report, line 734' (or 'lines 826, 964'); the report alone when no line is known."""
    return f"{present.report_name(source_file)}, {at}" if at else present.report_name(source_file)


def wrong_table(audit: Audit, source_file: str):
    """What one report gets wrong, for a reader: each failed relation or wrong claim with both
    sides (what is printed where, and what the report's other figures give, from which lines),
    labels and numbers through ``analysis.present`` (a page table, no ids)."""
    errors = report_errors(audit, source_file)
    rows = []
    for e in errors.itertuples(index=False):
        kind = _number_kind(e.measure)
        figure = " · ".join(x for x in (present.measure(e.measure), present.division(e.division) if e.division else "", e.label) if x)
        rows.append({"What is wrong": e.what[:1].upper() + e.what[1:], "Figure": figure, "Year": e.period or present.MISSING,
                     "Printed": present.number(e.printed, kind) if e.printed != "" else present.MISSING,
                     "Printed at": _where(source_file, e.printed_at), "The printed line": e.printed_line,
                     "The report's other figures give": present.number(e.other, kind) if e.other != "" else present.MISSING,
                     "From": _where(source_file, e.other_at), "Their line(s)": e.other_line})
    frame = pd.DataFrame(rows, columns=["What is wrong", "Figure", "Year", "Printed", "Printed at", "The printed line",
                                        "The report's other figures give", "From", "Their line(s)"])
    return present.table(frame, kinds={c: "text" for c in frame.columns}, labels={c: c for c in frame.columns})


# --- the quality statement (OSR style) ----------------------------------------------------------


def quality_by_report(audit: Audit, skipped: pd.DataFrame) -> pd.DataFrame:
    """Per raw file, the figures behind the quality statement: raw lines holding a digit, how many
    a figure uses (an observation's source line), how many a skip record covers, how many neither;
    figures extracted and flagged (all flags, and without the informational ``wider_scope_total``);
    claims checked, confirmed and wrong; failed relations."""
    lines = uncited_lines(audit, skipped).set_index("source_file")
    counts = claim_counts(audit)
    rows = []
    for source_file in audit.files:
        obs = audit.observations[audit.observations["source_file"] == source_file]
        flags = obs["quality_flag"].fillna("").map(lambda text: set(filter(None, text.split(";"))))
        c = counts[source_file]
        row = lines.loc[source_file]
        rows.append({"source_file": source_file, "lines_with_digits": int(row["lines_with_digits"]), "used": int(row["cited"]),
                     "in_skip_records": int(row["in_skip_records"]), "neither": int(row["neither"]),
                     "figures": int(len(obs)), "flagged": sum(1 for f in flags if f),  # plain sums: a report
                     "flagged_errors": sum(1 for f in flags if f - {"wider_scope_total"}),  # with no figure gives 0
                     "claims_found": c["claims_found"], "checked": c["confirmed"] + c["wrong"], "confirmed": c["confirmed"],
                     "wrong": c["wrong"], "failed_relations": c["failed_relations"]})
    return pd.DataFrame(rows)


def _n(count: int, one: str, many: str) -> str:
    """'1 claim is' / '3 claims are'."""
    return f"{count:,} {one if count == 1 else many}"


def _share(part: int, whole: int) -> str:
    return present.number(100 * part / whole, "pct") if whole else present.MISSING


def quality_statement(audit: Audit, skipped: pd.DataFrame) -> str:
    """An OSR-style quality statement, per report, in plain words: how much of the report was
    read (coverage), how much of what was read the report itself contradicts (accuracy), and
    what the checks cannot see."""
    paragraphs = []
    for r in quality_by_report(audit, skipped).itertuples(index=False):
        paragraphs.append(
            f"**{present.report_name(r.source_file)}.** *Coverage:* of its {r.lines_with_digits:,} lines holding a digit, "
            f"{r.used:,} are used by a figure and {r.in_skip_records:,} are covered by a record of what the extractor "
            f"deliberately skips (with the reason); {r.neither:,} ({_share(r.neither, r.lines_with_digits)}) are neither — "
            "mostly dates, page numbers, headings and narrative not read as a figure. "
            f"*Accuracy:* {r.flagged_errors:,} of its {r.figures:,} figures ({_share(r.flagged_errors, r.figures)}) "
            f"{'carries' if r.flagged_errors == 1 else 'carry'} a warning flag; {_n(r.failed_relations, 'check', 'checks')} of "
            f"the report's own tables against each other {'fails' if r.failed_relations == 1 else 'fail'}, and of "
            f"{_n(r.checked, 'narrative claim', 'narrative claims')} the tables can check, {r.confirmed:,} "
            f"{'is' if r.confirmed == 1 else 'are'} confirmed and {r.wrong:,} {'is' if r.wrong == 1 else 'are'} wrong "
            f"({r.claims_found - r.checked:,} more cannot be checked).")
    paragraphs.append(
        "*What these checks cannot see:* a figure that is wrong in the same way everywhere it is printed, a total whose "
        "parts are not printed, and any figure the report does not print. Percentages are allowed 1 point for rounding; "
        "counts must agree exactly.")
    return "\n\n".join(paragraphs)


# --- findings -----------------------------------------------------------------------------------


def findings(audit: Audit, skipped: pd.DataFrame) -> dict:
    """The audit's headline counts (saved with save_findings; tests recompute them from data/clean)."""
    unread = uncited_lines(audit, skipped)
    flagged_obs = audit.observations["quality_flag"].fillna("") != ""
    return {
        "council": audit.council,
        "source_files": audit.files,
        "observations": int(len(audit.observations)),
        "flagged_observations": int(flagged_obs.sum()),
        "flags": flag_counts(audit),
        "conflicts": conflict_counts(audit),
        "conflicts_total": int(len(audit.conflicts)),
        "reconciled_keys": int(len(audit.reconciled)),
        "rules": rule_counts(audit),
        "disputed_keys": int((audit.reconciled["n_values"] > 1).sum()),
        "skip_records": int(len(skipped)),
        "raw_lines_with_digits": int(unread["lines_with_digits"].sum()),
        "raw_lines_uncited": int(unread["neither"].sum()),
        "reports": claim_counts(audit),  # per raw file: claims found/confirmed/wrong/not_checkable, failed relations
        "quality": quality_by_report(audit, skipped).set_index("source_file").to_dict("index"),  # the quality statement's figures
    }


# --- prose and charts -------------------------------------------------------------------------


def text_summary(f: dict) -> str:
    scope = "every report" if f["council"] == "all" else f"the reports of {present.council(f['council'])}"
    kinds = ", ".join(f"{n} {present.conflict_kind(k)}" for k, n in f["conflicts"].items()) or "none"
    return (f"Across {scope} ({len(f['source_files'])} raw file(s)), the clean data holds **{f['observations']:,}** "
            f"printed figures; **{f['flagged_observations']:,}** carry a quality flag. The conflicts table lists "
            f"**{f['conflicts_total']:,}** disagreements ({kinds}). The reconciled view has "
            f"{f['reconciled_keys']:,} keys, of which {f['disputed_keys']:,} have sources that disagree. "
            f"Of {f['raw_lines_with_digits']:,} raw lines holding a digit, {f['raw_lines_uncited']:,} are "
            "neither cited by a figure nor covered by an extractor's skip record.")


def plot_coverage(grid: pd.DataFrame, title: str):
    import matplotlib.pyplot as plt
    import seaborn as sns

    fig, ax = plt.subplots(figsize=(max(6, 0.9 * grid.shape[1] + 3), max(3, 0.4 * grid.shape[0] + 1.5)))
    sns.heatmap(grid, annot=True, fmt="d", cmap="viridis", cbar_kws={"label": "distinct measures extracted"}, ax=ax)
    ax.set_title(title)
    ax.set_xlabel("division")
    ax.set_ylabel("council and financial year")
    return fig


def plot_measures(grid: pd.DataFrame, title: str):
    import matplotlib.pyplot as plt
    import numpy as np
    import seaborn as sns

    fig, ax = plt.subplots(figsize=(max(6, 0.8 * grid.shape[1] + 4), max(4, 0.25 * grid.shape[0] + 1.5)))
    sns.heatmap(np.log10(grid.replace(0, np.nan)), cmap="viridis", ax=ax,
                cbar_kws={"label": "figures extracted (log10)"})
    ax.set_title(title)
    ax.set_xlabel("council and financial year")
    ax.set_ylabel("measure")
    return fig


def title_coverage(grid: pd.DataFrame) -> str:
    if grid.empty:
        return "Nothing extracted"
    best = grid.sum(axis=1).idxmax()
    return f"{best} has the widest coverage: {int(grid.loc[best].sum())} division-measure pairs"


def shorten(frame: pd.DataFrame) -> pd.DataFrame:
    """Display copy: ``data/raw/`` dropped from file names, so the side-by-side columns fit."""
    def strip(column: pd.Series) -> pd.Series:
        if pd.api.types.is_string_dtype(column) or column.dtype == object:
            return column.map(lambda v: v.replace("data/raw/", "") if isinstance(v, str) else v)
        return column

    return frame.apply(strip)
