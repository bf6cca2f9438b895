"""The public namespace is clean and typed: ``from ath import *`` on a base install,
``dir()`` without helpers, errors naming the public classes, HTTP methods as a closed set."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
import warnings
from datetime import UTC, datetime
from pathlib import Path

import pytest

import ath

ROOT = Path(__file__).resolve().parents[2]

#: Run in a fresh interpreter where langchain cannot be imported (a base install).
NO_LANGCHAIN = (
    "import sys\n"
    "sys.modules['langchain_core'] = None  # what a base install without the extra sees\n"
)


def _python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - this interpreter
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT
    )


def test_star_import_works_without_langchain_and_ath_tool_names_the_extra() -> None:
    done = _python(
        NO_LANGCHAIN
        + "from ath import *\n"
        + "assert ATHGatewayClient and Token and HTTPMethod\n"
        + "import ath\n"
        + "assert 'ATHTool' not in ath.__all__ and 'ATHTool' not in dir(ath)\n"
        + "try:\n    ath.ATHTool\nexcept ImportError as exc:\n    print(exc)\n"
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "ath-sdk[langchain]" in done.stdout


@pytest.mark.parametrize("module", ["ath", "ath.types", "ath.exceptions"])
def test_star_import_warns_for_nothing_it_was_not_asked(module: str) -> None:
    """``from ath import *`` binds the 0.1.0 names too, silently; reading one by name
    still says what replaced it. (Importing the 0.1.0 module ``ath.client`` warns by
    itself, whatever is imported from it.)"""
    done = _python(f"import warnings\nwarnings.simplefilter('error')\nfrom {module} import *\n")
    assert done.returncode == 0, done.stderr[-2000:]
    by_name = _python(
        "import warnings\nwarnings.simplefilter('error')\nfrom ath import TokenResponse\n"
    )
    assert by_name.returncode != 0 and "DeprecationWarning" in by_name.stderr
    assert "use ath.Token" in by_name.stderr


def test_ath_tool_is_still_reachable_as_an_attribute_with_the_extra() -> None:
    pytest.importorskip("langchain_core")
    from ath.langchain import ATHTool

    assert ath.ATHTool is ATHTool


@pytest.mark.parametrize("module", ["ath", "ath.types", "ath.client"])
def test_dir_holds_only_public_names(module: str) -> None:
    done = _python(
        "import importlib, warnings\n"
        "warnings.simplefilter('ignore')\n"
        f"m = importlib.import_module({module!r})\n"
        "print('\\n'.join(dir(m)))\n"
    )
    assert done.returncode == 0, done.stderr[-2000:]
    names = set(done.stdout.split())
    helpers = {"Any", "Final", "TYPE_CHECKING", "importlib", "annotations", "Mapping", "resolve"}
    assert names and not names & helpers
    assert all(not n.startswith("_") or n == "__version__" for n in names)


@pytest.mark.parametrize(
    "cls",
    [
        ath.ATHGatewayClient,
        ath.ATHNativeClient,
        ath.AsyncATHGatewayClient,
        ath.AsyncATHNativeClient,
    ],
)
def test_a_mistyped_keyword_names_the_public_class(cls: type) -> None:
    with pytest.raises(TypeError) as caught:
        cls("https://gw.test", "https://agent.test/a.json", "key", timout=3)
    assert str(caught.value).startswith(f"{cls.__name__}.__init__()")
    assert "_SyncBase" not in str(caught.value) and "_AsyncBase" not in str(caught.value)


#: mypy must accept the methods the SDK accepts and refuse any other string.
METHODS_SCRIPT = """
from ath import ATHGatewayClient, ATHNativeClient, HTTPMethod


def calls(gateway: ATHGatewayClient, native: ATHNativeClient, method: HTTPMethod) -> None:
    gateway.proxy("github", "GET", "/user")
    gateway.proxy("github", "delete", "/repos/x")
    native.api(method, "/items")
    gateway.proxy("github", "FETCH", "/user")  # line 9: refused
"""


def test_mypy_accepts_the_sdks_methods_and_refuses_others(tmp_path: Path) -> None:
    script = tmp_path / "user_methods.py"
    script.write_text(METHODS_SCRIPT, encoding="utf-8")
    done = subprocess.run(  # noqa: S603 - this interpreter's mypy
        [
            sys.executable, "-m", "mypy", "--strict", "--no-incremental",
            "--cache-dir", str(tmp_path / "cache"), str(script),
        ],
        capture_output=True, text=True, timeout=600, cwd=ROOT,
    )  # fmt: skip
    errors = [line for line in done.stdout.splitlines() if ": error:" in line]
    assert len(errors) == 1, done.stdout[-3000:]
    assert "user_methods.py:9:" in errors[0] and "FETCH" in errors[0]


def test_absolute_times_are_datetimes_and_the_old_float_still_reads_with_a_warning() -> None:
    token = ath.Token(
        access_token="tok",
        token_type="Bearer",
        expires_in=3600,
        effective_scopes=[],
        provider_id="github",
        agent_id="https://agent.test/a.json",
        scope_intersection=None,
        expires_at=4_102_444_800.0,  # 2100-01-01T00:00:00Z
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the SDK's own reads do not warn
        assert token.expires == datetime(2100, 1, 1, tzinfo=UTC)
        assert not token.is_expired()
        assert token == token  # the generated __eq__ reads the field
        assert dataclasses.replace(token, access_token="other").expires == token.expires
    with pytest.warns(DeprecationWarning, match=r"use Token\.expires") as caught:
        old = token.expires_at
    assert old == 4_102_444_800.0
    assert caught[0].filename == __file__  # points at the code that read it
    no_expiry = ath.Token("t", "Bearer", None, [], None, None, None, None)
    assert no_expiry.expires is None and not no_expiry.is_expired()
