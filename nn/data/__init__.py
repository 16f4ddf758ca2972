"""MNIST data for tracegrad: an IDX reader and writer, and :func:`load_mnist`, which finds
the data in a folder you name, a cache or a download, and otherwise uses the embedded subset
of 10,000 training and 2,000 test images. Set ``TRACEGRAD_OFFLINE=1`` to never download.

>>> from nn.data import MNIST_FILES
>>> [(f.name, f.size) for f in MNIST_FILES.values()]  # doctest: +NORMALIZE_WHITESPACE
[('train-images-idx3-ubyte.gz', 9912422), ('train-labels-idx1-ubyte.gz', 28881),
 ('t10k-images-idx3-ubyte.gz', 1648877), ('t10k-labels-idx1-ubyte.gz', 4542)]
"""

from autograd.files import NotARegularFileError

from .download import DownloadError, download_file
from .idx import IDXError, read_idx, write_idx
from .mnist import DEFAULT_MIRRORS, MNIST, MNIST_FILES, SUBSET_DIR, MNISTFile, load_mnist

__all__ = ["load_mnist", "MNIST", "read_idx", "write_idx", "IDXError", "NotARegularFileError",
           "download_file", "DownloadError", "MNIST_FILES", "MNISTFile", "DEFAULT_MIRRORS",
           "SUBSET_DIR"]
