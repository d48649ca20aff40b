"""A demo dealer group for `aftersales seed`, demos and tests.

Everything is written out or derived by fixed rules (no randomness), so every call
returns the same group and tests can name its people, cars and parts.  Values are
JSON primitives only: money and hours are decimal strings, dates ISO strings, so
each service can load its share without float rounding.
"""

from __future__ import annotations

from typing import Any

from aftersales_core.identifiers import make_vin, validate_plate
from aftersales_core.tenancy import ROLES

__all__ = ["GROUP_ID", "SITE_IDS", "SITE_ROLES", "demo_group", "users_by_id"]

GROUP_ID = "grp-huadong"
GROUP_NAME = "华东汽车服务集团"

PUDONG, SUZHOU, HANGZHOU = "site-pudong", "site-suzhou", "site-hangzhou"
SITE_IDS: tuple[str, ...] = (PUDONG, SUZHOU, HANGZHOU)

# Roles held by the people of one site (HQ, OEM and system are not site roles).
SITE_ROLES: tuple[str, ...] = tuple(
    r for r in ROLES if r not in {"hq_manager", "group_admin", "oem", "system"}
)

# A technician's shift; a site's daily capacity is this times its technicians.
SHIFT_HOURS = 8

# site_id -> (short code used in ids, name, kind, brand, city)
_SITES: dict[str, tuple[str, str, str, str, str]] = {
    PUDONG: ("pd", "上海浦东华众上汽大众4S店", "4s", "上汽大众", "上海"),
    SUZHOU: ("sz", "苏州华丰广汽丰田4S店", "4s", "广汽丰田", "苏州"),
    HANGZHOU: ("hz", "杭州华通一汽-大众特约服务站", "service_station", "一汽-大众", "杭州"),
}

# ---------------------------------------------------------------- staff

# site_id -> (user_id, name, roles); technicians are listed in _TECHNICIANS.
_SITE_STAFF: dict[str, tuple[tuple[str, str, tuple[str, ...]], ...]] = {
    PUDONG: (
        ("sd.zhou.pd", "周建华", ("service_director",)),
        ("sm.chen.pd", "陈志强", ("service_manager",)),
        ("fds.xu.pd", "徐丽萍", ("front_desk_supervisor",)),
        ("sa.wang.pd", "王磊", ("service_advisor",)),
        ("sa.li.pd", "李婷", ("service_advisor",)),
        ("acs.sun.pd", "孙海涛", ("accident_supervisor",)),
        ("acr.zhu.pd", "朱晓燕", ("accident_reception",)),
        ("disp.ma.pd", "马国庆", ("dispatcher",)),
        ("qc.hu.pd", "胡立新", ("qc_inspector",)),
        ("pm.guo.pd", "郭明", ("parts_manager",)),
        ("pp.he.pd", "何静", ("parts_planner", "parts_buyer")),
        ("wh.gao.pd", "高永康", ("warehouse_keeper",)),
        ("pc.lin.pd", "林小军", ("parts_counter_clerk",)),
        ("cl.luo.pd", "罗文娟", ("claims_clerk",)),
        ("ccm.liang.pd", "梁雪", ("customer_care_manager",)),
        ("cca.song.pd", "宋佳怡", ("customer_care_agent",)),
        ("cash.tang.pd", "唐敏", ("cashier",)),
    ),
    SUZHOU: (
        ("sd.shen.sz", "沈卫东", ("service_director",)),
        ("sm.lu.sz", "陆建平", ("service_manager",)),
        ("fds.gu.sz", "顾晓梅", ("front_desk_supervisor",)),
        ("sa.qian.sz", "钱程", ("service_advisor",)),
        ("sa.jiang.sz", "蒋丽", ("service_advisor",)),
        ("acs.cao.sz", "曹永明", ("accident_supervisor",)),
        ("acr.fan.sz", "范琳", ("accident_reception",)),
        ("disp.peng.sz", "彭辉", ("dispatcher",)),
        ("qc.dong.sz", "董建军", ("qc_inspector",)),
        ("pm.yuan.sz", "袁志华", ("parts_manager",)),
        ("pp.pan.sz", "潘婷婷", ("parts_planner", "parts_buyer")),
        ("wh.du.sz", "杜伟", ("warehouse_keeper",)),
        ("pc.dai.sz", "戴小东", ("parts_counter_clerk",)),
        ("cl.xia.sz", "夏雨", ("claims_clerk",)),
        ("ccm.zhong.sz", "钟慧", ("customer_care_manager",)),
        ("cca.wei.sz", "魏佳", ("customer_care_agent",)),
        ("cash.tian.sz", "田甜", ("cashier",)),
    ),
    # A smaller service station: several people wear more than one hat.
    HANGZHOU: (
        ("sm.ye.hz", "叶建新", ("service_director", "service_manager")),
        ("fds.cheng.hz", "程丽", ("front_desk_supervisor",)),
        ("sa.fu.hz", "傅晓峰", ("service_advisor",)),
        ("sa.wang.hz", "王芳", ("service_advisor",)),
        ("acs.xie.hz", "谢伟", ("accident_supervisor", "accident_reception")),
        ("disp.zou.hz", "邹平", ("dispatcher",)),
        ("qc.xu.hz", "许立", ("qc_inspector",)),
        ("pm.shao.hz", "邵军", ("parts_manager", "parts_planner", "parts_buyer")),
        ("wh.mao.hz", "毛建", ("warehouse_keeper", "parts_counter_clerk")),
        ("cl.jiang.hz", "江燕", ("claims_clerk",)),
        ("ccm.lou.hz", "楼晓红", ("customer_care_manager",)),
        ("cca.zheng.hz", "郑颖", ("customer_care_agent",)),
        ("cash.qiu.hz", "邱芳", ("cashier",)),
    ),
}

