"""Modules the SDK loads only when it first needs them, reached as module-level names.

``import ath`` loads neither the generated package nor ``cryptography`` (most of what
importing the SDK would cost; a proxy-only process never needs them), so their names
cannot be imported at module level. An import statement inside each function that uses
them ran on every call instead (about 1 to 3 µs each, several per handshake). A
:class:`LazyModule` imports its module on the first attribute read and keeps each name
it hands out, so later reads are plain attribute reads. For type checkers each one is
the module itself (``if TYPE_CHECKING`` imports).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__all__ = ["LazyModule", "gen"]


class LazyModule:
    """A module imported on first attribute access; each name it gives is then kept in
    this object's own ``__dict__``, where later reads find it without a call."""

    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, attr: str) -> Any:
        value = getattr(importlib.import_module(self._name), attr)
        setattr(self, attr, value)
        return value

    def __repr__(self) -> str:
        return f"<lazy module {self._name}>"


if TYPE_CHECKING:
    from ath import _generated as gen
else:
    #: the generated layer, as the flows reach it
    gen = LazyModule("ath._generated")
