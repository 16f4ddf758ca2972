"""Why backprop wins: the multiplications three ways of getting every gradient need, counted.

    python -m demos.why_backprop [--out DIR] [--quick]

The unit of work is one multiplication of a local derivative by an upstream value: the chain
rule's step ``local * upstream``. Every way of getting the gradient of a loss with respect to
every parameter is made of these steps; they differ in how often they repeat them.

* Blame per path, as a person first does it: for each parameter, each path from it up to
  the loss, multiplied out on its own (``autograd.trace.PathFinder``): a path of L edges
  costs L multiplications (starting from the loss's own derivative, 1).
* Forward mode: one pass per parameter, carrying d(node)/d(parameter) forward through the
  whole graph (``autograd.jvp``'s dual numbers, run over the engine's graph): every pass costs
  one multiplication per edge of the graph.
* Reverse mode, backprop: one backward pass (``Value.backward_steps()``), each edge once,
  each node's gradient computed once and reused by everything below it.

They are counted at two levels, and the table says which is which:

* the engine's graph: the Values ``nn`` and the lesson's formulas build, one node per
  operation (each of a neuron's 784 multiplications and additions is a node);
* neurons: one node per weight, bias, neuron sum and activation, the edges given by the
  layer sizes (the entries of the weight matrices, and of their transposes carrying blame
  back), as a matrix implementation multiplies them; for the 5-weight network, the lesson's
  own nodes w1..w5, h1, h2, y_pred, Error, whose 8 edges are the 8 lines of its backward pass.

Counted means the multiplications were done and counted. Where that would take longer than
this demo's budget (forward mode over 13,002 parameters: more than half a billion), the count
is computed exactly from the graph's structure (each forward pass costs the graph's edges;
paths and their lengths by dynamic programming), and a sample of parameters is run to
confirm it, each giving the gradient backprop gave.

Source: the lesson "How networks learn" (../shared/lesson/004_08ce3b0832d56c87.txt): "The term
∂Error/∂y_pred = 26 is in BOTH calculations! ... We calculate the error gradient once...
then propagate it backwards, reusing calculations. This is Backpropagation."; lesson 10 for
the 784-16-16-10 network and its 13,002 parameters. The costs of the two modes: Griewank and
Walther, "Evaluating Derivatives" (2nd ed., SIAM 2008), sections 3.1-3.3; Baydin et al.,
"Automatic differentiation in machine learning: a survey", JMLR 18 (2018), section 3.

Prints the small network's multiplications one by one, the table with the ratios, and the
run time; writes ``why-backprop.png`` (a bar chart on a log scale) into ``--out`` (default
``out/why_backprop``) and prints its path.
"""

from __future__ import annotations

import argparse
import itertools
import random
import sys
import textwrap
import time
from dataclasses import dataclass, field
from pathlib import Path

from autograd import Value, apply, grad, topological_order
from autograd.forward import Dual
from autograd.text import TABLE_WIDTH, Table, node_names, number
from autograd.trace import PathFinder
from demos import lesson_network
from demos.newton import output_folder

SIZES = [784, 16, 16, 10]
DIGIT = 3
COUNT_LIMIT = 3_000_000   # multiplications the demo does and counts; beyond: from the structure
SAMPLE = 12               # parameters run by forward mode and by paths to confirm a computation
QUICK_SAMPLE = 3
AGREE = 1e-9              # sampled derivatives agree with backprop's to this, relative
METHODS = ("blame per path", "forward mode", "reverse mode")

# The lesson's own nodes and its backward pass ("Backward Pass: Computing Gradients"): each
# edge (node, input) is one of its 8 lines, ∂E/∂y_pred = 2(y_pred - y_true) the first.
LESSON_EDGES = (("error", "y_pred"), ("y_pred", "w5"), ("y_pred", "w4"), ("y_pred", "w3"),
                ("y_pred", "h1"), ("y_pred", "h2"), ("h1", "w1"), ("h2", "w2"))


# --------------------------------------------------------------------------- the graphs

