"""``config``, ``models``, ``vault`` and the pause line of ``doctor``: what the Settings
window does, on the command line (through ``main``, as the console script runs it)."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from mirix_desktop.cli import main
from mirix_desktop.services.context import open_context
from tests.fake_openai import FakeOpenAI

REPLY_CALL = {"tool_calls": [{"name": "reply", "arguments": {"text": "OK"}}]}


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _config(home: Path) -> Path:
    return home / "config" / "config.toml"


# ---- config ------------------------------------------------------------------------


def test_config_set_writes_only_the_changed_keys(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _config(home).parent.mkdir(parents=True)
    _config(home).write_text("# mine\n[search]\ndefault_k = 7\n[mcp]\nshare_vault_values = false\n")
    code, out, _ = _run(capsys, "config", "set", "capture.interval_s=5", "capture.monitors=primary")
    assert code == 0
    assert out.splitlines() == ["capture.interval_s = 5.0", "capture.monitors = primary"]
    data = tomllib.loads(_config(home).read_text())
    assert data == {
        "search": {"default_k": 7},
        "mcp": {"share_vault_values": False},
        "capture": {"interval_s": 5.0, "monitors": "primary"},
    }
    assert _run(capsys, "config", "get", "capture.interval_s")[1] == "5.0\n"
    assert _run(capsys, "config", "get", "search.default_k")[1] == "7\n"
    assert _run(capsys, "config", "get", "chat_model.base_url")[1] == "(none)\n"

    code, out, _ = _run(capsys, "config", "set", 'capture.excluded_apps=["keepassxc", "signal"]')
    assert code == 0 and out == 'capture.excluded_apps = ["keepassxc", "signal"]\n'
    assert tomllib.loads(_config(home).read_text())["capture"]["excluded_apps"] == [
        "keepassxc",
        "signal",
    ]

    before = _config(home).stat().st_mtime_ns
    assert _run(capsys, "config", "set", "capture.interval_s=5.0")[1] == "nothing changed\n"
    assert _config(home).stat().st_mtime_ns == before

    code, out, _ = _run(capsys, "config", "unset", "capture.interval_s")
    assert code == 0 and out == "capture.interval_s = 2.0\n"
    assert "interval_s" not in tomllib.loads(_config(home).read_text())["capture"]


def test_config_takes_a_setting_by_its_earlier_name_and_keeps_one_name_in_the_file(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _config(home).parent.mkdir(parents=True)
    _config(home).write_text("[search]\ncontext_weight = 0.2\n")
    assert _run(capsys, "config", "get", "search.context_weight")[1] == "0.2\n"
    code, out, _ = _run(capsys, "config", "set", "search.context_weight=0.4")
    assert code == 0 and out == "search.neighbour_weight = 0.4\n"
    assert tomllib.loads(_config(home).read_text()) == {"search": {"neighbour_weight": 0.4}}
    _config(home).write_text("[search]\ncontext_weight = 0.2\nneighbour_weight = 0.3\n")
    assert _run(capsys, "config", "unset", "search.neighbour_weight")[0] == 0
    assert tomllib.loads(_config(home).read_text()) == {}


@pytest.mark.parametrize(
    ("assignment", "message"),
    [
        ("capture.intervl_s=5", "no setting 'capture.intervl_s'; did you mean capture.interval_s"),
        ("interval_s=5", "no setting 'interval_s'"),
        ("capture.interval_s=-1", "capture.interval_s"),
        ("capture.interval_s=fast", "capture.interval_s"),
        ("capture.monitors=left", "capture.monitors"),
        ('capture.excluded_title_patterns=["(unclosed"]', "is not a regular expression"),
        ("chat_model.base_url=http://localhost:11434/v1", "chat_model.model is empty"),
        ("mcp.http_port=70000", "mcp.http_port"),
        ("capture.interval_s", "write KEY=VALUE"),
    ],
)
def test_config_refuses_bad_keys_and_values_and_writes_nothing(
    home: Path, capsys: pytest.CaptureFixture[str], assignment: str, message: str
) -> None:
    _config(home).parent.mkdir(parents=True)
    _config(home).write_text("[search]\ndefault_k = 7\n")
    before = _config(home).read_bytes()
    code, out, err = _run(capsys, "config", "set", "capture.quality=60", assignment)
    assert code == 2 and out == ""
    assert message in err and err.startswith("mirix-desktop: error: ")
    assert len(err.strip().splitlines()) == 1
    assert _config(home).read_bytes() == before  # not even the valid quality=60


def test_config_checks_endpoints_like_the_settings_window(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = "http://localhost:11434/v1"
    code, _, _ = _run(
        capsys, "config", "set", f"chat_model.base_url={url}", "chat_model.model=llama3.2"
    )
    assert code == 0
    assert tomllib.loads(_config(home).read_text())["chat_model"] == {
        "base_url": url,
        "model": "llama3.2",
    }
    # Emptying the model of a configured endpoint is refused too.
    code, _, err = _run(capsys, "config", "set", "chat_model.model=")
    assert code == 2 and "chat_model.model is empty" in err


def test_config_list_and_get(
    home: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _run(capsys, "config", "set", "search.default_k=12")
    monkeypatch.setenv("MIRIX_CAPTURE__QUALITY", "55")
    code, out, _ = _run(capsys, "config", "list")
    lines = out.splitlines()
    assert code == 0 and "search.default_k = 12  (changed)" in lines
    assert "capture.quality = 55  (environment)" in lines
    assert "mcp.http_in_app = false" in lines
    assert len(lines) > 50
    changed = json.loads(_run(capsys, "config", "list", "--changed", "--json")[1])
    assert changed["search.default_k"] == 12 and changed["capture.quality"] == 55
    assert "capture.interval_s" not in changed
    code, _, err = _run(capsys, "config", "get", "search.k")
    assert code == 2 and "no setting 'search.k'" in err


# ---- models ------------------------------------------------------------------------


def test_models_presets(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "models", "presets")
    assert code == 0 and "http://localhost:11434/v1" in out and "needs an API key" in out


def test_models_test_says_what_is_served_and_what_failed(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fake = FakeOpenAI([REPLY_CALL], models=["llama3.2", "qwen2.5:0.5b"])
    try:
        _run(
            capsys, "config", "set", f"chat_model.base_url={fake.url}", "chat_model.model=llama3.2"
        )
        _run(
            capsys, "config", "set", f"memory_model.base_url={fake.url}", "memory_model.model=gpt-9"
        )
        code, out, _ = _run(capsys, "models", "test")
        assert code == 1
        chat, memory = out.split("memory: ")
        assert "served: llama3.2, qwen2.5:0.5b" in chat and "ok: Connected" in chat
        assert "failed: Model missing" in memory and "'gpt-9'" in memory
        assert [r["model"] for r in fake.requests] == ["llama3.2"]  # gpt-9 was never asked

        fake.script = [REPLY_CALL]
        code, out, _ = _run(capsys, "models", "test", "--role", "chat", "--json")
        [result] = json.loads(out)
        assert code == 0 and result["ok"] and result["served"] == ["llama3.2", "qwen2.5:0.5b"]

        fake.script = [{"content": "Sure, OK!"}]
        code, out, _ = _run(
            capsys, "models", "test", "--base-url", fake.url, "--model", "qwen2.5:0.5b"
        )
        assert code == 1 and "failed: No tool-call support" in out
    finally:
        fake.close()
    code, out, _ = _run(capsys, "models", "test", "--role", "chat")
    assert code == 1 and "failed: Connection refused" in out


def test_models_test_without_a_model_is_offline_mode(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "models", "test")
    assert code == 0
    assert out.count("none (offline mode)") == 2 and "ok: no model configured" in out


# ---- vault -------------------------------------------------------------------------


def test_vault_list_and_show_reveal_values_only_when_asked(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ctx = open_context()
    entry = ctx.store.add(
        "knowledge_vault",
        {"caption": "bank login password", "secret_value": "Tr0ub4dor&3", "sensitivity": "high"},
    )
    ctx.store.add(
        "knowledge_vault",
        {"caption": "Rosa's email", "secret_value": "rosa@example.org", "sensitivity": "medium"},
    )
    fact = ctx.store.add("semantic", {"summary": "The dentist is on Friday", "source": "user"})
    ctx.close()

    code, out, _ = _run(capsys, "vault", "list")
    assert code == 0 and "bank login password" in out and "Rosa's email" in out
    assert "Tr0ub4dor&3" not in out and "rosa@example.org" not in out
    assert "2 entries" in out
    listed = json.loads(_run(capsys, "vault", "list", "--json")[1])
    assert {e["id"] for e in listed} >= {entry.id} and all("value" not in e for e in listed)

    code, out, _ = _run(capsys, "vault", "show", entry.id)
    assert code == 0 and "bank login password" in out and "high" in out
    assert "Tr0ub4dor&3" not in out and "--reveal" in out
    code, out, _ = _run(capsys, "vault", "show", entry.id, "--reveal", "--json")
    assert code == 0 and json.loads(out)["value"] == "Tr0ub4dor&3"

    code, _, err = _run(capsys, "vault", "show", "kv_nope")
    assert code == 1 and "no vault entry with id 'kv_nope'" in err
    code, _, err = _run(capsys, "vault", "show", fact.id, "--reveal")
    assert code == 1 and "not a vault entry" in err


# ---- doctor and pause --------------------------------------------------------------


def test_doctor_says_whether_capture_is_paused_and_by_what(
    home: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MIRIX_MODELS__TEXT_EMBEDDER", "none")
    monkeypatch.setenv("MIRIX_MODELS__CLIP_PROVIDER", "none")
    code, out, _ = _run(capsys, "doctor")
    assert code == 0 and "capture  not paused" in out.splitlines()
    assert _run(capsys, "pause")[0] == 0
    out = _run(capsys, "doctor")[1]
    line = next(x for x in out.splitlines() if x.startswith("capture "))
    assert "paused by the command line (mirix-desktop pause) since 20" in line
    report = json.loads(_run(capsys, "doctor", "--json")[1])
    assert report["capture"]["paused"] is True
    assert report["capture"]["by"] == "the command line (mirix-desktop pause)"
    # A flag left by an older version (empty) still reads as paused.
    (home / "data" / "capture.paused").write_text("")
    assert "paused by unknown since" in _run(capsys, "doctor")[1]
    _run(capsys, "resume")
    assert "capture  not paused" in _run(capsys, "doctor")[1]


# ---- mcp command line ---------------------------------------------------------------


def test_mcp_limits_agree_with_the_store() -> None:
    from agents.store.schema import MAX_TEXT_CHARS
    from mirix_desktop.services import mcp_protocol

    assert mcp_protocol.MAX_TEXT_CHARS == MAX_TEXT_CHARS


def test_mcp_http_on_a_taken_port_is_one_line(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        code, out, err = _run(capsys, "mcp", "--http", "--port", str(port))
    assert code == 2 and out == ""
    assert f"cannot listen on 127.0.0.1:{port}" in err and "--port" in err
    assert len(err.strip().splitlines()) == 1
    code, _, err = _run(capsys, "mcp", "--port", "9000")
    assert code == 2 and "--port is for --http" in err


def test_models_key_is_stored_and_used(
    home: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import io

    fake = FakeOpenAI([REPLY_CALL], models=["llama3.2"], api_key="sk-right")
    try:
        _run(
            capsys, "config", "set", f"chat_model.base_url={fake.url}", "chat_model.model=llama3.2"
        )
        code, out, _ = _run(capsys, "models", "test", "--role", "chat")
        assert code == 1 and "failed: " in out  # no key yet: refused by the server
        monkeypatch.setattr("sys.stdin", io.StringIO("sk-right\n"))
        code, out, _ = _run(capsys, "models", "key", "chat")
        assert code == 0 and "chat-api-key stored" in out and "sk-right" not in out
        assert "sk-right" not in _config(home).read_text()
        fake.script = [REPLY_CALL]
        code, out, _ = _run(capsys, "models", "test", "--role", "chat")
        assert code == 0 and "ok: Connected" in out
        monkeypatch.setattr("sys.stdin", io.StringIO("\n"))
        code, _, err = _run(capsys, "models", "key", "chat")
        assert code == 2 and "nothing stored" in err
        assert _run(capsys, "models", "key", "chat", "--delete")[0] == 0
        assert open_context().secrets.get("chat-api-key") is None
    finally:
        fake.close()