# (team_id suffix, name) per site; team ids are "team-<code>-<n>".
_TEAMS: dict[str, tuple[str, ...]] = {
    PUDONG: ("机电组", "钣喷组"),
    SUZHOU: ("机电组", "钣喷组"),
    HANGZHOU: ("机电一组", "机电二组"),
}

# site_id -> (user_id, name, team number, skills, grade); the first of each team leads it.
_TECHNICIANS: dict[str, tuple[tuple[str, str, int, tuple[str, ...], str], ...]] = {
    PUDONG: (
        ("tl.zhang.pd", "张永刚", 1, ("maintenance", "engine", "diagnosis", "electrical"), "master"),  # noqa: E501
        ("tech.liu.pd", "刘强", 1, ("maintenance", "brakes", "alignment"), "intermediate"),
        ("tech.yang.pd", "杨帆", 1,
         ("maintenance", "air_conditioning", "electrical", "ev_high_voltage"), "senior"),
        ("tl.huang.pd", "黄国平", 2, ("body", "paint"), "master"),
        ("tech.zhao.pd", "赵鹏", 2, ("body",), "senior"),
        ("tech.wu.pd", "吴俊", 2, ("paint",), "junior"),
    ),
    SUZHOU: (
        ("tl.ren.sz", "任国强", 1, ("maintenance", "engine", "diagnosis", "hybrid"), "master"),
        ("tech.jin.sz", "金涛", 1, ("maintenance", "brakes", "alignment"), "intermediate"),
        ("tech.yu.sz", "余浩", 1, ("maintenance", "hybrid", "electrical"), "senior"),
        ("tl.fang.sz", "方明", 2, ("body", "paint"), "master"),
        ("tech.shi.sz", "石磊", 2, ("body",), "intermediate"),
        ("tech.kong.sz", "孔祥瑞", 2, ("paint",), "junior"),
    ),
    HANGZHOU: (
        ("tl.hu.hz", "胡斌", 1, ("maintenance", "engine", "diagnosis", "electrical"), "master"),
        ("tech.ni.hz", "倪军", 1, ("maintenance", "brakes", "alignment"), "intermediate"),
        ("tl.tao.hz", "陶建", 2,
         ("maintenance", "ev_high_voltage", "electrical", "air_conditioning"), "senior"),
        ("tech.yao.hz", "姚磊", 2, ("maintenance", "brakes", "body"), "junior"),
    ),
}  # fmt: skip

