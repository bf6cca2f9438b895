"""The human-readable report: one line per rule, then the summary ``P/N``."""

from __future__ import annotations

from ._probe import Report

__all__ = ["render"]

_MARK = {"pass": "PASS", "fail": "FAIL", "skip": "SKIP"}


def render(report: Report) -> str:
    lines = [f"ATH v0.1 conformance of {report.target} ({report.mode})"]
    for o in report.outcomes:
        line = f"{_MARK[o.status]}  {o.rule.level:<6} {o.rule.id:<20} {o.rule.expect}"
        lines.append(line)
        lines.append(
            f"      {'':<6} {'':<20} [{o.rule.ref}]" + (f" {o.detail}" if o.detail else "")
        )
    skipped = sum(o.status == "skip" for o in report.outcomes)
    verdict = "conformant" if report.ok else "NOT conformant (a MUST rule failed)"
    lines.append(
        f"{report.passed}/{report.counted} rules passed"
        + (f", {skipped} skipped" if skipped else "")
        + f": {verdict}"
    )
    return "\n".join(lines)
