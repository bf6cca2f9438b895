"""``ath authorize``, ``login``, ``token``, ``revoke``, ``logout`` and ``whoami``: consent,
the ATH tokens it yields, and what the command line holds (Phase B onwards)."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable
from typing import Any, Final

import click

from ath import ATHClientError, ATHError
from ath.cli import _output as o
from ath.cli._complete import complete_providers
from ath.cli._context import Run, pass_run, usage

__all__ = ["COMMANDS", "authorize", "login", "logout", "revoke", "token", "whoami"]


@click.command()
@click.argument("provider", shell_complete=complete_providers)
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
        f"  {o.safe(auth.authorization_url)}\n"
        f"session: {o.safe(auth.ath_session_id)}\n"
        f"then:    ath token --code-file FILE --session {o.safe(auth.ath_session_id)}",
    )


def _opener(run: Run) -> Callable[[str], bool]:
    """The browser opener of ``ath login``: :func:`webbrowser.open`, run by the SDK on a
    thread of its own (never waited for); when no browser opens, the person is told to
    open the URL already shown."""

    def open_in_browser(url: str) -> bool:
        import webbrowser

        try:
            opened = webbrowser.open(url)
        except Exception:  # any launcher failure: the URL is on screen already
            opened = False
        if not opened:
            run.out.note(
                "No browser could be opened here: open the URL above yourself "
                "(ath login --no-browser skips this)."
            )
        return True  # reported here, in the command line's terms

    return open_in_browser


@click.command()
@click.argument("provider", shell_complete=complete_providers)
@click.argument("scopes", nargs=-1, required=True)
@click.option("--no-browser", is_flag=True, help="Only print the URL; open it yourself.")
@click.option(
    "--redirect-uri",
    help="A registered loopback URI (http://127.0.0.1:PORT/...) to catch the redirect on; "
    "without one the command polls until consent is given.",
)
@click.option("--timeout", type=float, default=600.0, show_default=True, help="Seconds.")
@click.option(
    "--force", is_flag=True, help="Ask for consent even when a held token covers the scopes."
)
@pass_run
def login(
    run: Run,
    provider: str,
    scopes: tuple[str, ...],
    no_browser: bool,
    redirect_uri: str | None,
    timeout: float,
    force: bool,
) -> None:
    """Authorize, show or open the consent URL, wait, and store the token.

    A held token that covers the scopes (and does not expire within a minute) is kept
    and no consent is asked (--force asks anyway). With --json the first line is
    {"authorization_url", "ath_session_id"}, written before waiting; the last is the
    token summary (the only line when the held token was kept).
    """
    asked: list[str] = []
    with contextlib.ExitStack() as waiting, run.client(native=run.native(), save=True) as client:

        def started(url: str) -> None:
            asked.append(url)
            sessions = [a for a in client.pending_authorizations if a.authorization_url == url]
            session_id = sessions[-1].ath_session_id if sessions else None
            run.out.result(
                {"authorization_url": url, "ath_session_id": session_id},
                f"Open this URL to give consent{'' if no_browser else ' (opening a browser)'}:\n"
                f"  {o.safe(url)}",
            )
            waiting.enter_context(run.out.waiting("Waiting for consent"))

        got = client.login(
            provider,
            list(scopes),
            open_browser=False if no_browser else _opener(run),
            redirect_uri=redirect_uri,
            timeout=timeout,
            on_authorization_url=started,
            force=force,
        )
        waiting.close()
    summary = o.token_summary(got)
    if not asked:
        run.out.result(
            summary,
            "Already logged in; the held ATH token covers these scopes "
            "(ath login --force asks for consent again):\n" + o.token_text(summary),
            ok=True,
        )
        return
    run.out.result(summary, "Logged in; stored a new ATH token:\n" + o.token_text(summary), ok=True)


#: A consent code is a few dozen characters; more than this read from a file is not one.
_MAX_CODE_BYTES: Final = 64 * 1024


def _read_code(code: str | None, code_file: str | None) -> str | None:
    """The consent code from ``--code C``, ``--code -`` (stdin) or ``--code-file PATH``
    (``-``: stdin too); surrounding whitespace (the newline of ``echo``) dropped. The code
    is a secret: it is never quoted in an error."""
    if code is not None and code_file is not None:
        raise usage("--code and --code-file exclude each other")
    source = code_file if code_file is not None else ("-" if code == "-" else None)
    if source is None:
        return code
    raw: bytes
    try:
        if source == "-":
            raw = sys.stdin.buffer.read(_MAX_CODE_BYTES + 1)
        else:
            with open(source, "rb") as fh:
                raw = fh.read(_MAX_CODE_BYTES + 1)
    except OSError as exc:
        raise usage(f"--code-file {source}: {exc.strerror}") from None
    if len(raw) > _MAX_CODE_BYTES:
        raise usage(f"the consent code read from {source} is longer than {_MAX_CODE_BYTES} bytes")
    try:
        text = raw.decode("utf-8").strip()
    except UnicodeDecodeError:
        raise usage(f"the consent code read from {source} is not UTF-8 text") from None
    if not text:
        where = "stdin" if source == "-" else source
        raise usage(f"no consent code in {where}")
    return text


@click.command()
@click.option(
    "--code",
    metavar="CODE|-",
    help="The code the consent redirect carried; '-' reads it from stdin (other users can "
    "read a process's arguments: prefer '-' or --code-file).",
)
@click.option(
    "--code-file",
    metavar="PATH",
    help="Read the consent code from this file ('-': stdin).",
)
@click.option("--session", "session_id", help="The ath_session_id of the authorization.")
@click.option(
    "--provider",
    shell_complete=complete_providers,
    help="Which stored token (without --code).",
)
@click.option("--show", is_flag=True, help="Print the token value itself (a secret!).")
@pass_run
def token(
    run: Run,
    code: str | None,
    code_file: str | None,
    session_id: str | None,
    provider: str | None,
    show: bool,
) -> None:
    """Exchange a consent's code for an ATH token, or list the stored tokens.

    The code comes from --code CODE, --code - (stdin) or --code-file PATH; on a shared
    machine use stdin or a file: a command line is visible to other users.

    With --show, print one stored token's value: the only output of the command line
    that contains a secret, and only when asked for.
    """
    code = _read_code(code, code_file)
    if (code is None) != (session_id is None):
        raise usage("--code (or --code-file) and --session go together")
    native = run.native()
    if code is not None and session_id is not None:
        if show:
            raise usage("--show prints a stored token; run it after the exchange")
        with run.client(native=native, save=True) as client:
            got = client.exchange_token(code, session_id)
        summary = o.token_summary(got)
        run.out.result(summary, "Stored a new ATH token:\n" + o.token_text(summary), ok=True)
        return
    with run.client(native=native) as client:
        held = client.tokens
    if provider is not None:
        held = {p: t for p, t in held.items() if p == provider}
    if not held:
        raise ATHClientError(
            "NO_TOKEN",
            "no stored token"
            + (f" for {provider}" if provider else "")
            + ": run `ath login PROVIDER SCOPE...`",
        )
    if show:
        if len(held) > 1:
            raise usage(f"several tokens are stored ({', '.join(sorted(held))}): add --provider")
        ((key, chosen),) = held.items()
        run.out.result(
            {"provider_id": chosen.provider_id or key or None, "access_token": chosen.access_token},
            chosen.access_token,
        )
        return
    summaries = [o.token_summary(t, p) for p, t in sorted(held.items())]
    run.out.result({"tokens": summaries}, "\n".join(o.token_text(s) for s in summaries))


@click.command()
@click.option(
    "--provider", shell_complete=complete_providers, help="Revoke only this provider's token."
)
@click.option(
    "--all",
    "all_tokens",
    is_flag=True,
    help="Revoke every stored token. Without --provider or --all the command asks first on "
    "a terminal, and refuses elsewhere.",
)
@pass_run
def revoke(run: Run, provider: str | None, all_tokens: bool) -> None:
    """Revoke tokens at the server and drop them locally: --provider P, or --all."""
    if provider and all_tokens:
        raise usage("--provider and --all exclude each other")
    if not provider and not all_tokens:
        _confirm_all(run)
    with run.client(native=run.native(), save=True) as client:
        revoked = client.revoke(provider)
    run.out.result(
        {"revoked": revoked},
        f"Revoked: {o.safe(', '.join(p or '(any provider)' for p in revoked))}"
        if revoked
        else "Nothing to revoke.",
        ok=bool(revoked),
    )


def _confirm_all(run: Run) -> None:
    """``ath revoke`` without a target: on a terminal, ask; anywhere else (a script, a
    pipe, --json) refuse, naming --all and --provider."""
    interactive = not run.out.json_mode and sys.stdin.isatty() and run.out.stderr.isatty()
    if not interactive:
        raise usage(
            "revoke what? pass --all to revoke every stored token, or --provider P for one "
            "(without a terminal to ask on, nothing is revoked by default)"
        )
    if not click.confirm("Revoke every stored token?", default=False, err=True):
        run.out.note("Nothing revoked.")
        raise click.exceptions.Exit(o.OK)


@click.command()
@click.option(
    "--forget-registration",
    is_flag=True,
    help="Also forget the client id and secret (the server will not show the secret again).",
)
@pass_run
def logout(run: Run, forget_registration: bool) -> None:
    """Revoke every token and forget the tokens; the registration is kept.

    `ath login` then works again for the same agent. With --forget-registration the
    client id and secret are forgotten too. If revocation fails, nothing is forgotten
    (the tokens would stay valid)."""
    from ath.cli._state import describe, forget, save

    native = run.native()
    with run.client(native=native) as client:
        try:
            revoked = client.revoke(None) if client.tokens else []
        except BaseException:
            with contextlib.suppress(ATHError, OSError):
                save(run.settings, client, native=native)  # keep what is still valid
            raise
        kept = client.client_id is not None and not forget_registration
        forgot = forget(run.settings, client, native=native, registration=forget_registration)
        forgot = forgot or bool(revoked)  # a revoked token is forgotten by the revocation
    where = describe(run.settings, native=native)
    if forget_registration and forgot:
        done = (
            f"Forgot the registration and tokens in {o.shown(where)}.\n"
            "Warning: the server does not show the client secret again. To use this agent "
            "again, import its credentials (ath credentials import FILE) or register a new "
            "key or agent id."
        )
    elif forgot:
        done = (
            f"Forgot the tokens in {o.shown(where)}; kept the registration, so "
            "`ath login` works again (ath logout --forget-registration forgets it too)."
        )
    else:
        done = "No tokens stored."
    run.out.result(
        {"revoked": revoked, "forgot": forgot, "kept_registration": kept, "store": where},
        (f"Revoked: {o.safe(', '.join(p or '(any provider)' for p in revoked))}\n" * bool(revoked))
        + done,
        ok=forgot,
    )


@click.command()
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
    shown = {**doc, "client_id": doc["client_id"] or "not registered (ath register)"}
    lines = [
        f"{k + ':':<11}{o.safe(o.shown(shown[k]) if k in ('key', 'store') else shown[k])}"
        for k in ("profile", "mode", "url", "agent_id", "key", "key_id", "client_id", "store")
    ]
    lines.append("tokens:" if tokens else "tokens:    none")
    lines.extend(o.token_text(t) for t in tokens)
    run.out.result(doc, "\n".join(lines))


COMMANDS: Final = (authorize, login, token, revoke, logout, whoami)
