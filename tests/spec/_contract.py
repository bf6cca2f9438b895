"""The contract run: Schemathesis cases for every operation of ``spec/openapi.yaml``,
sent over loopback to a running local stack, every answer checked against the spec.

Each operation gets a bounded, derandomized batch of generated cases (positive and
negative), plus a few fixed scenario cases that reach its success answers (a real
registration, a real consent, a live token, a text answer from the provider). The
stack needs real credentials: positive cases get them filled in here (fresh ES256
attestations signed with a key whose identity document the stack hosts, the
registered client's credentials, a live ATH token and the agent header); negative
cases are sent exactly as generated, so the stack must reject them.
"""

from __future__ import annotations

import base64
import itertools
import json
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

import httpx2
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import CheckFunction
from schemathesis.core.failures import FailureGroup
from schemathesis.generation.case import Case as _Case
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from ath.testing import LocalStack
from codegen._config import SPEC_PATH
from tests.stack.stack_helpers import Agent, make_agent, mint, new_state, public_pem

Case = _Case[Any]  # the operation type is not needed here

__all__ = ["CHECKS", "OWN_CHECKS", "ContractRun", "Credentials", "prepare", "run_contract"]

CHECKS: tuple[CheckFunction, ...] = (
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
    negative_data_rejection,
)
#: The project's own checks on every answer, beside Schemathesis's.
OWN_CHECKS: tuple[str, ...] = ("a 4xx never says INTERNAL_ERROR",)
MAX_EXAMPLES = 12  # per operation and generation mode; derandomized, so the same every run


@dataclass
class Credentials:
    """What positive cases are filled in with: a registered, approved agent on the
    gateway with a live token for ``github`` (scopes read:user and repo)."""

    agent: Agent
    token: str
    names: Iterator[int] = field(default_factory=itertools.count)

    @property
    def basic(self) -> str:
        raw = f"{self.agent.client_id}:{self.agent.client_secret}".encode()
        return "Basic " + base64.b64encode(raw).decode("ascii")


@dataclass
class ContractRun:
    operations: set[str] = field(default_factory=set)
    checks: int = 0
    cases: int = 0
    failures: list[str] = field(default_factory=list)
    statuses: dict[str, set[int]] = field(default_factory=dict)

    def summary(self) -> str:
        return (
            f"contract: {len(self.operations)} operations, {self.checks} checks, "
            f"{len(self.failures)} failures"
        )


def prepare(stack: LocalStack, http: httpx2.Client) -> Credentials:
    agent = make_agent(stack, http, name="contract")
    agent.register({"github": ["read:user", "repo"]})
    token = agent.token("github", ["read:user", "repo"])
    return Credentials(agent, token["access_token"])


def _fill(case: Case, stack: LocalStack, creds: Credentials) -> None:
    """Real credentials for a positive case (generated values stay everywhere else)."""
    agent, op = creds.agent, case.operation.definition.raw["operationId"]
    body = case.body if isinstance(case.body, dict) else None
    if op == "register_agent" and body is not None:
        name = f"contract-{next(creds.names)}"
        agent_id = stack.host_agent(public_pem(agent.key), name=name)
        body["agent_id"] = agent_id
        body["agent_attestation"] = mint(agent.key, agent_id, stack.gateway_url)
    elif op == "get_agent_status":
        case.path_parameters = {"client_id": agent.client_id}
        case.headers["Authorization"] = creds.basic
    elif op == "authorize" and body is not None:
        body.update(
            client_id=agent.client_id,
            agent_attestation=agent.attest(),
            provider_id="github",
            scopes=["read:user"],
        )
        body.pop("user_redirect_uri", None)  # the agent registered none
    elif op == "exchange_token" and body is not None:
        body.update(
            client_id=agent.client_id,
            client_secret=agent.client_secret,
            agent_attestation=agent.attest(f"{stack.gateway_url}/ath/token"),
        )
    elif op == "revoke_token" and body is not None:
        body.update(client_id=agent.client_id, client_secret=agent.client_secret)
    elif op.startswith("proxy_"):
        case.path_parameters = {**(case.path_parameters or {}), "provider_id": "github"}
        case.headers["Authorization"] = f"Bearer {creds.token}"
        case.headers["X-ATH-Agent-ID"] = agent.agent_id


