"""The 5-weight network on its three examples: forward, gradients, online and batch updates, audited.

    python -m demos.lesson_network [--out DIR]

Source: ../shared/lesson/004_08ce3b0832d56c87.txt, from "Our First AI Brain" to "Mini-batch
Learning Algorithm". The network: h1 = (x1 + w1*x2)**2, h2 = w2*x1*x2,
y_pred = w3*h1 + w4*h2 + w5, Error = (y_true - y_pred)**2; start weights w1..w5 = 1, 2, 1, 1, 0;
examples (3, 2), (1, 4), (2, 1) of the target 2*x1**2 + 3*x2; learning rate η = 0.0001 ("Learning
Rate: η = 0.0001"). Everything here is rational, so the engine works in exact fractions and
the checker judges exactly (a decimal the lesson prints is judged to the digits it wrote).
The lesson's numbers are in two worksheets, demos/worksheets/network-example1.toml (example 1:
gradients, one update, its check) and network-batch.toml (all three examples: forward pass,
gradients, their sum, the update, its check), each checked once by ``autograd.check``; the
checker itself names each slip (a factor of a path left out or taken twice, another weight's
gradient) and marks what follows from it (the totals, the new weights, the forward pass after
them).

Interpretations, as the lesson states them: online learning steps once per example, in order
(the lesson works only the first step); batch learning steps once with the SUM of the
examples' gradients ("θ = θ - η × total_gradient"); mini-batch steps with the AVERAGE over
the batch ("θ = θ - η × (total_gradient / B)"). Writes the graph of the first example
(network-example1.png and .svg).
"""  # noqa: E501 - the first line is the demo's description, which `tracegrad demos` prints

from __future__ import annotations

import sys
from fractions import Fraction as F

from autograd import Value, command
from demos.lesson_audit import Audit, demo_main, show, table, title, worksheet, write_graphs
from nn import SGD

SECTION = "network"
LR = F(1, 10000)
START = {"w1": 1, "w2": 2, "w3": 1, "w4": 1, "w5": 0}
INPUTS = [(3, 2), (1, 4), (2, 1)]
WEIGHTS = ("w1", "w2", "w3", "w4", "w5")

# "The Task: Learn a New Function": (2x1², 3x2, y_true) as printed, e.g. "2×3² + 3×2 = 18 + 6 = 24".
TARGETS = [("18", "6", "24"), ("2", "12", "14"), ("8", "3", "11")]

# "Forward Pass Results": the Difference column, "37-24 = 13" (y_pred - y_true, not a step of
# the error, so judged on its own).
DIFFERENCES = ("13", "19", "2")

# The worksheets' targets, by the lesson's tables.
FORWARD = ("inner", "h1", "h2", "y_pred", "gap", "E")
LOCALS_1 = ("dy_pred/dw5", "dy_pred/dh1", "dh1/dw1", "dh2/dw2")
GRADIENTS_1 = ("d/dy_pred", "d/dw5", "d/dw4", "d/dw3", "d/dh1", "d/dh2", "d/dw2", "d/dw1")
ONLINE_NEW = ("w5", "w4", "w3", "w2", "w1")
CHECKED = ("inner", "h1", "h2", "w3h1", "w4h2", "y_pred")
AFTER = ("inner", "h1", "h2", "w3h1", "w4h2", "w5", "y_pred", "E")


def weights(values: dict) -> dict[str, Value]:
    return {name: Value(F(values[name]), label=name) for name in WEIGHTS}


