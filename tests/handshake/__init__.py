"""The handshake: discovery, registration, authorize, consent, token exchange, polling and
login, the calls made with the token, end to end in both shells and under concurrency."""
