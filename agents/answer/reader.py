"""The extractive reader: the line of a screenshot or memory that answers a question,
and the value in it.

The text of the best sources (frames' OCR text, memories, the user's own chat
statements) is split into lines and sentences. Each line is scored by the
question's terms it holds, weighted by how rare each term is among the lines
read, with the lines just above it (a label over or left of its value, as OCR
reads tables) and the rest of its screen counting less; by whether it holds a
value of the kind the question asks for (an amount, a date or time, a duration,
a name, a place, an identifier, a count); and by the search rank of its source.
The best line gives the answer's value (the span of that kind nearest after a
question term, or the text after a matched label). A question the user asked
earlier is never read as evidence.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from agents.answer.asked import Asked, asked_of, verdict
from agents.answer.lexicon import phrases_in
from agents.answer.lines import Line, lines_of, value_in
from agents.answer.terms import (
    Segmenter,
    has_cjk,
    normalize,
    phrases,
    stem,
    terms,
)
from agents.answer.values import (
    focus_terms,
    labels_kind,
    question_kinds,
    spans,
    without_cues,
)
from agents.store import SearchHit

MAX_SOURCES = 8
CONFIDENT = 0.35  # the least score of a line whose value is given as the answer

_EN_QUESTION = re.compile(
    r"(?i)^(?:what|whats|what's|when|where|who|whom|whose|which|why|how|is|are|was|were|do|does|"
    r"did|can|could|should|would|will|have|has|had)\b"
)
_ZH_QUESTION = re.compile(
    r"(?:吗|呢|么)[\s?？。]*$|多少|什么|哪[里儿个天位家些]|几[点号个天]|谁|怎么"
)


def is_question(text: str) -> bool:
    """Whether ``text`` (a chat turn without its speaker) asks rather than states."""
    t = normalize(text).strip()
    if not t:
        return False
    if t.endswith("?"):
        return True
    if _EN_QUESTION.match(t):
        return True
    return bool(_ZH_QUESTION.search(t)) and not t.endswith(("。", "!", "."))


def chat_question(hit: SearchHit) -> bool:
    """A user's chat turn that is a question (not evidence of anything)."""
    return hit.type == "chat" and hit.text.startswith("user: ") and is_question(hit.text[6:])


@dataclass(frozen=True)
class Pick:
    """One line of one source, scored; ``span`` is the value's place in ``line``."""

    source: SearchHit
    line: str
    span: tuple[int, int] | None
    kind: str
    score: float
    coverage: float

    @property
    def value(self) -> str:
        if self.span is None:
            return ""
        return self.line[self.span[0] : self.span[1]]

    def to_json(self) -> dict[str, Any]:
        return {
            "value": self.value,
            "line": self.line,
            "span": list(self.span) if self.span else None,
            "kind": self.kind,
            "source": self.source.id,
            "score": round(self.score, 3),
        }


@dataclass
class Reading:
    """What the reader found: the best line (``best``), whether it answers with confidence,
    and the best line of every source read (for excerpts)."""

    question: str
    kinds: list[str]
    best: Pick | None = None
    confident: bool = False
    per_source: dict[str, Pick] = field(default_factory=dict)
    # For a yes-or-no question: whether the best line says yes.
    yes: bool | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kinds": self.kinds, "confident": self.confident}
        if self.yes is not None:
            out["yes"] = self.yes
        if self.best is not None:
            out.update(self.best.to_json())
        return out


