"""Secrets: no client secret, access token, private key or attestation JWT in any log record,
repr, str, exception text/args/details, or file other than the credentials file itself.

The whole flow runs against the local stack (both shells, gateway and native mode) and
every error path of the fault matrix runs again, plus servers that echo the request
(body and Authorization header) back in error messages, details, pages and headers. The
root logger captures every record at DEBUG (``ath``, ``httpx2``, ``httpcore2``, the stack).
A leak is any 16-character run of a secret, so a truncated secret counts too.
"""

from __future__ import annotations

import logging
import os
import re
import stat
import tempfile
import time
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2
import pytest

from ath import ATHError, ATHServerError, AttestationSigner, generate_private_key
from ath._redaction import request_secrets
from ath.testing import LocalStack, follow_consent
from tests._support.faults import CALLS, MOCK_URL, Fault, faults_for, run_case
from tests._support.servers import DEVELOPER, closed_port
from tests._support.shells import call, client_class, close

from .._report import tally


class Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def texts(self) -> Iterator[str]:
        for record in self.records:
            yield self.format(record)
            yield repr(vars(record))


@pytest.fixture
def capture() -> Iterator[Capture]:
    handler = Capture()
    root = logging.getLogger()
    names = ("ath", "httpx2", "httpcore2", "uvicorn", "ath.testing")
    saved = root.level, {name: logging.getLogger(name).level for name in names}
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    for name in names:
        logging.getLogger(name).setLevel(logging.DEBUG)
    yield handler
    root.removeHandler(handler)
    root.setLevel(saved[0])
    for name, level in saved[1].items():
        logging.getLogger(name).setLevel(level)


