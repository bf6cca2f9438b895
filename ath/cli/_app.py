"""The ``ath`` commands (click). Heavy imports (the SDK's clients, httpx, cryptography)
happen inside the commands that need them, so ``ath --version`` and ``--help`` start fast."""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ath import __version__
from ath._errors import ATHError
from ath.cli import _output as o
from ath.cli._output import Output

if TYPE_CHECKING:
    from ath.cli._settings import Settings
    from ath.cli._state import Client

__all__ = ["Run", "cli", "run"]


CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


@dataclass
class Run:
    """What the global options resolved to, shared by every command of one run."""

    settings: Settings
    out: Output

    def native(self, flag: bool = False) -> bool:
        return flag or self.settings.get("mode") == "native"

    @contextlib.contextmanager
    def client(self, *, native: bool, save: bool = False) -> Iterator[Client]:
        """A client with the stored state loaded; with ``save``, the state is written back
        afterwards, also after a failure (the SDK drops tokens a server says are gone)."""
        from ath.cli import _state

        client = _state.open_client(self.settings, native=native)
        try:
            try:
                yield client
            except BaseException:
                if save:
                    with contextlib.suppress(ATHError, OSError):
                        _state.save(self.settings, client, native=native)
                raise
            if save:
                _state.save(self.settings, client, native=native)
        finally:
            client.close()


pass_run = click.make_pass_decorator(Run)


def _usage(message: str) -> ATHError:
    return ATHError("INVALID_ARGUMENT", message)


# --------------------------------------------------------------------- the group


@click.group(context_settings=CONTEXT)
@click.version_option(
    __version__, "--version", "-V", prog_name="ath", message="%(prog)s %(version)s"
)
@click.option("--url", metavar="URL", help="Gateway or native service base URL. [env: ATH_URL]")
@click.option("--agent-id", metavar="URI", help="The agent's identity URI. [env: ATH_AGENT_ID]")
@click.option(
    "--key",
    metavar="PATH",
    help="The agent's private key (PEM file; encrypted keys read $ATH_KEY_PASSPHRASE). "
    "[env: ATH_KEY; default: the file `ath keygen` writes]",
)
@click.option("--key-id", metavar="KID", help="Key id in attestations. [env: ATH_KEY_ID]")
@click.option(
    "--store",
    metavar="PATH|URL",
    help="Where registration and tokens are kept: a file, or a redis:// URL. [env: "
    "ATH_STORE; default: the SDK's FileStore in the user data folder]",
)
@click.option("--profile", metavar="NAME", help="Config profile. [env: ATH_PROFILE]")
@click.option(
    "--header",
    "headers",
    metavar="'NAME: VALUE'",
    multiple=True,
    help="Extra header on every request, repeatable. [env: ATH_HEADERS, one per line]",
)
@click.option(
    "--mode",
    type=click.Choice(["gateway", "native"]),
    help="Talk to an ATH gateway (default) or an ATH-native service. [env: ATH_MODE]",
)
@click.option("--json", "json_mode", is_flag=True, help="One JSON document per result on stdout.")
@click.pass_context
def cli(
    ctx: click.Context,
    url: str | None,
    agent_id: str | None,
    key: str | None,
    key_id: str | None,
    store: str | None,
    profile: str | None,
    headers: tuple[str, ...],
    mode: str | None,
    json_mode: bool,
) -> None:
    """The Agent Trust Handshake from a terminal.

    Settings come from flags, then environment variables, then the active profile of
    the config file (`ath config path`). Exit statuses: see `ath exit-codes`.
    """
    from ath.cli._settings import resolve

    _JSON[0] = json_mode
    flags = {
        "url": url,
        "agent_id": agent_id,
        "key": key,
        "key_id": key_id,
        "store": store,
        "headers": headers,
        "mode": mode,
    }
    settings = resolve(flags, profile_flag=profile, json_mode=json_mode)
    ctx.obj = Run(settings=settings, out=Output(json_mode))


_JSON = [False]


# --------------------------------------------------------------------- keys and identity


