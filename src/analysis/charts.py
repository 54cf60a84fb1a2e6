"""Chart conventions: a colour-blind-safe palette, finding-as-title, alt text on every image.

``show(fig)`` displays a figure as a PNG whose alt text is the chart's title (the finding)
and axis labels, so the published HTML is readable without the image.
"""
from __future__ import annotations

import base64
import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import seaborn as sns  # noqa: E402

PALETTE = sns.color_palette("colorblind")


def setup() -> None:
    """Seaborn's colour-blind palette and a plain style for every chart of the study."""
    sns.set_theme(style="whitegrid", palette=PALETTE, rc={"figure.dpi": 100, "axes.titleweight": "bold"})


def alt_text(fig) -> str:
    """The figure's title(s) and axis labels, as one sentence for screen readers."""
    parts = []
    if fig._suptitle is not None and fig._suptitle.get_text():
        parts.append(fig._suptitle.get_text())
    for ax in fig.axes:
        bits = [ax.get_title() or ax.get_title(loc="left") or ax.get_title(loc="right")]
        if ax.get_xlabel():
            bits.append(f"x axis: {ax.get_xlabel()}")
        if ax.get_ylabel():
            bits.append(f"y axis: {ax.get_ylabel()}")
        parts.append("; ".join(b for b in bits if b))
    return ". ".join(p for p in parts if p) or "Chart"


def show_sections(sections) -> None:
    """Display (markdown text, figure or None) pairs in order: a study's per-council sections."""
    from IPython.display import Markdown, display

    for text, figure in sections:
        display(Markdown(text))
        if figure is not None:
            show(figure)


def show(fig, alt: str | None = None, headline: bool = False) -> None:
    """Display ``fig`` as an embedded PNG with alt text, then close it (no duplicate output).

    ``headline``: the chart that shows the page's primary finding; the index's driver card uses it
    (else the page's first chart)."""
    from IPython.display import display

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", bbox_inches="tight", dpi=100, metadata={"Software": None})
    plt.close(fig)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    display({"image/png": data, "text/plain": alt or alt_text(fig)}, raw=True,
            metadata={"image/png": {"alt": alt or alt_text(fig), **({"headline": True} if headline else {})}})
