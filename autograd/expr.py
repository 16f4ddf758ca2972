"""Formulas as text: ``parse("((2*x1 + x2)**2 + 3*x2**2)**3")``, then ``build`` it into Values.

An expression is read with Python's ``ast`` module and checked against a short whitelist:

* numbers (``3``, ``0.5``, ``1e-3``) and variable names (``x1``, ``w``);
* ``+ - * / **`` and unary ``-`` (and a harmless unary ``+``);
* the operations of the table written as functions (``exp(x)``, ``log(x)`` (natural),
  ``sqrt(x)``, ``sin(x)``, ...: ``functions()`` lists them, ``python -m autograd ops`` shows
  them), each with as many arguments as it has inputs; an operation registered with
  ``autograd.register_op`` is a function here too.

Everything else (attribute access, subscripts, other calls, keyword arguments, lambdas,
comprehensions, strings, comparisons, ``and``/``or``, conditional expressions, ``:=``,
containers, statements such as ``import``) is refused with an ``ExpressionError`` that names
the construct and where it is. Nothing is ever passed to ``eval``, ``exec`` or compiled to
code: the checked tree is walked by ``build``, which applies the table's operations itself.

Limits keep any input from hanging the process: at most ``MAX_LENGTH`` characters,
``MAX_DEPTH`` levels of nesting, ``MAX_DIGITS`` digits in a number, a constant exponent of at
most ``MAX_EXPONENT`` in size; the engine itself refuses exact (int, Fraction) numbers larger
than ``autograd.value.MAX_EXACT_BITS`` bits.

>>> f, leaves = build("((2*x1 + x2)**2 + 3*x2**2)**3", {"x1": 3, "x2": 2})
>>> f.backward()
>>> f.data, leaves["x1"].grad, leaves["x2"].grad
(438976, 554496, 485184)
>>> f, leaves = build("x / 3", {"x": "1/2"}, exact=True)     # exact fractions throughout
>>> f.data
Fraction(1, 6)
>>> parse("x.real")  # doctest: +ELLIPSIS
Traceback (most recent call last):
    ...
autograd.expr.ExpressionError: attribute access (.real) is not allowed, at column 1
  x.real
  ^^^^^^
allowed: numbers, variables, + - * / **, unary -, and the functions exp, log, ...
"""

from __future__ import annotations

import ast
import decimal
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Literal, cast, overload

from .math_namespaces import Number, ScalarMath
from .ops import OPS, Op, find_op
from .text import number as format_number
from .value import Value, apply, as_number

__all__ = ["parse", "build", "Expression", "NamedStep", "ExpressionError", "parse_number",
           "functions",
           "allowed", "MAX_LENGTH", "MAX_DEPTH", "MAX_DIGITS", "MAX_EXPONENT"]


def functions() -> dict[str, type[Op]]:
    """The functions an expression may call: every operation of the table written as a
    function, by name (registered ones included).

    >>> functions()["sqrt"].arity, functions()["exp"].name
    (1, 'exp')
    """
    return {op.name: op for op in OPS.values() if op.is_function()}


def allowed() -> str:
    """What an expression may use, in one line (shown under every refusal)."""
    unary = [name for name, op in functions().items() if op.arity == 1]
    others = [f"{name}({', '.join('xyz'[:op.arity])})" for name, op in functions().items()
              if op.arity != 1]
    listed = ", ".join(unary) + " (one argument each)" + "".join(f", {o}" for o in others)
    return f"allowed: numbers, variables, + - * / **, unary -, and the functions {listed}"


# Python's operator syntax: the symbol the table writes each operator node with.
_BINARY_SYMBOLS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/"}

MAX_LENGTH = 10_000
"""Longest expression accepted, in characters."""

MAX_DEPTH = 100
"""Deepest nesting accepted: levels of the syntax tree (``1+1+...+1`` with 100 ``+`` is 101)."""

MAX_DIGITS = 100
"""Most digits a number may have (in an expression, a value or a claim)."""

MAX_EXPONENT = 1000
"""Largest size of a constant exponent (``x ** 1000`` is fine, ``x ** 1001`` is refused); also
the limit on a variable exponent's value when the graph is built."""


# Hints for functions people reach for that the table does not have (names of the table's
# own operations never get one: they are allowed).
_FUNCTION_HINTS = {
    "pow": "write a ** b",
    "ln": "log is the natural logarithm: write log(x)",
    "log10": "write log(x) / log(10)",
    "log2": "write log(x) / log(2)",
    "e": "for e ** x write exp(x)",
}

_BINOP_MESSAGES = {
    ast.FloorDiv: "// (floor division) is not supported: use /",
    ast.Mod: "% (remainder) is not supported",
    ast.MatMult: "@ (matrix product) is not supported: this is the scalar engine",
    ast.BitXor: "^ is not a power in Python (it is bitwise xor): write x ** 2",
    ast.BitAnd: "& (bitwise and) is not supported",
    ast.BitOr: "| (bitwise or) is not supported",
    ast.LShift: "<< (bit shift) is not supported",
    ast.RShift: ">> (bit shift) is not supported",
}

