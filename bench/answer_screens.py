"""Screens of a working day, in English and in Chinese, with questions about them.

Each day is a set of windows (mail, calendar, shop orders, a spreadsheet, a bank
transfer, chat, a hotel booking, a train ticket, meeting notes) drawn with the
WenQuanYi Micro Hei font (fonts-wqy-microhei), which covers Latin and CJK, and
saved as ``YYYYMMDD_HHMMSS.png`` (no hint in the file name). Most screens have
a look-alike (the return flight, another shop's order, last year's budget,
another project's notes), so that finding the right screen is part of the test.
Values (seats, codes, amounts, times) are drawn from a seeded random generator.

Each question names the screen that answers it and the values that count as the
answer; ``split`` is ``dev`` (looked at while building the reader), ``held``
(held out until the reader was built; its misses were then looked at and some
general fixes made, so it is no longer blind) or ``fresh`` (screens and
questions written after that, run once); ``typed`` and ``cross`` (questions by
answer type and across languages, bench/answer_types.py).

    .venv/bin/python bench/answer_screens.py OUT_DIR [--seed 7]
"""

from __future__ import annotations

import argparse
import json
import random
import string
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from bench.answer_types import typed_chinese, typed_english

FONT = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
SIZE = (1280, 800)
Block = tuple[str, ...]  # ("text", s) | ("kv", label, value) | ("row", c1, c2[, c3]) | ("gap",)


@dataclass
class Screen:
    time: str  # HH:MM
    app: str
    title: str
    blocks: list[Block]
    key: str = ""


@dataclass
class Day:
    lang: str
    date: str  # YYYYMMDD
    screens: list[Screen] = field(default_factory=list)
    questions: list[dict[str, object]] = field(default_factory=list)

    def ask(self, question: str, screen: str, *values: str, split: str) -> None:
        self.questions.append(
            {"question": question, "screen": screen, "expected": list(values), "split": split}
        )


def _code(rng: random.Random, n: int) -> str:
    alphabet = "".join(c for c in string.ascii_uppercase + string.digits if c not in "O0I1")
    while True:
        code = "".join(rng.choice(alphabet) for _ in range(n))
        if any(c.isdigit() for c in code) and any(c.isalpha() for c in code):
            return code


def _money(rng: random.Random, low: int, high: int) -> str:
    return f"{rng.randrange(low, high):,}.{rng.randrange(100):02d}"


