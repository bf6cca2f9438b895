"""``ath key rotate``: the agent's next key and the identity document that carries it.

A rotation in two steps: ``ath key rotate --name N --out agent.json`` creates the next
key beside the current one (``KEY.next``, 0600) and writes its identity document; once
that document is published at the agent id, ``ath key rotate --switch`` makes the next
key the one every command signs with (the old key is kept as ``KEY.old``). Verifiers
that cached the old document re-fetch it within a minute of a signature mismatch; the
SDK resends a refused call once after that window. ``--switch`` without a staged key is
the emergency path: a new key, its document and the switch at once.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Final

import click

from ath.cli import _output as o
from ath.cli._context import Run, pass_run, usage

__all__ = ["COMMANDS", "key"]


def _staged(path: Path) -> Path:
    return path.with_name(path.name + ".next")


def _retired(path: Path) -> Path:
    return path.with_name(path.name + ".old")


def _document(run: Run, path: Path, agent_id: str, name: str, developer: Any) -> dict[str, Any]:
    from ath import agent_identity_document, jwk_thumbprint, public_jwk
    from ath.cli._keys import read_key

    key = read_key(path)
    return agent_identity_document(
        agent_id=agent_id,
        name=name,
        developer=developer,
        private_key=key,
        key_id=jwk_thumbprint(public_jwk(key)),
    )


def _write_document(doc: dict[str, Any], out_path: Path) -> None:
    from ath.cli._files import PUBLIC_FOLDER_MODE, PUBLIC_MODE, make_folder, write_file

    try:
        make_folder(out_path.parent, PUBLIC_FOLDER_MODE)
        data = (json.dumps(doc, indent=2) + "\n").encode("utf-8")
        write_file(out_path, data, mode=PUBLIC_MODE)
    except OSError as exc:
        raise usage(f"--out: cannot write {out_path}: {exc.strerror}") from None


@click.group()
def key() -> None:
    """The agent's key over time: ``ath key rotate``."""


@key.command()
@click.option("--name", help="The agent's name (for the new identity document).")
@click.option("--agent-id", "doc_agent_id", metavar="URI", help="Defaults to the global one.")
@click.option("--developer-name", help="[profile: developer_name]")
@click.option("--developer-id", help="[profile: developer_id]")
@click.option(
    "--out", "out_path", type=click.Path(dir_okay=False, path_type=Path), help="Document file."
)
@click.option(
    "--switch",
    is_flag=True,
    help="Sign with the staged key from now on (without one: emergency, a new key at once).",
)
@click.option("--passphrase-env", metavar="VAR", help="Encrypt the new key with $VAR.")
@pass_run
def rotate(
    run: Run,
    name: str | None,
    doc_agent_id: str | None,
    developer_name: str | None,
    developer_id: str | None,
    out_path: Path | None,
    switch: bool,
    passphrase_env: str | None,
) -> None:
    """Stage the agent's next key and write its identity document; --switch to use it."""
    from ath.cli._keys import new_key, passphrase_from, write_key
    from ath.cli._state import key_path

    current = key_path(run.settings)
    staged = _staged(current)
    doc: dict[str, Any] | None = None
    if not staged.exists():
        if not name:
            raise usage("--name is needed to write the new key's identity document")
        agent_id = doc_agent_id or run.settings.get("agent_id")
        if not agent_id:
            raise usage("no agent id: pass --agent-id or set ATH_AGENT_ID")
        developer = run.developer(developer_name, developer_id)
        pem, _ = new_key(passphrase_from(passphrase_env))
        write_key(staged, pem, force=False)
        doc = _document(run, staged, str(agent_id), name, developer)
        if out_path is not None:
            _write_document(doc, out_path)
    elif not switch:
        raise usage(
            f"a next key is staged already ({o.shown(staged)}): publish its document, then "
            "run `ath key rotate --switch`"
        )
    result: dict[str, Any] = {
        "staged": str(staged),
        "key_id": (doc or {}).get("public_key", {}).get("kid"),
        "switched": False,
    }
    if doc is not None and out_path is None:
        result["identity_document"] = doc
    elif out_path is not None:
        result["identity_document_path"] = str(out_path)
    if switch:
        from ath import jwk_thumbprint, public_jwk
        from ath.cli._keys import read_key

        kid = jwk_thumbprint(public_jwk(read_key(staged)))
        if current.exists():
            os.replace(current, _retired(current))
        os.replace(staged, current)
        result.update({"switched": True, "key_id": kid, "retired": str(_retired(current))})
    lines = [
        f"key id:  {o.safe(str(result['key_id']))}",
        *(
            [f"identity document: {o.shown(out_path)} (publish it at the agent id)"]
            if out_path is not None
            else []
        ),
        "Commands now sign with the new key; verifiers re-fetch the document within a "
        "minute, and a call they refuse meanwhile is resent once after that."
        if switch
        else f"Staged as {o.shown(staged)}. Publish the document, then `ath key rotate --switch`.",
    ]
    if doc is not None and out_path is None and not run.out.json_mode:
        lines.append(json.dumps(doc, indent=2))
    run.out.result(result, "\n".join(lines))


COMMANDS: Final = (key,)
