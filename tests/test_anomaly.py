"""Anomaly mode: the first NaN or inf stops the computation and names where it came from."""

from __future__ import annotations

import math

import numpy as np
import pytest

from autograd import AnomalyError, NonFiniteError, Value, allow_non_finite, anomaly, detect_anomaly
from nn import Tensor


def test_off_by_default_and_restored_after_the_block():
    assert not anomaly.is_anomaly_enabled()
    with pytest.raises(RuntimeError):
        with detect_anomaly():
            assert anomaly.is_anomaly_enabled()
            raise RuntimeError("leave the block")
    assert not anomaly.is_anomaly_enabled()


def test_scalar_forward_names_the_operation_inputs_and_user_line():
    with detect_anomaly():
        x = Value(float("inf"), label="x")
        with pytest.raises(AnomalyError) as caught:
            x - x  # the line the message must point at
    message = str(caught.value)
    assert "sub produced nan" in message and "x=inf - x=inf" in message
    assert __file__ in message and "x - x  # the line the message must point at" in message


def test_without_anomaly_mode_nan_from_nan_inputs_passes_silently():
    x = Value(float("nan"))
    assert math.isnan((x * 2).data)


def test_scalar_nan_from_an_input_is_caught_at_the_operation():
    with detect_anomaly():
        w = Value(float("nan"), label="w")
        with pytest.raises(AnomalyError, match=r"mul produced nan, computing w=nan \* 0"):
            Value(2.0, label="y") + w * 0


def test_scalar_backward_anomaly_names_the_edge():
    big = Value(1e300, label="big")
    out = (big * 1e-300) * big  # finite forward: 1e300
    big.grad = float("inf")  # a leaf already holding inf: what backward adds stays non-finite
    with detect_anomaly(), pytest.raises(AnomalyError) as caught:
        out.backward()
    assert "anomaly in backward" in str(caught.value) and "big" in str(caught.value)


def test_tensor_forward_points_at_the_first_bad_element():
    with detect_anomaly():
        w = Tensor([[1.0, 2.0]], requires_grad=True, label="w")
        with np.errstate(over="ignore"), pytest.raises(AnomalyError) as caught:
            (w * Tensor([[1.0, 1e30]])).exp()
    message = str(caught.value)
    assert "exp produced inf at index (0, 1)" in message and __file__ in message


def test_tensor_backward_names_the_edge():
    with detect_anomaly():
        w = Tensor([[0.0, 4.0]], dtype="float64", requires_grad=True, label="w")
        y = (w ** 0.5).sum()
        with np.errstate(divide="ignore"), pytest.raises(AnomalyError) as caught:
            y.backward()
    message = str(caught.value)
    assert "pow" in message and "input 1 (w shape (1, 2))" in message
    assert "at index (0, 0)" in message


def test_tensor_without_anomaly_mode_refuses_the_inf_or_lets_it_through_when_allowed():
    w = Tensor([[0.0, 4.0]], dtype="float64", requires_grad=True)
    with pytest.raises(NonFiniteError, match="divide by zero"):
        (w ** 0.5).sum().backward()
    w.zero_grad()
    with allow_non_finite(), np.errstate(divide="ignore"):
        (w ** 0.5).sum().backward()
    assert np.isinf(w.grad[0, 0]) and w.grad[0, 1] == pytest.approx(0.25)
