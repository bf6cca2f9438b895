"""Benchmarks for ath-sdk: ``python -m bench`` (``make bench``); ``--quick`` for a smoke run.

Every figure is a ratio of this SDK against a baseline doing the same work with the
libraries it is built on (raw ``httpx2``, raw ``cryptography``) or against the public
ath-sdk 0.1.0, measured over several rounds on loopback only.
"""
