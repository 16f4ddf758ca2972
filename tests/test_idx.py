"""The IDX reader and writer: the real MNIST files, raw and gzip, and each kind of damage."""

import gzip
import hashlib
import os
import struct
import tracemalloc

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra import numpy as hnp

from hostile_files import gzip_of, peak_memory, unblock_later
from mnist_files import real_mnist
from nn.data import IDXError, NotARegularFileError, read_idx, write_idx
from nn.data.idx import MAX_IDX_BYTES

# From shared/data/mnist/README.md.
TEST_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
TRAIN_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]


@pytest.fixture(scope="module")
def shared():
    """The folder of the four official files ($TRACEGRAD_MNIST_DIR or ../shared)."""
    return real_mnist()


def idx_bytes(array: np.ndarray) -> bytes:
    """An uncompressed IDX file, built by hand (independently of write_idx)."""
    header = struct.pack(">BBBB", 0, 0, 8, array.ndim) + struct.pack(f">{array.ndim}I",
                                                                       *array.shape)
    return header + array.astype(np.uint8).tobytes()


def md5_of_idx(array: np.ndarray) -> str:
    return hashlib.md5(idx_bytes(array)).hexdigest()


# ---------------------------------------------------------------- the real files

def test_real_test_labels(shared):
    labels = read_idx(shared / "t10k-labels-idx1-ubyte.gz", shape=(None,))
    assert labels.shape == (10_000,) and labels.dtype == np.uint8
    assert np.bincount(labels, minlength=10).tolist() == TEST_COUNTS
    assert md5_of_idx(labels) == "27ae3e4e09519cfbb04c329615203637"  # uncompressed, README


def test_real_train_labels(shared):
    labels = read_idx(shared / "train-labels-idx1-ubyte.gz", shape=(None,))
    assert labels.shape == (60_000,) and labels.dtype == np.uint8
    assert np.bincount(labels, minlength=10).tolist() == TRAIN_COUNTS
    assert md5_of_idx(labels) == "a25bea736e30d166cdddb491f175f624"


def test_real_test_images(shared):
    images = read_idx(shared / "t10k-images-idx3-ubyte.gz", shape=(None, 28, 28))
    assert images.shape == (10_000, 28, 28) and images.dtype == np.uint8
    assert md5_of_idx(images) == "2646ac647ad5339dbf082846283269ea"
    assert images.flags.writeable and images.flags.c_contiguous


def test_raw_and_gzip_detected_by_content_not_name(shared, tmp_path):
    gz = (shared / "t10k-labels-idx1-ubyte.gz").read_bytes()
    raw = gzip.decompress(gz)
    (tmp_path / "raw-named.gz").write_bytes(raw)      # raw bytes, misleading name
    (tmp_path / "gzip-named-raw").write_bytes(gz)     # gzip bytes, no .gz
    expected = read_idx(shared / "t10k-labels-idx1-ubyte.gz")
    np.testing.assert_array_equal(read_idx(tmp_path / "raw-named.gz"), expected)
    np.testing.assert_array_equal(read_idx(str(tmp_path / "gzip-named-raw")), expected)


# ---------------------------------------------------------------- damage, one message each

@pytest.fixture
def labels_gz(tmp_path):
    path = tmp_path / "labels-idx1-ubyte.gz"
    path.write_bytes(gzip.compress(idx_bytes(np.arange(200, dtype=np.uint8) % 10)))
    return path


def read_error(path, **kw) -> str:
    with pytest.raises(IDXError) as info:
        read_idx(path, **kw)
    message = str(info.value)
    assert str(path) in message, "the message must name the file"
    return message


def test_idx_error_is_a_value_error():
    assert issubclass(IDXError, ValueError)


def test_truncated_gzip(labels_gz):
    labels_gz.write_bytes(labels_gz.read_bytes()[:-20])
    message = read_error(labels_gz)
    assert "gzip stream is truncated or corrupt" in message
    assert "delete" in message and "download it again" in message


