"""The hardening suites' shared fixtures (their counts are printed by ``tests/conftest.py``)."""

from __future__ import annotations

import pytest

from ath import generate_private_key


@pytest.fixture(scope="module")
def pem() -> str:
    """An agent key for the suite's clients (one per test module)."""
    return generate_private_key()