def forward(x1v, x2v, y_true, w: dict[str, Value], suffix: str = "") -> dict[str, Value]:
    """The lesson's network on one example; every node the lesson names is labelled
    (with ``suffix`` when several examples share one graph)."""
    def named(v, name):
        v.label = name + suffix
        return v

    x1, x2 = Value(F(x1v), label="x1" + suffix), Value(F(x2v), label="x2" + suffix)
    yt = Value(F(y_true), label="y_true" + suffix)
    inner = named(x1 + w["w1"] * x2, "inner")
    h1 = named(inner ** 2, "h1")
    h2 = named(w["w2"] * x1 * x2, "h2")
    w3h1 = named(w["w3"] * h1, "w3h1")
    w4h2 = named(w4h2_ := w["w4"] * h2, "w4h2")
    y = named(w3h1 + w4h2_ + w["w5"], "y_pred")
    gap = named(yt - y, "y_true-y_pred")
    error = named(gap ** 2, "error")
    return {"x1": x1, "x2": x2, "y_true": yt, "inner": inner, "h1": h1, "h2": h2,
            "w3h1": w3h1, "w4h2": w4h2, "y_pred": y, "gap": gap, "error": error}


def total(errors: list[Value], label: str) -> Value:
    out = errors[0]
    for e in errors[1:]:
        out = out + e
    out.label = label
    return out


def _calculation(note: str) -> str:
    """The lesson's calculation a worksheet note quotes, without its tag: "local: ∂h1/∂w1 =
    ..." and "example 1, ∂E/∂w1 = ..." give "∂h1/∂w1 = ..." and "∂E/∂w1 = ..."."""
    for tag in ("local: ", "example 1, "):
        if note.startswith(tag):
            return note[len(tag):]
    return note


