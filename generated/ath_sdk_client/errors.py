"""Contains shared errors types that can be raised from API functions"""

from collections.abc import Mapping
from typing import Any, Literal


class UnexpectedStatus(Exception):
    """Raised by api functions when the response status an undocumented status and Client.raise_on_unexpected_status is True"""

    def __init__(self, status_code: int, content: bytes):
        self.status_code = status_code
        self.content = content

        super().__init__(
            f"Unexpected status code: {status_code}\n\nResponse content:\n{content.decode(errors='ignore')}"
        )


class InvalidAnswer(ValueError):
    """A success answer that is not what the operation promises.

    ``reason``: ``"not_json"`` (the body is no JSON object), ``"unsafe"`` (a JSON object
    nested too deep or holding a lone surrogate) or ``"schema"`` (it does not match the
    operation's model; the error that said so is the ``__cause__``).
    """

    def __init__(self, reason: Literal["not_json", "unsafe", "schema"], problem: str):
        self.reason = reason
        self.problem = problem
        super().__init__(f"{reason}: {problem}")


class ErrorAnswer(Exception):
    """A non-2xx answer, as ``parse_response`` reports it.

    ``parsed`` is the body as the operation documents it for that status: its error model
    (such as ``ATHError``) for a JSON body, the text (or, for the proxied operations, the
    bytes) of a body that is not JSON, or None when the status has no body.
    The body may quote what was sent: it is left out of ``str()`` and ``repr()``.
    """

    def __init__(self, status_code: int, headers: Mapping[str, str], content: bytes, parsed: Any):
        self.status_code = status_code
        self.headers = headers
        self.content = content
        self.parsed = parsed
        super().__init__(f"HTTP {status_code} answer ({len(content)} bytes)")


__all__ = ["ErrorAnswer", "InvalidAnswer", "UnexpectedStatus"]
