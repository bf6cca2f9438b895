"""``ath conformance URL``: the protocol's conformance kit (``ath.testing.conformance``)
against any ATH gateway or native service. It probes by raw HTTP, never through the
SDK's client, so an SDK bug cannot hide a server bug."""

from __future__ import annotations

from typing import Final

import click

from ath.cli import _output as o
from ath.cli._context import Run, pass_run, usage

__all__ = ["COMMANDS", "conformance"]


def _route(value: str | None, name: str) -> tuple[str, str] | None:
    if value is None:
        return None
    method, _, path = value.strip().partition(" ")
    if not method.isalpha() or not path.startswith("/"):
        raise usage(f"{name} must look like 'GET /path', got {value!r}")
    return method.upper(), path.strip()


@click.command()
@click.argument("url")
@click.option("--native", is_flag=True, help="URL is an ATH-native service, not a gateway.")
@click.option("--provider", metavar="ID", help="Provider to probe (default: the first offered).")
@click.option("--scope", metavar="SCOPE", help="Scope to request (default: the first offered).")
@click.option("--route", metavar="'METHOD /path'", help="An API operation SCOPE grants.")
@click.option(
    "--forbidden-route", metavar="'METHOD /path'", help="An API operation SCOPE does not grant."
)
@click.option("--strict-codes", is_flag=True, help="Error codes must be of the ATHErrorCode enum.")
@click.option("--slow", is_flag=True, help="Also the lifetime rules (token lifetime + 16 min).")
@click.option(
    "--consent-param",
    "consent_params",
    multiple=True,
    metavar="NAME=VALUE",
    help="Query parameter added to the authorization URL (how the provider approves consent).",
)
@click.option(
    "--header", "headers", multiple=True, metavar="NAME:VALUE", help="Extra request header."
)
@click.option(
    "--agents-url",
    metavar="URL",
    help="Public URL at which the server reaches the kit's agent documents (default: loopback).",
)
@pass_run
def conformance(
    run: Run,
    url: str,
    native: bool,
    provider: str | None,
    scope: str | None,
    route: str | None,
    forbidden_route: str | None,
    strict_codes: bool,
    slow: bool,
    consent_params: tuple[str, ...],
    headers: tuple[str, ...],
    agents_url: str | None,
) -> int:
    """Check an ATH server against every server rule of ATH v0.1.

    One line per rule with its spec reference and level, then a summary P/N; the global
    --json prints the results as one JSON document. Exits 7 when a MUST rule fails.
    Needs the `testing` extra (the kit hosts its own agent identity documents).
    """
    try:
        from ath.testing.conformance import Target, render
        from ath.testing.conformance import run as run_kit
    except ImportError as exc:
        raise usage(
            f"`ath conformance` needs the 'testing' extra ({exc.name} is missing): "
            "pip install 'ath-sdk[testing]'",
        ) from None
    extra: dict[str, str] = {}
    for item in headers:
        name, sep, value = item.partition(":")
        if not sep or not name.strip():
            raise usage(f"--header must be NAME:VALUE, got {item!r}")
        extra[name.strip()] = value.strip()
    consent: dict[str, str] = {}
    for item in consent_params:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise usage(f"--consent-param must be NAME=VALUE, got {item!r}")
        consent[name] = value
    target = Target(
        url,
        native=native,
        provider_id=provider,
        scope=scope,
        route=_route(route, "--route"),
        forbidden_route=_route(forbidden_route, "--forbidden-route"),
        slow=slow,
        strict_codes=strict_codes,
        headers=extra,
        consent_params=consent,
        agents_public_url=agents_url,
    )
    report = run_kit(target)
    run.out.result(report.as_json(), render(report))
    return o.OK if report.ok else o.BAD_RESPONSE


COMMANDS: Final = (conformance,)
