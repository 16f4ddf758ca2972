"""Save and load named weight arrays as a NumPy ``.npz`` file, safely.

The format is the plain NumPy ``.npz`` archive that ``np.savez`` writes: a zip file with one
``<name>.npy`` entry per array. It needs nothing from tracegrad to read::

    import numpy as np
    with np.load("weights.npz") as f:      # allow_pickle is False by default
        print({name: f[name].shape for name in f.files})

Only numbers and booleans are stored; nothing is ever unpickled. :func:`load_weights` reads
each array's header before its data and refuses, by name and in bounded memory and time, a
file that is not an ``.npz`` archive (a PNG, a text file, a folder, a named pipe), an entry
that is not an ``.npy`` array, text or object arrays, and arrays larger than
``MAX_WEIGHTS_BYTES`` or than the file could hold (a "zip bomb").
"""

from __future__ import annotations

import inspect
import io
import math
import os
import struct
import zipfile
import zlib
from collections.abc import Mapping
from pathlib import Path
from typing import IO, Any, cast

import numpy as np

from autograd.files import atomic_write, describe_start, open_regular_file

__all__ = ["save_weights", "load_weights", "WeightsError", "MAX_WEIGHTS_BYTES",
           "MAX_WEIGHT_ARRAYS"]

MAX_WEIGHTS_BYTES = 1 << 30
"""Largest total of array data :func:`load_weights` reads by default: 1 GiB.

That is 268 million float32 weights, 20,000 times the 784-16-16-10 network (13,002
weights); a bigger file is refused before any of it is read. Pass ``max_bytes`` to load more."""

MAX_WEIGHT_ARRAYS = 10_000
"""Most arrays a weights file may hold. A network with 5,000 layers has 10,000 arrays (a
weight matrix and a bias each). The limit is checked from the zip archive's last record,
before its list of entries is read: a list of millions of tiny entries would fill memory."""

WHAT = "a weights file (.npz)"
KINDS = "biufc"  # the dtype kinds stored: bool, signed and unsigned integers, floats, complex
MAX_DEFLATE_RATIO = 1032  # deflate cannot expand data more than 1032-fold (RFC 1951)
MAX_HEADER_BYTES = 10_000  # of an .npy header: NumPy's own default max_header_size
CHUNK = 1 << 20

# Names np.savez takes as its own parameters ("file", and "allow_pickle" in NumPy 2): an array
# with such a name cannot be passed as a keyword.
_SAVEZ_PARAMS = frozenset(
    name for name, p in inspect.signature(np.savez).parameters.items()
    if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY))


class WeightsError(ValueError):
    """A weights file cannot be loaded: it is not an ``.npz`` archive of numeric arrays, it
    is damaged, it is too large, or it does not match ``expected``.

    The message names the file (and the array), what was expected, what was found and how
    to fix it.
    """


def _refuse_dtype(where: str, name: str, dtype: np.dtype, fix: str) -> None:
    """Raise TypeError unless ``dtype`` holds plain numbers or booleans."""
    if dtype.kind in KINDS and not dtype.hasobject:
        return
    if dtype.hasobject:
        why = "which would need pickle"
    elif dtype.kind in "US":
        why = "which holds text, not numbers"
    else:
        why = "which is not a plain number type"
    raise TypeError(f"{where}: array {name!r} has dtype {dtype}, {why}; weights must be "
                    f"numbers or booleans. {fix}")


def _checked_arrays(path: Path, arrays: Mapping) -> dict[str, np.ndarray]:
    """The arrays as NumPy arrays, after checking every name and dtype."""
    where = f"save_weights({str(path)!r})"
    checked = {}
    for name, value in arrays.items():
        if not isinstance(name, str):
            raise TypeError(f"{where}: array names must be strings, got {name!r} "
                            f"({type(name).__name__}).")
        if not name or name in _SAVEZ_PARAMS:
            raise ValueError(f"{where}: the array name {name!r} cannot be stored (it is empty "
                             f"or one of np.savez's parameter names {sorted(_SAVEZ_PARAMS)}); "
                             f"rename it.")
        a = np.asarray(value)
        _refuse_dtype(where, name, a.dtype, "Convert it to a numeric array, e.g. "
                      "np.asarray(x, dtype=np.float64).")
        checked[name] = a
    return checked


