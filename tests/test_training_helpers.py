"""MiniBatches, accuracy and blas_threads: the helpers of a training loop."""

from __future__ import annotations

import numpy as np
import pytest
from threadpoolctl import threadpool_info

from nn import MiniBatches, Tensor, accuracy, blas_threads, mlp
from nn.training import SHUFFLE_STREAM

# ----------------------------------------------------------------- MiniBatches


def test_every_row_once_per_epoch_aligned_across_arrays():
    x = np.arange(23 * 2).reshape(23, 2)
    y = np.arange(23)
    batches = MiniBatches(x, y, batch_size=5, seed=3)
    assert len(batches) == 5
    for _ in range(3):                                 # three epochs
        seen = []
        sizes = []
        for xb, yb in batches:
            np.testing.assert_array_equal(xb, x[yb])   # rows stay paired
            seen.extend(yb.tolist())
            sizes.append(len(yb))
        assert sorted(seen) == list(range(23))
        assert sizes == [5, 5, 5, 5, 3]                # the last partial batch is kept


def test_each_epoch_has_a_new_order_and_a_seed_repeats_the_sequence():
    def epochs(seed):
        batches = MiniBatches(np.arange(50), batch_size=50, seed=seed)
        return [next(iter(batches))[0].tolist() for _ in range(3)]

    first = epochs(0)
    assert first == epochs(0)                          # same seed, same epochs
    assert first[0] != first[1] != first[2]            # a new order every epoch
    assert first != epochs(1)


def test_the_order_is_the_generators_permutation_epoch_by_epoch():
    """A hand-written loop: rng.permutation(N) once per epoch, sliced, where an int seed s
    gives the generator np.random.default_rng([s, SHUFFLE_STREAM])."""
    rng = np.random.default_rng([7, SHUFFLE_STREAM])
    batches = MiniBatches(np.arange(10), batch_size=4, seed=7)
    for _ in range(2):
        order = rng.permutation(10)
        got = [b.tolist() for (b,) in batches]
        assert got == [order[0:4].tolist(), order[4:8].tolist(), order[8:10].tolist()]


def test_one_seed_for_the_weights_and_the_batches_gives_unrelated_streams():
    # mlp(seed=s) draws the weights from np.random.default_rng(s); were the batches drawn from
    # the same stream, the first epoch's order would repeat the weights' bits.
    weights_stream = np.random.default_rng(0).bit_generator.random_raw(1000)
    batches = MiniBatches(np.arange(4), batch_size=2, seed=0)
    assert not np.isin(batches.rng.bit_generator.random_raw(1000), weights_stream).any()
    assert SHUFFLE_STREAM != 0


def test_a_generator_is_used_as_it_is():
    rng = np.random.default_rng(5)
    a = [b.tolist() for (b,) in MiniBatches(np.arange(6), batch_size=6, seed=rng)]
    assert a == [np.random.default_rng(5).permutation(6).tolist()]


def test_drop_last_and_no_shuffle():
    batches = MiniBatches(np.arange(7), batch_size=3, shuffle=False, drop_last=True)
    assert len(batches) == 2
    assert [b.tolist() for (b,) in batches] == [[0, 1, 2], [3, 4, 5]]
    kept = MiniBatches(np.arange(7), batch_size=3, shuffle=False)
    assert [b.tolist() for (b,) in kept] == [[0, 1, 2], [3, 4, 5], [6]]


def test_a_batch_larger_than_the_data_is_one_batch():
    assert [b.tolist() for (b,) in MiniBatches(np.arange(3), batch_size=10, shuffle=False)] \
        == [[0, 1, 2]]


