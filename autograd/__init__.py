"""tracegrad's scalar autograd engine: ``Value`` records each operation, ``backward()`` applies
the chain rule in reverse topological order.

Every operation is one entry of the table ``OPS`` (``autograd.ops``); add your own with
``register_op`` and check its rule with ``gradcheck``.

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
from .grad_mode import is_grad_enabled, no_grad
from .graph import topological_order
from .numerical import GradcheckReport, gradcheck
from .ops import OPS, Op
from .registry import RegistrationError, register_op, registered, unregister_op
from .value import InexactWarning, Value, apply

__all__ = ["Value", "InexactWarning", "no_grad", "is_grad_enabled", "topological_order", "OPS",
           "Op", "apply", "register_op", "unregister_op", "registered", "RegistrationError",
           "gradcheck", "GradcheckReport", "detect_anomaly", "set_detect_anomaly",
           "AnomalyError"]
