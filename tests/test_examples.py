"""Every example runs in its quick setting and prints what it claims, so examples never rot.

All the scripts are started at once (they are independent processes, so two cores run
them side by side) and each test reads the output of one.
"""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
SCRIPTS = ["newton", "moons", "worked_graphs", "perceptron", "regression", "depth_vs_width",
           "vanishing_gradients", "optimizers", "regularization", "softmax_classifier",
           "compiled_training", "maxout", "forward_vs_reverse"]
HAS_MATPLOTLIB = importlib.util.find_spec("matplotlib") is not None
# PyTorch: CI installs its CPU wheel on Python 3.11, where this example must run
NEEDS_TORCH = bool(os.environ.get("CI")) and sys.version_info[:2] == (3, 11)
if NEEDS_TORCH or importlib.util.find_spec("torch") is not None:
    SCRIPTS.append("to_pytorch")
GET_PICTURES = "pip install 'scalar-autograd[examples]'"


def _start(script: str, out: Path, env: dict[str, str], quick_flag: bool = True):
    args = [sys.executable, str(EXAMPLES / f"{script}.py"), "--out", str(out)]
    return subprocess.Popen(args + (["--quick"] if quick_flag else []), env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _bare_env(tmp: Path) -> dict[str, str]:
    """No graphviz `dot` on PATH and an import of matplotlib that fails."""
    blocker = tmp / "no_matplotlib"
    blocker.mkdir()
    (blocker / "matplotlib.py").write_text("raise ImportError('hidden by the test')\n")
    path = os.pathsep.join(filter(None, [str(blocker), os.environ.get("PYTHONPATH")]))
    return {**os.environ, "PATH": str(tmp / "empty"), "PYTHONPATH": path}


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """{name: (returncode, stdout, stderr, out dir)} for every example with --quick."""
    tmp = tmp_path_factory.mktemp("examples")
    jobs = {name: (_start(name, tmp / name, dict(os.environ)), tmp / name) for name in SCRIPTS}
    # the same main job again: quick through the environment, and with nothing optional
    bare = tmp / "moons_bare"
    env = {**_bare_env(tmp), "AUTOGRAD_QUICK": "1"}
    jobs["moons_bare"] = (_start("moons", bare, env, quick_flag=False), bare)
    results = {}
    for name, (process, out) in jobs.items():
        stdout, stderr = process.communicate(timeout=120)
        results[name] = (process.returncode, stdout, stderr, out)
    return results


def output(runs, name: str) -> str:
    code, stdout, stderr, _ = runs[name]
    assert code == 0, f"{name} exited {code}:\n{stderr}"
    assert "Traceback" not in stderr
    return stdout


@pytest.mark.parametrize("name", SCRIPTS)
def test_every_example_runs_and_writes_its_pictures_or_says_how(runs, name):
    stdout = output(runs, name)
    out = runs[name][3]
    written = re.findall(r"^(?:picture|graph): (/.+)$", stdout, re.MULTILINE)
    assert all(Path(p).parent == out and Path(p).stat().st_size > 0 for p in written)
    if name == "worked_graphs":  # graphs only, no matplotlib
        assert len(written) == 2
    elif HAS_MATPLOTLIB:
        assert any(p.endswith(".png") for p in written)
    else:
        assert GET_PICTURES in stdout


def test_newton_converges_in_a_few_steps(runs):
    assert re.search(r"steps to converge: newton \d\b", output(runs, "newton"))


def test_forward_vs_reverse_shows_which_mode_pays_for_what(runs):
    text = output(runs, "forward_vs_reverse")
    match = re.search(r"at n = 32: the gradient costs ([\d.]+)x as much in forward mode; "
                      r"one column costs ([\d.]+)x as much in reverse mode", text)
    assert match, text
    # 32 forward passes against 1 backward, 32 backward against 1 forward: far above 2x
    assert float(match.group(1)) > 2 and float(match.group(2)) > 2
    assert "both modes agree" in text


def test_moons_ends_with_an_accuracy_above_chance_and_draws_one_neuron(runs):
    lines = output(runs, "moons").splitlines()
    match = re.fullmatch(r"accuracy: (\d+\.\d)%", lines[-1])
    assert match and float(match.group(1)) > 75.0  # chance is 50%
    assert re.search(r"^\s+20\s+\d+\.\d+\s+\d+\.\d%", "\n".join(lines), re.MULTILINE)  # progress
    svg = runs["moons"][3] / "neuron.svg"
    assert svg.read_text().lstrip().startswith(("<?xml", "<svg"))
    assert ">w0<" in svg.read_text() and ">relu<" in svg.read_text()


def test_moons_is_deterministic_and_works_without_matplotlib_and_dot(runs):
    bare = output(runs, "moons_bare").replace(str(runs["moons_bare"][3]), "OUT")
    assert bare.splitlines()[-1] == output(runs, "moons").splitlines()[-1]
    assert GET_PICTURES in bare and "apt-get install graphviz" in bare
    assert (runs["moons_bare"][3] / "neuron.dot").read_text().startswith("digraph")
    progress = lambda text: [line for line in text.splitlines() if "%" in line]
    assert progress(bare) == progress(output(runs, "moons"))


def test_worked_graphs_print_the_slides_gradients(runs):
    stdout = output(runs, "worked_graphs")
    # by hand: q = x + y = 3, f = q z; df/dx = df/dy = z = -4, df/dz = q = 3
    assert "gradients: x -4, y -4, z 3" in stdout
    # the slides: dL/dx = w sigma(-(xw+b)) = -3 * 0.5, dL/dw = x * 0.5, dL/db = 0.5
    assert "gradients: x -1.5, w 1, b 0.5" in stdout
    assert "dL/dx += dL/d(x*w) * w = 0.5 * -3 = -1.5" in stdout
    for name in ("worked_f.svg", "worked_L.svg"):
        assert (runs["worked_graphs"][3] / name).is_file()


def test_perceptron_learns_separable_data_never_xor_and_an_mlp_learns_xor(runs):
    stdout = output(runs, "perceptron")
    for name in ("AND", "OR", "separable cloud"):
        assert re.search(rf"^  {name}: converged in \d+ epochs", stdout, re.MULTILINE)
    for name in ("XOR", "XOR cloud"):
        assert re.search(rf"^  {name}: never reached 100%", stdout, re.MULTILINE)
    assert "MLP(2, [4, 1]) on 4 XOR points: accuracy 100.0%" in stdout


def test_regression_error_falls_with_width(runs):
    stdout = output(runs, "regression")
    match = re.search(r"test MSE: ([\d.e-]+) at width 1, lowest ([\d.e-]+) at width (\d+)", stdout)
    assert match and int(match.group(3)) > 1 and float(match.group(2)) < float(match.group(1)) / 2


def test_depth_vs_width_constructions_are_exact_and_training_is_reported(runs):
    stdout = output(runs, "depth_vs_width")
    rows = re.findall(r"^\s+(\d)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\S+)$", stdout, re.MULTILINE)
    assert [int(r[0]) for r in rows] == [1, 2, 3, 4]
    for k, teeth, deep, shallow, error in rows:
        k = int(k)  # T^k has 2^(k-1) teeth; 6k + 1 deep parameters, 3 * 2^k + 1 shallow
        assert (int(teeth), int(deep), int(shallow)) == (2 ** (k - 1), 6 * k + 1, 3 * 2**k + 1)
        assert float(error) < 1e-9
    assert re.search(r"better fit: (deep|shallow|neither)", stdout)


def test_vanishing_gradients_shrink_through_sigmoid_layers(runs):
    stdout = output(runs, "vanishing_gradients")
    ratio = {a: float(r) for a, r in re.findall(r"^(\w+): first layer / last layer = (\S+)$",
                                                stdout, re.MULTILINE)}
    assert set(ratio) == {"sigmoid", "tanh", "relu"}
    assert ratio["sigmoid"] < 1e-2 and ratio["tanh"] > 100 * ratio["sigmoid"]


def test_optimizers_all_lower_the_loss(runs):
    stdout = output(runs, "optimizers")
    rows = re.findall(r"^  (\d+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)$", stdout, re.MULTILINE)
    first, last = [float(x) for x in rows[0][1:]], [float(x) for x in rows[-1][1:]]
    assert rows[0][0] == "1" and len(set(first)) == 1  # the same starting weights
    assert all(b < a for a, b in zip(first, last, strict=True))
    for name in ("SGD", "momentum", "Nesterov", "Adam"):
        assert f"{name}: loss < 0.1" in stdout


def test_l1_leaves_more_weights_near_zero_than_l2(runs):
    stdout = output(runs, "regularization")
    counts = dict(re.findall(r"^(none|L1|L2): (\d+) of 304 weights near zero", stdout,
                             re.MULTILINE))
    assert int(counts["L1"]) > int(counts["L2"]) and int(counts["L1"]) > int(counts["none"])


def test_softmax_classifier_shows_under_and_over_fitting(runs):
    stdout = output(runs, "softmax_classifier")
    assert "linear: under-fits" in stdout and "large: over-fits" in stdout
    accuracies = re.findall(r"(\d+\.\d)%\s+(\d+\.\d)%", stdout)
    assert len(accuracies) == 3 and float(accuracies[-1][0]) > 100 / 3  # large: above chance


def test_compiled_training_takes_the_same_steps_faster(runs):
    stdout = output(runs, "compiled_training")
    loss, weight = map(float, re.search(r"loss (\S+), weight (\S+)$", stdout, re.M).groups())
    assert loss < 1e-12 and weight < 1e-12  # the same steps, up to the order of additions
    assert float(re.search(r"compiled: ([\d.]+)x faster", stdout).group(1)) > 1.0


@pytest.mark.skipif("to_pytorch" not in SCRIPTS, reason="PyTorch is not installed")
def test_to_pytorch_trains_on_in_both_libraries_alike(runs):
    stdout = output(runs, "to_pytorch")
    match = re.search(r"loss (\S+) -> (\S+) here, (\S+) -> (\S+) in PyTorch; largest "
                      r"difference (\S+)", stdout)
    assert match, stdout
    start, end, torch_start, torch_end, worst = map(float, match.groups())
    assert end < start and torch_end < torch_start  # both trained
    assert worst < 1e-12
    drift = re.search(r"largest weight difference from ours (\S+)", stdout)
    assert drift and float(drift.group(1)) < 1e-12


def test_maxout_units_learn_xor(runs):
    lines = output(runs, "maxout").splitlines()
    assert lines[0].startswith("MLP([Maxout(2, 8, k=2), Layer(8, 1")
    wins = re.search(r"each piece wins: \[(\d+), (\d+)\]", "\n".join(lines))
    assert wins and int(wins[1]) + int(wins[2]) == 40  # every quick point, one winner each
    match = re.fullmatch(r"accuracy: (\d+\.\d)%", lines[-1])
    assert match and float(match[1]) >= 95.0
