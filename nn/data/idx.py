"""Read and write IDX files, the format of the MNIST database.

An IDX file is a 4-byte magic number, one big-endian uint32 per dimension, then the data,
row-major. The magic number is two zero bytes, a type byte (0x08 means uint8) and the number
of dimensions: 0x00000801 is a vector of labels, 0x00000803 a stack of images. The files are
often gzip-compressed; :func:`read_idx` recognises gzip by its first two bytes (1f 8b), not by
the file name.

Only the uint8 type (the one MNIST uses) is supported.
"""

from __future__ import annotations

import gzip
import io
import math
import os
import struct
import zlib
from pathlib import Path
from typing import IO, cast

import numpy as np

from autograd.files import atomic_write, describe_start, open_regular_file

__all__ = ["IDXError", "read_idx", "write_idx", "MAX_IDX_BYTES"]

MAX_IDX_BYTES = 256 * 1024 * 1024
"""Most data :func:`read_idx` reads by default: 256 MiB, five times the largest MNIST file
(``train-images-idx3-ubyte``, 47,040,016 bytes uncompressed). A header that declares more is
refused before any data is read; pass ``max_bytes`` to read a bigger file."""

MAX_GZIP_RATIO = 1032
"""Deflate, gzip's compression, expands data at most 1032-fold (RFC 1951: a 258-byte match
takes at least 2 bits), so a gzip file of n bytes holds at most 1032 n bytes of data."""

TRAILING_PROBE = 1 << 20  # trailing bytes are counted up to 1 MiB, then "more than"
CHUNK = 1 << 20
GZIP_MAGIC = b"\x1f\x8b"
UINT8_TYPE = 0x08
# The type codes of the IDX format, so that a refusal can say what the file holds.
TYPE_NAMES = {0x08: "uint8", 0x09: "int8", 0x0B: "int16", 0x0C: "int32", 0x0D: "float32",
              0x0E: "float64"}

# A binary stream the readers read: an open file, or a gzip file over one.
_Stream = IO[bytes] | io.BufferedIOBase


class IDXError(ValueError):
    """A file is not a valid IDX file (bad header, wrong size, corrupt compression, ...).

    The message names the file, what was expected, what was found and how to fix it.
    """


def _fix(path: Path) -> str:
    return (f"The file is damaged or is not the file it claims to be: delete {path} and "
            f"download it again.")


