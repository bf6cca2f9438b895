"""pytest plugin (entry point ``ath``): fixtures running the embedded ATH stack.

* ``ath_stack``: a fresh :class:`~ath.testing.LocalStack` per test, stopped after.
* ``ath_stack_session``: one stack for the whole session. Its state (registrations,
  tokens) and its ``consent``/``approval`` settings carry over from test to test;
  tests that change a setting should set it back.

The stack is imported only when a fixture is used, so installing ath-sdk without
its ``testing`` extra leaves pytest unaffected.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from ath.testing import LocalStack

__all__ = ["ath_stack", "ath_stack_session"]


@pytest.fixture
def ath_stack() -> Iterator[LocalStack]:
    """A freshly started local ATH stack for one test."""
    from ath.testing import LocalStack

    with LocalStack() as stack:
        yield stack


@pytest.fixture(scope="session")
def ath_stack_session() -> Iterator[LocalStack]:
    """One local ATH stack shared by the whole test session."""
    from ath.testing import LocalStack

    with LocalStack() as stack:
        yield stack
