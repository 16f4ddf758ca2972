"""save_weights / load_weights: round trip, atomic save, checks, damaged files, no pickle."""

import os
import pickle

import numpy as np
import pytest

from nn.serialize import load_weights, save_weights


@pytest.fixture
def weights():
    rng = np.random.default_rng(0)
    return {"W1": rng.standard_normal((784, 16)).astype(np.float32),
            "b1": np.zeros(16, np.float32),
            "W2": rng.standard_normal((16, 10)),
            "step": np.array(7, dtype=np.int64),
            "mask": np.array([True, False])}


def spec(arrays):
    return {name: (a.shape, a.dtype) for name, a in arrays.items()}


@pytest.fixture(autouse=True)
def no_unpickling(monkeypatch):
    """Loading must never reach pickle."""
    def refuse(*args, **kwargs):
        raise AssertionError("pickle was used")
    monkeypatch.setattr(pickle, "load", refuse)
    monkeypatch.setattr(pickle, "loads", refuse)


def test_round_trip(tmp_path, weights):
    path = tmp_path / "net.npz"
    save_weights(path, weights)
    back = load_weights(path, expected=spec(weights))
    assert list(back) == list(weights)
    for name, a in weights.items():
        assert back[name].dtype == a.dtype and back[name].shape == a.shape
        np.testing.assert_array_equal(back[name], a)
    assert os.listdir(tmp_path) == ["net.npz"]


def test_readable_with_plain_numpy(tmp_path, weights):
    path = tmp_path / "weights"  # no suffix added
    save_weights(str(path), weights)
    with np.load(path) as f:
        assert sorted(f.files) == sorted(weights)
        np.testing.assert_array_equal(f["W1"], weights["W1"])


def test_overwrites_previous_file(tmp_path, weights):
    path = tmp_path / "net.npz"
    save_weights(path, {"old": np.ones(3)})
    save_weights(path, weights)
    assert list(load_weights(path)) == list(weights)


@pytest.mark.parametrize("where", ["savez", "replace"])
def test_crash_during_save_keeps_old_file(tmp_path, weights, monkeypatch, where):
    path = tmp_path / "net.npz"
    save_weights(path, {"old": np.arange(5.0)})
    before = path.read_bytes()

    if where == "savez":
        real = np.savez

        def crash(file, **kw):
            real(file, **kw)          # a partial archive reaches the temporary file ...
            file.truncate(100)
            raise OSError("disk full")  # ... then the save dies
        monkeypatch.setattr(np, "savez", crash)
    else:
        def crash(src, dst):
            raise OSError("power cut")
        monkeypatch.setattr(os, "replace", crash)

    with pytest.raises(OSError, match="disk full|power cut"):
        save_weights(path, weights)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["net.npz"]  # no temporary file left
    np.testing.assert_array_equal(load_weights(path)["old"], np.arange(5.0))


def test_missing_folder(tmp_path):
    with pytest.raises(FileNotFoundError):
        save_weights(tmp_path / "no" / "net.npz", {"a": np.ones(1)})


def test_mismatch_messages(tmp_path, weights):
    path = tmp_path / "net.npz"
    save_weights(path, weights)
    good = spec(weights)

    missing = dict(good, W3=((10, 10), np.float32))
    with pytest.raises(ValueError, match=r"missing array\(s\) \['W3'\]") as info:
        load_weights(path, missing)
    assert str(path) in str(info.value)

    extra = {k: v for k, v in good.items() if k != "mask"}
    with pytest.raises(ValueError, match=r"unexpected array\(s\) \['mask'\]"):
        load_weights(path, extra)

    shape = dict(good, W1=((16, 784), np.float32))
    with pytest.raises(ValueError, match=r"'W1' has shape \(784, 16\), expected \(16, 784\)"):
        load_weights(path, shape)

    dtype = dict(good, W2=((16, 10), "float32"))
    with pytest.raises(ValueError, match="'W2' has dtype float64, expected float32"):
        load_weights(path, dtype)


def test_first_difference_is_reported(tmp_path, weights):
    path = tmp_path / "net.npz"
    save_weights(path, weights)
    both = dict(spec(weights), W1=((1,), np.float32), b1=((16,), np.float64))
    with pytest.raises(ValueError, match="'W1' has shape"):
        load_weights(path, both)


@pytest.mark.parametrize("cut", [0, 10, 200, -30])
def test_truncated_file(tmp_path, weights, cut):
    path = tmp_path / "net.npz"
    save_weights(path, weights)
    data = path.read_bytes()
    path.write_bytes(data[:cut])
    with pytest.raises(ValueError, match="truncated or corrupt") as info:
        load_weights(path)
    assert str(path) in str(info.value)


def test_garbage_and_npy_files(tmp_path):
    junk = tmp_path / "junk.npz"
    junk.write_bytes(b"hello, not a zip file at all" * 10)
    with pytest.raises(ValueError, match="junk.npz"):
        load_weights(junk)
    single = tmp_path / "single.npy"
    np.save(single, np.ones(3))
    with pytest.raises(ValueError, match="single .npy array, not an .npz archive"):
        load_weights(single)


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError):
        load_weights(tmp_path / "absent.npz")


def test_object_arrays_refused_on_save(tmp_path):
    with pytest.raises(TypeError, match="'bad' has dtype object, which would need pickle"):
        save_weights(tmp_path / "x.npz", {"ok": np.ones(2), "bad": np.array([{"a": 1}, None])})
    assert os.listdir(tmp_path) == []


def test_object_arrays_never_unpickled_on_load(tmp_path, monkeypatch):
    path = tmp_path / "evil.npz"
    monkeypatch.undo()  # let numpy pickle while we build the hostile file
    np.savez(path, W=np.ones(2), payload=np.array([{"run": "code"}], dtype=object))
    monkeypatch.setattr(pickle, "load", lambda *a, **k: pytest.fail("pickle.load was called"))
    with pytest.raises(ValueError, match="pickled Python objects .* refuses to load") as info:
        load_weights(path)
    assert str(path) in str(info.value)


@pytest.mark.parametrize("name", ["file", "allow_pickle", "", 3])
def test_bad_names(tmp_path, name):
    with pytest.raises((TypeError, ValueError), match="name"):
        save_weights(tmp_path / "x.npz", {name: np.ones(1)})
    assert os.listdir(tmp_path) == []
