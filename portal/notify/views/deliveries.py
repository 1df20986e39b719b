"""The admin's view of delivery: recent deliveries by channel and state (the failed ones with
their reason), a test message per channel, and the group robots."""
from __future__ import annotations

from typing import Any

from flask import Response, abort, current_app, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from portal.auth.models import User
from portal.auth.permissions import require
from portal.extensions import db
from portal.notify import outbox, rules
from portal.notify.forms import CHANNEL_LABELS, STATE_LABELS, RobotForm
from portal.notify.kinds import KIND_LABELS, LEADERSHIP_TOPICS, TOPIC_LABELS, Topic
from portal.notify.models import Channel, Delivery, Robot
from portal.notify.views import bp
from portal.web import explain, paginate, render

PER_PAGE = 50


@bp.get("/admin/deliveries")
def deliveries() -> Response:
    """Recent deliveries, newest first, filtered by channel and state; counts per channel and
    state; the failed ones say why."""
    require("deliveries.manage")
    return render("notify/deliveries.html", block="deliveries", **_page())


@bp.post("/admin/deliveries/test")
def send_test() -> Response:
    """Queue a test message on one channel; ``flask deliver`` sends it like any other."""
    require("deliveries.manage")
    channel = request.form.get("channel", "")
    robot = None
    if robot_id := request.form.get("robot_id", type=int):
        robot = db.session.get(Robot, robot_id) or abort(404)
        channel = robot.platform
    try:
        rules.queue_test(db.session, current_user, channel, robot)
    except rules.NotifyError as exc:
        db.session.rollback()
        return render("notify/deliveries.html", block="deliveries", problem=explain(exc), **_page())
    db.session.commit()
    return render("notify/deliveries.html", block="deliveries",
                  done=_("测试消息已排队，下一次发送（flask deliver）时送出，结果见下表。"), **_page())


@bp.route("/admin/robots", methods=["GET", "POST"])
def robots() -> Response:
    """The group robots (群机器人) added for bodies and departments, and the form to add one."""
    require("deliveries.manage")
    form = RobotForm()
    done = None
    if form.validate_on_submit():
        body_id, department_id = form.scope_ids()
        try:
            robot = rules.add_robot(db.session, current_user, platform=form.platform.data or "", name=form.name.data or "",
                                    url=form.url.data or "", secret=form.secret.data or "", body_id=body_id,
                                    department_id=department_id, topics=form.topics.data or [])
        except rules.NotifyError as exc:
            db.session.rollback()
            form.url.errors = [*form.url.errors, explain(exc)]
        else:
            db.session.commit()
            done = _("已添加群机器人“%(name)s”。", name=robot.name)
            form = RobotForm(formdata=None)
    return render("notify/robots.html", block="robots", form=form, done=done, **_robots_page())


@bp.post("/admin/robots/<int:robot_id>/active")
def toggle_robot(robot_id: int) -> Response:
    """Switch a robot off (its waiting messages fail, nothing more is queued) or on again."""
    require("deliveries.manage")
    robot = db.session.get(Robot, robot_id) or abort(404)
    rules.set_robot_active(db.session, current_user, robot, request.form.get("active") == "1")
    db.session.commit()
    return render("notify/robots.html", block="robots", form=RobotForm(formdata=None), done=None, **_robots_page())


def _page() -> dict[str, Any]:
    """One page of deliveries with the names they need (two queries besides the page)."""
    channel = request.args.get("channel", "")
    state = request.args.get("state", "")
    query = select(Delivery).order_by(Delivery.id.desc())
    if channel in CHANNEL_LABELS:
        query = query.where(Delivery.channel == channel)
    if state in STATE_LABELS:
        query = query.where(Delivery.state == state)
    page = paginate(query, PER_PAGE)
    people = {u.id: u.name for u in db.session.scalars(
        select(User).where(User.id.in_({d.recipient_id for d in page["rows"] if d.recipient_id})))}
    robot_rows = list(db.session.scalars(select(Robot).order_by(Robot.id)))
    config = current_app.config
    configured = {Channel.EMAIL.value: bool(config.get("MAIL_SERVER")), Channel.WECOM.value: bool(config.get("WECOM_ROBOT_URL")),
                  Channel.DINGTALK.value: bool(config.get("DINGTALK_ROBOT_URL"))}
    return dict(channel=channel, state=state, counts=outbox.pending_counts(db.session), people=people,
                robot_names={r.id: r.name for r in robot_rows}, robots=[r for r in robot_rows if r.active],
                configured=configured, channel_labels=CHANNEL_LABELS, state_labels=STATE_LABELS,
                kind_labels={k.value: _(label) for k, label in KIND_LABELS.items()} | {"test": _("测试")},
                texts={d.id: _(d.message, **d.params) for d in page["rows"] if d.message}, **page)


def _robots_page() -> dict[str, Any]:
    from portal.auth.models import Department
    from portal.org.models import Body

    rows = list(db.session.scalars(select(Robot).order_by(Robot.active.desc(), Robot.id)))
    bodies = {b.id: b.name for b in db.session.scalars(select(Body))}
    departments = {d.id: d.name for d in db.session.scalars(select(Department))}
    return dict(rows=rows, bodies=bodies, departments=departments, masked={r.id: mask(r.url) for r in rows},
                topic_labels={t.value: _(label) for t, label in TOPIC_LABELS.items()}, channel_labels=CHANNEL_LABELS,
                leadership=[_(TOPIC_LABELS[t]) for t in Topic if t in LEADERSHIP_TOPICS],
                configured={c: bool(current_app.config.get(k)) for c, k in
                            ((Channel.WECOM.value, "WECOM_ROBOT_URL"), (Channel.DINGTALK.value, "DINGTALK_ROBOT_URL"))})


def mask(url: str) -> str:
    """A webhook shown without its key: the address is the credential."""
    head, _sep, _rest = url.partition("?")
    return head + ("?…" if _sep else "")

