"""Hardening suites (issue 5): each suite measures a property and reports its counts."""
