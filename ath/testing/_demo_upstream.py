"""The demo upstream APIs behind the gateway: a GitHub-like code host (``github``)
and a mail service (``mail``), served under ``<upstream_url>/<provider_id>/``.

Each provider's operations and the scope each needs are one :class:`ScopeMap`; the
gateway enforces it on ``/ath/proxy`` before forwarding, and the upstream enforces
it again on the provider token it receives. Answers are JSON, except
``GET /github/zen`` (``text/plain``) and ``GET /github/outage`` (``503`` with an HTML
body); ``GET /github/trace`` answers the W3C trace headers it received (``traceparent``,
``tracestate``) and nothing else, so a test can see a trace join end to end;
``GET /github/repos/{owner}/{repo}`` and ``GET /mail/messages/{id}`` answer
``404`` for what does not exist.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Route as StarletteRoute

from ._oauth_server import OAuthServer
from ._scopemap import ApiCall, Route, ScopeMap, normalize_raw_path, raw_path_tail

__all__ = ["ProviderSpec", "UpstreamAPI"]


@dataclass(frozen=True)
class ProviderSpec:
    provider_id: str
    display_name: str
    categories: tuple[str, ...]
    scopes: tuple[str, ...]
    api: ScopeMap


async def _json_object(request: Request) -> dict[str, object] | None:
    try:
        body = json.loads(await request.body() or b"null")
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


class UpstreamAPI:
    """In-memory data of both providers, per user, and the app serving them."""

    def __init__(self, oauth: OAuthServer) -> None:
        self._oauth = oauth
        self._repos: dict[str, list[dict[str, object]]] = {}
        self._mail: dict[str, list[dict[str, object]]] = {}
        self._ids = itertools.count(1)
        self.providers: tuple[ProviderSpec, ...] = (self._github(), self._mail_spec())

    def provider(self, provider_id: str) -> ProviderSpec | None:
        return next((p for p in self.providers if p.provider_id == provider_id), None)

    # -- github ------------------------------------------------------------------

    def _github(self) -> ProviderSpec:
        read, repo = frozenset({"read:user"}), frozenset({"repo"})
        api = ScopeMap(
            [
                Route("get_user", "GET", "/user", read, self._get_user),
                Route("list_repos", "GET", "/user/repos", repo, self._list_repos),
                Route("create_repo", "POST", "/user/repos", repo, self._create_repo),
                Route("get_repo", "GET", "/repos/{owner}/{repo}", repo, self._get_repo),
                Route("zen", "GET", "/zen", read, self._zen),
                Route("outage", "GET", "/outage", read, self._outage),
                Route("trace", "GET", "/trace", read, self._trace),
            ]
        )
        return ProviderSpec(
            "github", "Code Host (GitHub-like)", ("developer-tools",), ("read:user", "repo"), api
        )

    def _user_repos(self, user: str) -> list[dict[str, object]]:
        return self._repos.setdefault(
            user,
            [
                {
                    "id": next(self._ids),
                    "name": "hello-world",
                    "full_name": f"{user}/hello-world",
                    "private": False,
                }
            ],
        )

    async def _get_user(self, call: ApiCall) -> Response:
        return JSONResponse({"login": call.user_id, "name": call.user_id.title(), "type": "User"})

    async def _list_repos(self, call: ApiCall) -> Response:
        return JSONResponse(self._user_repos(call.user_id))

    async def _create_repo(self, call: ApiCall) -> Response:
        body = await _json_object(call.request)
        name = body.get("name") if body else None
        if not isinstance(name, str) or not name:
            return JSONResponse({"message": "Validation Failed: name is required"}, status_code=422)
        repos = self._user_repos(call.user_id)
        if any(r["name"] == name for r in repos):
            return JSONResponse({"message": "Repository already exists"}, status_code=422)
        created: dict[str, object] = {
            "id": next(self._ids),
            "name": name,
            "full_name": f"{call.user_id}/{name}",
            "private": bool(body.get("private", False)) if body else False,
        }
        repos.append(created)
        return JSONResponse(created, status_code=201)

    async def _get_repo(self, call: ApiCall) -> Response:
        owner, name = call.params["owner"], call.params["repo"]
        for found in self._user_repos(owner) if owner == call.user_id else []:
            if found["name"] == name:
                return JSONResponse(found)
        return JSONResponse({"message": "Not Found"}, status_code=404)

    async def _zen(self, call: ApiCall) -> Response:
        return PlainTextResponse("Approval and consent, both required.")

    async def _outage(self, call: ApiCall) -> Response:
        return HTMLResponse(
            "<html><body><h1>503 Service Unavailable</h1></body></html>", status_code=503
        )

    async def _trace(self, call: ApiCall) -> Response:
        # only the trace headers: never the provider token the gateway put beside them
        received = {name: call.request.headers.get(name) for name in ("traceparent", "tracestate")}
        return JSONResponse(received)

    # -- mail --------------------------------------------------------------------

    def _mail_spec(self) -> ProviderSpec:
        read, send = frozenset({"mail:read"}), frozenset({"mail:send"})
        api = ScopeMap(
            [
                Route("list_messages", "GET", "/messages", read, self._list_messages),
                Route("get_message", "GET", "/messages/{message_id}", read, self._get_message),
                Route("send_message", "POST", "/messages", send, self._send_message),
            ]
        )
        return ProviderSpec(
            "mail", "Mail", ("email", "productivity"), ("mail:read", "mail:send"), api
        )

    def _mailbox(self, user: str) -> list[dict[str, object]]:
        return self._mail.setdefault(
            user,
            [
                {
                    "id": f"m{next(self._ids)}",
                    "from": "welcome@mail.test",
                    "to": user,
                    "subject": "Welcome",
                }
            ],
        )

    async def _list_messages(self, call: ApiCall) -> Response:
        return JSONResponse({"messages": self._mailbox(call.user_id)})

    async def _get_message(self, call: ApiCall) -> Response:
        for message in self._mailbox(call.user_id):
            if message["id"] == call.params["message_id"]:
                return JSONResponse(message)
        return JSONResponse({"error": "not_found"}, status_code=404)

    async def _send_message(self, call: ApiCall) -> Response:
        body = await _json_object(call.request)
        if body is None or not isinstance(body.get("to"), str):
            return JSONResponse(
                {"error": "invalid_message", "detail": "'to' is required"}, status_code=400
            )
        sent = {
            "id": f"m{next(self._ids)}",
            "from": call.user_id,
            "to": body["to"],
            "subject": body.get("subject", ""),
        }
        return JSONResponse({"status": "sent", "message": sent}, status_code=201)

    # -- serving -----------------------------------------------------------------

    async def _dispatch(self, request: Request) -> Response:
        (provider_id,), raw = raw_path_tail(request, 1)
        spec = self.provider(provider_id)
        path = normalize_raw_path(raw)
        if spec is None or path is None:
            return JSONResponse({"message": "Not Found"}, status_code=404)
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        grant = self._oauth.introspect(token) if scheme.lower() == "bearer" else None
        if grant is None or grant.provider_id != spec.provider_id:
            return JSONResponse(
                {"message": "Bad credentials"},
                status_code=401,
                headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
            )
        match = spec.api.match(request.method, path)
        if match is None or match.route.handler is None:
            return JSONResponse({"message": "Not Found"}, status_code=404)
        if not match.route.scopes & grant.scopes:
            return JSONResponse(
                {"message": "insufficient scope", "required": sorted(match.route.scopes)},
                status_code=403,
            )
        return await match.route.handler(ApiCall(grant.user_id, match.params, request))

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                StarletteRoute(
                    "/{provider_id}/{path:path}",
                    self._dispatch,
                    methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
                )
            ]
        )
