"""The framework-neutral tool core: check a model's arguments, call, ask for consent,
resume, and render what a model reads (short, no secret, the ATH code and what next)."""

from __future__ import annotations

import asyncio
import inspect
import json
import re
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, Protocol, runtime_checkable
from urllib.parse import quote, unquote

from ath._errors import ATHClientError, ATHError
from ath._redaction import redact, scrub
from ath._validation import check_relative_path
from ath.tools._specs import ToolSpec

__all__ = [
    "CONSENT_CODES",
    "ATHCaller",
    "ConsentRequired",
    "PreparedCall",
    "ToolCore",
    "held_secrets",
    "render_error",
    "render_result",
]

#: Codes after which a call needs (new) consent from the user (PROVIDER_MISMATCH: the
#: tokens held are for other providers than the call's).
CONSENT_CODES: Final = frozenset(
    {"NO_TOKEN", "PROVIDER_MISMATCH", "TOKEN_EXPIRED", "TOKEN_REVOKED", "TOKEN_INVALID"}
)
#: How long a pending consent is offered again to a repeated call (sessions live 10 min).
PENDING_FOR: Final = 540.0
MAX_OUTPUT: Final = 12_000
_GATEWAY_OWN: Final = re.compile(r"^/*(?:ath|\.well-known)(?:/|$)", re.IGNORECASE)
_SCALARS: Final = (str, int, float, bool)


@runtime_checkable
class ATHCaller(Protocol):
    """What the core needs of a client: any of the four clients, or a per-user view with
    the same token-bearing methods. Methods may be sync or async (``await``-ed if they
    return an awaitable). ``proxy`` is used for gateway tools, ``api`` for native ones."""

    def authorize(self, provider: str, scopes: Sequence[str]) -> Any: ...

    def wait_for_token(
        self, session_id: str, *, timeout: float = ..., poll_interval: float = ...
    ) -> Any: ...

    @property
    def tokens(self) -> Mapping[str, Any]: ...


