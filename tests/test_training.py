"""Training lowers the loss; SGD and Adam take exactly the steps their formulas say.

Lesson: "The Update Rule", x_new = x_old - eta * f'(x); momentum and Adam as in PyTorch and
Kingma and Ba (2015), Algorithm 1.
"""

from __future__ import annotations

import itertools
import math
from fractions import Fraction

import numpy as np
import pytest

from autograd import Value
from nn import MLP, SGD, Adam, Tensor, cosine_schedule, cross_entropy, mlp, quadratic_cost

OPTIMIZERS = {
    "sgd": lambda params: SGD(params, lr=0.5),
    "sgd-momentum": lambda params: SGD(params, lr=0.1, momentum=0.9),
    "adam": lambda params: Adam(params, lr=0.05),
}

XOR_X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
XOR_Y = np.array([[0.0], [1.0], [1.0], [0.0]])


def two_blobs(n=20, seed=0):
    rng = np.random.default_rng(seed)
    x = np.concatenate([rng.normal(-1.0, 0.5, (n, 2)), rng.normal(1.0, 0.5, (n, 2))])
    return x, np.array([0] * n + [1] * n)


def train(net, loss_fn, make_optimizer, steps):
    opt = make_optimizer(net.parameters())
    losses = []
    for _ in range(steps):
        loss = loss_fn()
        losses.append(float(loss.data))
        opt.zero_grad()
        loss.backward()
        opt.step()
    losses.append(float(loss_fn().data))
    return losses


# ----------------------------------------------------------------- training lowers the loss


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_tensor_net_learns_xor_with_quadratic_cost(name):
    net = mlp(2, [16, 1], activation=["tanh", "sigmoid"], seed=0)
    x, y = Tensor(XOR_X), Tensor(XOR_Y)
    losses = train(net, lambda: quadratic_cost(net(x), y), OPTIMIZERS[name], steps=300)
    assert losses[-1] < 0.5 * losses[0]
    assert np.array_equal(net(x).data > 0.5, XOR_Y > 0.5)  # all four corners right
    assert all(p.dtype == np.float32 for p in net.parameters())  # training kept the dtype


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_tensor_net_separates_two_blobs_with_cross_entropy(name):
    x, labels = two_blobs()
    net = mlp(2, [16, 2], activation=["tanh", "linear"], seed=0)
    inputs = Tensor(x)
    losses = train(net, lambda: cross_entropy(net(inputs), labels), OPTIMIZERS[name], steps=100)
    assert losses[0] > 0.3  # starts near log 2, i.e. guessing
    assert losses[-1] < 0.5 * losses[0]
    accuracy = np.mean(net(inputs).data.argmax(axis=1) == labels)
    assert accuracy >= 0.95


def test_scalar_mlp_learns_with_sgd():
    points = [([-1.0, -0.5], [0.0]), ([-0.5, -1.0], [0.0]), ([-0.8, -0.9], [0.0]),
              ([1.0, 0.5], [1.0]), ([0.5, 1.0], [1.0]), ([0.9, 0.7], [1.0])]
    net = MLP(2, [4, 1], activation=["tanh", "sigmoid"], seed=0)

    def loss_fn():
        total = Value(0)
        for x, want in points:
            total = total + quadratic_cost(net(x), want)
        return total / len(points)

    losses = train(net, loss_fn, lambda params: SGD(params, lr=1.0), steps=60)
    assert losses[-1] < 0.5 * losses[0]
    assert all(b <= a + 1e-12 for a, b in itertools.pairwise(losses))  # small steps: downhill
    for x, want in points:
        assert round(net(x)[0].data) == want[0]


# ----------------------------------------------------------------- SGD by the numbers


