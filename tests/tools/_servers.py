"""Small loopback servers the tool tests need and the local stack does not offer: an API
that echoes the request's headers (as httpbin's /headers does), reachable as a gateway's
proxy (``/ath/proxy/echo/...``) and as a native service's API (``/api/...``), and a
gateway whose proxy fails with a 5xx."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class _Handler(BaseHTTPRequestHandler):
    server: Any

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _send(self, status: int, data: Any, headers: dict[str, str] | None = None) -> None:
        body = json.dumps(data).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def _answer(self) -> None:
        base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.server.paths.append(self.path)
        if self.path == "/.well-known/ath-app.json":
            self._send(200, {
                "ath_version": "0.1", "app_id": "echo", "name": "Echo", "api_base": base + "/api",
                "auth": {"type": "oauth2", "authorization_endpoint": base + "/authorize",
                         "token_endpoint": base + "/token",
                         "registration_endpoint": base + "/ath/agents/register",
                         "scopes_supported": ["read"], "agent_attestation_required": True},
            })  # fmt: skip
        elif self.path.startswith("/ath/proxy/broken/"):
            self._send(502, {"code": "INTERNAL_ERROR", "message": "the gateway failed"})
        elif self.path.startswith(("/ath/proxy/echo/", "/api/")):
            auth = self.headers.get("Authorization", "")
            self._send(
                200,
                {"path": self.path, "headers": dict(self.headers.items()), "text": f"got {auth}"},
                {"X-Echo-Authorization": auth},
            )
        else:
            self._send(404, {"code": "NOT_FOUND", "message": "no such endpoint"})

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _answer


@contextmanager
def echo_server() -> Iterator[Any]:
    """The echo server on loopback (``.url``, ``.paths`` seen); stopped on exit."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.paths = []  # type: ignore[attr-defined]
    server.url = f"http://127.0.0.1:{server.server_address[1]}"  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
