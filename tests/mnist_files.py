"""Where the tests find the four official MNIST files.

A helper module, not a test file: the tests import it with ``from mnist_files import ...``.
The folder is ``$TRACEGRAD_MNIST_DIR`` when that holds the four files, else
``shared/data/mnist`` beside the repository. It is looked up once, when the tests are
collected, before any fixture clears the variable for the test itself.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from nn.data import MNIST_FILES

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "mnist"
ENV = "TRACEGRAD_MNIST_DIR"


def candidates() -> list[Path]:
    """The folders to look in, in order: ``$TRACEGRAD_MNIST_DIR`` (if set), then SHARED."""
    env = os.environ.get(ENV)
    return ([Path(env).expanduser()] if env else []) + [SHARED]


def holds_mnist(folder: Path) -> bool:
    return all((folder / f.name).is_file() for f in MNIST_FILES.values())


REAL_MNIST = next((folder for folder in candidates() if holds_mnist(folder)), None)
"""The folder holding the four official ``.gz`` files, or None."""


def real_mnist() -> Path:
    """REAL_MNIST, or skip the calling test saying where the files were looked for."""
    if REAL_MNIST is None:
        looked = " or ".join(str(folder) for folder in candidates())
        pytest.skip(f"the four MNIST files are not in {looked}; set ${ENV} to a folder "
                    f"holding them")
    return REAL_MNIST
