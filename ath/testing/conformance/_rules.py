"""The server rules of ATH v0.1 the conformance kit checks, one row each.

Sources: the protocol repository's ``specification/0.1`` (file and section named in
``ref``) and ``schema/0.1/schema.json``. ``level`` is the keyword the text uses (a
lower-case "must" in a normative list counts as MUST). ``modes`` says which deployment
the rule applies to. ``slow`` rules wait out a lifetime (use ``--slow``). The rules
the kit cannot provoke from outside (they need the server's operator to deny an agent
or the user to refuse a scope) are in :data:`NOT_PROBED`, so the count is honest.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["NOT_PROBED", "RULES", "Rule", "rule"]

Level = Literal["MUST", "SHOULD"]
Mode = Literal["gateway", "native"]
_BOTH: tuple[Mode, ...] = ("gateway", "native")


@dataclass(frozen=True)
class Rule:
    id: str
    level: Level
    ref: str
    expect: str
    modes: tuple[Mode, ...] = _BOTH
    slow: bool = False


_ID = "client/identity.mdx Agent Attestation"
_AUTHZ = "server/authorization.mdx Behavior"
_TOKEN = "server/token.mdx Behavior"
_PROXY = "server/proxy.mdx Behavior"
_REVOKE = "server/revocation.mdx Behavior"
_TABLE = "schema.mdx Errors (code/status table)"

RULES: tuple[Rule, ...] = (
    Rule("DISC-DOC", "MUST", "schema/0.1 DiscoveryDocument / ServiceDiscoveryDocument",
         "the discovery document answers 200 JSON with every required field"),
    Rule("ERR-BODY", "MUST", "schema/0.1 ATHError; " + _TABLE,
         "every error of an /ath/* JSON endpoint is a JSON object with string code and message "
         "(with --strict-codes: a code of the ATHErrorCode enum)"),
    Rule("REG-OK", "MUST", "server/registration.mdx Response; schema/0.1",
         "a valid registration answers 200/201 with client_id, client_secret, agent_status, "
         "approved_providers, approval_expires"),
    Rule("REG-DUP", "SHOULD", "server/registration.mdx Behavior",
         "a second registration of the same agent_id answers 409"),
    Rule("ATT-SIG", "MUST", _ID + " Verification 3",
         "an attestation whose signature does not verify: 401 INVALID_ATTESTATION"),
    Rule("ATT-EXP", "MUST", _ID + " Verification 4, 7",
         "an expired attestation: 401 INVALID_ATTESTATION"),
    Rule("ATT-AUD", "MUST", _ID + " Verification 4, 7",
         "an attestation for another audience: 401 INVALID_ATTESTATION"),
    Rule("ATT-IAT", "MUST", _ID + " Required Claims (iat)",
         "an attestation whose iat is more than 5 minutes from now: 401 INVALID_ATTESTATION"),
    Rule("ATT-CLAIMS", "MUST", "schema/0.1 agent_attestation; " + _ID,
         "an attestation without jti: 401 INVALID_ATTESTATION"),
    Rule("ATT-ALG", "MUST", "schema/0.1 agent_attestation (ES256)",
         "an attestation signed with another algorithm (HS256): 401 INVALID_ATTESTATION"),
    Rule("ATT-JTI", "MUST", _ID + " Required Claims (jti)",
         "an attestation presented twice: the second time 401 INVALID_ATTESTATION"),
    Rule("STATUS-AUTH", "MUST", "server/handshake-flow.mdx Server Responsibilities 6",
         "GET /ath/agents/{client_id} without authentication answers 401 or 403"),
    Rule("AUTHZ-CLIENT", "MUST", _AUTHZ + "; " + _TABLE,
         "an unknown client_id: 403 AGENT_NOT_REGISTERED"),
    Rule("AUTHZ-SUB", "MUST", _AUTHZ + " (sub = registered agent_id)",
         "a valid attestation of another agent: 401 or 403, no session"),
    Rule("AUTHZ-PROVIDER", "MUST", _AUTHZ + "; " + _TABLE,
         "a provider the agent is not approved for: 403 PROVIDER_NOT_APPROVED"),
    Rule("AUTHZ-SCOPE", "MUST", _AUTHZ + "; " + _TABLE,
         "a scope outside the approved ones: 403 SCOPE_NOT_APPROVED"),
    Rule("AUTHZ-NO-REDIRECT", "MUST", "server/registration.mdx Request Fields (redirect_uris)",
         "user_redirect_uri from a client that registered no redirect_uris: 4xx"),
    Rule("AUTHZ-REDIRECT-EXACT", "MUST", "server/registration.mdx Request Fields (redirect_uris)",
         "user_redirect_uri that is not exactly a registered one: 4xx"),
    Rule("AUTHZ-OK", "MUST", "server/authorization.mdx Response",
         "a valid request answers 200 with authorization_url and ath_session_id"),
    Rule("AUTHZ-PKCE", "MUST", _AUTHZ + " (PKCE)",
         "authorization_url carries code_challenge and code_challenge_method=S256"),
    Rule("CB-STATE", "MUST", _TABLE + " (STATE_MISMATCH)",
         "a callback with a state no session has: 400 STATE_MISMATCH"),
    Rule("CB-BROWSER", "MUST", _AUTHZ + " (browser binding)",
         "the callback from a browser other than the one sent to consent: 4xx; the right "
         "browser then completes"),
    Rule("TOKEN-SECRET", "MUST", "server/token.mdx Request Fields (client_secret)",
         "a wrong client_secret: 401 or 403, no token"),
    Rule("TOKEN-AUD", "MUST", "server/token.mdx Request Fields (aud = token endpoint URL)",
         "an attestation whose aud is the base URL, not <base>/ath/token: 401 "
         "INVALID_ATTESTATION"),
    Rule("TOKEN-SUB", "MUST", _TOKEN + " (sub = registered agent_id)",
         "a valid attestation of another agent: 401 or 403, no token"),
    Rule("TOKEN-SESSION", "MUST", _TOKEN + "; " + _TABLE,
         "an unknown ath_session_id: 400 SESSION_NOT_FOUND"),
    Rule("TOKEN-OK", "MUST", "server/token.mdx Response; " + _TOKEN,
         "200 with access_token, token_type Bearer, expires_in, effective_scopes, provider_id, "
         "agent_id and scope_intersection; effective = approved & consented & requested"),
    Rule("TOKEN-TTL", "MUST", "server/handshake-flow.mdx Security Requirements",
         "expires_in is at most 3600 seconds"),
    Rule("TOKEN-SINGLE-USE", "MUST", _TOKEN + " (single use)",
         "a second exchange of the same session: 400 SESSION_NOT_FOUND or SESSION_EXPIRED"),
    Rule("API-OK", "MUST", _PROXY + " 5, 6",
         "a call the token's scopes grant reaches the provider (2xx)"),
    Rule("API-TOKEN", "MUST", _PROXY + " 1; " + _TABLE,
         "an unknown bearer token: 401 TOKEN_INVALID"),
    Rule("API-AGENT", "MUST", _PROXY + " 2; " + _TABLE,
         "X-ATH-Agent-ID naming another agent: 403 AGENT_IDENTITY_MISMATCH"),
    Rule("API-PROVIDER", "MUST", _PROXY + " 3; " + _TABLE,
         "a provider_id in the path the token is not bound to: 403 PROVIDER_MISMATCH",
         modes=("gateway",)),
    Rule("API-SCOPE", "MUST", _PROXY + " 4; " + _TABLE,
         "an operation no granted scope maps to: 403 SCOPE_NOT_APPROVED (from the gateway "
         "or service, not the provider)"),
    Rule("REVOKE-UNAUTH", "MUST", _REVOKE,
         "revocation without client credentials is rejected (4xx) and the token still works"),
    Rule("REVOKE-OTHER", "MUST", _REVOKE,
         "another client cannot revoke the token: it still works afterwards"),
    Rule("REVOKE-UNKNOWN", "SHOULD", _REVOKE + " (RFC 7009 2.2)",
         "revoking an unknown token with valid credentials answers 200"),
    Rule("REVOKE-OK", "MUST", _REVOKE,
         "revocation answers 200; the token then gets 401 TOKEN_REVOKED"),
    Rule("SESSION-TTL", "MUST", _AUTHZ + "; " + _TOKEN + " (10 minutes)",
         "a session 10 minutes old cannot be exchanged: 400 SESSION_EXPIRED or "
         "SESSION_NOT_FOUND", slow=True),
    Rule("TOKEN-EXPIRY", "MUST", "server/handshake-flow.mdx Security Requirements; " + _TABLE,
         "once expires_in has passed, the token gets 401 TOKEN_EXPIRED", slow=True),
    Rule("KEY-TTL", "MUST", "client/identity.mdx Identity Document Caching",
         "5 minutes after the agent replaced its key, an attestation signed with the old key "
         "is rejected: 401 INVALID_ATTESTATION", slow=True),
    Rule("KEY-ROTATE", "SHOULD", "client/identity.mdx Identity Document Caching",
         "an attestation signed with the agent's new key is accepted", slow=True),
)  # fmt: skip

#: Server rules the kit cannot provoke from outside, with why.
NOT_PROBED: tuple[tuple[str, str], ...] = (
    ("AUTHZ-UNAPPROVED (MUST, server/authorization.mdx)",
     "needs the server's operator to deny or hold an agent"),
    ("TOKEN-EMPTY (MUST, server/token.mdx)",
     "needs the user to consent to none of the requested scopes"),
    ("secrets, audit logs, rate limits, TLS (client/security.mdx)",
     "not observable on the wire of one run"),
)  # fmt: skip

_BY_ID = {r.id: r for r in RULES}


def rule(rule_id: str) -> Rule:
    return _BY_ID[rule_id]
