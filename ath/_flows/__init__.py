"""The protocol flows, one module per job; :class:`ath._core.ClientCore` joins them.

- ``_transport``: the state, sending with retries, the store plumbing, the secret guard;
- ``_registration``: discovery, ``register``, ``registration_status``;
- ``_authorization``: ``authorize``, the redirect's checks, the token exchange, plain OAuth;
- ``_tokens``: the tokens and credentials held (lookup, set, save, load);
- ``_calls``: proxied and native API calls, revocation;
- ``_values``: generated models' values turned into the SDK's own.
"""

__all__: list[str] = []
