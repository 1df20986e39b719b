"""The channel lists read plain columns (``queries.notice_lines``, issue 23) instead of ORM
notices: the rows they show must be exactly those ``notice_list`` gives, rendered the same."""
from __future__ import annotations

import pytest
from flask import render_template_string
from sqlalchemy import select

from portal.auth.models import User
from portal.disclosure import queries, rules
from portal.extensions import db
from tests.disclosure import factories as df

MACRO = '{% from "disclosure/_rows.html" import notice_rows %}{{ notice_rows(rows) }}'


def _school(s) -> None:
    df.published(s, title="校内ROWSTAFF", audience="staff")
    df.published(s, title="公开ROWPUBLIC", audience="public")
    df.published(s, channel="party", title="党内ROWINNER", audience="party")
    df.published(s, channel="party", title="党务ROWPARTYPUBLIC", audience="public")
    gone = df.published(s, title="撤回ROWGONE", audience="public")
    rules.withdraw(s, df.user(s, "principal"), gone, reason="内容有误")
    second = df.published(s, title="修订ROWV2", audience="staff")
    second.version = 2  # as a correction leaves it: the tag 第 2 版
    s.commit()


@pytest.mark.parametrize("reader", [None, "staff", "secretary"])
@pytest.mark.parametrize("channel,withdrawn", [("school", False), ("party", False), ("school", True)])
def test_list_lines_show_what_the_orm_rows_show(app, people, reader, channel, withdrawn):
    with app.app_context():
        _school(db.session)
    with app.test_request_context("/"):
        s = db.session
        user = s.scalar(select(User).where(User.username == reader)) if reader else None
        orm = s.scalars(queries.notice_list(user, channel, withdrawn=withdrawn)).all()
        lines = [queries.NoticeLine(*r) for r in s.execute(queries.notice_lines(user, channel, withdrawn=withdrawn))]
        assert [n.id for n in orm] == [n.id for n in lines] and orm
        assert render_template_string(MACRO, rows=lines) == render_template_string(MACRO, rows=orm)
        shown = render_template_string(MACRO, rows=lines)
    if withdrawn:
        assert "ROWGONE" in shown and "已撤回" in shown
    elif channel == "school":
        assert ("ROWSTAFF" in shown) is (reader is not None) and "ROWPUBLIC" in shown and "ROWGONE" not in shown
        assert ("第 2 版" in shown) is (reader is not None)
    else:
        assert ("ROWINNER" in shown) is (reader == "secretary") and "ROWPARTYPUBLIC" in shown
