"""A Frictionless-style description of the clean tables: ``data/clean/datapackage.json``.

Written by ``python -m analysis clean`` after the tables, it says for each table
(``observations``, ``reconciled``, ``conflicts``) its fields with types, meanings, units and
vocabularies (``constraints.enum`` / ``pattern``, taken from the code's own vocabularies and
the data dictionary), the sha256 of the CSV, and for the whole package the raw reports it was
made from (file and sha256, from ``data/raw/manifest.csv``) and the code that made it
(package version and a sha256 over the source of ``src/analysis``). It holds no timestamp, so
cleaning twice gives the same bytes.

It is a valid Frictionless Data package (v5 ``frictionless``): types, constraints, each table's
primary key and the foreign key from conflicts to reconciled hold on the data, and
``tests/clean/test_datapackage.py`` runs ``frictionless validate`` on it. The resources come
from ``tables()``: a new clean table is one more ``Table`` there.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from .. import __version__
from ..councils import LONDON_COUNCILS
from ..observations import COLUMNS, DIVISIONS, STAGES, UNITS
from ..paths import Paths
from .claims import CLAIM_COLUMNS
from .dictionary import CLAIM_COLUMNS as CLAIM_COLUMN_MEANINGS
from .dictionary import CONFLICT_COLUMNS, EXTRACTION_FLAGS, MEASURES, OBSERVATION_COLUMNS, RECONCILED_COLUMNS
from .manifest import read_manifest, sha256_of
from .quality import FLAG_CODES
from .reconcile import CONFLICT_COLUMNS as CONFLICT_FIELDS
from .reconcile import CONFLICT_KINDS, KEY, RULES

NAME = "datapackage.json"
PERIOD = r"^\d{4}-\d{2}$"
VALUE_UNIT = "given row by row in the `unit` field: count, percent (0-100 scale) or gbp (pounds sterling)"
RECONCILED_FIELDS = [*KEY, "value", "unit", "rule", "n_sources", "n_values", "source_file", "source_line",
                     "table", "report_period", "quality_flag", "alternatives"]
TYPES = {"value": "number", "source_line": "integer", "n_sources": "integer", "n_values": "integer",
         "chosen_value": "number", "other_value": "number", "claimed_value": "number", "computed_value": "number",
         "alternatives": "array"}  # a JSON list of the other printed figures (value, file, line, table)


@dataclass(frozen=True)
class Table:
    """One clean table as a package resource: its columns, their notes, and the keys that hold on it."""

    stem: str
    columns: list[str]
    notes: dict[str, str]
    title: str
    primary_key: list[str]
    foreign_keys: list[dict] = field(default_factory=list)
    loose: frozenset[str] = frozenset()  # columns left without vocabulary constraints (empty when unclassified)


def code_version(package: Path | None = None) -> dict:
    """The package version and a sha256 over every ``.py`` file of the package (path and bytes)."""
    from ..fingerprint import PACKAGE, source_sha256

    return {"package": "analysis", "version": __version__, "source_sha256": source_sha256(package or PACKAGE)}


def _descriptions(grouped: dict[str, str]) -> dict[str, str]:
    """The dictionary's column notes (some name several columns, ``council … measure`` the key) by column."""
    out = {}
    for names, text in grouped.items():
        columns = KEY if names == "council … measure" else [n.strip() for n in names.split(",")]
        out.update({c: text for c in columns})
    return out


def tables() -> list[Table]:
    """The clean tables, in package order, with the keys that truly hold on them.

    observations → reconciled is not a foreign key: a figure printed as missing ("-", "n/a")
    has no chosen value, so its key is absent from reconciled on purpose. Nor is conflicts →
    reconciled: a wrong prose claim (``prose_vs_table``) can name a quantity no table prints under
    that key (Bromley 2019-20 line 479's "32% reduction" is a computed change).
    """
    return [
        Table("observations", COLUMNS, OBSERVATION_COLUMNS,
              "Every printed figure, one row per figure per source line", [*KEY, "source_file", "source_line"]),
        Table("reconciled", RECONCILED_FIELDS, _descriptions(RECONCILED_COLUMNS),
              "One chosen value per key, with the rule and every alternative", KEY),
        Table("conflicts", CONFLICT_FIELDS, _descriptions(CONFLICT_COLUMNS),
              "Every disagreement between two sources, or a printed figure and what its parts give",
              [*KEY, "kind", "chosen_source", "other_source"]),
        Table("claims", CLAIM_COLUMNS, _descriptions(CLAIM_COLUMN_MEANINGS),
              "Every numeric claim of the reports' narrative, checked against their tables",
              [],  # no key: one line can state the same figure twice ("8% … 8%", Lewisham line 242)
              loose=frozenset({"division", "period", "measure", "category"})),
    ]


