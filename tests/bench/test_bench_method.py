"""The bench's method: per-round noise (how far a ratio wandered) and the verdict it allows.

Pure functions on made-up numbers; nothing here times anything."""

from __future__ import annotations

import httpx2
import pytest

from bench import readme
from bench.__main__ import Section, _check_finite, _round, describe_error, table
from bench._common import TOKEN
from bench._stats import NOISE_LIMIT, BudgetExceeded, drift, ratio_noise


def test_drift_is_zero_for_a_steady_baseline_and_grows_with_a_slow_patch() -> None:
    assert drift([10.0] * 50) == 0.0
    slowed = [10.0] * 40 + [13.0] * 10  # the last fifth of the round 30 % slower
    assert drift(slowed) == pytest.approx(0.3)
    assert drift([5.0]) == 0.0


def _section(values: list[float], noise: list[float | None]) -> Section:
    section = Section("proxy_sync_ratio")  # target 1.05, default noise limit
    for v, n in zip(values, noise, strict=True):
        section.add(v, n, ours_us=v)
    return section


def test_noisy_rounds_are_flagged_and_left_out_of_the_figure() -> None:
    noisy = NOISE_LIMIT * 2
    result = _section([1.0, 1.01, 1.6, 0.99, 1.02], [0.01, 0.02, noisy, 0.01, 0.03]).result()
    assert result["noisy_rounds"] == [3]
    assert result["counted_rounds"] == 4
    assert result["max"] == 1.02 and result["rounds"][2] == 1.6
    assert result["verdict"] == "met" and result["pass"] is True


def test_a_regression_on_clean_rounds_is_missed() -> None:
    result = _section([1.2, 1.21, 1.19], [0.01, 0.01, 0.02]).result()
    assert result["verdict"] == "missed" and result["pass"] is False


def test_mostly_noisy_rounds_judge_only_when_the_noise_cannot_flip_the_verdict() -> None:
    noisy = NOISE_LIMIT * 2
    far_below = _section([0.5, 0.52, 0.49], [noisy, noisy, 0.01]).result()
    assert far_below["verdict"] == "met"
    far_above = _section([2.0, 2.1, 1.9], [noisy, noisy, 0.01]).result()
    assert far_above["verdict"] == "missed"
    close = _section([1.04, 1.07, 1.0], [noisy, noisy, 0.01]).result()
    assert close["verdict"] == "too noisy"


def test_memory_rounds_carry_no_noise_and_are_never_flagged() -> None:
    section = Section("rss_10k_proxy_vs_httpx2")
    section.add(1.1, None)
    section.add(1.11, None)
    result = section.result()
    assert result["noise"] == [None, None] and result["noisy_rounds"] == []
    assert result["verdict"] == "met"


def test_ratio_noise_ignores_a_slowdown_both_sides_share() -> None:
    ours = [9.0] * 40 + [13.5] * 10  # the machine 50 % slower in the last fifth, for both
    base = [10.0] * 40 + [15.0] * 10
    assert drift(base) == pytest.approx(0.5)  # the old measure called this round noisy
    assert ratio_noise(ours, base) == pytest.approx(0.0)


def test_ratio_noise_grows_when_one_side_ran_at_another_speed() -> None:
    ours = [9.0] * 40 + [12.6] * 10  # ours 40 % slower in the last fifth, the baseline not
    base = [10.0] * 50
    assert ratio_noise(ours, base) == pytest.approx(0.4)
    assert ratio_noise([5.0], [4.0]) == 0.0
    with pytest.raises(ValueError):
        ratio_noise([], [1.0])


def test_a_failing_round_is_recorded_and_the_loop_goes_on() -> None:
    section = Section("proxy_async_ratio")
    for value in (1.0, None, 0.98):
        with _round(3, section):
            if value is None:
                raise httpx2.ConnectTimeout("connect timed out")
            section.add(value, 0.01)
    result = section.result()
    assert result["rounds"] == [1.0, 0.98] and result["median"] == 0.99
    assert result["failed_rounds"] == [{"round": 2, "error": "ConnectTimeout: connect timed out"}]
    assert result["verdict"] == "met"  # judged on the rounds that ran
    assert "1/3 failed [2]" in table({"proxy_async_ratio": result})


def test_a_bug_of_the_harness_is_not_a_failed_round() -> None:
    section = Section("proxy_sync_ratio")
    with pytest.raises(TypeError), _round(1, section):
        raise TypeError("a bug in the bench")
    assert section.failed == []


def test_a_section_whose_every_round_failed_has_no_figure_and_no_missed_target() -> None:
    section = Section("proxy_async_ratio")
    with _round(1, section):
        raise BudgetExceeded("1000 concurrent calls did not finish within the bound")
    result = section.result()
    assert result["verdict"] == "failed" and result["pass"] is None
    assert result["median"] is None and result["rounds"] == []
    _check_finite({"proxy_async_ratio": result})  # not a harness error
    shown = table({"proxy_async_ratio": result})
    assert "failed" in shown and "did not finish" in shown
    env = {
        "python": "3",
        "cpu_count": 2,
        "packages": {"httpx2": "0"},
        "loadavg_1min_at_start": 1.0,
    }
    row = readme.table(
        {"generated_at": "2026-01-01", "environment": env, "proxy_async_ratio": result}, 0
    )
    assert "every round failed" in row and "1/1 failed" in row


def test_a_recorded_error_carries_no_secret_and_no_key() -> None:
    pem = "-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49\n-----END PRIVATE KEY-----"
    text = describe_error(RuntimeError(f"driver said: Bearer {TOKEN} with {pem}"))
    assert TOKEN not in text and "MIGHAgEA" not in text and "PRIVATE KEY-----" not in text
    assert text == "RuntimeError: driver said: Bearer [redacted] with [private key]"
    assert describe_error(TimeoutError()) == "TimeoutError"
    assert len(describe_error(OSError("x" * 10_000))) <= 600
