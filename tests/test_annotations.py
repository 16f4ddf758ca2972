"""Every public function and method of autograd and nn is annotated (issue 16).

A module's public API is its ``__all__`` (or, without one, the names it defines that do not start
with ``_``); a public class's API is every method it has, its own and inherited from a class of
these packages, whose name does not start with ``_``, and ``__init__``. Each must annotate every
parameter (``self`` and ``cls`` aside) and its return. Other special methods (``__add__``,
``__repr__``) are left out, and so are the methods ``autograd.operators`` makes from the
operation table (``x.exp()``, ``x.tanh()``): they are generated, one per entry of ``OPS``, and
the type checker sees them through ``Operators``' declarations.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Callable, Iterator
from types import ModuleType

import pytest

import autograd
import nn
from autograd.operators import Operators, made_from_table

PACKAGES = (autograd, nn)


def modules() -> Iterator[ModuleType]:
    for package in PACKAGES:
        yield package
        for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            yield importlib.import_module(info.name)


def public_names(module: ModuleType) -> list[str]:
    if hasattr(module, "__all__"):
        return list(module.__all__)
    return [name for name, value in vars(module).items() if not name.startswith("_")
            and getattr(value, "__module__", None) == module.__name__]


def ours(obj: object) -> bool:
    """Whether ``obj`` (a function or class) is defined in autograd or nn."""
    return getattr(obj, "__module__", "").split(".")[0] in {p.__name__ for p in PACKAGES}


def methods(cls: type) -> Iterator[tuple[str, Callable]]:
    """(name, function) of each public method of ``cls`` (and __init__), its own and those it
    inherits from our classes, each once; the table's generated methods left out, and so are
    functions Python supplies (a Protocol's __init__)."""
    for name, function in _defined_methods(cls):
        if ours(function):
            yield name, function


def _defined_methods(cls: type) -> Iterator[tuple[str, Callable]]:
    generated = set(made_from_table()) if issubclass(cls, Operators) else set()
    for name in dir(cls):
        if name in generated or (name.startswith("_") and name != "__init__"):
            continue
        owner = next((c for c in cls.__mro__ if name in vars(c)), None)
        if owner is None or not ours(owner):
            continue
        attribute = vars(owner)[name]
        if isinstance(attribute, (staticmethod, classmethod)):
            yield name, attribute.__func__
        elif isinstance(attribute, property):
            for accessor in (attribute.fget, attribute.fset):
                if accessor is not None:
                    yield name, accessor
        elif inspect.isfunction(attribute):
            yield name, attribute


def missing(function: Callable) -> list[str]:
    """The parameters of ``function`` without an annotation, and "return" if it has none."""
    signature = inspect.signature(function)
    lacking = [name for i, (name, p) in enumerate(signature.parameters.items())
               if p.annotation is inspect.Parameter.empty
               and not (i == 0 and name in ("self", "cls"))]
    if signature.return_annotation is inspect.Signature.empty:
        lacking.append("return")
    return lacking


def unannotated() -> list[str]:
    """``module.name(params)`` for every public function or method that lacks annotations."""
    found: dict[str, list[str]] = {}
    for module in modules():
        for name in public_names(module):
            obj = getattr(module, name)
            if inspect.isclass(obj) and ours(obj):
                for _, function in methods(obj):
                    where = f"{function.__module__}.{function.__qualname__}"
                    lacking = missing(function)
                    if lacking:
                        found[where] = lacking
            elif inspect.isfunction(obj) and ours(obj):
                lacking = missing(obj)
                if lacking:
                    found[f"{obj.__module__}.{obj.__qualname__}"] = lacking
    return [f"{where}({', '.join(lacking)})" for where, lacking in sorted(found.items())]


def test_every_public_function_and_method_is_annotated():
    lacking = unannotated()
    assert not lacking, (f"{len(lacking)} public functions and methods lack annotations "
                         "(the names in brackets):\n" + "\n".join(lacking))


def test_the_check_finds_a_function_without_annotations():
    def bare(x, y: int):
        return x

    def whole(x: int, y: int) -> int:
        return x

    assert missing(bare) == ["x", "return"]
    assert missing(whole) == []


@pytest.mark.parametrize("name", ["exp", "__add__"])
def test_the_generated_methods_are_left_out_and_the_others_are_checked(name):
    listed = dict(methods(autograd.Value))
    assert name not in listed
    assert "backward" in listed and "__init__" in listed
