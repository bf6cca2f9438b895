"""A fixed port is claimed when bound: two stacks started together on the same ports
cannot both get past their bind and then fail in a server thread with a traceback
(``ath stack`` turns ``EADDRINUSE`` at bind into a usage error naming ``--port``)."""

from __future__ import annotations

import errno

import pytest

from ath.testing._runner import bind_loopback


def test_a_fixed_port_bound_twice_is_in_use_at_the_second_bind() -> None:
    probe = bind_loopback()
    port = probe.getsockname()[1]
    probe.close()
    first = bind_loopback(port=port)
    try:
        with pytest.raises(OSError) as caught:
            bind_loopback(port=port).close()
        assert caught.value.errno == errno.EADDRINUSE
    finally:
        first.close()