@dataclass
class Network:
    """A loss, the parameters it is differentiated by, and the engine's graph of it."""

    name: str
    loss: Value
    parameters: list
    order: list = field(init=False)
    finder: PathFinder = field(init=False)

    def __post_init__(self):
        self.order = topological_order(self.loss)
        self.finder = PathFinder(self.loss)

    @property
    def edges(self) -> int:
        """The graph's edges: one per input of every operation."""
        return sum(len(node.inputs) for node in self.order)

    def users(self, node) -> list:
        """The operations that take ``node`` as an input (twice for ``x * x``)."""
        return [user for user, _ in self.finder.users.get(id(node), ())]


def lesson_net() -> tuple[Network, dict]:
    """The 5-weight network on its first example, (3, 2) -> 24, in exact fractions, and its
    named nodes (w1..w5 included)."""
    w = lesson_network.weights(lesson_network.START)
    nodes = {**lesson_network.forward(3, 2, 24, w), **w}
    return Network("5-weight", nodes["error"], [w[n] for n in lesson_network.WEIGHTS]), nodes


def digit_net() -> Network:
    """The lesson's 784-16-16-10 sigmoid network (``nn.MLP``, seed 0) on the first 3 of the
    embedded MNIST subset, with the quadratic cost against the one-hot answer."""
    from nn import MLP, quadratic_cost
    from nn.data import SUBSET_DIR, load_mnist

    images, labels, _, _ = load_mnist(SUBSET_DIR, download=False, verbose=False).flat()
    image = images[int((labels == DIGIT).nonzero()[0][0])]
    net = MLP(SIZES[0], SIZES[1:], seed=0)
    for layer_number, layer in enumerate(net.layers, start=1):   # names for the listings
        for j, neuron in enumerate(layer.neurons):
            for i, w in enumerate(neuron.w):
                w.label = f"w{layer_number}[{j},{i}]"
            neuron.b.label = f"b{layer_number}[{j}]"
    loss = quadratic_cost(net(image.tolist()), [float(d == DIGIT) for d in range(SIZES[-1])])
    return Network("784-16-16-10", loss, net.parameters())


def neuron_graph(sizes: list[int]) -> tuple[list, dict, list]:
    """The network at the level of neurons: (topological order, users, parameters).

    Nodes: ("w", layer, j, i) the weight from input i to neuron j, ("b", layer, j) its bias,
    ("z", layer, j) the neuron's sum, ("a", layer, j) its activation, and "loss". Edges: each
    weight and bias into its sum; each sum into its activation; each activation into every
    sum of the next layer (through the weights: the entries of W transposed, which carry the
    blame back); each output activation into the loss. The pixels are data, not nodes.

    >>> order, users, params = neuron_graph([2, 2, 1])
    >>> len(params), sum(len(users.get(n, [])) for n in order)   # 9 parameters; 9 + 3 + 2 + 1 edges
    (9, 15)
    """
    order, users, params = [], {}, []
    for layer, (n_in, n_out) in enumerate(itertools.pairwise(sizes), start=1):
        for j in range(n_out):
            own = [("w", layer, j, i) for i in range(n_in)] + [("b", layer, j)]
            params += own
            order += own
            below = [("a", layer - 1, i) for i in range(n_in)] if layer > 1 else []
            for node in own + below:
                users.setdefault(node, []).append(("z", layer, j))
        for j in range(n_out):
            users[("z", layer, j)] = [("a", layer, j)]
        order += [("z", layer, j) for j in range(n_out)] + [("a", layer, j) for j in range(n_out)]
    for j in range(sizes[-1]):
        users[("a", len(sizes) - 1, j)] = ["loss"]
    return [*order, "loss"], users, params


def lesson_graph() -> tuple[list, dict, list]:
    """The lesson's own nodes of the 5-weight network: (topological order, users, params)."""
    users: dict = {}
    for node, input_ in LESSON_EDGES:
        users.setdefault(input_, []).append(node)
    order = ["w1", "w2", "w3", "w4", "w5", "h1", "h2", "y_pred", "error"]
    return order, users, ["w1", "w2", "w3", "w4", "w5"]


