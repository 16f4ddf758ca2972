"""demos.nielsen: Nielsen's settings mapped onto tracegrad's API, checked step by step, and a
--quick run on the embedded subset (the full 2 chapters x 3 seeds x 30 epochs run is not a
test: ``python -m demos.nielsen --data ../shared/data/mnist``, about 6 minutes)."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

from demos import nielsen
from nn import Tensor, one_hot


@pytest.fixture(autouse=True)
def offline(monkeypatch, tmp_path):
    """Never download in tests; use an empty cache so the embedded subset is the fallback."""
    monkeypatch.setenv("TRACEGRAD_OFFLINE", "1")
    monkeypatch.setenv("TRACEGRAD_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("TRACEGRAD_MNIST_DIR", raising=False)


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def one_step_by_hand(run, params, x, y, n):
    """Nielsen's update_mini_batch for his [784, 30, 10] network, written out from his
    equations BP1-BP4 (chapter 2) for the whole mini-batch at once, then his update rule:
    w -> (1 - eta lambda / n) w - (eta / m) sum of gradients, b -> b - (eta / m) sum."""
    (w1, b1), (w2, b2) = params
    a1 = sigmoid(x @ w1 + b1)
    a2 = sigmoid(a1 @ w2 + b2)
    if run.cost == "quadratic":        # BP1 for C_x = 1/2 ||y - a||^2: (a - y) sigma'(z)
        delta2 = (a2 - y) * a2 * (1 - a2)
    else:                              # for the cross-entropy (his equation for delta^L)
        delta2 = a2 - y
    delta1 = (delta2 @ w2.T) * a1 * (1 - a1)                          # BP2
    m, decay = len(x), 1 - run.eta * run.lmbda / n
    return [(decay * w1 - run.eta / m * (x.T @ delta1), b1 - run.eta / m * delta1.sum(axis=0)),
            (decay * w2 - run.eta / m * (a1.T @ delta2), b2 - run.eta / m * delta2.sum(axis=0))]


@pytest.mark.parametrize("name", sorted(nielsen.RUNS))
def test_one_tracegrad_step_is_nielsens_update(name):
    """The cost, the learning rate (eta / 2 for ch1's cost without the 1/2) and the L2 decay
    on the weights only (weight_decay = lambda / n) give his update to rounding."""
    run = nielsen.RUNS[name]
    rng = np.random.default_rng(0)
    model = nielsen.build(run, seed=0)
    linears = [layer for layer in model.layers if hasattr(layer, "weight")]
    before = [(layer.weight.data.copy(), layer.bias.data.copy()) for layer in linears]
    x = rng.random((10, 784))
    targets = one_hot(rng.integers(0, 10, 10), 10, dtype=np.float64)
    n = 50_000
    steps = nielsen.optimizers(model, run, n)
    loss = nielsen.cost(run, model(Tensor(x, dtype="float64")), targets)
    loss.backward()
    for opt in steps:
        opt.step()
    want = one_step_by_hand(run, before, x, targets, n)
    for layer, (want_w, want_b), (w0, _) in zip(linears, want, before):
        np.testing.assert_allclose(layer.weight.data, want_w, rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(layer.bias.data, want_b, rtol=1e-12, atol=1e-14)
        assert np.abs(want_w - w0).max() > 1e-6      # the step moved the weights


def test_the_runs_carry_nielsens_settings():
    ch1, ch3, init = (nielsen.RUNS[k] for k in ("ch1", "ch3", "ch3-init"))
    assert (ch1.eta, ch1.lr, ch1.lmbda, ch1.init, ch1.bias_init) == (3.0, 1.5, 0.0, "normal",
                                                                       "normal")
    assert (ch3.eta, ch3.lmbda, ch3.init, ch3.bias_init, ch3.cost) == (0.5, 5.0, "normal",
                                                                       "normal", "cross_entropy")
    assert (init.eta, init.init, init.bias_init, init.evaluate_on) == (0.1, "lecun", "normal",
                                                                       "validation")
    assert (ch1.nielsen, ch3.nielsen, init.nielsen) == (95.42, 96.49, 96.50)
    assert nielsen.BATCH_SIZE == 10 and nielsen.EPOCHS == 30
    assert (nielsen.N_TRAIN, nielsen.N_VALIDATION) == (50_000, 10_000)


def test_quick_run_writes_the_table_and_the_figures(tmp_path, capsys):
    assert nielsen.main(["--quick", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    table = (tmp_path / "nielsen.md").read_text(encoding="utf-8")
    assert table in out
    for name, figure in (("ch1", "95.42"), ("ch3", "96.49"), ("ch3-init", "96.50")):
        row = re.search(rf"^\| {re.escape(name)} \| (best|last) epoch on \w+ \| {figure}% \| "
                        r"(\d+\.\d\d) \| (\d+\.\d\d)% \|", table, flags=re.MULTILINE)
        assert row, name
        assert float(row.group(2)) == float(row.group(3))  # one seed: the mean is that seed's
    figures = json.loads((tmp_path / "nielsen.json").read_text(encoding="utf-8"))
    assert figures["epochs"] == 1
    for entry in figures["runs"].values():
        (result,) = entry["results"]
        assert result["seed"] == 0 and len(result["percent"]) == 1
        assert 20 < result["percent"][0] <= 100          # far above the 10% of guessing
        assert entry["summary"]["mean"] == pytest.approx(result["percent"][0])
    assert figures["runs"]["ch3-init"]["results"][0]["percent"][0] > 50


def test_same_seed_same_numbers(tmp_path):
    def percents(folder):
        nielsen.main(["--quick", "--runs", "ch3", "--seeds", "4", "--out", str(folder)])
        data = json.loads((folder / "nielsen.json").read_text(encoding="utf-8"))
        return data["runs"]["ch3"]["results"][0]["percent"]

    assert percents(tmp_path / "a") == percents(tmp_path / "b")


def test_the_full_split_needs_the_full_data():
    from nn.data import load_mnist

    subset = load_mnist(verbose=False)                 # the embedded 10,000 images
    with pytest.raises(ValueError, match=r"has 10,000 training images; Nielsen's split needs "
                                         r"60,000 .*--data"):
        nielsen.split(subset, quick=False)


@pytest.mark.parametrize("flags", [["--epochs", "0"], ["--seeds", "-1"], ["--threads", "0"],
                                   ["--runs", "ch2"]])
def test_bad_flags_are_refused(flags, capsys):
    with pytest.raises(SystemExit) as exit_:
        nielsen.parse_args(flags)
    assert exit_.value.code == 2
    assert "error:" in capsys.readouterr().err
