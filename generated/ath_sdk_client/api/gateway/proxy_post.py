from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...models.ath_error import ATHError
from ...models.proxy_error_body import ProxyErrorBody
from ...types import UNSET, Response, Unset


def _get_kwargs(
    provider_id: str,
    path: str,
    *,
    body: Any | Unset = UNSET,
    x_ath_agent_id: str,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    headers["X-ATH-Agent-ID"] = x_ath_agent_id

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/ath/proxy/{provider_id}/{path}".format(
            provider_id=quote(str(provider_id), safe=""),
            path=quote(str(path), safe=""),
        ),
    }

    if not isinstance(body, Unset):
        _kwargs["json"] = body

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ATHError | Any | ProxyErrorBody:
    if response.status_code == 200:
        response_200 = cast(Any, response.content)
        return response_200

    if response.status_code == 400:
        response_400 = ProxyErrorBody.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = ATHError.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = ProxyErrorBody.from_dict(response.json())

        return response_403

    if response.status_code == 404:
        response_404 = ProxyErrorBody.from_dict(response.json())

        return response_404

    if response.status_code == 429:
        response_429 = ProxyErrorBody.from_dict(response.json())

        return response_429

    if response.status_code == 500:
        response_500 = ProxyErrorBody.from_dict(response.json())

        return response_500

    if response.status_code == 502:
        response_502 = ProxyErrorBody.from_dict(response.json())

        return response_502

    if response.status_code == 503:
        response_503 = ProxyErrorBody.from_dict(response.json())

        return response_503

    response_default = ProxyErrorBody.from_dict(response.json())

    return response_default


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[ATHError | Any | ProxyErrorBody]:
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
    body: Any | Unset = UNSET,
    x_ath_agent_id: str,
) -> Response[ATHError | Any | ProxyErrorBody]:
    """Proxy a POST request

     Forwards a POST request, body included, to the provider and passes its answer back.

    Args:
        provider_id (str):
        path (str):
        x_ath_agent_id (str):
        body (Any | Unset): A provider's body, passed through unchanged: any value in any content
            type (JSON, text, binary), or no body at all.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ATHError | Any | ProxyErrorBody]
    """

    kwargs = _get_kwargs(
        provider_id=provider_id,
        path=path,
        body=body,
        x_ath_agent_id=x_ath_agent_id,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    provider_id: str,
    path: str,
    *,
    client: AuthenticatedClient,
    body: Any | Unset = UNSET,
    x_ath_agent_id: str,
) -> ATHError | Any | ProxyErrorBody | None:
    """Proxy a POST request

     Forwards a POST request, body included, to the provider and passes its answer back.

    Args:
        provider_id (str):
        path (str):
        x_ath_agent_id (str):
        body (Any | Unset): A provider's body, passed through unchanged: any value in any content
            type (JSON, text, binary), or no body at all.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ATHError | Any | ProxyErrorBody
    """

    return sync_detailed(
        provider_id=provider_id,
        path=path,
        client=client,
        body=body,
        x_ath_agent_id=x_ath_agent_id,
    ).parsed


async def asyncio_detailed(
    provider_id: str,
    path: str,
    *,
    client: AuthenticatedClient,
    body: Any | Unset = UNSET,
    x_ath_agent_id: str,
) -> Response[ATHError | Any | ProxyErrorBody]:
    """Proxy a POST request

     Forwards a POST request, body included, to the provider and passes its answer back.

    Args:
        provider_id (str):
        path (str):
        x_ath_agent_id (str):
        body (Any | Unset): A provider's body, passed through unchanged: any value in any content
            type (JSON, text, binary), or no body at all.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ATHError | Any | ProxyErrorBody]
    """

    kwargs = _get_kwargs(
        provider_id=provider_id,
        path=path,
        body=body,
        x_ath_agent_id=x_ath_agent_id,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    provider_id: str,
    path: str,
    *,
    client: AuthenticatedClient,
    body: Any | Unset = UNSET,
    x_ath_agent_id: str,
) -> ATHError | Any | ProxyErrorBody | None:
    """Proxy a POST request

     Forwards a POST request, body included, to the provider and passes its answer back.

    Args:
        provider_id (str):
        path (str):
        x_ath_agent_id (str):
        body (Any | Unset): A provider's body, passed through unchanged: any value in any content
            type (JSON, text, binary), or no body at all.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ATHError | Any | ProxyErrorBody
    """

    return (
        await asyncio_detailed(
            provider_id=provider_id,
            path=path,
            client=client,
            body=body,
            x_ath_agent_id=x_ath_agent_id,
        )
    ).parsed