_HQ_MANAGER = ("hq.chen", "陈国栋")
# The group's user administrator: creates accounts, assigns sites and roles.
_GROUP_ADMIN = ("admin.lin", "林晓梅")
# The OEM's integration account: it speaks for the manufacturer of the Pudong store.
_OEM_USER = ("oem.saicvw", "上汽大众售后系统接口", "oem-saic-vw", (PUDONG,))

# ---------------------------------------------------------------- catalog

_VW_SAIC = ("朗逸", "帕萨特", "途观L", "凌渡")
_VW_FAW = ("速腾", "迈腾", "宝来", "探岳")
_VW_ICE = _VW_SAIC + _VW_FAW
_VW_EA211 = ("朗逸", "凌渡", "速腾", "宝来")  # 1.2T/1.4T/1.5L with a timing belt
_TOYOTA = ("凯美瑞", "凯美瑞双擎", "雷凌", "雷凌双擎E+", "汉兰达", "C-HR")
_ELECTRIFIED = ("ID.4 X", "ID.4 CROZZ", "凯美瑞双擎", "雷凌双擎E+")

# (code, description, standard hours, models; empty = every model)
_LABOR_OPERATIONS: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("MNT-FREE1", "首次免费强制保养（更换机油、机滤，常规检查）", "1.0", ()),
    ("MNT-OIL", "更换机油及机油滤清器", "0.5", ()),
    ("MNT-10K", "10000公里常规保养（机油、机滤、全车检查）", "1.0", ()),
    ("MNT-30K", "30000公里保养（含空气滤、空调滤）", "1.8", ()),
    ("MNT-60K", "60000公里大保养（含火花塞、制动液）", "3.0", ()),
    ("BRK-FPAD", "更换前制动片", "1.0", ()),
    ("BRK-RPAD", "更换后制动片", "1.2", ()),
    ("BRK-FDISC", "更换前制动盘及制动片", "1.8", ()),
    ("BRK-FLUID", "更换制动液", "0.8", ()),
    ("ALN-4W", "四轮定位", "1.0", ()),
    ("TYR-BAL", "四轮动平衡", "0.6", ()),
    ("DIAG-EL", "电控系统故障诊断", "1.0", ()),
    ("AC-SVC", "空调系统检测及加注制冷剂", "1.2", ()),
    ("BAT-RPL", "更换蓄电池", "0.3", ()),
    ("SPK-RPL", "更换火花塞（四缸）", "0.8", ()),
    ("WIP-RPL", "更换雨刮片", "0.2", ()),
    ("ENG-TBELT", "更换正时皮带套件", "3.5", _VW_EA211),
    ("HV-CHK", "高压电池及电驱系统检测", "1.5", _ELECTRIFIED),
    ("BDY-PANEL", "钣金喷漆（单面）", "4.0", ()),
)

# site_id -> {payer: rate per hour}
_LABOR_RATES: dict[str, dict[str, str]] = {
    PUDONG: {"customer": "180.00", "warranty": "120.00", "insurance": "200.00",
             "internal": "100.00"},
    SUZHOU: {"customer": "160.00", "warranty": "110.00", "insurance": "180.00",
             "internal": "90.00"},
    HANGZHOU: {"customer": "140.00", "warranty": "115.00", "insurance": "160.00",
               "internal": "80.00"},
}  # fmt: skip

