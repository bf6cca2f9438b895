"""The agent's key and what it signs (attestations), and the credentials a client holds:
saved, loaded, crash-safe, and refused when the file is hostile."""
