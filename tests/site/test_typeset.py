"""The last typesetting pass: minus signs, plain words on policy pages, phone tables, empty sections."""
from __future__ import annotations

import nbformat

from analysis.site import typeset


def test_minus_signs_only_where_a_number_is_negative():
    assert typeset.minus_signs("fell -24.7% (-5 pts); 2019-20 stage-1 A-1") == "fell \u221224.7% (\u22125 pts); 2019-20 stage-1 A-1"


def test_plain_words_drop_notation_but_keep_the_range():
    text = "36 of 164 aspects (22%, 95% CI 16–30%, widened for φ = 1.28 aspects per complaint). Holm p = 0.03 here."
    assert typeset.plain_words(text) == "36 of 164 aspects (22%, likely range 16–30%)."
    assert typeset.plain_words("5 raw file(s)") == "5 raw files"


def test_finish_labels_table_cells_and_leaves_code_alone():
    page = ('<main><table><thead><tr><th>Year</th><th>Change</th><th>Source</th></tr></thead>'
            '<tbody><tr><td>2020-21</td><td>-12%</td><td>x</td></tr></tbody></table><pre>-1</pre></main>')
    out = typeset.finish(page, plain=True)
    assert 'data-label="Change"' in out and 'scope="col"' in out and "\u221212%" in out and "<pre>-1</pre>" in out
    assert 'class="stack"' in out and 'class="num"' in out


def test_a_section_with_nothing_printed_is_left_out():
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("## Bromley only"), nbformat.v4.new_code_cell("pass"),
                nbformat.v4.new_markdown_cell("## Kept"), nbformat.v4.new_code_cell("print(1)")]
    nb.cells[3].outputs = [nbformat.v4.new_output("stream", text="1")]
    typeset.drop_empty_sections(nb)
    assert [c.source for c in nb.cells] == ["## Kept", "print(1)"]
