"""Settings from TOML and the environment; secrets in the keyring or an encrypted file."""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from agents.errors import InvalidInput
from mirix_desktop.config.keystore import SecretStore
from mirix_desktop.config.paths import resolve_paths
from mirix_desktop.config.settings import Settings, load_settings, save_settings

ROOT = Path(__file__).resolve().parents[1]


def test_defaults_file_and_environment_in_that_order(home: Path) -> None:
    paths = resolve_paths()
    assert paths.config_file == home / "config" / "config.toml"
    assert load_settings(paths, environ={}).search.rrf_k == 10
    settings = Settings()
    settings.search.rrf_k = 20
    settings.search.recency_weight = 0.25
    save_settings(paths, settings)
    loaded = load_settings(paths, environ={})
    assert loaded.search.rrf_k == 20 and loaded.search.recency_weight == 0.25
    env = {"MIRIX_SEARCH__RRF_K": "7", "MIRIX_MODELS__CLIP_MODEL": "ViT-B-16", "OTHER": "x"}
    overridden = load_settings(paths, environ=env)
    assert overridden.search.rrf_k == 7
    assert overridden.search.recency_weight == 0.25
    assert overridden.models.clip_model == "ViT-B-16"


def test_a_renamed_setting_is_still_read_and_saved_by_its_new_name(home: Path) -> None:
    paths = resolve_paths()
    paths.config_dir.mkdir(parents=True)
    paths.config_file.write_text("[search]\ncontext_weight = 0.2\ncontext_window_s = 90\n")
    loaded = load_settings(paths, environ={})
    assert (loaded.search.neighbour_weight, loaded.search.neighbour_window_s) == (0.2, 90)
    assert (
        load_settings(
            paths, environ={"MIRIX_SEARCH__CONTEXT_WEIGHT": "0.1"}
        ).search.neighbour_weight
        == 0.1
    )
    save_settings(paths, loaded)
    text = paths.config_file.read_text()
    assert "neighbour_weight = 0.2" in text and "context_weight" not in text
    assert load_settings(paths, environ={}).search.neighbour_window_s == 90


def test_bad_settings_are_reported_clearly(home: Path) -> None:
    paths = resolve_paths()
    with pytest.raises(InvalidInput, match="search.recency_weight"):
        load_settings(paths, environ={"MIRIX_SEARCH__RECENCY_WEIGHT": "7"})
    with pytest.raises(InvalidInput, match="search.colour"):
        load_settings(paths, environ={"MIRIX_SEARCH__COLOUR": "red"})
    with pytest.raises(InvalidInput, match="capture.excluded_title_patterns") as bad:
        load_settings(paths, environ={"MIRIX_CAPTURE__EXCLUDED_TITLE_PATTERNS": '["(private"]'})
    assert "'(private' is not a regular expression" in str(bad.value)
    assert "Value error" not in str(bad.value)
    paths.config_dir.mkdir(parents=True)
    paths.config_file.write_text("this is = = not toml")
    with pytest.raises(InvalidInput, match="config.toml"):
        load_settings(paths, environ={})


def test_file_secrets_are_encrypted_and_say_so(home: Path) -> None:
    store = SecretStore(resolve_paths(), backend="file")
    store.set("openai-api-key", "sk-test-abcdef123456")
    assert store.get("openai-api-key") == "sk-test-abcdef123456"
    blob = (home / "config" / "secrets.enc").read_bytes()
    assert b"sk-test" not in blob
    assert "encrypted file" in store.describe() and "not against" in store.describe()
    key_mode = (home / "config" / "secrets.key").stat().st_mode & 0o777
    assert key_mode == 0o600
    store.delete("openai-api-key")
    assert store.get("openai-api-key") is None
    again = SecretStore(resolve_paths(), backend="file")
    assert again.vault_key() == again.vault_key() == store.vault_key()


def test_keyring_backend_is_used_when_one_exists(home: Path, monkeypatch) -> None:
    import keyring
    from keyring.backend import KeyringBackend

    class MemoryKeyring(KeyringBackend):
        priority = 1  # type: ignore[assignment]

        def __init__(self) -> None:
            self.items: dict[tuple[str, str], str] = {}

        def get_password(self, service: str, username: str) -> str | None:
            return self.items.get((service, username))

        def set_password(self, service: str, username: str, password: str) -> None:
            self.items[(service, username)] = password

        def delete_password(self, service: str, username: str) -> None:
            self.items.pop((service, username), None)

    ring = MemoryKeyring()
    previous = keyring.get_keyring()
    keyring.set_keyring(ring)
    try:
        store = SecretStore(resolve_paths(), backend="auto")
        assert store.uses_keyring
        store.set("api", "sk-1")
        assert ring.items[(store.service, "api")] == "sk-1"
        assert not (home / "config" / "secrets.enc").exists()
    finally:
        keyring.set_keyring(previous)


def test_two_first_runs_agree_on_one_vault_key(home: Path) -> None:
    code = (
        "from mirix_desktop.config.keystore import SecretStore;"
        "from mirix_desktop.config.paths import resolve_paths;"
        "print(SecretStore(resolve_paths(), 'file').vault_key().hex())"
    )
    procs = [
        subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
        for _ in range(4)
    ]
    keys = {p.communicate(timeout=120)[0].strip() for p in procs}
    assert len(keys) == 1 and len(next(iter(keys))) == 64


def _imports(folder: Path) -> Iterator[tuple[Path, str]]:
    for path in folder.rglob("*.py"):
        tree = ast.parse(path.read_text(), str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    yield path, alias.name
            elif isinstance(node, ast.ImportFrom) and node.module:
                yield path, node.module


def test_core_packages_never_import_qt() -> None:
    for path, name in _imports(ROOT / "agents"):
        assert not name.startswith(("PySide6", "PyQt", "mirix_desktop")), f"{path}: {name}"
    outside_ui = ["config", "pipeline", "services", "commands"]
    for folder in outside_ui:
        assert (ROOT / "mirix_desktop" / folder).is_dir()  # a move must not empty the check
        for path, name in _imports(ROOT / "mirix_desktop" / folder):
            assert not name.startswith(("PySide6", "PyQt")), f"{path}: {name}"


def test_importing_has_no_side_effects(tmp_path: Path) -> None:
    target = tmp_path / "untouched"
    code = (
        "import mirix_desktop.cli, mirix_desktop.services.context, agents.store, agents.embeddings;"
        "import sys; assert 'torch' not in sys.modules, 'torch imported eagerly'"
    )
    subprocess.run(
        [sys.executable, "-c", code],
        check=True,
        timeout=120,
        env={"MIRIX_HOME": str(target), "PATH": "/usr/bin:/bin"},
    )
    assert not target.exists()
