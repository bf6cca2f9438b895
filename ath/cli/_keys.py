"""Agent key files: create (0600, never overwritten by accident) and read."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from ath import ATHClientError
from ath.cli._usage import usage

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric import ec

__all__ = ["PASSPHRASE_ENV", "new_key", "passphrase_from", "read_key", "write_key"]


#: Environment variable holding the passphrase of an encrypted key file.
PASSPHRASE_ENV = "ATH_KEY_PASSPHRASE"


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
    path.parent.mkdir(parents=True, exist_ok=True)
    # Created 0600 from the start in the target folder, then renamed over the target.
    fd, tmp = tempfile.mkstemp(prefix=".key-", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(pem)
        if force:
            os.replace(tmp, path)
        else:
            os.link(tmp, path)  # fails if the file appeared meanwhile: never overwritten
            os.unlink(tmp)
    except FileExistsError:
        Path(tmp).unlink(missing_ok=True)
        raise usage(f"{path} exists already; pass --force") from None
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise ATHClientError("INVALID_ARGUMENT", f"cannot write {path}: {exc.strerror}") from None


def read_key(path: Path) -> ec.EllipticCurvePrivateKey:
    """The private key in ``path``; an encrypted one is opened with $ATH_KEY_PASSPHRASE."""
    from ath import load_private_key

    try:
        head = path.read_bytes()[:64]
    except FileNotFoundError:
        raise ATHClientError(
            "INVALID_ARGUMENT",
            f"no key file at {path}: create one with `ath keygen`, or pass --key / set ATH_KEY",
        ) from None
    except OSError as exc:
        raise ATHClientError(
            "INVALID_KEY", f"cannot read the key file {path}: {exc.strerror}"
        ) from None
    secret = os.environ.get(PASSPHRASE_ENV) or None
    if b"ENCRYPTED" in head and secret is None:
        raise ATHClientError(
            "INVALID_KEY", f"{path} is encrypted: put its passphrase in ${PASSPHRASE_ENV}"
        )
    return load_private_key(path, secret if b"ENCRYPTED" in head else None)
