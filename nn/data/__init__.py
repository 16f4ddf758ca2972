"""MNIST data for tracegrad: an IDX reader and writer, and :func:`load_mnist`, which finds
the data in a folder you name, a cache or a download, and otherwise uses the embedded subset
of 10,000 training and 2,000 test images.

>>> from nn.data import MNIST_FILES
>>> [name for name, _, _ in MNIST_FILES.values()]  # doctest: +NORMALIZE_WHITESPACE
['train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz', 't10k-images-idx3-ubyte.gz',
 't10k-labels-idx1-ubyte.gz']
"""

from .download import DownloadError, download_file
from .idx import IDXError, read_idx, write_idx
from .mnist import DEFAULT_MIRRORS, MNIST, MNIST_FILES, SUBSET_DIR, load_mnist

__all__ = ["load_mnist", "MNIST", "read_idx", "write_idx", "IDXError", "download_file",
           "DownloadError", "MNIST_FILES", "DEFAULT_MIRRORS", "SUBSET_DIR"]
