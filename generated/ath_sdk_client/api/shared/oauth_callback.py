from http import HTTPStatus
from typing import Any, cast

import httpx

from ...client import AuthenticatedClient, Client
from ...models.ath_error import ATHError
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    state: str,
    code: str | Unset = UNSET,
    error: str | Unset = UNSET,
    error_description: str | Unset = UNSET,
    error_uri: str | Unset = UNSET,
    iss: str | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["state"] = state

    params["code"] = code

    params["error"] = error

    params["error_description"] = error_description

    params["error_uri"] = error_uri

    params["iss"] = iss

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/ath/callback",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ATHError | Any:
    if response.status_code == 302:
        response_302 = cast(Any, None)
        return response_302

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
) -> Response[ATHError | Any]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    state: str,
    code: str | Unset = UNSET,
    error: str | Unset = UNSET,
    error_description: str | Unset = UNSET,
    error_uri: str | Unset = UNSET,
    iss: str | Unset = UNSET,
) -> Response[ATHError | Any]:
    """OAuth redirect target (browser)

     The provider sends the user's browser here after the consent screen (RFC 6749 §4.1.2). The
    implementer checks `state` against the pending session and that the browser is the one that started
    it (for example with an HTTP-only cookie), redeems the provider's code with the stored PKCE
    verifier, records the scopes the user consented to, and redirects the browser on: to the
    `user_redirect_uri` of the authorization request when one was given, otherwise to a completion page
    of the implementer's choice. Provider tokens never leave the implementer. Agents do not call this
    endpoint; it is listed for implementers and for test harnesses that drive a browser-less consent
    flow.

    Args:
        state (str):
        code (str | Unset):
        error (str | Unset):
        error_description (str | Unset):
        error_uri (str | Unset):
        iss (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ATHError | Any]
    """

    kwargs = _get_kwargs(
        state=state,
        code=code,
        error=error,
        error_description=error_description,
        error_uri=error_uri,
        iss=iss,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    state: str,
    code: str | Unset = UNSET,
    error: str | Unset = UNSET,
    error_description: str | Unset = UNSET,
    error_uri: str | Unset = UNSET,
    iss: str | Unset = UNSET,
) -> ATHError | Any | None:
    """OAuth redirect target (browser)

     The provider sends the user's browser here after the consent screen (RFC 6749 §4.1.2). The
    implementer checks `state` against the pending session and that the browser is the one that started
    it (for example with an HTTP-only cookie), redeems the provider's code with the stored PKCE
    verifier, records the scopes the user consented to, and redirects the browser on: to the
    `user_redirect_uri` of the authorization request when one was given, otherwise to a completion page
    of the implementer's choice. Provider tokens never leave the implementer. Agents do not call this
    endpoint; it is listed for implementers and for test harnesses that drive a browser-less consent
    flow.

    Args:
        state (str):
        code (str | Unset):
        error (str | Unset):
        error_description (str | Unset):
        error_uri (str | Unset):
        iss (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ATHError | Any
    """

    return sync_detailed(
        client=client,
        state=state,
        code=code,
        error=error,
        error_description=error_description,
        error_uri=error_uri,
        iss=iss,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    state: str,
    code: str | Unset = UNSET,
    error: str | Unset = UNSET,
    error_description: str | Unset = UNSET,
    error_uri: str | Unset = UNSET,
    iss: str | Unset = UNSET,
) -> Response[ATHError | Any]:
    """OAuth redirect target (browser)

     The provider sends the user's browser here after the consent screen (RFC 6749 §4.1.2). The
    implementer checks `state` against the pending session and that the browser is the one that started
    it (for example with an HTTP-only cookie), redeems the provider's code with the stored PKCE
    verifier, records the scopes the user consented to, and redirects the browser on: to the
    `user_redirect_uri` of the authorization request when one was given, otherwise to a completion page
    of the implementer's choice. Provider tokens never leave the implementer. Agents do not call this
    endpoint; it is listed for implementers and for test harnesses that drive a browser-less consent
    flow.

    Args:
        state (str):
        code (str | Unset):
        error (str | Unset):
        error_description (str | Unset):
        error_uri (str | Unset):
        iss (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ATHError | Any]
    """

    kwargs = _get_kwargs(
        state=state,
        code=code,
        error=error,
        error_description=error_description,
        error_uri=error_uri,
        iss=iss,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    state: str,
    code: str | Unset = UNSET,
    error: str | Unset = UNSET,
    error_description: str | Unset = UNSET,
    error_uri: str | Unset = UNSET,
    iss: str | Unset = UNSET,
) -> ATHError | Any | None:
    """OAuth redirect target (browser)

     The provider sends the user's browser here after the consent screen (RFC 6749 §4.1.2). The
    implementer checks `state` against the pending session and that the browser is the one that started
    it (for example with an HTTP-only cookie), redeems the provider's code with the stored PKCE
    verifier, records the scopes the user consented to, and redirects the browser on: to the
    `user_redirect_uri` of the authorization request when one was given, otherwise to a completion page
    of the implementer's choice. Provider tokens never leave the implementer. Agents do not call this
    endpoint; it is listed for implementers and for test harnesses that drive a browser-less consent
    flow.

    Args:
        state (str):
        code (str | Unset):
        error (str | Unset):
        error_description (str | Unset):
        error_uri (str | Unset):
        iss (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ATHError | Any
    """

    return (
        await asyncio_detailed(
            client=client,
            state=state,
            code=code,
            error=error,
            error_description=error_description,
            error_uri=error_uri,
            iss=iss,
        )
    ).parsed
