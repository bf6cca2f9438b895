"""The credential stores (memory, file, keyring, redis) against one contract, clients sharing
one through store=, and real processes sharing one store."""
