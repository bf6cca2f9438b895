"""Without OpenTelemetry: ``import ath``, building clients and calling them (watched, with the
``ath`` logger at DEBUG) import nothing of it, whether it is not installed (its import
blocked) or installed but not set up by the application."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

SCRIPT = textwrap.dedent(
    """
    import importlib.abc, json, logging, sys

    class Block(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path, target=None):
            if name.partition(".")[0] == "opentelemetry":
                raise ModuleNotFoundError(f"No module named {name!r}")
            return None

    if sys.argv[1] == "absent":
        sys.meta_path.insert(0, Block())
        try:
            import opentelemetry.trace
        except ImportError:
            pass
        else:
            raise SystemExit("the block did not hold")
    import ath
    after_import = sorted(m for m in sys.modules if m.startswith("opentelemetry"))
    logging.basicConfig(level=logging.DEBUG)
    from ath.testing import LocalStack

    with LocalStack() as stack:
        with ath.ATHGatewayClient(stack.gateway_url, "https://agent.example/a",
                                  ath.generate_private_key()) as client:
            client.discover()
            assert client._core.otel is None
    now = sorted(m for m in sys.modules if m.startswith("opentelemetry"))
    print(json.dumps([after_import, now]))
    """
)


@pytest.mark.parametrize("otel", ["absent", "installed"])
def test_import_ath_imports_nothing_of_opentelemetry(otel: str) -> None:
    done = subprocess.run(  # noqa: S603 - this interpreter, fixed code
        [sys.executable, "-c", SCRIPT, otel],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "ath.discover GET /.well-known/ath.json -> 200" in done.stderr  # watched
    assert json.loads(done.stdout.splitlines()[-1]) == [[], []]
