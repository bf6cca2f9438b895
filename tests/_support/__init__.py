"""Helpers the feature suites share: loopback servers, a scripted ATH server and the
fault catalogue. Not tests."""
