"""The memory viewer: a memory with its sources; a click on a source screenshot opens it."""

from __future__ import annotations

from PySide6.QtCore import Qt

from mirix_desktop.ui.viewers import FrameViewer, MemoryViewer
from tests.helpers import add_frame, add_turns


def test_sources_are_listed_and_a_frame_opens(qtbot, ctx, backend, tasks) -> None:
    frame_id = add_frame(ctx, "Booking LX 318 to Lisbon", queue=False)
    [turn_id] = add_turns(ctx, "my flight is LX 318")
    memory = ctx.store.add(
        "episodic",
        {"summary": "Booked the flight to Lisbon", "details": "LX 318"},
        source_ids=[frame_id, turn_id, "frm_forgotten"],
        app="firefox",
    )
    viewer = MemoryViewer(backend, tasks, memory.id)
    qtbot.addWidget(viewer)
    qtbot.waitSignal(viewer.loaded, timeout=10_000).wait()
    texts = [viewer.sources.item(i).text() for i in range(viewer.sources.count())]
    assert "firefox" in texts[0] and "Flights" in texts[0]
    assert "user: my flight is LX 318" in texts[1]
    assert texts[2] == "frm_forgotten (no longer stored)"
    assert not viewer.sources.item(0).icon().isNull()  # a thumbnail
    assert viewer.field_text("summary") == "Booked the flight to Lisbon"

    item = viewer.sources.item(0)
    viewer.sources.itemClicked.emit(item)
    opened = viewer.findChildren(FrameViewer)
    assert len(opened) == 1
    qtbot.waitSignal(opened[0].loaded, timeout=10_000).wait()
    assert opened[0].frame is not None and opened[0].frame.id == frame_id
    assert item.data(Qt.ItemDataRole.UserRole)[0] == "frame"


def test_a_deleted_memory_shows_its_history_and_can_be_restored(qtbot, ctx, backend, tasks) -> None:
    memory = ctx.store.add("semantic", {"summary": "The gate code is 4711"})
    ctx.store.delete(memory.id)
    viewer = MemoryViewer(backend, tasks, memory.id)
    qtbot.addWidget(viewer)
    qtbot.waitSignal(viewer.loaded, timeout=10_000).wait()
    assert "deleted" in viewer.header.text()
    assert viewer.history.topLevelItem(0).text(1) == "delete"
    with qtbot.waitSignal(viewer.changed, timeout=10_000):
        viewer.restore_button.click()
    assert ctx.store.get(memory.id).data.summary == "The gate code is 4711"
