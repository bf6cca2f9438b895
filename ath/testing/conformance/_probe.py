"""The probes: raw HTTP (httpx2) against the server under test, with attestations
signed here (``cryptography``), agent identity documents hosted here on loopback,
and a cookie-keeping browser of its own. Nothing of the SDK is used, so an SDK bug
cannot hide a server bug."""

from __future__ import annotations

import copy
import json
import secrets
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit, urlunsplit

import httpx2
from cryptography.hazmat.primitives import hashes, hmac
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from .._agent_hosting import AgentDirectory
from .._primitives import b64url_encode
from .._runner import HttpPool, ServerGroup, bind_loopback, url_of
from ._rules import RULES, Rule, rule

__all__ = ["Outcome", "Report", "Target", "run"]

#: ``ATHErrorCode`` of schema/0.1: the closed set ``Target.strict_codes`` holds errors to.
PROTOCOL_CODES = frozenset(
    {
        "INVALID_ATTESTATION",
        "AGENT_NOT_REGISTERED",
        "AGENT_UNAPPROVED",
        "PROVIDER_NOT_APPROVED",
        "SCOPE_NOT_APPROVED",
        "SESSION_NOT_FOUND",
        "SESSION_EXPIRED",
        "STATE_MISMATCH",
        "TOKEN_INVALID",
        "TOKEN_EXPIRED",
        "TOKEN_REVOKED",
        "AGENT_IDENTITY_MISMATCH",
        "PROVIDER_MISMATCH",
        "USER_DENIED",
        "OAUTH_ERROR",
        "INTERNAL_ERROR",
    }
)
# The proxy passes the provider's own errors through, so only these are the server's alone.
_ERR_PATHS = ("/ath/agents", "/ath/authorize", "/ath/token", "/ath/revoke")
_UNKNOWN_PROVIDER = "conformance-no-such-provider"
_UNAPPROVED_SCOPE = "conformance:not-approved"


@dataclass
class Target:
    """The server under test and what the probes need to know about it.

    ``route``: an operation (``("GET", "/path")``, relative to the provider's API) the
    ``scope`` grants; ``forbidden_route``: one it does not grant. Without them the
    rules that call the API are skipped. ``now``/``wait``: the server's clock and how
    to let its time pass (real time by default; a test stack injects its own).
    """

    base_url: str
    native: bool = False
    provider_id: str | None = None
    scope: str | None = None
    route: tuple[str, str] | None = None
    forbidden_route: tuple[str, str] | None = None
    slow: bool = False
    headers: Mapping[str, str] = field(default_factory=dict)
    agents_public_url: str | None = None
    strict_codes: bool = False
    #: Query parameters added to the authorization_url before the kit's browser opens it:
    #: how the server's provider is told to approve consent (``auto_approve=true``, say).
    consent_params: Mapping[str, str] = field(default_factory=dict)
    timeout: float = 10.0
    now: Callable[[], float] = time.time
    wait: Callable[[float], None] = time.sleep


@dataclass(frozen=True)
class Outcome:
    rule: Rule
    status: str  # "pass", "fail" or "skip"
    detail: str = ""

    def as_json(self) -> dict[str, str]:
        return {
            "id": self.rule.id,
            "level": self.rule.level,
            "ref": self.rule.ref,
            "expect": self.rule.expect,
            "status": self.status,
            "detail": self.detail,
        }


@dataclass
class Report:
    target: str
    mode: str
    outcomes: list[Outcome]

    @property
    def passed(self) -> int:
        return sum(o.status == "pass" for o in self.outcomes)

    @property
    def counted(self) -> int:
        """Rules probed (skipped ones are not counted)."""
        return sum(o.status != "skip" for o in self.outcomes)

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == "fail"]

    @property
    def ok(self) -> bool:
        """No MUST rule failed."""
        return not any(o.rule.level == "MUST" for o in self.failed)

    def as_json(self) -> dict[str, Any]:
        return {
            "target": self.target,
            "mode": self.mode,
            "passed": self.passed,
            "counted": self.counted,
            "ok": self.ok,
            "results": [o.as_json() for o in self.outcomes],
        }


