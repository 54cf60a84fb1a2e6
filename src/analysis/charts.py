"""Chart conventions: a colour-blind-safe palette at 3:1 contrast, finding-as-title, charts that read on a phone.

``show(fig)`` lays a figure out for a phone-width slot (side-by-side panels stacked, text at least
``MIN_TEXT_PT``, legends off the data, direct labels instead of a legend of more than three lines),
and displays it as an SVG whose alt text is the chart's title, axis labels and numbers. The chart's
data travel with it (as CSV, in the output's metadata): the site publishes them beside the chart.

Why these sizes: a chart is drawn ``FIGURE_WIDTH_IN`` wide and shrinks with the page. The narrowest
slot it must fill is a front-page card on a 390 px phone (about ``NARROWEST_SLOT_PX``); the smallest
text there is ``MIN_TEXT_PT * slot / width`` pixels, so the width and the smallest size are set to
keep that at or above ``MIN_RENDERED_PX``.
"""
from __future__ import annotations

import io
import math
import textwrap

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import seaborn as sns  # noqa: E402

# Okabe–Ito's colour-blind-safe hues, with orange, sky blue and yellow (under 3:1 against white)
# swapped for darker ones; every colour is at least 3:1 against white (tests/test_charts.py checks).
PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#8C6D00", "#882255", "#332288", "#767676",
           "#117733", "#AA4499"]
MIN_RENDERED_PX = 11.0  # the smallest chart text, in CSS pixels, on a 390 px phone
NARROWEST_SLOT_PX = 318  # a front-page card's image on a 390 px phone
FIGURE_WIDTH_IN = 4.5
MIN_TEXT_PT = 11.5
MAX_LEGEND = 3  # more series than this: each line labelled at its end instead of a colour-only legend


