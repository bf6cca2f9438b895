"""What the built package promises: typed, a pytest plugin that needs no extra, a named
ImportError for ``ath.testing`` without its extra, and an sdist without venvs or caches."""

from __future__ import annotations

import importlib.metadata
import os
import subprocess
import sys
import tarfile
import tomllib
from pathlib import Path

import pytest

#: One pytest-xdist worker runs this module, so its session fixtures run once.
#: The session fixtures build the wheel and fill a fresh venv with pip (minutes on a
#: loaded machine): pytest's default bound would cut them off. This is a hang guard,
#: far above a normal run; each subprocess has its own bound below it.
pytestmark = [pytest.mark.xdist_group("packaging"), pytest.mark.timeout(1800)]

ROOT = Path(__file__).resolve().parents[2]

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


# --------------------------------------------------------------------------- the built wheel

#: A user's program, type-checked with mypy --strict against the installed wheel.
USER_SCRIPT = """
from typing import Any, assert_type

from ath import (
    AgentStatus, APIResponse, AsyncATHGatewayClient, ATHError, ATHGatewayClient,
    ATHNativeClient, Authorization, Registration, Token,
)
from ath.types import DiscoveryDocument, ServiceDiscoveryDocument


def gateway(client: ATHGatewayClient) -> None:
    assert_type(client.discover(), DiscoveryDocument)
    reg = client.register(
        developer={"name": "Acme", "id": "acme"},
        providers=[{"provider_id": "github", "scopes": ["read:user"]}],
    )
    assert_type(reg, Registration)
    assert_type(reg.agent_status, AgentStatus)
    assert_type(reg.client_id, str)
    auth = client.authorize("github", ["read:user"])
    assert_type(auth, Authorization)
    assert_type(auth.authorization_url, str)
    token = client.exchange_token("code", auth.ath_session_id)
    assert_type(token, Token)
    assert_type(token.access_token, str)
    assert_type(token.effective_scopes, list[str])
    assert_type(client.proxy("github", "GET", "/user"), Any)
    assert_type(client.proxy_raw("github", "POST", "/user/repos", {"name": "x"}), APIResponse)
    assert_type(client.access_token, str | None)
    assert_type(client.revoke(), list[str])


def native(client: ATHNativeClient) -> None:
    assert_type(client.discover(), ServiceDiscoveryDocument)
    assert_type(client.api_raw("GET", "/products").status_code, int)


async def asynchronous(client: AsyncATHGatewayClient) -> None:
    assert_type(await client.discover(), DiscoveryDocument)
    auth = await client.authorize("github", ["read:user"])
    assert_type(await client.exchange_token("code", auth.ath_session_id), Token)


def errors() -> None:
    try:
        ATHGatewayClient("https://gw.example", "https://agent.example", "key.pem", timeout=5.0)
    except ATHError as exc:
        assert_type(exc.code, str)
        assert_type(exc.message, str)
        assert_type(exc.status, int | None)
        assert_type(exc.details, dict[str, Any])
"""

#: The same kind of program with one wrong claim: mypy must catch it (ath is not Any).
WRONG_SCRIPT = """
from typing import assert_type

from ath import ATHGatewayClient, Registration


def flow(client: ATHGatewayClient) -> None:
    assert_type(client.exchange_token("code", "sess"), Registration)
"""


