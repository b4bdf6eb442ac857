"""Module.save / load / state_dict: bit-exact JSON round trip, atomic writes, rejected files."""

from __future__ import annotations

import json
import os
import struct
import subprocess
import sys

import pytest

import autograd.files
import nn
from autograd import Value

TRICKY = [0.1, 1 / 3, -0.0, 5e-324, 2.2250738585072014e-308, 1.7976931348623157e308,
          -123456.789e-20, 3.141592653589793, 1e-7 + 1e-23]


def _bits(model):
    return [struct.pack("<d", p.data) for p in model.parameters()]


def _tricky_model(seed=0):
    model = nn.MLP(2, [3, 1], seed=seed)
    for p, v in zip(model.parameters(), TRICKY * 2, strict=False):
        p.data = v
    return model


def assert_rejected(path, match: str | None = None) -> None:
    """Loading ``path`` raises ValueError (matching ``match``) and changes no parameter."""
    model = _tricky_model()
    before = _bits(model)
    with pytest.raises(ValueError, match=match):
        model.load(path)
    assert _bits(model) == before


def test_save_load_round_trip_is_bit_exact(tmp_path):
    model = _tricky_model()
    model.save(tmp_path / "m.json")
    other = nn.MLP(2, [3, 1], seed=99)
    assert other.load(tmp_path / "m.json") is other  # in place, returns the model
    assert _bits(other) == _bits(model)
    assert struct.pack("<d", other.parameters()[2].data) == struct.pack("<d", -0.0)


def test_file_is_readable_json_with_names(tmp_path):
    nn.MLP(2, [1], seed=0).save(tmp_path / "m.json")
    doc = json.loads((tmp_path / "m.json").read_text())
    assert doc["format"] == "nn.Module" and doc["version"] == 1
    assert list(doc["parameters"]) == ["layers.0.neurons.0.w.0", "layers.0.neurons.0.w.1",
                                       "layers.0.neurons.0.b"]
    assert doc["model"].startswith("MLP([Layer(2, 1")


def test_state_dict_round_trip():
    a, b = nn.MLP(3, [4, 2], seed=1), nn.MLP(3, [4, 2], seed=2)
    b.load_state_dict(a.state_dict())
    assert _bits(a) == _bits(b)


@pytest.mark.parametrize("other", [lambda: nn.MLP(2, [4, 1], seed=0),
                                   lambda: nn.MLP(2, [3, 2], seed=0),
                                   lambda: nn.MLP(3, [3, 1], seed=0),
                                   lambda: nn.MLP(2, [3, 3, 1], seed=0)])
def test_wrong_architecture_is_rejected_and_model_unchanged(tmp_path, other):
    other().save(tmp_path / "other.json")
    assert_rejected(tmp_path / "other.json", match="architecture mismatch")


@pytest.mark.parametrize("cut", [0.1, 0.5, 0.9, 0.98, 1])
def test_truncated_file_is_rejected_and_model_unchanged(tmp_path, cut):
    path = tmp_path / "m.json"
    nn.MLP(2, [3, 1], seed=5).save(path)
    text = path.read_text()
    path.write_text(text[: int(len(text) * cut)] if cut < 1 else text.rstrip()[:-1])
    assert_rejected(path, match="truncated or corrupt")


@pytest.mark.parametrize("corrupt", [
    lambda doc: doc["parameters"].update({"layers.0.neurons.2.b": "0.5"}),
    lambda doc: doc["parameters"].update({"layers.0.neurons.2.b": True}),
    lambda doc: doc["parameters"].update({"layers.0.neurons.2.b": 10**400}),  # float() overflows
    lambda doc: doc["parameters"].pop("layers.1.neurons.0.w.2"),
    lambda doc: doc["parameters"].update({"layers.9.neurons.0.b": 1.0}),
    lambda doc: doc.update({"parameters": [1.0, 2.0]}),
    lambda doc: doc.update({"format": "something else"}),
    lambda doc: doc.update({"version": 2}),
])
def test_corrupt_content_is_rejected_before_any_change(tmp_path, corrupt):
    path = tmp_path / "m.json"
    nn.MLP(2, [3, 1], seed=5).save(path)
    doc = json.loads(path.read_text())
    corrupt(doc)
    path.write_text(json.dumps(doc))
    assert_rejected(path)


def test_binary_garbage_is_rejected(tmp_path):
    (tmp_path / "m.json").write_bytes(b"\xff\xfe\x00garbage")
    assert_rejected(tmp_path / "m.json", match="not a model file")


