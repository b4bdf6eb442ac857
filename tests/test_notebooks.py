"""The example notebooks run in a real Jupyter kernel and show what they claim.

``examples/tour.ipynb``, ``micrograd_demo.ipynb`` and ``trace_graph.ipynb`` are executed
with nbclient (each once per test run, in a temporary directory) and their outputs checked
by mime type and content; the executed tour is converted to HTML with nbconvert and opened
in headless Chromium, where both explorers must step to the right gradients without
touching the page around them. Everything runs offline.
"""

from __future__ import annotations

import copy
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from tests.test_html import browser, button, grad_shown  # noqa: F401 (browser: a fixture)
from tests.test_render import needs_dot

nbformat = pytest.importorskip("nbformat", reason="needs the dev extra (nbformat)")
nbclient = pytest.importorskip("nbclient", reason="needs the dev extra (nbclient, ipykernel)")
pytest.importorskip("ipykernel", reason="needs the dev extra (ipykernel)")

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
NOTEBOOKS = ["tour.ipynb", "micrograd_demo.ipynb", "trace_graph.ipynb"]
WIDGET = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"

pytestmark = needs_dot


def _execute(name: str, cwd: Path) -> Any:
    nb = nbformat.read(EXAMPLES / name, as_version=4)
    client = nbclient.NotebookClient(nb, timeout=180, kernel_name="python3",
                                     resources={"metadata": {"path": str(cwd)}})
    client.execute()
    return nb


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """``run(name)``: the notebook executed (once per module), and the directory it ran in."""
    done: dict[str, tuple[Any, Path]] = {}

    def get(name: str) -> tuple[Any, Path]:
        if name not in done:
            cwd = tmp_path_factory.mktemp(name.split(".")[0])
            done[name] = (_execute(name, cwd), cwd)
        return done[name]

    return get


def cell(nb: Any, source_start: str) -> Any:
    """The one code cell whose source starts with ``source_start``."""
    found = [c for c in nb.cells if c.cell_type == "code" and c.source.startswith(source_start)]
    assert len(found) == 1, f"{len(found)} cells start with {source_start!r}"
    return found[0]


def data(c: Any, mime: str) -> list[str]:
    """Every ``mime`` payload the cell displayed or returned."""
    return [o.data[mime] for o in c.outputs if mime in o.get("data", {})]


def stdout(c: Any) -> str:
    return "".join(o.text for o in c.outputs if o.output_type == "stream" and o.name == "stdout")


class _Frames(HTMLParser):
    def __init__(self, text: str) -> None:
        super().__init__()
        self.frames: list[dict[str, str | None]] = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        if tag == "iframe":
            self.frames.append(dict(attrs))


