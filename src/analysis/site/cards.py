"""The front page's card charts: each question's primary estimate drawn with its likely range.

Why the site draws these itself: a card quotes its question's primary (findings key ``primary``), and
the review found cards over charts of other numbers (a +26 pts gap over a chart of 61% → 74%; a
COVID card whose chart does not show its 310). Drawn from the same record the card quotes, the chart
shows the card's own number, in the same words (``Primary.value_text``, ``range_text``), beside a
line for "no change", so the strength of the evidence can be seen. The notebook's own charts stay on
the question's page, a click away.
"""
from __future__ import annotations

import base64
import textwrap

from ..studies.primary import Primary

# the estimate's axis in words, by unit (studies/primary.py's units); {counts}: "aspects", "complaints"
AXIS_LABELS = {
    "percentage points": "Difference in the share of {counts}, percentage points",
    "rate ratio": "{first_year} to {last_year}: {counts}, as a ratio (1 = no change)",
    "% a year": "Growth in {counts}, % a year",
}
ESTIMATE_COLOUR = "#0072B2"  # charts.PALETTE[0]
NO_CHANGE_COLOUR = "#595959"  # 7:1 against white
# wrapped to the chart's width (4.5 in at 12-13 pt), so the SVG is never widened and shrunk on a phone
LABEL_CHARS = 44
CHART_HEIGHT_IN = 1.9  # one estimate needs less height than a notebook chart (charts.fit_for_phone's 2.8 in)


def axis_label(p: Primary) -> str:
    years = sorted(p.years)
    template = AXIS_LABELS.get(p.unit) or (p.unit[:1].upper() + p.unit[1:])
    return template.format(counts=p.counts or "figures", first_year=years[0] if years else "",
                           last_year=years[-1] if years else "")


def chart_title(p: Primary) -> str:
    """The card's number as the card quotes it: "+26 pts, likely range +1 to +44 pts" (the chart's alt text; the
    chart draws the number over its dot and the range under its bar)."""
    return f"{p.value_text}, likely range {p.range_text}" if p.range_text else p.value_text


def estimate_chart(p: Primary) -> tuple[str, str] | None:
    """(data: URI of an SVG, alt text) of ``p``'s estimate and likely range; None when it has no number."""
    if p.value is None or p.low is None or p.high is None:
        return None
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter

    from .. import charts
    from .typeset import MINUS

    charts.setup()
    fig, ax = plt.subplots(figsize=(charts.FIGURE_WIDTH_IN, CHART_HEIGHT_IN))
    ends = [p.low, p.high] + ([p.null] if p.null is not None else [])
    pad = (max(ends) - min(ends)) * 0.18 or 1.0
    ax.set_xlim(min(ends) - pad, max(ends) + pad)
    ax.set_ylim(-1, 1.25)
    ax.hlines(0, p.low, p.high, colors=ESTIMATE_COLOUR, linewidth=7, label="likely range")
    ax.plot([p.value], [0], "o", color=ESTIMATE_COLOUR, markersize=13, markeredgecolor="white",
            markeredgewidth=2, label="estimate")
    ax.annotate(p.value_text, (p.value, 0), xytext=(0, 14), textcoords="offset points", ha="center",
                va="bottom", fontsize=14, fontweight="bold", color="#1b1b1b")
    ax.annotate(f"likely range {p.range_text}" if p.range_text else "likely range", ((p.low + p.high) / 2, 0), xytext=(0, -14), textcoords="offset points",
                ha="center", va="top", fontsize=charts.MIN_TEXT_PT, color="#1b1b1b")
    if p.null is not None:
        ax.axvline(p.null, color=NO_CHANGE_COLOUR, linestyle="--", linewidth=1.5)
        left, right = ax.get_xlim()
        on_left = p.null < (left + right) / 2  # the label on the side with room, inside the chart
        ax.annotate("no change", (p.null, 1.2), xytext=(4 if on_left else -4, 0), textcoords="offset points",
                    ha="left" if on_left else "right", va="top", fontsize=charts.MIN_TEXT_PT, color=NO_CHANGE_COLOUR)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}".replace("-", MINUS)))  # a true minus sign
    ax.set_yticks([])
    ax.grid(axis="y", visible=False)
    for side in ("left", "right", "top"):
        ax.spines[side].set_visible(False)
    ax.set_xlabel(textwrap.fill(axis_label(p), LABEL_CHARS))
    null_words = "; the dashed line marks no change" if p.null is not None else ""
    alt = f"{chart_title(p)}{null_words}. {p.scope}."
    svg = _svg(fig)
    encoded = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return f"data:image/svg+xml;base64,{encoded}", alt


def _svg(fig) -> str:
    """The figure as SVG text, its own size kept (charts.render would make it a notebook chart's height); text
    stays at least charts.MIN_TEXT_PT, so it reads at 11 px or more on a phone's card."""
    import io

    import matplotlib.pyplot as plt

    from .. import charts

    for text in fig.findobj(lambda artist: hasattr(artist, "get_fontsize") and hasattr(artist, "get_text")):
        if text.get_text().strip() and text.get_fontsize() < charts.MIN_TEXT_PT:
            text.set_fontsize(charts.MIN_TEXT_PT)
    fig.tight_layout(pad=0.4)
    buffer = io.StringIO()  # the figure's own size (no "tight" box, which would widen it past its slot)
    fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    plt.close(fig)
    return buffer.getvalue()
