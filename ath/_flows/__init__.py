"""The protocol flows: generator functions over :class:`ath._core.Core`, one module per step.

- ``_transport``: sending with retries, the store plumbing, the secret guard;
- ``_registration``: discovery, ``register``, ``registration_status``;
- ``_authorization``: ``authorize``, the redirect's checks, the token exchange, plain OAuth;
- ``_consent``: consent that completes by itself: ``wait_for_token`` and ``login``;
- ``_tokens``: the tokens and credentials held (lookup, set, save, load);
- ``_calls``: proxied and native API calls, revocation;
- ``_values``: generated models' values turned into the SDK's own.

The drivers of :mod:`ath._drivers` run them.
"""

__all__: list[str] = []
