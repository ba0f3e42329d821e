"""What makes a value only look like a secret: the labels of order, parcel and booking
numbers, a phone's label, a date; shared by the rules of agents.privacy."""

from __future__ import annotations

import re
from collections.abc import Callable

Span = tuple[int, int]
Emit = Callable[[str, int, int], None]  # a rule reports (kind, start, end)


# A number labelled as one of these is not a card, an ID or a phone.
NOT_SECRET_LABEL = re.compile(
    r"(?i)(?:\b(?:order|invoice|tracking|parcel|package|shipment|shipping|waybill|consignment"
    r"|booking|reservation|confirmation|ticket|reference|ref|receipt|transaction|txn|case"
    r"|claim|item|sku|serial|model|part|product|flight|train|room|policy|account id|customer"
    r"|member(?:ship)?|loyalty|isbn|issue|build|version|commit|request|job|batch)"
    r"(?:\s*(?:no\.?|nr\.?|number|num|#|id|code))?"
    r"|订单|运单|快递|单号|编号|发票|票号|流水号|取件码|物流|预订|凭证|工单|批次|车次|航班)"
    r"\s*(?:is|was|:|：|#|=|为|是)?\s*$"
)
PHONE_LABEL = re.compile(
    r"(?i)(?:phone|tel|telephone|mobile|cell|call|fax|whatsapp|sms|text me|电话|手机|联系)"
    r"[^\n\d]{0,12}$"
)
DATE = re.compile(r"\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{4}")


def label_before(text: str, start: int, pattern: re.Pattern[str], reach: int = 32) -> bool:
    line_start = text.rfind("\n", 0, start) + 1
    return bool(pattern.search(text[max(line_start, start - reach) : start]))
