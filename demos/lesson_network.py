"""The 5-weight network on its three examples: forward, gradients, online and batch updates, audited.

    python -m demos.lesson_network [--out DIR]

Source: ../shared/lesson/004_08ce3b0832d56c87.txt, from "Our First AI Brain" to "Mini-batch
Learning Algorithm". The network: h1 = (x1 + w1*x2)**2, h2 = w2*x1*x2,
y_pred = w3*h1 + w4*h2 + w5, Error = (y_true - y_pred)**2; start weights w1..w5 = 1, 2, 1, 1, 0;
examples (3, 2), (1, 4), (2, 1) of the target 2*x1**2 + 3*x2; learning rate η = 0.0001 ("Learning
Rate: η = 0.0001"). Everything here is rational, so the engine works in exact fractions and
the checker judges exactly (a decimal the lesson prints is judged to the digits it wrote).

Interpretations, as the lesson states them: online learning steps once per example, in order
(the lesson works only the first step); batch learning steps once with the SUM of the
examples' gradients ("θ = θ - η × total_gradient"); mini-batch steps with the AVERAGE over
the batch ("θ = θ - η × (total_gradient / B)"). Writes the graph of the first example
(network-example1.png and .svg).
"""

from __future__ import annotations

import sys
from fractions import Fraction as F

from autograd import Value, command
from autograd.trace import paths
from demos.lesson_audit import Audit, Hint, Item, demo_main, show, table, title, write_graphs
from nn import SGD

SECTION = "network"
LR = F(1, 10000)
START = {"w1": 1, "w2": 2, "w3": 1, "w4": 1, "w5": 0}
INPUTS = [(3, 2), (1, 4), (2, 1)]
WEIGHTS = ("w1", "w2", "w3", "w4", "w5")

# "The Task: Learn a New Function": (2x1², 3x2, y_true) as printed, e.g. "2×3² + 3×2 = 18 + 6 = 24".
TARGETS = [("18", "6", "24"), ("2", "12", "14"), ("8", "3", "11")]

# "Forward Pass Results": inner (x1+w1x2), h1, h2, y_pred, difference "37-24 = 13";
# then "Error = (-13)² + (-19)² + (-2)²" and "Error = 169 + 361 + 4", "Total Squared Error = 534".
FORWARD = [("5", "25", "12", "37", "13", "-13", "169"),
           ("5", "25", "8", "33", "19", "-19", "361"),
           ("3", "9", "4", "13", "2", "-2", "4")]
TOTAL_ERROR = "534"

# "Computing All Gradients: ∂E/∂w", example 1, "Actual Calculations" (and the w5, w1 slides).
GRADIENTS_1 = [("d/dy_pred", "26", "∂E/∂y_pred = 2(37 - 24) = 26"),
               ("d/dw5", "26", "∂E/∂w5 = 26 × 1 = 26"),
               ("d/dw4", "312", "∂E/∂w4 = 26 × 12 = 312"),
               ("d/dw3", "650", "∂E/∂w3 = 26 × 25 = 650"),
               ("d/dh1", "26", "∂E/∂h1 = 26×1 = 26"),
               ("d/dh2", "26", "∂E/∂h2 = 26×1 = 26"),
               ("d/dw2", "156", "∂E/∂w2 = 26 × (3×2) = 26 × 6 = 156"),
               ("d/dw1", "520", "∂E/∂w1 = 26 × 2×(3+1×2)×2 = 520")]
# Local derivatives the lesson works out on the way: (output, target, written, where).
LOCALS_1 = [("y_pred", "d/dw5", "1", "∂y_pred/∂w5 = 1 ('the rest are constants')"),
            ("y_pred", "d/dh1", "1", "∂y_pred/∂h1 = w3 = 1"),
            ("h1", "d/dw1", "20", "∂h1/∂w1 = 2×(3+1×2)×2 = 20"),
            ("h2", "d/dw2", "6", "∂h2/∂w2 = x1×x2 = 3×2 = 6")]

