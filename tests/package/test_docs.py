"""The README's promises: every error code documented, the two commands present."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ath import CLIENT_CODES, EXTENSION_CODES, PROTOCOL_CODES

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("name", ["README.md", "README.zh-CN.md"])
def test_every_error_code_is_documented(name: str) -> None:
    text = (ROOT / name).read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| `([A-Z_]+)` \|", text, flags=re.MULTILINE))
    assert documented == set(CLIENT_CODES) | set(PROTOCOL_CODES) | set(EXTENSION_CODES)


@pytest.mark.parametrize("name", ["README.md", "README.zh-CN.md"])
def test_two_commands(name: str) -> None:
    text = (ROOT / name).read_text(encoding="utf-8")
    assert "make demo" in text and "make test" in text


def test_ci_runs_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert re.search(r"^make test$", ci, flags=re.MULTILINE)
