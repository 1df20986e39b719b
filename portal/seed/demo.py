"""The demo school 阳光实验学校: about 120 staff, its bodies and a congress term.

Deterministic (a fixed random seed) so screenshots and tests see the same school.
Every demo login uses the password ``demo-2026`` and is not forced to change it.
"""
from __future__ import annotations

import random
from datetime import date, time

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.audit.rules import record
from portal.auth.models import Department, DepartmentKind, User
from portal.congress.models import CongressTerm, Delegation, Representative
from portal.org.models import Body, BodyKind, BodyMember, Seat
from portal.timeutil import local_to_utc

DEMO_PASSWORD = "demo-2026"

DEPARTMENTS: list[tuple[str, DepartmentKind]] = [
    ("校长室", DepartmentKind.OFFICE),
    ("党政办公室", DepartmentKind.OFFICE),
    ("教务处", DepartmentKind.OFFICE),
    ("德育处", DepartmentKind.OFFICE),
    ("总务处", DepartmentKind.OFFICE),
    ("教科室", DepartmentKind.OFFICE),
    ("工会", DepartmentKind.OFFICE),
    ("七年级组", DepartmentKind.GRADE),
    ("八年级组", DepartmentKind.GRADE),
    ("九年级组", DepartmentKind.GRADE),
    ("语文教研组", DepartmentKind.SUBJECT),
    ("数学教研组", DepartmentKind.SUBJECT),
    ("英语教研组", DepartmentKind.SUBJECT),
    ("理化生教研组", DepartmentKind.SUBJECT),
    ("政史地教研组", DepartmentKind.SUBJECT),
    ("艺体教研组", DepartmentKind.SUBJECT),
    ("信息技术教研组", DepartmentKind.SUBJECT),
]
TEACHING_GROUPS = [name for name, kind in DEPARTMENTS if kind is not DepartmentKind.OFFICE]

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = [
    "建国", "志强", "丽华", "秀英", "海燕", "晓东", "文静", "俊杰", "红梅", "国庆", "明辉", "雪梅",
    "卫东", "玉兰", "春燕", "立新", "晓燕", "婷婷", "鹏飞", "思远", "雅琴", "敏", "静", "磊", "洋",
    "杰", "娟", "勇", "艳", "军", "芳", "涛", "霞", "斌", "丹", "亮", "慧敏", "佳怡", "子涵", "浩然",
    "欣怡", "宇航", "晨曦", "梓萱", "一鸣", "若兰", "振华", "淑珍", "桂英", "德明", "永红", "凤英",
]

# (username, name, department, roles, party member, job title)
LEADERSHIP: list[tuple[str, str, str, set[str], bool, str]] = [
    ("secretary", "周建华", "校长室", {"leader"}, True, "党委书记"),
    ("principal", "陈立新", "校长室", {"leader"}, True, "校长、党委副书记"),
    ("leader1", "王晓东", "校长室", {"leader"}, True, "副校长（分管教学）"),
    ("leader2", "李文静", "校长室", {"leader"}, True, "副校长（分管德育）"),
    ("leader3", "赵国庆", "党政办公室", {"leader", "recorder"}, True, "党政办公室主任"),
    ("leader4", "孙明辉", "教务处", {"leader", "handler"}, False, "教务处主任"),
    ("handler1", "刘海燕", "总务处", {"handler"}, True, "总务处主任"),
    ("handler2", "吴俊杰", "德育处", {"handler"}, True, "德育处主任"),
    ("supervisor", "郑玉兰", "党政办公室", {"supervisor"}, True, "纪检委员"),
    ("union", "黄秀英", "工会", {"union"}, True, "工会主席"),
    ("admin", "林志强", "教科室", {"admin"}, False, "信息中心管理员"),
]

PARTY_COMMITTEE = [  # 7 members (DOMAIN.md worked numbers)
    ("secretary", "书记"), ("principal", "副书记"), ("leader1", "委员"), ("leader2", "委员"),
    ("leader3", "组织委员"), ("supervisor", "纪检委员"), ("union", "宣传委员"),
]
ADMIN_TEAM = [  # 6 members
    ("principal", "校长"), ("leader1", "副校长"), ("leader2", "副校长"),
    ("leader3", "党政办公室主任"), ("leader4", "教务处主任"), ("handler1", "总务处主任"),
]
DELEGATIONS = ["第一代表团（七年级）", "第二代表团（八年级）", "第三代表团（九年级）", "第四代表团（行政后勤）"]
STAFF_TOTAL = 120
REPS = 40
TEACHERS = 10


def has_users(session: Session) -> bool:
    return bool(session.scalar(select(func.count()).select_from(User)))


def _names(rng: random.Random, count: int, taken: set[str]) -> list[str]:
    names: list[str] = []
    while len(names) < count:
        name = rng.choice(SURNAMES) + rng.choice(GIVEN)
        if name not in taken:
            taken.add(name)
            names.append(name)
    return names


def seed(session: Session, upload_dir: str) -> list[str]:
    """Create the demo school; return the lines to print (logins and counts)."""
    from portal.audit.rules import replaying

    with replaying(session):  # the year's events join the audit chain in the order they happened
        return _seed(session, upload_dir)


