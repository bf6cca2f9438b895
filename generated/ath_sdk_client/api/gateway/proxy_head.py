from __future__ import annotations

from collections.abc import Mapping, MutableMapping
from http import HTTPStatus
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import quote

from ... import errors
from ...types import Request, Response

if TYPE_CHECKING:
    from ...client import AuthenticatedClient, Client


def build_request(
    provider_id: str,
    path: str,
    *,
    x_ath_agent_id: str,
) -> Request:
    """The request of this operation, described without an HTTP library.

    Send it with any HTTP client, then read the answer with :func:`parse_response`.
    """
    headers: dict[str, Any] = {}
    headers["X-ATH-Agent-ID"] = x_ath_agent_id

    return Request(
        method="HEAD",
        url="/ath/proxy/{provider_id}/{path}".format(
            provider_id=quote(str(provider_id), safe=""),
            path=quote(str(path), safe=""),
        ),
        headers=headers,
    )


def parse_response(*, status_code: int, headers: Mapping[str, str], content: bytes) -> None:
    """This operation's answer, read from its status, headers and body (no HTTP library).

    A success (2xx) answer becomes None.

    Raises:
        errors.InvalidAnswer: a success answer that is not what the operation promises.
        errors.ErrorAnswer: any other answer; its ``parsed`` is the body as documented for
            that status (the error model, or the text of a body that is not JSON).
    """
    if 200 <= status_code < 300:
        return None
    raise errors.ErrorAnswer(
        status_code, headers, content, _error_body(status_code, headers, content)
    )


def _error_body(status_code: int, headers: Mapping[str, str], content: bytes) -> Any | None:
    if status_code == 400:
        return None

    if status_code == 401:
        return None

    if status_code == 403:
        return None

    if status_code == 404:
        return None

    if status_code == 429:
        return None

    if status_code == 500:
        return None

    if status_code == 502:
        return None

    if status_code == 503:
        return None

    return None


def _parse_response(
    *,
    client: AuthenticatedClient | Client,
    status_code: int,
    headers: Mapping[str, str],
    content: bytes,
) -> Any:
    try:
        return parse_response(status_code=status_code, headers=headers, content=content)
    except errors.ErrorAnswer as answer:
        return cast(Any, answer.parsed)


def _build_response(
    *,
    client: AuthenticatedClient | Client,
    status_code: int,
    headers: MutableMapping[str, str],
    content: bytes,
) -> Response[Any]:
    return Response(
        status_code=HTTPStatus(status_code),
        content=content,
        headers=headers,
        parsed=_parse_response(
            client=client, status_code=status_code, headers=headers, content=content
        ),
    )


def sync_detailed(
    provider_id: str,
    path: str,
    *,
    client: AuthenticatedClient,
    x_ath_agent_id: str,
) -> Response[Any]:
    """Proxy a HEAD request

     Forwards a HEAD request to the provider and passes its status and headers back.

    Args:
        provider_id (str):
        path (str):
        x_ath_agent_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any]
    """

    from ...client import send  # noqa: PLC0415 - httpx2 loads with the first request

    response = send(
        client,
        build_request(
            provider_id=provider_id,
            path=path,
            x_ath_agent_id=x_ath_agent_id,
        ),
    )
    return _build_response(
        client=client,
        status_code=response.status_code,
        headers=response.headers,
        content=response.content,
    )


async def asyncio_detailed(
    provider_id: str,
    path: str,
    *,
    client: AuthenticatedClient,
    x_ath_agent_id: str,
) -> Response[Any]:
    """Proxy a HEAD request

     Forwards a HEAD request to the provider and passes its status and headers back.

    Args:
        provider_id (str):
        path (str):
        x_ath_agent_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any]
    """

    from ...client import send_async  # noqa: PLC0415 - httpx2 loads with the first request

    response = await send_async(
        client,
        build_request(
            provider_id=provider_id,
            path=path,
            x_ath_agent_id=x_ath_agent_id,
        ),
    )
    return _build_response(
        client=client,
        status_code=response.status_code,
        headers=response.headers,
        content=response.content,
    )
