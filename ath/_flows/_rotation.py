"""One signed request, resent once when a verifier refused the attestation because of a
key rotation (:class:`ath._keyring.KeyRing`): at once when the refusal made the agent
switch to its staged key, or after the verifiers' re-fetch window when the agent switched
a moment ago. Every other refusal, and a second one, is raised as it is."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

from ath._core import Core
from ath._errors import ATHError
from ath._steps import Flow, Sleep

__all__ = ["resigned"]

T = TypeVar("T")
log = logging.getLogger("ath")


def resigned(core: Core, make: Callable[[], Flow[T]]) -> Flow[T]:
    """``make()``'s flow; after an ``INVALID_ATTESTATION`` that a rotation explains, a
    fresh ``make()`` (new attestation, new key) once."""
    used = core.signer.key_id
    try:
        result: T = yield from make()
        return result
    except ATHError as exc:
        if exc.code != "INVALID_ATTESTATION":
            raise
        wait = core.signer.after_refusal(used)
        if wait is None:
            raise
    if wait > 0:
        log.warning(
            "ATH key rotation: a verifier refused key %s; retrying once in %.0f s, when its "
            "identity document cache may be refreshed",
            core.signer.key_id,
            wait,
        )
        yield Sleep(wait)
    again: T = yield from make()
    return again
