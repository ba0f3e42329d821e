"""Han characters in Latin letters (pinyin without tones): how a name written in one
script is found in the other ("Qingniao" and "青鸟", "Shanghai" and "上海").

The readings come from pypinyin's table by code point, loaded once and without the
rest of the package (the table is about 12 MB; the package's phrase tables another
57 MB). A character with several readings is read by its first. Without pypinyin
nothing is romanised and names are matched only as written.
"""

from __future__ import annotations

import importlib.util
import re
import threading
import unicodedata
from functools import lru_cache
from pathlib import Path

HAN = re.compile(r"[\u3400-\u9fff]+")

_table: dict[int, str] | None = None
_lock = threading.Lock()


def _readings() -> dict[int, str]:
    global _table
    with _lock:
        if _table is None:
            _table = {}
            spec = importlib.util.find_spec("pypinyin")
            if spec is not None and spec.origin is not None:
                path = Path(spec.origin).with_name("pinyin_dict.py")
                loaded = importlib.util.spec_from_file_location("_pinyin_table", path)
                if loaded is not None and loaded.loader is not None:
                    module = importlib.util.module_from_spec(loaded)
                    loaded.loader.exec_module(module)
                    _table = dict(module.pinyin_dict)
    return _table


@lru_cache(maxsize=8192)
def reading(ch: str) -> str:
    """The first reading of one Han character without tones ("上" -> "shang"); "" for
    another character or without pypinyin."""
    raw = _readings().get(ord(ch))
    if not raw:
        return ""
    plain = unicodedata.normalize("NFKD", str(raw).split(",")[0])
    return "".join(c for c in plain if not unicodedata.combining(c)).replace("ü", "v")


def syllable_pairs(text: str) -> list[str]:
    """Each two neighbouring characters of each Han run, romanised as one word
    ("上海虹桥" -> ["shanghai", "haihong", "hongqiao"]): the words a name of two
    syllables, written in Latin letters, is searched by."""
    out: list[str] = []
    for run in HAN.findall(text):
        syllables = [reading(ch) for ch in run]
        out += [a + b for a, b in zip(syllables, syllables[1:], strict=False) if a and b]
    return out


def han_for(term: str, text: str) -> str | None:
    """The Han characters of ``text`` whose pinyin is the Latin ``term`` ("qingniao" in
    "会议纪要-青鸟项目" -> "青鸟"): two syllables at least; None when there are none."""
    if len(term) < 4 or not term.isascii() or not term.isalpha():
        return None
    for run in HAN.findall(text):
        syllables = [reading(ch) for ch in run]
        for i in range(len(syllables)):
            joined = ""
            for n, r in enumerate(syllables[i:], 1):
                joined += r
                if joined == term and n >= 2:
                    return str(run[i : i + n])
                if not r or len(joined) >= len(term) or not term.startswith(joined):
                    break
    return None
