"""One TLS context per process and verification setting, shared by the clients.

Building an ``ssl.SSLContext`` and loading the CA bundle into it is most of what a
new ``httpx2.Client`` costs (about 15 ms). Every client made with the default
``verify=True`` (or ``verify=False``) gets the same context, built once, on first
use, keyed also by ``SSL_CERT_FILE`` / ``SSL_CERT_DIR`` as httpx2 reads them. A
context or path passed as ``verify=``, and an injected ``http_client``, stay the
caller's: nothing is shared or changed for them.

A shared context is read-only in practice: httpx2 and httpcore2 only load it, set the
same ALPN list on it (the SDK never turns HTTP/2 on) and wrap sockets with it, which
``ssl`` allows from any thread.
"""

from __future__ import annotations

import os
import ssl
import threading
from typing import Any

import httpx2

__all__ = ["shared_verify"]

_lock = threading.Lock()
_contexts: dict[tuple[object, ...], ssl.SSLContext] = {}


def _key(verify: bool) -> tuple[object, ...]:
    if not verify:
        return (False,)
    return (True, os.environ.get("SSL_CERT_FILE") or None, os.environ.get("SSL_CERT_DIR") or None)


def shared_verify(verify: Any) -> Any:
    """What to give httpx2 as ``verify=``: for ``True``/``False`` the process-wide
    context of that setting (built on first use), anything else unchanged."""
    if verify is not True and verify is not False:
        return verify
    key = _key(verify)
    context = _contexts.get(key)
    if context is None:
        with _lock:
            context = _contexts.get(key)
            if context is None:
                context = httpx2.create_ssl_context(verify=verify)
                _contexts[key] = context
    return context