@cli.command()
@click.option(
    "--out", "out_path", type=click.Path(dir_okay=False, path_type=Path), help="Key file."
)
@click.option("--force", is_flag=True, help="Replace an existing key file (the old key is lost).")
@click.option(
    "--passphrase-env", metavar="VAR", help="Encrypt the key with the passphrase in $VAR."
)
@pass_run
def keygen(run: Run, out_path: Path | None, force: bool, passphrase_env: str | None) -> None:
    """Create the agent's EC P-256 private key (PKCS#8 PEM, mode 0600)."""
    from ath._attestation import jwk_thumbprint, public_jwk
    from ath.cli._keys import new_key, passphrase_from, write_key
    from ath.cli._state import key_path

    path = out_path or key_path(run.settings)
    pem, key = new_key(passphrase_from(passphrase_env))
    write_key(path, pem, force=force)
    jwk: dict[str, str] = public_jwk(key)
    kid = run.settings.get("key_id") or jwk_thumbprint(jwk)
    doc = {
        "path": str(path),
        "key_id": kid,
        "encrypted": passphrase_env is not None,
        "public_jwk": {**jwk, "use": "sig", "alg": "ES256", "kid": kid},
    }
    run.out.result(
        doc,
        f"Wrote a new EC P-256 key to {o.shown(path)} (mode 0600"
        + (", encrypted" if passphrase_env else "")
        + f").\nkey id:     {kid}\npublic JWK: {json.dumps(doc['public_jwk'])}",
    )


@cli.command()
@click.option("--agent-id", "doc_agent_id", metavar="URI", help="Defaults to the global one.")
@click.option("--name", required=True, help="The agent's name.")
@click.option("--developer-name", help="[profile: developer_name]")
@click.option("--developer-id", help="[profile: developer_id]")
@click.option("--capability", "capabilities", multiple=True, help="Repeatable.")
@click.option("--out", "out_path", type=click.Path(dir_okay=False, path_type=Path))
@pass_run
def identity(
    run: Run,
    doc_agent_id: str | None,
    name: str,
    developer_name: str | None,
    developer_id: str | None,
    capabilities: tuple[str, ...],
    out_path: Path | None,
) -> None:
    """Write the agent identity document (public key as JWK) to stdout or --out."""
    from ath._attestation import jwk_thumbprint, public_jwk
    from ath._identity import agent_identity_document
    from ath.cli._keys import read_key
    from ath.cli._state import key_path

    agent_id = doc_agent_id or run.settings.get("agent_id")
    if not agent_id:
        raise _usage(
            "no agent id: pass --agent-id (here or before the command) or set ATH_AGENT_ID"
        )
    key = read_key(key_path(run.settings))
    doc = agent_identity_document(
        agent_id=str(agent_id),
        name=name,
        developer=_developer(run, developer_name, developer_id),
        private_key=key,
        key_id=run.settings.get("key_id") or jwk_thumbprint(public_jwk(key)),
        capabilities=list(capabilities) or None,
    )
    if out_path is None:
        run.out.result(doc)
        return
    try:
        out_path.parent.mkdir(parents=True, exist_ok=True)
        out_path.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
    except OSError as exc:
        raise _usage(f"cannot write {out_path}: {exc.strerror}") from None
    run.out.result(
        {"path": str(out_path), "agent_id": doc["agent_id"]},
        f"Wrote the identity document of {doc['agent_id']} to {o.shown(out_path)}; "
        "serve it at that URI.",
    )


def _developer(run: Run, name: str | None, dev_id: str | None) -> dict[str, str]:
    name = name or run.settings.get("developer_name")
    dev_id = dev_id or run.settings.get("developer_id")
    if not name or not dev_id:
        raise _usage(
            "the developer needs a name and an id: pass --developer-name and --developer-id, "
            "or `ath config set developer_name ...` and `ath config set developer_id ...`"
        )
    return {"name": str(name), "id": str(dev_id)}


# --------------------------------------------------------------------- discovery, registration


@cli.command()
@click.option("--native", is_flag=True, help="The native service document (ath-app.json).")
@pass_run
def discover(run: Run, native: bool) -> None:
    """Show the gateway's catalog, or the native service document with --native."""
    from ath.cli._state import open_client

    client = open_client(run.settings, native=run.native(native), signing=False)
    with client:
        doc = client.discover().to_dict()
    run.out.result(doc)


def _provider_spec(spec: str) -> dict[str, Any]:
    provider, sep, scopes = spec.partition(":")
    names = [s for s in scopes.split(",") if s]
    if not sep or not provider or not names:
        raise _usage(f"--provider is ID:SCOPE[,SCOPE...], like github:read:user,repo; not {spec!r}")
    return {"provider_id": provider, "scopes": names}