class ConsentRequired(Exception):
    """The call needs the user's consent: send them to ``authorization_url``, then resume.

    Carries no secret (the URL holds the OAuth state and PKCE challenge, which are public
    by design); ``call`` is the checked call to retry on resume.
    """

    def __init__(
        self,
        provider: str,
        scopes: Sequence[str],
        authorization_url: str,
        session_id: str,
        *,
        user: str | None = None,
        call: PreparedCall | None = None,
        reason: str = "NO_TOKEN",
    ) -> None:
        self.provider = provider
        self.scopes = tuple(scopes)
        self.authorization_url = authorization_url
        self.session_id = session_id
        self.user = user
        self.call = call
        self.reason = reason
        super().__init__(self.message())

    def message(self) -> str:
        """What a model (or a person) reads: who must consent, where, and what next."""
        who = f"The user ({self.user})" if self.user else "The user"
        return (
            f"[CONSENT_REQUIRED] {who} has not granted access to {self.provider} "
            f"({', '.join(self.scopes) or 'default scopes'}) yet. Ask them to open this link "
            f"and approve: {self.authorization_url} . After they approve, call the tool again."
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON data for an interrupt payload or an API answer."""
        return {
            "type": "ath_consent_required",
            "provider": self.provider,
            "scopes": list(self.scopes),
            "authorization_url": self.authorization_url,
            "session_id": self.session_id,
            "user": self.user,
            "reason": self.reason,
            "message": self.message(),
        }

    def __repr__(self) -> str:
        return (
            f"ConsentRequired(provider={self.provider!r}, scopes={list(self.scopes)!r}, "
            f"session_id={self.session_id!r}, user={self.user!r})"
        )


@dataclass(frozen=True)
class PreparedCall:
    """A call checked against its spec: what will be sent, nothing the model can widen."""

    tool: str
    provider: str | None
    method: str
    path: str
    query: Mapping[str, Any] | None
    body: Any
    has_body: bool

    def to_dict(self) -> dict[str, Any]:
        return {"tool": self.tool, "provider": self.provider, "method": self.method,
                "path": self.path, "query": self.query, "body": self.body}  # fmt: skip


def held_secrets(client: Any) -> list[str]:
    """Every secret ``client`` holds (client secret, tokens), for redaction. Works on the
    four clients and on a wrapper that holds one (``_client``/``client``/``_parent``)."""
    found: list[str] = []
    seen: set[int] = set()
    todo = [client]
    while todo:
        item = todo.pop()
        if item is None or id(item) in seen or len(seen) > 8:
            continue
        seen.add(id(item))
        core = getattr(item, "_core", None)
        state = getattr(core, "state", None)
        if state is not None and callable(getattr(state, "secrets", None)):
            found += [s for s in state.secrets() if s]
        try:
            tokens = item.tokens if hasattr(type(item), "tokens") or hasattr(item, "tokens") else {}
        except Exception:
            tokens = {}
        if isinstance(tokens, Mapping):
            for token in tokens.values():
                for attr in ("access_token", "refresh_token"):
                    value = getattr(token, attr, None)
                    if isinstance(value, str) and value:
                        found.append(value)
        todo += [getattr(item, name, None) for name in ("_client", "client", "_parent")]
    return found


def _clip(text: str, limit: int = MAX_OUTPUT) -> str:
    if len(text) <= limit:
        return text
    return text[:limit] + f"... [cut: {len(text) - limit} more characters]"


def render_result(data: Any, secrets: Sequence[str] = (), *, limit: int = MAX_OUTPUT) -> str:
    """An API's answer as a model reads it: JSON text, secrets removed, at most ``limit``
    characters."""
    clean = scrub(data, list(secrets))
    if isinstance(clean, str):
        text = clean
    elif clean is None:
        text = "(empty answer)"
    else:
        text = json.dumps(clean, ensure_ascii=False, separators=(",", ":"), default=str)
    return _clip(redact(text, list(secrets)), limit)


_NEXT: Final[Mapping[str, str]] = {
    "USER_DENIED": "The user declined access. Tell them; do not retry unless they ask to.",
    "SCOPE_NOT_APPROVED": "This agent is not approved for that access. Tell the user an "
    "administrator must approve it; retrying will not help.",
    "PROVIDER_NOT_APPROVED": "This agent is not approved for this provider. Tell the user an "
    "administrator must approve it; retrying will not help.",
    "AGENT_UNAPPROVED": "This agent is not approved yet. Tell the user; retrying will not help.",
    "SESSION_EXPIRED": "The consent link expired. Call the tool again for a new link.",
    "SESSION_NOT_FOUND": "The consent link is no longer valid. Call the tool again for a new link.",
    "CONSENT_TIMEOUT": "The user has not finished consent yet. Ask them to finish, then call "
    "the tool again.",
    "INVALID_ARGUMENT": "The arguments were refused. Fix them and call the tool again.",
    "UPSTREAM_ERROR": "The API refused the request. Check the arguments; do not repeat the "
    "same call.",
    "RATE_LIMITED": "Too many requests. Wait before calling again.",
    "RESPONSE_TOO_LARGE": "The answer was too large. Ask for less (filters, paging).",
}
_TRANSIENT: Final = frozenset(
    {"CONNECTION_ERROR", "TIMEOUT", "INTERNAL_ERROR", "GATEWAY_ERROR", "HTTP_ERROR",
     "INVALID_RESPONSE", "TLS_ERROR"}
)  # fmt: skip


def render_error(error: BaseException, secrets: Sequence[str] = (), *, limit: int = 600) -> str:
    """An error as a model reads it: ``[CODE] what happened. What happens next.``, short
    and without secrets. A ``ConsentRequired`` renders as its own message."""
    if isinstance(error, ConsentRequired):
        return redact(error.message(), list(secrets))
    if not isinstance(error, ATHError):
        return f"[TOOL_ERROR] The tool failed ({type(error).__name__}). Try again later."
    code = str(error.code)
    status = getattr(error, "status", None)
    if code in CONSENT_CODES:
        what = "The user's access is missing or no longer valid. Call the tool again to get a " \
            "consent link for the user."  # fmt: skip
    elif code in _TRANSIENT or (isinstance(status, int) and status >= 500):
        what = "The service is unavailable right now. Try again later or tell the user."
    else:
        what = _NEXT.get(code, "Tell the user the call failed.")
    detail = redact(str(error.message), list(secrets))[:400]
    return _clip(redact(f"[{code}] {detail} {what}", list(secrets)), limit)


# --------------------------------------------------------------------------- the core


class ToolCore:
    """Runs :class:`~ath.tools.ToolSpec` calls for a model with one client.

    ``client``: any :class:`ATHCaller` (the four clients, a per-user view). ``scopes``:
    the scopes to ask consent for, by provider (default: the spec's). ``user``: shown in
    consent messages. Every result and error it hands out is redacted of the secrets the
    client holds; it raises :class:`ConsentRequired` when the user must consent.
    """

    def __init__(
        self,
        client: Any,
        specs: Sequence[ToolSpec] = (),
        *,
        scopes: Mapping[str, Sequence[str]] | None = None,
        user: str | None = None,
        app_id: str | None = None,
        max_output: int = MAX_OUTPUT,
    ) -> None:
        self.client = client
        self.app_id = app_id
        self.specs: dict[str, ToolSpec] = {}
        for spec in specs:
            self.add(spec)
        self.scopes = {k: tuple(v) for k, v in (scopes or {}).items()}
        self.user = user
        self.max_output = max_output
        self._pending: dict[tuple[str, tuple[str, ...]], tuple[float, ConsentRequired]] = {}
        self._lock = threading.Lock()

    def add(self, spec: ToolSpec) -> None:
        if spec.name in self.specs:
            raise ATHClientError("INVALID_ARGUMENT", f"two tools are named {spec.name!r}")
        self.specs[spec.name] = spec

    @property
    def is_async(self) -> bool:
        """Whether the client's calls are coroutines (an async client or view)."""
        call = getattr(self.client, "proxy", None) or getattr(self.client, "api", None)
        return inspect.iscoroutinefunction(call)

    def secrets(self) -> list[str]:
        return held_secrets(self.client)

    # ------------------------------------------------------------ checking

    def prepare(self, name: str, args: Any) -> PreparedCall:
        """The model's ``args`` for tool ``name`` checked into the call to send. Refuses
        (``INVALID_ARGUMENT``) anything the spec does not allow: another provider, a URL,
        the gateway's own endpoints, a traversal, a method, a header, unknown arguments."""
        return prepare_call(self.specs, name, args)

    # ------------------------------------------------------------ calling

    def _consent_scopes(self, call: PreparedCall) -> tuple[str, ...]:
        provider = call.provider or self.app_id or ""
        if provider in self.scopes:
            return self.scopes[provider]
        return self.specs[call.tool].scopes

    def _send_args(self, call: PreparedCall) -> tuple[Any, tuple[Any, ...], dict[str, Any]]:
        kwargs = {"params": call.query}
        if call.provider is None:
            return self.client.api, (call.method, call.path, call.body), kwargs
        return self.client.proxy, (call.provider, call.method, call.path, call.body), kwargs

    def _pending_for(self, call: PreparedCall) -> ConsentRequired | None:
        key = (call.provider or self.app_id or "", self._consent_scopes(call))
        with self._lock:
            found = self._pending.get(key)
            if found is None or time.monotonic() - found[0] > PENDING_FOR:
                self._pending.pop(key, None)
                return None
            return found[1]

    def offer(self, consent: ConsentRequired) -> None:
        """Offer ``consent`` again to repeated calls for its provider and scopes (for up
        to :data:`PENDING_FOR` seconds) instead of starting another authorization: e.g.
        one adopted from the store after a restart."""
        with self._lock:
            self._pending[(consent.provider, consent.scopes)] = (time.monotonic(), consent)

    def forget(self, consent: ConsentRequired) -> None:
        """Stop offering ``consent`` again (resolved, denied or expired)."""
        with self._lock:
            self._pending.pop((consent.provider, consent.scopes), None)

    def _learn_scopes(self, provider: str, status: Any) -> None:
        """Without configured scopes, ask consent for what the registration approved."""
        for approval in getattr(status, "approved_providers", None) or ():
            scopes = getattr(approval, "approved_scopes", None)
            if getattr(approval, "provider_id", None) == provider and scopes:
                self.scopes[provider] = tuple(scopes)

    def _consent(self, call: PreparedCall, auth: Any, reason: str) -> ConsentRequired:
        consent = ConsentRequired(
            str(getattr(auth, "provider_id", None) or call.provider or ""),
            tuple(getattr(auth, "scopes", None) or self._consent_scopes(call)),
            str(auth.authorization_url),
            str(auth.ath_session_id),
            user=self.user,
            call=call,
            reason=reason,
        )
        self.offer(consent)
        return consent

    def _provider_for_consent(self, call: PreparedCall) -> str:
        if call.provider is not None:
            return call.provider
        if self.app_id is None:
            raise ATHClientError(
                "INVALID_ARGUMENT", "a native service's tools need app_id= to ask for consent"
            )
        return self.app_id

    def _ask(self, call: PreparedCall, reason: str) -> ConsentRequired:
        """Start consent for ``call`` (sync client): the ConsentRequired to raise."""
        provider = self._provider_for_consent(call)
        if provider not in self.scopes and hasattr(self.client, "registration_status"):
            self._learn_scopes(provider, _quiet(self.client.registration_status))
        auth = self.client.authorize(provider, list(self._consent_scopes(call)))
        return self._consent(call, auth, reason)

    async def _aask(self, call: PreparedCall, reason: str) -> ConsentRequired:
        provider = self._provider_for_consent(call)
        if provider not in self.scopes and hasattr(self.client, "registration_status"):
            self._learn_scopes(provider, await _aquiet(self.client.registration_status))
        auth = await _maybe_await(self.client.authorize(provider, list(self._consent_scopes(call))))
        return self._consent(call, auth, reason)

    def consent(self, name: str, args: Any) -> None:
        """Raise the :class:`ConsentRequired` a call of tool ``name`` needs, before any
        call (an app that knows there is no token yet); a pending one is reused."""
        call = self.prepare(name, args)
        pending = self._pending_for(call)
        if pending is not None:
            raise self.with_call(pending, call)
        if self.is_async:
            raise ATHClientError("INVALID_ARGUMENT", "the tool holds an async client: aconsent()")
        raise self._ask(call, "NO_TOKEN")

    async def aconsent(self, name: str, args: Any) -> None:
        """Async :meth:`consent` (a sync client runs in a worker thread)."""
        if not self.is_async:
            await asyncio.to_thread(self.consent, name, args)
            return
        call = self.prepare(name, args)
        pending = self._pending_for(call)
        if pending is not None:
            raise self.with_call(pending, call)
        raise await self._aask(call, "NO_TOKEN")

    def call(self, name: str, args: Any) -> str:
        """Run tool ``name`` (sync client): the answer rendered, or an error rendered;
        raises :class:`ConsentRequired` when the user must consent first."""
        try:
            call = self.prepare(name, args)
            return self.send(call)
        except ATHError as exc:
            return render_error(exc, self.secrets())

    def send(self, call: PreparedCall) -> str:
        """Send a prepared call (sync); see :meth:`call`."""
        if self.is_async:
            raise ATHClientError(
                "INVALID_ARGUMENT", "the tool holds an async client: use acall()/asend()"
            )
        pending = self._pending_for(call)
        if pending is not None:
            return self._resume_sync(pending, call, timeout=0.0, reraise=True)
        before = self.secrets()
        target, head, kwargs = self._send_args(call)
        try:
            data = target(*head, **kwargs)
        except ATHError as exc:
            if exc.code not in CONSENT_CODES:
                raise
            raise self._ask(call, str(exc.code)) from None
        return render_result(data, [*before, *self.secrets()], limit=self.max_output)

    def resume(
        self, consent: ConsentRequired, *, timeout: float = 30.0, poll_interval: float = 1.0
    ) -> str:
        """After the user consented: wait for the token (``wait_for_token``), then retry
        the call ``consent`` carries. Returns the answer or a rendered error (a denial
        reads as one); raises nothing the model cannot read."""
        if consent.call is None:
            raise ATHClientError("INVALID_ARGUMENT", "this consent carries no call to resume")
        try:
            return self._resume_sync(consent, consent.call, timeout, poll_interval=poll_interval)
        except ATHError as exc:
            return render_error(exc, self.secrets())

    def _resume_sync(
        self,
        consent: ConsentRequired,
        call: PreparedCall,
        timeout: float,
        *,
        poll_interval: float = 1.0,
        reraise: bool = False,
    ) -> str:
        try:
            self.client.wait_for_token(
                consent.session_id, timeout=timeout, poll_interval=poll_interval
            )
        except ATHError as exc:
            if exc.code == "CONSENT_TIMEOUT" and reraise:
                raise consent from None  # still waiting: offer the same link again
            self.forget(consent)
            raise
        self.forget(consent)
        return self.send(call)

    # ------------------------------------------------------------ async

    async def acall(self, name: str, args: Any) -> str:
        """Async :meth:`call` (a sync client runs in a worker thread)."""
        if not self.is_async:
            return await asyncio.to_thread(self.call, name, args)
        try:
            call = self.prepare(name, args)
            return await self.asend(call)
        except ATHError as exc:
            return render_error(exc, self.secrets())

    async def asend(self, call: PreparedCall) -> str:
        """Async :meth:`send`."""
        if not self.is_async:
            return await asyncio.to_thread(self.send, call)
        pending = self._pending_for(call)
        if pending is not None:
            return await self._aresume(pending, call, 0.0, reraise=True)
        before = self.secrets()
        target, head, kwargs = self._send_args(call)
        try:
            data = await target(*head, **kwargs)
        except ATHError as exc:
            if exc.code not in CONSENT_CODES:
                raise
            raise await self._aask(call, str(exc.code)) from None
        return render_result(data, [*before, *self.secrets()], limit=self.max_output)

    async def aresume(
        self, consent: ConsentRequired, *, timeout: float = 30.0, poll_interval: float = 1.0
    ) -> str:
        """Async :meth:`resume`."""
        if not self.is_async:
            return await asyncio.to_thread(
                self.resume, consent, timeout=timeout, poll_interval=poll_interval
            )
        if consent.call is None:
            raise ATHClientError("INVALID_ARGUMENT", "this consent carries no call to resume")
        try:
            return await self._aresume(consent, consent.call, timeout, poll_interval=poll_interval)
        except ATHError as exc:
            return render_error(exc, self.secrets())

    async def _aresume(
        self,
        consent: ConsentRequired,
        call: PreparedCall,
        timeout: float,
        *,
        poll_interval: float = 1.0,
        reraise: bool = False,
    ) -> str:
        try:
            await _maybe_await(
                self.client.wait_for_token(
                    consent.session_id, timeout=timeout, poll_interval=poll_interval
                )
            )
        except ATHError as exc:
            if exc.code == "CONSENT_TIMEOUT" and reraise:
                raise consent from None
            self.forget(consent)
            raise
        self.forget(consent)
        return await self.asend(call)

    def with_call(self, consent: ConsentRequired, call: PreparedCall) -> ConsentRequired:
        """``consent`` carrying another call (two calls waiting on one consent)."""
        return ConsentRequired(consent.provider, consent.scopes, consent.authorization_url,
                               consent.session_id, user=consent.user, call=call,
                               reason=consent.reason)  # fmt: skip

    def with_session(self, consent: ConsentRequired, session_id: str) -> ConsentRequired:
        """``consent`` for another session id (a run resumed in a new process hands back
        the session the user consented to)."""
        return ConsentRequired(consent.provider, consent.scopes, consent.authorization_url,
                               session_id, user=consent.user, call=consent.call,
                               reason=consent.reason)  # fmt: skip


def _quiet(call: Any) -> Any:
    try:
        return call()
    except ATHError:
        return None


async def _aquiet(call: Any) -> Any:
    try:
        return await _maybe_await(call())
    except ATHError:
        return None


async def _maybe_await(value: Any) -> Any:
    return await value if inspect.isawaitable(value) else value


# --------------------------------------------------------------------------- argument checks


def prepare_call(specs: Mapping[str, ToolSpec], name: str, args: Any) -> PreparedCall:
    """The model's ``args`` for tool ``name`` checked into the call to send. Refuses
    (``INVALID_ARGUMENT``) anything the spec does not allow: another provider, a URL,
    the gateway's own endpoints, a traversal, a method, a header, unknown arguments."""
    spec = specs.get(name)
    if spec is None:
        raise ATHClientError("INVALID_ARGUMENT", f"no tool named {str(name)[:80]!r}")
    if isinstance(args, str):
        try:
            args = json.loads(args) if args.strip() else {}
        except ValueError:
            raise ATHClientError("INVALID_ARGUMENT", "the arguments are not JSON") from None
    if not isinstance(args, Mapping):
        raise ATHClientError("INVALID_ARGUMENT", "the arguments must be a JSON object")
    allowed = set(spec.parameters.get("properties", {}))
    unknown = sorted(str(k)[:40] for k in args if k not in allowed)
    if unknown:
        raise ATHClientError(
            "INVALID_ARGUMENT", f"unknown arguments {unknown}; allowed: {sorted(allowed)}"
        )
    if spec.path is None:
        return _generic(spec, args)
    return _operation(spec, args)


def _method(spec: ToolSpec, value: Any) -> str:
    if value is None and len(spec.methods) == 1:
        return spec.methods[0]
    method = value.upper() if isinstance(value, str) else ""
    if method not in spec.methods:
        raise ATHClientError(
            "INVALID_ARGUMENT",
            f"method {str(value)[:20]!r} is not allowed; use {', '.join(spec.methods)}",
        )
    return method


def _generic(spec: ToolSpec, args: Mapping[str, Any]) -> PreparedCall:
    method = _method(spec, args.get("method"))
    path = _checked_path(args.get("path"))
    body = args.get("body")
    if body is not None and method not in ("POST", "PUT", "PATCH", "DELETE"):
        raise ATHClientError("INVALID_ARGUMENT", f"{method} takes no body")
    return PreparedCall(spec.name, spec.provider, method, path,
                        _query(args.get("query")), body, spec.has_body)  # fmt: skip


def _operation(spec: ToolSpec, args: Mapping[str, Any]) -> PreparedCall:
    assert spec.path is not None
    path = spec.path
    query: dict[str, Any] = {}
    for param in spec.params:
        value = args.get(param.name)
        if value is None:
            if param.required:
                raise ATHClientError("INVALID_ARGUMENT", f"argument {param.name!r} is required")
            continue
        if param.where == "path":
            path = path.replace("{" + param.name + "}", _segment(param.name, value))
        else:
            query[param.name] = value
    body = args.get("body")
    if body is not None and not spec.has_body:
        raise ATHClientError("INVALID_ARGUMENT", "this tool takes no body")
    return PreparedCall(spec.name, spec.provider, spec.methods[0], _checked_path(path),
                        _query(query or None), body, spec.has_body)  # fmt: skip


def _checked_path(value: Any) -> str:
    """A model's path: relative to the provider's API, never the gateway's own endpoints."""
    if not isinstance(value, str) or not value.strip():
        raise ATHClientError("INVALID_ARGUMENT", "path must be a non-empty string such as /user")
    path = "/" + check_relative_path(value)
    decoded = path
    for _ in range(8):  # what a lenient server reads, decoded again and again
        step = unquote(decoded)
        if step == decoded:
            break
        decoded = step
    if _GATEWAY_OWN.match(decoded):
        raise ATHClientError(
            "INVALID_ARGUMENT", "paths under /ath/ and /.well-known/ are not the API's"
        )
    return path


def _segment(name: str, value: Any) -> str:
    """A path parameter's value as one encoded path segment (no '/', '.', '..')."""
    if isinstance(value, bool) or not isinstance(value, _SCALARS):
        raise ATHClientError("INVALID_ARGUMENT", f"argument {name!r} must be a string or number")
    text = str(value)
    if text.strip() in ("", ".", "..") or any(ord(c) < 0x20 or ord(c) == 0x7F for c in text):
        raise ATHClientError("INVALID_ARGUMENT", f"argument {name!r} is not a valid path segment")
    return quote(text, safe="")


def _query(value: Any) -> dict[str, Any] | None:
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise ATHClientError("INVALID_ARGUMENT", "query must be a JSON object")
    out: dict[str, Any] = {}
    for key, item in value.items():
        if not isinstance(key, str) or not key or any(ord(c) < 0x20 for c in key):
            raise ATHClientError("INVALID_ARGUMENT", "query names must be plain strings")
        items = item if isinstance(item, list) else [item]
        if not all(isinstance(v, _SCALARS) for v in items):
            raise ATHClientError("INVALID_ARGUMENT", f"query {key[:40]!r} must be scalar values")
        out[key] = item
    return out
