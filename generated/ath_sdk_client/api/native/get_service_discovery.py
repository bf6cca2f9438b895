from http import HTTPStatus
from typing import Any

import httpx

from ...client import AuthenticatedClient, Client
from ...models.ath_error import ATHError
from ...models.service_discovery_document import ServiceDiscoveryDocument
from ...types import Response


def _get_kwargs() -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/.well-known/ath-app.json",
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ATHError | ServiceDiscoveryDocument | str:
    if response.status_code == 200:
        response_200 = ServiceDiscoveryDocument.from_dict(response.json())

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
) -> Response[ATHError | ServiceDiscoveryDocument | str]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
) -> Response[ATHError | ServiceDiscoveryDocument | str]:
    """Service discovery document

     Published by a service that implements ATH natively: its identity, API base URL and OAuth
    configuration. Public, unauthenticated.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ATHError | ServiceDiscoveryDocument | str]
    """

    kwargs = _get_kwargs()

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
) -> ATHError | ServiceDiscoveryDocument | str | None:
    """Service discovery document

     Published by a service that implements ATH natively: its identity, API base URL and OAuth
    configuration. Public, unauthenticated.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ATHError | ServiceDiscoveryDocument | str
    """

    return sync_detailed(
        client=client,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
) -> Response[ATHError | ServiceDiscoveryDocument | str]:
    """Service discovery document

     Published by a service that implements ATH natively: its identity, API base URL and OAuth
    configuration. Public, unauthenticated.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ATHError | ServiceDiscoveryDocument | str]
    """

    kwargs = _get_kwargs()

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
) -> ATHError | ServiceDiscoveryDocument | str | None:
    """Service discovery document

     Published by a service that implements ATH natively: its identity, API base URL and OAuth
    configuration. Public, unauthenticated.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ATHError | ServiceDiscoveryDocument | str
    """

    return (
        await asyncio_detailed(
            client=client,
        )
    ).parsed