Scenario = Generator[tuple[Case, dict[str, Any]], schemathesis.Response, None]


def _internal_error_for_a_client_mistake(response: schemathesis.Response) -> str | None:
    """INTERNAL_ERROR is the stack's own failure (5xx): a 4xx names the client's mistake."""
    if not 400 <= response.status_code < 500:
        return None
    headers = {k.lower(): v for k, v in response.headers.items()}
    if "json" not in str(headers.get("content-type", "")):
        return None
    try:
        body = json.loads(response.content)
    except ValueError:
        return None
    if isinstance(body, dict) and body.get("code") == "INTERNAL_ERROR":
        return f"INTERNAL_ERROR for a client mistake (HTTP {response.status_code}): {body}"
    return None


def _header(response: schemathesis.Response, name: str) -> str:
    values = {k.lower(): v for k, v in response.headers.items()}[name]
    return values[0] if isinstance(values, list) else str(values)


def _scenarios(stack: LocalStack, creds: Credentials, schema: Any) -> Scenario:
    """Fixed cases that reach each operation's success answers; each ``yield`` sends
    one case (with extra call arguments) and receives its response."""
    agent = creds.agent
    proxy = "/ath/proxy/{provider_id}/{path}"
    auth = {"Authorization": f"Bearer {creds.token}", "X-ATH-Agent-ID": agent.agent_id}
    yield schema["/.well-known/ath.json"]["GET"].Case(), {}
    yield schema["/.well-known/ath-app.json"]["GET"].Case(), {}
    name = f"contract-{next(creds.names)}"
    agent_id = stack.host_agent(public_pem(agent.key), name=name)
    yield (
        schema["/ath/agents/register"]["POST"].Case(
            body={
                "agent_id": agent_id,
                "agent_attestation": mint(agent.key, agent_id, stack.gateway_url),
                "developer": {"name": "Contract", "id": "dev-contract"},
                "requested_providers": [{"provider_id": "github", "scopes": ["read:user"]}],
                "redirect_uris": [],
            }
        ),
        {},
    )
    yield (
        schema["/ath/agents/{client_id}"]["GET"].Case(
            path_parameters={"client_id": agent.client_id}, headers={"Authorization": creds.basic}
        ),
        {},
    )
    state = new_state()
    yield (
        schema["/ath/authorize"]["POST"].Case(
            body={
                "client_id": agent.client_id,
                "agent_attestation": agent.attest(),
                "provider_id": "github",
                "scopes": ["read:user"],
                "state": state,
            }
        ),
        {},
    )
    # A real consent, walked redirect by redirect up to the provider's redirect to the
    # callback, which is then a case of its own (302 with Location) ...
    grant = agent.http.post(
        f"{stack.gateway_url}/ath/authorize",
        json={
            "client_id": agent.client_id,
            "agent_attestation": agent.attest(),
            "provider_id": "github",
            "scopes": ["read:user"],
            "state": state,
        },
    ).json()
    session_id = grant["ath_session_id"]
    url, cookies = grant["authorization_url"], {}
    with httpx2.Client(trust_env=False, follow_redirects=False, timeout=10) as browser:
        while urlsplit(url).path != "/ath/callback":
            answer = browser.get(url)
            assert answer.status_code in (302, 303), answer.text
            url = urljoin(url, answer.headers["location"])
        cookies = {cookie.name: cookie.value for cookie in browser.cookies.jar}
    callback = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
    redirected = yield schema["/ath/callback"]["GET"].Case(query=callback), {"cookies": cookies}
    # ... then the completion page it leads to, as JSON and as HTML.
    location = _header(redirected, "location")
    page = {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}
    yield (
        schema["/ath/callback"]["GET"].Case(query=page, headers={"Accept": "application/json"}),
        {},
    )
    yield schema["/ath/callback"]["GET"].Case(query=page, headers={"Accept": "text/html"}), {}
    yield (
        schema["/ath/token"]["POST"].Case(
            body={
                "grant_type": "authorization_code",
                "client_id": agent.client_id,
                "client_secret": agent.client_secret,
                "agent_attestation": agent.attest(f"{stack.gateway_url}/ath/token"),
                "code": page["code"],
                "ath_session_id": session_id,
            }
        ),
        {},
    )
    for path in ("user", "zen", "outage"):  # JSON 200, text/plain 200, text/html 503
        yield (
            schema[proxy]["GET"].Case(
                path_parameters={"provider_id": "github", "path": path}, headers=auth
            ),
            {},
        )
    yield (
        schema[proxy]["HEAD"].Case(
            path_parameters={"provider_id": "github", "path": "user"}, headers=auth
        ),
        {},
    )
    yield (
        schema[proxy]["POST"].Case(
            path_parameters={"provider_id": "mail", "path": "messages"}, headers=auth, body={}
        ),
        {},
    )
    spare = agent.token("github", ["read:user"])["access_token"]
    yield (
        schema["/ath/revoke"]["POST"].Case(
            body={
                "client_id": agent.client_id,
                "client_secret": agent.client_secret,
                "token": spare,
            }
        ),
        {},
    )
    yield (
        schema[proxy]["GET"].Case(  # the revoked token: the gateway's own 401
            path_parameters={"provider_id": "github", "path": "user"},
            headers={"Authorization": f"Bearer {spare}", "X-ATH-Agent-ID": agent.agent_id},
        ),
        {},
    )