def read_idx(path: str | os.PathLike, *, shape: tuple[int | None, ...] | None = None,
             max_bytes: int = MAX_IDX_BYTES) -> np.ndarray:
    """Read an IDX file (gzip-compressed or not) into a uint8 array.

    The header is read and checked first (against ``shape``, ``max_bytes`` and the size of
    the file); only then is the data read, in a stream that stops at the size the header
    gives. So a damaged or hostile file is refused by name in bounded memory and time.

    Args:
        path: the file. Gzip compression is detected from the first two bytes (1f 8b), so
            ``train-images-idx3-ubyte`` and ``train-images-idx3-ubyte.gz`` both work.
        shape: if given, the shape the file must have, ``None`` where any size will do:
            ``(None,)`` for MNIST labels, ``(None, 28, 28)`` for MNIST images.
        max_bytes: the most data to read, in bytes (default ``MAX_IDX_BYTES``, 256 MiB).

    Returns:
        np.ndarray of dtype uint8 and the shape stored in the header: ``(N,)`` for a label
        file, ``(N, 28, 28)`` for an MNIST image file. The array is writable and owns its
        memory.

    Raises:
        FileNotFoundError: ``path`` does not exist.
        IsADirectoryError: ``path`` is a folder.
        autograd.files.NotARegularFileError: ``path`` is a named pipe (FIFO), a device or a
            socket (refused without reading it).
        IDXError: (a ``ValueError``) the gzip stream is truncated or corrupt, the magic
            number is wrong, the type is not uint8, the shape differs from ``shape``, the
            header declares more data than ``max_bytes`` or than the file can hold, or the
            data is shorter (truncated) or longer (trailing bytes) than the header says.
        TypeError: ``shape`` is not a tuple of sizes and None.
        ValueError: ``max_bytes`` is not a whole number >= 0.

    Example:
        >>> import tempfile, numpy as np
        >>> from pathlib import Path
        >>> with tempfile.TemporaryDirectory() as tmp:
        ...     f = Path(tmp) / "labels-idx1-ubyte.gz"
        ...     write_idx(f, np.array([5, 0, 4], dtype=np.uint8))
        ...     read_idx(f, shape=(None,))
        array([5, 0, 4], dtype=uint8)
    """
    path = Path(path)
    if shape is not None and (not isinstance(shape, (tuple, list)) or not all(
            n is None or (isinstance(n, int) and not isinstance(n, bool) and n >= 0)
            for n in shape)):
        raise TypeError(f"read_idx(shape={shape!r}): expected a tuple of sizes, None where "
                        f"any size will do, e.g. (None, 28, 28).")
    if isinstance(max_bytes, bool) or not isinstance(max_bytes, int) or max_bytes < 0:
        raise ValueError(f"read_idx(max_bytes={max_bytes!r}): expected a whole number of "
                         f"bytes, >= 0, e.g. MAX_IDX_BYTES = {MAX_IDX_BYTES:,}.")
    with open_regular_file(path, "an IDX file") as f:
        file_size = os.fstat(f.fileno()).st_size
        if f.read(2) != GZIP_MAGIC:
            f.seek(0)
            return _read_stream(f, path, str(path), shape, max_bytes, file_size,
                                compressed=False)
        if file_size > _largest_gzip(max_bytes):
            raise IDXError(
                f"{path}: this gzip file of {file_size:,} bytes would hold more than the limit "
                f"of {max_bytes:,} bytes of data (max_bytes), so it was not read. If the file "
                f"is right, pass a larger max_bytes to read_idx().")
        f.seek(0)
        try:
            with gzip.GzipFile(fileobj=f, mode="rb") as stream:
                return _read_stream(stream, path, f"{path} (after gzip decompression)", shape,
                                    max_bytes, file_size, compressed=True)
        except (EOFError, zlib.error, gzip.BadGzipFile) as e:
            raise IDXError(
                f"{path}: the gzip stream is truncated or corrupt ({e}); expected a complete "
                f"gzip-compressed IDX file. {_fix(path)}") from None


