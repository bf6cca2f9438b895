from __future__ import annotations

from collections.abc import Mapping, MutableMapping
from http import HTTPStatus
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import quote

from ... import errors
from ...models.ath_error import ATHError
from ...models.proxy_error_body import ProxyErrorBody
from ...types import Request, Response, is_json, json_object

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
        method="DELETE",
        url="/ath/proxy/{provider_id}/{path}".format(
            provider_id=quote(str(provider_id), safe=""),
            path=quote(str(path), safe=""),
        ),
        headers=headers,
    )


def parse_response(*, status_code: int, headers: Mapping[str, str], content: bytes) -> Any:
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
            response_200 = content

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
) -> ATHError | Any | ProxyErrorBody | None:
    if status_code == 400:
        if not is_json(headers):
            return content
        response_400 = ProxyErrorBody.from_dict(json_object(content))

        return response_400

    if status_code == 401:
        if not is_json(headers):
            return content
        response_401 = ATHError.from_dict(json_object(content))

        return response_401

    if status_code == 403:
        if not is_json(headers):
            return content
        response_403 = ProxyErrorBody.from_dict(json_object(content))

        return response_403

    if status_code == 404:
        if not is_json(headers):
            return content
        response_404 = ProxyErrorBody.from_dict(json_object(content))

        return response_404

    if status_code == 429:
        if not is_json(headers):
            return content
        response_429 = ProxyErrorBody.from_dict(json_object(content))

        return response_429

    if status_code == 500:
        if not is_json(headers):
            return content
        response_500 = ProxyErrorBody.from_dict(json_object(content))

        return response_500

    if status_code == 502:
        if not is_json(headers):
            return content
        response_502 = ProxyErrorBody.from_dict(json_object(content))

        return response_502

    if status_code == 503:
        if not is_json(headers):
            return content
        response_503 = ProxyErrorBody.from_dict(json_object(content))

        return response_503

    if not is_json(headers):
        return content
    response_default = ProxyErrorBody.from_dict(json_object(content))

    return response_default


def _parse_response(
    *,
    client: AuthenticatedClient | Client,
    status_code: int,
    headers: Mapping[str, str],
    content: bytes,
) -> ATHError | Any | ProxyErrorBody:
    try:
        return parse_response(status_code=status_code, headers=headers, content=content)
    except errors.ErrorAnswer as answer:
        return cast(ATHError | Any | ProxyErrorBody, answer.parsed)


def _build_response(
    *,
    client: AuthenticatedClient | Client,
    status_code: int,
    headers: MutableMapping[str, str],
    content: bytes,
) -> Response[ATHError | Any | ProxyErrorBody]:
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
) -> Response[ATHError | Any | ProxyErrorBody]:
    """Proxy a DELETE request

     Forwards a DELETE request to the provider and passes its answer back. DELETE normally has no body,
    so none is described here.

    Args:
        provider_id (str):
        path (str):
        x_ath_agent_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ATHError | Any | ProxyErrorBody]
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


def sync(
    provider_id: str,
    path: str,
    *,
    client: AuthenticatedClient,
    x_ath_agent_id: str,
) -> ATHError | Any | ProxyErrorBody | None:
    """Proxy a DELETE request

     Forwards a DELETE request to the provider and passes its answer back. DELETE normally has no body,
    so none is described here.

    Args:
        provider_id (str):
        path (str):
        x_ath_agent_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ATHError | Any | ProxyErrorBody
    """

    return sync_detailed(
        provider_id=provider_id,
        path=path,
        client=client,
        x_ath_agent_id=x_ath_agent_id,
    ).parsed


async def asyncio_detailed(
    provider_id: str,
    path: str,
    *,
    client: AuthenticatedClient,
    x_ath_agent_id: str,
) -> Response[ATHError | Any | ProxyErrorBody]:
    """Proxy a DELETE request

     Forwards a DELETE request to the provider and passes its answer back. DELETE normally has no body,
    so none is described here.

    Args:
        provider_id (str):
        path (str):
        x_ath_agent_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ATHError | Any | ProxyErrorBody]
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


async def asyncio(
    provider_id: str,
    path: str,
    *,
    client: AuthenticatedClient,
    x_ath_agent_id: str,
) -> ATHError | Any | ProxyErrorBody | None:
    """Proxy a DELETE request

     Forwards a DELETE request to the provider and passes its answer back. DELETE normally has no body,
    so none is described here.

    Args:
        provider_id (str):
        path (str):
        x_ath_agent_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ATHError | Any | ProxyErrorBody
    """

    return (
        await asyncio_detailed(
            provider_id=provider_id,
            path=path,
            client=client,
            x_ath_agent_id=x_ath_agent_id,
        )
    ).parsed
