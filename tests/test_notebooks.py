"""The notebook in docs/, executed headless with nbclient and ipykernel as a learner would run
it: every cell's output has the MIME types a notebook shows (HTML tables, SVG pictures, a
stepper's frame) with the lesson's numbers in them, and no cell fails."""

from __future__ import annotations

from pathlib import Path

import pytest

from autograd.draw import RendererNotFound, find_renderer

NOTEBOOK = Path(__file__).resolve().parents[1] / "docs" / "learner-session.ipynb"


@pytest.fixture(scope="module")
def executed():
    nbformat = pytest.importorskip("nbformat", reason="pip install nbformat")
    nbclient = pytest.importorskip("nbclient", reason="pip install nbclient")
    pytest.importorskip("ipykernel", reason="pip install ipykernel")
    try:
        find_renderer()
    except RendererNotFound:
        pytest.skip("no Graphviz renderer for the notebook's pictures")
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    nbclient.NotebookClient(notebook, timeout=300, kernel_name="python3",
                            resources={"metadata": {"path": str(NOTEBOOK.parent)}}).execute()
    return notebook


def outputs(notebook, source_part: str) -> list:
    """The outputs of the first code cell whose source contains ``source_part``."""
    cells = [c for c in notebook.cells if c.cell_type == "code" and source_part in c.source]
    assert cells, source_part
    return cells[0].outputs


def result(notebook, source_part: str, nth: int = 0) -> dict:
    """The display data (MIME type -> content) of the nth cell whose source ends with
    ``source_part``."""
    cells = [c for c in notebook.cells
             if c.cell_type == "code" and c.source.rstrip().endswith(source_part)]
    found = [o for o in cells[nth].outputs if o.output_type == "execute_result"]
    assert len(found) == 1, cells[nth].source
    return found[0]["data"]


def test_no_cell_fails(executed):
    errors = [o for c in executed.cells if c.cell_type == "code" for o in c.outputs
              if o.output_type == "error"]
    assert errors == []


def test_the_chain_rule_example_shows_tables_and_a_picture(executed):
    table = result(executed, "trace(f)")
    assert {"text/html", "text/plain"} <= set(table)
    assert "<table>" in table["text/html"] and "∂f/∂v = 3*v**2 = 17328" in table["text/html"]
    assert "485184" in table["text/html"]
    ps = result(executed, "paths(f, x2)")
    assert "sum of the products: ∂f/∂x2 = 485184" in ps["text/html"]
    picture = result(executed, "f.draw(paths_from=x2, edge_labels=True)")
    assert "<svg" in picture["image/svg+xml"] and "∂f/∂x2 = 485184" in picture["image/svg+xml"]


def test_the_five_weight_network_shows_the_lessons_numbers(executed):
    assert result(executed, "w1.grad, w3.grad")["text/plain"] == "(520, 650)"
    table = result(executed, "trace(E)")["text/html"]
    assert "w1 had grad 520" in table and "from an earlier backward" in table
    assert "1040" not in table and ">650<" in table


def test_a_stepper_shows_its_frame_and_redraws_on_each_step(executed):
    start = result(executed, 's = Stepper(E, by="label")\ns')
    assert "<svg" in start["text/html"]
    assert "0 of 4 labelled-node steps taken" in start["text/html"]
    first = result(executed, "s.step()", 0)["text/html"]
    second = result(executed, "s.step()", 1)["text/html"]
    assert "<svg" in first and "<svg" in second and first != second
    assert "1 of 4 labelled-node steps taken" in first
    assert "y passes its gradient 26 down" in second and "∂y/∂w3 = h1 = 25" in second
    grads = result(executed, "s.grads()")["text/html"]
    assert "<table>" in grads and ">650<" in grads
    edge = result(executed, "for _ in range(13):\n    s.step()\ns.step()")
    assert edge["text/plain"] == "step 14: n3 = w3 * h1 -> w3: local h1 = 25, upstream 26, grad 650"
    assert "<svg" in edge["text/html"] and "∂n3/∂w3 = h1 = 25" in edge["text/html"]


def test_gradcheck_and_the_training_loop(executed):
    assert "agrees with central differences" in result(executed, "gradcheck(error, 1.0, 1.0)")[
        "text/plain"]
    printed = "".join(o.text for o in outputs(executed, "optimizer = SGD(w, lr=0.0001)")
                      if o.output_type == "stream")
    assert "epoch    1: total error  534.000" in printed
    assert "epoch 1000: total error    3.297" in printed
