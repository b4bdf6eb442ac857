"""The backprop explorer: its schedule is the engine's backward pass; the page works."""

from __future__ import annotations

import json
import math
import os
import re
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings

from autograd import RenderError, Value, topological_order
from autograd.html import backward_schedule, to_html
from autograd.testing import expressions
from tests.strategies import assert_close
from tests.test_render import hanging_dot, needs_dot, slides_L

DOCS = Path(__file__).resolve().parents[1] / "docs"


def embedded(page: Path) -> dict:
    """The schedule JSON a page carries."""
    text = page.read_text(encoding="utf-8")
    return json.loads(re.search(r'<script type="application/json" id="schedule">(.*?)</script>',
                                text, re.S)[1])


def replay(schedule: dict) -> dict[str, float]:
    """Apply the steps as the chain rule: grad[parent] += grad[node] * local, from dL/dL = 1."""
    grads = {schedule["root"]: 1.0}
    for step in schedule["steps"]:
        g = grads.get(step["node"], 0.0) if step["node"] else float(step["grad"])
        for edge in step["edges"]:
            grads[edge["parent"]] = grads.get(edge["parent"], 0.0) + g * float(edge["local"])
    return grads


def engine_grads(root: Value) -> dict[str, float]:
    """node id (its position in the topological order) -> the grad backward() left there."""
    return {f"v{i}": node.grad for i, node in enumerate(topological_order(root))}


def test_schedule_is_the_engines_backward_order():
    L, *_ = slides_L()
    order = topological_order(L)
    schedule = backward_schedule(L)
    expected = [f"v{i}" for i in reversed(range(len(order))) if order[i].parents]
    assert [step["node"] for step in schedule["steps"]] == expected
    for step in schedule["steps"]:
        node = order[int(step["node"][1:])]
        assert [e["parent"] for e in step["edges"]] == [
            f"v{order.index(p)}" for p in node.parents]


def test_replay_reproduces_the_slides_gradients():
    L, *_ = slides_L()
    grads = replay(backward_schedule(L))
    for node_id, grad in engine_grads(L).items():
        assert_close(grads[node_id], grad, rel=1e-12)
    by_label = {n.label: grads[f"v{i}"] for i, n in enumerate(topological_order(L)) if n.label}
    assert by_label == {"x": -1.5, "w": 1.0, "b": 0.5, "L": 1.0}  # the slides' answers


def test_chain_rule_lines_read_as_math():
    L, *_ = slides_L()
    lines = [e["text"] for step in backward_schedule(L)["steps"] for e in step["edges"]]
    assert "dL/dw += dL/d(x*w) * x = 0.5 * 2 = 1" in lines
    assert "dL/dx += dL/d(x*w) * w = 0.5 * -3 = -1.5" in lines
    assert "dL/d(x*w+b) += dL/d(-(x*w+b)) * (-1) = -0.5 * -1 = 0.5" in lines
    a = Value(3.0, "a")
    y = a * a  # two contributions to a: the second line shows the sum
    assert [e["text"] for e in backward_schedule(y)["steps"][0]["edges"]] == [
        "dL/da += dL/d(a*a) * a = 1 * 3 = 3",
        "dL/da += dL/d(a*a) * a = 1 * 3 = 3  (dL/da is now 6)",
    ]


@settings(max_examples=40)
@given(expressions(n_inputs=(1, 3), max_nodes=12))
def test_replay_reproduces_the_engine_on_random_dags(expr):
    xs = [Value(x, f"x{i}") for i, x in enumerate(expr.inputs)]
    root = expr.fn(*xs)
    root.backward()
    schedule = backward_schedule(root)
    order = topological_order(root)
    assert [s["node"] for s in schedule["steps"]] == [
        f"v{i}" for i in reversed(range(len(order))) if order[i].parents]
    grads = replay(schedule)
    for node_id, grad in engine_grads(root).items():
        assert_close(grads.get(node_id, 0.0), grad, rel=1e-9, abs_=1e-12)


def test_schedule_is_valid_json_with_infinite_derivatives():
    y = Value(0.0, "x").sqrt() + 1  # d sqrt(x)/dx = inf at 0
    text = json.dumps(backward_schedule(y), allow_nan=False)
    assert '"local": "inf"' in text


@needs_dot
def test_page_embeds_the_schedule_and_is_self_contained(tmp_path):
    L, *_ = slides_L()
    page = to_html(L, tmp_path / "L.html")
    assert embedded(page)["steps"] == backward_schedule(L)["steps"]
    text = page.read_text()
    for word in (">Step<", ">Play<", ">Back<", ">Reset<", "<svg"):
        assert word in text
    assert "<link" not in text and "src=" not in text  # nothing to fetch
    assert set(re.findall(r"https?://[^\s\"']+", text)) <= {
        "http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}


@needs_dot
def test_hostile_labels_cannot_break_out_of_the_page(tmp_path):
    y = Value(1.0, "</script><script>alert(1)</script>") * 2
    text = to_html(y, tmp_path / "y.html").read_text()
    assert text.count("<script") == 2 and "alert(1)</script>" not in text
    assert embedded(tmp_path / "y.html")["nodes"]["v0"]["label"].startswith("</script>")


@needs_dot
def test_cut_page_says_so_and_keeps_the_visible_gradients_exact(tmp_path):
    near = Value(0.3, "near")
    deep = near
    for _ in range(30):
        deep = deep.tanh()  # near's other child is 31 steps away: cut, yet it adds to near.grad
    root = deep + near
    root.backward()
    page = to_html(root, tmp_path / "cut.html", max_nodes=5)
    assert "Showing 5 of 32 values" in page.read_text()  # near, 30 tanh, the sum
    schedule = embedded(page)
    assert len(schedule["nodes"]) == 5 and schedule["hidden"] == 27
    grads, expected = replay(schedule), engine_grads(root)
    for node_id in schedule["nodes"]:
        assert_close(grads[node_id], expected[node_id], rel=1e-12)
    assert_close(near.grad, 1 + math.prod(1 - v.data**2 for v in topological_order(root)
                                          if v.op == "tanh"), rel=1e-12)


@pytest.mark.parametrize("bad", [{"precision": -1}, {"rankdir": "RL"}, {"max_nodes": 0}])
def test_bad_options_are_named_before_anything_is_written(tmp_path, bad):
    L, *_ = slides_L()
    with pytest.raises(ValueError, match=next(iter(bad))):
        to_html(L, tmp_path / "L.html", **bad)
    assert list(tmp_path.iterdir()) == []


def test_missing_dot_fails_with_the_install_hint(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "nothing-here"))
    L, *_ = slides_L()
    with pytest.raises(RenderError, match="apt-get install graphviz"):
        to_html(L, tmp_path / "L.html")
    assert (tmp_path / "L.dot").exists() and not (tmp_path / "L.html").exists()



