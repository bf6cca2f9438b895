"""Contains some shared types for properties, and the neutral request and answer helpers"""

import json as _json
from collections.abc import Mapping, MutableMapping
from http import HTTPStatus
from typing import IO, Any, BinaryIO, Final, Generic, Literal, TypeVar

from attrs import define, field

from .errors import InvalidAnswer


class Unset:
    def __bool__(self) -> Literal[False]:
        return False


UNSET: Unset = Unset()

# The types that `httpx2.Client(files=)` can accept, copied from that library.
FileContent = IO[bytes] | bytes | str
FileTypes = (
    # (filename, file (or bytes), content_type)
    tuple[str | None, FileContent, str | None]
    # (filename, file (or bytes), content_type, headers)
    | tuple[str | None, FileContent, str | None, Mapping[str, str]]
)
RequestFiles = list[tuple[str, FileTypes]]


@define
class File:
    """Contains information for file uploads"""

    payload: BinaryIO
    file_name: str | None = None
    mime_type: str | None = None

    def to_tuple(self) -> FileTypes:
        """Return a tuple representation that httpx2 will accept for multipart/form-data"""
        return self.file_name, self.payload, self.mime_type


T = TypeVar("T")


@define
class Response(Generic[T]):
    """A response from an endpoint"""

    status_code: HTTPStatus
    content: bytes
    headers: MutableMapping[str, str]
    parsed: T | None


@define(frozen=True)
class Request:
    """A request to one operation, described without an HTTP library.

    Built by each operation's ``build_request``; any HTTP client can send it.

    Attributes:
        method: the HTTP method, upper case (``"POST"``).
        url: the path and nothing else, relative to the server's base URL, path parameters
            percent-encoded (``"/ath/agents/ath%20c%2F1"``).
        headers: the operation's own headers (header parameters, ``Content-Type``).
        params: the query parameters (unset ones left out).
        json: the JSON body as plain dicts, lists and scalars; ``None`` when there is none.
        content: a body of raw bytes; ``None`` when there is none.

    Bodies and headers may carry credentials: they are left out of ``repr()``.
    """

    method: str
    url: str
    headers: Mapping[str, str] = field(factory=dict, repr=False)
    params: Mapping[str, Any] = field(factory=dict, repr=False)
    json: Any = field(default=None, repr=False)
    content: bytes | None = field(default=None, repr=False)


#: How deep a JSON answer may nest (the protocol's objects nest three or four levels).
MAX_JSON_DEPTH: Final = 32


def json_problem(data: Any, max_depth: int = MAX_JSON_DEPTH) -> str | None:
    """What makes parsed JSON unusable, or None: iterative, never raises.

    Refused: nesting deeper than ``max_depth``, and strings (keys included) that cannot be
    encoded again (a lone surrogate such as ``"\\ud800"``), which would fail later, inside
    a request built from them.
    """
    stack: list[tuple[Any, int]] = [(data, 0)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                return "a string holds a lone surrogate (not valid Unicode)"
        elif isinstance(value, dict | list):
            if depth >= max_depth:
                return f"it nests deeper than {max_depth} levels"
            items = value.items() if isinstance(value, dict) else enumerate(value)
            for key, item in items:
                stack.append((item, depth + 1))
                if isinstance(key, str):
                    stack.append((key, depth + 1))
    return None


def _plainly_safe(content: bytes) -> bool:
    """True when JSON text cannot hold what :func:`json_problem` looks for: ASCII without
    ``\\u`` escapes (no surrogate) and fewer brackets than the depth limit. Most answers are."""
    return (
        content.isascii()
        and b"\\u" not in content
        and content.count(b"{") + content.count(b"[") < MAX_JSON_DEPTH
    )


def json_object(content: bytes) -> dict[str, Any]:
    """The JSON object an answer's body holds, checked once (:func:`json_problem`).

    Raises:
        InvalidAnswer: ``reason`` ``"not_json"`` when the body is no JSON object,
            ``"unsafe"`` when it is one that cannot be used safely.
    """
    try:
        if content[:1] == b"{" and content[1:2] != b"\x00":
            # what json.loads(bytes) would detect (no BOM, no UTF-16/32 NUL), decoded as
            # it would decode it, without its detection pass
            data = _json.loads(content.decode("utf-8", "surrogatepass"))
        else:
            data = _json.loads(content)
    except (ValueError, UnicodeDecodeError, RecursionError):
        data = None
    if not isinstance(data, dict):
        raise InvalidAnswer("not_json", "the body is not a JSON object")
    problem = None if _plainly_safe(content) else json_problem(data)
    if problem is not None:
        raise InvalidAnswer("unsafe", problem)
    return data


def header(headers: Mapping[str, str], name: str) -> str:
    """The value of header ``name`` (lower case), whatever the case of ``headers``' keys."""
    value = headers.get(name)
    if value is None:
        for key, other in headers.items():
            if key.lower() == name:
                return other
        return ""
    return value


def is_json(headers: Mapping[str, str]) -> bool:
    """Whether the answer says its body is JSON (its content type names json)."""
    return "json" in header(headers, "content-type").lower()


def text(headers: Mapping[str, str], content: bytes) -> str:
    """The body as text, in the charset its content type names (UTF-8 otherwise)."""
    charset = "utf-8"
    for part in header(headers, "content-type").split(";")[1:]:
        key, _, value = part.strip().partition("=")
        if key.lower() == "charset" and value:
            charset = value.strip('"')
    try:
        return content.decode(charset, errors="replace")
    except LookupError:
        return content.decode("utf-8", errors="replace")


__all__ = [
    "MAX_JSON_DEPTH",
    "UNSET",
    "File",
    "FileTypes",
    "Request",
    "RequestFiles",
    "Response",
    "Unset",
    "header",
    "is_json",
    "json_object",
    "json_problem",
    "text",
]
