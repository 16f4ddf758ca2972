"""Your own primitive: register an ``autograd.Op`` once, and every part of tracegrad uses it.

A registered one-input operation becomes a method of ``Value`` and ``nn.Tensor``
(``x.cube()``) and a function in expressions (``check("cube(x) + x", ...)``, ``python -m
autograd grad "cube(x)" x=2 --import mymodule``); a two-input one is ``NAME(a, b)`` in
expressions and ``autograd.apply("NAME", a, b)`` from Python. Trace tables, paths, gradient
formulas, pictures and the sympy simplifier read its rules from the table like any other.

>>> from autograd import Op, Value, register_op, unregister_op, gradcheck
>>> @register_op
... class Cube(Op):
...     '''cube(a) = a**3.'''
...     name = "cube"
...     @staticmethod
...     def forward(m, a):
...         return a * a * a
...     @staticmethod
...     def local(m, out, a):
...         return (3 * a * a,)
>>> x = Value(2.0, label="x")
>>> y = x.cube(); y.backward()
>>> y.data, x.grad
(8.0, 12.0)
>>> gradcheck(Cube, 1.5).ok
True
>>> unregister_op("cube")
"""

from __future__ import annotations

import contextlib
import dis
import inspect
import keyword
import sys
from collections.abc import Callable, Iterator
from typing import Any

from . import operators
from .math_namespaces import MathNamespace, ScalarMath
from .ops import BUILTIN_OPS, OPS, Op

__all__ = ["register_op", "unregister_op", "registered", "RegistrationError",
           "namespace_functions"]


class RegistrationError(ValueError):
    """An operation that cannot be registered; the message names the problem and the fix."""


def register_op(cls: type[Op]) -> type[Op]:
    """Add the operation ``cls`` to the table; usable as a class decorator.

    The class subclasses ``autograd.Op`` and gives ``name`` (an identifier, also its method
    and function name), ``arity`` (1, the default, or 2), ``forward(m, *inputs)`` and
    ``local(m, out, *inputs)``, and optionally ``formulas(m, out, *inputs)`` (how a person
    writes the local derivatives, if not as ``local`` computes them) and ``domain(m,
    *inputs)``. The rules receive a math namespace ``m`` (``m.exp``, ``m.log``, ``m.sqrt``,
    ``m.sin``, ``m.cos``, ``m.tanh``, ...; see ``autograd.math_namespaces``) so that the same
    rule runs on numbers, arrays, formulas and sympy. Check a new rule with
    ``autograd.gradcheck(cls, ...)`` before trusting it.

    Registration lasts for this Python process; ``unregister_op(name)`` or the context
    manager ``registered(cls)`` takes it back.

    Args:
        cls: the operation, an ``Op`` subclass (the class itself, not an instance).

    Returns:
        ``cls``, now in ``autograd.OPS``.

    Raises:
        RegistrationError: the name is taken (by an operation or by an attribute of
            ``Value`` or ``Tensor``) or is not an identifier; ``forward`` or ``local`` is
            missing or takes the wrong number of arguments for ``arity``; ``arity`` is not 1
            or 2; ``symbol`` differs from the name; the class asks for a constant input; a rule
            uses a function the math namespace lacks.
        TypeError: ``cls`` is not an ``Op`` subclass.

    See the module docstring for an example.
    """
    if not (isinstance(cls, type) and issubclass(cls, Op)) or cls is Op:
        raise TypeError(f"register_op takes a subclass of autograd.Op (the class itself), got "
                        f"{cls!r}")
    _check_name(cls)
    _check_rules(cls)
    OPS[cls.name] = cls
    operators.refresh()
    return cls


def unregister_op(name: str) -> None:
    """Take the operation ``name`` out of the table again (its methods and function too).

    Values already built with it keep it as their ``op``.

    Raises:
        KeyError: no operation of that name was registered.
        RegistrationError: ``name`` is a built-in operation.
    """
    op = OPS.get(name)
    if op is None:
        raise KeyError(f"no operation named {name!r} is registered; the table has "
                       + ", ".join(OPS))
    if op in BUILTIN_OPS:
        raise RegistrationError(f"{name!r} is a built-in operation and cannot be unregistered")
    del OPS[name]
    operators.refresh()


@contextlib.contextmanager
def registered(*classes: type[Op]) -> Iterator[type[Op] | tuple[type[Op], ...]]:
    """Context manager: the operations ``classes`` are in the table inside the block only.

    >>> from autograd import Op, Value
    >>> class Twice(Op):
    ...     name = "twice"
    ...     @staticmethod
    ...     def forward(m, a): return 2 * a
    ...     @staticmethod
    ...     def local(m, out, a): return (2,)
    >>> with registered(Twice):
    ...     Value(3.0).twice().data
    6.0
    >>> hasattr(Value, "twice")
    False
    """
    done: list[type[Op]] = []
    try:
        for cls in classes:
            register_op(cls)
            done.append(cls)
        yield classes[0] if len(classes) == 1 else classes
    finally:
        for cls in reversed(done):
            unregister_op(cls.name)


def _engine_classes() -> list[type[operators.Operators]]:
    """Every class that takes its operations from the table (Value, nn.Tensor if imported)."""
    found: list[type[operators.Operators]] = []
    stack: list[type[operators.Operators]] = [operators.Operators]
    while stack:
        cls = stack.pop()
        for sub in cls.__subclasses__():
            found.append(sub)
            stack.append(sub)
    return found