def test_corrupt_gzip_crc(labels_gz):
    data = bytearray(labels_gz.read_bytes())
    data[-6] ^= 0xFF  # inside the CRC-32 of the trailer
    labels_gz.write_bytes(bytes(data))
    assert "gzip stream is truncated or corrupt" in read_error(labels_gz)


def test_corrupt_gzip_deflate_data(labels_gz):
    data = bytearray(labels_gz.read_bytes())
    data[10:20] = b"\xff" * 10  # the start of the deflate stream
    labels_gz.write_bytes(bytes(data))
    assert "gzip stream is truncated or corrupt" in read_error(labels_gz)


def test_wrong_magic(tmp_path):
    path = tmp_path / "page.html"
    path.write_bytes(b"<!DOCTYPE html><html>Not Found</html>")
    message = read_error(path)
    assert "not an IDX file" in message and "00 00" in message and "3c 21 44 4f" in message


def test_unsupported_type_code(tmp_path):
    path = tmp_path / "floats-idx1"
    path.write_bytes(struct.pack(">BBBBI", 0, 0, 0x0D, 1, 2) + np.zeros(2, ">f4").tobytes())
    message = read_error(path)
    assert "type code 0x0d (float32) is not supported" in message
    assert "0x08 (uint8)" in message


def test_wrong_number_of_dimensions(labels_gz):
    message = read_error(labels_gz, shape=(None, 28, 28))
    assert "expected 3 dimension(s) (magic 0x00000803), found 1 (magic 0x00000801)" in message


def test_zero_dimensions(tmp_path):
    path = tmp_path / "scalar-idx0"
    path.write_bytes(bytes([0, 0, 8, 0, 7]))
    assert "expected at least 1 dimension, found 0" in read_error(path)


def test_header_cut_short(tmp_path):
    path = tmp_path / "images-idx3"
    path.write_bytes(bytes([0, 0, 8, 3]) + struct.pack(">I", 5))
    assert "header is cut short: expected 16 bytes for 3 dimension sizes" in read_error(path)


def test_too_few_bytes(tmp_path):
    path = tmp_path / "empty"
    path.write_bytes(b"\x00\x00")
    assert "found only 2 bytes" in read_error(path)


def test_header_count_larger_than_payload(tmp_path):
    images = np.zeros((3, 28, 28), np.uint8)
    data = bytearray(idx_bytes(images))
    data[4:8] = struct.pack(">I", 5)  # the header claims 5 images, the payload holds 3
    path = tmp_path / "images-idx3-ubyte"
    path.write_bytes(bytes(data))
    message = read_error(path)
    assert "truncated" in message and "shape (5, 28, 28)" in message
    assert "expected 3,920 bytes of data, found 2,352" in message


def test_trailing_bytes(tmp_path):
    path = tmp_path / "labels-idx1-ubyte.gz"
    path.write_bytes(gzip.compress(idx_bytes(np.arange(10, dtype=np.uint8)) + b"extra"))
    message = read_error(path)
    assert "5 trailing bytes" in message
    assert "expected exactly 10 bytes of data, found 15" in message
    assert "after gzip decompression" in message


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="nope-idx1-ubyte"):
        read_idx(tmp_path / "nope-idx1-ubyte")


# ---------------------------------------------------------------- write_idx

@settings(max_examples=30, deadline=None)
@given(hnp.arrays(np.uint8, hnp.array_shapes(min_dims=1, max_dims=4, min_side=0, max_side=5)),
       st.booleans())
def test_write_read_round_trip(tmp_path_factory, array, compress):
    path = tmp_path_factory.mktemp("rt") / ("a.gz" if compress else "a")
    write_idx(path, array)
    back = read_idx(path, shape=(None,) * array.ndim)
    assert back.dtype == np.uint8 and back.shape == array.shape
    np.testing.assert_array_equal(back, array)
    if compress:
        assert path.read_bytes()[:2] == b"\x1f\x8b"
    else:
        assert path.read_bytes() == idx_bytes(array)