@cli.command()
@click.option(
    "--provider",
    "providers",
    multiple=True,
    required=True,
    metavar="ID:SCOPE,SCOPE",
    help="A provider and the scopes asked for; repeat for several providers.",
)
@click.option("--purpose", help="Why the agent asks (shown to whoever approves).")
@click.option("--redirect-uri", "redirect_uris", multiple=True, help="Repeatable.")
@click.option("--developer-name", help="[profile: developer_name]")
@click.option("--developer-id", help="[profile: developer_id]")
@pass_run
def register(
    run: Run,
    providers: tuple[str, ...],
    purpose: str | None,
    redirect_uris: tuple[str, ...],
    developer_name: str | None,
    developer_id: str | None,
) -> None:
    """Register the agent for one or more providers (Phase A)."""
    from ath.cli._state import describe

    # Scopes may contain ':' (read:user): the provider id is what precedes the first ':'.
    wanted = [_provider_spec(p) for p in providers]
    developer = _developer(run, developer_name, developer_id)
    native = run.native()
    with run.client(native=native, save=True) as client:
        reg = client.register(developer, wanted, purpose, list(redirect_uris) or None)
    doc = o.registration_summary(reg)
    doc["store"] = describe(run.settings, native=native)
    lines = [
        f"Registered {client.agent_id} at {client.url}",
        f"client id:     {reg.client_id}",
        f"client secret: {o.MASK} (kept in {o.shown(doc['store'])})",
        f"status:        {reg.agent_status}",
        "approved:",
        *o.approvals_text(doc["approved_providers"]),
    ]
    if reg.agent_status == "pending":
        lines.append("The registration awaits approval: check with `ath status`.")
    run.out.result(doc, "\n".join(lines))


@cli.command()
@pass_run
def status(run: Run) -> None:
    """The server's view of the registration, and what the local store holds."""
    from ath.cli._state import describe

    native = run.native()
    with run.client(native=native, save=True) as client:
        info = client.registration_status()
        tokens = [o.token_summary(t, p) for p, t in sorted(client.tokens.items())]
    doc = {
        "server": o.status_summary(info),
        "local": {"store": describe(run.settings, native=native), "tokens": tokens},
    }
    lines = [
        f"agent:     {info.agent_id}",
        f"client id: {info.client_id}",
        f"status:    {info.agent_status}",
        "approved:",
        *o.approvals_text(doc["server"]["approved_providers"]),
        f"store:     {o.shown(doc['local']['store'])}",
        "tokens:" if tokens else "tokens:    none (run `ath login PROVIDER SCOPE...`)",
        *[o.token_text(t) for t in tokens],
    ]
    run.out.result(doc, "\n".join(lines))


# --------------------------------------------------------------------- consent and tokens


@cli.command()
@click.argument("provider")
@click.argument("scopes", nargs=-1, required=True)
@click.option("--redirect-uri", help="Where the user's browser lands after consent.")
@pass_run
def authorize(run: Run, provider: str, scopes: tuple[str, ...], redirect_uri: str | None) -> None:
    """Start consent by hand: print the URL and session id (finish with `ath token`)."""
    with run.client(native=run.native()) as client:
        auth = client.authorize(provider, list(scopes), redirect_uri)
    doc = {
        "authorization_url": auth.authorization_url,
        "ath_session_id": auth.ath_session_id,
        "provider_id": auth.provider_id,
        "scopes": list(auth.scopes),
    }
    run.out.result(
        doc,
        "Open this URL to give consent:\n"
        f"  {auth.authorization_url}\n"
        f"session: {auth.ath_session_id}\n"
        f"then:    ath token --code CODE --session {auth.ath_session_id}",
    )


@cli.command()
@click.argument("provider")
@click.argument("scopes", nargs=-1, required=True)
@click.option("--no-browser", is_flag=True, help="Only print the URL; open it yourself.")
@click.option(
    "--redirect-uri",
    help="A registered loopback URI (http://127.0.0.1:PORT/...) to catch the redirect on; "
    "without one the command polls until consent is given.",
)
@click.option("--timeout", type=float, default=600.0, show_default=True, help="Seconds.")
@pass_run
def login(
    run: Run,
    provider: str,
    scopes: tuple[str, ...],
    no_browser: bool,
    redirect_uri: str | None,
    timeout: float,
) -> None:
    """Authorize, show or open the consent URL, wait, and store the token.

    With --json the first line is {"authorization_url", "ath_session_id"}, written
    before waiting; the last is the token summary.
    """
    with contextlib.ExitStack() as waiting, run.client(native=run.native(), save=True) as client:

        def started(url: str) -> None:
            sessions = [a for a in client.pending_authorizations if a.authorization_url == url]
            session_id = sessions[-1].ath_session_id if sessions else None
            run.out.result(
                {"authorization_url": url, "ath_session_id": session_id},
                f"Open this URL to give consent{'' if no_browser else ' (opening a browser)'}:\n"
                f"  {url}",
            )
            waiting.enter_context(run.out.waiting("Waiting for consent"))

        got = client.login(
            provider,
            list(scopes),
            open_browser=not no_browser,
            redirect_uri=redirect_uri,
            timeout=timeout,
            on_authorization_url=started,
        )
        waiting.close()
    summary = o.token_summary(got)
    run.out.result(summary, "Logged in; stored a new ATH token:\n" + o.token_text(summary))


