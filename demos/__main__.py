"""``python -m demos``: list the demos."""

from . import DEMOS

print("tracegrad demos (run one with: python -m demos.NAME --help)\n")
for name, what in DEMOS.items():
    print(f"  {name:10s} {what}")
