"""Expressions from text: the whitelist parser refuses hostile input, and builds the right graph."""

from __future__ import annotations

import ast
import builtins
import contextlib
import math
import random
import time
import warnings
from fractions import Fraction

import pytest

from autograd import Value
from autograd.expr import (
    MAX_DEPTH,
    MAX_EXPONENT,
    Expression,
    ExpressionError,
    build,
    parse,
    parse_number,
)
from autograd.ops import Pow, PowConst


@pytest.fixture
def no_code_execution(monkeypatch):
    """Fail the test if anything is eval'd, exec'd or compiled to code (an AST is fine)."""
    real_compile = builtins.compile

    def forbidden(*args, **kwargs):
        raise AssertionError("eval/exec was called")

    def ast_only(source, filename, mode, flags=0, *args, **kwargs):
        assert flags & ast.PyCF_ONLY_AST, "compile() was asked for code, not an AST"
        return real_compile(source, filename, mode, flags, *args, **kwargs)

    monkeypatch.setattr(builtins, "eval", forbidden)
    monkeypatch.setattr(builtins, "exec", forbidden)
    monkeypatch.setattr(builtins, "compile", ast_only)


# ----------------------------------------------------------------------------- refusals

HOSTILE = [
    # (expression, words the message must contain)
    ("__import__('os').system('echo hacked')", "attribute access (.system)"),
    ("().__class__", "attribute access (.__class__)"),
    ("().__class__.__bases__[0].__subclasses__()", "attribute access"),
    ("x.real", "attribute access (.real)"),
    ("x[0]", "subscripts"),
    ("x[1:2]", "subscripts"),
    ("__builtins__", "double underscores (__builtins__)"),
    ("open('/etc/passwd')", "calling open() is not allowed"),
    ("ln(x)", "log is the natural logarithm: write log(x)"),
    ("exp(x, 2)", "exp takes one argument, got 2"),
    ("log()", "log takes one argument, got 0"),
    ("log(x, base=2)", "keyword arguments (base=...)"),
    ("exp(*x)", "starred expressions"),
    ("(lambda: 1)()", "lambda functions"),
    ("lambda: 1", "lambda functions"),
    ("[i for i in x]", "comprehensions"),
    ("{i for i in x}", "comprehensions"),
    ("sum(i for i in x)", "calling sum()"),
    ("'a'", "strings are not allowed"),
    ("b'a'", "bytes are not allowed"),
    ("f'{x}'", "f-strings"),
    ("x < 1", "comparisons"),
    ("x and y", "boolean operators (and, or)"),
    ("not x", "boolean operators (not)"),
    ("x if y else z", "conditional expressions"),
    ("(y := 3)", "assignment expressions (:=)"),
    ("[x, y]", "lists are not allowed"),
    ("(x, y)", "tuples"),
    ("{x: y}", "dicts are not allowed"),
    ("{x}", "sets are not allowed"),
    ("True + x", "True is not a number"),
    ("None", "None is not a number"),
    ("1j * x", "complex numbers"),
    ("x // 2", "// (floor division)"),
    ("x % 2", "% (remainder)"),
    ("x ^ 2", "write x ** 2"),
    ("x @ y", "@ (matrix product)"),
    ("~x", "~ (bitwise not)"),
    ("import os", "import statements are not allowed"),
    ("from os import system", "import statements are not allowed"),
    ("x; y", "name each step, as in h = x**2; y = 3*h"),
    ("y = x ** 2; import os", "import statements are not allowed"),
    ("y = x.real", "attribute access (.real) is not allowed"),
    ("h = x**2; y = __import__('os')", "calling __import__() is not allowed"),
    ("__y = x", "names with double underscores"),
    ("2 * (x +", "not a valid expression"),
    ("exp", "exp is a function"),
    ("9**9**9", "a power inside a constant exponent"),
    ("x ** (2 ** 2000)", "a power inside a constant exponent"),
    ("10**100000", "the exponent 100000 is too large"),
    (f"x ** {MAX_EXPONENT + 1}", f"the exponent {MAX_EXPONENT + 1} is too large"),
    (f"x ** -{MAX_EXPONENT + 1}", "is too large"),
    ("x ** (1/0)", "division by zero in a constant exponent"),
    ("1" * 150, "has 150 digits"),
    ("1e999 * x", "too large for a float"),
    ("1e-400 * x", "too small for a float"),
    ("x" * 1_000_000, "1,000,000 characters long"),
    ("1+" * 150 + "1", f"nested more than {MAX_DEPTH} levels"),
    ("(" * 150 + "x" + ")" * 150, f"nested more than {MAX_DEPTH} levels"),
    ("-" * 9000 + "1", f"nested more than {MAX_DEPTH} levels"),
    ("2**" * 3000 + "2", f"nested more than {MAX_DEPTH} levels"),
    ("1" * 5000, "more than 100 digits"),
    ("", "empty"),
]


