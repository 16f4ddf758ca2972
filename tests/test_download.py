"""download_file against a local server on 127.0.0.1 that floods, trickles and drops: the
size is capped at the expected size, the total time per mirror is bounded, and no partial
file is left behind on any way out, SIGTERM included."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from http_server import Server
from nn.data import download
from nn.data.download import DownloadError, download_file, time_limit

REPO = Path(__file__).resolve().parents[1]
NAME = "t10k-labels-idx1-ubyte.gz"
DATA = bytes(range(256)) * 4  # 1,024 bytes
SHA = hashlib.sha256(DATA).hexdigest()


@pytest.fixture
def server():
    servers = []

    def start(mode="ok", files=None):
        servers.append(Server({NAME: DATA} if files is None else files, mode))
        return servers[-1]

    yield start
    for s in servers:
        s.close()


@pytest.fixture
def written(monkeypatch):
    """Every byte written to the temporary file of a download, counted."""
    counts = []
    real = download.atomic_write

    class Counting:
        def __init__(self, f):
            self.f = f
            counts.append(0)

        def write(self, data):
            counts[-1] += len(data)
            return self.f.write(data)

    def counting_write(path, what="a file"):
        import contextlib

        @contextlib.contextmanager
        def wrapped():
            with real(path, what) as f:
                yield Counting(f)
        return wrapped()

    monkeypatch.setattr(download, "atomic_write", counting_write)
    return counts


def fetch(srv, dest, **kw):
    return download_file(NAME, dest, [srv.url], SHA, size=len(DATA), verbose=False, **kw)


def test_a_good_download(server, tmp_path):
    path = fetch(server(), tmp_path)
    assert path.read_bytes() == DATA and os.listdir(tmp_path) == [NAME]


def test_an_endless_body_stops_at_the_expected_size(server, tmp_path, written):
    srv = server("flood")
    with pytest.raises(DownloadError, match=r"SHA-256 mismatch: .* for the 1,024 bytes of the "
                                            r"file's size; nothing more was read"):
        fetch(srv, tmp_path)
    assert written == [1024]  # of a body of 64 MiB
    assert os.listdir(tmp_path) == []


def test_the_right_file_followed_by_more_is_the_right_file(server, tmp_path, written):
    assert fetch(server("file-then-flood"), tmp_path).read_bytes() == DATA
    assert written == [1024]


def test_a_server_that_keeps_the_connection_open_after_the_file(server, tmp_path):
    """Nothing past the file's size is waited for: no timeout, the file is there."""
    assert fetch(server("hold-open"), tmp_path, timeout=30, max_seconds=30).read_bytes() == DATA


def test_redirects_to_other_schemes_and_non_http_mirrors_fail_cleanly(server, tmp_path):
    with pytest.raises(DownloadError, match="unknown url type: ftp"):
        fetch(server("redirect-ftp"), tmp_path)
    (tmp_path / "mirror").mkdir()
    (tmp_path / "mirror" / NAME).write_bytes(DATA)
    with pytest.raises(DownloadError, match="unknown url type: file"):
        download_file(NAME, tmp_path / "d", [(tmp_path / "mirror").as_uri()], SHA,
                      size=len(DATA), verbose=False)
    assert os.listdir(tmp_path / "d") == []


def test_an_announced_5_gb_body_is_refused_before_reading(server, tmp_path, written):
    with pytest.raises(DownloadError, match="the server announces 5,000,000,000 bytes, but the "
                                            "file has 1,024; not downloading it"):
        fetch(server("announce-huge"), tmp_path)
    assert written == [0] and os.listdir(tmp_path) == []


def test_a_trickle_is_given_up_at_the_time_limit(server, tmp_path):
    """At 16 bytes a second the 1,024 bytes would take a minute and then pass the
    checksum; the 0.5 s limit for the whole file gives up long before."""
    srv = server("trickle")
    with pytest.raises(DownloadError, match=r"TimeoutError: the download took longer than 0.5 s, "
                                            r"the limit for this file \(max_seconds\)"):
        fetch(srv, tmp_path, max_seconds=0.5)
    assert 0 < srv.sent[0] < len(DATA) and os.listdir(tmp_path) == []


