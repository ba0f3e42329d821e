"""``when``, ``--as-of`` on search and ask, and ``--since``/``--until`` that take what
``when`` reads."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from mirix_desktop.cli import main
from tests.helpers import local_zone as zone


@pytest.fixture(autouse=True)
def utc_clock() -> Iterator[None]:
    with zone("UTC"):
        yield


def _turns(path: Path, rows: list[tuple[str, str, datetime]]) -> Path:
    lines = [
        json.dumps(
            {
                "id": tid,
                "conversation_id": f"c-{tid}",
                "speaker": "Ada",
                "text": text,
                "created_at": when.isoformat(),
            }
        )
        for tid, text, when in rows
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# Two lunches, alike in words, five weeks apart.
LUNCHES = [
    ("may", "Lunch at the noodle bar with the design team", datetime(2026, 5, 8, 12, tzinfo=UTC)),
    ("april", "Lunch at the noodle bar with the sales team", datetime(2026, 4, 1, 12, tzinfo=UTC)),
]


def test_when_prints_the_interval_or_null(capsys) -> None:
    os.environ["TZ"] = "<-02>2"
    time.tzset()
    assert main(["when", "上周日我看了哪部电影？", "--as-of", "2013-02-12T04:30:00-02:00"]) == 0
    assert json.loads(capsys.readouterr().out) == {
        "start": "2013-02-10T00:00:00-02:00",
        "end": "2013-02-11T00:00:00-02:00",
    }
    assert main(["when", "the day before yesterday 8am", "--as-of", "2013-02-12T04:30"]) == 0
    assert json.loads(capsys.readouterr().out) == {
        "start": "2013-02-10T08:00:00-02:00",
        "end": "2013-02-10T09:00:00-02:00",
    }
    assert main(["when", "What does Ann collect?"]) == 0
    assert capsys.readouterr().out.strip() == "null"
    assert main(["when", "yesterday"]) == 0  # default: now
    found = json.loads(capsys.readouterr().out)
    today = datetime.now().astimezone().replace(hour=0, minute=0, second=0, microsecond=0)
    assert datetime.fromisoformat(found["end"]) == today


def test_when_refuses_a_bad_reference_time(capsys) -> None:
    assert main(["when", "yesterday", "--as-of", "last tuesday"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--as-of is not an ISO 8601" in err


def test_search_reads_yesterday_as_of_the_reference_time(tmp_path: Path, capsys) -> None:
    assert main(["ingest", "chat", str(_turns(tmp_path / "c.jsonl", LUNCHES))]) == 0
    capsys.readouterr()
    question = "who was at lunch at the noodle bar yesterday"

    def first(as_of: str) -> str:
        assert main(["search", question, "--json", "-k", "2", "--as-of", as_of]) == 0
        return str(json.loads(capsys.readouterr().out.splitlines()[0])["id"])

    assert first("2026-05-09T09:00:00+00:00") == "may"
    assert first("2026-04-02T09:00:00+00:00") == "april"


def test_batch_search_takes_as_of_per_line(tmp_path: Path, capsys) -> None:
    main(["ingest", "chat", str(_turns(tmp_path / "c.jsonl", LUNCHES))])
    queries = tmp_path / "q.jsonl"
    lines = [
        {"id": "q1", "query": "noodle bar lunch yesterday", "k": 1, "as_of": "2026-05-09T09:00"},
        {"id": "q2", "query": "noodle bar lunch yesterday", "k": 1, "as_of": "2026-04-02T09:00"},
        {"id": "q3", "query": "noodle bar", "k": 1, "since": "上个月", "as_of": "2026-05-09"},
        {"id": "q4", "query": "noodle bar", "k": 1, "as_of": "soon"},
    ]
    queries.write_text("\n".join(json.dumps(x) for x in lines) + "\n", encoding="utf-8")
    capsys.readouterr()
    assert main(["search", "--batch", str(queries), "--json"]) == 2  # q4 is refused
    captured = capsys.readouterr()
    rows = [json.loads(line) for line in captured.out.splitlines()]
    assert [(r["query_id"], r["id"]) for r in rows] == [
        ("q1", "may"),
        ("q2", "april"),
        ("q3", "may"),  # since the start of April
    ]
    assert "q.jsonl:4: skipped: --as-of is not an ISO 8601" in captured.err


def test_since_and_until_take_what_when_reads(tmp_path: Path, capsys) -> None:
    now = datetime.now(UTC)
    rows = [
        ("recent", "Lunch at the noodle bar, recent", now - timedelta(days=1)),
        ("old", "Lunch at the noodle bar, old", now - timedelta(days=20)),
    ]
    main(["ingest", "chat", str(_turns(tmp_path / "c.jsonl", rows))])
    capsys.readouterr()
    assert main(["search", "noodle bar", "--since", "yesterday", "--json"]) == 0
    assert [h["id"] for h in map(json.loads, capsys.readouterr().out.splitlines())] == ["recent"]
    assert main(["search", "noodle bar", "--until", "两周前", "--json"]) == 0
    assert [h["id"] for h in map(json.loads, capsys.readouterr().out.splitlines())] == ["old"]
    assert main(["search", "noodle bar", "--since", "whenever"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "not an ISO 8601 date or time" in err


def test_ask_reads_yesterday_as_of_the_reference_time(tmp_path: Path, capsys) -> None:
    main(["ingest", "chat", str(_turns(tmp_path / "c.jsonl", LUNCHES))])
    capsys.readouterr()
    question = "Who was at lunch at the noodle bar yesterday?"

    def cited(as_of: str) -> str:
        assert main(["ask", question, "--json", "--as-of", as_of]) == 0
        answer = json.loads(capsys.readouterr().out)
        return str(answer["citations"][0]["id"])

    assert cited("2026-05-09T09:00:00+00:00") == "may"
    assert cited("2026-04-02T09:00:00+00:00") == "april"