def test_sgd_step_on_a_value_is_p_minus_lr_grad():
    x = Value(3.0)
    opt = SGD([x], lr=0.1)
    (x ** 2).backward()          # grad 2x = 6
    assert x.grad == 6.0
    opt.step()
    assert x.data == 3.0 - 0.1 * 6.0
    assert x.data == pytest.approx(2.4)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sgd_step_on_tensors_is_p_minus_lr_grad(dtype):
    rng = np.random.default_rng(0)
    w = Tensor(rng.normal(size=(3, 2)), dtype=dtype, requires_grad=True)
    b = Tensor(rng.normal(size=(2,)), dtype=dtype, requires_grad=True)
    unused = Tensor([1.0, 2.0], dtype=dtype, requires_grad=True)  # gets no grad
    x = Tensor(rng.normal(size=(4, 3)), dtype=dtype)
    loss = ((x @ w + b) ** 2).mean()
    loss.backward()
    before = {id(p): (p.data.copy(), p.grad.copy()) for p in (w, b)}
    SGD([w, b, unused], lr=0.05).step()
    for p in (w, b):
        old, grad = before[id(p)]
        np.testing.assert_array_equal(p.data, old - 0.05 * grad)
        assert p.data.dtype == dtype
        assert np.any(grad != 0)
    np.testing.assert_array_equal(unused.data, [1.0, 2.0])  # grad None: not moved


def test_sgd_momentum_two_steps_by_hand():
    p = Tensor([1.0, -2.0], dtype=np.float64, requires_grad=True)
    opt = SGD([p], lr=0.1, momentum=0.9)
    g1, g2 = np.array([0.5, -1.0]), np.array([0.25, 2.0])
    p.grad = g1
    opt.step()                   # v = g1; p = p0 - lr * g1
    v = g1
    p1 = np.array([1.0, -2.0]) - 0.1 * v
    np.testing.assert_allclose(p.data, p1, rtol=1e-15)
    np.testing.assert_allclose(p.data, [0.95, -1.9], rtol=1e-15)
    p.grad = g2
    opt.step()                   # v = 0.9 * g1 + g2 = (0.7, 1.1); p = p1 - lr * v
    v = 0.9 * v + g2
    np.testing.assert_allclose(p.data, p1 - 0.1 * v, rtol=1e-15)
    np.testing.assert_allclose(p.data, [0.88, -2.01], rtol=1e-14)


def test_sgd_momentum_on_values():
    x = Value(1.0)
    opt = SGD([x], lr=0.5, momentum=0.5)
    x.grad = 2.0
    opt.step()                   # v = 2, x = 1 - 0.5 * 2 = 0
    assert x.data == 0.0
    x.grad = 2.0
    opt.step()                   # v = 0.5 * 2 + 2 = 3, x = 0 - 0.5 * 3
    assert x.data == -1.5


# ----------------------------------------------------------------- Adam by the numbers


