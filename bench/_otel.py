"""``proxy_otel_ratio``: ``proxy()`` with OpenTelemetry tracing on / off.

Both clients live in this process and call the same fast server: the traced one was
built while a tracer provider was set (OpenTelemetry's SDK, every span exported to its
in-memory exporter through a simple processor, the most synchronous set-up there is),
the other before, with none set (the SDK then decides once, at build, that nothing is
watched). So the figure is what a call's two spans, their attributes and the
``traceparent`` it sends cost. The provider is cleared again after the round, so
whatever runs later in the process sees none.
"""

from __future__ import annotations

import gc
import time
from dataclasses import dataclass
from typing import Any

from ath import ATHGatewayClient
from bench._common import TOKEN, agent_id_for
from bench._micro import Pair, interleaved
from bench._stats import Deadline, median, ratio_noise


@dataclass(frozen=True)
class OTelPair(Pair):
    """A round, plus what the OpenTelemetry SDK alone takes, on the same provider, for a
    call's two spans: bare (a span and a child, both ended, no attributes), and as
    documented (the same names, kinds and attributes as the traced call's, the child's
    ``traceparent`` formatted, its status set): the part of the traced side's extra cost
    that is the SDK's, not ath-sdk's (seconds)."""

    sdk_two_spans: float = 0.0
    sdk_documented_spans: float = 0.0

    @property
    def floor_ratio(self) -> float:
        """The ratio if ath-sdk's own tracing code cost nothing: (untraced + the SDK's
        documented spans) / untraced."""
        return (self.base + self.sdk_documented_spans) / self.base


def _two_spans_ns(tracer: Any, count: int) -> list[int]:
    from opentelemetry.trace import set_span_in_context

    clock = time.perf_counter_ns
    out = []
    for _ in range(count):
        started = clock()
        parent = tracer.start_span("call")
        tracer.start_span("attempt", context=set_span_in_context(parent)).end()
        parent.end()
        out.append(clock() - started)
    return out


def _documented_spans_ns(tracer: Any, spans: Any, count: int) -> list[int]:
    """Per call: the SDK making the two spans the traced call made (from ``spans``, its
    exported call span and attempt span), without any of ath-sdk's code."""
    from opentelemetry.trace import SpanKind, set_span_in_context

    attempt, call = spans
    call_name, call_attrs = call.name, dict(call.attributes)
    name, attrs = attempt.name, dict(attempt.attributes)
    status = attrs.pop("http.response.status_code")
    internal, client = SpanKind.INTERNAL, SpanKind.CLIENT
    clock = time.perf_counter_ns
    out = []
    for _ in range(count):
        started = clock()
        parent = tracer.start_span(call_name, kind=internal, attributes=call_attrs)
        child = tracer.start_span(
            name, context=set_span_in_context(parent), kind=client, attributes=attrs
        )
        ctx = child.get_span_context()
        _ = f"00-{ctx.trace_id:032x}-{ctx.span_id:016x}-{ctx.trace_flags:02x}"
        child.set_attribute("http.response.status_code", status)
        child.end()
        parent.end()
        out.append(clock() - started)
    return out


def _clear_provider() -> None:
    # The API lets a process set its global provider once; the bench sets and clears it
    # per round, as OpenTelemetry's own test utilities do.
    from opentelemetry import trace
    from opentelemetry.util._once import Once

    trace._TRACER_PROVIDER_SET_ONCE = Once()
    trace._TRACER_PROVIDER = None


def proxy_otel_round(url: str, pem: str, *, calls: int, deadline: Deadline) -> OTelPair:
    """Median per-call ``proxy()`` time of a traced client against an untraced one."""
    from opentelemetry import trace
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    agent_id = agent_id_for(url)
    _clear_provider()
    off = ATHGatewayClient(url=url, agent_id=agent_id, private_key=pem)
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    trace.set_tracer_provider(provider)
    try:
        on = ATHGatewayClient(url=url, agent_id=agent_id, private_key=pem)
    finally:
        _clear_provider()
    with on, off:
        for client in (on, off):
            client.set_token(TOKEN, "github")

        def ours() -> object:
            return on.proxy("github", "GET", "/user")

        def base() -> object:
            return off.proxy("github", "GET", "/user")

        if ours() != base() or len(exporter.get_finished_spans()) != 2:
            raise RuntimeError("the traced client did not answer alike, or did not trace")
        first = exporter.get_finished_spans()  # (the attempt's span, the call's span)
        for _ in range(50):
            ours()
            base()
        exporter.clear()
        gc.collect()
        ours_ns, base_ns = interleaved(ours, base, calls=calls, block=100, deadline=deadline)
        spans = len(exporter.get_finished_spans())
        floor_ns = _two_spans_ns(provider.get_tracer("bench"), calls)
        exporter.clear()
        documented_ns = _documented_spans_ns(provider.get_tracer("bench"), first, calls)
        exporter.clear()
        provider.shutdown()
    if spans != 2 * calls:
        raise RuntimeError(f"{spans} spans exported for {calls} traced calls")
    return OTelPair(
        median(ours_ns) / 1e9,
        median(base_ns) / 1e9,
        ratio_noise(ours_ns, base_ns),
        sdk_two_spans=median(floor_ns) / 1e9,
        sdk_documented_spans=median(documented_ns) / 1e9,
    )