_NODE_MESSAGES = {
    ast.Subscript: "subscripts (indexing such as x[0]) are not allowed",
    ast.Slice: "slices are not allowed",
    ast.Lambda: "lambda functions are not allowed",
    ast.ListComp: "comprehensions are not allowed",
    ast.SetComp: "comprehensions are not allowed",
    ast.DictComp: "comprehensions are not allowed",
    ast.GeneratorExp: "generator expressions are not allowed",
    ast.IfExp: "conditional expressions (a if c else b) are not allowed",
    ast.Compare: "comparisons (<, ==, ...) are not allowed",
    ast.BoolOp: "boolean operators (and, or) are not allowed",
    ast.NamedExpr: "assignment expressions (:=) are not allowed",
    ast.Starred: "starred expressions (*x) are not allowed",
    ast.List: "lists are not allowed",
    ast.Tuple: "tuples (values separated by commas) are not allowed",
    ast.Set: "sets are not allowed",
    ast.Dict: "dicts are not allowed",
    ast.JoinedStr: "f-strings are not allowed",
    ast.FormattedValue: "f-strings are not allowed",
    ast.Await: "await is not allowed",
    ast.Yield: "yield is not allowed",
    ast.YieldFrom: "yield is not allowed",
}

_STATEMENT_WORDS = ("import", "from", "def", "class", "for", "while", "with", "try", "return",
                    "del", "global", "nonlocal", "assert", "raise", "pass", "break", "continue",
                    "async", "if", "elif", "else", "print", "exec")


class ExpressionError(ValueError):
    """An expression that is refused, or that cannot be built with the values given.

    The message names the problem and where it is (a caret line under the expression).

    Attributes:
        text: the expression (None when the problem is not in the text, e.g. a missing value).
        line, column: where the problem starts, both counted from 1 (None if not in the text).
    """

    def __init__(self, message: str, text: str | None = None, line: int | None = None,
                 column: int | None = None, length: int = 1, allowed_hint: bool = False,
                 also: str = "") -> None:
        self.reason, self.text, self.line, self.column = message, text, line, column
        full = message
        if text is not None and line is not None and column is not None:
            where = f"column {column}" if "\n" not in text else f"line {line}, column {column}"
            full += f", at {where}\n" + _excerpt(text, line, column, length)
        if also:
            full += "\nalso refused: " + also
        if allowed_hint:
            full += "\n" + allowed()
        super().__init__(full)


def _excerpt(text: str, line: int, column: int, length: int) -> str:
    """The line of ``text`` with the problem, and a caret line under it (at most ~70 wide)."""
    row = text.splitlines()[line - 1] if text.splitlines() else ""
    start = max(0, column - 1 - 30)
    end = min(len(row), max(column - 1 + min(length, 40), start + 70))
    shown = ("..." if start else "") + row[start:end] + ("..." if end < len(row) else "")
    pad = column - 1 - start + (3 if start else 0)
    width = max(1, min(length, end - (column - 1)))
    return f"  {shown}\n  {' ' * pad}{'^' * width}"


@dataclass(frozen=True)
class NamedStep:
    """One named step of an expression written as steps: ``h1 = (x1 + w1*x2)**2``.

    Attributes:
        name: the step's name (``"h1"``); the Value it computes carries it as its label.
        text: its expression as written (``"(x1 + w1*x2)**2"``).
        line, column: where its name is in the whole text, both counted from 1.
    """

    name: str
    text: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.name} = {self.text}"


@dataclass(frozen=True)
class Expression:
    """A checked expression: its text, syntax tree and variable names.

    Attributes:
        text: the expression as given (without surrounding whitespace).
        tree: the ``ast.Expression`` (an ``ast.Module`` of assignments for named steps),
            every node of it on the whitelist.
        variables: the variable names (the inputs), in order of first appearance; a step's
            name is not one.
        steps: the named steps, in order (empty for a single expression).
    """

    text: str
    tree: ast.AST = field(repr=False, compare=False)
    variables: tuple[str, ...]
    steps: tuple[NamedStep, ...] = ()

    @property
    def output(self) -> str | None:
        """The name of the last step (the output unless another is chosen); None for a single
        expression."""
        return self.steps[-1].name if self.steps else None

    def step(self, name: str) -> NamedStep | None:
        """The step called ``name``, or None."""
        return next((s for s in self.steps if s.name == name), None)

    def one_line(self) -> str:
        """The text on one line: the steps joined with ``; ``."""
        if not self.steps:
            return " ".join(self.text.split())
        return "; ".join(str(s) for s in self.steps)

    def __str__(self) -> str:
        return self.text


# ----------------------------------------------------------------------------- parsing

def _position(text: str, node: ast.AST) -> tuple[int, int, int]:
    """(line, column, length) of ``node`` in ``text``, columns in characters from 1.

    ``ast`` counts columns in UTF-8 bytes; this converts them, so ``αβ + x.y`` points right.
    """
    lines = text.splitlines() or [""]
    # Every node refused or built is an expression or a statement, which have positions;
    # ast.AST, what ast.walk yields, does not declare them.
    node = cast(ast.expr, node)
    line = node.lineno
    row = lines[line - 1].encode()
    column = len(row[:node.col_offset].decode(errors="replace")) + 1
    end_line = getattr(node, "end_lineno", line) or line
    if end_line == line and getattr(node, "end_col_offset", None) is not None:
        length = len(row[node.col_offset:node.end_col_offset].decode(errors="replace"))
    else:
        length = len(lines[line - 1]) - column + 1
    return line, column, max(1, length)


def _refuse(text: str, node: ast.AST, message: str, hint: bool = True,
            also: str = "") -> ExpressionError:
    line, column, length = _position(text, node)
    return ExpressionError(message, text, line, column, length, allowed_hint=hint, also=also)


def _construct(message: str) -> str:
    """The construct a refusal names: "strings are not allowed" -> "strings"."""
    for end in (" is not allowed", " are not allowed", " is not supported", ":"):
        message = message.split(end)[0]
    return message


