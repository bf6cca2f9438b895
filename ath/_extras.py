"""The error an optional integration raises when its extra is not installed."""

from __future__ import annotations

__all__ = ["missing_extra"]


def missing_extra(module: str, extra: str, cause: ImportError) -> ImportError:
    """``module`` cannot be imported without ``extra``: an ImportError that says which
    ``pip install`` brings it, keeping the missing module's name (raise it ``from``
    ``cause``)."""
    return ImportError(
        f"{module} needs the '{extra}' extra: pip install 'ath-sdk[{extra}]'",
        name=getattr(cause, "name", None),
    )
