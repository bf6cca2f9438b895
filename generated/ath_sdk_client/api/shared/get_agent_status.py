from __future__ import annotations

from collections.abc import Mapping, MutableMapping
from http import HTTPStatus
from typing import TYPE_CHECKING, cast
from urllib.parse import quote

from ... import errors
from ...models.agent_status_response import AgentStatusResponse
from ...models.ath_error import ATHError
from ...types import Request, Response, is_json, json_object, text

if TYPE_CHECKING:
    from ...client import AuthenticatedClient, Client


def build_request(
    client_id: str,
) -> Request:
    """The request of this operation, described without an HTTP library.

    Send it with any HTTP client, then read the answer with :func:`parse_response`.
    """

    return Request(
        method="GET",
        url="/ath/agents/{client_id}".format(
            client_id=quote(str(client_id), safe=""),
        ),
    )


def parse_response(
    *, status_code: int, headers: Mapping[str, str], content: bytes
) -> AgentStatusResponse:
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
            response_200 = AgentStatusResponse.from_dict(json_object(content))

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
) -> ATHError | AgentStatusResponse | str | None:
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
) -> ATHError | AgentStatusResponse | str:
    try:
        return parse_response(status_code=status_code, headers=headers, content=content)
    except errors.ErrorAnswer as answer:
        return cast(ATHError | AgentStatusResponse | str, answer.parsed)


def _build_response(
    *,
    client: AuthenticatedClient | Client,
    status_code: int,
    headers: MutableMapping[str, str],
    content: bytes,
) -> Response[ATHError | AgentStatusResponse | str]:
    return Response(
        status_code=HTTPStatus(status_code),
        content=content,
        headers=headers,
        parsed=_parse_response(
            client=client, status_code=status_code, headers=headers, content=content
        ),
    )


def sync_detailed(
    client_id: str,
    *,
    client: AuthenticatedClient,
) -> Response[ATHError | AgentStatusResponse | str]:
    """Registration status of an agent

     Returns the current registration status and per-provider approvals of a client. The protocol
    requires this endpoint to be authenticated; it uses HTTP Basic authentication with the client's
    `client_id` and `client_secret` (RFC 7617). A caller may only read its own registration: a
    `client_id` in the path that differs from the authenticated client gets `403` (or `404`, so as not
    to reveal which clients exist).

    Args:
        client_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ATHError | AgentStatusResponse | str]
    """

    from ...client import send  # noqa: PLC0415 - httpx2 loads with the first request

    response = send(
        client,
        build_request(
            client_id=client_id,
        ),
    )
    return _build_response(
        client=client,
        status_code=response.status_code,
        headers=response.headers,
        content=response.content,
    )


def sync(
    client_id: str,
    *,
    client: AuthenticatedClient,
) -> ATHError | AgentStatusResponse | str | None:
    """Registration status of an agent

     Returns the current registration status and per-provider approvals of a client. The protocol
    requires this endpoint to be authenticated; it uses HTTP Basic authentication with the client's
    `client_id` and `client_secret` (RFC 7617). A caller may only read its own registration: a
    `client_id` in the path that differs from the authenticated client gets `403` (or `404`, so as not
    to reveal which clients exist).

    Args:
        client_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ATHError | AgentStatusResponse | str
    """

    return sync_detailed(
        client_id=client_id,
        client=client,
    ).parsed


async def asyncio_detailed(
    client_id: str,
    *,
    client: AuthenticatedClient,
) -> Response[ATHError | AgentStatusResponse | str]:
    """Registration status of an agent

     Returns the current registration status and per-provider approvals of a client. The protocol
    requires this endpoint to be authenticated; it uses HTTP Basic authentication with the client's
    `client_id` and `client_secret` (RFC 7617). A caller may only read its own registration: a
    `client_id` in the path that differs from the authenticated client gets `403` (or `404`, so as not
    to reveal which clients exist).

    Args:
        client_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ATHError | AgentStatusResponse | str]
    """

    from ...client import send_async  # noqa: PLC0415 - httpx2 loads with the first request

    response = await send_async(
        client,
        build_request(
            client_id=client_id,
        ),
    )
    return _build_response(
        client=client,
        status_code=response.status_code,
        headers=response.headers,
        content=response.content,
    )


async def asyncio(
    client_id: str,
    *,
    client: AuthenticatedClient,
) -> ATHError | AgentStatusResponse | str | None:
    """Registration status of an agent

     Returns the current registration status and per-provider approvals of a client. The protocol
    requires this endpoint to be authenticated; it uses HTTP Basic authentication with the client's
    `client_id` and `client_secret` (RFC 7617). A caller may only read its own registration: a
    `client_id` in the path that differs from the authenticated client gets `403` (or `404`, so as not
    to reveal which clients exist).

    Args:
        client_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ATHError | AgentStatusResponse | str
    """

    return (
        await asyncio_detailed(
            client_id=client_id,
            client=client,
        )
    ).parsed
