"""``demos.why_backprop``: the multiplications of blame per path, forward mode and reverse mode,
checked against closed forms of the graphs' sizes, brute-force path enumeration, and the
lesson's own numbers."""

from __future__ import annotations

import doctest
import itertools
import math
import re
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, strategies as st

from autograd import Value, topological_order
from autograd.trace import PathFinder
from bad_inputs_section import check_row, rows_for
from demos import why_backprop as wb
from gradcheck import PROFILE
from test_random_graphs import float_points, graphs

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
SIZES = [784, 16, 16, 10]


@pytest.fixture(scope="module")
def small():
    return wb.lesson_net()


@pytest.fixture(scope="module")
def digits():
    return wb.digit_net()


def test_the_small_network_counted_three_ways(small):
    net, _ = small
    count = wb.count_engine(net, sample=1)
    costs = count.row.costs
    assert net.edges == 20 and len(net.parameters) == 5
    assert {m: (c.multiplications, c.counted) for m, c in costs.items()} == {
        "blame per path": (8 + 7 + 5 + 5 + 3, True),       # one path per weight, its length
        "forward mode": (5 * 20, True), "reverse mode": (20, True)}
    # Every way gives the lesson's gradients exactly (the network is in fractions).
    assert count.grads == [520, 156, 650, 312, 26]
    for p, want in zip(net.parameters, count.grads):
        assert wb.forward_pass(net, p)[:2] == (want, 20)
        total, multiplications, paths = wb.blame_per_path(net, p)
        assert total == want and multiplications == sum(len(q.locals) for q in paths)
    assert all(s.agrees() for s in count.samples) and len(count.samples) == 10


def test_the_26_is_made_once_by_reverse_mode_and_again_by_the_others(small):
    net, nodes = small
    reuse = wb.reuse_of(net, nodes["y_pred"])
    assert reuse == {"reverse mode": 2, "forward mode": 10, "blame per path": 10,
                     "paths through it": 5, "edges below": 17}
    assert net.edges == 2 + 17 + 1          # above y_pred, below it, and error -> y_true


def test_the_listings_show_the_lessons_numbers(small):
    net, nodes = small
    names = wb.node_names(net.loss)
    reverse = "\n".join(wb.reverse_listing(net, names))
    assert re.search(r"y_true-y_pred -> y_pred +-1 \* +-26 = 26$", reverse, re.MULTILINE)
    assert re.search(r"n1 -> w1 +2 \* +260 = 520$", reverse, re.MULTILINE)
    assert len(re.findall(r"^ +\d+\. ", reverse, re.MULTILINE)) == 20
    paths = "\n".join(wb.path_listing(net, names, nodes["y_pred"]))
    assert paths.count("26*") == 5                 # the 26, made again on each path
    assert "1 -> -26 -> 26* -> 26 -> 26 -> 26 -> 260 -> 260 -> 520" in paths
    forward = "\n".join(wb.forward_listing(net, names))
    assert "pass for w1 (20): n1 2, inner 2, h1 20," in forward     # the lesson's dh1/dw1 = 20
    lesson = "\n".join(wb.lesson_level_listing(nodes))
    for line in ("∂E/∂y_pred = ∂error/∂y_pred * ∂E/∂error = 26 * 1 = 26",
                 "∂E/∂w1     = ∂h1/∂w1 * ∂E/∂h1 = 20 * 26 = 520",
                 "∂E/∂w2     = ∂h2/∂w2 * ∂E/∂h2 = 6 * 26 = 156"):
        assert line in lesson


def test_the_lessons_own_nodes():
    row = wb.structure_row("5-weight", "the lesson's nodes", wb.lesson_graph())
    assert (row.edges, row.paths) == (8, 5)
    assert [row.costs[m].multiplications for m in wb.METHODS] == [3 + 3 + 2 + 2 + 2, 40, 8]


