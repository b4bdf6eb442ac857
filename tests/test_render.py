"""The renderer: DOT text of a known graph, the node limit, real rendering, missing `dot`."""

from __future__ import annotations

import os
import re
import shutil
import sys
import xml.etree.ElementTree as ET
from collections import Counter

import pytest

from autograd import RenderError, Value
from autograd.render import describe, draw, escape_record, render, to_dot

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="graphviz `dot` not installed")
SVG = "{http://www.w3.org/2000/svg}"


def slides_L() -> tuple[Value, Value, Value, Value]:
    """The slides' L(x, w, b) = log(1 / (exp(-(x w + b)) + 1)) at (2, -3, 6), after backward."""
    x, w, b = Value(2.0, "x"), Value(-3.0, "w"), Value(6.0, "b")
    L = (1 / ((-(x * w + b)).exp() + 1)).log()
    L.label = "L"
    L.backward()
    return L, x, w, b


def parse_dot(source: str) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """Node name -> label, and the edges, of the DOT text that to_dot writes."""
    label = r'"((?:[^"\\]|\\.)*)"|(\S+?)'
    nodes = {m[0]: m[1] or m[2] for m in re.findall(rf"^\t(\w+) \[label=(?:{label})[ \]]",
                                                    source, re.M)}
    return nodes, re.findall(r"^\t(\w+) -> (\w+)", source, re.M)


def short(label: str) -> str:
    """A record's name if labelled, else its data; an op's or constant's text."""
    fields = [f.strip() for f in label.split("|")]
    return fields[0] if len(fields) == 3 else fields[0].removeprefix("data ")


def test_records_show_label_data_and_grad_at_the_precision():
    L, *_ = slides_L()
    two, five = to_dot(L, precision=2), to_dot(L, precision=5)
    # grads from the slides: dL/dx = -1.5, dL/dw = 1, dL/db = 0.5; L = log(1/2)
    assert '"x | data 2.00 | grad -1.50"' in two
    assert '"w | data -3.00000 | grad 1.00000"' in five
    assert '"b | data 6.00 | grad 0.50"' in two
    assert '"data -6.00 | grad 0.50"' in two  # x*w: dL/d(xw) = dL/db
    assert '"L | data -0.69315 | grad 1.00000"' in five


def test_op_nodes_and_edges_of_the_slides_example():
    L, *_ = slides_L()
    nodes, edges = parse_dot(to_dot(L))
    ops = [label for name, label in nodes.items() if name.endswith("_op")]
    assert sorted(ops) == sorted(["*", "+", "*", "exp", "+", "/", "log"])
    assert len(nodes) == 13 + 7  # 13 Values (3 inputs, 3 constants, 7 results), 7 ops
    key = {name: short(label) for name, label in nodes.items()}
    assert Counter((key[a], key[b]) for a, b in edges) == Counter([
        ("x", "*"), ("w", "*"), ("*", "-6.0000"), ("-6.0000", "+"), ("b", "+"),
        ("+", "0.0000"), ("0.0000", "*"), ("-1", "*"), ("*", "0.0000"), ("0.0000", "exp"),
        ("exp", "1.0000"), ("1.0000", "+"), ("1", "+"), ("+", "2.0000"), ("1", "/"),
        ("2.0000", "/"), ("/", "0.5000"), ("0.5000", "log"), ("log", "L"),
    ])


def test_operand_order_and_repeated_operands():
    a = Value(3.0, "a")
    y = a * a + (a**2).tanh()
    nodes, edges = parse_dot(to_dot(y))
    names = {label: name for name, label in nodes.items()}
    assert "**2" in names and "tanh" in names
    a_name = next(n for n, label in nodes.items() if label.startswith("a |"))
    assert edges.count((a_name, next(n for n, lb in nodes.items() if lb == "*"))) == 2


def test_leaves_root_and_constants_look_different():
    L, *_ = slides_L()
    source = to_dot(L)
    fills = dict(re.findall(r'label="(\w) \|.*fillcolor="(#\w+)"', source))
    inner = re.search(r'label="data -6.0000 \|.*fillcolor="(#\w+)"', source)[1]
    assert fills["x"] == fills["w"] == fills["b"] and len({fills["x"], fills["L"], inner}) == 3
    assert re.search(r'label="L \|.*penwidth=2', source)
    assert re.search(r'label=-1 .*shape=box', source)  # a constant: no record, no grad