def save_weights(path: str | os.PathLike, arrays: Mapping[str, np.ndarray]) -> None:
    """Write named arrays to ``path`` as a NumPy ``.npz`` archive, atomically.

    The archive is written to a temporary file in the same folder, flushed and fsync'ed,
    then moved over ``path`` with ``os.replace``: a crash, Ctrl-C or SIGTERM during the save
    leaves any previous file at ``path`` intact, and never a half-written one. If ``path``
    is a symbolic link, the file it points to is replaced and the link stays. Temporary
    files that earlier crashed saves left beside ``path`` (``.<name>.<12 hex digits>.tmp``,
    untouched for an hour, ``autograd.files.STALE_TEMP_SECONDS``) are removed. ``path`` is
    used as given (no ``.npz`` is appended). Read it back with :func:`load_weights` or,
    without tracegrad, ``np.load(path)``.

    Args:
        path: the file to write; its folder must exist.
        arrays: name -> array (anything ``np.asarray`` accepts), e.g. ``{"W1": ..., "b1": ...}``.
            Any shape; dtype bool, integer, float or complex.

    Returns:
        None.

    Raises:
        TypeError: ``arrays`` is not a mapping (or the two arguments are swapped), a name is
            not a string, or an array's dtype is not bool, integer, float or complex (text
            and object arrays are refused; convert them to numbers).
        ValueError: a name is empty or is one of np.savez's own parameter names.
        FileNotFoundError: the folder does not exist (nothing is written).
        IsADirectoryError, autograd.files.NotARegularFileError: ``path`` names a folder, a
            named pipe or a device.
        OSError: the folder is not writable or the disk is full (the old file is untouched).

    Example:
        >>> import tempfile, numpy as np
        >>> from pathlib import Path
        >>> with tempfile.TemporaryDirectory() as tmp:
        ...     f = Path(tmp) / "w.npz"
        ...     save_weights(f, {"W": np.eye(2), "b": np.zeros(2)})
        ...     w = load_weights(f, expected={"W": ((2, 2), np.float64), "b": ((2,), "float64")})
        >>> w["W"]
        array([[1., 0.],
               [0., 1.]])
    """
    if isinstance(path, Mapping):
        raise TypeError("save_weights(path, arrays): the path comes first, then the mapping "
                        "of arrays, e.g. save_weights('net.npz', model.state_dict()).")
    path = Path(path)
    if not isinstance(arrays, Mapping):
        raise TypeError(f"save_weights({str(path)!r}, arrays): arrays must be a mapping of "
                        f"name -> array such as model.state_dict(), got "
                        f"{type(arrays).__name__}.")
    checked = _checked_arrays(path, arrays)
    with atomic_write(path, WHAT) as f:
        # _checked_arrays refused the names of np.savez's own parameters (file, allow_pickle),
        # which its stub cannot tell from the arrays' names.
        np.savez(f, **checked)  # type: ignore[arg-type]


