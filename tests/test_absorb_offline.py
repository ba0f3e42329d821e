"""Offline mode: what absorption makes of frames and chat turns without a language model."""

from __future__ import annotations

import json
from datetime import timedelta

import numpy as np

from agents.store import MemoryType
from agents.store.search import SearchOptions
from mirix_desktop.cli import main
from mirix_desktop.services.context import open_context
from tests.fake_openai import FakeOpenAI
from tests.helpers import T0, add_frame, add_turns


def of(ctx, mtype) -> list:
    return ctx.store.list_memories(mtype)


def test_consecutive_frames_of_one_window_become_one_event(ctx) -> None:
    a = add_frame(ctx, "Inbox\nFlight LX 318 confirmed", app="thunderbird", title="Inbox", at=T0)
    b = add_frame(
        ctx,
        "Inbox\nFlight LX 318 confirmed\nSeat 14C",
        app="thunderbird",
        title="Inbox",
        at=T0 + timedelta(seconds=20),
    )
    c = add_frame(ctx, "def main():", app="code", title="main.py", at=T0 + timedelta(minutes=1))
    report = ctx.absorb_job().absorb()
    assert report.mode == "offline" and report.items_done == 3
    events = {m.data.summary: m for m in of(ctx, MemoryType.EPISODIC)}
    assert set(events) == {"Used thunderbird: Inbox", "Used code: main.py"}
    inbox = events["Used thunderbird: Inbox"]
    assert inbox.source_ids == sorted([a, b])
    assert inbox.data.occurred_at == T0 and inbox.app == "thunderbird"
    details = inbox.data.details
    assert details.startswith("When: 2026-11-21 09:00:00 – 09:00:20 UTC, in thunderbird")
    assert "Flight LX 318 confirmed" in details and "Seat 14C" in details
    assert details.count("Flight LX 318 confirmed") == 1  # excerpts hold only new lines
    assert events["Used code: main.py"].source_ids == [c]


def test_a_later_batch_continues_the_same_event(ctx) -> None:
    first = add_frame(ctx, "Report draft", app="libreoffice", title="report.odt", at=T0)
    ctx.absorb_job().absorb()
    later = add_frame(
        ctx,
        "Report draft\nConclusion",
        app="libreoffice",
        title="report.odt",
        at=T0 + timedelta(minutes=2),
    )
    gap = add_frame(
        ctx, "Report final", app="libreoffice", title="report.odt", at=T0 + timedelta(hours=1)
    )
    ctx.absorb_job().absorb()
    events = sorted(of(ctx, MemoryType.EPISODIC), key=lambda m: m.time)
    assert len(events) == 2  # continued once, then a new event after the gap
    assert events[0].source_ids == sorted([first, later])
    assert "09:00:00 – 09:02:00" in events[0].data.details
    assert events[1].source_ids == [gap]


def test_pages_and_documents_become_resources(ctx) -> None:
    page = add_frame(
        ctx,
        "https://www.swiss.com/booking\nYour flight LX 318\nZurich to Lisbon",
        app="firefox",
        title="Booking LX 318 — Mozilla Firefox",
    )
    doc = add_frame(ctx, "Quarterly report\nRevenue grew 4%", app="evince", title="q3-report.pdf")
    add_frame(ctx, "$ make test", app="xterm", title="bash")
    ctx.absorb_job().absorb()
    resources = {m.data.title: m for m in of(ctx, MemoryType.RESOURCE)}
    assert set(resources) == {"Booking LX 318", "q3-report.pdf"}
    web = resources["Booking LX 318"]
    assert web.data.resource_type == "web page" and web.source_ids == [page]
    assert "https://www.swiss.com/booking" in web.data.summary
    assert "Zurich to Lisbon" in web.data.content
    assert resources["q3-report.pdf"].data.resource_type == "document"
    assert resources["q3-report.pdf"].source_ids == [doc]
    # The same page seen again updates the resource instead of adding one.
    again = add_frame(
        ctx,
        "Your flight LX 318\nSeat 14C",
        app="firefox",
        title="Booking LX 318 — Mozilla Firefox",
        at=T0 + timedelta(hours=2),
    )
    ctx.absorb_job().absorb()
    [web] = [m for m in of(ctx, MemoryType.RESOURCE) if m.data.title == "Booking LX 318"]
    assert set(web.source_ids) == {page, again} and "Seat 14C" in web.data.content