def contrast_ratio(colour: str, background: str = "#FFFFFF") -> float:
    """WCAG 2 contrast ratio of two colours."""
    def luminance(hex_colour: str) -> float:
        h = hex_colour.lstrip("#")
        channels = [int(h[i:i + 2], 16) / 255 for i in (0, 2, 4)]
        channels = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2]

    high, low = sorted((luminance(colour), luminance(background)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def setup() -> None:
    """The palette, a plain style and phone-sized text for every chart of the study."""
    sns.set_theme(style="whitegrid", palette=PALETTE, rc={
        "figure.dpi": 100, "axes.titleweight": "bold", "font.size": 12, "axes.titlesize": 13,
        "axes.labelsize": 12, "xtick.labelsize": MIN_TEXT_PT, "ytick.labelsize": MIN_TEXT_PT,
        "legend.fontsize": MIN_TEXT_PT, "figure.figsize": (FIGURE_WIDTH_IN, 3.4), "svg.fonttype": "none",
        "axes.unicode_minus": True,
        # the same chart gives the same SVG bytes (its clip-path ids are hashed with this salt, random by
        # default): a page re-rendered from unchanged data stays byte-identical (tests/site/test_new_council…)
        "svg.hashsalt": "complaints-study"})


def alt_text(fig, data=None) -> str:
    """The figure's title(s), axis labels and (up to 30 of) its numbers, for screen readers."""
    parts = []
    if fig._suptitle is not None and fig._suptitle.get_text():
        parts.append(_one_line(fig._suptitle.get_text()))
    for ax in _plot_axes(fig):
        bits = [_one_line(ax.get_title() or ax.get_title(loc="left") or ax.get_title(loc="right"))]
        if ax.get_xlabel():
            bits.append(f"x axis: {_one_line(ax.get_xlabel())}")
        if ax.get_ylabel():
            bits.append(f"y axis: {_one_line(ax.get_ylabel())}")
        parts.append("; ".join(b for b in bits if b))
    text = ". ".join(p for p in parts if p) or "Chart"
    if data is not None and len(data):
        values = []
        for r in data.head(30).itertuples():
            series = _one_line(getattr(r, "series", "") or "")
            values.append(f"{series + ' ' if series else ''}{r.category}: {_fmt(r.value)}".strip())
        text += ". Values: " + "; ".join(values) + ("; …" if len(data) > 30 else "") + "."
    return text


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _fmt(value: float) -> str:
    if value is None or not math.isfinite(value):
        return "—"
    text = f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"
    return text.replace("-", "\u2212")


def _plot_axes(fig) -> list:
    return [ax for ax in fig.axes if ax.get_label() != "<colorbar>" and ax.get_visible()]


# --- the chart's data, as a table ----------------------------------------------------------------


def _tick_names(ax, axis: str) -> dict:
    ticks = ax.get_yticks() if axis == "y" else ax.get_xticks()
    labels = ax.get_yticklabels() if axis == "y" else ax.get_xticklabels()
    return {round(float(t), 6): _one_line(lab.get_text()) for t, lab in zip(ticks, labels) if lab.get_text()}


def _name(position: float, names: dict) -> str:
    key = round(float(position), 6)
    return names.get(key, _fmt(position))


def chart_data(fig):
    """The numbers a figure draws, one row each (panel, series, category, value): from its lines,
    bars, points and heat-map cells. Read from the drawn artists, so it is exactly what is shown."""
    import numpy as np
    import pandas as pd
    from matplotlib.collections import PathCollection, QuadMesh
    from matplotlib.container import BarContainer

    fig.canvas.draw()
    rows = []
    axes = _plot_axes(fig)
    for ax in axes:
        panel = _one_line(ax.get_title() or ax.get_title(loc="left")) if len(axes) > 1 else ""
        xnames, ynames = _tick_names(ax, "x"), _tick_names(ax, "y")
        for container in ax.containers:
            if not isinstance(container, BarContainer):
                continue
            series = "" if container.get_label().startswith("_") else container.get_label()
            horizontal = container.orientation == "horizontal"
            for patch in container.patches:
                if horizontal:
                    rows.append((panel, series, _name(patch.get_y() + patch.get_height() / 2, ynames), patch.get_width()))
                else:
                    rows.append((panel, series, _name(patch.get_x() + patch.get_width() / 2, xnames), patch.get_height()))
        for line in ax.get_lines():
            label = line.get_label()
            raw_x = list(np.asarray(line.get_xdata(), dtype=object).ravel())
            xy = line.get_xydata()
            if label.startswith("_") or len(xy) < 1 or len(raw_x) != len(xy):
                continue
            for original, (xi, yi) in zip(raw_x, xy):
                name = original if isinstance(original, str) else _name(xi, xnames)
                rows.append((panel, label, name, float(yi)))
        for collection in ax.collections:
            if isinstance(collection, PathCollection) and not collection.get_label().startswith("_"):
                for xi, yi in collection.get_offsets():
                    rows.append((panel, collection.get_label(), _name(xi, xnames), float(yi)))
            elif isinstance(collection, QuadMesh):
                grid = np.asarray(collection.get_array())
                cols, lines = list(xnames.values()), list(ynames.values())
                if grid.size == len(cols) * len(lines) and grid.size:
                    for i, row_name in enumerate(lines):
                        for j, col_name in enumerate(cols):
                            rows.append((panel, row_name, col_name, float(grid.reshape(len(lines), len(cols))[i, j])))
    frame = pd.DataFrame(rows, columns=["panel", "series", "category", "value"])
    frame["value"] = frame["value"].astype(float)
    return frame.drop(columns=[c for c in ("panel", "series") if not frame[c].astype(bool).any()])


# --- laying a figure out for a phone -------------------------------------------------------------


def _texts(fig):
    from matplotlib.text import Text

    return [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]


def _wrap(text: str, chars: int) -> str:
    return "\n".join(textwrap.fill(p, max(12, chars)) for p in str(text).split("\n") if p.strip()) if text else text


def _stack_panels(fig) -> int:
    """Side-by-side panels one above the other (a phone is narrow and tall). Returns the rows."""
    axes = _plot_axes(fig)
    specs = [ax.get_subplotspec() for ax in axes]
    if not axes or any(s is None for s in specs) or len(fig.axes) != len(axes):
        return 1
    nrows, ncols = specs[0].get_geometry()[:2]
    if ncols == 1 or nrows != 1:
        return 1  # already one column (or a grid left as drawn): its height is kept
    grid = fig.add_gridspec(ncols, 1)
    for ax, spec in zip(axes, specs):
        ax.set_subplotspec(grid[spec.colspan.start, 0])
        ax.yaxis.set_tick_params(labelleft=True)
    return ncols


def _direct_labels(ax, lines) -> None:
    """Each line's name at its last point, in the line's colour, nudged apart so none overlap. The
    axes' right part of the figure is kept free for them (``fit_for_phone`` reserves it)."""
    import numpy as np

    fig = ax.figure
    fig.canvas.draw()
    ends = []
    for line in lines:
        xy = np.asarray(line.get_xydata(), dtype=float)
        x, y = xy[:, 0], xy[:, 1]
        ok = np.isfinite(x) & np.isfinite(y)
        if ok.any():
            ends.append((ax.transData.transform((x[ok][-1], y[ok][-1]))[1], x[ok][-1], y[ok][-1], line))
    texts = [_wrap(line.get_label(), 18) for *_, line in ends]
    heights = [(t.count("\n") + 1) * MIN_TEXT_PT * 1.15 * fig.dpi / 72 for t in texts]
    order = sorted(range(len(ends)), key=lambda i: ends[i][0])
    placed: dict[int, float] = {}
    top = None
    for i in order:  # bottom to top: each label's lower edge above the previous label's upper edge
        centre = ends[i][0]
        if top is not None:
            centre = max(centre, top + heights[i] / 2)
        placed[i] = centre
        top = centre + heights[i] / 2
    ceiling = ax.get_window_extent().y1
    if top is not None and top > ceiling:  # the stack runs above the plot: move it all down
        for i in placed:
            placed[i] -= top - ceiling
    for i, (display_y, x, y, line) in enumerate(ends):
        ax.annotate(texts[i], xy=(x, y), xycoords="data", xytext=(6, (placed[i] - display_y) * 72 / fig.dpi),
                    textcoords="offset points", va="center", ha="left", fontsize=MIN_TEXT_PT,
                    color=line.get_color(), annotation_clip=False)


def _legends_off_the_data(fig, renderer) -> None:
    from matplotlib.lines import Line2D

    axes = _plot_axes(fig)
    if len(axes) > 1 and any(ax.get_legend() for ax in axes):  # several panels: one legend under them all
        entries = {}
        for ax in axes:
            if ax.get_legend() is not None:
                for handle, label in zip(*ax.get_legend_handles_labels()):
                    entries.setdefault(label, handle)
                ax.get_legend().remove()
        fig.legend(list(entries.values()), [_wrap(lab, 40) for lab in entries], loc="upper center",
                   bbox_to_anchor=(0.5, 0.0), ncol=1, frameon=False, fontsize=MIN_TEXT_PT)
        return
    for ax in axes:
        legend = ax.get_legend()
        if legend is None:
            continue
        handles, labels = ax.get_legend_handles_labels()
        lines = [h for h in handles if isinstance(h, Line2D) and len(h.get_xdata()) > 1]
        if len(lines) > MAX_LEGEND:  # more lines than colours can be told apart by: each named at its end
            ax._study_direct_labels = lines
            rest = [(h, lab) for h, lab in zip(handles, labels) if h not in lines]
            legend.remove()
            if rest:
                ax.legend([h for h, _ in rest], [_wrap(lab, 36) for _, lab in rest], loc="upper left", frameon=False,
                          fontsize=MIN_TEXT_PT)
                ax._study_legend_below = True
        else:
            legend.remove()
            ax.legend(handles, [_wrap(lab, 40) for lab in labels], loc="upper left", frameon=False,
                      fontsize=MIN_TEXT_PT)
            ax._study_legend_below = True


def _place_legends_below(fig, renderer) -> None:
    for ax in _plot_axes(fig):
        legend = ax.get_legend()
        if legend is None or not getattr(ax, "_study_legend_below", False):
            continue
        legend.set_visible(False)
        box = ax.get_tightbbox(renderer)
        legend.set_visible(True)
        bottom = ax.transAxes.inverted().transform((box.x0, box.y0))[1]
        left = ax.transAxes.inverted().transform((box.x0, box.y0))[0]
        figure_left = ax.transAxes.inverted().transform(fig.transFigure.transform((0.01, 0)))[0]
        legend.set_bbox_to_anchor((max(left, figure_left), bottom - 0.02), transform=ax.transAxes)


def fit_for_phone(fig, width_in: float = FIGURE_WIDTH_IN) -> None:
    """Lay ``fig`` out ``width_in`` wide with no text under MIN_TEXT_PT (see the module docstring)."""
    rows = _stack_panels(fig)
    if fig.get_layout_engine() is not None:  # a study's own tight_layout() left its engine: ours lays out
        fig.set_layout_engine("none")
    old_w, old_h = fig.get_size_inches()
    panel_h = old_h / rows if rows > 1 and old_w <= width_in * 1.2 else old_h
    panel_h = min(max(panel_h, 2.8), 4.8) if panel_h < 6 else panel_h
    fig.set_size_inches(width_in, panel_h * rows)
    for ax in _plot_axes(fig):
        ax.tick_params(axis="both", labelsize=MIN_TEXT_PT)
        _whole_years(ax)
    for text in _texts(fig):
        if text.get_fontsize() < MIN_TEXT_PT:
            text.set_fontsize(MIN_TEXT_PT)
    chars = int(width_in * 72 / (0.56 * 13))
    if fig._suptitle is not None and fig._suptitle.get_text():  # wrapped for its own (larger) font size
        title_chars = int(width_in * 72 / (0.58 * max(fig._suptitle.get_fontsize(), 13)))
        fig._suptitle.set_text(_wrap(_one_line(fig._suptitle.get_text()), title_chars))
    fig.canvas.draw()
    for ax in _plot_axes(fig):
        for loc in ("center", "left", "right"):
            if ax.get_title(loc=loc):
                ax.set_title(_wrap(_one_line(ax.get_title(loc=loc)), chars), loc=loc)
        ax.set_xlabel(_wrap(_one_line(ax.get_xlabel()), int(chars * 1.1)))
        ax.set_ylabel(_wrap(_one_line(ax.get_ylabel()), 28))
        _wrap_category_ticks(ax)
    renderer = fig.canvas.get_renderer()
    _legends_off_the_data(fig, renderer)
    _tight(fig)
    _rotate_crowded_ticks(fig, renderer)
    labelled = [ax for ax in _plot_axes(fig) if getattr(ax, "_study_direct_labels", None)]
    if labelled:  # room on the right for the line names, then the names placed on the final layout
        _tight(fig)
        fig.canvas.draw()
        _place_legends_below(fig, renderer)
        _tight(fig)
        fig.subplots_adjust(right=0.62)
        _rotate_crowded_ticks(fig, renderer)
        fig.canvas.draw()
        needed = max(sum((_wrap(line.get_label(), 18).count("\n") + 1) * MIN_TEXT_PT * 1.15 / 72
                         for line in ax._study_direct_labels) - ax.get_window_extent().height / fig.dpi
                     for ax in labelled)
        if needed > 0:  # taller, so the names fit beside the plot
            w, h = fig.get_size_inches()
            fig.set_size_inches(w, h + needed + 0.2)
            _tight(fig)
            fig.subplots_adjust(right=0.62)
        fig.canvas.draw()
        _place_legends_below(fig, renderer)
        for ax in labelled:
            _direct_labels(ax, ax._study_direct_labels)
        for _ in range(3):  # names wider than the room left: a narrower plot
            fig.canvas.draw()
            box = fig.get_tightbbox(renderer)
            if box.width <= width_in * 1.02:
                break
            fig.subplots_adjust(right=max(0.35, fig.subplotpars.right - (box.width - width_in) / width_in - 0.01))
        return
    _room_for_category_labels(fig)
    _figure_legends_below(fig)
    for _ in range(2):
        _tight(fig)
        _fit_titles(fig)
        _tight(fig)
        _room_for_category_labels(fig)
        _tight(fig)
        fig.canvas.draw()
        _place_legends_below(fig, renderer)
    _tight(fig)
    fig.canvas.draw()
    _place_legends_below(fig, renderer)  # again: the last layout moved the axes the legends hang from
    for _ in range(4):  # text that sticks out (a legend, a label) would shrink the whole chart: narrow the plot instead
        fig.canvas.draw()
        box = fig.get_tightbbox(renderer)
        if box.width <= width_in * 1.02:
            break
        w, h = fig.get_size_inches()
        fig.set_size_inches(max(3.4, w - (box.width - width_in) - 0.05), h)
        _fit_titles(fig)
        _tight(fig)
        fig.canvas.draw()
        _place_legends_below(fig, renderer)


def _whole_years(ax) -> None:
    """An x axis of whole numbers (years) ticked at whole numbers, never 2017.5."""
    import numpy as np
    from matplotlib.ticker import MaxNLocator

    xs = [np.asarray(line.get_xydata(), dtype=float)[:, 0] for line in ax.get_lines() if len(line.get_xydata())]
    xs = np.concatenate(xs) if xs else np.array([])
    xs = xs[np.isfinite(xs)]
    from matplotlib.ticker import AutoLocator

    if type(ax.xaxis.get_major_locator()) is not AutoLocator:  # categories or ticks a study set itself
        return
    if len(xs) and np.allclose(xs, np.round(xs)):
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))


