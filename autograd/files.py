"""Reading and writing files safely: the helpers behind the weights files, the IDX files,
the downloads and the documents the command line writes (``worksheet -o FILE``).

- :func:`open_regular_file` opens a file for reading only after ``os.stat`` has shown it is a
  regular file, so a folder, a named pipe (FIFO) or a device is refused by name instead of
  hanging the reader or reading forever.
- :func:`atomic_write` writes a new file beside the old one and renames it into place, so a
  crash never leaves half a file. Through a symbolic link it writes the link's target (the
  link stays). It removes its temporary file on every way out, including Ctrl-C, SIGTERM and
  SIGHUP, and first removes temporary files of its own that crashed processes left behind.
- :func:`describe_start` says in words what the first bytes of a file look like ("a PNG
  image", "text"), for error messages about files that are not what their name claims.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import signal
import stat
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from types import FrameType
from typing import BinaryIO, NoReturn

__all__ = ["NotARegularFileError", "STALE_TEMP_SECONDS", "open_regular_file", "atomic_write",
           "write_file",
           "temp_path", "remove_stale_temp_files", "exit_on_termination", "TERMINATION_SIGNALS",
           "describe_start", "describe_mode"]

STALE_TEMP_SECONDS = 3600.0
"""Age in seconds (by modification time) after which a temporary file of ours is stale.

:func:`atomic_write` removes such files beside its target before it writes. A live writer
touches its temporary file with every write, and no save or download of tracegrad goes
quiet for anywhere near an hour (a download is given up after a few minutes, see
``nn.data.download``), so a file untouched for an hour belongs to a process that died."""


class NotARegularFileError(OSError):
    """A path names a named pipe (FIFO), a device or a socket where a regular file is needed.

    Such a file is refused before it is opened for reading: reading a FIFO can wait forever
    and a device such as ``/dev/zero`` never ends.
    """


def describe_mode(mode: int) -> str:
    """What a file is, in words, from its ``os.stat(path).st_mode``.

    >>> import stat
    >>> describe_mode(stat.S_IFIFO | 0o644), describe_mode(stat.S_IFREG | 0o644)
    ('a named pipe (FIFO)', 'a regular file')
    """
    kinds = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a named pipe (FIFO)"),
             (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
             (stat.S_ISSOCK, "a socket"), (stat.S_ISREG, "a regular file"))
    return next((name for test, name in kinds if test(mode)), "not a regular file")


def _refuse_unless_regular(path: Path, mode: int, what: str) -> None:
    if stat.S_ISREG(mode):
        return
    message = f"{path} is {describe_mode(mode)}, not a regular file; expected {what}."
    if stat.S_ISDIR(mode):
        raise IsADirectoryError(f"{message} Name the file itself, not its folder.")
    raise NotARegularFileError(f"{message} Name a file stored on disk.")


def open_regular_file(path: str | os.PathLike, what: str = "a file") -> BinaryIO:
    """Open ``path`` for reading in binary mode, refusing anything but a regular file.

    ``os.stat`` is checked before the file is opened, and the open file is checked again
    (in case the path was swapped in between). Symbolic links are followed.

    Args:
        path: the file.
        what: what was expected, for messages, e.g. ``"a weights file (.npz)"``.

    Returns:
        A binary file object positioned at the start; close it (use ``with``).

    Raises:
        FileNotFoundError: ``path`` does not exist.
        IsADirectoryError: ``path`` is a folder.
        NotARegularFileError: ``path`` is a named pipe, a device or a socket.

    Example:
        >>> import tempfile
        >>> with tempfile.TemporaryDirectory() as tmp:
        ...     try:
        ...         open_regular_file(tmp, "a weights file")
        ...     except IsADirectoryError as e:
        ...         print(str(e).replace(tmp, "DIR"))  # doctest: +NORMALIZE_WHITESPACE
        DIR is a folder, not a regular file; expected a weights file. Name the file itself, not
        its folder.
    """
    path = Path(path)
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        raise FileNotFoundError(f"{path} does not exist; expected {what}. Check the name and "
                                f"the folder.") from None
    _refuse_unless_regular(path, mode, what)
    # O_NONBLOCK: should the path have become a FIFO since the stat, opening it cannot block.
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    try:
        _refuse_unless_regular(path, os.fstat(fd).st_mode, what)
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


# The temporary-name pattern of atomic_write: ".<target name>.<12 hex digits>.tmp". The two
# other patterns are those of earlier tracegrad versions (write_idx and the downloader), so
# that the files they left behind are cleaned up too.
_TEMP_PATTERNS = (r"\.{name}\.[0-9a-f]{{12}}\.tmp", r"\.{name}\.[0-9]+\.part",
                  r"{name}\.[a-z0-9_]{{8}}\.part")


def temp_path(target: Path) -> Path:
    """A fresh temporary name beside ``target``: ``.<name>.<12 hex digits>.tmp``.

    >>> temp_path(Path("out/net.npz")).name.startswith(".net.npz.")
    True
    """
    return target.with_name(f".{target.name}.{secrets.token_hex(6)}.tmp")


def remove_stale_temp_files(target: str | os.PathLike,
                            older_than: float = STALE_TEMP_SECONDS) -> list[Path]:
    """Delete tracegrad's own temporary files for ``target`` that a crash left behind.

    Only regular files beside ``target`` whose names follow tracegrad's temporary-name
    pattern for this target (``.<name>.<12 hex digits>.tmp``, and the ``.part`` names of
    earlier versions) and that nothing has written to for ``older_than`` seconds are
    removed; a save still running in another process keeps its file.

    Args:
        target: the file whose leftovers to remove (it need not exist).
        older_than: minimum age in seconds, by modification time (default
            ``STALE_TEMP_SECONDS``, one hour).

    Returns:
        The paths removed.

    Example:
        >>> import os, tempfile
        >>> with tempfile.TemporaryDirectory() as tmp:
        ...     left = Path(tmp) / ".net.npz.0123456789ab.tmp"
        ...     left.write_bytes(b"half a file")
        ...     os.utime(left, (0, 0))             # last written in 1970
        ...     [p.name for p in remove_stale_temp_files(Path(tmp) / "net.npz")]
        11
        ['.net.npz.0123456789ab.tmp']
    """
    target = Path(target)
    name = re.escape(target.name)
    ours = re.compile("|".join(f"(?:{p.format(name=name)})" for p in _TEMP_PATTERNS))
    removed: list[Path] = []
    now = time.time()
    try:
        entries = list(os.scandir(target.parent))
    except OSError:  # no folder, or not readable: nothing of ours to find
        return removed
    for entry in entries:
        if not ours.fullmatch(entry.name):
            continue
        try:
            st = entry.stat(follow_symlinks=False)
            if stat.S_ISREG(st.st_mode) and now - st.st_mtime > older_than:
                os.unlink(entry.path)
                removed.append(Path(entry.path))
        except OSError:  # removed meanwhile by another process, or not ours to remove
            continue
    return removed


TERMINATION_SIGNALS = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP")
                            if hasattr(signal, name))
"""The signals that end a program by default and that :func:`exit_on_termination` turns
into ``SystemExit``: SIGTERM (``kill``, a job scheduler, a container stopping) and, where
there is one, SIGHUP (the terminal or SSH session closing)."""


def _raise_exit(signum: int, frame: FrameType | None) -> NoReturn:
    raise SystemExit(128 + signum)


@contextlib.contextmanager
def exit_on_termination() -> Iterator[None]:
    """While the block runs, SIGTERM (or SIGHUP) raises ``SystemExit`` instead of killing.

    The exception runs the ``finally`` and ``except`` clauses on its way out, so temporary
    files are removed; the process still ends, with the exit status the signal gives
    (128 + its number: 143 for SIGTERM, 129 for SIGHUP). A signal that already has a
    handler of the program's own, or is ignored (``nohup``), is left alone, and so is
    everything outside the main thread (where Python cannot set handlers). The old handlers
    are put back afterwards.

    >>> import signal
    >>> with exit_on_termination():
    ...     signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL
    True
    >>> signal.getsignal(signal.SIGTERM) is signal.SIG_DFL
    True
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    ours = [s for s in TERMINATION_SIGNALS if signal.getsignal(s) is signal.SIG_DFL]
    previous = {s: signal.signal(s, _raise_exit) for s in ours}
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)


