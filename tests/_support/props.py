"""What the property-based tests (hypothesis) share: their settings, the alphabets and text
they draw from, the tally every example adds to, and base64url decoding."""

from __future__ import annotations

import base64

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from tests._report import tally

UNRESERVED = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"
PROPS = settings(
    max_examples=300,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
#: Any text, lone surrogates included (``st.text()`` leaves them out).
ANY_TEXT = st.text(st.characters(codec=None) | st.characters(categories=["Cs"]))


def example() -> None:
    """Count one example in the ``properties`` tally (the PROPERTY TESTS summary line)."""
    tally("properties")["examples"] += 1


def b64url_decode(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