class _Abort(Exception):
    """A step the later rules need failed; they are reported as not reached."""


class _Agent:
    def __init__(self, name: str, directory: AgentDirectory) -> None:
        self.name = name
        self._directory = directory
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.agent_id = directory.host(self.key.public_key(), name=name)
        self.client_id = ""
        self.client_secret = ""

    def posing(self, **credentials: str) -> _Agent:
        """A copy of this agent presenting other client credentials."""
        twin = copy.copy(self)
        for name, value in credentials.items():
            setattr(twin, name, value)
        return twin

    def rotate(self) -> ec.EllipticCurvePrivateKey:
        old, self.key = self.key, ec.generate_private_key(ec.SECP256R1())
        self._directory.host(self.key.public_key(), name=self.name)
        return old


def _sign(key: ec.EllipticCurvePrivateKey, header: dict[str, Any], claims: dict[str, Any]) -> str:
    head = b64url_encode(json.dumps(header).encode())
    body = b64url_encode(json.dumps(claims).encode())
    der = key.sign(f"{head}.{body}".encode("ascii"), ec.ECDSA(hashes.SHA256()))
    r, s = decode_dss_signature(der)
    return f"{head}.{body}.{b64url_encode(r.to_bytes(32, 'big') + s.to_bytes(32, 'big'))}"


