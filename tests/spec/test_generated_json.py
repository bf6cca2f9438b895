"""The generated layer reads an answer's body as ``json.loads`` reads bytes: its shortcut
for bodies that start like a UTF-8 JSON object (no encoding detection pass) decides every
body the way the detection would, UTF-16/32 and BOMs included."""

from __future__ import annotations

import codecs
import json
from typing import Any

from hypothesis import example, given
from hypothesis import strategies as st

from ath_sdk_client.errors import InvalidAnswer
from ath_sdk_client.types import json_object
from tests._support.props import ANY_TEXT, PROPS

_OBJECTS = st.dictionaries(ANY_TEXT, st.none() | st.integers() | ANY_TEXT, max_size=3)
_ENCODINGS = ("utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le")


def _outcome(read: Any, body: bytes) -> Any:
    try:
        return ("value", read(body))
    except InvalidAnswer as exc:
        return ("refused", exc.reason)


def _reference(body: bytes) -> Any:
    """What json_object returns for ``body`` by plain ``json.loads(bytes)``."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError):
        data = None
    if not isinstance(data, dict):
        raise InvalidAnswer("not_json", "the body is not a JSON object")
    return data


@PROPS
@given(
    st.one_of(
        st.binary(max_size=12).map(lambda b: b"{" + b),
        st.binary(max_size=12),
        st.tuples(_OBJECTS, st.sampled_from(_ENCODINGS)).map(
            lambda v: json.dumps(v[0], ensure_ascii=False).encode(v[1], "surrogatepass")
        ),
    )
)
@example(b'{"a": 1}')
@example(b"{")
@example(b"{\x00")
@example('{"a": 1}'.encode("utf-16-le"))
@example(codecs.BOM_UTF8 + b'{"a": 1}')
@example(b'{"a": "\xed\xa0\x80"}')  # a lone surrogate, as UTF-8 bytes
@example(b'{"a": 1} x')
def test_an_answer_body_is_read_as_json_loads_reads_bytes(body: bytes) -> None:
    got = _outcome(json_object, body)
    expected = _outcome(_reference, body)
    if expected[0] == "value" and got[0] == "refused":
        assert got[1] == "unsafe"  # json_object also refuses what cannot be used safely
    else:
        assert got == expected
