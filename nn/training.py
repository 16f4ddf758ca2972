"""What a training loop needs besides the model: mini-batches, accuracy, and BLAS threads.

>>> x, y = np.arange(10.0).reshape(5, 2), np.arange(5)
>>> [labels.tolist() for _, labels in MiniBatches(x, y, batch_size=2, shuffle=False)]
[[0, 1], [2, 3], [4]]
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from autograd import no_grad

from .checks import flag, seed_or_generator, whole_number
from .tensor import Tensor

__all__ = ["MiniBatches", "SHUFFLE_STREAM", "accuracy", "blas_threads"]

SHUFFLE_STREAM = 1
"""The stream number ``MiniBatches`` gives an int seed (see ``nn.checks.seed_or_generator``)."""


class MiniBatches:
    """The mini-batches of one epoch, each time it is iterated: aligned slices of arrays
    that share their first axis (images and labels, say), shuffled with a seed.

    Args:
        *arrays: arrays of N rows each, e.g. images (N, 784) and labels (N,).
        batch_size: rows per mini-batch, a whole number >= 1.
        shuffle: draw a new order of the N rows for every epoch (default True); False keeps
            the rows in order (each batch is then a view, not a copy).
        seed: an int (the same sequence of epoch orders on every run), a
            ``np.random.Generator`` (used as it is), or None (fresh entropy). Each epoch's
            order is ``rng.permutation(N)``. An int seed s draws from a stream of its own,
            ``np.random.default_rng([s, SHUFFLE_STREAM])``, not the one ``mlp(seed=s)`` draws
            the initial weights from: with one stream for both, the first epoch's order would
            repeat the bits of the weights (and, on Nielsen's chapter 1 network, train half a
            point worse; ``demos/nielsen.py``).
        drop_last: drop the last, smaller batch when batch_size does not divide N (default
            False: keep it).

    Iterating yields one tuple per mini-batch with one array per input array, in order;
    ``len()`` is the number of batches in an epoch.

    Raises:
        TypeError: a setting of the wrong type, or an input that is not an array.
        ValueError: no arrays, arrays with different numbers of rows, no rows, or
            ``drop_last`` with fewer rows than one batch (an epoch of no steps).

    >>> batches = MiniBatches(np.arange(5), batch_size=2, seed=0)
    >>> len(batches), [b.tolist() for (b,) in batches]
    (3, [[1, 4], [3, 0], [2]])
    >>> np.random.default_rng([0, SHUFFLE_STREAM]).permutation(5).tolist()  # epoch 1
    [1, 4, 3, 0, 2]
    >>> len(MiniBatches(np.arange(5), batch_size=2, drop_last=True))
    2
    """

    def __init__(self, *arrays: np.ndarray | Tensor, batch_size: int, shuffle: bool = True,
                 seed: int | np.random.Generator | None = None, drop_last: bool = False) -> None:
        if not arrays:
            raise ValueError("MiniBatches needs at least one array, e.g. MiniBatches(images, "
                             "labels, batch_size=10)")
        self.arrays = tuple(_rows(i, a) for i, a in enumerate(arrays))
        self.batch_size = whole_number("batch_size", batch_size)
        self.shuffle = flag("shuffle", shuffle)
        self.drop_last = flag("drop_last", drop_last)
        self.rng = seed_or_generator("seed", seed, stream=SHUFFLE_STREAM)
        n = len(self.arrays[0])
        for i, a in enumerate(self.arrays[1:], start=1):
            if len(a) != n:
                raise ValueError(f"MiniBatches: array {i} has {len(a)} rows but array 0 has "
                                 f"{n}; the arrays must be aligned row by row")
        if n == 0:
            raise ValueError("MiniBatches: the arrays have no rows, so there is nothing to "
                             "train on")
        if self.drop_last and n < self.batch_size:
            raise ValueError(f"MiniBatches: drop_last=True with {n} rows and batch_size "
                             f"{self.batch_size} leaves no mini-batch at all")

    def __len__(self) -> int:
        n = len(self.arrays[0])
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)

    def __iter__(self) -> Iterator[tuple[np.ndarray, ...]]:
        n = len(self.arrays[0])
        order = self.rng.permutation(n) if self.shuffle else None
        for first in range(0, len(self) * self.batch_size, self.batch_size):
            if order is None:
                yield tuple(a[first:first + self.batch_size] for a in self.arrays)
            else:
                rows = order[first:first + self.batch_size]
                yield tuple(a[rows] for a in self.arrays)

    def __repr__(self) -> str:
        return (f"MiniBatches({len(self.arrays[0])} rows, batch_size={self.batch_size}, "
                f"{len(self)} per epoch{', shuffled' if self.shuffle else ''})")


def _rows(i: int, array: object) -> np.ndarray:
    if isinstance(array, Tensor):
        array = array.data
    if not isinstance(array, np.ndarray):
        raise TypeError(f"MiniBatches: array {i} is a {type(array).__name__}; pass NumPy "
                        "arrays (np.asarray(x))")
    if array.ndim == 0:
        raise ValueError(f"MiniBatches: array {i} is a single number, not rows")
    return array


def accuracy(model: Callable[[Tensor], Tensor], inputs: np.ndarray | Tensor, labels: ArrayLike,
             batch_size: int = 10_000) -> float:
    """The fraction of ``inputs`` whose largest output is the right label.

    The model runs without recording a graph (``no_grad``), ``batch_size`` rows at a time,
    so memory stays bounded for any number of inputs.

    Args:
        model: a tensor network, e.g. ``nn.mlp(784, [30, 10])``: (N, n_in) -> (N, K).
        inputs: an array or Tensor of shape (N, n_in), float32 or float64.
        labels: integers in [0, K), shape (N,).
        batch_size: rows per forward pass (default 10,000).

    Returns:
        a float in [0, 1].

    Raises:
        TypeError: the inputs are not a 2-D float array, or the labels not integers.
        ValueError: no inputs, different numbers of inputs and labels, a label outside the
            model's K outputs, or outputs that hold NaN or inf.

    >>> from nn import mlp
    >>> net = mlp(2, [2], activation="linear", seed=0)
    >>> net.load_state_dict({"0.weight": [[1, 0], [0, 1]], "0.bias": [0, 0]})  # output = x
    >>> accuracy(net, np.array([[1.0, 0.0], [0.0, 1.0], [3.0, 2.0]]), [0, 1, 1])   # 2 of 3
    0.6666666666666666
    """
    x = inputs.data if isinstance(inputs, Tensor) else inputs
    if not isinstance(x, np.ndarray) or x.dtype not in (np.float32, np.float64) or x.ndim != 2:
        raise TypeError("accuracy needs inputs as a float32 or float64 array of shape "
                        f"(N, n_in), got {_what(x)}")
    labels = np.asarray(labels)
    if labels.dtype.kind not in "iu":
        raise TypeError(f"accuracy needs integer labels, got {_what(labels)}")
    if labels.shape != (len(x),):
        raise ValueError(f"accuracy needs one label per input, shape ({len(x)},), got "
                         f"{_what(labels)}")
    if not len(x):
        raise ValueError("accuracy of no inputs is undefined")
    batch_size = whole_number("batch_size", batch_size)
    right = 0
    with no_grad():
        for first in range(0, len(x), batch_size):
            outputs = model(Tensor.from_numpy(x[first:first + batch_size])).data
            if not np.isfinite(outputs).all():
                raise ValueError("accuracy: the model's outputs hold NaN or inf (for input "
                                 f"rows from {first}), so their largest is meaningless; the "
                                 "network has diverged (try a smaller learning rate)")
            want = labels[first:first + batch_size]
            if want.min() < 0 or want.max() >= outputs.shape[1]:
                raise ValueError(f"accuracy: labels must be in [0, {outputs.shape[1]}) for a "
                                 f"model with {outputs.shape[1]} outputs, got "
                                 f"{want.min()}..{want.max()}")
            right += int(np.count_nonzero(outputs.argmax(axis=1) == want))
    return right / len(x)


def _what(x: object) -> str:
    if isinstance(x, np.ndarray):
        return f"dtype {x.dtype} and shape {x.shape}"
    return type(x).__name__


def blas_threads(n: int = 1) -> Any:  # a threadpoolctl.threadpool_limits (no type information)
    """Let NumPy's matrix products (its BLAS library) use at most ``n`` threads.

    For networks as small as the lesson's, one thread is faster than several: the matrices
    are too small to share out (see the benchmarks). The limit starts at once; used in a
    ``with`` block it ends with the block, otherwise it lasts until the returned object's
    ``restore_original_limits()``. Uses ``threadpoolctl`` (in the ``demos`` extra).

    Args:
        n: the number of threads, a whole number >= 1.

    Returns:
        a ``threadpoolctl.threadpool_limits`` (a context manager).

    Raises:
        TypeError, ValueError: ``n`` is not a whole number >= 1.
        ImportError: threadpoolctl is not installed (``pip install "tracegrad[demos]"``).

    >>> with blas_threads(1):
    ...     product = np.ones((64, 64)) @ np.ones((64, 64))
    """
    n = whole_number("n (the number of threads)", n)
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        raise ImportError('blas_threads needs threadpoolctl: pip install "tracegrad[demos]" '
                          "(or pip install threadpoolctl)") from None
    return threadpool_limits(limits=n, user_api="blas")
