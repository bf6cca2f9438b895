"""The system's Chromium for the browser tests: Debian's ``chromium`` found on PATH
(``.ci/run`` installs it), or a loud failure saying how to install it."""

from __future__ import annotations

import os
import shutil

import pytest

__all__ = ["INSTALL_CHROMIUM", "INSTALL_PLAYWRIGHT", "chromium_flags", "system_chromium"]

INSTALL_CHROMIUM = (
    "Debian's chromium is not installed: `apt-get install -y chromium` as root "
    "(.ci/run installs it with the other Debian packages the tests use)"
)
INSTALL_PLAYWRIGHT = (
    "playwright is not installed in this environment: `make venv` (requirements-dev.txt "
    "pins it); it drives the system chromium, so no browser download is needed"
)


def system_chromium() -> str:
    """The system's Chromium (the Debian default lookup), or a loud failure saying
    how to install it."""
    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail(INSTALL_CHROMIUM, pytrace=False)
    return executable


def chromium_flags() -> list[str]:
    """No proxy (the stack is on loopback); ``--no-sandbox`` only as root, where
    Chromium refuses to start with its sandbox."""
    flags = ["--no-proxy-server"]
    if os.geteuid() == 0:
        flags.append("--no-sandbox")
    return flags
