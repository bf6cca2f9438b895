"""The `ath` console script, run as child processes against a local stack."""
