"""MNIST, from wherever it can be found: a folder you name, a cache, a download, or the
subset of 10,000 + 2,000 images shipped with tracegrad.

:func:`load_mnist` looks in this order and uses the first that applies:

1. ``path``, a folder you pass (the demos' ``--data DIR``);
2. the folder in the environment variable ``TRACEGRAD_MNIST_DIR``;
3. the cache, ``<cache root>/mnist`` where the root is ``cache_dir``, else the environment
   variable ``TRACEGRAD_CACHE_DIR``, else ``platformdirs.user_cache_dir("tracegrad")``,
   used when all four files are there with the right SHA-256;
4. a download from public mirrors into the cache, unless ``download=False`` or the
   environment variable ``TRACEGRAD_OFFLINE`` is set to ``1`` (or ``true``, ``yes``, ``on``);
5. the embedded subset in ``nn/data/mnist_subset/``.

A folder you name (1 or 2) is binding: if it or one of its files is missing or damaged you
get an error naming the file, never a quiet switch to other data.

Offline, set ``TRACEGRAD_OFFLINE=1`` and no download is tried: the embedded subset is used
at once. Without it, a download that fails (no network, every mirror down) costs one line on
stderr saying so and which data is used instead; each file a download completes is kept in
the cache, so later runs find it there and do not download it again.

Downloads are bounded (``nn.data.download``): each file stops at its known size
(``MNIST_FILES``) and is given up after a time limit, and nothing half-downloaded is left in
the cache.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import stat
import sys
import warnings
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import NamedTuple

import numpy as np
from numpy.typing import DTypeLike

from autograd.files import describe_mode, open_regular_file

from .download import DownloadError, download_file
from .idx import IDXError, read_idx

__all__ = ["MNIST", "MNISTFile", "load_mnist", "MNIST_FILES", "DEFAULT_MIRRORS", "SUBSET_DIR"]


class MNISTFile(NamedTuple):
    """One of the four official MNIST files, as published.

    Attributes:
        name: the file name, e.g. ``"train-labels-idx1-ubyte.gz"``.
        size: its size in bytes (gzip-compressed); a download stops there.
        sha256: the SHA-256 of the file, lower-case hex.
        md5: the md5 published with the data.
    """

    name: str
    size: int
    sha256: str
    md5: str


# The four official files. The sizes and md5s are those published with the data; the
# SHA-256s were computed from the same files.
MNIST_FILES = {
    "train_images": MNISTFile(
        "train-images-idx3-ubyte.gz", 9_912_422,
        "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
        "f68b3c2dcbeaaa9fbdd348bbdeb94873"),
    "train_labels": MNISTFile(
        "train-labels-idx1-ubyte.gz", 28_881,
        "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
        "d53e105ee54ea40749a09fcbcd1e9432"),
    "test_images": MNISTFile(
        "t10k-images-idx3-ubyte.gz", 1_648_877,
        "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
        "9fb629c4189551a2d022fa330f9573f3"),
    "test_labels": MNISTFile(
        "t10k-labels-idx1-ubyte.gz", 4_542,
        "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
        "ec29112dd5afa0611ce80d1b7f02629c"),
}
DEFAULT_MIRRORS = ["https://ossci-datasets.s3.amazonaws.com/mnist/",
                   "https://storage.googleapis.com/cvdf-datasets/mnist/"]
SUBSET_DIR = Path(__file__).resolve().parent / "mnist_subset"
ENV_DIR, ENV_CACHE, ENV_OFFLINE = "TRACEGRAD_MNIST_DIR", "TRACEGRAD_CACHE_DIR", "TRACEGRAD_OFFLINE"
KINDS = ("path", "env", "cache", "download", "embedded")


@dataclasses.dataclass(frozen=True, eq=False)
class MNIST:
    """The MNIST images and labels, and where they came from.

    Attributes:
        train_images: uint8 array ``(N, 28, 28)``, pixel values 0 (white) to 255 (black).
        train_labels: uint8 array ``(N,)``, digits 0..9.
        test_images: uint8 array ``(M, 28, 28)``.
        test_labels: uint8 array ``(M,)``.
        source: one readable sentence saying where the data came from.
        kind: ``"path"``, ``"env"``, ``"cache"``, ``"download"`` or ``"embedded"``.
    """

    train_images: np.ndarray
    train_labels: np.ndarray
    test_images: np.ndarray
    test_labels: np.ndarray
    source: str
    kind: str

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"MNIST(kind={self.kind!r}): expected one of {KINDS}.")

    def __repr__(self) -> str:
        return (f"MNIST(kind={self.kind!r}, train={len(self.train_labels):,}, "
                f"test={len(self.test_labels):,}, source={self.source!r})")

    def flat(self, dtype: DTypeLike = np.float32) -> tuple[np.ndarray, np.ndarray,
                                                           np.ndarray, np.ndarray]:
        """The data as a network takes it: flat images scaled to [0, 1], integer labels.

        Args:
            dtype: floating dtype of the images (default float32).

        Returns:
            ``(x_train, y_train, x_test, y_test)``: ``x_train`` of shape ``(N, 784)`` and
            dtype ``dtype`` with values in [0, 1] (pixel / 255), ``y_train`` int64 ``(N,)``
            with values 0..9, and ``x_test`` ``(M, 784)``, ``y_test`` ``(M,)`` likewise.
            The arrays are new copies.

        Raises:
            TypeError: ``dtype`` is not a floating-point dtype.

        Example:
            >>> import numpy as np
            >>> img = np.zeros((1, 28, 28), dtype=np.uint8); img[0, 0, 0] = 255
            >>> data = MNIST(img, np.array([7], np.uint8), img, np.array([7], np.uint8),
            ...              source="a one-image example", kind="path")
            >>> x, y, _, _ = data.flat()
            >>> x.shape, x.dtype, x[0, :2], y
            ((1, 784), dtype('float32'), array([1., 0.], dtype=float32), array([7]))
        """
        dtype = np.dtype(dtype)
        if dtype.kind != "f":
            raise TypeError(f"MNIST.flat(dtype={dtype}): the images are scaled to [0, 1], so "
                            f"the dtype must be floating point, e.g. np.float32 or np.float64.")

        def images(a: np.ndarray) -> np.ndarray:
            x = a.reshape(len(a), -1).astype(dtype)
            x /= 255
            return x

        return (images(self.train_images), self.train_labels.astype(np.int64),
                images(self.test_images), self.test_labels.astype(np.int64))


def _find(folder: Path, name: str, why: str) -> Path:
    """``folder/name`` (gzip) or ``folder/name`` without ``.gz``; FileNotFoundError if neither.

    Whatever stands under either name is returned, a folder or a named pipe too: the reader
    then refuses it by name, rather than this saying "not found"."""
    for candidate in (folder / name, folder / name.removesuffix(".gz")):
        if candidate.exists():
            return candidate
    raise FileNotFoundError(
        f"MNIST file {folder / name} (or {name.removesuffix('.gz')}, uncompressed) not found "
        f"in {folder}, the folder {why}. The folder must hold the four official files "
        f"{', '.join(f.name for f in MNIST_FILES.values())}; put the missing file there, or "
        f"name another folder.")


def _read_folder(files: dict[str, Path]) -> dict[str, np.ndarray]:
    """Read and check the four files; errors name the file at fault."""
    arrays = {}
    for role, path in files.items():
        is_images = role.endswith("images")
        what = "images" if is_images else "labels"
        a = read_idx(path, shape=(None, 28, 28) if is_images else (None,))
        if len(a) == 0:
            raise IDXError(f"{path}: the header declares 0 {what}; expected at least one. The "
                           f"file is damaged or is not an MNIST file: delete it and download "
                           f"it again, or restore a good copy.")
        if not is_images and a.max() > 9:
            bad = np.flatnonzero(a > 9)
            raise IDXError(f"{path}: expected digit labels 0..9, found {len(bad):,} "
                           f"label{'s' if len(bad) > 1 else ''} outside that range (the first "
                           f"is {int(a[bad[0]])} at index {int(bad[0])}). Delete the file and "
                           f"download it again.")
        arrays[role] = a
    for split in ("train", "test"):
        n_img, n_lab = len(arrays[f"{split}_images"]), len(arrays[f"{split}_labels"])
        if n_img != n_lab:
            raise IDXError(f"{files[f'{split}_images']} holds {n_img:,} images but "
                           f"{files[f'{split}_labels']} holds {n_lab:,} labels; expected "
                           f"equal counts. The two files do not belong together: replace "
                           f"them with a matching pair.")
    return arrays


def _load_folder(folder: Path, why: str) -> dict[str, np.ndarray]:
    try:
        mode = os.stat(folder).st_mode
    except FileNotFoundError:
        raise FileNotFoundError(f"MNIST folder {folder} ({why}) does not exist. Create it and "
                                f"put the four MNIST files in it, or name another folder.") \
            from None
    if not stat.S_ISDIR(mode):
        raise NotADirectoryError(
            f"{folder} ({why}) is {describe_mode(mode)}; expected a folder holding the four "
            f"MNIST files. Name the folder that holds the files instead (this one is in "
            f"{folder.resolve().parent}).")
    return _read_folder({role: _find(folder, f.name, why) for role, f in MNIST_FILES.items()})


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open_regular_file(path, "a cached MNIST file") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def _cache_root(cache_dir: str | os.PathLike | None) -> Path:
    if cache_dir is not None:
        return Path(cache_dir).expanduser()
    if os.environ.get(ENV_CACHE):
        return Path(os.environ[ENV_CACHE]).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir("tracegrad"))


def _is_intact(path: Path, file: MNISTFile) -> bool:
    """Whether ``path`` is a regular file of the official size and SHA-256."""
    try:
        st = os.stat(path)
    except OSError:
        return False
    return stat.S_ISREG(st.st_mode) and st.st_size == file.size and _sha256(path) == file.sha256


def _missing_from_cache(cache: Path, say: Callable[[str], None]) -> list[str]:
    """Roles whose file is absent from the cache or damaged (a damaged file is deleted)."""
    missing = []
    for role, file in MNIST_FILES.items():
        path = cache / file.name
        if _is_intact(path, file):
            continue
        missing.append(role)
        if path.is_file():  # cut short or replaced: delete it so that a download replaces it
            say(f"tracegrad: cached {path} fails its size or SHA-256 check; deleting it")
            path.unlink()
    return missing


def _is_offline() -> bool:
    return os.environ.get(ENV_OFFLINE, "").strip().lower() in ("1", "true", "yes", "on")


def _summary(arrays: Mapping[str, np.ndarray]) -> str:
    return f"({len(arrays['train_labels']):,} train / {len(arrays['test_labels']):,} test images)"


def _download_into(cache: Path, roles: list[str], mirrors: Sequence[str] | str | None,
                   verbose: bool) -> None:
    """Download the files of ``roles`` into ``cache``; OSError (DownloadError) if one fails."""
    if mirrors is None:
        mirrors = DEFAULT_MIRRORS
    elif isinstance(mirrors, str):
        mirrors = [mirrors]
    for role in roles:
        file = MNIST_FILES[role]
        download_file(file.name, cache, mirrors, file.sha256, size=file.size, verbose=verbose)


def load_mnist(path: str | os.PathLike | None = None, *, download: bool = True,
               cache_dir: str | os.PathLike | None = None, mirrors: Sequence[str] | None = None,
               verbose: bool = True) -> MNIST:
    """Load MNIST from the first source that applies (see the module docstring).

    Sources, in order: ``path``; ``$TRACEGRAD_MNIST_DIR``; the cache; a download into the
    cache; the embedded subset (the first 10,000 training and 2,000 test images of the
    official files). A folder named by ``path`` or ``$TRACEGRAD_MNIST_DIR`` is binding: it
    must hold the four files (``train-images-idx3-ubyte.gz`` etc., or the same names without
    ``.gz``, uncompressed), and an error is raised rather than falling back. If the download
    fails, the embedded subset is used and one line says why. Set ``TRACEGRAD_OFFLINE=1``
    to skip the download altogether.

    Args:
        path: folder holding the four official MNIST files, or None.
        download: allow downloading into the cache (also disabled by
            ``TRACEGRAD_OFFLINE=1``).
        cache_dir: cache root; the files go in ``cache_dir/mnist``. Default
            ``$TRACEGRAD_CACHE_DIR``, else ``platformdirs.user_cache_dir("tracegrad")``.
        mirrors: base URLs to download from (default ``DEFAULT_MIRRORS``).
        verbose: print one line on stderr saying which source was used (plus download
            progress on a terminal). When False, a failed download gives a
            ``RuntimeWarning`` instead.

    Returns:
        MNIST with ``train_images`` uint8 ``(N, 28, 28)``, ``train_labels`` uint8 ``(N,)``,
        ``test_images`` uint8 ``(M, 28, 28)``, ``test_labels`` uint8 ``(M,)``; N, M =
        60,000, 10,000 for the full set and 10,000, 2,000 for the embedded subset.
        ``.flat()`` gives float images ``(N, 784)`` in [0, 1] and int64 labels.

    Raises:
        FileNotFoundError: the named folder, or one of its four files, does not exist.
        NotADirectoryError: the name given for the folder is a file (or a named pipe, ...).
        IsADirectoryError: one of the four names in the folder is a folder, not a file.
        autograd.files.NotARegularFileError: one of the four names is a named pipe (FIFO), a
            device or a socket (refused without reading it).
        IDXError: (a ``ValueError``) a file is damaged: bad gzip, bad header, truncated or
            with trailing bytes, images not 28x28, 0 images, labels that are not a 1-D
            list or lie outside 0..9, image and label counts that differ, or a header that
            declares more data than the file can hold or than ``MAX_IDX_BYTES``. The
            message names the file.

    Example (not run as a doctest: it may download 11 MB)::

        data = load_mnist()                  # prints e.g. "tracegrad: using MNIST from ..."
        x_train, y_train, x_test, y_test = data.flat()
        x_train.shape, y_train.dtype         # ((60000, 784), dtype('int64'))
    """
    def say(line: str) -> None:
        if verbose:
            print(line, file=sys.stderr)

    def done(arrays: Mapping[str, np.ndarray], source: str, kind: str, note: str = "") -> MNIST:
        say(f"tracegrad: using {source}{note}")
        return MNIST(source=source, kind=kind, **arrays)

    # 1 and 2: a folder the user names. Binding: errors propagate.
    for given, kind, why in ((path, "path", "passed as path"),
                             (os.environ.get(ENV_DIR) or None, "env", f"named by ${ENV_DIR}")):
        if given is not None:
            folder = Path(given).expanduser()
            arrays = _load_folder(folder, why)
            return done(arrays, f"MNIST from {folder}, {why} {_summary(arrays)}", kind)

    # 3: the cache, if complete and intact.
    cache = _cache_root(cache_dir) / "mnist"
    missing = _missing_from_cache(cache, say) if cache.is_dir() else list(MNIST_FILES)
    files = {role: cache / f.name for role, f in MNIST_FILES.items()}
    if not missing:
        arrays = _read_folder(files)
        return done(arrays, f"MNIST from the cache {cache} {_summary(arrays)}", "cache")

    # 4: download what is missing into the cache; each file completed stays there.
    if not download:
        note = " [no download: download=False]"
    elif _is_offline():
        note = f" [no download: ${ENV_OFFLINE} is set]"
    else:
        try:
            _download_into(cache, missing, mirrors, verbose)
        except OSError as e:  # DownloadError, or a cache folder that cannot be written
            reason = e.reason if isinstance(e, DownloadError) else f"{type(e).__name__}: {e}"
            note = f" [download unavailable: {reason}; {ENV_OFFLINE}=1 skips trying]"
            if not verbose:
                warnings.warn(f"tracegrad: MNIST download failed ({e}); falling back to the "
                              "embedded subset", RuntimeWarning, stacklevel=2)
        else:
            arrays = _read_folder(files)
            return done(arrays, f"MNIST downloaded into {cache} {_summary(arrays)}",
                        "download")

    # 5: the embedded subset.
    if not SUBSET_DIR.is_dir():
        raise FileNotFoundError(f"the embedded MNIST subset {SUBSET_DIR} is missing (a broken "
                                f"install?); reinstall tracegrad, or pass path=DIR.")
    arrays = _read_folder({role: SUBSET_DIR / f.name for role, f in MNIST_FILES.items()})
    source = (f"the embedded MNIST subset {_summary(arrays)}; pass "
              f"--data DIR (or path=DIR) for the full set")
    return done(arrays, source, "embedded", note=note)
