"""Redaction whatever the secrets' overlaps (issue "Hardening III", high 1).

Secrets often share a long prefix (every JWT shares its header, issuers prefix their
tokens). Redacting one must not destroy the match of another: every occurrence of every
secret, and the runs of a secret's leading characters that a snippet may have cut, are
found in the text as it came, before anything is replaced.
"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from ath._redaction import redact

A = "eyJhbGciOiJFUzI1NiJ9.AAAA-x1"
B = "eyJhbGciOiJFUzI1NiJ9.BBBB-x2"


def test_a_second_secret_sharing_a_prefix_is_removed_whole() -> None:
    assert redact("echo: Bearer " + B, [A, B]) == "echo: Bearer ***"
    assert redact("echo: Bearer " + B, [B, A]) == "echo: Bearer ***"
    assert redact(f"{A} and {B}", [A, B]) == "*** and ***"


def test_a_secret_inside_another_and_a_cut_prefix() -> None:
    inner, outer = "tok_secret_value", "prefix-tok_secret_value-suffix"
    assert redact(f"x {outer} y {inner} z", [inner, outer]) == "x *** y *** z"
    assert redact("cut: eyJhbGciOiJFUz", [A, B]) == "cut: ***"


_ALPHABET = st.sampled_from("abcXYZ019._-")


@given(
    prefix=st.text(_ALPHABET, min_size=8, max_size=24),
    tails=st.lists(st.text(_ALPHABET, min_size=4, max_size=12), min_size=2, max_size=4),
    order=st.randoms(use_true_random=False),
)
def test_no_distinctive_tail_survives(prefix: str, tails: list[str], order: object) -> None:
    secrets = [prefix + "#" + tail + "!" for tail in tails]  # '#', '!': not in the alphabet
    text = " | ".join(f"echo {s}" for s in secrets)
    shuffled = list(secrets)
    order.shuffle(shuffled)  # type: ignore[attr-defined]
    clean = redact(text, shuffled)
    for secret in secrets:
        assert "#" + secret.split("#", 1)[1] not in clean
    assert "#" not in clean and "!" not in clean
