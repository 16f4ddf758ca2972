"""Download a file from a list of mirrors into a folder, verified by size and SHA-256.

The file is streamed into a temporary file beside its target (``.<name>.<12 hex>.tmp``, see
``autograd.files.atomic_write``), its size and SHA-256 are checked, and only then is it moved
into place with ``os.replace``. Any failure (no connection, HTTP error, connection dropped
mid-transfer, a wrong size, too slow, wrong checksum, Ctrl-C, SIGTERM, SIGHUP) deletes the
temporary file, so the folder never holds half a file under the real name.

Every download is bounded, whatever the server does:

- in size: it refuses a server that announces another size than the file's known one
  (``size``) and never reads past that size, so an endless body costs ``size`` bytes;
- in silence: ``TIMEOUT`` seconds without a connection or without data give up a mirror;
- in total time: each mirror has ``max_seconds`` for the whole file (by default
  :func:`time_limit`), so a server that trickles a byte a second is given up too.

Offline, ``load_mnist`` skips the download when ``TRACEGRAD_OFFLINE=1`` is set.
"""

from __future__ import annotations

import contextlib
import hashlib
import http.client
import os
import socket
import threading
import urllib.error
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tqdm import tqdm

from autograd.files import atomic_write, exit_on_termination

__all__ = ["DownloadError", "download_file", "time_limit", "TIMEOUT", "BASE_SECONDS",
           "MIN_RATE"]

TIMEOUT = 15.0
"""Seconds to wait for a connection, or for the next data, before a mirror is given up."""

BASE_SECONDS = 30.0
"""Seconds every download gets on top of the time its size needs at ``MIN_RATE``."""

MIN_RATE = 50_000
"""Slowest average transfer, in bytes per second, that is waited for: 50 kB/s (0.4 Mbit/s),
slower than any working connection today. With ``BASE_SECONDS`` it gives the time limits of
:func:`time_limit`: 31 s for the 28 KB MNIST labels, 228 s for the 9.9 MB training images."""

CHUNK = 1 << 16


class DownloadError(OSError):
    """Every mirror failed for a file; the message lists each mirror's error.

    Attributes:
        reason: the last mirror's error, in short (e.g. ``"HTTP Error 404: Not Found"``),
            for a one-line message.
    """

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


def time_limit(size: int) -> float:
    """Seconds a mirror is given for a whole file of ``size`` bytes: ``BASE_SECONDS`` plus
    the time the file takes at ``MIN_RATE``.

    >>> time_limit(28_881), time_limit(9_912_422)
    (30.57762, 228.24844)
    """
    return BASE_SECONDS + size / MIN_RATE


