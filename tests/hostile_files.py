"""Builders of hostile files, and the two guards their tests need.

A helper module, not a test file: the tests import it with ``from hostile_files import ...``.
"""

from __future__ import annotations

import gzip
import io
import os
import struct
import threading
import time
import tracemalloc
import zipfile
from pathlib import Path

import numpy as np
import pytest


def npy_header(shape, descr="<f8") -> bytes:
    """The .npy header of an array of this shape and dtype, written by NumPy itself."""
    buf = io.BytesIO()
    np.lib.format.write_array_header_1_0(buf, {"descr": descr, "fortran_order": False,
                                                "shape": shape})
    return buf.getvalue()


def deflate_bomb(path: Path, header: bytes, zeros: int) -> Path:
    """An .npz with one entry W.npy of ``header`` then ``zeros`` zero bytes, deflated
    (about 230:1 at the fast level used; 64 MiB take 0.1 s and 300 KB)."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        with z.open("W.npy", "w", force_zip64=True) as member:
            member.write(header)
            for _ in range(zeros // (1 << 24)):
                member.write(bytes(1 << 24))
            member.write(bytes(zeros % (1 << 24)))
    return path


def gzip_of(path: Path, header: bytes, zeros: int) -> Path:
    """A gzip file of ``header`` then ``zeros`` zero bytes, compressed in a stream."""
    with gzip.GzipFile(path, "wb", compresslevel=1) as gz:
        gz.write(header)
        for _ in range(zeros // (1 << 24)):
            gz.write(bytes(1 << 24))
        gz.write(bytes(zeros % (1 << 24)))
    return path


def end_record(entries: int, listing: int) -> bytes:
    """A zip archive's last record claiming ``entries`` entries in ``listing`` bytes."""
    return b"PK\x05\x06" + struct.pack("<4H2LH", 0, 0, entries, entries, listing, 0, 0)


def peak_memory(fn) -> tuple[Exception, int]:
    """(the exception ``fn()`` raised, the most memory Python and NumPy allocated meanwhile,
    in bytes); the calling test fails if nothing was raised."""
    tracemalloc.start()
    try:
        fn()
    except Exception as e:  # returned for the test to check
        return e, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    pytest.fail("no error was raised")


def unblock_later(fifo: Path, seconds: float = 5.0) -> threading.Thread:
    """Should a reader (wrongly) open ``fifo`` and wait for a writer, become that writer
    after ``seconds``, so that the test fails instead of hanging."""
    def write():
        time.sleep(seconds)
        try:
            fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
        except OSError:  # nobody is reading: the test did not block
            return
        os.close(fd)
    thread = threading.Thread(target=write, daemon=True)
    thread.start()
    return thread
