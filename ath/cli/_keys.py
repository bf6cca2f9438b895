"""Agent key files: create (0600 in a 0700 folder whatever the umask, never overwritten by
accident) and read (only a regular file of this user that no other user may write)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Final

from ath import ATHClientError
from ath.cli._files import UnsafePath, make_folder, read_own, write_file
from ath.cli._usage import usage

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric import ec

__all__ = ["PASSPHRASE_ENV", "new_key", "passphrase_from", "read_key", "write_key"]


#: Environment variable holding the passphrase of an encrypted key file.
PASSPHRASE_ENV = "ATH_KEY_PASSPHRASE"
#: A PEM key file is a few hundred bytes; anything larger than this is not one.
MAX_KEY_BYTES: Final = 1024 * 1024


def passphrase_from(env_name: str | None) -> bytes | None:
    if env_name is None:
        return None
    value = os.environ.get(env_name)
    if not value:
        raise usage(f"--passphrase-env {env_name}: that environment variable is empty or unset")
    return value.encode("utf-8")


def new_key(passphrase: bytes | None) -> tuple[bytes, ec.EllipticCurvePrivateKey]:
    """A fresh EC P-256 key and its PKCS#8 PEM, encrypted when a passphrase is given."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    from ath import generate_private_key

    pem = generate_private_key()
    key = serialization.load_pem_private_key(pem.encode("ascii"), password=None)
    assert isinstance(key, ec.EllipticCurvePrivateKey)  # generate_private_key's P-256 PKCS#8
    if passphrase is None:
        return pem.encode("ascii"), key
    encrypted = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(passphrase),
    )
    return encrypted, key


def write_key(path: Path, pem: bytes, *, force: bool) -> None:
    """Write ``pem`` with mode 0600; refuse an existing file unless ``force``."""
    if path.exists() and not force:
        raise usage(
            f"{path} exists already; pass --force to replace it (the old key is lost) "
            "or --out to write elsewhere"
        )
    try:
        make_folder(path.parent)  # missing folders made 0700, whatever the umask
        # Created 0600 in the target folder, then renamed over the target (or, without
        # --force, linked to it: fails if a file appeared meanwhile, never overwritten).
        write_file(path, pem, replace=force)
    except FileExistsError:
        raise usage(f"{path} exists already; pass --force") from None
    except OSError as exc:
        raise ATHClientError("INVALID_ARGUMENT", f"cannot write {path}: {exc.strerror}") from None


def read_key(path: Path) -> ec.EllipticCurvePrivateKey:
    """The private key in ``path``; an encrypted one is opened with $ATH_KEY_PASSPHRASE.

    The file is read once, and refused unless it is a regular file of this user that no
    other user may write (a key planted by another user would sign as the agent)."""
    try:
        pem = read_own(path, MAX_KEY_BYTES)
    except FileNotFoundError:
        raise ATHClientError(
            "INVALID_ARGUMENT",
            f"no key file at {path}: create one with `ath keygen`, or pass --key / set ATH_KEY",
        ) from None
    except UnsafePath as refused:
        raise ATHClientError("INVALID_KEY", f"the key file {refused}; it is not used") from None
    except OSError as exc:
        raise ATHClientError(
            "INVALID_KEY", f"cannot read the key file {path}: {exc.strerror}"
        ) from None
    secret = os.environ.get(PASSPHRASE_ENV) or None
    encrypted = b"ENCRYPTED" in pem[:64]
    if encrypted and secret is None:
        raise ATHClientError(
            "INVALID_KEY", f"{path} is encrypted: put its passphrase in ${PASSPHRASE_ENV}"
        )
    return _parse_key(path, pem, secret.encode("utf-8") if encrypted and secret else None)


def _parse_key(path: Path, pem: bytes, passphrase: bytes | None) -> ec.EllipticCurvePrivateKey:
    """The EC P-256 key in ``pem`` (the bytes read from ``path``); never quotes the key."""
    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    try:
        key = serialization.load_pem_private_key(pem, password=passphrase)
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        raise ATHClientError(
            "INVALID_KEY",
            f"{path} is not a usable PEM private key, or the passphrase is wrong "
            f"({type(exc).__name__})",
        ) from None
    if not isinstance(key, ec.EllipticCurvePrivateKey) or not isinstance(key.curve, ec.SECP256R1):
        raise ATHClientError("INVALID_KEY", f"{path} is not an EC P-256 key (ES256 needs one)")
    return key