def neuron_closed_form(sizes):
    """Edges and the paths' total length of the neuron graph, written out by hand: a
    parameter of layer l has prod(n_k, k > l) paths, each 2(L - l) + 3 edges long."""
    layers = list(itertools.pairwise(sizes))
    last = len(layers)
    edges = sum((a + 1) * b + b + (a * b if layer > 1 else 0)
                for layer, (a, b) in enumerate(layers, start=1)) + sizes[-1]
    length = sum((a + 1) * b * math.prod(sizes[layer + 1:]) * (2 * (last - layer) + 3)
                 for layer, (a, b) in enumerate(layers, start=1))
    return edges, length


@pytest.mark.parametrize("sizes", [[2, 2, 1], [3, 4, 2], [784, 16, 16, 10], [5, 3, 3, 3, 2]])
def test_the_neuron_level_against_its_closed_form(sizes):
    row = wb.structure_row("net", "neurons", wb.neuron_graph(sizes))
    edges, length = neuron_closed_form(sizes)
    params = sum((a + 1) * b for a, b in itertools.pairwise(sizes))
    assert (row.parameters, row.edges) == (params, edges)
    assert row.costs["blame per path"].multiplications == length
    assert row.costs["forward mode"].multiplications == params * edges
    assert row.costs["reverse mode"].multiplications == edges
    if sizes == SIZES:
        assert (params, edges, length) == (13_002, 13_470, 14_081_310)


@PROFILE
@given(data=st.data())
def test_path_totals_are_the_paths_pathfinder_lists(data):
    graph = data.draw(graphs(max_steps=12), label="graph")
    xs = data.draw(float_points(graph.n_inputs), label="xs")
    root = graph.output([Value(x) for x in xs])
    finder = PathFinder(root)
    order = topological_order(root)
    totals = wb.path_totals(order, lambda n: [u for u, _ in finder.users.get(id(n), ())])
    for node in order:
        listed = finder.paths(node, limit=10 ** 6)
        assert totals[node] == (len(listed), sum(len(p.locals) for p in listed))
        assert totals[node][0] == finder.count(node)


def test_the_digit_networks_graph_has_the_size_its_layers_say(digits):
    # A neuron of n inputs is n products and n sums (2 edges each) and a sigmoid; the cost
    # adds (out - want)**2 to a running total for each of the 10 outputs: 5 edges each.
    assert digits.edges == sum(b * (4 * a + 1) for a, b in itertools.pairwise(SIZES)) + 5 * 10
    assert digits.edges == 51_932 and len(digits.parameters) == 13_002
    finder = digits.finder
    first, second, third = digits.parameters[0], digits.parameters[12_560], digits.parameters[-1]
    assert [finder.count(p) for p in (first, second, third)] == [16 * 10, 10, 1]


def engine_path_lengths(sizes):
    """(paths, their total length) from every parameter to the cost in the graph that nn.MLP
    and quadratic_cost build, written out layer by layer from how they build it.

    A neuron of n inputs sums b + w_1 x_1 + ... + w_n x_n left to right, then squashes: from
    w_k (or x_k) to its output are n - k + 3 edges (into the product, into the k-th sum, along
    the n - k sums after it, into the sigmoid), from b n + 1. The cost adds (out_d - want_d)**2
    to a running total: from output d (of K) to the cost are 3 + K - d edges.
    """
    outputs = sizes[-1]
    above = [(1, 3 + outputs - d) for d in range(1, outputs + 1)]   # (paths, length) of each
    count = length = 0                                               # activation of a layer
    for layer in reversed(range(1, len(sizes))):
        n = sizes[layer - 1]
        for c, ell in above:                       # neuron j of this layer: its n weights, its bias
            for k in range(1, n + 1):
                count, length = count + c, length + ell + c * (n - k + 3)
            count, length = count + c, length + ell + c * (n + 1)
        above = [(sum(c for c, _ in above), sum(ell + c * (n - k + 3) for c, ell in above))
                 for k in range(1, n + 1)]          # the layer below: input k feeds every neuron
    return count, length