@pytest.mark.parametrize("text, message", HOSTILE, ids=[h[0][:30] for h in HOSTILE])
def test_refused_with_its_own_message(text, message, no_code_execution):
    start = time.perf_counter()
    with pytest.raises(ExpressionError) as info:
        parse(text)
    assert message in str(info.value)
    assert time.perf_counter() - start < 1.0  # nothing is computed, whatever the input


def test_nothing_runs_for_a_payload(tmp_path, no_code_execution):
    marker = tmp_path / "pwned"
    payloads = [f"__import__('os').system('touch {marker}')",
                f"exp(__import__('os').system('touch {marker}'))",
                f"[__import__('os').system('touch {marker}') for _ in [1]]",
                f"(lambda: __import__('os').system('touch {marker}'))()"]
    for payload in payloads:
        with pytest.raises(ExpressionError):
            build(payload, {})
    assert not marker.exists()


def test_message_points_at_the_construct():
    with pytest.raises(ExpressionError) as info:
        parse("2*x + y.real")
    error = info.value
    assert (error.line, error.column) == (1, 7)
    assert str(error).splitlines()[1:3] == ["  2*x + y.real", "        ^^^^^^"]
    # Columns count characters, not the UTF-8 bytes that ast counts.
    with pytest.raises(ExpressionError) as info:
        parse("αβ + y.z")
    assert info.value.column == 6


def test_all_problems_are_named_once():
    with pytest.raises(ExpressionError) as info:
        parse("__import__('os').system('ls')")
    text = str(info.value)
    assert "also refused: calling __import__()" in text and "strings (column 12)" in text


def test_limits_are_inclusive():
    parse(f"x ** {MAX_EXPONENT}")
    parse(f"x ** -{MAX_EXPONENT}")
    parse("1+" * (MAX_DEPTH - 1) + "1")       # depth exactly MAX_DEPTH
    parse("1" * 100)                           # 100 digits
    parse("(" * MAX_DEPTH + "x" + ")" * MAX_DEPTH)


def test_parse_needs_text():
    with pytest.raises(TypeError):
        parse(42)


# ----------------------------------------------------------------------------- accepted

def test_variables_in_order_of_first_appearance():
    e = parse(" sigmoid(w*x + b) ** 2 + relu(x) - log(w) ")
    assert isinstance(e, Expression)
    assert e.variables == ("w", "x", "b")
    assert e.text == "sigmoid(w*x + b) ** 2 + relu(x) - log(w)"
    assert parse("3 * 4").variables == ()


def _sigmoid(z):
    return 1 / (1 + math.exp(-z))


CASES = [
    ("((2*x1 + x2)**2 + 3*x2**2)**3", {"x1": 0.3, "x2": -0.7},
     lambda x1, x2: ((2 * x1 + x2) ** 2 + 3 * x2 ** 2) ** 3),
    ("sigmoid(w*x + b)", {"w": 0.8, "x": -1.3, "b": 0.25},
     lambda w, x, b: _sigmoid(w * x + b)),
    ("tanh(a) * exp(-a / 2) + log(a + 3)", {"a": 0.6},
     lambda a: math.tanh(a) * math.exp(-a / 2) + math.log(a + 3)),
    ("relu(u - 1) * u ** -2 + u ** 0.5", {"u": 2.3},
     lambda u: max(u - 1, 0) * u ** -2 + u ** 0.5),
    ("x ** y - y / x", {"x": 1.7, "y": 0.4}, lambda x, y: x ** y - y / x),
    ("-(p - q) ** 2 + +p", {"p": 0.9, "q": -0.2}, lambda p, q: -(p - q) ** 2 + p),
    ("2 ** t * 1.5e-1", {"t": 1.25}, lambda t: 2 ** t * 0.15),
]