def _fit_titles(fig) -> None:
    """Axes titles re-wrapped to the room they have: a left-aligned title from the axes' left edge to the
    figure's right edge, a centred one over the axes (else tight layout squeezes the plot to fit them)."""
    width = fig.get_size_inches()[0] * fig.dpi
    for ax in _plot_axes(fig):
        box = ax.get_window_extent()
        for loc in ("left", "center", "right"):
            title = ax.get_title(loc=loc)
            if not title:
                continue
            size = ax.title.get_fontsize() if loc == "center" else getattr(ax, f"_{loc}_title").get_fontsize()
            room = {"left": width - box.x0, "right": box.x1,
                    "center": 2 * min(box.x0 + box.width / 2, width - box.x0 - box.width / 2)}[loc]
            chars = int(room * 72 / fig.dpi / (0.58 * size))
            ax.set_title(_wrap(_one_line(title), chars), loc=loc)
        if ax.get_xlabel():  # the x label no wider than the plot (else the plot is squeezed to fit it)
            size = ax.xaxis.label.get_fontsize()
            ax.set_xlabel(_wrap(_one_line(ax.get_xlabel()), max(22, int(box.width * 72 / fig.dpi / (0.55 * size)))))


def _room_for_category_labels(fig) -> None:
    """A taller figure (once) where wrapped category names need more height than their rows have."""
    if getattr(fig, "_study_room_made", False):
        return
    fig._study_room_made = True
    fig.canvas.draw()
    ratio = 1.0
    for ax in _plot_axes(fig):
        labels = [t for t in ax.get_yticklabels() if t.get_visible() and t.get_text()]
        height = ax.get_window_extent().height / fig.dpi
        if labels and height > 0:
            lines = sum(t.get_text().count("\n") + 1 for t in labels)
            ratio = max(ratio, lines * MIN_TEXT_PT * 1.3 / 72 / height)
    w, h = fig.get_size_inches()
    if ratio > 1 and h < 8:
        fig.set_size_inches(w, min(h * min(ratio, 2.5), 9))