def load_weights(path: str | os.PathLike,
                 expected: Mapping[str, tuple[tuple[int, ...], np.dtype | str | type]] | None
                 = None, *, max_bytes: int = MAX_WEIGHTS_BYTES) -> dict[str, np.ndarray]:
    """Load the named arrays of a ``.npz`` file, without ever unpickling, and check them.

    Every array's ``.npy`` header (shape and dtype) is read and checked against
    ``expected``, against ``max_bytes`` and against what the file can hold before any of
    its data is read; compressed data is inflated in a stream that stops at the size the
    header gives. So a damaged or hostile file is refused in bounded memory and time.

    Args:
        path: a file written by :func:`save_weights`, ``np.savez`` or ``np.savez_compressed``.
        expected: optional name -> ``(shape, dtype)``. When given, the file must hold exactly
            these names, each with this shape and dtype.
        max_bytes: the most array data to read, in bytes (default ``MAX_WEIGHTS_BYTES``,
            1 GiB).

    Returns:
        dict name -> np.ndarray, in the file's order, each with the shape and dtype it was
        saved with (bool, integer, float or complex).

    Raises:
        FileNotFoundError: ``path`` does not exist.
        IsADirectoryError: ``path`` is a folder.
        autograd.files.NotARegularFileError: ``path`` is a named pipe (FIFO), a device or a
            socket (refused without reading it).
        WeightsError: (a ``ValueError``) the file is not an ``.npz`` archive (the message
            says what it looks like: text, a PNG, a single ``.npy`` array, ...); an entry is
            not an ``.npy`` array; an array holds objects (pickled data, refused) or text;
            an array is larger than ``max_bytes`` or than the file can hold; the file holds
            more than ``MAX_WEIGHT_ARRAYS`` arrays; the file is truncated or corrupt; or,
            with ``expected``, the first difference: a missing name, an extra name, a wrong
            shape or a wrong dtype. The message names the file.
        TypeError: ``expected`` is not a mapping of name -> ``(shape, dtype)``.
        ValueError: ``max_bytes`` is not a whole number >= 0.

    Example: see :func:`save_weights`.
    """
    path = Path(path)
    if expected is not None:
        expected = _normalised(expected)
    if isinstance(max_bytes, bool) or not isinstance(max_bytes, int) or max_bytes < 0:
        raise ValueError(f"load_weights(max_bytes={max_bytes!r}): expected a whole number of "
                         f"bytes, >= 0, e.g. MAX_WEIGHTS_BYTES = {MAX_WEIGHTS_BYTES:,}.")
    with open_regular_file(path, WHAT) as f:
        size = os.fstat(f.fileno()).st_size
        _check_is_zip(path, f.read(64))
        entries = _check_directory_size(path, f, size)
        try:
            with zipfile.ZipFile(f) as archive:
                if len(archive.infolist()) != entries:
                    raise WeightsError(_damaged(path, zipfile.BadZipFile(
                        f"the archive's last record counts {entries:,} entries, its list "
                        f"holds {len(archive.infolist()):,}")))
                return _read_arrays(path, archive, size, expected, max_bytes)
        except WeightsError:
            raise
        # NotImplementedError: zipfile's answer to a zip "version" it does not know.
        except (ValueError, OSError, EOFError, zipfile.BadZipFile, zlib.error, struct.error,
                NotImplementedError) as e:
            raise WeightsError(_damaged(path, e)) from None


def _normalised(expected: Mapping) -> dict[str, tuple[tuple[int, ...], np.dtype]]:
    """``expected`` as name -> (tuple of ints, np.dtype); TypeError names a bad entry."""
    if not isinstance(expected, Mapping):
        raise TypeError(f"load_weights(expected=...): expected must map names to (shape, "
                        f"dtype), e.g. {{'W1': ((784, 16), 'float32')}}, got "
                        f"{type(expected).__name__}.")
    out = {}
    for name, spec in expected.items():
        try:
            shape, dtype = spec
            out[name] = (tuple(int(n) for n in shape), np.dtype(dtype))
        except (TypeError, ValueError) as e:
            raise TypeError(f"load_weights(expected=...): the entry for {name!r} must be "
                            f"(shape, dtype), e.g. ((784, 16), 'float32'), got {spec!r} "
                            f"({e}).") from None
    return out


def _damaged(path: Path, e: BaseException) -> str:
    return (f"{path} is not a readable .npz weights file ({type(e).__name__}: {e}); it is "
            f"truncated or corrupt. Save the weights again, or restore a good copy.")


