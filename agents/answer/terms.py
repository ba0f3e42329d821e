"""Terms of a question or a line of text, in English and Chinese (and mixed).

Latin words are lower-cased and lightly stemmed; runs of CJK characters are
segmented either by jieba (a dictionary segmenter, loaded on first use) or into
character bigrams. Question words and particles are left out, so that what
remains names what the question is about. Matching a CJK term against a line
is by substring, so the line itself never has to be segmented the same way.
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from collections.abc import Iterable
from typing import Any, Literal

log = logging.getLogger(__name__)

Segmenter = Literal["jieba", "ngram"]
SEGMENTERS: tuple[Segmenter, ...] = ("jieba", "ngram")

CJK = re.compile(
    r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\U00020000-\U0002ebef]+"
)
_LATIN = re.compile(r"[^\W_]+(?:[.'-][^\W_]+)*", re.UNICODE)

EN_STOP = frozenset(
    """a an the of to in on at for from by with about and or but is are was were be been being
    do does did what whats when where who whom whose which why how i am me my mine you your we our
    they their it its this that these those there here have has had can could would should will
    shall may might must please tell show find remember recall any some much many more most than
    then again also just only very not no yes so if as into over under up down out get got s
    know need want again saw see seen look looked what's where's who's when's how's
    it's i'm i've i'd don't didn't""".split()
)
# Question words and particles of Chinese; longer ones first so that they win.
ZH_STOP = tuple(
    sorted(
        """是多少 多少钱 多少 什么时候 什么 哪一天 哪天 哪里 哪儿 哪个 哪位 哪家 哪 几点 几号 几个
        几 谁 怎么样 怎么 如何 为什么 请问 告诉我 告诉 一下 是不是 是否 有没有 吗 呢 吧 啊 呀 么
        我们 我的 我 你的 你 他们 他的 他 她的 她 它 这个 那个 这 那 的 了 是 在 有 和 与 及 给
        要 会 能 可以 得 地 被 把 对 从 到 上 下 次 所 用 还 又 都 也 就 当时 之前 以前 看到
        看过 见过 记得""".split(),
        key=len,
        reverse=True,
    )
)
_ZH_STOP_SET = frozenset(ZH_STOP)
# Single characters that are particles or pronouns nearly wherever they stand; other
# one-character stop words ("会", "在", "上") are also parts of words ("会议", "现在").
_ZH_PARTICLES = frozenset("的了吗呢吧啊呀么我你他她它谁哪几是")
_ZH_SPLIT_RE = re.compile(
    "|".join(map(re.escape, [w for w in ZH_STOP if len(w) > 1] + sorted(_ZH_PARTICLES)))
)

_jieba: Any = None
_jieba_lock = threading.Lock()


def has_cjk(text: str) -> bool:
    return CJK.search(text) is not None


def normalize(text: str) -> str:
    """Full-width letters, digits and punctuation as their ASCII forms (NFKC), lower-cased
    later by the callers that want it: "ＬＨ４３１：" reads as "LH431:"."""
    return unicodedata.normalize("NFKC", text)


def stem(word: str) -> str:
    """A light English stem: enough that "flights" meets "flight" and "booked" "booking"."""
    w = word.lower()
    if w.isdigit() or len(w) <= 3:
        return w
    for suffix in ("ings", "ing", "ies", "ed", "es", "s"):
        if w.endswith(suffix) and len(w) - len(suffix) >= 3:
            base = w[: -len(suffix)]
            return base + "y" if suffix == "ies" else base
    return w


def _load_jieba() -> Any:
    global _jieba
    with _jieba_lock:
        if _jieba is None:
            import jieba

            jieba.setLogLevel(logging.WARNING)
            jieba.initialize()
            _jieba = jieba
    return _jieba


def jieba_available() -> bool:
    try:
        _load_jieba()
    except ImportError:
        return False
    return True


def _cjk_terms(run: str, segmenter: Segmenter) -> list[str]:
    if segmenter == "jieba":
        try:
            jb = _load_jieba()
        except ImportError:
            log.info("jieba is not installed; Chinese is split into character bigrams")
        else:
            words = [w.strip() for w in jb.lcut(run)]
            return [w for w in words if w and w not in _ZH_STOP_SET and w not in _ZH_PARTICLES]
    out: list[str] = []
    for piece in _ZH_SPLIT_RE.split(run):
        if len(piece) == 1:
            out.append(piece)
        elif piece:
            out += [piece[i : i + 2] for i in range(len(piece) - 1)]
    return out


def terms(text: str, segmenter: Segmenter = "jieba", *, keep_stop: bool = False) -> list[str]:
    """The content terms of ``text`` in order, each once: stemmed Latin words and CJK words
    (or bigrams). ``keep_stop`` keeps English stop words (for lines, not questions)."""
    text = normalize(text)
    out: list[str] = []
    pos = 0
    for m in CJK.finditer(text):
        out += _latin_terms(text[pos : m.start()], keep_stop)
        out += _cjk_terms(m.group(0), segmenter)
        pos = m.end()
    out += _latin_terms(text[pos:], keep_stop)
    return list(dict.fromkeys(out))


# Abbreviations on screens, read as the word a question uses.
ABBREVIATIONS = {
    "no": "number",
    "nr": "number",
    "num": "number",
    "ref": "reference",
    "tel": "phone",
    "addr": "address",
    "qty": "quantity",
    "amt": "amount",
    "dept": "department",
    "appt": "appointment",
    "conf": "confirmation",
    "acct": "account",
}


_ABBREVIATED = re.compile(r"\b(" + "|".join(ABBREVIATIONS) + r")\b\.?")


def _latin_terms(text: str, keep_stop: bool) -> list[str]:
    words = [w.strip(".'-") for w in _LATIN.findall(text)]
    out = [stem(w) for w in words if w and (keep_stop or w.lower() not in EN_STOP)]
    if keep_stop:  # a line: "Check-out" also holds "check" and "out", "No." "number"
        out += [stem(p) for w in words if "-" in w for p in w.split("-") if p]
        out += [ABBREVIATIONS[w.lower()] for w in words if w.lower() in ABBREVIATIONS]
    return out


def line_terms(text: str) -> set[str]:
    """The Latin terms of a line (CJK terms are matched by substring, see :func:`matches`)."""
    return set(_latin_terms(CJK.sub(" ", normalize(text)), keep_stop=True))


def matches(term: str, latin: set[str], text_lower: str) -> bool:
    """Whether a line holds ``term``: a CJK term as a substring, a Latin one as a word
    (a run of digits and letters such as "lh431" also as a substring, for OCR that drops
    spaces)."""
    if has_cjk(term):
        return term in text_lower
    if " " in term:  # a phrase: "check out" is on "Check-out", "order number" on "Order no."
        return term in _ABBREVIATED.sub(
            lambda m: ABBREVIATIONS[m.group(1)], text_lower.replace("-", " ")
        )
    if term in latin:
        return True
    if len(term) >= 5 and any(
        w.startswith(term) or term.startswith(w) for w in latin if len(w) >= 5
    ):
        return True  # "depart" and "departure", "arrival" and "arrive" (stemmed "arriv")
    return len(term) >= 4 and any(ch.isdigit() for ch in term) and term in text_lower


def phrases(question: str) -> list[str]:
    """Adjacent word pairs of the question's Latin text, stop words kept ("to chicago"):
    a line that holds one says the same thing in the same order."""
    words = [w.lower() for w in _LATIN.findall(normalize(CJK.sub(" | ", question)))]
    pairs = [f"{a} {b}" for a, b in zip(words, words[1:], strict=False)]
    return [p for p in pairs if not all(w in EN_STOP for w in p.split())]


def keywords(question: str, segmenter: Segmenter = "jieba") -> str:
    """The offline topic of a question: its content terms, space-separated (the question
    itself when it has none). Chinese words come out as words, not as the whole question."""
    text = normalize(question)
    parts: list[str] = []
    pos = 0
    for m in CJK.finditer(text):
        parts += _latin_words(text[pos : m.start()])
        parts += _cjk_terms(m.group(0), segmenter)
        pos = m.end()
    parts += _latin_words(text[pos:])
    return " ".join(dict.fromkeys(parts)) or question.strip()


def _latin_words(text: str) -> list[str]:
    words = [w.strip(".'-") for w in _LATIN.findall(text)]
    return [w for w in words if w and w.lower() not in EN_STOP]


def split_sentences(text: str) -> Iterable[str]:
    """Lines of ``text``, long lines cut into sentences (at . ! ? 。！？; and their full-width
    forms), so that a memory's paragraph is read a sentence at a time. Lines that a
    memory joined with " · " (an event's excerpt of a screen) are lines again."""
    for raw in re.split(r"\n| · | ⏎ ", text):
        line = raw.strip()
        if not line:
            continue
        if len(line) <= 120:
            yield line
            continue
        for part in re.split(r"(?<=[。！？；!?;])|(?<=\.)\s+(?=[A-Z0-9\u4e00-\u9fff])", line):
            if part and part.strip():
                yield part.strip()
