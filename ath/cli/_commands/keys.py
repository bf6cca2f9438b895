"""``ath keygen`` and ``ath identity``: the agent's private key and identity document."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Final

import click

from ath.cli import _output as o
from ath.cli._context import Run, pass_run, usage

__all__ = ["COMMANDS", "identity", "keygen"]


@click.command()
@click.option(
    "--out", "out_path", type=click.Path(dir_okay=False, path_type=Path), help="Key file."
)
@click.option("--force", is_flag=True, help="Replace an existing key file (the old key is lost).")
@click.option(
    "--passphrase-env", metavar="VAR", help="Encrypt the key with the passphrase in $VAR."
)
@pass_run
def keygen(run: Run, out_path: Path | None, force: bool, passphrase_env: str | None) -> None:
    """Create the agent's EC P-256 private key (PKCS#8 PEM, mode 0600)."""
    from ath import jwk_thumbprint, public_jwk
    from ath.cli._keys import new_key, passphrase_from, write_key
    from ath.cli._state import key_path

    path = out_path or key_path(run.settings)
    pem, key = new_key(passphrase_from(passphrase_env))
    write_key(path, pem, force=force)
    jwk: dict[str, str] = public_jwk(key)
    kid = run.settings.get("key_id") or jwk_thumbprint(jwk)
    doc = {
        "path": str(path),
        "key_id": kid,
        "encrypted": passphrase_env is not None,
        "public_jwk": {**jwk, "use": "sig", "alg": "ES256", "kid": kid},
    }
    run.out.result(
        doc,
        f"Wrote a new EC P-256 key to {o.shown(path)} (mode 0600"
        + (", encrypted" if passphrase_env else "")
        + f").\nkey id:     {kid}\npublic JWK: {json.dumps(doc['public_jwk'])}",
        ok=True,
    )


@click.command()
@click.option("--agent-id", "doc_agent_id", metavar="URI", help="Defaults to the global one.")
@click.option("--name", required=True, help="The agent's name.")
@click.option("--developer-name", help="[profile: developer_name]")
@click.option("--developer-id", help="[profile: developer_id]")
@click.option("--capability", "capabilities", multiple=True, help="Repeatable.")
@click.option("--out", "out_path", type=click.Path(dir_okay=False, path_type=Path))
@pass_run
def identity(
    run: Run,
    doc_agent_id: str | None,
    name: str,
    developer_name: str | None,
    developer_id: str | None,
    capabilities: tuple[str, ...],
    out_path: Path | None,
) -> None:
    """Write the agent identity document (public key as JWK) to stdout or --out."""
    from ath import agent_identity_document, jwk_thumbprint, public_jwk
    from ath.cli._keys import read_key
    from ath.cli._state import key_path

    agent_id = doc_agent_id or run.settings.get("agent_id")
    if not agent_id:
        raise usage("no agent id: pass --agent-id (here or before the command) or set ATH_AGENT_ID")
    key = read_key(key_path(run.settings))
    doc = agent_identity_document(
        agent_id=str(agent_id),
        name=name,
        developer=run.developer(developer_name, developer_id),
        private_key=key,
        key_id=run.settings.get("key_id") or jwk_thumbprint(public_jwk(key)),
        capabilities=list(capabilities) or None,
    )
    if out_path is None:
        run.out.result(doc)
        return
    from ath.cli._files import PUBLIC_FOLDER_MODE, PUBLIC_MODE, make_folder, write_file

    try:
        # A public document (served at the agent id): 0644 in folders made 0755, whatever
        # the umask; written beside the target and renamed over it, so a symlink planted
        # at --out is replaced, never written through.
        make_folder(out_path.parent, PUBLIC_FOLDER_MODE)
        data = (json.dumps(doc, indent=2) + "\n").encode("utf-8")
        write_file(out_path, data, mode=PUBLIC_MODE)
    except OSError as exc:
        raise usage(f"--out: cannot write {out_path}: {exc.strerror}") from None
    recorded = _record_identity(run, out_path)
    run.out.result(
        {"path": str(out_path), "agent_id": doc["agent_id"], "recorded": recorded},
        f"Wrote the identity document of {doc['agent_id']} to {o.shown(out_path)}; "
        "serve it at that URI."
        + (
            f"\n`ath register` takes the developer from it (identity in profile {recorded})."
            if recorded
            else ""
        ),
        ok=True,
    )


def _record_identity(run: Run, path: Path) -> str | None:
    """Record ``path`` as the ``identity`` setting of the active profile, so that `ath
    register` defaults the developer from it; the profile's name, or None when the
    setting already names it or the config file cannot be written (said on stderr)."""
    from ath import ATHError
    from ath.cli._settings import read_config, write_config

    full = str(path.expanduser().resolve())
    current = run.settings.get("identity")
    if current and str(Path(str(current)).expanduser().resolve()) == full:
        return None
    profile = run.settings.profile
    try:
        data = read_config()
        data.setdefault("profiles", {}).setdefault(profile, {})["identity"] = full
        write_config(data)
    except ATHError as exc:
        run.out.note(f"The document's path was not recorded in profile {profile}: {exc.message}")
        return None
    return profile


COMMANDS: Final = (keygen, identity)
