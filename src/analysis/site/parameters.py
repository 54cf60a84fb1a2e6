"""A notebook's ``council`` and ``period`` parameters, checked against the manifest and the run plan.

One check for every notebook (each calls ``check_parameters`` in its first code cell) and for
``python -m analysis run``: a typo ("bromly"), a capital ("Bromley") or another spelling of a year
("2023/24") must never turn into a confident "not reported" page. Spellings are normalised; an
unknown value stops with the known ones; a council or period the data holds nothing for, for this
notebook's question, stops with the plan's reason (the same words the site's index gives).
"""
from __future__ import annotations

import csv
from typing import NamedTuple

from ..clean.manifest import read_manifest
from ..councils import council_label
from ..parsing import parse_period, slug
from ..paths import Paths
from .runs import NOTEBOOK_PLANS, PERIOD_SCOPED_NEEDS, Run, study_plan, unmet_needs


class ParameterError(ValueError):
    """A council or period no run of this notebook can use: the message names the known values."""


class NoDataError(ParameterError):
    """A valid council and period for which the data hold nothing this notebook answers (and why)."""


class Checked(NamedTuple):
    council: str
    period: str


def normalise_council(name: str) -> str:
    """"Bromley", " bromley ", "Barking & Dagenham" → the manifest's id ("all" stays "all")."""
    text = (name or "").strip()
    return "all" if text.lower() == "all" else slug(text.replace("&", " and "))


def normalise_period(text: str) -> str:
    """"2023/24", "2023-2024", "23/24" → "2023-24"; "" stays ""; anything else is returned as typed."""
    text = (text or "").strip()
    return (parse_period(text) or text) if text else ""


def data_periods(paths: Paths, council: str) -> list[str]:
    """The financial years with figures in ``council``'s own reports (every council's for "all")."""
    entries = read_manifest(paths)
    own = {e.source_file: e.council for e in entries}
    found: set[str] = set()
    path = paths.clean / "observations.csv"
    if path.is_file():
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                if row["period"] and own.get(row["source_file"]) == row["council"] and council in ("all", row["council"]):
                    found.add(row["period"])
    return sorted(found)


def check_parameters(notebook: str, council: str, period: str = "", paths: Paths | None = None) -> Checked:
    """``(council, period)`` normalised, or ``ParameterError`` naming the known values, or
    ``NoDataError`` saying why this notebook has nothing to say for them."""
    paths = paths or Paths.discover()
    notebook = notebook.split("__")[0]  # a papermill run_id ("02_root_causes__bromley") names its notebook
    kind = NOTEBOOK_PLANS.get(notebook, "single")
    entries = read_manifest(paths)
    councils = sorted({e.council for e in entries})
    wanted = normalise_council(council)
    allowed = councils if kind == "report" else ["all", *councils]
    if wanted not in allowed:
        raise ParameterError(f"{notebook}: unknown council {council!r}; the manifest (data/raw/manifest.csv) lists "
                             f"{', '.join(allowed)}")
    label = "every council" if wanted == "all" else council_label(wanted)
    when = normalise_period(period)
    if kind == "report":
        listed = sorted(e.report_period for e in entries if e.council == wanted)
        if when not in listed:
            raise ParameterError(f"{notebook}: {label} has no report for period {period!r} in the manifest; "
                                 f"its reports: {', '.join(listed)}")
    elif when:
        known = data_periods(paths, wanted)
        if when not in known:
            raise ParameterError(f"{notebook}: period {period!r} is not a year {label}'s reports hold figures for; "
                                 f"they hold {', '.join(known) or 'none'} (or leave period empty)")
    reason = no_data_reason(paths, notebook, wanted, when)
    if reason:
        raise NoDataError(f"{notebook} has nothing to say for {label}"
                          + (f" in {when}" if when else "") + f": {reason}")
    return Checked(wanted, when)


def no_data_reason(paths: Paths, notebook: str, council: str, period: str = "") -> str:
    """Why the plan leaves this (notebook, council[, period]) out ("" when it has data): the index's words."""
    plan = study_plan(paths, notebook=notebook, council=council)
    for skip in plan.skipped:
        params = dict(skip.run.params)
        if params.get("council") == council and params.get("period", period) == period:
            return skip.reason
    if period and council != "all" and notebook in PERIOD_SCOPED_NEEDS:
        from .runs import own_rows

        rows = [row for row in own_rows(paths, read_manifest(paths))[council] if row["period"] == period]
        missing = unmet_needs(notebook, rows)
        if missing:
            return "no " + " and no ".join(missing) + f" in its reports for {period}"
    return ""


