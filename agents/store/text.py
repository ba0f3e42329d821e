"""Text preparation for the full-text index.

LanceDB's native tokenizer splits on spaces and punctuation, which leaves a
Chinese or Japanese sentence as one long token. Before indexing, runs of CJK
characters are rewritten as space-separated character n-grams (unigrams and
bigrams for documents, bigrams for queries), the standard way to index text
without word boundaries; other text passes through unchanged and is stemmed by
the index. Han characters are also indexed in pinyin (agents/romanise.py).
"""

from __future__ import annotations

import re

from agents.romanise import syllable_pairs

# Han, Hiragana, Katakana, Hangul and CJK punctuation-free blocks.
_CJK = re.compile(
    r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\U00020000-\U0002ebef]+"
)


def _ngrams(run: str, *, query: bool) -> str:
    if len(run) == 1:
        return run
    bigrams = [run[i : i + 2] for i in range(len(run) - 1)]
    if query:
        return " ".join(bigrams)
    return " ".join(list(run) + bigrams)


def index_text(text: str) -> str:
    """Return the form of ``text`` that goes into the full-text column: CJK as n-grams,
    and Han characters also in pinyin, two syllables a word ("上海" as "shanghai"), so
    that a question that writes a name in Latin letters finds it."""
    indexed = _CJK.sub(lambda m: f" {_ngrams(m.group(0), query=False)} ", text)
    pairs = syllable_pairs(text)
    return f"{indexed}\n{' '.join(pairs)}" if pairs else indexed


def query_text(text: str) -> str:
    """Return the form of a search query that matches :func:`index_text` output."""
    return _CJK.sub(lambda m: f" {_ngrams(m.group(0), query=True)} ", text).strip()


def has_terms(text: str) -> bool:
    """True when the text has at least one letter or digit to search for."""
    return any(ch.isalnum() for ch in text)
