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

from agents.answer.asked import Asked, asked_of, typed, verdict
from agents.answer.lexicon import equivalents, phrases_in
from agents.answer.terms import (
    CJK,
    Segmenter,
    has_cjk,
    line_terms,
    matches,
    normalize,
    phrases,
    split_sentences,
    terms,
)
from agents.answer.values import (
    Span,
    focus_terms,
    join_date_time,
    labels_kind,
    question_kinds,
    spans,
    without_cues,
)
from agents.romanise import han_for
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
_LABEL_SEP = re.compile(r"^[\s:：=|\-–—]*(?:(?:is|are|was|were|为|是)\b[\s:：]*)?", re.IGNORECASE)


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


@dataclass
class _Line:
    text: str
    lower: str
    latin: set[str]
    matched: set[str]
    # What stands in the line for a matched term said otherwise ("票价" for "fare").
    surface: dict[str, str] = field(default_factory=dict)

    def match(self, term: str) -> bool:
        """Whether the line holds ``term``, a word of its concept in either language
        ("fare": "票价"), or the Han characters of a romanised name ("qingniao": "青鸟")."""
        if matches(term, self.latin, self.lower):
            self.matched.add(term)
            return True
        for alt in equivalents(term):
            if matches(alt, self.latin, self.lower):
                self.matched.add(term)
                self.surface[term] = alt
                return True
        if CJK.search(self.lower):
            han = han_for(term, self.lower)
            if han is not None:
                self.matched.add(term)
                self.surface[term] = han
                return True
        return False

    def positions(self, norm: str) -> list[int]:
        """Where the matched terms (or what stands for them) end in ``norm``."""
        lower = norm.lower()
        found = [self.surface.get(t, t) for t in self.matched]
        return [m.end() for f in found for m in re.finditer(re.escape(f), lower)]


def _lines_of(hit: SearchHit, secret: str | None, q_terms: list[str]) -> list[_Line]:
    text = hit.text
    if hit.type == "chat":
        text = text.split(": ", 1)[-1]
    raw = list(split_sentences(text))
    if secret is not None:
        raw.append(f"{raw[0] if raw else ''}: {secret}".strip(": "))
    out = []
    for r in raw:
        norm = normalize(r)
        line = _Line(r, norm.lower(), line_terms(norm), set())
        for t in q_terms:
            line.match(t)
        out.append(line)
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
    words = [t.lower() for t in terms(plain, segmenter) if t.lower() not in _DAY_WORDS]
    pairs = phrases(plain) + [p for p in phrases_in(plain) if p not in words]
    q_terms = words + pairs
    focus = focus_terms(words, question, kinds)
    q_norm = re.sub(r"\s+", "", normalize(question).lower())
    sources = [h for h in hits if not chat_question(h) and h.type != "core"][:max_sources]
    # Core blocks are read only when they hold a term of the question.
    core = [h for h in hits if h.type == "core"]
    texts = [(h, _lines_of(h, vault_values.get(h.id), q_terms)) for h in sources]
    for h in core:
        lines = _lines_of(h, None, q_terms)
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
    seen_focus = {t for t in focus if df.get(t)}
    # A word found nowhere counts a third against every line: the sources may not be about
    # what was asked ("Tom's phone number" where only Jane's is known).
    found_by_parts = {t for t in words if any(p in t for p in parts if df[p])}
    missing = sum(
        0.35 * factor[t] * math.log((n_lines + 1) / 0.5)
        for t in words
        if not df[t] and t not in found_by_parts
    )
    total = sum(weight.values()) + missing
    for rank, (hit, lines) in enumerate(texts):
        prior = 1.0 / (1.0 + 0.12 * rank)
        everywhere = set().union(*(ln.matched for ln in lines)) if lines else set()
        best: Pick | None = None
        for i, ln in enumerate(lines):
            if hit.type == "chat" and is_question(ln.text):
                continue
            pick = _score_line(
                lines, i, everywhere, weight, total, kinds, q_norm, hit, seen_focus, asked
            )
            pick = _with_prior(pick, prior)
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
    texts: list[tuple[SearchHit, list[_Line]]],
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
        ch for t in words if not df[t] and len(t) == 2 and has_cjk(t) for ch in t if _content(ch)
    ]
    parts = [p for p in dict.fromkeys(parts) if p not in df]
    for _, lines in texts:
        for ln in lines:
            ln.matched |= {p for p in parts if p in ln.lower}
    for p in parts:
        df[p] = sum(1 for _, lines in texts for ln in lines if p in ln.matched)
        if any(p in t for t in focus):
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
# Words of the day asked about ("today", "昨天"): the time filter's business, no line's.
_DAY_WORDS = frozenset(
    "today yesterday tomorrow tonight 今天 昨天 明天 前天 后天 今晚 昨晚 今日 昨日".split()
)