def path_totals(order: list, users) -> dict:
    """For each node of ``order`` (a topological order, the root last): how many paths lead
    from it to the root, and their total length in edges.

    Dynamic programming from the root down: a node's paths are its users' paths, each one edge
    longer (``users(node)`` lists a user twice if it takes the node twice, as x * x does).

    >>> path_totals(["x", "u", "v", "f"], {"x": ["u", "v"], "u": ["v"], "v": ["f"]}.get)["x"]
    (2, 5)
    """
    root = order[-1]
    totals = {root: (1, 0)}
    for node in reversed(order[:-1]):
        count = length = 0
        for user in users(node) or ():
            above, long = totals[user]
            count += above
            length += long + above
        totals[node] = (count, length)
    return totals


def edges_above(node, users) -> int:
    """The edges on the paths from ``node`` up to the root: the multiplications that make
    d root / d node (each once, as reverse mode does them)."""
    seen, stack, count = {node}, [node], 0
    while stack:
        for user in users(stack.pop()) or ():
            count += 1
            if user not in seen:
                seen.add(user)
                stack.append(user)
    return count


# --------------------------------------------------------------------------- the three ways

def reverse_mode(net: Network) -> tuple[list, int]:
    """One backward pass: every parameter's gradient, and the multiplications, counted (one
    per chain-rule step that ``Value.backward_steps()`` yields)."""
    net.loss.zero_grad()
    steps = sum(1 for _ in net.loss.backward_steps())
    return [p.grad for p in net.parameters], steps


def forward_pass(net: Network, parameter: Value) -> tuple[object, int, dict]:
    """One forward-mode pass: the engine's graph run again on dual numbers, the tangent 1 at
    ``parameter`` and 0 at every other leaf.

    Returns d loss / d parameter, the multiplications (each operation multiplies each of its
    inputs' tangents by its local derivative), and every node's Dual, by id.
    """
    duals: dict = {}
    multiplications = 0
    for node in net.order:
        if node.op is None:
            duals[id(node)] = Dual(node.data, 1 if node is parameter else 0)
            continue
        inputs = [duals[id(i)] for i in node.inputs]
        duals[id(node)] = apply(node.op, *inputs, const=node.const)
        multiplications += len(inputs)
    return duals[id(net.loss)].tangent, multiplications, duals


def blame_per_path(net: Network, parameter: Value):
    """Every path from ``parameter`` to the loss multiplied out on its own
    (``PathFinder.paths``). Returns the sum of their products, the multiplications (one per
    edge of each path), and the paths."""
    paths = net.finder.paths(parameter, limit=10 ** 6)
    return paths.total, sum(len(p.locals) for p in paths), paths


# --------------------------------------------------------------------------- the counts

@dataclass
class Cost:
    """One method's multiplications, and whether they were done and counted (else computed
    exactly from the graph's structure)."""

    multiplications: int
    counted: bool


@dataclass
class Row:
    """One network at one level: the three methods' costs, and the graph's size."""

    network: str
    level: str
    costs: dict           # method name -> Cost
    parameters: int
    edges: int
    paths: int            # from all parameters to the loss


def structure_row(network: str, level: str, graph: tuple) -> Row:
    """The three costs from a graph's structure alone: (order, users, parameters)."""
    order, users, params = graph
    totals = path_totals(order, users.get)
    edges = sum(len(users.get(n, [])) for n in order)
    costs = {"blame per path": Cost(sum(totals[p][1] for p in params), False),
             "forward mode": Cost(len(params) * edges, False),
             "reverse mode": Cost(edges, False)}
    return Row(network, level, costs, len(params), edges, sum(totals[p][0] for p in params))


@dataclass
class Sample:
    """One parameter's derivative by forward mode or by its paths, to confirm a count."""

    name: str
    method: str
    derivative: object
    backprop: object
    multiplications: int
    expected: int          # the count computed from the structure
    seconds: float

    def agrees(self) -> bool:
        """The count is the computed one, and the derivative is backprop's (to rounding)."""
        scale = max(abs(self.backprop), 1e-300)
        return (self.multiplications == self.expected
                and abs(self.derivative - self.backprop) <= AGREE * scale)