def _depth_problem(tree: ast.Expression) -> ast.AST | None:
    """The first node deeper than ``MAX_DEPTH`` levels, or None. Iterative."""
    stack: list[tuple[ast.AST, int]] = [(tree.body, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            return node
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node)
                     if isinstance(child, ast.expr))
    return None


def _is_constant(node: ast.AST) -> bool:
    """True if ``node`` contains no variable (only numbers, operators and function calls)."""
    called = {id(sub.func) for sub in ast.walk(node) if isinstance(sub, ast.Call)}
    return not any(isinstance(sub, ast.Name) and id(sub) not in called for sub in ast.walk(node))


_FOLDABLE = (ast.Constant, ast.UnaryOp, ast.BinOp, ast.Call, ast.Name, ast.operator, ast.unaryop,
             ast.expr_context)


def _literal_problem(text: str, node: ast.Constant) -> str | None:
    """Why a numeric literal is refused (too many digits, out of range), or None."""
    segment = ast.get_source_segment(text, node) or repr(node.value)
    digits = sum(ch.isdigit() for ch in segment.lower().split("e")[0])
    if digits > MAX_DIGITS:
        return f"the number {segment[:20]}... has {digits} digits; at most {MAX_DIGITS} are allowed"
    if isinstance(node.value, float):
        if not math.isfinite(node.value):
            return f"the number {segment} is too large for a float"
        if node.value == 0 and any(ch in "123456789" for ch in segment.lower().split("e")[0]):
            return f"the number {segment} is too small for a float (it would become 0)"
    return None


def _problems(text: str, tree: ast.Expression) -> list[tuple[tuple, str, ast.AST]]:
    """Every construct outside the whitelist: (sort key, message, node), outermost first."""
    found: list[tuple[tuple[int, int, int], str, ast.AST]] = []
    handled: set[int] = set()
    depth_of = {id(tree.body): 0}

    def add(node: ast.AST, message: str) -> None:
        line, column, _ = _position(text, node)
        found.append(((line, column, depth_of.get(id(node), 0)), message, node))

    for node in ast.walk(tree):  # breadth first: parents before children
        for child in ast.iter_child_nodes(node):
            depth_of[id(child)] = depth_of.get(id(node), 0) + 1
        if isinstance(node, (ast.Expression, ast.expr_context, ast.operator, ast.unaryop,
                             ast.boolop, ast.cmpop, ast.comprehension, ast.arguments,
                             ast.keyword, ast.arg)) or id(node) in handled:
            continue
        if isinstance(node, ast.Constant):
            value = node.value
            if isinstance(value, bool) or value is None or value is Ellipsis:
                add(node, f"{value!r} is not a number")
            elif isinstance(value, complex):
                add(node, "complex numbers are not allowed: this engine works with real numbers")
            elif isinstance(value, str):
                add(node, "strings are not allowed")
            elif isinstance(value, bytes):
                add(node, "bytes are not allowed")
            elif isinstance(value, (int, float)):
                problem = _literal_problem(text, node)
                if problem:
                    add(node, problem)
            else:  # pragma: no cover - no other literal kinds exist
                add(node, f"the constant {value!r} is not allowed")
        elif isinstance(node, ast.Name):
            if node.id.startswith("__"):
                add(node, f"names with double underscores ({node.id}) are not allowed")
            elif node.id in functions():
                add(node, f"{node.id} is a function: call it, as in {node.id}(x)")
        elif isinstance(node, ast.Attribute):
            add(node, f"attribute access (.{node.attr}) is not allowed")
        elif isinstance(node, ast.Call):
            _check_call(node, add, handled)
        elif isinstance(node, ast.BinOp):
            if type(node.op) in _BINOP_MESSAGES:
                add(node, _BINOP_MESSAGES[type(node.op)])
            elif isinstance(node.op, ast.Pow) and _is_constant(node.right):
                _check_constant_exponent(text, node, add)
        elif isinstance(node, ast.UnaryOp):
            if isinstance(node.op, ast.Not):
                add(node, "boolean operators (not) are not allowed")
            elif isinstance(node.op, ast.Invert):
                add(node, "~ (bitwise not) is not allowed")
        elif type(node) in _NODE_MESSAGES:
            add(node, _NODE_MESSAGES[type(node)])
        else:
            add(node, f"{type(node).__name__} expressions are not allowed")
    found.sort(key=lambda item: item[0])
    return found


def _check_call(node: ast.Call, add: Callable[[ast.AST, str], None],
                handled: set[int]) -> None:
    func = node.func
    if isinstance(func, ast.Name):
        handled.add(id(func))
        known = functions()
        if func.id not in known:
            hint = _FUNCTION_HINTS.get(func.id)
            add(node, f"calling {func.id}() is not allowed: the functions are "
                      + ", ".join(known) + (f" ({hint})" if hint else ""))
            return
    elif not isinstance(func, ast.Attribute):  # attribute calls: reported at the attribute
        add(node, "calling the result of an expression is not allowed")
        return
    name = func.id if isinstance(func, ast.Name) else "a method"
    if node.keywords:
        shown = ", ".join(f"{k.arg}=..." if k.arg else "**..." for k in node.keywords)
        add(node, f"keyword arguments ({shown}) are not allowed")
    elif isinstance(func, ast.Name) and len(node.args) != functions()[name].arity:
        arity = functions()[name].arity
        add(node, f"{name} takes {'one argument' if arity == 1 else f'{arity} arguments'}, "
                  f"got {len(node.args)}")


