"""A sync login (or a bare listener) in a process with few descriptors, for the flood
tests of tests/handshake/test_loopback_hostile.py.

python tests/handshake/flood_login.py GATEWAY_URL AGENT_ID KEY_FILE PORT
    register with http://127.0.0.1:PORT/callback, print the authorization URL, log in,
    print "token PROVIDER" (256 descriptors allowed)
python tests/handshake/flood_login.py --exhaust PORT
    a SyncListener on PORT; print "listening"; use up every descriptor and serve for a
    second (accept fails with EMFILE); free them, print "exhausted"; print "got URL"
    for the first matching request
"""

from __future__ import annotations

import os
import resource
import sys


def _limit(descriptors: int) -> None:
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (descriptors, hard))


def login(gateway_url: str, agent_id: str, key_file: str, port: str) -> None:
    from ath import ATHGatewayClient

    _limit(256)
    redirect = f"http://127.0.0.1:{port}/callback"
    with (
        open(key_file) as key,
        ATHGatewayClient(url=gateway_url, agent_id=agent_id, private_key=key.read()) as client,
    ):
        client.register(
            developer={"name": "Acme", "id": "acme"},
            providers=[{"provider_id": "github", "scopes": ["read:user"]}],
            redirect_uris=[redirect],
        )
        token = client.login(
            "github",
            ["read:user"],
            open_browser=False,
            redirect_uri=redirect,
            timeout=120,
            on_authorization_url=lambda url: print(url, flush=True),
        )
    print(f"token {token.provider_id}", flush=True)


def exhaust(port: str) -> None:
    from ath._loopback import SyncListener

    _limit(64)
    listener = SyncListener("127.0.0.1", int(port), "/cb")
    print("listening", flush=True)
    held = []
    try:
        while True:
            held.append(os.open(os.devnull, os.O_RDONLY))
    except OSError:
        pass
    try:
        assert listener.wait("S", 1.0) is None
    finally:
        for fd in held:
            os.close(fd)
    print("exhausted", flush=True)
    print(f"got {listener.wait('S', 120.0)}", flush=True)
    listener.close()


if __name__ == "__main__":
    if sys.argv[1] == "--exhaust":
        exhaust(sys.argv[2])
    else:
        login(*sys.argv[1:5])