def _write_target(path: Path, what: str) -> tuple[Path, int | None]:
    """The file to replace (a symbolic link's target) and its permission bits, if it exists."""
    target = Path(os.path.realpath(path))
    if not target.parent.is_dir():
        raise FileNotFoundError(f"cannot write {path}: the folder {target.parent} does not "
                                f"exist. Create it first, or name another folder.")
    try:
        mode = os.stat(target).st_mode
    except FileNotFoundError:
        return target, None
    _refuse_unless_regular(path, mode, what)
    return target, stat.S_IMODE(mode)


@contextlib.contextmanager
def atomic_write(path: str | os.PathLike, what: str = "a file") -> Iterator[BinaryIO]:
    """Write a file in one piece: ``with atomic_write(path) as f: f.write(...)``.

    The data goes to a temporary file beside the target (``.<name>.<12 hex>.tmp``); when the
    block ends normally it is flushed, fsync'ed and renamed over the target with
    ``os.replace``, so readers see the old file or the new one, never half of one. When the
    block raises, or Ctrl-C, SIGTERM or SIGHUP arrive, the temporary file is deleted and the old
    file is untouched. If ``path`` is a symbolic link, its target is written and the link
    stays. An existing file keeps its permission bits. Stale temporary files of earlier
    crashes are removed first (see :func:`remove_stale_temp_files`).

    Args:
        path: the file to write; its folder must exist.
        what: what is being written, for messages, e.g. ``"a weights file"``.

    Yields:
        The temporary file, open for binary writing.

    Raises:
        FileNotFoundError: the folder does not exist.
        IsADirectoryError: ``path`` is a folder.
        NotARegularFileError: ``path`` is a named pipe, a device or a socket.
        OSError: the folder is not writable, the disk is full, ... (the old file is intact).

    Example:
        >>> import tempfile
        >>> with tempfile.TemporaryDirectory() as tmp:
        ...     with atomic_write(Path(tmp) / "a.txt") as f:
        ...         f.write(b"all or nothing")
        ...     print((Path(tmp) / "a.txt").read_text(), os.listdir(tmp))
        14
        all or nothing ['a.txt']
    """
    target, mode = _write_target(Path(path), what)
    remove_stale_temp_files(target)
    tmp = temp_path(target)
    with exit_on_termination():
        fd = _create(tmp, path)
        try:
            if mode is not None and hasattr(os, "fchmod"):
                os.fchmod(fd, mode)  # exactly the old bits, whatever the umask
            with os.fdopen(fd, "wb") as f:
                yield f
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, target)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
    _sync_folder(target.parent)