def test_write_is_byte_reproducible_and_leaves_no_temp_file(tmp_path):
    a = np.arange(784 * 3, dtype=np.uint32).astype(np.uint8).reshape(3, 28, 28)
    write_idx(tmp_path / "one.gz", a)
    write_idx(tmp_path / "two.gz", a)
    one, two = (tmp_path / "one.gz").read_bytes(), (tmp_path / "two.gz").read_bytes()
    assert one == two
    assert one[4:8] == b"\0\0\0\0"          # gzip mtime field is zero
    assert one[3] & 0x08 == 0               # no file name stored
    assert sorted(p.name for p in tmp_path.iterdir()) == ["one.gz", "two.gz"]


def test_write_refuses_other_dtypes(tmp_path):
    with pytest.raises(TypeError, match=r"only uint8 .* got dtype float64.*astype\(np.uint8\)"):
        write_idx(tmp_path / "x.gz", np.zeros(3))
    with pytest.raises(ValueError, match="1 to 255 dimensions"):
        write_idx(tmp_path / "x.gz", np.uint8(3))
    assert list(tmp_path.iterdir()) == []


# ---------------------------------------------------------------- hostile files: memory bombs



def test_gzip_header_claiming_ten_million_images_is_refused_unread(tmp_path):
    path = gzip_of(tmp_path / "train-images-idx3-ubyte.gz",
                   struct.pack(">4B3I", 0, 0, 8, 3, 10_000_000, 28, 28), 1 << 20)
    error, peak = peak_memory(lambda: read_idx(path, shape=(None, 28, 28)))
    assert isinstance(error, IDXError)
    assert ("the header gives shape (10000000, 28, 28), so expected 7,840,000,000 bytes of "
            "data, more than this gzip file of") in str(error)
    assert peak < 2 << 20


def test_header_larger_than_max_bytes_is_refused_unread(tmp_path):
    path = tmp_path / "images-idx3-ubyte"
    path.write_bytes(idx_bytes(np.zeros((10, 28, 28), np.uint8)))
    with pytest.raises(IDXError, match="expected 7,840 bytes of data, more than the limit of "
                                       "7,000 bytes \\(max_bytes\\)"):
        read_idx(path, max_bytes=7_000)
    assert read_idx(path, max_bytes=7_840).shape == (10, 28, 28)


def test_default_limit_holds_the_largest_mnist_file():
    assert MAX_IDX_BYTES >= 60_000 * 28 * 28


def test_gzip_that_inflates_far_past_its_header_stops_early(tmp_path):
    """A 64 MiB stream behind a header of 10 labels: refused after the 10 bytes and a 1 MiB
    look at what follows, not after inflating it all."""
    path = gzip_of(tmp_path / "labels-idx1-ubyte.gz", struct.pack(">4BI", 0, 0, 8, 1, 10),
                   64 << 20)
    error, peak = peak_memory(lambda: read_idx(path))
    assert isinstance(error, IDXError)
    assert "more than 1,048,576 trailing bytes" in str(error)
    assert peak < 4 << 20


def test_large_uncompressed_file_is_judged_by_its_size_unread(tmp_path):
    path = tmp_path / "labels-idx1-ubyte"
    with open(path, "wb") as f:  # 10 labels, then a 1 GiB hole (sparse: no disk used)
        f.write(idx_bytes(np.arange(10, dtype=np.uint8)))
        f.truncate(1 << 30)
    error, peak = peak_memory(lambda: read_idx(path))
    assert isinstance(error, IDXError)
    assert f"{(1 << 30) - 18:,} trailing bytes" in str(error)
    assert peak < 1 << 20


