"""ATH tools for agent frameworks: the framework-neutral core (no framework import).

:class:`ToolCore` runs tool calls a model makes with one client (any
:class:`ATHCaller`: the four clients or a per-user view): it checks the arguments
against the tool's :class:`ToolSpec`, calls through the gateway (or the native API),
raises :class:`ConsentRequired` when the user must consent, resumes after consent
(``resume``: ``wait_for_token`` then the same call), and renders results and errors
for a model (short, redacted, the ATH code and what happens next). Specs come from
discovery (:func:`specs_from_discovery`: one generic call tool per provider) and from an
OpenAPI description of a provider's API (:func:`specs_from_openapi`: one typed tool per
operation). :class:`ATHAuth` lends the same checks to any httpx2 client.

The adapters build on it: :mod:`ath.langchain` (LangChain/LangGraph),
:mod:`ath.openai_agents` (OpenAI Agents SDK), :mod:`ath.pydantic_ai` (PydanticAI).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ath.tools._auth import ATHAuth
from ath.tools._core import (
    CONSENT_CODES,
    ATHCaller,
    ConsentRequired,
    PreparedCall,
    ToolCore,
    held_secrets,
    render_error,
    render_result,
)
from ath.tools._specs import (
    ParamSpec,
    ToolSpec,
    generic_spec,
    specs_from_discovery,
    specs_from_openapi,
)

__all__ = [
    "CONSENT_CODES",
    "ATHAuth",
    "ATHCaller",
    "ConsentRequired",
    "ParamSpec",
    "PreparedCall",
    "ToolCore",
    "ToolSpec",
    "build_specs",
    "generic_spec",
    "held_secrets",
    "render_error",
    "render_result",
    "specs_from_discovery",
    "specs_from_openapi",
]


def build_specs(
    discovery: Any,
    *,
    openapi: Mapping[str, Mapping[str, Any]] | None = None,
    providers: Iterable[str] | None = None,
    methods: Sequence[str] = ("GET",),
) -> list[ToolSpec]:
    """The default toolkit: for each provider of ``discovery`` (optionally only
    ``providers``), the typed tools of its OpenAPI description when ``openapi`` has one
    (by provider id; ``methods`` limits them too), else its generic call tool."""
    specs: list[ToolSpec] = []
    given = dict(openapi or {})
    for spec in specs_from_discovery(discovery, providers=providers, methods=methods):
        document = given.get(spec.provider or "")
        if document is None:
            specs.append(spec)
            continue
        typed = specs_from_openapi(spec.provider, document, methods=methods)
        scopes = spec.scopes
        specs += [s if s.scopes else _with_scopes(s, scopes) for s in typed]
    return specs


def _with_scopes(spec: ToolSpec, scopes: tuple[str, ...]) -> ToolSpec:
    from dataclasses import replace

    return replace(spec, scopes=scopes)
