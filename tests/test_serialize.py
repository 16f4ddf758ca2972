"""save_weights / load_weights: round trip, atomic save, checks, damaged files, no pickle,
and hostile files: memory bombs, files that are not weights, named pipes, symbolic links."""

import contextlib
import gzip
import os
import pickle
import struct
import warnings
import zipfile

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from autograd.files import NotARegularFileError, temp_path
from hostile_files import deflate_bomb, end_record, npy_header, peak_memory, unblock_later
from nn.serialize import MAX_WEIGHT_ARRAYS, WeightsError, load_weights, save_weights


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

    with pytest.raises(OSError, match=r"disk full|power cut"):
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
    with pytest.raises(ValueError, match=r"junk\.npz"):
        load_weights(junk)
    single = tmp_path / "single.npy"
    np.save(single, np.ones(3))
    with pytest.raises(ValueError, match=r"single \.npy array, not an \.npz archive"):
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
    with pytest.raises(ValueError, match=r"pickled Python objects .* refuses to load") as info:
        load_weights(path)
    assert str(path) in str(info.value)


@pytest.mark.parametrize("name", ["file", "allow_pickle", "", 3])
def test_bad_names(tmp_path, name):
    with pytest.raises((TypeError, ValueError), match="name"):
        save_weights(tmp_path / "x.npz", {name: np.ones(1)})
    assert os.listdir(tmp_path) == []


# ---------------------------------------------------------------- hostile files: memory bombs



def test_a_member_declaring_7_tib_is_refused_unread(tmp_path):
    path = tmp_path / "huge.npz"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("W.npy", npy_header((1 << 40, 7), "|u1"))
    error, peak = peak_memory(lambda: load_weights(path))
    assert isinstance(error, WeightsError)
    assert "array 'W' declares shape (1099511627776, 7) of uint8 (7.0 TiB)" in str(error)
    assert "more than this file of" in str(error) and str(path) in str(error)
    assert peak < 1 << 20



@pytest.mark.parametrize("expected", [None, {"W": ((2, 2), np.float64)}])
def test_a_deflate_bomb_is_refused_before_inflating(tmp_path, expected):
    bomb = deflate_bomb(tmp_path / "bomb.npz", npy_header((2, 2)), 64 << 20)
    assert bomb.stat().st_size < 400_000  # 64 MiB of data in 300 KB
    error, peak = peak_memory(lambda: load_weights(bomb, expected))
    assert isinstance(error, WeightsError)
    assert "declares shape (2, 2) of float64 (32 bytes), but its zip entry holds 64.0 MiB" \
        in str(error)
    assert peak < 1 << 20


def test_a_bomb_whose_zip_entry_lies_about_its_size_stops_at_that_size(tmp_path):
    """The entry says 160 bytes (as the header does) but inflates to 64 MiB: reading stops
    at 160 bytes, and the CRC-32 shows the damage."""
    header = npy_header((2, 2))
    bomb = deflate_bomb(tmp_path / "bomb.npz", header, 64 << 20)
    data = bytearray(bomb.read_bytes())
    real, claimed = (len(header) + (64 << 20)), len(header) + 32
    for width in (8, 4):  # the sizes: in zip64 extra fields (8 bytes), in the list (4)
        for at in range(len(data) - width):
            if int.from_bytes(data[at:at + width], "little") == real:
                data[at:at + width] = claimed.to_bytes(width, "little")
    bomb.write_bytes(bytes(data))
    error, peak = peak_memory(lambda: load_weights(bomb, {"W": ((2, 2), np.float64)}))
    assert isinstance(error, WeightsError) and "truncated or corrupt" in str(error)
    assert "CRC" in str(error) or "Error -3" in str(error)
    assert peak < 1 << 20