@cli.command()
@click.option("--code", help="The code the consent redirect carried.")
@click.option("--session", "session_id", help="The ath_session_id of the authorization.")
@click.option("--provider", help="Which stored token (without --code).")
@click.option("--show", is_flag=True, help="Print the token value itself (a secret!).")
@pass_run
def token(
    run: Run, code: str | None, session_id: str | None, provider: str | None, show: bool
) -> None:
    """Exchange a consent's code for an ATH token, or list the stored tokens.

    With --show, print one stored token's value: the only output of the command line
    that contains a secret, and only when asked for.
    """
    if (code is None) != (session_id is None):
        raise _usage("--code and --session go together")
    native = run.native()
    if code is not None and session_id is not None:
        if show:
            raise _usage("--show prints a stored token; run it after the exchange")
        with run.client(native=native, save=True) as client:
            got = client.exchange_token(code, session_id)
        summary = o.token_summary(got)
        run.out.result(summary, "Stored a new ATH token:\n" + o.token_text(summary))
        return
    with run.client(native=native) as client:
        held = client.tokens
    if provider is not None:
        held = {p: t for p, t in held.items() if p == provider}
    if not held:
        raise ATHError(
            "NO_TOKEN",
            "no stored token"
            + (f" for {provider}" if provider else "")
            + ": run `ath login PROVIDER SCOPE...`",
        )
    if show:
        if len(held) > 1:
            raise _usage(f"several tokens are stored ({', '.join(sorted(held))}): add --provider")
        ((key, chosen),) = held.items()
        run.out.result(
            {"provider_id": chosen.provider_id or key or None, "access_token": chosen.access_token},
            chosen.access_token,
        )
        return
    summaries = [o.token_summary(t, p) for p, t in sorted(held.items())]
    run.out.result({"tokens": summaries}, "\n".join(o.token_text(s) for s in summaries))


@cli.command()
@click.option("--provider", help="Revoke only this provider's token.")
@click.option("--all", "all_tokens", is_flag=True, help="Revoke every stored token (default).")
@pass_run
def revoke(run: Run, provider: str | None, all_tokens: bool) -> None:
    """Revoke tokens at the server and drop them locally."""
    if provider and all_tokens:
        raise _usage("--provider and --all exclude each other")
    with run.client(native=run.native(), save=True) as client:
        revoked = client.revoke(provider)
    run.out.result(
        {"revoked": revoked},
        f"Revoked: {', '.join(p or '(any provider)' for p in revoked)}"
        if revoked
        else "Nothing to revoke.",
    )


@cli.command()
@pass_run
def logout(run: Run) -> None:
    """Revoke every token, then forget the local registration and tokens.

    If revocation fails, nothing is forgotten (the tokens would stay valid)."""
    from ath.cli._state import describe, forget, save

    native = run.native()
    with run.client(native=native) as client:
        try:
            revoked = client.revoke(None) if client.tokens else []
        except BaseException:
            with contextlib.suppress(ATHError, OSError):
                save(run.settings, client, native=native)  # keep what is still valid
            raise
        forgot = forget(run.settings, client, native=native)
    where = describe(run.settings, native=native)
    run.out.result(
        {"revoked": revoked, "forgot": forgot, "store": where},
        (f"Revoked: {', '.join(p or '(any provider)' for p in revoked)}\n" if revoked else "")
        + (
            f"Forgot the registration and tokens in {o.shown(where)}."
            if forgot
            else "Nothing stored."
        ),
    )


