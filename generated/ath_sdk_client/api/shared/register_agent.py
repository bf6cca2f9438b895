from __future__ import annotations

from collections.abc import Mapping, MutableMapping
from http import HTTPStatus
from typing import TYPE_CHECKING, Any, cast

from ... import errors
from ...models.agent_registration_request import AgentRegistrationRequest
from ...models.agent_registration_response import AgentRegistrationResponse
from ...models.ath_error import ATHError
from ...types import Request, Response, is_json, json_object, text

if TYPE_CHECKING:
    from ...client import AuthenticatedClient, Client


def build_request(
    *,
    body: AgentRegistrationRequest,
) -> Request:
    """The request of this operation, described without an HTTP library.

    Send it with any HTTP client, then read the answer with :func:`parse_response`.
    """
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {}
    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    return Request(
        method="POST",
        url="/ath/agents/register",
        headers=headers,
        json=_kwargs.get("json"),
        content=_kwargs.get("content"),
    )


def parse_response(
    *, status_code: int, headers: Mapping[str, str], content: bytes
) -> AgentRegistrationResponse:
    """This operation's answer, read from its status, headers and body (no HTTP library).

    A success (2xx) answer becomes the operation's result, checked once: its JSON nests at most
    ``types.MAX_JSON_DEPTH`` levels, holds valid Unicode, and every field has its declared type.

    Raises:
        errors.InvalidAnswer: a success answer that is not what the operation promises.
        errors.ErrorAnswer: any other answer; its ``parsed`` is the body as documented for
            that status (the error model, or the text of a body that is not JSON).
    """
    if 200 <= status_code < 300:
        try:
            if status_code == 200:
                response_200 = AgentRegistrationResponse.from_dict(json_object(content))

                return response_200

            response_201 = AgentRegistrationResponse.from_dict(json_object(content))

            return response_201

        except errors.InvalidAnswer:
            raise
        except (KeyError, TypeError, ValueError, AttributeError, OverflowError) as exc:
            raise errors.InvalidAnswer("schema", f"{type(exc).__name__}: {exc}") from exc
    raise errors.ErrorAnswer(
        status_code, headers, content, _error_body(status_code, headers, content)
    )


def _error_body(
    status_code: int, headers: Mapping[str, str], content: bytes
) -> ATHError | AgentRegistrationResponse | str | None:
    if status_code == 400:
        if not is_json(headers):
            return text(headers, content)
        response_400 = ATHError.from_dict(json_object(content))

        return response_400

    if status_code == 401:
        if not is_json(headers):
            return text(headers, content)
        response_401 = ATHError.from_dict(json_object(content))

        return response_401

    if status_code == 403:
        if not is_json(headers):
            return text(headers, content)
        response_403 = ATHError.from_dict(json_object(content))

        return response_403

    if status_code == 404:
        if not is_json(headers):
            return text(headers, content)
        response_404 = ATHError.from_dict(json_object(content))

        return response_404

    if status_code == 409:
        if not is_json(headers):
            return text(headers, content)
        response_409 = ATHError.from_dict(json_object(content))

        return response_409

    if status_code == 429:
        if not is_json(headers):
            return text(headers, content)
        response_429 = ATHError.from_dict(json_object(content))

        return response_429

    if status_code == 500:
        if not is_json(headers):
            return text(headers, content)
        response_500 = ATHError.from_dict(json_object(content))

        return response_500

    if status_code == 502:
        if not is_json(headers):
            return text(headers, content)
        response_502 = ATHError.from_dict(json_object(content))

        return response_502

    if status_code == 503:
        if not is_json(headers):
            return text(headers, content)
        response_503 = ATHError.from_dict(json_object(content))

        return response_503

    if not is_json(headers):
        return text(headers, content)
    response_default = ATHError.from_dict(json_object(content))

    return response_default


def _parse_response(
    *,
    client: AuthenticatedClient | Client,
    status_code: int,
    headers: Mapping[str, str],
    content: bytes,
) -> ATHError | AgentRegistrationResponse | str:
    try:
        return parse_response(status_code=status_code, headers=headers, content=content)
    except errors.ErrorAnswer as answer:
        return cast(ATHError | AgentRegistrationResponse | str, answer.parsed)


