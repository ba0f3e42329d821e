"""The chat window: a streamed answer with citations; a click opens the screenshot."""

from __future__ import annotations

from tests.helpers import add_frame


def _widget(backend, tasks, qtbot):
    from mirix_desktop.ui.chat import ChatWidget

    widget = ChatWidget(backend, tasks)
    qtbot.addWidget(widget)
    return widget


def test_a_question_streams_an_answer_whose_citation_opens_the_screenshot(
    fake, monkeypatch, qtbot, tasks
) -> None:
    from mirix_desktop.services.backend import Backend
    from mirix_desktop.services.context import open_context
    from mirix_desktop.ui.viewers import FrameViewer

    monkeypatch.setenv("MIRIX_CHAT_MODEL__BASE_URL", fake.url)
    monkeypatch.setenv("MIRIX_CHAT_MODEL__MODEL", "chat")
    ctx = open_context()
    fid = add_frame(ctx, "Boarding pass\nFlight LX 318 to Lisbon", app="firefox", queue=False)
    fake.script = [
        {"tool_calls": [{"name": "update_topic", "arguments": {"topic": "flight Lisbon"}}]},
        {"content": f"Your flight was LX 318 [{fid}] to Lisbon.", "chunk_delay": 0.05},
    ]
    widget = _widget(Backend(ctx), tasks, qtbot)
    streamed: list[str] = []
    widget.token.connect(streamed.append)
    widget.input.setText("Which flight did I look at?")
    with qtbot.waitSignal(widget.answered, timeout=20_000) as answered:
        widget.ask_button.click()
        qtbot.waitUntil(lambda: widget.busy, timeout=5_000)
    answer = answered.args[0]
    assert len(streamed) > 3  # tokens arrived one by one
    # The id became a note into the tiles; the tile says what, when and the line.
    assert "Your flight was LX 318 [1] to Lisbon." in widget.transcript.toPlainText()
    assert fid not in widget.transcript.toPlainText()
    assert not widget.busy
    assert widget.citations.count() == 1
    item = widget.citations.item(0)
    assert item.text().startswith("[1] frame") and "Flight LX 318 to Lisbon" in item.text()
    assert not item.icon().isNull()  # a thumbnail of the screenshot
    with qtbot.waitSignal(widget.viewer_opened) as opened:
        widget.citations.itemClicked.emit(item)
    viewer = opened.args[0]
    assert isinstance(viewer, FrameViewer)
    qtbot.waitUntil(lambda: viewer.frame is not None, timeout=10_000)
    assert viewer.frame.id == fid and "Flight LX 318" in viewer.frame.ocr_text
    assert answer.conversation_id == widget.conversation_id
    qtbot.waitUntil(lambda: widget.conversations.count() == 1, timeout=10_000)
    viewer.close()
    ctx.close()


def test_offline_the_window_answers_by_retrieval(ctx, backend, tasks, qtbot) -> None:
    fid = add_frame(ctx, "Invoice 2291 total 310 EUR", app="evince", title="invoice.pdf")
    widget = _widget(backend, tasks, qtbot)
    widget.input.setText("invoice total")
    with qtbot.waitSignal(widget.answered, timeout=20_000) as answered:
        widget.ask_button.click()
    answer = answered.args[0]
    assert "310 EUR" in widget.transcript.toPlainText()
    assert fid in [c.id for c in answer.citations]


def test_the_answering_line_is_highlighted_beside_its_screenshot(
    ctx, backend, tasks, qtbot
) -> None:
    from mirix_desktop.ui.chat import highlight
    from mirix_desktop.ui.viewers import FrameViewer

    fid = add_frame(ctx, "Your flight is confirmed\nFlight LH 431 to Chicago\nSeat  23A  Economy")
    add_frame(ctx, "会议纪要 - 青鸟项目\n项目负责人：王芳\n预算：三十五万元", app="writer")
    widget = _widget(backend, tasks, qtbot)
    assert not widget.answer_box.isVisibleTo(widget)
    widget.input.setText("Which seat do I have on the flight?")
    with qtbot.waitSignal(widget.answered, timeout=20_000) as answered:
        widget.ask_button.click()
    answer = answered.args[0]
    assert answer.answer.startswith("23A")
    assert widget.answer_box.isVisibleTo(widget)
    shown = widget.answer_line.text()
    assert "Seat  <span" in shown and ">23A</span>" in shown and fid in shown
    assert not widget.answer_thumb.icon().isNull()  # the screenshot's thumbnail beside it
    with qtbot.waitSignal(widget.viewer_opened) as opened:
        widget.answer_thumb.click()
    viewer = opened.args[0]
    assert isinstance(viewer, FrameViewer)
    qtbot.waitUntil(lambda: viewer.frame is not None, timeout=10_000)
    assert viewer.frame.id == fid
    viewer.close()
    # Chinese, with full-width punctuation.
    widget.input.setText("青鸟项目的预算是多少？")
    with qtbot.waitSignal(widget.answered, timeout=20_000):
        widget.ask_button.click()
    assert ">三十五万元</span>" in widget.answer_line.text()
    assert "预算：" in widget.answer_line.text()
    # No direct answer: nothing is highlighted.
    widget.input.setText("What is the name of my cat?")
    with qtbot.waitSignal(widget.answered, timeout=20_000):
        widget.ask_button.click()
    assert not widget.answer_box.isVisibleTo(widget)
    last = widget.transcript.toPlainText().rsplit("Assistant: ", 1)[-1]
    assert last.startswith(("I found no direct answer", "I found nothing"))
    assert (
        highlight("a<b 5 €", (4, 5))
        == 'a&lt;b <span style="background-color:#ffe066; font-weight:bold">5</span> €'
    )


def test_stop_ends_a_streaming_answer(fake, monkeypatch, qtbot, tasks) -> None:
    from mirix_desktop.services.backend import Backend
    from mirix_desktop.services.context import open_context

    monkeypatch.setenv("MIRIX_CHAT_MODEL__BASE_URL", fake.url)
    monkeypatch.setenv("MIRIX_CHAT_MODEL__MODEL", "chat")
    ctx = open_context()
    words = " ".join(f"w{i}" for i in range(200))
    fake.script = [
        {"tool_calls": [{"name": "update_topic", "arguments": {"topic": "x"}}]},
        {"content": words, "chunk_delay": 0.05},
    ]
    widget = _widget(Backend(ctx), tasks, qtbot)
    widget.input.setText("talk")
    with qtbot.waitSignal(widget.answered, timeout=20_000) as answered:
        widget.ask_button.click()
        qtbot.waitUntil(lambda: "w3" in widget.transcript.toPlainText(), timeout=10_000)
        widget.stop_button.click()
    assert answered.args[0].stopped
    assert "w199" not in widget.transcript.toPlainText()
    ctx.close()


def test_an_earlier_conversation_opens_with_the_sources_of_its_last_answer(
    ctx, backend, tasks, qtbot
) -> None:
    fid = add_frame(ctx, "Invoice 2291 total 310 EUR", app="evince", title="invoice.pdf")
    widget = _widget(backend, tasks, qtbot)
    widget.input.setText("invoice total")
    with qtbot.waitSignal(widget.answered, timeout=20_000) as answered:
        widget.ask_button.click()
    cited = [c.id for c in answered.args[0].citations]
    assert fid in cited
    qtbot.waitUntil(lambda: widget.conversations.count() == 1, timeout=10_000)
    widget.new_conversation()
    assert widget.citations.count() == 0 and widget.transcript.toPlainText() == ""
    with qtbot.waitSignal(widget.conversation_opened, timeout=10_000):
        widget.conversations.itemClicked.emit(widget.conversations.item(0))
    assert "310 EUR" in widget.transcript.toPlainText()
    shown = [widget.citations.item(i) for i in range(widget.citations.count())]
    assert [i.toolTip() for i in shown] == cited
    frame_item = next(i for i in shown if i.toolTip() == fid)
    assert not frame_item.icon().isNull()  # its thumbnail again
