"""docs/bad-inputs.md, section "Files, data and downloads (hostile input)", stays true.

Each row of that section's first table names a hostile file (or a misbehaving server) in its
second column. This test builds it in a fresh temporary folder, runs the row's code with the
folder as ``DIR`` (and the server's address as ``URL``), and checks that the error type and
the first line of its message are the ones shown, with the folder written as ``DIR``.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import re
import struct
import zipfile
from pathlib import Path

import numpy as np
import pytest

from hostile_files import deflate_bomb, end_record, npy_header
from http_server import Server
from nn.data import MNIST_FILES, download_file, load_mnist, read_idx, write_idx
from nn.serialize import load_weights, save_weights

DOC = Path(__file__).resolve().parents[1] / "docs" / "bad-inputs.md"
SECTION = "## Files, data and downloads (hostile input)"
ROW = re.compile(r"^\| (?P<what>[^|]+) \| (?P<setup>[^|`]+) \| `(?P<code>[^`]+)` \| "
                 r"`(?P<error>\w+)`: (?P<message>.*) \|$")
DATA = bytes(range(256)) * 4  # the 1,024-byte file the servers serve, as t.gz
SERVED = {"t.gz": DATA}



def mnist_folder(folder: Path, **replace) -> Path:
    """A small valid MNIST folder (12 + 5 images), with the arrays of some roles replaced."""
    rng = np.random.default_rng(0)
    arrays = {"train_images": rng.integers(0, 256, (12, 28, 28), np.uint8),
              "train_labels": rng.integers(0, 10, 12, np.uint8),
              "test_images": rng.integers(0, 256, (5, 28, 28), np.uint8),
              "test_labels": rng.integers(0, 10, 5, np.uint8)}
    folder.mkdir()
    for role, file in MNIST_FILES.items():
        write_idx(folder / file.name, replace.get(role, arrays[role]))
    return folder


# ---------------------------------------------------------------- the hostile files

def huge(d: Path) -> None:
    with zipfile.ZipFile(d / "huge.npz", "w") as z:
        z.writestr("W.npy", npy_header((1 << 40, 7), "|u1"))


def bomb(d: Path) -> None:
    deflate_bomb(d / "bomb.npz", npy_header((2, 2)), 64 << 20)  # 64 MiB in about 300 KB


def long_header(d: Path) -> None:
    with zipfile.ZipFile(d / "header.npz", "w", compression=zipfile.ZIP_DEFLATED) as z:
        with z.open("W.npy", "w", force_zip64=True) as member:
            member.write(b"\x93NUMPY\x02\x00" + struct.pack("<I", 0xFFFF_FFF0))
            for _ in range(4):
                member.write(b" " * (16 << 20))  # 64 MiB of "header" in 65 KB


def endless_name(d: Path) -> None:
    with open(d / "name-idx1-ubyte.gz", "wb") as f:  # a gzip file name that never ends
        f.write(b"\x1f\x8b\x08\x08" + bytes(6) + b"a" * (2 << 20))


def extra(d: Path) -> None:
    with zipfile.ZipFile(d / "extra.npz", "w") as z:
        z.writestr("W.npy", npy_header((1,)) + bytes(8))
        z.writestr("notes.txt", b"trained on Tuesday")


def fifo(d: Path) -> None:
    if not hasattr(os, "mkfifo"):
        pytest.skip("no named pipes here")
    os.mkfifo(d / "pipe.npz")


def ten_million(d: Path) -> None:
    (d / "ten-million-idx3-ubyte.gz").write_bytes(gzip.compress(
        struct.pack(">4B3I", 0, 0, 8, 3, 10_000_000, 28, 28) + bytes(4096)))


def long_idx(d: Path) -> None:
    with open(d / "long-idx1-ubyte", "wb") as f:  # 10 labels, then a 64 MiB hole
        f.write(struct.pack(">4BI", 0, 0, 8, 1, 10) + bytes(10))
        f.truncate(64 << 20)


def labels_text(d: Path) -> None:
    mnist_folder(d / "mnist")
    (d / "mnist" / "train-labels-idx1-ubyte.gz").write_bytes(gzip.compress(b"5\n0\n4\n1\n"))


def labels_folder(d: Path) -> None:
    mnist_folder(d / "mnist")
    (d / "mnist" / "t10k-labels-idx1-ubyte.gz").unlink()
    (d / "mnist" / "t10k-labels-idx1-ubyte.gz").mkdir()


BUILD = {
    "huge.npz": huge,
    "bomb.npz": bomb,
    "header.npz": long_header,
    "name-idx1-ubyte.gz": endless_name,
    "notes.npz": lambda d: (d / "notes.npz").write_text("W1 = [[0.5, 0.25]]\n"),
    "picture.npz": lambda d: (d / "picture.npz").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64)),
    "pipe.npz": fifo,
    "folder.npz": lambda d: (d / "folder.npz").mkdir(),
    "extra.npz": extra,
    "pickled.npz": lambda d: np.savez(d / "pickled.npz", W=np.array([{"run": 1}], object)),
    "many.npz": lambda d: (d / "many.npz").write_bytes(end_record(65_535, 3_000_000)),
    "nothing": lambda d: None,
    "ten-million-idx3-ubyte.gz": ten_million,
    "long-idx1-ubyte": long_idx,
    "mnist/ with 0 training images": lambda d: mnist_folder(
        d / "mnist", train_images=np.zeros((0, 28, 28), np.uint8)),
    "mnist/ with text as training labels": labels_text,
    "mnist/ with a folder as test labels": labels_folder,
    "mnist/ with a label 12": lambda d: mnist_folder(
        d / "mnist", train_labels=np.array([12] + [0] * 11, np.uint8)),
    "mnist.gz, a file": lambda d: (d / "mnist.gz").write_bytes(b"\x1f\x8b"),
}
SERVER_MODES = ("flood", "announce-huge", "trickle", "trickle-headers", "drop", "redirect-ftp")
NAMESPACE = dict(np=np, load_weights=load_weights, save_weights=save_weights,
                 read_idx=read_idx, load_mnist=load_mnist, download_file=download_file,
                 SHA=hashlib.sha256(DATA).hexdigest())


def section_rows() -> list[dict]:
    text = DOC.read_text(encoding="utf-8")
    assert SECTION in text, f"{DOC} has no section {SECTION!r}"
    body = text.split(SECTION, 1)[1].split("\n## ", 1)[0]
    return [m.groupdict() for line in body.splitlines() if (m := ROW.match(line))]


ROWS = section_rows()


def test_the_section_has_rows_for_every_hostile_file_and_server():
    setups = {row["setup"] for row in ROWS}
    assert setups == set(BUILD) | {f"a server: {mode}" for mode in SERVER_MODES}


@pytest.mark.parametrize("row", ROWS, ids=[r["what"] for r in ROWS])
def test_each_row_gives_the_documented_error(row, tmp_path):
    namespace = dict(NAMESPACE, DIR=tmp_path)
    replace = {str(tmp_path): "DIR"}
    server = None
    if row["setup"].startswith("a server: "):
        server = Server(SERVED, row["setup"].removeprefix("a server: "))
        namespace["URL"] = server.url.removesuffix("mnist/")
        replace[namespace["URL"]] = "URL/"
    else:
        BUILD[row["setup"]](tmp_path)
    try:
        with pytest.raises(Exception) as caught:
            eval(row["code"], namespace)  # our own documentation's code
    finally:
        if server is not None:
            server.close()
    message = str(caught.value).splitlines()[0]
    for real, shown in replace.items():
        message = message.replace(real, shown)
    assert type(caught.value).__name__ == row["error"]
    assert message == row["message"].replace("&#124;", "|")