def _said_otherwise(term: str, line: _Line) -> float:
    surface = line.surface.get(term)
    if surface is None:
        return 1.0
    return 0.7 if has_cjk(surface) != has_cjk(term) else 0.5


def _content(ch: str) -> bool:
    """A Han character that says something alone (not a particle or a common verb)."""
    return (
        _one_han(ch)
        and ch not in "的了吗呢吧啊呀么我你他她它谁哪几是在有和与要会能把被给从到上下也就都还又"
    )


def _one_han(term: str) -> bool:
    return len(term) == 1 and "\u3400" <= term <= "\u9fff"


def _with_prior(pick: Pick, prior: float) -> Pick:
    score = pick.score * (0.8 + 0.2 * prior)
    return Pick(pick.source, pick.line, pick.span, pick.kind, score, pick.coverage)


def _score_line(
    lines: list[_Line],
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
    span, kind, value_score = _value(own, kinds, q_norm, asked)
    # The lines above label this one only when it is a bare value ("Seat" over "23A");
    # a line with its own label ("Rent  1,450.00") is not labelled by a header above.
    bare = not own.matched and _bare_value(norm)
    # A word said otherwise counts less than itself: in the other language ("票价" for
    # "fare") 0.7, in the same ("fare" for "cost") half.
    near = {t: _said_otherwise(t, own) for t in own.matched}
    labelled_by: set[str] = set(own.matched)
    for back, w in ((1, 0.75), (2, 0.5)):
        if bare and i - back >= 0:
            for t in lines[i - back].matched:
                near[t] = max(near.get(t, 0.0), w)
                labelled_by.add(t)
    for t in everywhere:
        near[t] = max(near.get(t, 0.0), 0.4)
    coverage = sum(weight[t] * near.get(t, 0.0) for t in weight) / total
    if kinds and labels_kind(norm, kinds[0]):
        coverage = min(1.0, coverage + 0.2)  # "Address:" for where, "金额" for how much
    if focus and not focus & labelled_by:
        # A generic name ("number", "号") says less than a particular one ("seat").
        value_score *= (
            0.7 if focus <= _GENERIC else 0.5
        )  # a value, but not of the thing asked for ("LH 430" for "seat")

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


def _label_only(line: _Line) -> bool:
    rest = line.lower
    for t in line.matched:
        rest = rest.replace(t, "")
    return len(re.sub(r"[\W_]+", "", rest)) <= 3


def _value(
    line: _Line, kinds: list[str], q_norm: str, asked: Asked
) -> tuple[Span | None, str, float]:
    """The value in ``line`` (its span, kind and how well it fits the question)."""
    text = line.text
    norm = normalize(text)
    if kinds == ["yesno"]:
        # The line that says so is the answer (a sentence more than a title: "App -
        # Title" says little); whether it says yes is read after.
        value = norm.strip().rstrip(" 。.，,;；")
        if line.matched and value:
            said = (
                0.5 if re.search(r"\s[-–—]\s", value) and not re.search(r"[.。:：]", value) else 1
            )
            return Span(len(norm) - len(norm.lstrip()), len(value), "yesno"), "yesno", said
        return None, "yesno", 0.0
    if kinds:
        for n, kind in enumerate(kinds):
            found = typed(spans(norm, kind), kind, norm, asked)
            if kind in ("date", "time"):
                other = "time" if kind == "date" else "date"
                if other in kinds:
                    found = join_date_time(norm, found + spans(norm, other))
            found = [s for s in found if not _in_question(s.text(norm), q_norm, line)]
            if found:
                chosen = _nearest_after_term(found, line, norm)
                return Span(chosen.start, chosen.end, kind), kind, 1.0 if n == 0 else 0.8
        labelled = _after_generic_label(norm, kinds[0])
        if labelled is not None and not _in_question(labelled.text(norm), q_norm, line):
            # "Venue: Festhalle Frankfurt" for where, "药师：刘洋" for who.
            return labelled, kinds[0], 0.8
        if kinds[0] in ("identifier", "count"):
            # A short number right after its label or name: "code 4417", "Platform 7",
            # "座位 12", "Eurostar 9014".
            for after in _after_terms(line, norm):
                m = re.match(r"#?[0-9A-Za-z][0-9A-Za-z-]*", norm[after:])
                if m and any(ch.isdigit() for ch in m.group(0)):
                    span = Span(after, after + m.end(), kinds[0])
                    if not _in_question(span.text(norm), q_norm, line):
                        return span, kinds[0], 0.9
        return None, kinds[0], 0.0
    # Any text: the rest of the line after a matched label.
    start = _after_label(line, norm)
    if start is not None:
        value = norm[start:].rstrip(" 。.，,;；")
        if value and not _in_question(value, q_norm, line):
            return Span(start, start + len(value), "text"), "text", 0.7
    return None, "text", 0.0


def _after_generic_label(norm: str, kind: str) -> Span | None:
    """The text after a generic label of ``kind`` and a colon, up to the next cell."""
    m = re.match(r"\s*([^:：]{1,24})[:：]\s*(.+)", norm)
    if m is None or not labels_kind(m.group(1), kind):
        return None
    value = re.split(r"\s{2,}", m.group(2))[0].rstrip(" 。.，,;；")
    if not value:
        return None
    return Span(m.start(2), m.start(2) + len(value), kind)


def _after_terms(line: _Line, norm: str) -> list[int]:
    """Where the text after each matched term of ``line`` (and a separator) starts."""
    out = []
    for end in sorted(set(line.positions(norm))):
        end = _word_end(norm, end)
        sep = _LABEL_SEP.match(norm[end:])
        out.append(end + (sep.end() if sep else 0))
    return out


def _after_label(line: _Line, norm: str) -> int | None:
    """Where the text after the last question term of ``line`` and a separator starts."""
    ends = line.positions(norm)
    if not ends:
        return None
    end = _word_end(norm, max(ends))
    sep = _LABEL_SEP.match(norm[end:])
    start = end + (sep.end() if sep else 0)
    return start if norm[start:].strip() else None


def _word_end(text: str, end: int) -> int:
    while end < len(text) and (text[end].isalnum() and not ("\u4e00" <= text[end] <= "\u9fff")):
        end += 1
    return end


def _in_question(value: str, q_norm: str, line: _Line) -> bool:
    """Whether the question already names ``value`` ("LH 431" in "when does LH 431 leave",
    "上海外滩华尔道夫酒店" for "外滩华尔道夫酒店的地址"): then it is not the answer."""
    v = re.sub(r"\s+", "", value.lower())
    if len(v) >= 2 and v in q_norm:
        return True
    if any(ch.isdigit() for ch in v):
        return False  # "4 nights" answers "how many nights"
    covered = sum(len(t.replace(" ", "")) for t in line.matched if t.replace(" ", "") in v)
    return len(v) > 0 and covered / len(v) >= 0.6


def _nearest_after_term(found: list[Span], line: _Line, norm: str) -> Span:
    positions = line.positions(norm)
    if not positions:
        return found[0]

    def distance(s: Span) -> tuple[int, int]:
        after = [s.start - p for p in positions if p <= s.start]
        if after:
            return (0, min(after))
        before = [p - s.end for p in positions if p > s.start]
        return (1, min(before) if before else 10**6)

    return min(found, key=distance)
