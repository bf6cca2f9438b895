"""The generated layer (:mod:`ath._generated`) as the flows reach it: imported on the first
use of one of its names, then read as a plain attribute.

``import ath`` does not load the generated package (most of what an import of the SDK
would cost), so the flows cannot import its names at module level. An import statement
inside each flow ran on every call instead (about 1 µs each, several per handshake);
:data:`gen` fetches each name once.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__all__ = ["gen"]


class _LazyModule:
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
    gen = _LazyModule("ath._generated")