def test_trickled_headers_are_given_up_at_the_time_limit(server, tmp_path):
    """The status line and headers at 16 bytes a second: never a 15 s silence, but 35 s in
    all, and then the file, intact."""
    srv = server("trickle-headers")
    with pytest.raises(DownloadError, match=r"took longer than 0\.5 s"):
        fetch(srv, tmp_path, max_seconds=0.5)
    assert srv.sent == [0]  # given up before the headers ended, not after the file came
    assert os.listdir(tmp_path) == []


def test_the_next_mirror_gets_its_own_time(server, tmp_path):
    slow, good = server("trickle"), server()
    path = download_file(NAME, tmp_path, [slow.url, good.url], SHA, size=len(DATA),
                         max_seconds=0.5, verbose=False)
    assert path.read_bytes() == DATA and os.listdir(tmp_path) == [NAME]


def test_a_dropped_connection(server, tmp_path):
    with pytest.raises(DownloadError, match="the connection dropped after 512 of 1,024 bytes"):
        fetch(server("drop"), tmp_path)
    assert os.listdir(tmp_path) == []


def test_a_wrong_checksum_and_a_wrong_size(server, tmp_path):
    with pytest.raises(DownloadError, match="SHA-256 mismatch"):
        fetch(server("corrupt"), tmp_path)
    with pytest.raises(DownloadError, match="announces 1,024 bytes, but the file has 1,000"):
        download_file(NAME, tmp_path, [server().url], SHA, size=1000, verbose=False)
    assert os.listdir(tmp_path) == []


def test_the_error_lists_every_mirror_and_keeps_a_short_reason(server, tmp_path):
    srv = server(files={})
    with pytest.raises(DownloadError) as info:
        download_file(NAME, tmp_path, [srv.url, srv.url.rstrip("/")], SHA, size=1,
                      verbose=False)
    assert str(info.value).count("HTTP Error 404") == 2
    assert info.value.reason == "HTTP Error 404: Not Found"


def test_keyboard_interrupt_leaves_no_partial_file(server, tmp_path, monkeypatch):
    real_copy = download._copy

    def interrupted(response, part, size, bar):
        part.write(b"half")
        raise KeyboardInterrupt
    monkeypatch.setattr(download, "_copy", interrupted)
    with pytest.raises(KeyboardInterrupt):
        fetch(server(), tmp_path)
    assert os.listdir(tmp_path) == []
    monkeypatch.setattr(download, "_copy", real_copy)


def test_the_sigterm_handler_is_restored(server, tmp_path):
    fetch(server(), tmp_path)
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_sigterm_mid_download_deletes_the_partial_file(server, tmp_path):
    srv = server("trickle")
    child = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        from nn.data.download import download_file
        download_file({NAME!r}, {str(tmp_path)!r}, [{srv.url!r}], {SHA!r}, size={len(DATA)},
                      verbose=False)
        """)], cwd=REPO)
    try:
        for _ in range(1000):  # until the temporary file is there and bytes are arriving
            parts = list(tmp_path.iterdir())
            if parts and srv.sent and srv.sent[0] > 0:
                break
            time.sleep(0.01)
        assert len(parts) == 1 and parts[0].name.startswith(f".{NAME}.")
        child.send_signal(signal.SIGTERM)
        assert child.wait(timeout=30) == 128 + signal.SIGTERM
    finally:
        child.kill()
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name", ["", "a/b.gz", "..", "/etc/passwd"])
def test_bad_names(tmp_path, name):
    with pytest.raises(ValueError, match="plain file name"):
        download_file(name, tmp_path, ["http://127.0.0.1:9/"], SHA, size=1)


@pytest.mark.parametrize("size", [-1, 1.5, None, True])
def test_bad_sizes(tmp_path, size):
    with pytest.raises(ValueError, match="size must be the file's size in bytes"):
        download_file(NAME, tmp_path, ["http://127.0.0.1:9/"], SHA, size=size)


@pytest.mark.parametrize("limit", ["timeout", "max_seconds"])
@pytest.mark.parametrize("seconds", [0, -1, float("inf"), float("nan"), "10"])
def test_bad_time_limits(tmp_path, limit, seconds):
    with pytest.raises(ValueError, match=f"{limit} must be a positive number of seconds"):
        download_file(NAME, tmp_path, ["http://127.0.0.1:9/"], SHA, size=1, **{limit: seconds})


def test_time_limits_of_the_mnist_files():
    assert time_limit(0) == download.BASE_SECONDS
    assert time_limit(28_881) == pytest.approx(30.58, abs=0.01)
    assert time_limit(9_912_422) == pytest.approx(228.25, abs=0.01)
