"""load_mnist: the real files, the search order, binding folders, the downloader against a
local HTTP server (127.0.0.1 only), offline mode, and the embedded subset."""

import gzip
import hashlib
import os
import re
from pathlib import Path

import numpy as np
import pytest

from hostile_files import unblock_later
from http_server import Server
from mnist_files import real_mnist
from nn.data import (
    MNIST,
    IDXError,
    MNISTFile,
    NotARegularFileError,
    download,
    load_mnist,
    mnist,
    write_idx,
)
from nn.data.download import DownloadError, download_file
from nn.data.make_subset import main as make_subset_main

TRAIN_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]  # README
TEST_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
UNCOMPRESSED_MD5 = {"train_images": "6bbc9ace898e44ae57da46a324031adb",
                    "train_labels": "a25bea736e30d166cdddb491f175f624",
                    "test_images": "2646ac647ad5339dbf082846283269ea",
                    "test_labels": "27ae3e4e09519cfbb04c329615203637"}
NAMES = {role: f.name for role, f in mnist.MNIST_FILES.items()}


@pytest.fixture(autouse=True)
def isolated(monkeypatch, tmp_path):
    """No test sees the user's environment or cache, and none can reach the network."""
    for var in ("TRACEGRAD_MNIST_DIR", "TRACEGRAD_OFFLINE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("TRACEGRAD_CACHE_DIR", str(tmp_path / "cache-root"))
    monkeypatch.setattr(mnist, "DEFAULT_MIRRORS", [])


@pytest.fixture
def cache(tmp_path):
    return tmp_path / "cache-root" / "mnist"


@pytest.fixture(scope="module")
def full():
    """The full official set, read once for this module (60,000 + 10,000 images), from
    $TRACEGRAD_MNIST_DIR or ../shared/data/mnist."""
    return load_mnist(real_mnist(), verbose=False)


# ---------------------------------------------------------------- synthetic MNIST folders

def synthetic(seed: int, n_train: int = 12, n_test: int = 5) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {"train_images": rng.integers(0, 256, (n_train, 28, 28), dtype=np.uint8),
            "train_labels": rng.integers(0, 10, n_train, dtype=np.uint8),
            "test_images": rng.integers(0, 256, (n_test, 28, 28), dtype=np.uint8),
            "test_labels": rng.integers(0, 10, n_test, dtype=np.uint8)}


def write_folder(folder: Path, arrays: dict, gz: bool = True) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for role, a in arrays.items():
        write_idx(folder / (NAMES[role] if gz else NAMES[role].removesuffix(".gz")), a)
    return folder


def assert_same(data: MNIST, arrays: dict) -> None:
    for role, a in arrays.items():
        np.testing.assert_array_equal(getattr(data, role), a)


@pytest.fixture
def served(tmp_path, monkeypatch):
    """Synthetic gzip files to serve, with their SHA-256s installed as the official ones."""
    arrays = synthetic(7)
    folder = write_folder(tmp_path / "served", arrays)
    files = {NAMES[role]: (folder / NAMES[role]).read_bytes() for role in arrays}
    table = {role: MNISTFile(name, len(files[name]), hashlib.sha256(files[name]).hexdigest(), "")
             for role, name in NAMES.items()}
    monkeypatch.setattr(mnist, "MNIST_FILES", table)
    return arrays, files


@pytest.fixture
def server():
    servers = []

    def start(files, mode="ok"):
        servers.append(Server(files, mode))
        return servers[-1]

    yield start
    for s in servers:
        s.close()


def cache_names(cache: Path) -> list[str]:
    return sorted(p.name for p in cache.iterdir()) if cache.exists() else []


# ---------------------------------------------------------------- the real files

def test_full_set_from_a_path(full):
    assert full.kind == "path"
    assert full.train_images.shape == (60_000, 28, 28) and full.train_images.dtype == np.uint8
    assert full.train_labels.shape == (60_000,) and full.train_labels.dtype == np.uint8
    assert full.test_images.shape == (10_000, 28, 28) and full.test_labels.shape == (10_000,)
    assert np.bincount(full.train_labels, minlength=10).tolist() == TRAIN_COUNTS
    assert np.bincount(full.test_labels, minlength=10).tolist() == TEST_COUNTS
    assert str(real_mnist()) in full.source and "60,000 train / 10,000 test images" in full.source


def test_full_set_md5_of_uncompressed_files(full):
    for role, md5 in UNCOMPRESSED_MD5.items():
        a = getattr(full, role)
        header = bytes([0, 0, 8, a.ndim]) + b"".join(int(n).to_bytes(4, "big") for n in a.shape)
        assert hashlib.md5(header + a.tobytes()).hexdigest() == md5, role


def test_embedded_subset_is_the_first_rows_of_mnist(full):
    sub = load_mnist(download=False, verbose=False)
    assert sub.kind == "embedded"
    np.testing.assert_array_equal(sub.train_images, full.train_images[:10_000])
    np.testing.assert_array_equal(sub.train_labels, full.train_labels[:10_000])
    np.testing.assert_array_equal(sub.test_images, full.test_images[:2_000])
    np.testing.assert_array_equal(sub.test_labels, full.test_labels[:2_000])


# ---------------------------------------------------------------- the embedded subset

def test_embedded_subset_loads(capsys):
    data = load_mnist(download=False)
    assert data.kind == "embedded"
    assert data.train_images.shape == (10_000, 28, 28)
    assert data.test_images.shape == (2_000, 28, 28)
    assert data.train_labels.shape == (10_000,) and data.test_labels.shape == (2_000,)
    assert set(np.unique(data.train_labels)) == set(range(10)) == set(np.unique(data.test_labels))
    assert "embedded MNIST subset" in data.source and "10,000 train / 2,000 test" in data.source
    out = capsys.readouterr()
    assert out.out == "" and out.err.count("\n") == 1 and "download=False" in out.err


def test_embedded_subset_files_and_credits():
    files = [mnist.SUBSET_DIR / name for name in NAMES.values()]
    assert all(f.is_file() for f in files)
    assert sum(f.stat().st_size for f in files) <= 4 * 1024 * 1024
    readme = (mnist.SUBSET_DIR / "README.md").read_text(encoding="utf-8")
    for credit in ("Yann LeCun", "Corinna Cortes", "Christopher J. C. Burges", "CC BY-SA 3.0",
                   "python -m nn.data.make_subset"):
        assert credit in readme


def test_flat():
    arrays = synthetic(0, n_train=4, n_test=3)
    arrays["train_images"][0, 0, :2] = (255, 51)
    data = MNIST(**arrays, source="test", kind="path")
    x, y, xt, yt = data.flat()
    assert x.shape == (4, 784) and x.dtype == np.float32 and xt.shape == (3, 784)
    assert y.dtype == np.int64 and yt.dtype == np.int64 and y.tolist() == arrays[
        "train_labels"].tolist()
    assert x[0, :2].tolist() == [1.0, np.float32(0.2)] and x.min() >= 0 and x.max() <= 1
    assert data.flat(np.float64)[0].dtype == np.float64
    with pytest.raises(TypeError, match="floating point"):
        data.flat(np.int32)
    assert "kind='path'" in repr(data) and "train=4" in repr(data)


# ---------------------------------------------------------------- search order

def test_path_beats_env(tmp_path, monkeypatch, capsys):
    a, b = synthetic(1), synthetic(2)
    monkeypatch.setenv("TRACEGRAD_MNIST_DIR", str(write_folder(tmp_path / "a", a)))
    data = load_mnist(write_folder(tmp_path / "b", b))
    assert data.kind == "path"
    assert_same(data, b)
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and str(tmp_path / "b") in err


def test_env_used_without_path_and_beats_cache(tmp_path, monkeypatch, served, cache):
    write_folder(cache, served[0])  # a valid cache
    env = synthetic(3)
    monkeypatch.setenv("TRACEGRAD_MNIST_DIR", str(write_folder(tmp_path / "env", env)))
    data = load_mnist(verbose=False)
    assert data.kind == "env" and "TRACEGRAD_MNIST_DIR" in data.source
    assert_same(data, env)


def test_uncompressed_files_accepted(tmp_path):
    arrays = synthetic(4)
    data = load_mnist(write_folder(tmp_path / "raw", arrays, gz=False), verbose=False)
    assert_same(data, arrays)


def test_cache_beats_download(served, cache, server):
    arrays, files = served
    write_folder(cache, arrays)
    srv = server(files)
    data = load_mnist(mirrors=[srv.url], verbose=False)
    assert data.kind == "cache" and str(cache) in data.source
    assert srv.requests == []
    assert_same(data, arrays)


def test_cache_dir_argument(tmp_path, served):
    write_folder(tmp_path / "elsewhere" / "mnist", served[0])
    data = load_mnist(cache_dir=tmp_path / "elsewhere", download=False, verbose=False)
    assert data.kind == "cache"


def test_download_then_cache(served, cache, server):
    arrays, files = served
    srv = server(files)
    data = load_mnist(mirrors=[srv.url], verbose=False)
    assert data.kind == "download"
    assert_same(data, arrays)
    assert cache_names(cache) == sorted(files)
    assert len(srv.requests) == 4
    again = load_mnist(mirrors=[srv.url], verbose=False)
    assert again.kind == "cache" and len(srv.requests) == 4


def test_download_only_what_is_missing_or_damaged(served, cache, server, capsys):
    arrays, files = served
    write_folder(cache, arrays)
    (cache / NAMES["train_labels"]).unlink()
    (cache / NAMES["test_images"]).write_bytes(b"damaged")
    srv = server(files)
    data = load_mnist(mirrors=[srv.url])
    assert data.kind == "download"
    assert sorted(srv.requests) == sorted(f"/mnist/{NAMES[r]}"
                                          for r in ("train_labels", "test_images"))
    assert "fails its size or SHA-256 check" in capsys.readouterr().err
    assert_same(data, arrays)


# ---------------------------------------------------------------- downloads that go wrong

def test_checksum_mismatch_is_rejected(served, cache, server, capsys):
    srv = server(served[1], mode="corrupt")
    data = load_mnist(mirrors=[srv.url])
    assert data.kind == "embedded"
    assert cache_names(cache) == []  # nothing kept, no partial file
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err  # one line: the download is unavailable, and why
    assert "embedded MNIST subset" in err and "download unavailable" in err
    assert "SHA-256 mismatch" in err and "TRACEGRAD_OFFLINE=1" in err


def test_dropped_connection_falls_through_to_next_mirror(served, cache, server, capsys):
    arrays, files = served
    bad, good = server(files, mode="drop"), server(files)
    data = load_mnist(mirrors=[bad.url, good.url])
    assert data.kind == "download"
    assert_same(data, arrays)
    assert cache_names(cache) == sorted(files)  # no temporary file left behind
    assert len(bad.requests) == len(good.requests) == 4
    assert capsys.readouterr().err.count("\n") == 1


def test_dropped_connection_everywhere_gives_embedded(served, cache, server):
    srv = server(served[1], mode="drop")
    with pytest.warns(RuntimeWarning, match="download failed.*connection dropped"):
        data = load_mnist(mirrors=[srv.url], verbose=False)
    assert data.kind == "embedded"
    assert cache_names(cache) == []


def test_unreachable_and_404_mirrors(served, cache, server, capsys):
    srv = server({})  # serves nothing: 404
    dead = server({})
    dead_url = dead.url
    dead.close()  # nobody listens there any more: connection refused
    data = load_mnist(mirrors=[dead_url, srv.url])
    assert data.kind == "embedded" and cache_names(cache) == []
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "HTTP Error 404: Not Found" in err
    every_error_in_order = (rf"{re.escape(dead_url)}.*Connection refused.*"
                            rf"{re.escape(srv.url)}.*404")
    with pytest.warns(RuntimeWarning, match=every_error_in_order):
        load_mnist(mirrors=[dead_url, srv.url], verbose=False)


def test_timeout(served, tmp_path, server, monkeypatch):
    srv = server(served[1], mode="slow")
    monkeypatch.setattr(download, "TIMEOUT", 0.3)
    name = NAMES["test_labels"]
    with pytest.raises(DownloadError, match="timed out"):
        download_file(name, tmp_path / "d", [srv.url], "0" * 64, size=10, verbose=False)
    assert list((tmp_path / "d").iterdir()) == []


def test_download_file_direct(served, tmp_path, server):
    files = served[1]
    name = NAMES["test_labels"]
    srv = server(files)
    sha = hashlib.sha256(files[name]).hexdigest()
    size = len(files[name])
    path = download_file(name, tmp_path / "d", [srv.url.rstrip("/")], sha, size=size,
                         verbose=False)
    assert path == tmp_path / "d" / name and path.read_bytes() == files[name]
    with pytest.raises(DownloadError, match="no mirrors"):
        download_file(name, tmp_path / "d", [], sha, size=size)


@pytest.mark.parametrize("how", ["env", "argument"])
def test_offline(served, cache, server, monkeypatch, capsys, how):
    srv = server(served[1])
    if how == "env":
        monkeypatch.setenv("TRACEGRAD_OFFLINE", "1")
        data = load_mnist(mirrors=[srv.url])
    else:
        data = load_mnist(mirrors=[srv.url], download=False)
    assert data.kind == "embedded" and srv.requests == [] and cache_names(cache) == []
    assert ("TRACEGRAD_OFFLINE" if how == "env" else "download=False") in capsys.readouterr().err


# ---------------------------------------------------------------- a named folder is binding

@pytest.fixture(params=["path", "env"])
def name_folder(request, monkeypatch, served, cache):
    """Load from a folder named by the path argument or by TRACEGRAD_MNIST_DIR, with a
    valid cache present so that a fallback would be possible (and must not happen)."""
    write_folder(cache, served[0])

    def load(folder):
        if request.param == "env":
            monkeypatch.setenv("TRACEGRAD_MNIST_DIR", str(folder))
            return load_mnist(verbose=False)
        return load_mnist(folder, verbose=False)

    return load


def test_binding_missing_folder(name_folder, tmp_path):
    with pytest.raises(FileNotFoundError, match=r"MNIST folder .*nowhere.* does not exist"):
        name_folder(tmp_path / "nowhere")


def test_binding_folder_is_a_file(name_folder, tmp_path):
    (tmp_path / "afile").write_text("x")
    with pytest.raises(NotADirectoryError, match="expected a folder"):
        name_folder(tmp_path / "afile")


def test_binding_missing_file(name_folder, tmp_path):
    folder = write_folder(tmp_path / "d", synthetic(5))
    (folder / NAMES["test_labels"]).unlink()
    with pytest.raises(FileNotFoundError) as info:
        name_folder(folder)
    assert str(folder / NAMES["test_labels"]) in str(info.value)
    assert "t10k-labels-idx1-ubyte, uncompressed" in str(info.value)  # offered too


def test_binding_corrupt_file(name_folder, tmp_path):
    folder = write_folder(tmp_path / "d", synthetic(5))
    bad = folder / NAMES["train_images"]
    bad.write_bytes(bad.read_bytes()[:100])
    with pytest.raises(IDXError, match="gzip stream is truncated") as info:
        name_folder(folder)
    assert str(bad) in str(info.value)


def test_labels_outside_0_to_9(tmp_path):
    arrays = synthetic(6)
    arrays["train_labels"][3] = 12
    folder = write_folder(tmp_path / "d", arrays)
    with pytest.raises(IDXError, match=r"expected digit labels 0..9, found 1 label outside "
                                       r"that range \(the first is 12 at index 3\)") as info:
        load_mnist(folder, verbose=False)
    assert str(folder / NAMES["train_labels"]) in str(info.value)


def test_image_and_label_counts_differ(tmp_path):
    arrays = synthetic(6)
    arrays["test_labels"] = arrays["test_labels"][:-1]
    folder = write_folder(tmp_path / "d", arrays)
    with pytest.raises(IDXError, match=r"holds 5 images but .* holds 4 labels") as info:
        load_mnist(folder, verbose=False)
    assert str(folder / NAMES["test_images"]) in str(info.value)
    assert str(folder / NAMES["test_labels"]) in str(info.value)


def test_images_must_be_28x28(tmp_path):
    arrays = synthetic(6)
    arrays["test_images"] = np.zeros((5, 32, 32), np.uint8)
    folder = write_folder(tmp_path / "d", arrays)
    with pytest.raises(IDXError, match=r"expected shape \(N, 28, 28\), found \(5, 32, 32\)"):
        load_mnist(folder, verbose=False)


def test_labels_file_where_images_expected(tmp_path):
    arrays = synthetic(6)
    folder = write_folder(tmp_path / "d", arrays)
    (folder / NAMES["train_images"]).write_bytes((folder / NAMES["train_labels"]).read_bytes())
    with pytest.raises(IDXError, match=r"expected 3 dimension\(s\).*found 1"):
        load_mnist(folder, verbose=False)


# ---------------------------------------------------------------- make_subset

def test_make_subset(tmp_path, capsys):
    arrays = synthetic(8, n_train=12, n_test=5)
    src = write_folder(tmp_path / "src", arrays, gz=False)
    for out in ("one", "two"):
        assert make_subset_main([str(src), str(tmp_path / out), "--train", "7", "--test",
                                 "3"]) == 0
    for name in NAMES.values():
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes()
    data = load_mnist(tmp_path / "one", verbose=False)
    assert_same(data, {"train_images": arrays["train_images"][:7],
                       "train_labels": arrays["train_labels"][:7],
                       "test_images": arrays["test_images"][:3],
                       "test_labels": arrays["test_labels"][:3]})
    assert make_subset_main([str(src), str(tmp_path / "x"), "--train", "13"]) == 1
    assert "--train 13: expected 1..12" in capsys.readouterr().err
    assert not os.path.exists(tmp_path / "x")
    gz = (tmp_path / "one" / NAMES["test_labels"]).read_bytes()
    assert gzip.decompress(gz)[:4] == b"\0\0\x08\x01"


def test_cache_that_cannot_be_created_falls_back(tmp_path, served, server, capsys):
    (tmp_path / "a-file").write_text("not a folder")
    srv = server(served[1])
    data = load_mnist(cache_dir=tmp_path / "a-file", mirrors=[srv.url])
    assert data.kind == "embedded" and srv.requests == []
    assert "download unavailable" in capsys.readouterr().err


# ---------------------------------------------------------------- hostile folders and files

def test_a_file_named_where_the_folder_is_expected(tmp_path):
    folder = write_folder(tmp_path / "d", synthetic(5))
    given = folder / NAMES["train_images"]  # the user named one of the files
    with pytest.raises(NotADirectoryError) as info:
        load_mnist(given, verbose=False)
    message = str(info.value)
    assert f"{given} (passed as path) is a regular file; expected a folder" in message
    assert f"(this one is in {folder})" in message


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_a_fifo_named_where_the_folder_is_expected(tmp_path):
    os.mkfifo(tmp_path / "pipe")
    with pytest.raises(NotADirectoryError, match=r"is a named pipe \(FIFO\); expected a folder"):
        load_mnist(tmp_path / "pipe", verbose=False)


def test_a_folder_under_an_mnist_file_name(tmp_path):
    folder = write_folder(tmp_path / "d", synthetic(5))
    (folder / NAMES["test_labels"]).unlink()
    (folder / NAMES["test_labels"]).mkdir()
    with pytest.raises(IsADirectoryError, match=r"t10k-labels-idx1-ubyte\.gz is a folder, not a "
                                                r"regular file; expected an IDX file"):
        load_mnist(folder, verbose=False)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_a_fifo_under_an_mnist_file_name(tmp_path):
    folder = write_folder(tmp_path / "d", synthetic(5))
    fifo = folder / NAMES["train_labels"]
    fifo.unlink()
    os.mkfifo(fifo)
    unblock_later(fifo)
    with pytest.raises(NotARegularFileError, match=r"train-labels-idx1-ubyte\.gz is a named pipe"):
        load_mnist(folder, verbose=False)


@pytest.mark.parametrize("role", ["train_images", "test_labels"])
def test_zero_images_or_labels(tmp_path, role):
    arrays = synthetic(6)
    arrays[role] = arrays[role][:0]
    folder = write_folder(tmp_path / "d", arrays)
    what = "images" if role.endswith("images") else "labels"
    with pytest.raises(IDXError, match=f"the header declares 0 {what}; expected at least one"):
        load_mnist(folder, verbose=False)


def test_zero_images_and_zero_labels_together(tmp_path):
    arrays = synthetic(6)
    arrays["test_images"], arrays["test_labels"] = arrays["test_images"][:0], arrays[
        "test_labels"][:0]
    folder = write_folder(tmp_path / "d", arrays)
    with pytest.raises(IDXError, match=r"t10k-images-idx3-ubyte.gz: the header declares 0 images"):
        load_mnist(folder, verbose=False)


BAD_LABELS = {
    "text": (b"5\n0\n4\n1\n", "not an IDX file"),
    "empty": (b"", "found only 0 bytes"),
    "images": (None, r"expected 1 dimension\(s\) \(magic 0x00000801\), found 3"),
    "out of range": (bytes([0, 0, 8, 1, 0, 0, 0, 12]) + bytes(11) + b"\x0a", "outside that range"),
    "too few": (bytes([0, 0, 8, 1, 0, 0, 0, 11]) + bytes(11), "holds 12 images but .* 11 labels"),
    "int32": (bytes([0, 0, 0x0C, 1, 0, 0, 0, 12]) + bytes(48), r"type code 0x0c \(int32\)"),
}


@pytest.mark.parametrize("kind", list(BAD_LABELS))
def test_bad_labels_files_give_idx_errors(tmp_path, kind):
    content, match = BAD_LABELS[kind]
    folder = write_folder(tmp_path / "d", synthetic(6))
    labels = folder / NAMES["train_labels"]
    if content is None:
        content = (folder / NAMES["train_images"]).read_bytes()
    else:
        content = gzip.compress(content)
    labels.write_bytes(content)
    with pytest.raises(IDXError, match=match) as info:
        load_mnist(folder, verbose=False)
    assert str(labels) in str(info.value)


def test_a_cached_file_of_the_wrong_size_is_replaced_without_hashing(served, cache, server,
                                                                     monkeypatch):
    arrays, files = served
    write_folder(cache, arrays)
    big = cache / NAMES["train_images"]
    with open(big, "ab") as f:
        f.truncate(1 << 30)  # 1 GiB (sparse): hashing it would read it all
    hashed = []
    real_sha256 = mnist._sha256
    monkeypatch.setattr(mnist, "_sha256", lambda p: hashed.append(p.name) or real_sha256(p))
    srv = server(files)
    data = load_mnist(mirrors=[srv.url], verbose=False)
    assert data.kind == "download" and NAMES["train_images"] not in hashed[:4]
    assert srv.requests == [f"/mnist/{NAMES['train_images']}"]


# ---------------------------------------------------------------- offline: one line

def test_offline_is_one_line_and_a_later_success_fills_the_cache(served, cache, server, capsys):
    arrays, files = served
    dead = server({})
    dead_url = dead.url
    dead.close()
    data = load_mnist(mirrors=[dead_url, dead_url])
    err = capsys.readouterr().err
    assert data.kind == "embedded" and err.count("\n") == 1
    assert "[download unavailable: [Errno 111] Connection refused; TRACEGRAD_OFFLINE=1 " \
           "skips trying]" in err
    assert cache_names(cache) == []

    srv = server(files)
    assert load_mnist(mirrors=[srv.url]).kind == "download"
    assert load_mnist(mirrors=[srv.url]).kind == "cache" and len(srv.requests) == 4
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 2 and "downloaded into" in lines[0] and "from the cache" in lines[1]


def test_offline_variable_means_no_attempt_and_one_line(served, cache, server, monkeypatch,
                                                        capsys):
    srv = server(served[1])
    for value in ("1", "true", "YES", " on "):
        monkeypatch.setenv("TRACEGRAD_OFFLINE", value)
        assert load_mnist(mirrors=[srv.url]).kind == "embedded"
    assert srv.requests == []
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 4 and all("[no download: $TRACEGRAD_OFFLINE is set]" in line
                                   for line in lines)
    monkeypatch.setenv("TRACEGRAD_OFFLINE", "0")
    assert load_mnist(mirrors=[srv.url], verbose=False).kind == "download"


def test_the_tests_look_for_real_mnist_in_the_variable_first(monkeypatch, tmp_path):
    import mnist_files

    monkeypatch.setenv("TRACEGRAD_MNIST_DIR", str(tmp_path))
    assert mnist_files.candidates() == [tmp_path, mnist_files.SHARED]
    assert not mnist_files.holds_mnist(tmp_path)
    write_folder(tmp_path, synthetic(1))
    assert mnist_files.holds_mnist(tmp_path)
    monkeypatch.delenv("TRACEGRAD_MNIST_DIR")
    assert mnist_files.candidates() == [mnist_files.SHARED]