def english(rng: random.Random) -> Day:
    d = Day("en", "20261202")
    seat, seat2 = f"{rng.randrange(10, 40)}{rng.choice('ACDF')}", f"{rng.randrange(10, 40)}B"
    pnr, pnr2 = _code(rng, 6), _code(rng, 6)
    gate = f"B{rng.randrange(20, 60)}"
    d.screens += [
        Screen(
            "08:12",
            "Thunderbird",
            "Your flight is confirmed - Lufthansa",
            [
                ("kv", "From", "Lufthansa <no-reply@lufthansa.com>"),
                ("kv", "Subject", "Your flight is confirmed"),
                ("gap",),
                ("text", "Dear Anna Weber, thank you for booking with us."),
                ("text", "Flight LH 431 Frankfurt (FRA) to Chicago (ORD)"),
                ("row", "Departure", "Tue 2 Dec 2026, 10:05", f"Terminal 1, Gate {gate}"),
                ("row", "Arrival", "Tue 2 Dec 2026, 12:40", "Chicago O'Hare"),
                ("row", "Seat", seat, "Economy"),
                ("row", "Booking reference", pnr, ""),
                ("text", "Baggage allowance: 1 x 23 kg"),
            ],
            "flight_out",
        ),
        Screen(
            "08:20",
            "Thunderbird",
            "Your return flight is confirmed - Lufthansa",
            [
                ("kv", "From", "Lufthansa <no-reply@lufthansa.com>"),
                ("kv", "Subject", "Your return flight is confirmed"),
                ("gap",),
                ("text", "Flight LH 430 Chicago (ORD) to Frankfurt (FRA)"),
                ("row", "Departure", "Fri 12 Dec 2026, 17:25", "Terminal 5"),
                ("row", "Arrival", "Sat 13 Dec 2026, 08:55", "Frankfurt"),
                ("row", "Seat", seat2, "Economy"),
                ("row", "Booking reference", pnr2, ""),
            ],
            "flight_back",
        ),
    ]
    d.ask("Which seat do I have on the flight to Chicago?", "flight_out", seat, split="dev")
    d.ask("What's the booking reference for my Chicago flight?", "flight_out", pnr, split="dev")
    d.ask("When does my flight to Chicago depart?", "flight_out", "10:05", split="dev")
    d.ask("Which gate does LH 431 leave from?", "flight_out", gate, split="dev")
    d.ask(
        "What seat did I get on the return flight to Frankfurt?", "flight_back", seat2, split="held"
    )
    d.ask("what time does the flight back from Chicago leave", "flight_back", "17:25", split="held")

    d.screens += [
        Screen(
            "09:02",
            "Calendar",
            "Tuesday, 2 December 2026",
            [
                ("text", "Tuesday, 2 December 2026"),
                ("row", "09:30", "Stand-up", "Room Oslo"),
                ("row", "11:00", "Budget review with Maria Lopez", "Room Lima"),
                ("row", "14:00", "Dentist - Dr. Kim", "240 Lake Street"),
                ("row", "18:30", "Yoga class", "Studio Nord"),
            ],
            "cal_tue",
        ),
        Screen(
            "09:05",
            "Calendar",
            "Wednesday, 3 December 2026",
            [
                ("text", "Wednesday, 3 December 2026"),
                ("row", "10:00", "Design review with Tom Berg", "Room Quito"),
                ("row", "13:00", "Lunch with Priya Shah", "Cafe Central"),
                ("row", "16:30", "Call with the bank", "Phone"),
            ],
            "cal_wed",
        ),
    ]
    d.ask("When is the budget review with Maria Lopez?", "cal_tue", "11:00", split="dev")
    d.ask("Where is the dentist appointment?", "cal_tue", "240 Lake Street", split="dev")
    d.ask("Which room is the stand-up in?", "cal_tue", "Oslo", split="held")
    d.ask("Who is the design review with?", "cal_wed", "Tom Berg", split="held")
    d.ask("What time is my lunch with Priya?", "cal_wed", "13:00", split="held")

    order, order2 = f"NW-{rng.randrange(10**6, 10**7)}", f"BH{rng.randrange(10**7, 10**8)}"
    total, total2 = _money(rng, 150, 900), _money(rng, 20, 90)
    tracking = f"1Z{_code(rng, 8)}{rng.randrange(10**5, 10**6)}"
    d.screens += [
        Screen(
            "10:15",
            "Firefox",
            "Order confirmation - Northwind Shop",
            [
                ("text", "Thank you for your order!"),
                ("kv", "Order number", order),
                ("row", "Espresso machine Classic", "1", f"EUR {total}"),
                ("kv", "Order total", f"EUR {total}"),
                ("kv", "Estimated delivery", "Fri 5 Dec 2026"),
                ("kv", "Tracking number", tracking),
                ("text", "Shipping to: Anna Weber, 8 Elm Road, Frankfurt"),
            ],
            "order_nw",
        ),
        Screen(
            "10:40",
            "Firefox",
            "Your order - Bookhaven",
            [
                ("text", "Bookhaven - order received"),
                ("kv", "Order no.", order2),
                ("row", "The Left Hand of Darkness", "1", f"EUR {total2}"),
                ("kv", "Total", f"EUR {total2}"),
                ("kv", "Delivery", "Mon 8 Dec 2026"),
            ],
            "order_bh",
        ),
    ]
    d.ask("How much did the Northwind order cost?", "order_nw", total, split="dev")
    d.ask(
        "What's the tracking number of my Northwind Shop order?", "order_nw", tracking, split="dev"
    )
    d.ask("When will the espresso machine arrive?", "order_nw", "5 Dec", split="held")
    d.ask("What's the order number of the Bookhaven purchase?", "order_bh", order2, split="held")

    rent, rent_old = "1,450.00", "1,380.00"
    power, power_old = _money(rng, 60, 140), _money(rng, 60, 140)
    d.screens += [
        Screen(
            "11:30",
            "LibreOffice Calc",
            "household-budget-2026.ods",
            [
                ("row", "Household budget 2026", "Monthly", "Yearly"),
                ("row", "Rent", rent, "17,400.00"),
                ("row", "Electricity", power, ""),
                ("row", "Internet", "39.99", "479.88"),
                ("row", "Groceries", "420.00", "5,040.00"),
            ],
            "budget_26",
        ),
        Screen(
            "11:34",
            "LibreOffice Calc",
            "household-budget-2025.ods",
            [
                ("row", "Household budget 2025", "Monthly", "Yearly"),
                ("row", "Rent", rent_old, "16,560.00"),
                ("row", "Electricity", power_old, ""),
                ("row", "Internet", "34.99", "419.88"),
            ],
            "budget_25",
        ),
    ]
    d.ask("How much is my monthly rent in the 2026 budget?", "budget_26", rent, split="dev")
    d.ask(
        "What does electricity cost per month in the 2026 budget?", "budget_26", power, split="held"
    )

    amount, invoice = _money(rng, 200, 2000), f"INV-{rng.randrange(1000, 9999)}"
    d.screens.append(
        Screen(
            "13:05",
            "City Bank",
            "Transfer sent - City Bank online banking",
            [
                ("text", "Your transfer has been sent"),
                ("kv", "Recipient", "Paul Meyer"),
                ("kv", "Amount", f"EUR {amount}"),
                ("kv", "Reference", f"Invoice {invoice}"),
                ("kv", "Execution date", "2 Dec 2026"),
            ],
            "bank",
        )
    )
    d.ask("Who did I send money to from City Bank?", "bank", "Paul Meyer", split="dev")
    d.ask("How much did I transfer to Paul Meyer?", "bank", amount, split="held")
    d.ask("What invoice was the bank transfer for?", "bank", invoice, split="held")

    d.screens.append(
        Screen(
            "14:20",
            "Slack",
            "#team - Slack",
            [
                ("text", "Maria Lopez  14:02"),
                ("text", "The workshop moved to Thursday 4 Dec at 15:00, room Lima."),
                ("text", "Tom Berg  14:05"),
                ("text", "Lunch at Cafe Central tomorrow at 12:30?"),
                ("text", "Priya Shah  14:11"),
                ("text", "The new VPN code is K4-7781, please update by Friday."),
            ],
            "slack",
        )
    )
    d.ask("When is the workshop now?", "slack", "4 Dec", split="dev")
    d.ask("What is the new VPN code?", "slack", "K4-7781", split="held")

    conf = f"{rng.randrange(10**9, 10**10)}"
    hotel_price = _money(rng, 900, 1900)
    d.screens += [
        Screen(
            "15:10",
            "Firefox",
            "Booking.com - Palmer House Chicago",
            [
                ("text", "Your booking at Palmer House Chicago is confirmed"),
                ("kv", "Check-in", "Tue 2 Dec 2026, from 15:00"),
                ("kv", "Check-out", "Sat 6 Dec 2026, until 11:00"),
                ("kv", "Length of stay", "4 nights"),
                ("kv", "Address", "17 East Monroe Street, Chicago"),
                ("kv", "Price", f"$ {hotel_price}"),
                ("kv", "Confirmation number", conf),
            ],
            "hotel_chi",
        ),
        Screen(
            "15:25",
            "Firefox",
            "Booking.com - Motel One Frankfurt",
            [
                ("text", "Your booking at Motel One Frankfurt is confirmed"),
                ("kv", "Check-in", "Sat 13 Dec 2026, from 14:00"),
                ("kv", "Check-out", "Sun 14 Dec 2026, until 12:00"),
                ("kv", "Length of stay", "1 night"),
                ("kv", "Address", "Eschersheimer Landstrasse 1, Frankfurt"),
                ("kv", "Price", "EUR 109.00"),
            ],
            "hotel_fra",
        ),
    ]
    d.ask("How many nights is the Palmer House stay?", "hotel_chi", "4 nights", split="dev")
    d.ask(
        "What's the confirmation number of the Palmer House booking?",
        "hotel_chi",
        conf,
        split="dev",
    )
    d.ask(
        "What is the address of the hotel in Chicago?", "hotel_chi", "17 East Monroe", split="held"
    )
    d.ask("How much does the Palmer House cost?", "hotel_chi", hotel_price, split="held")
    d.ask("When do I check out of the Palmer House?", "hotel_chi", "6 Dec", split="held")

    d.screens += [
        Screen(
            "16:00",
            "Firefox",
            "DB Navigator - ICE 1023",
            [
                ("text", "ICE 1023  Frankfurt (Main) Hbf - Koeln Hbf"),
                ("row", "Departure", "17:48", "Platform 7"),
                ("row", "Arrival", "18:52", "Platform 4"),
                ("kv", "Travel time", "1 h 04 min"),
                ("kv", "Coach / seat", "Coach 12, seat 45"),
            ],
            "train",
        ),
        Screen(
            "16:40",
            "Writer",
            "Project Falcon - kickoff notes.odt",
            [
                ("text", "Project Falcon - kickoff notes"),
                ("kv", "Project lead", "Sara Nilsson"),
                ("kv", "Budget", "$ 48,000"),
                ("kv", "Deadline", "19 Jan 2027"),
                ("text", "Next step: the vendor shortlist is due in two weeks."),
            ],
            "falcon",
        ),
        Screen(
            "16:55",
            "Writer",
            "Project Heron - notes.odt",
            [
                ("text", "Project Heron - notes"),
                ("kv", "Project lead", "Jonas Brandt"),
                ("kv", "Budget", "$ 12,500"),
                ("kv", "Deadline", "3 Mar 2027"),
            ],
            "heron",
        ),
    ]
    d.ask("How long is the train ride to Cologne on ICE 1023?", "train", "1 h 04", split="dev")
    d.ask("Who leads Project Falcon?", "falcon", "Sara Nilsson", split="dev")
    d.ask("What is the Falcon budget?", "falcon", "48,000", split="held")
    d.ask("When is the deadline for project Falcon?", "falcon", "19 Jan 2027", split="held")
    d.ask("Which platform does the ICE 1023 depart from?", "train", "Platform 7", split="held")
    fresh_english(d, rng)
    typed_english(d, rng)
    return d


