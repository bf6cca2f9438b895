"""pytest plugin (entry point ``ath``): fixtures running the embedded ATH stack.

* ``ath_stack``: a fresh :class:`~ath.testing.LocalStack` per test, stopped after.
* ``ath_stack_session``: one stack for the whole session. Its state (registrations,
  tokens) and its ``consent``/``approval`` settings carry over from test to test;
  tests that change a setting should set it back.

This module lives outside :mod:`ath.testing` and imports nothing but pytest at load
time: the stack (and the ``testing`` extra it needs) is imported only when a test
uses one of the fixtures, so installing ath-sdk without that extra leaves every
other project's pytest run unaffected.
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
