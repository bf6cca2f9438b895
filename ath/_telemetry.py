"""The watcher: one place where a public call becomes log records, spans and metrics.

:func:`observed` is what both shells hand their driver: the call's flow behind the
secret guard (:func:`ath._flows._transport.guard`), and, when anyone is listening (the
``ath`` logger at INFO or DEBUG, or an OpenTelemetry provider the client found when it
was built), behind :func:`_watch`, a generator that sees every step the driver answers:

- per HTTP attempt (each :class:`~ath._steps.Send`): a DEBUG record ``http.attempt`` and
  a CLIENT span, child of the call's span, carrying the W3C trace context to the API on
  ``ath.proxy``/``ath.api`` calls (``propagate_trace=``);
- per call: an INFO record ``call``, an INTERNAL span named after the call
  (``ath.register``, ``ath.proxy``, ...), the duration, retries and consent-wait metrics;
- the audit events the call's outcome stands for (:func:`ath._observe.audit_events`), as
  INFO records and as events of the call's span.

What is reported is named in :mod:`ath._observe`; what reaches OpenTelemetry goes through
:mod:`ath._otel`. Errors are seen after the guard redacted them, and only their code,
class and status are reported: never a body, a header value or a query.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Generator
from typing import Any, Final, TypeVar

from ath._core import Core
from ath._errors import CLIENT_CODES, EXTENSION_CODES, PROTOCOL_CODES, ATHError
from ath._flows._transport import guard
from ath._observe import (
    AUDITED_CALLS,
    CONSENT_WAITS,
    Attrs,
    audit_events,
    base_path,
    call_name,
    outcome_label,
    path_template,
    safe_url,
)
from ath._otel import OTel
from ath._steps import Send
from ath._validation import DEFAULT_PORTS

__all__ = ["observed"]

log = logging.getLogger("ath")

S = TypeVar("S")
R = TypeVar("R")
T = TypeVar("T")

_perf: Final = time.perf_counter
_PROPAGATED: Final = frozenset({"ath.proxy", "ath.api"})


def observed(core: Core, flow: Generator[S, R, T]) -> Generator[S, R, T]:
    """``flow`` as the shells drive it: behind the guard, and watched when anyone listens."""
    guarded = guard(core, flow)
    if core.otel is None and not log.isEnabledFor(logging.INFO):
        return guarded  # nobody listens: no cost but this check
    # a flow function's name is the public call; its ``provider`` argument, if it has one
    frame = getattr(flow, "gi_frame", None)
    provider = frame.f_locals.get("provider") if frame is not None else None
    name = getattr(getattr(flow, "gi_code", None), "co_name", "call")
    call = call_name(name, core.config.mode)
    return _watch(core, call, provider if isinstance(provider, str) else None, guarded)


def _error_message(exc: BaseException) -> tuple[str | None, str]:
    """The code of an ATHError and a message built from it alone (no server text)."""
    if not isinstance(exc, ATHError):
        return None, type(exc).__qualname__
    meaning = (
        PROTOCOL_CODES.get(exc.code) or CLIENT_CODES.get(exc.code) or EXTENSION_CODES.get(exc.code)
    )
    status = f" (HTTP {exc.status})" if exc.status is not None else ""
    return exc.code, f"[{exc.code}]{status}" + (f" {meaning}" if meaning else "")


class _Call:
    """What is known of one call while it runs (its span, counts, the last outcome)."""

    __slots__ = (
        "attempts",
        "attrs",
        "base",
        "call",
        "open",
        "otel",
        "previous",
        "propagate",
        "provider",
        "retries",
        "span",
        "started",
    )

    def __init__(self, core: Core, call: str, provider: str | None) -> None:
        self.call = call
        self.provider = provider
        self.base = base_path(core.config.base_url)
        self.attrs, span_attrs = _call_attrs(call, core.signer.agent_id, provider)
        self.otel: OTel | None = core.otel
        self.span = None
        if self.otel is not None:
            self.span = self.otel.start_call(call, span_attrs)
        self.propagate = (
            self.span is not None and core.config.propagate_trace and call in _PROPAGATED
        )
        self.attempts = self.retries = 0
        self.previous = ""
        #: The attempt span in flight, if any (ended by ``finished`` if the call ends
        #: without an answer: a cancelled task, a closed flow).
        self.open: Any = None
        self.started = _perf()

    def attempt(self, step: Send) -> tuple[Attrs, Any]:
        """Before ``step`` goes out: its attributes, and its span (None: no tracing)."""
        self.attempts += 1
        request = step.request
        shared, name, span_attrs = _attempt_shape(self.call, self.base, request)
        attrs = dict(shared)
        attrs["ath.attempt"] = step.attempt
        if step.attempt > 1:
            self.retries += 1
            attrs["http.request.resend_count"] = step.attempt - 1
            attrs["ath.retry.reason"] = self.previous
            span_attrs = {
                **span_attrs,
                "http.request.resend_count": step.attempt - 1,
                "ath.retry.reason": self.previous,
            }
            if self.otel is not None and self.otel.retries is not None:
                self.otel.retries.add(1, {"ath.call": self.call, "ath.retry.reason": self.previous})
        if self.span is None:
            return attrs, None
        assert self.otel is not None
        child = self.otel.start_attempt(self.span, name, span_attrs)
        if self.propagate:
            self.otel.propagate(child, request.headers)
        self.open = child
        return attrs, child

    def answered(self, attrs: Attrs, child: Any, outcome: object, elapsed: float) -> None:
        """After the attempt: its record, its span ended, its duration measured."""
        label = outcome_label(outcome)
        self.previous = label
        status = getattr(outcome, "status_code", None)
        if isinstance(status, int):
            attrs["http.response.status_code"] = status
            if status >= 400:
                attrs["error.type"] = label
        else:
            attrs["error.type"] = label
        if self.otel is not None and self.otel.attempt_duration is not None:
            self.otel.attempt_duration.record(
                elapsed,
                {
                    k: v
                    for k, v in attrs.items()
                    if k in ("http.request.method", "url.template", "error.type", "server.address")
                    or k == "http.response.status_code"
                },
            )
        if child is not None:
            if isinstance(status, int):
                child.set_attribute("http.response.status_code", status)
            if "error.type" in attrs:
                child.set_attribute("error.type", label)
            child.end()
            self.open = None
        if log.isEnabledFor(logging.DEBUG):
            reason = attrs.get("ath.retry.reason")
            retry = f", retry after {reason}" if reason else ""
            log.debug(
                "%s %s %s -> %s in %.1f ms (attempt %d%s)",
                self.call,
                attrs["http.request.method"],
                attrs["url.template"],
                label,
                elapsed * 1000,
                attrs["ath.attempt"],
                retry,
                extra={
                    "event": "http.attempt",
                    "ath.call": self.call,
                    "ath.duration_ms": round(elapsed * 1000, 3),
                    **attrs,
                },
            )

    def finished(self, result: object = None, exc: BaseException | None = None) -> None:
        """The call's record, audit events, span and metrics."""
        elapsed = _perf() - self.started
        code, message = (None, "") if exc is None else _error_message(exc)
        learnt = None  # the provider, when only the result told it (wait_for_token)
        if "ath.provider" not in self.attrs:
            learnt = getattr(result, "provider_id", None)
            if isinstance(learnt, str) and learnt:
                self.attrs = {**self.attrs, "ath.provider": learnt}  # the shared dict stays
        outcome = "ok" if exc is None else code or type(exc).__qualname__
        events = (
            audit_events(self.call, self.provider, result, code)
            if (exc is None and self.call in AUDITED_CALLS) or code
            else []
        )
        span = self.span
        if span is not None:
            assert self.otel is not None
            if self.open is not None:  # ended while an attempt was out
                self.open.set_attribute("error.type", type(exc).__qualname__)
                self.open.end()
            if isinstance(learnt, str) and learnt:
                span.set_attribute("ath.provider", learnt)
            for event, attrs in events:
                span.add_event(event, attrs)
            if exc is not None:
                self.otel.fail(span, exc, code, message)
            span.end()
        self._measure(elapsed, outcome)
        if log.isEnabledFor(logging.INFO):
            self._log(elapsed, outcome, code, message, events)

    def _measure(self, elapsed: float, outcome: str) -> None:
        otel = self.otel
        if otel is None or otel.call_duration is None:
            return
        labels: Attrs = {"ath.call": self.call, "ath.outcome": outcome}
        if "ath.provider" in self.attrs:
            labels["ath.provider"] = self.attrs["ath.provider"]
        otel.call_duration.record(elapsed, labels)
        if self.call in CONSENT_WAITS and otel.consent_wait is not None:
            otel.consent_wait.record(elapsed, labels)

    def _log(
        self,
        elapsed: float,
        outcome: str,
        code: str | None,
        message: str,
        events: list[tuple[str, Attrs]],
    ) -> None:
        fields: Attrs = {
            **self.attrs,
            "ath.outcome": outcome,
            "ath.duration_ms": round(elapsed * 1000, 3),
            "ath.attempts": self.attempts,
            "ath.retries": self.retries,
        }
        if outcome != "ok":
            fields["error.type"] = outcome
            if code is not None:
                fields["ath.error.code"] = code
        plural = "" if self.attempts == 1 else "s"
        log.info(
            "%s %s in %.1f ms (%d HTTP attempt%s)",
            self.call,
            "ok" if outcome == "ok" else f"failed: {message}",
            elapsed * 1000,
            self.attempts,
            plural,
            extra={"event": "call", **fields},
        )
        for event, attrs in events:
            shown = " ".join(
                f"{k.removeprefix('ath.')}={' '.join(v) if isinstance(v, list) else v}"
                for k, v in attrs.items()
            )
            log.info(
                "audit %s %s",
                event,
                shown,
                extra={"event": event, "ath.agent_id": self.attrs["ath.agent_id"], **attrs},
            )