def _check_is_zip(path: Path, head: bytes) -> None:
    """Refuse a file that does not start like a zip archive, saying what it looks like."""
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return
    if head.startswith(b"\x93NUMPY"):
        raise WeightsError(f"{path} holds a single .npy array, not an .npz archive of named "
                           f"arrays; save weights with save_weights(path, {{name: array}}).")
    if head.startswith(b"\x80"):
        raise WeightsError(f"{path} holds pickled Python objects, which tracegrad refuses to "
                           f"load because unpickling can run arbitrary code; expected an .npz "
                           f"archive of numeric arrays. Re-save the weights with "
                           f"save_weights().")
    raise WeightsError(f"{path} is not an .npz weights file: it is {describe_start(head)}, "
                       f"where an .npz archive starts with 50 4b (PK). Name the weights file "
                       f"that save_weights() wrote; if this is it, it is truncated or "
                       f"corrupt: save the weights again.")


# The zip archive's last records: "end of central directory" (22 bytes plus a comment of up
# to 65,535 bytes) and, for ZIP64, a locator (20 bytes) just before it that points to a
# 56-byte record. Each gives the number of entries and the size of the list of entries.
_END, _END_FORMAT = b"PK\x05\x06", "<4s4H2LH"
_LOCATOR, _LOCATOR_FORMAT = b"PK\x06\x07", "<4sLQL"
_END64, _END64_FORMAT = b"PK\x06\x06", "<4sQ2H2L4Q"


def _directory_claims(f: IO[bytes], size: int) -> list[tuple[int, int]]:
    """(entries, bytes of the entry list) from every end record a zip reader might use."""
    tail_len = min(size, struct.calcsize(_END_FORMAT) + 65_535)
    f.seek(size - tail_len)
    tail = f.read(tail_len)
    end_len = struct.calcsize(_END_FORMAT)
    # As zipfile does: a record without comment at the very end, else the last signature.
    at = tail_len - end_len if tail[-end_len:-end_len + 4] == _END else tail.rfind(_END)
    if at < 0 or tail_len - at < end_len:
        return []
    fields = struct.unpack_from(_END_FORMAT, tail, at)
    claims = [(fields[4], fields[5])]
    loc_len = struct.calcsize(_LOCATOR_FORMAT)
    if at >= loc_len and tail[at - loc_len:at - loc_len + 4] == _LOCATOR:
        offset = struct.unpack_from(_LOCATOR_FORMAT, tail, at - loc_len)[2]
        end64_len = struct.calcsize(_END64_FORMAT)
        for where in (size - tail_len + at - loc_len - end64_len, offset):
            if 0 <= where <= size - end64_len:
                f.seek(where)
                record = f.read(end64_len)
                if record[:4] == _END64:
                    values = struct.unpack(_END64_FORMAT, record)
                    claims.append((values[7], values[8]))
    f.seek(0)
    return claims


def _check_directory_size(path: Path, f: IO[bytes], size: int) -> int:
    """Refuse an archive whose list of entries is too long, before zipfile reads it; the
    number of entries its last record gives."""
    claims = _directory_claims(f, size)
    if not claims:
        raise WeightsError(f"{path} is not a readable .npz weights file: it starts like a zip "
                           f"archive but has no end-of-archive record; it is truncated or "
                           f"corrupt. Save the weights again, or restore a good copy.")
    entries = max(n for n, _ in claims)
    listing = max(b for _, b in claims)
    # An entry in the list takes 46 bytes plus its name: allow 1 KiB each.
    if entries > MAX_WEIGHT_ARRAYS or listing > MAX_WEIGHT_ARRAYS * 1024:
        raise WeightsError(f"{path} lists {entries:,} entries in {listing:,} bytes; a weights "
                           f"file holds at most MAX_WEIGHT_ARRAYS = {MAX_WEIGHT_ARRAYS:,} "
                           f"arrays. This is not a weights file (or a damaged one).")
    return claims[-1][0]


