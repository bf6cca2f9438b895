from http import HTTPStatus
from typing import Any

import httpx

from ...client import AuthenticatedClient, Client
from ...models.agent_registration_request import AgentRegistrationRequest
from ...models.agent_registration_response import AgentRegistrationResponse
from ...models.ath_error import ATHError
from ...types import Response


def _get_kwargs(
    *,
    body: AgentRegistrationRequest,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/ath/agents/register",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ATHError | AgentRegistrationResponse | str:
    if response.status_code == 200:
        response_200 = AgentRegistrationResponse.from_dict(response.json())

        return response_200

    if response.status_code == 201:
        response_201 = AgentRegistrationResponse.from_dict(response.json())

        return response_201

    if response.status_code == 400:
        if "json" not in response.headers.get("content-type", "").lower():
            return response.text
        response_400 = ATHError.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        if "json" not in response.headers.get("content-type", "").lower():
            return response.text
        response_401 = ATHError.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        if "json" not in response.headers.get("content-type", "").lower():
            return response.text
        response_403 = ATHError.from_dict(response.json())

        return response_403

    if response.status_code == 404:
        if "json" not in response.headers.get("content-type", "").lower():
            return response.text
        response_404 = ATHError.from_dict(response.json())

        return response_404

    if response.status_code == 409:
        if "json" not in response.headers.get("content-type", "").lower():
            return response.text
        response_409 = ATHError.from_dict(response.json())

        return response_409

    if response.status_code == 429:
        if "json" not in response.headers.get("content-type", "").lower():
            return response.text
        response_429 = ATHError.from_dict(response.json())

        return response_429

    if response.status_code == 500:
        if "json" not in response.headers.get("content-type", "").lower():
            return response.text
        response_500 = ATHError.from_dict(response.json())

        return response_500

    if response.status_code == 502:
        if "json" not in response.headers.get("content-type", "").lower():
            return response.text
        response_502 = ATHError.from_dict(response.json())

        return response_502

    if response.status_code == 503:
        if "json" not in response.headers.get("content-type", "").lower():
            return response.text
        response_503 = ATHError.from_dict(response.json())

        return response_503

    if "json" not in response.headers.get("content-type", "").lower():
        return response.text
    response_default = ATHError.from_dict(response.json())

    return response_default


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[ATHError | AgentRegistrationResponse | str]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
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

    kwargs = _get_kwargs(
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


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

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


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