def _check_constant_exponent(text: str, node: ast.BinOp,
                             add: Callable[[ast.AST, str], None]) -> None:
    """A constant exponent must be small and must not itself contain a power (9**9**9)."""
    if not all(isinstance(sub, _FOLDABLE) for sub in ast.walk(node.right)):
        return  # something in it is refused on its own
    if any(isinstance(sub, ast.BinOp) and isinstance(sub.op, ast.Pow)
           for sub in ast.walk(node.right)):
        add(node.right, "a power inside a constant exponent (as in 9**9**9) is not allowed: "
                        "write the exponent as one number")
        return
    try:
        exponent = _fold(text, node.right)
    except _NotFoldable:
        return  # something in it is refused on its own
    except ExpressionError as exc:
        add(node.right, exc.reason)
        return
    if exponent > MAX_EXPONENT or exponent < -MAX_EXPONENT:
        add(node.right, f"the exponent {format_number(exponent)} is too large: constant "
                        f"exponents are limited to {MAX_EXPONENT} in size")


def _fold(text: str, node: ast.AST) -> Number:
    """The value of a constant subexpression (no variables, no powers), exactly where it can be.

    Used for constant exponents only (``x ** (1/2)``). Returns an int, Fraction or float.
    """
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) \
            and not isinstance(node.value, bool):
        return _literal(text, node, exact=True)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        value = _fold(text, node.operand)
        return -value if isinstance(node.op, ast.USub) else value
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub, ast.Mult,
                                                            ast.Div)):
        a, b = _fold(text, node.left), _fold(text, node.right)
        if isinstance(node.op, ast.Add):
            return a + b
        if isinstance(node.op, ast.Sub):
            return a - b
        if isinstance(node.op, ast.Mult):
            return a * b
        if b == 0:
            raise ExpressionError("division by zero in a constant exponent")
        return Fraction(a) / Fraction(b) if not isinstance(a, float) and \
            not isinstance(b, float) else a / b
    op = None
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        op = functions().get(node.func.id)
    if isinstance(node, ast.Call) and op is not None and len(node.args) == op.arity \
            and not node.keywords:
        args = [float(_fold(text, arg)) for arg in node.args]
        problem = op.domain(ScalarMath, *args) if op.restricted else None
        if problem is not None:
            raise ExpressionError(f"{op.name} in a constant exponent is undefined: {problem[1]}")
        try:
            return op.forward(ScalarMath, *args)
        except (ArithmeticError, ValueError):
            raise ExpressionError("a constant exponent overflows or is undefined") from None
    raise _NotFoldable  # refused on its own (a string, a bad call, ...)


class _NotFoldable(Exception):
    pass


def _syntax_message(text: str, error: SyntaxError) -> tuple[str, int, int]:
    """A message for a SyntaxError, with (line, column) in ``text``."""
    line = error.lineno or 1
    column = error.offset or 1
    first = re.match(r"\s*([A-Za-z_]\w*)", text)
    if first and first.group(1) in _STATEMENT_WORDS:
        word = first.group(1)
        if word in ("import", "from"):
            return ("import statements are not allowed: give one expression, such as "
                    + "(2*x1 + x2)**2", 1, 1)
        return (f"statements ({word} ...) are not allowed: give one expression", 1, 1)
    if ";" in text:
        return ("several expressions separated by ; are not allowed: give one expression, or "
                "name each step, as in h = x**2; y = 3*h"), 1, text.index(";") + 1
    message = error.msg or "invalid syntax"
    return f"not a valid expression: {message}", line, column


# A text whose first line (after comments) starts with "name =" is a sequence of named steps.
_STEP_START = re.compile(r"(?:[ \t]*(?:#[^\n]*)?\n)*[ \t]*[^\W\d]\w*[ \t]*"
                         r"(?:,[ \t]*[^\W\d]\w*[ \t]*)*=(?!=)")

_STATEMENT_KINDS = {ast.Import: "import statements", ast.ImportFrom: "import statements",
                    ast.FunctionDef: "function definitions (def)", ast.ClassDef: "classes",
                    ast.For: "loops (for)", ast.While: "loops (while)", ast.If: "if statements",
                    ast.With: "with statements", ast.Try: "try statements",
                    ast.Return: "return", ast.Delete: "del", ast.Global: "global",
                    ast.Nonlocal: "nonlocal", ast.Assert: "assert", ast.Raise: "raise",
                    ast.Pass: "pass", ast.Break: "break", ast.Continue: "continue",
                    ast.AsyncFunctionDef: "function definitions (async def)",
                    ast.AsyncFor: "loops (async for)", ast.AsyncWith: "with statements"}

_STEP_FORM = "each step is NAME = expression, as in h1 = (x1 + w1*x2)**2"


def _step_syntax_message(text: str, error: SyntaxError) -> tuple[str, int, int]:
    """A message for a SyntaxError in named steps, with (line, column) in ``text``."""
    message = error.msg or "invalid syntax"
    return f"not a valid step: {message} ({_STEP_FORM})", error.lineno or 1, error.offset or 1