# (part number, name, unit, cost, price, models; empty = fits every model)
_PARTS: tuple[tuple[str, str, str, str, str, tuple[str, ...]], ...] = (
    ("04E115561H", "机油滤清器", "个", "28.00", "48.00", _VW_ICE),
    ("G052195M4", "全合成机油 5W-40 4L", "桶", "260.00", "398.00", _VW_ICE),
    ("04E129620", "空气滤清器", "个", "52.00", "95.00", _VW_ICE),
    ("5Q0819653", "空调滤清器", "个", "45.00", "88.00", _VW_ICE),
    ("5Q0698151B", "前制动片（套）", "套", "320.00", "520.00", _VW_ICE),
    ("5Q0698451", "后制动片（套）", "套", "260.00", "430.00", _VW_ICE),
    ("5Q0615301F", "前制动盘", "个", "380.00", "620.00", _VW_ICE),
    ("04E905612C", "火花塞", "个", "42.00", "75.00", _VW_EA211),
    ("04E198119A", "正时皮带套件", "套", "680.00", "1180.00", _VW_EA211),
    ("G013A8JM1", "冷却液 G13 1.5L", "瓶", "38.00", "68.00", _VW_ICE),
    ("90915-YZZJ1", "机油滤清器", "个", "22.00", "45.00", _TOYOTA),
    ("08880-13705", "丰田纯牌机油 0W-20 4L", "桶", "240.00", "360.00", _TOYOTA),
    ("17801-21050", "空气滤清器", "个", "60.00", "110.00", _TOYOTA),
    ("87139-02090", "空调滤清器", "个", "55.00", "98.00", _TOYOTA),
    ("04465-02220", "前制动片（套）", "套", "350.00", "560.00", _TOYOTA),
    ("90919-01253", "铱金火花塞", "个", "68.00", "115.00", _TOYOTA),
    ("DOT4-1L", "制动液 DOT4 1L", "瓶", "45.00", "85.00", ()),
    ("BAT-6QW60", "免维护蓄电池 60Ah", "个", "420.00", "680.00", ()),
    ("WIPER-2426", "无骨雨刮片（对）", "副", "65.00", "128.00", ()),
    ("R134A-500", "空调制冷剂 R134a 500g", "瓶", "55.00", "120.00", ()),
    ("WASH-2L", "玻璃清洗液 2L", "瓶", "8.00", "20.00", ()),
)

# site_id -> ((part number, quantity), ...): what each warehouse holds today.
# A part missing here is not stocked at that site (ordered when needed).
_STOCK: dict[str, tuple[tuple[str, int], ...]] = {
    PUDONG: (
        ("04E115561H", 60), ("G052195M4", 48), ("04E129620", 20), ("5Q0819653", 24),
        ("5Q0698151B", 10), ("5Q0698451", 8), ("5Q0615301F", 4), ("04E905612C", 40),
        ("04E198119A", 2), ("G013A8JM1", 12), ("DOT4-1L", 30), ("BAT-6QW60", 6),
        ("WIPER-2426", 15), ("R134A-500", 10), ("WASH-2L", 50),
    ),
    SUZHOU: (
        ("90915-YZZJ1", 70), ("08880-13705", 55), ("17801-21050", 18), ("87139-02090", 22),
        ("04465-02220", 9), ("90919-01253", 32), ("DOT4-1L", 24), ("BAT-6QW60", 5),
        ("WIPER-2426", 12), ("R134A-500", 8), ("WASH-2L", 40),
    ),
    HANGZHOU: (
        ("04E115561H", 30), ("G052195M4", 24), ("04E129620", 10), ("5Q0819653", 12),
        ("5Q0698151B", 4), ("5Q0698451", 3), ("04E905612C", 16), ("G013A8JM1", 6),
        ("DOT4-1L", 12), ("BAT-6QW60", 3), ("WIPER-2426", 8), ("R134A-500", 4),
        ("WASH-2L", 24),
    ),
}  # fmt: skip

_WAREHOUSE = "配件主库"

# ---------------------------------------------------------------- customers and vehicles

