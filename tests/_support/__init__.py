"""Helpers the feature suites share (no tests here): ``shells`` (the one sync/async bridge),
``servers`` (loopback servers, a scripted ATH server, the attack tally), ``faults`` (the
fault catalogue and its harness) and ``props`` (what the property-based tests share)."""
