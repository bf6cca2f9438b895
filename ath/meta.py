"""Protocol constants: the ATH version this SDK speaks and its endpoints.

Kept from ath-sdk 0.1.0 (``from ath.meta import ATH_VERSION, ENDPOINTS``); both are
also importable from :mod:`ath`.
"""

from __future__ import annotations

from typing import Final

__all__ = ["ATH_VERSION", "ENDPOINTS"]

#: The protocol version of the documents and requests this SDK sends and reads.
ATH_VERSION: Final = "0.1"

#: Every ATH endpoint by name: its HTTP method (``ANY`` for the proxy) and path
#: template, relative to the gateway's or service's base URL.
ENDPOINTS: Final[dict[str, dict[str, str]]] = {
    name: {"method": method, "path": path}
    for name, method, path in (
        ("discovery", "GET", "/.well-known/ath.json"),
        ("service_discovery", "GET", "/.well-known/ath-app.json"),
        ("register", "POST", "/ath/agents/register"),
        ("get_agent", "GET", "/ath/agents/{clientId}"),
        ("authorize", "POST", "/ath/authorize"),
        ("callback", "GET", "/ath/callback"),
        ("token", "POST", "/ath/token"),
        ("proxy", "ANY", "/ath/proxy/{provider_id}/{path}"),
        ("revoke", "POST", "/ath/revoke"),
    )
}
