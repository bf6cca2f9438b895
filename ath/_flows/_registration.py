"""Discovery and registration: the discovery documents, ``register`` and ``registration_status``."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import httpx2

from ath._core import Core
from ath._errormap import error_from_response
from ath._errors import ATHClientError, ATHError, ATHServerError
from ath._flows._rotation import resigned
from ath._flows._transport import blocking, call, credentials, generated_request, logged, send
from ath._flows._values import (
    agent_status_of,
    approvals,
    basic_auth,
    discovery_document,
    service_discovery_document,
    unset_to_none,
)
from ath._lazy import gen
from ath._models import (
    AgentStatusInfo,
    DiscoveryDocument,
    Registration,
    ServiceDiscoveryDocument,
)
from ath._parsing import answer_base_url, answer_url, ath_error_body, json_object, parse_answer
from ath._signer import attest
from ath._steps import Flow
from ath._validation import (
    check_provider_id,
    check_scopes,
    normalize_mapping,
    split_url,
)
from ath._versions import check_version

if TYPE_CHECKING:
    from ath._generated import AgentStatusResponse, Request

__all__ = ["discover_gateway", "discover_service", "register", "registration_status"]

log = logging.getLogger("ath")


# --------------------------------------------------------------------------- discovery


def _discovery(core: Core, request: Request, hint: str) -> Flow[httpx2.Response]:
    """GET a discovery document; a 404 says which client class the URL may want."""
    try:
        response = yield from call(core, request, "discover", idempotent=True)
    except ATHError as exc:
        if exc.status == 404:
            raise exc.replace(message=f"{exc.message.rstrip('.')}. {hint}") from None
        raise
    return response


def discover_gateway(core: Core) -> Flow[DiscoveryDocument]:
    response = yield from _discovery(
        core,
        gen.get_gateway_discovery.build_request(),
        "this URL serves no ATH gateway discovery document (/.well-known/ath.json). If it "
        "is an ATH-native service, use ATHNativeClient (or AsyncATHNativeClient), which "
        "reads /.well-known/ath-app.json.",
    )
    doc = discovery_document(
        parse_answer(gen.get_gateway_discovery.parse_response, response, "discover")
    )
    check_version(doc.ath_version, status=response.status_code)
    return doc


def discover_service(core: Core) -> Flow[ServiceDiscoveryDocument]:
    response = yield from _discovery(
        core,
        gen.get_service_discovery.build_request(),
        "this URL serves no ATH-native service discovery document "
        "(/.well-known/ath-app.json). If it is an ATH gateway, use ATHGatewayClient (or "
        "AsyncATHGatewayClient), which reads /.well-known/ath.json.",
    )
    doc = service_discovery_document(
        parse_answer(gen.get_service_discovery.parse_response, response, "discover")
    )
    status = response.status_code  # the answer's URLs are checked as the server's
    check_version(doc.ath_version, status=status)
    api_base = answer_base_url(
        doc.api_base,
        "api_base",
        action="discover",
        status=status,
        allow_insecure_http=core.config.allow_insecure_http,
    )
    endpoints = (str(doc.auth.authorization_endpoint), str(doc.auth.token_endpoint))
    for endpoint, what in zip(endpoints, ("authorization_endpoint", "token_endpoint"), strict=True):
        answer_url(endpoint, what, action="discover", status=status)
    with core.state.lock:
        core.state.api_base = api_base
        core.state.oauth_endpoints = endpoints
    return doc


# --------------------------------------------------------------------------- registration


def register(
    core: Core,
    developer: Mapping[str, Any] | Any,
    providers: Sequence[Mapping[str, Any] | Any],
    purpose: str | None,
    redirect_uris: Sequence[str] | None,
) -> Flow[Registration]:
    developer = normalize_mapping(developer, "developer")
    if not isinstance(developer.get("name"), str) or not isinstance(developer.get("id"), str):
        raise ATHClientError(
            "INVALID_ARGUMENT",
            "developer needs string 'name' and 'id' (and optionally 'contact'), e.g. "
            "{'name': 'Acme', 'id': 'acme'}",
        )
    listed = type(providers) is list or (
        not isinstance(providers, Mapping | str) and isinstance(providers, Sequence)
    )
    if not listed or not providers:
        raise ATHClientError(
            "INVALID_ARGUMENT",
            "providers must be a non-empty list like "
            "[{'provider_id': 'github', 'scopes': ['read:user']}]",
        )
    requested = []
    for item in providers:
        item = normalize_mapping(item, "each provider")
        requested.append(
            gen.ProviderScopeRequest(
                provider_id=check_provider_id(item.get("provider_id")),
                scopes=check_scopes(item.get("scopes"), "provider scopes"),
            )
        )
    # Sent exactly as given; left out when none were given (protocol: optional, and
    # without it the implementer completes the OAuth callback itself).
    uris = None if redirect_uris is None else list(redirect_uris)
    if isinstance(redirect_uris, str):
        raise ATHClientError(
            "INVALID_ARGUMENT", "redirect_uris must be a list of URLs, not a string"
        )
    for uri in uris or []:
        if not isinstance(uri, str) or split_url(uri, "redirect URI").scheme not in (
            "http",
            "https",
        ):
            raise ATHClientError("INVALID_ARGUMENT", f"redirect URI {uri!r} is not an http(s) URL")
    if purpose is not None and not isinstance(purpose, str):
        raise ATHClientError("INVALID_ARGUMENT", "purpose must be a string")
    store = core.state.store
    if store is None:
        result = yield from resigned(
            core, lambda: _register_request(core, developer, requested, uris, purpose)
        )
        return result
    # Single flight across the fleet: under the store's registration lock, an entry
    # registered by any process is returned without a request; otherwise this one
    # registers and stores the credentials before the lock is released.
    lock = store.registration_lock(core.config.base_url, core.signer.agent_id)
    yield from blocking(core, lock.__enter__)
    try:
        entry = yield from blocking(core, core.state.load_entry)
        if entry is not None and entry.registered:
            core.state.adopt(entry)
            assert entry.client_id is not None and entry.client_secret is not None
            # what the server approved, asked once: the answer never claims approval it
            # did not get, and an ask the registration does not cover is refused here
            info = yield from registration_status(core)
            if info.agent_status == "approved":  # pending: nothing decided to compare
                _check_covered(requested, info.approved_providers)
            return Registration(
                client_id=entry.client_id,
                client_secret=entry.client_secret,
                agent_status=info.agent_status,
                approved_providers=info.approved_providers,
                approval_expires=info.approval_expires,
            )
        result = yield from resigned(
            core, lambda: _register_request(core, developer, requested, uris, purpose)
        )
        try:
            yield from blocking(core, core.state.publish_registration)
        except ATHError as exc:
            raise exc.replace(
                message=f"register: the server registered agent {core.signer.agent_id} (client_id "
                f"{result.client_id}) and this client holds the credentials, but the store "
                f"could not keep them: {exc.message} Call save_credentials(path) now: the "
                "server shows the secret only once.",
                details={**exc.details, "client_id": result.client_id},
            ) from None
        return result
    finally:
        try:
            lock.__exit__(None, None, None)
        except Exception as exc:  # a lost lock expires on its own
            log.warning("ATH credential store: registration lock release failed: %s", logged(exc))


def _check_covered(requested: list[Any], approved: list[Any]) -> None:
    """Raise ``REGISTRATION_MISMATCH`` when a provider or scope asked for was not part of
    the stored registration (neither approved nor denied by the server: it was never
    asked, and a registration cannot be changed). Denied scopes show as denied in the
    answer, as they did in the first registration's."""
    granted = {a.provider_id: {*a.approved_scopes, *a.denied_scopes} for a in approved}
    missing: dict[str, list[str]] = {}
    for ask in requested:
        lacking = [s for s in ask.scopes if s not in granted.get(ask.provider_id, set())]
        if lacking:
            missing[ask.provider_id] = lacking
    if missing:
        wanted = "; ".join(f"{p}: {', '.join(s)}" for p, s in missing.items())
        raise ATHClientError(
            "REGISTRATION_MISMATCH",
            "register: the stored registration of this agent does not cover "
            f"what was asked ({wanted}); ATH cannot change a registration. Ask only for "
            "what was approved, or register a new agent_id or key.",
            details={"missing": missing},
        )


