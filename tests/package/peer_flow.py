"""Drive the public ath-sdk 0.1.0 through the whole flow against our local stack.

Run as ``<peer venv python> -I peer_flow.py CONFIG_JSON`` (the public SDK also
imports as ``ath``, so it lives in its own venv and process). It imports nothing
from this repository except the consent walker, loaded by file path. Prints one
JSON line: the steps completed, scopes, and the error code seen after revoke.
Never prints a secret.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import sys
from typing import Any

import httpx


def main(argv: list[str]) -> int:
    config: dict[str, Any] = json.loads(argv[1])
    spec = importlib.util.spec_from_file_location("consent_walk", config["consent_module"])
    assert spec is not None and spec.loader is not None
    walker = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(walker)
    peer = importlib.import_module("ath")
    steps: list[str] = []
    out: dict[str, Any] = {"steps": steps, "version": importlib.metadata.version("ath-sdk")}
    client = peer.ATHGatewayClient(config["gateway_url"], config["agent_id"], config["pem"])
    try:
        doc = client.discover()
        out["providers"] = sorted(p.provider_id for p in doc.supported_providers)
        steps.append("discover")
        reg = client.register(
            developer={"name": "Peer", "id": "peer"},
            providers=[{"provider_id": "github", "scopes": ["read:user", "repo"]}],
            purpose="interoperability test",
        )
        out["agent_status"] = str(getattr(reg.agent_status, "value", reg.agent_status))
        steps.append("register")
        auth = client.authorize("github", ["read:user"])
        steps.append("authorize")
        with httpx.Client() as browser:
            code, _ = walker.consent(browser, auth.authorization_url)
        steps.append("consent")
        token = client.exchange_token(code, auth.ath_session_id)
        out["effective_scopes"] = list(token.effective_scopes)
        steps.append("token")
        user = client.proxy("github", "GET", "/user")
        out["user_login"] = user.get("login") if isinstance(user, dict) else None
        steps.append("proxy")
        client.revoke()
        steps.append("revoke")
        # The revoked token must be refused: put it back and call again.
        client._access_token = token.access_token
        try:
            client.proxy("github", "GET", "/user")
            out["after_revoke"] = "accepted"
        except peer.ATHError as exc:
            out["after_revoke"] = exc.code
    except Exception as exc:  # report which step failed, without secrets
        out["error"] = f"{type(exc).__name__}: {getattr(exc, 'code', '')}"
    finally:
        client.close()
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
