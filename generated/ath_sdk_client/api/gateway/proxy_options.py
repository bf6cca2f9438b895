from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...models.ath_error import ATHError
from ...types import Response


def _get_kwargs(
    provider_id: str,
    path: str,
) -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "options",
        "url": "/ath/proxy/{provider_id}/{path}".format(
            provider_id=quote(str(provider_id), safe=""),
            path=quote(str(path), safe=""),
        ),
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Any | Any | ATHError:
    if response.status_code == 200:
        response_200 = response.json()
        return response_200

    if response.status_code == 400:

        def _parse_response_400(data: object) -> Any | ATHError:
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_proxy_error_body_type_0 = ATHError.from_dict(data)

                return componentsschemas_proxy_error_body_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(Any | ATHError, data)

        response_400 = _parse_response_400(response.json())

        return response_400

    if response.status_code == 401:

        def _parse_response_401(data: object) -> Any | ATHError:
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_proxy_error_body_type_0 = ATHError.from_dict(data)

                return componentsschemas_proxy_error_body_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(Any | ATHError, data)

        response_401 = _parse_response_401(response.json())

        return response_401

    if response.status_code == 403:

        def _parse_response_403(data: object) -> Any | ATHError:
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_proxy_error_body_type_0 = ATHError.from_dict(data)

                return componentsschemas_proxy_error_body_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(Any | ATHError, data)

        response_403 = _parse_response_403(response.json())

        return response_403

    if response.status_code == 404:

        def _parse_response_404(data: object) -> Any | ATHError:
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_proxy_error_body_type_0 = ATHError.from_dict(data)

                return componentsschemas_proxy_error_body_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(Any | ATHError, data)

        response_404 = _parse_response_404(response.json())

        return response_404

    if response.status_code == 429:

        def _parse_response_429(data: object) -> Any | ATHError:
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_proxy_error_body_type_0 = ATHError.from_dict(data)

                return componentsschemas_proxy_error_body_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(Any | ATHError, data)

        response_429 = _parse_response_429(response.json())

        return response_429

    if response.status_code == 500:

        def _parse_response_500(data: object) -> Any | ATHError:
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_proxy_error_body_type_0 = ATHError.from_dict(data)

                return componentsschemas_proxy_error_body_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(Any | ATHError, data)

        response_500 = _parse_response_500(response.json())

        return response_500

    if response.status_code == 502:

        def _parse_response_502(data: object) -> Any | ATHError:
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_proxy_error_body_type_0 = ATHError.from_dict(data)

                return componentsschemas_proxy_error_body_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(Any | ATHError, data)

        response_502 = _parse_response_502(response.json())

        return response_502

    if response.status_code == 503:

        def _parse_response_503(data: object) -> Any | ATHError:
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_proxy_error_body_type_0 = ATHError.from_dict(data)

                return componentsschemas_proxy_error_body_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(Any | ATHError, data)

        response_503 = _parse_response_503(response.json())

        return response_503

    response_default = response.json()
    return response_default


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[Any | Any | ATHError]:
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
) -> Response[Any | Any | ATHError]:
    """Proxy an OPTIONS request

     Forwards an OPTIONS request to the provider and passes its answer back.

    Args:
        provider_id (str):
        path (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | Any | ATHError]
    """

    kwargs = _get_kwargs(
        provider_id=provider_id,
        path=path,
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
) -> Any | Any | ATHError | None:
    """Proxy an OPTIONS request

     Forwards an OPTIONS request to the provider and passes its answer back.

    Args:
        provider_id (str):
        path (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | Any | ATHError
    """

    return sync_detailed(
        provider_id=provider_id,
        path=path,
        client=client,
    ).parsed


async def asyncio_detailed(
    provider_id: str,
    path: str,
    *,
    client: AuthenticatedClient,
) -> Response[Any | Any | ATHError]:
    """Proxy an OPTIONS request

     Forwards an OPTIONS request to the provider and passes its answer back.

    Args:
        provider_id (str):
        path (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | Any | ATHError]
    """

    kwargs = _get_kwargs(
        provider_id=provider_id,
        path=path,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    provider_id: str,
    path: str,
    *,
    client: AuthenticatedClient,
) -> Any | Any | ATHError | None:
    """Proxy an OPTIONS request

     Forwards an OPTIONS request to the provider and passes its answer back.

    Args:
        provider_id (str):
        path (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | Any | ATHError
    """

    return (
        await asyncio_detailed(
            provider_id=provider_id,
            path=path,
            client=client,
        )
    ).parsed
