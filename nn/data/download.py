"""Download a file from a list of mirrors into a folder, verified by SHA-256.

The file is streamed into a temporary ``<name>.<random>.part`` file in the destination
folder, its SHA-256 is checked, and only then is it moved into place with ``os.replace``.
Any failure (no connection, HTTP error, connection dropped mid-transfer, wrong checksum,
Ctrl-C) deletes the partial file, so the folder never holds half a file under the real name.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import sys
import tempfile
import urllib.request
from collections.abc import Sequence
from pathlib import Path

__all__ = ["DownloadError", "download_file"]

TIMEOUT = 15.0  # seconds without data before a mirror is given up
CHUNK = 1 << 16


class DownloadError(OSError):
    """Every mirror failed for a file; the message lists each mirror's error."""


def _fetch(url: str, part, sha256: str, *, timeout: float, verbose: bool) -> None:
    """Stream ``url`` into the open binary file ``part``; raise on any failure."""
    from tqdm import tqdm  # imported here: only needed when something is downloaded

    digest = hashlib.sha256()
    received = 0
    with urllib.request.urlopen(url, timeout=timeout) as response:
        length = response.headers.get("Content-Length")
        total = int(length) if length and length.isdigit() else None
        name = url.rsplit("/", 1)[-1]
        with tqdm(total=total, unit="B", unit_scale=True, unit_divisor=1024, desc=name,
                  leave=False, disable=None if verbose else True) as bar:
            while chunk := response.read(CHUNK):
                part.write(chunk)
                digest.update(chunk)
                received += len(chunk)
                bar.update(len(chunk))
    if total is not None and received != total:
        # http.client's read(n) returns b"" when the server closes early: check ourselves.
        raise ConnectionError(f"the connection dropped after {received:,} of {total:,} bytes")
    if digest.hexdigest() != sha256:
        raise ValueError(f"SHA-256 mismatch: expected {sha256}, got {digest.hexdigest()} "
                         f"({received:,} bytes)")


def download_file(name: str, dest_dir: str | os.PathLike, mirrors: Sequence[str], sha256: str,
                  *, timeout: float | None = None, verbose: bool = True) -> Path:
    """Download ``name`` from the first mirror that delivers it intact into ``dest_dir``.

    Each mirror is tried once, in order, from the first byte (no resuming): the URL is the
    mirror with ``name`` appended. A progress bar (tqdm) is shown on a terminal when
    ``verbose``; a failed mirror is reported with one line on stderr.

    Args:
        name: file name, e.g. ``"train-images-idx3-ubyte.gz"``; also the name it is saved as.
        dest_dir: folder to save into (created if missing).
        mirrors: base URLs, e.g. ``["https://ossci-datasets.s3.amazonaws.com/mnist/"]``.
        sha256: the expected SHA-256 of the file, lower-case hex.
        timeout: seconds to wait for a connection or for data (default ``TIMEOUT``, 15 s).
        verbose: show the progress bar and the failures.

    Returns:
        Path of the saved file, ``dest_dir / name``.

    Raises:
        DownloadError: (an ``OSError``) every mirror failed; the message gives each error,
            the last one at the end. No partial file is left behind.
    """
    dest_dir = Path(dest_dir)
    dest_dir.mkdir(parents=True, exist_ok=True)
    target = dest_dir / name
    timeout = TIMEOUT if timeout is None else timeout
    errors = []
    for mirror in mirrors:
        url = mirror if mirror.endswith("/") else mirror + "/"
        url += name
        fd, part_name = tempfile.mkstemp(dir=dest_dir, prefix=name + ".", suffix=".part")
        done = False
        try:
            with os.fdopen(fd, "wb") as part:
                _fetch(url, part, sha256, timeout=timeout, verbose=verbose)
            os.replace(part_name, target)
            done = True
            return target
        except (OSError, http.client.HTTPException, ValueError) as e:
            # URLError, HTTPError, timeouts and resets are OSErrors; IncompleteRead and
            # BadStatusLine are HTTPExceptions; a checksum mismatch or bad URL is a ValueError.
            errors.append(f"{url}: {type(e).__name__}: {e}")
            if verbose:
                print(f"tracegrad: download of {url} failed ({type(e).__name__}: {e})",
                      file=sys.stderr)
        finally:
            if not done:
                Path(part_name).unlink(missing_ok=True)
    if not errors:
        raise DownloadError(f"cannot download {name}: no mirrors given")
    raise DownloadError(f"cannot download {name} from any of {len(errors)} mirror(s): "
                        + "; ".join(errors))
