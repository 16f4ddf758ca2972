"""The sdist and the wheel carry everything a user runs.

A copy of the source tree (with a worksheet file added, as the lead's worksheets will be) is
built offline with ``python -m build --no-isolation``, which makes the sdist and then builds
the wheel from the unpacked sdist: so a file missing from the sdist is missing from the wheel
too. (.ci/run installs the wheel in a fresh environment and runs it from another folder.)
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: pytest depends on tomli there
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
NOT_SOURCE = (".git", ".venv", "build", "dist", "site", "out", "runs", "*.egg-info",
              "__pycache__", ".hypothesis", ".pytest_cache")
SUBSET = "nn/data/mnist_subset"
WORKSHEET = "demos/worksheets/probe.toml"


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, set[str], zipfile.ZipFile]:
    """The source copy, the names in its sdist (without the top folder), and its wheel."""
    tmp = tmp_path_factory.mktemp("packaging")
    source = tmp / "source"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(*NOT_SOURCE))
    (source / WORKSHEET).parent.mkdir(exist_ok=True)
    (source / WORKSHEET).write_text('title = "a worksheet"\n', encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "build", "--no-isolation", "--outdir",
                           str(tmp / "dist"), str(source)], capture_output=True, text=True,
                          timeout=300, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    (sdist,), (wheel,) = (tmp / "dist").glob("*.tar.gz"), (tmp / "dist").glob("*.whl")
    with tarfile.open(sdist) as tar:
        in_sdist = {name.partition("/")[2] for name in tar.getnames()}
    with zipfile.ZipFile(wheel) as whl:
        yield source, in_sdist, whl


def package_files(source: Path) -> set[str]:
    """Every module of the packages the wheel installs, and every file their data globs match."""
    files = {p.relative_to(source).as_posix() for package in ("autograd", "nn", "demos")
             for p in (source / package).rglob("*.py")}
    for package, patterns in PYPROJECT["tool"]["setuptools"]["package-data"].items():
        folder = source / package.replace(".", "/")
        files |= {p.relative_to(source).as_posix() for pattern in patterns
                  for p in folder.glob(pattern)}
    return files


def test_the_wheel_holds_every_module_and_data_file(built):
    source, _, wheel = built
    in_wheel = set(wheel.namelist())
    wanted = package_files(source)
    assert {f"{SUBSET}/{name}" for name in ("README.md", "train-images-idx3-ubyte.gz",
                                            "train-labels-idx1-ubyte.gz",
                                            "t10k-images-idx3-ubyte.gz",
                                            "t10k-labels-idx1-ubyte.gz")} <= wanted
    assert WORKSHEET in wanted and "demos/__main__.py" in wanted
    assert sorted(wanted - in_wheel) == []


def test_the_wheel_installs_only_the_three_packages_and_the_command(built):
    _, _, wheel = built
    names = wheel.namelist()
    tops = {name.partition("/")[0] for name in names}
    assert {t for t in tops if not t.endswith(".dist-info")} == {"autograd", "nn", "demos"}
    (entry_points,) = [n for n in names if n.endswith(".dist-info/entry_points.txt")]
    assert wheel.read(entry_points).decode() == ("[console_scripts]\n"
                                                 "tracegrad = demos.__main__:tracegrad\n")
    licences = [n.partition("/licenses/")[2] for n in names if "/licenses/" in n]
    # the code's MIT licence and the MNIST subset's CC BY-SA note
    assert sorted(licences) == ["LICENSE", f"{SUBSET}/README.md"]


def test_the_sdist_holds_the_source_tests_docs_and_the_subset(built):
    source, in_sdist, _ = built
    wanted = package_files(source)
    wanted |= {p.relative_to(source).as_posix() for folder in ("tests", "docs", "benchmarks")
               for p in (source / folder).rglob("*") if p.is_file()}
    wanted |= {"pyproject.toml", "README.md", "MANIFEST.in", "mkdocs.yml", "LICENSE"}
    assert sorted(wanted - in_sdist) == []
