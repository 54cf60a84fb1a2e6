"""Over-dispersion of upheld rates across a council's services, shared by the contracted and SEN studies.

Bromley's service tables give, for every service of every division, the complaint aspects and
how many were fully or partly upheld. Across those services the upheld rates vary far more
than binomial chance allows (φ = Pearson χ² / (k − 1) well above 1): aspects of one complaint
are decided together and services genuinely differ. That φ is the one both studies use to
widen their intervals (effective counts n/φ), and the funnel shows which services stand out
once it is allowed for.

That between-service φ is NOT the study's variance model for aspects (docs/methods.md): it counts the
services' real differences as noise, so it is shown as a labelled sensitivity. The model is
:func:`complaint_design_effect`: the year's aspects per complaint, read from the same report.

The intervals themselves (:func:`analysis.stats.aspect_share`, :func:`analysis.stats.aspect_difference`)
live in the core.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..data import select
from ..stats import Funnel, aspects_design_effect, funnel, pearson_dispersion

SERVICE_TABLE = "service_aspects"


def service_outcomes(obs: pd.DataFrame, council: str, period: str) -> pd.DataFrame:
    """Every service row of every division's service table in one year: aspects and upheld-or-partly.

    Columns: division, service, aspects, upheld_or_partially. Services with no aspects are kept
    (the funnel and φ skip them); a service whose upheld or partly-upheld count was not
    recovered is left out (missing is not zero).
    """
    rows = select(obs, council=council, table=SERVICE_TABLE, period=period, quarter="", category="")
    rows = rows[(rows["service"] != "") & rows["value"].notna()
                & rows["measure"].isin(["aspects", "upheld", "partially_upheld"])]
    if rows.empty:
        return pd.DataFrame(columns=["division", "service", "aspects", "upheld_or_partially"])
    wide = rows.pivot_table(index=["division", "service"], columns="measure", values="value",
                            aggfunc="first").reset_index()
    for column in ("aspects", "upheld", "partially_upheld"):
        if column not in wide:
            wide[column] = np.nan
    wide["upheld_or_partially"] = wide["upheld"] + wide["partially_upheld"]
    wide = wide.dropna(subset=["aspects", "upheld_or_partially"])
    return wide[["division", "service", "aspects", "upheld_or_partially"]].sort_values(
        ["division", "service"], kind="mergesort").reset_index(drop=True)


@dataclass(frozen=True)
class ServiceDispersion:
    council: str
    period: str
    phi: float  # Pearson φ of the services' upheld rates around the pooled rate
    services: int  # services with at least one aspect (the k of φ)
    printed: int  # service rows printed, including those with no aspects
    pooled: float
    funnel: Funnel  # dispersion-adjusted limits
    plain: Funnel  # the same without the adjustment (φ taken as 1)
    table: pd.DataFrame  # service_outcomes

    def point(self, division: str, service: str, adjusted: bool = True):
        """The funnel point of one service (None when the service is not in the table)."""
        label = f"{division}|{service}"
        for p in (self.funnel if adjusted else self.plain).points:
            if p.label == label:
                return p
        return None

    def record(self) -> dict:
        """Plain data for the findings JSON."""
        return {"council": self.council, "period": self.period, "phi": self.phi, "services": self.services,
                "service_rows_printed": self.printed, "pooled_rate": self.pooled,
                "method": "Pearson chi-square / (k - 1) of the services' fully-or-partly upheld rates "
                          "(aspects) around the pooled rate; intervals use effective counts n / phi"}


def service_dispersion(obs: pd.DataFrame, council: str, period: str) -> ServiceDispersion | None:
    """φ and the funnel of a council's service upheld rates in one year (None without a service table)."""
    table = service_outcomes(obs, council, period)
    used = table[table["aspects"] > 0]
    if len(used) < 2:
        return None
    labels = used["division"] + "|" + used["service"]
    adjusted = funnel(labels, used["upheld_or_partially"], used["aspects"], adjust=True)
    plain = funnel(labels, used["upheld_or_partially"], used["aspects"], adjust=False)
    phi = pearson_dispersion(used["upheld_or_partially"], used["aspects"])
    return ServiceDispersion(council, period, phi, len(used), len(table), adjusted.pooled, adjusted, plain, table)


ASPECTS_TABLE = "proportion_upheld"  # the outcome summary: aspects per division (all = without E&PP)
COMPLAINTS_TABLE = "complaints_by_division_multi_year"  # complaints per division, several years


@dataclass(frozen=True)
class DesignEffect:
    """φ of variance model 1 for one council, year and division: aspects per complaint, with its sources."""

    council: str
    period: str
    division: str
    aspects: float
    complaints: float
    phi: float  # aspects / complaints (NaN when either is not printed)
    source: str  # "file:line;file:line" of the two figures


def complaint_design_effect(obs: pd.DataFrame, council: str, period: str, division: str = "all") -> DesignEffect:
    """The study's φ for shares of aspects (variance model 1, :func:`analysis.stats.aspects_design_effect`):
    the division's aspects in the year's outcome summary over its complaints in the division table,
    both from the year's own report. ``division="all"`` is the council's total as those tables print it
    (Bromley: without Environment & Public Protection). NaN φ when either figure is not printed."""
    rows = obs[(obs["council"] == council) & (obs["period"] == period) & (obs["report_period"] == period)
               & (obs["division"] == division) & (obs["service"] == "") & (obs["category"] == "")
               & (obs["quarter"] == "") & (obs["stage"] == "all") & obs["value"].notna()]
    aspects = rows[(rows["measure"] == "aspects") & (rows["table"] == ASPECTS_TABLE)]
    complaints = rows[(rows["measure"] == "complaints") & (rows["table"] == COMPLAINTS_TABLE)]
    a = float(aspects["value"].iloc[0]) if not aspects.empty else float("nan")
    c = float(complaints["value"].iloc[0]) if not complaints.empty else float("nan")
    source = ";".join(f"{r['source_file']}:{int(r['source_line'])}" for r in
                      [*aspects.head(1).to_dict("records"), *complaints.head(1).to_dict("records")])
    return DesignEffect(council, period, division, a, c, aspects_design_effect(a, c), source)


def linked_sources(text: str, base: str | None = None) -> str:
    """``file:line`` sources (``;``-joined, ``file:first-last`` ranges) as short linked human citations."""
    import re

    from .. import present

    base = present.link_base(base)
    parts = []
    for part in dict.fromkeys(p.strip() for p in str(text).split(";") if p.strip()):
        match = re.fullmatch(r"(.+\.txt):(\d+)-(\d+)", part)
        if match:
            c = present.citation(match.group(1), match.group(2))
            parts.append(f"[{c.text.replace(', line ', ', lines ')}–{match.group(3)}]({base}{c.href})")
        else:
            parts.append(present.link_sources(part, base))
    return "; ".join(parts)
