"""The sdist and wheel build, carry the right files and metadata, and the unpacked sdist's
tests run against the installed wheel in a fresh virtualenv."""

import importlib.util
import os
import subprocess
import sys
import sysconfig
import tarfile
import zipfile
from pathlib import Path

import pytest

import autograd

ROOT = Path(__file__).resolve().parents[1]
SDIST_MUST_HAVE = [
    "LICENSE", "README.md", "pyproject.toml", "mkdocs.yml", "MANIFEST.in",
    "autograd/__init__.py", "autograd/explorer.js", "autograd/explorer.css", "autograd/py.typed",
    "nn/__init__.py", "nn/py.typed",
    "tests/__init__.py", "tests/conftest.py", "tests/strategies.py",
    "examples/moons.py", "examples/_common.py", "benchmarks/__main__.py",
    "docs/index.md", "docs/api/autograd.md", "docs/slides_L.svg",
]
# Run from the unpacked sdist: a few real test files and the docs' doctests.
SUBSET = ["tests/test_engine.py", "tests/test_clash.py", "tests/test_nn_module.py", "docs"]

if not os.environ.get("CI") and not all(map(importlib.util.find_spec, ("build", "twine"))):
    pytest.skip("build and twine are not installed (the dev extra)", allow_module_level=True)


def _run(*args: str | Path, cwd: Path = ROOT, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(
        [str(a) for a in args], cwd=cwd, capture_output=True, text=True, env=env
    )
    assert result.returncode == 0, f"{args}:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result.stdout


@pytest.fixture(scope="module")
def dists(tmp_path_factory):
    """Build the sdist, then the wheel from it (``python -m build``), into a tmp dir."""
    out = tmp_path_factory.mktemp("dist")
    # The dev extra installs the backend (setuptools>=77), so no isolated env is downloaded.
    _run(sys.executable, "-m", "build", "--no-isolation", "--outdir", out, ROOT)
    [sdist] = out.glob("*.tar.gz")
    [wheel] = out.glob("*.whl")
    return sdist, wheel


def _tracked(folder: str, suffix: str) -> set[str]:
    return {str(p.relative_to(ROOT)) for p in (ROOT / folder).rglob(f"*{suffix}")
            if "__pycache__" not in p.parts and "out" not in p.parts}


def test_the_sdist_holds_the_whole_project(dists):
    sdist, _ = dists
    with tarfile.open(sdist) as tar:
        top = sdist.name.removesuffix(".tar.gz")
        names = {n.removeprefix(f"{top}/") for n in tar.getnames()}
    expected = set(SDIST_MUST_HAVE) | _tracked("tests", ".py") | _tracked("docs", ".md")
    expected |= _tracked("examples", ".py") | _tracked("examples", ".ipynb")
    expected |= _tracked("benchmarks", ".py")
    assert expected - names == set()
    assert not [n for n in names if "__pycache__" in n or n.startswith((".venv", "site/"))]


def test_the_wheel_holds_the_packages_their_data_and_the_license(dists):
    _, wheel = dists
    with zipfile.ZipFile(wheel) as whl:
        names = set(whl.namelist())
        info = next(n for n in names if n.endswith(".dist-info/METADATA"))
        metadata = whl.read(info).decode()
    tops = {n.split("/")[0] for n in names if not n.split("/")[0].endswith(".dist-info")}
    assert tops == {"autograd", "nn"}
    assert {"autograd/explorer.js", "autograd/explorer.css", "autograd/py.typed"} <= names
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    assert f"Version: {autograd.__version__}\n" in metadata
    assert "License-Expression: MIT\n" in metadata
    assert "Classifier: Programming Language :: Python :: 3.13\n" in metadata
    assert "Provides-Extra: testing\n" in metadata


def test_twine_check_passes(dists):
    assert "PASSED" in _run(sys.executable, "-m", "twine", "check", "--strict", *dists)


def _fresh_venv(where: Path) -> Path:
    """A new virtualenv that sees this environment's packages (pytest, hypothesis...) after its
    own, so the wheel installed into it is the ``autograd`` it imports."""
    subprocess.run([sys.executable, "-m", "venv", where], check=True)
    python = where / "bin" / "python"
    site = _run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])")
    ours = {sysconfig.get_paths()[key] for key in ("purelib", "platlib")}
    Path(site.strip(), "parent_env.pth").write_text("\n".join(sorted(ours)) + "\n")
    return python


def test_the_unpacked_sdist_passes_its_tests_against_the_installed_wheel(dists, tmp_path):
    sdist, wheel = dists
    with tarfile.open(sdist) as tar:
        if hasattr(tarfile, "data_filter"):  # Python >= 3.10.12: refuse unsafe members
            tar.extraction_filter = tarfile.data_filter
        tar.extractall(tmp_path)
    project = tmp_path / sdist.name.removesuffix(".tar.gz")
    python = _fresh_venv(tmp_path / "venv")
    _run(python, "-m", "pip", "install", "-q", "--no-deps", "--no-index", wheel)
    where = _run(python, "-c", "import autograd, nn; print(autograd.__file__, nn.__version__)",
                 cwd=tmp_path)
    assert str(tmp_path / "venv") in where and autograd.__version__ in where
    version = _run(python, "-m", "autograd", "--version", cwd=tmp_path)
    assert version == f"{autograd.__version__}\n"
    drawn = _run(python, "-m", "autograd", "draw", "x*w+b", "x=2", "w=-3", "b=6", "-o", "g.dot",
                 cwd=tmp_path)
    assert "dL/dw = 2" in drawn and "->" in (tmp_path / "g.dot").read_text()
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    collected = _run(python, "-m", "pytest", "--collect-only", "-q", cwd=project, env=env)
    assert " error" not in collected and "tests collected" in collected.splitlines()[-1]
    result = _run(python, "-m", "pytest", "-q", *SUBSET, cwd=project, env=env)
    assert " passed" in result.splitlines()[-1] and "skipped" not in result
