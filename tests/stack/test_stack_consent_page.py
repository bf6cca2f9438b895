"""The stack's consent page (``LocalStack(consent="page")``, the default of ``ath
stack``) driven by a plain HTTP client that keeps cookies, as a browser would: what
it shows (escaped, no script, a Content-Security-Policy), Approve and Deny, its
anti-forgery checks, and the completion page that speaks to the person. The real
browser drives it in tests/consent."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser
from urllib.parse import parse_qs, urljoin, urlsplit

import httpx2
import pytest

from ath.testing import LocalStack, StackCounters
from ath.testing.conformance import Target, run
from tests.stack.stack_helpers import Agent, error_code, make_agent, new_state

HOSTILE = "<script>alert('x')</script>\"'><img src=x onerror=alert(1)>"


class _Form(HTMLParser):
    """The page's text, its form's action and inputs, and any script or handler."""

    def __init__(self) -> None:
        super().__init__()
        self.action = ""
        self.fields: dict[str, str] = {}
        self.buttons: dict[str, str] = {}
        self.text: list[str] = []
        self.scripts = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {k: v or "" for k, v in attrs}
        if tag == "script" or any(k.startswith("on") for k in found):
            self.scripts += 1
        if tag == "form":
            self.action = found.get("action", "")
        elif tag == "input" and found.get("type") == "hidden":
            self.fields[found["name"]] = found.get("value", "")
        elif tag == "button":
            self.buttons[found.get("value", "")] = found.get("name", "")

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _parse(page: str) -> _Form:
    form = _Form()
    form.feed(page)
    return form


def _text(page: httpx2.Response) -> str:
    """What the person reads (entities decoded, whitespace folded)."""
    return " ".join(" ".join(_parse(page.text).text).split())


@pytest.fixture
def stack() -> Iterator[LocalStack]:
    with LocalStack(consent="page") as running:
        yield running


@pytest.fixture
def http() -> Iterator[httpx2.Client]:
    with httpx2.Client(trust_env=False, timeout=10.0) as client:
        yield client


@pytest.fixture
def browser() -> Iterator[httpx2.Client]:
    with httpx2.Client(
        trust_env=False, timeout=10.0, headers={"Accept": "text/html,*/*;q=0.8"}
    ) as client:
        yield client


def _walk(browser: httpx2.Client, url: str) -> httpx2.Response:
    """Follow redirects by hand (the browser keeps the cookies) up to a page."""
    for _ in range(10):
        response = browser.get(url, follow_redirects=False)
        if not response.is_redirect:
            return response
        url = urljoin(str(response.url), response.headers["location"])
    raise AssertionError("too many redirects")


def _open_consent(agent: Agent, browser: httpx2.Client) -> tuple[str, str, httpx2.Response]:
    state = new_state()
    grant = agent.authorize("github", ["read:user", "repo"], state=state).json()
    page = _walk(browser, grant["authorization_url"])
    return grant["ath_session_id"], state, page


def _answer(
    browser: httpx2.Client, page: httpx2.Response, decision: str, **headers: str
) -> httpx2.Response:
    form = _parse(page.text)
    return browser.post(
        urljoin(str(page.url), form.action),
        data={**form.fields, "decision": decision},
        headers=headers,
        follow_redirects=False,
    )


def test_the_consent_page_names_the_agent_provider_and_scopes(
    stack: LocalStack, http: httpx2.Client, browser: httpx2.Client
) -> None:
    agent = make_agent(stack, http, name="calendar-helper")
    agent.register({"github": ["read:user", "repo"]}, developer_name="Ada's Tools")
    session_id, state, page = _open_consent(agent, browser)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    form = _parse(page.text)
    text = " ".join(" ".join(form.text).split())
    assert "calendar-helper" in text and "github" in text and "Ada's Tools" in text
    assert "read:user" in text and "repo" in text and "stack tests" in text  # the purpose
    assert set(form.buttons) == {"approve", "deny"}
    assert set(form.fields) == {"request", "csrf_token"} and len(form.fields["csrf_token"]) >= 40
    assert form.scripts == 0
    csp = page.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp
    assert "script-src" not in csp and "'unsafe-inline'" not in csp
    assert page.headers["x-frame-options"] == "DENY"
    assert page.headers["referrer-policy"] == "same-origin"  # Origin is sent with the form
    assert page.headers["cache-control"] == "no-store"
    # the anti-forgery token is also an HTTP-only cookie for the answer's path only
    cookie = page.headers["set-cookie"]
    assert form.fields["csrf_token"] in cookie and "httponly" in cookie.lower()
    assert "path=/consent" in cookie.lower() and "samesite=strict" in cookie.lower()
    # nothing the agent picked up is on the page
    assert session_id not in page.text and state not in page.text
    counted = stack.counters
    assert (counted.consents_started, counted.consent_pages_shown) == (1, 1)
    assert (counted.consents_approved, counted.consents_denied) == (0, 0)


def test_agent_chosen_text_is_escaped(
    stack: LocalStack, http: httpx2.Client, browser: httpx2.Client
) -> None:
    agent = make_agent(stack, http)
    agent.register({"github": ["read:user", "repo"]}, developer_name=HOSTILE, purpose=HOSTILE)
    _, _, page = _open_consent(agent, browser)
    form = _parse(page.text)
    assert form.scripts == 0 and "<script>" not in page.text and "<img" not in page.text
    assert "&lt;script&gt;" in page.text
    assert " ".join(form.text).count(HOSTILE) == 2  # shown as text, twice


def test_approve_lands_on_a_page_for_the_person_and_the_agent_gets_a_token(
    stack: LocalStack, http: httpx2.Client, browser: httpx2.Client
) -> None:
    agent = make_agent(stack, http)
    agent.register({"github": ["read:user", "repo"]})
    before = stack.counters
    session_id, state, page = _open_consent(agent, browser)
    answered = _answer(browser, page, "approve")
    assert answered.status_code == 303
    assert answered.headers["location"].startswith(f"{stack.gateway_url}/ath/callback?")
    done = _walk(browser, answered.headers["location"])
    assert done.status_code == 200 and "You're signed in" in _text(done)
    assert "close this tab" in _text(done)
    landed = parse_qs(urlsplit(str(done.url)).query)
    code = landed["code"][0]
    for secret in (code, state, session_id):
        assert secret not in done.text
    assert "content-security-policy" in done.headers
    # the machine-readable completion stays: JSON for a program asking for it
    as_json = http.get(str(done.url), headers={"Accept": "application/json"}).json()
    assert as_json["status"] == "authorized" and as_json["code"] == code
    token = agent.exchange(session_id, code)
    assert token.status_code == 200 and token.json()["effective_scopes"] == ["read:user", "repo"]
    counted = stack.counters - before
    assert counted == StackCounters(
        authorization_requests=1,
        consents_started=1,
        consent_pages_shown=1,
        consents_approved=1,
        token_requests=1,
    )
    # the answer is single use
    again = _answer(browser, page, "approve")
    assert again.status_code == 400 and "no longer valid" in again.text


def test_deny_hands_access_denied_to_the_agent(
    stack: LocalStack, http: httpx2.Client, browser: httpx2.Client
) -> None:
    agent = make_agent(stack, http)
    agent.register({"github": ["read:user", "repo"]}, redirect_uris=["http://127.0.0.1:9/cb"])
    state = new_state()
    grant = agent.authorize(
        "github", ["read:user"], state=state, user_redirect_uri="http://127.0.0.1:9/cb"
    ).json()
    page = _walk(browser, grant["authorization_url"])
    answered = _answer(browser, page, "deny")
    assert answered.status_code == 303
    back = browser.get(answered.headers["location"], follow_redirects=False)
    assert back.status_code == 302
    handed = parse_qs(urlsplit(back.headers["location"]).query)
    assert back.headers["location"].startswith("http://127.0.0.1:9/cb?")
    assert handed["error"] == ["access_denied"] and handed["state"] == [state]
    assert "code" not in handed
    assert error_code(agent.exchange(grant["ath_session_id"], None)) == "USER_DENIED"
    assert (stack.counters.consents_denied, stack.counters.consents_approved) == (1, 0)


def test_deny_on_the_completion_page(
    stack: LocalStack, http: httpx2.Client, browser: httpx2.Client
) -> None:
    agent = make_agent(stack, http)
    agent.register({"github": ["read:user", "repo"]})
    session_id, state, page = _open_consent(agent, browser)
    done = _walk(browser, _answer(browser, page, "deny").headers["location"])
    assert done.status_code == 200 and "Access was denied" in _text(done)
    assert session_id not in done.text and state not in done.text


def test_forged_answers_are_refused(
    stack: LocalStack, http: httpx2.Client, browser: httpx2.Client
) -> None:
    agent = make_agent(stack, http)
    agent.register({"github": ["read:user", "repo"]})
    _, _, page = _open_consent(agent, browser)
    form = _parse(page.text)
    target = urljoin(str(page.url), form.action)
    with httpx2.Client(trust_env=False, timeout=10.0) as other:  # another browser: no cookie
        no_cookie = other.post(target, data={**form.fields, "decision": "approve"})
    assert no_cookie.status_code == 403
    wrong = browser.post(
        target, data={**form.fields, "csrf_token": "x" * 43, "decision": "approve"}
    )
    assert wrong.status_code == 403
    cross_site = _answer(browser, page, "approve", Origin="http://evil.example")
    assert cross_site.status_code == 403
    unknown = browser.post(target, data={**form.fields, "request": "consent_nope"})
    assert unknown.status_code == 400
    odd = browser.post(target, data={**form.fields, "decision": "maybe"})
    assert odd.status_code == 400
    as_json = browser.post(target, json={**form.fields, "decision": "approve"})
    assert as_json.status_code == 400
    assert stack.counters.consents_approved == 0
    # none of that spent the request: the person's own answer still works
    assert _answer(browser, page, "approve").status_code == 303
    assert stack.counters.consents_approved == 1


def test_follow_consent_stops_at_the_page(stack: LocalStack, http: httpx2.Client) -> None:
    agent = make_agent(stack, http)
    agent.register({"github": ["read:user"]})
    _, result = agent.consent("github", ["read:user"])
    assert not result.ok and result.error == "interaction_required"
    assert result.code is None and result.page is not None and "Approve" in result.page


def test_automatic_consent_stays_the_default(http: httpx2.Client) -> None:
    with LocalStack() as stack:
        assert stack.consent_mode == "auto"
        agent = make_agent(stack, http)
        agent.register({"github": ["read:user"]})
        _, result = agent.consent("github", ["read:user"])
        assert result.ok
        stack.consent.deny()
        assert not agent.consent("github", ["read:user"])[1].ok
        counted = stack.counters
        assert counted.consent_pages_shown == 0
        assert (counted.consents_approved, counted.consents_denied) == (1, 1)
        assert counted.registration_requests == 1 == stack.registration_requests()
        assert counted.authorization_requests == 2
        assert counted.identity_fetches == 1
    with pytest.raises(ValueError, match="consent"):
        LocalStack(consent="sometimes")  # type: ignore[arg-type]


def test_the_automatic_completion_page_speaks_to_the_person(
    http: httpx2.Client, browser: httpx2.Client
) -> None:
    with LocalStack() as stack:
        agent = make_agent(stack, http)
        agent.register({"mail": ["mail:read"]})
        state = new_state()
        grant = agent.authorize("mail", ["mail:read"], state=state).json()
        done = _walk(browser, grant["authorization_url"])
        assert "You're signed in" in _text(done)
        landed = parse_qs(urlsplit(str(done.url)).query)
        for secret in (landed["code"][0], state, grant["ath_session_id"]):
            assert secret not in done.text
        assert not re.search(r"ath_(code|sess)_", done.text)


def test_the_conformance_kit_says_a_person_is_asked() -> None:
    with LocalStack(consent="page") as stack:
        report = run(
            Target(
                stack.gateway_url,
                provider_id="mail",
                scope="mail:read",
                route=("GET", "/messages"),
                forbidden_route=("POST", "/messages"),
                slow=False,
            )
        )
    assert not report.ok
    details = [o.detail or "" for o in report.outcomes if o.status != "pass"]
    assert any("--consent auto" in d and "waits for a person" in d for d in details), details