def test_failed_write_keeps_the_old_file_and_leaves_no_temporary(tmp_path, monkeypatch):
    path = tmp_path / "m.json"
    nn.MLP(2, [3, 1], seed=1).save(path)
    old = path.read_text()

    def broken_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        nn.MLP(2, [3, 1], seed=2).save(path)
    assert path.read_text() == old
    assert os.listdir(tmp_path) == ["m.json"]


def test_save_overwrites_and_keeps_no_temporary(tmp_path):
    path = tmp_path / "m.json"
    nn.MLP(2, [1], seed=1).save(path)
    model = nn.MLP(2, [1], seed=2)
    model.save(str(path))
    assert os.listdir(tmp_path) == ["m.json"]
    assert nn.MLP(2, [1], seed=3).load(path).state_dict() == model.state_dict()


def test_save_through_a_symlink_updates_its_target(tmp_path):
    model = nn.MLP(2, [2, 1], seed=0)
    real, link = tmp_path / "real.json", tmp_path / "latest.json"
    nn.MLP(2, [2, 1], seed=1).save(real)
    os.symlink(real, link)
    model.save(link)
    assert os.path.islink(link)
    assert nn.MLP(2, [2, 1], seed=1).load(real).state_dict() == model.state_dict()


def test_a_new_file_follows_the_umask_and_a_non_file_is_refused(tmp_path):
    old = os.umask(0o077)
    try:
        nn.MLP(2, [1], seed=0).save(tmp_path / "new.json")
    finally:
        os.umask(old)
    assert os.stat(tmp_path / "new.json").st_mode & 0o777 == 0o600
    with pytest.raises(ValueError, match="not a regular file"):
        nn.MLP(2, [1], seed=0).save(tmp_path)


class _Wide(nn.Module):
    def __init__(self, n: int) -> None:
        self.w = [Value(float(i)) for i in range(n)]


def test_load_of_100000_parameters_round_trips(tmp_path):
    """Loading checks names with one set lookup each (it was quadratic: minutes at this size)."""
    model = _Wide(100_000)
    model.save(tmp_path / "wide.json")
    other = _Wide(100_000)
    for p in other.parameters():
        p.data = -1.0
    other.load(tmp_path / "wide.json")
    assert [p.data for p in other.parameters()] == [float(i) for i in range(100_000)]


def test_a_killed_save_leaves_a_temporary_that_the_next_save_removes(tmp_path):
    path = tmp_path / "m.json"
    code = ("import os, nn, autograd.files as f\n"
            "os.replace = lambda *a: os.kill(os.getpid(), 9)\n"  # killed just before the rename
            f"nn.MLP(2, [1], seed=0).save({str(path)!r})\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True)
    assert done.returncode == -9
    left = os.listdir(tmp_path)
    assert len(left) == 1 and left[0].startswith(".m.json.") and left[0].endswith(".tmp")
    mine = tmp_path / f".m.json.{os.getpid()}.x.tmp"  # a live process's: kept
    mine.write_text("in progress")
    other = tmp_path / ".other.json.1.x.tmp"  # another target's: kept
    other.write_text("")
    nn.MLP(2, [1], seed=1).save(path)
    assert sorted(os.listdir(tmp_path)) == sorted(["m.json", mine.name, other.name])


def test_a_read_only_file_is_not_replaced(tmp_path):
    path = tmp_path / "m.json"
    nn.MLP(2, [1], seed=0).save(path)
    old = path.read_text()
    path.chmod(0o444)
    with pytest.raises(PermissionError, match="read-only"):
        nn.MLP(2, [1], seed=1).save(path)
    assert path.read_text() == old and os.listdir(tmp_path) == ["m.json"]


def test_deeply_nested_json_is_a_value_error(tmp_path):
    (tmp_path / "m.json").write_text("[" * 100_000 + "]" * 100_000)
    assert_rejected(tmp_path / "m.json", match="not a model file")


def test_a_missing_folder_names_the_file_asked_for_not_a_temporary(tmp_path):
    path = tmp_path / "no such folder" / "model.json"
    with pytest.raises(FileNotFoundError) as info:
        nn.MLP(2, [1], seed=0).save(path)
    assert info.value.filename == str(path) and ".tmp" not in str(info.value)
    with pytest.raises(FileNotFoundError, match=r"model\.svg"):
        autograd.files.write_atomic(tmp_path / "gone" / "model.svg", "<svg/>")
