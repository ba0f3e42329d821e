"""Words that mean the same thing on screens, in English and Chinese, and names across
scripts: how a question in one language finds its terms in a line of the other.

A concept is a group of words (stemmed English words and phrases, Chinese words):
a question's term finds a line that holds any word of its group ("fare" finds
"票价", "get into" finds "Arrival", "晚饭" finds "晚餐"). The groups cover the
vocabulary of the screens people ask about (travel, orders, money, calendars,
work tools, recipes, health, parcels); a word in no group is matched as it is.

Chinese names are matched to their romanisation by pinyin (pypinyin's table of
readings, see agents/romanise.py): "Qingniao" finds "青鸟项目",
"Shanghai" "上海虹桥".
"""

from __future__ import annotations

import re
from functools import lru_cache

from agents.answer.terms import has_cjk, stem

_GROUPS = """
arrive arrival arrives arriving land lands landing get_in get_into gets_into 到达 抵达 到站
depart departure departs leave leaves leaving take_off takes_off 出发 起飞 发车 出发时间
price cost costs fare paid pay charge 价格 票价 费用 实付款 总价 金额 花了 付了 价钱
hotel 酒店 宾馆 住宿 入住
back return returning 返程 回程
bake baked baking oven roast 烤 烘烤 烤箱 炖
succeed success successful succeeded passed fail failed failure 成功 失败
include included includes including 含 包含 包括 已含
stay staying stayed 入住 住宿 住
train 火车 列车 高铁 车次 动车 车票
flight plane 航班 飞机
seat 座位
coach carriage car 车厢
address 地址
order orders purchase 订单 购买
tracking 快递单号 运单号 物流单号
confirmation 确认号 确认
number no 号码 编号
lead leads leader led 负责人 负责 牵头
project 项目
platform 站台
distance far 距离
run running ran jog 跑步 晨跑
morning 早上 上午 早晨
breakfast 早餐 早饭
dinner supper 晚餐 晚饭
lunch 午餐 午饭
trigger triggered 触发 触发人
commit 提交
deploy deployment release 发布 部署 上线
production prod 生产
duration took 用时 耗时 历时 时长
keyboard 键盘
ticket tickets 票 车票 门票
phone telephone mobile 电话 手机
email mail 邮件 邮箱
meeting 会议 开会
room 房间 会议室
doctor 医生
dentist 牙医
parcel package shipment 包裹 快递
delivered 签收 送达
backup 备份
budget 预算
rent 房租 租金
bank 银行
transfer 转账
invoice 发票
concert show 演唱会 音乐会
pharmacy 药房 药店
prescription 处方
pharmacist 药师
parking park 停车
plate 车牌
city 城市
south 南
north 北
east 东
west 西
company 公司
recipe 菜谱 做法
weight weigh 重量
elevation climb 爬升 海拔
temperature 温度
calorie calories 千卡 卡路里 热量
contract 合同
password 密码
gate 登机口
"""


def _key(word: str) -> str:
    return word if has_cjk(word) else " ".join(stem(w) for w in word.lower().split())


@lru_cache(maxsize=1)
def _index() -> dict[str, tuple[str, ...]]:
    out: dict[str, set[str]] = {}
    for raw in _GROUPS.strip().splitlines():
        keys = {_key(w.replace("_", " ")) for w in raw.split()}
        for k in keys:
            out.setdefault(k, set()).update(keys - {k})
    return {k: tuple(sorted(v)) for k, v in out.items()}


def phrases_in(question: str) -> list[str]:
    """The phrases of several words in the groups that ``question`` holds ("get into",
    made of stop words) and its Chinese words of three characters or more ("快递单号",
    which a segmenter may cut): they are terms of the question besides its words."""
    text = " " + re.sub(r"[^\w]+", " ", question.lower()) + " "
    return [
        k
        for k in _index()
        if (" " in k and f" {k} " in text) or (len(k) >= 3 and not k.isascii() and k in text)
    ]


def equivalents(term: str) -> tuple[str, ...]:
    """The other words of ``term``'s concept (stemmed English, Chinese), or nothing."""
    return _index().get(_key(term), ())


def across(topic: str) -> str:
    """``topic`` with the words of its concepts in the other script ("train" adds "列车
    火车 …", "票价" adds "fare …"), so that full text finds screens in either language."""
    joined = re.sub(r"(?<=[\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff])", "", topic)
    parts = re.findall(r"[^\W_]+", topic)
    found = [p if has_cjk(p) else stem(p) for p in parts] + phrases_in(joined)
    extra = [
        alt
        for p in found
        for alt in equivalents(p)
        if has_cjk(alt) != has_cjk(p) and " " not in alt and len(alt) > 1
    ]
    extra = [w for w in dict.fromkeys(extra) if w not in topic]
    return f"{topic} {' '.join(extra)}" if extra else topic
