"""Forward mode: ``autograd.jvp`` and its dual numbers, against the table's rules, central
differences, reverse mode and exact fractions; and its refusals of bad input."""

from __future__ import annotations

import math
import warnings
from fractions import Fraction

import pytest
from hypothesis import given, strategies as st

from autograd import (
    OPS,
    Dual,
    InexactWarning,
    NonFiniteError,
    Op,
    Value,
    allow_non_finite,
    apply,
    jvp,
    no_grad,
    registered,
)
from bad_inputs_section import check_row, rows_for
from domains import DOMAINS
from examples import Cube
from gradcheck import PROFILE, central_difference


def chain(x1, x2):
    """The lesson's chain-rule function ((2 x1 + x2)**2 + 3 x2**2)**3."""
    return ((2 * x1 + x2) ** 2 + 3 * x2 ** 2) ** 3


def test_the_lessons_chain_rule_function_exactly():
    # u = 2*3 + 2 = 8, v = 64 + 12 = 76, f = 76**3;
    # df/dx1 = 3 v**2 * 2u * 2, df/dx2 = 3 v**2 * (2u + 6 x2)
    assert jvp(chain, [3, 2], [1, 0]) == (76 ** 3, 3 * 76 ** 2 * 2 * 8 * 2)
    assert jvp(chain, [3, 2], [0, 1]) == (76 ** 3, 3 * 76 ** 2 * (2 * 8 + 6 * 2))
    x1, x2 = Value(3, label="x1"), Value(2, label="x2")
    f = chain(x1, x2)
    f.backward()
    assert [jvp(chain, [3, 2], d)[1] for d in ([1, 0], [0, 1])] == [x1.grad, x2.grad]


def test_the_directional_derivative_is_the_gradient_dotted_with_the_direction():
    a, b = Fraction(1, 3), Fraction(-5, 7)
    t = [Fraction(2, 9), Fraction(4)]
    _, along = jvp(chain, [a, b], t)
    _, d1 = jvp(chain, [a, b], [1, 0])
    _, d2 = jvp(chain, [a, b], [0, 1])
    assert isinstance(along, Fraction) and along == d1 * t[0] + d2 * t[1]


def test_second_order_results_from_the_issue_by_forward_mode_too():
    # d/dx of 3x**2 at 3 is 18; the trap's f'' = 12 x**2 - 8 at 1/2 is -5.
    assert jvp(lambda x: 3 * x ** 2, [3], [1]) == (27, 18)
    assert jvp(lambda x: 4 * x ** 3 - 8 * x + 1, [Fraction(1, 2)], [1])[1] == -5


def _point(name, data):
    op = OPS[name]
    args = data.draw(DOMAINS[name].args, label="args")
    return op, list(args[:op.arity]), list(args[op.arity:])


@pytest.mark.parametrize("name", sorted(OPS))
@pytest.mark.filterwarnings("ignore::autograd.InexactWarning")  # a Fraction exponent of a float
@PROFILE
@given(data=st.data())
def test_every_op_carries_its_tangent_by_its_local_derivatives(name, data):
    """For each input: the tangent along it is the table's local derivative (to the bit),
    and matches central differences of the forward rule; the data is the Value's."""
    op, inputs, consts = _point(name, data)
    build = DOMAINS[name].build
    value = build(*(Value(x) for x in inputs), *consts)
    for i in range(op.arity):
        direction = [int(k == i) for k in range(op.arity)]
        got, tangent = jvp(lambda *xs: build(*xs, *consts), inputs, direction)
        assert got == value.data
        assert tangent == value.local_derivatives()[i]
        want = central_difference(lambda *xs: build(*(Value(x) for x in xs), *consts).data,
                                  inputs, i)
        assert tangent == pytest.approx(want, rel=1e-5, abs=1e-6)


def test_an_operation_registered_later_is_a_dual_method_too():
    class Hypot(Op):
        """hypot2(a, b) = a**2 + b**2."""
        name, arity = "hypot2", 2

        @staticmethod
        def forward(m, a, b):
            return a * a + b * b

        @staticmethod
        def local(m, out, a, b):
            return 2 * a, 2 * b

    with registered(Cube, Hypot):
        assert jvp(lambda x: x.cube(), [2], [1]) == (8, 12)
        assert jvp(lambda x, y: apply("hypot2", x, y), [3, 4], [1, 10]) == (25, 6 + 80)
    assert not hasattr(Dual, "cube")


def test_plain_numbers_are_constants_and_functions_may_return_several_outputs():
    values, tangents = jvp(lambda x, y: [x * y, 2 ** x, 5, y - 1], [3, 2], [1, 0])
    assert values == [6, 8, 5, 1]
    assert tangents[0] == 2 and tangents[2:] == [0, 0]
    assert tangents[1] == pytest.approx(8 * math.log(2))
    assert jvp(lambda x: 7, [1.0], [1.0]) == (7, 0)


def test_jvp_needs_no_graph_and_works_inside_no_grad():
    with no_grad():
        assert jvp(lambda x: x.sin() * x, [0.0], [1.0]) == (0.0, 0.0)
        assert jvp(lambda x: (x * x).exp(), [1.0], [1.0])[1] == pytest.approx(2 * math.e)


def test_overflow_and_tangents_a_float_cannot_hold_are_refused_unless_allowed():
    with pytest.raises(OverflowError, match=r"1e\+200 \* 1e\+200 overflows"):
        jvp(lambda x: x * 1e200 * 1e200, [1.0], [1.0])
    with pytest.raises(NonFiniteError, match=r"jvp: the tangent of .* is not finite"):
        jvp(lambda x: (x - 1) * 1e200 * 1e200, [1.0], [1.0])
    with pytest.raises(NonFiniteError, match="because the inputs already held inf or NaN"):
        jvp(lambda x: x * 2, [1.0], [math.inf])
    with pytest.raises(OverflowError, match=r"the local derivative of 1e-300 / 1e-310 overflows"):
        jvp(lambda a, b: a / b, [1e-300, 1e-310], [1.0, 0.0])
    assert jvp(lambda x: x + 1, [math.inf], [1.0]) == (math.inf, 1)     # inf in travels on
    with allow_non_finite():
        assert jvp(lambda x: (x - 1) * 1e200 * 1e200, [1.0], [1.0])[1] == math.inf


def test_an_inexact_operation_on_a_fraction_warns_at_the_users_line():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        value, tangent = jvp(lambda x: x.exp(), [Fraction(0)], [1])
    assert (value, tangent) == (1.0, 1.0)
    assert [w.category for w in caught] == [InexactWarning]
    assert caught[0].filename == __file__
    assert "exp of an exact number returns a float" in str(caught[0].message)


def test_a_dual_and_a_value_do_not_mix():
    with pytest.raises(TypeError, match="a Dual cannot be combined with a Value"):
        Dual(1.0, 1.0) * Value(2.0)
    with pytest.raises(TypeError, match="got Dual"):          # Value's own refusal
        Value(2.0) * Dual(1.0, 1.0)


ROWS = rows_for(__file__)


def test_the_bad_inputs_section_has_rows_for_jvp():
    assert len(ROWS) >= 9


@pytest.mark.parametrize("row", ROWS, ids=lambda r: r["what"])
def test_each_bad_input_row_gives_the_documented_error(row, capsys):
    check_row(row, {"jvp": jvp, "Dual": Dual, "Value": Value}, capsys)
