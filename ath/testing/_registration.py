"""Phase A of the ATH server: agent registration, its status, and deciding a
registration after the fact."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from ._errors import ATHHTTPError, ErrorCode, invalid_request
from ._policies import ApprovalController
from ._primitives import random_token, sha256_hex
from ._records import APPROVAL_LIFETIME, Registration
from ._service_base import ServiceBase
from ._wire import (
    absolute_uri,
    basic_credentials,
    json_body,
    optional_text,
    reply,
    text,
    text_list,
)

__all__ = ["RegistrationEndpoints"]


class RegistrationEndpoints(ServiceBase):
    """``POST /ath/agents/register`` and ``GET /ath/agents/{client_id}``."""

    async def register(self, request: Request) -> Response:
        self.register_requests += 1
        self.check_user_token(request)
        body = await json_body(request, "AgentRegistrationRequest")
        agent_id = absolute_uri(text(body, "agent_id"), "agent_id")
        developer = body.get("developer")
        if not isinstance(developer, dict) or not all(
            isinstance(developer.get(k), str) and developer.get(k) for k in ("name", "id")
        ):
            raise invalid_request("developer needs name and id", field="developer")
        requested_raw = body.get("requested_providers")
        if not isinstance(requested_raw, list) or not requested_raw:
            raise invalid_request("requested_providers needs at least one entry")
        requested: list[tuple[str, tuple[str, ...]]] = []
        for entry in requested_raw:
            if not isinstance(entry, dict):
                raise invalid_request("requested_providers entries must be objects")
            requested.append((text(entry, "provider_id"), text_list(entry, "scopes")))
        # Optional (schema/0.1): without it no user_redirect_uri is accepted later and
        # this implementer completes the OAuth callback itself.
        redirect_uris = (
            tuple(absolute_uri(u, "redirect_uris") for u in text_list(body, "redirect_uris"))
            if "redirect_uris" in body
            else ()
        )
        purpose = optional_text(body, "purpose")

        await self._verifier.verify(
            body.get("agent_attestation"),
            audience=self.base_url if self.keeps("ATT-AUD") else None,
            agent_id=agent_id,
        )
        if agent_id in self._client_by_agent and self.keeps("REG-DUP"):
            raise ATHHTTPError(
                ErrorCode.AGENT_ALREADY_REGISTERED,
                "agent is already registered; use the existing client credentials",
                # the attestation proved it is the agent: tell it which client it has
                details={"client_id": self._client_by_agent[agent_id]},
            )
        secret = random_token("ath_secret_")
        registration = Registration(
            client_id=random_token("ath_client_", 12),
            secret_digest=sha256_hex(secret),
            agent_id=agent_id,
            developer=dict(developer),
            purpose=purpose,
            redirect_uris=redirect_uris,
            requested=tuple(requested),
            status="pending",
            approvals={},
            approval_expires=self._clock.now() + APPROVAL_LIFETIME,
        )
        registration.apply(self._approval.decide(registration.requested, self._catalog()))
        self._registrations[registration.client_id] = registration
        self._client_by_agent[agent_id] = registration.client_id
        answer = {**registration.wire(), "client_secret": secret}
        if not self.keeps("REG-OK"):
            del answer["approval_expires"]
        return reply("AgentRegistrationResponse" if self.keeps("REG-OK") else None, answer, 201)

    def resolve(self, client_id: str, *, approve: bool) -> bool:
        """Decide a registration after the fact (approve everything it asked for that
        is offered, or deny it). Returns ``False`` for an unknown ``client_id``."""
        registration = self._registrations.get(client_id)
        if registration is None:
            return False
        policy = ApprovalController()
        if not approve:
            policy.deny()
        registration.apply(policy.decide(registration.requested, self._catalog()))
        return True

    def pending(self) -> list[str]:
        """The client ids of the registrations waiting for a decision, oldest first."""
        return [cid for cid, reg in list(self._registrations.items()) if reg.status == "pending"]

    async def status(self, request: Request) -> Response:
        self.check_user_token(request)
        client_id, secret = basic_credentials(request)
        if client_id is None and not self.keeps("ERR-BODY"):
            return PlainTextResponse("authentication required", status_code=401)
        if client_id is None and not self.keeps("STATUS-AUTH"):
            found = self._registrations.get(request.path_params["client_id"])
            if found is not None:
                return reply(None, {**found.wire(), "agent_id": found.agent_id})
        registration = self._client(client_id, secret)
        if request.path_params["client_id"] != registration.client_id:
            raise ATHHTTPError(
                ErrorCode.AGENT_IDENTITY_MISMATCH, "a client may only read its own registration"
            )
        return reply(
            "AgentStatusResponse", {**registration.wire(), "agent_id": registration.agent_id}
        )
