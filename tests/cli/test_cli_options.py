"""Global options, profiles, keys, exit-status table, completion and the missing extra."""

from __future__ import annotations

import json
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from ath import CLIENT_CODES, EXTENSION_CODES, PROTOCOL_CODES, __version__
from ath.cli._output import EXIT_CODES, FAILURE, exit_code
from tests.cli._run import Sandbox, running_stack

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def sb(tmp_path: Path) -> Sandbox:
    return Sandbox(home=tmp_path)


def test_flags_beat_environment_beat_profile(sb: Sandbox) -> None:
    sb("config", "set", "url", "http://127.0.0.1:1111")
    sb("config", "set", "agent_id", "https://agents.example/profile.json")
    sb("config", "set", "headers", "X-Tenant: from-profile")
    shown = sb("--json", "config", "show").json()
    assert shown["values"]["url"] == "http://127.0.0.1:1111"
    assert shown["sources"]["url"] == "profile default"
    assert shown["values"]["headers"] == ["X-Tenant: from-profile"]

    env = {"ATH_URL": "http://127.0.0.1:2222", "ATH_HEADERS": "X-Tenant: env\nX-Other: 1"}
    shown = sb("--json", "config", "show", env=env).json()
    assert shown["values"]["url"] == "http://127.0.0.1:2222"
    assert shown["sources"]["url"] == "env ATH_URL"
    assert shown["values"]["headers"] == ["X-Tenant: env", "X-Other: 1"]
    assert shown["values"]["agent_id"] == "https://agents.example/profile.json"

    shown = sb("--json", "--url", "http://127.0.0.1:3333", "config", "show", env=env).json()
    assert shown["values"]["url"] == "http://127.0.0.1:3333"
    assert shown["sources"]["url"] == "flag"


def test_profiles_are_separate_and_selectable(sb: Sandbox) -> None:
    sb("--profile", "staging", "config", "set", "url", "http://127.0.0.1:4444")
    assert sb("--json", "config", "get", "url", expect=2).error()["code"] == "INVALID_ARGUMENT"
    got = sb("--json", "config", "get", "url", env={"ATH_PROFILE": "staging"}).json()
    assert got == {"url": "http://127.0.0.1:4444"}
    sb("config", "use", "staging")
    assert sb("config", "get", "url").out.strip() == "http://127.0.0.1:4444"
    listed = sb("--json", "config", "profiles").json()
    assert listed["active"] == "staging" and "staging" in listed["profiles"]
    assert sb("--json", "config", "set", "nope", "x", expect=2).error()["code"] == (
        "INVALID_ARGUMENT"
    )
    assert sb("--profile", "bad name", "config", "show", expect=2).code == 2


def test_keygen_modes_force_and_passphrase(sb: Sandbox) -> None:
    key = sb.home / "k.pem"
    first = sb("--json", "keygen", "--out", str(key)).json()
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    before = key.read_bytes()
    refused = sb("--json", "keygen", "--out", str(key), expect=2)
    assert "--force" in refused.error()["message"]
    assert key.read_bytes() == before
    second = sb("--json", "keygen", "--out", str(key), "--force").json()
    assert second["key_id"] != first["key_id"] and key.read_bytes() != before
    assert stat.S_IMODE(key.stat().st_mode) == 0o600

    locked = sb.home / "locked.pem"
    env = {"MY_PASS": "correct horse battery staple"}
    made = sb("--json", "keygen", "--out", str(locked), "--passphrase-env", "MY_PASS", env=env)
    assert made.json()["encrypted"] is True
    assert b"ENCRYPTED PRIVATE KEY" in locked.read_bytes()
    assert "correct horse" not in made.out + made.err
    args = ["--json", "--key", str(locked), "--agent-id", "https://a.example/agent.json"]
    ident = [*args, "identity", "--name", "n", "--developer-name", "d", "--developer-id", "i"]
    no_pass = sb(*ident, expect=2)
    assert no_pass.error()["code"] == "INVALID_KEY"
    wrong = sb(*ident, env={"ATH_KEY_PASSPHRASE": "wrong"}, expect=2)
    assert wrong.error()["code"] == "INVALID_KEY"
    doc = sb(*ident, env={"ATH_KEY_PASSPHRASE": env["MY_PASS"]}).json()
    assert doc["public_key"]["kid"] == made.json()["key_id"]
    missing = sb(
        "--json", "keygen", "--out", str(sb.home / "x.pem"), "--passphrase-env", "UNSET_X", expect=2
    )
    assert missing.code == 2 and not (sb.home / "x.pem").exists()