def _check_name(cls: type[Op]) -> None:
    name = cls.name
    what = f"cannot register {cls.__name__}"
    if not isinstance(name, str) or not name:
        raise RegistrationError(f"{what}: it has no name; set name = '...' (an identifier "
                                "such as 'cube'); it becomes the method x.NAME() and the "
                                "function NAME(x) in expressions")
    if not name.isidentifier() or keyword.iskeyword(name) or name.startswith("_"):
        raise RegistrationError(f"{what}: the name {name!r} must be a Python identifier that "
                                "is not a keyword and does not start with '_', such as 'cube'")
    if name in OPS:
        raise RegistrationError(f"{what}: an operation named {name!r} is already in the table "
                                f"({OPS[name].__module__}.{OPS[name].__name__}); choose "
                                "another name, or unregister_op it first")
    generated = operators.made_from_table()
    for engine in _engine_classes():
        if hasattr(engine, name) and name not in generated:
            raise RegistrationError(f"{what}: {engine.__name__} already has an attribute "
                                    f"{name!r}, so x.{name}() would hide it; choose another "
                                    "name")
    if not cls.symbol:
        cls.symbol = name
    if cls.symbol != name:
        raise RegistrationError(f"{what}: an operation of your own is written as a function of "
                                f"its inputs, {name}(x); leave symbol out or set it to "
                                f"{name!r} (it is {cls.symbol!r})")


def _check_rules(cls: type[Op]) -> None:
    what = f"cannot register {cls.name!r}"
    if cls.arity not in (1, 2):
        raise RegistrationError(f"{what}: arity must be 1 or 2 (the number of inputs), got "
                                f"{cls.arity!r}")
    if cls.takes_const:
        raise RegistrationError(f"{what}: a constant input (takes_const) is only for x ** c; "
                                "give your operation one or two inputs instead")
    inputs = "a" if cls.arity == 1 else "a, b"
    needed = {"forward": (f"forward(m, {inputs})", 1 + cls.arity),
              "local": (f"local(m, out, {inputs})", 2 + cls.arity)}
    optional = {"formulas": (f"formulas(m, out, {inputs})", 2 + cls.arity),
                "domain": (f"domain(m, {inputs})", 1 + cls.arity)}
    for rule, (signature, count) in {**needed, **optional}.items():
        if _defined_by(cls, rule) is Op:
            if rule in needed:
                raise RegistrationError(f"{what}: it has no {rule}; define a static method "
                                        f"{signature}")
            continue
        function = getattr(cls, rule)
        parameters = _parameter_count(function)
        if parameters is not None and parameters != count:
            raise RegistrationError(f"{what}: {rule} takes {parameters} argument(s) but an "
                                    f"operation of arity {cls.arity} needs {signature} "
                                    "(use @staticmethod)")
        for name in namespace_functions(function):
            if not hasattr(ScalarMath, name):
                raise RegistrationError(f"{what}: {rule} uses m.{name}, which the math "
                                        "namespaces do not offer; use functions such as "
                                        "m.exp, m.log, m.sqrt, m.sin, m.cos, m.tanh")
            numpy_math = _numpy_math()
            if numpy_math is not None and not hasattr(numpy_math, name):
                raise RegistrationError(f"{what}: {rule} uses m.{name}, which NumPy's math "
                                        "namespace (nn.Tensor) does not offer")


def _parameter_count(function: Callable[..., Any]) -> int | None:
    try:
        parameters = inspect.signature(function).parameters.values()
    except (TypeError, ValueError):
        return None
    if any(p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) for p in parameters):
        return None
    return len(parameters)


def namespace_functions(function: Callable[..., Any]) -> set[str]:
    """The names ``m.NAME`` a rule looks up in its math namespace (its first parameter, or
    the second for a classmethod's ``cls``), read from its bytecode, so that it works for
    rules written anywhere, lambdas and rules typed at a prompt included.

    >>> from autograd.ops import Div
    >>> sorted(namespace_functions(Div.formulas)), sorted(namespace_functions(Div.domain))
    (['pow'], ['any'])
    """
    function = getattr(function, "__func__", function)
    code = getattr(function, "__code__", None)
    if code is None or code.co_argcount == 0:
        return set()
    namespace = code.co_varnames[0]
    if namespace == "cls" and code.co_argcount > 1:
        namespace = code.co_varnames[1]
    found: set[str] = set()
    previous = None
    for instruction in dis.get_instructions(code):
        if previous is not None and previous.opname.startswith("LOAD_FAST") \
                and previous.argval == namespace \
                and instruction.opname in ("LOAD_ATTR", "LOAD_METHOD"):
            found.add(instruction.argval)
        previous = instruction
    return found


def _defined_by(cls: type, attribute: str) -> type:
    """The class in ``cls``'s method resolution order that defines ``attribute``."""
    return next(base for base in cls.__mro__ if attribute in vars(base))


def _numpy_math() -> MathNamespace | None:
    """nn.numpy_math.NumpyMath if nn is already imported (autograd never imports NumPy itself)."""
    module = sys.modules.get("nn.numpy_math")
    return getattr(module, "NumpyMath", None)
