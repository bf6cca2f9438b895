from http import HTTPStatus
from typing import Any

import httpx

from ...client import AuthenticatedClient, Client
from ...models.ath_error import ATHError
from ...models.authorization_request import AuthorizationRequest
from ...models.authorization_response import AuthorizationResponse
from ...types import Response


def _get_kwargs(
    *,
    body: AuthorizationRequest,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/ath/authorize",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ATHError | AuthorizationResponse:
    if response.status_code == 200:
        response_200 = AuthorizationResponse.from_dict(response.json())

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
) -> Response[ATHError | AuthorizationResponse]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: AuthorizationRequest,
) -> Response[ATHError | AuthorizationResponse]:
    """Start user authorization (Phase B)

     Checks that the client is registered and approved, that the attestation is valid and belongs to the
    client's registered `agent_id`, and that the provider and every requested scope were approved in
    Phase A. The implementer creates PKCE parameters (S256) and keeps the verifier server side, and
    returns the provider's consent URL together with a session id that expires within ten minutes and
    can be redeemed once. If the client registered no `redirect_uris`, a request carrying
    `user_redirect_uri` MUST be rejected and the implementer completes the callback itself; otherwise
    `user_redirect_uri` must equal one of them exactly.

    Args:
        body (AuthorizationRequest): Body of `POST /ath/authorize` (Phase B). PKCE is created by
            the implementer, not the agent.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ATHError | AuthorizationResponse]
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
    body: AuthorizationRequest,
) -> ATHError | AuthorizationResponse | None:
    """Start user authorization (Phase B)

     Checks that the client is registered and approved, that the attestation is valid and belongs to the
    client's registered `agent_id`, and that the provider and every requested scope were approved in
    Phase A. The implementer creates PKCE parameters (S256) and keeps the verifier server side, and
    returns the provider's consent URL together with a session id that expires within ten minutes and
    can be redeemed once. If the client registered no `redirect_uris`, a request carrying
    `user_redirect_uri` MUST be rejected and the implementer completes the callback itself; otherwise
    `user_redirect_uri` must equal one of them exactly.

    Args:
        body (AuthorizationRequest): Body of `POST /ath/authorize` (Phase B). PKCE is created by
            the implementer, not the agent.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ATHError | AuthorizationResponse
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: AuthorizationRequest,
) -> Response[ATHError | AuthorizationResponse]:
    """Start user authorization (Phase B)

     Checks that the client is registered and approved, that the attestation is valid and belongs to the
    client's registered `agent_id`, and that the provider and every requested scope were approved in
    Phase A. The implementer creates PKCE parameters (S256) and keeps the verifier server side, and
    returns the provider's consent URL together with a session id that expires within ten minutes and
    can be redeemed once. If the client registered no `redirect_uris`, a request carrying
    `user_redirect_uri` MUST be rejected and the implementer completes the callback itself; otherwise
    `user_redirect_uri` must equal one of them exactly.

    Args:
        body (AuthorizationRequest): Body of `POST /ath/authorize` (Phase B). PKCE is created by
            the implementer, not the agent.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ATHError | AuthorizationResponse]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    body: AuthorizationRequest,
) -> ATHError | AuthorizationResponse | None:
    """Start user authorization (Phase B)

     Checks that the client is registered and approved, that the attestation is valid and belongs to the
    client's registered `agent_id`, and that the provider and every requested scope were approved in
    Phase A. The implementer creates PKCE parameters (S256) and keeps the verifier server side, and
    returns the provider's consent URL together with a session id that expires within ten minutes and
    can be redeemed once. If the client registered no `redirect_uris`, a request carrying
    `user_redirect_uri` MUST be rejected and the implementer completes the callback itself; otherwise
    `user_redirect_uri` must equal one of them exactly.

    Args:
        body (AuthorizationRequest): Body of `POST /ath/authorize` (Phase B). PKCE is created by
            the implementer, not the agent.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ATHError | AuthorizationResponse
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed
