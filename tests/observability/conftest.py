"""The observability tests' fixtures (tests/observability/_capture.py)."""

from tests.observability._capture import otel, records, secrets

__all__ = ["otel", "records", "secrets"]