def _seed(session: Session, upload_dir: str) -> list[str]:
    if has_users(session):
        raise RuntimeError("数据库中已有用户，演示数据只能在空库中创建。")
    rng = random.Random(2026)
    departments = {name: Department(name=name, kind=kind.value) for name, kind in DEPARTMENTS}
    session.add_all(departments.values())

    # Hash once: all demo accounts share the published demo password.
    template = User(username="-", staff_no="-", name="-")
    template.set_password(DEMO_PASSWORD)
    password_hash = template.password_hash

    users: dict[str, User] = {}
    staff_no = 1000

    def add(username: str, name: str, dept: str, roles: set[str], party: bool) -> User:
        nonlocal staff_no
        staff_no += 1
        user = User(
            username=username, staff_no=f"YG{staff_no}", name=name, department=departments[dept],
            is_party_member=party, password_hash=password_hash, must_change_password=False,
        )
        user.set_roles(roles)
        session.add(user)
        users[username] = user
        return user

    taken = {row[1] for row in LEADERSHIP}
    for username, name, dept, roles, is_member, _title in LEADERSHIP:
        add(username, name, dept, roles, is_member)

    others = STAFF_TOTAL - len(LEADERSHIP)
    names = iter(_names(rng, others, taken))
    for i in range(1, REPS + 1):
        group = TEACHING_GROUPS[(i - 1) % len(TEACHING_GROUPS)]
        add(f"rep{i}", next(names), group, set(), rng.random() < 0.45)
    for i in range(1, TEACHERS + 1):
        add(f"teacher{i}", next(names), TEACHING_GROUPS[i % len(TEACHING_GROUPS)], set(), i % 3 == 0)
    office_staff = ["党政办公室", "教务处", "德育处", "总务处", "教科室"]
    for i in range(others - REPS - TEACHERS):
        dept = office_staff[i % len(office_staff)] if i % 6 == 0 else rng.choice(TEACHING_GROUPS)
        add(f"staff{i + 1}", next(names), dept, set(), rng.random() < 0.35)
    session.flush()

    party = Body(kind=BodyKind.PARTY_COMMITTEE.value, name="中共阳光实验学校委员会")
    team = Body(kind=BodyKind.ADMIN_TEAM.value, name="校长办公会议")
    union_body = Body(kind=BodyKind.UNION_COMMITTEE.value, name="阳光实验学校工会委员会")
    session.add_all([party, team, union_body])
    session.flush()
    seats = {"书记": Seat.CHAIR, "副书记": Seat.DEPUTY, "校长": Seat.CHAIR, "副校长": Seat.DEPUTY, "工会主席": Seat.CHAIR}
    for body, roster in ((party, PARTY_COMMITTEE), (team, ADMIN_TEAM), (union_body, [("union", "工会主席")])):
        for pos, (username, title) in enumerate(roster):
            session.add(BodyMember(body_id=body.id, user_id=users[username].id, title=title, position=pos,
                                   seat=seats.get(title, Seat.MEMBER).value, starts_on=date(2024, 9, 1)))
    for name, head in (("总务处", "handler1"), ("德育处", "handler2"), ("教务处", "leader4"), ("党政办公室", "leader3")):
        departments[name].head_id = users[head].id
    for position, department in enumerate(departments.values()):
        department.position = position

    term = CongressTerm(
        number=5, name="第五届教职工代表大会", starts_on=date(2024, 9, 1), ends_on=date(2029, 8, 31), is_current=True
    )
    session.add(term)
    session.flush()
    delegations = [Delegation(term_id=term.id, name=n, position=i) for i, n in enumerate(DELEGATIONS)]
    session.add_all(delegations)
    session.flush()
    for i in range(1, REPS + 1):
        session.add(Representative(term_id=term.id, user_id=users[f"rep{i}"].id,
                                   delegation_id=delegations[(i - 1) // 10].id, joined_on=term.starts_on))
    session.flush()
    from portal.seed import history

    # the school's accounts: in use since the previous congress term began (its proposals come next)
    history.happened(local_to_utc(date(2019, 9, 1), time(8, 0)))
    record(session, None, "demo.seeded", None, users=len(users), representatives=REPS)
    from portal.seed import disclosure

    disclosure.seed(session, users, upload_dir)
    from portal.seed import evaluation

    evaluation.seed(session, users)
    from portal.seed.congress import seed_congress

    seed_congress(session, users, term)
    from portal.seed.proposals import seed_proposals

    seed_proposals(session, users)
    from portal.seed.decisions import seed_decisions

    seed_decisions(session, users, upload_dir)

    return [
        f"已创建演示学校“阳光实验学校”：{len(users)} 名教职工，{len(departments)} 个部门，"
        f"党委委员 {len(PARTY_COMMITTEE)} 人，校长办公会议成员 {len(ADMIN_TEAM)} 人，"
        f"{term.name}代表 {REPS} 人（{len(DELEGATIONS)} 个代表团）。",
        f"演示账号（密码均为 {DEMO_PASSWORD}）：",
        "  admin（系统管理员）、secretary（党委书记）、principal（校长）、union（工会主席）、",
        "  leader1…leader4（班子成员）、handler1、handler2（承办部门）、supervisor（纪检委员）、",
        f"  rep1…rep{REPS}（教代会代表）、teacher1…teacher{TEACHERS}（教职工）",
    ]
