"""``ath proxy`` and ``ath api``: calls to a provider's API through the gateway, or to an
ATH-native service's API, with the stored token."""

from __future__ import annotations

import contextlib
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, cast

import click

from ath.cli import _output as o
from ath.cli._complete import complete_providers
from ath.cli._context import Run, pass_run, usage

if TYPE_CHECKING:
    from ath import HTTPMethod

__all__ = ["COMMANDS", "api", "proxy"]


def _body(data: str | None) -> Any:
    if data is None:
        return None
    if data.startswith("@"):
        name = data[1:]
        try:
            data = sys.stdin.read() if name == "-" else Path(name).read_text(encoding="utf-8")
        except OSError as exc:
            raise usage(f"-d @{name}: {exc.strerror}") from None
    try:
        return json.loads(data)
    except ValueError as exc:
        raise usage(f"-d takes JSON (or @file, @- for stdin): {exc}") from None


def _pairs(params: tuple[str, ...]) -> dict[str, str] | None:
    out: dict[str, str] = {}
    for item in params:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise usage(f"-p is KEY=VALUE, not {item!r}")
        out[name] = value
    return out or None


def _call_options(func: Any) -> Any:
    func = click.option(
        "--raw",
        is_flag=True,
        help="Any status: write the body as is (--json: status, content type, body).",
    )(func)
    func = click.option(
        "-H", "--header", "headers", multiple=True, metavar="'NAME: VALUE'", help="Repeatable."
    )(func)
    func = click.option(
        "-p", "--param", "params", multiple=True, metavar="KEY=VALUE", help="Query parameter."
    )(func)
    func = click.option("-d", "--data", metavar="JSON|@FILE", help="JSON request body.")(func)
    return func


def _show_body(run: Run, body: Any) -> None:
    """A 2xx answer's body: JSON pretty-printed, text as is (``--json``: ``{"body"}``)."""
    if isinstance(body, str):
        text = body
    elif body is None:
        text = "(empty body)"
    else:
        text = json.dumps(body, indent=2, ensure_ascii=False)
    run.out.result({"body": body}, text)


def _show_raw(run: Run, response: Any) -> int:
    """``--raw``: any status; the body as is (``--json``: status, content type and body).

    The exit status still tells a non-2xx answer apart: the class of the ATH error code
    the body carries, else "server refused"."""
    if run.out.json_mode:
        doc = {
            "status": response.status_code,
            "content_type": response.headers.get("content-type"),
            "body": response.data(),
        }
        run.out.result(doc)
    else:
        run.out.raw(response.content)
    if 200 <= response.status_code < 300:
        return o.OK
    code = None
    if response.is_json:
        with contextlib.suppress(ValueError):
            parsed = response.json()
            code = parsed.get("code") if isinstance(parsed, dict) else None
    if not isinstance(code, str):
        return o.REFUSED
    return o.exit_code(code, response.status_code, origin="server")  # the server said it


@click.command()
@click.argument("provider", shell_complete=complete_providers)
@click.argument("method")
@click.argument("path")
@_call_options
@pass_run
def proxy(
    run: Run,
    provider: str,
    method: str,
    path: str,
    data: str | None,
    params: tuple[str, ...],
    headers: tuple[str, ...],
    raw: bool,
) -> int:
    """Call PROVIDER's API through the gateway: ath proxy github GET /user"""
    return _call(run, provider, method, path, data, params, headers, raw)


@click.command()
@click.argument("method")
@click.argument("path")
@_call_options
@pass_run
def api(
    run: Run,
    method: str,
    path: str,
    data: str | None,
    params: tuple[str, ...],
    headers: tuple[str, ...],
    raw: bool,
) -> int:
    """Call an ATH-native service's API: ath --url NATIVE api GET /me"""
    return _call(run, None, method, path, data, params, headers, raw)


def _call(
    run: Run,
    provider: str | None,
    method: str,
    path: str,
    data: str | None,
    params: tuple[str, ...],
    headers: tuple[str, ...],
    raw: bool,
) -> int:
    """``proxy`` (a provider through the gateway) and ``api`` (native, ``provider=None``)."""
    from ath import ATHGatewayClient, ATHNativeClient
    from ath.cli._settings import parse_headers

    body, query, extra = _body(data), _pairs(params), parse_headers(list(headers)) or None
    method = cast("HTTPMethod", method)  # the client refuses any other method
    with run.client(native=provider is None, save=True) as client:
        if provider is None:
            assert isinstance(client, ATHNativeClient)
            client.discover()  # api_base is not stored: read it from the service document
            if raw:
                answer = client.api_raw(method, path, body, params=query, headers=extra)
            else:
                result = client.api(method, path, body, params=query, headers=extra)
        else:
            assert isinstance(client, ATHGatewayClient)
            if raw:
                answer = client.proxy_raw(provider, method, path, body, params=query, headers=extra)
            else:
                result = client.proxy(provider, method, path, body, params=query, headers=extra)
    if raw:
        return _show_raw(run, answer)
    _show_body(run, result)
    return o.OK


COMMANDS: Final = (proxy, api)