@dataclass
class EngineCount:
    """The engine's graph of one network: its row, and the runs behind it."""

    row: Row
    samples: list
    grads: list
    reverse_seconds: float
    totals: dict


def count_engine(net: Network, sample: int, seed: int = 0) -> EngineCount:
    """The three costs on the engine's graph: all counted if each is at most ``COUNT_LIMIT``,
    else computed from the structure and confirmed by running ``sample`` parameters, chosen
    among those whose gradient is not 0 (a weight from a blank pixel has gradient 0, and
    agreeing on 0 would confirm little)."""
    start = time.perf_counter()
    grads, reverse = reverse_mode(net)
    reverse_seconds = time.perf_counter() - start
    totals = path_totals(net.order, net.users)
    per_path = sum(totals[p][1] for p in net.parameters)
    forward = len(net.parameters) * net.edges
    everyone = max(per_path, forward) <= COUNT_LIMIT
    moving = [p for p, g in zip(net.parameters, grads) if g != 0]
    chosen = net.parameters if everyone else spread(moving, sample, seed)
    samples = run_both_ways(net, chosen, dict(zip(map(id, net.parameters), grads)), totals)
    done = {m: sum(s.multiplications for s in samples if s.method == m) for m in METHODS[:2]}
    costs = {"blame per path": Cost(done["blame per path"] if everyone else per_path, everyone),
             "forward mode": Cost(done["forward mode"] if everyone else forward, everyone),
             "reverse mode": Cost(reverse, True)}
    row = Row(net.name, "engine's graph", costs, len(net.parameters), net.edges,
              sum(totals[p][0] for p in net.parameters))
    return EngineCount(row, samples, grads, reverse_seconds, totals)


def run_both_ways(net: Network, chosen: list, backprop: dict, totals: dict) -> list[Sample]:
    """Forward mode and blame per path for each of the ``chosen`` parameters, each run timed
    and its multiplications counted, beside backprop's derivative (``backprop``: by id)."""
    names = node_names(net.loss)
    samples = []
    for p in chosen:
        for method, run, expected in (("forward mode", forward_pass, net.edges),
                                      ("blame per path", blame_per_path, totals[p][1])):
            start = time.perf_counter()
            derivative, count, _ = run(net, p)
            samples.append(Sample(names[id(p)], method, derivative, backprop[id(p)], count,
                                  expected, time.perf_counter() - start))
    return samples


def spread(parameters: list, k: int, seed: int) -> list:
    """``k`` of the parameters: the first and the last, and the others at random (seeded)."""
    if k >= len(parameters):
        return list(parameters)
    middle = sorted(random.Random(seed).sample(range(1, len(parameters) - 1), max(k - 2, 0)))
    return [parameters[i] for i in [0, *middle, len(parameters) - 1]][:k]


def reuse_of(net: Network, node: Value) -> dict:
    """The multiplications each method spends on making d loss / d ``node`` (the lesson's
    ∂Error/∂y_pred): reverse mode once, forward mode in every pass, blame per path on every
    path through it."""
    above = edges_above(node, net.users)
    _, length_above = path_totals(net.order, net.users)[node]
    below = PathFinder(node)
    through = sum(below.count(p) for p in net.parameters)
    below_edges = sum(len(n.inputs) for n in topological_order(node))
    return {"reverse mode": above, "forward mode": len(net.parameters) * above,
            "blame per path": through * length_above, "paths through it": through,
            "edges below": below_edges}


# --------------------------------------------------------------------------- the text

def reverse_listing(net: Network, names: dict) -> list[str]:
    lines = [(f"Reverse mode, one backward pass (Value.backward_steps()): {net.edges} "
             "multiplications, local derivative * upstream gradient")]
    net.loss.zero_grad()
    for k, step in enumerate(net.loss.backward_steps(), start=1):
        lines.append(f"  {k:2d}. {names[id(step.node)]:>13} -> {names[id(step.input)]:<13} "
                     f"{number(step.local):>4} * {number(step.upstream):>4} = "
                     f"{number(step.local * step.upstream)}")
    return lines


