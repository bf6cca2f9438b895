from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...models.agent_status_response import AgentStatusResponse
from ...models.ath_error import ATHError
from ...types import Response


def _get_kwargs(
    client_id: str,
) -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/ath/agents/{client_id}".format(
            client_id=quote(str(client_id), safe=""),
        ),
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ATHError | AgentStatusResponse | str:
    if response.status_code == 200:
        response_200 = AgentStatusResponse.from_dict(response.json())

        return response_200

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
) -> Response[ATHError | AgentStatusResponse | str]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    client_id: str,
    *,
    client: AuthenticatedClient,
) -> Response[ATHError | AgentStatusResponse | str]:
    """Registration status of an agent

     Returns the current registration status and per-provider approvals of a client. The protocol
    requires this endpoint to be authenticated; it uses HTTP Basic authentication with the client's
    `client_id` and `client_secret` (RFC 7617). A caller may only read its own registration: a
    `client_id` in the path that differs from the authenticated client gets `403` (or `404`, so as not
    to reveal which clients exist).

    Args:
        client_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ATHError | AgentStatusResponse | str]
    """

    kwargs = _get_kwargs(
        client_id=client_id,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    client_id: str,
    *,
    client: AuthenticatedClient,
) -> ATHError | AgentStatusResponse | str | None:
    """Registration status of an agent

     Returns the current registration status and per-provider approvals of a client. The protocol
    requires this endpoint to be authenticated; it uses HTTP Basic authentication with the client's
    `client_id` and `client_secret` (RFC 7617). A caller may only read its own registration: a
    `client_id` in the path that differs from the authenticated client gets `403` (or `404`, so as not
    to reveal which clients exist).

    Args:
        client_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ATHError | AgentStatusResponse | str
    """

    return sync_detailed(
        client_id=client_id,
        client=client,
    ).parsed


async def asyncio_detailed(
    client_id: str,
    *,
    client: AuthenticatedClient,
) -> Response[ATHError | AgentStatusResponse | str]:
    """Registration status of an agent

     Returns the current registration status and per-provider approvals of a client. The protocol
    requires this endpoint to be authenticated; it uses HTTP Basic authentication with the client's
    `client_id` and `client_secret` (RFC 7617). A caller may only read its own registration: a
    `client_id` in the path that differs from the authenticated client gets `403` (or `404`, so as not
    to reveal which clients exist).

    Args:
        client_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ATHError | AgentStatusResponse | str]
    """

    kwargs = _get_kwargs(
        client_id=client_id,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    client_id: str,
    *,
    client: AuthenticatedClient,
) -> ATHError | AgentStatusResponse | str | None:
    """Registration status of an agent

     Returns the current registration status and per-provider approvals of a client. The protocol
    requires this endpoint to be authenticated; it uses HTTP Basic authentication with the client's
    `client_id` and `client_secret` (RFC 7617). A caller may only read its own registration: a
    `client_id` in the path that differs from the authenticated client gets `403` (or `404`, so as not
    to reveal which clients exist).

    Args:
        client_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ATHError | AgentStatusResponse | str
    """

    return (
        await asyncio_detailed(
            client_id=client_id,
            client=client,
        )
    ).parsed
