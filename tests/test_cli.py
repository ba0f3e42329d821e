"""The command line contract, including every bad input of the issue."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mirix_desktop.cli import main

TURNS = [
    {
        "id": "d1",
        "conversation_id": "c1",
        "speaker": "Ada",
        "text": "I start at Globex on Monday",
        "created_at": "2026-05-08T13:56:00+00:00",
    },
    {
        "id": "d2",
        "conversation_id": "c1",
        "speaker": "Bob",
        "text": "Congrats! Which team?",
        "created_at": "2026-05-08T13:57:00+00:00",
    },
    {
        "id": "d3",
        "conversation_id": "c1",
        "speaker": "Ada",
        "text": "Look at my new desk",
        "created_at": "2026-05-09T09:00:00Z",
        "image_caption": "a photo of a standing desk",
    },
]


def _jsonl(path: Path, rows: list[object], extra: list[str] = ()) -> Path:  # type: ignore[assignment]
    lines = [json.dumps(r) for r in rows] + list(extra)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _json_lines(text: str) -> list[dict]:  # type: ignore[type-arg]
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_ingest_search_and_reingest(tmp_path: Path, capsys) -> None:
    path = _jsonl(tmp_path / "chat.jsonl", TURNS)
    assert main(["ingest", "chat", str(path)]) == 0
    assert "added 3 chat turns" in capsys.readouterr().out
    assert main(["ingest", "chat", str(path)]) == 0
    assert "added 0 chat turns (3 already stored" in capsys.readouterr().out
    from mirix_desktop.services.context import open_context

    ctx = open_context()  # every turn waits, once, for absorption
    assert sorted(i.id for i in ctx.inbox.take(10, kinds=["chat"])) == ["d1", "d2", "d3"]
    ctx.close()
    assert main(["search", "Globex job", "--json", "-k", "2"]) == 0
    hits = _json_lines(capsys.readouterr().out)
    assert len(hits) == 2
    assert set(hits[0]) == {"id", "type", "score", "text", "source_ids", "time"}
    assert hits[0]["id"] == "d1" and hits[0]["source_ids"] == ["d1"]
    assert hits[0]["type"] == "chat"
    assert main(["search", "standing desk photo", "--json", "-k", "1"]) == 0
    assert _json_lines(capsys.readouterr().out)[0]["id"] == "d3"


def test_search_filters_on_the_command_line(tmp_path: Path, capsys) -> None:
    main(["ingest", "chat", str(_jsonl(tmp_path / "c.jsonl", TURNS))])
    capsys.readouterr()
    assert main(["search", "desk", "--since", "2026-05-09", "--json"]) == 0
    assert {h["id"] for h in _json_lines(capsys.readouterr().out)} == {"d3"}
    assert (
        main(["search", "Globex", "--until", "2026-05-08T23:00:00", "--type", "chat", "--json"])
        == 0
    )
    assert "d3" not in {h["id"] for h in _json_lines(capsys.readouterr().out)}
    assert main(["search", "Globex", "--type", "semantic", "--json"]) == 0
    assert capsys.readouterr().out == ""


def test_batch_search_answers_every_query_in_one_run(tmp_path: Path, capsys) -> None:
    main(["ingest", "chat", str(_jsonl(tmp_path / "c.jsonl", TURNS))])
    queries = _jsonl(
        tmp_path / "q.jsonl",
        [
            {"id": "q1", "query": "Globex", "k": 1},
            {"id": "q2", "query": "desk", "k": 2, "type": "chat", "since": "2026-05-09"},
        ],
        extra=[
            "{broken",
            json.dumps({"id": "q4", "query": "", "k": 1}),
            json.dumps({"id": "q5", "query": "desk", "k": 1, "since": "whenever"}),
        ],
    )
    capsys.readouterr()
    assert main(["search", "--batch", str(queries), "--json"]) == 2
    captured = capsys.readouterr()
    rows = _json_lines(captured.out)
    assert [(r["query_id"], r["id"]) for r in rows] == [("q1", "d1"), ("q2", "d3")]
    assert "q.jsonl:3: skipped" in captured.err
    assert "q.jsonl:4: skipped: the search query is empty" in captured.err
    assert "q.jsonl:5: skipped: not an ISO 8601" in captured.err


def test_remember_export_stats(capsys, tmp_path: Path) -> None:
    assert main(["remember", "My passport expires in March 2029"]) == 0
    mem_id = capsys.readouterr().out.split()[1]
    assert mem_id.startswith("sem_")
    assert main(["remember", "--type", "vault", "PIN 8841"]) == 0
    assert main(["remember", "--type", "procedural", "Reset the router\nunplug\nwait 10 s"]) == 0
    capsys.readouterr()
    out = tmp_path / "export.jsonl"
    assert main(["export", "--format", "jsonl", "-o", str(out)]) == 0
    records = _json_lines(out.read_text())
    assert {r["type"] for r in records} == {"semantic", "knowledge_vault", "procedural"}
    vault = [r for r in records if r["type"] == "knowledge_vault"][0]
    assert vault["data"]["secret_value"] is None
    proc = [r for r in records if r["type"] == "procedural"][0]
    assert proc["data"]["steps"] == ["unplug", "wait 10 s"]
    assert main(["stats"]) == 0
    stats = capsys.readouterr().out
    assert "semantic" in stats and "disk (data)" in stats


def test_doctor_json_reports_models_indexes_and_counts(capsys) -> None:
    main(["remember", "something"])
    capsys.readouterr()
    assert main(["doctor", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["counts"]["semantic"] == 1
    assert report["models"]["text"]["available"] is True
    assert "clip" in report["models"]
    assert report["paths"]["data_dir"].endswith("data")
    assert any(i["name"] == "fts_idx" for i in report["indexes"]["semantic"])
    assert report["packages"]["lancedb"] != "not installed"


def test_home_option_puts_everything_under_one_folder(tmp_path: Path, capsys) -> None:
    other = tmp_path / "elsewhere"
    assert main(["--home", str(other), "remember", "kept elsewhere"]) == 0
    assert (other / "data" / "memory.lance").is_dir()
    assert (other / "config").is_dir()
    capsys.readouterr()
    assert main(["search", "kept elsewhere", "--json"]) == 0
    assert capsys.readouterr().out == ""


# ---- bad input: one line, non-zero exit, no traceback -----------------------------------


def _one_line_error(capsys) -> str:
    err = capsys.readouterr().err
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    return lines[0]


def test_missing_file(capsys, tmp_path: Path) -> None:
    assert main(["ingest", "chat", str(tmp_path / "nope.jsonl")]) == 2
    assert "no such file" in _one_line_error(capsys)
    assert main(["search", "--batch", str(tmp_path / "nope.jsonl")]) == 2
    assert "no such file" in _one_line_error(capsys)


def test_malformed_lines_are_reported_and_the_rest_ingested(tmp_path: Path, capsys) -> None:
    path = _jsonl(
        tmp_path / "chat.jsonl",
        TURNS[:1],
        extra=[
            "{not json",
            json.dumps(
                {"id": "x", "speaker": "A", "text": "no conversation", "created_at": "2026-01-01"}
            ),
            json.dumps({**TURNS[1], "created_at": "last tuesday"}),
            json.dumps([1, 2]),
            json.dumps(TURNS[2]),
        ],
    )
    assert main(["ingest", "chat", str(path)]) == 2
    captured = capsys.readouterr()
    assert "added 2 chat turns" in captured.out
    assert "chat.jsonl:2: skipped: not JSON" in captured.err
    assert "chat.jsonl:3: skipped: conversation_id" in captured.err
    assert "chat.jsonl:4: skipped: created_at" in captured.err
    assert "chat.jsonl:5: skipped: not a JSON object" in captured.err
    assert "Traceback" not in captured.err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["remember", "x", "--type", "planet"], "unknown type 'planet'"),
        (["search", "x", "--type", "planet"], "unknown type 'planet'"),
        (["search", "x", "--since", "whenever"], "not an ISO 8601"),
        (["search", "x", "--until", "2026-13-45"], "not an ISO 8601"),
        (["search", "x", "--since", "2026-02-01", "--until", "2026-01-01"], "after --until"),
        (["search", ""], "query is empty"),
        (["search", "   "], "query is empty"),
        (["search"], "query is empty"),
        (["search", "x", "-k", "0"], "k must be"),
        (["remember", ""], "empty"),
        (["search", "x" * 1_048_576], "limit is"),
        (["remember", "y" * 1_048_576], "limit is"),
        (["ingest", "chat"], "error"),
        (["frobnicate"], "invalid choice"),
    ],
)
def test_bad_input_gets_one_line_and_non_zero_exit(argv, message, capsys) -> None:
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse usage errors exit directly, still one line
        code = exc.code
    assert code != 0
    assert message in _one_line_error(capsys)


def test_a_huge_chat_line_is_skipped_not_stored(tmp_path: Path, capsys) -> None:
    big = {**TURNS[0], "id": "big", "text": "z" * 1_048_576}
    path = _jsonl(tmp_path / "chat.jsonl", [big, TURNS[1]])
    assert main(["ingest", "chat", str(path)]) == 2
    captured = capsys.readouterr()
    assert "chat.jsonl:1: skipped: text" in captured.err
    assert "added 1 chat turns" in captured.out


def test_bad_settings_file_is_one_line(home: Path, capsys) -> None:
    (home / "config").mkdir(parents=True)
    (home / "config" / "config.toml").write_text("[search]\nrrf_k = 'many'\n")
    assert main(["stats"]) == 2
    assert "search.rrf_k" in _one_line_error(capsys)


def test_without_a_display_the_app_says_so_instead_of_crashing(monkeypatch, capsys) -> None:
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(name, raising=False)
    assert main([]) == 2  # no command: the app
    err = capsys.readouterr().err
    assert "no display" in err and "mirix-desktop --help" in err
