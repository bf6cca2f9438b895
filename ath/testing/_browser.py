"""Browser-less consent: follow an ``authorization_url`` the way a browser would
(keeping cookies), so scripts and tests need no real browser.

The walk stops at the first redirect that hands the result to the agent, that is a
``Location`` carrying ``session_id``, *without* fetching it, unless it is an ATH
implementer's own ``/ath/callback`` completion page, which is fetched (asking for
JSON) and read. The walk is written once, as a generator of URLs to fetch, and
driven by a sync and an async loop.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass
from urllib.parse import parse_qs, urljoin, urlsplit

import httpx2

from ._primitives import ssl_context

__all__ = ["ConsentError", "ConsentResult", "afollow_consent", "follow_consent"]

MAX_HOPS = 20
_HEADERS = {"Accept": "application/json, text/html;q=0.9"}


class ConsentError(RuntimeError):
    """The consent flow ended without a code to exchange; ``error`` says why
    (``access_denied`` when the user refused)."""

    def __init__(self, message: str, error: str | None) -> None:
        super().__init__(message)
        self.error = error


@dataclass(frozen=True)
class ConsentResult:
    """Where the consent flow ended and what it handed to the agent.

    ``url``: the final redirect aimed at the agent's ``user_redirect_uri`` (not
    fetched), or the completion page's URL. ``code``/``state``/``session_id``: what
    that redirect or page carries. ``error``: ``access_denied`` when the user
    refused, an OAuth or ATH error code when the flow failed,
    ``interaction_required`` when it stopped at a page waiting for a person (a stack
    started with ``consent="page"``), else ``None``.
    ``success``: the ``success`` flag of legacy redirects, when present. ``page``:
    the completion page's body, when one was fetched.
    """

    url: str
    code: str | None = None
    state: str | None = None
    session_id: str | None = None
    error: str | None = None
    success: bool | None = None
    status_code: int | None = None
    page: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and self.success is not False

    @property
    def granted_code(self) -> str:
        """What to pass to ``exchange_token(code, session_id)``, typed ``str``.

        The redirect's one-time ``code``, or ``""`` after a legacy redirect
        (``success=true`` and no code: such gateways ignore the code). Raises
        :class:`ConsentError` (``.error``: ``access_denied`` when the user refused)
        when the consent did not succeed, so a test needs no ``None`` check first.
        """
        if not self.ok:
            raise ConsentError(
                f"consent did not succeed (error={self.error!r}, success={self.success!r}); "
                "there is no code to exchange",
                self.error,
            )
        return self.code or ""


def _first(query: dict[str, list[str]], name: str) -> str | None:
    values = query.get(name)
    return values[0] if values else None


def _from_query(url: str, response: httpx2.Response | None = None) -> ConsentResult:
    query = parse_qs(urlsplit(url).query, keep_blank_values=True)
    success = _first(query, "success")
    return ConsentResult(
        url=url,
        code=_first(query, "code"),
        state=_first(query, "state"),
        session_id=_first(query, "session_id"),
        error=_first(query, "error"),
        success=None if success is None else success == "true",
        status_code=response.status_code if response is not None else None,
        page=response.text if response is not None else None,
    )


def _from_page(response: httpx2.Response) -> ConsentResult:
    url = str(response.url)
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict) and "status" in body:  # an ATH completion page
        return _from_query(url, response)
    error: str | None = None
    session_id: str | None = None
    if isinstance(body, dict) and isinstance(body.get("code"), str):  # an ATH error body
        error = body["code"]
        details = body.get("details")
        if isinstance(details, dict) and isinstance(details.get("session_id"), str):
            session_id = details["session_id"]
    elif isinstance(body, dict) and isinstance(body.get("error"), str):  # an OAuth error
        error = body["error"]
    elif response.is_error:
        error = f"http_{response.status_code}"
    elif body is None and response.headers.get("content-type", "").startswith("text/html"):
        error = "interaction_required"  # a page for a person (LocalStack(consent="page"))
    return ConsentResult(
        url=url,
        session_id=session_id,
        error=error,
        status_code=response.status_code,
        page=response.text,
    )


def _is_completion_page(url: str) -> bool:
    return urlsplit(url).path.endswith("/ath/callback")


def _walk(authorization_url: str) -> Generator[str, httpx2.Response, ConsentResult]:
    url = authorization_url
    for _ in range(MAX_HOPS):
        response = yield url
        if not response.is_redirect:
            return _from_page(response)
        target = urljoin(str(response.url), response.headers["location"])
        query = parse_qs(urlsplit(target).query)
        if "session_id" in query and not _is_completion_page(target):
            return _from_query(target)
        error = _first(query, "error")
        if error is not None and "state" not in query and "session_id" not in query:
            return _from_query(target)  # an OAuth error nobody will pick up: stop here
        url = target
    raise RuntimeError(f"consent flow did not finish within {MAX_HOPS} redirects")


def follow_consent(authorization_url: str, *, client: httpx2.Client | None = None) -> ConsentResult:
    """Follow ``authorization_url`` through consent; see :class:`ConsentResult`.

    ``client`` (optional) must keep cookies; it is used with redirects off."""
    own = client is None
    http = client or httpx2.Client(trust_env=False, timeout=10.0, verify=ssl_context())
    try:
        walk = _walk(authorization_url)
        url = next(walk)
        while True:
            response = http.get(url, headers=_HEADERS, follow_redirects=False)
            try:
                url = walk.send(response)
            except StopIteration as done:
                result: ConsentResult = done.value
                return result
    finally:
        if own:
            http.close()


async def afollow_consent(
    authorization_url: str, *, client: httpx2.AsyncClient | None = None
) -> ConsentResult:
    """Async :func:`follow_consent`."""
    own = client is None
    http = client or httpx2.AsyncClient(trust_env=False, timeout=10.0, verify=ssl_context())
    try:
        walk = _walk(authorization_url)
        url = next(walk)
        while True:
            response = await http.get(url, headers=_HEADERS, follow_redirects=False)
            try:
                url = walk.send(response)
            except StopIteration as done:
                result: ConsentResult = done.value
                return result
    finally:
        if own:
            await http.aclose()