def test_options_rankdir_and_show_grad():
    L, *_ = slides_L()
    tb = to_dot(L, rankdir="TB", show_grad=False)
    assert "rankdir=TB" in tb and "grad" not in tb
    assert 'label="{ x | data 2.0000 }"' in tb  # TB: braces turn the fields into a row
    for bad in ({"rankdir": "RL"}, {"precision": -1}, {"max_nodes": 0}):
        with pytest.raises(ValueError):
            to_dot(L, **bad)


def test_record_special_characters_are_escaped():
    assert escape_record('a{b}|<c> "q" \\') == 'a\\{b\\}\\|\\<c\\> \\"q\\" \\\\'
    assert escape_record("&lt; a&b") == "&amp;lt; a&amp;b"
    assert "two lines tab here" in to_dot(Value(1.0, "two\nlines\ttab\r\nhere"))


def chain(n: int) -> tuple[Value, Value]:
    """x -> tanh -> tanh ... (n ops): n + 1 Values."""
    x = y = Value(0.5, "x")
    for _ in range(n):
        y = y.tanh()
    return x, y


def test_node_limit_keeps_the_nodes_nearest_the_root():
    x, y = chain(49)
    scene = describe(y, max_nodes=10)
    assert len(scene.ids) == 10 and scene.hidden == 40
    assert y in scene.ids and x not in scene.ids
    source = to_dot(y, max_nodes=10)
    assert source.count("shape=record") == 10
    assert "… 40 nodes not shown" in source
    assert re.search(r"^\thidden -> v\d+_op \[style=dashed\]", source, re.M)
    assert to_dot(y, max_nodes=50) == to_dot(y)  # at the limit: nothing cut


def test_node_limit_prefers_short_paths_and_is_deterministic():
    x, deep = chain(30)
    near = Value(1.0, "near")
    root = deep + near  # `near` is one step from the root, x is 31 steps
    scene = describe(root, max_nodes=5)
    assert near in scene.ids and x not in scene.ids
    assert to_dot(root, max_nodes=5) == to_dot(root, max_nodes=5)


def test_default_limit_cuts_a_large_graph():
    xs = [Value(float(i), f"x{i}") for i in range(400)]
    root = Value(0.0)
    for x in xs:
        root = root + x * x
    assert describe(root).total == 1201
    assert to_dot(root).count("shape=record") == 500


def test_draw_builds_the_same_graph_as_to_dot():
    pytest.importorskip("graphviz")
    L, *_ = slides_L()
    assert draw(L).source == to_dot(L)
    assert draw(L, max_nodes=4, rankdir="TB").source == to_dot(L, max_nodes=4, rankdir="TB")
    assert hasattr(draw(L), "_repr_mimebundle_")  # Jupyter shows it inline


def test_draw_without_the_graphviz_package(monkeypatch):
    monkeypatch.setitem(sys.modules, "graphviz", None)  # makes `import graphviz` fail
    with pytest.raises(ImportError, match=r"pip install 'scalar-autograd\[viz\]'"):
        draw(Value(1.0))


def svg_texts(path) -> list[str]:
    return [t.text for t in ET.parse(path).getroot().iter(f"{SVG}text")]


@needs_dot
def test_render_svg_holds_the_labels(tmp_path):
    L, *_ = slides_L()
    path = render(L, tmp_path / "L.svg")
    texts = svg_texts(path)
    for text in ("x", "w", "b", "L", "grad -1.5000", "grad 0.5000", "data -0.6931", "exp", "log"):
        assert text in texts


@needs_dot
def test_render_escapes_hostile_labels(tmp_path):
    label = 'a{b}|<c> "q" \\ & </svg> &lt; &#60; end\\'
    texts = svg_texts(render(Value(1.0, label) * 2, tmp_path / "v.svg"))
    assert label in texts  # shown as written: no entity decoded, nothing cut


@needs_dot
@pytest.mark.parametrize(("suffix", "magic"), [(".png", b"\x89PNG"), (".pdf", b"%PDF")])
def test_render_png_and_pdf(tmp_path, suffix, magic):
    L, *_ = slides_L()
    assert render(L, tmp_path / f"L{suffix}").read_bytes().startswith(magic)


def test_render_dot_and_bad_suffix(tmp_path):
    L, *_ = slides_L()
    assert render(L, tmp_path / "L.dot", precision=1).read_text() == to_dot(L, precision=1)
    with pytest.raises(ValueError, match="svg"):
        render(L, tmp_path / "L.gif")