def fresh_english(d: Day, rng: random.Random) -> None:
    """Screens and questions added after the reader was built, run once to measure it."""
    rx, paid, copay = f"RX-{rng.randrange(10**5, 10**6)}", _money(rng, 3, 20), _money(rng, 5, 40)
    d.screens += [
        Screen(
            "17:10",
            "Firefox",
            "Prescription ready - CityCare Pharmacy",
            [
                ("text", "Your prescription is ready for pick-up"),
                ("kv", "Medication", "Amoxicillin 500 mg, 20 capsules"),
                ("kv", "Pick up by", "Mon 8 Dec 2026"),
                ("kv", "Pharmacist", "Laura Chen"),
                ("kv", "Copay", f"$ {copay}"),
                ("kv", "Rx number", rx),
            ],
            "pharmacy",
        ),
        Screen(
            "17:30",
            "ParkNow",
            "Parking receipt - ParkNow",
            [
                ("text", "Parking session ended"),
                ("row", "Zone", "4012", ""),
                ("row", "Start", "09:14", "End  11:44"),
                ("kv", "Duration", "2 h 30 min"),
                ("kv", "Paid", f"EUR {paid}"),
            ],
            "parking",
        ),
        Screen(
            "18:05",
            "Firefox",
            "Your tickets - Arctic Monkeys - Ticketmaster",
            [
                ("kv", "Event", "Arctic Monkeys - The Car Tour"),
                ("kv", "Venue", "Festhalle Frankfurt"),
                ("kv", "Date", "Sat 20 Dec 2026, doors open 19:00"),
                ("text", "Section B, Row 14, Seats 7-8"),
                ("kv", "Order total", "EUR 178.00"),
            ],
            "concert",
        ),
        Screen(
            "18:12",
            "Firefox",
            "Your tickets - Norah Jones - Ticketmaster",
            [
                ("kv", "Event", "Norah Jones - Visions"),
                ("kv", "Venue", "Alte Oper Frankfurt"),
                ("kv", "Date", "Thu 15 Jan 2027, 20:00"),
                ("kv", "Order total", "EUR 96.00"),
            ],
            "concert2",
        ),
    ]
    d.ask("By when do I have to pick up the amoxicillin?", "pharmacy", "8 Dec", split="fresh")
    d.ask("Who is the pharmacist at CityCare?", "pharmacy", "Laura Chen", split="fresh")
    d.ask("What's my prescription number?", "pharmacy", rx, split="fresh")
    d.ask("How much is the copay for the prescription?", "pharmacy", copay, split="fresh")
    d.ask("How long did I park in zone 4012?", "parking", "2 h 30", split="fresh")
    d.ask("How much was the parking?", "parking", paid, split="fresh")
    d.ask("Where is the Arctic Monkeys concert?", "concert", "Festhalle", split="fresh")
    d.ask("What row are my Arctic Monkeys seats in?", "concert", "Row 14", split="fresh")
    d.ask("How much did the Norah Jones tickets cost?", "concert2", "96.00", split="fresh")
    d.ask("When do doors open for the Arctic Monkeys show?", "concert", "19:00", split="fresh")


