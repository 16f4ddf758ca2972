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
import os
import struct
import zlib
from pathlib import Path

import numpy as np

__all__ = ["IDXError", "read_idx", "write_idx"]

GZIP_MAGIC = b"\x1f\x8b"
UINT8_TYPE = 0x08
# The type codes of the IDX format, so that a refusal can say what the file holds.
TYPE_NAMES = {0x08: "uint8", 0x09: "int8", 0x0B: "int16", 0x0C: "int32", 0x0D: "float32",
              0x0E: "float64"}


class IDXError(ValueError):
    """A file is not a valid IDX file (bad header, wrong size, corrupt compression, ...).

    The message names the file, what was expected, what was found and how to fix it.
    """


def _fix(path: Path) -> str:
    return (f"The file is damaged or is not the file it claims to be: delete {path} and "
            f"download it again.")


def read_idx(path: str | os.PathLike, *, ndim: int | None = None) -> np.ndarray:
    """Read an IDX file (gzip-compressed or not) into a uint8 array.

    Args:
        path: the file. Gzip compression is detected from the first two bytes (1f 8b), so
            ``train-images-idx3-ubyte`` and ``train-images-idx3-ubyte.gz`` both work.
        ndim: if given, the number of dimensions the file must have (1 for MNIST labels,
            3 for MNIST images).

    Returns:
        np.ndarray of dtype uint8 and the shape stored in the header: ``(N,)`` for a label
        file, ``(N, 28, 28)`` for an MNIST image file. The array is writable and owns its
        memory.

    Raises:
        FileNotFoundError: ``path`` does not exist.
        IDXError: (a ``ValueError``) the gzip stream is truncated or corrupt, the magic
            number is wrong, the type is not uint8, the number of dimensions differs from
            ``ndim``, or the data is shorter (truncated) or longer (trailing bytes) than the
            header's dimensions say.

    Example:
        >>> import tempfile, numpy as np
        >>> from pathlib import Path
        >>> with tempfile.TemporaryDirectory() as tmp:
        ...     f = Path(tmp) / "labels-idx1-ubyte.gz"
        ...     write_idx(f, np.array([5, 0, 4], dtype=np.uint8))
        ...     read_idx(f, ndim=1)
        array([5, 0, 4], dtype=uint8)
    """
    path = Path(path)
    with open(path, "rb") as f:
        raw = f.read()
    if raw[:2] == GZIP_MAGIC:
        try:
            data = gzip.decompress(raw)
        except (EOFError, zlib.error, gzip.BadGzipFile) as e:
            raise IDXError(
                f"{path}: the gzip stream is truncated or corrupt ({e}); expected a complete "
                f"gzip-compressed IDX file. {_fix(path)}") from None
        where = f"{path} (after gzip decompression)"
    else:
        data = raw
        where = str(path)

    if len(data) < 4:
        raise IDXError(f"{where}: expected an IDX file starting with a 4-byte magic number, "
                       f"found only {len(data)} bytes. {_fix(path)}")
    zero1, zero2, type_code, nd = data[0], data[1], data[2], data[3]
    if zero1 != 0 or zero2 != 0:
        raise IDXError(
            f"{where}: not an IDX file: expected the magic number to start with bytes 00 00, "
            f"found {data[:4].hex(' ')} ({data[:16]!r}). {_fix(path)}")
    if type_code != UINT8_TYPE:
        kind = TYPE_NAMES.get(type_code, "not an IDX type")
        raise IDXError(
            f"{where}: IDX type code 0x{type_code:02x} ({kind}) is not supported; expected "
            f"0x08 (uint8), the type MNIST uses (magic 0x00000801 for labels, 0x00000803 for "
            f"images). Convert the file to uint8, or check that it is an MNIST file.")
    if nd == 0 or (ndim is not None and nd != ndim):
        want = (f"{ndim} dimension(s) (magic 0x{bytes([0, 0, UINT8_TYPE, ndim]).hex()})"
                if ndim is not None else "at least 1 dimension")
        raise IDXError(
            f"{where}: expected {want}, found {nd} (magic 0x{data[:4].hex()}). Check that the "
            f"file is the one you meant: MNIST label files are 1-D (magic 0x00000801, idx1), "
            f"image files 3-D (magic 0x00000803, idx3).")

    header_len = 4 + 4 * nd
    if len(data) < header_len:
        raise IDXError(
            f"{where}: the header is cut short: expected {header_len} bytes for {nd} "
            f"dimension sizes, found {len(data)} bytes in the whole file. {_fix(path)}")
    shape = struct.unpack(f">{nd}I", data[4:header_len])
    expected = 1
    for size in shape:
        expected *= size  # Python int: no overflow whatever the header says
    found = len(data) - header_len
    if found < expected:
        raise IDXError(
            f"{where}: truncated: the header gives shape {shape}, so expected {expected:,} "
            f"bytes of data, found {found:,}. {_fix(path)}")
    if found > expected:
        raise IDXError(
            f"{where}: {found - expected:,} trailing bytes: the header gives shape {shape}, "
            f"so expected exactly {expected:,} bytes of data, found {found:,}. Either the "
            f"header's counts are wrong or something was appended. {_fix(path)}")
    return np.frombuffer(data, dtype=np.uint8, offset=header_len).reshape(shape).copy()


def write_idx(path: str | os.PathLike, array: np.ndarray) -> None:
    """Write a uint8 array as an IDX file, gzip-compressed if ``path`` ends in ``.gz``.

    The gzip header records no time stamp and no file name (``mtime=0``), so the same array
    always gives the same bytes (with the same zlib). The file is written to a temporary
    name beside ``path`` and moved into place, so an interrupted write leaves no half file.

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
    payload = header + np.ascontiguousarray(array).tobytes()
    if path.name.endswith(".gz"):
        # GzipFile with filename="" and mtime=0 writes a header without name or time stamp
        # and with the OS byte fixed at 255, so the bytes do not depend on when or where.
        buf = io.BytesIO()
        with gzip.GzipFile(filename="", mode="wb", compresslevel=9, fileobj=buf, mtime=0) as gz:
            gz.write(payload)
        payload = buf.getvalue()
    tmp = path.with_name(f".{path.name}.{os.getpid()}.part")
    try:
        with open(tmp, "wb") as f:
            f.write(payload)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
