"""Screens and questions by answer type, and questions across languages (issue 21).

Added to the days of bench/answer_screens.py after its fresh split: each question
asks for one kind of value (a quantity with its unit, a duration, a date or time,
a price, a code or identifier, a person, a place or venue, a yes or no), on a
screen that also shows values of other kinds ("300 g" beside "55 min"). Split
``typed``: a question in the screen's language; split ``cross``: an English
question over a Chinese screen, or a Chinese one over an English screen. The
questions were written for this file, none taken from an issue's text.
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bench.answer_screens import Day


def typed_english(d: Day, rng: random.Random) -> None:
    from bench.answer_screens import Screen, _code

    ref = _code(rng, 6)
    commit = "".join(rng.choice("0123456789abcdef") for _ in range(7))
    d.screens += [
        Screen(
            "19:05",
            "Firefox",
            "Banana bread - Simple Kitchen",
            [
                ("text", "Banana bread (makes one loaf)"),
                ("text", "Prep 15 min, bake 55 min at 175 °C"),
                ("text", "3 ripe bananas, mashed"),
                ("text", "300 g plain flour"),
                ("text", "120 ml milk"),
                ("text", "2 eggs and 1 tsp baking soda"),
                ("text", "1. Heat the oven. 2. Mash the bananas. 3. Stir in milk and eggs."),
                ("text", "4. Fold in the flour. 5. Bake until golden."),
            ],
            "bread",
        ),
        Screen(
            "19:20",
            "GitLab",
            "Pipeline #48213 - billing-service - GitLab",
            [
                ("text", "Pipeline #48213 passed for billing-service"),
                ("kv", "Triggered by", "Nadia Petrov"),
                ("kv", "Commit", f"{commit} Fix rounding of VAT"),
                ("row", "build", "passed", "1m55s"),
                ("row", "test", "passed", "3m40s"),
                ("row", "deploy-production", "passed", "1m13s"),
            ],
            "pipeline",
        ),
        Screen(
            "19:40",
            "Thunderbird",
            "Spring retreat - logistics",
            [
                ("text", "Hi all, the spring retreat is in Lisbon, Portugal."),
                ("text", "We are staying at the Memmo Alfama Hotel, Travessa 27."),
                ("text", "Breakfast is included in the room rate."),
                ("text", "Friday dinner is at Taberna da Rua das Flores."),
                ("text", "The bus leaves on Thu 5 Mar 2027 at 07:45."),
            ],
            "retreat",
        ),
        Screen(
            "20:00",
            "Firefox",
            "Eurostar e-ticket - London to Paris",
            [
                ("text", "Eurostar 9014  London St Pancras - Paris Gare du Nord"),
                ("row", "Departure", "Wed 10 Dec 2026, 08:31", ""),
                ("row", "Arrival", "Wed 10 Dec 2026, 11:47", ""),
                ("row", "Coach 7", "Seat 61", "Standard"),
                ("kv", "Booking reference", ref),
                ("kv", "Fare", "GBP 89.00"),
            ],
            "eurostar",
        ),
        Screen(
            "20:10",
            "Strava",
            "Morning run - Strava",
            [
                ("text", "Morning run, Tue 2 Dec 2026"),
                ("row", "Distance", "8.42 km", ""),
                ("row", "Moving time", "46:10", ""),
                ("row", "Elevation gain", "112 m", ""),
                ("row", "Calories", "612", ""),
            ],
            "run",
        ),
        Screen(
            "20:20",
            "Firefox",
            "DHL - Shipment 00340434161094042557",
            [
                ("text", "Shipment status: delivered"),
                ("text", "Delivered on Tue 2 Dec 2026, 12:14"),
                ("text", "Taken in by your neighbour Grace Okafor"),
            ],
            "parcel",
        ),
        Screen(
            "20:30",
            "Time Machine",
            "Backup status - Time Machine",
            [
                ("text", "The last backup failed: the backup disk was not found."),
                ("text", "Next attempt: tonight at 23:00"),
            ],
            "backup",
        ),
    ]
    t = "typed"
    d.ask("How much flour goes into the banana bread?", "bread", "300 g", split=t)
    d.ask("How many millilitres of milk does the banana bread take?", "bread", "120 ml", split=t)
    d.ask("How long does the banana bread stay in the oven?", "bread", "55 min", split=t)
    d.ask("At what temperature is the banana bread baked?", "bread", "175 °C", split=t)
    d.ask(
        "How long did the production deploy of billing-service run?", "pipeline", "1m13s", split=t
    )
    d.ask("Who triggered the billing-service pipeline?", "pipeline", "Nadia Petrov", split=t)
    d.ask("What commit did the billing pipeline build?", "pipeline", commit, split=t)
    d.ask(
        "Which hotel are we staying at on the spring retreat?", "retreat", "Memmo Alfama", split=t
    )
    d.ask("Where is the Friday dinner of the retreat?", "retreat", "Taberna da Rua", split=t)
    d.ask("What time does the retreat bus leave?", "retreat", "07:45", split=t)
    d.ask("Is breakfast included at the retreat hotel?", "retreat", "yes", split=t)
    d.ask("What's the train number of my Eurostar to Paris?", "eurostar", "9014", split=t)
    d.ask("What was the Eurostar fare?", "eurostar", "89.00", split=t)
    d.ask("When does the Eurostar get into Paris?", "eurostar", "11:47", split=t)
    d.ask("How far did I run this morning?", "run", "8.42 km", split=t)
    d.ask("How much elevation did the morning run have?", "run", "112 m", split=t)
    d.ask("Has the DHL shipment been delivered?", "parcel", "yes", split=t)
    d.ask("Which neighbour took in the DHL shipment?", "parcel", "Grace Okafor", split=t)
    d.ask("Did the last Time Machine backup succeed?", "backup", "no", split=t)
    c = "cross"
    d.ask("Palmer House 酒店的确认号是多少？", "hotel_chi", str(_conf(d)), split=c)
    d.ask("Eurostar 几点出发？", "eurostar", "08:31", split=c)
    d.ask("Falcon 项目的负责人是谁？", "falcon", "Sara Nilsson", split=c)
    d.ask(
        "Northwind 订单的快递单号是什么？", "order_nw", _value(d, "order_nw", "Tracking"), split=c
    )
    d.ask("ICE 1023 从几号站台出发？", "train", "Platform 7", split=c)
    d.ask("晨跑的距离是多少？", "run", "8.42 km", split=c)


def typed_chinese(d: Day, rng: random.Random) -> None:
    from bench.answer_screens import Screen

    commit = "".join(rng.choice("0123456789abcdef") for _ in range(7))
    d.screens += [
        Screen(
            "19:00",
            "浏览器",
            "下厨房 - 红烧排骨",
            [
                ("text", "红烧排骨（三人份）"),
                ("text", "排骨 500克，冰糖 20克，生抽 2勺，料酒 1勺"),
                ("text", "准备 10分钟，炖煮 40分钟"),
                ("text", "第一步：排骨冷水下锅焯水。"),
                ("text", "第二步：冰糖小火炒出糖色。"),
                ("text", "第三步：下排骨翻炒上色。"),
                ("text", "第四步：加生抽、料酒和热水。"),
                ("text", "第五步：小火炖煮后大火收汁。"),
            ],
            "ribs",
        ),
        Screen(
            "19:15",
            "Jenkins",
            "发布记录 - 订单服务",
            [
                ("text", "构建 #1024 成功：订单服务"),
                ("kv", "触发人", "孙悦"),
                ("kv", "提交", f"{commit} 修复优惠券计算"),
                ("row", "编译", "成功", "2分15秒"),
                ("row", "测试", "成功", "4分02秒"),
                ("row", "发布到生产", "成功", "1分38秒"),
            ],
            "pipeline",
        ),
        Screen(
            "19:30",
            "邮件",
            "春季团建安排",
            [
                ("text", "各位好，春季团建定在杭州。"),
                ("text", "我们入住西溪悦榕庄，晚餐在外婆家（湖滨店）。"),
                ("text", "早餐已含在房费里。"),
                ("text", "大巴 3月6日 早上7点45分 从公司出发。"),
            ],
            "retreat",
        ),
        Screen(
            "19:50",
            "Keep",
            "晨跑记录 - Keep",
            [
                ("text", "晨跑 12月2日"),
                ("row", "距离", "6.35公里", ""),
                ("row", "用时", "38:12", ""),
                ("row", "累计爬升", "85米", ""),
                ("row", "消耗", "420千卡", ""),
            ],
            "run",
        ),
        Screen(
            "20:05",
            "菜鸟",
            "包裹详情 - 菜鸟",
            [
                ("text", "顺丰快递 包裹状态：已签收"),
                ("text", "签收时间 12月2日 11:20"),
                ("text", "代收人：门卫 周建国"),
            ],
            "parcel",
        ),
        Screen(
            "20:25",
            "备份",
            "备份状态",
            [
                ("text", "上次备份失败：没有找到备份磁盘。"),
                ("text", "下次尝试：今晚 23:00"),
            ],
            "backup",
        ),
    ]
    t = "typed"
    d.ask("红烧排骨要放多少克冰糖？", "ribs", "20克", split=t)
    d.ask("红烧排骨要炖多长时间？", "ribs", "40分钟", split=t)
    d.ask("订单服务发布到生产用了多久？", "pipeline", "1分38秒", split=t)
    d.ask("订单服务这次构建是谁触发的？", "pipeline", "孙悦", split=t)
    d.ask("订单服务的提交号是什么？", "pipeline", commit, split=t)
    d.ask("春季团建住哪家酒店？", "retreat", "西溪悦榕庄", split=t)
    d.ask("团建的晚饭在哪儿吃？", "retreat", "外婆家", split=t)
    d.ask("团建大巴几点出发？", "retreat", "7点45分", split=t)
    d.ask("团建的房费含早餐吗？", "retreat", "是", split=t)
    d.ask("今天早上跑了多少公里？", "run", "6.35公里", split=t)
    d.ask("晨跑累计爬升了多少米？", "run", "85米", split=t)
    d.ask("顺丰的包裹签收了吗？", "parcel", "是", split=t)
    d.ask("包裹是谁代收的？", "parcel", "周建国", split=t)
    d.ask("上次备份成功了吗？", "backup", "没有", "不是", "否", split=t)
    c = "cross"
    d.ask("Which train am I taking from Beijing South?", "train", "G17", split=c)
    d.ask(
        "How much did the keyboard from Taobao cost?",
        "taobao",
        _value(d, "taobao", "实付款"),
        split=c,
    )
    d.ask("Who leads the Qingniao project?", "qingniao", "王芳", split=c)
    d.ask("What time does flight CA1831 take off?", "flight_out", "08:30", split=c)
    d.ask(
        "What's the confirmation number of the hotel in Shanghai?", "hotel", str(_conf(d)), split=c
    )
    d.ask("How long did the Jenkins deploy to production take?", "pipeline", "1分38秒", split=c)


def _value(d: Day, key: str, label: str) -> str:
    """The value of the kv block ``label`` on screen ``key`` (drawn by the generator)."""
    screen = next(s for s in d.screens if s.key == key)
    return next(b[2] for b in screen.blocks if b[0] == "kv" and b[1].startswith(label))


def _conf(d: Day) -> str:
    key = "hotel_chi" if d.lang == "en" else "hotel"
    label = "Confirmation number" if d.lang == "en" else "确认号"
    return _value(d, key, label)