def _constraints(name: str, sources: list[str], councils: list[str]) -> dict:
    flags = "|".join(sorted({**FLAG_CODES, **EXTRACTION_FLAGS}))
    return {
        "council": {"enum": councils},
        "period": {"pattern": PERIOD}, "report_period": {"pattern": PERIOD},
        "quarter": {"enum": ["Q1", "Q2", "Q3", "Q4"]},
        "division": {"enum": sorted(DIVISIONS)}, "stage": {"enum": sorted(STAGES)},
        "measure": {"enum": sorted(MEASURES)}, "unit": {"enum": sorted(UNITS)},
        "source_file": {"enum": sources}, "source_line": {"minimum": 1},
        "quality_flag": {"pattern": rf"^({flags})(;({flags}))*$"},
        "rule": {"enum": sorted(RULES)}, "kind": {"enum": sorted(CONFLICT_KINDS)},
        "n_sources": {"minimum": 1}, "n_values": {"minimum": 1},
        "chosen_source": {"pattern": r"^data/raw/[^:]+:\d+$"},
        "other_source": {"pattern": r"^data/raw/[^:]+(:\d+(,\d+)*)?$"},
    }.get(name, {})


def _field(name: str, description: str, constraints: dict) -> dict:
    field = {"name": name, "type": TYPES.get(name, "string"), "description": description}
    if name in {"value", "chosen_value", "other_value"}:
        field["unit"] = VALUE_UNIT
    if constraints:
        field["constraints"] = constraints
    return field


def _resource(paths: Paths, table: Table, sources: list[str], councils: list[str]) -> dict:
    fields = [_field(c, table.notes.get(c, ""), {} if c in table.loose else _constraints(c, sources, councils))
              for c in table.columns]
    schema = {"fields": fields, "missingValues": [""]}
    if table.primary_key:
        schema["primaryKey"] = table.primary_key
    if table.foreign_keys:
        schema["foreignKeys"] = table.foreign_keys
    path = paths.clean / f"{table.stem}.csv"
    return {"profile": "tabular-data-resource", "name": table.stem, "title": table.title, "path": path.name,
            "format": "csv", "mediatype": "text/csv", "encoding": "utf-8", "hash": f"sha256:{sha256_of(path)}", "schema": schema}


def describe(paths: Paths) -> dict:
    """The package description of the tables now in ``data/clean``."""
    entries = read_manifest(paths)
    sources = sorted(e.source_file for e in entries)
    councils = sorted(set(LONDON_COUNCILS) | {e.council for e in entries})
    return {
        "profile": "tabular-data-package",
        "name": "council-complaints-clean",
        "title": "Complaints to English local councils: every printed figure, reconciled, with its conflicts",
        "description": "Made by `python -m analysis clean` from the raw reports below; see docs/data_dictionary.md.",
        "code": code_version(),
        "sources": [{"title": e.description, "path": e.source_file, "council": e.council,
                     "report_period": e.report_period, "template": e.template, "sha256": e.sha256}
                    for e in sorted(entries, key=lambda e: e.file)],
        "resources": [_resource(paths, table, sources, councils) for table in tables()],
    }


def write_datapackage(paths: Paths) -> Path:
    """Write ``data/clean/datapackage.json`` (atomically, deterministic bytes)."""
    target = paths.clean / NAME
    text = json.dumps(describe(paths), indent=2, ensure_ascii=False) + "\n"
    tmp = target.with_suffix(".json.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(target)
    return target
