"""What kind of value a question asks for, and where values of that kind are in a line.

Kinds: amount (prices, totals, budgets), quantity (a number with its unit: "300 g",
"8.42 km", "175 °C"), date, time, duration, person, place, identifier (numbers,
codes, references, seats, commits), count and yes/no (the line that says so). Questions are read in
English and Chinese; values are found by patterns that cover both, with
full-width digits and punctuation read as their ASCII forms.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

KINDS = (
    "amount",
    "quantity",
    "date",
    "time",
    "duration",
    "person",
    "place",
    "identifier",
    "count",
    "yesno",
)

_ZH_NUM = "零〇一二两三四五六七八九十百千万亿"
_NUM = rf"(?:\d[\d,.'\u2009 ]*\d|\d|[{_ZH_NUM}]+)"
_MONTHS = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|jun(?:e)?|jul(?:y)?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_DAYS = (
    r"(?:mon(?:day)?|tue(?:s(?:day)?)?|wed(?:nesday)?|thu(?:r(?:s(?:day)?)?)?|fri(?:day)?"
    r"|sat(?:urday)?|sun(?:day)?)"
)
_CURRENCY = r"(?:USD|EUR|GBP|CHF|CNY|RMB|JPY|HKD|AUD|CAD|SEK|NOK|DKK|PLN|INR|SGD)"
_ZH_CURRENCY = r"(?:万元|元|块钱|块|美元|欧元|英镑|日元|港币|港元|亿元)"
# Units of a quantity, by family (durations and money are kinds of their own).
UNITS = {
    "mass": (
        r"kg|g|mg|lbs?|oz|grams?|kilograms?|kilos?|pounds?|ounces?",
        r"千克|公斤|克|毫克|斤|两",
    ),
    "volume": (
        r"ml|cl|dl|l|litres?|liters?|millilitres?|milliliters?|cups?|tsp|tbsp|teaspoons?"
        r"|tablespoons?|gallons?",
        r"毫升|升|勺|杯",
    ),
    "length": (
        r"km|m|cm|mm|mi|miles?|ft|feet|foot|metres?|meters?|kilometres?|kilometers?"
        r"|centimetres?|centimeters?",
        r"公里|千米|米|厘米|毫米",
    ),
    "energy": (r"kcal|cal|calories?|kj|kwh", r"千卡|大卡|卡路里|千焦"),
    "temperature": (r"°\s?[CF]|degrees?(?:\s(?:celsius|fahrenheit))?", r"摄氏度|度|℃"),
    "data": (r"kb|mb|gb|tb", r"兆|字节"),
}
_EN_UNITS = "|".join(en for en, _ in UNITS.values())
_ZH_UNITS = "|".join(zh for _, zh in UNITS.values())

PATTERNS: dict[str, re.Pattern[str]] = {
    "amount": re.compile(
        "|".join(
            [
                rf"(?:[$€£¥￥]|{_CURRENCY}|人民币)\s?-?\d[\d,.'\u2009 ]*\d(?:\s?{_ZH_CURRENCY})?",
                rf"(?:[$€£¥￥]|{_CURRENCY})\s?\d",
                rf"-?\d[\d,.'\u2009]*\s?(?:[$€£¥￥]|{_CURRENCY}\b|{_ZH_CURRENCY}|dollars?|euros?|pounds?|francs?)",
                rf"[{_ZH_NUM}]+(?:点[{_ZH_NUM}]+)?{_ZH_CURRENCY}",
                r"(?<![\d:/.-])\d{1,3}(?:,\d{3})+(?:\.\d{1,2})?(?![\d:/])",
                r"(?<![\d:/.-])\d+\.\d{2}(?![\d:/.])",
            ]
        ),
        re.IGNORECASE | re.ASCII,
    ),
    "quantity": re.compile(
        "|".join(
            [
                rf"(?<![\w.,:])\d+(?:[.,]\d+)?\s?(?:{_EN_UNITS})(?![A-Za-z0-9])",
                rf"(?<![\d.])(?:\d+(?:\.\d+)?|[{_ZH_NUM}]+)\s?(?:{_ZH_UNITS})",
            ]
        ),
        re.IGNORECASE,
    ),
    "date": re.compile(
        "|".join(
            [
                r"\b\d{4}[-/.]\d{1,2}[-/.]\d{1,2}\b",
                r"\b\d{1,2}[/.]\d{1,2}[/.]\d{2,4}\b",
                rf"\b(?:{_DAYS},?\s+)?\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTHS}\.?(?:,?\s+\d{{4}})?\b",
                rf"\b(?:{_DAYS},?\s+)?{_MONTHS}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+\d{{4}})?\b",
                rf"\b{_DAYS}\b",
                r"\b(?:today|tomorrow|yesterday|tonight)\b",
                rf"(?:\d{{2,4}}|[{_ZH_NUM}]{{2,4}})年(?:\d{{1,2}}|[{_ZH_NUM}]{{1,3}})月(?:(?:\d{{1,2}}|[{_ZH_NUM}]{{1,3}})[日号])?",
                rf"(?:\d{{1,2}}|[{_ZH_NUM}]{{1,3}})月(?:\d{{1,2}}|[{_ZH_NUM}]{{1,3}})[日号]",
                r"(?:星期|周|礼拜)[一二三四五六日天]",
                r"(?:今天|明天|后天|昨天|前天|下周[一二三四五六日天]?|本周[一二三四五六日天]?|月底|月初)",
            ]
        ),
        re.IGNORECASE | re.ASCII,
    ),
    "time": re.compile(
        "|".join(
            [
                r"(?:上午|下午|晚上|中午|早上|凌晨|傍晚)?\s?\b\d{1,2}[:：.]\d{2}(?::\d{2})?\b(?:\s?[ap]\.?m\.?)?",
                r"\b\d{1,2}\s?[ap]\.?m\.?(?![a-z])",
                rf"(?:上午|下午|晚上|中午|早上|凌晨|傍晚)?(?:\d{{1,2}}|[{_ZH_NUM}]{{1,3}})点(?:半|一刻|三刻|(?:\d{{1,2}}|[{_ZH_NUM}]{{1,3}})分?)?",
                r"\b(?:noon|midnight)\b",
            ]
        ),
        re.IGNORECASE | re.ASCII,
    ),
    "duration": re.compile(
        "|".join(
            [
                r"\b\d+h\s?\d{1,2}m(?:\s?\d{1,2}s)?\b|\b\d+m\s?\d{1,2}s\b|\b\d+(?:\.\d+)?s\b",
                r"\b\d+(?:[.,]\d+)?\s?(?:h|hrs?|hours?)(?:\s?\d{1,2}\s?(?:m|min|mins|minutes?))?\b",
                r"\b\d+(?:[.,]\d+)?\s?(?:m|min|mins|minutes?|days?|nights?|weeks?|months?|years?|yrs?|seconds?|secs?)\b",
                r"\b(?:an?|one|two|three|four|five|six|seven|eight|nine|ten|twelve)\s+(?:hours?|minutes?|days?|nights?|weeks?|months?|years?)\b",
                rf"(?:\d+(?:\.\d+)?|[{_ZH_NUM}]+|半)(?:个)?(?:半)?(?:小时|钟头)(?:半|(?:\d+|[{_ZH_NUM}]+)分(?:钟)?)?",
                rf"(?:\d+|[{_ZH_NUM}]+)分(?:\d+|[{_ZH_NUM}]+)秒",
                rf"(?:\d+(?:\.\d+)?|[{_ZH_NUM}]+|半)(?:个)?(?:半)?(?:分钟|天|晚|周|星期|个月|年|秒)(?:半)?",
            ]
        ),
        re.IGNORECASE | re.ASCII,
    ),
    "person": re.compile(
        "|".join(
            [
                r"\b(?:Dr|Mr|Mrs|Ms|Prof)\.?\s+[A-Z][a-z]+(?:\s+[A-Z][a-z'-]+)?",
                r"\b[A-Z][a-z]+(?:[-'][A-Z]?[a-z]+)?\s+(?:(?:van|von|de|da|del|di|le)\s+)?[A-Z][a-z]+(?:[-'][A-Z]?[a-z]+)?\b",
                # A Chinese name: a common surname and one or two characters, standing
                # alone (after a label, a space or a preposition such as 和, 与, 由) and
                # followed by an end, a title or a common verb or particle.
                r"(?:(?<![\u4e00-\u9fff])|(?<=[和与跟同给由是找问叫请让被对向]))"
                r"(?:欧阳|司马|诸葛|上官|[王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹"
                r"彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦"
                r"邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤])"
                r"(?:[\u4e00-\u9fff]{2}(?=$|[^\u4e00-\u9fff]|[的说吃见在发打来去回等负和是也会要])"
                r"|[\u4e00-\u9fff])(?:先生|女士|小姐|经理|老师|医生|总|博士|教授)?",
            ]
        ),
        re.ASCII,
    ),
    "place": re.compile(
        "|".join(
            [
                r"\b\d+[A-Za-z]?\s+(?:[A-Z][a-z]+\s+){0,3}(?:Street|St|Road|Rd|Avenue|Ave|Lane|Ln|Boulevard|Blvd|Way|Square|Sq|Place|Pl|Drive|Dr|Strasse|Straße|Platz|Gasse|Rua|Calle|Via)\b\.?",
                r"\b(?:Room|Rm|Gate|Terminal|Platform|Hall|Building|Floor|Level|Suite|Office|Desk|Table)\s+[A-Z0-9][A-Za-z0-9.-]*",
                r"\b(?:at|in|to|from|near)\s+(?:the\s+)?([A-Z][\w'-]+(?:\s+(?:[A-Z][\w'-]+|de|da|do|dos|das|del|di|du|am|an|la|le)){0,4})",
                r"[A-Z][\w'-]+(?:\s+[A-Z][\w'-]+){0,3}\s+(?:Hotel|Airport|Station|Hospital|Clinic|Centre|Center|Museum|Park|Cafe|Café|Restaurant|Bar|Library|Office|Hall|Arena|Theatre|Theater|Bistro)"
                r"(?:\s+(?:(?:de|do|da|dos|das|del|di|du|la|le|am|an)\s+)?[A-Z][\w'-]+){0,3}",
                r"\b(?:Hotel|Hostel|Motel|Restaurant|Café|Cafe|Museum|Hospital|Theatre|Theater)"
                r"(?:\s+(?:(?:de|do|da|dos|das|del|di|du|la|le|am|an)\s+)?[A-Z][\w'-]+){1,3}",
                r"[\u4e00-\u9fffA-Za-z0-9]{1,12}(?:路|街|大道|巷|号楼|号|楼|层|室|厅|馆|酒店|宾馆|机场|车站|火车站|地铁站|站|中心|大厦|广场|会议室|餐厅|饭店|医院|公园|学校|大学|银行|商场|诊所|体育场|体育馆|剧院|影院|场|店|市|区|县|镇|村|省)(?:[A-Z]座|\d+号)?(?:[（(][^）)]{1,12}[）)])?",
                r"(?<=在)[\u4e00-\u9fffA-Za-z0-9]{2,12}(?:[（(][^）)]{1,12}[）)])?(?=见|开会|碰面|集合|举行|吃饭|等)",
                # Where one stays or eats: "入住西溪悦榕庄，", "晚餐在外婆家（湖滨店）".
                r"(?<=入住|住在|下榻)[\u4e00-\u9fffA-Za-z0-9]{2,12}?(?:[（(][^）)]{1,12}[）)])?(?=[，,。；;！!\s]|$)",
                r"(?<=[在于])[\u4e00-\u9fffA-Za-z0-9]{2,12}[（(][^）)]{1,12}[）)]",
            ]
        ),
        re.ASCII,
    ),
    "identifier": re.compile(
        "|".join(
            [
                r"\b[A-Z]{1,4}[- ]?\d{2,}[A-Z0-9-]*\b",
                r"\b(?=[A-Z0-9-]*\d)(?=[A-Z0-9-]*[A-Z])[A-Z0-9][A-Z0-9-]{3,}\b",
                r"\b\d{1,3}[A-K]\b",
                r"#\s?[A-Za-z0-9-]{3,}",
                r"\b(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{7,40}\b",
                r"(?<![\d.,:/])\d[\d-]{4,}\d(?![\d.,:/])",
                r"\b[A-Za-z0-9]+(?:[._-][A-Za-z0-9]+)*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+\b",
                r"\+?\d[\d ()-]{7,}\d",
            ]
        ),
        re.ASCII,
    ),
    "count": re.compile(rf"\b\d+\b|[{_ZH_NUM}]+(?=[个位人张件台间本份次条])", re.ASCII),
}
# The identifier patterns are case-insensitive as a whole, but codes must hold a digit.
_HAS_DIGIT = re.compile(r"\d")

# Cues in a question, per kind: strong ones ask (how much, when, who, 多少钱, 几点),
# weak ones name a thing that has such a value (price, seat, 预算, 编号). English cues
# are matched as words, Chinese ones as substrings.
_STRONG: dict[str, str] = {
    "amount": r"how much|多少钱|多少元|几块钱|花了多少|付了多少",
    "quantity": (
        r"how far|how heavy|how tall|how high|how big|what temperature|how hot|how cold"
        r"|how many (?:grams|kilos|kilograms|pounds|ounces|millilitres|milliliters|litres"
        r"|liters|cups|teaspoons|tablespoons|kilometres|kilometers|km|miles|metres|meters"
        r"|feet|calories|kcal|degrees)|多远|多重|多高|多大|几度|几公里|几斤"
        r"|多少(?:克|千克|公斤|斤|毫升|升|勺|公里|千米|米|厘米|千卡|大卡|卡|度)"
    ),
    "date": (
        r"when|what date|which date|what day|which day|on what day"
        r"|哪天|哪一天|什么时候|几号(?![\u4e00-\u9fff]{0,3}(?:口|门|楼|房|车|座|线|窗|台|柜|位))"
        r"|几月几|星期几|周几|什么日子"
    ),
    "time": r"when|what time|which time|at what time|几点|什么时候|几时|什么时间",
    "duration": (
        r"how long|how many (?:hours|minutes|days|nights|weeks|months|years)|多久|多长时间"
        r"|几天|几个小时|几小时|几分钟|几个月|几晚|几周|几年"
    ),
    "person": r"who|whom|whose|谁|哪位",
    "place": (
        r"where|which city|what city|which country|which place"
        r"|哪里|哪儿|在哪|哪个城市|哪座|哪家|什么地方"
    ),
    "identifier": (
        r"what number|which number|编号是|号码是"
        r"|几号(?=[\u4e00-\u9fff]{0,3}(?:口|门|楼|房|车|座|线|窗|台|柜|位))"
    ),
    "count": r"how many|多少个|几个|几位|几张|几件|几人|多少人|多少位",
}
_WEAK: dict[str, str] = {
    "amount": (
        r"price|prices|cost|costs|total|amount|paid|pay|fee|fees|fare|budget|rent|salary|balance"
        r"|charged?|spend|spent|owe|refund|deposit|worth|bill|价格|价钱|金额|费用|预算|总价"
        r"|总计|合计|花费|支付|房租|租金|工资|余额|报价|票价|退款|押金|账单|总价|实付|价"
    ),
    "date": r"date|deadline|due|birthday|日期|截止|生日",
    "quantity": (
        r"distance|weight|elevation|temperature|height|length|calories|volume|size|距离|重量"
        r"|爬升|海拔|温度|高度|长度|热量|卡路里|千卡|体积|容量"
    ),
    "time": r"time|start|starts|begin|begins|departure|arrival|时间|开始|出发|到达|起飞",
    "duration": r"duration|travel time|journey time|length of stay|时长|历时|用时|耗时|全程",
    "person": (
        r"name of the (?:person|doctor|contact|manager|teacher|sender)|contact|manager|doctor"
        r"|sender|recipient|payee|neighbou?r|friend|colleague|boss|driver|courier|host|guest"
        r"|姓名|联系人|负责人|发件人|收件人|收款人|付款人|经理|医生|邻居|同事|朋友|司机|快递员"
    ),
    "place": (
        r"address|location|venue|room|hotel|restaurant|cafe|bar|station|airport|hospital|clinic"
        r"|museum|theatre|theater|stadium|gym|地址|地点|位置|会议室|房间|酒店|宾馆|餐厅|饭店"
        r"|医院|诊所|车站|机场|场馆|体育馆|健身房"
    ),
    "identifier": (
        r"number|code|reference|ref|id|seat|booking|confirmation|tracking|invoice|order|account"
        r"|iban|pnr|ticket|flight|train|gate|platform|version|phone|email|password|commit|hash"
        r"|sha|revision|编号|单号|号码|代码|提交"
        r"|订单号|座位|航班|车次|工号|账号|电话|邮箱|版本|验证码|门牌|登机口|密码|号"
    ),
}


def _cue(pattern: str) -> re.Pattern[str]:
    parts = pattern.split("|")
    zh = [p for p in parts if re.search(r"[\u4e00-\u9fff]", p)]
    en = [p for p in parts if p not in zh]
    alts = [rf"\b(?:{'|'.join(en)})\b"] if en else []
    alts += zh
    return re.compile("|".join(alts), re.IGNORECASE)


_STRONG_RES = {kind: _cue(p) for kind, p in _STRONG.items()}
_WEAK_RES = {kind: _cue(p) for kind, p in _WEAK.items()}
# Which kind comes first when a question has cues of several.
_PRIORITY = (
    "duration",
    "quantity",
    "amount",
    "count",
    "person",
    "place",
    "date",
    "time",
    "identifier",
    "yesno",
)


# Generic labels of a value of each kind on screens and forms ("Address:", "金额：").
_LABELS = {
    "amount": (
        r"total|amount|price|cost|fee|sum|balance|subtotal"
        r"|金额|总价|总计|合计|实付款|价格|费用|票价|余额"
    ),
    "date": r"date|day|due|deadline|delivery|日期|送达|截止|到期",
    "time": r"time|departure|arrival|start|begins?|时间|出发|到达|开始",
    "duration": r"duration|travel time|journey time|length of stay|时长|历时|用时|耗时|全程|周期",
    "person": (
        r"name|contact|recipient|payee|sender|from|passenger|lead|owner|姓名|联系人|负责人"
        r"|发件人|收件人|收款人|付款人|乘客|代收人|签收人|经办人|申请人|触发人|提交人|审批人|取件人"
    ),
    "place": r"address|location|venue|room|where|place|地址|地点|位置|会议室|场所|场馆|地方",
    "identifier": r"number|no|code|reference|ref|id|编号|单号|号码|代码|流水号|确认号",
    "count": r"count|quantity|qty|数量|人数",
    "quantity": r"distance|weight|elevation|temperature|height|距离|重量|爬升|温度|高度",
}
_LABEL_RES = {kind: _cue(p) for kind, p in _LABELS.items()}


def labels_kind(line: str, kind: str) -> bool:
    """Whether ``line`` carries a generic label of a value of ``kind`` ("Address:",
    "地点：", "Total"): a line labelled for what is asked."""
    cue = _LABEL_RES.get(kind)
    return cue is not None and cue.search(line) is not None


def without_cues(question: str) -> str:
    """The question without its question words of a kind ("how long", "几点", "多少钱"):
    the kind is known, and the words would only be looked for in lines."""
    text = unicodedata.normalize("NFKC", question)
    for kind, cue in _STRONG_RES.items():
        # A quantity's unit stays a term ("多少公里": "公里", "how many grams": "grams").
        text = cue.sub(_unit_of if kind == "quantity" else " ", text)
    return text


def _unit_of(cue: re.Match[str]) -> str:
    unit = re.sub(r"(?i)^(?:how many|多少|几)\s*", "", cue.group(0))
    return f" {unit} " if unit != cue.group(0) else " "


def question_kinds(question: str) -> list[str]:
    """The kinds of value ``question`` asks for, most likely first (empty: any text).

    A question word (how much, when, who, 几点) decides; the things a question names
    (price, seat, 预算) decide only when it has no question word of a kind.
    """
    text = unicodedata.normalize("NFKC", question)
    strong = [k for k, cue in _STRONG_RES.items() if cue.search(text)]
    weak = [k for k, cue in _WEAK_RES.items() if cue.search(text)]
    if "duration" in strong:
        strong = [k for k in strong if k not in ("count", "date", "time")]
    if "quantity" in strong:
        strong = [k for k in strong if k not in ("count", "amount")]
    elif "amount" in strong and "quantity" in weak and "amount" not in weak:
        # "How much elevation …": a quantity first, money after.
        strong = ["quantity", *strong]
    elif "amount" in strong and not _MONEY.search(text) and "amount" not in weak:
        # "How much flour …": money, or else a quantity.
        strong = [*strong, "quantity"]
    if not strong and is_yes_no(text):
        return ["yesno"]
    if strong:
        # "When is the rent due?": a date; what the question names may add a kind
        # of the same family (date and time), never another.
        return sorted(
            strong, key=lambda k: (k == "quantity" and k != strong[0], _PRIORITY.index(k))
        )
    # The thing named first in English ("the confirmation number of the hotel"), last in
    # Chinese ("酒店的确认号"), is the one asked for.
    zh = re.search(r"[\u4e00-\u9fff]", text) is not None
    at = {}
    for k in weak:
        found = list(_WEAK_RES[k].finditer(text))
        at[k] = -found[-1].end() if zh else found[0].start()
    return sorted(weak, key=lambda k: (at[k], _PRIORITY.index(k)))


_MONEY = re.compile(r"(?i)\b(?:money|dollars?|euros?|pounds|yuan)\b|钱|元|块|[$€£¥￥]")
_EN_YES_NO = re.compile(
    r"(?i)^\s*(?:is|are|was|were|do|does|did|has|have|had|can|could|will|would|should|am)\b"
)
_EN_WH = re.compile(r"(?i)\b(?:what|when|where|who|whom|whose|which|why|how)\b")
_ZH_YES_NO = re.compile(r"吗[\s?？。!！]*$|是不是|有没有|是否|能不能|可不可以|了没(?:有)?[\s?？]*$")
_ZH_WH = re.compile(r"什么|哪|几|多少|谁|怎么|如何|为什么")


def is_yes_no(question: str) -> bool:
    """Whether ``question`` asks for a yes or a no ("Did the backup succeed?", "签收了吗？")."""
    text = unicodedata.normalize("NFKC", question)
    if re.search(r"[\u4e00-\u9fff]", text):
        return bool(_ZH_YES_NO.search(text)) and not _ZH_WH.search(text)
    return bool(_EN_YES_NO.match(text)) and not _EN_WH.search(text)


def _names_a_thing(term: str, kinds: list[str]) -> bool:
    cues = [_WEAK[k] for k in (kinds or list(_WEAK)) if k in _WEAK]
    if re.search(r"[\u4e00-\u9fff]", term):
        alts = [a for cue in cues for a in cue.split("|") if re.search(r"[\u4e00-\u9fff]", a)]
        return any((len(alt) >= 2 and alt in term) or alt == term for alt in alts)
    whole = [re.compile(f"(?:{cue})", re.IGNORECASE) for cue in cues]
    return any(c.fullmatch(term) or c.fullmatch(term + "s") for c in whole)


def focus_terms(question_terms: list[str], question: str, kinds: list[str]) -> set[str]:
    """The terms that name the thing asked for ("seat" in "which seat do I have on the
    flight", "订单号" in "国航航班的订单号是什么"): the line that holds one is where the
    value is. English puts that noun first (with the words right after it: "booking
    reference"), Chinese last."""
    named = [t for t in question_terms if _names_a_thing(t, kinds)]
    if not named:
        return set()
    if re.search(r"[\u4e00-\u9fff]", question):
        last = named[-1]
        at = question_terms.index(last)
        if last in ("号", "号码", "编号", "单号") and at > 0:
            return {last, question_terms[at - 1]}  # "提交号": the commit's, not any number
        return {last}
    words = [w.lower() for w in re.findall(r"[^\W_]+", question)]
    stems = [w.rstrip("s") for w in words]
    first = named[0]
    out = {first}
    try:
        at = stems.index(first.rstrip("s"))
    except ValueError:
        return out
    for term in named[1:]:
        nxt = stems[at + 1] if at + 1 < len(stems) else ""
        if term.rstrip("s") == nxt:
            out.add(term)
            at += 1
    return out


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    kind: str

    def text(self, line: str) -> str:
        return line[self.start : self.end]


def spans(line: str, kind: str) -> list[Span]:
    """Values of ``kind`` in ``line``, left to right, without overlaps."""
    out: list[Span] = []
    for m in PATTERNS[kind].finditer(line):
        start, end = m.span(m.lastindex) if kind == "place" and m.lastindex else m.span()
        text = line[start:end].strip(" ,;:：，。")
        if not text:
            continue
        start = line.index(text, start)
        end = start + len(text)
        if kind == "identifier" and not _HAS_DIGIT.search(text) and "@" not in text:
            continue
        if kind == "person" and _not_a_name(text):
            continue
        if re.match(r"\s*[:：]", line[end:]):
            continue  # a label ("Venue:", "场馆："), not a value
        if out and start < out[-1].end:
            if end - start > out[-1].end - out[-1].start:
                out[-1] = Span(start, end, kind)
            continue
        out.append(Span(start, end, kind))
    return out


_NOT_NAMES = re.compile(
    rf"(?i)^(?:{_MONTHS}|{_DAYS}|the|your|our|my|new|total|from|to|subject|dear|hello|hi|"
    r"thank|thanks|best|kind|order|invoice|flight|booking|meeting|project|team|room|page|"
    r"google|microsoft|please|see|view|open|sent|re|fwd|inbox|calendar|today|tomorrow)\b"
)


def _not_a_name(text: str) -> bool:
    if re.search(r"[\u4e00-\u9fff]", text):
        return False
    return any(_NOT_NAMES.match(word) for word in text.split())


def join_date_time(line: str, found: list[Span]) -> list[Span]:
    """A date and a time next to each other (", ", " at ", "T", " 的 ") as one span."""
    ordered = sorted(found, key=lambda s: s.start)
    out: list[Span] = []
    for span in ordered:
        if out and span.start >= out[-1].end:
            gap = line[out[-1].end : span.start]
            pair = {out[-1].kind, span.kind}
            if (
                pair <= {"date", "time"}
                and pair != {"date"}
                and len(gap) <= 5
                and re.fullmatch(r"[\s,，]*(?:at|um|à|T|@|-|–)?[\s,，]*", gap)
            ):
                out[-1] = Span(out[-1].start, span.end, "date")
                continue
        if out and span.start < out[-1].end:
            continue
        out.append(span)
    return out