# "Weight Updates" (online, example 1): new weights as printed.
ONLINE_NEW = {"w5": "-0.0026", "w4": "0.9688", "w3": "0.935", "w2": "1.9844", "w1": "0.948"}
# "Forward Pass with Updated Weights": 4.896, 23.97, 11.91, 22.41 + 11.54 - 0.0026 = 33.95.
ONLINE_CHECK = [("inner", "4.896"), ("h1", "23.97"), ("h2", "11.91"), ("w3h1", "22.41"),
                ("w4h2", "11.54"), ("y_pred", "33.95")]

# "Step 2: Calculate Gradients for ALL Examples" and "Step 3: Sum the Blame": w1..w5 per row.
BATCH_GRADIENTS = [("520", "156", "650", "312", "26"),
                   ("380", "152", "950", "304", "38"),
                   ("24", "16", "36", "16", "4")]
BATCH_TOTAL = ("924", "324", "1636", "632", "68")
BATCH_NEW = ("0.9076", "1.9676", "0.8364", "0.9368", "-0.0068")
# "Verification: Forward Pass with Batch-Updated Weights", per example:
# inner, h1, h2, w3h1, w4h2, y_pred, Error² ("(24-30.45)² = 41.6").
BATCH_CHECK = [("4.8152", "23.19", "11.81", "19.40", "11.06", "30.45", "41.6"),
               ("4.6304", "21.44", "7.87", "17.93", "7.37", "25.29", "127.5"),
               ("2.9076", "8.45", "3.94", "7.07", "3.69", "10.75", "0.06")]


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


def gradient_hints(root: Value, lesson_row: dict[str, str] | None = None):
    """Explanations for a wrong gradient found from the numbers: a factor of its one path
    dropped or doubled, another weight's gradient, or the sum of the lesson's own rows."""
    def hints(item: Item):
        claim = item.claim
        if claim.kind != "gradient":
            return None
        yours, correct = F(claim.yours), F(claim.correct)
        found = []
        ps = paths(root, claim.node)
        if len(ps) == 1:
            for formula, local in zip(ps[0].formulas, ps[0].locals):
                if local in (0, 1, -1):
                    continue
                if yours * local == correct:
                    found.append(f"it is the path's product without the factor {formula} = "
                                 f"{show(local)}")
                    break
                if yours == correct * local:
                    found.append(f"it is the path's product with the factor {formula} = "
                                 f"{show(local)} taken twice")
                    break
        for leaf in WEIGHTS:
            others = [n for n in ps.names if n == leaf]
            if leaf == claim.name or others:
                continue
            try:
                other = _grad(root, leaf)
            except KeyError:
                continue
            if other == yours:
                found.append(f"it equals this example's ∂E/∂{leaf} ({show(other)}), as if "
                             f"{leaf}'s formula had been used")
        if lesson_row and claim.name in lesson_row:
            parts = lesson_row[claim.name]
            if sum(F(p) for p in parts) == yours:
                return Hint("; ".join(found + [
                    f"it is the sum of the lesson's own rows ({' + '.join(parts)}), so it "
                    "follows from the per-example numbers above"]), follows=True)
        return "; ".join(found) or None
    return hints


def _grad(root: Value, name: str):
    from autograd.graph import topological_order
    nodes = [n for n in topological_order(root) if n.label == name]
    if not nodes:
        raise KeyError(name)
    root.zero_grad()
    root.backward()
    g = nodes[0].grad
    root.zero_grad()
    return g


