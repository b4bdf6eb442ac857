"""Atomic file writes for saved models and pictures: a temporary file, then a rename.

Readers see the old file or the new one, never part of one. The temporary file sits next
to the target and is named ``.<target name>.<pid>.<random>.tmp``; if a process is killed
mid-save its temporary file stays behind, and the next save to the same target removes
those whose process is gone. A read-only target (no write permission bit, or not writable
by this user) is refused with PermissionError, as ``open(path, "w")`` refuses it, even
when running as root.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import tempfile
from typing import Union

PathLike = Union[str, "os.PathLike[str]"]


def write_atomic(path: PathLike, data: str | bytes) -> None:
    """Write ``data`` (text as UTF-8) to ``path`` atomically; on failure the old file stays."""
    target = os.path.realpath(os.fspath(path))  # through a symlink: its target is updated
    folder, name = os.path.split(target)
    mode = _writable_mode(target, os.fspath(path))
    _remove_stale(folder, name)
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{name}.{os.getpid()}.", suffix=".tmp")
    except OSError as error:  # no such folder, or not writable: name the file asked for
        raise type(error)(error.errno, error.strerror, os.fspath(path)) from None
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data.encode("utf-8") if isinstance(data, str) else data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.remove(tmp)
        raise


def _writable_mode(target: str, shown: str) -> int:
    """The permission bits the new file gets; raises if ``target`` may not be replaced."""
    if not os.path.exists(target):
        return 0o666 & ~_umask()
    if not os.path.isfile(target):
        raise ValueError(f"{shown} exists and is not a regular file: not replaced")
    mode = os.stat(target).st_mode & 0o777
    if not mode & 0o222 or not os.access(target, os.W_OK):
        raise PermissionError(errno.EACCES, "read-only file: not replaced", shown)
    return mode


def _remove_stale(folder: str, name: str) -> None:
    """Remove temporary files for ``name`` left by killed processes (POSIX only)."""
    if os.name != "posix":  # os.kill(pid, 0) would end the process on Windows
        return
    pattern = re.compile(rf"\.{re.escape(name)}\.(\d+)\.\w+\.tmp")
    with contextlib.suppress(OSError):
        for entry in os.scandir(folder):
            found = pattern.fullmatch(entry.name)
            if found and not _alive(int(found.group(1))):
                with contextlib.suppress(OSError):
                    os.remove(entry.path)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True  # it exists (another user's), or cannot be checked: keep its file
    return True


def _umask() -> int:
    """The process's umask (reading it means setting it: put it straight back)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