def write_file(path: str | os.PathLike[str], data: str | bytes, what: str = "a file",
               make_folder: bool = False) -> Path:
    """Write ``data`` (text as UTF-8, or bytes) to ``path`` in one piece with ``atomic_write``:
    the old file, or the whole new one, never half of one; a named pipe or a device is
    refused instead of being written to or replaced. With ``make_folder``, the folders of
    ``path`` are made first. Returns ``path`` as a ``Path``.

    Raises:
        NotADirectoryError: with ``make_folder``, a folder of ``path`` is a file.
        as ``atomic_write``: FileNotFoundError (no such folder), IsADirectoryError,
        NotARegularFileError, OSError (not writable, disk full).

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     print(write_file(Path(tmp) / "page.html", "<p>∂f/∂x</p>").read_text("utf-8"))
    <p>∂f/∂x</p>
    """
    if make_folder:
        _make_folder(Path(path).parent)
    with atomic_write(path, what) as out:
        out.write(data.encode("utf-8") if isinstance(data, str) else data)
    return Path(path)


def _make_folder(folder: Path) -> None:
    """Make ``folder`` and its parents; one of them that is a file is named in the error."""
    for part in (folder, *folder.parents):
        if part.exists() and not part.is_dir():
            raise NotADirectoryError(f"{part} is not a folder, so nothing can be written "
                                     "inside it; name a file in a folder")
    folder.mkdir(parents=True, exist_ok=True)


def _create(tmp: Path, path: str | os.PathLike[str]) -> int:
    """Create the temporary file; an error names the file the user asked for, not ``tmp``."""
    try:
        return os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0),
                       0o666)
    except OSError as e:
        raise type(e)(e.errno, f"cannot write {path}: {e.strerror} (in the folder "
                               f"{tmp.parent})") from None


def _sync_folder(folder: Path) -> None:
    """Make a rename in ``folder`` durable (POSIX); not possible everywhere, not required."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


_SIGNATURES = ((b"\x89PNG\r\n\x1a\n", "a PNG image"), (b"\xff\xd8\xff", "a JPEG image"),
               (b"GIF8", "a GIF image"), (b"%PDF", "a PDF document"),
               (b"\x1f\x8b", "gzip-compressed data"), (b"PK\x03\x04", "a zip archive"),
               (b"PK\x05\x06", "an empty zip archive"), (b"\x93NUMPY", "a single NumPy .npy array"),
               (b"BZh", "bzip2-compressed data"), (b"\xfd7zXZ\x00", "xz-compressed data"),
               (b"\x80", "pickled Python objects"))


def describe_start(head: bytes) -> str:
    """What a file starting with ``head`` looks like, in words, with its first bytes in hex.

    >>> describe_start(b"\\x89PNG\\r\\n\\x1a\\n\\x00\\x00")
    'a PNG image (it starts with 89 50 4e 47 0d 0a 1a 0a)'
    >>> describe_start(b"<!DOCTYPE html><html>Not Found</html>")
    'text, probably a web page (it starts with "<!DOCTYPE html><html>Not...")'
    >>> describe_start(b"")
    'empty (0 bytes)'
    """
    if not head:
        return "empty (0 bytes)"
    for signature, name in _SIGNATURES:
        if head.startswith(signature):
            return f"{name} (it starts with {head[:8].hex(' ')})"
    # A multi-byte character cut at the 512th byte decodes as U+FFFD: allow that at the end.
    text = head[:512].decode("utf-8", errors="replace")
    if all(c.isprintable() or c in "\t\r\n" for c in text.rstrip("\ufffd")):
        kind = "text, probably a web page" if "<html" in text.lower() else "text"
        shown = " ".join(text[:24].split())
        return f'{kind} (it starts with "{shown}{"..." if len(text) > 24 else ""}")'
    return f"unrecognised binary data (it starts with {head[:8].hex(' ')})"