# model -> (brand, VIN positions 1-8: WMI + VDS, plant code at position 11)
_MODELS: dict[str, tuple[str, str, str]] = {
    "朗逸": ("上汽大众", "LSVAL618", "A"),
    "帕萨特": ("上汽大众", "LSVAC433", "A"),
    "途观L": ("上汽大众", "LSVUD60T", "N"),
    "凌渡": ("上汽大众", "LSVAA463", "A"),
    "ID.4 X": ("上汽大众", "LSVUZ6E4", "E"),
    "速腾": ("一汽-大众", "LFV2A21K", "3"),
    "迈腾": ("一汽-大众", "LFV2A23C", "3"),
    "宝来": ("一汽-大众", "LFV2A2BL", "4"),
    "探岳": ("一汽-大众", "LFV3A28W", "7"),
    "ID.4 CROZZ": ("一汽-大众", "LFVVB9E6", "F"),
    "凯美瑞": ("广汽丰田", "LVGBE40K", "G"),
    "凯美瑞双擎": ("广汽丰田", "LVGBH40K", "G"),
    "雷凌": ("广汽丰田", "LVGDE4E2", "G"),
    "雷凌双擎E+": ("广汽丰田", "LVGDP4E2", "G"),
    "汉兰达": ("广汽丰田", "LVGGF3FH", "N"),
    "C-HR": ("广汽丰田", "LVGFB2E3", "G"),
}

# ISO 3779 model-year letters (position 10).
_YEAR_CODES = {2015: "F", 2016: "G", 2017: "H", 2018: "J", 2019: "K", 2020: "L",
               2021: "M", 2022: "N", 2023: "P", 2024: "R", 2025: "S"}  # fmt: skip

# model, plate, colour, engine number, sale date, mileage (km), VIN serial (positions 12-17)
_Vehicle = tuple[str, str, str, str, str, int, str]

