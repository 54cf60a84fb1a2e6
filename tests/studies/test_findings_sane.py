"""No findings file of the COVID notebook publishes a degenerate estimate (issue 16): a ratio or an
interval bound is a finite, plausible number, or null with a ``not_estimable`` reason beside it."""
import json
import math

from analysis.paths import Paths

SUSPECT_KEYS = ("ratio", "low", "high")
MAX_MAGNITUDE = 1e6


def _bad_values(node, path=""):
    """(path, value) for every number under a ratio/low/high key that no page may show."""
    if isinstance(node, dict):
        for key, value in node.items():
            here = f"{path}.{key}"
            if any(k in str(key).lower() for k in SUSPECT_KEYS) and not isinstance(value, (dict, list)):
                if isinstance(value, str) and value.strip().lower() in ("nan", "inf", "-inf", "infinity", "-infinity"):
                    yield here, value
                elif isinstance(value, (int, float)) and not isinstance(value, bool) and (
                        not math.isfinite(value) or abs(value) > MAX_MAGNITUDE):
                    yield here, value
            yield from _bad_values(value, here)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _bad_values(value, f"{path}[{i}]")


def test_the_walker_catches_what_it_must():
    bad = {"a": {"rate_ratio": 1.16e17, "low": float("inf"), "high": "NaN"}, "b": [{"ratio_to_trend": -math.inf}],
           "ok": {"ratio": 0.7, "low": None, "high": 0.86, "label": "inf"}}
    assert sorted(p for p, _ in _bad_values(bad)) == [".a.high", ".a.low", ".a.rate_ratio", ".b[0].ratio_to_trend"]


def test_covid_findings_hold_no_degenerate_ratio():
    from conftest import run_notebooks

    run_notebooks("--notebook", "05_covid_dip", "--force")
    files = sorted(Paths.discover().findings.glob("05_covid_dip*.json"))
    assert files, "the run wrote no 05_covid_dip findings"
    for path in files:
        # parse_constant keeps a bare Infinity/NaN literal visible as a string the walker rejects
        findings = json.loads(path.read_text(encoding="utf-8"), parse_constant=lambda c: c)
        bad = list(_bad_values(findings))
        assert not bad, f"{path.name}: {bad[:5]}"
        assert findings["key_findings"] and 3 <= len(findings["key_findings"]) <= 5, path.name
