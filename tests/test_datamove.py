"""Moving the data folder: everything arrives, frames find their images, the old files go,
and a move that cannot be done is refused before anything changes."""

from __future__ import annotations

from pathlib import Path

import pytest

from agents.errors import InvalidInput
from mirix_desktop.services.context import open_context
from mirix_desktop.services.datamove import move_data, plan_move
from tests.helpers import add_frame


def test_a_moved_data_folder_has_everything_and_the_old_one_is_emptied(ctx, tmp_path) -> None:
    old = ctx.paths.data_dir
    fact = ctx.store.add("semantic", {"summary": "the spare key is under the blue pot"})
    fid = add_frame(ctx, "Boarding pass\nFlight LX 318 to Lisbon", app="firefox")
    (old / "app.lock").write_text("123")  # the running app's lock stays behind
    ctx.close()
    target = tmp_path / "elsewhere" / "mirix-data"
    plan = plan_move(old, target)
    assert plan.total_bytes > 0 and Path("inbox.sqlite") in plan.files
    seen: list[tuple[int, int]] = []
    result = move_data(ctx.paths, plan, lambda done, total: seen.append((done, total)))
    assert result.settings.store.data_dir == target and result.left_behind == ()
    assert seen[-1] == (plan.total_bytes, plan.total_bytes)
    assert sorted(p.name for p in old.rglob("*")) == ["app.lock"]

    moved = open_context()
    assert moved.paths.data_dir == target.resolve()
    assert moved.store.get(fact.id).data.summary == "the spare key is under the blue pot"
    [frame] = moved.store.frames([fid])
    assert frame.image_path.startswith(str(target)) and Path(frame.image_path).is_file()
    hits = moved.store.search("Lisbon", moved.search_options(types=("frame",)))
    assert [h.id for h in hits] == [fid]
    assert moved.inbox.counts()["pending"] == 1  # the queued frame came along
    moved.close()


def test_a_move_that_cannot_be_done_is_refused(ctx, tmp_path) -> None:
    ctx.store.add("semantic", {"summary": "x"})
    old = ctx.paths.data_dir
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "something.txt").write_text("mine")
    with pytest.raises(InvalidInput, match="not empty"):
        plan_move(old, busy)
    with pytest.raises(InvalidInput, match="inside"):
        plan_move(old, old / "sub")
    with pytest.raises(InvalidInput, match="already"):
        plan_move(old, old)
    with pytest.raises(InvalidInput, match="absolute"):
        plan_move(old, Path("relative/folder"))
    assert (busy / "something.txt").read_text() == "mine"


def test_a_move_that_fails_midway_leaves_the_old_folder_in_use_and_no_copy(ctx, tmp_path) -> None:
    from mirix_desktop.config.settings import load_settings

    ctx.store.add("semantic", {"summary": "the spare key is under the blue pot"})
    add_frame(ctx, "Boarding pass LX 318", app="firefox")
    ctx.close()
    old = ctx.paths.data_dir
    before = sorted(str(p.relative_to(old)) for p in old.rglob("*") if p.is_file())
    target = tmp_path / "new"

    def disk_full(done: int, total: int) -> None:
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError, match="No space"):
        move_data(ctx.paths, plan_move(old, target), disk_full)
    assert not target.exists()  # the partial copy is gone, so the move can be tried again
    assert sorted(str(p.relative_to(old)) for p in old.rglob("*") if p.is_file()) == before
    assert load_settings(ctx.paths).store.data_dir is None
    again = open_context()
    assert again.store.counts()["semantic"] == 1
    again.close()


def test_symbolic_links_and_an_environment_override_are_refused(ctx, tmp_path, monkeypatch):
    ctx.store.add("semantic", {"summary": "x"})
    old = ctx.paths.data_dir
    elsewhere = tmp_path / "big-disk"
    elsewhere.mkdir()
    (old / "frames").symlink_to(elsewhere, target_is_directory=True)
    with pytest.raises(InvalidInput, match="symbolic link"):
        plan_move(old, tmp_path / "new")
    (old / "frames").unlink()
    monkeypatch.setenv("MIRIX_STORE__DATA_DIR", str(old))
    with pytest.raises(InvalidInput, match="MIRIX_STORE__DATA_DIR"):
        plan_move(old, tmp_path / "new")


def test_a_closed_store_refuses_reads_and_writes_instead_of_hanging(ctx) -> None:
    from agents.errors import StoreError
    from agents.store import SearchOptions

    store = ctx.store
    store.add("semantic", {"summary": "the spare key is under the blue pot"})
    only_text = SearchOptions(k=3, weights={"fts": 1.0, "vector": 0.0})
    assert store.search("spare key", only_text)
    store.close()
    with pytest.raises(StoreError, match="closed"):
        store.search("spare key", only_text)
    with pytest.raises(StoreError, match="closed"):
        store.add("semantic", {"summary": "written after close"})


def _stored_image_paths(store) -> dict[str, str]:  # type: ignore[no-untyped-def]
    rows = store._table("frames").search().select(["id", "image_path"]).limit(None).to_list()
    return {row["id"]: row["image_path"] for row in rows}


def test_frames_name_their_images_relative_to_the_data_folder(ctx) -> None:
    """So that a moved folder needs no row rewritten; stores that named them in full are
    upgraded once, when opened."""
    import json

    fid = add_frame(ctx, "Boarding pass", app="firefox")
    stored = _stored_image_paths(ctx.store)[fid]
    assert not Path(stored).is_absolute() and stored.startswith("frames/")
    full = ctx.store.frame(fid).image_path
    assert Path(full).is_file() and Path(full).is_absolute()
    # A row as the store wrote it before: the full path.
    table = ctx.store._table("frames")
    table.update(where=f"id = '{fid}'", values={"image_path": full})
    marker = ctx.paths.store_dir / "_migrations.json"
    ctx.close()
    marker.write_text(
        json.dumps([m for m in json.loads(marker.read_text()) if m != "relative_frame_paths"])
    )
    again = open_context()
    try:
        assert _stored_image_paths(again.store)[fid] == stored
        assert again.store.frame(fid).image_path == full
    finally:
        again.close()
