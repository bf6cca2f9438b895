"""The ATH v0.1 conformance kit: the server rules of the protocol (specification/0.1
and schema/0.1), checked against any ATH gateway or native service by raw HTTP.

    from ath.testing.conformance import Target, run

    report = run(Target("https://gateway.example.com", route=("GET", "/messages")))
    print(render(report))

The kit never uses the SDK's client code: it signs its own attestations, hosts its
own agent identity documents on loopback (``Target.agents_public_url`` when the
server cannot reach loopback) and drives consent with a cookie-keeping browser of its
own, so an SDK bug cannot hide a server bug. The rule table is :data:`RULES`.
"""

from ._probe import Outcome, Report, Target, run
from ._render import render
from ._rules import NOT_PROBED, RULES, Rule

__all__ = ["NOT_PROBED", "RULES", "Outcome", "Report", "Rule", "Target", "render", "run"]
