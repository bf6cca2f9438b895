"""The ATH gateway: discovery catalog, the shared ATH endpoints, and the proxy that
forwards approved calls to the demo upstream with the user's provider token."""

from __future__ import annotations

from urllib.parse import quote, urlsplit

import httpx2
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ._demo_upstream import UpstreamAPI
from ._errors import ATHHTTPError, ErrorCode, invalid_request
from ._runner import HttpPool
from ._scopemap import normalize_raw_path, raw_path_tail
from ._service import ATHService
from ._wire import error_handlers, reply

__all__ = ["build_gateway"]

PROXY_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
# Not forwarded either way: hop-by-hop headers, and framing httpx2 has already undone.
_DROP = frozenset(
    {
        "connection",
        "keep-alive",
        "transfer-encoding",
        "te",
        "trailer",
        "upgrade",
        "proxy-authorization",
        "proxy-authenticate",
        "content-length",
        "content-encoding",
        "host",
    }
)
# W3C trace context goes on too, so the upstream's trace joins the agent's.
_FORWARDED_REQUEST_HEADERS = (
    "accept",
    "content-type",
    "accept-language",
    "if-none-match",
    "traceparent",
    "tracestate",
)


def build_gateway(
    core: ATHService, upstream: UpstreamAPI, upstream_url: str, http: HttpPool
) -> Starlette:
    async def discovery(request: Request) -> Response:
        providers = [
            {
                "provider_id": spec.provider_id,
                "display_name": spec.display_name,
                "categories": list(spec.categories),
                "available_scopes": list(spec.scopes),
                "auth_mode": "OAUTH2",
                "agent_approval_required": True,
            }
            for spec in upstream.providers
        ]
        document = {
            "ath_version": "0.1",
            "gateway_id": urlsplit(core.base_url).netloc,
            "agent_registration_endpoint": f"{core.base_url}/ath/agents/register",
            "supported_providers": providers,
        }
        if not core.keeps("DISC-DOC"):
            del document["gateway_id"]
        return reply("DiscoveryDocument" if core.keeps("DISC-DOC") else None, document)

    async def proxy(request: Request) -> Response:
        core.check_user_token(request)
        # Routed on the raw path: /ath/proxy/<provider_id>/<path>, a %2F stays in its segment.
        (_, _, provider_id), raw = raw_path_tail(request, 3)
        path = normalize_raw_path(raw)
        if path is None:
            raise invalid_request("the proxied path must not contain empty, . or .. segments")
        # The token first, then its agent, then its provider (server/proxy.mdx, steps 1-3):
        # an unknown provider_id is a provider the token is not bound to, PROVIDER_MISMATCH.
        record = core.authenticate_bearer(request, provider_id)
        core.check_route(record, request.method, path)
        if not core.keeps("API-OK"):
            raise ATHHTTPError(ErrorCode.INTERNAL_ERROR, "this stack breaks API-OK on purpose")
        if record.provider_token is None:
            raise ATHHTTPError(ErrorCode.TOKEN_INVALID, "no provider grant behind this token")
        headers = {
            name: request.headers[name]
            for name in _FORWARDED_REQUEST_HEADERS
            if name in request.headers
        }
        headers["Authorization"] = f"Bearer {record.provider_token.reveal()}"
        target = f"{upstream_url}/{quote(provider_id, safe='')}/{raw.strip('/')}"
        if request.url.query:
            target += f"?{request.url.query}"  # forwarded exactly as sent
        try:
            answer = await http.client.request(
                request.method,
                target,
                content=await request.body(),
                headers=headers,
            )
        except httpx2.HTTPError:
            raise ATHHTTPError(
                ErrorCode.INTERNAL_ERROR,
                f"provider {provider_id} could not be reached",
                status=502,
                details={"reason": "upstream_unreachable"},
            ) from None
        if answer.status_code == 401:
            # The provider refused the stored provider token: that is the gateway's failure
            # (502), so a 401 from the proxy always means the ATH token itself.
            raise ATHHTTPError(
                ErrorCode.OAUTH_ERROR,
                f"provider {provider_id} refused the stored provider token",
                status=502,
                details={"reason": "provider_token_refused"},
            )
        passed = {k: v for k, v in answer.headers.items() if k.lower() not in _DROP}
        return Response(answer.content, status_code=answer.status_code, headers=passed)

    return Starlette(
        routes=[
            Route("/.well-known/ath.json", discovery, methods=["GET"]),
            *core.routes(),
            Route("/ath/proxy/{provider_id}/{path:path}", proxy, methods=PROXY_METHODS),
        ],
        exception_handlers=error_handlers(strict=core.settings.strict_error_codes),
    )
