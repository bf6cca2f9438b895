"""What the observability tests capture (OpenTelemetry's in-memory span exporter and metric
reader, the ``ath`` logger's records) and the secrets the scanner looks for in it."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from opentelemetry import metrics, trace
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.util._once import Once

from ath import AttestationSigner
from tests.secrets.test_secrets import Scanner


@dataclass
class Telemetry:
    spans: InMemorySpanExporter
    metrics: InMemoryMetricReader
    tracer_provider: TracerProvider

    def finished(self) -> list[ReadableSpan]:
        return list(self.spans.get_finished_spans())

    def metric_points(self) -> dict[str, list[Any]]:
        """Every data point by metric name."""
        found: dict[str, list[Any]] = {}
        data = self.metrics.get_metrics_data()
        for resource in data.resource_metrics if data else ():
            for scope in resource.scope_metrics:
                for metric in scope.metrics:
                    found.setdefault(metric.name, []).extend(metric.data.data_points)
        return found

    def texts(self) -> list[str]:
        """Everything exported, as text: span names, attributes, events, status; metrics."""
        out = []
        for span in self.finished():
            out.append(span.to_json())
        data = self.metrics.get_metrics_data()
        if data is not None:
            out.append(data.to_json())
        return out


def _reset_globals() -> None:
    # The API lets a process set its global providers once; tests set and clear them, as
    # OpenTelemetry's own test utilities do.
    trace._TRACER_PROVIDER_SET_ONCE = Once()
    trace._TRACER_PROVIDER = None
    internal = metrics._internal
    internal._METER_PROVIDER_SET_ONCE = Once()
    internal._METER_PROVIDER = None


@pytest.fixture
def otel() -> Iterator[Telemetry]:
    """Global tracer and meter providers with in-memory export, cleared afterwards."""
    exporter = InMemorySpanExporter()
    tracer_provider = TracerProvider()
    tracer_provider.add_span_processor(SimpleSpanProcessor(exporter))
    reader = InMemoryMetricReader()
    meter_provider = MeterProvider(metric_readers=[reader])
    _reset_globals()
    trace.set_tracer_provider(tracer_provider)
    metrics.set_meter_provider(meter_provider)
    try:
        yield Telemetry(exporter, reader, tracer_provider)
    finally:
        _reset_globals()
        tracer_provider.shutdown()
        meter_provider.shutdown()


class Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def texts(self) -> list[str]:
        return [t for r in self.records for t in (self.format(r), repr(vars(r)))]

    def events(self, name: str) -> list[logging.LogRecord]:
        return [r for r in self.records if getattr(r, "event", None) == name]


@pytest.fixture
def records() -> Iterator[Records]:
    """Every record of the ``ath`` logger, at DEBUG."""
    handler = Records()
    logger = logging.getLogger("ath")
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


@dataclass
class Secrets:
    scanner: Scanner = field(default_factory=Scanner)

    def add(self, value: str | None, kind: str) -> None:
        self.scanner.add(value, kind)

    def leaks(self, texts: list[str]) -> list[str]:
        return [hit for text in texts if (hit := self.scanner.find(text))]


@pytest.fixture
def secrets(monkeypatch: pytest.MonkeyPatch) -> Secrets:
    """The scanner, fed every attestation JWT the SDK mints during the test."""
    found = Secrets()
    original = AttestationSigner.mint

    def spy(self: AttestationSigner, audience: str, **kwargs: Any) -> str:
        token = original(self, audience, **kwargs)
        found.scanner.add_jwt(token)
        return token

    monkeypatch.setattr(AttestationSigner, "mint", spy)
    return found


def as_json(value: Any) -> str:
    return json.dumps(value, default=str)
