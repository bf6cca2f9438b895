"""Scope → (method, path pattern) maps, shared by the upstream APIs that define
them, the gateway proxy and the native service that enforce them.

API paths are routed on the RAW request path, as strict servers do: only a literal
``/`` separates segments, and an encoded ``%2F`` stays inside its segment (so a
client that percent-encodes ``user/repos`` whole sends the one segment
``user/repos``, which matches no two-segment route). Inside this module a
normalized path keeps such a slash escaped (``%2F``, with ``%`` itself as
``%25``); route parameters are unescaped again when matched."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from urllib.parse import unquote

from starlette.requests import Request
from starlette.responses import Response

__all__ = [
    "ApiCall",
    "Handler",
    "Route",
    "RouteMatch",
    "ScopeMap",
    "normalize_raw_path",
    "raw_path_tail",
]


@dataclass(frozen=True)
class ApiCall:
    """An authorized API call, as a route handler sees it."""

    user_id: str
    params: dict[str, str]
    request: Request


Handler = Callable[[ApiCall], Awaitable[Response]]

_PARAM = re.compile(r"\{([a-z_]+)\}")


def raw_path_tail(request: Request, skip: int) -> tuple[list[str], str]:
    """Split the request's raw (still percent-encoded) path: its first ``skip``
    segments, each decoded on its own, and the raw rest after them."""
    raw = request.scope.get("raw_path")
    path = raw.decode("latin-1") if isinstance(raw, bytes) else request.url.path
    parts = path.lstrip("/").split("/")
    return [unquote(part) for part in parts[:skip]], "/".join(parts[skip:])


def normalize_raw_path(raw: str) -> str | None:
    """``/a/b`` form of a raw relative API path, each segment decoded on its own (a
    decoded ``/`` stays escaped as ``%2F``), or ``None`` when it tries to climb out
    (empty, ``.`` or ``..`` segments, encoded or not) and so must be refused."""
    stripped = raw.strip("/")
    segments = [unquote(seg) for seg in stripped.split("/")] if stripped else []
    if any(seg in ("", ".", "..") for seg in segments):
        return None
    return "/" + "/".join(seg.replace("%", "%25").replace("/", "%2F") for seg in segments)


def _unescape(value: str) -> str:
    return value.replace("%2F", "/").replace("%25", "%")


@dataclass(frozen=True)
class Route:
    """One operation: ``method`` on ``pattern`` (``{name}`` matches one segment),
    allowed to a token holding any of ``scopes``."""

    name: str
    method: str
    pattern: str
    scopes: frozenset[str]
    handler: Handler | None = field(default=None, repr=False, compare=False)
    regex: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        pieces: list[str] = []
        last = 0
        for found in _PARAM.finditer(self.pattern):
            pieces.append(re.escape(self.pattern[last : found.start()]))
            pieces.append(f"(?P<{found.group(1)}>[^/]+)")
            last = found.end()
        pieces.append(re.escape(self.pattern[last:]))
        object.__setattr__(self, "regex", re.compile("^" + "".join(pieces) + "$"))


@dataclass(frozen=True)
class RouteMatch:
    route: Route
    params: dict[str, str]


class ScopeMap:
    """The operations an API offers and the scopes each needs."""

    def __init__(self, routes: Iterable[Route]) -> None:
        self.routes: tuple[Route, ...] = tuple(routes)

    @property
    def scopes(self) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        for route in self.routes:
            for scope in sorted(route.scopes):
                seen.setdefault(scope, None)
        return tuple(seen)

    def match(self, method: str, path: str) -> RouteMatch | None:
        """The operation that ``method path`` (a normalized path) names, if any;
        ``HEAD`` is the ``GET`` operation."""
        wanted = "GET" if method.upper() == "HEAD" else method.upper()
        for route in self.routes:
            if route.method != wanted:
                continue
            found = route.regex.match(path)
            if found:
                params = {k: _unescape(v) for k, v in found.groupdict().items()}
                return RouteMatch(route, params)
        return None
