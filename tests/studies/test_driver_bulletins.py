"""The policy-page charts and words of the three driver pages (contracted care, SEN, COVID), as a phone
reader gets them (issue 25): no statistical notation in a chart, no two chart labels on top of each other
at phone size, a plot with room for its data, money in whole pounds, and each section's caveat said once.

Built from the seed reports' clean data; figures read by hand from the raw reports at the lines cited."""
from __future__ import annotations

import itertools
import re

import pytest

from analysis import charts
from analysis.data import load_observations, load_reconciled
from analysis.studies import contracted as ct
from analysis.studies import covid, sen

from conftest import ROOT

NOTATION = re.compile(r"[\u0391-\u03a9\u03b1-\u03c9]|\bCI\b|Wilson|Newcombe|\bn\s*/\s*φ|adjusted\)|\bprimary\b")


@pytest.fixture(scope="module")
def data():
    from analysis.studies.caveats import load_caveats

    obs, rec = load_observations(), load_reconciled()
    return {"obs": obs, "sen": sen.analyse(obs, "bromley"), "contracted": ct.build(obs, "all"),
            "contracted harrow": ct.build(obs, "harrow"), "contracted lewisham": ct.build(obs, "lewisham"),
            "covid": covid.summarise(obs, rec, council="all", caveats=load_caveats(ROOT / "data" / "reference"))}


def policy_charts(d) -> dict:
    """Every chart a policy page of the three drivers shows, by name (built fresh: a figure is laid out once)."""
    a, r, s = d["sen"], d["contracted"], d["covid"]
    return {
        "sen trend": lambda: sen.chart_trend(a),
        "sen upheld": lambda: sen.chart_upheld(a),
        "sen ombudsman": lambda: sen.chart_ombudsman(a),
        "sen causes": lambda: sen.chart_causes(a, a.table_years[-1]),
        "contracted rates": lambda: ct.plot_rates(r.rates, ct.title_rates(r), outcomes=("upheld_or_partially",)),
        "contracted evidence": lambda: ct.plot_evidence(r.evidence, ct.title_evidence(r)),
        **{f"contracted evidence, {c}": (lambda r=d[f"contracted {c}"]: ct.plot_evidence(r.evidence, ct.title_evidence(r)))
           for c in ("harrow", "lewisham")},
        "contracted fees": lambda: ct.plot_fees(r.fees, ct.title_fees(r)),
        "covid changes": lambda: covid.draw_changes(s),
        "covid quarters": lambda: covid.draw_quarters(s, next(iter(s["quarters"]))),
        "covid rebound": lambda: covid.draw_rebound(s),
    }


def phone_figure(make):
    fig = make()
    charts.fit_for_phone(fig)
    fig.canvas.draw()
    return fig


def test_policy_charts_say_likely_range_not_notation(data):
    import matplotlib.pyplot as plt

    found = {}
    for name, make in policy_charts(data).items():
        fig = phone_figure(make)
        hits = sorted({t.get_text() for t in charts._texts(fig) if NOTATION.search(t.get_text())})
        plt.close(fig)
        if hits:
            found[name] = hits
    assert not found, found
    assert NOTATION.search("% of aspects (95% interval, φ-adjusted)")  # the label the rates chart used to carry


def _overlaps(fig) -> list[tuple[str, str]]:
    """Pairs of chart texts (tick labels, annotations, titles) whose boxes overlap by more than a pixel. Rotated
    texts (slanted year ticks) are left out: their upright boxes overlap where the slanted words do not."""
    renderer = fig.canvas.get_renderer()
    # a tick label outside the axis' view (the locator's tick above the top) is never drawn: not a clash
    ticks = {id(label): axis for ax in fig.axes for axis in (ax.xaxis, ax.yaxis)
             for tick in axis.get_major_ticks() + axis.get_minor_ticks() for label in (tick.label1, tick.label2)}
    drawn = {id(label) for ax in fig.axes for axis in (ax.xaxis, ax.yaxis)
             for tick in axis._update_ticks() for label in (tick.label1, tick.label2)}
    boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in charts._texts(fig)
             if t.get_text().strip() and t.get_alpha() != 0 and not t.get_rotation()
             and (id(t) not in ticks or id(t) in drawn)]
    clashes = []
    for (ta, a), (tb, b) in itertools.combinations(boxes, 2):
        width = min(a.x1, b.x1) - max(a.x0, b.x0)
        height = min(a.y1, b.y1) - max(a.y0, b.y0)
        if width > 1 and height > 1:
            clashes.append((ta, tb))
    return clashes


@pytest.mark.parametrize("name", ["contracted evidence", "contracted evidence, harrow", "contracted evidence, lewisham",
                                  "covid changes", "sen trend", "covid quarters"])
