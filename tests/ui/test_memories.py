"""The memory browser: list and search, edit and undo, delete and undo, core blocks, the vault."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QDialogButtonBox

from agents.store import MemoryType
from mirix_desktop.ui.common import MASK
from mirix_desktop.ui.core_page import CorePage
from mirix_desktop.ui.editor import MemoryEditor
from mirix_desktop.ui.memories import TypePage
from mirix_desktop.ui.viewers import MemoryViewer


def _page(qtbot, backend, tasks, memory_type: MemoryType) -> TypePage:
    page = TypePage(backend, tasks, memory_type)
    qtbot.addWidget(page)
    with qtbot.waitSignal(page.loaded, timeout=10_000):
        page.refresh()
    return page


def _in_editor(qtbot, fill) -> None:
    """Fill the editor dialog that is about to open, then press Save."""

    def act() -> None:
        editor = QApplication.activeModalWidget()
        assert isinstance(editor, MemoryEditor)
        fill(editor)
        editor.buttons.button(QDialogButtonBox.StandardButton.Save).click()

    QTimer.singleShot(0, act)


def test_edit_a_memory_and_undo_it(qtbot, ctx, backend, tasks) -> None:
    memory = ctx.store.add(
        "semantic", {"name": "flight", "summary": "The flight to Lisbon is LX 318"}
    )
    page = _page(qtbot, backend, tasks, MemoryType.SEMANTIC)
    assert any("LX 318" in text for text in page.visible_texts())
    page.select(memory.id)

    _in_editor(qtbot, lambda e: e.set_value("summary", "The flight to Lisbon is TP 1350"))
    with qtbot.waitSignal(page.loaded, timeout=10_000):
        page.edit_selected()
    assert ctx.store.get(memory.id).data.summary == "The flight to Lisbon is TP 1350"
    assert any("TP 1350" in text for text in page.visible_texts())
    assert page.undo_bar.button.isEnabled()
    assert [h.op for h in ctx.store.history(memory.id)] == ["update", "insert"]

    with qtbot.waitSignal(page.loaded, timeout=10_000):
        page.undo_bar.button.click()
    assert ctx.store.get(memory.id).data.summary == "The flight to Lisbon is LX 318"
    assert any("LX 318" in text for text in page.visible_texts())
    history = ctx.store.history(memory.id)
    assert [(h.op, h.actor) for h in history][0] == ("update", "undo")
    assert history[0].new is not None and "LX 318" in history[0].new["text"]

    # The memory viewer shows the whole history, the undo first.
    viewer = MemoryViewer(backend, tasks, memory.id)
    qtbot.addWidget(viewer)
    qtbot.waitSignal(viewer.loaded, timeout=10_000).wait()
    rows = [viewer.history.topLevelItem(i) for i in range(viewer.history.topLevelItemCount())]
    assert [(r.text(1), r.text(2)) for r in rows] == [
        ("update", "undo"),
        ("update", "user"),
        ("insert", "user"),
    ]
    assert "TP 1350" in rows[0].text(3) and "LX 318" in rows[0].text(3)


def test_delete_and_undo_brings_the_memory_back_under_its_id(qtbot, ctx, backend, tasks) -> None:
    memory = ctx.store.add(
        "procedural",
        {"summary": "Renew the passport", "steps": ["book an appointment", "bring a photo"]},
        source_ids=["frm_abc"],
    )
    page = _page(qtbot, backend, tasks, MemoryType.PROCEDURAL)
    page.select(memory.id)
    with qtbot.waitSignal(page.loaded, timeout=10_000):
        page.delete_selected(confirm=False)
    assert page.memories == []
    assert page.undo_bar.label.text().startswith("Deleted “Renew the passport")
    with qtbot.waitSignal(page.loaded, timeout=10_000):
        page.undo()
    back = ctx.store.get(memory.id)
    assert back.data.model_dump() == memory.data.model_dump()
    assert back.source_ids == ["frm_abc"]
    assert [m.id for m in page.memories] == [memory.id]


def test_search_box_uses_hybrid_search_within_the_type(qtbot, ctx, backend, tasks) -> None:
    ctx.store.add("semantic", {"summary": "Anna's birthday is in May"})
    ctx.store.add("semantic", {"summary": "The dentist is on Rua Augusta"})
    ctx.store.add("episodic", {"summary": "Talked with Anna about the birthday"})
    page = _page(qtbot, backend, tasks, MemoryType.SEMANTIC)
    assert len(page.memories) == 2
    with qtbot.waitSignal(page.loaded, timeout=10_000):
        qtbot.keyClicks(page.search, "birthday")
    assert [m.data.summary for m in page.memories] == ["Anna's birthday is in May"]
    assert page.count.text() == "1 found"


def test_vault_value_stays_masked_until_revealed(qtbot, ctx, backend, tasks) -> None:
    secret = "DE89 3704 0044 0532 0130 00"
    memory = ctx.store.add(
        "knowledge_vault",
        {"entry_type": "account", "secret_value": secret, "caption": "Salary account IBAN"},
    )
    page = _page(qtbot, backend, tasks, MemoryType.KNOWLEDGE_VAULT)
    texts = page.visible_texts()
    assert "Salary account IBAN" in texts and MASK in texts
    assert not any(secret in t for t in texts)
    page.select(memory.id)
    page.reveal_button.click()
    assert secret in page.visible_texts()
    page.reveal_button.click()
    assert not any(secret in t for t in page.visible_texts())

    viewer = MemoryViewer(backend, tasks, memory.id)
    qtbot.addWidget(viewer)
    qtbot.waitSignal(viewer.loaded, timeout=10_000).wait()
    assert viewer.is_masked()
    assert secret not in viewer.header.text()
    viewer.reveal_button.click()
    assert viewer.field_text("secret_value") == secret


def test_editing_a_vault_value_and_undoing_restores_the_secret(qtbot, ctx, backend, tasks) -> None:
    memory = ctx.store.add(
        "knowledge_vault", {"secret_value": "hunter2", "caption": "Wi-Fi password"}
    )
    page = _page(qtbot, backend, tasks, MemoryType.KNOWLEDGE_VAULT)
    page.select(memory.id)
    with qtbot.waitSignal(page.loaded, timeout=10_000):
        page.apply_edit(memory.id, {"secret_value": "correct horse"})
    assert ctx.store.get(memory.id).data.secret_value == "correct horse"
    with qtbot.waitSignal(page.loaded, timeout=10_000):
        page.undo()
    assert ctx.store.get(memory.id).data.secret_value == "hunter2"


def test_editor_masks_the_vault_value_and_checks_fields(qtbot, ctx) -> None:
    memory = ctx.store.add("knowledge_vault", {"secret_value": "hunter2", "caption": "Wi-Fi"})
    editor = MemoryEditor(MemoryType.KNOWLEDGE_VAULT, memory)
    qtbot.addWidget(editor)
    secret_field = editor.widgets["secret_value"]
    assert secret_field.echoMode() == secret_field.EchoMode.Password
    editor.set_value("caption", "")
    editor.buttons.button(QDialogButtonBox.StandardButton.Save).click()
    assert editor.result() == 0  # refused: the caption is required
    assert "Caption" in editor.error.text()
    assert editor.changes() == {"caption": ""}


def test_core_block_counter_and_save(qtbot, ctx, backend, tasks, monkeypatch) -> None:
    page = CorePage(backend, tasks)
    qtbot.addWidget(page)
    with qtbot.waitSignal(page.loaded, timeout=10_000):
        page.refresh()
    block = page.blocks["human"]
    assert block.counter.text() == "0 / 2000"
    block.text.setPlainText("x" * 2001)
    assert block.counter.text() == "2001 / 2000"
    assert not block.save_button.isEnabled()
    block.text.setPlainText("Name: Ana. Lives in Lisbon.")
    assert block.save_button.isEnabled()
    with qtbot.waitSignal(page.loaded, timeout=10_000):
        block.save_button.click()
    stored = [m for m in ctx.store.list_memories("core") if m.data.label == "human"]
    assert [m.data.value for m in stored] == ["Name: Ana. Lives in Lisbon."]
    assert block.status.text() == "Saved."

    block.text.setPlainText("Name: Ana. Lives in Porto.")
    with qtbot.waitSignal(page.loaded, timeout=10_000):
        block.save_button.click()
    with qtbot.waitSignal(page.loaded, timeout=10_000):
        block.undo_button.click()
    assert ctx.store.get(stored[0].id).data.value == "Name: Ana. Lives in Lisbon."
    assert block.text.toPlainText() == "Name: Ana. Lives in Lisbon."


def test_existing_core_blocks_show_their_own_limit(qtbot, ctx, backend, tasks) -> None:
    ctx.store.add("core", {"label": "persona", "value": "A helpful memory.", "char_limit": 100})
    page = CorePage(backend, tasks)
    qtbot.addWidget(page)
    with qtbot.waitSignal(page.loaded, timeout=10_000):
        page.refresh()
    assert page.blocks["persona"].counter.text() == "17 / 100"
    assert page.blocks["persona"].text.toPlainText() == "A helpful memory."