def adam_reference(p, grads, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    """Kingma and Ba, Algorithm 1, written out step by step."""
    m = v = 0.0
    for t, g in enumerate(grads, start=1):
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        m_hat = m / (1 - beta1 ** t)
        v_hat = v / (1 - beta2 ** t)
        p = p - lr * m_hat / (np.sqrt(v_hat) + eps)
    return p


def test_adam_first_step_moves_each_parameter_by_lr_against_the_sign():
    p0 = np.array([1.0, -2.0, 0.5, 3.0])
    g = np.array([0.3, -4.0, 1e-3, -250.0])   # any magnitude: the first step is ~lr
    p = Tensor(p0, dtype=np.float64, requires_grad=True)
    opt = Adam([p], lr=0.01)
    p.grad = g
    opt.step()
    np.testing.assert_allclose(p.data, p0 - 0.01 * np.sign(g), rtol=0, atol=0.01 * 1e-4)
    np.testing.assert_allclose(p.data, adam_reference(p0, [g], lr=0.01), rtol=1e-13)


def test_adam_three_steps_match_the_algorithm():
    p0 = np.array([0.5, -1.5])
    grads = [np.array([0.2, -0.1]), np.array([-0.4, -0.3]), np.array([0.1, 0.5])]
    p = Tensor(p0, dtype=np.float64, requires_grad=True)
    opt = Adam([p], lr=0.1, betas=(0.8, 0.99), eps=1e-6)
    for t, g in enumerate(grads, start=1):
        p.grad = g
        opt.step()
        want = adam_reference(p0, grads[:t], lr=0.1, beta1=0.8, beta2=0.99, eps=1e-6)
        np.testing.assert_allclose(p.data, want, rtol=1e-13)
    assert opt.t == 3


def test_adam_on_values():
    x = Value(2.0)
    opt = Adam([x], lr=0.1)
    (x * x).backward()           # grad 4
    opt.step()
    assert x.data == pytest.approx(2.0 - 0.1, abs=1e-8)
    assert x.data == pytest.approx(float(adam_reference(2.0, [4.0], lr=0.1)), rel=1e-15)


def test_adam_leaves_a_zero_gradient_alone():
    x = Value(2.0)
    Adam([x], lr=0.1).step()     # grad 0: m = v = 0, step 0 / (0 + eps) = 0
    assert x.data == 2.0


# ----------------------------------------------------------------- errors and zero_grad


@pytest.mark.parametrize("cls", [SGD, Adam])
def test_optimizer_with_no_parameters(cls):
    with pytest.raises(ValueError, match=r"no parameters"):
        cls([], lr=0.1)
    with pytest.raises(ValueError, match=r"no parameters"):
        cls(iter(()), lr=0.1)


@pytest.mark.parametrize("cls", [SGD, Adam])
@pytest.mark.parametrize("lr", [0, 0.0, -0.1, math.nan])
def test_optimizer_with_a_non_positive_learning_rate(cls, lr):
    with pytest.raises(ValueError, match=r"learning rate lr must be positive"):
        cls([Value(1.0)], lr=lr)


def test_optimizer_accepts_a_generator_and_zero_grads():
    params = [Value(1.0), Value(2.0)]
    opt = SGD((p for p in params), lr=0.1)
    for p in params:
        p.grad = 5.0
    opt.zero_grad()
    assert [p.grad for p in params] == [0, 0]
    t = Tensor([1.0], requires_grad=True)
    (t * 2).sum().backward()
    opt = Adam([t])
    opt.zero_grad()
    assert t.grad is None


def test_passing_the_parameters_method_itself_names_the_fix():
    model = MLP(2, [1])
    with pytest.raises(TypeError, match=r"model.parameters\(\)"):
        SGD(model.parameters, lr=0.1)


@pytest.mark.parametrize("make", [lambda ps: SGD(ps, lr=0.1, momentum=1.0),
                                  lambda ps: Adam(ps, betas=(0.9, 1.5)),
                                  lambda ps: Adam(ps, eps=0)])
def test_optimizer_settings_out_of_range_are_refused(make):
    with pytest.raises(ValueError):
        make(MLP(2, [1]).parameters())


# ----------------------------------------------------------------- settings, checked when set


def a_param():
    return Tensor([1.0, -2.0], dtype=np.float64, requires_grad=True)


@pytest.mark.parametrize("lr, error, pattern", [
    (math.inf, ValueError, r"the learning rate lr must be finite, got inf"),
    (-math.inf, ValueError, r"lr must be positive, got -inf"),
    (math.nan, ValueError, r"lr must be positive, got nan"),
    ("0.1", TypeError, r"lr must be a number, got the str '0.1'; convert it first"),
    (True, TypeError, r"lr must be a number, got the bool True"),
    (None, TypeError, r"lr must be a real number, got the NoneType None"),
    (1 + 0j, TypeError, r"lr must be a real number, got the complex"),
    (np.float32(np.inf), ValueError, r"lr must be finite"),
])
@pytest.mark.parametrize("cls", [SGD, Adam])
def test_a_bad_learning_rate_is_refused_by_name(cls, lr, error, pattern):
    with pytest.raises(error, match=pattern):
        cls([a_param()], lr=lr)


@pytest.mark.parametrize("make, pattern", [
    (lambda ps: SGD(ps, lr=0.1, momentum=True), r"momentum must be a number, got the bool"),
    (lambda ps: SGD(ps, lr=0.1, momentum=-0.5), r"momentum must be in \[0, 1\), got -0.5"),
    (lambda ps: SGD(ps, lr=0.1, momentum=math.nan), r"momentum must be in \[0, 1\)"),
    (lambda ps: SGD(ps, lr=0.1, weight_decay=-1), r"weight_decay must be >= 0 and finite"),
    (lambda ps: SGD(ps, lr=0.1, weight_decay=math.inf), r"weight_decay must be >= 0 and"),
    (lambda ps: SGD(ps, lr=0.1, weight_decay="0.1"), r"weight_decay must be a number"),
    (lambda ps: Adam(ps, eps=math.inf), r"eps must be finite, got inf"),
    (lambda ps: Adam(ps, eps=-1e-8), r"eps must be positive"),
    (lambda ps: Adam(ps, betas=0.9), r"betas must be two numbers in \[0, 1\), got 0.9"),
    (lambda ps: Adam(ps, betas=(0.9,)), r"betas must be two numbers"),
    (lambda ps: Adam(ps, betas="ab"), r"betas must be two numbers"),
    (lambda ps: Adam(ps, betas=(0.9, True)), r"betas\[1\] must be a number, got the bool"),
    (lambda ps: Adam(ps, betas=(math.nan, 0.9)), r"betas\[0\] must be in \[0, 1\)"),
    (lambda ps: Adam(ps, weight_decay=math.nan), r"weight_decay must be >= 0 and finite"),
])
def test_a_bad_setting_is_refused_by_name(make, pattern):
    with pytest.raises((TypeError, ValueError), match=pattern):
        make([a_param()])


@pytest.mark.parametrize("make, setting, bad", [
    (lambda ps: SGD(ps, lr=0.1), "lr", -0.1),
    (lambda ps: SGD(ps, lr=0.1), "lr", math.inf),
    (lambda ps: SGD(ps, lr=0.1), "lr", "0.05"),
    (lambda ps: SGD(ps, lr=0.1, momentum=0.9), "momentum", 1.0),
    (lambda ps: SGD(ps, lr=0.1), "weight_decay", -0.01),
    (lambda ps: Adam(ps), "lr", 0.0),
    (lambda ps: Adam(ps), "eps", math.nan),
    (lambda ps: Adam(ps), "betas", (0.9, 1.0)),
    (lambda ps: Adam(ps), "weight_decay", math.inf),
])
def test_a_setting_changed_after_construction_is_checked_too(make, setting, bad):
    p = a_param()
    opt = make([p])
    before = getattr(opt, setting)
    with pytest.raises((TypeError, ValueError), match=setting):
        setattr(opt, setting, bad)
    assert getattr(opt, setting) == before  # the old value stays
    (p * p).sum().backward()
    opt.step()
    assert np.isfinite(p.data).all()


def test_a_new_learning_rate_is_used_by_the_next_step():
    p = a_param()
    opt = SGD([p], lr=0.1)
    opt.lr = 0.5
    p.grad = np.array([1.0, 1.0])
    opt.step()
    np.testing.assert_array_equal(p.data, [0.5, -2.5])


def test_a_fraction_learning_rate_keeps_the_arithmetic_exact():
    x = Value(Fraction(3))
    opt = SGD([x], lr=Fraction(1, 10))
    (x ** 2).backward()
    opt.step()
    assert x.data == Fraction(12, 5) and type(x.data) is Fraction
    assert opt.lr == Fraction(1, 10)


# ----------------------------------------------------------------- what counts as parameters


@pytest.mark.parametrize("parameters, error, pattern", [
    ([1.0], TypeError, r"parameter 0 is the float 1.0, not a Value or a Tensor"),
    ([Value(1.0), np.ones(2)], TypeError, r"parameter 1 is the ndarray"),
    ([{"params": [Value(1.0)], "lr": 0.1}], TypeError, r"parameter groups .* one optimizer"),
    (Value(1.0), TypeError, r"pass \[x\], not x"),
    ({"w": Value(1.0)}, TypeError, r"got a dict"),
    (3, TypeError, r"takes a list of parameters .*got int 3"),
    ([Value(1.0) * 2], ValueError, r"parameter 0 is the result of an operation \(mul\)"),
    ([Tensor([1.0])], ValueError, r"parameter 0 .* requires_grad=False"),
])
@pytest.mark.parametrize("cls", [SGD, Adam])
def test_what_is_not_a_parameter_is_refused(cls, parameters, error, pattern):
    with pytest.raises(error, match=pattern):
        cls(parameters, lr=0.1)


@pytest.mark.parametrize("cls", [SGD, Adam])
def test_a_parameter_given_twice_is_refused(cls):
    x, y = Value(1.0), Value(2.0)
    with pytest.raises(ValueError, match=r"parameter 2 is parameter 0 again.*stepped twice"):
        cls([x, y, x], lr=0.1)


def test_the_parameter_list_cannot_grow_behind_the_optimizer():
    opt = SGD([Value(1.0)], lr=0.1)
    assert isinstance(opt.parameters, tuple)


# ----------------------------------------------------------------- SGD's L2 weight decay


def test_sgd_weight_decay_is_added_to_the_gradient_as_pytorch_defines_it():
    p0 = np.array([1.0, -2.0, 0.5])
    grads = [np.array([0.3, -0.1, 0.2]), np.array([-0.4, 0.2, 0.1])]
    for momentum in (0.0, 0.9):
        p = Tensor(p0, dtype=np.float64, requires_grad=True)
        opt = SGD([p], lr=0.1, momentum=momentum, weight_decay=0.01)
        want, v = p0.copy(), np.zeros(3)
        for g in grads:
            p.grad = g.copy()
            opt.step()
            d = g + 0.01 * want                     # PyTorch: d_p = grad + weight_decay * p
            v = momentum * v + d if momentum else d
            want = want - 0.1 * v
            np.testing.assert_allclose(p.data, want, rtol=1e-15)


def test_sgd_weight_decay_is_nielsens_l2_update():
    """Nielsen, chapter 3 (network2.py): w -> (1 - eta * lambda / n) w - (eta / m) sum grad;
    with the cost averaged over the mini-batch that is SGD(lr=eta, weight_decay=lambda/n)."""
    eta, lam, n = 0.5, 5.0, 50_000
    w0 = np.array([[0.2, -1.0], [3.0, 0.5]])
    per_example = [np.array([[0.1, 0.2], [0.3, -0.4]]), np.array([[-0.5, 0.0], [0.1, 0.2]])]
    w = Tensor(w0, dtype=np.float64, requires_grad=True)
    w.grad = sum(per_example) / len(per_example)     # the gradient of the mini-batch mean
    SGD([w], lr=eta, weight_decay=lam / n).step()
    nielsen = (1 - eta * lam / n) * w0 - eta / len(per_example) * sum(per_example)
    np.testing.assert_allclose(w.data, nielsen, rtol=1e-15)


def test_sgd_weight_decay_on_values():
    x = Value(3.0)
    opt = SGD([x], lr=0.1, weight_decay=0.5)
    (x ** 2).backward()
    opt.step()
    assert x.data == pytest.approx(3 - 0.1 * (6 + 0.5 * 3), rel=1e-15)


# ----------------------------------------------------------------- the cosine schedule


@pytest.mark.parametrize("call, error, pattern", [
    (lambda: cosine_schedule(math.inf, 10), ValueError, r"base_lr must be finite"),
    (lambda: cosine_schedule("0.1", 10), TypeError, r"base_lr must be a number"),
    (lambda: cosine_schedule(0.1, 0), ValueError, r"total_steps must be at least 1"),
    (lambda: cosine_schedule(0.1, 10.0), TypeError, r"total_steps must be a whole number"),
    (lambda: cosine_schedule(0.1, True), TypeError, r"total_steps must be a whole number"),
    (lambda: cosine_schedule(0.1, 10)(-1), ValueError, r"step must be at least 0"),
    (lambda: cosine_schedule(0.1, 10)(2.5), TypeError, r"step must be a whole number"),
])
def test_cosine_schedule_refuses_bad_settings(call, error, pattern):
    with pytest.raises(error, match=pattern):
        call()


def test_cosine_schedule_stays_positive_within_its_steps():
    schedule = cosine_schedule(0.1, 1000)
    lrs = [schedule(t) for t in range(1000)]
    assert lrs[0] == 0.1 and all(a > b > 0 for a, b in itertools.pairwise(lrs))
    SGD([a_param()], lr=0.1).lr = lrs[-1]  # every one of them is a learning rate SGD accepts


@pytest.mark.parametrize("grad, pattern", [
    (np.ones(1), r"parameter 1 has shape \(2,\) but its grad is an array of shape \(1,\)"),
    (0.5, r"its grad is the float 0.5"),
    (np.ones((3, 2)), r"an array of shape \(3, 2\)"),
])
@pytest.mark.parametrize("cls", [SGD, Adam])
def test_a_grad_of_another_shape_is_refused_before_any_step(cls, grad, pattern):
    first, second = a_param(), a_param()
    first.grad, second.grad = np.ones(2), grad
    opt = cls([first, second], lr=0.1)
    with pytest.raises(ValueError, match=pattern):
        opt.step()
    np.testing.assert_array_equal(first.data, [1.0, -2.0])   # nothing moved