def read(
    question: str,
    hits: Sequence[SearchHit],
    *,
    segmenter: Segmenter = "jieba",
    vault_values: Mapping[str, str] | None = None,
    max_sources: int = MAX_SOURCES,
) -> Reading:
    """Read the best ``hits`` (best first) for the answer to ``question``."""
    vault_values = vault_values or {}
    kinds = question_kinds(question)
    reading = Reading(question, kinds)
    asked = asked_of(question)
    plain = without_cues(question)
    words = [t.lower() for t in terms(plain, segmenter)]
    pairs = phrases(plain) + [p for p in phrases_in(plain) if p not in words]
    q_terms = words + pairs
    focus = focus_terms(words, question, kinds)
    q_norm = re.sub(r"\s+", "", normalize(question).lower())
    sources = [h for h in hits if not chat_question(h) and h.type != "core"][:max_sources]
    # Core blocks are read only when they hold a term of the question.
    core = [h for h in hits if h.type == "core"]
    spelled = {stem(w): w.lower() for w in re.findall(r"[A-Za-z]+", question)}
    texts = [(h, lines_of(h, vault_values.get(h.id), q_terms, spelled)) for h in sources]
    for h in core:
        lines = lines_of(h, None, q_terms, spelled)
        if any(ln.matched for ln in lines):
            texts.append((h, lines))
    if not texts:
        return reading
    n_lines = sum(len(lines) for _, lines in texts) or 1
    df = {t: sum(1 for _, lines in texts for ln in lines if t in ln.matched) for t in q_terms}
    parts = _compound_parts(words, df, texts, focus)
    q_terms += [p for p in parts if df[p]]
    if not any(df[t] for t in q_terms if t not in pairs):
        return reading
    # Rare terms count more; the thing asked for ("seat", "地址") twice; a phrase of the
    # question ("to chicago") half, on top of its words; a single Chinese character
    # ("会", "开") says little: half.
    factor = {
        t: 2.0 if t in focus and t not in _GENERIC else 0.5 if t in pairs or _one_han(t) else 1.0
        for t in q_terms
    }
    weight = {t: factor[t] * math.log((n_lines + 1) / (df[t] + 0.5)) for t in q_terms if df[t]}
    seen_focus = _labels(focus, df)
    # A word found nowhere counts a third against every line: the sources may not be about
    # what was asked ("Tom's phone number" where only Jane's is known).
    found_by_parts = {t for t in words if any(p in t for p in parts if df[p])}
    missing = sum(
        0.35 * factor[t] * math.log((n_lines + 1) / 0.5)
        for t in words
        if not df[t] and t not in found_by_parts
    )
    total = sum(weight.values()) + missing
    names = _names(question, q_terms, df)
    for rank, (hit, lines) in enumerate(texts):
        prior = 1.0 / (1.0 + 0.12 * rank)
        everywhere = set().union(*(ln.matched for ln in lines)) if lines else set()
        # The question names "Norah Jones"; a source that does not is likely about another.
        subject = 0.8 if names and not names & everywhere else 1.0
        best: Pick | None = None
        for i, ln in enumerate(lines):
            if hit.type == "chat" and is_question(ln.text):
                continue
            pick = _score_line(
                lines, i, everywhere, weight, total, kinds, q_norm, hit, seen_focus, asked
            )
            pick = _with_prior(pick, prior, subject)
            if best is None or pick.score > best.score:
                best = pick
        if best is not None:
            reading.per_source[hit.id] = best
            if reading.best is None or best.score > reading.best.score + 1e-9:
                reading.best = best
    reading.best = _prefer_screenshot(reading)
    if reading.best is not None:
        reading.confident = reading.best.span is not None and reading.best.score >= CONFIDENT
        if kinds == ["yesno"] and reading.confident:
            reading.yes = verdict(reading.best.value, asked)
    return reading


def _compound_parts(
    words: list[str],
    df: dict[str, int],
    texts: list[tuple[SearchHit, list[Line]]],
    focus: set[str],
) -> list[str]:
    """A Chinese compound found nowhere ("座位号") is looked for by its parts ("座位",
    "位号"): they are matched in every line and counted in ``df`` (and ``focus``)."""
    parts = [
        t[i : i + 2]
        for t in words
        if not df[t] and len(t) >= 3 and has_cjk(t)
        for i in range(len(t) - 1)
    ]
    # A two-character word found nowhere ("要炖") by its characters that are no particle.
    parts += [
        ch
        for t in words
        if not df[t] and len(t) == 2 and has_cjk(t) and t not in focus
        for ch in t
        if _content(ch)
    ]
    parts = [p for p in dict.fromkeys(parts) if p not in df]
    for _, lines in texts:
        for ln in lines:
            ln.matched |= {p for p in parts if p in ln.lower}
    for p in parts:
        df[p] = sum(1 for _, lines in texts for ln in lines if p in ln.matched)
        if len(p) > 1 and any(p in t for t in focus):
            focus.add(p)
    return parts


def _prefer_screenshot(reading: Reading) -> Pick | None:
    """The same line on a screenshot (a memory made from it, say) is cited as the
    screenshot."""
    best = reading.best
    if best is None or best.source.type == "frame":
        return best
    same = [
        p
        for p in reading.per_source.values()
        if p.source.type == "frame" and p.value == best.value and p.score >= 0.9 * best.score
    ]
    return max(same, key=lambda p: p.score) if same else best


_GENERIC = frozenset({"number", "no", "code", "id", "reference", "号", "号码", "编号", "单号"})


def _names(question: str, q_terms: list[str], df: dict[str, int]) -> set[str]:
    """The terms of the names in a question ("Norah Jones", "Eurostar": capitalised words,
    after the first of an English question) that some source holds."""
    words = re.findall(r"[A-Za-z][\w'-]*", question)
    words = words if has_cjk(question) else words[1:]  # an English question's first word
    named = {stem(w) for w in words if w[0].isupper() and not w.isupper()}
    return {t for t in q_terms if t in named and df.get(t)}


