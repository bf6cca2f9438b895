"""Starting and stopping the stack, its pytest fixtures and its command line."""

from __future__ import annotations

import json
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path

import httpx2
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from ath.testing import LocalStack
from tests._support.procs import popen
from tests.stack.stack_helpers import new_key, public_pem


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd")) if os.path.isdir("/proc/self/fd") else 0


def accepts(port: int) -> bool:
    try:
        httpx2.get(f"http://127.0.0.1:{port}/", trust_env=False, timeout=2)
    except httpx2.ConnectError:
        return False
    return True


def ports(stack: LocalStack) -> set[int]:
    urls = (stack.gateway_url, stack.native_url, stack.oauth_url, stack.upstream_url)
    return {httpx2.URL(u).port or 0 for u in (*urls, stack.agents_url)}


def _read_response(sock: socket.socket) -> bytes:
    """One whole HTTP/1.1 response with a Content-Length, read off ``sock``."""
    data = b""
    while b"\r\n\r\n" not in data:
        data += sock.recv(65536)
    head, _, body = data.partition(b"\r\n\r\n")
    length = next(
        int(line.split(b":", 1)[1])
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"content-length:")
    )
    while len(body) < length:
        body += sock.recv(65536)
    return data


#: A hang guard for reads below, far above the milliseconds they take.
HANG_GUARD = 60.0


def test_stop_closes_idle_connections_at_once_and_leaks_nothing(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """stop() with a keep-alive connection open: the server closes it itself (the
    client reads end-of-file) instead of waiting for the keep-alive timeout, shutdown
    never runs into uvicorn's graceful-shutdown timeout, and nothing is left: no
    thread, no descriptor, no listening port. Checked by what happened, not by how
    long it took."""
    threads_before = set(threading.enumerate())
    fds_before = open_fds()
    stack = LocalStack()
    stack.start()
    used = ports(stack)
    assert len(used) == 5 and all(accepts(port) for port in used)
    for url in (stack.gateway_url, stack.native_url, stack.oauth_url, stack.upstream_url):
        assert url.startswith("http://127.0.0.1:") and not url.endswith("/")
    port = httpx2.URL(stack.gateway_url).port or 0
    with socket.create_connection(("127.0.0.1", port), timeout=HANG_GUARD) as idle:
        idle.sendall(b"GET /.well-known/ath.json HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        assert _read_response(idle).startswith(b"HTTP/1.1 200 ")  # answered, kept alive
        with caplog.at_level(logging.WARNING):
            stack.stop()
        assert idle.recv(65536) == b""  # EOF: the server closed the idle connection
    assert not [r for r in caplog.records if "graceful shutdown" in r.getMessage()]
    assert not any(accepts(port) for port in used)
    assert set(threading.enumerate()) <= threads_before
    assert open_fds() <= fds_before
    stack.stop()  # idempotent


def test_restart_gives_a_fresh_stack() -> None:
    stack = LocalStack()
    with stack:
        first = stack.gateway_url
        stack.host_agent(new_key(), name="a")
    assert not stack.running
    with pytest.raises(RuntimeError):
        _ = stack.gateway_url
    with stack:
        assert stack.gateway_url != first or stack.running
        with pytest.raises(RuntimeError):
            stack.start()


async def test_async_context_manager() -> None:
    async with LocalStack() as stack, httpx2.AsyncClient(trust_env=False) as http:
        answer = await http.get(f"{stack.native_url}/.well-known/ath-app.json")
        assert answer.json()["app_id"] == stack.native_app_id


def test_session_fixture(ath_stack_session: LocalStack) -> None:
    assert ath_stack_session.running
    assert ath_stack_session.providers == ["github", "mail"]


def test_host_agent_accepts_keys_and_pems(ath_stack: LocalStack) -> None:
    key = new_key()
    private_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    docs = []
    forms: list[str | bytes | ec.EllipticCurvePublicKey | ec.EllipticCurvePrivateKey] = [
        key,
        key.public_key(),
        public_pem(key),
        private_pem,
    ]
    for i, form in enumerate(forms):
        agent_id = ath_stack.host_agent(form, name=f"agent-{i}", capabilities=["x"])
        assert agent_id == f"{ath_stack.agents_url}/agents/agent-{i}/.well-known/agent.json"
        docs.append(httpx2.get(agent_id, trust_env=False).json())
    assert len({json.dumps(d["public_key"], sort_keys=True) for d in docs}) == 1
    assert docs[0]["public_key"]["kty"] == "EC" and docs[0]["capabilities"] == ["x"]
    with pytest.raises(ValueError, match="P-256"):
        ath_stack.host_agent(ec.generate_private_key(ec.SECP384R1()), name="p384")
    with pytest.raises(ValueError, match="name"):
        ath_stack.host_agent(key, name="../escape")
    assert (
        httpx2.get(f"{ath_stack.agents_url}/agents/none/.well-known/agent.json").status_code == 404
    )


def test_policies_can_be_set_before_start() -> None:
    stack = LocalStack(session_lifetime=60)
    stack.approval.pending()
    stack.consent.deny()
    with stack:
        assert stack.running
    with pytest.raises(ValueError):
        LocalStack(session_lifetime=601)
    with pytest.raises(ValueError):
        LocalStack(token_lifetime=0)


def _run_cli(*args: str) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
    return popen(  # own group, dies with the test process
        [sys.executable, "-m", "ath.testing", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def test_cli_json_mode(tmp_path: Path) -> None:
    pem = tmp_path / "agent.pem"
    pem.write_text(public_pem(new_key()))
    process = _run_cli("--json", "--host-agent", str(pem), "--agent-name", "cli-agent")
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        urls = json.loads(line)
        assert set(urls) == {
            "gateway_url",
            "native_url",
            "oauth_url",
            "upstream_url",
            "agent_id",
            "env",
        }
        assert urls["env"] == {"ATH_URL": urls["gateway_url"], "ATH_AGENT_ID": urls["agent_id"]}
        catalog = httpx2.get(f"{urls['gateway_url']}/.well-known/ath.json", trust_env=False)
        assert catalog.status_code == 200
        assert httpx2.get(urls["agent_id"], trust_env=False).json()["name"] == "cli-agent"
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=10)
        assert process.returncode == 0, err
        assert out == "", "exactly one line in --json mode"
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()


def test_cli_plain_mode_and_sigint() -> None:
    process = _run_cli()
    try:
        assert process.stdout is not None
        lines = [process.stdout.readline() for _ in range(5)]
        assert "Local ATH stack running" in lines[0]
        assert any("gateway url" in line and "http://127.0.0.1:" in line for line in lines)
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=10)
        assert process.returncode == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()


def test_cli_json_without_agent() -> None:
    process = _run_cli("--json")
    try:
        assert process.stdout is not None
        urls = json.loads(process.stdout.readline())
        assert set(urls) == {"gateway_url", "native_url", "oauth_url", "upstream_url", "env"}
        assert urls["env"] == {"ATH_URL": urls["gateway_url"]}
    finally:
        process.terminate()
        process.communicate(timeout=10)
