"""Code generation for ath-sdk.

``spec/openapi.yaml`` is the single source of truth. This package turns it into

* ``generated/ath_sdk_client`` (openapi-python-client): the typed HTTP client,
* ``generated/ath_sdk_models`` (datamodel-code-generator): pydantic v2 models,
* ``spec/dist/openapi.{yaml,json}``: the validated, linted, bundled published spec,

and checks that the committed copies are up to date. Run it as ``python -m codegen``.
"""

from __future__ import annotations

__all__ = ["__version__"]

__version__ = "0.3.0"