def chinese(rng: random.Random) -> Day:
    d = Day("zh", "20261202")
    seat, seat2 = f"{rng.randrange(10, 40)}{rng.choice('ACDF')}", f"{rng.randrange(10, 40)}B"
    order, order2 = f"{rng.randrange(10**11, 10**12)}", f"{rng.randrange(10**11, 10**12)}"
    gate = f"{rng.randrange(10, 60)}"
    d.screens += [
        Screen(
            "08:05",
            "邮件",
            "航班预订确认 - 中国国际航空",
            [
                ("kv", "发件人", "中国国际航空 <service@airchina.com>"),
                ("kv", "主题", "您的航班已确认"),
                ("text", "尊敬的李明先生，感谢您的预订。"),
                ("kv", "航班", "CA1831 北京首都 → 上海虹桥"),
                ("kv", "起飞时间", "12月2日 08:30"),
                ("kv", "登机口", f"{gate}号"),
                ("kv", "座位", seat),
                ("kv", "订单号", order),
            ],
            "flight_out",
        ),
        Screen(
            "08:15",
            "邮件",
            "返程航班确认 - 东方航空",
            [
                ("kv", "发件人", "东方航空 <service@ceair.com>"),
                ("kv", "主题", "您的返程航班已确认"),
                ("kv", "航班", "MU5102 上海虹桥 → 北京首都"),
                ("kv", "起飞时间", "12月6日 19:00"),
                ("kv", "座位", seat2),
                ("kv", "订单号", order2),
            ],
            "flight_back",
        ),
    ]
    d.ask("我去上海的航班座位是多少？", "flight_out", seat, split="dev")
    d.ask("CA1831 几点起飞？", "flight_out", "08:30", split="dev")
    d.ask("国航航班的订单号是什么", "flight_out", order, split="dev")
    d.ask("去上海的航班在几号登机口登机？", "flight_out", f"{gate}号", split="held")
    d.ask("东航返程航班的座位号是多少？", "flight_back", seat2, split="held")
    d.ask("返程航班是哪天？", "flight_back", "12月6日", split="held")

    d.screens += [
        Screen(
            "09:00",
            "日历",
            "12月2日 星期二 - 日历",
            [
                ("text", "12月2日 星期二"),
                ("row", "09:30", "部门例会", "3号会议室"),
                ("row", "14:00", "与张伟面谈（星海公司）", "国贸大厦A座"),
                ("row", "19:00", "和王芳吃饭", "海底捞（中关村店）"),
            ],
            "cal_tue",
        ),
        Screen(
            "09:04",
            "日历",
            "12月3日 星期三 - 日历",
            [
                ("text", "12月3日 星期三"),
                ("row", "10:00", "产品评审", "5号会议室"),
                ("row", "15:30", "看牙医（李医生）", "和睦家诊所"),
            ],
            "cal_wed",
        ),
    ]
    d.ask("部门例会在哪个会议室？", "cal_tue", "3号会议室", split="dev")
    d.ask("和王芳吃饭是几点？", "cal_tue", "19:00", split="dev")
    d.ask("产品评审在哪里开？", "cal_wed", "5号会议室", split="held")
    d.ask("和张伟的面谈在什么地方？", "cal_tue", "国贸大厦", split="held")
    d.ask("看牙医是几点？", "cal_wed", "15:30", split="held")

    d.screens += [
        Screen(
            "10:20",
            "文档",
            "会议纪要 - 青鸟项目",
            [
                ("text", "会议纪要：青鸟项目启动会"),
                ("kv", "项目负责人", "王芳"),
                ("kv", "预算", "三十五万元"),
                ("kv", "上线日期", "2027年1月15日"),
                ("kv", "开发周期", "六周"),
                ("text", "下一步：周五前确定供应商名单。"),
            ],
            "qingniao",
        ),
        Screen(
            "10:35",
            "文档",
            "会议纪要 - 白鹭项目",
            [
                ("text", "会议纪要：白鹭项目周会"),
                ("kv", "项目负责人", "陈刚"),
                ("kv", "预算", "二十万元"),
                ("kv", "上线日期", "2027年3月1日"),
            ],
            "bailu",
        ),
    ]
    d.ask("青鸟项目的预算是多少？", "qingniao", "三十五万元", split="dev")
    d.ask("青鸟项目的负责人是谁？", "qingniao", "王芳", split="dev")
    d.ask("青鸟项目什么时候上线？", "qingniao", "2027年1月15日", split="held")
    d.ask("白鹭项目由谁负责？", "bailu", "陈刚", split="held")
    d.ask("青鸟项目开发要多久？", "qingniao", "六周", split="held")

    price, price2 = _money(rng, 300, 900), _money(rng, 100, 400)
    tracking = f"SF{rng.randrange(10**11, 10**12)}"
    d.screens += [
        Screen(
            "11:10",
            "浏览器",
            "订单详情 - 淘宝",
            [
                ("text", "淘宝 订单详情"),
                ("kv", "订单编号", f"{rng.randrange(10**15, 10**16)}"),
                ("kv", "商品", "机械键盘 87键 茶轴"),
                ("kv", "实付款", f"¥{price}"),
                ("kv", "预计送达", "12月4日"),
                ("kv", "快递单号", tracking),
            ],
            "taobao",
        ),
        Screen(
            "11:25",
            "浏览器",
            "订单详情 - 京东",
            [
                ("text", "京东 订单详情"),
                ("kv", "订单编号", f"{rng.randrange(10**11, 10**12)}"),
                ("kv", "商品", "蓝牙耳机"),
                ("kv", "实付款", f"¥{price2}"),
                ("kv", "预计送达", "12月5日"),
            ],
            "jd",
        ),
    ]
    d.ask("淘宝买的机械键盘花了多少钱？", "taobao", price, split="dev")
    d.ask("淘宝 order 的快递单号是多少", "taobao", tracking, split="dev")
    d.ask("京东的蓝牙耳机哪天送到？", "jd", "12月5日", split="held")
    d.ask("蓝牙耳机多少钱", "jd", price2, split="held")

    d.screens += [
        Screen(
            "13:00",
            "表格",
            "家庭预算2026.xlsx",
            [
                ("row", "家庭预算 2026", "每月", "全年"),
                ("row", "房租", "4,800.00", "57,600.00"),
                ("row", "水电费", "320.50", ""),
                ("row", "网费", "99.00", "1,188.00"),
            ],
            "budget_26",
        ),
        Screen(
            "13:03",
            "表格",
            "家庭预算2025.xlsx",
            [
                ("row", "家庭预算 2025", "每月", "全年"),
                ("row", "房租", "4,500.00", "54,000.00"),
                ("row", "水电费", "298.00", ""),
            ],
            "budget_25",
        ),
    ]
    d.ask("2026年预算里每月房租多少钱？", "budget_26", "4,800.00", split="dev")
    d.ask("2026年的水电费每月是多少？", "budget_26", "320.50", split="held")

    amount, serial = _money(rng, 1000, 5000), f"{rng.randrange(10**13, 10**14)}"
    d.screens.append(
        Screen(
            "13:20",
            "手机银行",
            "转账成功 - 招商银行",
            [
                ("text", "转账成功"),
                ("kv", "收款人", "赵磊"),
                ("kv", "金额", f"¥{amount}"),
                ("kv", "附言", "十一月房租"),
                ("kv", "交易流水号", serial),
                ("kv", "转账时间", "2026-12-02 13:18"),
            ],
            "bank",
        )
    )
    d.ask("我给赵磊转了多少钱？", "bank", amount, split="dev")
    d.ask("招商银行转账的流水号是多少？", "bank", serial, split="held")
    d.ask("十一月房租转给了谁？", "bank", "赵磊", split="held")

    d.screens.append(
        Screen(
            "14:30",
            "微信",
            "微信 - 张伟",
            [
                ("text", "张伟  14:21"),
                ("text", "明天下午三点在星巴克（国贸店）见，带上合同。"),
                ("text", "我  14:25"),
                ("text", "好的，合同编号是HT-2026-0815吧？"),
                ("text", "张伟  14:26"),
                ("text", "对，另外会议室的WiFi密码是xinghai2026。"),
            ],
            "wechat",
        )
    )
    d.ask("明天和张伟在哪里见面？", "wechat", "星巴克", split="dev")
    d.ask("合同编号是多少？", "wechat", "HT-2026-0815", split="held")

    conf = f"{rng.randrange(10**7, 10**8)}"
    hotel = _money(rng, 3000, 9000)
    d.screens += [
        Screen(
            "15:40",
            "浏览器",
            "携程 - 上海外滩华尔道夫酒店",
            [
                ("text", "上海外滩华尔道夫酒店 预订成功"),
                ("kv", "入住", "12月2日 14:00后"),
                ("kv", "退房", "12月6日 12:00前"),
                ("kv", "间夜", "共4晚"),
                ("kv", "地址", "上海市黄浦区中山东一路2号"),
                ("kv", "总价", f"¥{hotel}"),
                ("kv", "确认号", conf),
            ],
            "hotel",
        ),
        Screen(
            "16:10",
            "浏览器",
            "12306 - 车票详情",
            [
                ("text", "G17次 北京南 → 上海虹桥"),
                ("kv", "发车时间", "12月7日 09:00"),
                ("kv", "历时", "4小时28分"),
                ("kv", "座位", "05车 12F 二等座"),
                ("kv", "票价", "¥662.00"),
            ],
            "train",
        ),
    ]
    d.ask("外滩华尔道夫酒店的地址是什么？", "hotel", "中山东一路2号", split="dev")
    d.ask("酒店总价多少钱？", "hotel", hotel, split="dev")
    d.ask("华尔道夫哪天退房？", "hotel", "12月6日", split="held")
    d.ask("G17 坐车要多长时间？", "train", "4小时28分", split="held")
    d.ask("酒店的确认号是什么", "hotel", conf, split="held")
    d.ask("高铁票价是多少", "train", "662.00", split="held")
    fresh_chinese(d, rng)
    typed_chinese(d, rng)
    return d


