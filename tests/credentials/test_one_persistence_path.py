"""One persistence path: the credentials file and the store file are written and read by
the same functions (``ath.stores._file``), the credentials record is a ``StoreEntry``, the
clients and the stores normalise URLs with one function, and headers have one check."""

from __future__ import annotations

import ast
import errno
import os
from pathlib import Path

import pytest

from ath import ATHClientError, ATHError, ATHGatewayClient, generate_private_key
from ath.stores import FileStore, StoreEntry, normalize_store_url
from ath.stores._credentials import read_credentials

ATH = Path(__file__).resolve().parents[2] / "ath"
AGENT = "https://agent.example.com/.well-known/agent.json"


def _calls(name: str) -> list[str]:
    """Where the SDK's library code calls a function or method ``name`` (the embedded stack
    and the command line, which writes its own key and config files, left out)."""
    found = []
    for path in sorted(ATH.rglob("*.py")):
        if {"testing", "cli"} & set(path.relative_to(ATH).parts):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                func = node.func
                called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
                    dotted = f"{func.value.id}.{func.attr}"
                else:
                    dotted = called
                if name in (called, dotted):
                    found.append(str(path.relative_to(ATH)))
    return found


def _definitions(name: str) -> list[str]:
    found = []
    for path in sorted(ATH.rglob("*.py")):
        if "testing" in path.relative_to(ATH).parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef) and node.name == name:
                found.append(str(path.relative_to(ATH)))
    return found


def test_one_atomic_write_one_header_check() -> None:
    assert _calls("mkstemp") == ["stores/_file.py"]
    assert _calls("os.replace") == ["stores/_file.py"]  # the rename into place
    assert _calls("fstat") == ["stores/_file.py"]
    assert _definitions("check_headers") == ["_validation.py"]
    assert _definitions("normalize_store_url") == ["stores/_model.py"]
    defaults = [  # the table of default ports a normaliser drops: one, in _validation
        str(path.relative_to(ATH))
        for path in sorted(ATH.rglob("*.py"))
        if "testing" not in path.relative_to(ATH).parts
        and '"https": 443' in path.read_text(encoding="utf-8")
    ]
    assert defaults == ["_validation.py"]


def test_a_failed_store_write_and_a_failed_save_fail_the_same_way(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same injected fault reaches both through the one write: the previous file kept,
    no temp file left, each reported with its own code."""
    store = FileStore(tmp_path / "store.json")
    entry = StoreEntry(base_url="https://gw.example.com", agent_id=AGENT, client_id="c1")
    store.update(entry.base_url, AGENT, lambda _old: entry)
    with ATHGatewayClient(
        url="https://gw.example.com", agent_id=AGENT, private_key=generate_private_key()
    ) as client:
        client.set_credentials("cid-1", "cs_one_path_" + "s" * 20)
        client.save_credentials(tmp_path / "creds.json")
        before = {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.suffix == ".json"}
        with monkeypatch.context() as patch:
            patch.setattr(os, "fsync", _failing)
            with pytest.raises(ATHError) as store_failed:
                store.update(entry.base_url, AGENT, lambda _old: None)
            with pytest.raises(ATHError) as save_failed:
                client.save_credentials(tmp_path / "creds.json")
    assert store_failed.value.code == "STORE_UNAVAILABLE"
    assert save_failed.value.code == "CREDENTIALS_WRITE_FAILED"
    assert isinstance(store_failed.value, ATHClientError)
    after = {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.suffix == ".json"}
    assert after == before
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def _failing(fd: int) -> None:
    raise OSError(errno.EIO, "Input/output error")


def test_the_credentials_record_is_a_store_entry(tmp_path: Path) -> None:
    with ATHGatewayClient(
        url="https://GW.example.com:443/", agent_id=AGENT, private_key=generate_private_key()
    ) as client:
        client.set_credentials("cid-2", "cs_record_" + "s" * 20)
        client.set_token("tok_record_" + "t" * 20, provider="github", expires_in=600)
        client.save_credentials(tmp_path / "creds.json")
        url = client.url
    record = read_credentials(tmp_path / "creds.json")
    assert type(record) is StoreEntry
    assert (record.base_url, record.agent_id, record.client_id) == (url, AGENT, "cid-2")
    assert record.registered and list(record.tokens) == ["github"]
    assert "cs_record_" not in repr(record)


@pytest.mark.parametrize(
    "url",
    [
        "https://GW.example.com:443/",
        "HTTPS://gw.example.com/base/",
        "http://127.0.0.1:80",
        "https://[::1]:8443/x",
        "https://gw.example.com:8443",
    ],
)
def test_a_client_and_its_store_key_share_one_normaliser(url: str) -> None:
    with ATHGatewayClient(
        url=url, agent_id=AGENT, private_key=generate_private_key(), allow_insecure_http=True
    ) as client:
        assert normalize_store_url(url) == client.url


def test_the_header_option_has_the_one_strict_check() -> None:
    """A header the per-call check refuses (framing, control characters) is refused at
    construction by the same check, naming the option."""
    for headers in ({"Host": "elsewhere.example"}, {"X-A": "a\x01b"}, {"Proxy-X": "1"}):
        with pytest.raises(ATHClientError) as caught:
            ATHGatewayClient(
                url="https://gw.example.com",
                agent_id=AGENT,
                private_key=generate_private_key(),
                headers=headers,
            )
        assert caught.value.code == "INVALID_ARGUMENT"
        assert caught.value.details["option"] == "headers"