def _array_names(path: Path, infos: list[zipfile.ZipInfo]) -> list[str]:
    """The array name of each entry (``W1.npy`` -> ``W1``); refuse anything else by name."""
    names = []
    for info in infos:
        if not info.filename.endswith(".npy") or info.is_dir():
            raise WeightsError(f"{path}: the entry {info.filename!r} is not an .npy array; an "
                               f".npz weights file holds only <name>.npy entries. This file "
                               f"was not written by save_weights() or np.savez().")
        name = info.filename.removesuffix(".npy")
        if name in names:
            raise WeightsError(f"{path} holds two arrays named {name!r}; a weights file names "
                               f"each array once. The file is damaged or was built by hand.")
        if info.flag_bits & 0x1:
            raise WeightsError(f"{path}: the entry {info.filename!r} is encrypted; weights "
                               f"files are never encrypted. Save the weights again.")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise WeightsError(f"{path}: the entry {info.filename!r} uses zip compression "
                               f"method {info.compress_type}; weights files are stored or "
                               f"deflated (np.savez, np.savez_compressed). Save them again "
                               f"with save_weights().")
        names.append(name)
    return names


def _check_names(path: Path, names: list[str], expected: Mapping) -> None:
    missing = [n for n in expected if n not in names]
    if missing:
        raise WeightsError(f"weights file {path} is missing array(s) {missing}; it holds "
                           f"{names}. Was it saved from a different network?")
    extra = [n for n in names if n not in expected]
    if extra:
        raise WeightsError(f"weights file {path} has unexpected array(s) {extra}; expected "
                           f"exactly {list(expected)}. Was it saved from a different network?")


def _read_header(path: Path, name: str,
                 member: IO[bytes]) -> tuple[tuple[int, ...], bool, np.dtype]:
    """(shape, fortran_order, dtype) from an entry's .npy header, read with NumPy's own
    public functions (numpy.lib.format), which never unpickle."""
    fmt = np.lib.format
    version = fmt.read_magic(member)
    if version not in ((1, 0), (2, 0)):
        raise WeightsError(f"{path}: array {name!r} uses .npy format version "
                           f"{version[0]}.{version[1]}, which only structured arrays need; "
                           f"weights are plain numeric arrays (format 1.0 or 2.0). Save them "
                           f"again with save_weights().")
    # The header's length comes first (2 bytes in format 1.0, 4 in 2.0). NumPy reads that
    # many bytes before it checks the length, so check it here: a format 2.0 header may
    # claim 4 GiB.
    length_field = member.read(2 if version == (1, 0) else 4)
    length = int.from_bytes(length_field, "little")
    if length > MAX_HEADER_BYTES:
        raise WeightsError(f"{path}: array {name!r} has a header of {length:,} bytes; .npy "
                           f"headers take under {MAX_HEADER_BYTES:,}. The file is damaged or "
                           f"was made to exhaust memory; it was not read.")
    header = io.BytesIO(length_field + member.read(length))
    read = fmt.read_array_header_1_0 if version == (1, 0) else fmt.read_array_header_2_0
    shape, fortran, dtype = read(header, max_header_size=MAX_HEADER_BYTES)
    if any(n < 0 for n in shape):
        raise WeightsError(f"{path}: array {name!r} has the impossible shape {shape}; the "
                           f"file is damaged. Save the weights again, or restore a good copy.")
    return shape, fortran, dtype


def _check_dtype(path: Path, name: str, dtype: np.dtype) -> None:
    if dtype.hasobject:
        raise WeightsError(f"{path}: array {name!r} holds pickled Python objects (an object "
                           f"array), which tracegrad refuses to load because unpickling can "
                           f"run arbitrary code; expected only numeric arrays. Re-save the "
                           f"weights with save_weights().")
    try:
        _refuse_dtype(str(path), name, dtype, "Re-save the weights as numbers with "
                      "save_weights().")
    except TypeError as e:
        raise WeightsError(str(e)) from None


def _check_expected(path: Path, name: str, shape: tuple[int, ...], dtype: np.dtype,
                    expected: Mapping[str, tuple[tuple[int, ...], Any]]) -> None:
    want_shape, want_dtype = expected[name]
    if shape != want_shape:
        raise WeightsError(f"weights file {path}: array {name!r} has shape {shape}, expected "
                           f"{want_shape}. Was it saved from a network with other layer "
                           f"sizes?")
    if dtype != want_dtype:
        raise WeightsError(f"weights file {path}: array {name!r} has dtype {dtype}, expected "
                           f"{want_dtype}. Convert it with .astype() before saving, or expect "
                           f"{dtype}.")


