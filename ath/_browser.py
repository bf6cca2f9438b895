"""Opening the consent URL in a browser without ever waiting for it.

``webbrowser.open()`` can block for as long as the launcher runs: a ``$BROWSER``
command, a console browser or ``chromium --headless`` loading the page returns only
when it is done, and the page it loads is the loopback listener's, which is served
by the very flow that called it. So the drivers run the opener on a daemon thread of
its own (:func:`start`): the flow goes on serving the listener and polling, the event
loop keeps running, and a launcher still running when the program ends does not keep
it alive. A failed open (``False`` or an exception) is logged as a warning on the
``ath`` logger; the URL itself was shown to the person already (``login()``'s
``on_authorization_url``), so they can open it by hand.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from ath._logs import log

__all__ = ["open_url", "start"]


def open_url(url: str, opener: Callable[[str], object] | None = None) -> bool:
    """Run ``opener`` (default :func:`webbrowser.open`) on ``url``; whether it opened.
    Never raises: a failure is logged (without the URL, which carries the session's
    state) and answered False."""
    if opener is None:
        import webbrowser

        opener = webbrowser.open
    try:
        opened = opener(url)
    except Exception as exc:  # a launcher's failure is reported, never raised
        log.warning(
            "login: could not open a browser (%s); open the authorization URL shown yourself",
            type(exc).__name__,
        )
        return False
    if opened is False:
        log.warning(
            "login: no browser could be opened (no display or launcher?); "
            "open the authorization URL shown yourself"
        )
        return False
    return True


def start(url: str, opener: Callable[[str], object] | None = None) -> threading.Thread:
    """:func:`open_url` on a daemon thread, started and returned (not joined)."""
    thread = threading.Thread(
        target=open_url, args=(url, opener), name="ath-open-browser", daemon=True
    )
    thread.start()
    return thread
