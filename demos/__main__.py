"""``python -m demos``: list the demos."""

from . import DEMOS

print("tracegrad demos (run one with: python -m demos.NAME --help)\n")
width = max(map(len, DEMOS))
for name, what in DEMOS.items():
    print(f"  {name:{width}s}  {what}")
