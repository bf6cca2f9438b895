"""Constants every part of the SDK shares; the package version is written here and only here.

``pyproject.toml`` reads the version from this file (hatch's version source),
``ath.__version__`` and the ``User-Agent`` are derived from it, and
``tests/test_version.py`` ties the few files that cannot import it (the codegen
configuration, the Node tool manifest) to it.
"""

from __future__ import annotations

from typing import Final

__all__ = ["USER_AGENT", "VERSION"]

#: Read by hatch (the regex wants a plain assignment) for the distribution metadata.
__version__ = "0.2.0"
VERSION: Final = __version__
USER_AGENT: Final = f"ath-sdk-python/{VERSION}"