def test_sensitive_values_on_screen_and_in_chat_go_to_the_vault_encrypted(ctx) -> None:
    fid = add_frame(
        ctx,
        "Settings\nAPI key: sk-live-abcdefghijklmnopqrstuvwx\nContact: ana@example.org",
        app="firefox",
        title="Dashboard — Mozilla Firefox",
    )
    tid = add_turns(ctx, "My card is 4111 1111 1111 1111 and my phone is +351 912 345 678.")[0]
    ctx.absorb_job().absorb()
    vault = {m.data.secret_value: m for m in of(ctx, MemoryType.KNOWLEDGE_VAULT)}
    assert set(vault) == {
        "sk-live-abcdefghijklmnopqrstuvwx",
        "ana@example.org",
        "4111 1111 1111 1111",
        "+351 912 345 678",
    }
    key = vault["sk-live-abcdefghijklmnopqrstuvwx"]
    assert key.data.sensitivity == "high" and key.source_ids == [fid]
    assert "Dashboard" in key.data.caption and "sk-live" not in key.data.caption
    assert vault["ana@example.org"].data.sensitivity == "medium"
    assert vault["4111 1111 1111 1111"].source_ids == [tid]
    assert "said in chat" in vault["4111 1111 1111 1111"].data.caption
    raw = json.dumps(
        ctx.store._table("knowledge_vault").search().limit(None).to_list(), default=str
    )
    for secret in vault:
        assert secret not in raw
    # Seen again: the same vault entry cites both sightings.
    again = add_frame(ctx, "Contact: ana@example.org", app="thunderbird", title="Mail")
    ctx.absorb_job().absorb()
    [ana] = [
        m for m in of(ctx, MemoryType.KNOWLEDGE_VAULT) if m.data.secret_value.startswith("ana")
    ]
    assert set(ana.source_ids) == {fid, again}


def test_chat_statements_become_semantic_memories_and_core_facts(ctx) -> None:
    ids = add_turns(
        ctx,
        "Remember that the spare key is under the blue pot.",
        "My daughter's name is Ines. What's the weather?",
        "Ok thanks",
    )
    add_turns(ctx, "My brother is a chef.", speaker="Caroline", conversation="c2")
    add_turns(ctx, "Remember that you are an AI.", speaker="assistant", conversation="c3")
    ctx.absorb_job().absorb()
    semantic = {m.data.summary: m for m in of(ctx, MemoryType.SEMANTIC)}
    assert set(semantic) == {
        "the spare key is under the blue pot",
        "Caroline's brother is a chef",
    }
    assert semantic["the spare key is under the blue pot"].source_ids == [ids[0]]
    [human] = [m for m in of(ctx, MemoryType.CORE) if m.data.label == "human"]
    assert human.data.value == "the user's daughter's name: Ines"
    assert human.source_ids == [ids[1]]


def test_statements_as_people_make_them_offline(ctx) -> None:
    ids = add_turns(
        ctx,
        "记住：车停在B2层的D17号。",
        "别忘了周五交房租",
        "Don't forget that the plumber comes at 8.",
        "Lentil soup: 1. Rinse the lentils. 2. Fry an onion. 3. Add the lentils and water. "
        "4. Simmer for 25 minutes. 5. Blend and season.",
        "my appointment is Tuesday 24 November at 3:40 pm",
    )
    ctx.absorb_job().absorb()
    semantic = {m.data.summary: m.source_ids for m in of(ctx, MemoryType.SEMANTIC)}
    assert semantic == {
        "车停在B2层的D17号": [ids[0]],
        "周五交房租": [ids[1]],
        "the plumber comes at 8": [ids[2]],
    }
    [soup] = of(ctx, MemoryType.PROCEDURAL)
    assert soup.data.summary == "Lentil soup" and soup.source_ids == [ids[3]]
    assert soup.data.steps[0] == "Rinse the lentils." and len(soup.data.steps) == 5
    [human] = [m for m in of(ctx, MemoryType.CORE) if m.data.label == "human"]
    # A core fact names its subject.
    assert human.data.value == "the user's appointment: Tuesday 24 November at 3:40 pm"


def test_a_retried_offline_batch_writes_nothing_twice(ctx) -> None:
    add_frame(ctx, "Mail from ana@example.org", app="thunderbird", title="Inbox")
    add_turns(ctx, "Remember that the gym closes at 9.")
    ctx.absorb_job().absorb()
    before = {t: len(of(ctx, t)) for t in MemoryType}
    ctx.inbox._db.execute("UPDATE items SET state = 'pending'")  # as if never marked done
    ctx.absorb_job().absorb()
    assert {t: len(of(ctx, t)) for t in MemoryType} == before


def test_absorb_redo_runs_the_model_over_offline_work(monkeypatch, capsys) -> None:
    ctx = open_context()
    tid = add_turns(ctx, "Remember that the boiler service is due in March.")[0]
    assert main(["absorb"]) == 0
    assert "absorbed 1 items in 1 batches (offline)" in capsys.readouterr().out
    [offline_fact] = of(ctx, MemoryType.SEMANTIC)
    assert main(["absorb", "--redo"]) == 2  # no model yet: a clear error
    assert "needs a memory model" in capsys.readouterr().err
    fake = FakeOpenAI()
    try:
        monkeypatch.setenv("MIRIX_MEMORY_MODEL__BASE_URL", fake.url)
        monkeypatch.setenv("MIRIX_MEMORY_MODEL__MODEL", "m")
        fake.script = [
            {"tool_calls": [{"name": "choose_memory_types", "arguments": {"types": ["semantic"]}}]},
            {
                "tool_calls": [
                    {
                        "name": "update_memory",
                        "arguments": {
                            "id": offline_fact.id,
                            "changes": {"name": "Boiler", "summary": "Boiler service due in March"},
                        },
                    }
                ]
            },
            {"tool_calls": [{"name": "done", "arguments": {}}]},
        ]
        assert main(["absorb", "--redo"]) == 0
        out = capsys.readouterr().out
        assert "queued 1 items" in out and "(model)" in out
        # The model saw the offline memory with its id, and improved it instead of duplicating.
        assert offline_fact.id in json.dumps(fake.requests[1]["messages"])
        [fact] = of(open_context(), MemoryType.SEMANTIC)
        assert fact.data.name == "Boiler" and fact.source_ids == [tid]
    finally:
        fake.close()
    ctx.close()


