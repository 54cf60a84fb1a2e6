"""The root-cause taxonomy: the reviewed crosswalk covers every printed label, and bad files are refused."""
from __future__ import annotations

import shutil

import pandas as pd
import pytest

from analysis.clean.pipeline import run_clean
from analysis.clean.taxonomy import (
    CROSSWALK_FILE,
    NON_CAUSE,
    TAXONOMY_FILE,
    TaxonomyError,
    load_taxonomy,
    normalise,
    standardise,
    unmapped,
)
from analysis.data import load_observations
from analysis.paths import Paths

from conftest import ROOT


@pytest.fixture(scope="module")
def taxonomy():
    return load_taxonomy(Paths(ROOT))


def test_every_category_in_the_clean_data_is_mapped(paths, taxonomy):
    """Fails when an extractor emits a label the crosswalk lacks: add a row, re-run `analysis clean`."""
    observations = load_observations(paths)
    missing = unmapped(observations, taxonomy)
    assert missing.empty, "unmapped labels (add them to data/reference/root_cause_crosswalk.csv):\n" + missing.to_string()
    # …and the cleaner filled category_std from the crosswalk as it stands now
    categorised = observations[observations["category"] != ""]
    assert (categorised["category_std"] == standardise(categorised, taxonomy)).all(), "re-run `python -m analysis clean`"
    assert (observations.loc[observations["category"] == "", "category_std"] == "").all()


def test_known_labels_map_as_reviewed(taxonomy):
    # Bromley 2023-24 causes-for-complaint table (bromley_2023-24…txt:137) and the division tables' spelling (:301)
    assert taxonomy.code_of("bromley", "Lack of Action") == "lack_of_action"
    assert taxonomy.code_of("bromley", "Lack of action") == "lack_of_action"
    assert taxonomy.code_of("bromley", "Billing / Charging") == taxonomy.code_of("bromley", "Billing & Charging") == "charging_billing"
    # Barking & Dagenham children's nature table (barking-and-dagenham_2018-19…txt:94)
    assert taxonomy.code_of("barking_and_dagenham", "Poor Communication") == "communication_information"
    assert taxonomy.code_of("barking_and_dagenham", "Inadequate Services Provided by a Third Party") == "third_party_provider"
    # Harrow adults' nature examples (harrow_2019-20…txt:922, :932)
    assert taxonomy.code_of("harrow", "Bias") == "discrimination_bias"
    assert taxonomy.code_of("harrow", "Unhappy with LA decision") == "disputed_decision"
    # Lewisham: contact methods and enquiry types are not causes; missed collections are (lewisham_2020-21…txt:224)
    assert taxonomy.code_of("lewisham", "Email") == NON_CAUSE
    assert taxonomy.code_of("lewisham", "MP") == NON_CAUSE
    assert taxonomy.code_of("lewisham", "Missed Collection (Enviro Services)") == "lack_of_action"
    # A label is mapped per council: Bromley does not print "Poor Communication"
    assert taxonomy.code_of("bromley", "Poor Communication") == ""


def test_normalise_folds_case_and_whitespace_only():
    assert normalise("  Lack   of\tAction ") == "lack of action"
    assert normalise("Billing / Charging") != normalise("Billing & Charging")


def test_every_crosswalk_row_has_a_rationale_and_a_defined_code(taxonomy):
    assert set(taxonomy.crosswalk["code"]) <= set(taxonomy.codes["code"])
    assert (taxonomy.crosswalk["rationale"].str.len() > 0).all()
    assert len(taxonomy.codes) <= 15  # a small set, as designed


def _planted(tmp_path, edit) -> Paths:
    root = tmp_path / "project"
    shutil.copytree(ROOT / "data" / "reference", root / "data" / "reference")
    edit(root / "data" / "reference")
    return Paths(root)


def _append(path, line):
    with path.open("a", encoding="utf-8") as handle:
        handle.write(line + "\n")


@pytest.mark.parametrize("edit, message", [
    (lambda ref: _append(ref / CROSSWALK_FILE, "bromley,Lack of Action (new),no_such_code,planted"), "not in the taxonomy"),
    (lambda ref: _append(ref / CROSSWALK_FILE, "bromley,LACK  OF action,lack_of_action,planted"), "duplicate (council, raw_label)"),
    (lambda ref: _append(ref / CROSSWALK_FILE, "bromley,Some label,,planted"), "empty cell"),
    (lambda ref: _append(ref / TAXONOMY_FILE, "delay,Delay again,planted"), "duplicate code"),
    (lambda ref: (ref / CROSSWALK_FILE).write_text("council,label,code\nbromley,Delay,delay\n"), "missing column"),
])
def test_a_planted_bad_crosswalk_is_refused(tmp_path, edit, message):
    paths = _planted(tmp_path, edit)
    with pytest.raises(TaxonomyError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_taxonomy(paths)


def test_the_cleaner_fills_category_std_and_refuses_a_bad_crosswalk(project_copy):
    run_clean(project_copy)
    table = pd.read_csv(project_copy.clean / "observations.csv", dtype=str, keep_default_na=False)
    poor = table[(table["council"] == "barking_and_dagenham") & (table["category"] == "Poor Communication")]
    if len(poor):  # the B&D extractor has landed
        assert set(poor["category_std"]) == {"communication_information"}
    assert set(table.loc[table["category"] == "", "category_std"]) <= {""}
    _append(project_copy.reference / CROSSWALK_FILE, "bromley,Planted,not_a_code,planted")
    with pytest.raises(TaxonomyError):
        run_clean(project_copy)


def test_loader_standardises_any_frame(taxonomy):
    frame = pd.DataFrame({"council": ["bromley", "lewisham", "bromley", "harrow"],
                          "category": ["Service Delay", "Twitter", "", "Something new"]})
    assert standardise(frame, taxonomy).tolist() == ["delay", NON_CAUSE, "", ""]
    assert unmapped(frame.assign(source_file="f", source_line=1), taxonomy)["category"].tolist() == ["Something new"]


def test_a_broken_crosswalk_stops_clean_with_a_message_naming_it(project_copy):
    import subprocess
    import sys

    crosswalk = project_copy.reference / "root_cause_crosswalk.csv"
    crosswalk.write_text("not,the,columns\n1,2,3\n", encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "analysis", "--root", str(project_copy.root), "clean"],
                            capture_output=True, text=True)
    assert result.returncode == 2, result.stderr
    assert "root_cause_crosswalk.csv" in result.stderr and "Traceback" not in result.stderr
