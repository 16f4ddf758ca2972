"""Save and load named weight arrays as a NumPy ``.npz`` file, safely.

The format is the plain NumPy ``.npz`` archive that ``np.savez`` writes: a zip file with one
``<name>.npy`` entry per array. It needs nothing from tracegrad to read::

    import numpy as np
    with np.load("weights.npz") as f:      # allow_pickle is False by default
        print({name: f[name].shape for name in f.files})

No pickle is ever involved: object arrays are refused when saving and when loading.
"""

from __future__ import annotations

import inspect
import os
import uuid
import zipfile
import zlib
from collections.abc import Mapping
from pathlib import Path

import numpy as np

__all__ = ["save_weights", "load_weights"]

# Names np.savez takes as its own parameters ("file", and "allow_pickle" in NumPy 2): an array
# with such a name cannot be passed as a keyword.
_SAVEZ_PARAMS = frozenset(
    name for name, p in inspect.signature(np.savez).parameters.items()
    if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY))


def save_weights(path: str | os.PathLike, arrays: Mapping[str, np.ndarray]) -> None:
    """Write named arrays to ``path`` as a NumPy ``.npz`` archive, atomically.

    The archive is written to a temporary file in the same folder, flushed and fsync'ed,
    then moved over ``path`` with ``os.replace``: a crash or Ctrl-C during the save leaves
    any previous file at ``path`` intact, and never a half-written one. ``path`` is used as
    given (no ``.npz`` is appended). Read it back with :func:`load_weights` or, without
    tracegrad, ``np.load(path)``.

    Args:
        path: the file to write; its folder must exist.
        arrays: name -> array (anything ``np.asarray`` accepts), e.g. ``{"W1": ..., "b1": ...}``.
            Any shape; any numeric or bool dtype.

    Returns:
        None.

    Raises:
        TypeError: a name is not a string, or an array has an object dtype (which would need
            pickle; convert it to a numeric dtype).
        ValueError: a name is empty or is one of np.savez's own parameter names.
        OSError: the folder does not exist or is not writable (the old file is untouched).

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
    path = Path(path)
    checked = {}
    for name, value in arrays.items():
        if not isinstance(name, str):
            raise TypeError(f"save_weights({str(path)!r}): array names must be strings, got "
                            f"{name!r} ({type(name).__name__}).")
        if not name or name in _SAVEZ_PARAMS:
            raise ValueError(f"save_weights({str(path)!r}): the array name {name!r} cannot be "
                             f"stored (it is empty or one of np.savez's parameter names "
                             f"{sorted(_SAVEZ_PARAMS)}); rename it.")
        a = np.asarray(value)
        if a.dtype.hasobject:
            raise TypeError(f"save_weights({str(path)!r}): array {name!r} has dtype {a.dtype}, "
                            f"which would need pickle; convert it to a numeric array, e.g. "
                            f"np.asarray(x, dtype=np.float64).")
        checked[name] = a

    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:12]}.tmp")
    try:
        with open(tmp, "xb") as f:
            np.savez(f, **checked)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)  # only still there if something failed
    try:  # make the rename itself durable (POSIX); not possible everywhere, and not required
        fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError:
        pass


def load_weights(path: str | os.PathLike,
                 expected: Mapping[str, tuple[tuple[int, ...], np.dtype | str | type]] | None
                 = None) -> dict[str, np.ndarray]:
    """Load the named arrays of a ``.npz`` file, without ever unpickling, and check them.

    Args:
        path: a file written by :func:`save_weights` or ``np.savez``.
        expected: optional name -> ``(shape, dtype)``. When given, the file must hold exactly
            these names, each with this shape and dtype.

    Returns:
        dict name -> np.ndarray, in the file's order, each with the shape and dtype it was
        saved with.

    Raises:
        FileNotFoundError: ``path`` does not exist.
        ValueError: the file is truncated or corrupt, is not an ``.npz`` archive, holds an
            object array (pickled data, refused), or, with ``expected``, the first difference:
            a missing name, an extra name, a wrong shape or a wrong dtype. The message names
            the file.

    Example: see :func:`save_weights`.
    """
    path = Path(path)
    try:
        npz = np.load(path, allow_pickle=False)
    except (FileNotFoundError, IsADirectoryError, PermissionError):
        raise
    except (ValueError, OSError, EOFError, zipfile.BadZipFile, zlib.error) as e:
        raise ValueError(_unreadable(path, e)) from None
    if not isinstance(npz, np.lib.npyio.NpzFile):
        raise ValueError(f"{path} holds a single .npy array, not an .npz archive of named "
                         f"arrays; save weights with save_weights(path, {{name: array}}).")
    try:
        with npz:
            loaded = {name: npz[name] for name in npz.files}
    except (ValueError, OSError, EOFError, zipfile.BadZipFile, zlib.error, KeyError) as e:
        raise ValueError(_unreadable(path, e)) from None

    if expected is not None:
        missing = [n for n in expected if n not in loaded]
        if missing:
            raise ValueError(f"weights file {path} is missing array(s) {missing}; it holds "
                             f"{list(loaded)}. Was it saved from a different network?")
        extra = [n for n in loaded if n not in expected]
        if extra:
            raise ValueError(f"weights file {path} has unexpected array(s) {extra}; expected "
                             f"exactly {list(expected)}. Was it saved from a different "
                             f"network?")
        for name, (shape, dtype) in expected.items():
            a, shape, dtype = loaded[name], tuple(shape), np.dtype(dtype)
            if a.shape != shape:
                raise ValueError(f"weights file {path}: array {name!r} has shape {a.shape}, "
                                 f"expected {shape}. Was it saved from a network with other "
                                 f"layer sizes?")
            if a.dtype != dtype:
                raise ValueError(f"weights file {path}: array {name!r} has dtype {a.dtype}, "
                                 f"expected {dtype}. Convert it with .astype() before saving, "
                                 f"or expect {a.dtype}.")
    return loaded


def _unreadable(path: Path, e: BaseException) -> str:
    if "pickle" in str(e):
        return (f"{path} holds pickled Python objects (an object array), which tracegrad "
                f"refuses to load because unpickling can run arbitrary code; expected only "
                f"numeric arrays. Re-save the weights with save_weights().")
    return (f"{path} is not a readable .npz weights file ({type(e).__name__}: {e}); it is "
            f"truncated or corrupt. Save the weights again, or restore a good copy.")
