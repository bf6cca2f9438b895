"""A cheap, pure-Python check of an unencrypted EC P-256 private key in PEM.

A proxy-only worker constructs a client and then only calls ``proxy()``/``api()``:
it never signs, so loading ``cryptography`` (about 10 MB of resident memory and a
third of ``import ath``) would be wasted on it. :func:`check_p256_pem` checks the key
at construction without it: the PEM armour, the strict DER structure of PKCS#8
(``PRIVATE KEY``) or SEC1 (``EC PRIVATE KEY``), the curve (P-256), the private
scalar (1 <= d < n) and, when embedded, that the public point lies on the curve.
The key is parsed with ``cryptography`` on the first signature, which also checks
that the embedded public point belongs to the scalar.

Whatever this check does not recognise (encrypted keys, other key types, unusual
but valid encodings) returns None, and the caller loads the key with
``cryptography`` at construction as before, so errors keep their exact wording.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from typing import Final

__all__ = ["CheckedKey", "check_p256_pem"]

# P-256 (secp256r1): field prime, curve coefficient b (a = -3), group order.
_P: Final = 0xFFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFF
_B: Final = 0x5AC635D8AA3A93E7B3EBBD55769886BC651D06B0CC53B0F63BCE3C3E27D2604B
_N: Final = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
_OID_EC_PUBLIC_KEY: Final = bytes.fromhex("2a8648ce3d0201")  # 1.2.840.10045.2.1
_OID_P256: Final = bytes.fromhex("2a8648ce3d030107")  # 1.2.840.10045.3.1.7
_PEM: Final = re.compile(
    rb"-----BEGIN (PRIVATE KEY|EC PRIVATE KEY)-----\r?\n([A-Za-z0-9+/=\r\n]+?)"
    rb"-----END \1-----\s*\Z"
)


@dataclass(frozen=True, slots=True, repr=False)
class CheckedKey:
    """A PEM that passed the check, its DER content, its private scalar, and its
    public point (``x``, ``y``) if embedded."""

    pem: bytes
    public_xy: tuple[int, int] | None
    scalar: int
    der: bytes

    def __repr__(self) -> str:
        return "CheckedKey(<hidden>)"


class _Reject(Exception):
    """Not a key this check vouches for."""


def _tlv(data: bytes, at: int) -> tuple[int, bytes, int]:
    """Strict DER: (tag, content, offset after) of the element at ``at``."""
    if at + 2 > len(data):
        raise _Reject
    tag, first = data[at], data[at + 1]
    at += 2
    if first < 0x80:
        length = first
    else:
        count = first & 0x7F
        if count == 0 or count > 2 or at + count > len(data):
            raise _Reject
        length = int.from_bytes(data[at : at + count], "big")
        if length < 0x80 or (count == 2 and length < 0x100):
            raise _Reject  # not the shortest length encoding
        at += count
    if at + length > len(data):
        raise _Reject
    return tag, data[at : at + length], at + length


def _sequence(data: bytes) -> list[tuple[int, bytes]]:
    items = []
    at = 0
    while at < len(data):
        tag, content, at = _tlv(data, at)
        items.append((tag, content))
    return items


def _whole(data: bytes, tag: int) -> bytes:
    found, content, end = _tlv(data, 0)
    if found != tag or end != len(data):
        raise _Reject
    return content


def _point(bits: bytes) -> tuple[int, int]:
    """An uncompressed P-256 point from a BIT STRING's content, checked on the curve."""
    if len(bits) != 66 or bits[0] != 0 or bits[1] != 4:
        raise _Reject
    x, y = int.from_bytes(bits[2:34], "big"), int.from_bytes(bits[34:], "big")
    if x >= _P or y >= _P or (y * y - (x * x * x - 3 * x + _B)) % _P:
        raise _Reject
    return x, y


def _ec_private_key(der: bytes, *, curve_required: bool) -> tuple[int, tuple[int, int] | None]:
    """RFC 5915 ECPrivateKey: the private scalar and the embedded public point, if any."""
    items = _sequence(_whole(der, 0x30))
    if len(items) < 2 or items[0] != (0x02, b"\x01") or items[1][0] != 0x04:
        raise _Reject
    scalar = int.from_bytes(items[1][1], "big")
    if len(items[1][1]) != 32 or not 1 <= scalar < _N:
        raise _Reject
    curve_seen = False
    public: tuple[int, int] | None = None
    for tag, content in items[2:]:
        if tag == 0xA0 and not curve_seen and public is None:
            if _whole(content, 0x06) != _OID_P256:
                raise _Reject
            curve_seen = True
        elif tag == 0xA1 and public is None:
            public = _point(_whole(content, 0x03))
        else:
            raise _Reject
    if curve_required and not curve_seen:
        raise _Reject
    return scalar, public


def _pkcs8(der: bytes) -> tuple[int, tuple[int, int] | None]:
    """RFC 5208 PrivateKeyInfo (version 0, no attributes) holding a P-256 key."""
    items = _sequence(_whole(der, 0x30))
    if len(items) != 3 or items[0] != (0x02, b"\x00") or items[1][0] != 0x30:
        raise _Reject
    algorithm = _sequence(items[1][1])
    if algorithm != [(0x06, _OID_EC_PUBLIC_KEY), (0x06, _OID_P256)] or items[2][0] != 0x04:
        raise _Reject
    return _ec_private_key(items[2][1], curve_required=False)


def check_p256_pem(private_key: str | bytes) -> CheckedKey | None:
    """The key, checked, when it is an unencrypted P-256 PEM this check recognises;
    None otherwise (the caller then loads it with ``cryptography``)."""
    try:
        data = private_key.encode("ascii") if isinstance(private_key, str) else private_key
    except UnicodeEncodeError:
        return None
    match = _PEM.match(data.strip() + b"\n")
    if match is None:
        return None
    try:
        der = base64.b64decode(re.sub(rb"\s+", b"", match.group(2)), validate=True)
        if match.group(1) == b"PRIVATE KEY":
            scalar, public = _pkcs8(der)
        else:
            scalar, public = _ec_private_key(der, curve_required=True)
    except (_Reject, binascii.Error, ValueError):
        return None
    return CheckedKey(bytes(data), public, scalar, der)