#: The attributes of a call, by (call, agent, provider): the records' (with ``ath.call``)
#: and the span's; shared by the calls alike, never changed.
_CALL_ATTRS: dict[tuple[str, str, str | None], tuple[Attrs, Attrs]] = {}
#: What an attempt reports before its outcome, by (method, call, base path, scheme,
#: host, port, path as sent): the records' attributes (without ``ath.attempt``), the span's name and
#: its attributes. Requests with a query are not kept here (a query may carry a secret).
_SHAPES: dict[tuple[str, str, str, str, bytes, int | None, bytes], tuple[Attrs, str, Attrs]] = {}
_CACHED: Final = 256  # entries per cache; a full cache starts over


def _call_attrs(call: str, agent_id: str, provider: str | None) -> tuple[Attrs, Attrs]:
    key = (call, agent_id, provider)
    hit = _CALL_ATTRS.get(key)
    if hit is None:
        span_attrs: Attrs = {"ath.agent_id": agent_id}
        if provider:
            span_attrs["ath.provider"] = provider
        hit = ({"ath.call": call, **span_attrs}, span_attrs)
        if len(_CALL_ATTRS) >= _CACHED:
            _CALL_ATTRS.clear()
        _CALL_ATTRS[key] = hit
    return hit


def _attempt_shape(call: str, base: str, request: Any) -> tuple[Attrs, str, Attrs]:
    url = request.url
    raw_path = url.raw_path
    key = (request.method, call, base, url.scheme, url.raw_host, url.port, raw_path)
    hit = _SHAPES.get(key)
    if hit is not None:
        return hit
    port = url.port or DEFAULT_PORTS.get(url.scheme)
    attrs: Attrs = {
        "http.request.method": request.method,
        "url.template": path_template(call, url.path, base),
        "server.address": url.host,
    }
    if port is not None:
        attrs["server.port"] = port
    sent, query, _ = raw_path.partition(b"?")
    full = safe_url(url.scheme, url.host, url.port, sent.decode("ascii", "replace"))
    span_attrs: Attrs = {**attrs, "url.full": full}
    shape = (attrs, f"{request.method} {attrs['url.template']}", span_attrs)
    if not query:
        if len(_SHAPES) >= _CACHED:
            _SHAPES.clear()
        _SHAPES[key] = shape
    return shape


def _watch(
    core: Core, call: str, provider: str | None, flow: Generator[S, R, T]
) -> Generator[S, R, T]:
    watch = _Call(core, call, provider)
    try:
        step = next(flow)
        while True:
            if isinstance(step, Send):
                attrs, child = watch.attempt(step)
                sent = _perf()
                outcome = yield step
                watch.answered(attrs, child, outcome, _perf() - sent)
                step = flow.send(outcome)
            else:
                step = flow.send((yield step))
    except StopIteration as done:
        result: T = done.value
        watch.finished(result)
        return result
    except BaseException as exc:
        watch.finished(exc=exc)
        raise