def test_a_bomb_that_declares_its_true_size_is_stopped_by_max_bytes(tmp_path):
    bomb = deflate_bomb(tmp_path / "bomb.npz", npy_header((8 << 20,), "|u1"), 8 << 20)
    error, peak = peak_memory(lambda: load_weights(bomb, max_bytes=1 << 20))
    assert isinstance(error, WeightsError)
    assert "(8.0 MiB), which would take the arrays past the limit of 1.0 MiB (max_bytes)" \
        in str(error)
    assert peak < 1 << 20
    assert load_weights(bomb, max_bytes=8 << 20)["W"].shape == (8 << 20,)


def test_max_bytes_counts_all_arrays_together(tmp_path):
    path = tmp_path / "w.npz"
    save_weights(path, {"a": np.zeros(100, np.uint8), "b": np.zeros(100, np.uint8)})
    assert len(load_weights(path, max_bytes=200)) == 2
    with pytest.raises(WeightsError, match=r"array 'b' declares .* past the limit of 199 bytes"):
        load_weights(path, max_bytes=199)



@pytest.mark.parametrize("entries, listing", [(65_535, 3_000_000), (5, 50_000_000),
                                              (MAX_WEIGHT_ARRAYS + 1, 500_000)])
def test_an_archive_listing_too_many_entries_is_refused_before_the_list_is_read(
        tmp_path, entries, listing):
    path = tmp_path / "many.npz"
    path.write_bytes(end_record(entries, listing))
    with pytest.raises(WeightsError, match=f"lists {entries:,} entries in {listing:,} bytes"):
        load_weights(path)


def test_a_zip64_record_cannot_hide_a_long_list(tmp_path):
    """A small count in the plain record, a huge one in the ZIP64 record that zip readers
    prefer: the larger claim counts."""
    end64 = b"PK\x06\x06" + struct.pack("<Q2H2L4Q", 44, 45, 45, 0, 0, 10**7, 10**7, 10**9, 0)
    locator = b"PK\x06\x07" + struct.pack("<LQL", 0, 0, 1)
    path = tmp_path / "zip64.npz"
    path.write_bytes(b"PK\x03\x04" + bytes(60) + end64 + locator + end_record(1, 46))
    with pytest.raises(WeightsError, match="lists 10,000,000 entries in 1,000,000,000 bytes"):
        load_weights(path)


def test_ten_thousand_arrays_still_load(tmp_path):
    path = tmp_path / "w.npz"
    save_weights(path, {f"a{i}": np.array(i) for i in range(MAX_WEIGHT_ARRAYS)})
    assert len(load_weights(path)) == MAX_WEIGHT_ARRAYS


# ---------------------------------------------------------------- files that are not weights

@pytest.mark.parametrize("content, looks_like", [
    (b"W1 = [[0.5, 0.25]]\n", 'text (it starts with "W1 = [[0.5, 0.25]]")'),
    (b"\x89PNG\r\n\x1a\n" + bytes(40), "a PNG image (it starts with 89 50 4e 47"),
    (gzip.compress(b"weights"), "gzip-compressed data"),
    (b"", "empty (0 bytes)"),
])
def test_a_file_that_is_not_an_npz_says_what_it_is(tmp_path, content, looks_like):
    path = tmp_path / "w.npz"
    path.write_bytes(content)
    with pytest.raises(WeightsError) as info:
        load_weights(path)
    message = str(info.value)
    assert f"{path} is not an .npz weights file: it is {looks_like}" in message
    assert "pickle" not in message


def test_a_pickle_file_is_called_one_and_not_loaded(tmp_path):
    path = tmp_path / "w.npz"
    path.write_bytes(pickle.dumps({"W": [1.0, 2.0]}, protocol=4))
    with pytest.raises(WeightsError, match="holds pickled Python objects, which tracegrad "
                                           "refuses to load"):
        load_weights(path)


def test_a_member_that_is_not_npy_is_refused_by_name(tmp_path):
    path = tmp_path / "w.npz"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("W.npy", npy_header((1,)) + bytes(8))
        z.writestr("notes.txt", b"trained on Tuesday")
    with pytest.raises(WeightsError, match=r"the entry 'notes\.txt' is not an \.npy array"):
        load_weights(path)


