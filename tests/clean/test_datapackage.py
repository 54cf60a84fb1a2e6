"""data/clean/datapackage.json describes the clean tables truthfully."""
from __future__ import annotations

import csv
import json
import re
import shutil

import pandas as pd
import pytest

from analysis.clean.datapackage import code_version, describe
from analysis.clean.manifest import sha256_of
from analysis.paths import Paths

from conftest import SEED_ROOT

CLEAN = SEED_ROOT / "data" / "clean"


@pytest.fixture(scope="module")
def package() -> dict:
    path = CLEAN / "datapackage.json"  # built by conftest's session fixture
    return json.loads(path.read_text(encoding="utf-8"))


def _resources(package):
    return {r["name"]: r for r in package["resources"]}


def test_four_tables_described(package):
    assert set(_resources(package)) == {"observations", "reconciled", "conflicts", "claims"}


def _errors(report) -> list[tuple[str, str, int | None, str | None]]:
    """(resource, error type, row, field) of every error a frictionless report holds."""
    return [(task.name, error.type, getattr(error, "row_number", None), getattr(error, "field_name", None))
            for task in report.tasks for error in task.errors]


def test_frictionless_validates_the_package():
    from frictionless import validate

    report = validate(CLEAN / "datapackage.json")  # what `frictionless validate data/clean/datapackage.json` runs
    assert report.valid, _errors(report)[:20]
    assert {task.name for task in report.tasks} == {"observations", "reconciled", "conflicts", "claims"}


def _plant(path, edit) -> None:
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(edit(lines)), encoding="utf-8")


def test_frictionless_rejects_planted_bad_rows(tmp_path):
    """A unit outside the vocabulary, a duplicated key and a conflict of an unknown kind each fail."""
    from frictionless import validate

    copy = tmp_path / "clean"
    shutil.copytree(CLEAN, copy)
    # data row 1 of observations.csv is a count (unit `count`); make it `dozens`
    _plant(copy / "observations.csv", lambda lines: [lines[0], lines[1].replace(",count,", ",dozens,", 1), *lines[2:]])
    _plant(copy / "reconciled.csv", lambda lines: [*lines, lines[1]])  # the first key twice
    _plant(copy / "conflicts.csv", lambda lines: [*lines, lines[1]])  # the first conflict twice
    errors = _errors(validate(copy / "datapackage.json"))
    types = {(name, kind) for name, kind, _, _ in errors}
    assert ("observations", "constraint-error", 2, "unit") in errors
    assert ("reconciled", "primary-key") in types
    assert ("conflicts", "primary-key") in types
    assert ("observations", "hash-count") in types  # the sha256 in the package no longer matches either


def test_fields_match_csv_columns(package):
    for name, resource in _resources(package).items():
        with (CLEAN / resource["path"]).open(encoding="utf-8", newline="") as fh:
            header = next(csv.reader(fh))
        assert [f["name"] for f in resource["schema"]["fields"]] == header, name
        assert all(f["description"] for f in resource["schema"]["fields"]), name


def test_values_hold_types_and_constraints(package):
    for name, resource in _resources(package).items():
        frame = pd.read_csv(CLEAN / resource["path"], dtype=str, keep_default_na=False)
        for field in resource["schema"]["fields"]:
            values = frame[field["name"]][frame[field["name"]] != ""]  # "" is the missing value
            if field["type"] == "integer":
                assert values.str.fullmatch(r"-?\d+").all(), (name, field["name"])
            if field["type"] == "number":
                pd.to_numeric(values, errors="raise")
            constraints = field.get("constraints", {})
            if "enum" in constraints:
                outside = set(values) - set(constraints["enum"])
                assert not outside, (name, field["name"], sorted(outside))
            if "pattern" in constraints:
                bad = [v for v in values if not re.fullmatch(constraints["pattern"], v)]
                assert not bad, (name, field["name"], bad[:5])
            if "minimum" in constraints:
                assert (pd.to_numeric(values) >= constraints["minimum"]).all(), (name, field["name"])


def test_vocabularies_are_real(package):
    fields = {f["name"]: f for f in _resources(package)["observations"]["schema"]["fields"]}
    assert "childrens_social_care" in fields["division"]["constraints"]["enum"]
    assert "pct_on_time" in fields["measure"]["constraints"]["enum"]
    assert fields["unit"]["constraints"]["enum"] == ["count", "gbp", "percent"]
    assert "unit" in fields["value"]  # the value's unit is stated (row by row, in `unit`)


def test_raw_sha256_match_the_files(package):
    assert len(package["sources"]) == 5
    for source in package["sources"]:
        assert sha256_of(SEED_ROOT / source["path"]) == source["sha256"], source["path"]


def test_table_hashes_match(package):
    for resource in package["resources"]:
        assert resource["hash"] == f"sha256:{sha256_of(CLEAN / resource['path'])}", resource["name"]


def test_code_version_and_no_timestamp(package, tmp_path):
    # the clean data names the code that made it (the hash moves with every code edit)
    assert package["code"]["version"] == code_version()["version"]
    assert re.fullmatch(r"[0-9a-f]{64}", package["code"]["source_sha256"])
    (tmp_path / "a.py").write_text("x = 1\n")
    before = code_version(tmp_path)
    assert code_version(tmp_path) == before
    (tmp_path / "a.py").write_text("x = 2\n")
    assert code_version(tmp_path)["source_sha256"] != before["source_sha256"]
    text = json.dumps(package)
    assert not re.search(r"\d{4}-\d{2}-\d{2}T\d{2}:", text)


def test_describe_is_deterministic():
    paths = Paths(SEED_ROOT)
    assert describe(paths) == describe(paths)