def _explorer(
    strategy: Any, mode: GenerationMode, max_examples: int
) -> Callable[[Callable[[Case], None], Callable[[Case], object]], None]:
    """A bounded, derandomized Hypothesis run over ``strategy``'s cases."""

    def explore(fill: Callable[[Case], None], check: Callable[[Case], object]) -> None:
        @settings(
            max_examples=max_examples,
            derandomize=True,
            database=None,
            deadline=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=strategy)
        def one(case: Case) -> None:
            if mode is GenerationMode.POSITIVE:
                fill(case)
            check(case)

        one()

    return explore


def run_contract(
    stack: LocalStack,
    creds: Credentials,
    *,
    max_examples: int = MAX_EXAMPLES,
    only: Callable[[str], bool] | None = None,
    scenarios: bool = True,
) -> ContractRun:
    """Run every operation's cases against ``stack``; failures are collected, not raised."""
    schema = schemathesis.openapi.from_path(str(SPEC_PATH))
    run = ContractRun()
    session = requests.Session()
    session.trust_env = False  # every target is on loopback

    def base_for(case: Case) -> str:
        native = case.operation.path == "/.well-known/ath-app.json"
        return stack.native_url if native else stack.gateway_url

    def check(case: Case, **extra: Any) -> schemathesis.Response:
        op_id = case.operation.definition.raw["operationId"]
        run.operations.add(op_id)
        run.cases += 1
        response = case.call(
            base_url=base_for(case), session=session, allow_redirects=False, timeout=10, **extra
        )
        run.statuses.setdefault(op_id, set()).add(response.status_code)
        run.checks += len(CHECKS) + len(OWN_CHECKS)
        try:
            case.validate_response(response, checks=list(CHECKS))
        except FailureGroup as group:
            run.failures.extend(
                f"{op_id}: {failure.title}: {failure.message}" for failure in group.exceptions
            )
        misnamed = _internal_error_for_a_client_mistake(response)
        if misnamed:
            run.failures.append(f"{op_id}: {misnamed}")
        return response

    for result in schema.get_all_operations():
        operation = result.ok()  # type: ignore[union-attr]  # the spec parses (make spec)
        op_id = operation.definition.raw["operationId"]
        if only is not None and not only(op_id):
            continue
        inputs = bool(operation.path_parameters or operation.query or operation.headers) or (
            bool(operation.body)
        )
        # An operation without any input has nothing to make invalid: positive cases only.
        modes = [GenerationMode.POSITIVE] + ([GenerationMode.NEGATIVE] if inputs else [])
        for mode in modes:
            explore = _explorer(operation.as_strategy(generation_mode=mode), mode, max_examples)
            try:
                explore(lambda case: _fill(case, stack, creds), check)
            except Exception as exc:  # e.g. a strategy the generator cannot satisfy
                run.failures.append(f"{op_id} ({mode.value}): {type(exc).__name__}: {exc}")
    if not scenarios:
        return run
    scenario = _scenarios(stack, creds, schema)
    case, extra = next(scenario)
    while True:
        response = check(case, **extra)
        try:
            case, extra = scenario.send(response)
        except StopIteration:
            break
    return run
