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
from collections.abc import Iterator, Mapping
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
    "REFUSED",
    "USAGE",
    "Output",
    "approvals",
    "approvals_text",
    "cli_message",
    "exit_code",
    "masked_setting",
    "registration_summary",
    "safe",
    "shown",
    "status_summary",
    "token_summary",
    "token_text",
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
        NOT_READY: "not registered, no token, or the token is expired, revoked or unknown: "
        "register or log in (again)",
        CONSENT: "consent denied, timed out, expired, or its redirect did not match",
        REFUSED: "the server refused: attestation, approval, scope, rate limit, "
        "or the upstream API answered non-2xx",
        NETWORK: "network or TLS: connection refused or broken, timeout, certificate",
        BAD_RESPONSE: "the server's answer is not what the protocol defines",
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

#: What fixes an error, in the command line's terms, per code the CLI shows with
#: advice of its own: each names an ``ath`` command or flag, none a Python call. The
#: SDK's message keeps its facts; its Python advice is replaced by this (:func:`cli_message`).
CODE_HINTS: Final[Mapping[str, str]] = MappingProxyType(
    {
        "INSECURE_TRANSPORT": "use an https:// --url, or pass --allow-insecure-http "
        "(ATH_ALLOW_INSECURE_HTTP=1) for a trusted development network",
        "NOT_REGISTERED": "run `ath register --provider ID:SCOPE,...`, or "
        "`ath credentials import FILE` for an existing registration",
        "NO_TOKEN": "run `ath login PROVIDER SCOPE...`",
        "PROVIDER_MISMATCH": "run `ath login PROVIDER SCOPE...`",
        "TOKEN_EXPIRED": "run `ath login PROVIDER SCOPE...` for a new token",
        "TOKEN_REVOKED": "run `ath login PROVIDER SCOPE...` for a new token",
        "CONSENT_TIMEOUT": "run `ath login PROVIDER SCOPE...` again (--timeout SECONDS waits "
        "longer)",
        "ALREADY_REGISTERED": "run `ath credentials import FILE` with that registration's "
        "client_id and client_secret, or `ath keygen` for a new key",
        "REGISTRATION_MISMATCH": "ask `ath login` only for approved scopes (`ath status` "
        "lists them), or register a new key (`ath keygen`) or --agent-id",
        "NOT_DISCOVERED": "run `ath discover --native` first",
        "SESSION_EXPIRED": "run `ath login PROVIDER SCOPE...` again",
        "LOOPBACK_UNAVAILABLE": "free that port or register another --redirect-uri "
        "(`ath register --redirect-uri URI`), or leave --redirect-uri out of `ath login` to "
        "finish by polling",
    }
)


def cli_message(code: str, message: str) -> str:
    """``message`` for the command line: sentences that advise a Python call
    (``name()`` or ``name=...``) dropped, the code's :data:`CODE_HINTS` entry added."""
    hint = CODE_HINTS.get(code)
    if hint is None:
        return message
    import re

    sentences = re.split(r"(?<=[.;:])\s+", message)
    kept = [s for s in sentences if not re.search(r"\w\(\)|\w\(\w|\w=True", s)]
    text = " ".join(kept).rstrip(" ;:,")
    return f"{text}{'' if text.endswith('.') or not text else '.'} To fix: {hint}."


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
            {"INVALID_RESPONSE", "RESPONSE_TOO_LARGE", "TOKEN_MISMATCH", "PKCE_MISSING"}
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


# --------------------------------------------------------------------- printing


class Output:
    """stdout/stderr for one command run, in text or ``--json`` form."""

    def __init__(self, json_mode: bool, stdout: TextIO | None = None, stderr: TextIO | None = None):
        self.json_mode = json_mode
        self.stdout = stdout or sys.stdout
        self.stderr = stderr or sys.stderr

    def result(self, doc: Any, text: str | None = None) -> None:
        """One result: a JSON line with ``--json``, else ``text`` (or pretty JSON); either
        way with no terminal control character raw (see :func:`safe`)."""
        if self.json_mode:
            self.stdout.write(_json_text(doc) + "\n")
        else:
            text = safe(_json_text(doc, indent=2) if text is None else text, lines=True)
            self.stdout.write(text + ("" if text.endswith("\n") else "\n"))
        self.stdout.flush()

    def note(self, message: str) -> None:
        """Progress for a human, on stderr (also with ``--json``: stdout stays clean)."""
        self.stderr.write(safe(message, lines=True) + "\n")
        self.stderr.flush()

    def error(self, code: str, message: str, status: int | None) -> None:
        """One error; ``message`` (which may quote a server) is escaped whole, on one line."""
        if self.json_mode:
            doc = {"code": code, "message": message, "status": status}
            self.stderr.write(_json_text(doc) + "\n")
        else:
            where = f" (HTTP {status})" if status is not None else ""
            self.stderr.write(f"ath: error [{safe(code)}] {safe(message)}{where}\n")
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
