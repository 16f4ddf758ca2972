"""Train the lesson's digit network, 784-16-16-10, on MNIST with the tensor backend.

    python -m demos.mnist                      # the lesson's recipe on whatever data it finds
    python -m demos.mnist --data ../shared/data/mnist --recipe best

Recipes (both on the same 784-16-16-10 shape):

* ``lesson``: the network of lesson 10: sigmoid neurons everywhere (the squish), the
  quadratic cost (sum of squared differences to the wanted outputs), plain mini-batch
  gradient descent.
* ``best``: ReLU hidden layers, softmax cross-entropy on the ten outputs, AdamW (Adam with
  decoupled weight decay) on a cosine learning-rate schedule, and inputs standardised with
  the training set's mean and standard deviation.

Each epoch prints the mean training loss, the train and test accuracy and the seconds its
training took; the run
ends with ``test accuracy: NN.NN%`` and writes the trained weights (NumPy .npz, no pickle) and
a loss-curve PNG into ``--out``.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from tqdm import tqdm

from autograd import NonFiniteError, command
from nn import (
    SGD,
    Adam,
    MiniBatches,
    Tensor,
    accuracy,
    blas_threads,
    cosine_schedule,
    mlp,
    one_hot,
    quadratic_cost,
)
from nn.data import load_mnist
from nn.serialize import save_weights

SIZES = [16, 16, 10]


@dataclass(frozen=True)
class Recipe:
    """How to train: activations, loss, optimizer and their default settings."""

    activations: tuple[str, ...]
    loss: str  # "quadratic" or "cross_entropy"
    optimizer: str  # "sgd" or "adam"
    lr: float
    batch_size: int
    epochs: int
    weight_decay: float = 0.0  # decoupled (AdamW); adam only
    cosine: bool = False  # cosine learning-rate schedule from lr down to 0
    standardize: bool = False  # (x - mean) / std with the training set's mean and std


RECIPES = {
    "lesson": Recipe(("sigmoid", "sigmoid", "sigmoid"), "quadratic", "sgd",
                     lr=2.0, batch_size=32, epochs=10),
    "best": Recipe(("relu", "relu", "linear"), "cross_entropy", "adam",
                   lr=0.002, batch_size=64, epochs=80, weight_decay=0.1, cosine=True,
                   standardize=True),
}


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m demos.mnist",
        description="Train the 784-16-16-10 digit network on MNIST (tensor backend).")
    parser.add_argument("--data", metavar="DIR",
                        help="folder with the four MNIST files (default: $TRACEGRAD_MNIST_DIR, "
                             "the cache, a download, else the embedded subset)")
    parser.add_argument("--recipe", choices=sorted(RECIPES), default="lesson",
                        help="lesson: sigmoid + quadratic cost + SGD (default); "
                             "best: ReLU + cross-entropy + Adam")
    parser.add_argument("--epochs", type=int, help="passes over the training set")
    parser.add_argument("--batch-size", type=int, help="examples per mini-batch")
    parser.add_argument("--lr", type=float, help="learning rate")
    parser.add_argument("--threads", type=int, default=1, metavar="N",
                        help="BLAS threads for the matrix products (default 1: for a network "
                             "this small, one is faster than several)")
    parser.add_argument("--seed", type=int, default=0,
                        help="seeds the weights and the shuffling (same seed, same numbers)")
    parser.add_argument("--out", metavar="DIR", default="out",
                        help="where to write the weights and the loss curve (default: out)")
    parser.add_argument("--limit", type=int, metavar="N",
                        help="train on the first N training images only (quick runs)")
    parser.add_argument("--quick", action="store_true",
                        help="a small, fast run: 1 epoch on the first 2,000 training images "
                             "(unless --epochs or --limit say otherwise)")
    args = parser.parse_args(argv)
    recipe = RECIPES[args.recipe]
    if args.quick:
        args.epochs = 1 if args.epochs is None else args.epochs
        args.limit = 2000 if args.limit is None else args.limit
    args.epochs = recipe.epochs if args.epochs is None else args.epochs
    args.batch_size = recipe.batch_size if args.batch_size is None else args.batch_size
    args.lr = recipe.lr if args.lr is None else args.lr
    for name in ("epochs", "batch_size", "limit"):
        value = getattr(args, name)
        if value is not None and value < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1, got {value}")
    if not (args.lr > 0 and math.isfinite(args.lr)):
        parser.error(f"--lr must be a positive finite number, got {args.lr}")
    return args


def loss_fn(recipe: Recipe, outputs: Tensor, labels: np.ndarray, targets: np.ndarray) -> Tensor:
    """The recipe's loss on one mini-batch: outputs (N, 10), labels (N,), targets (N, 10)."""
    if recipe.loss == "quadratic":
        return quadratic_cost(outputs, targets)
    return outputs.cross_entropy(labels)