def test_a_batch_is_due_when_full_or_when_its_oldest_item_waited_long_enough(monkeypatch) -> None:
    monkeypatch.setenv("MIRIX_ABSORB__BATCH_SIZE", "3")
    ctx = open_context()
    job = ctx.absorb_job()
    assert not job.due()  # nothing waits
    add_turns(ctx, "one", "two")
    assert not job.due()  # two young items
    add_turns(ctx, "three", conversation="c2")
    assert job.due()  # a full batch
    monkeypatch.setenv("MIRIX_ABSORB__BATCH_SIZE", "50")
    monkeypatch.setenv("MIRIX_ABSORB__MAX_WAIT_S", "0")
    assert open_context().absorb_job().due()  # small, but waited long enough
    ctx.close()


def test_an_offline_batch_says_which_types_it_wrote(ctx) -> None:
    """The offline absorber answers like the model's: one result naming the memory types
    it wrote (a vault value is not reported as an event)."""
    from agents.absorb.batch import load_items
    from agents.absorb.offline import OfflineAbsorber

    turns = add_turns(ctx, "write to me at anna.berg@example.org", "I live in Zurich")
    frame = add_frame(ctx, "Inbox\nFlight LX 318", app="thunderbird", title="Inbox", at=T0)
    items = load_items(ctx.store, [("chat", t) for t in turns] + [("frame", frame)])
    result = OfflineAbsorber(ctx.store).absorb(items)
    assert result.mode == "offline"
    written = {MemoryType.of_id(mid).value for _, mid in result.writes}
    assert set(result.chosen) == written
    assert {"knowledge_vault", "episodic"} <= written


def _stored_vectors(ctx, table: str) -> dict[str, np.ndarray]:
    rows = ctx.store._table(table).search().select(["id", "vector"]).limit(None).to_list()
    return {r["id"]: np.asarray(r["vector"]) for r in rows if r["vector"] is not None}


def test_screen_memories_take_their_frames_vectors_instead_of_embedding_again(
    ctx, monkeypatch
) -> None:
    """An episode or a resource holds nothing but its frames' text, which the store has
    embedded already: its vector is the mean of theirs, and search by meaning finds it."""
    a = add_frame(
        ctx,
        "Quarterly report\nRevenue grew 4% in the Lisbon office",
        app="evince",
        title="q3-report.pdf",
        at=T0,
    )
    b = add_frame(
        ctx,
        "Quarterly report\nTravel costs fell by a third",
        app="evince",
        title="q3-report.pdf",
        at=T0 + timedelta(seconds=20),
    )
    other = add_frame(
        ctx,
        "Garden plan\nTomatoes along the south fence, watered twice a week",
        app="evince",
        title="garden-plan.pdf",
        at=T0 + timedelta(hours=1),
    )
    embedder = ctx.store._vectors.text.get()
    embedded: list[str] = []
    real = embedder.embed
    monkeypatch.setattr(embedder, "embed", lambda texts: embedded.extend(texts) or real(texts))
    ctx.absorb_job().absorb()
    assert embedded == []  # the same lines are not embedded a second and third time
    episode, garden_episode = sorted(of(ctx, MemoryType.EPISODIC), key=lambda m: m.time)
    resource, garden = sorted(
        of(ctx, MemoryType.RESOURCE), key=lambda m: m.data.title != "q3-report.pdf"
    )
    assert episode.source_ids == sorted([a, b]) and resource.source_ids == [a, b]
    assert garden.source_ids == [other] and garden_episode.source_ids == [other]
    frames = _stored_vectors(ctx, "frames")
    mean = frames[a] + frames[b]
    mean /= np.linalg.norm(mean)
    assert np.allclose(_stored_vectors(ctx, "episodic")[episode.id], mean, atol=1e-5)
    assert np.allclose(_stored_vectors(ctx, "resource")[resource.id], mean, atol=1e-5)
    by_meaning = SearchOptions(k=5, types=["episodic", "resource"], weights={"fts": 0, "vector": 1})
    found = [h.id for h in ctx.store.search("how much did revenue grow in Lisbon", by_meaning)]
    assert set(found[:2]) == {episode.id, resource.id}, found
    found = [h.id for h in ctx.store.search("when do I water the tomatoes", by_meaning)]
    assert set(found[:2]) == {garden.id, garden_episode.id}, found
