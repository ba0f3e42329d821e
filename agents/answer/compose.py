"""The answer without a model: the reader's value in a sentence that cites its source,
then the other sources, in the question's language (English or Chinese).

With low confidence the answer says that it found no direct answer and lists
what it found, each source quoted by its best line.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from agents.absorb.statements import extract_statements
from agents.answer.citing import speaker_of
from agents.answer.reader import Pick, Reading, chat_question, is_question
from agents.answer.terms import has_cjk
from agents.store import MemoryType, SearchHit
from agents.store.timeutil import as_utc

_LABELS_EN = {
    MemoryType.EPISODIC: "event",
    MemoryType.SEMANTIC: "fact",
    MemoryType.PROCEDURAL: "how-to",
    MemoryType.RESOURCE: "document",
    MemoryType.KNOWLEDGE_VAULT: "stored value",
    "frame": "screenshot",
    "chat": "chat",
    MemoryType.CORE: "core memory",
    "screen": "screen",
}
_LABELS_ZH = {
    MemoryType.EPISODIC: "事件",
    MemoryType.SEMANTIC: "事实",
    MemoryType.PROCEDURAL: "操作步骤",
    MemoryType.RESOURCE: "文档",
    MemoryType.KNOWLEDGE_VAULT: "保存的值",
    "frame": "截图",
    "chat": "对话",
    MemoryType.CORE: "核心记忆",
    "screen": "屏幕",
}
QUOTE_LIMIT = 240


def _stamp(hit: SearchHit) -> str:
    return f"{as_utc(hit.time):%Y-%m-%d %H:%M}"


def _where(hit: SearchHit, zh: bool) -> str:
    """Where the value was: "the firefox screen “Booking confirmed”", "你说过的话"."""
    if hit.type == "frame":
        title = hit.text.strip().split("\n", 1)[0].strip()[:80]
        app = hit.app if hit.app and hit.app != "unknown" else ""
        if zh:
            return f"{app} 屏幕“{title}”".strip() if title else f"{app} 屏幕".strip()
        what = f"the {app} screen" if app else "the screen"
        return f"{what} “{title}”" if title else what
    if hit.type == "chat":
        who = speaker_of(hit.text)
        if zh:
            return f"{who}说过的话" if who else "你说过的话"
        return f"what {who} said" if who else "what you said"
    if hit.type == "screen":
        return "你现在的屏幕" if zh else "your screen now"
    label = (_LABELS_ZH if zh else _LABELS_EN).get(hit.type, hit.type)
    return f"记忆中的{label}" if zh else f"your {label} memory"


def _quote(pick: Pick | None, hit: SearchHit, vault_value: str | None) -> str:
    text = pick.line if pick is not None else hit.text.strip().split("\n", 1)[0]
    if pick is None and hit.type == "chat":
        text = text.split(": ", 1)[-1]  # the speaker is said apart
    text = text.replace("\n", " ").strip()
    if vault_value is not None and vault_value not in text:
        text = f"{text}: {vault_value}"
    if len(text) > QUOTE_LIMIT:
        cut = QUOTE_LIMIT
        if pick is not None and pick.span is not None and pick.span[1] > cut:
            # Keep the value inside the quote: cut around it.
            start = max(0, pick.span[0] - QUOTE_LIMIT // 2)
            return "… " + text[start : start + QUOTE_LIMIT] + " …"
        return text[:cut] + " …"
    return text


def lead_sentence(reading: Reading, zh: bool) -> str:
    """ "23A — “Seat 23A”, from the firefox screen “Booking” you saw on … [frm_…]."."""
    pick = reading.best
    assert pick is not None and pick.span is not None
    hit = pick.source
    quote = _quote(pick, hit, None)
    value = pick.value if reading.yes is None else _yes_no(reading, zh)
    cite = f" [{hit.id}]" if hit.type != "screen" else ""
    if hit.type == "chat":
        # Said by someone: by whom and when, once ("as Lena said on …", "你在 … 说过").
        who = speaker_of(hit.text)
        if zh:
            return f"{value} —— {who or '你'}在 {_stamp(hit)} 说过：“{quote}”{cite}。"
        return f"{value} — “{quote}”, as {who or 'you'} said on {_stamp(hit)}{cite}."
    if zh:
        seen = "看到" if hit.type in ("frame", "screen") else "记下"
        return f"{value} —— 来自你在 {_stamp(hit)} {seen}的{_where(hit, zh)}：“{quote}”{cite}。"
    verb = {"frame": "saw", "screen": "have"}.get(hit.type, "saved")
    return f"{value} — “{quote}”, from {_where(hit, zh)} you {verb} on {_stamp(hit)}{cite}."


def _yes_no(reading: Reading, zh: bool) -> str:
    if not zh:
        return "Yes" if reading.yes else "No"
    if reading.yes:
        return "是的"
    # "签收了吗？": 没有; "是…吗？": 不是; otherwise 不.
    q = reading.question
    return "没有" if re.search(r"[了过]吗|了没", q) else "不是" if "是" in q else "不"


def greeting(question: str) -> str:
    """The answer to a greeting or thanks: no value, an offer to help."""
    if has_cjk(question):
        return "你好！可以问我你看到过或说过的事情，比如“上周五的会议室在哪里？”"
    return (
        "Hello! Ask me about something you saw or said, for example "
        "“which room was Friday's meeting in?”"
    )


def noting(statement: str) -> str | None:
    """The acknowledgement of what the user asks to be kept ("Remember that …", "记住…",
    steps in order), or None when ``statement`` keeps nothing or asks something."""
    if is_question(statement):
        return None
    kept = extract_statements(statement)
    if not kept:
        return None
    zh = has_cjk(statement)
    what = kept[0].text
    if kept[0].kind == "core":  # "the user's locker: 12" said back as "your locker is 12"
        what = re.sub(r"^the user's (.+?): ", r"your \1 is ", what)
        what = re.sub(r"^用户的(.+?)：", r"你的\1是", what)
    if kept[0].kind == "procedural":
        n = len(kept[0].steps)
        return f"好的，我记下了这 {n} 个步骤：{what}。" if zh else f"Noted: {what}, in {n} steps."
    return f"好的，我记住了：{what}。" if zh else f"Noted: {what}."


def compose(
    question: str,
    topic: str,
    hits: Sequence[SearchHit],
    reading: Reading,
    vault_values: dict[str, str],
    *,
    top: int = 5,
) -> str:
    """The offline answer to ``question`` from the retrieved ``hits`` and the reader."""
    zh = has_cjk(question)
    listed = [h for h in hits if not chat_question(h)]
    listed = [h for h in listed if h.type != "core" or h.id in reading.per_source]
    lines: list[str] = []
    lead = ""
    if reading.confident and reading.best is not None:
        lead = lead_sentence(reading, zh)
        listed = [h for h in listed if h.id != reading.best.source.id]
    elif reading.best is not None:
        # The closest line first, even when it does not answer with confidence.
        best_id = reading.best.source.id
        listed.sort(key=lambda h: h.id != best_id)
    for hit in listed[:top]:
        quote = _quote(reading.per_source.get(hit.id), hit, vault_values.get(hit.id))
        said = (
            f"“{quote}”"
            if quote
            else ("（还没有读出文字）" if zh else "(no text read from it yet)")
        )
        label = (_LABELS_ZH if zh else _LABELS_EN).get(hit.type, hit.type)
        if hit.type == "chat":
            label += f", {speaker_of(hit.text) or ('你' if zh else 'you')}"
        where = f", {hit.app}" if hit.app and hit.app != "unknown" else ""
        cite = f" [{hit.id}]" if hit.type != "screen" else ""
        lines.append(f"- {_stamp(hit)}{where} ({label}): {said}{cite}")
    if lead:
        if not lines:
            return lead
        also = "其他来源：" if zh else "Other sources:"
        return f"{lead}\n\n{also}\n" + "\n".join(lines)
    if not lines:
        if zh:
            return f"在你的记忆中没有找到关于“{topic}”的内容。"
        return f"I found nothing in your memories about “{topic}”."
    kind = reading.kinds[0] if reading.kinds else ""
    if zh:
        what = _KIND_ZH.get(kind)
        head = f"没有找到明确的{what}。" if what else "没有找到直接的答案。"
        head += f"关于“{topic}”，我找到的是："
    else:
        what = _KIND_EN.get(kind)
        head = (
            f"I found no {what} that clearly answers this."
            if what
            else "I found no direct answer to that."
        )
        head += f" Here is what I found about “{topic}”:"
    return head + "\n" + "\n".join(lines)


# What was asked for, said when nothing of that kind was found.
_KIND_EN = {
    "amount": "price or amount",
    "quantity": "quantity",
    "duration": "duration",
    "date": "date",
    "time": "time",
    "person": "name of a person",
    "place": "place",
    "identifier": "number or code",
    "count": "count",
    "yesno": "yes or no",
}
_KIND_ZH = {
    "amount": "金额",
    "quantity": "数量",
    "duration": "时长",
    "date": "日期",
    "time": "时间",
    "person": "人名",
    "place": "地点",
    "identifier": "编号",
    "count": "数目",
    "yesno": "答复",
}
