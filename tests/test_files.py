"""autograd.files: refusing what is not a regular file, atomic writes through symbolic links,
stale temporary files, SIGTERM during a write, and saying what a file looks like."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from autograd.files import (
    STALE_TEMP_SECONDS,
    NotARegularFileError,
    atomic_write,
    describe_start,
    exit_on_termination,
    open_regular_file,
    remove_stale_temp_files,
    temp_path,
    write_file,
)
from hostile_files import unblock_later

REPO = Path(__file__).resolve().parents[1]



@pytest.fixture
def fifo(tmp_path):
    if not hasattr(os, "mkfifo"):
        pytest.skip("no named pipes here")
    path = tmp_path / "pipe.npz"
    os.mkfifo(path)
    unblock_later(path)
    return path


# ---------------------------------------------------------------- open_regular_file

def test_opens_a_regular_file(tmp_path):
    path = tmp_path / "a.bin"
    path.write_bytes(b"abc")
    with open_regular_file(path) as f:
        assert f.read() == b"abc"


def test_missing_file_is_named(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"nope\.npz does not exist; expected a weights"):
        open_regular_file(tmp_path / "nope.npz", "a weights file")


def test_folder_refused(tmp_path):
    with pytest.raises(IsADirectoryError, match="is a folder, not a regular file") as info:
        open_regular_file(tmp_path, "an IDX file")
    assert str(tmp_path) in str(info.value) and "expected an IDX file" in str(info.value)


def test_fifo_refused_without_opening_it(fifo, monkeypatch):
    opened = []
    real_open = os.open
    monkeypatch.setattr(os, "open", lambda p, *a, **k: opened.append(p) or real_open(p, *a, **k))
    with pytest.raises(NotARegularFileError, match=r"pipe\.npz is a named pipe \(FIFO\)"):
        open_regular_file(fifo)
    assert opened == []  # refused from os.stat alone


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero here")
def test_device_refused():
    with pytest.raises(NotARegularFileError, match="/dev/zero is a character device"):
        open_regular_file("/dev/zero")


def test_not_a_regular_file_is_an_os_error():
    assert issubclass(NotARegularFileError, OSError)


def test_symlink_to_a_file_is_followed(tmp_path):
    (tmp_path / "real").write_bytes(b"x")
    (tmp_path / "link").symlink_to(tmp_path / "real")
    with open_regular_file(tmp_path / "link") as f:
        assert f.read() == b"x"


# ---------------------------------------------------------------- atomic_write

def test_atomic_write_replaces_and_leaves_nothing_else(tmp_path):
    path = tmp_path / "w.npz"
    path.write_bytes(b"old")
    with atomic_write(path) as f:
        f.write(b"new")
    assert path.read_bytes() == b"new" and os.listdir(tmp_path) == ["w.npz"]


def test_atomic_write_keeps_old_file_on_error(tmp_path):
    path = tmp_path / "w.npz"
    path.write_bytes(b"old")
    with pytest.raises(ZeroDivisionError), atomic_write(path) as f:
        f.write(b"half")
        1 / 0
    assert path.read_bytes() == b"old" and os.listdir(tmp_path) == ["w.npz"]


def test_atomic_write_keeps_old_file_on_keyboard_interrupt(tmp_path):
    path = tmp_path / "w.npz"
    path.write_bytes(b"old")
    with pytest.raises(KeyboardInterrupt), atomic_write(path) as f:
        f.write(b"half")
        raise KeyboardInterrupt
    assert path.read_bytes() == b"old" and os.listdir(tmp_path) == ["w.npz"]


def test_write_through_a_symlink_replaces_the_target_and_keeps_the_link(tmp_path):
    (tmp_path / "store").mkdir()
    target = tmp_path / "store" / "weights-v1.npz"
    target.write_bytes(b"old")
    link = tmp_path / "current.npz"
    link.symlink_to(Path("store") / "weights-v1.npz")  # relative, as people write them
    with atomic_write(link) as f:
        f.write(b"new")
    assert link.is_symlink() and os.readlink(link) == str(Path("store") / "weights-v1.npz")
    assert target.read_bytes() == b"new"
    assert sorted(os.listdir(tmp_path / "store")) == ["weights-v1.npz"]  # no temp file left


def test_write_through_a_dangling_symlink_creates_its_target(tmp_path):
    link = tmp_path / "link.npz"
    link.symlink_to(tmp_path / "made.npz")
    with atomic_write(link) as f:
        f.write(b"x")
    assert link.is_symlink() and (tmp_path / "made.npz").read_bytes() == b"x"


def test_permissions_of_the_old_file_are_kept(tmp_path):
    path = tmp_path / "w.npz"
    path.write_bytes(b"old")
    path.chmod(0o640)
    with atomic_write(path) as f:
        f.write(b"new")
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


def test_missing_folder_is_named(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"the folder .*no-such does not exist"):
        with atomic_write(tmp_path / "no-such" / "w.npz") as f:
            f.write(b"x")


def test_writing_over_a_folder_is_refused(tmp_path):
    (tmp_path / "w.npz").mkdir()
    with pytest.raises(IsADirectoryError, match="is a folder"):
        with atomic_write(tmp_path / "w.npz") as f:
            f.write(b"x")
    assert os.listdir(tmp_path) == ["w.npz"]


def test_writing_over_a_fifo_is_refused(fifo):
    with pytest.raises(NotARegularFileError, match="named pipe"):
        with atomic_write(fifo) as f:
            f.write(b"x")
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)


# ---------------------------------------------------------------- stale temporary files

def left_behind(path: Path, seconds: float, data: bytes = b"x" * 1000) -> Path:
    """A file last written ``seconds`` ago."""
    path.write_bytes(data)
    then = time.time() - seconds
    os.utime(path, (then, then))
    return path


def test_stale_temp_files_of_the_target_are_removed_fresh_ones_kept(tmp_path):
    target = tmp_path / "net.npz"
    for _ in range(20):  # twenty crashed saves
        left_behind(temp_path(target), 2 * STALE_TEMP_SECONDS)
    fresh = left_behind(temp_path(target), 60)  # a save running in another process
    not_ours = [left_behind(tmp_path / name, 10 * STALE_TEMP_SECONDS, b"keep me")
                for name in (".net.npz.mine.tmp", "net.npz.tmp", ".other.npz.0123456789ab.tmp",
                             "notes.txt", ".net.npz.0123456789AB.tmp")]

    with atomic_write(target) as f:
        f.write(b"new")

    assert sorted(os.listdir(tmp_path)) == sorted(["net.npz", fresh.name]
                                                  + [p.name for p in not_ours])
    assert all(p.read_bytes() == b"keep me" for p in not_ours)


def test_legacy_temp_names_are_recognised(tmp_path):
    target = tmp_path / "train-labels-idx1-ubyte.gz"
    names = ["train-labels-idx1-ubyte.gz.k3_x9q0z.part",  # the downloader's, before
             ".train-labels-idx1-ubyte.gz.4242.part"]     # write_idx's, before
    for name in names:
        left_behind(tmp_path / name, 2 * STALE_TEMP_SECONDS)
    removed = remove_stale_temp_files(target)
    assert sorted(p.name for p in removed) == sorted(names) and os.listdir(tmp_path) == []


def test_stale_symlinks_and_folders_with_our_names_are_left_alone(tmp_path):
    target = tmp_path / "net.npz"
    (tmp_path / ".net.npz.0123456789ab.tmp").mkdir()
    outside = left_behind(tmp_path / "precious", 2 * STALE_TEMP_SECONDS, b"keep")
    link = tmp_path / ".net.npz.ba9876543210.tmp"
    link.symlink_to(outside)
    assert remove_stale_temp_files(target) == []
    assert outside.read_bytes() == b"keep" and link.is_symlink()


def test_no_folder_no_error(tmp_path):
    assert remove_stale_temp_files(tmp_path / "missing" / "net.npz") == []


# ---------------------------------------------------------------- SIGTERM

def test_a_program_handler_and_an_ignored_signal_are_left_alone():
    def mine(signum, frame):
        pass
    previous = signal.signal(signal.SIGTERM, mine)
    hup = getattr(signal, "SIGHUP", None)
    previous_hup = signal.signal(hup, signal.SIG_IGN) if hup else None  # as under nohup
    try:
        with exit_on_termination():
            assert signal.getsignal(signal.SIGTERM) is mine
            assert hup is None or signal.getsignal(hup) is signal.SIG_IGN
        assert signal.getsignal(signal.SIGTERM) is mine
    finally:
        signal.signal(signal.SIGTERM, previous)
        if hup:
            signal.signal(hup, previous_hup)


def test_exit_on_termination_does_nothing_outside_the_main_thread():
    seen = []

    def run():
        with exit_on_termination():
            seen.append(signal.getsignal(signal.SIGTERM))
    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    assert seen == [signal.SIG_DFL]


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
@pytest.mark.parametrize("signum", [signal.SIGTERM, getattr(signal, "SIGHUP", signal.SIGTERM)],
                         ids=["SIGTERM", "SIGHUP"])
def test_a_signal_during_a_save_removes_the_temp_file_and_keeps_the_old_one(tmp_path, signum):
    path = tmp_path / "net.npz"
    path.write_bytes(b"old weights")
    child = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import sys, time
        from autograd.files import atomic_write
        with atomic_write({str(path)!r}) as f:
            f.write(b"half of the new weights")
            f.flush()
            print("writing", flush=True)
            time.sleep(60)
        """)], cwd=REPO, stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline() == "writing\n"
        assert len(os.listdir(tmp_path)) == 2  # the old file and the temporary one
        child.send_signal(signum)
        assert child.wait(timeout=30) == 128 + signum
    finally:
        child.kill()
        child.stdout.close()
    assert os.listdir(tmp_path) == ["net.npz"] and path.read_bytes() == b"old weights"


