"""The main job, ``python -m demos.mnist``, run small: output lines, files, determinism."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from demos import mnist
from mnist_files import real_mnist
from nn import mlp
from nn.data import write_idx

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def offline(monkeypatch, tmp_path):
    """Never download in tests; use an empty cache so the embedded subset is the fallback."""
    monkeypatch.setenv("TRACEGRAD_OFFLINE", "1")
    monkeypatch.setenv("TRACEGRAD_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("TRACEGRAD_MNIST_DIR", raising=False)


def run(tmp_path, *flags):
    args = mnist.parse_args(["--out", str(tmp_path / "out"), *flags])
    return mnist.train(args)


def test_lesson_recipe_on_embedded_subset_learns_and_writes_files(tmp_path, capsys):
    history = run(tmp_path, "--epochs", "2")
    captured = capsys.readouterr()
    out = captured.out
    assert "embedded" in captured.err  # it says which source it used
    last = out.strip().splitlines()[-1]
    match = re.fullmatch(r"test accuracy: (\d+\.\d\d)%", last)
    assert match, last
    assert float(match.group(1)) == pytest.approx(100 * history["test_accuracy"][-1], abs=0.005)
    # 10,000 images, two epochs: far better than the 10% of guessing, and the loss went down.
    assert history["test_accuracy"][-1] > 0.6
    assert history["epoch_loss"][-1] < history["epoch_loss"][0]
    assert len(re.findall(r"^epoch +\d+/2 +loss \d\.\d{4} +train accuracy +\d+\.\d\d% +"
                          r"test accuracy +\d+\.\d\d% +[\d.]+ s$", out, flags=re.MULTILINE)) == 2
    assert len(history["train_accuracy"]) == 2 and history["train_accuracy"][-1] > 0.6

    weights, curve = history["paths"]
    arrays = dict(np.load(weights, allow_pickle=False))
    assert {k: v.shape for k, v in arrays.items()} == {
        "0.weight": (784, 16), "0.bias": (16,), "2.weight": (16, 16), "2.bias": (16,),
        "4.weight": (16, 10), "4.bias": (10,)}
    assert sum(v.size for v in arrays.values()) == 13002
    png = curve.read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and 10_000 < len(png) < 2_000_000


def test_same_seed_same_numbers(tmp_path):
    first = run(tmp_path / "a", "--epochs", "1", "--limit", "500", "--seed", "3")
    second = run(tmp_path / "b", "--epochs", "1", "--limit", "500", "--seed", "3")
    other = run(tmp_path / "c", "--epochs", "1", "--limit", "500", "--seed", "4")
    assert first["batch_loss"] == second["batch_loss"]
    assert first["test_accuracy"] == second["test_accuracy"]
    assert first["batch_loss"] != other["batch_loss"]
    a, b = (dict(np.load(run["paths"][0], allow_pickle=False)) for run in (first, second))
    assert a.keys() == b.keys() and all(np.array_equal(a[k], b[k]) for k in a)  # bit for bit


def test_best_recipe_runs(tmp_path, capsys):
    history = run(tmp_path, "--recipe", "best", "--epochs", "3")
    assert history["test_accuracy"][-1] > 0.8
    assert "cross_entropy loss; adam lr 0.002 (cosine) weight decay 0.1" in capsys.readouterr().out


def test_full_data_is_used_when_named(tmp_path, capsys):
    folder = real_mnist()
    run(tmp_path, "--data", str(folder), "--epochs", "1", "--limit", "1000")
    err = capsys.readouterr().err
    assert str(folder) in err and "10,000 test" in err


@pytest.mark.parametrize("flags", [["--epochs", "0"], ["--batch-size", "-1"], ["--lr", "0"],
                                   ["--recipe", "fancy"]])
def test_bad_flags_are_refused(flags, capsys):
    with pytest.raises(SystemExit) as exc:
        mnist.parse_args(flags)
    assert exc.value.code == 2
    assert "error:" in capsys.readouterr().err


def test_named_data_folder_that_is_missing_is_an_error_not_a_fallback(tmp_path):
    missing = tmp_path / "nowhere"
    with pytest.raises(FileNotFoundError, match="nowhere"):
        run(tmp_path, "--data", str(missing), "--epochs", "1")


def test_python_dash_m_lists_the_demos():
    done = subprocess.run([sys.executable, "-m", "demos"], cwd=REPO, capture_output=True,
                          text=True, check=True)
    assert "mnist" in done.stdout


def test_quick_is_one_small_epoch(tmp_path):
    args = mnist.parse_args(["--quick", "--out", str(tmp_path)])
    assert (args.epochs, args.limit) == (1, 2000)
    assert mnist.parse_args(["--quick", "--epochs", "3"]).epochs == 3
    history = mnist.train(args)
    assert len(history["epoch_loss"]) == 1 and all(p.exists() for p in history["paths"])


# ----------------------------------------------------------------------------- command line

def demo(tmp_path, *args: str, stdout=subprocess.PIPE) -> subprocess.CompletedProcess:
    """``python -m demos.mnist ARGS`` in a fresh process, from a folder outside the checkout."""
    env = {**os.environ, "TRACEGRAD_OFFLINE": "1", "TRACEGRAD_CACHE_DIR": str(tmp_path / "cache")}
    env.pop("TRACEGRAD_MNIST_DIR", None)
    env.pop("TRACEGRAD_DEBUG", None)
    return subprocess.run([sys.executable, "-m", "demos.mnist", "--out", str(tmp_path / "out"),
                           *args], cwd=tmp_path, stdout=stdout, stderr=subprocess.PIPE,
                          text=True, timeout=300, check=False, env=env)


def mnist_folder(folder: Path, train: int = 5, test: int = 5, labels=None) -> Path:
    """Write the four MNIST files into ``folder``: blank images, labels ``labels`` or 0s."""
    folder.mkdir()
    for prefix, n in (("train", train), ("t10k", test)):
        write_idx(folder / f"{prefix}-images-idx3-ubyte.gz", np.zeros((n, 28, 28), np.uint8))
        write_idx(folder / f"{prefix}-labels-idx1-ubyte.gz",
                  np.asarray(labels if labels is not None else [0] * n, np.uint8))
    return folder


def error_paragraph(done: subprocess.CompletedProcess) -> str:
    """The error's paragraph: stderr from its ``error:`` line on (above it: the loader's
    'using ...' line, warnings); exit status 2 and no traceback."""
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    lines = done.stderr.splitlines()
    starts = [i for i, line in enumerate(lines) if line.startswith("error: ")]
    assert len(starts) == 1 and "" not in lines[starts[0]:], done.stderr
    return "\n".join(lines[starts[0]:])


def test_a_file_named_as_the_data_folder_is_one_error_paragraph(tmp_path):
    (tmp_path / "mnist.gz").write_bytes(b"not a folder")
    text = error_paragraph(demo(tmp_path, "--data", str(tmp_path / "mnist.gz"), "--quick"))
    assert text == (f"error: {tmp_path / 'mnist.gz'} (passed as path) is a regular file; "
                    f"expected a folder holding the four MNIST files. Name the folder that "
                    f"holds the files instead (this one is in {tmp_path}).")


def test_a_training_set_of_0_images_is_refused_before_training(tmp_path):
    folder = mnist_folder(tmp_path / "empty", train=0)
    done = demo(tmp_path, "--data", str(folder), "--quick")
    text = error_paragraph(done)
    assert text == (f"error: {folder / 'train-images-idx3-ubyte.gz'}: the header declares 0 "
                    f"images; expected at least one. The file is damaged or is not an MNIST "
                    f"file: delete it and download it again, or restore a good copy.")
    assert not (tmp_path / "out").exists()


def test_a_labels_file_with_labels_past_9_is_one_error_paragraph(tmp_path):
    folder = mnist_folder(tmp_path / "bad", labels=[1, 2, 3, 12, 0])
    text = error_paragraph(demo(tmp_path, "--data", str(folder), "--quick"))
    assert text.startswith(f"error: {folder / 'train-labels-idx1-ubyte.gz'}: expected digit "
                           f"labels 0..9, found 1 label outside that range (the first is 12 "
                           f"at index 3).")


def test_an_infinite_learning_rate_is_a_usage_error_and_writes_nothing(tmp_path):
    done = demo(tmp_path, "--lr", "inf", "--quick")
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.endswith("error: --lr must be a positive finite number, got inf\n")
    assert not (tmp_path / "out").exists()


def test_a_diverging_run_stops_at_the_first_non_finite_loss_and_saves_no_weights(tmp_path):
    done = demo(tmp_path, "--lr", "1e300", "--quick")
    text = error_paragraph(done)
    assert re.fullmatch(r"error: the training loss became nan in epoch 1, mini-batch \d+: the "
                        r"learning rate 1e\+300 is too large for this network \(the lesson "
                        r"recipe uses 2\)\. Nothing was saved; try a smaller --lr\.", text), text
    assert not list(tmp_path.glob("out/*.npz"))


def test_weights_that_are_not_finite_are_refused_by_name():
    model = mlp(784, mnist.SIZES, activation="sigmoid", seed=0)
    mnist.check_finite(model, epoch=1)                       # finite: no error
    model.named_parameters()["2.bias"].data[3] = np.inf
    with pytest.raises(FloatingPointError, match=r"^after epoch 1 the weights 2\.bias hold "):
        mnist.check_finite(model, epoch=1)


def test_output_into_a_closed_pipe_is_silent(tmp_path):
    read, write = os.pipe()
    os.close(read)                                            # as `| head -1` does, early
    try:
        done = demo(tmp_path, "--quick", "--limit", "100", stdout=write)
    finally:
        os.close(write)
    assert done.returncode == 141
    assert done.stderr.startswith("tracegrad: using the embedded MNIST subset")
    assert len(done.stderr.splitlines()) == 1                 # that line, and nothing else