@pytest.mark.parametrize("text, values, reference", CASES, ids=[c[0] for c in CASES])
def test_value_and_gradients_match_python_and_central_differences(text, values, reference):
    root, leaves = build(text, values)
    assert root.data == pytest.approx(reference(**values), rel=1e-12)
    root.backward()
    h = 1e-6
    for name in values:
        up = dict(values, **{name: values[name] + h})
        down = dict(values, **{name: values[name] - h})
        numeric = (reference(**up) - reference(**down)) / (2 * h)
        assert leaves[name].grad == pytest.approx(numeric, rel=1e-6, abs=1e-8), name


def test_the_lessons_chain_rule_example_in_integers():
    root, leaves = build("((2*x1 + x2)**2 + 3*x2**2)**3", {"x1": 3, "x2": 2})
    root.backward()
    u, v = 2 * 3 + 2, (2 * 3 + 2) ** 2 + 3 * 2 ** 2
    assert root.data == v ** 3
    assert leaves["x1"].grad == 3 * v ** 2 * 2 * u * 2
    assert leaves["x2"].grad == 3 * v ** 2 * (2 * u + 6 * 2)


def test_exact_mode_is_exact():
    x, y = Fraction(1, 2), Fraction(3, 4)
    root, leaves = build("x/3 + x*y - y**2/x", {"x": "1/2", "y": "0.75"}, exact=True)
    root.backward()
    assert root.data == x / 3 + x * y - y ** 2 / x
    assert leaves["x"].grad == Fraction(1, 3) + y + y ** 2 / x ** 2
    assert leaves["y"].grad == x - 2 * y / x
    for value in (root.data, leaves["x"].grad, leaves["y"].grad):
        assert isinstance(value, Fraction)


def test_exact_mode_reads_decimals_as_written():
    root, _ = build("x + 0.1", {"x": "0.2"}, exact=True)
    assert root.data == Fraction(3, 10)
    root, _ = build("x + 0.1", {"x": 0.2}, exact=True)  # a float value: from its repr
    assert root.data == Fraction(3, 10)
    root, _ = build("x + 0.1", {"x": 0.2})               # floats: the usual rounding
    assert root.data == 0.2 + 0.1 != 0.3
    root, _ = build("1 / 3", {}, exact=True)
    assert root.data == Fraction(1, 3)


def test_values_are_kept_or_read_not_evaluated():
    _, leaves = build("a * b * c", {"a": 3, "b": "3/4", "c": "-2"})
    assert leaves["a"].data == 3 and isinstance(leaves["a"].data, int)
    assert leaves["b"].data == 0.75 and leaves["c"].data == -2
    with pytest.raises(ExpressionError, match="never evaluated"):
        build("x", {"x": "2*3"})
    with pytest.raises(ExpressionError, match="never evaluated"):
        build("x", {"x": "__import__('os')"})
    for bad in (float("nan"), float("inf"), "1e999", True, "1" * 200):
        with pytest.raises(ExpressionError):
            build("x", {"x": bad})


def test_missing_and_unused_values_are_named():
    with pytest.raises(ExpressionError, match="no value given for x2; the expression uses x1, x2"):
        build("x1 * x2", {"x1": 1})
    with pytest.raises(ExpressionError, match="values given for z, which the expression does "
                                              "not use"):
        build("x1 * x2", {"x1": 1, "x2": 2, "z": 3})
    with pytest.raises(ExpressionError, match=r"for e \*\* x write exp\(x\)"):
        build("e ** x", {"x": 1})


def test_graph_shape_leaves_labelled_intermediates_not():
    root, leaves = build("x * x + 2 * x - -3", {"x": 5})
    assert list(leaves) == ["x"] and leaves["x"].label == "x"
    assert root.data == 5 * 5 + 2 * 5 + 3
    square = root.parents[0].parents[0]
    assert square.parents == (leaves["x"], leaves["x"])  # one leaf, used twice
    assert root.label is None and square.label is None
    minus_three = root.parents[1]
    assert minus_three.op is None and minus_three.data == -3 and minus_three.label is None
    root.backward()
    assert leaves["x"].grad == 2 * 5 + 2


