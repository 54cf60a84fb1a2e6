""""How far to trust these figures": the data audit in plain words, for the top of its policy page.

Counts of flagged figures and of conflicts, what they mean, and the largest disagreements named
(with short citations). Computed from :func:`analysis.studies.audit.build`'s tables.
"""
from __future__ import annotations

import pandas as pd

from .. import present

WORST = 3  # disagreements named


def _relative_gap(frame: pd.DataFrame) -> pd.Series:
    chosen = pd.to_numeric(frame["chosen_value"], errors="coerce")
    other = pd.to_numeric(frame["other_value"], errors="coerce")
    return ((chosen - other).abs() / chosen.abs().clip(lower=1)).fillna(0)


def summary(result) -> str:
    """Markdown: a few sentences and the worst disagreements, for policy readers."""
    obs, conflicts, reconciled = result.observations, result.conflicts, result.reconciled
    total = len(obs)
    flagged = int((obs["quality_flag"].fillna("") != "").sum())
    unresolved = int((reconciled["rule"] == "first_printed").sum()) if "rule" in reconciled else 0
    scope = "every report" if result.council == "all" else f"{present.council(result.council)}'s reports"
    lines = [
        f"The study read {present.number(total)} figures from {scope}. "
        f"{present.number(flagged)} of them ({present.number(flagged / total if total else 0, 'share')}) carry a "
        "quality flag: the figure is shown as printed, and the flag says what is odd about it (a total that does not "
        "equal its parts, a figure printed differently elsewhere, a digit repaired after scanning).",
        f"There are {present.number(len(conflicts))} places where two printed sources disagree about the same figure. "
        f"For {present.number(unresolved)} figures no rule settles which source is right, so the first printed value "
        "is used and the disagreement is listed in the audit below." if unresolved else
        f"There are {present.number(len(conflicts))} places where two printed sources disagree about the same figure; "
        "a rule settles each of them (for example, the report for that year wins).",
        "Trust whole-council totals and complaint counts most; treat a flagged figure, or a small count, as a rough guide.",
    ]
    text = "\n\n".join(lines)
    numeric = conflicts[pd.to_numeric(conflicts["chosen_value"], errors="coerce").notna()
                        & pd.to_numeric(conflicts["other_value"], errors="coerce").notna()]
    if len(numeric):
        worst = numeric.assign(gap=_relative_gap(numeric)).sort_values("gap", ascending=False).head(WORST)
        items = []
        for _, row in worst.iterrows():
            where = ", ".join(x for x in (present.council_period(row["council"], str(row["period"])),
                                          present.division(row["division"]) if row["division"] else "",
                                          present.measure(row["measure"])) if x)
            chosen = present.citation(str(row["chosen_source"]).split(";")[0].split(",")[0])
            other = present.citation(str(row["other_source"]).split(";")[0].split(",")[0])
            kind = "gbp" if str(row["measure"]).endswith("_gbp") else "count"
            items.append(f"- {where}: {present.number(float(row['chosen_value']), kind)} ({chosen.markdown()}) against "
                         f"{present.number(float(row['other_value']), kind)} ({other.markdown()}) — "
                         f"{present.conflict_kind(row['kind'])}.")
        text += "\n\n**The largest disagreements:**\n\n" + "\n".join(items)
    return text