def path_listing(net: Network, names: dict, marked: Value) -> list[str]:
    lines = [("Blame per path: each weight's paths multiplied out on their own, from the error "
             "down (the running product starts at 1):")]
    for p in net.parameters:
        _, count, paths = blame_per_path(net, p)
        for path in paths:
            running, shown = 1, []
            for node, local in zip(reversed(path.nodes[:-1]), reversed(path.locals)):
                running = running * local
                shown.append(number(running) + ("*" if node is marked else ""))
            lines.append(f"  {names[id(p)]}: {count} multiplications along "
                         + " <- ".join(reversed(path.names)))
            lines.append(f"      1 -> {' -> '.join(shown)}")
    lines.append(f"  (* ∂Error/∂{names[id(marked)]} = {number(marked.grad)}, made again on "
                 "every path)")
    return lines


def forward_listing(net: Network, names: dict) -> list[str]:
    lines = [(f"Forward mode, one pass per weight through the whole graph ({net.edges} "
             "multiplications each, most of them by a tangent of 0); the tangent of a node is "
             "d node / d weight:")]
    for p in net.parameters:
        derivative, count, duals = forward_pass(net, p)
        moving = [n for n in net.order if n.op is not None and duals[id(n)].tangent != 0]
        lines.append(f"  pass for {names[id(p)]} ({count}): "
                     + ", ".join(f"{names[id(n)]} {number(duals[id(n)].tangent)}"
                                 for n in moving)
                     + f"  -> ∂Error/∂{names[id(p)]} = {number(derivative)}")
    return lines


def lesson_level_listing(nodes: dict) -> list[str]:
    """The lesson's backward pass: reverse mode at its own nodes, each local derivative from
    the engine (``autograd.grad`` of the node by its input)."""
    lines = [("At the lesson's own nodes, its backward pass is the same reverse mode: 8 "
             "multiplications (each local derivative by autograd.grad)")]
    blame = {"error": 1}
    for node, input_ in LESSON_EDGES:
        (local,) = grad(nodes[node], [nodes[input_]])
        product = local * blame[node]
        blame[input_] = blame.get(input_, 0) + product
        lines.append(f"  ∂E/∂{input_:<6} = ∂{node}/∂{input_} * ∂E/∂{node} = {number(local)} * "
                     f"{number(blame[node])} = {number(product)}")
    return lines


def cell(cost: Cost) -> str:
    return f"{cost.multiplications:,}" + ("" if cost.counted else " *")


def ratio(a: int, b: int) -> str:
    return f"{a / b:,.1f}×" if a / b < 100 else f"{a / b:,.0f}×"


NOTE = ("* computed exactly from the graph's structure, nothing multiplied: forward mode as "
        "parameters × edges (every pass costs every edge), blame per path as the paths' total "
        "length (dynamic programming); on the engine's graph confirmed by the sample above, at "
        "the neuron level from the layer sizes. The other numbers were counted as the "
        "multiplications were done. Neurons: one node per weight, bias, sum and activation "
        "(the weight matrices' entries are the edges); the engine's graph: one node per "
        "operation (784 products and 784 sums in each first-layer neuron).")


def costs_table(rows: list[Row]) -> Table:
    body = []
    for r in rows:
        c = r.costs
        body.append([r.network, r.level, f"{r.parameters:,}", f"{r.edges:,}",
                     cell(c["blame per path"]), cell(c["forward mode"]), cell(c["reverse mode"]),
                     ratio(c["blame per path"].multiplications, c["reverse mode"].multiplications),
                     ratio(c["forward mode"].multiplications, c["reverse mode"].multiplications)])
    return Table(["network", "level", "parameters", "edges", "blame per path", "forward mode",
                  "reverse mode", "per path ÷ reverse", "forward ÷ reverse"], body,
                 numeric=frozenset(range(2, 9)),
                 title="Multiplications of a local derivative by an upstream value, for every "
                       "parameter's gradient",
                 notes=textwrap.wrap(NOTE, TABLE_WIDTH + 20))


