"""Hostile credentials files: another owner, foreign tokens, FIFOs, folders, huge or
deeply nested files, absurd expiry times. Each is refused with a documented code and
nothing is loaded."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from typing import Any

import pytest

from ath import ATHError, ATHGatewayClient
from tests._support.faults import AGENT_ID, MOCK_URL
from tests._support.servers import attack


def saved(tmp_path: Path, pem: str) -> tuple[Path, dict[str, Any]]:
    client = ATHGatewayClient(url=MOCK_URL, agent_id=AGENT_ID, private_key=pem)
    client.set_credentials("cid-1", "cs_file_secret_value")
    client.set_token("ath_tk_file_secret_value", "github", expires_in=3600)
    path = tmp_path / "creds.json"
    client.save_credentials(path)
    return path, json.loads(path.read_text())


def load(path: Path, pem: str) -> tuple[str | None, ATHGatewayClient]:
    client = ATHGatewayClient(url=MOCK_URL, agent_id=AGENT_ID, private_key=pem)
    try:
        client.load_credentials(path)
    except ATHError as exc:
        return exc.code, client
    return None, client


def rewrite(path: Path, doc: Any) -> None:
    path.write_text(doc if isinstance(doc, str) else json.dumps(doc))
    os.chmod(path, 0o600)


def test_a_file_owned_by_another_user_is_refused(tmp_path: Path, pem: str) -> None:
    path, _ = saved(tmp_path, pem)
    assert os.geteuid() == 0, "the suite runs as root to hand a file to another user"
    os.chown(path, 65534, 65534)
    code, client = load(path, pem)
    attack(code != "CREDENTIALS_INSECURE" or client.client_id is not None)
    os.chown(path, os.geteuid(), os.getegid())
    assert load(path, pem)[0] is None  # control


@pytest.mark.parametrize(
    "edit",
    [
        lambda t: t.update(agent_id="https://other.example/agent.json"),
        lambda t: t.update(agent_id=None),
        lambda t: t.update(provider_id="gitlab"),
        lambda t: t.update(provider_id=None),
    ],
    ids=["other_agent", "no_agent", "other_provider", "no_provider"],
)
def test_tokens_bound_to_another_agent_or_provider_are_refused(
    tmp_path: Path, pem: str, edit: Any
) -> None:
    path, doc = saved(tmp_path, pem)
    edit(doc["tokens"]["github"])
    rewrite(path, doc)
    code, client = load(path, pem)
    attack(code != "CREDENTIALS_INVALID" or bool(client.tokens))


def test_a_fifo_or_a_folder_at_the_path_is_refused(tmp_path: Path, pem: str) -> None:
    fifo = tmp_path / "fifo.json"
    os.mkfifo(fifo, 0o600)
    result: list[str | None] = []
    worker = threading.Thread(target=lambda: result.append(load(fifo, pem)[0]), daemon=True)
    worker.start()
    worker.join(60)  # a hang guard: refusing a FIFO takes no time, opening it blocks forever
    if worker.is_alive():  # unblock the open so the thread ends, then report
        with open(fifo, "wb"):
            pass
        worker.join(5)
    attack(result != ["CREDENTIALS_INVALID"])
    folder = tmp_path / "folder.json"
    folder.mkdir(mode=0o700)
    attack(load(folder, pem)[0] != "CREDENTIALS_INVALID")


@pytest.mark.parametrize(
    "content",
    [
        '{"format": "ath-sdk-credentials", "pad": "' + "x" * (2 << 20) + '"}',
        "[" * 200_000 + "]" * 200_000,
        '{"format": "ath-sdk-credentials", "version": 1, "x": '
        + "[" * 200_000
        + "]" * 200_000
        + "}",
    ],
    ids=["2MiB", "deep", "deep_inside"],
)
def test_huge_or_deep_files_are_refused(tmp_path: Path, pem: str, content: str) -> None:
    path = tmp_path / "creds.json"
    rewrite(path, content)
    attack(load(path, pem)[0] != "CREDENTIALS_INVALID")


def test_a_valid_file_padded_past_the_size_cap_is_refused(tmp_path: Path, pem: str) -> None:
    path, doc = saved(tmp_path, pem)
    rewrite(path, json.dumps(doc) + " " * (2 << 20))
    attack(load(path, pem)[0] != "CREDENTIALS_INVALID")


@pytest.mark.parametrize(
    "value", ["Infinity", "-Infinity", "NaN", "1" + "0" * 400, "1e400", "true"]
)
def test_absurd_expiry_times_are_refused(tmp_path: Path, pem: str, value: str) -> None:
    path, doc = saved(tmp_path, pem)
    text = json.dumps(doc)
    marker = json.dumps(doc["tokens"]["github"]["expires_at"])
    rewrite(path, text.replace(f'"expires_at": {marker}', f'"expires_at": {value}'))
    attack(load(path, pem)[0] != "CREDENTIALS_INVALID")
