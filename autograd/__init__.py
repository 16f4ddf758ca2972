"""tracegrad's scalar autograd engine: ``Value`` records each operation, ``backward()`` applies
the chain rule in reverse topological order.

Every operation is one entry of the table ``OPS`` (``autograd.ops``); add your own with
``register_op`` and check its rule with ``gradcheck``. ``grad(output, inputs)`` gives
gradients without touching ``.grad``, and with ``create_graph=True`` gradients that can be
differentiated again.

Note: the HIPS ``autograd`` package on PyPI uses the same import name; the two cannot be
installed in one environment.

>>> from autograd import Value
>>> x1, x2 = Value(3, label="x1"), Value(2, label="x2")
>>> f = ((2 * x1 + x2) ** 2 + 3 * x2 ** 2) ** 3
>>> f.backward()
>>> f.data, x1.grad, x2.grad
(438976, 554496, 485184)
"""

from .anomaly import AnomalyError, detect_anomaly, set_detect_anomaly
from .explore import explore
from .finite import NonFiniteError, allow_non_finite, is_non_finite_allowed, set_allow_non_finite
from .forward import Dual, jvp
from .grad_mode import is_grad_enabled, no_grad
from .graph import topological_order
from .numerical import GradcheckReport, gradcheck
from .ops import OPS, Op
from .registry import RegistrationError, register_op, registered, unregister_op
from .value import InexactWarning, Value, apply, grad

__all__ = ["Value", "InexactWarning", "grad", "no_grad", "is_grad_enabled", "topological_order",
           "OPS", "Op", "apply", "register_op", "unregister_op", "registered",
           "RegistrationError", "gradcheck", "GradcheckReport", "detect_anomaly",
           "set_detect_anomaly", "AnomalyError", "NonFiniteError", "allow_non_finite",
           "set_allow_non_finite", "is_non_finite_allowed", "jvp", "Dual", "explore"]