def _size(n: int) -> str:
    """A byte count for people: '32 bytes', '7.0 TiB'."""
    if n < 1024:
        return f"{n:,} bytes"
    unit = min(int(math.log(n, 1024)), 4)
    return f"{n / 1024 ** unit:.1f} {('KiB', 'MiB', 'GiB', 'TiB')[unit - 1]}"


def _check_size(path: Path, name: str, info: zipfile.ZipInfo, header_len: int,
                shape: tuple[int, ...], dtype: np.dtype, file_size: int, budget: int,
                max_bytes: int) -> int:
    """The bytes of data the header declares, after checking that the file can hold them
    and that they fit in what is left of ``max_bytes``."""
    nbytes = math.prod(shape) * dtype.itemsize  # Python ints: no overflow
    declared = f"array {name!r} declares shape {shape} of {dtype} ({_size(nbytes)})"
    most = (info.compress_size if info.compress_type == zipfile.ZIP_STORED
            else MAX_DEFLATE_RATIO * info.compress_size + 1024)
    if nbytes > most or info.compress_size > file_size:
        raise WeightsError(f"{path}: {declared}, more than this file of {_size(file_size)} "
                           f"can hold. It is damaged or was made to exhaust memory; it was not "
                           f"read. Use a weights file that save_weights() wrote.")
    if header_len + nbytes != info.file_size:
        raise WeightsError(f"{path}: {declared}, but its zip entry holds "
                           f"{_size(info.file_size - header_len)} of data. The file is "
                           f"damaged or was made by hand; it was not read. Save the weights "
                           f"again.")
    if nbytes > budget:
        raise WeightsError(f"{path}: {declared}, which would take the arrays past the limit "
                           f"of {_size(max_bytes)} (max_bytes); it was not read. If you trust "
                           f"the file, pass a larger max_bytes to load_weights().")
    return nbytes


def _read_data(path: Path, name: str, member: IO[bytes], shape: tuple[int, ...],
               fortran: bool, dtype: np.dtype, nbytes: int) -> np.ndarray:
    """The entry's data, read in chunks into an array of exactly ``nbytes``."""
    flat = np.empty(math.prod(shape), dtype)
    view = flat.view(np.uint8).data  # a memoryview of the array's bytes
    # A zip member is buffered (zipfile's ZipExtFile), which IO[bytes] does not say.
    readinto = cast(io.BufferedIOBase, member).readinto
    got = 0
    while got < nbytes:
        n = readinto(view[got:got + CHUNK])
        if not n:
            raise WeightsError(f"{path}: array {name!r} ends after {got:,} of its {nbytes:,} "
                               f"bytes; the file is truncated or corrupt. Save the weights "
                               f"again, or restore a good copy.")
        got += n
    if member.read(1):  # also makes zipfile check the entry's CRC-32
        raise WeightsError(f"{path}: array {name!r} has data past the {nbytes:,} bytes its "
                           f"header declares; the file is damaged. Save the weights again.")
    return flat.reshape(shape, order="F" if fortran else "C")


def _read_arrays(path: Path, archive: zipfile.ZipFile, file_size: int,
                 expected: Mapping | None, max_bytes: int) -> dict[str, np.ndarray]:
    infos = archive.infolist()
    names = _array_names(path, infos)
    if expected is not None:
        _check_names(path, names, expected)
    loaded, budget = {}, max_bytes
    for info, name in zip(infos, names, strict=True):
        with archive.open(info) as member:
            shape, fortran, dtype = _read_header(path, name, member)
            _check_dtype(path, name, dtype)
            if expected is not None:
                _check_expected(path, name, shape, dtype, expected)
            nbytes = _check_size(path, name, info, member.tell(), shape, dtype, file_size,
                                 budget, max_bytes)
            budget -= nbytes
            loaded[name] = _read_data(path, name, member, shape, fortran, dtype, nbytes)
    return loaded
