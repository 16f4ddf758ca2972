"""A user's own primitive, registered from outside the package, reaches every consumer.

The table is the only list of operations: registering one class must make it a method of
``Value`` and ``Tensor``, a function in expressions and on the command line, a row of the trace
table with its formula, a factor of paths and gradient formulas, a symbol for sympy, a labelled
edge in pictures, a claim target for the checker, a line of ``python -m autograd ops``, and a
step the random-graph generators can draw; unregistering takes all of it back.
"""

from __future__ import annotations

import math
import subprocess
import sys
import textwrap
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from hypothesis import find, strategies as st

import autograd
from autograd import OPS, Op, RegistrationError, Value, apply, gradcheck, registered
from autograd.check import check
from autograd.draw import draw
from autograd.expr import build, functions, parse
from autograd.math_namespaces import ScalarMath, SympyMath
from autograd.operators import Operators, made_from_table
from autograd.ops import operations_table
from autograd.registry import namespace_functions, register_op, unregister_op
from autograd.trace import gradient_formula, paths, trace
from domains import DOMAINS, Domain, floats
from examples import Cube
from gradcheck import check_gradients
from nn import Tensor
from nn.numpy_math import NumpyMath
from test_random_graphs import Graph, Step, engine_gradient, forward_mode_gradient, graphs

ROOT = Path(__file__).resolve().parents[1]


class Softplus(Op):
    """softplus(a) = log(1 + exp(a)): a smooth relu."""

    name = "softplus"

    @staticmethod
    def forward(m, a):
        return m.log(1 + m.exp(a))

    @staticmethod
    def local(m, out, a):
        return (1 / (1 + m.exp(-a)),)


class Hypot(Op):
    """hypot(a, b) = sqrt(a**2 + b**2)."""

    name, arity = "hypot", 2

    @staticmethod
    def forward(m, a, b):
        return m.sqrt(a * a + b * b)

    @staticmethod
    def local(m, out, a, b):
        return a / out, b / out

    @staticmethod
    def domain(m, a, b):
        if m.any((a == 0) & (b == 0)) if hasattr(a, "shape") else (a == 0 and b == 0):
            return ZeroDivisionError, "hypot's derivative is undefined at (0, 0)"
        return None


def softplus(x: float) -> float:
    return math.log1p(math.exp(x))


# ----------------------------------------------------------------------------- everywhere

def test_a_registered_op_reaches_every_consumer(tmp_path):
    with registered(Softplus):
        assert OPS["softplus"] is Softplus
        # Value and Tensor methods.
        x = Value(0.5, label="x")
        y = x.softplus() * x
        y.label = "y"
        y.backward()
        assert y.data == pytest.approx(softplus(0.5) * 0.5)
        assert x.grad == pytest.approx(softplus(0.5) + 0.5 / (1 + math.exp(-0.5)))
        t = Tensor([0.5, -1.0], dtype="float64", requires_grad=True)
        t.softplus().sum().backward()
        np.testing.assert_allclose(t.grad, 1 / (1 + np.exp(-np.array([0.5, -1.0]))))
        check_gradients(lambda v: v.softplus() * v, [0.5])

        # Expressions and the checker.
        assert "softplus" in functions() and "softplus" in parse("softplus(x)").text
        report = check("softplus(x) * x", {"x": 0.5},
                       {"f": f"{softplus(0.5) * 0.5:.6f}", "d/dx": "1"})
        assert report["f"].ok and not report["d/dx"].ok
        assert report["d/dx"].correct == pytest.approx(x.grad)

        # Trace, paths, gradient formulas and the simplifier read its rule.
        table = trace(y).table().text(width=200)
        assert "n1 = softplus(x)" in table and "∂n1/∂x = 1/(1 + exp(-x))" in table
        assert paths(y, x).total == pytest.approx(softplus(0.5) + 0.5 / (1 + math.exp(-0.5)))
        assert gradient_formula(y, x) == "x/(1 + exp(-x)) + n1"
        simplified = gradient_formula(y, x, simplify=True)
        assert "log(exp(x) + 1)" in simplified

        # Pictures, and the list of operations.
        assert "softplus" in draw(y, edge_labels=True).source
        assert "∂n1/∂x = 1/(1 + exp(-x))" in draw(y, edge_labels=True).source
        assert any(row[0] == "softplus" for row in operations_table().rows)

        # The command line, with the module that registers it imported by --import.
        module = tmp_path / "my_ops.py"
        module.write_text(textwrap.dedent('''
            from autograd import Op, register_op

            @register_op
            class Softplus(Op):
                name = "softplus"
                @staticmethod
                def forward(m, a):
                    return m.log(1 + m.exp(a))
                @staticmethod
                def local(m, out, a):
                    return (1 / (1 + m.exp(-a)),)
        '''))
        env = {"PYTHONPATH": f"{tmp_path}:{ROOT}", "PATH": "/usr/bin:/bin"}
        done = subprocess.run([sys.executable, "-m", "autograd", "grad", "softplus(x)", "x=0",
                               "--import", "my_ops"], capture_output=True, text=True, env=env,
                              cwd=tmp_path, timeout=60)
        assert done.returncode == 0, done.stderr
        assert "value: f = 0.6931471806" in done.stdout and "∂f/∂x = 0.5" in done.stdout
        listed = subprocess.run([sys.executable, "-m", "autograd", "ops", "--import", "my_ops"],
                                capture_output=True, text=True, env=env, cwd=tmp_path,
                                timeout=60)
        assert "softplus" in listed.stdout
        refused = subprocess.run([sys.executable, "-m", "autograd", "grad", "softplus(x)",
                                  "x=0"], capture_output=True, text=True, env=env, cwd=tmp_path,
                                 timeout=60)
        assert refused.returncode == 2 and "calling softplus() is not allowed" in refused.stderr

    # Taken back: no method, no function, no row.
    assert "softplus" not in OPS and not hasattr(Value, "softplus")
    assert not hasattr(Tensor, "softplus") and "softplus" not in functions()
    assert not any(row[0] == "softplus" for row in operations_table().rows)