def test_missing_dot_says_how_to_install_and_writes_the_source(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "nothing-here"))
    L, *_ = slides_L()
    with pytest.raises(RenderError) as info:
        render(L, tmp_path / "L.svg")
    message = str(info.value)
    for hint in ("apt-get install graphviz", "brew install graphviz",
                 "conda install -c conda-forge graphviz", str(tmp_path / "L.dot")):
        assert hint in message
    assert (tmp_path / "L.dot").read_text() == to_dot(L)
    assert not (tmp_path / "L.svg").exists()


def test_failing_dot_reports_its_error(tmp_path, monkeypatch):
    fake = tmp_path / "bin" / "dot"
    fake.parent.mkdir()
    fake.write_text("#!/bin/sh\necho 'Error: syntax error in line 1' >&2\nexit 1\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", str(fake.parent))
    with pytest.raises(RenderError, match="syntax error in line 1"):
        render(Value(1.0), tmp_path / "v.svg")


def hanging_dot(tmp_path, monkeypatch) -> None:
    """Put a ``dot`` on PATH that reads its input and then never finishes."""
    fake = tmp_path / "bin" / "dot"
    fake.parent.mkdir()
    fake.write_text("#!/bin/sh\ncat > /dev/null\nexec tail -f /dev/null\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake.parent}{os.pathsep}{os.environ['PATH']}")


def test_a_dot_past_the_time_limit_is_stopped_with_advice(tmp_path, monkeypatch):
    hanging_dot(tmp_path, monkeypatch)
    L, *_ = slides_L()
    with pytest.raises(RenderError, match=r"more than 0.5 s.*max_nodes.*timeout=") as info:
        render(L, tmp_path / "L.svg", timeout=0.5)
    assert str(tmp_path / "L.dot") in str(info.value)
    assert (tmp_path / "L.dot").read_text() == to_dot(L)
    assert not (tmp_path / "L.svg").exists()
    with pytest.raises(ValueError, match="timeout"):
        render(L, tmp_path / "L.svg", timeout=0)


def test_draw_pipes_through_dot_under_the_time_limit(tmp_path, monkeypatch):
    pytest.importorskip("graphviz")
    L, *_ = slides_L()
    if shutil.which("dot"):
        assert draw(L).pipe(format="svg", encoding="utf-8").lstrip().startswith("<")
    hanging_dot(tmp_path, monkeypatch)
    with pytest.raises(RenderError, match=r"more than 0\.5 s"):
        draw(L, timeout=0.5).pipe(format="svg")


def rnn(steps: int) -> Value:
    """``h = tanh(w*h + u*c)`` unrolled: dense for dot (w and u feed every step)."""
    w, u, h = Value(0.5, "w"), Value(0.3, "u"), Value(0.0, "h0")
    for t in range(steps):
        h = (w * h + u * Value(0.1 * t)).tanh()
    h.backward()
    return h


@needs_dot
def test_a_dense_40_step_rnn_draws_within_the_time_limit(tmp_path):
    """dot's layout work is bounded (it took over a minute unbounded; a few seconds now)."""
    svg = render(rnn(40), tmp_path / "rnn.svg", timeout=25)
    assert svg.read_text().count('class="node"') == describe(rnn(40)).total + 40 * 4


def test_a_lone_surrogate_in_a_label_is_escaped_not_fatal(tmp_path):
    x = Value(2.0, "bad\ud800name")
    y = x * x
    assert "bad\\\\ud800name" in render(y, tmp_path / "y.dot").read_text(encoding="utf-8")
    if shutil.which("dot"):
        assert "bad\\ud800name" in svg_texts(render(y, tmp_path / "y.svg"))


def test_a_failed_write_leaves_the_old_picture(tmp_path, monkeypatch):
    path = tmp_path / "v.dot"
    path.write_text("old")

    def broken_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        render(Value(1.0), path)
    assert path.read_text() == "old" and os.listdir(tmp_path) == ["v.dot"]


def test_a_timeout_that_is_no_number_is_a_type_error(tmp_path):
    y = Value(1.0) * 2
    with pytest.raises(TypeError, match="timeout must be a positive number of seconds, got str"):
        render(y, tmp_path / "y.svg", timeout="30")  # a ValueError before, as for 0
    with pytest.raises(ValueError, match="timeout must be a positive number of seconds, got 0"):
        render(y, tmp_path / "y.svg", timeout=0)
    assert not list(tmp_path.iterdir())  # checked before anything is written