def test_chart_labels_do_not_overlap_on_a_phone(data, name):
    import matplotlib.pyplot as plt

    fig = phone_figure(policy_charts(data)[name])
    clashes = _overlaps(fig)
    plt.close(fig)
    assert not clashes, clashes


def test_the_sen_trend_chart_is_not_squashed_on_a_phone(data):
    """The plot keeps most of the figure's height (a long legend used to leave it a strip of bars)."""
    import matplotlib.pyplot as plt

    fig = phone_figure(policy_charts(data)["sen trend"])
    ax = charts._plot_axes(fig)[0]
    plot_height = ax.get_window_extent().height / fig.dpi
    assert fig.get_size_inches()[0] == pytest.approx(charts.FIGURE_WIDTH_IN, abs=0.1)
    assert plot_height >= 2.8, plot_height
    plt.close(fig)


def test_sen_money_in_whole_pounds(data):
    a = data["sen"]
    # bromley_2023-24_complaints-and-compliments-annual-report.txt:188 "Total … £30,749.00 … £54,451.42"
    money = sen.text_money(a)
    assert "£30,749 in payments" in money and "of the council's £54,451." in money
    assert "56%" in money and "one or two cases" in money  # 30,749 / 54,451.42 and the report's own warning
    listed = sen.text_consequences(a)
    assert "£30,749 (2023-24)" in listed and "£30,749 is" in listed and "£54,451." in listed
    assert not re.search(r"£[\d,]+\.\d", money + listed)


def test_a_one_council_evidence_chart_counts_no_councils(data):
    # harrow_2019-20…txt:896-898, :846: four figures on the commissioning team, all Harrow's
    title = ct.title_evidence(data["contracted harrow"])
    assert title.startswith("Commissioned care as a share of Harrow's") and "councils" not in title


def test_policy_sentences_state_the_same_numbers(data):
    a, s = data["sen"], data["covid"]
    # bromley_2023-24…txt:802-804: of Education's 39 Ombudsman decisions, 29 investigated and all 29 upheld
    assert sen.text_ombudsman_plain(a).startswith("In 2023-24 the Ombudsman investigated 29 complaints about Education "
                                                  "and upheld all 29; it closed 10 more without an investigation.")
    # line 802 counts 21 new cases against 29 upheld: the chart shows more upheld than new, so the text says why
    assert "can concern cases it received in an earlier year" in sen.text_ombudsman_plain(a)
    # the key finding's 58% against 42% (bromley_2023-24…txt:747, :122), with the gap's likely range
    assert sen.text_upheld_plain(a).startswith("In 2023-24, 58% of SEN complaint aspects were upheld")
    assert "42%" in sen.text_upheld_plain(a) and "+16 points" in sen.text_upheld_plain(a)
    # lewisham_2020-21…txt:1304-1305: Q1 2019-20 20 complaints, Q1 2020-21 8; Q4 2020-21 32 is the largest quarter
    assert covid.quarter_plain(s) == ("From April to June 2020 Lewisham's adult social care complaints were 8, "
                                      "against 20 in the same months a year before.")
    assert "more than 32 complaints" in covid.quarter_caveat(s)


def test_policy_end_lists_leave_out_what_each_section_caveat_says(data):
    a, r, s = data["sen"], data["contracted"], data["covid"]
    full, brief = sen.text_cannot(a), sen.text_cannot(a, brief=True)
    assert "Why complaints rose" in full and "Why complaints rose" not in brief and "How many people" in brief
    assert "quotations" not in brief  # the policy page quotes no other council
    full, brief = ct.text_cannot(r), ct.text_cannot(r, brief=True)
    assert "A ranking of councils" in full and "A ranking" not in brief and "How many people" in brief
    full, brief = covid.cannot_tell_text(s), covid.cannot_tell_text(s, brief=True)
    assert "Whether the fall was the pandemic's" in full and "Whether the fall" not in brief
    assert brief and set(brief.splitlines()) < set(full.splitlines())


def test_a_lewisham_page_says_nothing_about_bromley_under_its_dip_chart(data):
    from analysis.studies.caveats import load_caveats

    obs, rec = data["obs"], load_reconciled()
    lewisham = covid.summarise(obs, rec, council="lewisham", caveats=load_caveats(ROOT / "data" / "reference"))
    assert "Bromley" not in covid.dip_caveat(lewisham)
    assert "Bromley" not in covid.chart_source(lewisham) and "Lewisham 2020-21" in covid.chart_source(lewisham)
    # Bromley's like-for-like total fell before the pandemic: 473, 440, 407 (bromley_2019-20…txt:620)
    assert "already falling" in covid.dip_caveat(data["covid"])