def test_a_registered_op_is_drawn_by_the_random_graphs(monkeypatch):
    monkeypatch.setitem(DOMAINS, "softplus", Domain(
        st.tuples(floats(-5.0, 5.0)), softplus, lambda a: a.softplus(),
        graph=lambda a, p: a.softplus(), bound=lambda p, A: A + 1.0))
    with registered(Softplus):
        drawn = find(graphs(max_steps=5), lambda g: any(s.op == "softplus" for s in g.steps))
        assert any(s.op == "softplus" for s in drawn.steps)
        graph = Graph(1, (Step("softplus", (0,), None), Step("mul", (1, 0), None)))
        out, leaves, grads = engine_gradient(graph, [0.7])
        assert grads[0] == pytest.approx(forward_mode_gradient(graph, [0.7])[0], rel=1e-12)
        check_gradients(lambda v: graph.output([v]), [0.7])


def test_a_two_input_op_is_a_function_and_apply():
    with registered(Hypot):
        a, b = Value(3.0, label="a"), Value(4.0, label="b")
        h = apply("hypot", a, b)
        h.backward()
        assert (h.data, a.grad, b.grad) == (5.0, 0.6, 0.8)
        assert apply(Hypot, 3.0, b).data == 5.0       # a plain number beside a Value
        root, leaves = build("hypot(x, y) + 1", {"x": 3, "y": 4})
        root.backward()
        assert root.data == 6.0 and leaves["x"].grad == pytest.approx(0.6)
        assert not hasattr(Value, "hypot")             # two inputs: no method
        t = apply("hypot", Tensor([3.0, 0.0]), Tensor([4.0, 2.0]))
        assert t.data.tolist() == [5.0, 2.0]
        with pytest.raises(ZeroDivisionError, match="undefined at \\(0, 0\\)"):
            apply("hypot", Value(0.0), Value(0.0))
        with pytest.raises(Exception, match="hypot takes 2 arguments, got 1"):
            parse("hypot(x)")
        assert "hypot(x, y)" in str(parse.__globals__["allowed"]())


def test_registered_is_a_context_manager_that_cleans_up_after_an_error():
    with pytest.raises(RuntimeError), registered(Softplus):
        raise RuntimeError("inside")
    assert "softplus" not in OPS and not hasattr(Value, "softplus")


# ----------------------------------------------------------------------------- refusals

def _op(name="cube", arity=1, **rules):
    namespace = {"name": name, "arity": arity}
    namespace.update({k: staticmethod(v) for k, v in rules.items()})
    return type("Custom", (Op,), namespace)


GOOD = {"forward": lambda m, a: a * a * a, "local": lambda m, out, a: (3 * a * a,)}