class _Run:
    def __init__(self, target: Target, directory: AgentDirectory) -> None:
        self.t = target
        self.base = target.base_url.rstrip("/")
        self.dir = directory
        self.http = httpx2.Client(timeout=target.timeout, trust_env=False)
        self.results: dict[str, Outcome] = {}
        self.error_bodies: list[str] = []
        self.mode = "native" if target.native else "gateway"
        self._names = iter(range(1, 1_000_000))
        self.prefix = secrets.token_hex(4)

    # -- recording ---------------------------------------------------------------

    def record(self, rule_id: str, ok: bool, detail: str = "") -> bool:
        if rule_id not in self.results:
            self.results[rule_id] = Outcome(rule(rule_id), "pass" if ok else "fail", detail)
        return ok

    def skip(self, rule_id: str, why: str) -> None:
        self.results.setdefault(rule_id, Outcome(rule(rule_id), "skip", why))

    @contextmanager
    def section(self, *rule_ids: str) -> Iterator[None]:
        try:
            yield
        except _Abort as exc:
            for rule_id in rule_ids:
                self.record(rule_id, False, f"not reached: {exc}")
        except httpx2.HTTPError as exc:
            for rule_id in rule_ids:
                self.record(rule_id, False, f"not reached: HTTP failure {type(exc).__name__}")

    # -- HTTP --------------------------------------------------------------------

    def request(self, method: str, url: str, **kwargs: Any) -> httpx2.Response:
        headers = {"Accept": "application/json", **self.t.headers, **kwargs.pop("headers", {})}
        response = self.http.request(method, url, headers=headers, **kwargs)
        if response.status_code >= 400 and urlsplit(url).path.startswith(_ERR_PATHS):
            self._check_error_body(method, url, response)
        return response

    def _check_error_body(self, method: str, url: str, response: httpx2.Response) -> None:
        body = _json(response)
        code = body.get("code") if isinstance(body, dict) else None
        where = f"{method} {urlsplit(url).path}: {response.status_code}"
        if not (isinstance(code, str) and isinstance(body.get("message"), str)):
            self.error_bodies.append(f"{where} is not an ATHError")
        elif self.t.strict_codes and code not in PROTOCOL_CODES:
            self.error_bodies.append(f"{where} {code} is outside ATHErrorCode")

    def post(self, path: str, body: Mapping[str, Any]) -> httpx2.Response:
        return self.request("POST", f"{self.base}{path}", json=dict(body))

    # -- agents and attestations ---------------------------------------------------

    def agent(self) -> _Agent:
        return _Agent(f"ck-{self.prefix}-{next(self._names)}", self.dir)

    def attest(
        self,
        agent: _Agent,
        aud: str | None = None,
        *,
        key: ec.EllipticCurvePrivateKey | None = None,
        drop: tuple[str, ...] = (),
        header: Mapping[str, Any] | None = None,
        **claims: Any,
    ) -> str:
        now = int(self.t.now())
        body: dict[str, Any] = {
            "iss": agent.agent_id,
            "sub": agent.agent_id,
            "aud": aud or self.base,
            "iat": now,
            "exp": now + 60,
            "jti": secrets.token_urlsafe(16),
        }
        body.update(claims)
        for name in drop:
            body.pop(name, None)
        head = dict(header or {"alg": "ES256", "typ": "JWT", "kid": agent.name})
        return _sign(key or agent.key, head, body)

    def register(
        self, agent: _Agent, attestation: str | None = None, **extra: Any
    ) -> httpx2.Response:
        body: dict[str, Any] = {
            "agent_id": agent.agent_id,
            "agent_attestation": attestation or self.attest(agent),
            "developer": {"name": "ATH conformance kit", "id": "ath-conformance"},
            "requested_providers": [{"provider_id": self.provider_id, "scopes": [self.scope]}],
            "purpose": "ATH conformance probe",
            **extra,
        }
        return self.post("/ath/agents/register", body)

    def registered(self, agent: _Agent, **extra: Any) -> _Agent:
        answer = self.register(agent, **extra)
        body = _json(answer)
        if answer.status_code not in (200, 201) or not isinstance(body, dict):
            raise _Abort(f"registration answered {answer.status_code}")
        if body.get("agent_status") != "approved":
            raise _Abort(
                f"registration is {body.get('agent_status')!r}: the server must approve the "
                "kit's agents automatically"
            )
        agent.client_id, agent.client_secret = str(body["client_id"]), str(body["client_secret"])
        return agent

    def authorize(self, agent: _Agent, attestation: str | None = None, **extra: Any) -> Any:
        body = {
            "client_id": agent.client_id,
            "agent_attestation": attestation or self.attest(agent),
            "provider_id": self.provider_id,
            "scopes": [self.scope],
            "state": secrets.token_urlsafe(24),
            **extra,
        }
        return self.post("/ath/authorize", body)

    def token(self, agent: _Agent, session_id: str, code: str | None, **extra: Any) -> Any:
        body: dict[str, Any] = {
            "grant_type": "authorization_code",
            "client_id": agent.client_id,
            "client_secret": agent.client_secret,
            "agent_attestation": self.attest(agent, f"{self.base}/ath/token"),
            "ath_session_id": session_id,
            **extra,
        }
        if code is not None:
            body.setdefault("code", code)
        return self.post("/ath/token", body)

    # -- the browser -------------------------------------------------------------

    def to_callback(self, browser: httpx2.Client, url: str) -> str:
        """Follow ``url`` until the provider sends the browser back to this server's
        ``/ath/callback``; return that callback URL (not requested yet)."""
        if self.t.consent_params:
            parts = urlsplit(url)
            extra = urlencode(dict(self.t.consent_params))
            url = urlunsplit(parts._replace(query=f"{parts.query}&{extra}".lstrip("&")))
        for _ in range(20):
            if urlsplit(url).path.endswith("/ath/callback") and url.startswith(self.base):
                return url
            answer = browser.get(url, headers={"Accept": "text/html"})
            location = answer.headers.get("location")
            if not answer.is_redirect or location is None:
                hint = (
                    " that waits for a person (the kit needs consent given by redirects alone;"
                    " start the local stack with `ath stack --consent auto`)"
                    if answer.status_code == 200
                    else ""
                )
                raise _Abort(f"consent stopped at an HTTP {answer.status_code} page{hint}")
            url = urljoin(url, location)
        raise _Abort("consent: too many redirects")

    def finish(
        self, browser: httpx2.Client, callback_url: str, first: httpx2.Response | None = None
    ) -> str | None:
        """Deliver the callback with ``browser`` (``first``: its answer, when already
        delivered); the one-time ``code`` the hand-off carried, if any. The hand-off (the
        agent's redirect URI or the server's completion page) is read, not requested: it
        belongs to the agent or to a page the protocol does not describe."""
        answer = first or browser.get(callback_url, headers={"Accept": "application/json"})
        if answer.status_code >= 400:
            raise _Abort(f"the callback answered {answer.status_code}")
        location = answer.headers.get("location")
        if answer.is_redirect and location is not None:
            return _query(urljoin(callback_url, location)).get("code")
        body = _json(answer)
        code = body.get("code") if isinstance(body, dict) else None
        return code if isinstance(code, str) else None

    def session(self, agent: _Agent) -> tuple[str, str | None]:
        """A new authorization session the user consented to: (ath_session_id, code)."""
        answer = self.authorize(agent)
        body = _json(answer)
        if not answer.is_success or _missing(body, ("authorization_url", "ath_session_id")):
            raise _Abort(f"authorize answered {answer.status_code}")
        return str(body["ath_session_id"]), self.consent(str(body["authorization_url"]))

    def consent(self, authorization_url: str) -> str | None:
        with self.browser() as browser:
            return self.finish(browser, self.to_callback(browser, authorization_url))

    def browser(self) -> httpx2.Client:
        return httpx2.Client(timeout=self.t.timeout, trust_env=False, follow_redirects=False)

    # -- the API -----------------------------------------------------------------

    def api_url(self, path: str, provider_id: str | None = None) -> str:
        if self.t.native:
            return f"{self.api_base}/{path.lstrip('/')}"
        return f"{self.base}/ath/proxy/{provider_id or self.provider_id}/{path.lstrip('/')}"

    def call(
        self,
        token: str,
        agent_id: str,
        route: tuple[str, str],
        provider_id: str | None = None,
    ) -> httpx2.Response:
        method, path = route
        headers = {"Authorization": f"Bearer {token}", "X-ATH-Agent-ID": agent_id}
        kwargs: dict[str, Any] = {"headers": headers}
        if method in ("POST", "PUT", "PATCH"):
            kwargs["json"] = {}
        return self.request(method, self.api_url(path, provider_id), **kwargs)

    provider_id = ""
    scope = ""
    api_base = ""


