"""The HTML a person sees in the stack: the OAuth server's consent page and the ATH
implementer's completion page.

Every value that comes from an agent, a registration or a request is HTML-escaped.
The pages carry no script; their one inline stylesheet is allowed by its SHA-256 in
the ``Content-Security-Policy`` (nothing else may load), they may not be framed (a
consent page in a hidden frame is a clickjacking target) and they send no
``Referer`` to another origin (their URLs carry ``state`` and PKCE challenges).
"""

from __future__ import annotations

import base64
import hashlib
import html
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, Literal

from starlette.responses import HTMLResponse

__all__ = ["CSP", "AgentCard", "Outcome", "completion_html", "consent_html", "notice_html"]

_CSS: Final = (
    "body{font-family:system-ui,sans-serif;max-width:34rem;margin:3rem auto;padding:0 1rem;"
    "color:#1b1f24;background:#f6f8fa;line-height:1.45}"
    "main{background:#fff;border:1px solid #d0d7de;border-radius:10px;padding:1.5rem 2rem}"
    "h1{font-size:1.4rem;margin-top:0}"
    ".scopes li{margin:.25rem 0}code{background:#eef1f4;border-radius:4px;padding:0 .3rem}"
    ".muted{color:#57606a;font-size:.9rem;word-break:break-all}"
    ".actions{display:flex;gap:.75rem;margin-top:1.5rem}"
    "button{font:inherit;padding:.55rem 1.4rem;border-radius:6px;cursor:pointer;"
    "border:1px solid #d0d7de;background:#f6f8fa;color:#1b1f24}"
    "button.approve{background:#1f883d;border-color:#1a7f37;color:#fff}"
    ".ok{border-top:6px solid #1f883d}.no{border-top:6px solid #cf222e}"
    ".ask{border-top:6px solid #0969da}"
)
_CSS_HASH: Final = base64.b64encode(hashlib.sha256(_CSS.encode()).digest()).decode()
CSP: Final = (
    f"default-src 'none'; style-src 'sha256-{_CSS_HASH}'; base-uri 'none'; frame-ancestors 'none'"
)
# No form-action: the consent form posts to its own origin, and the redirects after it
# go to the implementer's callback and then to the agent's redirect URI, which the
# OAuth server does not know (browsers check form-action on every hop).

_HEADERS: Final = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": CSP,
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}


@dataclass(frozen=True)
class AgentCard:
    """Who asks for consent, as the ATH implementer knows the agent: the name of its
    identity document, its agent_id, its developer's name and the purpose it gave."""

    name: str
    agent_id: str
    developer: str | None = None
    purpose: str | None = None
    implementer: str | None = None


def _page(
    title: str, body: str, tone: str, status: int = 200, *, referrer: str = "no-referrer"
) -> HTMLResponse:
    e = html.escape
    return HTMLResponse(
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        "<meta name=viewport content='width=device-width,initial-scale=1'>"
        f"<title>{e(title)}</title><style>{_CSS}</style></head>"
        f"<body><main class={tone}><h1>{e(title)}</h1>{body}</main></body></html>",
        status_code=status,
        headers={**_HEADERS, "Referrer-Policy": referrer},
    )


def consent_html(
    *,
    agent: AgentCard | None,
    provider_id: str,
    scopes: Sequence[str],
    user_id: str,
    action: str,
    request_id: str,
    csrf_token: str,
) -> HTMLResponse:
    """The consent page: who asks, for which provider and scopes, and a form that
    posts the decision (Approve or Deny) with the request's anti-forgery token."""
    e = html.escape
    who = agent.name if agent is not None else "An application"
    title = f"Allow {who} to use your {provider_id} account?"
    lines = [
        f"<p><strong>{e(who)}</strong> asks for access to your <strong>{e(provider_id)}"
        f"</strong> account (signed in as <strong>{e(user_id)}</strong>).</p>"
    ]
    if agent is not None:
        facts = [("Developer", agent.developer), ("Through", agent.implementer)]
        facts.append(("Agent ID", agent.agent_id))
        rows = "<br>".join(f"{k}: {e(v)}" for k, v in facts if v)
        lines.append(f"<p class=muted>{rows}</p>")
        if agent.purpose:
            lines.append(f"<p>Purpose given by the agent: {e(agent.purpose)}</p>")
    items = "".join(f"<li><code>{e(s)}</code></li>" for s in scopes)
    lines.append(f"<p>It will be allowed to:</p><ul class=scopes>{items}</ul>")
    lines.append(
        f"<form method=post action='{e(action)}'>"
        f"<input type=hidden name=request value='{e(request_id)}'>"
        f"<input type=hidden name=csrf_token value='{e(csrf_token)}'>"
        "<div class=actions>"
        "<button class=approve type=submit name=decision value=approve>Approve</button>"
        "<button type=submit name=decision value=deny>Deny</button>"
        "</div></form>"
    )
    # same-origin, not no-referrer: with no-referrer the browser sends "Origin: null"
    # with the form, and the OAuth server checks that the answer comes from its own page.
    return _page(title, "".join(lines), "ask", referrer="same-origin")


Outcome = Literal["authorized", "denied", "failed"]

_COMPLETION: Final[dict[Outcome, tuple[str, str, str]]] = {
    "authorized": (
        "You're signed in",
        "Access was granted. You can close this tab and return to the agent.",
        "ok",
    ),
    "denied": (
        "Access was denied",
        "You declined, so the agent was not given access. You can close this tab.",
        "no",
    ),
    "failed": (
        "Sign-in did not complete",
        "Something went wrong, and the agent was not given access. You can close this tab; "
        "the agent reports what happened.",
        "no",
    ),
}


def completion_html(outcome: Outcome) -> HTMLResponse:
    """The page a person lands on after consent: what happened, in their terms (never
    the code, state or session id the agent picks up)."""
    title, text, tone = _COMPLETION[outcome]
    return _page(title, f"<p>{html.escape(text)}</p>", tone)


def notice_html(title: str, text: str, status: int) -> HTMLResponse:
    """A short page saying why a request cannot go on (an expired consent request)."""
    return _page(title, f"<p>{html.escape(text)}</p>", "no", status)
