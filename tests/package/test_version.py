"""The package version is written once (ath/_constants.py); everything else agrees with it."""

from __future__ import annotations

import json
import re
import tomllib
from importlib.metadata import version
from pathlib import Path

import ath
import codegen
from ath._constants import USER_AGENT, VERSION

ROOT = Path(__file__).resolve().parents[2]


def test_pyproject_reads_the_version_from_the_constants_module() -> None:
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "version" not in meta["project"] and "version" in meta["project"]["dynamic"]
    assert meta["tool"]["hatch"]["version"]["path"] == "ath/_constants.py"


def test_installed_metadata_and_derived_values_agree() -> None:
    assert version("ath-sdk") == VERSION == ath.__version__
    assert USER_AGENT.endswith("/" + VERSION)


def test_files_that_cannot_import_it_are_tied_to_it() -> None:
    assert codegen.__version__ == VERSION
    config = (ROOT / "codegen" / "openapi-python-client.yaml").read_text(encoding="utf-8")
    match = re.search(r"^package_version_override:\s*(\S+)\s*$", config, re.MULTILINE)
    assert match is not None and match.group(1) == VERSION
    manifest = json.loads((ROOT / "codegen" / "package.json").read_text(encoding="utf-8"))
    assert manifest["version"] == VERSION


def test_the_version_literal_appears_in_one_python_file_of_the_sdk() -> None:
    holders = [
        str(path.relative_to(ROOT))
        for path in sorted((ROOT / "ath").rglob("*.py"))
        if f'"{VERSION}"' in path.read_text(encoding="utf-8")
    ]
    assert holders == ["ath/_constants.py"]