@pytest.fixture(scope="session")
def fresh_venv(built: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new venv outside the repository holding the wheel without extras, plus pytest."""
    from bench._venvs import runtime_requirements

    venv = tmp_path_factory.mktemp("fresh") / "venv"
    python = venv / "bin" / "python"
    subprocess.run(  # noqa: S603 - this interpreter's venv module
        [sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120
    )
    pins = [*runtime_requirements(), f"pytest=={importlib.metadata.version('pytest')}"]
    done = subprocess.run(  # noqa: S603 - this interpreter's pip, filling the new venv
        [sys.executable, "-m", "pip", "--python", str(python), "install", "-q",
         str(built["wheel"]), *pins],
        capture_output=True, text=True, timeout=600, check=False,
        env={**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    return python


def _in(python: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return subprocess.run(  # noqa: S603 - the fresh venv's interpreter
        [str(python), *args], capture_output=True, text=True, timeout=300, cwd=cwd, env=env,
        check=False,
    )  # fmt: skip


def test_wheel_without_extras_has_no_extra_installed(fresh_venv: Path, tmp_path: Path) -> None:
    done = _in(
        fresh_venv,
        "-c",
        "import importlib.util as u, ath; "
        "print(ath.__file__); "
        "extras = ('starlette', 'uvicorn', 'pydantic', 'langchain_core'); "
        "print([m for m in extras if u.find_spec(m)])",
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    where, extras = done.stdout.splitlines()
    assert str(ROOT) not in where  # the installed wheel, not this checkout
    assert extras == "[]"


def test_pytest_runs_an_unrelated_project_with_the_plugin_loaded(
    fresh_venv: Path, tmp_path: Path
) -> None:
    (tmp_path / "test_unrelated.py").write_text(
        "def test_arithmetic():\n    assert 1 + 1 == 2\n", encoding="utf-8"
    )
    done = _in(fresh_venv, "-m", "pytest", "-q", "-p", "no:cacheprovider", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 passed" in done.stdout
    fixtures = _in(fresh_venv, "-m", "pytest", "--fixtures", "-p", "no:cacheprovider", cwd=tmp_path)
    assert fixtures.returncode == 0 and "ath_stack" in fixtures.stdout  # the plugin did load
    (tmp_path / "test_unrelated.py").unlink()
    (tmp_path / "test_uses_stack.py").write_text(
        "def test_stack(ath_stack):\n    pass\n", encoding="utf-8"
    )
    using = _in(fresh_venv, "-m", "pytest", "-q", "-p", "no:cacheprovider", cwd=tmp_path)
    assert using.returncode == 1  # only a test that uses the fixture needs the extra
    assert "pip install 'ath-sdk[testing]'" in using.stdout


@pytest.mark.parametrize(
    ("module", "extra"), [("ath.testing", "testing"), ("ath.langchain", "langchain")]
)
def test_import_without_the_extra_names_it(
    fresh_venv: Path, tmp_path: Path, module: str, extra: str
) -> None:
    done = _in(fresh_venv, "-c", f"import {module}", cwd=tmp_path)
    assert done.returncode == 1
    assert (
        "ImportError" in done.stderr
        and "ModuleNotFoundError: No module named" not in (done.stderr.strip().splitlines()[-1])
    )
    assert f"pip install 'ath-sdk[{extra}]'" in done.stderr


def test_mypy_strict_sees_the_sdk_types(fresh_venv: Path, tmp_path: Path) -> None:
    (tmp_path / "agent.py").write_text(USER_SCRIPT, encoding="utf-8")
    (tmp_path / "wrong.py").write_text(WRONG_SCRIPT, encoding="utf-8")
    mypy = [sys.executable, "-m", "mypy", "--strict", "--no-incremental",
            "--python-executable", str(fresh_venv)]  # fmt: skip
    env = {k: v for k, v in os.environ.items() if k not in ("MYPYPATH", "PYTHONPATH")}
    good = subprocess.run(  # noqa: S603 - this interpreter's mypy on a user script
        [*mypy, "agent.py"], capture_output=True, text=True, timeout=300, cwd=tmp_path,
        env=env, check=False,
    )  # fmt: skip
    assert good.returncode == 0, good.stdout + good.stderr
    assert "Success" in good.stdout
    wrong = subprocess.run(  # noqa: S603 - the same, on a script with a wrong type claim
        [*mypy, "wrong.py"], capture_output=True, text=True, timeout=300, cwd=tmp_path,
        env=env, check=False,
    )  # fmt: skip
    assert wrong.returncode == 1
    assert "[assert-type]" in wrong.stdout and '"Token", not "Registration"' in wrong.stdout


#: A proxy call in the fresh venv: its answer, then the HTTP engines it imported.
PROXY_CALL = """
import sys
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from ath import ATHGatewayClient
pem = ec.generate_private_key(ec.SECP256R1()).private_bytes(
    serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
).decode()
with ATHGatewayClient(sys.argv[1], "https://agent.example/a.json", pem, max_retries=0) as client:
    client.set_token("ath_tk_packaging", "github")
    print(client.proxy("github", "GET", "/user"))
print(sorted({m.split(".")[0] for m in sys.modules} & {"httpx", "httpcore", "httpx2"}))
"""


def test_the_wheel_brings_and_imports_no_httpx(fresh_venv: Path, tmp_path: Path) -> None:
    """The SDK's engine is httpx2: the wheel installs no httpx/httpcore, and a proxy call
    (over real HTTP on loopback) imports neither."""
    from tests._support.servers import RawServer, json_answer

    installed = _in(
        fresh_venv,
        "-c",
        "import importlib.util as u; print([m for m in ('httpx', 'httpcore') if u.find_spec(m)])",
        cwd=tmp_path,
    )
    assert installed.returncode == 0 and installed.stdout.strip() == "[]", installed
    with RawServer(json_answer({"login": "octocat"})) as server:
        done = _in(fresh_venv, "-c", PROXY_CALL, server.url, cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    answer, engines = done.stdout.strip().splitlines()
    assert answer == "{'login': 'octocat'}"
    assert engines == "['httpx2']"


#: The agent's whole HTTP stack: openai 3, anthropic 2 and mcp 2 beside ath-sdk, one
#: httpx2 client handed to the three SDKs that take one, and a proxy call through it.
ONE_STACK = """
import sys
import anthropic, httpx2, mcp, openai
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from ath import ATHGatewayClient
pem = ec.generate_private_key(ec.SECP256R1()).private_bytes(
    serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
).decode()
with httpx2.Client() as shared:
    openai.OpenAI(api_key="sk-unused", base_url=sys.argv[1], http_client=shared)
    anthropic.Anthropic(api_key="unused", base_url=sys.argv[1], http_client=shared)
    with ATHGatewayClient(sys.argv[1], "https://agent.example/a.json", pem, max_retries=0,
                          http_client=shared) as client:
        client.set_token("ath_tk_packaging", "github")
        print(client.proxy("github", "GET", "/user"))
print(sorted({m.split(".")[0] for m in sys.modules} & {"httpx", "httpcore", "httpx2", "aiohttp"}))
"""

#: What agents install beside ath-sdk in late 2026, at the versions this test was written on.
AGENT_STACK = ("openai==3.63.0", "anthropic==2.17.0", "mcp==2.3.0")


def test_beside_openai_anthropic_and_mcp_one_http_stack(
    built: dict[str, Path], tmp_path_factory: pytest.TempPathFactory
) -> None:
    """`pip install ath-sdk openai anthropic mcp` leaves one HTTP stack (httpx2), and one
    httpx2 client serves openai, anthropic and ath-sdk alike."""
    from tests._support.servers import RawServer, json_answer

    venv = tmp_path_factory.mktemp("agent-stack") / "venv"
    python = venv / "bin" / "python"
    subprocess.run(  # noqa: S603 - this interpreter's venv module
        [sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120
    )
    done = subprocess.run(  # noqa: S603 - this interpreter's pip, filling the new venv
        [sys.executable, "-m", "pip", "--python", str(python), "install", "-q",
         str(built["wheel"]), *AGENT_STACK],
        capture_output=True, text=True, timeout=900, check=False,
        env={**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    listed = _in(python, "-m", "pip", "list", "--format=freeze", cwd=tmp_path_factory.getbasetemp())
    names = {line.split("==")[0].lower() for line in listed.stdout.splitlines()}
    if not names:  # a venv without pip: ask importlib.metadata instead
        meta = _in(python, "-c", "import importlib.metadata as m; "
                   "print('\\n'.join(d.metadata['Name'].lower() for d in m.distributions()))",
                   cwd=tmp_path_factory.getbasetemp())  # fmt: skip
        names = set(meta.stdout.split())
    assert {"httpx2", "httpcore2", "openai", "anthropic", "mcp"} <= names, names
    assert not names & {"httpx", "httpcore", "aiohttp", "requests"}, names & {"httpx", "httpcore"}
    with RawServer(json_answer({"login": "octocat"})) as server:
        ran = _in(python, "-c", ONE_STACK, server.url, cwd=tmp_path_factory.getbasetemp())
    assert ran.returncode == 0, ran.stderr[-3000:]
    answer, engines = ran.stdout.strip().splitlines()
    assert answer == "{'login': 'octocat'}"
    assert engines == "['httpx2']"
