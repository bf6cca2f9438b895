from http import HTTPStatus
from typing import Any

import httpx

from ...client import AuthenticatedClient, Client
from ...models.ath_error import ATHError
from ...models.revocation_response import RevocationResponse
from ...models.token_revocation_request import TokenRevocationRequest
from ...types import Response


def _get_kwargs(
    *,
    body: TokenRevocationRequest,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/ath/revoke",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ATHError | RevocationResponse:
    if response.status_code == 200:
        response_200 = RevocationResponse.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = ATHError.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = ATHError.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = ATHError.from_dict(response.json())

        return response_403

    if response.status_code == 404:
        response_404 = ATHError.from_dict(response.json())

        return response_404

    if response.status_code == 429:
        response_429 = ATHError.from_dict(response.json())

        return response_429

    if response.status_code == 500:
        response_500 = ATHError.from_dict(response.json())

        return response_500

    if response.status_code == 502:
        response_502 = ATHError.from_dict(response.json())

        return response_502

    if response.status_code == 503:
        response_503 = ATHError.from_dict(response.json())

        return response_503

    response_default = ATHError.from_dict(response.json())

    return response_default


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[ATHError | RevocationResponse]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: TokenRevocationRequest,
) -> Response[ATHError | RevocationResponse]:
    """Revoke an ATH access token

     Makes an ATH access token unusable at once (RFC 7009 semantics). An agent authenticates with its
    client credentials in the body; users and administrators authenticate by other means. An unknown,
    expired or already revoked token still gets `200`, so the answer reveals nothing about the token.

    Args:
        body (TokenRevocationRequest): Body of `POST /ath/revoke`. Only `token` is always
            required: an agent revoking its own token MUST also send `client_id` and `client_secret`
            (RFC 7009 client authentication), while users and administrators authenticate to the
            implementer by other means.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ATHError | RevocationResponse]
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
    body: TokenRevocationRequest,
) -> ATHError | RevocationResponse | None:
    """Revoke an ATH access token

     Makes an ATH access token unusable at once (RFC 7009 semantics). An agent authenticates with its
    client credentials in the body; users and administrators authenticate by other means. An unknown,
    expired or already revoked token still gets `200`, so the answer reveals nothing about the token.

    Args:
        body (TokenRevocationRequest): Body of `POST /ath/revoke`. Only `token` is always
            required: an agent revoking its own token MUST also send `client_id` and `client_secret`
            (RFC 7009 client authentication), while users and administrators authenticate to the
            implementer by other means.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ATHError | RevocationResponse
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: TokenRevocationRequest,
) -> Response[ATHError | RevocationResponse]:
    """Revoke an ATH access token

     Makes an ATH access token unusable at once (RFC 7009 semantics). An agent authenticates with its
    client credentials in the body; users and administrators authenticate by other means. An unknown,
    expired or already revoked token still gets `200`, so the answer reveals nothing about the token.

    Args:
        body (TokenRevocationRequest): Body of `POST /ath/revoke`. Only `token` is always
            required: an agent revoking its own token MUST also send `client_id` and `client_secret`
            (RFC 7009 client authentication), while users and administrators authenticate to the
            implementer by other means.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ATHError | RevocationResponse]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    body: TokenRevocationRequest,
) -> ATHError | RevocationResponse | None:
    """Revoke an ATH access token

     Makes an ATH access token unusable at once (RFC 7009 semantics). An agent authenticates with its
    client credentials in the body; users and administrators authenticate by other means. An unknown,
    expired or already revoked token still gets `200`, so the answer reveals nothing about the token.

    Args:
        body (TokenRevocationRequest): Body of `POST /ath/revoke`. Only `token` is always
            required: an agent revoking its own token MUST also send `client_id` and `client_secret`
            (RFC 7009 client authentication), while users and administrators authenticate to the
            implementer by other means.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ATHError | RevocationResponse
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed
