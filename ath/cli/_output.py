"""What the command line prints, and the exit status of every failure class.

Results go to stdout: human text, or with ``--json`` exactly one JSON document per
result (one line each). Progress and errors go to stderr; with ``--json`` an error is
one ``{"code", "message", "status"}`` line. Secrets are masked here, in one place:
every summary of a token or a registration is built by this module.

Terminal control codes are escaped here too, in one place (:func:`safe`): whatever a
server or an upstream API chose (consent URLs, error messages, bodies, approvals,
status fields, session ids) reaches the terminal as visible text (``\\x1b``,
``\\x9b``), never as an escape sequence that could rewrite a link (OSC 8), the clipboard
(OSC 52) or the screen. Every text line written goes through :func:`safe`; values put
inside a line are escaped whole (line breaks included) so they cannot forge a line;
JSON output escapes C1 controls and DEL as ``\\u0080``-style escapes as well.

Colour is added here too, on a terminal only (:func:`wants_colour`: never with ``--json``,
``--no-color``, ``NO_COLOR`` or into a pipe), around text already escaped: the only
escape sequences the command line writes are its own (:data:`OWN_SEQUENCES`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import json
import re
import sys
import threading
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Final, TextIO

if TYPE_CHECKING:
    from ath import AgentStatusInfo, ProviderApproval, Registration, Token

__all__ = [
    "BAD_RESPONSE",
    "CODE_HINTS",
    "CONSENT",
    "EXIT_CODES",
    "FAILURE",
    "HINTS",
    "INTERRUPTED",
    "LOCAL_STATE",
    "MASK",
    "NETWORK",
    "NOT_READY",
    "OK",
    "OWN_SEQUENCES",
    "REFUSED",
    "USAGE",
    "Output",
    "approvals",
    "approvals_table",
    "approvals_text",
    "cli_message",
    "cli_parts",
    "discovery_text",
    "exit_code",
    "masked_setting",
    "registration_summary",
    "safe",
    "shown",
    "status_summary",
    "table",
    "token_summary",
    "token_text",
    "tokens_table",
    "wants_colour",
]


#: What every secret looks like in output (the SDK's reprs use the same placeholder).
MASK: Final = "***"

# Exit statuses, one per class of failure; README.md lists the same table.
OK: Final = 0
FAILURE: Final = 1
USAGE: Final = 2
NOT_READY: Final = 3
CONSENT: Final = 4
REFUSED: Final = 5
NETWORK: Final = 6
BAD_RESPONSE: Final = 7
LOCAL_STATE: Final = 8
INTERRUPTED: Final = 130

#: Exit status -> what it means (documented in README.md and README.zh-CN.md).
EXIT_CODES: Final[Mapping[int, str]] = MappingProxyType(
    {
        OK: "success",
        FAILURE: "unexpected failure (a bug: please report it)",
        USAGE: "usage or configuration: bad option or argument, missing or unusable key, "
        "plain http to a remote host, cli extra missing",
        NOT_READY: "not registered (or still pending approval), no token, or the token is "
        "expired, revoked or unknown: register or log in (again)",
        CONSENT: "consent denied, timed out, expired, or its redirect did not match",
        REFUSED: "the server refused: attestation, approval, scope, rate limit, "
        "or the upstream API answered non-2xx",
        NETWORK: "network or TLS: connection refused or broken, timeout, certificate",
        BAD_RESPONSE: "the server's answer is not what the protocol defines (or another "
        "ATH major version)",
        LOCAL_STATE: "the local credential store is unreadable, insecure, locked or not writable",
        INTERRUPTED: "interrupted (Ctrl-C)",
    }
)

#: One line of advice per exit status, printed under an error in text mode.
HINTS: Final[Mapping[int, str]] = MappingProxyType(
    {
        NOT_READY: "`ath status` shows what the server knows; `ath register --provider ...` "
        "registers, `ath login PROVIDER SCOPE...` gets a new token",
        CONSENT: "start again with `ath login PROVIDER SCOPE...`",
        NETWORK: "check --url (`ath config show`) and that the server is up and reachable",
        LOCAL_STATE: "`ath whoami` shows which store is used; --store picks another",
    }
)

#: What fixes an error, in the command line's terms: one entry per code the SDK documents
#: (``ath.PROTOCOL_CODES``, ``ath.EXTENSION_CODES``, ``ath.CLIENT_CODES``), so every
#: documented code the command line can show comes with advice; each names an ``ath``
#: command or flag, none a Python call (tests/cli/test_cli_hints.py checks both). The
#: SDK's message keeps its facts; its Python advice is replaced by this
#: (:func:`cli_message`). ``ath exit-codes`` prints the table.
_LOGIN: Final = "`ath login PROVIDER SCOPE...`"
_REGISTER: Final = "`ath register --provider ID:SCOPE,...`"
_IMPORT: Final = (
    "run `ath credentials import FILE` with that registration's client id and secret, "
    "or `ath keygen` for a new key"
)
_REACH: Final = "check --url (`ath config show`) and that the server is up and reachable"
CODE_HINTS: Final[Mapping[str, str]] = MappingProxyType(
    {
        # the protocol's codes (ATH v0.1), as a server sends them
        "INVALID_ATTESTATION": "check that the identity document at --agent-id holds this "
        "key's public JWK (`ath identity` writes it; `ath whoami` shows the key and key id)",
        "AGENT_NOT_REGISTERED": "the server does not know this client id: forget it with "
        f"`ath logout --forget-registration`, then {_REGISTER}",
        "AGENT_UNAPPROVED": "`ath status` shows the registration's state; `ath register "
        "--provider ID:SCOPE,... --wait` waits until it is decided",
        "PROVIDER_NOT_APPROVED": "`ath status` lists the approved providers; register for "
        f"this one with {_REGISTER}",
        "SCOPE_NOT_APPROVED": "ask only for approved scopes (`ath status` lists them)",
        "SESSION_NOT_FOUND": f"start again with {_LOGIN}",
        "SESSION_EXPIRED": f"run {_LOGIN} again",
        "STATE_MISMATCH": f"start again with {_LOGIN}, and finish only the consent it shows",
        "TOKEN_INVALID": f"run {_LOGIN} --force for a new token",
        "TOKEN_EXPIRED": f"run {_LOGIN} for a new token",
        "TOKEN_REVOKED": f"run {_LOGIN} for a new token",
        "AGENT_IDENTITY_MISMATCH": "the token belongs to another agent: check --agent-id and "
        f"--store (`ath whoami`), then run {_LOGIN} --force",
        "PROVIDER_MISMATCH": f"run {_LOGIN} for this provider",
        "USER_DENIED": f"the user said no; {_LOGIN} asks again",
        "OAUTH_ERROR": f"start again with {_LOGIN}; if it persists, the provider's setup at "
        "the server is at fault",
        "INTERNAL_ERROR": "the server failed: run the `ath` command again later",
        # the project's extension codes
        "INVALID_REQUEST": "fix what the server names (`ath COMMAND --help` shows the options)",
        "AGENT_ALREADY_REGISTERED": _IMPORT,
        "NOT_FOUND": "check --url and --mode (gateway or native): `ath config show` shows them",
        "METHOD_NOT_ALLOWED": "check the method given to `ath proxy` or `ath api`, and --mode",
        "RATE_LIMITED": "wait a little, then run the `ath` command again",
        # the SDK's own codes
        "NOT_REGISTERED": f"run {_REGISTER}, or `ath credentials import FILE` for an existing "
        "registration",
        "NO_TOKEN": f"run {_LOGIN}",
        "NOT_DISCOVERED": "run `ath discover --native` first",
        "ALREADY_REGISTERED": _IMPORT,
        "REGISTRATION_DENIED": "the service denied the agent (`ath status` shows why); a new "
        "registration needs a new key (`ath keygen`) or --agent-id",
        "APPROVAL_TIMEOUT": "the registration is still pending: `ath status` shows it, and "
        "`ath register ... --wait --wait-timeout SECONDS` waits longer",
        "UNSUPPORTED_VERSION": "check --url: that server speaks an ATH major version this "
        "`ath --version` does not",
        "REGISTRATION_MISMATCH": "ask `ath login` only for approved scopes (`ath status` "
        "lists them), or register a new key (`ath keygen`) or --agent-id",
        "USER_MISMATCH": "finish the consent with the --user that started it",
        "PKCE_MISSING": "check --url: this server's consent URL lacks PKCE (S256), so `ath` "
        "will not send a person there",
        "TOKEN_MISMATCH": "check --url and --agent-id (`ath whoami`): the token answered is "
        f"not the one asked for; {_LOGIN} --force asks again",
        "INVALID_ARGUMENT": "fix the value named (`ath COMMAND --help` shows the options)",
        "INVALID_KEY": "check --key: an EC P-256 private key in PEM (`ath keygen` makes one; "
        "an encrypted key reads ATH_KEY_PASSPHRASE)",
        "SIGNER_FAILED": "check --key and --key-id (`ath keygen` makes a usable key)",
        "INSECURE_TRANSPORT": "use an https:// --url, or pass --allow-insecure-http "
        "(ATH_ALLOW_INSECURE_HTTP=1) for a trusted development network",
        "CONNECTION_ERROR": _REACH,
        "TIMEOUT": _REACH,
        "TLS_ERROR": "check --url's host name and its certificate (the system's trust store, "
        "or SSL_CERT_FILE)",
        "HTTP_ERROR": "check --url and --mode (`ath config show`): the answer is not an ATH "
        "server's",
        "INVALID_RESPONSE": "check --url and --mode (`ath config show`): the answer is not "
        "what ATH defines",
        "RESPONSE_TOO_LARGE": "ask for less, such as `ath proxy PROVIDER GET PATH -p per_page=20`",
        "UPSTREAM_ERROR": "check the path, method and body given to `ath proxy` or `ath api` "
        "(--raw shows the whole answer)",
        "GATEWAY_ERROR": "the gateway refused the call itself: `ath status` shows what it "
        "approved, and --json the code it sent",
        "CLIENT_CLOSED": "run the `ath` command again; if it persists, report it with "
        "`ath --version`",
        "CONSENT_TIMEOUT": f"run {_LOGIN} again (--timeout SECONDS waits longer)",
        "LOOPBACK_UNAVAILABLE": "free that port or register another --redirect-uri "
        "(`ath register --redirect-uri URI`), or leave --redirect-uri out of `ath login` to "
        "finish by polling",
        "CREDENTIALS_NOT_FOUND": "check the FILE given to `ath credentials import FILE`",
        "CREDENTIALS_INVALID": "check the FILE given to `ath credentials import FILE`",
        "CREDENTIALS_MISMATCH": "check --url and --agent-id (`ath whoami`) against that "
        "registration's",
        "CREDENTIALS_INSECURE": "make the store readable by you alone (`chmod 600`; `ath "
        "whoami` shows where it is), or pick another --store",
        "CREDENTIALS_WRITE_FAILED": "check that the store's folder is writable (`ath whoami` "
        "shows it), or pick another --store",
        "STORE_LOCK_TIMEOUT": "another `ath` holds the store's lock: run the command again, "
        "or pick another --store",
        "STORE_UNAVAILABLE": "check --store (`ath whoami` shows it): the folder writable, Redis up",
        "STORE_CORRUPT": "the entry was left untouched: move the store aside or pick another "
        "--store (`ath whoami` shows it)",
        "STORE_MODE_MISMATCH": "use the --mode that wrote this entry, or another --store",
    }
)


def cli_parts(code: str, message: str) -> tuple[str, str | None]:
    """``message`` for the command line, and the code's :data:`CODE_HINTS` entry (None
    for a code the SDK does not document): sentences that advise a Python call
    (``name()`` or ``name=...``) are dropped from the message."""
    hint = CODE_HINTS.get(code)
    if hint is None:
        return message, None
    sentences = re.split(r"(?<=[.;:])\s+", message)
    kept = [s for s in sentences if not re.search(r"\w\(\)|\w\(\w|\w=True", s)]
    text = " ".join(kept).rstrip(" ;:,")
    return f"{text}{'' if text.endswith('.') or not text else '.'}", hint


def cli_message(code: str, message: str) -> str:
    """``message`` for the command line, whole: :func:`cli_parts`' text, then ``To fix:``
    and the code's hint."""
    text, hint = cli_parts(code, message)
    return text if hint is None else f"{text} To fix: {hint}."


_CLASSES: Final[Mapping[int, frozenset[str]]] = MappingProxyType(
    {
        USAGE: frozenset(
            {
                "INVALID_ARGUMENT",
                "INVALID_KEY",
                "SIGNER_FAILED",
                "INSECURE_TRANSPORT",
                "NOT_DISCOVERED",
                "LOOPBACK_UNAVAILABLE",  # a local port: never a server's refusal
                "REGISTRATION_MISMATCH",  # decided here, from the stored registration
                "USER_MISMATCH",  # a --user other than the one that started the consent
                "CLIENT_CLOSED",  # a program that runs commands used a closed client
            }
        ),
        NOT_READY: frozenset(
            {
                "NOT_REGISTERED",
                "NO_TOKEN",
                "PROVIDER_MISMATCH",  # the tokens held are for other providers
                "TOKEN_EXPIRED",
                "TOKEN_REVOKED",
                "TOKEN_INVALID",
                "AGENT_NOT_REGISTERED",
                "CREDENTIALS_NOT_FOUND",
                "APPROVAL_TIMEOUT",  # our wait ran out; the registration is still pending
            }
        ),
        CONSENT: frozenset(
            {
                "USER_DENIED",
                "CONSENT_TIMEOUT",
                "SESSION_EXPIRED",
                "SESSION_NOT_FOUND",
                "STATE_MISMATCH",
                "OAUTH_ERROR",
            }
        ),
        NETWORK: frozenset({"CONNECTION_ERROR", "TIMEOUT", "TLS_ERROR"}),
        BAD_RESPONSE: frozenset(
            {
                "INVALID_RESPONSE",
                "RESPONSE_TOO_LARGE",
                "TOKEN_MISMATCH",
                "PKCE_MISSING",
                "UNSUPPORTED_VERSION",
            }
        ),
        LOCAL_STATE: frozenset(
            {
                "CREDENTIALS_INVALID",
                "CREDENTIALS_MISMATCH",
                "CREDENTIALS_INSECURE",
                "CREDENTIALS_WRITE_FAILED",
                "STORE_LOCK_TIMEOUT",
                "STORE_UNAVAILABLE",
                "STORE_CORRUPT",
                "STORE_MODE_MISMATCH",
            }
        ),
    }
)


#: The classes a server's word may pick; the others (usage, network, local state) say
#: that something here failed, which a server cannot know.
_SERVER_CLASSES: Final = frozenset({NOT_READY, CONSENT, REFUSED, BAD_RESPONSE})


def exit_code(code: str, status: int | None, *, origin: str | None = None) -> int:
    """The exit status for an ``ATHError`` code (and its HTTP status, if any).

    ``origin`` is the error's :attr:`~ath.ATHError.origin`. Exit statuses follow who
    decided: a code a server said (``origin="server"``) maps to a server class (not
    ready, consent, refused, bad answer), never to a local one: a server answering
    ``STORE_CORRUPT``, ``INVALID_ARGUMENT`` or ``TIMEOUT`` is a server refusing (5).
    """
    for value, codes in _CLASSES.items():
        if code in codes:
            if origin == "server" and value not in _SERVER_CLASSES:
                return REFUSED
            return value
    # Everything else the SDK raises is a server's refusal: a protocol code, an HTTP
    # error, a rate limit, a registration conflict or denial, an upstream non-2xx.
    from ath import CLIENT_CODES, EXTENSION_CODES, PROTOCOL_CODES

    known = code in PROTOCOL_CODES or code in CLIENT_CODES or code in EXTENSION_CODES
    if status is not None or known:
        return REFUSED
    return FAILURE


# --------------------------------------------------------------------- terminal safety

#: C0 controls, DEL and C1 controls: what a terminal may act on instead of showing.
_CONTROLS: Final = re.compile(r"[\x00-\x1f\x7f-\x9f]")
#: The same without line feed and tab: a whole text's own line structure is kept.
_CONTROLS_IN_TEXT: Final = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
#: What JSON's own escaping leaves raw with ``ensure_ascii=False``: DEL and C1.
_JSON_RAW: Final = re.compile(r"[\x7f-\x9f]")
_NAMED: Final[Mapping[str, str]] = MappingProxyType({"\n": r"\n", "\r": r"\r", "\t": r"\t"})


def _visible(match: re.Match[str]) -> str:
    char = match.group()
    return _NAMED.get(char) or f"\\x{ord(char):02x}"


def safe(value: object, *, lines: bool = False) -> str:
    r"""``value`` as text a terminal shows and does not act on: every C0 control, DEL and
    C1 control (ESC, BEL, CSI, OSC, ...) written as a visible escape (``\x1b``, ``\n``).
    With ``lines``, line feeds and tabs are kept (a whole text the command line wrote);
    without, a value cannot start a line of its own."""
    text = value if isinstance(value, str) else str(value)
    return (_CONTROLS_IN_TEXT if lines else _CONTROLS).sub(_visible, text)


def _json_text(doc: Any, *, indent: int | None = None) -> str:
    """``doc`` as JSON whose text holds no control character raw (C1 and DEL escaped)."""
    separators = (",", ":") if indent is None else None
    text = json.dumps(doc, indent=indent, separators=separators, ensure_ascii=False, default=str)
    return _JSON_RAW.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


# --------------------------------------------------------------------- summaries


def shown(path: object) -> str:
    """A path for people: under the home folder as ``~/...`` (JSON output keeps it whole)."""
    from pathlib import Path

    full = Path(str(path))
    try:
        return "~/" + full.relative_to(Path.home()).as_posix()
    except (ValueError, RuntimeError):
        return str(full)


def _iso(timestamp: float | None) -> str | None:
    if timestamp is None:
        return None
    return dt.datetime.fromtimestamp(timestamp, dt.UTC).isoformat(timespec="seconds")


#: Header names that carry a secret: any name holding one of these words (any case).
_SECRET_HEADER: Final = re.compile(
    r"token|secret|auth|key|cookie|passw|credential|session|signature", re.IGNORECASE
)


def _masked_url(value: str) -> str:
    """A URL with the password of its user info replaced by ``***`` (``redis://:PW@h``)."""
    from urllib.parse import urlsplit, urlunsplit

    try:
        parts = urlsplit(value)
        password = parts.password
    except ValueError:
        return value
    if password is None:
        return value
    user, _, host = parts.netloc.rpartition("@")
    name = user.partition(":")[0]
    return urlunsplit(parts._replace(netloc=f"{name}:{MASK}@{host}"))


def _masked_header(line: str) -> str:
    name, sep, value = line.partition(":")
    if sep and value.strip() and _SECRET_HEADER.search(name):
        return f"{name}: {MASK}"
    return line


def masked_setting(key: str, value: Any) -> Any:
    """A setting as ``ath config show|get`` prints it: the password of a URL (a Redis
    store's) and the values of headers whose names suggest a secret (``X-ATH-User-Token``,
    ``Authorization``, ``X-Api-Key``, ``Cookie``, ...) masked."""
    if key == "headers":
        lines = value if isinstance(value, list) else [value]
        return [_masked_header(str(line)) for line in lines]
    if isinstance(value, str) and "@" in value:
        return _masked_url(value)
    return value


def token_summary(token: Token, provider: str | None = None) -> dict[str, Any]:
    """A token without its value."""
    return {
        "provider_id": token.provider_id or provider or None,
        "token_type": token.token_type,
        "access_token": MASK,
        "effective_scopes": list(token.effective_scopes),
        "expires_at": _iso(token.expires_at),
        "expired": token.is_expired(),
        "agent_id": token.agent_id,
    }


def approvals(items: list[ProviderApproval]) -> list[dict[str, Any]]:
    return [
        {
            "provider_id": a.provider_id,
            "approved_scopes": list(a.approved_scopes),
            "denied_scopes": list(a.denied_scopes),
            "denial_reason": a.denial_reason,
        }
        for a in items
    ]


def registration_summary(reg: Registration) -> dict[str, Any]:
    """A registration without its client secret."""
    return {
        "client_id": reg.client_id,
        "client_secret": MASK,
        "agent_status": reg.agent_status,
        "approved_providers": approvals(reg.approved_providers),
        "approval_expires": reg.approval_expires.isoformat() if reg.approval_expires else None,
    }


def status_summary(info: AgentStatusInfo) -> dict[str, Any]:
    return {
        "client_id": info.client_id,
        "agent_id": info.agent_id,
        "agent_status": info.agent_status,
        "approved_providers": approvals(info.approved_providers),
        "approval_expires": info.approval_expires.isoformat() if info.approval_expires else None,
    }


def approvals_text(items: list[dict[str, Any]]) -> list[str]:
    lines = []
    for a in items:
        scopes = safe(" ".join(a["approved_scopes"])) or "(no scope)"
        line = f"  {safe(a['provider_id'])}: {scopes}"
        if a["denied_scopes"]:
            line += f"  (denied: {safe(' '.join(a['denied_scopes']))})"
        if a["denial_reason"]:
            line += f"  reason: {safe(a['denial_reason'])}"
        lines.append(line)
    return lines


def token_text(summary: Mapping[str, Any]) -> str:
    expiry = summary["expires_at"] or "no expiry"
    state = " (expired)" if summary["expired"] else ""
    scopes = safe(" ".join(summary["effective_scopes"])) or "(no scope)"
    provider = safe(summary["provider_id"] or "(any provider)")
    return f"  {provider}: {scopes}; until {expiry}{state}"


def table(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> list[str]:
    """Rows under their headers in aligned columns, every cell escaped (:func:`safe`: a
    server's text cannot break a row, forge one or reach the terminal raw); an empty cell
    shows as ``-``."""
    cells = [[safe(c) if c not in (None, "") else "-" for c in row] for row in rows]
    widths = [len(h) for h in headers]
    for row in cells:
        widths = [max(w, len(c)) for w, c in zip(widths, row, strict=True)]
    return [
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
        for row in [list(headers), *cells]
    ]


def discovery_text(doc: Mapping[str, Any]) -> str:
    """A discovery document as a person reads it: a gateway's providers as a table, a
    native service's document as labelled lines."""
    version = doc.get("ath_version")
    if "supported_providers" in doc:
        head = f"gateway: {safe(doc.get('gateway_id') or '-')} (ATH {safe(version)})"
        rows = [
            (
                p.get("provider_id"),
                p.get("display_name"),
                " ".join(p.get("available_scopes") or []),
                "required" if p.get("agent_approval_required") else "not required",
            )
            for p in doc["supported_providers"]
        ]
        return "\n".join([head, *table(("PROVIDER", "NAME", "SCOPES", "APPROVAL"), rows)])
    auth = doc.get("auth") or {}
    return "\n".join(
        table(
            ("FIELD", "VALUE"),
            [
                ("app id", doc.get("app_id")),
                ("name", doc.get("name")),
                ("ath version", version),
                ("api base", doc.get("api_base")),
                ("scopes", " ".join(auth.get("scopes_supported") or [])),
                ("authorization", auth.get("authorization_endpoint")),
                ("token", auth.get("token_endpoint")),
                ("registration", auth.get("registration_endpoint")),
            ],
        )
    )


def approvals_table(items: list[dict[str, Any]]) -> list[str]:
    """Approved providers: PROVIDER, APPROVED, DENIED, REASON."""
    rows = [
        (
            a["provider_id"],
            " ".join(a["approved_scopes"]),
            " ".join(a["denied_scopes"]),
            a["denial_reason"],
        )
        for a in items
    ]
    return table(("PROVIDER", "APPROVED", "DENIED", "REASON"), rows)


def tokens_table(
    tokens: Sequence[Mapping[str, Any]], users: Sequence[Mapping[str, Any]], me: str = "(default)"
) -> list[str]:
    """Held tokens: PROVIDER, SCOPES, EXPIRES; with ``users`` holding tokens too, a USER
    column (``me`` for ``tokens``)."""

    def row(t: Mapping[str, Any]) -> tuple[object, ...]:
        expiry = t["expires_at"] or "no expiry"
        return (
            t["provider_id"] or "(any provider)",
            " ".join(t["effective_scopes"]),
            f"{expiry} (expired)" if t["expired"] else expiry,
        )

    if not users:
        return table(("PROVIDER", "SCOPES", "EXPIRES"), [row(t) for t in tokens])
    rows = [(me, *row(t)) for t in tokens]
    rows += [(u["user"], *row(t)) for u in users for t in u["tokens"]]
    return table(("USER", "PROVIDER", "SCOPES", "EXPIRES"), rows)


# --------------------------------------------------------------------- printing


#: The colours the command line writes on a terminal, and nothing else: errors red, hints
#: yellow, success green. Added around text already escaped (:func:`safe`), so every
#: escape sequence on the terminal is one of these (or the spinner's line clear).
RED: Final = "\x1b[31m"
YELLOW: Final = "\x1b[33m"
GREEN: Final = "\x1b[32m"
RESET: Final = "\x1b[0m"
#: Every escape sequence the command line itself writes to a terminal.
OWN_SEQUENCES: Final = (RED, YELLOW, GREEN, RESET, "\x1b[2K")


def wants_colour(stream: TextIO, *, json_mode: bool, no_color: bool) -> bool:
    """Colour on ``stream``: only on a terminal, never with ``--json`` or ``--no-color``,
    nor when ``NO_COLOR`` is set to anything (https://no-color.org) or ``TERM=dumb``."""
    import os

    if json_mode or no_color or os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    return _isatty(stream)


class Output:
    """stdout/stderr for one command run, in text or ``--json`` form; coloured on a
    terminal unless ``no_color`` (see :func:`wants_colour`)."""

    def __init__(
        self,
        json_mode: bool,
        stdout: TextIO | None = None,
        stderr: TextIO | None = None,
        *,
        no_color: bool = False,
    ):
        self.json_mode = json_mode
        self.stdout = stdout or sys.stdout
        self.stderr = stderr or sys.stderr
        self.colour_out = wants_colour(self.stdout, json_mode=json_mode, no_color=no_color)
        self.colour_err = wants_colour(self.stderr, json_mode=json_mode, no_color=no_color)

    @staticmethod
    def _paint(text: str, colour: str, on: bool) -> str:
        return f"{colour}{text}{RESET}" if on and text else text

    def result(self, doc: Any, text: str | None = None, *, ok: bool = False) -> None:
        """One result: a JSON line with ``--json``, else ``text`` (or pretty JSON); either
        way with no terminal control character raw (see :func:`safe`). With ``ok`` the
        first line says a change succeeded: green on a terminal."""
        if self.json_mode:
            self.stdout.write(_json_text(doc) + "\n")
        else:
            text = safe(_json_text(doc, indent=2) if text is None else text, lines=True)
            if ok:
                first, sep, rest = text.partition("\n")
                text = self._paint(first, GREEN, self.colour_out) + sep + rest
            self.stdout.write(text + ("" if text.endswith("\n") else "\n"))
        self.stdout.flush()

    def note(self, message: str) -> None:
        """Progress for a human, on stderr (also with ``--json``: stdout stays clean)."""
        self.stderr.write(safe(message, lines=True) + "\n")
        self.stderr.flush()

    def hint(self, message: str) -> None:
        """Advice under an error, on stderr: ``hint: ...``, yellow on a terminal."""
        self.stderr.write(self._paint(f"hint: {safe(message)}", YELLOW, self.colour_err) + "\n")
        self.stderr.flush()

    def error(self, code: str, message: str, status: int | None, hint: str | None = None) -> None:
        """One error; ``message`` (which may quote a server) is escaped whole, on one line;
        ``hint`` (what fixes it) follows as ``To fix: ...``: in JSON, within the message."""
        if self.json_mode:
            whole = message if hint is None else f"{message} To fix: {hint}."
            doc = {"code": code, "message": whole, "status": status}
            self.stderr.write(_json_text(doc) + "\n")
        else:
            where = f" (HTTP {status})" if status is not None else ""
            head = self._paint(f"ath: error [{safe(code)}]", RED, self.colour_err)
            tail = (
                ""
                if hint is None
                else " " + self._paint(f"To fix: {safe(hint)}.", YELLOW, self.colour_err)
            )
            self.stderr.write(f"{head} {safe(message)}{where}{tail}\n")
        self.stderr.flush()

    def raw(self, content: bytes) -> None:
        """A body as sent (``--raw``): the bytes as they are into a pipe or a file; on a
        terminal, decoded and escaped like any text (:func:`safe`)."""
        if _isatty(self.stdout):
            self.stdout.write(safe(content.decode("utf-8", "replace"), lines=True))
            self.stdout.flush()
            return
        self.stdout.flush()
        self.stdout.buffer.write(content)
        self.stdout.flush()

    @contextlib.contextmanager
    def waiting(self, message: str) -> Iterator[None]:
        """A spinner with elapsed seconds on a terminal; one plain line otherwise."""
        stream = self.stderr
        if not _isatty(stream):
            self.note(f"{message} ...")
            yield
            return
        stop = threading.Event()
        started = time.monotonic()

        def spin() -> None:
            for frame in itertools.cycle("|/-\\"):
                elapsed = int(time.monotonic() - started)
                stream.write(f"\r{frame} {message} ({elapsed}s, Ctrl-C to stop) ")
                stream.flush()
                if stop.wait(0.2):
                    break
            stream.write("\r\x1b[2K")
            stream.flush()

        thread = threading.Thread(target=spin, name="ath-cli-spinner", daemon=True)
        thread.start()
        try:
            yield
        finally:
            stop.set()
            thread.join(2.0)


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