def _labels(focus: set[str], df: dict[str, int]) -> set[str]:
    """The terms that label the value asked for: the particular names of the thing asked
    ("train" in "train number") when any is found, else none at all (no line is labelled
    for it: "Order number" is not the train's); the generic ones ("number") only when
    the question names nothing more particular."""
    particular = focus - _GENERIC
    if particular:
        return particular if any(df.get(t) for t in particular) else set()
    return {t for t in focus if df.get(t)}


def _about(everywhere: set[str], weight: dict[str, float], total: float) -> bool:
    """Whether a source holds a fair share of the question's terms (it is about what was
    asked, not only a line with a label of the kind)."""
    return sum(weight.get(t, 0.0) for t in everywhere) >= 0.3 * total


def _content(ch: str) -> bool:
    """A Han character that says something alone (not a particle or a common verb)."""
    return (
        _one_han(ch)
        and ch not in "的了吗呢吧啊呀么我你他她它谁哪几是在有和与要会能把被给从到上下也就都还又"
    )


def _one_han(term: str) -> bool:
    return len(term) == 1 and "\u3400" <= term <= "\u9fff"


def _with_prior(pick: Pick, prior: float, subject: float = 1.0) -> Pick:
    score = pick.score * (0.8 + 0.2 * prior) * subject
    return Pick(pick.source, pick.line, pick.span, pick.kind, score, pick.coverage)


def _score_line(
    lines: list[Line],
    i: int,
    everywhere: set[str],
    weight: dict[str, float],
    total: float,
    kinds: list[str],
    q_norm: str,
    hit: SearchHit,
    focus: set[str],
    asked: Asked,
) -> Pick:
    own = lines[i]
    norm = normalize(own.text)
    text = own.text if len(norm) == len(own.text) else norm  # spans index the normal form
    span, kind, value_score = value_in(own, kinds, q_norm, asked)
    # The lines above label this one only when it is a bare value ("Seat" over "23A");
    # a line with its own label ("Rent  1,450.00") is not labelled by a header above.
    bare = not own.matched and _bare_value(norm)
    # A word said otherwise ("票价" or "price" for "fare") counts less than itself.
    near = {t: 0.7 if t in own.surface else 1.0 for t in own.matched}
    # A term that holds a name of the thing asked ("快递单号" holds "快递" and "单号")
    # labels the line for it too.
    labelled_by: set[str] = set(own.matched) | {f for f in focus for t in own.matched if f in t}
    for back, w in ((1, 0.75), (2, 0.5)):
        if bare and i - back >= 0:
            for t in lines[i - back].matched:
                near[t] = max(near.get(t, 0.0), w)
                labelled_by.add(t)
    for t in everywhere:
        near[t] = max(near.get(t, 0.0), 0.4)
    coverage = sum(weight[t] * near.get(t, 0.0) for t in weight) / total
    if kinds and labels_kind(norm, kinds[0]) and _about(everywhere, weight, total):
        # "Address:" for where, "金额" for how much: on a screen about what was asked.
        coverage = min(1.0, coverage + 0.2)
        if all(labels_kind(t, kinds[0]) for t in focus):
            labelled_by |= focus  # "Order total" labels what "cost" asks
    if focus and not focus & labelled_by:
        # A value, but not of the thing asked for ("LH 430" for "seat"). A generic name
        # ("number", "号") says less than a particular one ("seat"); on a screen about the
        # thing asked (a train ticket for "which train") less again.
        value_score *= 0.7 if focus <= _GENERIC else 0.5
        value_score *= 1.4 if focus & everywhere else 1.0

    label = ""
    if bare and i > 0 and lines[i - 1].matched and len(lines[i - 1].text) <= 60:
        # A value under (or right of) its label: show them together.
        label = lines[i - 1].text + "  "
    if span is None and not kinds and own.matched and i + 1 < len(lines) and _label_only(own):
        # "Budget:" on one line, the value on the next.
        line = f"{text}  {lines[i + 1].text}"
        return Pick(hit, line, (len(text) + 2, len(line)), "text", coverage * 0.85, coverage)
    line = label + text
    shifted = (span.start + len(label), span.end + len(label)) if span is not None else None
    score = coverage * (0.25 + 0.75 * value_score)
    return Pick(hit, line, shifted, kind, score, coverage)


def _bare_value(norm: str) -> bool:
    """Whether a line is only values (dates, amounts, codes …) with no words of its own."""
    rest = norm
    for kind in ("date", "time", "amount", "duration", "identifier"):
        for s in reversed(spans(rest, kind)):
            rest = rest[: s.start] + " " + rest[s.end :]
    letters = re.sub(r"[\W\d_]+", "", rest)
    return len(letters) + sum(1 for ch in letters if has_cjk(ch)) <= 3  # a Chinese character: 2


def _label_only(line: Line) -> bool:
    rest = line.lower
    for t in line.matched:
        rest = rest.replace(t, "")
    return len(re.sub(r"[\W_]+", "", rest)) <= 3
