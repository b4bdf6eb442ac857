"""Warn at import when HIPS autograd is installed into the same ``autograd/`` folder as this one.

Both distributions (``scalar-autograd`` and HIPS's ``autograd``) install a top-level package
named ``autograd``; pip merges them into one folder, where each breaks the other, and
uninstalling either deletes files the other needs. The check lists the folder that holds this
package once (cheap: no metadata is read unless an ``autograd`` distribution's metadata is
there) and reads that distribution's file list through ``importlib.metadata``.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from importlib.metadata import Distribution

PACKAGE_DIR = Path(__file__).absolute().parent  # not resolved: the folder it was imported from


class NameClashWarning(RuntimeWarning):
    """HIPS autograd is installed beside this library and shares its ``autograd/`` folder."""


def _metadata_names(site: Path) -> list[str]:
    """The entries of ``site`` that look like metadata of a distribution named ``autograd``."""
    try:
        names = os.listdir(site)
    except OSError:
        return []
    return [
        name for name in names
        if name.lower().startswith(("autograd-", "autograd."))
        and name.endswith((".dist-info", ".egg-info"))
    ]


def _shares_folder(dist: Distribution, package_dir: Path) -> bool:
    """True when ``dist`` lists a file in ``package_dir`` (or lists no files at all)."""
    files = dist.files
    if files is None:  # no RECORD: its metadata beside our package is evidence enough
        return True
    folder = package_dir.resolve()
    return any(Path(str(dist.locate_file(f))).resolve().parent == folder for f in files)


def find_clash(package_dir: Path = PACKAGE_DIR) -> str | None:
    """The warning's text if another ``autograd`` distribution owns files in ``package_dir``."""
    site = package_dir.parent
    if not _metadata_names(site):
        return None
    from importlib.metadata import distributions

    for dist in distributions(name="autograd", path=[str(site)]):
        if _shares_folder(dist, package_dir):
            version = dist.metadata["Version"]
            return (
                f"HIPS autograd {version} is installed in the same folder as scalar-autograd "
                f"({package_dir}), so each overwrites the other's files: use separate "
                "virtualenvs, or run `pip uninstall autograd scalar-autograd` and then "
                "reinstall scalar-autograd alone."
            )
    return None


def warn_if_clashing() -> None:
    """Emit :class:`NameClashWarning` when :func:`find_clash` finds HIPS autograd beside us."""
    message = find_clash()
    if message is not None:
        warnings.warn(message, NameClashWarning, stacklevel=2)