def run(args, audit: Audit) -> None:
    title("The 5-weight network on three examples (lesson 004, 'Our First AI Brain' onwards)")
    print("h1 = (x1 + w1·x2)², h2 = w2·x1·x2, y_pred = w3·h1 + w4·h2 + w5, "
          "Error = (y_true - y_pred)²")
    print("start weights w1..w5 = 1, 2, 1, 1, 0; learning rate η = 0.0001; "
          "exact fractions throughout.")

    # ---------------------------------------------------------------- the training data
    print("\n1. The training data, target 2x1² + 3x2 ('The Task: Learn a New Function')")
    rows = []
    for (x1v, x2v), (a, b, yt) in zip(INPUTS, TARGETS):
        x1, x2 = Value(F(x1v), label="x1"), Value(F(x2v), label="x2")
        t1 = 2 * x1 ** 2
        t1.label = "2x1^2"
        t2 = 3 * x2
        t2.label = "3x2"
        y = t1 + t2
        y.label = "y_true"
        where = f"target of ({x1v}, {x2v})"
        got = audit.check(SECTION, y, [("2x1^2", a, f"{where}, 2x1²"), ("3x2", b, f"{where}, 3x2"),
                                       ("y_true", yt, f"{where}, y_true")], exact=True)
        rows.append([f"({x1v}, {x2v})", got["2x1^2"], got["3x2"], got["y_true"]])
    table(["input (x1, x2)", "2x1²", "3x2", "y_true"], rows)
    y_trues = [int(r[-1].correct) for r in rows]

    # ---------------------------------------------------------------- forward pass
    print("\n2. Forward pass at the start weights ('Forward Pass Results', and the error line)")
    batch_sheet = worksheet("network-batch")
    batch = batch_sheet.check()
    work = batch.work
    rows = []
    for i, (x1v, x2v) in enumerate(INPUTS, start=1):
        got = audit.worksheet(SECTION, batch_sheet, batch, [f"{i}:{t}" for t in FORWARD])
        facts = work.facts(0, i - 1)
        y_pred, y_true = (work.node(facts, n).data for n in ("y_pred", "y_true"))
        d = audit.number(SECTION, f"forward ({x1v}, {x2v}), Difference (y_pred - y_true)",
                         DIFFERENCES[i - 1], y_pred - y_true, label="difference")
        cells = [got[f"{i}:{t}"] for t in FORWARD]
        rows.append([f"({x1v}, {x2v})", *cells[:4], d, *cells[4:]])
    table(["input", "x1+w1·x2", "h1", "h2", "y_pred", "difference", "y_true-y_pred", "error"],
          rows)
    got = audit.worksheet(SECTION, batch_sheet, batch, ["all:E"])
    print(f"Total squared error 169 + 361 + 4 = {got['all:E'].cell()}")
    print("Note: the table's 'Difference' is y_pred - y_true (37-24 = 13) while the error line")
    print("squares y_true - y_pred ((-13)²); both conventions are checked as written, and both")
    print("square to the same error. (The 'Crime Scene' and 'Batch Step 1' slides repeat these")
    print("numbers; they are the same strings, checked once here.)")

    # ---------------------------------------------------------------- gradients, example 1
    print("\n3. Backpropagation on the first example ('Computing All Gradients: ∂E/∂w')")
    sheet = worksheet("network-example1")
    single = sheet.check()
    got = audit.worksheet(SECTION, sheet, single, LOCALS_1 + GRADIENTS_1)
    table(["the lesson's calculation", "lesson"],
          [[_calculation(item.where), item] for item in got.values()])

    # ---------------------------------------------------------------- online update
    print("\n4. Online learning, first step: update on example 1 alone ('Weight Updates')")
    got = audit.worksheet(SECTION, sheet, single, [f"{w}'" for w in ONLINE_NEW])
    grads = {w: single.work.gradient(0, w) for w in WEIGHTS}
    table(["weight", "old", "calculation", "new"],
          [[w, show(START[w]), f"{show(START[w])} - 0.0001×{show(grads[w])}", got[f"{w}'"]]
           for w in ONLINE_NEW])
    print("Its check ('Forward Pass with Updated Weights', with the lesson's NEW weights):")
    got = audit.worksheet(SECTION, sheet, single, [f"after:{t}" for t in WEIGHTS + CHECKED])
    table(["w1", "w2", "w3", "w4", "w5", "x1+w1·x2", "h1", "h2", "w3·h1", "w4·h2", "y_pred"],
          [[got[f"after:{t}"] for t in WEIGHTS + CHECKED]])
    y_before = single.work.node(single.work.facts(0, 0), "y_pred").data
    y_after = single.work.node(single.work.facts(1, 0), "y_pred").data
    far0 = audit.number(SECTION, "'How far off' before: '13 units'", "13",
                        y_before - y_trues[0], label="off")
    far1 = audit.number(SECTION, "'How far off' after one update: '~10 units' (judged ±0.5)", "10",
                        y_after - y_trues[0], label="off", tol="0.5")
    print(f"'How far off': before {far0.cell()}, after '~10' {far1.cell()} "
          f"(engine {float(y_after - y_trues[0]):.4f})")
    print("The lesson stops after this first example. The rest of the online pass, by the engine:")
    rows = []
    state = weights(START)
    for i, ((x1v, x2v), yt) in enumerate(zip(INPUTS, y_trues), start=1):
        e = forward(x1v, x2v, yt, state)["error"]
        e.backward()
        SGD(list(state.values()), lr=LR).step()
        errs = [forward(a, b, t, state)["error"].data for (a, b), t in zip(INPUTS, y_trues)]
        rows.append([f"after example {i} ({x1v}, {x2v})"]
                    + [f"{float(state[w].data):.6g}" for w in WEIGHTS]
                    + [f"{float(sum(errs)):.2f}"])
    table(["online step", *WEIGHTS, "total error (534 at start)"], rows)

    # ---------------------------------------------------------------- batch
    print("\n5. Batch learning: every example's gradient at the start weights, summed, one step")
    rows = []
    for i, (x1v, x2v) in enumerate(INPUTS, start=1):
        got = audit.worksheet(SECTION, batch_sheet, batch, [f"{i}:d/d{w}" for w in WEIGHTS])
        rows.append([f"{i} ({x1v}, {x2v})"] + [got[f"{i}:d/d{w}"] for w in WEIGHTS])
    got = audit.worksheet(SECTION, batch_sheet, batch,
                          [f"d/d{w}" for w in WEIGHTS] + [f"{w}'" for w in WEIGHTS])
    rows.append(["TOTAL"] + [got[f"d/d{w}"] for w in WEIGHTS])
    table(["example", *(f"∂E/∂{w}" for w in WEIGHTS)], rows)
    print("The update, w - 0.0001 × total gradient ('Update ONCE, at the end'):")
    table(["", *WEIGHTS], [["new value"] + [got[f"{w}'"] for w in WEIGHTS]])

    print("\nIts check ('Verification: Forward Pass with Batch-Updated Weights'), at the engine's")
    print("updated weights, with the lesson's NEW weights claimed; a later number that the")
    print("checker marks 'follows from the lesson's earlier numbers' is right arithmetic on wrong")
    print("weights:")
    got = audit.worksheet(SECTION, batch_sheet, batch, [f"after:{w}" for w in WEIGHTS])
    table(["", *WEIGHTS], [["NEW weights"] + [got[f"after:{w}"] for w in WEIGHTS]])
    rows = []
    for i, (x1v, x2v) in enumerate(INPUTS, start=1):
        got = audit.worksheet(SECTION, batch_sheet, batch, [f"after:{i}:{t}" for t in AFTER])
        rows.append([f"({x1v}, {x2v})"] + [got[f"after:{i}:{t}"] for t in AFTER])
    table(["example", "x1+w1·x2", "h1", "h2", "w3·h1", "w4·h2", "w5", "y_pred", "Error²"], rows)
    before = [work.facts(0, i).root.data for i in range(work.count)]
    after_e = [work.facts(1, i).root.data for i in range(work.count)]
    improved = all(a < b for a, b in zip(after_e, before))
    audit.statement(SECTION, "after the batch update",
                    "ALL examples improved with a single batch update!", improved,
                    "errors " + ", ".join(f"{show(b)} → {float(a):.4g}"
                                          for a, b in zip(after_e, before))
                    + (" at the engine's weights: all smaller" if improved else ""))
    audit.statements(SECTION)

    # ---------------------------------------------------------------- mini-batch
    print("\n6. Mini-batch learning ('Mini-batch Learning Algorithm'): the lesson gives the rule,")
    print("θ = θ - η × (total_gradient / B), and no numbers. The engine, B = 2 over the three")
    print("examples in order (batches {1, 2} and {3}; the last batch averages over its own size):")
    state = weights(START)
    rows = []
    data = list(zip(INPUTS, y_trues))
    for start in range(0, len(data), 2):
        batch = data[start:start + 2]
        e = total([forward(a, b, t, state)["error"] for (a, b), t in batch], "batch")
        e.backward()
        for w in state.values():
            w.grad = w.grad / len(batch)              # the average, as the lesson's rule says
        SGD(list(state.values()), lr=LR).step()
        errs = [forward(a, b, t, state)["error"].data for (a, b), t in data]
        members = ", ".join(str(start + k + 1) for k in range(len(batch)))
        new_weights = [f"{float(state[w].data):.6g}" for w in WEIGHTS]
        rows.append([f"after batch {{{members}}}", *new_weights, f"{float(sum(errs)):.2f}"])
    table(["mini-batch step", *WEIGHTS, "total error (534 at start)"], rows)
    print("Note the lesson's two rules differ by a factor: batch steps with the SUM of the")
    print("gradients, mini-batch with their AVERAGE, so a 'mini-batch' of all 3 examples would")
    print("move each weight a third as far as the lesson's batch update.")

    # ---------------------------------------------------------------- graph
    print("\nThe graph of the first example at the start weights, after backward:")
    g = forward(*INPUTS[0], y_trues[0], weights(START))["error"]
    g.backward()
    write_graphs(g, args.out, "network-example1", edge_labels=True)
    print()
    audit.differences(SECTION)


main = demo_main(run, "lesson_network", __doc__.splitlines()[0], writes_files=True)


if __name__ == "__main__":
    sys.exit(command.run(main))