# ---- the stored notebooks ----


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebooks_are_stored_without_outputs(name):
    nb = nbformat.read(EXAMPLES / name, as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code and all(c.outputs == [] and c.execution_count is None for c in code)
    assert "widgets" not in nb.metadata


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_every_cell_runs_without_errors(run, name):
    nb, _ = run(name)
    for c in nb.cells:
        if c.cell_type == "code":
            assert c.execution_count is not None
            assert not [o for o in c.outputs if o.output_type == "error"], c.source
            stderr = "".join(o.text for o in c.outputs if o.get("name") == "stderr")
            assert "Warning" not in stderr and "Traceback" not in stderr, stderr


# ---- the tour ----


def test_tour_reproduces_the_slides_worked_example(run):
    nb, _ = run("tour.ipynb")
    printed = stdout(cell(nb, "x, w, b = "))
    assert "L = -0.6931" in printed and "[dL/dx, dL/dw, dL/db] = [-1.5, 1.0, 0.5]" in printed
    shown = data(_only(nb, "L"), "text/html")
    assert len(shown) == 1 and "Value &#x27;L&#x27;  data -0.6931  grad 1.0000" in shown[0]
    assert "<svg" in shown[0]  # the small graph, drawn inline


def _only(nb: Any, source: str) -> Any:
    found = [c for c in nb.cells if c.cell_type == "code" and c.source == source]
    assert len(found) == 1
    return found[0]


def test_tour_draws_the_graph_as_svg(run):
    nb, _ = run("tour.ipynb")
    (svg,) = data(_only(nb, "autograd.draw(L)"), "image/svg+xml")
    assert "<svg" in svg and "grad &#45;1.5000" in svg and ">x<" in svg


def test_tour_explorers_are_isolated_pages(run):
    nb, _ = run("tour.ipynb")
    for source, title in ((_only(nb, "autograd.explore(L)"), "L = log(1/(exp(-(x*w+b))+1))"),
                          (cell(nb, "x1, x2 = "), "o = tanh(x1*w1+x2*w2+b)")):
        (shown,) = data(source, "text/html")
        assert shown.startswith("<iframe srcdoc=") and shown.endswith("</iframe>")
        (frame,) = _Frames(shown).frames
        assert frame["sandbox"] == "allow-scripts"
        page = frame["srcdoc"] or ""
        assert page.startswith("<!DOCTYPE html>") and f"Backprop explorer: {title}" in page
        assert 'id="schedule"' in page and "<script>" in page  # offline: nothing to fetch
        assert not re.search(r"<(script|link)[^>]+(src|href)=", page)


def test_tour_shows_a_gradcheck_table(run):
    nb, _ = run("tour.ipynb")
    (table,) = data(cell(nb, "def f(x, w, b)"), "text/plain")
    lines = table.splitlines()
    assert lines[0].startswith("gradcheck passed: 3 derivative(s), 0 failed")
    rows = [line.split() for line in lines[2:]]
    assert [(r[1], float(r[3]), r[-1]) for r in rows] == [("df/dx", -1.5, "ok"),
                                                          ("df/dw", 1.0, "ok"),
                                                          ("df/db", 0.5, "ok")]


def test_tour_runs_a_hypothesis_property_test(run):
    nb, _ = run("tour.ipynb")
    assert "40 random expressions: backward agrees" in stdout(cell(nb, "from hypothesis"))


def test_tour_model_shows_its_structure(run):
    nb, _ = run("tour.ipynb")
    (shown,) = data(cell(nb, "random.seed(1337)"), "text/html")
    assert "<b>MLP</b>: 337 parameters" in shown and shown.count("<tr>") == 4


def test_tour_trains_with_a_progress_bar_and_a_live_plot(run):
    nb, _ = run("tour.ipynb")
    training = cell(nb, "import matplotlib.pyplot as plt")
    (bar,) = data(training, WIDGET)  # tqdm.auto picked the notebook widget
    state = nb.metadata.widgets[WIDGET_STATE]["state"]
    models = _widget_tree(state, bar["model_id"])
    progress = [m["state"] for m in models if m["model_name"] == "FloatProgressModel"]
    assert [(p["value"], p["max"]) for p in progress] == [(100.0, 100.0)]  # every epoch
    text = " ".join(m["state"].get("value", "") for m in models
                    if m["model_name"] == "HTMLModel")
    assert "100/100" in text and "loss=" in text
    assert len(data(training, "image/png")) == 1  # the loss plot, redrawn in place
    accuracy = re.fullmatch(r"accuracy: ([\d.]+)%\n", stdout(training))
    assert accuracy and float(accuracy.group(1)) > 95.0
    assert len(data(cell(nb, "xs = [i / 10"), "image/png")) == 1  # the decision boundary


def _widget_tree(state: dict[str, Any], model_id: str) -> list[dict[str, Any]]:
    """The widget ``model_id`` and every widget it holds (an HBox holds the bar and texts)."""
    model = state[model_id]
    children = model["state"].get("children", [])
    nested = [_widget_tree(state, c.removeprefix("IPY_MODEL_")) for c in children]
    return [model, *(m for group in nested for m in group)]


def test_without_tqdm_fit_prints_lines_in_a_kernel_and_big_values_display_fast(tmp_path):
    # a kernel's stderr is no terminal: progress must still show, as plain lines
    from nbformat.v4 import new_code_cell, new_notebook

    nb = new_notebook(cells=[new_code_cell(source) for source in (
        "import sys\nsys.modules['tqdm.auto'] = None  # as if tqdm were not installed\n"
        "import nn\nfrom autograd import Value",
        "X, y = nn.make_xor(8, seed=0)\nmodel = nn.MLP(2, [2, 1], seed=0)\n"
        "h = nn.fit(model, nn.bce_with_logits, (X, y), nn.SGD(model.parameters(), 0.1), "
        "epochs=3)",
        "y = Value(0.0)\nfor _ in range(200_000):\n    y = y + 1.0\ny",
    )])
    nbclient.NotebookClient(nb, timeout=60, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path)}}).execute()
    err = "".join(o.text for o in nb.cells[1].outputs if o.get("name") == "stderr")
    assert [line.split("  ")[0] for line in err.splitlines()] == [
        "epoch 1/3", "epoch 2/3", "epoch 3/3"]
    (shown,) = data(nb.cells[2], "text/html")
    assert "data 200000.0000" in shown and "not drawn" in shown and "<svg" not in shown


