"""The main job, ``python -m demos.mnist``, run small: output lines, files, determinism."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from demos import mnist

REPO = Path(__file__).resolve().parents[1]
SHARED_MNIST = REPO.parent / "shared" / "data" / "mnist"


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


def test_best_recipe_runs(tmp_path, capsys):
    history = run(tmp_path, "--recipe", "best", "--epochs", "3")
    assert history["test_accuracy"][-1] > 0.8
    assert "cross_entropy loss; adam lr 0.002 (cosine) weight decay 0.1" in capsys.readouterr().out


@pytest.mark.skipif(not SHARED_MNIST.is_dir(), reason=f"no MNIST files at {SHARED_MNIST}")
def test_full_data_is_used_when_named(tmp_path, capsys):
    run(tmp_path, "--data", str(SHARED_MNIST), "--epochs", "1", "--limit", "1000")
    err = capsys.readouterr().err
    assert str(SHARED_MNIST) in err and "10,000 test" in err


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
