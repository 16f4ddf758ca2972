"""load_mnist: the real files, the search order, binding folders, the downloader against a
local HTTP server (127.0.0.1 only), offline mode, and the embedded subset."""

import gzip
import hashlib
import http.server
import os
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from nn.data import MNIST, IDXError, download, load_mnist, mnist, write_idx
from nn.data.download import DownloadError, download_file
from nn.data.make_subset import main as make_subset_main

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "mnist"
TRAIN_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]  # README
TEST_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
UNCOMPRESSED_MD5 = {"train_images": "6bbc9ace898e44ae57da46a324031adb",
                    "train_labels": "a25bea736e30d166cdddb491f175f624",
                    "test_images": "2646ac647ad5339dbf082846283269ea",
                    "test_labels": "27ae3e4e09519cfbb04c329615203637"}
NAMES = {role: f[0] for role, f in mnist.MNIST_FILES.items()}


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
    """The full official set, read once for this module (60,000 + 10,000 images)."""
    if not SHARED.is_dir():
        pytest.skip(f"the MNIST files are not at {SHARED} (shared/data/mnist beside the repo)")
    return load_mnist(SHARED, verbose=False)


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
    table = {role: (name, hashlib.sha256(files[name]).hexdigest(), "")
             for role, name in NAMES.items()}
    monkeypatch.setattr(mnist, "MNIST_FILES", table)
    return arrays, files


class QuietServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # e.g. a broken pipe after the client timed out: expected here


class Server:
    """A local HTTP server in a thread; ``mode`` says how it misbehaves."""

    def __init__(self, files: dict[str, bytes], mode: str = "ok"):
        self.files, self.mode, self.requests = files, mode, []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                outer.requests.append(self.path)
                data = outer.files.get(self.path.rsplit("/", 1)[-1])
                if data is None:
                    self.send_error(404)
                    return
                if outer.mode == "slow":
                    time.sleep(1.5)
                if outer.mode == "corrupt":
                    data = bytes([data[0] ^ 1]) + data[1:]
                self.send_response(200)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if outer.mode == "drop":  # promise everything, send half, hang up
                    self.wfile.write(data[: len(data) // 2])
                    self.wfile.flush()
                    self.close_connection = True
                    return
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.httpd = QuietServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/mnist/"
        self.thread = threading.Thread(target=self.httpd.serve_forever,
                                       kwargs={"poll_interval": 0.02}, daemon=True)
        self.thread.start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


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
    assert str(SHARED) in full.source and "60,000 train / 10,000 test images" in full.source


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
    assert x[0, :2].tolist() == [1.0, np.float32(0.2)] and 0 <= x.min() and x.max() <= 1
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
    assert "fails its SHA-256 check" in capsys.readouterr().err
    assert_same(data, arrays)


# ---------------------------------------------------------------- downloads that go wrong

def test_checksum_mismatch_is_rejected(served, cache, server, capsys):
    srv = server(served[1], mode="corrupt")
    data = load_mnist(mirrors=[srv.url])
    assert data.kind == "embedded"
    assert cache_names(cache) == []  # nothing kept, no partial file
    err = capsys.readouterr().err
    assert "SHA-256 mismatch" in err and "download failed" in err and "embedded subset" in err


def test_dropped_connection_falls_through_to_next_mirror(served, cache, server, capsys):
    arrays, files = served
    bad, good = server(files, mode="drop"), server(files)
    data = load_mnist(mirrors=[bad.url, good.url])
    assert data.kind == "download"
    assert_same(data, arrays)
    assert cache_names(cache) == sorted(files)  # no .part left behind
    assert "connection dropped after" in capsys.readouterr().err


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
    assert "404" in err and dead_url in err


def test_timeout(served, tmp_path, server, monkeypatch):
    srv = server(served[1], mode="slow")
    monkeypatch.setattr(download, "TIMEOUT", 0.3)
    name = NAMES["test_labels"]
    with pytest.raises(DownloadError, match="timed out"):
        download_file(name, tmp_path / "d", [srv.url], "0" * 64, verbose=False)
    assert list((tmp_path / "d").iterdir()) == []


def test_download_file_direct(served, tmp_path, server):
    files = served[1]
    name = NAMES["test_labels"]
    srv = server(files)
    sha = hashlib.sha256(files[name]).hexdigest()
    path = download_file(name, tmp_path / "d", [srv.url.rstrip("/")], sha, verbose=False)
    assert path == tmp_path / "d" / name and path.read_bytes() == files[name]
    with pytest.raises(DownloadError, match="no mirrors"):
        download_file(name, tmp_path / "d", [], sha)


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
    with pytest.raises(IDXError, match=r"expected digit labels 0..9, found 1 labels outside "
                                       r"that range \(the first is 12 at index 3\)") as info:
        load_mnist(folder, verbose=False)
    assert str(folder / NAMES["train_labels"]) in str(info.value)


def test_image_and_label_counts_differ(tmp_path):
    arrays = synthetic(6)
    arrays["test_labels"] = arrays["test_labels"][:-1]
    folder = write_folder(tmp_path / "d", arrays)
    with pytest.raises(IDXError, match="holds 5 images but .* holds 4 labels") as info:
        load_mnist(folder, verbose=False)
    assert str(folder / NAMES["test_images"]) in str(info.value)
    assert str(folder / NAMES["test_labels"]) in str(info.value)


def test_images_must_be_28x28(tmp_path):
    arrays = synthetic(6)
    arrays["test_images"] = np.zeros((5, 32, 32), np.uint8)
    folder = write_folder(tmp_path / "d", arrays)
    with pytest.raises(IDXError, match="28x28 pixels, found images of 32x32"):
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
    assert "download failed" in capsys.readouterr().err