@pytest.mark.parametrize("cls, message", [
    (_op("sin", **GOOD), "an operation named 'sin' is already in the table"),
    (_op("backward", **GOOD), "Value already has an attribute 'backward'"),
    (_op("sum", **GOOD), "Tensor already has an attribute 'sum'"),
    (_op("2x", **GOOD), "must be a Python identifier"),
    (_op("class", **GOOD), "must be a Python identifier that is not a keyword"),
    (_op("", **GOOD), "has no name"),
    (_op(local=GOOD["local"]), "has no forward; define a static method forward(m, a)"),
    (_op(forward=GOOD["forward"]), "has no local; define a static method local(m, out, a)"),
    (_op(arity=3, **GOOD), "arity must be 1 or 2"),
    (_op(arity=2, **GOOD), "forward takes 2 argument(s) but an operation of arity 2 needs "
                           "forward(m, a, b)"),
    (_op(forward=GOOD["forward"], local=lambda m, a: (3 * a * a,)),
     "local takes 2 argument(s) but an operation of arity 1 needs local(m, out, a)"),
    (_op(forward=lambda m, a: m.erf(a), local=GOOD["local"]),
     "uses m.erf, which NumPy's math namespace (nn.Tensor) does not offer"),
    (_op(forward=lambda m, a: m.no_such(a), local=GOOD["local"]),
     "uses m.no_such, which the math namespaces do not offer"),
])
def test_registering_refuses_with_a_message_naming_the_problem(cls, message):
    try:
        with pytest.raises(RegistrationError) as info:
            register_op(cls)
    finally:  # never leak an operation into the other tests
        if OPS.get(cls.name) is cls:
            unregister_op(cls.name)
    assert message in str(info.value)


def test_registering_refuses_a_symbol_other_than_the_name_and_a_constant():
    symbol = _op(**GOOD)
    symbol.symbol = "^"
    with pytest.raises(RegistrationError, match="leave symbol out or set it to 'cube'"):
        register_op(symbol)
    const = _op(forward=lambda m, a, c: a ** c, local=lambda m, out, a, c: (c * a,))
    const.takes_const = True
    with pytest.raises(RegistrationError, match="only for x \\*\\* c"):
        register_op(const)
    with pytest.raises(TypeError, match=r"takes a subclass of autograd\.Op"):
        register_op(Softplus())
    with pytest.raises(RegistrationError, match="built-in operation"):
        unregister_op("sin")
    with pytest.raises(KeyError, match="no operation named 'cube' is registered"):
        unregister_op("cube")


# ----------------------------------------------------------------------------- the table

def test_operators_and_methods_match_the_table_one_to_one():
    """Every operator and method Value and Tensor share applies exactly the operation the
    table says, and every operation written as a one-input function is a method."""
    made = made_from_table()
    function_ops = {op.name for op in OPS.values() if op.arity == 1 and op.is_function()}
    assert function_ops <= set(made) and made["exp"] is OPS["exp"]
    engines = ((Value, lambda: Value(0.75), lambda: Value(1.5)),
               (Tensor, lambda: Tensor([0.75], dtype="float64", requires_grad=True),
                lambda: Tensor([1.5], dtype="float64", requires_grad=True)))
    for name, op in made.items():
        for engine, first, second in engines:
            method = getattr(engine, name)
            assert method.__doc__ == op.__doc__, (engine, name)
            out = method(first()) if op.arity == 1 else method(first(), second())
            assert out.op is op, (engine, name)
    own = {name for name in vars(Operators) if not name.startswith("_")} - set(made)
    assert own == set(), f"Operators has methods that are not from the table: {own}"
    assert (Value(2.0) ** 3).op is OPS["pow_const"]
    assert (Value(2.0) ** Value(3.0)).op is OPS["pow"] and (2 ** Value(3.0)).op is OPS["pow"]


def test_every_math_namespace_offers_every_function_the_rules_use():
    used: dict[str, set[str]] = {}
    for op in OPS.values():
        for rule in ("forward", "local", "formulas", "domain"):
            for name in namespace_functions(getattr(op, rule)):
                used.setdefault(name, set()).add(f"{op.name}.{rule}")
    assert {"exp", "log", "sqrt", "sin", "cos", "tanh", "step", "sign"} <= set(used)
    for namespace in (ScalarMath, NumpyMath, SympyMath):
        missing = {name: where for name, where in used.items()
                   if name != "any" and not hasattr(namespace, name)}
        assert missing == {}, f"{namespace!r} lacks {missing}"
    assert hasattr(ScalarMath, "any") and hasattr(NumpyMath, "any")
    # The same names work for scalars, arrays and sympy alike.
    import sympy

    for name in ("exp", "log", "sqrt", "sin", "cos", "tanh"):
        assert getattr(ScalarMath, name)(0.5) == pytest.approx(
            float(getattr(NumpyMath, name)(np.array(0.5))))
        assert float(getattr(SympyMath, name)(sympy.Rational(1, 2))) == pytest.approx(
            getattr(ScalarMath, name)(0.5))


