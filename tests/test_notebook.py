"""autograd.notebook and the rich displays: the explorer in an iframe, a Value, an nn module.

The same displays in a real kernel and a browser: tests/test_notebooks.py.
"""

from __future__ import annotations

import html
from html.parser import HTMLParser

import pytest

import nn
from autograd import Explorer, RenderError, Value, explore, to_html
from autograd.notebook import DRAW_LIMIT, summary, value_html
from tests.test_render import needs_dot, slides_L


class _Tags(HTMLParser):
    """Every start tag with its attributes."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


@needs_dot
def test_save_writes_the_page_to_html_writes(tmp_path):
    L, *_ = slides_L()
    saved = explore(L, precision=2).save(tmp_path / "a.html").read_text(encoding="utf-8")
    assert saved == to_html(L, tmp_path / "b.html", precision=2).read_text(encoding="utf-8")


def test_save_is_atomic_a_failed_write_keeps_the_old_file(tmp_path):
    path = tmp_path / "page.html"
    path.write_text("old page", encoding="utf-8")
    with pytest.raises(UnicodeEncodeError):
        Explorer("<html>\ud800</html>").save(path)  # a lone surrogate: UTF-8 cannot hold it
    assert path.read_text(encoding="utf-8") == "old page"
    assert [p.name for p in tmp_path.iterdir()] == ["page.html"]  # no temporary left


@needs_dot
def test_the_explorer_is_one_sandboxed_iframe_holding_the_whole_page():
    L, *_ = slides_L()
    explorer = explore(L)
    tags = _Tags(explorer._repr_html_()).tags
    assert [tag for tag, _ in tags] == ["iframe"]  # no style, script or id outside the frame
    attrs = tags[0][1]
    assert attrs["srcdoc"] == explorer.page  # the parser unescapes the attribute exactly
    assert attrs["sandbox"] == "allow-scripts" and "id" not in attrs
    assert "</script>" in explorer.page and "<style>" in explorer.page


@needs_dot
def test_hostile_labels_stay_inside_the_frame():
    x = Value(1.0, '"></iframe><script>alert(1)</script>&quot;')
    (x * 2).backward()
    tags = _Tags(explore(x * 2)._repr_html_()).tags
    assert [tag for tag, _ in tags] == ["iframe"]
    assert html.escape(x.label) in tags[0][1]["srcdoc"]  # the page's own escaping, intact


@needs_dot
def test_the_frame_is_sized_to_its_graph():
    x = Value(1.0, "x")
    small = explore(x * 2)
    y = x
    for i in range(12):
        y = (y * 1.5).tanh() if i % 2 else y + 1
    tall = explore(y, rankdir="TB")
    assert 280 <= small.height < tall.height <= 900
    assert f"height: {small.height}px" in small._repr_html_()


def test_explore_names_a_missing_dot(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(RenderError, match="apt-get install graphviz"):
        explore(Value(1.0) * 2)
    assert list(tmp_path.iterdir()) == []  # no fallback file without a path


@needs_dot
def test_repr_names_the_graph():
    L, *_ = slides_L()
    assert repr(explore(L)) == "<Explorer: Backprop explorer: L = log(1/(exp(-(x*w+b))+1))>"
    assert isinstance(explore(L), Explorer)


# ---- a Value's display ----


def test_summary_shows_label_data_grad_and_op():
    L, x, *_ = slides_L()
    assert summary(L) == "Value 'L'  data -0.6931  grad 1.0000  op log (1 parent)"
    assert summary(x) == "Value 'x'  data 2.0000  grad -1.5000  leaf"
    assert summary(x * 3, precision=1) == "Value  data 6.0  grad 0.0  op * (2 parents)"


def test_summary_of_a_gradient_graph_shows_the_gradient_value():
    x = Value(3.0, "x")
    (x * x).backward(create_graph=True)  # x.grad is a Value: 2x
    assert isinstance(x.grad, Value) and summary(x) == "Value 'x'  data 3.0000  grad 6.0000  leaf"


@needs_dot
def test_a_small_graph_is_drawn_inline_as_svg():
    L, *_ = slides_L()
    shown = L._repr_html_()
    assert shown == value_html(L)
    assert "Value &#x27;L&#x27;  data -0.6931  grad 1.0000" in shown
    assert shown.count("<svg") == 1 and ">grad &#45;1.5000<" in shown  # x's record, drawn
    assert "<style" not in shown and "<script" not in shown
    assert repr(L) == "Value(data=-0.6931471805599453, grad=1.0, label='L', op='log')"


def test_a_leaf_has_no_picture_and_a_big_graph_is_not_walked(monkeypatch):
    assert "<svg" not in value_html(Value(3.0, "x"))
    y = Value(0.0)
    for _ in range(10 * DRAW_LIMIT):
        y = y + 1.0
    reads = []
    parents = Value.parents
    monkeypatch.setattr(Value, "parents", property(lambda v: reads.append(v) or parents.fget(v)))
    shown = value_html(y)
    assert "<svg" not in shown and f"more than {DRAW_LIMIT} values" in shown
    assert len(reads) <= DRAW_LIMIT + 2  # the summary's parent count, and the bounded walk


def test_without_dot_the_value_still_shows_its_numbers(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    shown = value_html(Value(2.0, "x") * 3)
    assert "data 6.0000" in shown and "<svg" not in shown and "install graphviz" in shown


# ---- an nn module's display ----


def test_a_model_shows_its_structure_and_parameter_count():
    model = nn.MLP(2, [16, 16, 1], seed=0)
    shown = model._repr_html_()
    assert "<b>MLP</b>: 337 parameters (training mode)" in shown
    rows = [row for row in shown.split("<tr>")[2:]]
    assert [row.split("</td>")[0] for row in rows] == ["<td>layers.0", "<td>layers.1",
                                                       "<td>layers.2"]
    counts = [int(row.split('right">')[1].split("<")[0]) for row in rows]
    assert counts == [2 * 16 + 16, 16 * 16 + 16, 16 + 1]
    assert "eval mode" in model.eval()._repr_html_()


def test_equal_neighbours_share_a_row():
    shown = nn.Layer(3, 8, seed=0)._repr_html_()
    assert "neurons.0 ... neurons.7" in shown
    assert "8 x Neuron(3, activation=&#x27;relu&#x27;)" in shown
    assert shown.count("<tr>") == 2 and ">32</td>" in shown
    assert "<table>" not in nn.Neuron(2, seed=0)._repr_html_()  # no submodules, no table