def test_uncompressed_data_is_read_in_one_copy(tmp_path):
    """The data goes straight into the array that is returned: no second copy in memory."""
    path = tmp_path / "images-idx3-ubyte"
    path.write_bytes(idx_bytes(np.ones((2000, 28, 28), np.uint8)))
    tracemalloc.start()
    try:
        images = read_idx(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert images.nbytes == 1_568_000 and peak < 1.2 * images.nbytes


# ---------------------------------------------------------------- files that are not IDX files

def test_folder_and_fifo_refused_by_name(tmp_path):
    with pytest.raises(IsADirectoryError, match="is a folder, not a regular file; expected an "
                                                "IDX file"):
        read_idx(tmp_path)
    if hasattr(os, "mkfifo"):
        fifo = tmp_path / "labels-idx1-ubyte"
        os.mkfifo(fifo)
        unblock_later(fifo)
        with pytest.raises(NotARegularFileError, match="is a named pipe"):
            read_idx(fifo)


def test_zero_images_are_a_valid_idx_file(tmp_path):
    write_idx(tmp_path / "empty-idx3-ubyte.gz", np.zeros((0, 28, 28), np.uint8))
    assert read_idx(tmp_path / "empty-idx3-ubyte.gz", shape=(None, 28, 28)).shape == (0, 28, 28)


def test_write_idx_through_a_symlink_and_over_a_folder(tmp_path):
    target = tmp_path / "real-idx1-ubyte.gz"
    write_idx(target, np.arange(3, dtype=np.uint8))
    (tmp_path / "link.gz").symlink_to(target)
    write_idx(tmp_path / "link.gz", np.arange(5, dtype=np.uint8))
    assert (tmp_path / "link.gz").is_symlink() and len(read_idx(target)) == 5
    (tmp_path / "dir.gz").mkdir()
    with pytest.raises(IsADirectoryError):
        write_idx(tmp_path / "dir.gz", np.arange(5, dtype=np.uint8))


@given(st.binary(max_size=200), st.booleans())
@settings(max_examples=100, deadline=None)
def test_any_bytes_give_an_idx_error_or_an_array(tmp_path_factory, junk, compress):
    path = tmp_path_factory.mktemp("junk") / "x-idx1-ubyte"
    path.write_bytes(gzip.compress(junk) if compress else junk)
    try:
        a = read_idx(path)
    except IDXError:
        return
    assert a.dtype == np.uint8


def test_a_gzip_file_too_long_for_max_bytes_is_refused_unread(tmp_path):
    """Here a gzip header whose file name never ends: gzip would read all of it, byte by
    byte; a file this long cannot hold data within max_bytes anyway."""
    path = tmp_path / "labels-idx1-ubyte.gz"
    with open(path, "wb") as f:
        f.write(b"\x1f\x8b\x08\x08" + bytes(6) + b"a" * (2 << 20))
    with pytest.raises(IDXError, match=r"this gzip file of 2,097,162 bytes would hold more than "
                                       r"the limit of 1,000,000 bytes of data \(max_bytes\)"):
        read_idx(path, max_bytes=1_000_000)


def test_incompressible_data_at_the_limit_still_reads(tmp_path):
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 256, 300_000, dtype=np.uint8)  # random: gzip makes it longer
    write_idx(tmp_path / "noise-idx1-ubyte.gz", labels)
    assert (tmp_path / "noise-idx1-ubyte.gz").stat().st_size > 300_008
    np.testing.assert_array_equal(read_idx(tmp_path / "noise-idx1-ubyte.gz",
                                           max_bytes=300_000), labels)


@pytest.mark.parametrize("shape", [3, (None, "28"), (True,), (-1,)])
def test_bad_shape_arguments(labels_gz, shape):
    with pytest.raises(TypeError, match="expected a tuple of sizes"):
        read_idx(labels_gz, shape=shape)


@pytest.mark.parametrize("max_bytes", [-1, 1.5, True, None])
def test_bad_max_bytes_arguments(labels_gz, max_bytes):
    with pytest.raises(ValueError, match=r"max_bytes=.*expected a whole number of bytes"):
        read_idx(labels_gz, max_bytes=max_bytes)
