"""The state of one run of the command line, carried on click's context object.

``run()`` makes one :class:`Run` per invocation and hands it to click as ``obj``; the
root group fills in the resolved settings; every command receives it through
:data:`pass_run`. Nothing is kept in module globals, so two runs in one process (tests,
an embedding program) never see each other's options. :func:`usage` builds the
command line's usage errors.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING

import click

from ath.cli._output import Output
from ath.cli._usage import usage

if TYPE_CHECKING:
    from ath.cli._settings import Settings
    from ath.cli._state import Client

__all__ = ["Run", "pass_run", "usage"]


class Run:
    """One invocation: its output mode, then (once the root group has parsed the global
    options) its settings. ``json_mode`` is known before parsing, so that an error in the
    options themselves is reported in the form asked for."""

    def __init__(self, json_mode: bool = False, no_color: bool = False) -> None:
        self.out = Output(json_mode, no_color=no_color)
        self._settings: Settings | None = None

    def configure(self, settings: Settings) -> None:
        """The global options as resolved by the root group."""
        self._settings = settings
        self.out = Output(settings.json, no_color=settings.no_color)

    @property
    def settings(self) -> Settings:
        if self._settings is None:  # a command invoked without the root group
            raise usage("the global options were not parsed: run the command through `ath`")
        return self._settings

    def native(self, flag: bool = False) -> bool:
        return flag or self.settings.get("mode") == "native"

    def developer(self, name: str | None, dev_id: str | None) -> dict[str, str]:
        """The developer of ``--developer-name``/``--developer-id``, else of
        ``ATH_DEVELOPER_NAME``/``ATH_DEVELOPER_ID`` or the profile, else of the agent
        identity document the ``identity`` setting names (``ath identity --out`` records
        it), when that document is this agent's."""
        name = name or self.settings.get("developer_name")
        dev_id = dev_id or self.settings.get("developer_id")
        if not name or not dev_id:
            from ath.cli._settings import identity_developer

            found = identity_developer(self.settings)
            name, dev_id = name or found.get("name"), dev_id or found.get("id")
        if not name or not dev_id:
            raise usage(
                "the developer needs a name and an id: pass --developer-name and "
                "--developer-id, set ATH_DEVELOPER_NAME and ATH_DEVELOPER_ID, or write the "
                "agent's identity document with `ath identity --out FILE` (or `ath config "
                "set developer_name ...` and `ath config set developer_id ...`)"
            )
        return {"name": str(name), "id": str(dev_id)}

    @contextlib.contextmanager
    def client(self, *, native: bool, save: bool = False) -> Iterator[Client]:
        """A client with the stored state loaded; with ``save``, the state is written back
        afterwards, also after a failure (the SDK drops tokens a server says are gone)."""
        from ath import ATHError
        from ath.cli import _state

        plain = _state.open_client(self.settings, native=native)
        client = plain
        try:
            client = _state.for_user(self.settings, plain)
            try:
                yield client
            except BaseException:
                if save:
                    with contextlib.suppress(ATHError, OSError):
                        _state.save(self.settings, client, native=native)
                raise
            if save:
                _state.save(self.settings, client, native=native)
        finally:
            plain.close()  # a for_user view shares the plain client's connections


#: Hands a command its :class:`Run` (the context object) as the first argument.
pass_run = click.make_pass_decorator(Run)
