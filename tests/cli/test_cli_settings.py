"""Issue 24, items 6-7: every setting has an ``ATH_*`` variable that works and the READMEs
document; the developer defaults from the agent identity document; shell completion of
config keys and providers (from the discovery cache, never the network); `ath config set
--help` lists the keys; `ath revoke` without a target refuses outside a terminal."""

from __future__ import annotations

import json
from pathlib import Path

import click
import pytest

from ath.cli import _output as o
from ath.cli._app import cli
from ath.cli._context import Run
from ath.cli._settings import KEYS, Settings, resolve
from ath.testing import LocalStack
from tests.cli._run import Sandbox
from tests.cli.test_cli_flow import _host_identity

ROOT = Path(__file__).resolve().parents[2]

#: Root options that are no setting, and why: the output form of one run, or the choice of
#: the profile that holds the settings.
NOT_SETTINGS = {
    "json_mode": "the output form of one run",
    "no_color": "the output form of one run (NO_COLOR is the environment's switch)",
    "profile": "which profile holds the settings (ATH_PROFILE)",
    "version": "prints the version",
    "help": "prints help",
}

#: A value each setting accepts, for the check that its variable works.
SAMPLES = {
    "url": "http://127.0.0.1:9",
    "agent_id": "https://agent.example/a.json",
    "key": "/k.pem",
    "key_id": "kid-1",
    "store": "/s.json",
    "mode": "native",
    "headers": "X-Tenant: t",
    "user": "u1",
    "developer_name": "Acme",
    "developer_id": "acme",
    "allow_insecure_http": "1",
    "identity": "/agent.json",
}


def test_every_root_option_is_a_setting_with_a_variable() -> None:
    options = [p for p in cli.params if isinstance(p, click.Option)]
    assert options
    for option in options:
        assert option.name is not None
        if option.name in NOT_SETTINGS:
            continue
        assert option.name in KEYS, f"--{option.name} is not a config key"
        assert f"ATH_{option.name.upper()}" in (option.help or ""), option.help


@pytest.mark.parametrize("key", sorted(KEYS))
def test_every_setting_has_an_ath_variable(key: str) -> None:
    assert KEYS[key] == f"ATH_{key.upper()}"
    assert key in SAMPLES, f"add a sample value of {key} to this test"


def test_every_variable_works(tmp_path: Path) -> None:
    sb = Sandbox(home=tmp_path)
    env = {KEYS[k]: SAMPLES[k] for k in KEYS}
    doc = sb("--json", "config", "show", env=env).json()
    for key, var in KEYS.items():
        assert doc["sources"][key] == f"env {var}", key
        want = [SAMPLES[key]] if key == "headers" else SAMPLES[key]
        assert doc["values"][key] == want, key


@pytest.mark.parametrize("readme", ["README.md", "README.zh-CN.md"])
def test_every_variable_is_in_the_readmes_configuration_table(readme: str) -> None:
    rows = [line for line in (ROOT / readme).read_text().splitlines() if line.startswith("|")]
    for key, var in KEYS.items():
        assert any(f"`{var}`" in row and f"`{key}`" in row for row in rows), (readme, var)


def _settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, **env: str) -> Settings:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    for var in KEYS.values():
        monkeypatch.delenv(var, raising=False)
    for var, value in env.items():
        monkeypatch.setenv(var, value)
    with click.Context(cli):
        return resolve({}, profile_flag=None, json_mode=False)