def sample_lines(count: EngineCount, params: int, per_path: int) -> list[str]:
    """The sample run to confirm the computed counts, as a table, and what the runs cost."""
    forward = [s for s in count.samples if s.method == "forward mode"]
    paths = [s for s in count.samples if s.method == "blame per path"]
    seconds_per_pass = sum(s.seconds for s in forward) / len(forward)
    seconds_per_product = sum(s.seconds for s in paths) / sum(s.multiplications for s in paths)
    table = Table(["parameter", "method", "multiplications", "computed", "d cost / d parameter",
                   "backprop's", "seconds", ""],
                  [[s.name, s.method, f"{s.multiplications:,}", f"{s.expected:,}",
                    f"{s.derivative:+.9e}", f"{s.backprop:+.9e}", f"{s.seconds:.2f}",
                    "✓" if s.agrees() else "✗"] for s in count.samples],
                  numeric=frozenset({2, 3, 4, 5, 6}),
                  title=f"A sample of {len(forward)} parameters run both ways (✓: the count "
                        "is the computed one, and the derivative backprop's, relative "
                        f"{AGREE:.0e})",
                  notes=[("(chosen at random among the parameters whose gradient is not 0, with "
                         "the first and the last of them)")])
    return [str(table), "",
            (f"Time: backprop {count.reverse_seconds:.2f} s for all {params:,} gradients; "
            f"forward mode {seconds_per_pass:.2f} s a pass, so about "
            f"{seconds_per_pass * params / 60:,.0f} minutes for all {params:,} passes;"),
            (f"blame per path (PathFinder, which also writes each edge's formula) about "
            f"{seconds_per_product * per_path / 60:,.0f} minutes for its {per_path:,} "
            "multiplications, at the sample's speed")]


DEEPER = ([784, 16, 16, 10], [784, 16, 16, 16, 16, 10], [784, 16, 16, 16, 16, 16, 16, 10])


def deeper_lines() -> list[str]:
    """Paths multiply with depth: the neuron level of deeper networks of 16-neuron layers,
    from the layer sizes (nothing multiplied)."""
    lines = [("Deeper, at the neuron level (computed from the layer sizes): the paths multiply "
             "with every layer, backprop's edges only add up")]
    for sizes in DEEPER:
        row = structure_row("-".join(map(str, sizes)), "neurons", neuron_graph(sizes))
        c = row.costs
        lines.append(f"  {row.network:>27}: {row.paths:>18,} paths, blame per path "
                     f"{c['blame per path'].multiplications:>21,}, forward mode "
                     f"{c['forward mode'].multiplications:>12,}, reverse mode "
                     f"{c['reverse mode'].multiplications:>6,}")
    return lines


# --------------------------------------------------------------------------- the picture

def group_label(r: Row) -> str:
    reverse = r.costs["reverse mode"].multiplications
    return (f"{r.network}, {r.level}\n{r.parameters:,} parameters, {r.edges:,} edges\n"
            f"per path: {ratio(r.costs['blame per path'].multiplications, reverse)} reverse\n"
            f"forward: {ratio(r.costs['forward mode'].multiplications, reverse)} reverse")


