"""The types are true: mypy --strict and pyright pass on the package and on a user's script.

``tests/typing/user_script.py`` uses the public API as a typed user would, with no casts;
its ``assert_type`` calls pin the declared types (checked by both checkers, and at run time
against the values' classes). A script with a planted type error must fail both checkers, so
a checker that silently sees nothing (an unresolved import is Any) cannot pass for clean.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TYPING = ROOT / "tests" / "typing"
SCRIPT = TYPING / "user_script.py"
ENV = {**os.environ, "PYRIGHT_PYTHON_IGNORE_WARNINGS": "1"}


def _require(module: str) -> None:
    """Skip without the checker, except under CI (CI=true), where the typing test must run."""
    if importlib.util.find_spec(module) is None:
        message = f"{module} is not installed: pip install -e '.[dev]'"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


def mypy(*args: str) -> tuple[int, str]:
    _require("mypy")
    done = subprocess.run([sys.executable, "-m", "mypy", *args], cwd=ROOT, env=ENV,
                          capture_output=True, text=True, timeout=600)
    return done.returncode, done.stdout + done.stderr


def pyright(*args: str) -> tuple[int, str]:
    """pyright's error count (from its JSON report) and the errors as text."""
    _require("pyright")
    command = [sys.executable, "-m", "pyright", "--outputjson", "--pythonpath", sys.executable]
    done = subprocess.run([*command, *args], cwd=ROOT, env=ENV, capture_output=True, text=True,
                          timeout=600)
    try:
        report = json.loads(done.stdout)
    except json.JSONDecodeError:
        pytest.fail(f"pyright did not run: {done.stdout}{done.stderr}")
    errors = [d for d in report["generalDiagnostics"] if d["severity"] == "error"]
    text = "\n".join(f"{d['file']}:{d['range']['start']['line'] + 1}: {d['message']}"
                     for d in errors)
    return report["summary"]["errorCount"], text


def test_package_passes_mypy_strict():
    code, out = mypy()  # files and strict = true: pyproject.toml's [tool.mypy]
    assert code == 0 and "Success: no issues found" in out, out


def test_package_passes_pyright():
    count, out = pyright()  # pyproject.toml's [tool.pyright]: autograd and nn, strict mode
    assert count == 0, out


def test_user_script_passes_mypy_strict():
    code, out = mypy("--strict", str(SCRIPT))
    assert code == 0 and "Success: no issues found" in out, out


def test_user_script_passes_pyright_strict():
    count, out = pyright("-p", str(TYPING / "pyrightconfig.json"), str(SCRIPT))
    assert count == 0, out


def test_user_script_runs_with_the_types_it_was_checked_with():
    done = subprocess.run([sys.executable, str(SCRIPT)], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr


def test_a_wrong_type_fails_both_checkers(tmp_path):
    bad = tmp_path / "bad_script.py"
    bad.write_text(
        "from autograd import Value, grad\n"
        "def f(x: Value) -> Value:\n"
        "    return x * x\n"
        "words: str = grad(f)(2.0)\n"
        "one: float = grad(f, argnums=(0,))(2.0)\n"
    )
    config = tmp_path / "pyrightconfig.json"
    config.write_text(json.dumps({"typeCheckingMode": "strict", "extraPaths": [str(ROOT)]}))
    code, out = mypy("--strict", str(bad))
    assert code == 1 and "bad_script.py:4: error" in out and "bad_script.py:5: error" in out, out
    count, out = pyright("-p", str(config), str(bad))
    assert count == 2 and "bad_script.py:4:" in out and "bad_script.py:5:" in out, out