def _register_request(
    core: Core,
    developer: Mapping[str, Any],
    requested: list[Any],
    uris: list[str] | None,
    purpose: str | None,
) -> Flow[Registration]:
    attestation = yield from attest(core.signer, core.config.base_url)
    body = gen.AgentRegistrationRequest(
        agent_id=core.signer.agent_id,
        agent_attestation=attestation,
        developer=gen.DeveloperInfo.from_dict(
            {k: v for k, v in developer.items() if k in ("name", "id", "contact")}
        ),
        requested_providers=requested,
        redirect_uris=gen.UNSET if uris is None else uris,
        purpose=gen.UNSET if purpose is None else purpose,
    )
    request = generated_request(core, gen.register_agent.build_request(body=body))
    response = yield from send(core, request, idempotent=False)
    if response.status_code == 409:
        server = ath_error_body(response) or json_object(response) or {}
        server_details = server.get("details")
        existing = (server_details if isinstance(server_details, dict) else {}).get(
            "client_id", server.get("client_id")
        )
        raise ATHServerError(
            "ALREADY_REGISTERED",
            f"register: agent {core.signer.agent_id} is already registered at "
            f"{core.config.base_url}"
            + (f" as {existing}" if isinstance(existing, str) and existing else "")
            + ". Reuse the credentials from that registration: load_credentials(path) or "
            "set_credentials(client_id, client_secret).",
            status=409,
            headers=response.headers,
            details={
                "server_code": server.get("code"),
                "server_message": server.get("message"),
                **({"client_id": existing} if isinstance(existing, str) and existing else {}),
            },
        )
    if not 200 <= response.status_code < 300:
        raise error_from_response(response, "register")
    parsed = parse_answer(gen.register_agent.parse_response, response, "register")
    result = Registration(
        client_id=parsed.client_id,
        client_secret=parsed.client_secret,
        agent_status=agent_status_of(parsed.agent_status),
        approved_providers=approvals(parsed.approved_providers),
        approval_expires=unset_to_none(parsed.approval_expires),
    )
    if result.agent_status == "denied":
        reasons = {
            p.provider_id: p.denial_reason for p in result.approved_providers if p.denial_reason
        }
        raise ATHServerError(
            "REGISTRATION_DENIED",
            f"register: {core.config.base_url} denied agent {core.signer.agent_id} app-side"
            + (f" ({reasons})" if reasons else "")
            + ". Contact the service's operator; retrying will not help.",
            status=response.status_code,
            headers=response.headers,
            details={"client_id": result.client_id, "denial_reasons": reasons},
        )
    core.state.keep_registration(result)
    if result.pending:
        log.warning(
            "ATH registration %s is pending app-side approval; authorize() will work once "
            "registration_status() reports 'approved'.",
            result.client_id,
        )
    return result


def registration_status(core: Core) -> Flow[AgentStatusInfo]:
    client_id, client_secret = yield from credentials(core)
    response = yield from call(
        core,
        gen.get_agent_status.build_request(client_id=client_id),
        "registration_status",
        idempotent=True,
        headers={"Authorization": basic_auth(client_id, client_secret)},
    )
    parsed: AgentStatusResponse = parse_answer(
        gen.get_agent_status.parse_response, response, "registration_status"
    )
    info = AgentStatusInfo(
        client_id=parsed.client_id,
        agent_id=parsed.agent_id,
        agent_status=agent_status_of(parsed.agent_status),
        approved_providers=approvals(parsed.approved_providers),
        approval_expires=unset_to_none(parsed.approval_expires),
    )
    with core.state.lock:
        core.state.agent_status = info.agent_status
    return info
