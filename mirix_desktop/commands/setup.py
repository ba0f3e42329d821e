"""What the Settings window does, on the command line: ``config``, ``models``, ``vault``.

``config set`` validates like the Settings window (the settings' own model, plus
"a base URL needs a model name") and writes only the keys it changes into the
settings file, leaving the rest of the file as it was; a refused value writes
nothing. ``vault show`` prints a value only with ``--reveal``.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import sys
import tomllib
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import tomli_w
from pydantic import AliasChoices, BaseModel, ValidationError

from agents.errors import InvalidInput, NotFound, one_line
from mirix_desktop.commands import EXIT_ERROR
from mirix_desktop.config.paths import Paths, private_files, resolve_paths
from mirix_desktop.config.settings import ENV_PREFIX, Settings, load_settings

if TYPE_CHECKING:
    from mirix_desktop.services.context import Context

# ---- config ----------------------------------------------------------------------------


def cmd_config(args: argparse.Namespace) -> int:
    private_files()
    paths = resolve_paths(args.home)
    if args.action == "list":
        return _config_list(paths, changed_only=args.changed, as_json=args.json)
    if args.action == "get":
        section, name = _key(args.key)
        print(_shown(getattr(getattr(load_settings(paths), section), name)))
        return 0
    if args.action == "set":
        changes: dict[str, Any] = {}
        for item in args.assignments:
            key, sep, raw = item.partition("=")
            if not sep:
                raise InvalidInput(f"{item!r}: write KEY=VALUE, e.g. capture.interval_s=5")
            changes[".".join(_key(key.strip()))] = _parse(raw)
        return _config_write(paths, changes, remove=_old_names(changes))
    if args.action == "unset":
        keys = tuple(".".join(_key(k)) for k in args.keys)
        return _config_write(paths, {}, remove=keys + _old_names(keys))
    raise InvalidInput(f"unknown config action {args.action!r}")


def _keys() -> dict[str, tuple[str, str]]:
    """Every setting as "section.name" -> (section, name)."""
    out = {}
    for section, info in Settings.model_fields.items():
        model = info.annotation
        assert isinstance(model, type) and issubclass(model, BaseModel)
        for name in model.model_fields:
            out[f"{section}.{name}"] = (section, name)
    return out


def _renamed() -> dict[str, str]:
    """The settings' earlier names, still read ("search.context_weight"), and their names
    now ("search.neighbour_weight")."""
    out = {}
    for section, info in Settings.model_fields.items():
        model = info.annotation
        assert isinstance(model, type) and issubclass(model, BaseModel)
        for name, field in model.model_fields.items():
            if isinstance(field.validation_alias, AliasChoices):
                for old in field.validation_alias.choices:
                    if isinstance(old, str) and old != name:
                        out[f"{section}.{old}"] = f"{section}.{name}"
    return out


def _old_names(keys: Iterable[str]) -> tuple[str, ...]:
    """The earlier names of ``keys`` (set or unset: the file keeps one name for each)."""
    keys = set(keys)
    return tuple(old for old, now in _renamed().items() if now in keys)


def _key(key: str) -> tuple[str, str]:
    """(section, name) of ``key`` (an earlier name gives the setting's name now); raises
    InvalidInput naming the nearest settings."""
    keys = _keys()
    key = _renamed().get(key, key)
    if key in keys:
        return keys[key]
    near = difflib.get_close_matches(key, list(keys), n=3, cutoff=0.6)
    section = key.partition(".")[0]
    if not near and section in Settings.model_fields:
        near = [k for k in keys if k.startswith(section + ".")]
    hint = (
        f"; did you mean {', '.join(near)}?" if near else "; `mirix-desktop config list` shows all"
    )
    raise InvalidInput(f"no setting {key!r}{hint}")


def _parse(raw: str) -> Any:
    """A value as typed: JSON where it parses (numbers, true, lists), else the text."""
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def _shown(value: Any) -> str:
    if isinstance(value, str):
        return value
    if value is None:
        return "(none)"
    if isinstance(value, BaseModel):
        value = value.model_dump(mode="json")
    return json.dumps(value, default=str, ensure_ascii=False)


def _file_data(paths: Paths) -> dict[str, Any]:
    if not paths.config_file.is_file():
        return {}
    try:
        return tomllib.loads(paths.config_file.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"{paths.config_file}: {exc}") from None


def _config_list(paths: Paths, *, changed_only: bool, as_json: bool) -> int:
    settings = load_settings(paths)
    defaults = Settings()
    env = {k.lower() for k in os.environ if k.startswith(ENV_PREFIX) and "__" in k}
    rows = []
    for key, (section, name) in _keys().items():
        value = getattr(getattr(settings, section), name)
        default = getattr(getattr(defaults, section), name)
        if changed_only and value == default:
            continue
        from_env = f"{ENV_PREFIX}{section}__{name}".lower() in env
        rows.append((key, value, value != default, from_env))
    if as_json:
        out = {k: json.loads(json.dumps(v, default=str)) for k, v, _, _ in rows}
        print(json.dumps(out, indent=1, ensure_ascii=False))
        return 0
    for key, value, changed, from_env in rows:
        note = "  (environment)" if from_env else ("  (changed)" if changed else "")
        print(f"{key} = {_shown(value)}{note}")
    return 0


def _config_write(paths: Paths, changes: dict[str, Any], *, remove: tuple[str, ...]) -> int:
    after, changed = change_settings(paths, changes, remove=remove)
    if not changed:
        print("nothing changed")
        return 0
    for key in changed:
        print(f"{key} = {_shown(_value(after, key))}")
    if "desktop.start_at_login" in changed:
        from mirix_desktop.services.autostart import apply_autostart

        apply_autostart(after.desktop.start_at_login, paths)
    return 0


def change_settings(
    paths: Paths, changes: dict[str, Any], *, remove: tuple[str, ...] = ()
) -> tuple[Settings, list[str]]:
    """Apply ``changes`` ({"section.name": value}; None: the default) and ``remove`` to
    the settings file's own keys; returns the settings the file now holds and the keys
    that changed. Nothing is written unless every value is valid (else InvalidInput)
    and something changes."""
    data = _file_data(paths)
    try:
        before: Settings | None = _validated(data)
    except InvalidInput:  # a file that does not load: these changes may be its repair
        before = None
    for key in remove:
        section, name = key.split(".")
        data.get(section, {}).pop(name, None)
    for key, value in changes.items():
        section, name = key.split(".")
        if value is None:
            data.get(section, {}).pop(name, None)
        else:
            data.setdefault(section, {})[name] = value
    after = _validated(data)
    _check_endpoints(after)
    touched = [*changes, *(k for k in remove if k in _keys())]  # not an earlier name
    changed = [k for k in touched if before is None or _value(before, k) != _value(after, k)]
    if not changed:
        return after, []
    # The file keeps its keys; each changed one is written as the settings read it back.
    dumped = after.model_dump(mode="json")
    for key in changed:
        section, name = key.split(".")
        if name in data.get(section, {}):
            data[section][name] = dumped[section][name]
    _write(paths, {s: v for s, v in data.items() if v != {}})
    return after, changed


def _value(settings: Settings, key: str) -> Any:
    section, name = key.split(".")
    return getattr(getattr(settings, section), name)


def _validated(data: dict[str, Any]) -> Settings:
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        raise InvalidInput(f"setting {one_line(exc)}; nothing was written") from None


def _check_endpoints(settings: Settings) -> None:
    """The Settings window's own check: a base URL needs a model name."""
    for role in ("chat_model", "memory_model"):
        cfg = getattr(settings, role)
        if cfg.base_url and not cfg.model:
            raise InvalidInput(
                f"{role}.base_url is {cfg.base_url} but {role}.model is empty; set both "
                f"(`config set {role}.base_url=URL {role}.model=NAME`); nothing was written"
            )


def _write(paths: Paths, data: dict[str, Any]) -> None:
    paths.config_dir.mkdir(parents=True, exist_ok=True)
    tmp = paths.config_file.with_suffix(".toml.tmp")
    tmp.write_text(tomli_w.dumps(data), encoding="utf-8")
    os.replace(tmp, paths.config_file)


# ---- models ----------------------------------------------------------------------------


def cmd_models(ctx: Context, args: argparse.Namespace) -> int:
    from mirix_desktop.config.endpoints import PRESETS

    if args.action == "presets":
        for p in PRESETS:
            key = "  (needs an API key)" if p.needs_key else ""
            print(f"{p.name:<17} {p.base_url}{key}\n{'':<17} {p.hint}")
        return 0
    if args.action == "key":
        return _store_key(ctx, args.role, delete=args.delete)
    if args.model and not args.base_url:
        raise InvalidInput("--model is for --base-url")
    if args.base_url:
        if not args.model:
            raise InvalidInput("--base-url needs --model NAME (the model to try)")
        role = args.role or "chat"
        targets = [(role, args.base_url, args.model)]
    else:
        roles = [args.role] if args.role else ["chat", "memory"]
        targets = []
        for role in roles:
            cfg = ctx.settings.chat_model if role == "chat" else ctx.settings.memory_model
            targets.append((role, cfg.base_url or "", cfg.model))
    results = [_test(ctx, role, url, model) for role, url, model in targets]
    if args.json:
        print(json.dumps(results, indent=1))
    else:
        for r in results:
            print(f"{r['role']}: {r['model'] or '-'} at {r['base_url'] or 'none (offline mode)'}")
            if r["served"] is not None:
                shown = ", ".join(r["served"][:20]) or "no model list"
                print(f"  served: {shown}")
            print(f"  {'ok' if r['ok'] else 'failed'}: {r['message']}")
    return 0 if all(r["ok"] for r in results) else EXIT_ERROR


def _store_key(ctx: Context, role: str, *, delete: bool) -> int:
    """The Settings window's API key field: the key goes to the secret store only."""
    name = f"{role}-api-key"
    if delete:
        ctx.secrets.delete(name)
        print(f"{name} removed")
        return 0
    if sys.stdin.isatty():
        import getpass

        key = getpass.getpass(f"API key for the {role} model (not shown): ").strip()
    else:
        key = sys.stdin.readline().strip()
    if not key:
        raise InvalidInput("no key given (type it, or pipe it in on one line); nothing stored")
    if any(c.isspace() for c in key) or len(key) > 4096:
        raise InvalidInput("that is not an API key (spaces, or too long); nothing stored")
    ctx.secrets.set(name, key)
    print(f"{name} stored in the {ctx.secrets.describe().split(' (')[0]}")
    return 0


def _test(ctx: Context, role: str, base_url: str, model: str) -> dict[str, Any]:
    from mirix_desktop.config.endpoints import EndpointProblem, check_endpoint, preset_for

    out: dict[str, Any] = {"role": role, "base_url": base_url, "model": model, "served": None}
    if not base_url:
        return {**out, "ok": True, "reason": "offline", "message": "no model configured"}
    preset = preset_for(base_url)
    out["preset"] = preset.name if preset else None
    if not model:
        return {**out, "ok": False, "reason": "no_model", "message": "no model name set"}
    try:
        result = check_endpoint(base_url, model, ctx.api_key(role))
    except EndpointProblem as exc:
        hint = f" ({preset.hint})" if preset and exc.reason == "refused" else ""
        served = exc.models or None
        return {
            **out,
            "served": served,
            "ok": False,
            "reason": exc.reason,
            "message": f"{exc}{hint}",
        }
    return {
        **out,
        "served": result.models,
        "ok": True,
        "reason": "ok",
        "message": result.message(model),
    }


# ---- vault -----------------------------------------------------------------------------


def cmd_vault(ctx: Context, args: argparse.Namespace) -> int:
    from agents.store import MemoryType
    from agents.store.schema import VaultData

    if args.action == "list":
        entries = ctx.store.list_memories(MemoryType.KNOWLEDGE_VAULT, limit=1_000_000)
        rows = [_entry(m, reveal=False) for m in entries if isinstance(m.data, VaultData)]
        rows.sort(key=lambda r: r["created_at"])
        if args.json:
            print(json.dumps(rows, indent=1, ensure_ascii=False))
        else:
            for r in rows:
                print(f"{r['id']}  {r['sensitivity']:<6}  {r['entry_type']:<12}  {r['caption']}")
            print(f"{len(rows)} entries (values hidden; `vault show ID --reveal` prints one)")
        return 0
    memory_id = args.id.strip()
    try:
        memory = ctx.store.get(memory_id)
    except NotFound:
        raise NotFound(f"no vault entry with id {memory_id!r}") from None
    if not isinstance(memory.data, VaultData):
        raise NotFound(f"{memory_id} is a {memory.type.value} memory, not a vault entry")
    row = _entry(memory, reveal=args.reveal)
    if args.json:
        print(json.dumps(row, indent=1, ensure_ascii=False))
        return 0
    for name, value in row.items():
        print(f"{name:<12} {_shown(value) if value != [] else '-'}")
    if not args.reveal:
        print("value        (hidden; add --reveal to print it)")
    return 0


def _entry(memory: Any, *, reveal: bool) -> dict[str, Any]:
    data = memory.data
    row: dict[str, Any] = {
        "id": memory.id,
        "caption": data.caption,
        "entry_type": data.entry_type,
        "sensitivity": data.sensitivity,
        "source": data.source,
        "created_at": memory.created_at.isoformat(),
        "source_ids": memory.source_ids,
    }
    if reveal:
        row["value"] = data.secret_value
    return row