def fresh_chinese(d: Day, rng: random.Random) -> None:
    """Screens and questions added after the reader was built, run once to measure it."""
    rx = f"CF{rng.randrange(10**10, 10**11)}"
    d.screens += [
        Screen(
            "17:05",
            "浏览器",
            "处方取药通知 - 康泰大药房",
            [
                ("text", "您的处方已可取药"),
                ("kv", "药品", "阿莫西林胶囊 0.25g×24粒"),
                ("kv", "取药截止", "12月9日"),
                ("kv", "药师", "刘洋"),
                ("kv", "自付金额", "¥36.50"),
                ("kv", "处方编号", rx),
            ],
            "pharmacy",
        ),
        Screen(
            "17:35",
            "手机",
            "停车缴费凭证",
            [
                ("text", "停车缴费成功"),
                ("kv", "车牌", "京A7K29P"),
                ("row", "入场时间", "09:12", ""),
                ("row", "出场时间", "11:42", ""),
                ("kv", "停车时长", "2小时30分"),
                ("kv", "应付", "¥15.00"),
            ],
            "parking",
        ),
        Screen(
            "18:00",
            "浏览器",
            "大麦 - 周杰伦嘉年华世界巡回演唱会",
            [
                ("text", "周杰伦嘉年华世界巡回演唱会 北京站"),
                ("kv", "场馆", "国家体育场（鸟巢）"),
                ("kv", "时间", "2026年12月20日 19:30"),
                ("kv", "座位", "内场A区 8排 12号"),
                ("kv", "票价", "¥1,280.00"),
            ],
            "concert",
        ),
        Screen(
            "18:10",
            "浏览器",
            "大麦 - 陈奕迅演唱会",
            [
                ("text", "陈奕迅 FEAR AND DREAMS 演唱会 上海站"),
                ("kv", "场馆", "梅赛德斯奔驰文化中心"),
                ("kv", "时间", "2027年1月10日 19:30"),
                ("kv", "票价", "¥880.00"),
            ],
            "concert2",
        ),
    ]
    d.ask("阿莫西林最晚哪天去取？", "pharmacy", "12月9日", split="fresh")
    d.ask("药房的药师是谁？", "pharmacy", "刘洋", split="fresh")
    d.ask("处方编号是多少？", "pharmacy", rx, split="fresh")
    d.ask("取药自己要付多少钱", "pharmacy", "36.50", split="fresh")
    d.ask("停车停了多久？", "parking", "2小时30分", split="fresh")
    d.ask("停车费多少钱？", "parking", "15.00", split="fresh")
    d.ask("我的车牌号是什么？", "parking", "A7K29P", split="fresh")
    d.ask("周杰伦演唱会在哪里？", "concert", "国家体育场", split="fresh")
    d.ask("周杰伦演唱会几点开始？", "concert", "19:30", split="fresh")
    d.ask("陈奕迅演唱会的票多少钱？", "concert2", "880.00", split="fresh")


def _draw(screen: Screen, path: Path) -> None:
    image = Image.new("RGB", SIZE, (250, 250, 250))
    draw = ImageDraw.Draw(image)
    title_font = ImageFont.truetype(str(FONT), 22)
    font = ImageFont.truetype(str(FONT), 26)
    draw.rectangle((0, 0, SIZE[0], 48), fill=(222, 224, 228))
    draw.text((20, 12), f"{screen.app} - {screen.title}", font=title_font, fill=(30, 30, 30))
    y = 90
    for block in screen.blocks:
        kind, *cells = block
        if kind == "gap":
            y += 24
            continue
        if kind == "text":
            draw.text((60, y), cells[0], font=font, fill=(20, 20, 20))
        elif kind == "kv":
            draw.text((60, y), f"{cells[0]}: {cells[1]}", font=font, fill=(20, 20, 20))
        elif kind == "row":
            for x, cell in zip((60, 520, 900), cells, strict=False):
                if cell:
                    draw.text((x, y), cell, font=font, fill=(20, 20, 20))
            draw.line((50, y + 44, SIZE[0] - 50, y + 44), fill=(210, 210, 210))
        y += 56
    image.save(path)


def write(day: Day, folder: Path) -> dict[str, str]:
    """Draw ``day`` into ``folder``; returns screen key -> file name."""
    folder.mkdir(parents=True, exist_ok=True)
    names = {}
    for n, screen in enumerate(day.screens):
        name = f"{day.date}_{screen.time.replace(':', '')}{n:02d}.png"
        _draw(screen, folder / name)
        names[screen.key] = name
    return names


def generate(out: Path, seed: int = 7) -> dict[str, Path]:
    """Both days under ``out/<lang>/`` with ``questions.jsonl``; returns lang -> folder."""
    folders = {}
    # One generator a language, so that adding screens to one leaves the other as it was.
    for day in (english(random.Random(f"{seed}-en")), chinese(random.Random(f"{seed}-zh"))):
        folder = out / day.lang
        names = write(day, folder / "screens")
        with open(folder / "questions.jsonl", "w", encoding="utf-8") as fh:
            for q in day.questions:
                row = dict(q, file=names[str(q["screen"])])
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
        folders[day.lang] = folder
    return folders


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    for lang, folder in generate(args.out, args.seed).items():
        count = len((folder / "questions.jsonl").read_text(encoding="utf-8").splitlines())
        print(f"{lang}: {folder} ({count} questions)")


if __name__ == "__main__":
    main()
