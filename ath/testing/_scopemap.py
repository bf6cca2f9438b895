"""Scope → (method, path pattern) maps, shared by the upstream APIs that define
them, the gateway proxy and the native service that enforce them."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field

from starlette.requests import Request
from starlette.responses import Response

__all__ = ["ApiCall", "Handler", "Route", "RouteMatch", "ScopeMap", "normalize_path"]


@dataclass(frozen=True)
class ApiCall:
    """An authorized API call, as a route handler sees it."""

    user_id: str
    params: dict[str, str]
    request: Request


Handler = Callable[[ApiCall], Awaitable[Response]]

_PARAM = re.compile(r"\{([a-z_]+)\}")


def normalize_path(path: str) -> str | None:
    """``/a/b`` form of a relative API path, or ``None`` when it tries to climb out
    (``.``/``..`` segments, empty segments) and so must be refused."""
    segments = path.strip("/").split("/") if path.strip("/") else []
    if any(seg in ("", ".", "..") for seg in segments):
        return None
    return "/" + "/".join(segments)


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
                return RouteMatch(route, found.groupdict())
        return None
