"""The picture demos, run in-process at --quick on the embedded subset: ``demos.digit_step``
(one training step on a handwritten 3) and ``demos.digit_pictures`` (what training learned).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from demos import digit_pictures, digit_step

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(autouse=True)
def offline(monkeypatch, tmp_path):
    """Never download in tests; use an empty cache so the embedded subset is the fallback."""
    monkeypatch.setenv("TRACEGRAD_OFFLINE", "1")
    monkeypatch.setenv("TRACEGRAD_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("TRACEGRAD_MNIST_DIR", raising=False)


def written(out: str) -> list[Path]:
    """The paths a demo printed as ``wrote PATH``; each must be a real PNG of sane size."""
    paths = [Path(p) for p in re.findall(r"^wrote (.+\.png)$", out, flags=re.MULTILINE)]
    for path in paths:
        data = path.read_bytes()
        assert data[:8] == PNG_MAGIC, path
        assert 10_000 < len(data) < 3_000_000, (path, len(data))
    return paths


def number(pattern: str, text: str) -> float:
    match = re.search(pattern, text, flags=re.MULTILINE)
    assert match, pattern
    return float(match.group(1))


def test_digit_step_goes_downhill_and_engines_agree(tmp_path, capsys):
    assert digit_step.main(["--quick", "--out", str(tmp_path / "out")]) == 0
    captured = capsys.readouterr()
    out = captured.out
    assert "embedded" in captured.err

    # The table: ten rows, the wanted answer 1 on the 3 only.
    rows = re.findall(r"^  (\d)      ([01])       (\d\.\d{4})        (\d\.\d{4})", out,
                      flags=re.MULTILINE)
    assert [int(r[0]) for r in rows] == list(range(10))
    assert [int(r[1]) for r in rows] == [0, 0, 0, 1, 0, 0, 0, 0, 0, 0]
    # The default digit is a 3 the untrained network gets wrong.
    before = [float(r[2]) for r in rows]
    assert max(range(10), key=before.__getitem__) != 3
    assert "the first 3 the untrained network gets wrong" in out

    cost_before = number(r"^cost before the step: (\d+\.\d+)", out)
    cost_after = number(r"^cost after the step: +(\d+\.\d+)", out)
    assert cost_after < cost_before  # the step went downhill
    assert cost_before == pytest.approx(
        sum((b - (d == 3)) ** 2 for d, b in enumerate(before)), abs=1e-3)

    for layer in ("hidden 1 (784->16)", "hidden 2 (16->16)", "output (16->10)"):
        assert re.search(rf"^{re.escape(layer)} +\d+\.\d{{6}} +\d+\.\d{{6}}", out,
                         flags=re.MULTILINE), layer
    relative = number(r"^gradients: largest difference \S+ \((\S+) of the largest gradient\)",
                      out)
    assert relative <= 1e-9
    assert "over 13,002 numbers: agree to 1e-09" in out

    (png,) = written(out)
    assert png.parent == tmp_path / "out"


def test_digit_step_index_must_be_a_three(tmp_path):
    with pytest.raises(SystemExit, match="not a 3"):
        digit_step.main(["--quick", "--index", "0", "--out", str(tmp_path)])


def test_digit_step_numbers_directly():
    """one_step on a tiny made-up image: downhill, and the engines agree to 1e-9."""
    import numpy as np

    from nn import MLP

    image = np.zeros(784)
    image[300:320] = 1.0
    step = digit_step.one_step(image, MLP(784, digit_step.SIZES, seed=1), lr=0.5)
    assert step["cost_after"] < step["cost_before"]
    assert step["check"]["relative"] <= 1e-9
    assert step["cost_tensor"] == pytest.approx(step["cost_before"], rel=1e-12)
    assert [w.shape for w, _ in step["grads"]] == [(784, 16), (16, 16), (16, 10)]


def test_digit_pictures_quick(tmp_path, capsys):
    out_dir = tmp_path / "out"
    assert digit_pictures.main(["--quick", "--out", str(out_dir)]) == 0
    out = capsys.readouterr().out
    pngs = written(out)
    names = {p.name for p in pngs}
    assert {"digits-lesson-curves.png", "digits-lesson-weights.png",
            "digits-lesson-confusion.png", "digits-lesson-mistakes.png"} <= names
    assert all(p.parent == out_dir for p in pngs)
    # The reloaded network reads the same as the one demos.mnist trained.
    trained = number(r"^test accuracy: (\d+\.\d\d)%$", out)
    reloaded = number(r"test accuracy (\d+\.\d\d)% \(the reloaded weights\)", out)
    assert reloaded == trained
    assert trained > 60