def _step_name(source: str, statement: ast.stmt) -> ast.Name:
    """The name a statement defines, or a refusal saying why it is not a step."""
    kind = _STATEMENT_KINDS.get(type(statement))
    if kind is not None:
        raise _refuse(source, statement, f"{kind} are not allowed: {_STEP_FORM}", hint=False)
    if isinstance(statement, ast.Expr):
        raise _refuse(source, statement, "this step has no name: write NAME = expression, as "
                                         "in y = " + (ast.get_source_segment(source, statement)
                                                      or "...")[:40], hint=False)
    if isinstance(statement, ast.AugAssign):
        raise _refuse(source, statement, "an update such as x += 1 is not a step: give the "
                                         "new value its own name (x2 = x + 1)", hint=False)
    if isinstance(statement, ast.AnnAssign):
        raise _refuse(source, statement, f"type annotations are not allowed: {_STEP_FORM}",
                      hint=False)
    if not isinstance(statement, ast.Assign):
        raise _refuse(source, statement, f"this is not a step: {_STEP_FORM}", hint=False)
    if len(statement.targets) != 1:
        raise _refuse(source, statement.targets[1], "a step has one name (a = b = ... is not "
                                                    "allowed)", hint=False)
    target = statement.targets[0]
    if not isinstance(target, ast.Name):
        raise _refuse(source, target, f"a step's name is one name such as h1: {_STEP_FORM}",
                      hint=False)
    if target.id.startswith("__"):
        raise _refuse(source, target, f"names with double underscores ({target.id}) are not "
                                      "allowed", hint=False)
    if target.id in functions():
        raise _refuse(source, target, f"{target.id} is a function of the table: give the step "
                                      "another name", hint=False)
    return target


def _plain_value(value: ast.expr) -> str | None:
    """What is wrong with a step that computes nothing: a bare name or number, or None."""
    inner = value
    while isinstance(inner, ast.UnaryOp) and isinstance(inner.op, ast.UAdd):
        inner = inner.operand
    if isinstance(inner, ast.Name):
        return f"only renames {inner.id}: a step must compute something (use {inner.id} itself)"
    if isinstance(inner, ast.UnaryOp) and isinstance(inner.op, ast.USub):
        inner = inner.operand
    if isinstance(inner, ast.Constant):
        return "is a number, not a computation: give it as a value instead (NAME=VALUE)"
    return None


def _parse_steps(source: str) -> Expression:
    """Named steps, ``h1 = ...; y = ...``: every step checked as an expression, every name
    defined once, before it is used, and used by a later step (the last is the output)."""
    module = _syntax_tree(source, "exec")
    names = [_step_name(source, statement) for statement in module.body]
    # Each statement is an assignment: _step_name refused any other.
    values = [cast(ast.Assign, statement).value for statement in module.body]
    _refuse_problems(source, [ast.Expression(body=value) for value in values])
    defined: dict[str, int] = {}
    for k, (name, value) in enumerate(zip(names, values)):
        if name.id in defined:
            raise _refuse(source, name, f"{name.id} is defined twice (first by step "
                                        f"{defined[name.id] + 1}); give each step its own name",
                          hint=False)
        plain = _plain_value(value)
        if plain is not None:
            raise _refuse(source, name, f"the step {name.id} = "
                                        f"{ast.get_source_segment(source, value)} {plain}",
                          hint=False)
        defined[name.id] = k
    for k, value in enumerate(values):
        for use in _name_uses(value):
            later = defined.get(use.id)
            if later is None or later < k:
                continue
            if later == k:
                raise _refuse(source, names[k], f"the step {use.id} = ... uses the input "
                                                f"{use.id} and takes its name: give the step "
                                                f"another name ({use.id}_new = ...)", hint=False)
            raise _refuse(source, use, f"{use.id} is used before it is defined (by step "
                                       f"{later + 1}); move that step up, or if {use.id} is an "
                                       "input, give that step another name", hint=False)
    for k, name in enumerate(names[:-1]):
        if not any(use.id == name.id for value in values[k + 1:] for use in _name_uses(value)):
            raise _refuse(source, name, f"the step {name.id} is never used: no later step uses "
                                        f"it, and the output is the last step, "
                                        f"{names[-1].id}", hint=False)
    steps = tuple(NamedStep(name.id, ast.get_source_segment(source, value) or "",
                            *_position(source, name)[:2]) for name, value in zip(names, values))
    inputs: list[str] = []
    for value in values:
        inputs += [n for n in _used_names(value) if n not in defined and n not in inputs]
    return Expression(source, module, tuple(inputs), steps)


def _name_uses(value: ast.expr) -> list[ast.Name]:
    """The variable names a step's expression reads (not the functions it calls), in order."""
    call_names = {id(n.func) for n in ast.walk(value) if isinstance(n, ast.Call)}
    return [n for n in _source_order(value) if isinstance(n, ast.Name) and id(n) not in call_names]