@cli.command()
@pass_run
def whoami(run: Run) -> None:
    """Who the command line acts as: agent, key, server, registration, tokens (local only)."""
    from ath.cli._state import describe, key_path

    native = run.native()
    with run.client(native=native) as client:
        tokens = [o.token_summary(t, p) for p, t in sorted(client.tokens.items())]
        doc: dict[str, Any] = {
            "profile": run.settings.profile,
            "mode": "native" if native else "gateway",
            "url": client.url,
            "agent_id": client.agent_id,
            "key": str(key_path(run.settings)),
            "key_id": client.key_id,
            "client_id": client.client_id,
            "registered": client.client_id is not None,
            "store": describe(run.settings, native=native),
            "tokens": tokens,
        }
    lines = [
        f"{k + ':':<11}{o.shown(doc[k]) if k in ('key', 'store') else doc[k]}"
        for k in ("profile", "mode", "url", "agent_id", "key", "key_id", "client_id", "store")
    ]
    lines.append("tokens:" if tokens else "tokens:    none")
    lines.extend(o.token_text(t) for t in tokens)
    run.out.result(doc, "\n".join(lines))


# --------------------------------------------------------------------- API calls


def _body(data: str | None) -> Any:
    if data is None:
        return None
    if data.startswith("@"):
        name = data[1:]
        try:
            data = sys.stdin.read() if name == "-" else Path(name).read_text(encoding="utf-8")
        except OSError as exc:
            raise _usage(f"-d @{name}: {exc.strerror}") from None
    try:
        return json.loads(data)
    except ValueError as exc:
        raise _usage(f"-d takes JSON (or @file, @- for stdin): {exc}") from None


def _pairs(params: tuple[str, ...]) -> dict[str, str] | None:
    out: dict[str, str] = {}
    for item in params:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise _usage(f"-p is KEY=VALUE, not {item!r}")
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
        sys.stdout.buffer.write(response.content)
        sys.stdout.flush()
    if 200 <= response.status_code < 300:
        return o.OK
    code = None
    if response.is_json:
        with contextlib.suppress(ValueError):
            parsed = response.json()
            code = parsed.get("code") if isinstance(parsed, dict) else None
    return o.exit_code(code, response.status_code) if isinstance(code, str) else o.REFUSED


@cli.command()
@click.argument("provider")
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


@cli.command()
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
    from ath._client import ATHGatewayClient, ATHNativeClient
    from ath.cli._settings import parse_headers

    body, query, extra = _body(data), _pairs(params), parse_headers(list(headers)) or None
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


# --------------------------------------------------------------------- config and profiles


@cli.group()
def config() -> None:
    """Profiles and their settings (the config file holds no secrets)."""


@config.command("path")
@pass_run
def config_path_cmd(run: Run) -> None:
    """Where the config file is."""
    from ath.cli._settings import config_path

    run.out.result({"path": str(config_path())}, str(config_path()))


@config.command("show")
@pass_run
def config_show(run: Run) -> None:
    """The settings in effect and where each comes from."""
    values = {k: v for k, v in run.settings.values.items()}
    doc = {"profile": run.settings.profile, "values": values, "sources": run.settings.sources}
    lines = [f"profile: {run.settings.profile}"]
    for key, value in sorted(values.items()):
        lines.append(f"{key} = {value!r}  ({run.settings.sources.get(key, 'default')})")
    run.out.result(doc, "\n".join(lines))


@config.command("get")
@click.argument("key")
@pass_run
def config_get(run: Run, key: str) -> None:
    """One setting in effect."""
    from ath.cli._settings import check_key

    value = run.settings.get(check_key(key))
    if value is None:
        raise _usage(f"{key} is not set in profile {run.settings.profile}")
    run.out.result({key: value}, "\n".join(value) if isinstance(value, list) else str(value))


@config.command("set")
@click.argument("key")
@click.argument("value")
@pass_run
def config_set(run: Run, key: str, value: str) -> None:
    """Set KEY in the active profile (headers: one 'Name: value' per line)."""
    from ath.cli._settings import check_key, parse_headers, read_config, write_config

    check_key(key)
    stored: Any = value
    if key == "headers":
        stored = [h for h in value.splitlines() if h.strip()]
        parse_headers(stored)
    if key == "mode" and value not in ("gateway", "native"):
        raise _usage("mode is 'gateway' or 'native'")
    data = read_config()
    data.setdefault("profiles", {}).setdefault(run.settings.profile, {})[key] = stored
    path = write_config(data)
    run.out.result(
        {"profile": run.settings.profile, "key": key, "value": stored, "path": str(path)},
        f"{run.settings.profile}: {key} set",
    )


