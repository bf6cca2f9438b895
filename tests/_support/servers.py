"""What the hardening suites share: loopback servers, a scripted ATH server, the attack tally.

The sync/async bridge they call clients through is ``tests/_support/shells.py``.
"""

from __future__ import annotations

import datetime
import ipaddress
import json
import secrets
import select
import socket
import socketserver
import ssl
import struct
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx2
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from .._report import tally

# --------------------------------------------------------------------------- names and scopes

DEVELOPER = {"name": "Hardening", "id": "hardening"}
GITHUB_SCOPES = ["read:user", "repo"]
NATIVE_APP = "acme-app"
NATIVE_SCOPES = ["read", "write"]


# --------------------------------------------------------------------------- loopback servers


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def read_request(conn: socket.socket, timeout: float = 5.0) -> bytes:
    """Read one HTTP/1.1 request (head and Content-Length body) from ``conn``."""
    conn.settimeout(timeout)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return data
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(body) < length:
        chunk = conn.recv(65536)
        if not chunk:
            break
        body += chunk
    return head + b"\r\n\r\n" + body


def wait_for_peer_close(conn: socket.socket, limit: float = 10.0) -> None:
    """Keep the connection open, sending nothing, until the client gives up."""
    conn.setblocking(False)
    deadline = limit
    while deadline > 0:
        ready, _, _ = select.select([conn], [], [], 0.05)
        deadline -= 0.05
        if ready:
            try:
                if not conn.recv(65536):
                    return
            except (BlockingIOError, ssl.SSLWantReadError):
                continue
            except OSError:
                return


Behaviour = Callable[[socket.socket], None]

PARTIAL_HEAD = (
    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 4096\r\n\r\n"
    b'{"client_id": "par'
)


def stall(conn: socket.socket) -> None:
    """Answer headers and a few body bytes, then go silent."""
    read_request(conn)
    conn.sendall(PARTIAL_HEAD)
    wait_for_peer_close(conn)


def reset(conn: socket.socket) -> None:
    """Answer headers and a few body bytes, then reset the connection (RST)."""
    read_request(conn)
    conn.sendall(PARTIAL_HEAD)
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


def plain_http(conn: socket.socket) -> None:
    """Answer anything (a TLS ClientHello included) with a plain-text HTTP response."""
    conn.settimeout(5.0)
    conn.recv(65536)
    conn.sendall(
        b"HTTP/1.1 400 Bad Request\r\nContent-Length: 11\r\nConnection: close\r\n\r\nplain text!"
    )


#: A keep-alive answer with an empty JSON object, and one with no content.
OK_EMPTY_JSON = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"
NO_CONTENT = b"HTTP/1.1 204 No Content\r\n\r\n"


def recording(seen: list[bytes], answer: bytes = OK_EMPTY_JSON) -> Behaviour:
    """Answer every request on a kept-alive connection with ``answer``, appending each
    request (head and body) to ``seen``."""

    def behaviour(conn: socket.socket) -> None:
        while request := read_request(conn, timeout=5):
            seen.append(request)
            conn.sendall(answer)

    return behaviour


def json_answer(body: Any, status: int = 200) -> Behaviour:
    def answer(conn: socket.socket) -> None:
        read_request(conn)
        payload = json.dumps(body).encode()
        conn.sendall(
            f"HTTP/1.1 {status} X\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(payload)}\r\nConnection: close\r\n\r\n".encode()
            + payload
        )

    return answer


class _TCPServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    block_on_close = False
    behaviour: Behaviour
    tls: ssl.SSLContext | None


class _Handler(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        server = self.server
        assert isinstance(server, _TCPServer)
        conn: socket.socket = self.request
        try:
            if server.tls is not None:
                conn = server.tls.wrap_socket(conn, server_side=True)
            server.behaviour(conn)
        except (OSError, ValueError):
            pass
        finally:
            conn.close()


class RawServer:
    """A threaded TCP server on a loopback address running ``behaviour`` per connection."""

    def __init__(
        self, behaviour: Behaviour, *, host: str = "127.0.0.1", tls: ssl.SSLContext | None = None
    ) -> None:
        self._server = _TCPServer((host, 0), _Handler, bind_and_activate=True)
        self._server.behaviour = behaviour
        self._server.tls = tls
        self.host = host
        self.port: int = self._server.server_address[1]
        self.scheme = "https" if tls is not None else "http"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        return f"{self.scheme}://{self.host}:{self.port}"

    def __enter__(self) -> RawServer:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)


@dataclass(frozen=True)
class SelfSigned:
    """A self-signed certificate for 127.0.0.1 (and its key) on disk."""

    cert_path: Path
    key_path: Path

    def server_context(self) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.cert_path, self.key_path)
        return context

    def trusting_context(self) -> ssl.SSLContext:
        """A client context that trusts exactly this certificate (verification stays on)."""
        return ssl.create_default_context(cafile=str(self.cert_path))


def make_self_signed(folder: Path) -> SelfSigned:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return SelfSigned(cert_path, key_path)


# --------------------------------------------------------------------------- scripted server

#: An S256 challenge (RFC 7636 appendix B) for authorization URLs of the scripted server.
CHALLENGE = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
APPROVAL_EXPIRES = "2031-01-01T00:00:00+00:00"


def json_response(status: int, body: Any, headers: dict[str, str] | None = None) -> httpx2.Response:
    return httpx2.Response(status, json=body, headers=headers)


