"""Issue 23, items 3, 6 and 20, and the KeyringStore's item names: the stores' files and
folders on a hostile machine.

* 3: the FileStore's folders (every level it creates), file and locks, and the
  KeyringStore's lock folder, have their modes whatever the umask (``000``, ``022``).
* 6: a FIFO (or another non-regular file) at the FileStore's path is refused at once
  (``STORE_CORRUPT``) by ``load`` and ``update``, never waited on.
* 20: a store folder that other users may write to (0777, 1777, 0770), or that another
  user owns, is refused (``CREDENTIALS_INSECURE``), as ssh refuses its own.
* KeyringStore item names cannot collide (ids with spaces), and entries an earlier version
  wrote keep loading.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from keyrings.alt.file import PlaintextKeyring

from ath import ATHError
from ath.stores import FileStore, KeyringStore, StoreEntry, normalize_store_url
from ath.stores._model import encode_entry
from tests.cli._hostile import attack

URL = "https://gw.example"
AGENT = "https://agent.example/.well-known/agent.json"
NOBODY = 65534

needs_root = pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() != 0, reason="chown to another user needs root"
)


def _entry(url: str = URL, agent: str = AGENT) -> StoreEntry:
    return StoreEntry(url, agent, client_id="cid", client_secret="sec-ret", agent_status="approved")


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


@pytest.mark.parametrize("umask", [0o000, 0o022], ids=["umask000", "umask022"])
def test_store_folders_and_files_have_their_modes_whatever_the_umask(
    tmp_path: Path, umask: int
) -> None:
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from keyrings.alt.file import PlaintextKeyring\n"
        "from ath.stores import FileStore, KeyringStore, StoreEntry\n"
        "root = Path(sys.argv[1])\n"
        "entry = lambda _old: StoreEntry('https://gw.example', 'a', client_id='c', "
        "client_secret='s', agent_status='approved')\n"
        "FileStore(root / 'a' / 'b' / 'store.json').update('https://gw.example', 'a', entry)\n"
        "backend = PlaintextKeyring()\n"
        "backend.file_path = str(root / 'keyring.cfg')\n"
        "KeyringStore(backend=backend, lock_dir=root / 'l1' / 'l2').update("
        "'https://gw.example', 'a', entry)\n"
    )
    done = subprocess.run(  # noqa: S603 - this interpreter
        [sys.executable, "-c", code, str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        umask=umask,
    )
    assert done.returncode == 0, done.stderr
    want = {
        tmp_path / "a": 0o700,
        tmp_path / "a" / "b": 0o700,
        tmp_path / "a" / "b" / "store.json": 0o600,
        tmp_path / "l1": 0o700,
        tmp_path / "l1" / "l2": 0o700,
    }
    want.update({lock: 0o600 for lock in (tmp_path / "a" / "b").glob("*.lock")})
    want.update({lock: 0o600 for lock in (tmp_path / "l1" / "l2").glob("*.lock")})
    wrong = {str(p): oct(_mode(p)) for p, mode in want.items() if _mode(p) != mode}
    attack(bool(wrong))
    assert not wrong


def _refused_in_time(call: Callable[[], object], fifo: Path) -> ATHError | None:
    """Run ``call`` in a thread; if it blocks on the FIFO, unblock it by opening the FIFO's
    other end (so no thread is left behind) and report None."""
    caught: list[BaseException] = []

    def run() -> None:
        try:
            call()
        except BaseException as exc:
            caught.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(60)
    if thread.is_alive():  # blocked: release it
        fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
        os.close(fd)
        thread.join(60)
        return None
    error = caught[0] if caught else None
    return error if isinstance(error, ATHError) else None


@pytest.mark.parametrize("method", ["load", "update"])
def test_a_fifo_at_the_store_path_is_refused_at_once(tmp_path: Path, method: str) -> None:
    path = tmp_path / "store.json"
    os.mkfifo(path, 0o600)
    store = FileStore(path, lock_timeout=5)
    if method == "load":
        error = _refused_in_time(lambda: store.load(URL, AGENT), path)
    else:
        error = _refused_in_time(lambda: store.update(URL, AGENT, lambda _old: _entry()), path)
    attack(error is None)
    assert error is not None and error.code == "STORE_CORRUPT"
    assert stat.S_ISFIFO(path.lstat().st_mode)  # left as it was


@pytest.mark.parametrize("mode", [0o777, 0o1777, 0o770], ids=["0777", "1777", "0770"])
def test_a_folder_others_may_write_to_is_refused(tmp_path: Path, mode: int) -> None:
    folder = tmp_path / "shared"
    folder.mkdir()
    FileStore(folder / "store.json").update(URL, AGENT, lambda _old: _entry())
    folder.chmod(mode)
    store = FileStore(folder / "store.json")
    codes = []
    calls: list[Callable[[], object]] = [
        lambda: store.load(URL, AGENT),
        lambda: store.update(URL, AGENT, lambda _old: None),
    ]
    for call in calls:
        try:
            call()
            codes.append("used")
        except ATHError as exc:
            codes.append(exc.code)
            assert "chmod 700" in exc.message
    attack(codes != ["CREDENTIALS_INSECURE"] * 2)
    assert codes == ["CREDENTIALS_INSECURE"] * 2
    folder.chmod(0o700)
    assert store.load(URL, AGENT) is not None  # the entry was left as it was


@needs_root
def test_a_folder_of_another_user_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "theirs"
    folder.mkdir(mode=0o755)
    FileStore(folder / "store.json").update(URL, AGENT, lambda _old: _entry())
    os.chown(folder, NOBODY, NOBODY)
    store = FileStore(folder / "store.json")
    with pytest.raises(ATHError) as caught:
        store.load(URL, AGENT)
    attack(caught.value.code != "CREDENTIALS_INSECURE")
    assert "another user" in caught.value.message


def _keyring(folder: Path) -> PlaintextKeyring:
    backend = PlaintextKeyring()
    backend.file_path = str(folder / "keyring.cfg")
    return backend


def test_keyring_item_names_do_not_collide(tmp_path: Path) -> None:
    store = KeyringStore("svc", backend=_keyring(tmp_path), lock_dir=tmp_path / "locks")
    first = ("https://gw.example/p q", "r")
    second = ("https://gw.example/p", "q r")
    store.update(*first, lambda _old: _entry(*first))
    store.update(*second, lambda _old: _entry(*second))
    loaded = [store.load(*first), store.load(*second)]
    kept = [e is not None and (e.base_url, e.agent_id) for e in loaded]
    apart = kept == [
        (normalize_store_url(first[0]), first[1]),
        (normalize_store_url(second[0]), second[1]),
    ]
    attack(not apart)
    assert apart


def test_keyring_entries_of_earlier_versions_still_load(tmp_path: Path) -> None:
    backend = _keyring(tmp_path)
    store = KeyringStore("svc", backend=backend, lock_dir=tmp_path / "locks")
    plain = ("https://gw.example", AGENT)  # the common case: the name is unchanged
    store.update(*plain, lambda _old: _entry(*plain))
    assert backend.get_password("svc", f"{normalize_store_url(plain[0])} {AGENT}") is not None
    encoded = ("https://gw.example/a%2Fb", AGENT)  # written under the old name
    old_name = f"{normalize_store_url(encoded[0])} {AGENT}"
    doc = encode_entry(replace(_entry(*encoded), client_id="cid-old"))
    backend.set_password("svc", old_name, json.dumps(doc))
    loaded = store.load(*encoded)
    assert loaded is not None and loaded.client_id == "cid-old"
    store.update(*encoded, lambda old: old)  # moved to the new name at the next update
    assert backend.get_password("svc", old_name) is None
    again = store.load(*encoded)
    assert again is not None and again.client_id == "cid-old"
