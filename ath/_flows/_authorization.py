"""Authorization: ``authorize``, the redirect's checks, the token exchange, and the plain
OAuth flow of native services (``oauth_start`` / ``oauth_finish``).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Final

from ath._constants import MAX_PENDING_SESSIONS, SESSION_LIFETIME
from ath._core import Core
from ath._errormap import error_from_response
from ath._errors import ATHClientError, ATHError, ATHServerError
from ath._flows._registration import registration_status
from ath._flows._rotation import resigned
from ath._flows._transport import (
    blocking,
    build_request,
    call,
    credentials,
    refresh,
    send,
    share,
)
from ath._flows._values import (
    basic_auth,
    check_lifetime,
    str_list,
)
from ath._lazy import gen
from ath._models import (
    Authorization,
    CallbackResult,
    ScopeIntersection,
    Token,
)
from ath._oauth import OAuthRequest, OAuthToken, start_authorization
from ath._parsing import check_authorization_url, json_object, parse_answer
from ath._pkce import generate_state, states_equal
from ath._signer import attest
from ath._steps import Flow
from ath._validation import (
    check_provider_id,
    check_scopes,
    normalize_base_url,
    parse_callback,
    split_url,
)

if TYPE_CHECKING:
    from ath._generated import TokenResponse

__all__ = [
    "authorize",
    "end_session",
    "exchange_token",
    "finish_authorization",
    "match_callback",
    "oauth_finish",
    "oauth_start",
]


# --------------------------------------------------------------------------- authorization


def authorize(
    core: Core,
    provider: str,
    scopes: Sequence[str],
    redirect_uri: str | None,
    resource: str | None,
) -> Flow[Authorization]:
    """Phase B's request (resent once after a key rotation's refusal, :mod:`._rotation`)."""
    result: Authorization = yield from resigned(
        core, lambda: _authorize(core, provider, scopes, redirect_uri, resource)
    )
    return result


def _authorize(
    core: Core,
    provider: str,
    scopes: Sequence[str],
    redirect_uri: str | None,
    resource: str | None,
) -> Flow[Authorization]:
    client_id, _ = yield from credentials(core)
    provider = check_provider_id(provider)
    scope_list = check_scopes(scopes)
    if redirect_uri is not None and (
        not isinstance(redirect_uri, str)
        or split_url(redirect_uri, "redirect_uri").scheme not in ("http", "https")
    ):
        raise ATHClientError("INVALID_ARGUMENT", "redirect_uri must be an absolute http(s) URL")
    if resource is not None and not isinstance(resource, str):
        raise ATHClientError("INVALID_ARGUMENT", "resource must be a URI string (RFC 8707)")
    if core.state.agent_status in ("pending", "denied"):
        status = yield from registration_status(core)
        if status.agent_status != "approved":
            raise ATHClientError(
                "AGENT_UNAPPROVED",
                f"authorize: registration {client_id} is {status.agent_status} app-side; "
                + (
                    "wait for the service to approve it, then try again "
                    "(registration_status() tells when)."
                    if status.agent_status == "pending"
                    else "it was denied; contact the service's operator."
                ),
            )
    state = generate_state()
    attestation = yield from attest(core.signer, core.config.base_url)
    body = gen.AuthorizationRequest(
        client_id=client_id,
        agent_attestation=attestation,
        provider_id=provider,
        scopes=scope_list,
        state=state,
        user_redirect_uri=gen.UNSET if redirect_uri is None else redirect_uri,
        resource=gen.UNSET if resource is None else resource,
    )
    response = yield from call(
        core, gen.authorize_op.build_request(body=body), "authorize", idempotent=False
    )
    parsed = parse_answer(gen.authorize_op.parse_response, response, "authorize")
    result = Authorization(
        authorization_url=check_authorization_url(
            parsed.authorization_url,
            status=response.status_code,
            allow_insecure_http=core.config.allow_insecure_http,
        ),
        ath_session_id=str(parsed.ath_session_id),
        provider_id=provider,
        scopes=scope_list,
        state=state,
        redirect_uri=redirect_uri,
    )
    with core.state.lock:
        _prune_sessions(core)
        core.state.keep_session(core.user, result)
    if core.state.store is not None:  # a restart mid-consent finishes it from the store
        fn, afn = core.state.write_calls(core.user, core.state.session_change(core.user, result))
        yield from share(core, fn, "keep the pending authorization", afn)
    return result


def _prune_sessions(core: Core) -> None:
    sessions = core.state.of(core.user).sessions
    now = time.time()
    for sid in [s for s, a in sessions.items() if now - a.created_at > SESSION_LIFETIME]:
        core.state.drop_session(core.user, sid)
    while len(sessions) >= MAX_PENDING_SESSIONS:
        core.state.drop_session(core.user, next(iter(sessions)))


def _other_users(core: Core, action: str, session_id: str | None, state: str | None) -> None:
    """Refuse (``USER_MISMATCH``) an authorization another user of this client started."""
    owner = None if session_id is None else core.state.session_owner(session_id)
    if owner is None and session_id is None and state is not None:
        for user, held in core.state.users.items():
            if any(states_equal(a.state, state) for a in held.sessions.values()):
                owner = user
                break
    if owner is not None and owner != core.user:
        raise ATHClientError(
            "USER_MISMATCH",
            f"{action}: this authorization was started for another user of this agent, "
            "not for this one; finish it with the for_user() view that started it. "
            "Nothing was sent.",
        )


def match_callback(core: Core, callback: CallbackResult, session_id: str | None) -> Authorization:
    """The pending authorization a redirect belongs to, with state checked."""
    with core.state.lock:
        sid = session_id or callback.session_id
        sessions = core.state.of(core.user).sessions
        pending: Authorization | None = None
        if sid is not None:
            pending = sessions.get(sid)
        elif callback.state is not None:
            for candidate in sessions.values():
                if states_equal(candidate.state, callback.state):
                    pending = candidate
                    break
        if pending is None:
            _other_users(core, "finish_authorization", sid, callback.state)
            raise ATHClientError(
                "SESSION_NOT_FOUND",
                "finish_authorization: the redirect belongs to no authorization this client "
                "started (or it was already finished or expired); call authorize() again.",
            )
        if callback.code is not None and callback.state is None:
            raise ATHClientError(
                "STATE_MISMATCH",
                "finish_authorization: the redirect carries a code but no state; a code is "
                "redeemed only with the state sent by authorize(). Start over.",
            )
        if callback.state is not None and not states_equal(pending.state, callback.state):
            raise ATHClientError(
                "STATE_MISMATCH",
                "finish_authorization: the redirect's state does not match the one sent with "
                "authorize(); it may be forged. Start over with authorize().",
            )
        if callback.error is not None:
            code = "USER_DENIED" if callback.error == "access_denied" else "OAUTH_ERROR"
            desc = f" ({callback.error_description})" if callback.error_description else ""
            raise ATHClientError(
                code,
                f"finish_authorization: consent ended with error {callback.error!r}{desc}. "
                "Ask the user to try again with authorize().",
                details={"error": callback.error, "session_id": pending.ath_session_id},
            )
        if callback.code is None and callback.state is None and not callback.success:
            raise ATHClientError(
                "INVALID_ARGUMENT",
                "finish_authorization: the URL carries neither a code, a state nor "
                "success=true; pass the full URL the user was redirected to.",
            )
        return pending


def known_session(core: Core, session_id: str | None, state: str | None) -> Flow[None]:
    """With a store, re-read it when this process holds no pending authorization of
    ``session_id`` (or ``state``): another process, or this one before a restart,
    may have started it."""
    if core.state.store is None:
        return
    with core.state.lock:
        sessions = core.state.of(core.user).sessions
        if session_id is not None:
            known = session_id in sessions
        else:
            known = state is None or any(states_equal(a.state, state) for a in sessions.values())
    if not known:
        yield from refresh(core, force=True)


def finish_authorization(core: Core, url: str, session_id: str | None) -> Flow[Token]:
    callback = parse_callback(url)
    yield from known_session(core, session_id or callback.session_id, callback.state)
    try:
        pending = match_callback(core, callback, session_id)
    except ATHError as exc:
        ended = exc.details.get("session_id")
        if exc.code in ("USER_DENIED", "OAUTH_ERROR") and isinstance(ended, str):
            yield from end_session(core, ended)
        raise
    # Gateways that redirect with session_id and success=true send no code and
    # ignore the one posted to /ath/token.
    token = yield from exchange_token(
        core, callback.code or "", pending.ath_session_id, pending=pending
    )
    return token


def exchange_token(
    core: Core, code: str, session_id: str, *, pending: Authorization | None = None
) -> Flow[Token]:
    """The token request (resent once after a key rotation's refusal, :mod:`._rotation`).
    A session the server says was refused or has expired is no longer pending."""
    try:
        token: Token = yield from resigned(
            core, lambda: _exchange_token(core, code, session_id, pending=pending)
        )
    except ATHError as exc:
        if exc.code in _ENDED and exc.details.get("reason") != "authorization_pending":
            yield from end_session(core, session_id)
        raise
    return token


#: What the token endpoint answers for a session that can never give a token.
_ENDED: Final = frozenset({"USER_DENIED", "SESSION_EXPIRED"})


def end_session(core: Core, session_id: str) -> Flow[None]:
    """``session_id`` ended without a token (refused, expired): this client and the
    store stop holding it pending, so no process offers or resumes it again."""
    core.state.drop_session(core.user, session_id)
    if core.state.store is not None:
        change = core.state.unsession_change(core.user, session_id)
        fn, afn = core.state.write_calls(core.user, change)
        yield from share(core, fn, "forget the ended authorization", afn)


def _exchange_token(
    core: Core, code: str, session_id: str, *, pending: Authorization | None = None
) -> Flow[Token]:
    """Redeem ``code`` for the session's token. ``pending``: the authorization the
    caller matched already (``finish_authorization``); without it, the one this
    client started for ``session_id``, if any, is looked up when the token comes."""
    client_id, client_secret = yield from credentials(core)
    if not isinstance(code, str) or not isinstance(session_id, str) or not session_id:
        raise ATHClientError(
            "INVALID_ARGUMENT", "exchange_token(code, session_id) takes two strings"
        )
    _other_users(core, "exchange_token", session_id, None)
    token_url = core.config.base_url + "/ath/token"
    attestation = yield from attest(core.signer, token_url)
    body = gen.TokenExchangeRequest(
        grant_type="authorization_code",
        client_id=client_id,
        client_secret=client_secret,
        agent_attestation=attestation,
        code=code,
        ath_session_id=session_id,
    )
    # Never replayed: the session is single use (retried only if the connection failed).
    response = yield from call(
        core, gen.exchange_token_op.build_request(body=body), "exchange_token", idempotent=False
    )
    parsed = parse_answer(gen.exchange_token_op.parse_response, response, "exchange_token")
    if pending is None:
        with core.state.lock:
            pending = core.state.of(core.user).sessions.get(session_id)
    token = _check_token(core, parsed, pending, response.status_code)
    with core.state.lock:  # the session is used up only once a token is stored
        core.state.drop_session(core.user, session_id)
        key = core.state.keep_token(core.user, token)
    if core.state.store is not None:
        try:
            change = core.state.token_change(core.user, key, token, session_id)
            yield from blocking(core, *core.state.write_calls(core.user, change))
        except ATHError as exc:
            raise exc.replace(
                message=f"exchange_token: the token for {token.provider_id} was obtained and "
                f"this client holds it (proxy() works here), but the store could not share "
                f"it: {exc.message}",
            ) from None
    return token


def _check_token(
    core: Core, parsed: TokenResponse, pending: Authorization | None, status: int | None = None
) -> Token:
    token_type = str(parsed.token_type)
    effective = str_list(parsed.effective_scopes)
    problems = []
    if token_type.lower() != "bearer":
        problems.append(f"token_type is {token_type!r}, not Bearer")
    if not isinstance(parsed.access_token, str) or not parsed.access_token:
        problems.append("access_token is empty")
    if parsed.agent_id != core.signer.agent_id:
        problems.append(
            f"token is bound to agent {parsed.agent_id!r}, not {core.signer.agent_id!r}"
        )
    if pending is not None:
        if parsed.provider_id != pending.provider_id:
            problems.append(
                f"token is for provider {parsed.provider_id!r}, not {pending.provider_id!r}"
            )
        extra = sorted(set(effective) - set(pending.scopes))
        if extra:
            problems.append(f"effective scopes {extra} were never requested")
    if problems:
        raise ATHServerError(
            "TOKEN_MISMATCH",
            "exchange_token: the server's token does not match the request: "
            + "; ".join(problems)
            + ". The token was not stored; report this to the server's operator.",
            status=status,
        )
    expires_in = check_lifetime(
        parsed.expires_in if isinstance(parsed.expires_in, int) else None,
        "exchange_token: the answer's expires_in",
        code="INVALID_RESPONSE",
        status=status,
    )
    si = parsed.scope_intersection
    return Token(
        access_token=parsed.access_token,
        token_type="Bearer",
        expires_in=expires_in,
        effective_scopes=effective,
        provider_id=parsed.provider_id,
        agent_id=parsed.agent_id,
        scope_intersection=ScopeIntersection(
            agent_approved=str_list(si.agent_approved),
            user_consented=str_list(si.user_consented),
            effective=str_list(si.effective),
        ),
        expires_at=None if expires_in is None else time.time() + expires_in,
    )


# --------------------------------------------------------------------------- plain OAuth (native)


def oauth_start(
    core: Core, client_id: str, redirect_uri: str, scopes: Sequence[str], resource: str | None
) -> OAuthRequest:
    with core.state.lock:
        endpoints = core.state.oauth_endpoints
    if endpoints is None:
        raise ATHClientError("NOT_DISCOVERED", "oauth_start() needs discover() first")
    return start_authorization(
        endpoints[0],
        client_id=client_id,
        redirect_uri=redirect_uri,
        scopes=check_scopes(scopes),
        resource=resource,
        allow_insecure_http=core.config.allow_insecure_http,
    )


def oauth_finish(
    core: Core, request: OAuthRequest, callback_url: str, client_secret: str | None
) -> Flow[OAuthToken]:
    """Redeem the redirect at the token endpoint (form-encoded, PKCE verifier)."""
    with core.state.lock:
        endpoints = core.state.oauth_endpoints
    if endpoints is None:
        raise ATHClientError("NOT_DISCOVERED", "oauth_finish() needs discover() first")
    token_endpoint = normalize_base_url(
        endpoints[1], allow_insecure_http=core.config.allow_insecure_http, what="token_endpoint"
    )
    callback = parse_callback(callback_url)
    if callback.state is None or not states_equal(request.state, callback.state):
        raise ATHClientError(
            "STATE_MISMATCH",
            "oauth_finish: the redirect's state does not match the request; start over.",
        )
    if callback.error is not None:
        code = "USER_DENIED" if callback.error == "access_denied" else "OAUTH_ERROR"
        raise ATHClientError(code, f"oauth_finish: consent ended with {callback.error!r}")
    if not callback.code:
        raise ATHClientError("INVALID_ARGUMENT", "oauth_finish: the redirect carries no code")
    form = {
        "grant_type": "authorization_code",
        "code": callback.code,
        "redirect_uri": request.redirect_uri,
        "client_id": request.client_id,
        "code_verifier": request.code_verifier,
    }
    headers = {"Accept": "application/json"}
    if client_secret:
        headers["Authorization"] = basic_auth(request.client_id, client_secret)
    http_request = build_request(core, "POST", token_endpoint, data=form, headers=headers)
    response = yield from send(core, http_request, idempotent=False)
    if not response.is_success:
        data = json_object(response) or {}
        if isinstance(data.get("error"), str):
            raise ATHServerError(
                "OAUTH_ERROR",
                f"oauth_finish: the token endpoint answered {data['error']!r}"
                + (f" ({data.get('error_description')})" if data.get("error_description") else ""),
                status=response.status_code,
                headers=response.headers,
                details={"error": data["error"]},
            )
        raise error_from_response(response, "oauth_finish")
    answer = json_object(response)
    if answer is None or not isinstance(answer.get("access_token"), str):
        raise ATHServerError(
            "INVALID_RESPONSE",
            "oauth_finish: the token endpoint's answer has no access_token",
            status=response.status_code,
            headers=response.headers,
        )
    expires_in = answer.get("expires_in")
    return OAuthToken(
        access_token=answer["access_token"],
        token_type=str(answer.get("token_type", "Bearer")),
        expires_in=expires_in if isinstance(expires_in, int) else None,
        scope=answer.get("scope") if isinstance(answer.get("scope"), str) else None,
        refresh_token=answer.get("refresh_token")
        if isinstance(answer.get("refresh_token"), str)
        else None,
        raw=answer,
    )