def parse(text: str) -> Expression:
    """Read ``text`` as an expression and check every part of it against the whitelist.

    The text is one expression, or a sequence of named steps ``NAME = expression`` separated
    by ``;`` or newlines (``"u = 2*x1 + x2; v = u**2 + 3*x2**2; f = v**3"``): each step may use
    the inputs and the steps before it, and each but the last must be used by a later one; the
    last is the output. ``#`` starts a comment.

    Args:
        text: e.g. ``"((2*x1 + x2)**2 + 3*x2**2)**3"``, ``"sigmoid(w*x + b)"`` or
            ``"h = x**2; y = 3*h"``.

    Returns:
        Expression: the text, its checked syntax tree, its variable names and its steps.

    Raises:
        ExpressionError: the text is too long, too deeply nested, not an expression, or uses
            anything outside the whitelist (the message names the first such construct and its
            column, and counts the others); a step's name is used before it is defined,
            defined twice, takes the name of an input it uses, or is never used (a caret
            points at the name).
        TypeError: ``text`` is not a str.

    >>> parse("sigmoid(w*x + b) ** 2").variables
    ('w', 'x', 'b')
    >>> e = parse("u = 2*x1 + x2; v = u**2 + 3*x2**2; f = v**3")
    >>> e.variables, [s.name for s in e.steps], e.output
    (('x1', 'x2'), ['u', 'v', 'f'], 'f')
    >>> parse("y = 3*h; h = x**2")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
        ...
    autograd.expr.ExpressionError: h is used before it is defined (by step 2); ... at column 7
      y = 3*h; h = x**2
            ^
    >>> parse("9**9**9")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
        ...
    autograd.expr.ExpressionError: a power inside a constant exponent ... at column 4
      9**9**9
         ^^^^
    allowed: ...
    """
    if not isinstance(text, str):
        raise TypeError(f"an expression is text (a str), got {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise ExpressionError(f"the expression is {len(text):,} characters long; at most "
                              f"{MAX_LENGTH:,} are allowed")
    source = text.strip()
    if not source:
        raise ExpressionError("the expression is empty")
    if "\x00" in source:
        raise ExpressionError("the expression contains a NUL character")
    # Nesting of brackets, counted before the parser sees it (it has limits of its own).
    depth = 0
    for i, ch in enumerate(source):
        depth += ch in "([{"
        depth -= ch in ")]}"
        if depth > MAX_DEPTH:
            line = source.count("\n", 0, i) + 1
            column = i - (source.rfind("\n", 0, i) + 1) + 1
            raise ExpressionError(f"brackets are nested more than {MAX_DEPTH} levels deep",
                                  source, line, column)
    if _STEP_START.match(source):
        return _parse_steps(source)
    tree = _syntax_tree(source, "eval")
    _refuse_problems(source, [tree])
    return Expression(source, tree, tuple(_used_names(tree)))


@overload
def _syntax_tree(source: str, mode: Literal["exec"]) -> ast.Module: ...
@overload
def _syntax_tree(source: str, mode: Literal["eval"]) -> ast.Expression: ...
def _syntax_tree(source: str, mode: str) -> ast.AST:
    """``ast.parse`` of the text (an AST only: nothing is compiled to code), its syntax errors
    turned into located refusals."""
    try:
        return ast.parse(source, mode=mode)
    except SyntaxError as error:
        message, line, column = (_syntax_message(source, error) if mode == "eval"
                                 else _step_syntax_message(source, error))
        if "Exceeds the limit" in message:
            message = f"a number has more than {MAX_DIGITS} digits"
        raise ExpressionError(message, source, line, column) from None
    except (RecursionError, MemoryError):
        raise ExpressionError(f"the expression is nested more than {MAX_DEPTH} levels deep "
                              "(the parser gave up)") from None


def _refuse_problems(source: str, trees: list[ast.Expression]) -> None:
    """Refuse the first construct outside the whitelist in any of ``trees`` (naming the
    others), or a nesting deeper than ``MAX_DEPTH``."""
    for tree in trees:
        deep = _depth_problem(tree)
        if deep is not None:
            raise _refuse(source, deep, f"the expression is nested more than {MAX_DEPTH} "
                                        "levels deep", hint=False)
    problems = sorted((p for tree in trees for p in _problems(source, tree)),
                      key=lambda item: item[0])
    if not problems:
        return
    _, message, node = problems[0]
    seen = {_construct(message)}
    others = []
    for (line, column, _), other, _ in problems[1:]:
        if _construct(other) not in seen:
            seen.add(_construct(other))
            where = (f"column {column}" if "\n" not in source
                     else f"line {line}, column {column}")
            others.append(f"{_construct(other)} ({where})")
    raise _refuse(source, node, message, also="; ".join(others[:4])
                  + ("; ..." if len(others) > 4 else ""))