# site_id -> (name, class, phones, address, vehicles)
_CUSTOMERS: dict[str, tuple[tuple[str, str, tuple[str, ...], str, tuple[_Vehicle, ...]], ...]] = {
    PUDONG: (
        ("张伟", "member", ("13916208745",), "上海市浦东新区张杨路1500弄3号601室", (
            ("朗逸", "沪A·K6R21", "珍珠白", "DLF318274", "2019-05-18", 62350, "218734"),
        )),
        ("李娜", "member", ("13817652390", "021-58301122"), "上海市浦东新区世纪大道1168号B座1203室", (  # noqa: E501
            ("途观L", "沪A·M8F35", "曜石黑", "DKX105633", "2021-03-09", 41200, "087215"),
            ("ID.4 X", "沪A·D23867", "星空蓝", "EBJ201568", "2023-08-26", 12800, "013962"),
        )),
        ("王建国", "regular", ("13601827744",), "上海市浦东新区川沙路5558弄12号", (
            ("帕萨特", "沪B·3J9T5", "钛金灰", "CUF662091", "2017-11-02", 128600, "402117"),
        )),
        ("上海浦东顺达汽车租赁有限公司", "fleet", ("021-68761234", "13801765520"),
         "上海市浦东新区金桥路1399号", (
            ("朗逸", "沪D·7H236", "珍珠白", "DLF520347", "2020-06-30", 156200, "330481"),
            ("朗逸", "沪D·7H237", "珍珠白", "DLF520352", "2020-06-30", 149850, "330486"),
        )),
        ("刘洋", "member", ("15021376648",), "上海市浦东新区花木路1228弄8号302室", (
            ("凌渡", "沪A·5L07C", "火山红", "DJS274410", "2018-09-15", 88700, "155902"),
        )),
        ("陈静", "regular", ("18917365502",), "上海市浦东新区周浦镇康沈路1700号", (
            ("朗逸", "沪C·R2E55", "极地银", "DLF731066", "2022-01-20", 31500, "517320"),
        )),
        ("杨晓东", "member", ("13761580093",), "上海市浦东新区高科西路551弄6号1101室", (
            ("帕萨特", "皖A·9B7F2", "深海蓝", "DKV418725", "2019-12-12", 74300, "268843"),
        )),
        ("赵丽华", "member", ("13482917706",), "上海市浦东新区临港新片区环湖西二路888号", (
            ("ID.4 X", "沪A·DF5529", "琉璃白", "EBJ309217", "2022-10-08", 27600, "009731"),
        )),
    ),
    SUZHOU: (
        ("钱伟明", "member", ("13962187735",), "江苏省苏州市工业园区星湖街328号", (
            ("凯美瑞", "苏E·6G8M2", "铂金珍珠白", "A25A0318862", "2020-04-22", 58900, "114507"),
        )),
        ("苏州金鸡湖商务车服务有限公司", "fleet", ("0512-62881500", "13806213378"),
         "江苏省苏州市工业园区苏州大道东265号", (
            ("汉兰达", "苏E·R0315", "墨晶黑", "8AR0274431", "2021-07-15", 132400, "206618"),
            ("汉兰达", "苏E·R0316", "墨晶黑", "8AR0274456", "2021-07-15", 127950, "206623"),
        )),
        ("孙丽", "member", ("15850021639",), "江苏省苏州市姑苏区人民路1888号5幢201室", (
            ("雷凌双擎E+", "苏E·F32168", "天青蓝", "8ZR1126704", "2021-04-03", 39800, "071245"),
        )),
        ("吴强", "regular", ("13584810274",), "江苏省苏州市吴中区东吴北路98号", (
            ("雷凌", "苏U·5K3A9", "冰晶银", "9NR0530198", "2018-06-11", 97300, "348816"),
        )),
        ("徐敏", "member", ("18662375510",), "江苏省苏州市相城区活力岛路66号", (
            ("C-HR", "苏E·8N7D1", "琥珀红", "M20A0201937", "2019-09-28", 54100, "182270"),
        )),
        ("朱建平", "regular", ("13913529968", "0512-65230871"), "江苏省苏州市虎丘区狮山路35号", (
            ("凯美瑞双擎", "苏E·2P6S8", "曜石黑", "A25A1407725", "2022-05-19", 28700, "420931"),
            ("汉兰达", "苏E·9C3W1", "珍珠白", "1AR0856120", "2017-03-27", 141600, "095518"),
        )),
        ("沈佳琪", "member", ("17751106842",), "江苏省苏州市工业园区金鸡湖大道1355号", (
            ("雷凌", "苏E·L1V72", "珊瑚橙", "M15A0633408", "2023-02-14", 15600, "507764"),
        )),
        ("顾磊", "regular", ("13771892305",), "江苏省苏州市吴江区松陵镇中山北路512号", (
            ("凯美瑞", "苏E·H5T20", "银色", "6AR0097123", "2016-10-05", 168300, "311029"),
        )),
    ),
    HANGZHOU: (
        ("王海", "member", ("13857120946",), "浙江省杭州市西湖区文三路90号", (
            ("速腾", "浙A·3C8K7", "月光白", "DJS603817", "2019-08-07", 69400, "226715"),
        )),
        ("杭州西湖通达物流有限公司", "fleet", ("0571-87652300", "13968021477"),
         "浙江省杭州市余杭区良渚街道好运街108号", (
            ("迈腾", "浙A·J5R10", "深灰", "DKV720563", "2020-11-16", 138500, "415080"),
            ("宝来", "浙A·J5R11", "极地白", "DLF877214", "2020-11-16", 151300, "562291"),
        )),
        ("林晓", "member", ("15068127733",), "浙江省杭州市滨江区江南大道3850号", (
            ("ID.4 CROZZ", "浙A·D76521", "冰川白", "EBJ118042", "2022-06-21", 33800, "024416"),
        )),
        ("周杰", "regular", ("13666619052",), "浙江省杭州市拱墅区莫干山路1418号", (
            ("迈腾", "浙A·8M2P6", "极光蓝", "DKX301485", "2018-04-30", 102900, "186532"),
        )),
        ("金玲", "member", ("18857108314", "0571-86921145"), "浙江省杭州市上城区钱江路1366号", (
            ("探岳", "浙A·6T9Y3", "晨曦金", "DKX558027", "2020-09-12", 47200, "290374"),
            ("宝来", "浙A·1B5E8", "珍珠白", "CSR441392", "2016-05-25", 118700, "503968"),
        )),
        ("陈明", "regular", ("13777453826",), "浙江省杭州市萧山区市心中路819号", (
            ("宝来", "浙A·E7U39", "天际灰", "DLF963350", "2021-12-03", 36400, "618207"),
        )),
        ("黄丽", "member", ("15925613480",), "浙江省杭州市西湖区天目山路398号", (
            ("速腾", "浙A·G26H4", "琉璃红", "DJS812906", "2022-08-19", 21300, "339158"),
        )),
        # A SAIC-VW car serviced at the FAW-VW station: a station takes any make.
        ("何伟", "regular", ("13588306712",), "浙江省杭州市临平区迎宾路368号", (
            ("朗逸", "浙A·V9W13", "珍珠白", "CSS287651", "2017-07-08", 112600, "476230"),
        )),
    ),
}  # fmt: skip


