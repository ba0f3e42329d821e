"""The focused window's rectangle is stored with a frame; stores made before that column
existed are migrated add-only, their old rows reading as "not known"."""

from __future__ import annotations

from datetime import UTC, datetime

import lancedb
import pyarrow as pa

from agents.store import Frame
from agents.store import schema as S


def _frame(fid: str, box: tuple[int, int, int, int] | None) -> Frame:
    return Frame(
        id=fid,
        captured_at=datetime(2026, 11, 21, 9, 0, tzinfo=UTC),
        app="gedit",
        window_title="notes.txt - gedit",
        image_path=f"/nonexistent/{fid}.webp",
        width=1600,
        height=900,
        size_bytes=10,
        ocr_text="hello",
        focus_box=box,
    )


def test_an_old_frames_table_gains_the_column_and_keeps_its_rows(home) -> None:
    from mirix_desktop.config.paths import resolve_paths
    from mirix_desktop.services.context import open_context

    old_schema = pa.schema([f for f in S.FRAME_SCHEMA if f.name != "focus_box"])
    db = lancedb.connect(str(resolve_paths(home).store_dir))
    old = db.create_table(S.TABLE[S.RecordType.FRAME], schema=old_schema)
    row = {f.name: None for f in old_schema}
    row.update(
        id="frm_old",
        time=datetime(2026, 11, 20, tzinfo=UTC),
        captured_at=datetime(2026, 11, 20, tzinfo=UTC),
        app="firefox",
        monitor=1,
        window_title="Flights",
        image_path="/nonexistent/old.webp",
        width=10,
        height=10,
        size_bytes=1,
        ocr_text="old text",
        source_ids=["frm_old"],
    )
    old.add(pa.Table.from_pylist([row], schema=old_schema))

    ctx = open_context()
    ctx.store.add_frame(_frame("frm_new", (10, 20, 810, 620)))
    assert ctx.store.frame("frm_new").focus_box == (10, 20, 810, 620)
    assert ctx.store.frame("frm_old").focus_box is None
    assert ctx.store.frame("frm_old").ocr_text == "old text"
    ctx.close()
    assert (
        "focus_box"
        in lancedb.connect(str(resolve_paths(home).store_dir))
        .open_table(S.TABLE[S.RecordType.FRAME])
        .schema.names
    )


def test_a_frame_without_a_known_focus_reads_back_as_none(ctx) -> None:
    ctx.store.add_frame(_frame("frm_none", None))
    assert ctx.store.frame("frm_none").focus_box is None