def is_planned(paths: Paths, run: Run) -> bool:
    """True when ``run`` is one of the study's own runs (``make study`` publishes it)."""
    return run in study_plan(paths, notebook=run.notebook).runs


# -- what `python -m analysis run` is asked for ------------------------------------------

def notebook_stems(paths: Paths) -> list[str]:
    return sorted(p.stem for p in paths.notebooks.glob("[0-9]*.ipynb"))


def match_notebook(paths: Paths, name: str) -> str:
    """"02_root_causes", "02_Root_Causes.ipynb", "02" or "root_causes" → "02_root_causes" (any case)."""
    stems = notebook_stems(paths)
    key = name.strip().lower().removesuffix(".ipynb").removeprefix("notebooks/")
    found = [s for s in stems if s.lower() == key] or [s for s in stems if key in s.lower().split("_", 1)]
    if len(found) != 1:
        raise ParameterError(f"no notebook {name!r} in notebooks/; the notebooks are {', '.join(stems)}")
    return found[0]


def notebook_parameters(paths: Paths, stem: str) -> set[str]:
    """The names the notebook's tagged parameters cell assigns."""
    import json
    import re

    cells = json.loads((paths.notebooks / f"{stem}.ipynb").read_text(encoding="utf-8"))["cells"]
    for cell in cells:
        if "parameters" in cell.get("metadata", {}).get("tags", []):
            return set(re.findall(r"^(\w+)\s*=", "".join(cell["source"]), re.M))
    return set()


def requested_runs(paths: Paths, *, notebook: str | None = None, council: str | None = None,
                   period: str | None = None):
    """The runs (and plan skips, with why) that ``run --notebook/--council/--period`` asks for.

    Names are matched case-insensitively and periods in any printed style. A combination the plan
    does not hold (root causes for Bromley 2019-20) becomes an extra run when the notebook takes those
    parameters and the data hold something for them. Raises ``ParameterError`` when nothing matches
    or a value is unknown, ``NoDataError`` (with the reason) when the data hold nothing for it."""
    import re

    from .runs import Plan, default_parameter

    stem = match_notebook(paths, notebook) if notebook else None
    councils = sorted({e.council for e in read_manifest(paths)})
    wanted = normalise_council(council) if council else None
    if wanted and wanted not in ["all", *councils]:
        raise ParameterError(f"unknown council {council!r}; the manifest (data/raw/manifest.csv) lists "
                             f"all, {', '.join(councils)}")
    when = normalise_period(period) if period else None
    if when and not re.fullmatch(r"\d{4}-\d{2}", when):
        raise ParameterError(f"--period {period!r} is not a financial year such as 2023-24")
    plan = study_plan(paths, notebook=stem)
    selected = Plan(failed_reports=plan.failed_reports)
    for item in [*plan.runs, *plan.skipped]:
        run = item if isinstance(item, Run) else item.run
        params = dict(run.params)
        if wanted and params.get("council", default_parameter(paths.notebooks / f"{run.notebook}.ipynb", "council")) != wanted:
            continue
        if when and params.get("period") != when:
            continue
        (selected.runs if isinstance(item, Run) else selected.skipped).append(item)
    if stem and (wanted or when) and not selected.runs and not selected.skipped:
        names = notebook_parameters(paths, stem)
        for option, value in (("council", wanted), ("period", when)):
            if value and option not in names:
                raise ParameterError(f"{stem} has no {option} parameter (its parameters: {', '.join(sorted(names))})")
        checked = check_parameters(stem, wanted or default_parameter(paths.notebooks / f"{stem}.ipynb", "council"),
                                   when or "", paths)
        params = (("council", checked.council),) + ((("period", checked.period),) if checked.period else ())
        selected.runs.append(Run(stem, params, extra=True))
    if not selected.runs and not selected.skipped:
        asked = ", ".join(f"--{k} {v}" for k, v in (("notebook", notebook), ("council", council), ("period", period)) if v)
        raise ParameterError(f"no run of the study matches {asked}; `python -m analysis run --list` shows them all")
    return selected
