"""The vocabulary of kinds and ids: every memory type is named, titled and recognised
where an answer cites it, from ids the store itself makes."""

from __future__ import annotations

import pytest
from pydantic import BaseModel

from agents.errors import InvalidInput
from agents.ids import CITED_ID, SECTIONS, TITLES, data_from_text, is_frame_id
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
    assert {MemoryType.of_id(i) for i in made.values()} == set(made)
    assert MemoryType.of_id(frame_id) is None


def test_one_vocabulary_parses_names_and_aliases_and_builds_tool_schemas() -> None:
    from agents.memory_types import MemoryTypeName, SearchTypeName, parse_type
    from agents.store.memories import _type_of_stored_id

    for mtype in MemoryType:
        for spelled in (mtype.value, mtype.value.upper(), mtype.value.replace("_", " ")):
            assert MemoryType.parse(spelled) is mtype
        assert MemoryType.of_id(f"{mtype.prefix}_abc") is mtype
        assert _type_of_stored_id(f"{mtype.prefix}_abc") is mtype
    assert MemoryType.parse("Vault") is MemoryType.KNOWLEDGE_VAULT
    assert MemoryType.parse(MemoryType.CORE) is MemoryType.CORE
    assert len({t.prefix for t in MemoryType}) == len(MemoryType)
    assert parse_type("frames").value == "frame" and parse_type("chat-turn").value == "chat"
    with pytest.raises(InvalidInput, match="record type"):
        MemoryType.parse("chat")
    with pytest.raises(InvalidInput, match="unknown type"):
        MemoryType.parse("diary")

    class Args(BaseModel):
        one: MemoryTypeName
        any: SearchTypeName

    props = Args.model_json_schema()["properties"]
    assert props["one"]["enum"] == [t.value for t in MemoryType]
    assert props["any"]["enum"] == [*props["one"]["enum"], "chat", "frame"]
