"""What the built package promises: typed, a pytest plugin that needs no extra, a named
ImportError for ``ath.testing`` without its extra, and an sdist without venvs or caches."""

from __future__ import annotations

import subprocess
import sys
import tarfile
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

#: Runs in a child interpreter where the testing extra's packages cannot be imported.
BLOCK_EXTRA = """
import sys
class Block:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {"starlette", "uvicorn", "pydantic"}:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None
sys.meta_path.insert(0, Block())
"""


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The sdist and wheel of this checkout, built once per session (no network)."""
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(  # noqa: S603 - this interpreter building this checkout
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(ROOT)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    return {"sdist": next(out.glob("*.tar.gz")), "wheel": next(out.glob("*.whl"))}


def _run(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - this interpreter, our own code
        [sys.executable, "-c", BLOCK_EXTRA + code],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        check=False,
    )


def test_py_typed_marker_ships_in_the_package() -> None:
    assert (ROOT / "ath" / "py.typed").is_file()


def test_entry_point_names_a_module_outside_ath_testing() -> None:
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    target = meta["project"]["entry-points"]["pytest11"]["ath"]
    assert target == "ath.pytest_plugin"


def test_plugin_imports_without_the_testing_extra() -> None:
    done = _run(
        "import ath.pytest_plugin as p\n"
        "assert 'starlette' not in sys.modules and 'ath.testing' not in sys.modules\n"
        "print(sorted(n for n in ('ath_stack', 'ath_stack_session') if hasattr(p, n)))\n"
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "['ath_stack', 'ath_stack_session']"


def test_import_ath_testing_without_the_extra_names_it() -> None:
    done = _run(
        "try:\n"
        "    import ath.testing\n"
        "except ImportError as exc:\n"
        "    print(type(exc).__name__, '|', exc)\n"
        "else:\n"
        "    print('imported')\n"
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("ImportError | ")
    assert "pip install 'ath-sdk[testing]'" in done.stdout


def test_old_plugin_location_still_serves_the_fixtures() -> None:
    import ath.pytest_plugin as new
    import ath.testing.pytest_plugin as old

    assert old.ath_stack is new.ath_stack
    assert old.ath_stack_session is new.ath_stack_session


@pytest.mark.parametrize(
    "field", ["license", "license-files", "classifiers", "keywords", "urls", "authors"]
)
def test_index_metadata_present(field: str) -> None:
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert meta.get(field), field
    assert (ROOT / "LICENSE").read_text(encoding="utf-8").lstrip().startswith("Apache License")


#: Path segments an sdist must never contain (left behind by make test / make bench).
JUNK = {".venv", ".peer-venv", ".clean-venv", "node_modules", "__pycache__", ".pytest_cache",
        ".mypy_cache", ".ruff_cache", ".hypothesis", ".codegen-tmp"}  # fmt: skip


def test_sdist_has_sources_and_no_venvs_or_caches(built: dict[str, Path]) -> None:
    with tarfile.open(built["sdist"]) as tar:
        names = [name.split("/", 1)[1] for name in tar.getnames() if "/" in name]
    junk = sorted(n for n in names if JUNK & set(n.split("/")) or n.endswith(".pyc"))
    assert junk == []
    for needed in ("LICENSE", "README.md", "ath/py.typed", "pyproject.toml", "tests/conftest.py"):
        assert needed in names, needed