def _largest_gzip(max_bytes: int) -> int:
    """The largest gzip file a sane writer makes of ``max_bytes`` of data (and a header):
    data that does not compress is stored in blocks of up to 65,535 bytes, 5 bytes of
    overhead each, plus 18 bytes of gzip header and trailer; allow 64 KiB for a file name.
    Reading a longer file could only mean reading more than ``max_bytes``, or garbage."""
    return max_bytes + 4 * 256 + 5 * (max_bytes // 65_535 + 1) + 18 + 65_536


def _read_header(stream: _Stream, path: Path, where: str) -> tuple[int, ...]:
    """The dimension sizes from the header; the stream is left at the first data byte."""
    head = stream.read(4)
    if len(head) < 4:
        raise IDXError(f"{where}: expected an IDX file starting with a 4-byte magic number, "
                       f"found only {len(head)} bytes. {_fix(path)}")
    zero1, zero2, type_code, nd = head
    if zero1 != 0 or zero2 != 0:
        raise IDXError(
            f"{where}: not an IDX file: expected the magic number to start with bytes 00 00, "
            f"found {head.hex(' ')}: the file is {describe_start(head + stream.read(60))}. "
            f"{_fix(path)}")
    if type_code != UINT8_TYPE:
        kind = TYPE_NAMES.get(type_code, "not an IDX type")
        raise IDXError(
            f"{where}: IDX type code 0x{type_code:02x} ({kind}) is not supported; expected "
            f"0x08 (uint8), the type MNIST uses (magic 0x00000801 for labels, 0x00000803 for "
            f"images). Convert the file to uint8, or check that it is an MNIST file.")
    if nd == 0:
        raise IDXError(f"{where}: expected at least 1 dimension, found 0 (magic "
                       f"0x{head.hex()}). {_fix(path)}")
    sizes = stream.read(4 * nd)
    if len(sizes) < 4 * nd:
        raise IDXError(
            f"{where}: the header is cut short: expected {4 + 4 * nd} bytes for {nd} "
            f"dimension sizes, found {4 + len(sizes)} bytes in the whole file. {_fix(path)}")
    return struct.unpack(f">{nd}I", sizes)


def _pattern(shape: tuple[int | None, ...]) -> str:
    """``(None, 28, 28)`` -> ``'(N, 28, 28)'``."""
    sizes = ["N" if n is None else str(n) for n in shape]
    return f"({', '.join(sizes)}{',' if len(sizes) == 1 else ''})"


def _check_shape(where: str, found: tuple[int, ...],
                 shape: tuple[int | None, ...] | None) -> None:
    """Refuse a header whose shape differs from the expected one (None: any size)."""
    if shape is None:
        return
    if len(found) != len(shape):
        want_magic = bytes([0, 0, UINT8_TYPE, len(shape)]).hex()
        found_magic = bytes([0, 0, UINT8_TYPE, len(found)]).hex()
        raise IDXError(
            f"{where}: expected {len(shape)} dimension(s) (magic 0x{want_magic}), found "
            f"{len(found)} (magic 0x{found_magic}), shape {found}. Check that the file is the "
            f"one you meant: MNIST label files are 1-D (magic 0x00000801, idx1), image files "
            f"3-D (magic 0x00000803, idx3).")
    if any(want is not None and want != n for want, n in zip(shape, found, strict=True)):
        raise IDXError(f"{where}: expected shape {_pattern(shape)}, found {found}. Check that "
                       f"the file is the one you meant.")


def _read_stream(stream: _Stream, path: Path, where: str,
                 shape: tuple[int | None, ...] | None, max_bytes: int, file_size: int,
                 compressed: bool) -> np.ndarray:
    """Header, checks, then exactly the declared data from an open (decompressed) stream.

    Uncompressed, the file's size gives the data's length before it is read; compressed, it
    bounds what the file can hold."""
    found = _read_header(stream, path, where)
    _check_shape(where, found, shape)
    header_len = 4 + 4 * len(found)
    expected = math.prod(found)  # Python int: no overflow whatever the header says
    declared = f"the header gives shape {found}, so expected"
    if not compressed and file_size - header_len != expected:
        _refuse_length(where, path, declared, expected, file_size - header_len, exact=True)
    if compressed and header_len + expected > MAX_GZIP_RATIO * file_size:
        raise IDXError(
            f"{where}: {declared} {expected:,} bytes of data, more than this gzip file of "
            f"{file_size:,} bytes can hold (gzip expands data at most {MAX_GZIP_RATIO}-fold). "
            f"The data was not read. {_fix(path)}")
    if expected > max_bytes:
        raise IDXError(
            f"{where}: {declared} {expected:,} bytes of data, more than the limit of "
            f"{max_bytes:,} bytes (max_bytes); the data was not read. If the file is right, "
            f"pass a larger max_bytes to read_idx().")
    data = np.empty(expected, dtype=np.uint8)
    got = _read_into(stream, data.data)  # a memoryview of the array's bytes
    if got < expected:
        _refuse_length(where, path, declared, expected, got, exact=True)
    extra = _count_trailing(stream)
    if extra:
        _refuse_length(where, path, declared, expected, expected + extra,
                       exact=extra <= TRAILING_PROBE)
    return data.reshape(found)


def _read_into(stream: _Stream, view: memoryview) -> int:
    """Fill ``view`` from ``stream`` in chunks; the number of bytes read (less at the end)."""
    # Every stream here is buffered (a file, a gzip file), which IO[bytes] does not say.
    readinto = cast(io.BufferedIOBase, stream).readinto
    got = 0
    while got < len(view):
        n = readinto(view[got:got + CHUNK])
        if not n:
            break
        got += n
    return got


def _count_trailing(stream: _Stream) -> int:
    """How many bytes follow the data, counted up to TRAILING_PROBE + 1 in small reads."""
    extra = len(stream.read(1))  # at the end, the usual case: no buffer is allocated
    while extra and extra <= TRAILING_PROBE:
        more = len(stream.read(64 * 1024))
        if not more:
            break
        extra += more
    return extra


def _refuse_length(where: str, path: Path, declared: str, expected: int, found: int,
                   exact: bool) -> None:
    if found < expected:
        raise IDXError(f"{where}: truncated: {declared} {expected:,} bytes of data, found "
                       f"{found:,}. {_fix(path)}")
    extra = f"{found - expected:,}" if exact else f"more than {TRAILING_PROBE:,}"
    total = f"{found:,}" if exact else f"more than {found - 1:,}"
    raise IDXError(
        f"{where}: {extra} trailing bytes: {declared} exactly {expected:,} bytes of data, "
        f"found {total}. Either the header's counts are wrong or something was appended. "
        f"{_fix(path)}")


def write_idx(path: str | os.PathLike, array: np.ndarray) -> None:
    """Write a uint8 array as an IDX file, gzip-compressed if ``path`` ends in ``.gz``.

    The gzip header records no time stamp and no file name (``mtime=0``), so the same array
    always gives the same bytes (with the same zlib). The file is written to a temporary
    name beside ``path`` and moved into place (``autograd.files.atomic_write``), so an
    interrupted write leaves no half file; through a symbolic link, the link's target is
    replaced and the link stays.

    Args:
        path: where to write; a ``.gz`` suffix selects gzip compression (level 9).
        array: uint8 array of 1 to 255 dimensions, e.g. labels ``(N,)`` or images
            ``(N, 28, 28)``.

    Returns:
        None.

    Raises:
        TypeError: ``array`` is not uint8 (convert it with ``array.astype(np.uint8)`` after
            checking its values lie in 0..255).
        ValueError: ``array`` has 0 or more than 255 dimensions, or a dimension of
            2**32 or more.
        FileNotFoundError: the folder does not exist.
        IsADirectoryError, autograd.files.NotARegularFileError: ``path`` names a folder, a
            named pipe or a device.

    Example: see :func:`read_idx`.
    """
    path = Path(path)
    array = np.asarray(array)
    if array.dtype != np.uint8:
        raise TypeError(f"write_idx({str(path)!r}): only uint8 arrays can be written, got "
                        f"dtype {array.dtype}; convert with array.astype(np.uint8) after "
                        f"checking that the values lie in 0..255.")
    if not 1 <= array.ndim <= 255:
        raise ValueError(f"write_idx({str(path)!r}): IDX stores 1 to 255 dimensions, got an "
                         f"array of shape {array.shape}.")
    if any(size >= 2**32 for size in array.shape):
        raise ValueError(f"write_idx({str(path)!r}): IDX dimension sizes are 32-bit, got "
                         f"shape {array.shape}.")
    header = bytes([0, 0, UINT8_TYPE, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    data = np.ascontiguousarray(array)
    with atomic_write(path, "an IDX file") as f:
        if path.name.endswith(".gz"):
            # GzipFile with filename="" and mtime=0 writes a header without name or time
            # stamp and with the OS byte fixed at 255, so the bytes do not depend on when or
            # where.
            with gzip.GzipFile(filename="", mode="wb", compresslevel=9, fileobj=f,
                               mtime=0) as gz:
                gz.write(header)
                gz.write(data.data)  # the array's bytes, as a memoryview
        else:
            f.write(header)
            f.write(data.data)