# ---- micrograd's notebooks, ported ----


def test_micrograd_demo_trains_to_full_accuracy(run):
    nb, _ = run("micrograd_demo.ipynb")
    printed = stdout(cell(nb, "model = MLP(2, [16, 16, 1])"))
    assert "number of parameters 337" in printed
    last = stdout(cell(nb, "for k in range(100)")).splitlines()[-1]
    step = re.fullmatch(r"step 99 loss ([\d.]+), accuracy ([\d.]+)%", last)
    assert step and float(step.group(1)) < 0.05 and float(step.group(2)) > 95.0
    assert len(data(cell(nb, "h = 0.25"), "image/png")) == 1


def test_trace_graph_draws_by_hand_and_with_the_library(run):
    nb, cwd = run("trace_graph.ipynb")
    hand = data(cell(nb, "# a very simple example"), "image/svg+xml")
    assert len(hand) == 1 and "data 3.0000" in hand[0] and ">relu<" in hand[0]
    (neuron,) = data(cell(nb, "import random"), "image/svg+xml")
    (ours,) = data(_only(nb, "autograd.draw(y)"), "image/svg+xml")
    # micrograd's first weights after random.seed(1337): uniform(-1, 1) twice
    assert "data 0.2355" in neuron and "data 0.0665" in neuron
    assert ">w0<" in ours and "data 0.2355" in ours
    assert (cwd / "gout.svg").read_text().count("<svg") == 1


# ---- the executed tour in a browser ----

_STYLE = """
const props = ["margin", "padding", "font-family", "font-size", "color", "background-color",
               "line-height", "font-weight"];
const pick = (el) => el ? props.map((p) => getComputedStyle(el).getPropertyValue(p)) : null;
return ["body", "h1", "h2", "p", "pre", "code", ".jp-Cell", ".jp-OutputArea-output"]
    .map((s) => [s, pick(document.querySelector(s))]);
"""


def _html(nb: Any, path: Path) -> Path:
    from nbconvert import HTMLExporter

    body, _ = HTMLExporter(template_name="lab").from_notebook_node(nb)
    path.write_text(body, encoding="utf-8")
    return path


def test_two_explorers_on_one_page_work_and_leave_the_page_alone(run, browser, tmp_path):  # noqa: F811
    nb, _ = run("tour.ipynb")
    bare = copy.deepcopy(nb)  # the same page without the explorers: the styles to keep
    for source in ("autograd.explore(L)", "x1, x2 = "):
        cell(bare, source).outputs = []
    browser.get(_html(bare, tmp_path / "bare.html").as_uri())
    expected = browser.execute_script(_STYLE)
    browser.get(_html(nb, tmp_path / "tour.html").as_uri())
    assert browser.execute_script(_STYLE) == expected
    assert browser.execute_script("return document.getElementById('schedule')") is None

    frames = browser.find_elements("css selector", "iframe[title='backprop explorer']")
    assert len(frames) == 2
    first = _step_through(browser, frames[0], 7, ("x", "w", "b"))
    assert first == ["grad -1.5000", "grad 1.0000", "grad 0.5000"]
    # the second was untouched (still at step 0) and steps on its own
    second = _step_through(browser, frames[1], 5, ("x1", "w1", "x2", "w2"))
    assert second == ["grad -1.5000", "grad 1.0000", "grad 0.5000", "grad 0.0000"]
    browser.switch_to.default_content()
    browser.switch_to.frame(frames[0])  # the first explorer kept its own state
    assert browser.find_element("id", "status").text.startswith("step 7 of 7")
    browser.switch_to.default_content()
    assert browser.execute_script(_STYLE) == expected


def _step_through(browser, frame, steps: int, names: tuple[str, ...]) -> list[str]:  # noqa: F811
    """Click Step in ``frame`` from step 0 to the end; the grads of ``names`` shown then."""
    browser.switch_to.default_content()
    browser.switch_to.frame(frame)
    status = browser.find_element("id", "status")
    assert status.text == f"step 0 of {steps}"
    for _ in range(steps):
        button(browser, "Step").click()
    assert not button(browser, "Step").is_enabled()
    grads = [grad_shown(browser, v) for v in names]
    browser.switch_to.default_content()
    return grads
