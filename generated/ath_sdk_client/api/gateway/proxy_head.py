from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response


def _get_kwargs(
    provider_id: str,
    path: str,
    *,
    x_ath_agent_id: str,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    headers["X-ATH-Agent-ID"] = x_ath_agent_id

    _kwargs: dict[str, Any] = {
        "method": "head",
        "url": "/ath/proxy/{provider_id}/{path}".format(
            provider_id=quote(str(provider_id), safe=""),
            path=quote(str(path), safe=""),
        ),
    }

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Any:
    if response.status_code == 200:
        return None

    if response.status_code == 400:
        return None

    if response.status_code == 401:
        return None

    if response.status_code == 403:
        return None

    if response.status_code == 404:
        return None

    if response.status_code == 429:
        return None

    if response.status_code == 500:
        return None

    if response.status_code == 502:
        return None

    if response.status_code == 503:
        return None

    return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[Any]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    provider_id: str,
    path: str,
    *,
    client: AuthenticatedClient,
    x_ath_agent_id: str,
) -> Response[Any]:
    """Proxy a HEAD request

     Forwards a HEAD request to the provider and passes its status and headers back.

    Args:
        provider_id (str):
        path (str):
        x_ath_agent_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any]
    """

    kwargs = _get_kwargs(
        provider_id=provider_id,
        path=path,
        x_ath_agent_id=x_ath_agent_id,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


async def asyncio_detailed(
    provider_id: str,
    path: str,
    *,
    client: AuthenticatedClient,
    x_ath_agent_id: str,
) -> Response[Any]:
    """Proxy a HEAD request

     Forwards a HEAD request to the provider and passes its status and headers back.

    Args:
        provider_id (str):
        path (str):
        x_ath_agent_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any]
    """

    kwargs = _get_kwargs(
        provider_id=provider_id,
        path=path,
        x_ath_agent_id=x_ath_agent_id,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)
