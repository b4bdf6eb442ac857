"""The documentation site builds strictly, every page has a table of contents, and the API
reference documents every public name of ``autograd`` and ``nn``."""

import importlib
import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import autograd
import nn

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
PACKAGES = {"autograd": autograd, "nn": nn}
DIRECTIVE = re.compile(r"^::: ([\w.]+)", re.MULTILINE)
HAVE_MKDOCS = all(
    importlib.util.find_spec(name) for name in ("mkdocs", "material", "mkdocstrings_handlers")
)


def _resolve(path: str) -> object:
    """The object a dotted path names: the longest importable module, then attributes."""
    parts = path.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj: object = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for attr in parts[cut:]:
            obj = getattr(obj, attr)
        return obj
    raise ImportError(path)


def _documented(package: str) -> dict[str, object]:
    """Last name -> object, for each ``::: package...`` directive of the reference page."""
    text = (DOCS / "api" / f"{package}.md").read_text(encoding="utf-8")
    return {path.rsplit(".", 1)[-1]: _resolve(path) for path in DIRECTIVE.findall(text)}


@pytest.mark.parametrize("package", sorted(PACKAGES))
def test_the_reference_page_documents_every_public_name(package):
    module = PACKAGES[package]
    documented = _documented(package)
    missing = [name for name in module.__all__ if name not in documented]
    assert not missing, f"docs/api/{package}.md lacks ::: entries for {missing}"
    wrong = [n for n in module.__all__ if documented[n] is not getattr(module, n)]
    assert not wrong, f"docs/api/{package}.md documents other objects as {wrong}"


def _nav_pages() -> list[str]:
    """The pages listed in mkdocs.yml's nav, in order."""
    text = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    return re.findall(r"^\s+- (?:[^:\n]+|\"[^\"]+\"): (\S+\.md)$", text.split("\nnav:", 1)[1], re.M)


def test_the_readme_links_to_files_that_exist():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    links = re.findall(r"\]\(([^)#]+)\)", text)
    assert "docs/tutorial.md" in links
    assert [link for link in links if not (ROOT / link).exists()] == []


def test_every_page_in_docs_is_in_the_nav():
    pages = sorted(str(p.relative_to(DOCS)) for p in DOCS.rglob("*.md"))
    assert sorted(_nav_pages()) == pages


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    if not HAVE_MKDOCS and not os.environ.get("CI"):
        pytest.skip("mkdocs, mkdocs-material and mkdocstrings-python are not installed")
    out = tmp_path_factory.mktemp("site")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
        cwd=ROOT, capture_output=True, text=True, env=env,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return out


def _html(site: Path, page: str) -> str:
    """The built HTML of a docs page (``tutorial.md`` is ``tutorial/index.html``)."""
    folder = site / page.removesuffix(".md") if page != "index.md" else site
    return (folder / "index.html").read_text(encoding="utf-8")


def test_every_page_has_a_table_of_contents(site):
    for page in _nav_pages():
        toc = _html(site, page).split('data-md-component="toc"', 1)
        assert len(toc) == 2 and 'class="md-nav__link"' in toc[1], f"{page} has no contents"


@pytest.mark.parametrize("package", sorted(PACKAGES))
def test_the_built_reference_has_an_entry_for_every_public_name(site, package):
    ids = set(re.findall(r'id="([\w.]+)"', _html(site, f"api/{package}.md")))
    missing = [
        name for name in PACKAGES[package].__all__
        if not any(i.startswith(f"{package}.") and i.endswith(f".{name}") for i in ids)
    ]
    assert not missing, f"the built api/{package} page has no entry for {missing}"