# ---------------------------------------------------------------- describe_start

@pytest.mark.parametrize("head, words", [
    (b"\x89PNG\r\n\x1a\n" + bytes(8), "a PNG image"),
    (b"\xff\xd8\xff\xe0", "a JPEG image"),
    (b"\x1f\x8b\x08\x00", "gzip-compressed data"),
    (b"\x80\x04\x95", "pickled Python objects"),
    (b"\x93NUMPY\x01\x00", "a single NumPy .npy array"),
    (b"W1,b1\n0.5,0.25\n", 'text (it starts with "W1,b1 0.5,0.25")'),
    (b"<html><body>404</body></html>", "text, probably a web page"),
    (b"caf\xc3\xa9 " * 200, "text"),            # a character cut at byte 512 is still text
    (bytes(range(256)), "unrecognised binary data (it starts with 00 01 02 03"),
    (b"", "empty (0 bytes)"),
])
def test_describe_start(head, words):
    assert describe_start(head).startswith(words)


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0,
                    reason="needs POSIX permissions, which root ignores")
def test_a_read_only_folder_is_named_not_the_temp_file(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        with pytest.raises(PermissionError, match=r"cannot write .*ro/w\.npz: Permission denied"):
            with atomic_write(folder / "w.npz") as f:
                f.write(b"x")
    finally:
        folder.chmod(0o700)


def test_an_open_error_names_the_file_asked_for(tmp_path, monkeypatch):
    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")
    monkeypatch.setattr(os, "open", refuse)
    with pytest.raises(PermissionError, match=r"cannot write .*w\.npz: Permission denied \(in "
                                              r"the folder"):
        with atomic_write(tmp_path / "w.npz") as f:
            f.write(b"x")


def test_permissions_are_kept_whatever_the_umask(tmp_path):
    path = tmp_path / "w.npz"
    path.write_bytes(b"old")
    path.chmod(0o666)
    old = os.umask(0o077)
    try:
        with atomic_write(path) as f:
            f.write(b"new")
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o666


def test_write_file_makes_folders_and_names_a_file_in_the_way(tmp_path):
    written = write_file(tmp_path / "a" / "b" / "page.html", "∂f/∂x", make_folder=True)
    assert written.read_text(encoding="utf-8") == "∂f/∂x"
    (tmp_path / "plain").write_text("not a folder")
    with pytest.raises(NotADirectoryError, match=r"plain is not a folder, so nothing can be"):
        write_file(tmp_path / "plain" / "x" / "page.html", b"<p>", make_folder=True)
    assert (tmp_path / "plain").read_text() == "not a folder"
