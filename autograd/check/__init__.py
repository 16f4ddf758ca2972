"""Check a hand calculation: which of a person's numbers are right, and where they go wrong.

``check(expression, values, claims)`` computes the expression with the engine and judges each
claimed number. A claim names a target and gives a number:

======================  =============================================================
target                  meaning
======================  =============================================================
``f`` or ``value``      the value of the output (or its label, e.g. ``E``)
``u``                   the value of a named node (a label in a ``Value`` graph, a
                        named step such as ``h1``, a variable, or ``n1``, ``n2``, ...
                        as ``autograd.trace`` names unlabelled intermediates)
``d/dx1`` ``df/dx1``    the gradient of the output with respect to x1 (any named node)
``dh1/dw1``             a step's derivative with respect to an input or earlier step
``x1'`` ``x1_new``      x1 after one gradient-descent step, x1 - lr * d/dx1 (needs lr)
======================  =============================================================

With ``examples`` (one dict of values each; the values outside them are shared, the
parameters), ``2:d/dw1`` and ``2:y`` are about example 2, an unprefixed gradient (or
``all:E``) is the examples' gradients (or outputs) summed, or averaged with
``reduce="mean"``, and an update uses that; ``after:`` and ``after K:`` claim numbers after
one or K steps of gradient descent (``after:1:y``). A worksheet file holds all of it
(``autograd.check.worksheet``, docs/worksheets.md).

How a claim is judged (the number as it was written decides):

* a whole number (``520``) or a fraction (``3/4``, ``Fraction(3, 4)``) claims that number
  exactly: 520 is right for 520 and wrong for 519.8 (a checker that accepted ``0`` for 0.3
  would call wrong work right). If you rounded to a whole number, say so with ``tol=0.5``.
* a decimal (``"33.95"``, ``0.948``, ``"1.5e-3"``) claims the correct value rounded to the
  digits written: ``33.95`` is right for anything from 33.945 to 33.955. A float is read from
  its shortest repr (``33.95``, not 33.9500000000000028...), so 520.0 means "to 1 decimal".
* ``tol=T`` replaces both rules: right when ``|yours - correct| <= T``.
* A correct value computed in floats gets a little slack for float rounding (1e-9 relative
  plus 1e-12 absolute); with ``exact=True`` (values as Fractions) there is none.

The report lists the claims in the order they were given. It marks the first wrong one in the
order of the computation (forward values in topological order, then gradients in the order
backward completes them, then updates) as the first divergence, and says of each later wrong
claim whether it follows from the person's own earlier numbers or is a new slip, and which
kind of slip the numbers point to (``Claim.slips``). For every wrong claim it shows the
derivation: the forward computation for a value, and for a gradient the paths of the chain
rule with their products (``autograd.trace.paths``).

Every verdict is data (``autograd.check.records``): ``claim.ok``, ``claim.correct``,
``claim.carried``, ``claim.slips``, ``claim.derivation``; the text is written from it, as
text, Markdown or LaTeX (``report.render("latex")``).

The work is split by job: reading the claims (``autograd.check.claimed``), the graphs of the
examples and steps (``autograd.check.work``, one ``GraphFacts`` each,
``autograd.check.facts``), the person's own numbers carried through them
(``autograd.check.yours``), judging (``autograd.check.judge``), recognising slips
(``autograd.check.slips``), explaining (``autograd.check.explain``), and worksheet files
(``autograd.check.worksheet``).

>>> report = check("(a + b) * b", {"a": 2, "b": 3}, {"f": 15, "d/da": 3, "d/db": 5})
>>> report.ok, [c.verdict for c in report.claims]
(False, ['right', 'right', 'wrong'])
>>> report["d/db"].correct, report.first_divergence.target
(8, 'd/db')
>>> check("x * y", {"x": 1.5, "y": 2.2}, {"f": "3.3"}).ok     # 3.3000000000000003, written 3.3
True
>>> r = check("y = w * x", {"w": 2}, {"1:y": 6, "2:y": 6, "all:y": 16},
...           examples=[{"x": 3}, {"x": 5}])
>>> [(c.target, c.verdict, c.correct) for c in r], [s.kind for s in r["2:y"].slips]
([('1:y', 'right', 6), ('2:y', 'wrong', 10), ('all:y', 'right', 16)], ['another example'])
"""

from .claimed import CheckError, ClaimedNumber
from .judge import Report, check
from .records import (
    SLIP_KINDS,
    Claim,
    GradientDerivation,
    ReducedDerivation,
    Slip,
    UpdateDerivation,
    ValueDerivation,
)

__all__ = ["check", "Report", "Claim", "CheckError", "ClaimedNumber", "Slip", "SLIP_KINDS",
           "ValueDerivation", "GradientDerivation", "ReducedDerivation", "UpdateDerivation"]