def test_two_members_with_one_name_are_refused(tmp_path):
    path = tmp_path / "w.npz"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about the duplicate: that is the point
        with zipfile.ZipFile(path, "w") as z:
            z.writestr("W.npy", npy_header((1,)) + bytes(8))
            z.writestr("W.npy", npy_header((1,)) + bytes(8))
    with pytest.raises(WeightsError, match="holds two arrays named 'W'"):
        load_weights(path)


@pytest.mark.parametrize("method", [zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA])
def test_other_compression_methods_are_refused(tmp_path, method):
    path = tmp_path / "w.npz"
    with zipfile.ZipFile(path, "w", compression=method) as z:
        z.writestr("W.npy", npy_header((1,)) + bytes(8))
    with pytest.raises(WeightsError, match=f"uses zip compression method {method}"):
        load_weights(path)


@pytest.mark.parametrize("descr, words", [("<U3", "holds text"), ("|S4", "holds text"),
                                          ("<M8[s]", "not a plain number type"),
                                          ("|O", "pickled Python objects")])
def test_non_numeric_arrays_are_refused_from_the_header(tmp_path, descr, words):
    path = tmp_path / "w.npz"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("W.npy", npy_header((2,), descr) + bytes(64))
    with pytest.raises(WeightsError, match=words):
        load_weights(path)


def test_a_folder_and_a_device_are_refused_by_name(tmp_path):
    with pytest.raises(IsADirectoryError, match="is a folder"):
        load_weights(tmp_path)
    if os.path.exists("/dev/zero"):
        with pytest.raises(NotARegularFileError, match="/dev/zero is a character device"):
            load_weights("/dev/zero")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_a_fifo_is_refused_without_hanging(tmp_path):
    path = tmp_path / "w.npz"
    os.mkfifo(path)
    unblock_later(path)  # should the loader wait for a writer, the test fails, not hangs
    with pytest.raises(NotARegularFileError, match=r"w\.npz is a named pipe \(FIFO\)"):
        load_weights(path)


# ---------------------------------------------------------------- what load_weights does read

def test_every_numeric_dtype_layout_and_compression_round_trips(tmp_path):
    arrays = {"f16": np.arange(3, dtype=np.float16), "big": np.arange(4, dtype=">i4"),
              "c": np.array([1 + 2j]), "u8": np.arange(5, dtype=np.uint8),
              "fortran": np.asfortranarray(np.arange(6.0).reshape(2, 3)),
              "empty": np.zeros((0, 3)), "scalar": np.array(2.5), "b": np.array([True])}
    for writer in (np.savez, np.savez_compressed):
        path = tmp_path / f"{writer.__name__}.npz"
        writer(path, **arrays)
        back = load_weights(path, {name: (a.shape, a.dtype) for name, a in arrays.items()})
        for name, a in arrays.items():
            np.testing.assert_array_equal(back[name], a)
            assert back[name].dtype == a.dtype and back[name].flags.writeable
    assert back["fortran"].flags.f_contiguous


def test_damage_anywhere_gives_a_weights_error_or_the_right_arrays(tmp_path):
    """Flip each byte of a small archive (stored and deflated) in turn: the loader either
    returns the saved arrays or raises WeightsError, never another error."""
    arrays = {"W": np.arange(6.0).reshape(2, 3), "b": np.array([1, 2], np.int32)}
    for writer in (np.savez, np.savez_compressed):
        path = tmp_path / "w.npz"
        writer(path, **arrays)
        good = path.read_bytes()
        for at in range(len(good)):
            path.write_bytes(good[:at] + bytes([good[at] ^ 0xA5]) + good[at + 1:])
            try:
                back = load_weights(path)
            except WeightsError:
                continue
            assert list(back) == ["W", "b"] and back["W"].shape == (2, 3)