def test_constant_exponents_stay_plain_numbers():
    root, _ = build("x ** 2", {"x": -3})
    assert root.op is PowConst and root.const == 2 and root.data == 9
    root, _ = build("x ** (1/2)", {"x": 4})
    assert root.op is PowConst and root.const == 0.5 and root.data == 2
    root, _ = build("x ** -1", {"x": "1/4"}, exact=True)
    assert root.const == -1 and root.data == 4
    root, _ = build("2 ** x", {"x": 3})
    assert root.op is Pow and root.data == 8


def test_arithmetic_errors_are_located():
    with pytest.raises(ExpressionError, match="log needs a positive input, at column 5"):
        build("1 + log(x)", {"x": -1})
    with pytest.raises(ExpressionError, match="division by zero"):
        build("1 / (x - 2)", {"x": 2})
    with pytest.raises(ExpressionError, match="overflows"):
        build("exp(x)", {"x": 1000})
    with pytest.raises(ExpressionError, match="overflows"):
        build("x * x", {"x": 1e200})


def test_nothing_can_grow_without_bound():
    start = time.perf_counter()
    with pytest.raises(ExpressionError, match="exact numbers are limited to 100,000 bits"):
        build("(x ** 1000) ** 1000", {"x": 3})
    with pytest.raises(ExpressionError, match="the exponent 5000 is too large"):
        build("x ** y", {"x": 2, "y": 5000})
    with pytest.raises(ExpressionError, match="exact numbers are limited to 100,000 bits"):
        build("((x ** 1000) ** 1000) ** 1000", {"x": Fraction(3, 2)}, exact=True)
    assert time.perf_counter() - start < 1.0


def test_build_accepts_a_parsed_expression_and_checks_values_type():
    e = parse("a + 1")
    root, _ = build(e, {"a": 1})
    assert root.data == 2
    with pytest.raises(TypeError):
        build(e, [("a", 1)])


def test_parse_number():
    assert parse_number("3") == 3 and isinstance(parse_number("3"), int)
    assert parse_number(" -0.25 ") == -0.25
    assert parse_number("1e-3") == 0.001
    assert parse_number("3/4") == 0.75
    assert parse_number("\u22122") == -2           # a typographic minus sign
    assert parse_number("3/4", exact=True) == Fraction(3, 4)
    assert parse_number("0.1", exact=True) == Fraction(1, 10)
    assert parse_number(0.1, exact=True) == Fraction(1, 10)
    assert parse_number(Value(1).data) == 1
    for bad in ("x", "1/0", "nan", "inf", "0x10", "1_000", "", "--1", "2*3", None):
        with pytest.raises(ExpressionError):
            parse_number(bad)


TOKENS = ["x", "y", "1", "2", "0", "0.5", "1e3", "-", "+", "*", "/", "**", "(", ")", "exp(",
          "log(", "tanh(", "sigmoid(", "relu(", ",", ".", "[", "]", "'", "=", ":", " ", "lambda",
          "if", "else", "__", "9", "j", "e", "_", "%", "@", "not", "<", "\n", "{", "}", "f'",
          "1000", "-1001", "1e308", "1e-320", "import", ";"]


def test_random_token_soup_gives_expressions_or_clear_errors(no_code_execution):
    """Whatever the text and the values, parse and build raise nothing but ExpressionError."""
    rng = random.Random(20240601)
    accepted = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for _ in range(3000):
            text = "".join(rng.choice(TOKENS) for _ in range(rng.randint(1, 20)))
            try:
                expression = parse(text)
            except ExpressionError:
                continue
            accepted += 1
            values = {v: rng.choice([0, 1, -1, 2.5, "1/3", 1e300, -1e-300])
                      for v in expression.variables}
            for exact in (False, True):
                with contextlib.suppress(ExpressionError):
                    build(expression, values, exact=exact)
    assert accepted > 50  # the soup does contain valid expressions


# ----------------------------------------------------------------------------- named steps

NETWORK = "h1 = (x1 + w1*x2)**2; h2 = w2*x1*x2; y = w3*h1 + w4*h2 + w5; E = (y_true - y)**2"
NETWORK_VALUES = dict(x1=3, x2=2, w1=1, w2=2, w3=1, w4=1, w5=0, y_true=24)


