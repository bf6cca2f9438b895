"""The ``ath`` commands, one module per command group.

* :mod:`.keys`: ``keygen``, ``identity`` (the agent's key and identity document);
* :mod:`.rotation`: ``key rotate`` (the agent's next key);
* :mod:`.registration`: ``discover``, ``register``, ``status``;
* :mod:`.tokens`: ``authorize``, ``login``, ``token``, ``revoke``, ``logout``, ``whoami``;
* :mod:`.calls`: ``proxy``, ``api``;
* :mod:`.config`: ``config show|get|set|unset|use|profiles|path``;
* :mod:`.tools`: ``stack``, ``completion``, ``exit-codes``;
* :mod:`.conformance`: ``conformance`` (the protocol's conformance kit against any server);
* :mod:`.mcp`: ``mcp serve`` (the gateway as an MCP server).

Each module imports only click and the command line's own modules at load time; the
SDK (clients, httpx, cryptography) is imported inside the commands that use it, so that
``ath --version`` and ``--help`` start fast. :data:`COMMANDS` lists them in help order.
"""

from __future__ import annotations

from typing import Final

import click

from ath.cli._commands import (
    calls,
    config,
    conformance,
    keys,
    mcp,
    registration,
    rotation,
    tokens,
    tools,
)

__all__ = ["COMMANDS"]

#: Every command of the root group, in the order ``ath --help`` lists them.
COMMANDS: Final[tuple[click.Command, ...]] = (
    *keys.COMMANDS,
    *rotation.COMMANDS,
    *registration.COMMANDS,
    *tokens.COMMANDS,
    *calls.COMMANDS,
    *config.COMMANDS,
    *tools.COMMANDS,
    *conformance.COMMANDS,
    *mcp.COMMANDS,
)