def _used_names(tree: ast.AST) -> list[str]:
    """The variable names ``tree`` reads (not the functions it calls), each once, in the
    order they first appear."""
    found: list[str] = []
    call_names = {id(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}
    for node in _source_order(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) \
                and id(node) not in call_names and node.id not in found:
            found.append(node.id)
    return found


def _source_order(tree: ast.AST) -> list[ast.AST]:
    nodes = [n for n in ast.walk(tree) if hasattr(n, "lineno")]

    def position(node: ast.AST) -> tuple[int, int]:
        positioned = cast(ast.expr, node)  # it has a lineno, so a col_offset too
        return positioned.lineno, positioned.col_offset

    return sorted(nodes, key=position)


# ----------------------------------------------------------------------------- numbers

_INT = re.compile(r"[+-]?\d+")
_FRACTION = re.compile(r"([+-]?\d+)\s*/\s*(\d+)")


@overload
def parse_number(text: object, exact: Literal[True], what: str = ...) -> Fraction: ...
@overload
def parse_number(text: object, exact: bool = False, what: str = ...) -> Number: ...
def parse_number(text: object, exact: bool = False, what: str = "a value") -> Number:
    """A number from text such as ``"3"``, ``"-0.25"``, ``"1e-3"`` or ``"3/4"``; never eval'd.

    Args:
        text: the text, or a number (returned converted, see below).
        exact: if True, the result is a ``Fraction``: ``"0.1"`` is exactly 1/10, and a float
            0.1 is read from its shortest repr, so it is 1/10 too (not 3602879701896397/2**55).
        what: how to name the number in error messages.

    Returns:
        int for whole-number text, float for decimals and ``a/b`` (exact=False); a Fraction
        for all of them (exact=True). ints, floats and Fractions given as numbers are kept
        (exact=False) or converted (exact=True).

    Raises:
        ExpressionError: not a number, not finite, or more than ``MAX_DIGITS`` digits.

    >>> parse_number("3"), parse_number("0.5"), parse_number("3/4")
    (3, 0.5, 0.75)
    >>> parse_number("0.1", exact=True), parse_number(0.1, exact=True)
    (Fraction(1, 10), Fraction(1, 10))
    """
    if isinstance(text, bool):
        raise ExpressionError(f"{what} must be a number, got {text!r}")
    if isinstance(text, (int, Fraction)):
        return Fraction(text) if exact else text
    if isinstance(text, float):
        if not math.isfinite(text):
            raise ExpressionError(f"{what} must be a finite number, got {text!r}")
        return Fraction(repr(text)) if exact else text
    if isinstance(text, decimal.Decimal):
        text = str(text)
    if not isinstance(text, str):
        try:
            number = as_number(text, what)
        except TypeError as exc:
            raise ExpressionError(str(exc)) from None
        return parse_number(number, exact, what)
    raw = text
    text = text.strip().replace("\u2212", "-")
    if sum(ch.isdigit() for ch in text) > MAX_DIGITS:
        raise ExpressionError(f"{what} {raw[:20]!r}... has more than {MAX_DIGITS} digits")
    if _INT.fullmatch(text):
        return Fraction(int(text)) if exact else int(text)
    match = _FRACTION.fullmatch(text)
    if match:
        numerator, denominator = int(match.group(1)), int(match.group(2))
        if denominator == 0:
            raise ExpressionError(f"{what} {raw!r} divides by zero")
        value = Fraction(numerator, denominator)
        return value if exact else numerator / denominator
    parsed = _decimal(text)
    if parsed is None:
        raise ExpressionError(f"{what} must be a number such as 3, -0.25, 1e-3 or 3/4, got "
                              f"{raw!r} (values are read, never evaluated)")
    if not parsed.is_finite() or abs(parsed.adjusted()) > 308:
        raise ExpressionError(f"{what} must be a finite number within the range of a float, "
                              f"got {raw!r}")
    return Fraction(parsed) if exact else float(parsed)


_DECIMAL = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def _decimal(text: str) -> decimal.Decimal | None:
    """``Decimal(text)`` for plain decimal notation only (no nan, inf, underscores), else None."""
    if not _DECIMAL.fullmatch(text) or len(text) > MAX_DIGITS + 10:
        return None
    return decimal.Decimal(text)


def _literal(text: str, node: ast.Constant, exact: bool) -> Number:
    """The number a literal in the expression stands for (its digits, exactly, if ``exact``)."""
    value = cast(float, node.value)  # callers pass the literal of a number: an int or float
    if isinstance(value, int):
        return Fraction(value) if exact else value
    if not exact:
        return value
    segment = (ast.get_source_segment(text, node) or repr(value)).replace("_", "")
    number = _decimal(segment)
    return Fraction(number) if number is not None else Fraction(repr(value))


# ----------------------------------------------------------------------------- building

class _Builder:
    def __init__(self, expression: Expression, leaves: dict[str, Value], exact: bool) -> None:
        self.text, self.exact = expression.text, exact
        self.leaves = dict(leaves)  # the inputs, then each step's Value as it is built

    def steps(self, expression: Expression) -> dict[str, Value]:
        """Build every named step in order; each Value is labelled with its step's name."""
        built = {}
        module = cast(ast.Module, expression.tree)  # named steps: a module of assignments
        for step, statement in zip(expression.steps, module.body):
            value = self(cast(ast.Assign, statement).value)
            value.label = step.name
            self.leaves[step.name] = built[step.name] = value
        return built

    def fail(self, node: ast.AST, message: str) -> ExpressionError:
        line, column, length = _position(self.text, node)
        return ExpressionError(message, self.text, line, column, length)

    def apply(self, node: ast.AST, operation: Callable[..., Value], *args: Any) -> Value:
        """Run one Value operation, turning the engine's math errors into located ones."""
        try:
            out = operation(*args)
        except ExpressionError:
            raise
        except (ArithmeticError, ValueError, TypeError) as exc:
            raise self.fail(node, str(exc)) from None
        if isinstance(out.data, float) and not math.isfinite(out.data):
            raise self.fail(node, "the result overflows: it is larger than the largest float "
                                  "(about 1.8e308)")
        return out

    def power(self, node: ast.AST, base: Value, exponent: Value | Number) -> Value:
        """``base ** exponent``, refusing exact results too large to compute."""
        size = exponent.data if isinstance(exponent, Value) else exponent
        if isinstance(size, (int, float, Fraction)) and (size > MAX_EXPONENT
                                                         or size < -MAX_EXPONENT):
            raise self.fail(node, f"the exponent {format_number(size)} is too large: "
                                  f"exponents are limited to {MAX_EXPONENT} in size")
        return self.apply(node, lambda: base ** exponent)

    def __call__(self, node: ast.AST) -> Value:
        if isinstance(node, ast.Constant):
            return Value(_literal(self.text, node, self.exact))
        if isinstance(node, ast.Name):
            return self.leaves[node.id]
        if isinstance(node, ast.UnaryOp):
            if isinstance(node.operand, ast.Constant) and isinstance(node.op, ast.USub):
                return Value(-_literal(self.text, node.operand, self.exact))  # -3: a constant
            operand = self(node.operand)
            if isinstance(node.op, ast.UAdd):
                return operand
            return self.apply(node, apply, find_op("-", 1), operand)
        if isinstance(node, ast.BinOp):
            left = self(node.left)
            if isinstance(node.op, ast.Pow):
                if _is_constant(node.right):
                    exponent = _fold(self.text, node.right)
                    if isinstance(exponent, Fraction):
                        exponent = int(exponent) if exponent.denominator == 1 else float(exponent)
                    return self.power(node, left, exponent)
                return self.power(node, left, self(node.right))
            right = self(node.right)
            op = find_op(_BINARY_SYMBOLS[type(node.op)], 2)
            return self.apply(node, apply, op, left, right)
        if isinstance(node, ast.Call):
            arguments = [self(arg) for arg in node.args]
            function = cast(ast.Name, node.func)  # parse refused calls of anything else
            return self.apply(node, apply, functions()[function.id], *arguments)
        raise self.fail(node, f"{type(node).__name__} cannot be built")  # pragma: no cover


def build(expression: Expression | str, values: dict[str, Any], exact: bool = False,
          output: str | None = None) -> tuple[Value, dict[str, Value]]:
    """Build the ``Value`` graph of an expression at the given values.

    Each variable becomes one leaf ``Value`` labelled with its name (used as often as the
    expression uses it, so ``x * x`` has two edges from the same leaf); each number becomes
    an unlabelled constant leaf; intermediates are left unlabelled (``autograd.trace`` names
    them ``n1``, ``n2``, ...), except that the Value of each named step is labelled with the
    step's name, so traces, paths, formulas and pictures show it. A unary minus on a number is
    part of the number (``-3`` is one constant), and a constant exponent stays a plain number
    (``x ** 2`` is the engine's ``PowConst``, so x may be negative).

    Args:
        expression: an ``Expression`` from ``parse``, or text (parsed first).
        values: the value of every variable, by name: int, float, Fraction, text such as
            ``"3/4"`` or ``"0.1"`` (read by ``parse_number``, never evaluated), or a leaf
            ``Value`` labelled with that name, used as the leaf itself (so that several graphs,
            one per example, share a parameter).
        exact: if True, every value and every number in the expression becomes a
            ``fractions.Fraction``: ``"0.1"`` and the literal ``0.1`` are exactly 1/10 (a float
            value is read from its shortest repr). ``+ - * /`` and whole powers then stay exact;
            ``exp``, ``log``, ``tanh``, ``sigmoid`` and fractional powers give floats (with an
            ``autograd.InexactWarning``). If False, values are kept as given (text becomes an
            int, or a float for decimals and a/b).

        output: for named steps, the step whose Value is returned as the root (by default
            the last one).

    Returns:
        (root, leaves): the output Value and a dict from each variable name to its leaf, in
        order of first appearance.

    Raises:
        ExpressionError: the expression is refused (see ``parse``); a value is missing, given
            for a name the expression does not use (or for a step), or not a number; ``output``
            names no step; or the arithmetic fails at these values (log of a negative number,
            division by zero, overflow, numbers too large), located in the expression.

    >>> f, leaves = build("x * x + 2 * x", {"x": 3.0})
    >>> f.backward(); leaves["x"].grad
    8.0
    >>> y, _ = build("h = x ** 2; y = 3 * h", {"x": 2})
    >>> y.label, y.data, y.inputs[1].label, y.inputs[1].data
    ('y', 12, 'h', 4)
    """
    if not isinstance(expression, Expression):
        expression = parse(expression)
    if not isinstance(values, dict):
        raise TypeError(f"values must be a dict from variable name to number, got "
                        f"{type(values).__name__}")
    _check_values(expression, values)
    if output is not None and expression.step(output) is None:
        steps = ", ".join(s.name for s in expression.steps)
        raise ExpressionError(f"the output {output!r} is not a step of the expression"
                              + (f"; its steps are {steps}" if steps else
                                 "; only named steps (y = ...) can be chosen as the output"))
    leaves = {name: _leaf(name, values[name], exact) for name in expression.variables}
    builder = _Builder(expression, leaves, exact)
    if not expression.steps:
        tree = cast(ast.Expression, expression.tree)  # no steps: parsed in "eval" mode
        return builder(tree.body), leaves
    built = builder.steps(expression)
    return built[output or expression.steps[-1].name], leaves


def _check_values(expression: Expression, values: dict[str, Any]) -> None:
    """Refuse a missing value, or one for a name that is no input."""
    names = expression.variables
    uses = (f"the expression uses {', '.join(names)}" if names
            else "the expression has no variables")
    for name in values:
        step = expression.step(name) if isinstance(name, str) else None
        if step is not None:
            raise ExpressionError(f"a value is given for {name}, but {name} is a step "
                                  f"({step}), not an input; give values for the inputs only "
                                  f"({', '.join(names) or 'none'})", expression.text, step.line,
                                  step.column, len(name))
    missing = [name for name in names if name not in values]
    unused = [str(name) for name in values if name not in names]
    if missing:
        hint = ""
        if "e" in missing or "pi" in missing:
            hint = " (there are no named constants: for e ** x write exp(x))"
        raise ExpressionError(f"no value given for {', '.join(missing)}; {uses}{hint}")
    if unused:
        raise ExpressionError(f"values given for {', '.join(unused)}, which the expression does "
                              f"not use; {uses}")


def _leaf(name: str, value: object, exact: bool) -> Value:
    """The leaf of variable ``name``: a Value given for it, or a new one holding the number."""
    if isinstance(value, Value):
        if value.label != name or value.op is not None:
            raise ExpressionError(f"the Value given for {name} must be a leaf labelled "
                                  f"{name!r}, got {value!r}")
        return value
    return Value(parse_number(value, exact, f"the value of {name}"), label=name)
