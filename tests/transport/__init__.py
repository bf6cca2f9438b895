"""Between the client and the network: retries, the fault matrix, TLS and the transport
defaults, and a hostile server or environment on the wire."""