def run(args, audit: Audit) -> None:
    title("The 5-weight network on three examples (lesson 004, 'Our First AI Brain' onwards)")
    print("h1 = (x1 + w1·x2)², h2 = w2·x1·x2, y_pred = w3·h1 + w4·h2 + w5, Error = (y_true - y_pred)²")
    print("start weights w1..w5 = 1, 2, 1, 1, 0; learning rate η = 0.0001; exact fractions throughout.")

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
    w0 = weights(START)
    nets = [forward(x1v, x2v, yt, w0) for (x1v, x2v), yt in zip(INPUTS, y_trues)]
    rows = []
    for (x1v, x2v), net, (inner, h1, h2, y, diff, gap, err) in zip(INPUTS, nets, FORWARD):
        where = f"forward ({x1v}, {x2v})"
        got = audit.check(SECTION, net["error"], [
            ("inner", inner, f"{where}, x1 + w1·x2"), ("h1", h1, f"{where}, h1"),
            ("h2", h2, f"{where}, h2"), ("y_pred", y, f"{where}, y_pred"),
            ("y_true-y_pred", gap, f"{where}, y_true - y_pred in 'Error = (-13)² + ...'"),
            ("error", err, f"{where}, squared error")], exact=True)
        d = audit.number(SECTION, f"{where}, Difference (y_pred - y_true)", diff,
                         net["y_pred"].data - net["y_true"].data, label="difference")
        rows.append([f"({x1v}, {x2v})", got["inner"], got["h1"], got["h2"], got["y_pred"], d,
                     got["y_true-y_pred"], got["error"]])
    table(["input", "x1+w1·x2", "h1", "h2", "y_pred", "difference", "y_true-y_pred", "error"],
          rows)
    E0 = total([n["error"] for n in nets], "total")
    got = audit.check(SECTION, E0, [("total", TOTAL_ERROR, "'Total Squared Error = 534'")],
                      exact=True)
    print(f"Total squared error 169 + 361 + 4 = {got['total'].cell()}")
    print("Note: the table's 'Difference' is y_pred - y_true (37-24 = 13) while the error line")
    print("squares y_true - y_pred ((-13)²); both conventions are checked as written, and both")
    print("square to the same error. (The 'Crime Scene' and 'Batch Step 1' slides repeat these")
    print("numbers; they are the same strings, checked once here.)")

    # ---------------------------------------------------------------- gradients, example 1
    print("\n3. Backpropagation on the first example ('Computing All Gradients: ∂E/∂w')")
    net = nets[0]
    rows = []
    for out, target, written, where in LOCALS_1:
        item = audit.check(SECTION, net[out], [(target, written, f"local: {where}")],
                           exact=True)[target]
        rows.append([where, item])
    got = audit.check(SECTION, net["error"], [(t, w, f"example 1, {where}")
                                              for t, w, where in GRADIENTS_1],
                      exact=True, hints=gradient_hints(net["error"]))
    rows += [[where, got[t]] for t, _, where in GRADIENTS_1]
    table(["the lesson's calculation", "lesson"], rows)

    # ---------------------------------------------------------------- online update
    print("\n4. Online learning, first step: update on example 1 alone ('Weight Updates')")
    got = audit.check(SECTION, net["error"], [(f"{w}'", ONLINE_NEW[w], f"online step 1, new {w}")
                                              for w in ONLINE_NEW], lr=LR, exact=True)
    table(["weight", "old", "calculation", "new"],
          [[w, show(w0[w].data), f"{show(w0[w].data)} - 0.0001×{show(_grad(net['error'], w))}",
            got[f"{w}'"]] for w in ONLINE_NEW])
    w_online = weights(START)
    online = [forward(x1v, x2v, yt, w_online) for (x1v, x2v), yt in zip(INPUTS, y_trues)]
    online[0]["error"].backward()
    SGD(list(w_online.values()), lr=LR).step()
    after = forward(*INPUTS[0], y_trues[0], w_online)
    print("Its check ('Forward Pass with Updated Weights', with the lesson's NEW weights):")
    claims = [(w, ONLINE_NEW[w], f"online check, NEW {w}") for w in WEIGHTS]
    claims += [(t, v, f"online check, {t}") for t, v in ONLINE_CHECK]
    got = audit.check(SECTION, after["error"], claims, exact=True)
    table(["w1", "w2", "w3", "w4", "w5", "x1+w1·x2", "h1", "h2", "w3·h1", "w4·h2", "y_pred"],
          [[got[w] for w in WEIGHTS] + [got[t] for t, _ in ONLINE_CHECK]])
    far0 = audit.number(SECTION, "'How far off' before: '13 units'", "13",
                        nets[0]["y_pred"].data - y_trues[0], label="off")
    far1 = audit.number(SECTION, "'How far off' after one update: '~10 units' (judged ±0.5)", "10",
                        after["y_pred"].data - y_trues[0], label="off", tol="0.5")
    print(f"'How far off': before {far0.cell()}, after '~10' {far1.cell()} "
          f"(engine {float(after['y_pred'].data - y_trues[0]):.4f})")
    print("The lesson stops after this first example. The rest of the online pass, by the engine:")
    rows = [["start", *(show(w_online[w].data) for w in ())]]
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
    lesson_rows = {w: [] for w in WEIGHTS}
    for i, ((x1v, x2v), net, written) in enumerate(zip(INPUTS, nets, BATCH_GRADIENTS), start=1):
        got = audit.check(SECTION, net["error"],
                          [(f"d/d{w}", v, f"batch gradients, example {i} ({x1v}, {x2v}), ∂E/∂{w}")
                           for w, v in zip(WEIGHTS, written)],
                          exact=True, hints=gradient_hints(net["error"]))
        rows.append([f"{i} ({x1v}, {x2v})"] + [got[f"d/d{w}"] for w in WEIGHTS])
        for w, v in zip(WEIGHTS, written):
            lesson_rows[w].append(v)
    got = audit.check(SECTION, E0, [(f"d/d{w}", v, f"batch TOTAL gradient, ∂E/∂{w}")
                                    for w, v in zip(WEIGHTS, BATCH_TOTAL)]
                      + [(f"{w}'", v, f"batch update, new {w}") for w, v in zip(WEIGHTS, BATCH_NEW)],
                      lr=LR, exact=True, hints=gradient_hints(E0, lesson_rows))
    rows.append(["TOTAL"] + [got[f"d/d{w}"] for w in WEIGHTS])
    table(["example", *(f"∂E/∂{w}" for w in WEIGHTS)], rows)
    print("The update, w - 0.0001 × total gradient ('Update ONCE, at the end'):")
    table(["", *WEIGHTS], [["new value"] + [got[f"{w}'"] for w in WEIGHTS]])

    w_batch = weights(START)
    batch_nets = [forward(x1v, x2v, yt, w_batch) for (x1v, x2v), yt in zip(INPUTS, y_trues)]
    E = total([n["error"] for n in batch_nets], "total")
    E.backward()                                   # one backward of the sum = summed gradients
    SGD(list(w_batch.values()), lr=LR).step()
    print("\nIts check ('Verification: Forward Pass with Batch-Updated Weights'), at the engine's")
    print("updated weights, with the lesson's NEW weights claimed; a later number that the")
    print("checker marks 'follows from the lesson's earlier numbers' is right arithmetic on wrong")
    print("weights:")
    checked = [forward(x1v, x2v, yt, w_batch, suffix=f"_{i}")
               for i, ((x1v, x2v), yt) in enumerate(zip(INPUTS, y_trues), start=1)]
    E_after = total([n["error"] for n in checked], "total_after")
    names = ("inner", "h1", "h2", "w3h1", "w4h2", "y_pred", "error")
    claims = [(w, v, f"batch check, NEW {w}") for w, v in zip(WEIGHTS, BATCH_NEW)]
    for i, ((x1v, x2v), written) in enumerate(zip(INPUTS, BATCH_CHECK), start=1):
        claims += [(f"{n}_{i}", v, f"batch check ({x1v}, {x2v}), {n}") for n, v in zip(names, written)]
    got = audit.check(SECTION, E_after, claims, exact=True,
                      follows=lambda item: "the batch update above"
                      if item.claim.name in WEIGHTS else None)
    table(["", *WEIGHTS], [["NEW weights"] + [got[w] for w in WEIGHTS]])
    rows = []
    for i, (x1v, x2v) in enumerate(INPUTS, start=1):
        rounded_w5 = audit.number(SECTION, f"batch check ({x1v}, {x2v}), w5 shown as '- 0.01'",
                                  "-0.01", w_batch["w5"].data, label="w5")
        rows.append([f"({x1v}, {x2v})"] + [got[f"{n}_{i}"] for n in names[:5]] + [rounded_w5]
                    + [got[f"{n}_{i}"] for n in names[5:]])
    table(["example", "x1+w1·x2", "h1", "h2", "w3·h1", "w4·h2", "w5", "y_pred", "Error²"], rows)
    before = [n["error"].data for n in nets]
    after_e = [n["error"].data for n in checked]
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
        rows.append([f"after batch {{{members}}}"] + [f"{float(state[w].data):.6g}" for w in WEIGHTS]
                    + [f"{float(sum(errs)):.2f}"])
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