@pytest.fixture
def minted(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every attestation JWT the SDK mints during the test."""
    tokens: list[str] = []
    original = AttestationSigner.mint

    def spy(self: AttestationSigner, audience: str, **kwargs: Any) -> str:
        token = original(self, audience, **kwargs)
        tokens.append(token)
        return token

    monkeypatch.setattr(AttestationSigner, "mint", spy)
    return tokens


class Scanner:
    """Finds any run of ``WIDTH`` characters of a secret inside a text."""

    WIDTH = 16
    STRIDE = 8

    def __init__(self) -> None:
        self.windows: dict[str, str] = {}
        self.secrets = 0
        self.scanned = 0

    def add(self, secret: str | None, kind: str) -> None:
        if not secret:
            return
        assert len(secret) >= self.WIDTH, (kind, "secret too short to scan for")
        self.secrets += 1
        last = len(secret) - self.WIDTH
        for start in [*range(0, last + 1, self.STRIDE), last]:
            self.windows.setdefault(secret[start : start + self.WIDTH], kind)

    def add_pem(self, pem: str) -> None:
        body = "".join(line for line in pem.splitlines() if not line.startswith("-----"))
        self.add(pem, "private key PEM")
        self.add(body, "private key base64 body")

    def add_jwt(self, jwt: str) -> None:
        self.add(jwt, "attestation JWT")
        self.add(jwt.rsplit(".", 1)[-1], "attestation JWT signature")

    def find(self, text: str) -> str | None:
        self.scanned += 1
        windows = self.windows
        for start in range(len(text) - self.WIDTH + 1):
            kind = windows.get(text[start : start + self.WIDTH])
            if kind is not None:
                return f"{kind} at {start}: ...{text[max(0, start - 40) : start + 40]}..."
        return None


def exception_texts(exc: BaseException) -> list[str]:
    texts = []
    seen: BaseException | None = exc
    while seen is not None:
        texts += [str(seen), repr(seen), repr(seen.args), "".join(traceback.format_exception(seen))]
        if isinstance(seen, ATHError):
            texts += [seen.message, repr(seen.details)]
        if isinstance(seen, ATHServerError):  # the answer's headers, kept on the error
            texts += [repr(seen.headers), *seen.headers.values()]
        seen = seen.__cause__ or seen.__context__
    return texts


def leaks(scanner: Scanner, texts: list[str], capture: Capture) -> list[str]:
    found = []
    for text in [*texts, *capture.texts()]:
        hit = scanner.find(text)
        if hit:
            found.append(hit)
    counts = tally("secrets")
    counts["records"] += len(capture.records)
    counts["texts"] += len(texts)
    counts["secrets"] += scanner.secrets
    counts["found"] += len(found)
    return found


def files_to_scan(folders: list[Path], since: float, skip: Path) -> list[Path]:
    files = []
    for folder in folders:
        for path in (
            folder.rglob("*") if folder != Path(tempfile.gettempdir()) else folder.iterdir()
        ):
            try:
                info = path.lstat()
            except OSError:
                continue
            if stat.S_ISREG(info.st_mode) and info.st_mtime >= since and path != skip:
                files.append(path)
    return files


# --------------------------------------------------------------------------- the full flow

GITHUB = [{"provider_id": "github", "scopes": ["read:user", "repo"]}]
REQUEST_LINE = re.compile(r"^ath\.\w+ (GET|POST|HEAD|PUT|PATCH|DELETE|OPTIONS) /\S+ -> \d{3} in ")


async def _expect_error(texts: list[str], coro: Any, code: str | None = None) -> ATHError:
    try:
        await coro
    except ATHError as exc:
        texts.extend(exception_texts(exc))
        if code is not None:
            assert exc.code == code, exc
        return exc
    raise AssertionError("no ATHError raised")


async def gateway_flow(
    client: Any, other: Any, stack: LocalStack, path: Path, texts: list[str], scanner: Scanner
) -> None:
    def keep(value: Any) -> Any:
        texts.extend([repr(value), str(value)])
        return value

    keep(await call(client, "discover"))
    reg = keep(await call(client, "register", developer=DEVELOPER, providers=GITHUB, purpose="s"))
    scanner.add(reg.client_secret, "client secret")
    keep(await call(client, "registration_status"))
    auth = keep(await call(client, "authorize", "github", ["read:user"]))
    consent = follow_consent(auth.authorization_url)
    token = keep(await call(client, "exchange_token", consent.code or "", auth.ath_session_id))
    scanner.add(token.access_token, "access token")
    keep(await call(client, "proxy", "github", "GET", "/user"))
    keep(await call(client, "proxy_raw", "github", "GET", "/user", params={"a": "b"}))
    keep(client)
    await _expect_error(texts, call(client, "proxy", "github", "POST", "/user/repos", {"n": 1}))
    await _expect_error(
        texts, call(client, "exchange_token", consent.code or "", auth.ath_session_id)
    )
    await _expect_error(
        texts,
        call(client, "register", developer=DEVELOPER, providers=GITHUB),
        "ALREADY_REGISTERED",
    )
    await _expect_error(texts, call(client, "authorize", "nope", ["x"]))
    second = await call(client, "authorize", "github", ["read:user"])
    forged = f"{stack.gateway_url}/cb?code=x&state={'A' * 43}&session_id={second.ath_session_id}"
    await _expect_error(texts, call(client, "finish_authorization", forged), "STATE_MISMATCH")
    await call(client, "save_credentials", path)
    await call(other, "load_credentials", path)
    keep(other)
    keep(await call(other, "proxy", "github", "GET", "/user"))
    await call(other, "set_credentials", reg.client_id, "wrong-" + reg.client_secret)
    await _expect_error(texts, call(other, "registration_status"))
    keep(await call(client, "revoke"))
    await call(client, "set_token", token.access_token, "github")
    await _expect_error(texts, call(client, "proxy", "github", "GET", "/user"), "TOKEN_REVOKED")
    await _expect_error(texts, call(client, "revoke", "github"), "NO_TOKEN")


async def native_flow(client: Any, stack: LocalStack, texts: list[str], scanner: Scanner) -> None:
    doc = await call(client, "discover")
    texts.append(repr(doc))
    scopes = list(doc.auth.scopes_supported)
    provider = doc.app_id
    reg = await call(
        client,
        "register",
        developer=DEVELOPER,
        providers=[{"provider_id": provider, "scopes": scopes}],
    )
    scanner.add(reg.client_secret, "client secret")
    auth = await call(client, "authorize", provider, scopes)
    consent = follow_consent(auth.authorization_url)
    token = await call(client, "exchange_token", consent.code or "", auth.ath_session_id)
    scanner.add(token.access_token, "access token")
    texts += [repr(token), repr(await call(client, "api_raw", "GET", "/products")), repr(client)]
    await _expect_error(texts, call(client, "api", "GET", "/no/such/thing"))
    texts.append(repr(await call(client, "revoke")))


@pytest.mark.parametrize("shell", ["sync", "async"])
async def test_full_flow_leaks_no_secret(
    shell: str,
    capture: Capture,
    minted: list[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    started = time.time() - 1
    log_file = logging.FileHandler(tmp_path / "app-debug.log")  # an app logging to a file
    log_file.setLevel(logging.DEBUG)
    logging.getLogger().addHandler(log_file)
    scanner = Scanner()
    texts: list[str] = []
    creds = tmp_path / "creds.json"
    with LocalStack() as stack:
        pem = generate_private_key()
        scanner.add_pem(pem)
        agent_id = stack.host_agent(pem, name="secrets-agent")
        gw = client_class("gateway", shell)
        client = gw(url=stack.gateway_url, agent_id=agent_id, private_key=pem)
        other = gw(url=stack.gateway_url, agent_id=agent_id, private_key=pem)
        native = client_class("native", shell)(
            url=stack.native_url, agent_id=agent_id, private_key=pem
        )
        try:
            await gateway_flow(client, other, stack, creds, texts, scanner)
            await native_flow(native, stack, texts, scanner)
        finally:
            for each in (client, other, native):
                await close(each)
    logging.getLogger().removeHandler(log_file)
    log_file.close()
    for jwt in minted:
        scanner.add_jwt(jwt)
    assert len(minted) >= 6
    assert "/ath/token -> 200" in (tmp_path / "app-debug.log").read_text()

    # the scanner works: the credentials file holds the client secret and the token
    saved = creds.read_text()
    assert scanner.find(saved) is not None
    assert stat.S_IMODE(os.stat(creds).st_mode) == 0o600
    files = files_to_scan([tmp_path, Path(tempfile.gettempdir())], started, creds)
    file_texts = []
    for each in files:
        try:  # another process may be writing or removing its own temp files
            if each.stat().st_size < 2**20:
                file_texts.append(each.read_bytes().decode("latin-1"))
        except OSError:
            continue
    tally("secrets")["files"] += len(files)
    found = leaks(scanner, texts + file_texts, capture)
    assert not found, "\n".join(found)

    # the SDK logs each request with its call, method, path template and status, and
    # nothing more (no host, id or query: the template)
    lines = [r.getMessage() for r in capture.records if r.name == "ath" and r.levelno == 10]
    requests = [line for line in lines if REQUEST_LINE.match(line)]
    tally("secrets")["request_lines"] += len(requests)
    assert any(line.startswith("ath.token POST /ath/token -> 200 ") for line in requests)
    for what in ("GET", "POST"):
        assert any(f" {what} /" in line for line in requests), what
    assert any("ath.proxy GET /ath/proxy/{provider}/{path} -> 200" in line for line in requests)
    assert not any("127.0.0.1" in line for line in requests)
    assert any("-> 403" in line or "-> 401" in line for line in requests)


# --------------------------------------------------------------------------- error paths


def echo_of(request: httpx2.Request) -> str:
    """What a careless server reflects: the request body and its Authorization header."""
    body = request.content.decode("utf-8", "replace")
    return f"could not process {body} with {request.headers.get('authorization', '')}"


def _echo(status: int, build: Any) -> Any:
    def respond(request: httpx2.Request, good_status: int, good: Any) -> httpx2.Response:
        response: httpx2.Response = build(status, echo_of(request), good)
        return response

    return respond


def _every_string(value: Any, replacement: str) -> Any:
    if isinstance(value, str):
        return replacement
    if isinstance(value, dict):
        return {k: _every_string(v, replacement) for k, v in value.items()}
    if isinstance(value, list):
        return [_every_string(v, replacement) for v in value]
    return value


ECHO_FAULTS = (
    Fault(
        "echo_in_error_message",
        _echo(
            400,
            lambda s, e, g: httpx2.Response(s, json={"code": "INVALID_ATTESTATION", "message": e}),
        ),
        status=400,
    ),
    Fault(
        "echo_in_error_details",
        _echo(
            400,
            lambda s, e, g: httpx2.Response(
                s,
                json={"code": "SCOPE_NOT_APPROVED", "message": "m", "details": {"r": e, "l": [e]}},
            ),
        ),
        status=400,
    ),
    Fault(
        "echo_in_unknown_code",
        _echo(
            422,
            lambda s, e, g: httpx2.Response(
                s, json={"code": "X_ECHO", "message": e, "details": {"echo": e}}
            ),
        ),
        status=422,
        server_code="X_ECHO",
    ),
    Fault(
        "echo_in_409",
        _echo(409, lambda s, e, g: httpx2.Response(s, json={"code": "DUP", "message": e})),
        status=409,
        server_code="DUP",
    ),
    Fault("echo_in_text_500", _echo(500, lambda s, e, g: httpx2.Response(s, text=e)), status=500),
    Fault(
        "echo_in_html_502",
        _echo(
            502,
            lambda s, e, g: httpx2.Response(
                s, html=f"<html><body><h1>Bad</h1><pre>{e}</pre></body></html>"
            ),
        ),
        status=502,
    ),
    Fault("echo_in_429", _echo(429, lambda s, e, g: httpx2.Response(s, text=e)), status=429),
    Fault(
        "echo_after_long_text_500",
        _echo(500, lambda s, e, g: httpx2.Response(s, text="x" * 470 + " " + e)),
        status=500,
    ),
    Fault(
        "echo_in_headers_502",
        _echo(
            502,
            lambda s, e, g: httpx2.Response(
                s, headers={"X-Echo": e.encode("ascii", "replace").decode()}
            ),
        ),
        status=502,
    ),
    Fault(
        "echo_in_schema_values_200",
        _echo(200, lambda s, e, g: httpx2.Response(200, json=_every_string(g, e))),
        status=200,
        shape=True,
    ),
)


@pytest.mark.parametrize("shell", ["sync", "async"])
async def test_error_paths_leak_no_secret(
    shell: str, capture: Capture, minted: list[str], tmp_path: Path
) -> None:
    """Every fault of the matrix, and echoing servers, with logging at DEBUG."""
    scanner = Scanner()
    pem = generate_private_key()
    scanner.add_pem(pem)
    texts: list[str] = []
    problems: list[str] = []
    real = {"refused": f"http://127.0.0.1:{closed_port()}"}
    transports: list[httpx2.HTTPTransport | httpx2.AsyncHTTPTransport] = []

    def real_transport(kind: str) -> Any:
        made = httpx2.AsyncHTTPTransport() if shell == "async" else httpx2.HTTPTransport()
        transports.append(made)
        return made

    for c in CALLS:
        for fault in [*faults_for(c), *ECHO_FAULTS]:
            if fault.real is not None and fault.real not in real:
                continue  # the TLS and stalled-socket faults produce the same texts as mocks
            url = real.get(fault.real or "", MOCK_URL)
            out = await run_case(shell, c, fault, url=url, pem=pem, real_transport=real_transport)
            if not (fault.name == "echo_in_schema_values_200" and out.error is None):
                problems += [f"{c.id} {fault.name}: {p}" for p in out.problems]
            texts += out.texts
            if out.error is not None:
                texts += exception_texts(out.error)
            for kind, value in out.secrets.items():
                scanner.add(value, kind)
            for value in out.issued:
                scanner.add(value, "issued token or secret")
    for transport in transports:
        if isinstance(transport, httpx2.AsyncHTTPTransport):
            await transport.aclose()
        else:
            transport.close()
    for jwt in minted:
        scanner.add_jwt(jwt)
    assert not problems, "\n".join(problems[:50])
    assert len(minted) > 500 and len(texts) > 5000
    found = leaks(scanner, texts, capture)
    assert not found, f"{len(found)} leaks:\n" + "\n".join(found[:40])


def test_scanner_finds_truncated_and_embedded_secrets() -> None:
    scanner = Scanner()
    secret = "cs_" + "0123456789abcdef" * 3
    scanner.add(secret, "client secret")
    assert scanner.find(f"prefix {secret[:24]}") is not None  # cut short by a snippet
    assert scanner.find(f"x{secret[10:40]}y") is not None
    assert scanner.find("nothing to see " * 20) is None


def test_request_secrets_names_every_credential_on_the_wire() -> None:
    request = httpx2.Request(
        "POST",
        "https://127.0.0.1:9/ath/token",
        json={"client_secret": "s" * 20, "agent_attestation": "a.b.c", "code": "c"},
        headers={"Authorization": "Basic Zm9vOmJhcg=="},
    )
    found = request_secrets(request)
    assert {"s" * 20, "a.b.c", "Basic Zm9vOmJhcg==", "Zm9vOmJhcg=="} <= set(found)
    form = httpx2.Request("POST", "https://127.0.0.1:9/t", data={"code_verifier": "v" * 43})
    assert "v" * 43 in request_secrets(form)


def test_no_secret_in_reprs_of_a_prepared_client(tmp_path: Path) -> None:
    pem = generate_private_key()
    scanner = Scanner()
    scanner.add_pem(pem)
    scanner.add("cs_repr_" + "x" * 30, "client secret")
    scanner.add("ath_tk_repr_" + "y" * 30, "access token")
    for mode in ("gateway", "native"):
        client = client_class(mode, "sync")(url=MOCK_URL, agent_id="a", private_key=pem)
        client.set_credentials("cid", "cs_repr_" + "x" * 30)
        token = client.set_token("ath_tk_repr_" + "y" * 30, "github" if mode == "gateway" else None)
        for text in (repr(client), str(client), repr(token), str(token), repr(client._core.signer)):
            assert scanner.find(text) is None, text
        client.close()
    with pytest.raises(ATHError) as bad_key:
        client_class("gateway", "sync")(url=MOCK_URL, agent_id="a", private_key=pem[:-40])
    assert scanner.find(str(bad_key.value) + repr(bad_key.value.details)) is None