class _Deadline:
    """The time limit of one download. When it passes, the connection's socket is shut
    down, so that no read can wait beyond it: a socket timeout only bounds the wait for the
    next byte, which a server sending one byte a second never exceeds."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.expired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def __enter__(self) -> _Deadline:
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._timer.cancel()

    def watch(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.append(sock)
            expired = self.expired
        if expired:
            _shut(sock)

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            sockets = list(self._sockets)
        for sock in sockets:
            _shut(sock)


def _shut(sock: socket.socket) -> None:
    """Shut a socket down from another thread; a read blocked on it returns at once."""
    # The plain socket's shutdown, also for a TLS socket (whose own shutdown would change its
    # state under the reading thread); an OSError means it is already closed.
    with contextlib.suppress(OSError):
        socket.socket.shutdown(sock, socket.SHUT_RDWR)


# urllib's handlers with a connection class that hands its socket to the deadline as soon
# as it is connected; everything else (proxies, redirects, TLS) stays urllib's.
class _Watched(http.client.HTTPConnection):
    def __init__(self, *args: Any, deadline: _Deadline, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.deadline = deadline

    def connect(self) -> None:
        super().connect()
        self.deadline.watch(self.sock)


class _WatchedHTTPConnection(_Watched, http.client.HTTPConnection):
    pass


class _WatchedHTTPSConnection(_Watched, http.client.HTTPSConnection):
    pass


class _HTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, deadline: _Deadline) -> None:
        super().__init__()
        self.deadline = deadline

    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        # do_open passes deadline= on to the connection class; typeshed's protocol for that
        # class allows no keyword of its own.
        return self.do_open(_WatchedHTTPConnection, req,  # type: ignore[arg-type]
                            deadline=self.deadline)


class _HTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, deadline: _Deadline) -> None:
        super().__init__()
        self.deadline = deadline

    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        # As http_open: deadline= goes on to the connection class.
        return self.do_open(_WatchedHTTPSConnection, req,  # type: ignore[arg-type]
                            deadline=self.deadline)


def _opener(deadline: _Deadline) -> urllib.request.OpenerDirector:
    """urllib's opener with only what a download needs: proxies, HTTP and HTTPS watched by
    the deadline, redirects between them, errors as exceptions. No file:, ftp: or data:
    URLs, so every byte arrives through a watched socket (a redirect to ftp: fails)."""
    opener = urllib.request.OpenerDirector()
    for handler in (urllib.request.ProxyHandler(), urllib.request.UnknownHandler(),
                    _HTTPHandler(deadline), _HTTPSHandler(deadline),
                    urllib.request.HTTPDefaultErrorHandler(),
                    urllib.request.HTTPRedirectHandler(), urllib.request.HTTPErrorProcessor()):
        opener.add_handler(handler)
    return opener


def _check_announced(response: http.client.HTTPResponse, size: int) -> None:
    """Refuse a response whose Content-Length is not the file's size, before reading it."""
    length = response.headers.get("Content-Length", "")
    if length.isdigit() and int(length) != size:
        raise ValueError(f"the server announces {int(length):,} bytes, but the file has "
                         f"{size:,}; not downloading it")


def _copy(response: http.client.HTTPResponse, part: IO[bytes], size: int,
          bar: tqdm[Any]) -> tuple[str, int]:
    """Stream at most ``size`` bytes of the body into ``part``; (SHA-256, bytes)."""
    digest = hashlib.sha256()
    received = 0
    # read1 returns what has arrived (at most one read from the socket), so the progress bar
    # moves with a slow server; the deadline ends a read that waits too long. Nothing past
    # the file's size is read: the checksum then tells whether those bytes are the file.
    while received < size and (chunk := response.read1(min(CHUNK, size - received))):
        received += len(chunk)
        part.write(chunk)
        digest.update(chunk)
        bar.update(len(chunk))
    return digest.hexdigest(), received


def _fetch(url: str, part: IO[bytes], sha256: str, size: int, *, timeout: float,
           max_seconds: float, verbose: bool) -> None:
    """Stream ``url`` into the open binary file ``part``; raise on any failure."""
    from tqdm import tqdm  # imported here: only needed when something is downloaded

    deadline = _Deadline(max_seconds)
    opener = _opener(deadline)
    too_slow = TimeoutError(f"the download took longer than {max_seconds:g} s, the limit for "
                            f"this file (max_seconds)")
    try:
        with deadline, opener.open(url, timeout=timeout) as response:
            _check_announced(response, size)
            with tqdm(total=size, unit="B", unit_scale=True, unit_divisor=1024,
                      desc=url.rsplit("/", 1)[-1], leave=False,
                      disable=None if verbose else True) as bar:
                digest, received = _copy(response, part, size, bar)
    except (OSError, http.client.HTTPException):
        if deadline.expired:
            raise too_slow from None
        raise
    if deadline.expired:  # a socket shut down by the deadline reads as an orderly end
        raise too_slow
    if received < size:
        raise ConnectionError(f"the connection dropped after {received:,} of {size:,} bytes")
    if digest != sha256:
        raise ValueError(f"SHA-256 mismatch: expected {sha256}, got {digest} for the "
                         f"{received:,} bytes of the file's size; nothing more was read")


