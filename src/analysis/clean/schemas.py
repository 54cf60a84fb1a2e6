"""Table contracts for the clean tables, as pandera DataFrameModels, checked before ``clean`` writes.

``check_tables`` stops the clean with one line naming the table, the column and the first bad
row, so a broken extraction never replaces the previous ``data/clean``. Vocabularies come from
the same code the data package describes them with. Imported lazily by the clean step only
(pandera pulls in pandas; the no-change ``python -m analysis all`` path must not).
"""
from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from pandera.dtypes import immutable
from pandera.engines import pandas_engine
from pandera.typing import Series

from ..observations import DIVISIONS, STAGES, UNITS
from .claims import VERDICTS
from .dictionary import MEASURES
from .reconcile import CONFLICT_KINDS, KEY, RULES

PERIOD = r"^\d{4}-\d{2}$"
RAW_FILE = r"^data/raw/[^/]+$"


@pandas_engine.Engine.register_dtype
@immutable(init=True)
class Text(pandas_engine.STRING):
    """pandera's string dtype, checked once per column. pandera's own answers element by element
    for a column that already has the dtype, then formats an empty failure table for it: ~2 ms
    a column, a third of the whole check. ``coerce`` still makes every column this dtype first."""

    def check(self, pandera_dtype, data_container=None):
        return super().check(pandera_dtype, None)


class CleanTableError(ValueError):
    """A clean table breaks its contract; nothing was written."""


class _Keyed(pa.DataFrameModel):
    """The key every clean table shares (council … measure); optional parts are missing, never a code."""

    council: Series[Text] = pa.Field(str_matches=r"^[a-z]+(_[a-z]+)*$")  # a new council (add-report --new-council) too
    period: Series[Text] = pa.Field(str_matches=PERIOD)
    quarter: Series[Text] = pa.Field(isin=["", "Q1", "Q2", "Q3", "Q4"], nullable=True)
    division: Series[Text] = pa.Field(isin=sorted(DIVISIONS))
    service: Series[Text] = pa.Field(nullable=True)
    category: Series[Text] = pa.Field(nullable=True)
    stage: Series[Text] = pa.Field(isin=sorted(STAGES))
    measure: Series[Text] = pa.Field(isin=sorted(MEASURES))

    class Config:
        coerce = True  # object or string columns alike: what is checked is the values


class ObservationsModel(_Keyed):
    report_period: Series[Text] = pa.Field(str_matches=PERIOD)
    category_std: Series[Text] = pa.Field(nullable=True)
    value: Series[float] = pa.Field(nullable=True)  # missing as printed ("-", "n/a"), never zero
    unit: Series[Text] = pa.Field(isin=sorted(UNITS))
    source_file: Series[Text] = pa.Field(str_matches=RAW_FILE)
    source_line: Series[int] = pa.Field(ge=1)
    table: Series[Text]
    quality_flag: Series[Text] = pa.Field(nullable=True)

    class Config:
        strict = True  # exactly the contract's columns
        unique = [*KEY, "source_file", "source_line"]


class ReconciledModel(_Keyed):
    value: Series[float]  # a chosen value exists for every reconciled key
    unit: Series[Text] = pa.Field(isin=sorted(UNITS))
    rule: Series[Text] = pa.Field(isin=sorted(RULES))
    n_sources: Series[int] = pa.Field(ge=1)
    n_values: Series[int] = pa.Field(ge=1)
    source_file: Series[Text] = pa.Field(str_matches=RAW_FILE)
    source_line: Series[int] = pa.Field(ge=1)
    table: Series[Text]
    report_period: Series[Text] = pa.Field(str_matches=PERIOD)
    quality_flag: Series[Text] = pa.Field(nullable=True)
    alternatives: Series[Text] = pa.Field(nullable=True)

    class Config:
        strict = True
        unique = KEY


