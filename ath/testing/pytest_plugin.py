"""Former home of the pytest plugin; it moved to :mod:`ath.pytest_plugin`.

The entry point now names ``ath.pytest_plugin``, which imports nothing beyond pytest
until a fixture is used. This module stays for ``pytest_plugins = [...]`` lines that
name the old location.
"""

from ath.pytest_plugin import ath_stack, ath_stack_session

__all__ = ["ath_stack", "ath_stack_session"]
