"""The command line and its safe expression parser: gradients, pictures, hostile input."""

from __future__ import annotations

import math
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

from autograd.__main__ import main
from autograd.parse import FUNCTIONS, ExpressionError, bind, evaluate

SLIDES = ["log(1/(exp(-(x*w+b))+1))", "x=2", "w=-3", "b=6"]


def run(*args: str, cwd=None, env=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "autograd", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=60)


@pytest.mark.skipif(shutil.which("dot") is None, reason="graphviz `dot` not installed")
def test_draw_prints_the_slides_gradients_and_writes_svg(tmp_path):
    done = run("draw", *SLIDES, "-o", "graph.svg", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    # the slides: dL/dx = -1.5, dL/dw = 1, dL/db = 0.5; L = log(1/2)
    assert lines[:4] == [f"L = {math.log(0.5):.12g}", "dL/dx = -1.5", "dL/dw = 1", "dL/db = 0.5"]
    texts = [t.text for t in ET.parse(tmp_path / "graph.svg").getroot().iter()
             if t.tag.endswith("text")]
    assert "grad -1.5000" in texts and "x" in texts


@pytest.mark.skipif(shutil.which("dot") is None, reason="graphviz `dot` not installed")
def test_draw_html_writes_the_explorer(tmp_path):
    done = run("draw", *SLIDES, "-o", "graph.html", "--precision", "2", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    page = (tmp_path / "graph.html").read_text()
    assert "<svg" in page and ">Step<" in page and "dL/dw += dL/d(x*w) * x = 0.5 * 2 = 1" in page


def test_draw_dot_output_uses_the_options(tmp_path):
    assert main(["draw", *SLIDES, "-o", str(tmp_path / "g.dot"), "--precision", "2",
                 "--rankdir", "TB"]) == 0
    source = (tmp_path / "g.dot").read_text()
    assert "rankdir=TB" in source and "{ x | data 2.00 | grad -1.50 }" in source


def test_missing_dot_fails_with_the_install_hint(tmp_path):
    done = run("draw", *SLIDES, "-o", "g.svg", cwd=tmp_path,
               env={"PATH": str(tmp_path / "nothing"), "PYTHONPATH": ":".join(sys.path)})
    assert done.returncode == 1
    assert "apt-get install graphviz" in done.stderr and "brew install graphviz" in done.stderr
    assert (tmp_path / "g.dot").exists() and not (tmp_path / "g.svg").exists()
    assert "dL/dw = 1" in done.stdout  # the numbers are printed before the picture fails


HOSTILE = [
    "x.__class__",
    "__import__('os').system('touch pwned')",
    "(lambda: 1)()",
    "[x for x in (1, 2)]",
    "x[0]",
    "y + 1",  # an unknown name
    "exp",  # a function used as a value
    "exp(x, 2)",
    "exp(x=1)",
    "open('pwned', 'w')",
    "x if x else 1",
    "x < 1",
    "'text'",
    "True",
    "1j",
    "f'{x}'",
    "x +",  # a syntax error
    "leaky_relu(x, x)",
    "-" * 9000 + "x",  # nested too deeply
    "x" * 10001,
]


@pytest.mark.parametrize("expression", HOSTILE)
def test_hostile_expressions_exit_2_with_one_line(expression, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["draw", "--", expression, "x=2"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.startswith("error: ") and err.count("\n") == 1
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("bindings", [["x"], ["x=abc"], ["x=1", "x=2"], ["exp=1"], ["1x=2"],
                                      ["lambda=1"], []])
def test_bad_or_missing_values_exit_2(bindings, capsys):
    assert main(["draw", "x * 2", *bindings]) == 2
    assert capsys.readouterr().err.startswith("error: ")


def test_hostile_input_through_a_real_process(tmp_path):
    done = run("draw", "__import__('os').system('touch pwned')", cwd=tmp_path)
    assert done.returncode == 2 and done.stderr.count("\n") == 1
    assert not (tmp_path / "pwned").exists()


def test_math_errors_exit_1(capsys):
    assert main(["draw", "log(x - 2)", "x=2"]) == 1
    assert "log" in capsys.readouterr().err


def test_help():
    done = run("draw", "--help")
    assert done.returncode == 0 and "NAME=NUMBER" in done.stdout and "leaky_relu" in done.stdout


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_every_function_is_callable_by_name(name):
    x = bind(["x=0.5"])["x"]
    y = evaluate(f"{name}(x)", {"x": x})
    assert y.op == name and y.parents == (x,)


def test_parser_arithmetic_matches_python():
    inputs = bind(["x=1.5", "y=-2"])
    y = evaluate("-x ** 2 + +y / 4 - 2 * x * y + leaky_relu(y, 0.2) + elu(y, 2)", inputs)
    expected = -(1.5**2) + -2 / 4 - 2 * 1.5 * -2 + 0.2 * -2 + 2 * math.expm1(-2)
    assert math.isclose(y.data, expected, rel_tol=1e-12)


def test_parser_error_type():
    with pytest.raises(ExpressionError, match="attribute access"):
        evaluate("x.data", bind(["x=1"]))
    assert isinstance(ExpressionError("e"), ValueError)


def test_a_flat_sum_of_1000_terms_is_not_too_deep(capsys):
    assert main(["draw", "+".join(["x"] * 1000), "x=0.5"]) == 0
    assert capsys.readouterr().out == "L = 500\ndL/dx = 1000\n"


@pytest.mark.parametrize("expression, message", [
    ("x * " + "9" * 4000, "number too large"),
    ("x * " + "9" * 5000, "number too large"),
    ("x * 1e400", "number too large: 1e309"),  # how Python writes an overflowed literal
    ("x ^ 2", "use ** for powers"),
    ("x % 2", "the operator % is not allowed"),
])
def test_clear_messages_exit_2(expression, message, capsys):
    assert main(["draw", expression, "x=2"]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and "sys.set_int_max_str_digits" not in err


@pytest.mark.parametrize("number", ["1e400", "9" * 400])
def test_an_input_too_large_for_a_float_exits_2(number, capsys):
    assert main(["draw", "x * 2", f"x={number}"]) == 2
    assert "number too large for x" in capsys.readouterr().err
    assert main(["draw", "x * 2", "x=-inf"]) == 0  # spelled out: meant


def test_an_input_named_L_does_not_clash_with_the_output(capsys):
    assert main(["draw", "L * 3", "L=2", "L1=1"]) == 0
    assert capsys.readouterr().out == "L2 = 6\ndL2/dL = 3\ndL2/dL1 = 0\n"


def test_options_may_follow_an_expression_after_the_double_dash(tmp_path, capsys):
    path = tmp_path / "neg.dot"
    assert main(["draw", "w=3", "--", "-x*w", "x=2", "-o", str(path), "--precision", "1"]) == 0
    assert capsys.readouterr().out.splitlines() == ["L = -6", "dL/dw = -2", "dL/dx = -3",
                                                   f"wrote {path}"]
    assert "data -6.0" in path.read_text()


def test_version_and_help_read_as_plain_text():
    from autograd import __version__

    done = run("--version")
    assert done.returncode == 0 and done.stdout.strip() == __version__
    for args in (["--help"], ["draw", "--help"]):
        assert "``" not in run(*args).stdout


def test_max_and_min_take_any_number_of_inputs(capsys):
    inputs = bind(["x=1.5", "y=-2", "z=0.5"])
    y = evaluate("max(x, y * y, z) - min(x, 3, y)", inputs)
    assert y.data == 4.0 - -2.0
    y.backward()  # d/dy (y^2 - y) = 2y - 1 at y = -2: the winners take the gradient
    assert [inputs[n].grad for n in "xyz"] == [0.0, -5.0, 0.0]
    assert main(["draw", "max(x, y)", "x=1", "y=3"]) == 0
    assert capsys.readouterr().out == "L = 3\ndL/dx = 0\ndL/dy = 1\n"
    for text, message in [("max()", r"max takes max\(x, y, ...\)"),
                          ("min(x, key=y)", r"min takes min\(x, y, ...\)")]:
        with pytest.raises(ExpressionError, match=message):
            evaluate(text, inputs)


@pytest.mark.parametrize("option, message", [
    (["--max-nodes", "0"], "max_nodes must be a positive int, got 0"),
    (["--precision", "40"], "precision must be an int from 0 to 17, got 40"),
])
def test_a_bad_drawing_option_exits_2_even_without_an_output(option, message, capsys):
    assert main(["draw", "x*2", "x=1", *option]) == 2  # it was ignored, exit 0
    captured = capsys.readouterr()
    assert message in captured.err and captured.out == ""