def _figure_legends_below(fig) -> None:
    """A figure-level legend in two columns under the plots, so it is no wider than the figure."""
    for legend in list(fig.legends):
        handles, labels = legend.legend_handles, [t.get_text() for t in legend.get_texts()]
        legend.remove()
        fig.legend(handles, [_wrap(lab, 36) for lab in labels], loc="upper center", bbox_to_anchor=(0.5, 0.0),
                   ncol=1, frameon=False, fontsize=MIN_TEXT_PT)


def _rotate_crowded_ticks(fig, renderer) -> None:
    """x tick labels that touch each other turned 45°."""
    fig.canvas.draw()
    for ax in _plot_axes(fig):
        boxes = [t.get_window_extent(renderer) for t in ax.get_xticklabels() if t.get_visible() and t.get_text()]
        if any(a.x1 + 2 > b.x0 for a, b in zip(boxes, boxes[1:])):
            for t in ax.get_xticklabels():
                t.set_rotation(45)
                t.set_ha("right")
                t.set_rotation_mode("anchor")


def _tight(fig) -> None:
    import warnings

    if fig.get_layout_engine() is not None and fig.get_layout_engine().__class__.__name__ != "PlaceHolderLayoutEngine":
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            fig.tight_layout()
        except (ValueError, RuntimeError):
            pass