def test_the_digit_network_is_computed_from_its_structure_and_the_sample_confirms(digits):
    count = wb.count_engine(digits, sample=2)
    costs = count.row.costs
    assert costs["reverse mode"] == wb.Cost(51_932, True)
    assert costs["forward mode"] == wb.Cost(13_002 * 51_932, False)
    per_path = costs["blame per path"]
    assert not per_path.counted
    assert per_path.multiplications == sum(count.totals[p][1] for p in digits.parameters)
    assert count.row.paths == 12_560 * 160 + 272 * 10 + 170
    assert (count.row.paths, per_path.multiplications) == engine_path_lengths(SIZES)
    assert engine_path_lengths(SIZES) == (2_012_490, 851_142_165)
    assert len(count.samples) == 4 and all(s.agrees() for s in count.samples)
    assert all(s.backprop != 0 for s in count.samples)
    assert [s.name for s in count.samples[::2]] == ["w1[0,151]", "b3[9]"]


def test_a_sample_that_disagrees_is_marked():
    good = wb.Sample("w", "forward mode", 1.0, 1.0, 20, 20, 0.1)
    assert good.agrees()
    assert not wb.Sample("w", "forward mode", 1.0, 1.0, 19, 20, 0.1).agrees()
    assert not wb.Sample("w", "forward mode", 1.0 + 1e-6, 1.0, 20, 20, 0.1).agrees()
    assert wb.Sample("w", "blame per path", Fraction(0), Fraction(0), 3, 3, 0.0).agrees()


def test_spread_takes_the_first_the_last_and_a_seeded_middle():
    items = list(range(100))
    assert wb.spread(items, 4, seed=0) == wb.spread(items, 4, seed=0)
    chosen = wb.spread(items, 4, seed=0)
    assert chosen[0] == 0 and chosen[-1] == 99 and len(set(chosen)) == 4
    assert wb.spread(items[:3], 5, seed=0) == [0, 1, 2]


def test_main_prints_the_table_and_writes_the_chart(tmp_path, capsys):
    assert wb.main(["--quick", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    rows = [("5-weight", "engine's graph", "5", "20", "28", "100", "20", "1.4×", "5.0×"),
            ("5-weight", "the lesson's nodes", "5", "8", "12 *", "40 *", "8 *", "1.5×", "5.0×"),
            ("784-16-16-10", "engine's graph", "13,002", "51,932", "851,142,165 *",
             "675,219,864 *", "51,932", "16,390×", "13,002×"),
            ("784-16-16-10", "neurons", "13,002", "13,470", "14,081,310 *", "175,136,940 *",
             "13,470 *", "1,045×", "13,002×")]
    for row in rows:
        pattern = "^" + " +".join(re.escape(cell) for cell in row) + "$"
        assert re.search(pattern, out, re.MULTILINE), row
    assert "The term ∂Error/∂y_pred = 26 is in BOTH calculations!" in out
    assert re.search(r"784-16-16-16-16-16-16-10: +131,891,287,370 paths, blame per path "
                     r"+1,977,963,674,910, forward mode +220,452,140, reverse mode +15,646$",
                     out, re.MULTILINE)
    assert "✗" not in out
    assert re.search(r"^ran in \d+\.\d s$", out, re.MULTILINE)
    paths = [Path(p) for p in re.findall(r"^wrote (.+\.png)$", out, re.MULTILINE)]
    assert paths == [tmp_path / "why-backprop.png"]
    data = paths[0].read_bytes()
    assert data[:8] == PNG_MAGIC and 10_000 < len(data) < 2_000_000


def test_the_modules_examples_run():
    results = doctest.testmod(wb)
    assert results.attempted >= 3 and results.failed == 0


ROWS = rows_for(__file__)


def test_the_bad_inputs_section_has_rows_for_the_demo():
    assert len(ROWS) >= 2


@pytest.mark.parametrize("row", ROWS, ids=lambda r: r["what"])
def test_each_bad_input_row_gives_the_documented_error(row, capsys):
    check_row(row, {"why_backprop": wb}, capsys)