def plot(rows: list[Row], path: Path, dpi: int) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    colors = {"blame per path": "tab:orange", "forward mode": "tab:blue",
              "reverse mode": "tab:green"}
    fig, ax = plt.subplots(figsize=(12, 6.6), dpi=dpi)
    width = 0.26
    for k, method in enumerate(METHODS):
        for i, r in enumerate(rows):
            cost = r.costs[method]
            bar = ax.bar(i + (k - 1) * width, cost.multiplications, width, color=colors[method],
                         hatch="" if cost.counted else "//", edgecolor="white",
                         label=method if i == 0 else None)
            ax.bar_label(bar, labels=[f"{cost.multiplications:,}"], fontsize=7, padding=2,
                         rotation=90 if cost.multiplications >= 10 ** 6 else 0)
    ax.set_yscale("log")
    ax.set_ylim(1, max(c.multiplications for r in rows for c in r.costs.values()) * 300)
    ax.set_xticks(range(len(rows)), [group_label(r) for r in rows], fontsize=9)
    ax.set_ylabel("multiplications (log scale)")
    ax.bar(0, 0, color="lightgray", hatch="//", edgecolor="white",
           label="hatched: computed from the graph's structure")
    ax.legend(loc="upper left", fontsize=9)
    ax.grid(axis="y", alpha=0.3, which="major")
    ax.set_title("Getting every gradient: multiplications of a local derivative by an upstream "
                 "value\nreverse mode (backprop) does each edge once and reuses each node's "
                 "gradient, as the lesson's ∂Error/∂y_pred = 26", fontsize=10.5)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


# --------------------------------------------------------------------------- the job

def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m demos.why_backprop",
        description="Count the multiplications that blame per path, forward mode and reverse "
                    "mode (backprop) need for every gradient, on the lesson's 5-weight network "
                    "and on the 784-16-16-10 digit network: a table and a bar chart.")
    parser.add_argument("--out", metavar="DIR", default="out/why_backprop",
                        help="folder for the PNG (default: out/why_backprop)")
    parser.add_argument("--quick", action="store_true",
                        help=f"run {QUICK_SAMPLE} sample parameters instead of {SAMPLE}, and "
                             "draw a smaller chart (for tests)")
    args = parser.parse_args(argv)
    return args, output_folder(parser, args.out)


def main(argv=None) -> int:
    args, out = parse_args(argv)
    began = time.perf_counter()
    print("Why backprop: every gradient, three ways, counted in multiplications of a local "
          "derivative by an upstream value\n")

    small, nodes = lesson_net()
    names = node_names(small.loss)
    print(f"The lesson's 5-weight network on (3, 2) -> 24: the engine's graph has "
          f"{len(small.order)} nodes and {small.edges} edges\n")
    for lines in (reverse_listing(small, names), path_listing(small, names, nodes["y_pred"]),
                  forward_listing(small, names), lesson_level_listing(nodes)):
        print("\n".join(lines) + "\n")
    small_count = count_engine(small, SAMPLE)
    reuse = reuse_of(small, nodes["y_pred"])
    print("The lesson: \"The term ∂Error/∂y_pred = 26 is in BOTH calculations! ... We calculate "
          "the error gradient once... then propagate it backwards, reusing calculations.\"")
    print(f"  Reverse mode makes the 26 once, with {reuse['reverse mode']} multiplications, "
          f"and all {reuse['edges below']} multiplications below y_pred start from it; "
          f"blame per path makes it again on each of the "
          f"{reuse['paths through it']} paths ({reuse['blame per path']} multiplications); "
          f"forward mode multiplies its {reuse['reverse mode']} local derivatives into each of "
          f"its {len(small.parameters)} passes ({reuse['forward mode']}).\n")

    digits = digit_net()
    print(f"The 784-16-16-10 network on a handwritten 3 (nn.MLP, seed 0; quadratic cost): the "
          f"engine's graph has {len(digits.order):,} nodes and {digits.edges:,} edges")
    digit_count = count_engine(digits, QUICK_SAMPLE if args.quick else SAMPLE)
    per_path = digit_count.row.costs["blame per path"].multiplications
    print(f"  paths from the {len(digits.parameters):,} parameters to the cost: "
          f"{digit_count.row.paths:,}, {per_path:,} edges long in all")
    print("\n".join(sample_lines(digit_count, len(digits.parameters), per_path)))
    print()

    rows = [small_count.row, structure_row("5-weight", "the lesson's nodes", lesson_graph()),
            digit_count.row, structure_row("784-16-16-10", "neurons", neuron_graph(SIZES))]
    print(costs_table(rows))
    print()
    print("\n".join(deeper_lines()))
    path = out / "why-backprop.png"
    plot(rows, path, dpi=60 if args.quick else 110)
    print(f"\nran in {time.perf_counter() - began:.1f} s")
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
