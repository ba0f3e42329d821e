"""The vocabulary of kinds and ids: every memory type is named, titled and recognised
where an answer cites it, from ids the store itself makes."""

from __future__ import annotations

from agents.ids import CITED_ID, SECTIONS, TITLES, data_from_text, is_frame_id, memory_type_of
from agents.store import MemoryType
from agents.store.schema import DATA_MODEL
from tests.helpers import add_frame


def test_every_type_has_a_title_a_section_and_fields_from_one_line() -> None:
    for mtype in MemoryType:
        assert TITLES[mtype]
        assert SECTIONS[mtype.value]
        DATA_MODEL[mtype].model_validate(data_from_text(mtype, "Renew the passport\nbook a slot"))
    assert list(SECTIONS)[-2:] == ["frame", "chat"]


def test_ids_the_store_makes_are_found_in_an_answer(ctx) -> None:
    made = {
        mtype: ctx.store.add(mtype, data_from_text(mtype, f"note for {mtype.value}")).id
        for mtype in MemoryType
        if mtype is not MemoryType.CORE
    }
    frame_id = add_frame(ctx, "Boarding pass seat 23A", queue=False)
    answer = " ".join(f"a claim [{i}]." for i in [*made.values(), frame_id]) + " See sem_ and core."
    assert CITED_ID.findall(answer) == [*made.values(), frame_id]
    assert is_frame_id(frame_id) and not any(is_frame_id(i) for i in made.values())
    assert {memory_type_of(i) for i in made.values()} == set(made)
    assert memory_type_of(frame_id) is None
