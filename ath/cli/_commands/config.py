"""``ath config``: profiles and their settings in the config file (which holds no secrets)."""

from __future__ import annotations

from typing import Any, Final

import click

from ath.cli._complete import complete_keys
from ath.cli._context import Run, pass_run, usage
from ath.cli._setting_names import keys_help

__all__ = ["COMMANDS", "config"]


@click.group()
def config() -> None:
    """Profiles and their settings (the config file holds no secrets)."""


@config.command("path")
@pass_run
def config_path_cmd(run: Run) -> None:
    """Where the config file is."""
    from ath.cli._settings import config_path

    run.out.result({"path": str(config_path())}, str(config_path()))


@config.command("show")
@pass_run
def config_show(run: Run) -> None:
    """The settings in effect and where each comes from (secrets masked: a store URL's
    password, the values of headers named like a token, key, secret or cookie)."""
    from ath.cli._output import masked_setting

    values = {k: masked_setting(k, v) for k, v in run.settings.values.items()}
    doc = {"profile": run.settings.profile, "values": values, "sources": run.settings.sources}
    lines = [f"profile: {run.settings.profile}"]
    for key, value in sorted(values.items()):
        lines.append(f"{key} = {value!r}  ({run.settings.sources.get(key, 'default')})")
    run.out.result(doc, "\n".join(lines))


@config.command("get", epilog=keys_help())
@click.argument("key", shell_complete=complete_keys)
@pass_run
def config_get(run: Run, key: str) -> None:
    """One setting in effect (secrets masked, as by `ath config show`)."""
    from ath.cli._output import masked_setting
    from ath.cli._settings import check_key

    value = run.settings.get(check_key(key))
    if value is None:
        raise usage(f"{key} is not set in profile {run.settings.profile}")
    value = masked_setting(key, value)
    run.out.result({key: value}, "\n".join(value) if isinstance(value, list) else str(value))


@config.command("set", epilog=keys_help())
@click.argument("key", shell_complete=complete_keys)
@click.argument("value")
@pass_run
def config_set(run: Run, key: str, value: str) -> None:
    """Set KEY in the active profile (headers: one 'Name: value' per line)."""
    from ath.cli._settings import check_key, parse_headers, read_config, write_config

    check_key(key)
    stored: Any = value
    if key == "headers":
        stored = [h for h in value.splitlines() if h.strip()]
        parse_headers(stored)
    if key == "mode" and value not in ("gateway", "native"):
        raise usage("mode is 'gateway' or 'native'")
    if key == "identity":  # a file: kept whole, so it is found from any folder
        from pathlib import Path

        stored = str(Path(value).expanduser().resolve())
    data = read_config()
    data.setdefault("profiles", {}).setdefault(run.settings.profile, {})[key] = stored
    path = write_config(data)
    from ath.cli._output import masked_setting

    shown = masked_setting(key, stored)
    run.out.result(
        {"profile": run.settings.profile, "key": key, "value": shown, "path": str(path)},
        f"{run.settings.profile}: {key} set",
    )


@config.command("unset", epilog=keys_help())
@click.argument("key", shell_complete=complete_keys)
@pass_run
def config_unset(run: Run, key: str) -> None:
    """Remove KEY from the active profile."""
    from ath.cli._settings import check_key, read_config, write_config

    check_key(key)
    data = read_config()
    table = (data.get("profiles") or {}).get(run.settings.profile) or {}
    removed = table.pop(key, None) is not None
    if removed:
        write_config(data)
    run.out.result(
        {"profile": run.settings.profile, "key": key, "removed": removed},
        f"{run.settings.profile}: {key} " + ("removed" if removed else "was not set"),
    )


@config.command("use")
@click.argument("profile")
@pass_run
def config_use(run: Run, profile: str) -> None:
    """Make PROFILE the default one."""
    from ath.cli._settings import check_profile_name, read_config, write_config

    data = read_config()
    data["profile"] = check_profile_name(profile)
    data.setdefault("profiles", {}).setdefault(profile, {})
    write_config(data)
    run.out.result({"profile": profile}, f"default profile: {profile}")


@config.command("profiles")
@pass_run
def config_profiles(run: Run) -> None:
    """The profiles in the config file (the active one marked *)."""
    from ath.cli._settings import read_config

    names = sorted((read_config().get("profiles") or {}).keys() | {run.settings.profile})
    run.out.result(
        {"profiles": names, "active": run.settings.profile},
        "\n".join(("* " if n == run.settings.profile else "  ") + n for n in names),
    )


COMMANDS: Final = (config,)
