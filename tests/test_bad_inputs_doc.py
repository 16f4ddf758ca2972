"""docs/bad-inputs.md stays true: each row's code raises the error type and message shown."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import numpy as np
import pytest

from autograd import OPS, Op, Value, detect_anomaly, grad, gradcheck, register_op
from autograd.check import check
from autograd.check.worksheet import read as read_worksheet
from autograd.expr import build, parse
from nn import (
    MLP,
    SGD,
    Adam,
    Linear,
    MiniBatches,
    Sequential,
    Tensor,
    binary_cross_entropy,
    blas_threads,
    mlp,
    one_hot,
    quadratic_cost,
)
from nn.data import load_mnist

DOC = Path(__file__).resolve().parents[1] / "docs" / "bad-inputs.md"
ROW = re.compile(r"^\| (?P<what>[^|]+) \| `(?P<code>[^`]+)` \| `(?P<error>\w+)`: "
                 r"(?P<message>.*) \|$")


def anomaly(fn):
    """Run fn in anomaly mode (the table's 'NaN in, with anomaly mode' row)."""
    with detect_anomaly():
        return fn()


NAMESPACE = dict(np=np, Value=Value, Op=Op, OPS=OPS, register_op=register_op,
                 gradcheck=gradcheck, grad=grad, MLP=MLP, SGD=SGD, Tensor=Tensor, mlp=mlp,
                 one_hot=one_hot, quadratic_cost=quadratic_cost, load_mnist=load_mnist, parse=parse,
                 anomaly=anomaly, Adam=Adam, Linear=Linear, MiniBatches=MiniBatches,
                 Sequential=Sequential, binary_cross_entropy=binary_cross_entropy,
                 blas_threads=blas_threads, build=build, check=check,
                 read_worksheet=read_worksheet)
# The learner's tools (their rows write no file: each is refused before anything is drawn).
from autograd.draw import animate, draw  # noqa: E402
from autograd.explore import explore  # noqa: E402
from autograd.trace import Stepper  # noqa: E402

NAMESPACE.update(Stepper=Stepper, animate=animate, draw=draw, explore=explore)

ROWS = [m.groupdict() for line in DOC.read_text(encoding="utf-8").splitlines()
        if (m := ROW.match(line))]


def test_the_table_has_rows():
    assert len(ROWS) >= 30


@pytest.mark.parametrize("row", ROWS, ids=[r["what"] for r in ROWS])
def test_each_row_gives_the_documented_error(row):
    with pytest.raises(Exception) as caught, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        eval(row["code"], dict(NAMESPACE))  # our own documentation's code
    assert type(caught.value).__name__ == row["error"]
    assert str(caught.value).splitlines()[0] == row["message"].replace("&#124;", "|")
