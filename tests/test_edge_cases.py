"""Small cases: a time that leaves the supported years only in UTC, and the first-run
consent file's permissions whatever the umask."""

from __future__ import annotations

import json
import os
import stat

import pytest

from agents.store.timeutil import parse_time
from mirix_desktop.cli import main


@pytest.mark.parametrize("when", ["1900-01-01T00:00:00+05:00", "2999-12-31T23:00:00-05:00"])
def test_a_time_out_of_range_only_in_utc_is_refused(capsys, tmp_path, when) -> None:
    assert main(["search", "plumber", "--since", when]) == 2
    assert "out of range" in capsys.readouterr().err
    chat = tmp_path / "chat.jsonl"
    turn = {"id": "t1", "conversation_id": "c", "speaker": "user", "text": "hi"}
    chat.write_text(json.dumps({**turn, "created_at": when}) + "\n")
    assert main(["ingest", "chat", str(chat)]) == 2
    assert "out of range" in capsys.readouterr().err
    assert parse_time("1900-01-01T05:00:00+05:00").year == 1900  # the first moment allowed


def test_the_consent_file_is_private_whatever_the_umask(home) -> None:
    from mirix_desktop.config.consent import consent_path, has_consent, record_consent
    from mirix_desktop.config.paths import resolve_paths

    paths = resolve_paths()
    before = os.umask(0o022)
    try:
        record_consent(paths)
    finally:
        os.umask(before)
    assert has_consent(paths)
    assert stat.S_IMODE(consent_path(paths).stat().st_mode) == 0o600
    assert stat.S_IMODE(paths.data_dir.stat().st_mode) == 0o700
    assert not [p for p in paths.data_dir.iterdir() if p.name.endswith(".tmp")]