def _vin(model: str, sale_date: str, serial: str) -> str:
    """A VIN with a valid check digit: WMI+VDS of the model, year, plant, serial."""
    _, wmi_vds, plant = _MODELS[model]
    year = _YEAR_CODES[int(sale_date[:4])]
    return make_vin(f"{wmi_vds}{year}{plant}{serial}")


def _site_code(site_id: str) -> str:
    return _SITES[site_id][0]


def _sites() -> list[dict[str, Any]]:
    return [
        {
            "site_id": site_id,
            "group_id": GROUP_ID,
            "name": name,
            "kind": kind,
            "brand": brand,
            "city": city,
            "daily_technician_hours": f"{len(_TECHNICIANS[site_id]) * SHIFT_HOURS}.0",
        }
        for site_id, (_, name, kind, brand, city) in _SITES.items()
    ]


def _staff() -> list[dict[str, Any]]:
    staff: list[dict[str, Any]] = []

    def person(user_id: str, name: str, site_ids: tuple[str, ...], roles: tuple[str, ...]) -> dict:
        return {
            "user_id": user_id,
            "name": name,
            "group_id": GROUP_ID,
            "site_ids": list(site_ids),
            "roles": list(roles),
        }

    for site_id in SITE_IDS:
        for user_id, name, roles in _SITE_STAFF[site_id]:
            staff.append(person(user_id, name, (site_id,), roles))
        for user_id, name, _team, _skills, _grade in _TECHNICIANS[site_id]:
            roles = ("team_leader", "technician") if user_id.startswith("tl.") else ("technician",)
            staff.append(person(user_id, name, (site_id,), roles))
    staff.append(person(*_HQ_MANAGER, SITE_IDS, ("hq_manager",)))
    staff.append(person(*_GROUP_ADMIN, (), ("group_admin",)))
    oem_user_id, oem_name, oem_id, oem_sites = _OEM_USER
    staff.append({**person(oem_user_id, oem_name, oem_sites, ("oem",)), "oem_id": oem_id})
    return staff


def _labor_operations() -> list[dict[str, Any]]:
    return [
        {"code": code, "description": text, "standard_hours": hours, "models": list(models)}
        for code, text, hours, models in _LABOR_OPERATIONS
    ]


def _labor_rates() -> list[dict[str, Any]]:
    return [
        {"site_id": site_id, "payer": payer, "rate": rate}
        for site_id in SITE_IDS
        for payer, rate in _LABOR_RATES[site_id].items()
    ]


def _parts() -> list[dict[str, Any]]:
    return [
        {"part_number": number, "name": name, "unit": unit, "cost": cost, "price": price,
         "models": list(models)}
        for number, name, unit, cost, price, models in _PARTS
    ]  # fmt: skip


def _stock() -> list[dict[str, Any]]:
    cost = {number: part_cost for number, _, _, part_cost, _, _ in _PARTS}
    rows = []
    for site_id in SITE_IDS:
        for index, (number, quantity) in enumerate(_STOCK[site_id]):
            # Shelves A-D, five bins a shelf, in catalog order.
            bin_code = f"{'ABCD'[index // 5]}-{index % 5 + 1:02d}-01"
            rows.append(
                {"site_id": site_id, "warehouse": _WAREHOUSE, "bin": bin_code,
                 "part_number": number, "quantity": quantity, "unit_cost": cost[number]}
            )  # fmt: skip
    return rows


