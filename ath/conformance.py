"""``ath.conformance``: the ATH v0.1 conformance kit (see ``ath.testing.conformance``).

It needs the ``testing`` extra: it hosts its own agent identity documents."""

from ath.testing.conformance import NOT_PROBED, RULES, Outcome, Report, Rule, Target, render, run

__all__ = ["NOT_PROBED", "RULES", "Outcome", "Report", "Rule", "Target", "render", "run"]
