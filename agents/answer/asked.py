"""What a question asks for beyond the kind of its value: the unit of a quantity
("how many millilitres": a volume), the kind of a place ("which hotel": a hotel, not
the city), and, for a yes or no, whether the line that answers says yes. And what
is not a question at all ("hi").
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from agents.answer.lexicon import equivalents
from agents.answer.values import UNITS, Span

# What in a question names the unit family of the quantity it asks for.
_FAMILIES = {
    "mass": r"gram|kilo|pound|ounce|weigh|heavy|克|斤|公斤|多重|重量",
    "volume": r"millilit|litre|liter|cup|spoon|gallon|毫升|多少升|几升|勺|杯|容量|体积",
    "length": (
        r"\bfar\b|distance|kilomet|\bkm\b|mile|metre|meter|feet|\btall\b|\bhigh\b|elevation"
        r"|height|length|多远|距离|公里|千米|米|多高|爬升|海拔|高度|长度"
    ),
    "energy": r"calor|kcal|千卡|大卡|卡路里|热量",
    "temperature": r"temperature|degree|\bhot\b|\bcold\b|温度|几度|多少度",
    "data": r"\b[kmgt]b\b|megabyte|gigabyte|file size",
}
_FAMILY_RES = {k: re.compile(p, re.IGNORECASE) for k, p in _FAMILIES.items()}
_UNIT_END = {k: re.compile(rf"(?:{en})$|(?:{zh})$", re.IGNORECASE) for k, (en, zh) in UNITS.items()}

# Places of a kind: a question that names one wants the place that is one.
_VENUES = (
    "hotel",
    "motel",
    "hostel",
    "restaurant",
    "cafe",
    "café",
    "bar",
    "pub",
    "station",
    "airport",
    "hospital",
    "clinic",
    "museum",
    "theatre",
    "theater",
    "stadium",
    "arena",
    "gym",
    "hall",
    "酒店",
    "宾馆",
    "餐厅",
    "饭店",
    "医院",
    "诊所",
    "车站",
    "机场",
    "体育馆",
    "体育场",
    "剧院",
    "博物馆",
    "健身房",
)

# A line that says no: a negation, a failure, a cancellation.
_NEGATIVE = re.compile(
    r"(?i)\b(?:not|no|never|none|nothing|failed|fails|failure|unsuccessful|cancell?ed"
    r"|declined|rejected|denied|missing|unpaid|overdue|expired|excluded|without|isn't|wasn't"
    r"|aren't|weren't|didn't|doesn't|don't|hasn't|haven't|hadn't|won't|can't|cannot)\b"
    r"|[不没未无非]|失败|取消|拒绝|过期|错误"
)
# A positive word that holds a negative character ("无误", "不错") says yes.
_NOT_NEGATIVE = re.compile(
    r"(?i)\bno\.|\bno\s*\d|\bnon-|无误|不错|无论|非常|没错|未来|无线|不锈钢|无人机|不限"
)

_GREETING = re.compile(
    r"(?i)^\s*(?:hi|hello|hey|hiya|yo|howdy|good (?:morning|afternoon|evening|night)|thanks?"
    r"|thank you|thx|ok(?:ay)?|bye|goodbye|cheers|你好|您好|嗨|哈喽|早上好|下午好|晚上好"
    r"|晚安|谢谢|多谢|好的|再见|拜拜)(?:\s+(?:there|again|you|all|assistant|mirix))?"
    r"[\s!！.。,，~～?？]*$"
)


@dataclass(frozen=True)
class Asked:
    """The unit family of a quantity asked for ("volume"), the kinds of place named
    ("hotel"), and whether the question itself is put in the negative."""

    family: str | None = None
    venues: tuple[str, ...] = ()
    negative: bool = False


def asked_of(question: str) -> Asked:
    text = unicodedata.normalize("NFKC", question)
    family = next((k for k, cue in _FAMILY_RES.items() if cue.search(text)), None)
    lower = text.lower()
    venues = tuple(
        v for v in _VENUES if (re.search(rf"\b{v}s?\b", lower) if v.isascii() else v in lower)
    )
    return Asked(family, venues, _says_no(text))


def typed(found: list[Span], kind: str, line: str, asked: Asked) -> list[Span]:
    """The values of ``kind`` in ``line`` that are what the question asks for: a quantity
    in the unit family asked ("120 ml", not "300 g", for millilitres); for a kind of
    place, the places that are one ("Memmo Alfama Hotel", not "Lisbon") when there are."""
    if kind == "quantity" and asked.family is not None:
        unit = _UNIT_END[asked.family]
        return [s for s in found if unit.search(s.text(line).strip())]
    if kind == "place" and asked.venues:
        named = [s for s in found if is_venue(s.text(line), asked)]
        return named or found
    return found


def is_venue(place: str, asked: Asked) -> bool:
    """Whether ``place`` is of the kind the question names ("Grande Hotel do Porto" for
    "which hotel"); True when it names none. A place in Chinese is given the benefit of
    the doubt ("西溪悦榕庄" is a hotel without saying so)."""
    if not asked.venues or re.search(r"[\u4e00-\u9fff]", place):
        return True
    words = {w for v in asked.venues for w in (v, *equivalents(v))}
    return any(w in place.lower() for w in words)


def _says_no(text: str) -> bool:
    return bool(_NEGATIVE.search(_NOT_NEGATIVE.sub(" ", text)))


def verdict(line: str, asked: Asked) -> bool:
    """Whether ``line`` answers yes: it says no (a negation, a failure) exactly when the
    question does not ("Did the backup succeed?" over "The backup failed": no)."""
    return _says_no(line) == asked.negative


def is_greeting(text: str) -> bool:
    """Whether ``text`` only greets or thanks ("hi", "谢谢！"): no question to answer."""
    return _GREETING.match(unicodedata.normalize("NFKC", text)) is not None
