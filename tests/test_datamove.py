"""Moving the data folder: everything arrives, frames find their images, the old files go,
and a move that cannot be done is refused before anything changes."""

from __future__ import annotations

from pathlib import Path

import pytest

from agents.errors import InvalidInput
from mirix_desktop.context import open_context
from mirix_desktop.datamove import move_data, plan_move
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
    settings = move_data(ctx.paths, plan, lambda done, total: seen.append((done, total)))
    assert settings.store.data_dir == target
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