@config.command("unset")
@click.argument("key")
@pass_run
def config_unset(run: Run, key: str) -> None:
    """Remove KEY from the active profile."""
    from ath.cli._settings import check_key, read_config, write_config

    check_key(key)
    data = read_config()
    table = (data.get("profiles") or {}).get(run.settings.profile) or {}
    removed = table.pop(key, None) is not None
    if removed:
        write_config(data)
    run.out.result(
        {"profile": run.settings.profile, "key": key, "removed": removed},
        f"{run.settings.profile}: {key} " + ("removed" if removed else "was not set"),
    )


@config.command("use")
@click.argument("profile")
@pass_run
def config_use(run: Run, profile: str) -> None:
    """Make PROFILE the default one."""
    from ath.cli._settings import check_profile_name, read_config, write_config

    data = read_config()
    data["profile"] = check_profile_name(profile)
    data.setdefault("profiles", {}).setdefault(profile, {})
    write_config(data)
    run.out.result({"profile": profile}, f"default profile: {profile}")


@config.command("profiles")
@pass_run
def config_profiles(run: Run) -> None:
    """The profiles in the config file (the active one marked *)."""
    from ath.cli._settings import read_config

    names = sorted((read_config().get("profiles") or {}).keys() | {run.settings.profile})
    run.out.result(
        {"profiles": names, "active": run.settings.profile},
        "\n".join(("* " if n == run.settings.profile else "  ") + n for n in names),
    )


# --------------------------------------------------------------------- local stack, completion


@cli.command(
    context_settings={"ignore_unknown_options": True, "allow_extra_args": True},
    add_help_option=False,  # --help goes to the stack's own options
)
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
@pass_run
def stack(run: Run, args: tuple[str, ...]) -> None:
    """Run the embedded local ATH stack until Ctrl-C (options: `ath stack --help`).

    Needs the `testing` extra. With the global --json it prints one JSON line of URLs.
    """
    try:
        from ath.testing.__main__ import main as stack_main
    except ImportError as exc:
        raise _usage(
            f"`ath stack` needs the 'testing' extra ({exc.name} is missing): "
            "pip install 'ath-sdk[testing]'"
        ) from None
    argv = list(args)
    if "-h" in argv or "--help" in argv:
        argv = ["--help"]
    if run.settings.json and "--json" not in argv:
        argv.insert(0, "--json")
    code = stack_main(argv)
    if code:
        raise SystemExit(code)


@cli.command()
@click.argument("shell", type=click.Choice(["bash", "zsh", "fish"]))
def completion(shell: str) -> None:
    """Print the shell completion script: eval "$(ath completion bash)"."""
    from click.shell_completion import get_completion_class

    cls = get_completion_class(shell)
    assert cls is not None
    click.echo(cls(cli, {}, "ath", "_ATH_COMPLETE").source())


@cli.command("exit-codes")
@pass_run
def exit_codes(run: Run) -> None:
    """The exit statuses and what each means."""
    run.out.result(
        {"exit_codes": {str(k): v for k, v in o.EXIT_CODES.items()}},
        "\n".join(f"{k:>4}  {v}" for k, v in o.EXIT_CODES.items()),
    )


from ath.cli._conformance import conformance  # noqa: E402  (it imports Run from here)

cli.add_command(conformance)

# --------------------------------------------------------------------- entry point


def run(argv: Sequence[str] | None = None) -> int:
    """Run one command; map every failure to its exit status (see ``_output.EXIT_CODES``)."""
    args = list(sys.argv[1:] if argv is None else argv)
    _JSON[0] = "--json" in args  # until the group has parsed its options
    try:
        result = cli.main(args=args, prog_name="ath", standalone_mode=False)
    except ATHError as exc:
        status = o.exit_code(exc.code, exc.status)
        out = Output(_JSON[0])
        out.error(exc.code, exc.message, exc.status)
        if not _JSON[0] and status in o.HINTS:
            out.note(f"hint: {o.HINTS[status]}")
        return status
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.UsageError as exc:
        if _JSON[0]:
            Output(True).error("INVALID_ARGUMENT", exc.format_message(), None)
        else:
            exc.show()
        return o.USAGE
    except click.ClickException as exc:
        Output(_JSON[0]).error("INVALID_ARGUMENT", exc.format_message(), None)
        return o.USAGE
    except (KeyboardInterrupt, click.Abort):
        Output(_JSON[0]).error("INTERRUPTED", "interrupted", None)
        return o.INTERRUPTED
    except BrokenPipeError:
        return o.FAILURE
    return result if isinstance(result, int) else o.OK
