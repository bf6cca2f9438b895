"""The ATH-native service: a small shop that implements the ATH endpoints itself
and serves its own API at ``<native_url>/api``.

Its provider id (``app_id`` in ``/.well-known/ath-app.json``) is ``shop``. The API
requires ``Authorization: Bearer <ATH token>`` and ``X-ATH-Agent-ID`` and maps
scopes to routes:

==================  ===========================  ============================
scope               operation                    answer
==================  ===========================  ============================
``products:read``   ``GET /api/products``        ``{"products": [...]}``
``products:read``   ``GET /api/products/{id}``   the product, or 404
``orders:read``     ``GET /api/orders``          ``{"orders": [...]}`` (the user's)
``orders:write``    ``POST /api/orders``         201 with the order (any JSON object in)
==================  ===========================  ============================
"""

from __future__ import annotations

import itertools
import json

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route as StarletteRoute

from ._errors import ATHHTTPError, ErrorCode, invalid_request
from ._oauth_server import OAuthServer
from ._scopemap import ApiCall, Route, ScopeMap, normalize_raw_path, raw_path_tail
from ._service import ATHService
from ._wire import error_handlers, reply

__all__ = ["APP_ID", "ShopAPI", "build_native"]

APP_ID = "shop"
APP_NAME = "Local Shop"

_PRODUCTS: tuple[dict[str, object], ...] = (
    {"id": "p-1", "name": "Trail Mug", "price": 12.5, "currency": "EUR"},
    {"id": "p-2", "name": "Field Notebook", "price": 6.0, "currency": "EUR"},
    {"id": "p-3", "name": "Headlamp", "price": 29.9, "currency": "EUR"},
)


class ShopAPI:
    """The shop's data (orders per user) and its scope map."""

    def __init__(self) -> None:
        self._orders: dict[str, list[dict[str, object]]] = {}
        self._ids = itertools.count(1001)
        read, orders_read = frozenset({"products:read"}), frozenset({"orders:read"})
        self.api = ScopeMap(
            [
                Route("list_products", "GET", "/products", read, self._list_products),
                Route("get_product", "GET", "/products/{product_id}", read, self._get_product),
                Route("list_orders", "GET", "/orders", orders_read, self._list_orders),
                Route("create_order", "POST", "/orders", frozenset({"orders:write"}), self._create),
            ]
        )
        self.scopes: tuple[str, ...] = ("products:read", "orders:read", "orders:write")

    async def _list_products(self, call: ApiCall) -> Response:
        return JSONResponse({"products": list(_PRODUCTS)})

    async def _get_product(self, call: ApiCall) -> Response:
        for product in _PRODUCTS:
            if product["id"] == call.params["product_id"]:
                return JSONResponse(product)
        return JSONResponse({"error": "not_found", "detail": "no such product"}, status_code=404)

    async def _list_orders(self, call: ApiCall) -> Response:
        return JSONResponse({"orders": self._orders.get(call.user_id, [])})

    async def _create(self, call: ApiCall) -> Response:
        try:
            body = json.loads(await call.request.body() or b"{}")
        except ValueError:
            body = None
        if not isinstance(body, dict):
            return JSONResponse(
                {"error": "invalid_order", "detail": "a JSON object is required"}, status_code=400
            )
        order = {"id": f"o-{next(self._ids)}", "status": "placed", "user": call.user_id, **body}
        self._orders.setdefault(call.user_id, []).append(order)
        return JSONResponse(order, status_code=201)


def build_native(core: ATHService, shop: ShopAPI, oauth: OAuthServer) -> Starlette:
    async def discovery(request: Request) -> Response:
        return reply(
            "ServiceDiscoveryDocument",
            {
                "ath_version": "0.1",
                "app_id": APP_ID,
                "name": APP_NAME,
                "api_base": f"{core.base_url}/api",
                "auth": {
                    "type": "oauth2",
                    "authorization_endpoint": oauth.authorization_endpoint,
                    "token_endpoint": oauth.token_endpoint,
                    "registration_endpoint": f"{core.base_url}/ath/agents/register",
                    "scopes_supported": list(shop.scopes),
                    "agent_attestation_required": True,
                },
            },
        )

    async def api(request: Request) -> Response:
        path = normalize_raw_path(raw_path_tail(request, 1)[1])
        if path is None:
            raise invalid_request("the API path must not contain empty, . or .. segments")
        record = core.authenticate_bearer(request, APP_ID)
        core.check_route(record, request.method, path)
        if not core.keeps("API-OK"):
            raise ATHHTTPError(ErrorCode.INTERNAL_ERROR, "this stack breaks API-OK on purpose")
        match = shop.api.match(request.method, path)
        if match is None or match.route.handler is None:  # a stack breaking API-SCOPE
            return JSONResponse({"error": "not_found"}, status_code=404)
        return await match.route.handler(ApiCall(record.user_id, match.params, request))

    return Starlette(
        routes=[
            StarletteRoute("/.well-known/ath-app.json", discovery, methods=["GET"]),
            *core.routes(),
            StarletteRoute(
                "/api/{path:path}", api, methods=["GET", "POST", "PUT", "PATCH", "DELETE"]
            ),
        ],
        exception_handlers=error_handlers(strict=core.settings.strict_error_codes),
    )
