"""OpenTelemetry, when the application set it up: spans, metrics, trace propagation.

Nothing here imports OpenTelemetry unless the application already did: :func:`for_client`
looks for ``opentelemetry.trace`` / ``opentelemetry.metrics`` in ``sys.modules`` (an
application that set a tracer or meter provider has imported them) and asks each for its
global provider; the default no-op/proxy providers count as none. The decision is made
once per client, when it is built: a client built with no provider set costs nothing
more than a ``None`` check per call. The API package (``opentelemetry-api``) is all this
uses; the SDK and exporters are the application's choice.
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import MutableMapping
from typing import Any

from ath._constants import VERSION
from ath._observe import Attrs

__all__ = ["OTel", "for_client"]

_SCOPE = "ath-sdk"


def _tracer() -> Any:
    trace = sys.modules.get("opentelemetry.trace")
    if trace is None:
        return None
    provider = trace.get_tracer_provider()
    if isinstance(provider, trace.ProxyTracerProvider | trace.NoOpTracerProvider):
        return None
    return provider.get_tracer(_SCOPE, VERSION)


def _meter() -> Any:
    metrics = sys.modules.get("opentelemetry.metrics")
    if metrics is None:
        return None
    provider = metrics.get_meter_provider()
    # the API's default is a proxy (a private class) until a provider is set
    if isinstance(provider, metrics.NoOpMeterProvider) or type(provider).__name__.startswith(
        "_Proxy"
    ):
        return None
    return provider.get_meter(_SCOPE, VERSION)


def for_client() -> OTel | None:
    """The OpenTelemetry handle of a new client: None unless the application set a tracer
    provider or a meter provider (then ``opentelemetry-api`` is importable)."""
    tracer, meter = _tracer(), _meter()
    if tracer is None and meter is None:
        return None
    return OTel(tracer, meter)


class OTel:
    """Spans and instruments of one client (either may be off: ``tracer``/``meter`` None)."""

    __slots__ = (
        "attempt_duration",
        "call_duration",
        "client",
        "consent_wait",
        "context_of",
        "error",
        "internal",
        "retries",
        "tracer",
    )

    def __init__(self, tracer: Any, meter: Any) -> None:
        from opentelemetry import trace

        self.tracer = tracer
        self.context_of = trace.set_span_in_context
        self.internal, self.client = trace.SpanKind.INTERNAL, trace.SpanKind.CLIENT
        self.error = trace.Status(trace.StatusCode.ERROR)
        self.call_duration = self.retries = self.consent_wait = self.attempt_duration = None
        if meter is not None:
            self.call_duration = meter.create_histogram(
                "ath.client.call.duration", unit="s", description="Duration of ATH SDK calls"
            )
            self.attempt_duration = meter.create_histogram(
                "http.client.request.duration",
                unit="s",
                description="Duration of the ATH SDK's HTTP attempts",
            )
            self.retries = meter.create_counter(
                "ath.client.retries", unit="{retry}", description="HTTP attempts retried"
            )
            self.consent_wait = meter.create_histogram(
                "ath.client.consent.wait",
                unit="s",
                description="Time spent waiting for the user's consent",
            )

    # ------------------------------------------------------------------ spans

    def start_call(self, name: str, attrs: Attrs) -> Any:
        if self.tracer is None:
            return None
        return self.tracer.start_span(name, kind=self.internal, attributes=attrs)

    def start_attempt(self, parent: Any, name: str, attrs: Attrs) -> Any:
        return self.tracer.start_span(
            name, context=self.context_of(parent), kind=self.client, attributes=attrs
        )

    def propagate(self, span: Any, headers: MutableMapping[str, str]) -> None:
        """Put ``span``'s W3C trace context on ``headers``: ``traceparent``, and
        ``tracestate`` when the trace carries one (what the W3C propagator writes, written
        here directly: the API call's upstream joins the trace whatever else the
        application's global propagator sends)."""
        ctx = span.get_span_context()
        headers["traceparent"] = f"00-{ctx.trace_id:032x}-{ctx.span_id:016x}-{ctx.trace_flags:02x}"
        if ctx.trace_state:
            headers["tracestate"] = ctx.trace_state.to_header()

    def fail(self, span: Any, exc: BaseException, code: str | None, message: str) -> None:
        """Mark ``span`` failed: status, ``error.type``, ``ath.error.code``, and an
        ``exception`` event whose message and stack trace carry no text from the server
        (``message`` is built from the code; the stack trace's last line is that too)."""
        span.set_attribute("error.type", code or type(exc).__qualname__)
        if code is not None:
            span.set_attribute("ath.error.code", code)
        kind = type(exc)
        frames = "".join(traceback.format_tb(exc.__traceback__))
        span.add_event(
            "exception",
            {
                "exception.type": f"{kind.__module__}.{kind.__qualname__}",
                "exception.message": message,
                "exception.stacktrace": f"Traceback (most recent call last):\n{frames}"
                f"{kind.__module__}.{kind.__qualname__}: {message}",
                "exception.escaped": True,
            },
        )
        span.set_status(type(self.error)(self.error.status_code, code or kind.__qualname__))