class FakeATH:
    """Correct ATH answers for an ``httpx2.MockTransport``; records every request.

    ``respond`` replaces the answers while set: it receives the request and the correct
    answer's status and JSON body (``None`` for endpoints without a schema).
    """

    def __init__(self, agent_id: str, base_url: str) -> None:
        self.agent_id = agent_id
        self.base_url = base_url
        self.requests: list[httpx2.Request] = []
        self.sessions: dict[str, tuple[str, list[str]]] = {}
        self.issued: list[str] = []
        self.respond: Callable[[httpx2.Request, int, Any], httpx2.Response] | None = None

    def transport(self) -> httpx2.MockTransport:
        return httpx2.MockTransport(self.handle)

    def handle(self, request: httpx2.Request) -> httpx2.Response:
        self.requests.append(request)
        status, body = self.good(request)
        if self.respond is not None:
            return self.respond(request, status, body)
        return json_response(status, body)

    def _json(self, request: httpx2.Request) -> dict[str, Any]:
        try:
            data = json.loads(request.content or b"{}")
        except ValueError:
            return {}
        return data if isinstance(data, dict) else {}

    def good(self, request: httpx2.Request) -> tuple[int, Any]:
        path = request.url.path
        base_path = httpx2.URL(self.base_url).path.rstrip("/")
        if base_path and path.startswith(base_path + "/"):
            path = path[len(base_path) :]
        approvals = [
            {"provider_id": "github", "approved_scopes": ["read:user"], "denied_scopes": []}
        ]
        if path == "/.well-known/ath.json":
            return 200, {
                "ath_version": "0.1",
                "gateway_id": "gw-hardening",
                "agent_registration_endpoint": self.base_url + "/ath/agents/register",
                "supported_providers": [
                    {
                        "provider_id": "github",
                        "display_name": "GitHub",
                        "available_scopes": GITHUB_SCOPES,
                        "auth_mode": "OAUTH2",
                        "agent_approval_required": True,
                    }
                ],
            }
        if path == "/.well-known/ath-app.json":
            return 200, {
                "ath_version": "0.1",
                "app_id": NATIVE_APP,
                "name": "Acme",
                "api_base": self.base_url + "/api",
                "auth": {
                    "type": "oauth2",
                    "authorization_endpoint": self.base_url + "/oauth/authorize",
                    "token_endpoint": self.base_url + "/oauth/token",
                    "scopes_supported": NATIVE_SCOPES,
                    "agent_attestation_required": True,
                },
            }
        if path == "/ath/agents/register":
            self.issued.append("cs_registered_" + secrets.token_hex(8))
            return 201, {
                "client_id": "cid-registered",
                "client_secret": self.issued[-1],
                "agent_status": "approved",
                "approved_providers": approvals,
                "approval_expires": APPROVAL_EXPIRES,
            }
        if path.startswith("/ath/agents/"):
            return 200, {
                "client_id": path.rsplit("/", 1)[-1],
                "agent_id": self.agent_id,
                "agent_status": "approved",
                "approved_providers": approvals,
                "approval_expires": APPROVAL_EXPIRES,
            }
        if path == "/ath/authorize":
            data = self._json(request)
            sid = f"sess-{len(self.sessions) + 1}"
            scopes = data.get("scopes") or []
            self.sessions[sid] = (str(data.get("provider_id")), list(scopes))
            state = data.get("state", "")
            return 200, {
                "authorization_url": "https://127.0.0.1:9/oauth/authorize?response_type=code"
                f"&state={state}&code_challenge={CHALLENGE}&code_challenge_method=S256",
                "ath_session_id": sid,
            }
        if path == "/ath/token":
            data = self._json(request)
            provider, scopes = self.sessions.get(
                str(data.get("ath_session_id")), ("github", ["read:user"])
            )
            token = "ath_tk_" + secrets.token_hex(16)
            self.issued.append(token)
            return 200, {
                "access_token": token,
                "token_type": "Bearer",
                "expires_in": 3600,
                "effective_scopes": scopes,
                "provider_id": provider,
                "agent_id": self.agent_id,
                "scope_intersection": {
                    "agent_approved": scopes,
                    "user_consented": scopes,
                    "effective": scopes,
                },
            }
        if path == "/oauth/token":
            self.issued.append("oauth_at_" + secrets.token_hex(8))
            return 200, {"access_token": self.issued[-1], "token_type": "Bearer"}
        if path == "/ath/revoke":
            return 200, None
        return 200, {"ok": True, "path": path}


class SwitchTransport(httpx2.BaseTransport, httpx2.AsyncBaseTransport):
    """Routes to ``target``, which a test may swap between a mock and a real transport."""

    def __init__(self, target: Any) -> None:
        self.target = target

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        response: httpx2.Response = self.target.handle_request(request)
        return response

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        response: httpx2.Response = await self.target.handle_async_request(request)
        return response

    def close(self) -> None:  # the targets are closed by whoever made them
        pass

    async def aclose(self) -> None:
        pass


class BrokenStream(httpx2.SyncByteStream, httpx2.AsyncByteStream):
    """A body that yields ``first`` and then fails with ``make_error()``."""

    def __init__(self, first: bytes, make_error: Callable[[], Exception]) -> None:
        self.first = first
        self.make_error = make_error

    def __iter__(self) -> Iterator[bytes]:
        yield self.first
        raise self.make_error()

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield self.first
        raise self.make_error()


def callback_url(state: str, code: str = "code-1") -> str:
    return f"https://127.0.0.1:9/cb?code={code}&state={state}"


def query_of(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def attack(succeeded: bool) -> None:
    """Count one attack of the hostile-input suites; it must not have succeeded."""
    counts = tally("hostile")
    counts["attacks"] += 1
    counts["succeeded"] += succeeded
    assert not succeeded