def _build_response(
    *,
    client: AuthenticatedClient | Client,
    status_code: int,
    headers: MutableMapping[str, str],
    content: bytes,
) -> Response[ATHError | AgentRegistrationResponse | str]:
    return Response(
        status_code=HTTPStatus(status_code),
        content=content,
        headers=headers,
        parsed=_parse_response(
            client=client, status_code=status_code, headers=headers, content=content
        ),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: AgentRegistrationRequest,
) -> Response[ATHError | AgentRegistrationResponse | str]:
    """Register an agent (Phase A)

     Registers an agent and asks for access to providers and scopes. The implementer verifies the
    attestation (its `sub` must equal `agent_id`), fetches the agent identity document and applies its
    approval policy; it may approve a subset of the requested scopes. The response carries the client
    credentials used by the later steps. A second registration of an `agent_id` that is already
    registered gets `409` with an `ATHError`.

    Args:
        body (AgentRegistrationRequest): Body of `POST /ath/agents/register` (Phase A).
            `agent_attestation` is a fresh ES256 JWT whose `sub` is `agent_id`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ATHError | AgentRegistrationResponse | str]
    """

    from ...client import send  # noqa: PLC0415 - httpx2 loads with the first request

    response = send(
        client,
        build_request(
            body=body,
        ),
    )
    return _build_response(
        client=client,
        status_code=response.status_code,
        headers=response.headers,
        content=response.content,
    )


def sync(
    *,
    client: AuthenticatedClient | Client,
    body: AgentRegistrationRequest,
) -> ATHError | AgentRegistrationResponse | str | None:
    """Register an agent (Phase A)

     Registers an agent and asks for access to providers and scopes. The implementer verifies the
    attestation (its `sub` must equal `agent_id`), fetches the agent identity document and applies its
    approval policy; it may approve a subset of the requested scopes. The response carries the client
    credentials used by the later steps. A second registration of an `agent_id` that is already
    registered gets `409` with an `ATHError`.

    Args:
        body (AgentRegistrationRequest): Body of `POST /ath/agents/register` (Phase A).
            `agent_attestation` is a fresh ES256 JWT whose `sub` is `agent_id`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ATHError | AgentRegistrationResponse | str
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: AgentRegistrationRequest,
) -> Response[ATHError | AgentRegistrationResponse | str]:
    """Register an agent (Phase A)

     Registers an agent and asks for access to providers and scopes. The implementer verifies the
    attestation (its `sub` must equal `agent_id`), fetches the agent identity document and applies its
    approval policy; it may approve a subset of the requested scopes. The response carries the client
    credentials used by the later steps. A second registration of an `agent_id` that is already
    registered gets `409` with an `ATHError`.

    Args:
        body (AgentRegistrationRequest): Body of `POST /ath/agents/register` (Phase A).
            `agent_attestation` is a fresh ES256 JWT whose `sub` is `agent_id`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ATHError | AgentRegistrationResponse | str]
    """

    from ...client import send_async  # noqa: PLC0415 - httpx2 loads with the first request

    response = await send_async(
        client,
        build_request(
            body=body,
        ),
    )
    return _build_response(
        client=client,
        status_code=response.status_code,
        headers=response.headers,
        content=response.content,
    )


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    body: AgentRegistrationRequest,
) -> ATHError | AgentRegistrationResponse | str | None:
    """Register an agent (Phase A)

     Registers an agent and asks for access to providers and scopes. The implementer verifies the
    attestation (its `sub` must equal `agent_id`), fetches the agent identity document and applies its
    approval policy; it may approve a subset of the requested scopes. The response carries the client
    credentials used by the later steps. A second registration of an `agent_id` that is already
    registered gets `409` with an `ATHError`.

    Args:
        body (AgentRegistrationRequest): Body of `POST /ath/agents/register` (Phase A).
            `agent_attestation` is a fresh ES256 JWT whose `sub` is `agent_id`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ATHError | AgentRegistrationResponse | str
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed
