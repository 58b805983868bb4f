"""Names and places for the demo county (洛南县, 商洛市, Shaanxi: Qinling mountains)."""

from __future__ import annotations

COUNTY = ("SN-LUONAN", "国网洛南县供电公司")
PROVINCE_CITY_COUNTY = "陕西省商洛市洛南县"

# Two stations: a large one in the mountains east of the county seat and a small one,
# so that cross-station scoping can be seen in the demo.
STATIONS = [
    # code, name, town, depot (lon, lat), share of accounts, collectors
    ("LN-JINGCUN", "景村供电所", "景村镇", (110.2960, 34.1390), 0.9, 8),
    ("LN-GUCHENG", "古城供电所", "古城镇", (110.0410, 34.2240), 0.1, 2),
]

SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹"
    "彭曾肖田董袁潘蔡蒋余杜叶程魏苏吕丁任沈姚卢"
)
GIVEN = [
    "建国",
    "秀英",
    "桂兰",
    "志强",
    "海燕",
    "玉兰",
    "国华",
    "红梅",
    "德明",
    "春花",
    "永刚",
    "淑珍",
    "振华",
    "小军",
    "丽娟",
    "文斌",
    "金凤",
    "宝山",
    "翠花",
    "明亮",
    "立新",
    "素芳",
    "长生",
    "冬梅",
    "富贵",
    "雪莲",
    "双喜",
    "秋菊",
    "铁柱",
    "凤英",
    "学军",
    "彩霞",
    "志勇",
    "兰英",
    "卫东",
    "巧云",
    "保国",
    "美玲",
    "有才",
    "月娥",
]
VILLAGE_HEADS = [
    "王家",
    "李家",
    "张家",
    "刘家",
    "陈家",
    "杨家",
    "赵家",
    "黄家",
    "周家",
    "吴家",
    "石门",
    "柳树",
    "核桃",
    "板栗",
    "青龙",
    "白杨",
    "黑龙",
    "红岩",
    "松树",
    "桃花",
    "马家",
    "薛家",
    "寺坡",
    "上河",
    "下河",
    "前进",
    "东沟",
    "西岔",
    "南坪",
    "北岭",
]
VILLAGE_FEATURES = ["沟", "河", "坪", "岭", "湾", "坡", "庄", "岔", "峪", "塬"]
BUSINESSES = [
    "小卖部",
    "农家乐",
    "木材加工厂",
    "养殖场",
    "砖厂",
    "香菇种植合作社",
    "面粉坊",
    "卫生室",
]
GROUP_CUSTOMERS = [
    ("GRP-CMCC", "中国移动商洛分公司", "基站"),
    ("GRP-CTCC", "中国电信商洛分公司", "基站"),
]