def test_developer_from_the_identity_document(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    doc = tmp_path / "agent.json"
    doc.write_text(json.dumps({"agent_id": "urn:a", "developer": {"name": "Acme", "id": "acme"}}))
    run = Run()
    run.configure(_settings(tmp_path, monkeypatch, ATH_IDENTITY=str(doc), ATH_AGENT_ID="urn:a"))
    assert run.developer(None, None) == {"name": "Acme", "id": "acme"}
    assert run.developer("Flag", None) == {"name": "Flag", "id": "acme"}
    run.configure(
        _settings(
            tmp_path,
            monkeypatch,
            ATH_IDENTITY=str(doc),
            ATH_AGENT_ID="urn:a",
            ATH_DEVELOPER_NAME="Env",
            ATH_DEVELOPER_ID="env",
        )
    )
    assert run.developer(None, None) == {"name": "Env", "id": "env"}
    # another agent's document gives no developer
    run.configure(_settings(tmp_path, monkeypatch, ATH_IDENTITY=str(doc), ATH_AGENT_ID="urn:b"))
    with pytest.raises(click.UsageError, match="--developer-name"):
        run.developer(None, None)
    # a configured document that is none: a usage error naming where it was configured
    doc.write_text("[]")
    run.configure(_settings(tmp_path, monkeypatch, ATH_IDENTITY=str(doc)))
    with pytest.raises(click.UsageError, match="ATH_IDENTITY"):
        run.developer(None, None)


def test_register_takes_the_developer_from_ath_identity(tmp_path: Path) -> None:
    with LocalStack() as stack:
        sb = Sandbox(home=tmp_path)
        agent_id = _host_identity(stack, sb, "dev-default")
        sb.env.update({"ATH_URL": stack.gateway_url, "ATH_AGENT_ID": agent_id})
        refused = sb("register", "--provider", "github:read:user", expect=o.USAGE)
        assert "--developer-name" in refused.err and "ath identity --out" in refused.err
        out = sb("--json", "identity", "--name", "d", "--developer-name", "Acme",
                 "--developer-id", "acme", "--out", "agent.json").json()  # fmt: skip
        assert out["recorded"] == "default"
        shown = sb("--json", "config", "show").json()
        assert shown["values"]["identity"] == str((sb.home / "agent.json").resolve())
        done = sb("--json", "register", "--provider", "github:read:user").json()
        assert done["agent_status"] == "approved"


def _complete(sb: Sandbox, line: str, env: dict[str, str] | None = None) -> list[str]:
    words = line.split(" ")
    done = sb(
        env={
            "_ATH_COMPLETE": "bash_complete",
            "COMP_WORDS": line,
            "COMP_CWORD": str(len(words) - 1),
            **(env or {}),
        },
    )
    return [row.split(",", 1)[1] for row in done.out.splitlines() if "," in row]


def test_completion_of_config_keys_and_providers(tmp_path: Path) -> None:
    sb = Sandbox(home=tmp_path)
    assert _complete(sb, "ath config set ") == list(KEYS)
    assert _complete(sb, "ath config get dev") == ["developer_name", "developer_id"]
    help_text = sb("config", "set", "--help").out
    assert all(key in help_text and var in help_text for key, var in KEYS.items())
    with LocalStack() as stack:
        url = stack.gateway_url
        assert _complete(sb, "ath login ", {"ATH_URL": url}) == []  # never discovered
        sb("--url", url, "discover")
    # the stack is gone: completion reads the cache, never the network
    assert _complete(sb, "ath login ", {"ATH_URL": url}) == ["github", "mail"]
    assert _complete(sb, f"ath --url {url} proxy m") == ["mail"]
    assert _complete(sb, "ath revoke --provider g", {"ATH_URL": url}) == ["github"]
    assert _complete(sb, "ath register --provider ", {"ATH_URL": url}) == ["github:", "mail:"]


def test_the_cache_keeps_only_plain_provider_ids(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ath.cli._complete import _read_cache, remember_providers

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    remember_providers("http://gw", ["github", "e\x1b]52;c;x\x07", "a b", "$(id)", "mail"])
    assert _read_cache() == {"http://gw": ["github", "mail"]}


def test_revoke_without_a_target_needs_all_outside_a_terminal(tmp_path: Path) -> None:
    sb = Sandbox(home=tmp_path)
    done = sb("revoke", expect=o.USAGE)
    assert "--all" in done.err and "revoke what?" in done.err
    assert "--all" in sb("--json", "revoke", expect=o.USAGE).error()["message"]


def test_config_set_identity_keeps_the_whole_path(tmp_path: Path) -> None:
    sb = Sandbox(home=tmp_path)
    sb("config", "set", "identity", "agent.json")  # run in the sandbox's home
    shown = sb("--json", "config", "get", "identity").json()
    assert shown == {"identity": str((tmp_path / "agent.json").resolve())}