@given(st.binary(max_size=300), st.integers(0, 400))
@settings(max_examples=100, deadline=None)
def test_any_bytes_give_a_weights_error(tmp_path_factory, junk, cut):
    """Random bytes, and a real archive cut at a random place then padded with junk."""
    folder = tmp_path_factory.mktemp("junk")
    save_weights(folder / "good.npz", {"W": np.ones(3)})
    good = (folder / "good.npz").read_bytes()
    for content in (junk, good[:cut] + junk):
        (folder / "w.npz").write_bytes(content)
        with contextlib.suppress(WeightsError):
            load_weights(folder / "w.npz")


# ---------------------------------------------------------------- saving

@pytest.mark.parametrize("value, words", [
    (np.array(["a", "bc"]), "dtype <U2, which holds text"),
    (np.array([b"ab"]), "dtype |S2, which holds text"),
    (np.array(["2020-01-01"], dtype="datetime64[D]"), "not a plain number type"),
    (np.zeros(2, dtype=[("x", "f8")]), "not a plain number type"),
])
def test_text_and_other_non_numbers_are_refused_on_save(tmp_path, value, words):
    with pytest.raises(TypeError, match=words):
        save_weights(tmp_path / "w.npz", {"ok": np.ones(2), "bad": value})
    assert os.listdir(tmp_path) == []


def test_arguments_swapped_or_not_a_mapping(tmp_path):
    with pytest.raises(TypeError, match="the path comes first"):
        save_weights({"W": np.ones(2)}, tmp_path / "w.npz")
    with pytest.raises(TypeError, match=r"arrays must be a mapping .* got list"):
        save_weights(tmp_path / "w.npz", [np.ones(2)])
    with pytest.raises(TypeError, match="the entry for 'W' must be \\(shape, dtype\\)"):
        load_weights(tmp_path / "w.npz", {"W": (2, 2)})


def test_saving_through_a_symlink_writes_its_target(tmp_path, weights):
    (tmp_path / "runs").mkdir()
    target = tmp_path / "runs" / "net-7.npz"
    save_weights(target, {"old": np.ones(1)})
    link = tmp_path / "net.npz"
    link.symlink_to(target)
    save_weights(link, weights)
    assert link.is_symlink() and link.resolve() == target
    assert list(load_weights(target)) == list(weights)
    assert os.listdir(tmp_path / "runs") == ["net-7.npz"]


def test_crashed_saves_leave_nothing_for_long(tmp_path, weights):
    path = tmp_path / "net.npz"
    for _ in range(20):
        leftover = temp_path(path)
        leftover.write_bytes(b"x" * 10_000)
        os.utime(leftover, (0, 0))
    save_weights(path, weights)
    assert os.listdir(tmp_path) == ["net.npz"]


def test_saving_over_a_folder_is_refused(tmp_path):
    (tmp_path / "net.npz").mkdir()
    with pytest.raises(IsADirectoryError, match=r"net\.npz is a folder"):
        save_weights(tmp_path / "net.npz", {"W": np.ones(1)})


def test_a_header_claiming_4_gib_is_refused_before_it_is_read(tmp_path):
    """.npy format 2.0 gives the header's length in 4 bytes; NumPy would read all of it."""
    path = tmp_path / "w.npz"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as z:
        with z.open("W.npy", "w", force_zip64=True) as member:
            member.write(b"\x93NUMPY\x02\x00" + struct.pack("<I", 0xFFFF_FFF0))
            for _ in range(4):
                member.write(b" " * (16 << 20))  # 64 MiB of "header" in 65 KB
    error, peak = peak_memory(lambda: load_weights(path))
    assert isinstance(error, WeightsError)
    assert "has a header of 4,294,967,280 bytes; .npy headers take under 10,000" in str(error)
    assert peak < 1 << 20


@pytest.mark.parametrize("max_bytes", [-1, 2.0, True, None])
def test_bad_max_bytes_arguments(tmp_path, max_bytes):
    save_weights(tmp_path / "w.npz", {"W": np.ones(2)})
    with pytest.raises(ValueError, match=r"max_bytes=.*expected a whole number of bytes"):
        load_weights(tmp_path / "w.npz", max_bytes=max_bytes)
