"""The lines of a source as the reader sees them (which of the question's terms each
holds, said as in the question, in other words or in the other language), and the
value of the kind asked in a line (its span)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from agents.answer.asked import Asked, is_venue, typed
from agents.answer.lexicon import equivalents
from agents.answer.terms import (
    CJK,
    line_terms,
    matches,
    normalize,
    split_sentences,
)
from agents.answer.values import Span, join_date_time, labels_kind, spans
from agents.romanise import han_for
from agents.store import MemoryType, SearchHit

_STAMP = re.compile(r"^\d{2}:\d{2}:\d{2}\s+")
_LABEL_SEP = re.compile(r"^[\s:：=|\-–—]*(?:(?:is|are|was|were|为|是)\b[\s:：]*)?", re.IGNORECASE)


@dataclass
class Line:
    text: str
    lower: str
    latin: set[str]
    matched: set[str]
    # What stands in the line for a matched term said otherwise ("票价" for "fare").
    surface: dict[str, str] = field(default_factory=dict)

    def match(self, term: str, spelled: str = "") -> bool:
        """Whether the line holds ``term``, a word of its concept in either language
        ("fare": "票价"), or the Han characters of a romanised name ("qingniao": "青鸟",
        looked for as ``spelled`` in the question, before stemming: "beijing")."""
        if matches(term, self.latin, self.lower):
            self.matched.add(term)
            return True
        for alt in sorted(equivalents(term), key=len, reverse=True):
            if matches(alt, self.latin, self.lower):
                self.matched.add(term)
                self.surface[term] = alt
                return True
        if CJK.search(self.lower):
            han = han_for(spelled or term, self.lower)
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


def lines_of(
    hit: SearchHit, secret: str | None, q_terms: list[str], spelled: dict[str, str]
) -> list[Line]:
    text = hit.text
    if hit.type == "chat":
        text = text.split(": ", 1)[-1]
    raw = list(split_sentences(text))
    if hit.type == MemoryType.EPISODIC:
        # An event's lines start with when each screen was seen ("15:10:10  Firefox - …"):
        # not a value on the screen (its head, "When: …", says when the event was).
        raw = [_STAMP.sub("", r) for r in raw]
    if secret is not None:
        raw.append(f"{raw[0] if raw else ''}: {secret}".strip(": "))
    out = []
    for r in raw:
        norm = normalize(r)
        line = Line(r, norm.lower(), line_terms(norm), set())
        for t in q_terms:
            line.match(t, spelled.get(t, ""))
        out.append(line)
    return out


def value_in(
    line: Line, kinds: list[str], q_norm: str, asked: Asked
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
            if kind in ("place", "person"):
                found = [s for s in found if not _names_subject(s.text(norm), line, kind, asked)]
            if found:
                chosen = _nearest_after_term(found, line, norm)
                fit = 1.0 if n == 0 else 0.8
                if kind == "place" and not is_venue(chosen.text(norm), asked):
                    fit *= 0.5  # "Porto" for "which hotel": a place, not the one asked
                return Span(chosen.start, chosen.end, kind), kind, fit
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


def _after_terms(line: Line, norm: str) -> list[int]:
    """Where the text after each matched term of ``line`` (and a separator) starts."""
    out = []
    for end in sorted(set(line.positions(norm))):
        end = _word_end(norm, end)
        sep = _LABEL_SEP.match(norm[end:])
        out.append(end + (sep.end() if sep else 0))
    return out


def _after_label(line: Line, norm: str) -> int | None:
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


def _names_subject(value: str, line: Line, kind: str, asked: Asked) -> bool:
    """Whether a place or a name holds what the question is about ("周杰伦…演唱会北京站"
    for where the 周杰伦 concert is): then it is the subject, not where or who it is. The
    word of the kind itself ("Room Oslo" for which room, "… Hotel" for which hotel) does
    not count."""
    lower = value.lower()
    return any(
        t in lower and not labels_kind(t, kind) and t not in asked.venues
        for t in line.matched
        if len(t) >= 2 and " " not in t and t not in line.surface
    )


def _in_question(value: str, q_norm: str, line: Line) -> bool:
    """Whether the question already names ``value`` ("LH 431" in "when does LH 431 leave",
    "上海外滩华尔道夫酒店" for "外滩华尔道夫酒店的地址"): then it is not the answer."""
    v = re.sub(r"\s+", "", value.lower())
    if len(v) >= 2 and v in q_norm:
        return True
    if any(ch.isdigit() for ch in v):
        return False  # "4 nights" answers "how many nights"
    covered = [False] * len(v)  # each character once, however many terms hold it
    for t in line.matched:
        t = t.replace(" ", "")
        for m in re.finditer(re.escape(t), v) if t else ():
            covered[m.start() : m.end()] = [True] * (m.end() - m.start())
    return len(v) > 0 and sum(covered) / len(v) >= 0.6


def _nearest_after_term(found: list[Span], line: Line, norm: str) -> Span:
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