def _wrap_category_ticks(ax) -> None:
    """Long category names on the axes wrapped (y: 22 characters, x: 12), so the plot keeps its width."""
    from .present import humanise_label

    for axis, width in (("y", 26), ("x", 12)):
        labels = ax.get_yticklabels() if axis == "y" else ax.get_xticklabels()
        texts = [humanise_label(lab.get_text()) for lab in labels]
        if texts != [lab.get_text() for lab in labels]:
            ticks = ax.get_yticks() if axis == "y" else ax.get_xticks()
            (ax.set_yticks if axis == "y" else ax.set_xticks)(ticks, texts)
        if not any(len(t) > width and any(c.isalpha() for c in t) for t in texts):
            continue
        ticks = ax.get_yticks() if axis == "y" else ax.get_xticks()
        wrapped = [_wrap(t, width) for t in texts]
        if axis == "y":
            ax.set_yticks(ticks, wrapped)
        else:
            ax.set_xticks(ticks, wrapped, rotation=0)


# --- display -------------------------------------------------------------------------------------


def show_sections(sections) -> None:
    """Display (markdown text, figure or None) pairs in order: a study's per-council sections."""
    from IPython.display import Markdown, display

    for text, figure in sections:
        display(Markdown(text))
        if figure is not None:
            show(figure)


def render(fig, alt: str | None = None, source: str | None = None) -> tuple[str, dict]:
    """(SVG text, metadata) of a figure laid out for a phone: alt text with its numbers, its data as CSV."""
    fit_for_phone(fig)
    data = chart_data(fig)
    described = alt_text(fig, data)
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None, "Creator": None})
    plt.close(fig)
    meta = {"alt": f"{alt}. {described.split('. Values: ', 1)[1]}" if alt and ". Values: " in described
            else (alt or described), "csv": data.to_csv(index=False)}
    if source:
        meta["source"] = source
    return buffer.getvalue(), meta


def show(fig, alt: str | None = None, headline: bool = False, source: str | None = None) -> None:
    """Display ``fig`` as an embedded SVG with alt text and its data, then close it.

    ``headline``: the chart that shows the page's primary finding; the index's driver card uses it
    (else the page's first chart). ``source``: the chart's source line (the reports it draws on)."""
    from IPython.display import display

    svg, meta = render(fig, alt, source)
    if headline:
        meta["headline"] = True
    display({"image/svg+xml": svg, "text/plain": meta["alt"]}, raw=True, metadata={"image/svg+xml": meta})