def _short(e: BaseException) -> str:
    """An error in a few words: the reason inside a URLError, else type and message."""
    if isinstance(e, urllib.error.HTTPError):
        return f"HTTP Error {e.code}: {e.reason}"
    if isinstance(e, urllib.error.URLError):
        return str(e.reason)
    return f"{type(e).__name__}: {e}"


def download_file(name: str, dest_dir: str | os.PathLike, mirrors: Sequence[str], sha256: str,
                  *, size: int, timeout: float | None = None, max_seconds: float | None = None,
                  verbose: bool = True) -> Path:
    """Download ``name`` from the first mirror that delivers it intact into ``dest_dir``.

    Each mirror is tried once, in order, from the first byte (no resuming): the URL is the
    mirror with ``name`` appended. A progress bar (tqdm) is shown on a terminal when
    ``verbose``. Failures are not printed: the ``DownloadError`` lists them.

    Args:
        name: file name, e.g. ``"train-images-idx3-ubyte.gz"``; also the name it is saved as.
        dest_dir: folder to save into (created if missing).
        mirrors: base URLs, e.g. ``["https://ossci-datasets.s3.amazonaws.com/mnist/"]``.
        sha256: the expected SHA-256 of the file, lower-case hex.
        size: the expected size of the file in bytes; a server that announces another size
            is refused, and nothing past it is read.
        timeout: seconds to wait for a connection or for the next data (default
            ``TIMEOUT``, 15 s).
        max_seconds: seconds each mirror has for the whole file (default
            ``time_limit(size)``).
        verbose: show the progress bar.

    Returns:
        Path of the saved file, ``dest_dir / name``.

    Raises:
        ValueError: ``name`` is not a plain file name, ``size`` is not a whole number of
            bytes, or ``timeout`` or ``max_seconds`` is not a positive number.
        DownloadError: (an ``OSError``) every mirror failed; the message gives each error,
            the last one at the end. No partial file is left behind, also after Ctrl-C,
            SIGTERM or SIGHUP (which end the program as usual once the file is deleted).
    """
    if not name or Path(name).name != name or name in (".", ".."):
        raise ValueError(f"download_file: name must be a plain file name such as "
                         f"'train-labels-idx1-ubyte.gz', got {name!r}.")
    if isinstance(size, bool) or not isinstance(size, int) or size < 0:
        raise ValueError(f"download_file({name!r}): size must be the file's size in bytes, a "
                         f"whole number >= 0, got {size!r}.")
    for label, seconds in (("timeout", timeout), ("max_seconds", max_seconds)):
        if seconds is not None and (isinstance(seconds, bool)
                                    or not isinstance(seconds, (int, float))
                                    or not 0 < seconds < float("inf")):
            raise ValueError(f"download_file({name!r}): {label} must be a positive number of "
                             f"seconds, got {seconds!r}.")
    dest_dir = Path(dest_dir)
    dest_dir.mkdir(parents=True, exist_ok=True)
    target = dest_dir / name
    timeout = TIMEOUT if timeout is None else timeout
    max_seconds = time_limit(size) if max_seconds is None else max_seconds
    errors = []
    with exit_on_termination():
        for mirror in mirrors:
            url = (mirror if mirror.endswith("/") else mirror + "/") + name
            try:
                with atomic_write(target, "a downloaded file") as part:
                    _fetch(url, part, sha256, size, timeout=timeout, max_seconds=max_seconds,
                           verbose=verbose)
                return target
            except (OSError, http.client.HTTPException, ValueError) as e:
                # URLError, HTTPError, timeouts and resets are OSErrors; IncompleteRead and
                # BadStatusLine are HTTPExceptions; a checksum mismatch, a wrong size or a
                # bad URL are ValueErrors.
                errors.append((url, e))
    if not errors:
        raise DownloadError(f"cannot download {name}: no mirrors given", "no mirrors given")
    raise DownloadError(f"cannot download {name} from any of {len(errors)} mirror(s): "
                        + "; ".join(f"{url}: {_short(e)}" for url, e in errors),
                        _short(errors[-1][1]))
