from http import HTTPStatus
from typing import Any, cast

import httpx

from ...client import AuthenticatedClient, Client
from ...models.ath_error import ATHError
from ...models.consent_completion import ConsentCompletion
from ...models.oauth_callback_success import OauthCallbackSuccess
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    state: str | Unset = UNSET,
    session_id: str | Unset = UNSET,
    success: OauthCallbackSuccess | Unset = UNSET,
    code: str | Unset = UNSET,
    error: str | Unset = UNSET,
    error_description: str | Unset = UNSET,
    error_uri: str | Unset = UNSET,
    iss: str | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["state"] = state

    params["session_id"] = session_id

    json_success: str | Unset = UNSET
    if not isinstance(success, Unset):
        json_success = success.value

    params["success"] = json_success

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
) -> ATHError | Any | ConsentCompletion:
    if response.status_code == 200:
        response_200 = ConsentCompletion.from_dict(response.json())

        return response_200

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
) -> Response[ATHError | Any | ConsentCompletion]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    state: str | Unset = UNSET,
    session_id: str | Unset = UNSET,
    success: OauthCallbackSuccess | Unset = UNSET,
    code: str | Unset = UNSET,
    error: str | Unset = UNSET,
    error_description: str | Unset = UNSET,
    error_uri: str | Unset = UNSET,
    iss: str | Unset = UNSET,
) -> Response[ATHError | Any | ConsentCompletion]:
    """OAuth redirect target (browser)

     The provider sends the user's browser here after the consent screen (RFC 6749 §4.1.2). The
    implementer checks `state` against the pending session and that the browser is the one that started
    it (for example with an HTTP-only cookie), redeems the provider's code with the stored PKCE
    verifier, records the scopes the user consented to, and redirects the browser on: to the
    `user_redirect_uri` of the authorization request when one was given, otherwise to a completion page
    of the implementer's choice. Provider tokens never leave the implementer. Agents do not call this
    endpoint; it is listed for implementers and for test harnesses that drive a browser-less consent
    flow.

    Two legs share this URL. The provider's redirect (`state`, then `code` or `error`) answers `302`
    with `Location`. An implementer may use the same URL, with `session_id` in the query, as its
    completion page: the redirect then points back here
    (`/ath/callback?code=...&state=...&session_id=...`, or `session_id`, `success` and `error` from
    gateways that follow the public reference) and the page answers `200`, HTML for a browser,
    `ConsentCompletion` JSON when the request asks for `application/json`.

    Args:
        state (str | Unset):
        session_id (str | Unset):
        success (OauthCallbackSuccess | Unset):
        code (str | Unset):
        error (str | Unset):
        error_description (str | Unset):
        error_uri (str | Unset):
        iss (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ATHError | Any | ConsentCompletion]
    """

    kwargs = _get_kwargs(
        state=state,
        session_id=session_id,
        success=success,
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
    state: str | Unset = UNSET,
    session_id: str | Unset = UNSET,
    success: OauthCallbackSuccess | Unset = UNSET,
    code: str | Unset = UNSET,
    error: str | Unset = UNSET,
    error_description: str | Unset = UNSET,
    error_uri: str | Unset = UNSET,
    iss: str | Unset = UNSET,
) -> ATHError | Any | ConsentCompletion | None:
    """OAuth redirect target (browser)

     The provider sends the user's browser here after the consent screen (RFC 6749 §4.1.2). The
    implementer checks `state` against the pending session and that the browser is the one that started
    it (for example with an HTTP-only cookie), redeems the provider's code with the stored PKCE
    verifier, records the scopes the user consented to, and redirects the browser on: to the
    `user_redirect_uri` of the authorization request when one was given, otherwise to a completion page
    of the implementer's choice. Provider tokens never leave the implementer. Agents do not call this
    endpoint; it is listed for implementers and for test harnesses that drive a browser-less consent
    flow.

    Two legs share this URL. The provider's redirect (`state`, then `code` or `error`) answers `302`
    with `Location`. An implementer may use the same URL, with `session_id` in the query, as its
    completion page: the redirect then points back here
    (`/ath/callback?code=...&state=...&session_id=...`, or `session_id`, `success` and `error` from
    gateways that follow the public reference) and the page answers `200`, HTML for a browser,
    `ConsentCompletion` JSON when the request asks for `application/json`.

    Args:
        state (str | Unset):
        session_id (str | Unset):
        success (OauthCallbackSuccess | Unset):
        code (str | Unset):
        error (str | Unset):
        error_description (str | Unset):
        error_uri (str | Unset):
        iss (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ATHError | Any | ConsentCompletion
    """

    return sync_detailed(
        client=client,
        state=state,
        session_id=session_id,
        success=success,
        code=code,
        error=error,
        error_description=error_description,
        error_uri=error_uri,
        iss=iss,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    state: str | Unset = UNSET,
    session_id: str | Unset = UNSET,
    success: OauthCallbackSuccess | Unset = UNSET,
    code: str | Unset = UNSET,
    error: str | Unset = UNSET,
    error_description: str | Unset = UNSET,
    error_uri: str | Unset = UNSET,
    iss: str | Unset = UNSET,
) -> Response[ATHError | Any | ConsentCompletion]:
    """OAuth redirect target (browser)

     The provider sends the user's browser here after the consent screen (RFC 6749 §4.1.2). The
    implementer checks `state` against the pending session and that the browser is the one that started
    it (for example with an HTTP-only cookie), redeems the provider's code with the stored PKCE
    verifier, records the scopes the user consented to, and redirects the browser on: to the
    `user_redirect_uri` of the authorization request when one was given, otherwise to a completion page
    of the implementer's choice. Provider tokens never leave the implementer. Agents do not call this
    endpoint; it is listed for implementers and for test harnesses that drive a browser-less consent
    flow.

    Two legs share this URL. The provider's redirect (`state`, then `code` or `error`) answers `302`
    with `Location`. An implementer may use the same URL, with `session_id` in the query, as its
    completion page: the redirect then points back here
    (`/ath/callback?code=...&state=...&session_id=...`, or `session_id`, `success` and `error` from
    gateways that follow the public reference) and the page answers `200`, HTML for a browser,
    `ConsentCompletion` JSON when the request asks for `application/json`.

    Args:
        state (str | Unset):
        session_id (str | Unset):
        success (OauthCallbackSuccess | Unset):
        code (str | Unset):
        error (str | Unset):
        error_description (str | Unset):
        error_uri (str | Unset):
        iss (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ATHError | Any | ConsentCompletion]
    """

    kwargs = _get_kwargs(
        state=state,
        session_id=session_id,
        success=success,
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
    state: str | Unset = UNSET,
    session_id: str | Unset = UNSET,
    success: OauthCallbackSuccess | Unset = UNSET,
    code: str | Unset = UNSET,
    error: str | Unset = UNSET,
    error_description: str | Unset = UNSET,
    error_uri: str | Unset = UNSET,
    iss: str | Unset = UNSET,
) -> ATHError | Any | ConsentCompletion | None:
    """OAuth redirect target (browser)

     The provider sends the user's browser here after the consent screen (RFC 6749 §4.1.2). The
    implementer checks `state` against the pending session and that the browser is the one that started
    it (for example with an HTTP-only cookie), redeems the provider's code with the stored PKCE
    verifier, records the scopes the user consented to, and redirects the browser on: to the
    `user_redirect_uri` of the authorization request when one was given, otherwise to a completion page
    of the implementer's choice. Provider tokens never leave the implementer. Agents do not call this
    endpoint; it is listed for implementers and for test harnesses that drive a browser-less consent
    flow.

    Two legs share this URL. The provider's redirect (`state`, then `code` or `error`) answers `302`
    with `Location`. An implementer may use the same URL, with `session_id` in the query, as its
    completion page: the redirect then points back here
    (`/ath/callback?code=...&state=...&session_id=...`, or `session_id`, `success` and `error` from
    gateways that follow the public reference) and the page answers `200`, HTML for a browser,
    `ConsentCompletion` JSON when the request asks for `application/json`.

    Args:
        state (str | Unset):
        session_id (str | Unset):
        success (OauthCallbackSuccess | Unset):
        code (str | Unset):
        error (str | Unset):
        error_description (str | Unset):
        error_uri (str | Unset):
        iss (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ATHError | Any | ConsentCompletion
    """

    return (
        await asyncio_detailed(
            client=client,
            state=state,
            session_id=session_id,
            success=success,
            code=code,
            error=error,
            error_description=error_description,
            error_uri=error_uri,
            iss=iss,
        )
    ).parsed