def _json(response: httpx2.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _code(response: httpx2.Response) -> str | None:
    body = _json(response)
    code = body.get("code") if isinstance(body, dict) else None
    return code if isinstance(code, str) else None


def _query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def _says(response: httpx2.Response) -> str:
    return f"got {response.status_code} {_code(response) or '(no ATH code)'}"


def _is(response: httpx2.Response, statuses: tuple[int, ...], *codes: str) -> bool:
    return response.status_code in statuses and (not codes or _code(response) in codes)


_DISCOVERY_REQUIRED = {
    "gateway": (
        "/.well-known/ath.json",
        ("ath_version", "gateway_id", "agent_registration_endpoint", "supported_providers"),
    ),
    "native": ("/.well-known/ath-app.json", ("ath_version", "app_id", "name", "api_base", "auth")),
}
_AUTH_REQUIRED = ("type", "authorization_endpoint", "token_endpoint", "scopes_supported")
_PROVIDER_REQUIRED = ("provider_id", "display_name", "available_scopes", "auth_mode")
_REG_REQUIRED = (
    "client_id",
    "client_secret",
    "agent_status",
    "approved_providers",
    "approval_expires",
)
_TOKEN_REQUIRED = (
    "access_token",
    "token_type",
    "expires_in",
    "effective_scopes",
    "provider_id",
    "agent_id",
    "scope_intersection",
)


def _missing(body: Any, names: tuple[str, ...]) -> list[str]:
    if not isinstance(body, dict):
        return list(names)
    return [n for n in names if n not in body]


def _discover(r: _Run) -> None:
    path, required = _DISCOVERY_REQUIRED[r.mode]
    answer = r.request("GET", f"{r.base}{path}")
    body = _json(answer)
    missing = _missing(body, required)
    if r.t.native and isinstance(body, dict):
        missing += [f"auth.{n}" for n in _missing(body.get("auth"), _AUTH_REQUIRED)]
    if not r.t.native and isinstance(body, dict):
        providers = body.get("supported_providers")
        for entry in providers if isinstance(providers, list) else []:
            missing += [f"supported_providers[].{n}" for n in _missing(entry, _PROVIDER_REQUIRED)]
    ok = answer.status_code == 200 and not missing
    r.record("DISC-DOC", ok, "" if ok else f"HTTP {answer.status_code}, missing {missing}")
    if not isinstance(body, dict):
        raise _Abort(f"no discovery document at {path}")
    if r.t.native:
        auth = body.get("auth")
        auth = auth if isinstance(auth, dict) else {}
        r.provider_id = r.t.provider_id or str(body.get("app_id", ""))
        scopes = auth.get("scopes_supported") or []
        r.api_base = str(body.get("api_base", "")).rstrip("/")
    else:
        providers = [p for p in body.get("supported_providers") or [] if isinstance(p, dict)]
        chosen = next(
            (p for p in providers if p.get("provider_id") == r.t.provider_id),
            providers[0] if providers else {},
        )
        r.provider_id = r.t.provider_id or str(chosen.get("provider_id", ""))
        scopes = chosen.get("available_scopes") or []
    r.scope = r.t.scope or (str(scopes[0]) if scopes else "")
    if not r.provider_id or not r.scope:
        raise _Abort("the discovery document names no provider or scope to probe")


def _attestation_rules(r: _Run) -> None:
    bad_key = ec.generate_private_key(ec.SECP256R1())
    now = int(r.t.now())
    cases: list[tuple[str, Callable[[_Agent], str]]] = [
        ("ATT-SIG", lambda a: r.attest(a, key=bad_key)),
        ("ATT-EXP", lambda a: r.attest(a, iat=now - 120, exp=now - 60)),
        ("ATT-AUD", lambda a: r.attest(a, "https://audience.invalid")),
        ("ATT-IAT", lambda a: r.attest(a, iat=now + 600, exp=now + 660)),
        ("ATT-CLAIMS", lambda a: r.attest(a, drop=("jti",))),
        ("ATT-ALG", lambda a: _hs256(a, r.base, now)),
    ]
    for rule_id, make in cases:
        with r.section(rule_id):
            agent = r.agent()
            answer = r.register(agent, make(agent))
            r.record(rule_id, _is(answer, (401,), "INVALID_ATTESTATION"), _says(answer))


def _hs256(agent: _Agent, aud: str, now: int) -> str:
    head = b64url_encode(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    claims = {"iss": agent.agent_id, "sub": agent.agent_id, "aud": aud, "iat": now}
    claims.update({"exp": now + 60, "jti": secrets.token_urlsafe(16)})
    body = b64url_encode(json.dumps(claims).encode())
    mac = hmac.HMAC(b"conformance", hashes.SHA256())
    mac.update(f"{head}.{body}".encode("ascii"))
    return f"{head}.{body}.{b64url_encode(mac.finalize())}"


def _registration(r: _Run) -> tuple[_Agent, _Agent]:
    main = r.agent()
    answer = r.register(main)
    body = _json(answer)
    missing = _missing(body, _REG_REQUIRED)
    r.record(
        "REG-OK",
        answer.status_code in (200, 201) and not missing,
        f"HTTP {answer.status_code}, missing {missing}" if missing else "",
    )
    if not isinstance(body, dict) or _missing(body, ("client_id", "client_secret")):
        raise _Abort(f"registration answered {answer.status_code} without client credentials")
    if body.get("agent_status") != "approved":
        raise _Abort(f"the kit's agent is {body.get('agent_status')!r}, not approved")
    main.client_id, main.client_secret = str(body["client_id"]), str(body["client_secret"])
    again = r.register(main)
    r.record("REG-DUP", again.status_code == 409, _says(again))
    status = r.request("GET", f"{r.base}/ath/agents/{main.client_id}")
    r.record("STATUS-AUTH", status.status_code in (401, 403), _says(status))
    other = r.registered(r.agent(), redirect_uris=[f"{r.dir.base_url}/conformance/callback"])
    return main, other


def _authorization(r: _Run, main: _Agent, other: _Agent) -> tuple[str, str | None]:
    ghost = main.posing(client_id="ath_conformance_unknown_client")
    answer = r.authorize(ghost, r.attest(main))
    r.record("AUTHZ-CLIENT", _is(answer, (403,), "AGENT_NOT_REGISTERED"), _says(answer))
    answer = r.authorize(main, r.attest(other))
    r.record("AUTHZ-SUB", answer.status_code in (401, 403), _says(answer))
    answer = r.authorize(main, provider_id=_UNKNOWN_PROVIDER)
    r.record("AUTHZ-PROVIDER", _is(answer, (403,), "PROVIDER_NOT_APPROVED"), _says(answer))
    answer = r.authorize(main, scopes=[r.scope, _UNAPPROVED_SCOPE])
    r.record("AUTHZ-SCOPE", _is(answer, (403,), "SCOPE_NOT_APPROVED"), _says(answer))
    answer = r.authorize(main, user_redirect_uri=f"{r.dir.base_url}/conformance/callback")
    r.record("AUTHZ-NO-REDIRECT", 400 <= answer.status_code < 500, _says(answer))
    answer = r.authorize(other, user_redirect_uri=f"{r.dir.base_url}/conformance/callback/x")
    r.record("AUTHZ-REDIRECT-EXACT", 400 <= answer.status_code < 500, _says(answer))

    attestation = r.attest(main)
    answer = r.authorize(main, attestation)
    body = _json(answer)
    missing = _missing(body, ("authorization_url", "ath_session_id"))
    r.record("AUTHZ-OK", answer.status_code == 200 and not missing, _says(answer))
    if not answer.is_success or missing or not isinstance(body, dict):
        raise _Abort(f"authorize answered {answer.status_code}")
    url, session_id = str(body["authorization_url"]), str(body["ath_session_id"])
    query = _query(url)
    r.record(
        "AUTHZ-PKCE",
        bool(query.get("code_challenge")) and query.get("code_challenge_method") == "S256",
        "" if query.get("code_challenge") else "no code_challenge in authorization_url",
    )
    replay = r.authorize(main, attestation)
    r.record("ATT-JTI", _is(replay, (401,), "INVALID_ATTESTATION"), _says(replay))

    bogus = r.request(
        "GET", f"{r.base}/ath/callback?state=conformance-no-such-state&code=conformance-code"
    )
    r.record("CB-STATE", _is(bogus, (400,), "STATE_MISMATCH"), _says(bogus))
    with r.browser() as mine, r.browser() as stranger:
        callback = r.to_callback(mine, url)
        foreign = stranger.get(callback, headers={"Accept": "application/json"})
        refused = 400 <= foreign.status_code < 500
        r.record("CB-BROWSER", refused, f"another browser got {foreign.status_code}")
        # The right browser then completes; if the stranger was let in, go on with it.
        code = r.finish(mine, callback) if refused else r.finish(stranger, callback, foreign)
    return session_id, code


def _token(r: _Run, main: _Agent, other: _Agent, session_id: str, code: str | None) -> str:
    wrong = main.posing(client_secret="conformance-wrong-secret")
    answer = r.token(wrong, session_id, code)
    r.record("TOKEN-SECRET", answer.status_code in (401, 403), _says(answer))
    if answer.is_success:  # the session went to the wrong request: go on with a new one
        session_id, code = r.session(main)
    answer = r.token(main, session_id, code, agent_attestation=r.attest(main))
    r.record("TOKEN-AUD", _is(answer, (401,), "INVALID_ATTESTATION"), _says(answer))
    if answer.is_success:
        session_id, code = r.session(main)
    answer = r.token(
        main, session_id, code, agent_attestation=r.attest(other, f"{r.base}/ath/token")
    )
    r.record("TOKEN-SUB", answer.status_code in (401, 403), _says(answer))
    if answer.is_success:
        session_id, code = r.session(main)
    answer = r.token(main, "ath_sess_conformance_unknown", code)
    r.record("TOKEN-SESSION", _is(answer, (400,), "SESSION_NOT_FOUND"), _says(answer))

    answer = r.token(main, session_id, code)
    body = _json(answer)
    missing = _missing(body, _TOKEN_REQUIRED)
    problem = f"HTTP {answer.status_code}, missing {missing}" if missing else ""
    if not missing and isinstance(body, dict):
        split = body.get("scope_intersection")
        effective = set(body.get("effective_scopes") or [])
        if body.get("token_type") != "Bearer":
            problem = "token_type is not Bearer"
        elif (
            not isinstance(split, dict)
            or not effective
            or not effective
            <= (
                set(split.get("agent_approved") or [])
                & set(split.get("user_consented") or [])
                & {r.scope}
            )
        ):
            problem = "effective_scopes is not within approved & consented & requested"
    r.record("TOKEN-OK", answer.status_code == 200 and not problem, problem)
    if answer.status_code != 200 or not isinstance(body, dict) or "access_token" not in body:
        raise _Abort(f"token exchange answered {answer.status_code}")
    lifetime = body.get("expires_in")
    r.record(
        "TOKEN-TTL",
        isinstance(lifetime, int | float) and 0 < lifetime <= 3600,
        f"expires_in={lifetime!r}",
    )
    again = r.token(main, session_id, code)
    r.record(
        "TOKEN-SINGLE-USE",
        _is(again, (400,), "SESSION_NOT_FOUND", "SESSION_EXPIRED"),
        _says(again),
    )
    return str(body["access_token"])


def _api(r: _Run, main: _Agent, other: _Agent, token: str) -> None:
    probe = r.t.forbidden_route or r.t.route or ("GET", "/")
    answer = r.call("ath_tk_conformance_unknown", main.agent_id, probe)
    r.record("API-TOKEN", _is(answer, (401,), "TOKEN_INVALID"), _says(answer))
    answer = r.call(token, other.agent_id, probe)
    r.record("API-AGENT", _is(answer, (403,), "AGENT_IDENTITY_MISMATCH"), _says(answer))
    if not r.t.native:
        answer = r.call(token, main.agent_id, probe, _UNKNOWN_PROVIDER)
        r.record("API-PROVIDER", _is(answer, (403,), "PROVIDER_MISMATCH"), _says(answer))
    if r.t.forbidden_route is None:
        r.skip("API-SCOPE", "no --forbidden-route given")
    else:
        answer = r.call(token, main.agent_id, r.t.forbidden_route)
        r.record("API-SCOPE", _is(answer, (403,), "SCOPE_NOT_APPROVED"), _says(answer))
    if r.t.route is None:
        r.skip("API-OK", "no --route given")
    else:
        answer = r.call(token, main.agent_id, r.t.route)
        r.record("API-OK", 200 <= answer.status_code < 300, f"got {answer.status_code}")


def _still_works(r: _Run, main: _Agent, token: str) -> bool:
    """Whether the server still accepts ``token`` (any answer but a 401)."""
    probe = r.t.route or r.t.forbidden_route or ("GET", "/")
    return r.call(token, main.agent_id, probe).status_code != 401


def _fresh_token(r: _Run, agent: _Agent) -> str:
    session_id, code = r.session(agent)
    body = _json(r.token(agent, session_id, code))
    if not isinstance(body, dict) or not isinstance(body.get("access_token"), str):
        raise _Abort("no new token for the next revocation rule")
    return str(body["access_token"])


def _revocation(r: _Run, main: _Agent, other: _Agent, token: str) -> None:
    answer = r.post("/ath/revoke", {"token": token})
    works = _still_works(r, main, token)
    r.record(
        "REVOKE-UNAUTH",
        400 <= answer.status_code < 500 and works,
        f"{_says(answer)}; token still works: {works}",
    )
    if not works:  # revoked without credentials: the next rules need a live token
        token = _fresh_token(r, main)
    answer = r.post(
        "/ath/revoke",
        {"token": token, "client_id": other.client_id, "client_secret": other.client_secret},
    )
    works = _still_works(r, main, token)
    r.record("REVOKE-OTHER", works, f"{_says(answer)}; token still works: {works}")
    if not works:
        token = _fresh_token(r, main)
    creds = {"client_id": main.client_id, "client_secret": main.client_secret}
    answer = r.post("/ath/revoke", {"token": "ath_tk_conformance_unknown", **creds})
    r.record("REVOKE-UNKNOWN", answer.status_code == 200, _says(answer))
    answer = r.post("/ath/revoke", {"token": token, **creds})
    after = r.call(token, main.agent_id, r.t.route or r.t.forbidden_route or ("GET", "/"))
    r.record(
        "REVOKE-OK",
        answer.status_code == 200 and _is(after, (401,), "TOKEN_REVOKED"),
        f"revoke {answer.status_code}; then {_says(after)}",
    )


def _slow(r: _Run) -> None:
    with r.section("SESSION-TTL"):
        agent = r.registered(r.agent())
        session_id, code = r.session(agent)
        r.t.wait(601)
        late = r.token(agent, session_id, code)
        r.record(
            "SESSION-TTL", _is(late, (400,), "SESSION_EXPIRED", "SESSION_NOT_FOUND"), _says(late)
        )
    with r.section("TOKEN-EXPIRY"):
        agent = r.registered(r.agent())
        session_id, code = r.session(agent)
        body = _json(r.token(agent, session_id, code))
        if not isinstance(body, dict) or not isinstance(body.get("access_token"), str):
            raise _Abort("no token to let expire")
        lifetime = body.get("expires_in")
        r.t.wait(float(lifetime if isinstance(lifetime, int | float) else 3600) + 1)
        probe = r.t.route or r.t.forbidden_route or ("GET", "/")
        late_call = r.call(str(body["access_token"]), agent.agent_id, probe)
        r.record("TOKEN-EXPIRY", _is(late_call, (401,), "TOKEN_EXPIRED"), _says(late_call))
    with r.section("KEY-ROTATE"):
        # Rotated a minute after the server fetched the key: the new key's signature fails
        # against the cached key, and the server should fetch the document again.
        agent = r.registered(r.agent())
        agent.rotate()
        r.t.wait(61)
        answer = r.authorize(agent)
        r.record("KEY-ROTATE", answer.is_success, _says(answer))
    with r.section("KEY-TTL"):
        agent = r.registered(r.agent())
        old = agent.rotate()
        r.t.wait(301)
        answer = r.authorize(agent, r.attest(agent, key=old))
        r.record("KEY-TTL", _is(answer, (401,), "INVALID_ATTESTATION"), _says(answer))


def _flow(r: _Run) -> None:
    with r.section(*(x.id for x in RULES if not x.slow and x.id != "ERR-BODY")):
        _discover(r)
        _attestation_rules(r)
        main, other = _registration(r)
        session_id, code = _authorization(r, main, other)
        token = _token(r, main, other, session_id, code)
        _api(r, main, other, token)
        _revocation(r, main, other, token)
    r.record("ERR-BODY", not r.error_bodies, "; ".join(r.error_bodies[:5]))
    if r.t.slow:
        _slow(r)


def run(target: Target) -> Report:
    """Probe ``target`` and report every rule that applies to its mode."""
    mode = "native" if target.native else "gateway"
    directory = AgentDirectory()
    sock = bind_loopback()
    directory.base_url = (target.agents_public_url or url_of(sock)).rstrip("/")
    group = ServerGroup([(directory.app(), sock)], HttpPool())
    group.start()
    r = _Run(target, directory)
    try:
        _flow(r)
    finally:
        r.http.close()
        group.stop()
    outcomes = []
    for item in RULES:
        if mode not in item.modes:
            continue
        if item.slow and not target.slow:
            outcomes.append(Outcome(item, "skip", "slow rule: run with --slow"))
            continue
        outcomes.append(r.results.get(item.id) or Outcome(item, "fail", "not reached"))
    return Report(target.base_url, mode, outcomes)
