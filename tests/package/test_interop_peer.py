"""Interoperability: the public ath-sdk 0.1.0 from PyPI completes the flow against our stack.

The public SDK imports as ``ath`` too, so it runs in its own venv (``.peer-venv/``,
created on first use by the bench's venv helper) and its own process.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from ath import generate_private_key
from ath.testing import LocalStack
from bench._venvs import ensure_peer

HERE = Path(__file__).parent
ROOT = HERE.parents[1]


def test_public_sdk_full_flow_against_local_stack() -> None:
    python, versions = ensure_peer()
    assert versions["ath-sdk"] == "0.1.0"
    with LocalStack() as stack:
        pem = generate_private_key()
        config = {
            "gateway_url": stack.gateway_url,
            "agent_id": stack.host_agent(pem, name="public-sdk"),
            "pem": pem,
            "consent_module": str(ROOT / "bench" / "handshake_driver.py"),
        }
        done = subprocess.run(  # noqa: S603 - our own driver in the peer's interpreter
            [str(python), "-I", str(HERE / "peer_flow.py"), json.dumps(config)],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert "error" not in result, result
    assert result["steps"] == [
        "discover",
        "register",
        "authorize",
        "consent",
        "token",
        "proxy",
        "revoke",
    ]
    assert result["agent_status"] == "approved"
    assert result["effective_scopes"] == ["read:user"]
    assert result["user_login"]
    assert result["after_revoke"] == "TOKEN_REVOKED"
    assert pem not in done.stdout
