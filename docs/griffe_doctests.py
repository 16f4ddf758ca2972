"""A griffe extension for the documentation site: docstring examples become code blocks.

``help()`` shows a docstring as written and pytest runs its ``>>>`` examples, wherever they
stand. Markdown would read ``>>> x`` as three nested quotes and ``[a][b]`` in an output line
as a link, so for the site each example (a ``>>>`` line and every line after it up to a blank
one) is put in a ``pycon`` code block. mkdocs.yml loads this file (mkdocstrings'
``extensions`` option); the docstrings themselves stay as they are.
"""

from __future__ import annotations

import griffe


class DoctestFences(griffe.Extension):
    """Fence the examples of every docstring once the objects are loaded."""

    def on_object(self, *, obj: griffe.Object, **kwargs) -> None:
        if obj.docstring is not None:
            obj.docstring.value = fence_examples(obj.docstring.value)


def fence_examples(text: str) -> str:
    """``text`` with each doctest example inside a ```` ```pycon ```` fence at its indent.

    >>> fence_examples("Adds.\\n\\n    >>> 1 + 1\\n    2\\n\\nDone.").splitlines()
    ['Adds.', '', '    ```pycon', '    >>> 1 + 1', '    2', '    ```', '', 'Done.']
    """
    lines, out, fenced = text.splitlines(), [], False
    i = 0
    while i < len(lines):
        stripped = lines[i].lstrip()
        if stripped.startswith("```"):
            fenced = not fenced
        if fenced or not stripped.startswith(">>>"):
            out.append(lines[i])
            i += 1
            continue
        indent = lines[i][:len(lines[i]) - len(stripped)]
        out.append(f"{indent}```pycon")
        while i < len(lines) and lines[i].strip():
            out.append(lines[i])
            i += 1
        out.append(f"{indent}```")
    return "\n".join(out)