def test_named_steps_build_one_graph_with_the_step_names_as_labels():
    expression = parse(NETWORK)
    assert [s.name for s in expression.steps] == ["h1", "h2", "y", "E"]
    assert expression.variables == ("x1", "w1", "x2", "w2", "w3", "w4", "w5", "y_true")
    assert expression.output == "E" and str(expression.steps[0]) == "h1 = (x1 + w1*x2)**2"
    E, leaves = build(expression, NETWORK_VALUES)
    assert E.label == "E" and E.data == 169             # (24 - 37)**2
    y = E.inputs[0].inputs[1]
    assert y.label == "y" and y.data == 37               # 25 + 12 + 0
    assert sorted(leaves) == sorted(NETWORK_VALUES)
    E.backward()
    assert leaves["w1"].grad == 520                      # the lesson's dE/dw1 = 26 * 1 * 20
    # Newlines separate steps as ; does, with comments; --output picks another step.
    text = "# the network\n" + NETWORK.replace("; ", "\n") + "   # the error\n"
    h1, _ = build(text, NETWORK_VALUES, output="h1")
    assert h1.label == "h1" and h1.data == 25


def test_one_named_step_names_the_output():
    y, _ = build("y = x ** 2", {"x": 3})
    assert y.label == "y" and y.data == 9


@pytest.mark.parametrize("text, message, caret", [
    ("y = 3*h; h = x**2", "h is used before it is defined (by step 2)",
     "  y = 3*h; h = x**2\n        ^"),
    ("h = x**2; h = 3*x; y = h", "h is defined twice (first by step 1)", "            ^"),
    ("x1 = x1 * 2", "uses the input x1 and takes its name", "  ^^"),
    ("a = x + 1; b = x * 2", "the step a is never used", "  ^"),
    ("a = x; b = 2*a", "the step a = x only renames x", "  ^"),
    ("c = -3; y = c*x", "is a number, not a computation: give it as a value", "  ^"),
    ("h = x**2; 3*h", "this step has no name", "            ^^^"),
    ("a = b = x", "a step has one name", "      ^"),
    ("a, b = x, 2", "a step's name is one name", "  ^^^^"),
    ("h = x**2; h += 1", "an update such as x += 1 is not a step", "            ^^^^^^"),
    ("exp = x * 2", "exp is a function of the table", "  ^^^"),
    ("h = (x +; y = h", "not a valid step", None),
])
def test_malformed_steps_are_refused_with_a_caret_under_the_name(text, message, caret,
                                                                  no_code_execution):
    with pytest.raises(ExpressionError) as info:
        parse(text)
    assert message in str(info.value)
    if caret is not None:
        assert caret in str(info.value)


def test_values_for_steps_and_unknown_outputs_are_refused():
    with pytest.raises(ExpressionError, match=r"a value is given for h, but h is a step "
                                              r"\(h = x\*\*2\), not an input"):
        build("h = x**2; y = 3*h", {"x": 1, "h": 2})
    with pytest.raises(ExpressionError, match="the output 'z' is not a step of the expression; "
                                              "its steps are h, y"):
        build("h = x**2; y = 3*h", {"x": 1}, output="z")
    with pytest.raises(ExpressionError, match="only named steps"):
        build("x**2", {"x": 1}, output="y")


def test_a_leaf_value_can_be_shared_by_two_graphs():
    w = Value(2, label="w")
    a, _ = build("y = w * x", {"w": w, "x": 3})
    b, _ = build("y = w * x", {"w": w, "x": 5})
    a.backward()
    b.backward()
    assert w.grad == 8                                    # 3 + 5: one leaf, both graphs
    with pytest.raises(ExpressionError, match="must be a leaf labelled 'w'"):
        build("y = w * x", {"w": Value(2, label="v"), "x": 3})


def test_step_names_show_in_traces_paths_formulas_and_pictures():
    from autograd.draw import draw
    from autograd.trace import gradient_formula, paths, trace

    f, leaves = build("u = 2*x1 + x2; v = u**2 + 3*x2**2; f = v**3", {"x1": 3, "x2": 2})
    assert "∂f/∂v = 3*v**2 = 17328" in str(trace(f))
    assert paths(f, leaves["x2"])[0].names == ("x2", "u", "n2", "v", "f")
    assert gradient_formula(f, leaves["x1"]) == "3*v**2*2*u*2"     # the lesson's 12uv²
    source = draw(f).source
    assert all(f"<B>{name}</B>" in source for name in ("u", "v", "f"))
