"""The operators and methods ``Value`` and ``nn.Tensor`` share, made from the operation table.

Each entry of ``autograd.ops.OPS`` becomes what Python writes for it: an operation with an
operator symbol becomes that operator (``Add`` is ``x + y`` and ``2 + x``, ``Neg`` is ``-x``,
``Abs`` is ``abs(x)``), and a one-input operation written as a function becomes a method
(``Exp`` is ``x.exp()``, with the operation's docstring as its help). ``x ** c`` is
``PowConst`` for a plain-number exponent and ``Pow`` for a Value (or Tensor) exponent.
``refresh()`` makes them again after ``autograd.register_op`` changes the table.

A class that mixes ``Operators`` in supplies ``_binary(op, other, reflected)`` (``reflected``
for ``2 * x``, where x is on the right), ``_unary(op)`` and ``_with_const(op, const)``. It may
also offer ``operator_method(op, reflected)``, a classmethod returning a faster method for
``op`` written for that class alone (``autograd.Value`` does: it is the engine's hot path);
``refresh`` then installs that method on the class.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from .ops import OPS, Op, find_op

__all__ = ["Operators", "PYTHON_OPERATORS", "refresh", "made_from_table"]

PYTHON_OPERATORS: dict[tuple[str, int], tuple[str, ...]] = {
    ("+", 2): ("__add__", "__radd__"),
    ("-", 2): ("__sub__", "__rsub__"),
    ("*", 2): ("__mul__", "__rmul__"),
    ("/", 2): ("__truediv__", "__rtruediv__"),
    ("-", 1): ("__neg__",),
    ("abs", 1): ("__abs__",),
}
"""Python's syntax: the special methods that an operation of a given (symbol, arity) is
written with (the forward one, then the reflected one for ``2 * x``)."""

_Self = TypeVar("_Self", bound="Operators")


class Operators:
    """Mixin: the table's operations as Python operators and methods (see the module
    docstring); ``**`` chooses between a constant and a differentiable exponent."""

    __slots__ = ()

    if TYPE_CHECKING:
        # What a type checker cannot see, because refresh() makes it at run time: the methods
        # the class that mixes Operators in supplies (see the module docstring), the operators
        # of PYTHON_OPERATORS, and a method for each one-input function of OPS, whose names
        # only the table knows (it grows with autograd.register_op).
        def _binary(self: _Self, op: type[Op], other: Any, reflected: bool = False) -> _Self: ...
        def _unary(self: _Self, op: type[Op]) -> _Self: ...
        def _with_const(self: _Self, op: type[Op], const: Any) -> _Self: ...
        def __add__(self: _Self, other: Any) -> _Self: ...
        def __radd__(self: _Self, other: Any) -> _Self: ...
        def __sub__(self: _Self, other: Any) -> _Self: ...
        def __rsub__(self: _Self, other: Any) -> _Self: ...
        def __mul__(self: _Self, other: Any) -> _Self: ...
        def __rmul__(self: _Self, other: Any) -> _Self: ...
        def __truediv__(self: _Self, other: Any) -> _Self: ...
        def __rtruediv__(self: _Self, other: Any) -> _Self: ...
        def __neg__(self: _Self) -> _Self: ...
        def __abs__(self: _Self) -> _Self: ...
        def __getattr__(self: _Self, name: str) -> Callable[[], _Self]: ...

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "operator_method" in vars(cls):
            _install_fast(cls)

    def __pow__(self: _Self, other: Any) -> _Self:
        if isinstance(other, Operators):
            return self._binary(_POWERS["pow"], other)
        return self._with_const(_POWERS["pow_const"], other)

    def __rpow__(self: _Self, other: Any) -> _Self:
        return self._binary(_POWERS["pow"], other, reflected=True)


_POWERS: dict[str, type[Op]] = {}
_made: set[tuple[type, str]] = set()  # what refresh() installed, so it can take it back


def _method(op: type[Op]) -> Callable[[Operators], Operators]:
    def method(self: Operators) -> Operators:
        return self._unary(op)

    method.__name__ = method.__qualname__ = op.name
    method.__doc__ = op.__doc__
    return method


def _special(op: type[Op], name: str, reflected: bool) -> Callable[..., Operators]:
    special: Callable[..., Operators]
    if op.arity == 1:
        def unary(self: Operators) -> Operators:
            return self._unary(op)
        special = unary
    elif reflected:
        def reflected_binary(self: Operators, other: Any) -> Operators:
            return self._binary(op, other, reflected=True)
        special = reflected_binary
    else:
        def binary(self: Operators, other: Any) -> Operators:
            return self._binary(op, other)
        special = binary
    special.__name__ = special.__qualname__ = name
    special.__doc__ = op.__doc__
    return special


def made_from_table() -> dict[str, type[Op]]:
    """Every operator and method ``refresh()`` makes, with the operation it applies.

    >>> made = made_from_table()
    >>> made["__mul__"].name, made["__rsub__"].name, made["exp"].name
    ('mul', 'sub', 'exp')
    """
    made: dict[str, type[Op]] = {}
    for op in OPS.values():
        for name in PYTHON_OPERATORS.get((op.symbol, op.arity), ()):
            made[name] = op
        if op.arity == 1 and op.is_function():
            made[op.name] = op
    return made


def refresh() -> None:
    """Make the operators and methods of ``Operators`` (and of each class with an
    ``operator_method``) from ``OPS`` as it is now."""
    for owner, name in _made:
        delattr(owner, name)
    _made.clear()
    for op in OPS.values():
        names = PYTHON_OPERATORS.get((op.symbol, op.arity), ())
        for position, name in enumerate(names):
            _add(Operators, name, _special(op, name, reflected=position == 1))
        if op.arity == 1 and op.is_function():
            _add(Operators, op.name, _method(op))
    power, power_const = find_op("**", 2), find_op("**", 1, takes_const=True)
    assert power is not None and power_const is not None  # built in: never unregistered
    _POWERS["pow"], _POWERS["pow_const"] = power, power_const
    for engine in _engines():
        _install_fast(engine)


def _engines() -> list[type[Operators]]:
    """Every class below ``Operators`` that offers its own ``operator_method``."""
    found: list[type[Operators]] = []
    stack: list[type[Operators]] = [Operators]
    while stack:
        for sub in stack.pop().__subclasses__():
            stack.append(sub)
            if "operator_method" in vars(sub):
                found.append(sub)
    return found


def _install_fast(engine: type) -> None:
    """Install ``engine.operator_method``'s methods in place of the generic ones."""
    for name, op in made_from_table().items():
        reflected = PYTHON_OPERATORS.get((op.symbol, op.arity), ("", ""))[1:] == (name,)
        # Only classes that define operator_method get here (_engines, __init_subclass__).
        method = engine.operator_method(op, reflected=reflected)  # type: ignore[attr-defined]
        method.__name__ = method.__qualname__ = name
        method.__doc__ = op.__doc__
        _add(engine, name, method)


def _add(owner: type, name: str, attribute: Callable[..., Operators]) -> None:
    setattr(owner, name, attribute)
    _made.add((owner, name))


refresh()
