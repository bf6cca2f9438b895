"""``ath.testing``: the embedded local ATH stack.

A spec-conformant ATH v0.1 gateway, an ATH-native service, an OAuth 2.0
authorization server standing in for the providers, a demo upstream API and agent
identity hosting, all served over real HTTP on 127.0.0.1 from one background
thread. The SDK's end-to-end tests, its demo and users' own test suites run
against it::

    from ath.testing import LocalStack, follow_consent

    with LocalStack() as stack:
        agent_id = stack.host_agent(public_key_pem, name="demo-agent")
        ...  # register, authorize against stack.gateway_url
        result = follow_consent(authorization_url)  # automatic consent
        ...  # exchange result.code with result.session_id for an ATH token

Consent flow
------------
``POST /ath/authorize`` creates a session (``ath_sess_...``, 10 minutes, single
use), a PKCE verifier kept server side, and returns an ``authorization_url`` on the
implementer itself: ``<base>/ath/consent?ath_session_id=...&code_challenge=...
&code_challenge_method=S256&state=<agent state>``. That first stop binds the
browser to the session with an HTTP-only, ``SameSite=Lax`` cookie scoped to
``/ath/callback`` and redirects to the OAuth server's authorization endpoint
(PKCE S256, the implementer's own ``state``). The OAuth server decides consent
(``stack.consent``: automatic approval by default; with ``LocalStack(consent="page")``
a person answers a consent page naming the agent, the provider and the scopes, with
Approve and Deny buttons) and redirects to
``<base>/ath/callback``, which checks the state and the cookie, redeems the code
with the verifier (form-encoded, RFC 6749 §4.1.3), records the consented scopes
and the user, and redirects the browser to the agent's ``user_redirect_uri`` with
``code`` (one-time, checked by ``POST /ath/token``), ``state`` (the agent's) and
``session_id``; or ``error=access_denied`` instead of ``code``. Without a
``user_redirect_uri`` the browser lands on the implementer's completion page,
``<base>/ath/callback?code=...&state=...&session_id=...`` (a page telling the
person what happened, without code, state or session id; ``ConsentCompletion``
JSON when ``Accept`` asks for it); an agent that registered that same URL as its
redirect URI lands there too. With ``LocalStack(legacy_redirects=True)`` the hand-off
carries only ``session_id`` and ``success=true|false`` and the token endpoint
ignores ``code``, as public gateways do.

Counters
--------
``stack.counters`` is a :class:`StackCounters` snapshot of what the stack received
and decided (registrations, authorization requests, consents started, shown,
approved and denied, token requests, identity document fetches); tests count with
it (``after - before``) instead of reading the stack's state.

Errors the stack sends are ATH error bodies; see ``ath.testing._errors`` for the
code chosen where ATH v0.1 names none (``LocalStack(strict_error_codes=True)``: only the
protocol's own codes).

Conformance
-----------
``ath.testing.conformance`` checks any ATH server, this stack included, against the
server rules of ATH v0.1 by raw HTTP (``ath conformance URL`` on the command line).
"""

try:  # the stack's web framework and models come with the extra, not with ath-sdk
    import pydantic as _pydantic  # noqa: F401
    import starlette as _starlette  # noqa: F401
    import uvicorn as _uvicorn  # noqa: F401
except ImportError as _missing:
    raise ImportError(
        f"ath.testing needs the 'testing' extra ({_missing.name} is not installed): "
        "pip install 'ath-sdk[testing]'",
        name=_missing.name,
    ) from _missing

from ._browser import ConsentError, ConsentResult, afollow_consent, follow_consent
from ._counters import StackCounters
from ._local_stack import LocalStack
from ._policies import ApprovalController, ConsentController
from ._primitives import Clock

__all__ = [
    "ApprovalController",
    "Clock",
    "ConsentController",
    "ConsentError",
    "ConsentResult",
    "LocalStack",
    "StackCounters",
    "afollow_consent",
    "follow_consent",
]
