"""Chinese time expressions, by the families of Duckling's Chinese time rules
(``Duckling/Time/ZH/Rules.hs``) and JioNLP's time parser: 今天/昨天/前天, 上周/上上周,
上个月, 去年/前年, weekdays in a week (上周日), dates with Chinese numerals
(二零一五年三月三號, 十二月九日), "N天前", 最近N天, quarters, festivals and solar
terms with a year (2024年冬至), and times of day (晚上九点). The text is first
normalised: traditional characters and full-width digits, numerals to digits."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime, timedelta

from agents.timeread.atoms import (
    Atom,
    Clock,
    Rule,
    at,
    full_year,
    last_weekday,
    past_day_of_month,
    past_month,
    past_month_day,
    registrar,
    weekday_in_week,
)
from agents.timeread.calendar import (
    HOLIDAYS,
    Span,
    add,
    day_span,
    floor,
    latest,
    month_span,
    unit,
    year_span,
)
from agents.timeread.english_dates import quarter

RULES: list[Rule] = []
rule = registrar(RULES)

_TRADITIONAL = str.maketrans(
    "號點個週禮這後過來兩時鐘頭節誕國慶勞動兒婦間淩開從於紀還際號",
    "号点个周礼这后过来两时钟头节诞国庆劳动儿妇间凌开从于纪还际号",
)
_WIDE = str.maketrans("０１２３４５６７８９－～：／．", "0123456789-~:/.")
_DIGITS = {"零": 0, "〇": 0, "○": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4}
_DIGITS.update({"五": 5, "六": 6, "七": 7, "八": 8, "九": 9})
_NUMERAL = "零〇○一二两三四五六七八九十百"
# A run of numerals before a unit of time (not after 周/星期/礼拜, where 一..六 name a day).
_NUMERALS_BEFORE_UNIT = re.compile(
    rf"(?<![周期拜第])(?P<n>[{_NUMERAL}]+)(?=\s*(?:年|月|日|号|点|时|分|秒|天|周|个|星期|礼拜|小时|钟头|季度|刻))"
    rf"|(?<=第)(?P<o>[{_NUMERAL}]+)(?=\s*(?:个|季度|周|天))"
    rf"|(?<=[点时])(?P<m>[{_NUMERAL}]+)"
)


def numeral(text: str) -> int | None:
    """二零一五 -> 2015, 十二 -> 12, 二十三 -> 23, 一百 -> 100."""
    if all(c in _DIGITS for c in text):
        return int("".join(str(_DIGITS[c]) for c in text))
    total, current = 0, 0
    for c in text:
        if c in _DIGITS:
            current = _DIGITS[c]
        elif c == "十":
            total += (current or 1) * 10
            current = 0
        elif c == "百":
            total += (current or 1) * 100
            current = 0
        else:
            return None
    return total + current


# "一点" that is "a little": no part of a day or day before it, no minutes after it.
_A_LITTLE = re.compile(r"一点(?![钟半刻零〇一二三四五六七八九十\d]|\s*\d)")
_TIME_BEFORE = re.compile(r"(?:天|晚|早|午|晨|夜|上|号|日|凌)\s*$")


def normalise(text: str) -> str:
    """Lower case, simplified characters, ASCII digits, numerals before units as digits."""
    text = text.lower().translate(_TRADITIONAL).translate(_WIDE)

    def digits(m: re.Match[str]) -> str:
        raw = m.group(0)
        if (
            raw == "一"
            and _A_LITTLE.match(text, m.start())
            and not _TIME_BEFORE.search(text[: m.start()])
        ):
            return raw  # "一点" is "a little" unless a time stands around it
        value = numeral(raw)
        return raw if value is None else str(value)

    return _NUMERALS_BEFORE_UNIT.sub(digits, text)


REL_DAY = {"大前天": -3, "前天": -2, "昨天": -1, "昨日": -1, "今天": 0, "今日": 0, "今儿": 0}
REL_DAY.update({"明天": 1, "明日": 1, "后天": 2, "大后天": 3})
REL_WEEK = {"上上": -2, "上": -1, "这": 0, "本": 0, "今": 0, "下": 1, "下下": 2}
REL_YEAR = {"大前年": -3, "前年": -2, "去年": -1, "今年": 0, "本年": 0, "明年": 1, "后年": 2}
REL_YEAR["大后年"] = 3
REL_MONTH = {"上上个月": -2, "上个月": -1, "上月": -1, "这个月": 0, "本月": 0, "当月": 0}
REL_MONTH.update({"下个月": 1, "下月": 1, "下下个月": 2})
WEEKDAY = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6, "末": 7}
WEEKDAY.update({str(i): i - 1 for i in range(1, 8)})
UNIT = {"分钟": "minute", "分": "minute", "小时": "hour", "钟头": "hour", "天": "day", "日": "day"}
UNIT.update({"周": "week", "星期": "week", "礼拜": "week", "月": "month", "年": "year"})
UNIT["季度"] = "quarter"
# Parts of a day: the hours they cover, and how an hour said with them is read.
# Parts of a day, and the hours they cover (JioNLP's readings).
PARTS = {
    "凌晨": (0, 5),
    "半夜": (0, 5),
    "清晨": (5, 8),
    "早上": (6, 10),
    "早晨": (6, 10),
    "上午": (7, 12),
    "中午": (12, 14),
    "午后": (13, 18),
    "下午": (13, 18),
    "傍晚": (17, 19),
    "晚上": (18, 24),
    "晚间": (18, 24),
    "夜里": (20, 24),
    "夜间": (20, 24),
    "深夜": (23, 24),
}
_PM = {"下午", "午后", "傍晚", "晚上", "晚间", "夜里", "夜间", "深夜"}
_ALT = "|".join
_WEEK = r"(?:个)?(?:周|星期|礼拜)"
REL_W = r"(?P<rel>上上|上|这|本|今|下下|下)"


def _alts(words: Iterable[str]) -> str:
    return "(?:" + _ALT(sorted(words, key=len, reverse=True)) + ")"


# ---- days, weeks, months, years relative to now ----------------------------------------


@rule(r"(?P<w>" + _alts(REL_DAY) + ")")
def _rel_day(m: re.Match[str], now: datetime) -> Atom | None:
    return at(unit(now, "day", REL_DAY[m["w"]]), "day")


@rule(r"(?P<d>今|昨|明|前)(?P<p>早|晨|晚|夜)(?!饭|餐|点)")
def _day_part(m: re.Match[str], now: datetime) -> Atom | None:
    day = floor(now, "day") + timedelta(days={"今": 0, "昨": -1, "明": 1, "前": -2}[m["d"]])
    a, b = PARTS["早上"] if m["p"] in "早晨" else PARTS["晚上"]
    return at(Span(day + timedelta(hours=a), day + timedelta(hours=b), "hour"), "part-of-day")


@rule(REL_W + _WEEK + r"(?![1-7一二三四五六日天末])")
def _rel_week(m: re.Match[str], now: datetime) -> Atom | None:
    return at(unit(now, "week", REL_WEEK[m["rel"]]), "week")


@rule(r"(?:" + REL_W + r"(?:个)?)?(?:周|星期|礼拜)(?P<wd>[1-7一二三四五六日天末])")
def _weekday(m: re.Match[str], now: datetime) -> Atom | None:
    from agents.timeread.english import weekend

    wd = WEEKDAY[m["wd"]]
    if wd == 7:  # 周末
        return at(weekend(now, REL_WEEK[m["rel"]] if m["rel"] else 0))
    if m["rel"] is None:
        return at(last_weekday(now, wd, strictly=False), "weekday", extras={"wd": wd})
    return at(weekday_in_week(now, wd, REL_WEEK[m["rel"]]), "weekday", extras={"wd": wd})


@rule(r"(?P<w>" + _alts(REL_MONTH) + r")(?![\d])")
def _rel_month(m: re.Match[str], now: datetime) -> Atom | None:
    return at(unit(now, "month", REL_MONTH[m["w"]]), "month")


@rule(r"(?P<w>" + _alts(REL_YEAR) + r")(?![\d])")
def _rel_year(m: re.Match[str], now: datetime) -> Atom | None:
    return at(unit(now, "year", REL_YEAR[m["w"]]), "year")


@rule(r"(?P<rel>上|这|本|下)(?:个)?季度")
def _rel_quarter(m: re.Match[str], now: datetime) -> Atom | None:
    return at(unit(now, "quarter", REL_WEEK[m["rel"]]))


@rule(r"(?P<n>\d+|半)\s*(?:个)?\s*(?P<u>" + _alts(UNIT) + r")\s*(?P<w>以前|之前|前|以后|之后|后)")
def _ago(m: re.Match[str], now: datetime) -> Atom | None:
    """ "三天前" is that day, "两周前" that week, "两年前" that year (JioNLP's reading)."""
    grain = UNIT[m["u"]]
    if m["u"] in ("分", "日") and m["w"] == "后":
        return None  # "9点30分后" is a time, not a shift
    sign = 1 if "前" in m["w"] else -1
    if m["n"] == "半":  # 半年前: six months; 半个月前: fifteen days
        if grain not in ("year", "month"):
            return None
        n, grain = (6, "month") if grain == "year" else (15, "day")
        return at(unit(add(now, -sign * n, grain), grain))
    shifted = add(now, -sign * int(m["n"]), grain)
    return at(unit(shifted, grain if grain not in ("second",) else "second"))


@rule(
    r"(?:过去|最近|近|这)\s*(?P<n>\d+)\s*(?:个)?\s*(?P<u>天|日|周|星期|礼拜|月|年|小时)"
    r"(?:里|内|中|以来|来)?"
)
def _last_n(m: re.Match[str], now: datetime) -> Atom | None:
    """ "最近三天": the three days up to now; months and years from the start of a day."""
    grain = UNIT[m["u"]]
    n = int(m["n"])
    if n < 1:
        return None
    start = add(now, -n, grain)
    if grain in ("month", "year"):
        start = floor(start, "day")
    return at(Span(start, now, grain), "range")


_MONTH_PARTS = {"初": (1, 5), "上旬": (1, 10), "中旬": (11, 20), "下旬": (21, 31)}
_MONTH_PARTS.update({"底": (25, 31), "末": (25, 31)})
_YEAR_PARTS = {"初": (1, 2), "底": (11, 12), "末": (11, 12), "上半年": (1, 6), "下半年": (7, 12)}


@rule(
    r"(?:(?P<y>\d{4})\s*年|(?P<ry>" + _alts(REL_YEAR) + r"))?\s*的?\s*"
    r"(?:(?P<m>\d{1,2})\s*月份?|(?P<rm>" + _alts(REL_MONTH) + r")|(?P<bare>月))"
    r"\s*(?P<part>初|上旬|中旬|下旬|底|末)",
    2,
)
def _part_of_month(m: re.Match[str], now: datetime) -> Atom | None:
    a, b = _MONTH_PARTS[m["part"]]
    year = int(m["y"]) if m["y"] else now.year + REL_YEAR[m["ry"]] if m["ry"] else None

    def piece(month_span_: Span | None) -> Span | None:
        if month_span_ is None:
            return None
        first = month_span_.start
        last = min(first.replace(day=1) + timedelta(days=b - 1), month_span_.end - timedelta(1))
        return Span(first.replace(day=a), last + timedelta(days=1), "day")

    if m["rm"] or m["bare"]:
        return at(piece(unit(now, "month", REL_MONTH.get(m["rm"] or "本月", 0))), "range")
    month = int(m["m"])
    if year is not None:
        return at(piece(month_span(year, month)), "range")
    return at(latest(lambda k: piece(month_span(now.year + k, month)), now), "range")


@rule(
    r"(?:(?P<y>\d{4})\s*年|(?P<ry>" + _alts(REL_YEAR) + r"))?\s*的?\s*"
    r"(?P<part>年初|年底|年末|上半年|下半年|初|底|末)",
    2,
)
def _part_of_year(m: re.Match[str], now: datetime) -> Atom | None:
    part = m["part"].removeprefix("年") if m["part"] not in ("上半年", "下半年") else m["part"]
    if len(m["part"]) == 1 and not (m["y"] or m["ry"]):
        return None  # "底" alone is no time
    a, b = _YEAR_PARTS[part]

    def piece(year: int) -> Span | None:
        first, last = month_span(year, a), month_span(year, b)
        return Span(first.start, last.end, "month") if first and last else None

    if m["y"]:
        return at(piece(int(m["y"])), "range")
    if m["ry"]:
        return at(piece(now.year + REL_YEAR[m["ry"]]), "range")
    return at(latest(lambda k: piece(now.year + k), now), "range")


# ---- dates -------------------------------------------------------------------------------

YEAR = (
    r"(?:(?P<y>\d{4})\s*年|(?P<yy>\d{2})\s*年(?=\s*\d{1,2}\s*月)|(?P<ry>" + _alts(REL_YEAR) + r"))"
)
MONTH = r"(?:(?P<m>\d{1,2})\s*月份?|(?P<rm>" + _alts(REL_MONTH) + r"))"
DAY = r"(?:(?P<d>\d{1,2})\s*[日号])"


def _year_of(m: re.Match[str], now: datetime) -> int | None:
    if m["y"]:
        return int(m["y"])
    if m["yy"]:
        return full_year(int(m["yy"]), now)
    if m["ry"]:
        return now.year + REL_YEAR[m["ry"]]
    return None


def date_of(m: re.Match[str], now: datetime) -> Atom | None:
    """A date from any of year, month and day (absolute or relative); what the text
    leaves open is read in the past."""
    year = _year_of(m, now)
    month = int(m["m"]) if m["m"] else None
    if m["rm"]:
        first = unit(now, "month", REL_MONTH[m["rm"]]).start
        year, month = first.year, first.month
    day = int(m["d"]) if m["d"] else None
    if month is not None and not 1 <= month <= 12:
        return None
    if day is not None:
        if month is None and year is None:
            return at(past_day_of_month(now, day), "day")
        if month is None:
            return None
        if year is None:

            def redo_day(y: int, _m: int | None) -> Span | None:
                return day_span(y, month, day)

            return at(past_month_day(now, month, day), "day", month=month, redo=redo_day)
        return at(day_span(year, month, day), "day", year=year, month=month)
    if month is not None:
        if year is None:

            def redo_month(y: int, _m: int | None) -> Span | None:
                return month_span(y, month)

            return at(past_month(now, month), "month", month=month, redo=redo_month)
        return at(month_span(year, month), "month", year=year, month=month)
    if year is not None and (m["y"] or m["yy"]):
        return at(year_span(year), "year", year=year)
    return None


@rule(YEAR + r"?\s*的?\s*" + MONTH + r"?\s*" + DAY + r"?", 1)
def _date(m: re.Match[str], now: datetime) -> Atom | None:
    if not (m["m"] or m["rm"] or m["d"] or m["y"] or m["yy"]):
        return None
    if m["ry"] and not (m["m"] or m["d"]) or m["rm"] and not m["d"]:
        return None  # 去年 alone, 上个月 alone: read by their own rules
    return date_of(m, now)


@rule(r"(?P<y>\d{4})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})(?![\d])")
def _numeric_date(m: re.Match[str], now: datetime) -> Atom | None:
    return at(day_span(int(m["y"]), int(m["m"]), int(m["d"])), "day", year=int(m["y"]))


@rule(r"(?:(?P<y>\d{4})\s*年)?(?:第)?(?P<q>[1-4])\s*季度|(?P<y2>\d{4})\s*年\s*q(?P<q2>[1-4])")
def _quarter(m: re.Match[str], now: datetime) -> Atom | None:
    q = int(m["q"] or m["q2"])
    year = m["y"] or m["y2"]
    if year:
        return at(quarter(int(year), q))
    return at(latest(lambda k: quarter(now.year + k, q), now))


@rule(r"(?P<a>\d{2,4})\s*年代")
def _decade(m: re.Match[str], now: datetime) -> Atom | None:
    value = int(m["a"])
    start = value if value >= 1000 else 1900 + value if value >= 10 else 2000 + value
    if start % 10:
        return None
    return at(Span(datetime(start, 1, 1), datetime(start + 10, 1, 1), "year"))


# ---- ranges whose end leaves out what the start says -------------------------------------

DASH = r"\s*(?:到|至|-|—+|–|~|－)\s*"


@rule(
    YEAR
    + r"?\s*(?P<m>\d{1,2})\s*月\s*(?P<d1>\d{1,2})\s*[日号]?"
    + DASH
    + r"(?P<d2>\d{1,2})\s*[日号]",
    3,
)
def _day_range(m: re.Match[str], now: datetime) -> Atom | None:
    year = _year_of(m, now)
    month, d1, d2 = int(m["m"]), int(m["d1"]), int(m["d2"])
    if year is None:
        first = past_month_day(now, month, d1)
        year = first.start.year if first else None
    if year is None or d2 < d1:
        return None
    a, b = day_span(year, month, d1), day_span(year, month, d2)
    return at(Span(a.start, b.end, "day") if a and b else None, "range")


@rule(
    YEAR + r"?\s*(?P<m1>\d{1,2})\s*月?" + DASH + r"(?P<m2>\d{1,2})\s*月(?!\s*\d{1,2}\s*[日号])", 2
)
def _month_range(m: re.Match[str], now: datetime) -> Atom | None:
    year = _year_of(m, now)
    m1, m2 = int(m["m1"]), int(m["m2"])
    if not 1 <= m1 <= m2 <= 12:
        return None
    if year is None:
        first = past_month(now, m1)
        year = first.start.year if first else None
    a, b = month_span(year, m1) if year else None, month_span(year, m2) if year else None
    return at(Span(a.start, b.end, "month") if a and b else None, "range")


@rule(r"(?P<a>\d{4})\s*年?" + DASH + r"(?P<b>\d{4})\s*年", 2)
def _year_range(m: re.Match[str], now: datetime) -> Atom | None:
    a, b = int(m["a"]), int(m["b"])
    return at(Span(datetime(a, 1, 1), datetime(b + 1, 1, 1), "year"), "range") if a <= b else None


# ---- festivals and solar terms -----------------------------------------------------------

ZH_HOLIDAYS = {name: make for name, make in HOLIDAYS.items() if not name.isascii()}
# Solar terms (and a festival) that are also everyday words: read only with a year.
_EVERYDAY_WORDS = set(
    "雨水 惊蛰 谷雨 小满 芒种 小暑 大暑 处暑 白露 寒露 霜降 小雪 大雪 小寒 大寒 小年".split()
)


@rule(YEAR + r"?\s*的?\s*(?P<name>" + _alts(ZH_HOLIDAYS) + r")", 2)
def _holiday(m: re.Match[str], now: datetime) -> Atom | None:
    make = ZH_HOLIDAYS[m["name"]]
    year = _year_of(m, now)
    if year is not None:
        return at(make(year), "day")
    if m["name"] in _EVERYDAY_WORDS:  # "外面下大雪": weather, not the solar term
        return None
    return at(latest(lambda k: make(now.year + k), now), "day")


# ---- times of day ------------------------------------------------------------------------


@rule(
    r"(?P<p>" + _alts(PARTS) + r")?\s*(?P<h>\d{1,2})\s*[点时]"
    r"(?:(?P<q>一刻|三刻|1刻|3刻)|\s*(?P<mi>\d{1,2})\s*分(?:\s*(?P<sec>\d{1,2})\s*秒)?|\s*(?P<mi2>\d{2})|(?P<half>半))?"
)
def _clock(m: re.Match[str], now: datetime) -> Atom | None:
    hour = int(m["h"])
    part = m["p"]
    if part in _PM and hour < 12 or part == "中午" and hour < 6:
        hour += 12
    if hour > 24:
        return None
    hour %= 24
    raw = m["mi"] or m["mi2"]
    minute = int(raw) if raw else 30 if m["half"] else None
    if m["q"]:
        minute = 15 if m["q"] in ("一刻", "1刻") else 45
    if minute is not None and minute > 59:
        return None
    second = int(m["sec"]) if m["sec"] else None
    if second is not None and second > 59:
        return None
    start = timedelta(hours=hour, minutes=minute or 0, seconds=second or 0)
    grain = "hour" if minute is None else "minute" if second is None else "second"
    step = {"hour": timedelta(hours=1), "minute": timedelta(minutes=1)}.get(
        grain, timedelta(seconds=1)
    )
    ambiguous = part is None and 1 <= hour <= 12
    return Atom(0, 0, clock=Clock(start, start + step, grain, ambiguous))


@rule(r"(?P<p>" + _alts(PARTS) + r")")
def _part(m: re.Match[str], now: datetime) -> Atom | None:
    a, b = PARTS[m["p"]]
    return Atom(0, 0, clock=Clock(timedelta(hours=a), timedelta(hours=b), "hour"), kind="part")