def _customers() -> list[dict[str, Any]]:
    customers = []
    for site_id in SITE_IDS:
        code = _site_code(site_id)
        for index, (name, klass, phones, address, vehicles) in enumerate(_CUSTOMERS[site_id], 1):
            customers.append(
                {
                    "customer_id": f"cus-{code}-{index:03d}",
                    "site_id": site_id,
                    "name": name,
                    "phones": list(phones),
                    "address": address,
                    "class": klass,
                    "vehicles": [
                        {
                            "vin": _vin(model, sale_date, serial),
                            "plate": validate_plate(plate),
                            "brand": _MODELS[model][0],
                            "model": model,
                            "colour": colour,
                            "engine_number": engine,
                            "sale_date": sale_date,
                            "mileage": mileage,
                        }
                        for model, plate, colour, engine, sale_date, mileage, serial in vehicles
                    ],
                }
            )
    return customers


def _teams() -> list[dict[str, Any]]:
    return [
        {"team_id": f"team-{_site_code(site_id)}-{n}", "site_id": site_id, "name": name}
        for site_id in SITE_IDS
        for n, name in enumerate(_TEAMS[site_id], 1)
    ]


def _technicians() -> list[dict[str, Any]]:
    return [
        {
            "technician_id": user_id,  # the same id the technician logs in with
            "site_id": site_id,
            "name": name,
            "team_id": f"team-{_site_code(site_id)}-{team}",
            "skills": list(skills),
            "grade": grade,
        }
        for site_id in SITE_IDS
        for user_id, name, team, skills, grade in _TECHNICIANS[site_id]
    ]


def demo_group() -> dict[str, Any]:
    """The whole demo group, freshly built: callers may mutate it freely."""
    return {
        "group": {"group_id": GROUP_ID, "name": GROUP_NAME},
        "sites": _sites(),
        "staff": _staff(),
        "labor_operations": _labor_operations(),
        "labor_rates": _labor_rates(),
        "parts": _parts(),
        "stock": _stock(),
        "customers": _customers(),
        "teams": _teams(),
        "technicians": _technicians(),
        "warranty_terms": _warranty_terms(),
        "suppliers": _suppliers(),
    }


def _suppliers() -> list[dict[str, Any]]:
    """Each site's OEM (emergency orders go on the OEM exchange) and one local supplier."""
    return [
        {"supplier_id": "sup-saic-vw", "name": "上汽大众汽车有限公司", "kind": "oem",
         "oem_id": "oem-saic-vw", "site_ids": [PUDONG], "lead_time_days": 5,
         "emergency_lead_time_days": 2},
        {"supplier_id": "sup-gac-toyota", "name": "广汽丰田汽车有限公司", "kind": "oem",
         "oem_id": "oem-gac-toyota", "site_ids": [SUZHOU], "lead_time_days": 4,
         "emergency_lead_time_days": 1},
        {"supplier_id": "sup-faw-vw", "name": "一汽-大众汽车有限公司", "kind": "oem",
         "oem_id": "oem-faw-vw", "site_ids": [HANGZHOU], "lead_time_days": 6,
         "emergency_lead_time_days": 3},
        {"supplier_id": "sup-local-hd", "name": "上海华东汽配商行", "kind": "local",
         "oem_id": None, "site_ids": [], "lead_time_days": 1, "emergency_lead_time_days": 0},
    ]  # fmt: skip


def _warranty_terms() -> list[dict[str, Any]]:
    """Each brand's OEM terms: 3 years / 100 000 km, first free maintenance, parts 12 months."""
    return [
        {
            "brand": brand,
            "oem_id": oem_id,
            "years": 3,
            "km": 100000,
            "first_maintenance_months": 6,
            "first_maintenance_km": 5000,
            "first_maintenance_operations": ["MNT-FREE1"],
            "parts_months": 12,
            "parts_km": 10000,
        }
        for brand, oem_id in (
            ("上汽大众", "oem-saic-vw"),
            ("一汽-大众", "oem-faw-vw"),
            ("广汽丰田", "oem-gac-toyota"),
        )
    ]


def users_by_id() -> dict[str, dict[str, Any]]:
    """Staff entries keyed by user_id, e.g. to mint a demo login token."""
    return {user["user_id"]: user for user in demo_group()["staff"]}
