"""Who may do what with disclosures. Checks see memberships through the context: who is
书记 or 校长 is a seat on a body, and who approves a notice is ``rules.approver_for``.

``notice.view`` comes with :func:`visible_notices`, the SQL that lists exactly the notices
the check allows (tests/disclosure/test_permissions.py shows they agree).
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, and_, false, or_, true

from portal.auth.models import Role, User
from portal.auth.permissions import Context, holds, is_leader, is_party_member, register, roles, viewer
from portal.disclosure.models import ON_RECORD, Audience, Channel, Notice, Objection
from portal.disclosure.rules import approval_chain, approver_for
from portal.org.models import Office

# Global roles that may write notices besides the leadership (班子成员).
_AUTHOR_ROLES = (Role.LEADER, Role.UNION, Role.HANDLER, Role.RECORDER, Role.ADMIN)


def readable_audiences(user: Any, ctx: Context | None = None) -> frozenset[str]:
    """The notice audiences this person may read: the SQL filters use this same set."""
    user = viewer(user)
    if user is None:
        return frozenset({Audience.PUBLIC.value})
    if ctx is None:
        from portal.auth.permissions import current_context

        ctx = current_context()
    if is_party_member(user, ctx):
        return frozenset(a.value for a in Audience)
    return frozenset({Audience.PUBLIC.value, Audience.STAFF.value})


def _is_approver(user: User | None, notice: Notice, ctx: Context) -> bool:
    return user is not None and notice.is_submitted and approver_for(ctx.memberships, notice) == user.id


def _responsible(user: User | None, notice: Notice, ctx: Context) -> bool:
    """The author, the approver of record, or the one who would approve it now."""
    if user is None:
        return False
    if user.id in (notice.author_id, notice.approver_id):
        return True
    return not notice.is_on_record and approver_for(ctx.memberships, notice) == user.id


def _view(user: User | None, notice: Notice, ctx: Context) -> bool:
    if notice.is_on_record and notice.audience in readable_audiences(user, ctx):
        return True
    return _responsible(user, notice, ctx)


def visible_notices(user: User | None, ctx: Context) -> ColumnElement[bool]:
    """SQL: exactly the notices ``notice.view`` allows this user."""
    on_record = and_(Notice.status.in_(ON_RECORD), Notice.audience.in_(sorted(readable_audiences(user, ctx))))
    if user is None:
        return on_record
    return or_(on_record, Notice.author_id == user.id, Notice.approver_id == user.id,
               and_(Notice.status.not_in(ON_RECORD), would_approve(user, ctx)))


def would_approve(user: User, ctx: Context) -> ColumnElement[bool]:
    """SQL: notices of which ``user`` is the approver by ``rules.approver_for`` (any status)."""
    return or_(*(_pending_for(user, c.value, approval_chain(ctx.memberships, c.value)) for c in Channel))


def _pending_for(user: User, channel: str, chain: list[int]) -> ColumnElement[bool]:
    """SQL: unpublished notices of ``channel`` that ``user`` would approve (see approver_for)."""
    if user.id not in chain:
        return false()
    earlier = chain[: chain.index(user.id)]
    # The user approves when every earlier member of the chain is excused as the author:
    # with distinct people that is "nobody earlier" or "the one earlier person wrote it".
    when: ColumnElement[bool]
    if not earlier:
        when = true()
    elif len(earlier) == 1:
        when = Notice.author_id == earlier[0]
    else:
        return false()
    return and_(Notice.channel == channel, Notice.author_id != user.id, when)


def _read_body(user: User | None, notice: Notice, ctx: Context) -> bool:
    # A withdrawn notice keeps its record public, but its text only for those responsible:
    # it may have been withdrawn because it should never have been shown.
    if notice.is_withdrawn:
        return _responsible(user, notice, ctx)
    return _view(user, notice, ctx)


def may_author(user: User | None, channel: Any, ctx: Context) -> bool:
    """Writes notices in ``channel`` (Party affairs: Party members only)."""
    if user is None or not (user.has_role(*_AUTHOR_ROLES) or is_leader(user, ctx)):
        return False
    return channel != Channel.PARTY.value or is_party_member(user, ctx)


def _approves_somewhere(user: User | None, ctx: Context) -> bool:
    return user is not None and any(user.id in approval_chain(ctx.memberships, c.value) for c in Channel)


def _workspace(user: User | None, obj: Any, ctx: Context) -> bool:
    return any(may_author(user, c.value, ctx) for c in Channel) or _approves_somewhere(user, ctx)


def _edit(user: User | None, notice: Notice, ctx: Context) -> bool:
    return user is not None and notice.is_draft and user.id == notice.author_id


def _withdraw(user: User | None, notice: Notice, ctx: Context) -> bool:
    """The channel's first approver, the one who approved it, or the administrator."""
    if user is None or not (notice.is_published and notice.is_current):
        return False
    chain = approval_chain(ctx.memberships, notice.channel)
    return user.id == notice.approver_id or chain[:1] == [user.id] or user.has_role(Role.ADMIN)


def _correct(user: User | None, notice: Notice, ctx: Context) -> bool:
    return notice.is_published and notice.is_current and _responsible(user, notice, ctx) \
        and may_author(user, notice.channel, ctx)


def _object(user: User | None, notice: Notice, ctx: Context) -> bool:
    """Any reader during publication, except the author and the approver: they answer."""
    return user is not None and notice.is_published and user.id not in (notice.author_id, notice.approver_id) \
        and _view(user, notice, ctx)


def _acknowledge(user: User | None, notice: Notice, ctx: Context) -> bool:
    return user is not None and notice.requires_ack and notice.is_published and _view(user, notice, ctx)


def _ack_report(user: User | None, notice: Notice, ctx: Context) -> bool:
    """Those responsible, and the administrator for notices the administrator may read."""
    if _responsible(user, notice, ctx):
        return True
    return user is not None and user.has_role(Role.ADMIN) and _view(user, notice, ctx)


def _answer(user: User | None, notice: Notice, ctx: Context) -> bool:
    return notice.is_on_record and _responsible(user, notice, ctx)


def _see_objector(user: User | None, pair: tuple[Objection, Notice], ctx: Context) -> bool:
    """Who lodged an anonymous objection: only the notice's approver (and the system)."""
    objection, notice = pair
    return not objection.anonymous or (user is not None and user.id == notice.approver_id)


def _office_or_admin(user: User | None, obj: Any, ctx: Context) -> bool:
    return user is not None and (user.has_role(Role.ADMIN) or holds(user, ctx, Office.SECRETARY, Office.PRINCIPAL))


def _anyone(user: User | None, obj: Any, ctx: Context) -> bool:
    return True


# Registered when the module is imported (``portal.disclosure.init_app`` imports it).
register("notice.list", _anyone)
register("notice.view", _view, visible_notices)
register("notice.read_body", _read_body)
register("notice.create", may_author)  # obj: the channel
register("notice.workspace", _workspace)
register("notice.edit", _edit)
register("notice.submit", _edit)
register("notice.approve", _is_approver)
register("notice.withdraw", _withdraw)
register("notice.correct", _correct)
register("notice.object", _object)
register("notice.answer", _answer)
register("notice.acknowledge", _acknowledge)
register("notice.ack_report", _ack_report)
register("objection.see_author", _see_objector)
register("catalogue.manage", roles(Role.ADMIN))
register("catalogue.compliance", _office_or_admin)
register("disclosure.export", _office_or_admin)


