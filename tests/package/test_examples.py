"""Every script in examples/ runs to completion against the local stack, as a user runs it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

#: A line each script must print (proof it got through the whole flow, not just started).
EXPECTED = {
    "gateway_agent.py": [
        "created repo: local-user/ath-example",
        "expected failure: UPSTREAM_ERROR 404",
        "revoked: github",
    ],
    "native_agent.py": ["products: 3", "raw status for a missing product: 404", "revoked"],
    "desktop_login.py": ["logged in with scopes: read:user", "signed in as: local-user"],
    "async_agent.py": ["concurrent calls: 10 as local-user", "revoked: github"],
    "langgraph_agent.py": [
        "paused for consent: github ['read:user']",
        "signed in as: local-user",
    ],
    "pydantic_ai_agent.py": [
        "deferred for consent: github ['read:user']",
        'the model said: The tool said: {"login":"local-user","name":"Local-User","type":"User"}',
    ],
    "openai_agents_agent.py": [
        "interrupted for consent: github ['read:user']",
        'the model said: The tool said: {"login":"local-user","name":"Local-User","type":"User"}',
    ],
    "fleet_workers.py": [
        "registrations sent: 1 for 4 workers",
        "same client_id in every worker: yes",
        "workers calling with the shared token: 4 x local-user",
        "after revoke: NO_TOKEN",
    ],
}


def test_every_example_is_covered() -> None:
    assert {p.name for p in EXAMPLES.glob("*.py")} == set(EXPECTED)


@pytest.mark.parametrize("script", sorted(EXPECTED))
def test_example_runs(script: str, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ATH_")}
    done = subprocess.run(  # noqa: S603 - this interpreter running our own example
        [sys.executable, str(EXAMPLES / script)],
        capture_output=True,
        text=True,
        timeout=180,
        cwd=tmp_path,  # as a user would: not from the repository
        env=env,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    lines = done.stdout.splitlines()
    for line in EXPECTED[script]:
        assert line in lines, (line, done.stdout)
    assert "PRIVATE KEY" not in done.stdout + done.stderr
    assert "ath_tk_" not in done.stdout + done.stderr
