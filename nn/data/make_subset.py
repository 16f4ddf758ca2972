"""Build the embedded MNIST subset from the four official files.

Usage::

    python -m nn.data.make_subset SRC_DIR DST_DIR [--train 10000] [--test 2000]

``SRC_DIR`` holds the official files (gzip or uncompressed); ``DST_DIR`` receives the first
``--train`` training and first ``--test`` test images and labels, as gzip IDX files under
the official names. The gzip headers carry no time stamp, so the output is byte-reproducible.
The subset in ``nn/data/mnist_subset/`` was built with::

    python -m nn.data.make_subset ../shared/data/mnist nn/data/mnist_subset
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from .idx import write_idx
from .mnist import MNIST_FILES, load_mnist

__all__ = ["make_subset", "main"]


def make_subset(src_dir: str | os.PathLike, dst_dir: str | os.PathLike, n_train: int = 10_000,
                n_test: int = 2_000) -> list[Path]:
    """Write the first ``n_train`` training and ``n_test`` test examples of MNIST to ``dst_dir``.

    Args:
        src_dir: folder holding the four official MNIST files (checked as by ``load_mnist``).
        dst_dir: output folder (created if missing); existing files there are replaced.
        n_train: number of training images and labels to keep, 1..60,000.
        n_test: number of test images and labels to keep, 1..10,000.

    Returns:
        The four paths written, ``dst_dir/train-images-idx3-ubyte.gz`` etc.: images uint8
        ``(n, 28, 28)``, labels uint8 ``(n,)``, gzip IDX.

    Raises:
        FileNotFoundError: ``src_dir`` or one of its files is missing.
        IDXError: a source file is damaged.
        ValueError: ``n_train`` or ``n_test`` is below 1 or above the number available.
    """
    data = load_mnist(src_dir, verbose=False)
    for split, n in (("train", n_train), ("test", n_test)):
        available = len(getattr(data, f"{split}_labels"))
        if not 1 <= n <= available:
            raise ValueError(f"--{split} {n}: expected 1..{available:,}, the number of {split} "
                             f"images in {src_dir}.")
    dst = Path(dst_dir)
    dst.mkdir(parents=True, exist_ok=True)
    written = []
    for role, file in MNIST_FILES.items():
        n = n_train if role.startswith("train") else n_test
        write_idx(dst / file.name, getattr(data, role)[:n])
        written.append(dst / file.name)
    return written


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; returns the exit status (0 on success)."""
    parser = argparse.ArgumentParser(prog="python -m nn.data.make_subset", description=(
        "Write the first N training and M test MNIST examples as gzip IDX files."))
    parser.add_argument("src_dir", help="folder with the four official MNIST files")
    parser.add_argument("dst_dir", help="output folder")
    parser.add_argument("--train", type=int, default=10_000, help="training examples (10000)")
    parser.add_argument("--test", type=int, default=2_000, help="test examples (2000)")
    args = parser.parse_args(argv)
    try:
        paths = make_subset(args.src_dir, args.dst_dir, args.train, args.test)
    except (OSError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    for p in paths:
        print(f"{p}  {p.stat().st_size:,} bytes")
    print(f"total {sum(p.stat().st_size for p in paths):,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