class ConflictsModel(_Keyed):
    kind: Series[Text] = pa.Field(isin=sorted(CONFLICT_KINDS))
    chosen_value: Series[float]
    chosen_source: Series[Text] = pa.Field(str_matches=r"^data/raw/[^:]+:\d+$")
    other_value: Series[float] = pa.Field(nullable=True)  # pct_vs_counts: no percentage derivable from the counts
    other_source: Series[Text] = pa.Field(str_matches=r"^data/raw/[^:]+(:\d+(,\d+)*)?$")
    rule: Series[Text] = pa.Field(isin=sorted(RULES))

    class Config:
        strict = True


class ClaimsModel(pa.DataFrameModel):
    """A numeric claim of a report's prose, with its verdict; a verdict always says why."""

    council: Series[Text] = pa.Field(str_matches=r"^[a-z]+(_[a-z]+)*$")
    report_period: Series[Text] = pa.Field(str_matches=PERIOD)
    source_file: Series[Text] = pa.Field(str_matches=RAW_FILE)
    source_line: Series[int] = pa.Field(ge=1)
    division: Series[Text] = pa.Field(nullable=True, isin=["", *sorted(DIVISIONS)])  # "": the claim names none
    period: Series[Text] = pa.Field(nullable=True, str_matches=r"^(\d{4}-\d{2})?$")
    measure: Series[Text] = pa.Field(nullable=True)
    category: Series[Text] = pa.Field(nullable=True)
    unit: Series[Text] = pa.Field(isin=sorted(UNITS))
    claimed_value: Series[float]  # a claim is a printed figure
    quantity: Series[Text]
    text: Series[Text] = pa.Field(str_length={"min_value": 1})
    verdict: Series[Text] = pa.Field(isin=sorted(VERDICTS))
    computed_value: Series[float] = pa.Field(nullable=True)
    computed_source: Series[Text] = pa.Field(nullable=True)
    reason: Series[Text] = pa.Field(nullable=True)

    @pa.dataframe_check
    def wrong_claims_give_the_computed_value_and_its_source(cls, frame: pd.DataFrame) -> pd.Series:
        return (frame["verdict"] != "wrong") | (frame["computed_value"].notna() & frame["computed_source"].fillna("").ne(""))

    @pa.dataframe_check
    def unchecked_claims_say_why(cls, frame: pd.DataFrame) -> pd.Series:
        return (frame["verdict"] != "not_checkable") | frame["reason"].fillna("").ne("")

    class Config:
        coerce = True
        strict = True


MODELS = {"observations": ObservationsModel, "reconciled": ReconciledModel, "conflicts": ConflictsModel,
          "claims": ClaimsModel}
for _model in MODELS.values():
    _model.to_schema()  # built (and cached by pandera) on import, which the CLI does while the reports are cleaned


def check_tables(frames: dict[str, pd.DataFrame]) -> None:
    """Raise ``CleanTableError`` (table, column, first bad row and value) unless every table keeps its contract."""
    for name, frame in frames.items():
        try:
            MODELS[name].validate(frame, lazy=False)
        except pa.errors.SchemaError as error:
            raise CleanTableError(_explain(name, frame, error)) from None


def _explain(name: str, frame: pd.DataFrame, error: pa.errors.SchemaError) -> str:
    cases = error.failure_cases if isinstance(error.failure_cases, pd.DataFrame) else None
    column = getattr(error.schema, "name", None) or "(table)"
    whole_row = column == MODELS[name].__name__  # a check across columns: the row, not one value, is bad
    column = "(row)" if whole_row else column
    where = ""
    if cases is not None and len(cases) and "index" in cases:
        index = cases["index"].iloc[0]
        row = frame.loc[index] if index in frame.index else None
        where = f", first bad row {index}" + ("" if whole_row else f": {cases['failure_case'].iloc[0]!r}")
        if row is not None and "source_file" in frame:
            where += f" ({row['source_file']}, line {row.get('source_line', '?')})" if "source_line" in frame else ""
    check = error.check if error.check is not None else error.reason_code
    return (f"clean stopped, nothing written: {name}.{column} fails {check}{where}. "
            "Fix the extraction (src/analysis/clean/) and run `python -m analysis clean` again.")
