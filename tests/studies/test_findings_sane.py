"""No findings file of the study publishes a degenerate estimate (issue 16): every number is finite, and a
ratio, rate, share or interval bound is a plausible number, or null with a ``not_estimable`` reason beside it.

Runs over every findings JSON of the whole study — notebooks 00–06, every parameter set (council,
report) the study plans — as built by the session's ``built_site`` fixture (tests/conftest.py), so no
notebook is run here a second time."""
import json
import math

from analysis.paths import Paths

# keys (substrings, lower case) whose value is a ratio, rate, share, dispersion or an interval bound
SUSPECT_KEYS = ("ratio", "low", "high", "estimate", "rate", "share", "phi", "dispersion", "pct")
MAX_MAGNITUDE = 1e6
NON_FINITE_TEXT = ("nan", "inf", "-inf", "infinity", "-infinity")


def _bad_values(node, path=""):
    """(path, value) for every number no page may show: any non-finite number, and under a
    ratio-like key a non-finite text or a magnitude beyond ``MAX_MAGNITUDE``."""
    if isinstance(node, dict):
        for key, value in node.items():
            here = f"{path}.{key}"
            suspect = any(k in str(key).lower() for k in SUSPECT_KEYS)
            if isinstance(value, str) and value.strip().lower() in NON_FINITE_TEXT and suspect:
                yield here, value
            elif isinstance(value, (int, float)) and not isinstance(value, bool) and (
                    not math.isfinite(value) or (suspect and abs(value) > MAX_MAGNITUDE)):
                yield here, value
            else:
                yield from _bad_values(value, here)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            if isinstance(value, (int, float)) and not isinstance(value, bool) and not math.isfinite(value):
                yield f"{path}[{i}]", value
            else:
                yield from _bad_values(value, f"{path}[{i}]")


def _load(path):
    # parse_constant keeps a bare Infinity/NaN literal (json.dumps writes them) visible to the walker
    return json.loads(path.read_text(encoding="utf-8"), parse_constant=lambda c: float(c))


def test_the_walker_catches_what_it_must():
    bad = {"a": {"rate_ratio": 1.16e17, "low": float("inf"), "high": "NaN"}, "b": [{"ratio_to_trend": -math.inf}],
           "c": {"financial_total_gbp": float("nan"), "values": [1.0, float("inf")]},
           "ok": {"ratio": 0.7, "low": None, "high": 0.86, "label": "inf", "financial_total_gbp": 2.5e6,
                  "not_estimable": "a compared count is zero"}}
    assert sorted(p for p, _ in _bad_values(bad)) == [".a.high", ".a.low", ".a.rate_ratio", ".b[0].ratio_to_trend",
                                                      ".c.financial_total_gbp", ".c.values[1]"]


def test_a_bare_infinity_literal_in_a_findings_file_is_caught(tmp_path):
    path = tmp_path / "x.json"
    path.write_text(json.dumps({"primary": {"estimate": float("inf"), "low": 0.5}}), encoding="utf-8")
    assert "Infinity" in path.read_text(encoding="utf-8")
    assert [p for p, _ in _bad_values(_load(path))] == [".primary.estimate"]


def test_no_findings_file_of_the_study_holds_a_degenerate_value(built_site):
    from analysis.clean.manifest import read_manifest
    from analysis.site.runs import plan_runs

    paths = Paths(built_site.parents[1])
    planned = {run.run_id for run in plan_runs(paths)}
    files = {p.stem: p for p in sorted(paths.findings.glob("*.json"))}
    assert planned and not planned - set(files), f"planned runs without findings: {sorted(planned - set(files))}"
    notebooks = {p.stem for p in paths.notebooks.glob("[0-9]*.ipynb")}
    assert {f"0{i}" for i in range(7)} <= {s[:2] for s in notebooks}
    assert {run_id.split("__", 1)[0] for run_id in files} >= notebooks  # every notebook wrote findings
    councils = {e.council for e in read_manifest(paths)}
    without = sorted(c for c in councils if not any(f"__{c}" in run_id for run_id in files))
    assert not without, f"councils with no findings of their own: {without}"
    for stem, path in files.items():
        findings = _load(path)
        bad = list(_bad_values(findings))
        assert not bad, f"{path.name}: {bad[:5]}"
        if stem.startswith("05_covid_dip"):
            assert findings["key_findings"] and 3 <= len(findings["key_findings"]) <= 5, path.name
