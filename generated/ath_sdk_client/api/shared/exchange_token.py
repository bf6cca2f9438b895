from http import HTTPStatus
from typing import Any

import httpx

from ...client import AuthenticatedClient, Client
from ...models.ath_error import ATHError
from ...models.token_exchange_request import TokenExchangeRequest
from ...models.token_response import TokenResponse
from ...types import Response


def _get_kwargs(
    *,
    body: TokenExchangeRequest,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/ath/token",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ATHError | TokenResponse:
    if response.status_code == 200:
        response_200 = TokenResponse.from_dict(response.json())

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
) -> Response[ATHError | TokenResponse]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: TokenExchangeRequest,
) -> Response[ATHError | TokenResponse]:
    """Exchange for an ATH access token

     Authenticates the client with its credentials and a fresh attestation whose `aud` is exactly this
    endpoint's URL, consumes the authorization session and issues an ATH access token bound to
    (agent_id, user_id, provider_id, scopes). Its effective scopes are the intersection of the agent-
    approved, user-consented and requested scopes; when that intersection is empty no token is issued.
    Until the user has completed consent the answer is `400` with code `SESSION_NOT_FOUND`
    ("authorization not completed") and the session is not consumed, so an agent that received no
    redirect polls this endpoint (with a fresh attestation each time) until it gets the token,
    `USER_DENIED` or `SESSION_EXPIRED`. When the implementer completed the callback itself, `code`
    carries no information and may be empty.

    Args:
        body (TokenExchangeRequest): Body of `POST /ath/token`. The attestation's `sub` must be
            the client's registered `agent_id` and its `aud` exactly the token endpoint URL.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ATHError | TokenResponse]
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
    body: TokenExchangeRequest,
) -> ATHError | TokenResponse | None:
    """Exchange for an ATH access token

     Authenticates the client with its credentials and a fresh attestation whose `aud` is exactly this
    endpoint's URL, consumes the authorization session and issues an ATH access token bound to
    (agent_id, user_id, provider_id, scopes). Its effective scopes are the intersection of the agent-
    approved, user-consented and requested scopes; when that intersection is empty no token is issued.
    Until the user has completed consent the answer is `400` with code `SESSION_NOT_FOUND`
    ("authorization not completed") and the session is not consumed, so an agent that received no
    redirect polls this endpoint (with a fresh attestation each time) until it gets the token,
    `USER_DENIED` or `SESSION_EXPIRED`. When the implementer completed the callback itself, `code`
    carries no information and may be empty.

    Args:
        body (TokenExchangeRequest): Body of `POST /ath/token`. The attestation's `sub` must be
            the client's registered `agent_id` and its `aud` exactly the token endpoint URL.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ATHError | TokenResponse
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: TokenExchangeRequest,
) -> Response[ATHError | TokenResponse]:
    """Exchange for an ATH access token

     Authenticates the client with its credentials and a fresh attestation whose `aud` is exactly this
    endpoint's URL, consumes the authorization session and issues an ATH access token bound to
    (agent_id, user_id, provider_id, scopes). Its effective scopes are the intersection of the agent-
    approved, user-consented and requested scopes; when that intersection is empty no token is issued.
    Until the user has completed consent the answer is `400` with code `SESSION_NOT_FOUND`
    ("authorization not completed") and the session is not consumed, so an agent that received no
    redirect polls this endpoint (with a fresh attestation each time) until it gets the token,
    `USER_DENIED` or `SESSION_EXPIRED`. When the implementer completed the callback itself, `code`
    carries no information and may be empty.

    Args:
        body (TokenExchangeRequest): Body of `POST /ath/token`. The attestation's `sub` must be
            the client's registered `agent_id` and its `aud` exactly the token endpoint URL.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ATHError | TokenResponse]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    body: TokenExchangeRequest,
) -> ATHError | TokenResponse | None:
    """Exchange for an ATH access token

     Authenticates the client with its credentials and a fresh attestation whose `aud` is exactly this
    endpoint's URL, consumes the authorization session and issues an ATH access token bound to
    (agent_id, user_id, provider_id, scopes). Its effective scopes are the intersection of the agent-
    approved, user-consented and requested scopes; when that intersection is empty no token is issued.
    Until the user has completed consent the answer is `400` with code `SESSION_NOT_FOUND`
    ("authorization not completed") and the session is not consumed, so an agent that received no
    redirect polls this endpoint (with a fresh attestation each time) until it gets the token,
    `USER_DENIED` or `SESSION_EXPIRED`. When the implementer completed the callback itself, `code`
    carries no information and may be empty.

    Args:
        body (TokenExchangeRequest): Body of `POST /ath/token`. The attestation's `sub` must be
            the client's registered `agent_id` and its `aud` exactly the token endpoint URL.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ATHError | TokenResponse
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed
