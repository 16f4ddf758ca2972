"""The rows of docs/bad-inputs.md's section "Forward mode and the beyond-first-order demos".

A helper module, not a test file. Each row names the test file that runs it again
(``tests/test_forward.py``, ``tests/test_newton.py``, ``tests/test_why_backprop.py``); that file
calls ``rows_for(__file__)`` and ``check_row(row, namespace, capsys)``. The rows have a column
more than the page's first table (which ``tests/test_bad_inputs_doc.py`` runs in a namespace
without jvp and the demos), so that test's pattern does not match them.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parents[1] / "docs" / "bad-inputs.md"
HEADING = "## Forward mode and the beyond-first-order demos"
ROW = re.compile(r"^\| (?P<what>[^|]+) \| `(?P<code>[^`]+)` \| (?P<test>[^|]+) \| "
                 r"`(?P<error>\w+)`: (?P<message>.*) \|$")


def rows_for(test_file: str) -> list[dict]:
    """The section's rows that name ``test_file`` (a path; its file name is compared)."""
    text = DOC.read_text(encoding="utf-8")
    section = text.split(HEADING, 1)[1].split("\n## ", 1)[0]
    name = Path(test_file).name
    return [m.groupdict() for line in section.splitlines()
            if (m := ROW.match(line)) and Path(m["test"].strip()).name == name]


def check_row(row: dict, namespace: dict, capsys) -> None:
    """Run the row's code: it must raise the error shown, with the message shown as the first
    line of the error (or, for a command-line refusal, the last line printed on stderr)."""
    capsys.readouterr()
    with pytest.raises(BaseException) as caught:
        eval(row["code"], dict(namespace))
    assert type(caught.value).__name__ == row["error"]
    if isinstance(caught.value, SystemExit):    # argparse printed the message to stderr
        message = capsys.readouterr().err.strip().splitlines()[-1]
    else:
        message = str(caught.value).splitlines()[0]
    assert message == row["message"].replace("&#124;", "|")
