"""Each answer is stored with the ids it cited, so a conversation opened again shows
its sources from them (not from a pattern over the answer's words)."""

from __future__ import annotations

from agents.store import ChatTurn
from mirix_desktop.services.backend import Backend
from tests.helpers import T0, add_frame, add_turns


def test_an_answer_is_stored_with_the_ids_it_cited(ctx) -> None:
    fid = add_frame(ctx, "Boarding pass  Flight LX 318  Seat 14C  Gate B17")
    add_turns(ctx, "My seat on the Lisbon flight is 14C.")
    answer = ctx.assistant().ask("Which seat do I have on flight LX 318?")
    cited = [c.id for c in answer.citations]
    assert fid in cited

    [stored] = [
        t for t in ctx.store.conversation(answer.conversation_id) if t.speaker == "assistant"
    ]
    assert stored.cited_ids == cited
    shown = [c.id for c in Backend(ctx).cited_in(stored)]
    assert shown == cited


def test_an_answer_stored_before_ids_were_kept_is_read_by_its_words(ctx) -> None:
    fid = add_frame(ctx, "Invoice 4471 total 129.50 EUR")
    old = ChatTurn(
        id="a-old",
        conversation_id="c-old",
        speaker="assistant",
        text=f"The total was 129.50 EUR [{fid}].",
        created_at=T0,
    )
    ctx.store.add_chat_turns([old])
    [stored] = ctx.store.chat_turns(["a-old"])
    assert stored.cited_ids == []
    assert [c.id for c in Backend(ctx).cited_in(stored)] == [fid]
