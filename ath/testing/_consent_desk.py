"""The person's side of consent at the stack's OAuth server
(``LocalStack(consent="page")``): the agent cards the ATH implementers announce, the
consent pages shown (:mod:`._pages`), the answers posted back, and the consent
counters (automatic decisions are recorded here too).

``GET /authorize`` shows a page whose form posts Approve or Deny to ``POST /consent``
with a per-request anti-forgery token, also set as an HTTP-only ``SameSite=Strict``
cookie on ``/consent``; the answer must come from the OAuth server's own origin (the
``Origin`` header), carry the token in both places, and name a request that is
still waiting (single use, ten minutes). A refused answer does not spend the request.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlsplit

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from ._pages import AgentCard, consent_html, notice_html
from ._policies import ConsentController
from ._primitives import Clock, add_query, digest_matches, random_token, sha256_hex

__all__ = ["CONSENT_LIFETIME", "ConsentDesk", "IssueCode"]

#: How long a consent page waits for the person's answer (and an announced agent
#: card for its request), in seconds.
CONSENT_LIFETIME = 600.0

#: ``(client_id, redirect_uri, code_challenge, scopes, user_id) -> code``: the OAuth
#: server's own code issuing.
IssueCode = Callable[[str, str, str, tuple[str, ...], str], str]


@dataclass(frozen=True)
class _Pending:
    """A consent page shown and waiting for the person's decision."""

    client_id: str
    redirect_uri: str
    state: str | None
    code_challenge: str
    scopes: tuple[str, ...]
    user_id: str
    csrf_digest: str
    expires_at: float


def _refused() -> Response:
    return notice_html("Consent refused", "This answer did not come from the consent page.", 403)


class ConsentDesk:
    def __init__(self, clock: Clock, consent: ConsentController, issue: IssueCode) -> None:
        self._clock = clock
        self._consent = consent
        self._issue = issue
        self._pending: dict[str, _Pending] = {}
        self._cards: dict[tuple[str, str], tuple[AgentCard, float]] = {}
        # What the stack counts (LocalStack.counters).
        self.pages_shown = 0
        self.approved = 0
        self.denied = 0

    def announce(self, client_id: str, state: str, card: AgentCard) -> None:
        """Say which agent the authorization request of ``client_id`` with ``state``
        is for (the implementer's own client and state), for the consent page."""
        now = self._clock.now()
        for key in [k for k, (_, at) in self._cards.items() if at + CONSENT_LIFETIME <= now]:
            del self._cards[key]
        self._cards[(client_id, state)] = (card, now)

    def record(self, *, approved: bool) -> None:
        """Count one consent decision."""
        if approved:
            self.approved += 1
        else:
            self.denied += 1

    def show(
        self,
        *,
        client_id: str,
        provider_id: str,
        redirect_uri: str,
        state: str | None,
        challenge: str,
        requested: tuple[str, ...],
    ) -> Response:
        """The consent page for a valid authorization request."""
        now = self._clock.now()
        for rid in [r for r, p in self._pending.items() if p.expires_at <= now]:
            del self._pending[rid]
        found = self._cards.get((client_id, state or ""))
        request_id, csrf = random_token("consent_"), random_token("")
        user_id = self._consent.user_id
        self._pending[request_id] = _Pending(
            client_id,
            redirect_uri,
            state,
            challenge,
            requested,
            user_id,
            sha256_hex(csrf),
            now + CONSENT_LIFETIME,
        )
        self.pages_shown += 1
        page = consent_html(
            agent=found[0] if found is not None else None,
            provider_id=provider_id,
            scopes=requested,
            user_id=user_id,
            action="/consent",
            request_id=request_id,
            csrf_token=csrf,
        )
        page.set_cookie(
            _csrf_cookie(request_id),
            csrf,
            max_age=int(CONSENT_LIFETIME),
            path="/consent",
            httponly=True,
            samesite="strict",
        )
        return page

    async def answer(self, request: Request, base_url: str) -> Response:
        """``POST /consent``: the person's answer on the consent page."""
        origin = request.headers.get("origin")
        if origin is not None and origin != _origin_of(base_url):
            return _refused()
        if not request.headers.get("content-type", "").startswith(
            "application/x-www-form-urlencoded"
        ):
            return notice_html("Bad request", "The answer must be a form.", 400)
        try:
            fields = dict(parse_qsl((await request.body()).decode("utf-8")))
        except UnicodeDecodeError:
            return notice_html("Bad request", "The form is not UTF-8.", 400)
        request_id = fields.get("request", "")
        pending = self._pending.get(request_id)
        if pending is None or pending.expires_at <= self._clock.now():
            return notice_html(
                "This consent request is no longer valid",
                "It was already answered or it expired. Start the sign-in again from the agent.",
                400,
            )
        token = fields.get("csrf_token", "")
        cookie = request.cookies.get(_csrf_cookie(request_id), "")
        if not (token and cookie == token and digest_matches(token, pending.csrf_digest)):
            return _refused()
        decision = fields.get("decision")
        if decision not in ("approve", "deny"):
            return notice_html("Bad request", "Choose Approve or Deny.", 400)
        del self._pending[request_id]  # single use
        self.record(approved=decision == "approve")
        params: dict[str, str]
        if decision == "approve":
            code = self._issue(
                pending.client_id,
                pending.redirect_uri,
                pending.code_challenge,
                pending.scopes,
                pending.user_id,
            )
            params = {"code": code}
        else:
            params = {"error": "access_denied", "error_description": "the user refused consent"}
        if pending.state is not None:
            params["state"] = pending.state
        # 303: the browser follows with GET, as after any form post.
        response = RedirectResponse(
            add_query(pending.redirect_uri, params),
            status_code=303,
            headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"},
        )
        response.delete_cookie(_csrf_cookie(request_id), path="/consent")
        return response


def _csrf_cookie(request_id: str) -> str:
    return f"oauth_{request_id}"


def _origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"
