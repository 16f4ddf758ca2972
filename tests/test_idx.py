"""The IDX reader and writer: the real MNIST files, raw and gzip, and each kind of damage."""

import gzip
import hashlib
import struct
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from nn.data import IDXError, read_idx, write_idx

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "mnist"
# From shared/data/mnist/README.md.
TEST_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
TRAIN_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]


@pytest.fixture(scope="module")
def shared():
    if not SHARED.is_dir():
        pytest.skip(f"the MNIST files are not at {SHARED} (shared/data/mnist beside the repo)")
    return SHARED


def idx_bytes(array: np.ndarray) -> bytes:
    """An uncompressed IDX file, built by hand (independently of write_idx)."""
    header = struct.pack(">BBBB", 0, 0, 8, array.ndim) + struct.pack(f">{array.ndim}I",
                                                                       *array.shape)
    return header + array.astype(np.uint8).tobytes()


def md5_of_idx(array: np.ndarray) -> str:
    return hashlib.md5(idx_bytes(array)).hexdigest()


# ---------------------------------------------------------------- the real files

def test_real_test_labels(shared):
    labels = read_idx(shared / "t10k-labels-idx1-ubyte.gz", ndim=1)
    assert labels.shape == (10_000,) and labels.dtype == np.uint8
    assert np.bincount(labels, minlength=10).tolist() == TEST_COUNTS
    assert md5_of_idx(labels) == "27ae3e4e09519cfbb04c329615203637"  # uncompressed, README


def test_real_train_labels(shared):
    labels = read_idx(shared / "train-labels-idx1-ubyte.gz", ndim=1)
    assert labels.shape == (60_000,) and labels.dtype == np.uint8
    assert np.bincount(labels, minlength=10).tolist() == TRAIN_COUNTS
    assert md5_of_idx(labels) == "a25bea736e30d166cdddb491f175f624"


def test_real_test_images(shared):
    images = read_idx(shared / "t10k-images-idx3-ubyte.gz", ndim=3)
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
    message = read_error(labels_gz, ndim=3)
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
    back = read_idx(path, ndim=array.ndim)
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
