"""The ATH server both the gateway and the native service run, put together from
its roles: Phase A registration (:mod:`._registration`), the authorization request
and the browser legs of consent (:mod:`._consent_legs`), and the token endpoints
with the bearer checks (:mod:`._tokens`), over the shared state of
:mod:`._service_base`; what it keeps is described in :mod:`._records`.
"""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

from ._consent_legs import ConsentLegs
from ._registration import RegistrationEndpoints
from ._tokens import TokenEndpoints

__all__ = ["ATHService"]


class ATHService(RegistrationEndpoints, ConsentLegs, TokenEndpoints):
    """One ATH implementer (the gateway or the native service)."""

    def routes(self) -> list[BaseRoute]:
        return [
            Route("/ath/agents/register", self.register, methods=["POST"]),
            Route("/ath/agents/{client_id}", self.status, methods=["GET"]),
            Route("/ath/authorize", self.authorize, methods=["POST"]),
            Route("/ath/consent", self.consent_start, methods=["GET"]),
            Route("/ath/callback", self.callback, methods=["GET"]),
            Route("/ath/token", self.token, methods=["POST"]),
            Route("/ath/revoke", self.revoke, methods=["POST"]),
        ]
