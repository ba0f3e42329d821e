"""What people plainly state in a chat turn, read without a model, in English and Chinese:
"remember that …", "don't forget …", "记住：…", "别忘了…" (a fact to keep), "my X is Y"
(a fact about the user, with its subject), and steps in order ("1. … 2. … 3. …",
"First … then … finally …", "第一步…第二步…", "首先…然后…最后…": a how-to).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

# "remember that …", "please remember: …", "don't forget (that) …", "note that …",
# "keep in mind (that) …"; "记住：…", "记得…", "别忘了…", "帮我记一下…".
_REMEMBER = re.compile(
    r"(?i)(?:\b(?:please\s+)?(?:remember|don'?t\s+forget|do\s+not\s+forget|note|keep\s+in\s+mind)"
    r"(?:\s+that)?\s*[:,]?\s+"
    r"|(?:请|帮我)?(?:记住|记得|记一下|记下|别忘了|别忘记|不要忘了|不要忘记|千万别忘了)"
    r"(?:一下)?[：:，,]?\s*)"
    r"(.+?)[.!。！]?\s*$"
)
_MY_X_IS_Y = re.compile(r"(?i)\bmy\s+([a-z][\w' -]{1,40}?)\s+(?:is|are|was)\s+(.+?)[.!]?\s*$")
_ZH_MY_X_IS_Y = re.compile(r"^我的([\u4e00-\u9fff]{1,8})是(.+?)[。！!]?\s*$")

# A sentence ends at . ! or ? before a space (except after a title such as "Dr."), at
# 。！？；, or at a line break.
_SENTENCE_END = re.compile(
    r"(?<!\bDr\.)(?<!\bMr\.)(?<!\bMs\.)(?<!\bMrs\.)(?<!\bSt\.)(?<!\bProf\.)(?<=[.!?])\s+"
    r"|(?<=[。！？；])|\n+"
)
# A numbered step: "1.", "2)", "3、", "Step 4:", "第五步：".
_NUMBERED = re.compile(
    r"(?:^|(?<=\s)|(?<=[。；;]))(?:step\s*)?(\d{1,2})\s*[.)、:：]\s+(?=\S)"
    r"|第([一二三四五六七八九十\d]{1,3})步[：:，,]?\s*",
    re.IGNORECASE,
)
_ZH_ORDINALS = "一二三四五六七八九十"
# Words that put steps in order.
_SEQUENCE = re.compile(
    r"(?i)(?:^|(?<=[\s,.;。，；]))(?:first(?:ly)?|then|next|after that|afterwards|finally|lastly"
    r"|首先|然后|接着|之后|再|最后)\b[,，]?\s*"
)

MIN_STEPS = 3


@dataclass(frozen=True)
class Statement:
    """A fact stated: ``core`` facts are about the user and name their subject
    ("my dentist is Dr. Moreau": "the user's dentist: Dr. Moreau"); ``semantic`` ones
    are kept as said; ``procedural`` ones are steps in order (``steps``)."""

    kind: Literal["semantic", "core", "procedural"]
    text: str
    steps: list[str] = field(default_factory=list)


def extract_statements(text: str) -> list[Statement]:
    """Facts and how-tos stated in one chat turn; nothing from a question."""
    out: list[Statement] = []
    procedure = extract_steps(text)
    if procedure is not None:
        out.append(procedure)
    for sentence in _SENTENCE_END.split(text.strip()):
        sentence = sentence.strip()
        if not sentence or sentence.endswith(("?", "？")):
            continue
        if procedure is not None and _NUMBERED.search(sentence):
            continue  # a step, kept in the how-to
        if m := _REMEMBER.search(sentence):
            kept = m.group(1).strip(" ：:，,")
            if kept:
                out.append(Statement("semantic", kept))
        elif m := _MY_X_IS_Y.search(sentence):
            out.append(Statement("core", f"the user's {m.group(1).strip()}: {m.group(2).strip()}"))
        elif m := _ZH_MY_X_IS_Y.search(sentence):
            out.append(Statement("core", f"用户的{m.group(1)}：{m.group(2).strip()}"))
    return out


def extract_steps(text: str) -> Statement | None:
    """Steps in order (three at least), numbered or put in sequence, as a how-to whose
    summary is what comes before them (or the first step); None when there are none."""
    steps, intro = _numbered(text)
    if len(steps) < MIN_STEPS:
        steps, intro = _sequenced(text)
    if len(steps) < MIN_STEPS:
        return None
    summary = intro.strip(" :：,，.。\n") or steps[0]
    return Statement("procedural", summary[:300], [s[:500] for s in steps])


def _number(m: re.Match[str]) -> int:
    raw = m.group(1) or m.group(2)
    if raw.isdigit():
        return int(raw)
    if raw == "十":
        return 10
    if raw.startswith("十"):
        return 10 + _ZH_ORDINALS.index(raw[1]) + 1
    return _ZH_ORDINALS.index(raw[0]) + 1 if len(raw) == 1 else 0


def _numbered(text: str) -> tuple[list[str], str]:
    """Steps numbered 1, 2, 3 … in order (on lines or in a run of text)."""
    marks = list(_NUMBERED.finditer(text))
    start = next((i for i, m in enumerate(marks) if _number(m) == 1), None)
    if start is None:
        return [], ""
    chain = [marks[start]]
    for m in marks[start + 1 :]:
        if _number(m) == _number(chain[-1]) + 1:
            chain.append(m)
    steps = []
    for m, nxt in zip(chain, [*chain[1:], None], strict=False):
        end = nxt.start() if nxt is not None else len(text)
        step = text[m.end() : end].strip()
        if nxt is None:
            step = step.split("\n", 1)[0].strip()
        steps.append(step.rstrip(" ;；"))
    return [s for s in steps if s], text[: chain[0].start()]


def _sequenced(text: str) -> tuple[list[str], str]:
    """Steps put in order by "first … then … finally …" ("首先…然后…最后…")."""
    marks = list(_SEQUENCE.finditer(text))
    if len(marks) < MIN_STEPS or not re.match(r"(?i)first|首先", marks[0].group(0).strip()):
        return [], ""
    steps = []
    for m, nxt in zip(marks, [*marks[1:], None], strict=False):
        end = nxt.start() if nxt is not None else len(text)
        step = text[m.end() : end].strip(" ,，.。;；\n")
        steps.append(re.sub(r"(?i)[\s,，]+(?:and|和|并且?)$", "", step))
    return [s for s in steps if s], text[: marks[0].start()]
