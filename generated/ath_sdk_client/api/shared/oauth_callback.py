from __future__ import annotations

from collections.abc import Mapping, MutableMapping
from http import HTTPStatus
from typing import TYPE_CHECKING, Any, cast

from ... import errors
from ...models.ath_error import ATHError
from ...models.consent_completion import ConsentCompletion
from ...models.oauth_callback_success import OauthCallbackSuccess
from ...types import UNSET, Request, Response, Unset, is_json, json_object

if TYPE_CHECKING:
    from ...client import AuthenticatedClient, Client


def build_request(
    *,
    state: str | Unset = UNSET,
    session_id: str | Unset = UNSET,
    success: OauthCallbackSuccess | Unset = UNSET,
    code: str | Unset = UNSET,
    error: str | Unset = UNSET,
    error_description: str | Unset = UNSET,
    error_uri: str | Unset = UNSET,
    iss: str | Unset = UNSET,
) -> Request:
    """The request of this operation, described without an HTTP library.

    Send it with any HTTP client, then read the answer with :func:`parse_response`.
    """

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

    return Request(
        method="GET",
        url="/ath/callback",
        params=params,
    )


def parse_response(
    *, status_code: int, headers: Mapping[str, str], content: bytes
) -> ConsentCompletion:
    """This operation's answer, read from its status, headers and body (no HTTP library).

    A success (2xx) answer becomes the operation's result, checked once: its JSON nests at most
    ``types.MAX_JSON_DEPTH`` levels, holds valid Unicode, and every field has its declared type.

    Raises:
        errors.InvalidAnswer: a success answer that is not what the operation promises.
        errors.ErrorAnswer: any other answer; its ``parsed`` is the body as documented for
            that status (the error model, or the text of a body that is not JSON).
    """
    if 200 <= status_code < 300:
        try:
            response_200 = ConsentCompletion.from_dict(json_object(content))

            return response_200

        except errors.InvalidAnswer:
            raise
        except (KeyError, TypeError, ValueError, AttributeError, OverflowError) as exc:
            raise errors.InvalidAnswer("schema", f"{type(exc).__name__}: {exc}") from exc
    raise errors.ErrorAnswer(
        status_code, headers, content, _error_body(status_code, headers, content)
    )


def _error_body(
    status_code: int, headers: Mapping[str, str], content: bytes
) -> ATHError | Any | ConsentCompletion | None:
    if status_code == 302:
        response_302 = None

        return response_302

    if status_code == 400:
        if not is_json(headers):
            return content
        response_400 = ATHError.from_dict(json_object(content))

        return response_400

    if status_code == 401:
        if not is_json(headers):
            return content
        response_401 = ATHError.from_dict(json_object(content))

        return response_401

    if status_code == 403:
        if not is_json(headers):
            return content
        response_403 = ATHError.from_dict(json_object(content))

        return response_403

    if status_code == 404:
        if not is_json(headers):
            return content
        response_404 = ATHError.from_dict(json_object(content))

        return response_404

    if status_code == 429:
        if not is_json(headers):
            return content
        response_429 = ATHError.from_dict(json_object(content))

        return response_429

    if status_code == 500:
        if not is_json(headers):
            return content
        response_500 = ATHError.from_dict(json_object(content))

        return response_500

    if status_code == 502:
        if not is_json(headers):
            return content
        response_502 = ATHError.from_dict(json_object(content))

        return response_502

    if status_code == 503:
        if not is_json(headers):
            return content
        response_503 = ATHError.from_dict(json_object(content))

        return response_503

    if not is_json(headers):
        return content
    response_default = ATHError.from_dict(json_object(content))

    return response_default


def _parse_response(
    *,
    client: AuthenticatedClient | Client,
    status_code: int,
    headers: Mapping[str, str],
    content: bytes,
) -> ATHError | Any | ConsentCompletion:
    try:
        return parse_response(status_code=status_code, headers=headers, content=content)
    except errors.ErrorAnswer as answer:
        return cast(ATHError | Any | ConsentCompletion, answer.parsed)


def _build_response(
    *,
    client: AuthenticatedClient | Client,
    status_code: int,
    headers: MutableMapping[str, str],
    content: bytes,
) -> Response[ATHError | Any | ConsentCompletion]:
    return Response(
        status_code=HTTPStatus(status_code),
        content=content,
        headers=headers,
        parsed=_parse_response(
            client=client, status_code=status_code, headers=headers, content=content
        ),
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

    from ...client import send  # noqa: PLC0415 - httpx2 loads with the first request

    response = send(
        client,
        build_request(
            state=state,
            session_id=session_id,
            success=success,
            code=code,
            error=error,
            error_description=error_description,
            error_uri=error_uri,
            iss=iss,
        ),
    )
    return _build_response(
        client=client,
        status_code=response.status_code,
        headers=response.headers,
        content=response.content,
    )


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

    from ...client import send_async  # noqa: PLC0415 - httpx2 loads with the first request

    response = await send_async(
        client,
        build_request(
            state=state,
            session_id=session_id,
            success=success,
            code=code,
            error=error,
            error_description=error_description,
            error_uri=error_uri,
            iss=iss,
        ),
    )
    return _build_response(
        client=client,
        status_code=response.status_code,
        headers=response.headers,
        content=response.content,
    )


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