def test_usage_errors_in_json_and_text(sb: Sandbox) -> None:
    bad = sb("--json", "register", expect=2)
    assert bad.error()["code"] == "INVALID_ARGUMENT" and bad.out == ""
    text = sb("register", expect=2)
    assert "--provider" in text.err
    # the command line's own usage errors show the command's usage line, then the flag at fault
    unknown = sb("config", "set", "nope", "x", expect=2)
    assert unknown.err.startswith("Usage: ath config set [OPTIONS] KEY VALUE\n")
    assert "Error: unknown config key 'nope'" in unknown.err and unknown.out == ""
    both = sb("revoke", "--provider", "github", "--all", expect=2)
    assert both.err.startswith("Usage: ath revoke [OPTIONS]\n")
    assert "--provider and --all exclude each other" in both.err
    no_url = sb("--json", "discover", expect=2)
    assert "ATH_URL" in no_url.error()["message"]
    plain_remote = sb("--json", "--url", "http://example.com", "discover", expect=2)
    assert plain_remote.error()["code"] == "INSECURE_TRANSPORT"


def test_every_sdk_code_has_a_class() -> None:
    for code in [*CLIENT_CODES, *PROTOCOL_CODES, *EXTENSION_CODES]:
        assert exit_code(code, None) in EXIT_CODES
        assert exit_code(code, None) != FAILURE, code
    assert exit_code("SOMETHING_NEW", None) == FAILURE
    assert exit_code("SOMETHING_NEW", 418) == 5
    assert len(set(EXIT_CODES)) == len(EXIT_CODES) == 10


def test_exit_code_table_is_in_both_readmes(sb: Sandbox) -> None:
    table = sb("--json", "exit-codes").json()["exit_codes"]
    assert table == {str(k): v for k, v in EXIT_CODES.items()}
    for readme in ("README.md", "README.zh-CN.md"):
        text = (ROOT / readme).read_text(encoding="utf-8")
        for status in EXIT_CODES:
            assert f"| `{status}` |" in text, (readme, status)


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_shell_completion(sb: Sandbox, shell: str) -> None:
    script = sb("completion", shell).out
    assert "_ATH_COMPLETE" in script
    # fish passes the incomplete word itself, bash and zsh its index
    cword = "pro" if shell == "fish" else "1"
    env = {"_ATH_COMPLETE": f"{shell}_complete", "COMP_WORDS": "ath pro", "COMP_CWORD": cword}
    done = sb(env=env)
    assert "proxy" in done.out and "register" not in done.out


def test_version_and_module_entry_point(sb: Sandbox) -> None:
    assert sb("--version").out.strip() == f"ath {__version__}"
    done = subprocess.run(
        [sys.executable, "-m", "ath", "--version"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0 and done.stdout.strip() == f"ath {__version__}"


def test_missing_extra_says_what_to_install() -> None:
    code = (
        "import sys; sys.modules['click'] = None\n"
        "from ath.cli import main\n"
        "raise SystemExit(main(['--version']))"
    )
    done = subprocess.run(  # noqa: S603 - this interpreter
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 2
    assert "pip install 'ath-sdk[cli]'" in done.stderr and "click" in done.stderr


def test_json_results_are_one_document_per_line(sb: Sandbox) -> None:
    out = sb("--json", "keygen", "--out", str(sb.home / "j.pem")).out
    assert out.endswith("\n") and out.count("\n") == 1
    json.loads(out)


def test_stack_command_serves_until_terminated(sb: Sandbox) -> None:
    # free ports: tests run side by side
    with running_stack(sb, "--json", "stack", "--port", "0") as (_, lines):
        urls = json.loads(lines[0])
        catalog = sb("--json", "--url", urls["gateway_url"], "discover").json()
        assert catalog["supported_providers"]
        native = sb("--json", "--url", urls["native_url"], "discover", "--native").json()
        assert native["api_base"].startswith(urls["native_url"])
    assert "--host-agent" in sb("stack", "--help").out


def test_import_ath_is_light_and_every_name_resolves() -> None:
    code = (
        "import sys, warnings\n"
        "import ath\n"
        "heavy = {'httpx2', 'cryptography', 'jose', 'click'} & set(sys.modules)\n"
        "assert not heavy, heavy\n"
        "warnings.simplefilter('ignore')\n"
        "missing = [n for n in ath.__all__ if not hasattr(ath, n)]\n"
        "assert not missing, missing\n"
        "assert ath.ATHGatewayClient.__module__ == 'ath._client'\n"
        "assert set(ath.__all__) <= set(dir(ath))\n"
    )
    done = subprocess.run(  # noqa: S603 - this interpreter
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