@pytest.mark.parametrize("make, error, pattern", [
    (lambda: MiniBatches(batch_size=2), ValueError, r"needs at least one array"),
    (lambda: MiniBatches(np.arange(4), np.arange(5), batch_size=2), ValueError,
     r"array 1 has 5 rows but array 0 has 4"),
    (lambda: MiniBatches(np.zeros((0, 3)), batch_size=2), ValueError, r"no rows"),
    (lambda: MiniBatches(np.arange(4), batch_size=0), ValueError, r"batch_size must be at "
                                                                    r"least 1, got 0"),
    (lambda: MiniBatches(np.arange(4), batch_size=2.0), TypeError, r"batch_size must be a whole"),
    (lambda: MiniBatches(np.arange(4), batch_size=2, shuffle="yes"), TypeError,
     r"shuffle must be True or False"),
    (lambda: MiniBatches(np.arange(4), batch_size=2, seed="0"), TypeError, r"seed must be"),
    (lambda: MiniBatches(np.arange(4), batch_size=5, drop_last=True), ValueError,
     r"drop_last=True with 4 rows and batch_size 5 leaves no mini-batch"),
    (lambda: MiniBatches([1, 2, 3], batch_size=2), TypeError, r"array 0 is a list; pass NumPy"),
    (lambda: MiniBatches(np.float64(3.0), batch_size=2), TypeError, r"array 0 is a float64"),
    (lambda: MiniBatches(np.array(3.0), batch_size=2), ValueError, r"a single number"),
])
def test_bad_mini_batch_settings_are_refused_by_name(make, error, pattern):
    with pytest.raises(error, match=pattern):
        make()


# ----------------------------------------------------------------- accuracy


def identity_net():
    net = mlp(3, [3], activation="linear", seed=0, dtype=np.float64)
    net.load_state_dict({"0.weight": np.eye(3), "0.bias": np.zeros(3)})
    return net


def test_accuracy_counts_the_argmax_that_match():
    x = np.array([[1.0, 0, 0], [0, 2.0, 0], [0, 0, 3.0], [5.0, 0, 0]])
    assert accuracy(identity_net(), x, [0, 1, 2, 1]) == 0.75
    assert accuracy(identity_net(), Tensor(x, dtype="float64"), np.array([0, 1, 2, 0])) == 1.0


def test_accuracy_in_chunks_is_the_same_and_records_no_graph():
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(1001, 3)), rng.integers(0, 3, 1001)
    whole = accuracy(identity_net(), x, y)
    assert accuracy(identity_net(), x, y, batch_size=7) == whole
    assert whole == np.mean(x.argmax(axis=1) == y)
    net = identity_net()
    accuracy(net, x, y)
    assert all(p.grad is None for p in net.parameters())


@pytest.mark.parametrize("call, error, pattern", [
    (lambda net: accuracy(net, [[1.0, 0, 0]], [0]), TypeError, r"float32 or float64 array .*list"),
    (lambda net: accuracy(net, np.ones((2, 3), int), [0, 1]), TypeError, r"dtype int64"),
    (lambda net: accuracy(net, np.ones(3), [0]), TypeError, r"shape \(N, n_in\)"),
    (lambda net: accuracy(net, np.ones((2, 3)), [0.0, 1.0]), TypeError, r"integer labels"),
    (lambda net: accuracy(net, np.ones((2, 3)), [0]), ValueError, r"one label per input"),
    (lambda net: accuracy(net, np.ones((0, 3)), np.zeros(0, int)), ValueError, r"no inputs"),
    (lambda net: accuracy(net, np.ones((2, 3)), [0, 3]), ValueError,
     r"labels must be in \[0, 3\) for a model with 3 outputs"),
    (lambda net: accuracy(net, np.ones((2, 3)), [0, 1], batch_size=0), ValueError,
     r"batch_size must be at least 1"),
])
def test_accuracy_refuses_bad_input_by_name(call, error, pattern):
    with pytest.raises(error, match=pattern):
        call(identity_net())


# ----------------------------------------------------------------- blas_threads


def blas_limits():
    return [pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"]


def test_blas_threads_limits_within_the_block_and_restores():
    before = blas_limits()
    if not before:
        pytest.skip("NumPy is not linked to a BLAS that threadpoolctl can see")
    with blas_threads(1):
        assert set(blas_limits()) == {1}
    assert blas_limits() == before


@pytest.mark.parametrize("n, error", [(0, ValueError), (-2, ValueError), (1.5, TypeError),
                                      (True, TypeError), ("2", TypeError)])
def test_blas_threads_refuses_a_bad_count(n, error):
    with pytest.raises(error, match=r"n \(the number of threads\) must be"):
        blas_threads(n)


def test_accuracy_refuses_outputs_that_are_not_finite():
    net = identity_net()
    x = np.array([[1.0, 0, 0], [0, np.nan, 0]])
    with pytest.raises(ValueError, match=r"outputs hold NaN or inf .*diverged"):
        accuracy(net, x, [0, 1])