# ----------------------------------------------------------------------------- gradcheck

class WrongCube(Cube):
    @staticmethod
    def local(m, out, a):
        return (2 * a * a,)   # d/da a**3 written as 2*a**2


def test_gradcheck_catches_a_wrong_rule_and_names_the_input():
    assert gradcheck(Cube, 1.5).ok
    report = gradcheck(WrongCube, 1.5)
    assert not report.ok
    (row,) = report.wrong
    assert row.name == "a" and row.analytic == 4.5 and row.numerical == pytest.approx(6.75)
    assert row.difference == pytest.approx(-2.25)
    text = str(report)
    assert "is wrong for a" in text and "4.5" in text and "6.75" in text and "WRONG" in text


def test_gradcheck_of_functions_constants_and_domains():
    report = gradcheck(lambda x, y: x * y.sin(), 2.0, 0.5)
    assert report.ok and [row.name for row in report.rows] == ["x", "y"]
    assert gradcheck(OPS["pow_const"], 2.0, 3).rows[0].analytic == 12.0
    assert gradcheck(OPS["div"], 1.0, 4.0).ok
    with pytest.raises(ValueError, match="outside its domain: log needs a positive input"):
        gradcheck(OPS["log"], -1.0)
    with pytest.raises(ValueError, match="needs 2 number"):
        gradcheck(OPS["mul"], 1.0)
    with pytest.raises(TypeError, match="must return a Value"):
        gradcheck(lambda x: 3.0, 1.0)
    with registered(WrongCube):
        assert not gradcheck(lambda x: x.cube(), 1.5).ok   # through backward() as well


# ----------------------------------------------------------------------------- the new built-ins

def test_sqrt_is_exact_on_rational_roots_and_refuses_negatives():
    x = Value(Fraction(9, 4))
    y = x.sqrt()
    y.backward()
    assert y.data == Fraction(3, 2) and x.grad == Fraction(1, 3)
    with pytest.warns(autograd.InexactWarning, match="sqrt of an exact number"):
        assert Value(Fraction(2)).sqrt().data == pytest.approx(math.sqrt(2))
    with pytest.raises(ValueError, match=r"sqrt\(x=-1\.0\) is undefined: sqrt needs an input >= 0"):
        Value(-1.0, label="x").sqrt()
    with pytest.raises(ZeroDivisionError, match=r"the local derivative of sqrt\(0\.0\)"):
        Value(0.0).sqrt().backward()
    with pytest.raises(ValueError, match="sqrt of tensors with shapes \\(2,\\) is undefined"):
        Tensor([4.0, -1.0]).sqrt()


def test_abs_convention_at_zero_and_sign():
    for zero in (0, 0.0, Fraction(0)):
        x = Value(zero)
        y = abs(x)
        y.backward()
        assert y.data == 0 and x.grad == 0           # the subgradient 0, as PyTorch
    x = Value(Fraction(-3, 4))
    y = abs(x)
    y.backward()
    assert y.data == Fraction(3, 4) and x.grad == -1
    t = Tensor([-2.0, 0.0, 3.0], requires_grad=True)
    abs(t).sum().backward()
    assert t.grad.tolist() == [-1.0, 0.0, 1.0]


def test_the_new_operations_work_on_the_command_line():
    done = subprocess.run([sys.executable, "-m", "autograd", "grad",
                           "sqrt(x) + sin(x) * cos(x) + abs(x - 3)", "x=4"],
                          capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert done.returncode == 0, done.stderr
    want = 1 / 4 + math.cos(8) + 1                      # 1/(2 sqrt 4) + cos(2x) + sign(x - 3)
    grad_line = next(line for line in done.stdout.splitlines() if "∂f/∂x" in line)
    assert float(grad_line.split("=")[1]) == pytest.approx(want, rel=1e-9)
    exact = subprocess.run([sys.executable, "-m", "autograd", "grad", "sqrt(x) * x", "x=9/4",
                            "--exact"], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert "value: f = 27/8 (= 3.375)" in exact.stdout
    assert "∂f/∂x = 9/4 (= 2.25)" in exact.stdout         # 3/2 * sqrt(x) = 9/4
