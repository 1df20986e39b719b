"""Who may do what with consultations. The union (the congress's working body) and the
leadership organise them; the audience is all staff, the current term's representatives
(the roster on the day) or the Party members. Nobody sees who wrote an anonymous comment,
organisers included (DOMAIN.md: anonymous to everyone but the system). Anonymous visitors see nothing of consultations.

``consultation.view`` comes with :func:`visible_consultations` and ``consultation.comment``
with :func:`commentable_consultations`, the SQL that lists exactly what each check allows
(tests/consultations/test_permissions.py shows they agree).
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, and_, false, or_

from portal.auth.models import Role, User
from portal.auth.permissions import Context, is_leader, is_party_member, register
from portal.consultations.models import Audience, Consultation, Status


def may_organise(user: User | None, obj: Any, ctx: Context) -> bool:
    """The union, or a member of the leadership (班子成员)."""
    return user is not None and (user.has_role(Role.UNION) or is_leader(user, ctx))


def is_organiser(user: User | None, consultation: Consultation, ctx: Context) -> bool:
    """The one who wrote it; once published, also the union, which runs consultations."""
    if user is None:
        return False
    return user.id == consultation.organiser_id or (consultation.is_published and user.has_role(Role.UNION))


def in_audience(user: User | None, consultation: Consultation, ctx: Context) -> bool:
    if user is None:
        return False
    if consultation.audience == Audience.STAFF.value:
        return True
    if consultation.audience == Audience.REPS.value:
        return consultation.term_id is not None and ctx.memberships.is_representative(user.id, consultation.term_id)
    return is_party_member(user, ctx)


def _view(user: User | None, consultation: Consultation, ctx: Context) -> bool:
    if is_organiser(user, consultation, ctx):
        return True
    return consultation.is_published and in_audience(user, consultation, ctx)


def _in_audience_sql(user: User, ctx: Context) -> ColumnElement[bool]:
    """SQL: the consultations whose audience includes ``user`` (:func:`in_audience`)."""
    audiences: list[ColumnElement[bool]] = [Consultation.audience == Audience.STAFF.value]
    terms = sorted(ctx.memberships.terms_of(user.id))
    if terms:
        audiences.append(and_(Consultation.audience == Audience.REPS.value, Consultation.term_id.in_(terms)))
    if is_party_member(user, ctx):
        audiences.append(Consultation.audience == Audience.PARTY.value)
    return or_(*audiences)


def visible_consultations(user: User | None, ctx: Context) -> ColumnElement[bool]:
    """SQL: exactly the consultations ``consultation.view`` allows this user."""
    if user is None:
        return false()
    published = Consultation.status != Status.DRAFT.value
    conditions: list[ColumnElement[bool]] = [Consultation.organiser_id == user.id,
                                             and_(published, _in_audience_sql(user, ctx))]
    if user.has_role(Role.UNION):
        conditions.append(published)
    return or_(*conditions)


def _comment(user: User | None, consultation: Consultation, ctx: Context) -> bool:
    """Someone in the audience while the window is open; organisers reply instead."""
    return consultation.window(ctx.now) == "open" and in_audience(user, consultation, ctx) \
        and not is_organiser(user, consultation, ctx)


def commentable_consultations(user: User | None, ctx: Context) -> ColumnElement[bool]:
    """SQL: exactly the consultations ``consultation.comment`` allows this user: the window
    open (:meth:`Consultation.window`), in the audience, not among the organisers."""
    if user is None or user.has_role(Role.UNION):  # the union organises every published one
        return false()
    return and_(Consultation.status.not_in([Status.DRAFT.value, Status.SUMMARISED.value]),
                Consultation.closes_at.is_not(None), Consultation.closes_at >= ctx.now,
                Consultation.organiser_id != user.id, _in_audience_sql(user, ctx))


def _edit(user: User | None, consultation: Consultation, ctx: Context) -> bool:
    return user is not None and consultation.is_draft and user.id == consultation.organiser_id


def _manage(user: User | None, consultation: Consultation, ctx: Context) -> bool:
    return consultation.is_published and is_organiser(user, consultation, ctx)


def _signed_in(user: User | None, obj: Any, ctx: Context) -> bool:
    return user is not None


register("consultation.list", _signed_in)
register("consultation.create", may_organise)
register("consultation.view", _view, visible_consultations)
register("consultation.edit", _edit)  # the draft, its attachments, publishing it
register("consultation.manage", _manage)  # replies, marks, the summary, the matter link
register("consultation.comment", _comment, commentable_consultations)
# The text of a hidden comment: its author alone (organisers hid it and see the reason only).
register("consultation.read_hidden", lambda user, comment, ctx: user is not None and user.id == comment.author_id)
