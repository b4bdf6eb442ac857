"""HIPS autograd installed into the same ``autograd/`` folder is reported at import."""

import os
import subprocess
import sys
from pathlib import Path

import autograd
from autograd.clash import find_clash

PACKAGE = Path(autograd.__file__).resolve().parent
IMPORT = "import autograd"  # Python's default warning filters: the warning must show


def _site(tmp_path: Path, record: str | None, name: str = "autograd-1.7.0.dist-info") -> Path:
    """A fake site-packages: our package (a symlink) and another distribution's metadata."""
    (tmp_path / "autograd").symlink_to(PACKAGE, target_is_directory=True)
    info = tmp_path / name
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: autograd\nVersion: 1.7.0\n")
    if record is not None:
        (info / "RECORD").write_text(record)
    return tmp_path


def _import(site: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(site)}
    return subprocess.run(
        [sys.executable, "-c", IMPORT], capture_output=True, text=True, env=env, cwd=site
    )


def test_hips_autograd_in_the_same_folder_warns_at_import(tmp_path):
    site = _site(tmp_path, "autograd/__init__.py,,\nautograd/core.py,,\n")
    result = _import(site)
    assert result.returncode == 0
    assert "NameClashWarning: HIPS autograd 1.7.0 is installed in the same folder" in result.stderr
    assert "pip uninstall autograd scalar-autograd" in result.stderr


def test_metadata_without_a_file_list_still_counts(tmp_path):
    site = _site(tmp_path, None)
    message = find_clash(site / "autograd")
    assert message is not None and "separate virtualenvs" in message


def test_a_distribution_elsewhere_or_another_name_is_no_clash(tmp_path):
    site = _site(tmp_path, "other_pkg/__init__.py,,\n")  # owns nothing in autograd/
    assert find_clash(site / "autograd") is None
    result = _import(site)
    assert result.returncode == 0 and result.stderr == ""
    assert find_clash(PACKAGE) is None  # this environment: no HIPS autograd