@needs_dot
def test_a_lone_surrogate_in_a_label_is_escaped(tmp_path):
    y = Value(1.0, "x\ud800") * 2
    text = to_html(y, tmp_path / "y.html").read_text(encoding="utf-8")
    assert "x\\ud800" in text and not (tmp_path / "y.dot").exists()


def test_a_dot_past_the_time_limit_writes_no_page(tmp_path, monkeypatch):
    hanging_dot(tmp_path, monkeypatch)
    L, *_ = slides_L()
    with pytest.raises(RenderError, match=r"more than 0\.5 s"):
        to_html(L, tmp_path / "L.html", timeout=0.5)
    assert (tmp_path / "L.dot").exists() and not (tmp_path / "L.html").exists()

# ---- in a real browser ----

CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"


@pytest.fixture(scope="module")
def browser():
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium not installed")
    for exe in (CHROMIUM, CHROMEDRIVER):
        if not os.access(exe, os.X_OK):
            pytest.skip(f"{exe} not installed (apt-get install chromium chromium-driver)")
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    with tempfile.TemporaryDirectory() as profile:
        for arg in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", f"--user-data-dir={profile}",
                    "--window-size=1400,520"):
            options.add_argument(arg)
        driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
        try:
            yield driver
        finally:
            driver.quit()


def grad_shown(driver, label: str) -> str:
    """The text of the grad field in the record labelled ``label``, as the page shows it."""
    svg_text = "*[local-name()='text']"
    path = (f"//*[local-name()='g'][contains(@class,'node')][{svg_text}[.='{label}']]"
            f"/{svg_text}[starts-with(., 'grad ')]")
    return driver.find_element("xpath", path).text


def button(driver, text: str):
    return driver.find_element("xpath", f"//button[.='{text}']")


@pytest.fixture
def page(browser, tmp_path):
    """The browser, showing the explorer of the slides' L(x, w, b)."""
    L, *_ = slides_L()
    browser.get(to_html(L, tmp_path / "L.html").as_uri())
    return browser


@needs_dot
def test_explorer_in_a_browser(page, tmp_path):
    browser = page
    status = browser.find_element("id", "status")
    assert status.text == "step 0 of 7"
    assert [grad_shown(browser, v) for v in "xwbL"] == ["grad ?"] * 3 + ["grad 1.0000"]
    for _ in range(7):
        button(browser, "Step").click()
    assert not button(browser, "Step").is_enabled()
    assert [grad_shown(browser, v) for v in "xwb"] == ["grad -1.5000", "grad 1.0000",
                                                      "grad 0.5000"]
    assert "dL/dw += dL/d(x*w) * x = 0.5 * 2 = 1" in browser.find_element("id", "lines").text
    shot = DOCS / "explorer.png" if os.environ.get("UPDATE_SCREENSHOTS") else tmp_path / "e.png"
    assert browser.save_screenshot(str(shot))
    button(browser, "Back").click()  # undoes the last step: x*w's contributions to x and w
    assert [grad_shown(browser, v) for v in "xwb"] == ["grad ?", "grad ?", "grad 0.5000"]
    button(browser, "Reset").click()
    assert status.text == "step 0 of 7" and grad_shown(browser, "b") == "grad ?"


@needs_dot
def test_explorer_keys_and_hover(page):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    browser = page
    body = browser.find_element("tag name", "body")
    body.send_keys(Keys.ARROW_RIGHT, Keys.ARROW_RIGHT, Keys.ARROW_LEFT)
    assert browser.find_element("id", "status").text == "step 1 of 7"
    record = browser.find_element("xpath", "//*[local-name()='text'][.='x']")
    ActionChains(browser).move_to_element(record).perform()
    tip = browser.find_element("id", "tip")
    assert tip.is_displayed()
    assert tip.text.splitlines()[:4] == ["label: x", "op: (input)", "data: 2.0000", "grad: ?"]


@needs_dot
def test_explorer_play_steps_on_its_own_and_pauses(page):
    browser = page
    button(browser, "Play").click()  # takes the first step at once, then one every 0.9 s
    status = browser.find_element("id", "status")
    assert status.text != "step 0 of 7"
    button(browser, "Pause").click()
    assert button(browser, "Play").is_enabled() and status.text.startswith("step ")
