"""Issue 23, items 3, 4 and 12: the command line's folders and files.

* 3: every folder and file the command line writes has its mode whatever the umask
  (``000`` and ``022`` tried): 0700 folders, 0600 keys and config, the public identity
  document 0644 in folders made 0755.
* 4: a config or key file another user owns, or others may write, is refused (a planted
  config chooses the server, a planted key signs); so is a config folder of another user.
* 12: ``ath identity --out`` replaces a symlink planted at the path, never writes through it.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from tests.cli._hostile import attack
from tests.cli._run import Sandbox

USAGE = 2
NOBODY = 65534
IDENTITY = ["identity", "--name", "n", "--developer-name", "d", "--developer-id", "i"]
AGENT = ["--agent-id", "https://agent.example/agent.json"]

needs_root = pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() != 0, reason="chown to another user needs root"
)


@pytest.fixture
def sb(tmp_path: Path) -> Sandbox:
    home = tmp_path / "home"
    home.mkdir(mode=0o700)
    return Sandbox(home=home)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


@pytest.mark.parametrize("umask", [0o000, 0o022], ids=["umask000", "umask022"])
def test_folders_and_files_have_their_modes_whatever_the_umask(sb: Sandbox, umask: int) -> None:
    sb("keygen", umask=umask)
    sb("config", "set", "url", "http://127.0.0.1:9", umask=umask)
    out = sb.home / "site" / ".well-known" / "agent.json"
    sb(*AGENT, *IDENTITY, "--out", str(out), umask=umask)
    private = {
        sb.home / "data": 0o700,
        sb.home / "data" / "ath-sdk": 0o700,
        sb.home / "data" / "ath-sdk" / "agent-key.pem": 0o600,
        sb.home / "config": 0o700,
        sb.home / "config" / "ath-sdk": 0o700,
        sb.home / "config" / "ath-sdk" / "config.toml": 0o600,
        sb.home / "site": 0o755,
        sb.home / "site" / ".well-known": 0o755,
        out: 0o644,
    }
    wrong = {str(p): oct(_mode(p)) for p, want in private.items() if _mode(p) != want}
    attack(bool(wrong))
    assert not wrong


@needs_root
@pytest.mark.parametrize("how", ["other_owner", "group_writable"])
def test_a_config_file_of_another_user_is_refused(sb: Sandbox, how: str) -> None:
    sb("config", "set", "url", "http://127.0.0.1:1111")
    config = sb.home / "config" / "ath-sdk" / "config.toml"
    config.write_text('[profiles.default]\nurl = "http://127.0.0.1:6666"\n')
    if how == "other_owner":
        os.chown(config, NOBODY, NOBODY)
    else:
        config.chmod(0o620)
    done = sb("--json", "config", "show", expect=None)
    used = "6666" in done.out
    attack(used or done.code != USAGE)
    assert done.code == USAGE and not used
    message = done.error()["message"]
    assert str(config) in message and ("another user" in message or "written by" in message)


@needs_root
def test_a_config_folder_of_another_user_is_refused(sb: Sandbox) -> None:
    sb("config", "set", "url", "http://127.0.0.1:1111")
    folder = sb.home / "config" / "ath-sdk"
    os.chown(folder, NOBODY, NOBODY)
    done = sb("--json", "config", "show", expect=None)
    attack(done.code != USAGE or "1111" in done.out)
    assert done.code == USAGE and "another user" in done.error()["message"]


@needs_root
@pytest.mark.parametrize("how", ["other_owner", "group_writable", "fifo"])
def test_a_planted_key_is_refused(sb: Sandbox, how: str) -> None:
    key = sb.home / "k.pem"
    sb("keygen", "--out", str(key))
    if how == "other_owner":
        os.chown(key, NOBODY, NOBODY)
    elif how == "group_writable":
        key.chmod(0o620)
    else:
        key.unlink()
        os.mkfifo(key, 0o600)
    done = sb("--json", "--key", str(key), *AGENT, *IDENTITY, expect=None, timeout=120)
    signed = done.code == 0
    attack(signed)
    assert done.code == USAGE and done.error()["code"] == "INVALID_KEY", done


def test_identity_out_replaces_a_planted_symlink(sb: Sandbox) -> None:
    sb("keygen")
    victim = sb.home / "victim.txt"
    victim.write_text("precious\n")
    link = sb.home / "agent.json"
    link.symlink_to(victim)
    sb(*AGENT, *IDENTITY, "--out", str(link))
    written_through = victim.read_text() != "precious\n"
    attack(written_through)
    assert not written_through
    assert not link.is_symlink() and '"agent_id"' in link.read_text()


def test_keygen_does_not_write_through_a_planted_symlink(sb: Sandbox) -> None:
    victim = sb.home / "victim.txt"
    victim.write_text("precious\n")
    link = sb.home / "k.pem"
    link.symlink_to(victim)
    refused = sb("--json", "keygen", "--out", str(link), expect=USAGE)
    assert "--force" in refused.error()["message"]
    sb("keygen", "--out", str(link), "--force")
    attack(victim.read_text() != "precious\n")
    assert not link.is_symlink() and _mode(link) == 0o600
