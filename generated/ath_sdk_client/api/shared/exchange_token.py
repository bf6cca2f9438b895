from __future__ import annotations

from collections.abc import Mapping, MutableMapping
from http import HTTPStatus
from typing import TYPE_CHECKING, Any, cast

from ... import errors
from ...models.ath_error import ATHError
from ...models.token_exchange_request import TokenExchangeRequest
from ...models.token_response import TokenResponse
from ...types import Request, Response, is_json, json_object, text

if TYPE_CHECKING:
    from ...client import AuthenticatedClient, Client


def build_request(
    *,
    body: TokenExchangeRequest,
) -> Request:
    """The request of this operation, described without an HTTP library.

    Send it with any HTTP client, then read the answer with :func:`parse_response`.
    """
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {}
    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    return Request(
        method="POST",
        url="/ath/token",
        headers=headers,
        json=_kwargs.get("json"),
        content=_kwargs.get("content"),
    )


def parse_response(
    *, status_code: int, headers: Mapping[str, str], content: bytes
) -> TokenResponse:
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
            response_200 = TokenResponse.from_dict(json_object(content))

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
) -> ATHError | TokenResponse | str | None:
    if status_code == 400:
        if not is_json(headers):
            return text(headers, content)
        response_400 = ATHError.from_dict(json_object(content))

        return response_400

    if status_code == 401:
        if not is_json(headers):
            return text(headers, content)
        response_401 = ATHError.from_dict(json_object(content))

        return response_401

    if status_code == 403:
        if not is_json(headers):
            return text(headers, content)
        response_403 = ATHError.from_dict(json_object(content))

        return response_403

    if status_code == 404:
        if not is_json(headers):
            return text(headers, content)
        response_404 = ATHError.from_dict(json_object(content))

        return response_404

    if status_code == 429:
        if not is_json(headers):
            return text(headers, content)
        response_429 = ATHError.from_dict(json_object(content))

        return response_429

    if status_code == 500:
        if not is_json(headers):
            return text(headers, content)
        response_500 = ATHError.from_dict(json_object(content))

        return response_500

    if status_code == 502:
        if not is_json(headers):
            return text(headers, content)
        response_502 = ATHError.from_dict(json_object(content))

        return response_502

    if status_code == 503:
        if not is_json(headers):
            return text(headers, content)
        response_503 = ATHError.from_dict(json_object(content))

        return response_503

    if not is_json(headers):
        return text(headers, content)
    response_default = ATHError.from_dict(json_object(content))

    return response_default


def _parse_response(
    *,
    client: AuthenticatedClient | Client,
    status_code: int,
    headers: Mapping[str, str],
    content: bytes,
) -> ATHError | TokenResponse | str:
    try:
        return parse_response(status_code=status_code, headers=headers, content=content)
    except errors.ErrorAnswer as answer:
        return cast(ATHError | TokenResponse | str, answer.parsed)


def _build_response(
    *,
    client: AuthenticatedClient | Client,
    status_code: int,
    headers: MutableMapping[str, str],
    content: bytes,
) -> Response[ATHError | TokenResponse | str]:
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
    body: TokenExchangeRequest,
) -> Response[ATHError | TokenResponse | str]:
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
        Response[ATHError | TokenResponse | str]
    """

    from ...client import send  # noqa: PLC0415 - httpx2 loads with the first request

    response = send(
        client,
        build_request(
            body=body,
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
    body: TokenExchangeRequest,
) -> ATHError | TokenResponse | str | None:
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
        ATHError | TokenResponse | str
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: TokenExchangeRequest,
) -> Response[ATHError | TokenResponse | str]:
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
        Response[ATHError | TokenResponse | str]
    """

    from ...client import send_async  # noqa: PLC0415 - httpx2 loads with the first request

    response = await send_async(
        client,
        build_request(
            body=body,
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
    body: TokenExchangeRequest,
) -> ATHError | TokenResponse | str | None:
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
        ATHError | TokenResponse | str
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed
