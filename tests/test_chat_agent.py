"""The chat agent: active retrieval, streamed answers, citations, against the fake server."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from PIL import Image, ImageDraw

from agents.errors import AgentError
from agents.store import MemoryType
from mirix_desktop.cli import main
from mirix_desktop.services.context import open_context
from tests.helpers import add_frame, add_turns, local_zone


@pytest.fixture
def cctx(fake, monkeypatch):
    monkeypatch.setenv("MIRIX_CHAT_MODEL__BASE_URL", fake.url)
    monkeypatch.setenv("MIRIX_CHAT_MODEL__MODEL", "chat-model")
    monkeypatch.setenv("MIRIX_CHAT_MODEL__MAX_RETRIES", "0")
    ctx = open_context()
    yield ctx
    ctx.close()


def topic(text: str) -> dict:
    return {"tool_calls": [{"name": "update_topic", "arguments": {"topic": text}}]}


def system_prompt(request: dict) -> str:
    return request["messages"][0]["content"]


def test_topic_first_then_retrieval_in_the_prompt_then_a_cited_streamed_answer(fake, cctx) -> None:
    fid = add_frame(cctx, "Boarding pass\nFlight LX 318 Zurich to Lisbon\nGate B12")
    fact = cctx.store.add(
        MemoryType.SEMANTIC, {"name": "Lisbon trip", "summary": "Trip to Lisbon in December"}
    )
    fake.script = [
        topic("flight number Lisbon boarding pass"),
        {"content": f"Your flight was LX 318 [{fid}], for the Lisbon trip [{fact.id}]."},
    ]
    tokens: list[str] = []
    answer = cctx.assistant().ask(
        "What was the flight number on the page I saw this morning?", on_token=tokens.append
    )
    first, second = fake.requests
    assert first["tool_choice"]["function"]["name"] == "update_topic" and not first.get("stream")
    assert second["stream"] is True
    prompt = system_prompt(second)
    assert "Topic: flight number Lisbon boarding pass" in prompt
    assert fid in prompt and fact.id in prompt and "Gate B12" in prompt
    assert len(tokens) > 3 and "".join(tokens) == answer.answer
    assert answer.topic == "flight number Lisbon boarding pass"
    assert [(c.id, c.type) for c in answer.citations] == [(fid, "frame"), (fact.id, "semantic")]
    assert answer.citations[0].source_ids == [fid]
    assert answer.to_json()["citations"][0] == {
        "id": fid,
        "type": "frame",
        "source_ids": [fid],
        "time": answer.citations[0].time.isoformat(),
        "snippet": "Flight LX 318 Zurich to Lisbon",
    }
    # People read numbered notes, not raw ids; the ids stay in the list of sources.
    assert answer.to_json()["answer"] == "Your flight was LX 318 [1], for the Lisbon trip [2]."


def test_every_turn_is_saved_and_queued(fake, cctx) -> None:
    fake.script = [topic("hello"), {"content": "Hi! Nothing stored yet."}]
    answer = cctx.assistant().ask("hello?")
    turns = cctx.store.conversation(answer.conversation_id)
    assert [(t.speaker, t.text) for t in turns] == [
        ("user", "hello?"),
        ("assistant", "Hi! Nothing stored yet."),
    ]
    assert cctx.inbox.waiting(("chat",))[0] == 2
    # The next question in the conversation carries the history.
    fake.script = [topic("greeting"), {"content": "You said hello."}]
    cctx.assistant().ask("what did I just say?", conversation_id=answer.conversation_id)
    roles = [m["role"] for m in fake.requests[-1]["messages"]]
    assert roles == ["system", "user", "assistant", "user"]


def test_the_vault_offers_only_low_and_medium_values(fake, cctx) -> None:
    low = cctx.store.add(
        MemoryType.KNOWLEDGE_VAULT,
        {
            "secret_value": "dr.smile@example.com",
            "caption": "dentist email",
            "sensitivity": "medium",
        },
    )
    high = cctx.store.add(
        MemoryType.KNOWLEDGE_VAULT,
        {"secret_value": "hunter2", "caption": "dentist portal password", "sensitivity": "high"},
    )
    fake.script = [
        topic("dentist"),
        {"tool_calls": [{"name": "search_memories", "arguments": {"query": "dentist portal"}}]},
        {"content": f"It is dr.smile@example.com [{low.id}]."},
    ]
    cctx.assistant().ask("What's my dentist's email?")
    prompt = system_prompt(fake.requests[1])
    assert low.id in prompt and "dr.smile@example.com" in prompt
    assert high.id not in prompt and "hunter2" not in prompt
    # nor through the model's own search
    found = fake.requests[2]["messages"][-1]
    assert found["role"] == "tool" and low.id in found["content"]
    assert high.id not in found["content"] and "portal password" not in found["content"]


def test_the_model_may_search_further_before_answering(fake, cctx) -> None:
    note = cctx.store.add(
        MemoryType.PROCEDURAL, {"summary": "Renew passport", "steps": ["Book slot", "Bring photo"]}
    )
    fake.script = [
        topic("travel documents"),
        {"tool_calls": [{"name": "search_memories", "arguments": {"query": "passport"}}]},
        {"content": f"Book a slot, then bring a photo [{note.id}]."},
    ]
    answer = cctx.assistant().ask("How do I get my travel papers sorted?")
    last = fake.requests[-1]["messages"]
    assert last[-1]["role"] == "tool" and note.id in last[-1]["content"]
    assert [c.id for c in answer.citations] == [note.id]


def test_an_unusable_tool_call_goes_back_to_the_model_once_and_is_never_shown(fake, cctx) -> None:
    note = cctx.store.add(
        MemoryType.PROCEDURAL, {"summary": "Renew passport", "steps": ["Book slot", "Bring photo"]}
    )
    printed = json.dumps({"name": "search_memories", "arguments": {"query": "passport", "k": 99}})
    fake.script = [
        topic("travel documents"),
        {"content": f"<tool_call>{printed}</tool_call>"},  # printed as text, k out of range
        {"tool_calls": [{"name": "search_memories", "arguments": {"query": "passport"}}]},
        {"content": f"Book a slot, then bring a photo [{note.id}]."},
    ]
    tokens: list[str] = []
    answer = cctx.assistant().ask("How do I get my travel papers sorted?", on_token=tokens.append)
    correction = fake.requests[2]["messages"][-1]
    assert correction["role"] == "tool" and correction["content"].startswith("error: ")
    assert "k" in correction["content"] and note.id not in correction["content"]
    assert note.id in fake.requests[3]["messages"][-1]["content"]
    # The streamed text is the answer: the call the model printed never reached the user.
    assert "".join(tokens) == answer.answer == f"Book a slot, then bring a photo [{note.id}]."
    assert [c.id for c in answer.citations] == [note.id]


def test_an_answer_with_braces_and_code_that_is_no_call_streams_whole(fake, cctx) -> None:
    text = 'Put ```json {"theme": "dark"}``` in settings.json, or call search_memories(now).'
    fake.script = [topic("settings theme"), {"content": text}]
    tokens: list[str] = []
    answer = cctx.assistant().ask("How did I set the dark theme?", on_token=tokens.append)
    assert answer.answer == text and "".join(tokens) == text
    assert tokens[0] == "Put " and len(tokens) == 2  # held back from where a call may begin


def test_a_tool_call_still_unusable_after_its_correction_ends_the_answer(fake, cctx) -> None:
    bad = {"tool_calls": [{"name": "search_memories", "arguments": {"query": ""}}]}
    fake.script = [topic("passport"), bad, bad, {"content": "An answer after all."}]
    tokens: list[str] = []
    with pytest.raises(AgentError, match="still failing after a correction"):
        cctx.assistant().ask("How do I renew my passport?", on_token=tokens.append)
    assert len(fake.requests) == 3 and tokens == []


def test_screenshot_questions_send_frames_to_a_vision_model(fake, monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("MIRIX_CHAT_MODEL__BASE_URL", fake.url)
    monkeypatch.setenv("MIRIX_CHAT_MODEL__MODEL", "vision")
    monkeypatch.setenv("MIRIX_CHAT_MODEL__VISION", "true")
    ctx = open_context()
    fid = add_frame(ctx, "Invoice 2291 total 310 EUR", app="evince", title="invoice.pdf")
    screen = tmp_path / "now.png"
    Image.new("RGB", (200, 100), "white").save(screen)
    fake.script = [topic("invoice total"), {"content": f"310 EUR [{fid}]"}]
    ctx.assistant().ask("What total was on the invoice I saw?", image_path=screen)
    content = fake.requests[1]["messages"][-1]["content"]
    texts = [p.get("text", "") for p in content]
    assert sum(p["type"] == "image_url" for p in content) == 2  # the screen now and the frame
    assert "My screen now:" in texts and any(fid in t for t in texts)
    ctx.close()


def test_stop_ends_a_streamed_answer(fake, cctx) -> None:
    fake.script = [topic("story"), {"content": "one two three four five six", "chunk_delay": 0.05}]
    seen: list[str] = []
    answer = cctx.assistant().ask(
        "tell me", on_token=seen.append, should_stop=lambda: len(seen) >= 2
    )
    assert answer.stopped and answer.answer == "one two "


def test_no_usable_topic_falls_back_to_keywords(fake, cctx) -> None:
    fake.script = [{"content": "I think the topic is food"}, {"content": "Nothing found."}]
    answer = cctx.assistant().ask("Where did I eat sushi last week?")
    assert answer.topic == "eat sushi last week"


def test_offline_answers_quote_the_best_memories_and_frames_with_times(capsys) -> None:
    ctx = open_context()
    fid = add_frame(ctx, "Booking confirmed\nFlight LX 318 departs 07:05", app="firefox")
    add_turns(ctx, "Remember that the hotel in Lisbon is Casa Amora.")
    ctx.absorb_job().absorb()
    assert main(["ask", "which flight did I book", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) == {"answer", "topic", "citations", "reading"}
    assert out["topic"] == "flight book"
    assert out["answer"].startswith("LX 318 — “Flight LX 318 departs 07:05”")
    assert "2026-11-21 09:00" in out["answer"]
    assert out["reading"]["value"] == "LX 318" and out["reading"]["source"] == fid
    cited = {c["id"]: c for c in out["citations"]}
    assert fid in cited and cited[fid]["type"] == "frame"
    episode = [c for c in out["citations"] if c["type"] == "episodic"]
    assert episode and episode[0]["source_ids"] == [fid]
    assert main(["ask", "hotel Lisbon"]) == 0
    text = capsys.readouterr().out
    assert "Casa Amora" in text and "sources:" in text
    ctx.close()


def test_ask_rejects_bad_input(capsys) -> None:
    assert main(["ask", "   "]) == 2
    assert "the question is empty" in capsys.readouterr().err
    assert main(["ask", "x" * 5000]) == 2
    assert main(["ask", "what is this", "--image", "/nonexistent.png"]) == 2
    assert "no such file" in capsys.readouterr().err


def test_asking_about_the_current_screen_without_vision_reads_its_text(
    fake, cctx, tmp_path
) -> None:
    screen = tmp_path / "screen.png"
    image = Image.new("RGB", (900, 200), "white")
    ImageDraw.Draw(image).text((40, 60), "Order number 55821", fill=(20, 20, 20), font_size=40)
    image.save(screen)
    fake.script = [topic("order number"), {"content": "It is 55821."}]
    cctx.assistant().ask("What is the order number on my screen?", image_path=screen)
    question = fake.requests[1]["messages"][-1]["content"]
    assert isinstance(question, str) and "55821" in question


def test_core_blocks_are_always_in_the_prompt_and_fresh_after_a_write(ctx) -> None:
    block = ctx.store.add(MemoryType.CORE, {"label": "human", "value": "Name: Sam"})
    agent = ctx.assistant().agent
    assert "Name: Sam" in agent.ask("anything at all?").messages[0]["content"]
    ctx.store.update(block.id, {"value": "Name: Sam. Nurse in Leeds."})
    prompt = agent.ask("anything at all?").messages[0]["content"]
    assert "Nurse in Leeds" in prompt and f"[{block.id}]" in prompt


def test_an_earlier_question_never_outranks_what_answers_it(capsys) -> None:
    ctx = open_context()
    fid = add_frame(ctx, "Your flight is confirmed\nFlight LH 431 to Chicago\nSeat  23A  Economy")
    for _ in range(3):  # asked before, in other conversations, with the same words
        ctx.assistant().ask("Which seat do I have on the flight?")
    add_turns(ctx, "My locker code at the gym is 4417.")
    answer = ctx.assistant().ask("Which seat do I have on the flight?")
    assert answer.answer.startswith("23A — ")
    assert answer.citations[0].id == fid
    hits = answer.retrieved.hits()
    asked = [i for i, h in enumerate(hits) if h.type == "chat" and "Which seat" in h.text]
    assert asked and min(asked) > max(i for i, h in enumerate(hits) if h.id == fid)
    assert all(not (h.type == "chat" and h.text.startswith("assistant: ")) for h in hits)
    # What the user stated still counts.
    answer = ctx.assistant().ask("What is my locker code at the gym?")
    assert answer.answer.startswith("4417 — ") and answer.citations[0].type == "chat"
    ctx.close()


def test_the_reader_hint_goes_into_the_model_prompt(fake, cctx) -> None:
    fid = add_frame(cctx, "Household budget 2026\nRent  1,450.00  17,400.00\nInternet  39.99")
    fake.script = [topic("monthly rent budget"), {"content": f"Your rent is 1,450.00 [{fid}]."}]
    answer = cctx.assistant().ask("How much is my monthly rent?")
    prompt = system_prompt(fake.requests[1])
    assert "## Likely answer" in prompt and f"1,450.00 — from [{fid}]" in prompt
    assert answer.reading is not None and answer.reading.best is not None
    assert answer.reading.best.value == "1,450.00"


def test_a_question_asked_as_of_a_time_tells_the_model_that_time(fake, cctx) -> None:
    add_turns(cctx, "The dentist moved my check-up to the Friday after next.")
    fake.script = [topic("dentist check-up"), {"content": "On Friday the 20th."}]
    cctx.assistant(as_of=datetime(2025, 6, 10, 9, 30, tzinfo=UTC)).ask("When is my check-up?")
    assert "Current time: 2025-06-10 09:30 UTC." in system_prompt(fake.requests[-1])


def test_the_model_may_list_a_time_range_it_names_in_words(fake, cctx) -> None:
    with local_zone("UTC"):
        said = {"event_type": "call", "summary": "Called the landlord about the boiler"}
        yesterday = cctx.store.add(
            MemoryType.EPISODIC, {**said, "occurred_at": "2025-06-09T15:00:00+00:00"}
        )
        earlier = cctx.store.add(
            MemoryType.EPISODIC,
            {**said, "summary": "Paid the rent", "occurred_at": "2025-06-01T10:00:00+00:00"},
        )
        listed = {"since": "yesterday", "until": "yesterday", "types": ["episodic"]}
        fake.script = [
            topic("calls yesterday"),
            {"tool_calls": [{"name": "list_time_range", "arguments": listed}]},
            {"content": f"You called the landlord [{yesterday.id}]."},
        ]
        asked_at = datetime(2025, 6, 10, 9, 30, tzinfo=UTC)
        cctx.assistant(as_of=asked_at).ask("Whom did I call yesterday?")
    found = fake.requests[2]["messages"][-1]
    assert found["role"] == "tool" and yesterday.id in found["content"]
    assert earlier.id not in found["content"]