def check_not_empty(data) -> None:
    """Raise ValueError, naming the source, if the training or the test set holds no images."""
    for split, labels, task in (("training", data.train_labels, "train on"),
                                ("test", data.test_labels, "measure the accuracy on")):
        if len(labels) == 0:
            raise ValueError(f"{data.source}: the {split} set holds no images, so there is "
                             f"nothing to {task}. Name a folder that holds the MNIST files "
                             f"(--data DIR).")


def check_finite(model, epoch: int) -> None:
    """Raise FloatingPointError if a weight is NaN or infinite (then nothing is saved)."""
    for name, parameter in model.named_parameters().items():
        if not np.isfinite(parameter.data).all():
            raise FloatingPointError(
                f"after epoch {epoch} the weights {name} hold NaN or infinite numbers, so "
                f"they were not saved; the learning rate is too large for this network "
                f"(the recipes use {', '.join(f'{r.lr:g}' for r in RECIPES.values())}): "
                f"try a smaller --lr.")


def train(args) -> dict:
    """Run the whole job; return the figures (per-epoch losses, accuracies, seconds, paths).

    Raises:
        ValueError: the data holds no training or no test images.
        FloatingPointError: the loss or a weight became NaN or infinite (the learning rate
            is too large); nothing is written then.
        OSError: the data cannot be read, or ``args.out`` cannot be written.
    """
    recipe = RECIPES[args.recipe]
    data = load_mnist(args.data)
    check_not_empty(data)
    x_train, y_train, x_test, y_test = data.flat(np.float32)
    if args.limit:
        x_train, y_train = x_train[:args.limit], y_train[:args.limit]
    targets = one_hot(y_train, 10)
    if recipe.standardize:
        mean, std = x_train.mean(), x_train.std()
        x_train, x_test = (x_train - mean) / std, (x_test - mean) / std

    model = mlp(784, SIZES, activation=list(recipe.activations), seed=args.seed)
    if recipe.optimizer == "sgd":
        optimizer = SGD(model.parameters(), lr=args.lr)
    else:
        optimizer = Adam(model.parameters(), lr=args.lr, weight_decay=recipe.weight_decay)
    steps_per_epoch = -(-len(x_train) // args.batch_size)
    schedule = (cosine_schedule(args.lr, args.epochs * steps_per_epoch) if recipe.cosine
                else lambda step: args.lr)
    # Shuffled anew each epoch from the seed: the same seed, the same mini-batches.
    batches = MiniBatches(x_train, y_train, targets, batch_size=args.batch_size,
                          seed=args.seed)  # a stream of its own (nn.training.SHUFFLE_STREAM)
    print(f"training 784-{'-'.join(map(str, SIZES))} ({model.num_parameters():,} parameters), "
          f"recipe {args.recipe}: {', '.join(recipe.activations)}; {recipe.loss} loss; "
          f"{recipe.optimizer} lr {args.lr}{' (cosine)' if recipe.cosine else ''}"
          f"{f' weight decay {recipe.weight_decay}' if recipe.weight_decay else ''}; "
          f"mini-batch {args.batch_size}; "
          f"{args.epochs} epochs on {len(x_train):,} images")

    history = {"batch_loss": [], "epoch_loss": [], "train_accuracy": [], "test_accuracy": [],
               "seconds": []}
    for epoch in range(1, args.epochs + 1):
        start = time.perf_counter()
        total = 0.0
        for number, (images, labels, wanted) in enumerate(tqdm(
                batches, desc=f"epoch {epoch}", leave=False, unit="batch", disable=None), 1):
            try:
                loss = loss_fn(recipe, model(Tensor.from_numpy(images)), labels, wanted)
                value = float(loss.data)
            except NonFiniteError:  # the outputs overflowed: say what that means here
                value = math.nan
            optimizer.lr = schedule(len(history["batch_loss"]))
            if not math.isfinite(value):
                raise FloatingPointError(
                    f"the training loss became {value} in epoch {epoch}, mini-batch "
                    f"{number}: the learning rate {args.lr:g} is too "
                    f"large for this network (the {args.recipe} recipe uses {recipe.lr:g}). "
                    f"Nothing was saved; try a smaller --lr.")
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            history["batch_loss"].append(value)
            total += value * len(images)
        seconds = time.perf_counter() - start  # training only, not the evaluation below
        check_finite(model, epoch)
        train_acc = accuracy(model, x_train, y_train)
        test_acc = accuracy(model, x_test, y_test)
        history["epoch_loss"].append(total / len(x_train))
        history["train_accuracy"].append(train_acc)
        history["test_accuracy"].append(test_acc)
        history["seconds"].append(seconds)
        print(f"epoch {epoch:3d}/{args.epochs}  loss {total / len(x_train):.4f}  "
              f"train accuracy {100 * train_acc:6.2f}%  test accuracy {100 * test_acc:6.2f}%  "
              f"{seconds:5.1f} s", flush=True)

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    weights = out / f"mnist-{args.recipe}.npz"
    save_weights(weights, model.state_dict())
    curve = out / f"mnist-{args.recipe}-loss.png"
    plot_loss(history, curve, f"784-16-16-10, recipe {args.recipe}, {len(x_train):,} training "
                              f"images")
    history["paths"] = [weights, curve]
    print(f"wrote {weights}")
    print(f"wrote {curve}")
    print(f"test accuracy: {100 * history['test_accuracy'][-1]:.2f}%")
    return history


def plot_loss(history: dict, path: Path, title: str) -> None:
    """Training loss per mini-batch (faint) and per epoch (bold) against epochs, as a PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    batch_loss = np.asarray(history["batch_loss"])
    epochs = len(history["epoch_loss"])
    per_epoch = len(batch_loss) / epochs
    fig, ax = plt.subplots(figsize=(7, 4), dpi=120)
    ax.plot(np.arange(len(batch_loss)) / per_epoch, batch_loss, color="tab:blue", alpha=0.25,
            linewidth=0.6, label="mini-batch loss")
    ax.plot(np.arange(1, epochs + 1), history["epoch_loss"], "o-", color="tab:blue",
            label="mean loss of the epoch")
    ax.set_xlabel("epoch")
    ax.set_ylabel("training loss")
    ax.set_title(title)
    ax.grid(alpha=0.3)
    acc_ax = ax.twinx()
    acc_ax.plot(np.arange(1, epochs + 1), 100 * np.asarray(history["test_accuracy"]), "s--",
                color="tab:green", label="test accuracy")
    acc_ax.set_ylabel("test accuracy (%)", color="tab:green")
    lines = ax.get_legend_handles_labels()
    more = acc_ax.get_legend_handles_labels()
    ax.legend(lines[0] + more[0], lines[1] + more[1], loc="center right")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def main(argv=None) -> int:
    args = parse_args(argv)
    # One BLAS thread is faster than two for matrices this small (see PERF notes).
    with blas_threads(args.threads):
        train(args)
    return 0


if __name__ == "__main__":
    sys.exit(command.run(main))
