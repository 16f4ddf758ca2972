"""Pictures of learning: train the 784-16-16-10 digit network, then look at what it learned.

    python -m demos.digit_pictures                       # the embedded MNIST subset
    python -m demos.digit_pictures --data ../shared/data/mnist --out out

Trains with ``demos.mnist`` (same recipes, same output lines), reloads the trained weights it
saves, and writes four PNGs:

* ``digits-<recipe>-curves.png``: training loss per mini-batch and per epoch, and train and
  test accuracy per epoch (epoch 0: the untrained network).
* ``digits-<recipe>-weights.png``: the 16 neurons of the first hidden layer, each one's 784
  weights shown as a 28x28 image (red: ink there pushes the neuron up; blue: pushes it down).
* ``digits-<recipe>-confusion.png``: the 10x10 confusion matrix on the test set (counts).
* ``digits-<recipe>-mistakes.png``: the first 24 test digits the network gets wrong, each
  titled "true 3 → said 5".
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

from autograd import command, no_grad
from demos import mnist
from nn import Tensor, blas_threads, mlp
from nn.data import load_mnist
from nn.serialize import load_weights

GALLERY = 24
QUICK_LIMIT = 10_000  # training images in a --quick run (the embedded subset holds 10,000)


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m demos.digit_pictures",
        description="Train the 784-16-16-10 digit network (demos.mnist) and draw what it "
                    "learned: curves, first-layer weights, confusion matrix, mistakes.")
    parser.add_argument("--data", metavar="DIR",
                        help="folder with the four MNIST files (default: as demos.mnist)")
    parser.add_argument("--out", metavar="DIR", default="out",
                        help="where to write the weights and the PNGs (default: out)")
    parser.add_argument("--recipe", choices=sorted(mnist.RECIPES), default="lesson",
                        help="lesson: sigmoid + quadratic cost + SGD (default); "
                             "best: ReLU + cross-entropy + Adam")
    parser.add_argument("--epochs", type=int, help="passes over the training set "
                        "(default: the recipe's)")
    parser.add_argument("--seed", type=int, default=0, help="seeds weights and shuffling")
    parser.add_argument("--quick", action="store_true",
                        help=f"a small, fast run (for tests): 3 epochs on the first "
                             f"{QUICK_LIMIT:,} training images, smaller figures")
    parser.add_argument("--show", action="store_true", help="also show the figures in windows")
    args = parser.parse_args(argv)
    if args.epochs is not None and args.epochs < 1:
        parser.error(f"--epochs must be at least 1, got {args.epochs}")
    return args


def train_argv(args) -> list[str]:
    """The demos.mnist command line for this run."""
    argv = ["--out", str(args.out), "--recipe", args.recipe, "--seed", str(args.seed)]
    if args.data:
        argv += ["--data", args.data]
    epochs = args.epochs if args.epochs is not None else (3 if args.quick else None)
    if epochs is not None:
        argv += ["--epochs", str(epochs)]
    if args.quick:
        argv += ["--limit", str(QUICK_LIMIT)]
    return argv


def trained_model(train_args, weights: Path):
    """The trained network, rebuilt from the weights file demos.mnist wrote."""
    recipe = mnist.RECIPES[train_args.recipe]
    model = mlp(784, mnist.SIZES, activation=list(recipe.activations))
    model.load_state_dict(load_weights(weights))
    return model


def predict(model, images: np.ndarray) -> np.ndarray:
    with no_grad():
        return model(Tensor(images)).data.argmax(axis=1)


# --------------------------------------------------------------------------- the pictures

def plot_curves(plt, history: dict, start: tuple[float, float], end: tuple[float, float],
                title: str, path: Path, dpi: int) -> None:
    """Loss per mini-batch and per epoch; train and test accuracy per epoch (epoch 0: the
    untrained network; start, end: its (train, test) accuracies before and after)."""
    epochs = np.arange(1, len(history["epoch_loss"]) + 1)
    batch_loss = np.asarray(history["batch_loss"])
    fig, (ax, acc) = plt.subplots(1, 2, figsize=(12, 4.4), dpi=dpi)
    ax.plot(np.arange(1, len(batch_loss) + 1) / len(batch_loss) * len(epochs), batch_loss,
            color="tab:blue", alpha=0.25, linewidth=0.6, label="each mini-batch")
    ax.plot(epochs, history["epoch_loss"], "o-", color="tab:blue", label="mean over the epoch")
    ax.set_xlabel("epoch (passes over the training images)")
    ax.set_ylabel("training loss (cost)")
    ax.set_title("the cost goes down")
    ax.set_xlim(0, len(epochs) + 0.2)
    # The first few batches of an untrained net cost far more; keep the scale on the rest.
    ax.set_ylim(0, 1.5 * max(np.percentile(batch_loss, 99), max(history["epoch_loss"])))
    ax.grid(alpha=0.3)
    ax.legend()

    test = 100 * np.array([start[1], *history["test_accuracy"]])
    acc.plot(np.arange(len(test)), test, "s-", color="tab:green",
             label="test images (never trained on)")
    train = 100 * np.array([start[0], *history["train_accuracy"]])
    acc.plot(np.arange(len(train)), train, "D-", color="tab:orange", markersize=5,
             label="training images")
    acc.annotate(f"test {test[-1]:.1f}%", (epochs[-1], test[-1]), textcoords="offset points",
                 xytext=(-8, -18), ha="right", color="tab:green")
    acc.annotate(f"train {100 * end[0]:.1f}%", (epochs[-1], 100 * end[0]),
                 textcoords="offset points", xytext=(-8, -34), ha="right", color="tab:orange")
    acc.annotate("untrained\n(random weights)", (0, test[0]), textcoords="offset points",
                 xytext=(8, 4), fontsize=8, color="dimgray")
    acc.axhline(10, color="gray", linestyle=":", linewidth=1)
    acc.text(len(epochs) * 0.5, 11, "guessing: 10%", color="gray", fontsize=8, va="bottom")
    acc.set_xlim(-0.3, len(epochs) + 0.3)
    acc.set_ylim(0, 100)
    acc.set_xlabel("epoch (0: before training)")
    acc.set_ylabel("accuracy (% of digits read right)")
    acc.set_title("accuracy after each epoch")
    acc.grid(alpha=0.3)
    acc.legend(loc="lower right")
    fig.suptitle(title)
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    fig.savefig(path)


def plot_weights(plt, model, title: str, path: Path, dpi: int) -> None:
    weight = model.layers[0].weight.data  # (784, 16): column j is neuron j's weights
    fig, axes = plt.subplots(4, 4, figsize=(8, 8.8), dpi=dpi)
    for j, ax in enumerate(axes.flat):
        w = weight[:, j]
        limit = float(np.abs(w).max()) or 1.0  # each neuron on its own scale, 0 in the middle
        ax.imshow(w.reshape(28, 28), cmap="RdBu_r", vmin=-limit, vmax=limit)
        ax.set_title(f"neuron {j + 1}  (±{limit:.2f})", fontsize=9)
        ax.set_xticks([])
        ax.set_yticks([])
    fig.suptitle(f"{title}\nwhat each of the 16 first-layer neurons looks for: its 784 weights "
                 "as a 28x28 image", fontsize=10)
    fig.text(0.5, 0.01, "red: ink on that pixel raises the neuron's weighted sum; blue: lowers "
             "it; white: weight 0 (no effect).\nEach image has its own colour scale, "
             "from -largest to +largest weight (the ± in its title).", ha="center", fontsize=9)
    fig.tight_layout(rect=(0, 0.05, 1, 1))
    fig.savefig(path)


def plot_confusion(plt, labels: np.ndarray, predictions: np.ndarray, title: str, path: Path,
                   dpi: int) -> None:
    counts = np.zeros((10, 10), dtype=int)
    np.add.at(counts, (labels, predictions), 1)
    accuracy = np.trace(counts) / counts.sum()
    fig, ax = plt.subplots(figsize=(7.6, 6.6), dpi=dpi)
    # Colour by the share of each true digit's row, so the mistakes show beside the diagonal.
    share = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1)
    image = ax.imshow(share, cmap="Blues", vmin=0, vmax=1)
    for i in range(10):
        for j in range(10):
            if counts[i, j]:
                ax.text(j, i, str(counts[i, j]), ha="center", va="center", fontsize=8,
                        color="white" if share[i, j] > 0.5 else "black")
    ax.set_xticks(range(10))
    ax.set_yticks(range(10))
    ax.set_xlabel("the network's answer")
    ax.set_ylabel("true digit")
    ax.set_title(f"{title}\nconfusion matrix on {counts.sum():,} test images: "
                 f"{100 * accuracy:.2f}% on the diagonal (right)", fontsize=10)
    bar = fig.colorbar(image, ax=ax, shrink=0.8)
    bar.set_label("share of that true digit's images")
    fig.tight_layout()
    fig.savefig(path)


def plot_mistakes(plt, images: np.ndarray, labels: np.ndarray, predictions: np.ndarray,
                  title: str, path: Path, dpi: int) -> None:
    wrong = np.flatnonzero(predictions != labels)
    shown = wrong[:GALLERY]
    fig, axes = plt.subplots(4, 6, figsize=(9, 6.8), dpi=dpi)
    for ax in axes.flat:
        ax.set_xticks([])
        ax.set_yticks([])
        ax.axis("off")
    for ax, i in zip(axes.flat, shown):
        ax.imshow(images[i].reshape(28, 28), cmap="gray_r", vmin=0, vmax=1)
        ax.set_title(f"true {labels[i]} → said {predictions[i]}", fontsize=10)
    fig.suptitle(f"{title}\nthe first {len(shown)} of the {len(wrong):,} test digits it gets "
                 f"wrong (of {len(labels):,})", fontsize=10)
    fig.tight_layout()
    fig.savefig(path)


# --------------------------------------------------------------------------- the job

def main(argv=None) -> int:
    args = parse_args(argv)
    import matplotlib

    backend = matplotlib.get_backend() if args.show else "Agg"
    train_args = mnist.parse_args(train_argv(args))
    with blas_threads(train_args.threads):  # as demos.mnist: one BLAS thread is faster here
        history = mnist.train(train_args)
    weights = history["paths"][0]
    model = trained_model(train_args, weights)

    # The same images the training saw, prepared the same way (demos.mnist.train).
    data = load_mnist(train_args.data)
    x_train, y_train, x_test, y_test = data.flat(np.float32)
    if train_args.limit:
        x_train, y_train = x_train[:train_args.limit], y_train[:train_args.limit]
    shown_test = x_test.copy()  # the pictures show pixels in [0, 1]
    if mnist.RECIPES[train_args.recipe].standardize:
        mean, std = x_train.mean(), x_train.std()
        x_train, x_test = (x_train - mean) / std, (x_test - mean) / std
    train_acc = float((predict(model, x_train) == y_train).mean())
    # demos.mnist.train starts from mlp(..., seed=seed): rebuild that untrained network.
    recipe = mnist.RECIPES[train_args.recipe]
    untrained = mlp(784, mnist.SIZES, activation=list(recipe.activations), seed=train_args.seed)
    start = (float((predict(untrained, x_train) == y_train).mean()),
             float((predict(untrained, x_test) == y_test).mean()))
    predictions = predict(model, x_test)
    test_acc = float((predictions == y_test).mean())
    print(f"train accuracy {100 * train_acc:.2f}%, test accuracy {100 * test_acc:.2f}% "
          f"(the reloaded weights)")

    matplotlib.use(backend)
    import matplotlib.pyplot as plt

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    dpi = 70 if args.quick else 110
    n_train = len(x_train)
    title = (f"784-16-16-10, recipe {args.recipe}, {train_args.epochs} epoch"
             f"{'s' if train_args.epochs != 1 else ''} on {n_train:,} training images "
             f"({'the embedded subset' if data.kind == 'embedded' else 'full MNIST'})")
    paths = {name: out / f"digits-{args.recipe}-{name}.png"
             for name in ("curves", "weights", "confusion", "mistakes")}
    plot_curves(plt, history, start, (train_acc, test_acc), title, paths["curves"], dpi)
    plot_weights(plt, model, title, paths["weights"], dpi)
    plot_confusion(plt, y_test, predictions, title, paths["confusion"], dpi)
    plot_mistakes(plt, shown_test, y_test, predictions, title, paths["mistakes"], dpi)
    if args.show:
        plt.show()
    plt.close("all")
    for path in paths.values():
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(command.run(main))
